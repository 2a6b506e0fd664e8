from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "siaga.coordination"
    verbose_name = _("Koordinasi: rapat, keputusan dan tindak lanjut")
