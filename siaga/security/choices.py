"""Choices of the security app: kinds of personnel units, their reach, plan status, shortfall
reasons. The values are those of the planning engine (``siaga.engines.planning``) where they
meet it, so a service passes them through unchanged."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.wilayah.choices import Vulnerability


class UnitKind(models.TextChoices):
    """Who the people are: the engine only distinguishes officers from Linmas."""

    POLRES = "polres", _("Polres")
    POLSEK = "polsek", _("Polsek")
    KODIM = "kodim", _("Kodim")
    KORAMIL = "koramil", _("Koramil")
    BRIMOB = "brimob", _("Brimob / BKO")
    LINMAS = "linmas", _("Linmas desa")
    OTHER = "other", _("Lainnya")


# The region level each kind is expected at (the form and the API check it).
KIND_LEVEL = {
    UnitKind.POLRES: "regency",
    UnitKind.KODIM: "regency",
    UnitKind.POLSEK: "district",
    UnitKind.KORAMIL: "district",
    UnitKind.LINMAS: "village",
}


class Reach(models.TextChoices):
    """Which TPS a unit can serve (Linmas always only their own desa)."""

    DISTANCE = "distance", _("Dalam jarak (km)")
    KECAMATAN = "kecamatan", _("Kecamatan sendiri")
    DESA = "desa", _("Desa sendiri")
    ANY = "any", _("Seluruh wilayah rencana")


class Category(models.TextChoices):
    """The TPS categories a pattern rule is written for (the risk index's words)."""

    AMAN = Vulnerability.AMAN.value, _("Aman")
    RAWAN = Vulnerability.RAWAN.value, _("Rawan")
    SANGAT_RAWAN = Vulnerability.SANGAT_RAWAN.value, _("Sangat rawan")


CATEGORY_ORDER = (Category.SANGAT_RAWAN, Category.RAWAN, Category.AMAN)


class PlanStatus(models.TextChoices):
    """What the solver could prove about the plan."""

    OPTIMAL = "optimal", _("Optimal")
    FEASIBLE = "feasible", _("Layak (belum terbukti optimal)")
    INFEASIBLE = "infeasible", _("Tidak layak")
    UNKNOWN = "unknown", _("Tidak diketahui (batas waktu habis)")


class ShortfallReason(models.TextChoices):
    """Why a TPS was left short of its pattern."""

    NO_UNIT_IN_REACH = "no_unit_in_reach", _("Tidak ada satuan yang menjangkau TPS ini")
    UNITS_IN_REACH_EXHAUSTED = (
        "units_in_reach_exhausted",
        _("Satuan yang menjangkau sudah habis dikerahkan ke TPS yang lebih rawan"),
    )
