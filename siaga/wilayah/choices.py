from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Kemendagri levels; the code length tells the level (2, 5, 8, 13 characters)."""

    PROVINCE = "province", _("Provinsi")
    REGENCY = "regency", _("Kabupaten/kota")
    DISTRICT = "district", _("Kecamatan")
    VILLAGE = "village", _("Desa/kelurahan")


LEVEL_BY_CODE_LENGTH = {2: Level.PROVINCE, 5: Level.REGENCY, 8: Level.DISTRICT, 13: Level.VILLAGE}
CHILD_LEVEL = {
    Level.PROVINCE: Level.REGENCY,
    Level.REGENCY: Level.DISTRICT,
    Level.DISTRICT: Level.VILLAGE,
}


class SpecialLocation(models.TextChoices):
    """TPS lokasi khusus (KPU): places where voters cannot reach an ordinary TPS."""

    NONE = "", _("Bukan lokasi khusus")
    LAPAS = "lapas", _("Lapas / rutan")
    RUMAH_SAKIT = "rumah_sakit", _("Rumah sakit / puskesmas")
    PANTI = "panti", _("Panti sosial / rehabilitasi")
    PERUSAHAAN = "perusahaan", _("Perusahaan / tambang / perkebunan")
    ASRAMA = "asrama", _("Asrama / pondok pesantren")
    LAINNYA = "lainnya", _("Lainnya")


class Vulnerability(models.TextChoices):
    """Kerawanan of a TPS; set by hand or an import today, by the risk module later."""

    UNKNOWN = "", _("Belum dinilai")
    AMAN = "aman", _("Aman")
    RAWAN = "rawan", _("Rawan")
    SANGAT_RAWAN = "sangat_rawan", _("Sangat rawan")
