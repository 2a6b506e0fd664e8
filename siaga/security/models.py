"""Personnel available for voting day, the pattern rules that say how many people a TPS needs,
and the deployment plans computed from them.

A plan is a snapshot: it stores the assignments and shortfalls the planner returned together
with the inputs that shaped them (withdrawn units, time limit), so that a what-if ("Polsek
Busang withdrawn") is a second plan ``based_on`` the first and the two can be compared later,
even after personnel or risk have changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core import clock
from siaga.security.choices import Category, PlanStatus, Reach, ShortfallReason, UnitKind


class PersonnelUnit(models.Model):
    """People available in one place: a Polres HQ, a Polsek, a Kodim, a Koramil, the Linmas of
    a desa. ``region`` is where the unit sits (regency for Polres/Kodim, kecamatan for
    Polsek/Koramil, desa for Linmas); its position defaults to the region's point.

    A unit is deactivated rather than deleted, because past plans point at it.
    """

    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="personnel_units",
        verbose_name=_("instansi"),
    )
    kind = models.CharField(_("jenis satuan"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("nama"), max_length=200)
    region = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="personnel_units",
        verbose_name=_("wilayah"),
    )
    lat = models.FloatField(_("lintang"), null=True, blank=True)
    lon = models.FloatField(_("bujur"), null=True, blank=True)
    count = models.PositiveIntegerField(_("jumlah personel"))
    reach = models.CharField(_("jangkauan"), max_length=20, choices=Reach.choices)
    reach_km = models.FloatField(_("jangkauan (km)"), null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), default=clock.now)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now)

    class Meta:
        ordering = ["region_id", "kind", "name"]
        verbose_name = _("satuan personel")
        verbose_name_plural = _("satuan personel")
        indexes = [models.Index(fields=["active", "region"])]

    def __str__(self) -> str:
        return self.name

    def position(self) -> tuple[float | None, float | None]:
        """Its own point, else its region's (loaded by the caller)."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        return self.region.lat, self.region.lon


class PatternRule(models.Model):
    """How many people a TPS of one category needs: a team of ``officers`` covers
    ``tps_per_team`` TPS, and every TPS also needs ``linmas_per_tps`` Linmas of its desa
    ("2 officers for 1 sangat rawan TPS with 2 Linmas")."""

    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices, unique=True)
    officers = models.PositiveSmallIntegerField(_("personel per tim"))
    tps_per_team = models.PositiveSmallIntegerField(_("TPS per tim"))
    linmas_per_tps = models.PositiveSmallIntegerField(_("Linmas per TPS"))
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now)

    class Meta:
        ordering = ["category"]
        verbose_name = _("pola pengamanan")
        verbose_name_plural = _("pola pengamanan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tps_per_team__gte=1), name="security_pattern_team_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.officers}/{self.tps_per_team}"

    @property
    def load(self) -> float:
        """Officers one TPS of this category needs, as a share of a team."""
        return self.officers / self.tps_per_team


class DeploymentPlan(models.Model):
    """One run of the planner over the TPS of ``region``, with its result and the inputs.

    ``parameters`` holds ``withdrawn`` (unit ids), ``time_limit_s``, ``solver`` and the pattern
    rules used; ``totals`` the figures shown first (TPS, covered, officers and Linmas used and
    needed, shortfalls). ``based_on`` is the plan a what-if was derived from.
    """

    name = models.CharField(_("nama"), max_length=200)
    region = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="deployment_plans",
        verbose_name=_("wilayah rencana"),
    )
    created_at = models.DateTimeField(_("dibuat"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices)
    objective = models.FloatField(_("nilai tujuan"), default=0)
    bound = models.FloatField(_("batas terbaik"), default=0)
    gap = models.FloatField(_("selisih relatif"), default=0)
    wall_s = models.FloatField(_("waktu hitung (detik)"), default=0)
    parameters = models.JSONField(_("parameter"), default=dict)
    totals = models.JSONField(_("ringkasan"), default=dict)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived",
        verbose_name=_("berdasarkan rencana"),
    )
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rencana pengamanan")
        verbose_name_plural = _("rencana pengamanan")

    def __str__(self) -> str:
        return self.name

    @property
    def withdrawn(self) -> list[int]:
        return list(self.parameters.get("withdrawn", []))


class DeploymentAssignment(models.Model):
    """People of one unit at one TPS: ``officers`` as a share of a team (0.25 = one TPS of a
    2-officer team walking 8 aman TPS), ``linmas`` as whole people."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        PersonnelUnit,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("satuan"),
    )
    tps = models.ForeignKey(
        "wilayah.Tps", on_delete=models.CASCADE, related_name="+", verbose_name=_("TPS")
    )
    officers = models.FloatField(_("personel"), default=0)
    linmas = models.PositiveIntegerField(_("Linmas"), default=0)
    # The TPS's category and risk when the plan was made: the index moves, the plan does not.
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    risk = models.FloatField(_("skor kerawanan"), default=0)

    class Meta:
        ordering = ["plan", "tps", "unit"]
        verbose_name = _("penempatan")
        verbose_name_plural = _("penempatan")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "tps"], name="uniq_security_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → TPS {self.tps_id}"


class DeploymentShortfall(models.Model):
    """A TPS the plan leaves short of its pattern, with why and which units could reach it
    (their names as they were when the plan was made)."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="shortfalls")
    tps = models.ForeignKey(
        "wilayah.Tps", on_delete=models.CASCADE, related_name="+", verbose_name=_("TPS")
    )
    officers_missing = models.FloatField(_("kekurangan personel"), default=0)
    linmas_missing = models.PositiveIntegerField(_("kekurangan Linmas"), default=0)
    reason = models.CharField(_("sebab"), max_length=40, choices=ShortfallReason.choices)
    units = models.JSONField(_("satuan yang menjangkau"), default=list)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    risk = models.FloatField(_("skor kerawanan"), default=0)

    class Meta:
        ordering = ["plan", "risk", "pk"]
        verbose_name = _("kekurangan pengamanan")
        verbose_name_plural = _("kekurangan pengamanan")
        constraints = [
            models.UniqueConstraint(fields=["plan", "tps"], name="uniq_security_shortfall")
        ]

    def __str__(self) -> str:
        return f"TPS {self.tps_id}: {self.reason}"
