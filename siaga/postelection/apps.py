from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostelectionConfig(AppConfig):
    name = "siaga.postelection"
    verbose_name = _("Pasca-pemungutan suara")
