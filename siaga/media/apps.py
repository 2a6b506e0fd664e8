from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    """Social-media monitoring: posts, hoaxes, narratives (issue 6)."""

    name = "siaga.media"
    verbose_name = _("Pemantauan media sosial")
