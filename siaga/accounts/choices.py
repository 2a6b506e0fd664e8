from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may do; where they may do it is their region scope."""

    ADMIN = "admin", _("Administrator")
    ANALYST = "analyst", _("Analis sekretariat")
    LEADERSHIP = "leadership", _("Pimpinan")
    LIAISON = "liaison", _("Penghubung instansi")
    FIELD_MONITOR = "field_monitor", _("Pemantau lapangan")
    MACHINE = "machine", _("Mesin (token API)")


class AgencyKind(models.TextChoices):
    PEMDA = "pemda", _("Pemerintah daerah / Kesbangpol")
    POLRI = "polri", _("Kepolisian (Polres)")
    TNI = "tni", _("TNI (Kodim)")
    KPU = "kpu", _("KPU")
    BAWASLU = "bawaslu", _("Bawaslu")
    KEJAKSAAN = "kejaksaan", _("Kejaksaan (Kejari)")
    KOMINFO = "kominfo", _("Diskominfo")
    INTELIJEN = "intelijen", _("Intelijen (BIN daerah)")
    LAINNYA = "lainnya", _("Lainnya")
