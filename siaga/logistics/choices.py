from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The legs of the distribution: KPU kabupaten warehouse → PPK → PPS → KPPS (the TPS)."""

    KPU_TO_PPK = "kpu_ppk", _("Gudang KPU → PPK (kecamatan)")
    PPK_TO_PPS = "ppk_pps", _("PPK → PPS (desa)")
    PPS_TO_KPPS = "pps_kpps", _("PPS → KPPS (TPS)")


class TransportMode(models.TextChoices):
    ROAD = "road", _("Jalan darat")
    RIVER_BOAT = "river_boat", _("Kapal sungai")
    SPEEDBOAT = "speedboat", _("Speedboat")
    LONGBOAT = "longboat", _("Perahu panjang (longboat/ketinting)")
    FOOT = "foot", _("Jalan kaki")
    AIR = "air", _("Udara")


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", _("Direncanakan")
    LOADING = "loading", _("Dimuat")
    IN_TRANSIT = "in_transit", _("Dalam perjalanan")
    ARRIVED = "arrived", _("Tiba")
    HANDED_OVER = "handed_over", _("Diserahterimakan")
    RETURNED = "returned", _("Dikembalikan")


OPEN_STATUSES = (ShipmentStatus.PLANNED, ShipmentStatus.LOADING, ShipmentStatus.IN_TRANSIT)


class RuleKind(models.TextChoices):
    """How a requirement rule turns a TPS into a quantity (see siaga.engines.logistics)."""

    DPT_WITH_RESERVE = "dpt_reserve", _("DPT + cadangan persen, dibulatkan ke atas")
    FIXED_PER_TPS = "fixed", _("Jumlah tetap per TPS")
    DPT_BAND = "dpt_band", _("Menurut rentang DPT")


class ReplacementReason(models.TextChoices):
    KEKURANGAN = "kekurangan", _("Kekurangan")
    KERUSAKAN = "kerusakan", _("Kerusakan")


class ReplacementStatus(models.TextChoices):
    OPEN = "open", _("Terbuka")
    IN_PROGRESS = "in_progress", _("Diproses")
    FULFILLED = "fulfilled", _("Terpenuhi")
    CANCELLED = "cancelled", _("Dibatalkan")
