"""Choices of the risk module: the index's categories, the indicators' variables and sources."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.wilayah.choices import Vulnerability


class Category(models.TextChoices):
    """Category of a TPS or an area on the index; the same words as ``Tps.vulnerability``."""

    AMAN = Vulnerability.AMAN.value, _("Aman")
    RAWAN = Vulnerability.RAWAN.value, _("Rawan")
    SANGAT_RAWAN = Vulnerability.SANGAT_RAWAN.value, _("Sangat rawan")


# Engine codes 0, 1, 2 (siaga.engines.risk.CATEGORIES) in this order.
CATEGORY_ORDER = (Category.AMAN, Category.RAWAN, Category.SANGAT_RAWAN)


class Variable(models.TextChoices):
    """Bawaslu's eight variables of TPS vulnerability, and Siaga's supervision signal."""

    HAK_PILIH = "hak_pilih", _("Penggunaan hak pilih")
    KEAMANAN = "keamanan", _("Keamanan")
    POLITIK_UANG = "politik_uang", _("Politik uang")
    SARA = "sara", _("Politisasi SARA dan ujaran kebencian")
    NETRALITAS = "netralitas", _("Netralitas")
    LOGISTIK = "logistik", _("Logistik")
    LOKASI = "lokasi", _("Lokasi TPS")
    LISTRIK = "listrik", _("Jaringan listrik dan internet")
    PENGAWASAN = "pengawasan", _("Pengawasan TPS")


class Source(models.TextChoices):
    """Where an indicator's value comes from: a mapping (import or manual entry), or a module."""

    STATIC = "static", _("Pemetaan (impor atau isian)")
    VOTERS = "voters", _("Modul DPT")
    LOGISTICS = "logistics", _("Modul logistik")
    INCIDENTS = "incidents", _("Modul insiden")
    MEDIA = "media", _("Modul media sosial")
    CHECKLISTS = "checklists", _("Modul daftar periksa")
    WILAYAH = "wilayah", _("Data TPS")


class ValueOrigin(models.TextChoices):
    IMPORT = "import", _("Impor")
    MANUAL = "manual", _("Isian")


class AlertKind(models.TextChoices):
    CATEGORY_UP = "category_up", _("Kategori naik")
    TREND = "trend", _("Tren meningkat")
    CLUSTER = "cluster", _("Klaster insiden")


class Signal(models.TextChoices):
    """What a trend alert counts in an area."""

    INCIDENTS = "incidents", _("Insiden terverifikasi")
    HOAXES = "hoaxes", _("Hoaks dan provokasi")
