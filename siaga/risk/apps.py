from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "siaga.risk"
    verbose_name = _("Indeks kerawanan dan peringatan dini")
