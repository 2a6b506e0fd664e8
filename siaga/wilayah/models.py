"""The region hierarchy (province > kabupaten/kota > kecamatan > desa/kelurahan) and the TPS.

The Kemendagri code is the primary key: the code of a desa starts with the code of its
kecamatan, so "everything under 64.08.01" is a prefix match, which is what scopes and roll-ups
use.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.wilayah.choices import Level, SpecialLocation, Vulnerability


class Region(models.Model):
    """One Kemendagri region: province, regency/city, district (kecamatan) or village (desa)."""

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("induk"),
    )
    # A representative point: the polygon's when boundaries are imported, else one placed by
    # the demo or an import. Always inside the region when it comes from a boundary.
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    boundary = models.JSONField(_("batas wilayah (GeoJSON)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return self.name

    @property
    def is_kelurahan(self) -> bool:
        """In a village code a last segment starting with 1 marks a kelurahan, 2 a desa."""
        return self.level == Level.VILLAGE and self.code.rsplit(".", 1)[-1].startswith("1")

    def contains_code(self, code: str) -> bool:
        return code == self.code or code.startswith(self.code + ".")


class RegionAlias(models.Model):
    """Another spelling users write for a region (Kongbeng for Kombeng); matched by importers."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("nama lain"), max_length=120)

    class Meta:
        verbose_name = _("nama lain wilayah")
        verbose_name_plural = _("nama lain wilayah")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="uniq_region_alias"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.region_id}"


class Tps(models.Model):
    """A polling station, numbered within its desa (TPS 001, 002, ...)."""

    desa = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="tps_set",
        verbose_name=_("desa/kelurahan"),
        limit_choices_to={"level": Level.VILLAGE},
    )
    number = models.PositiveSmallIntegerField(_("nomor TPS"))
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    dpt_male = models.PositiveIntegerField(_("DPT laki-laki"), default=0)
    dpt_female = models.PositiveIntegerField(_("DPT perempuan"), default=0)
    special_location = models.CharField(
        _("lokasi khusus"), max_length=20, choices=SpecialLocation.choices, blank=True, default=""
    )
    vulnerability = models.CharField(
        _("kerawanan"), max_length=20, choices=Vulnerability.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["desa_id", "number"]
        verbose_name = _("TPS")
        verbose_name_plural = _("TPS")
        constraints = [
            models.UniqueConstraint(fields=["desa", "number"], name="uniq_tps_number_in_desa"),
        ]

    def __str__(self) -> str:
        return (
            f"TPS {self.number:03d} {self.desa.name}"
            if "desa" in self._state.fields_cache
            else (f"TPS {self.number:03d}")
        )

    @property
    def label(self) -> str:
        return f"TPS {self.number:03d}"

    @property
    def dpt_total(self) -> int:
        return self.dpt_male + self.dpt_female

    @property
    def region_code(self) -> str:
        return self.desa_id
