from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "siaga.security"
    verbose_name = _("Pengamanan: personel dan rencana penempatan")
