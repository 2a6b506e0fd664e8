"""Reads of the security app, always through the user's scope.

Reading needs ``Action.VIEW``; units and plans are scoped by their region (a plan for the
regency is seen by those whose scope covers the regency). Anything outside answers
``NotFound`` (a 404), as if it did not exist. The plan's per-kecamatan rows, per-unit tables and
the comparison with the plan it was based on are computed here once, for the page, the API and
both exports alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from siaga.core.permissions import Action, can, user_scope
from siaga.security.choices import Category, ShortfallReason, UnitKind
from siaga.security.models import (
    DeploymentAssignment,
    DeploymentPlan,
    DeploymentShortfall,
    PatternRule,
    PersonnelUnit,
)
from siaga.wilayah.models import Region


class NotFound(Exception):
    """The object does not exist, lies outside the user's scope, or the user may not read."""


def may_view(user) -> bool:
    return can(user, Action.VIEW)


def may_plan(user, region_code: str | None = None) -> bool:
    return can(user, Action.PLAN_DEPLOYMENT, region_code)


def units_visible(*, user) -> QuerySet[PersonnelUnit]:
    """Units whose region the user's scope covers (none without VIEW)."""
    if not may_view(user):
        return PersonnelUnit.objects.none()
    return (
        PersonnelUnit.objects.filter(user_scope(user).q("region__code"))
        .select_related("region", "agency")
        .defer("region__boundary")
    )


def unit_get(*, user, pk: int) -> PersonnelUnit:
    unit = units_visible(user=user).filter(pk=pk).first()
    if unit is None:
        raise NotFound
    return unit


def patterns_all() -> list[PatternRule]:
    """The pattern rules, the most vulnerable category first."""
    order = {Category.SANGAT_RAWAN: 0, Category.RAWAN: 1, Category.AMAN: 2}
    return sorted(PatternRule.objects.all(), key=lambda p: order.get(p.category, 9))


def plans_visible(*, user) -> QuerySet[DeploymentPlan]:
    if not may_view(user):
        return DeploymentPlan.objects.none()
    return (
        DeploymentPlan.objects.filter(user_scope(user).q("region__code"))
        .select_related("region", "created_by", "based_on")
        .defer("region__boundary")
    )


def plan_get(*, user, pk: int) -> DeploymentPlan:
    plan = plans_visible(user=user).filter(pk=pk).first()
    if plan is None:
        raise NotFound
    return plan


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    units: int
    people: int


def unit_kind_counts(units: QuerySet[PersonnelUnit]) -> list[KindRow]:
    """Active units and people by kind, in the order of ``UnitKind``."""
    counts = {
        r["kind"]: r
        for r in units.filter(active=True)
        .values("kind")
        .annotate(units=Count("pk"), people=Sum("count"))
        .order_by()
    }
    return [
        KindRow(k.value, str(k.label), counts[k]["units"], counts[k]["people"] or 0)
        for k in UnitKind
        if k in counts
    ]


# --- one plan, arranged -------------------------------------------------------------------------


@dataclass
class TpsLine:
    """One TPS of a unit's table: what the unit gives it."""

    tps_id: int
    tps_label: str
    desa: str
    kecamatan_code: str
    category: str
    risk: float
    officers: float
    linmas: int

    @property
    def category_label(self) -> str:
        return _category_label(self.category)


@dataclass
class UnitTable:
    """A unit with the TPS it serves in the plan."""

    unit_id: int
    name: str
    kind_label: str
    lines: list[TpsLine] = field(default_factory=list)

    @property
    def officers(self) -> float:
        return round(sum(line.officers for line in self.lines), 2)

    @property
    def linmas(self) -> int:
        return sum(line.linmas for line in self.lines)


@dataclass
class ShortLine:
    tps_id: int
    tps_label: str
    desa: str
    kecamatan_code: str
    kecamatan: str
    category: str
    risk: float
    officers_missing: float
    linmas_missing: int
    reason: str
    units: list[str]

    @property
    def category_label(self) -> str:
        return _category_label(self.category)

    @property
    def reason_label(self) -> str:
        try:
            return str(ShortfallReason(self.reason).label)
        except ValueError:
            return self.reason


@dataclass
class KecamatanRow:
    code: str
    name: str
    tps: int = 0
    covered: int = 0
    short: int = 0
    officers: float = 0.0
    linmas: int = 0
    units: list[UnitTable] = field(default_factory=list)
    shortfalls: list[ShortLine] = field(default_factory=list)


@dataclass
class PlanView:
    """A plan arranged per kecamatan (and per unit within it), for pages and exports."""

    plan: DeploymentPlan
    kecamatan: list[KecamatanRow]
    shortfalls: list[ShortLine]
    lost: list[ShortLine]  # TPS covered by the base plan, short in this one
    gained: list[int]  # TPS short in the base plan, covered in this one

    def only(self, code: str | None) -> PlanView:
        """The same view narrowed to one kecamatan (exports per kecamatan)."""
        if not code:
            return self
        rows = [k for k in self.kecamatan if k.code == code]
        return PlanView(
            plan=self.plan,
            kecamatan=rows,
            shortfalls=[s for s in self.shortfalls if s.kecamatan_code == code],
            lost=[s for s in self.lost if s.kecamatan_code == code],
            gained=self.gained,
        )


def _category_label(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


def _tps_label(number: int) -> str:
    return f"TPS {number:03d}"


def plan_view(plan: DeploymentPlan) -> PlanView:
    """Everything the plan page and exports show, in a fixed number of queries."""
    assignments = (
        DeploymentAssignment.objects.filter(plan=plan)
        .select_related("unit", "tps__desa")
        .only(
            "officers", "linmas", "category", "risk", "unit__id", "unit__name", "unit__kind",
            "tps__id", "tps__number", "tps__desa__code", "tps__desa__name",
        )
        .order_by("unit__name", "unit_id", "tps__desa_id", "tps__number")
    )  # fmt: skip
    shortfalls = (
        DeploymentShortfall.objects.filter(plan=plan)
        .select_related("tps__desa")
        .only(
            "officers_missing", "linmas_missing", "reason", "units", "category", "risk",
            "tps__id", "tps__number", "tps__desa__code", "tps__desa__name",
        )
        .order_by("risk", "tps__desa_id", "tps__number")
    )  # fmt: skip
    by_code: dict[str, KecamatanRow] = {}
    tps_seen: dict[str, set[int]] = defaultdict(set)
    short_tps: dict[str, set[int]] = defaultdict(set)
    unit_tables: dict[tuple[str, int], UnitTable] = {}
    kinds = dict(UnitKind.choices)

    def row(code: str) -> KecamatanRow:
        if code not in by_code:
            by_code[code] = KecamatanRow(code=code, name=code)
        return by_code[code]

    for a in assignments:
        code = a.tps.desa_id[:8]
        k = row(code)
        tps_seen[code].add(a.tps_id)
        k.officers += a.officers
        k.linmas += a.linmas
        key = (code, a.unit_id)
        table = unit_tables.get(key)
        if table is None:
            table = unit_tables[key] = UnitTable(
                a.unit_id, a.unit.name, str(kinds.get(a.unit.kind, a.unit.kind))
            )
            k.units.append(table)
        table.lines.append(
            TpsLine(
                tps_id=a.tps_id,
                tps_label=_tps_label(a.tps.number),
                desa=a.tps.desa.name,
                kecamatan_code=code,
                category=a.category,
                risk=a.risk,
                officers=a.officers,
                linmas=a.linmas,
            )
        )
    short_lines = []
    for s in shortfalls:
        code = s.tps.desa_id[:8]
        k = row(code)
        tps_seen[code].add(s.tps_id)
        short_tps[code].add(s.tps_id)
        line = ShortLine(
            tps_id=s.tps_id,
            tps_label=_tps_label(s.tps.number),
            desa=s.tps.desa.name,
            kecamatan_code=code,
            kecamatan="",
            category=s.category,
            risk=s.risk,
            officers_missing=s.officers_missing,
            linmas_missing=s.linmas_missing,
            reason=s.reason,
            units=list(s.units or []),
        )
        k.shortfalls.append(line)
        short_lines.append(line)
    names = dict(Region.objects.filter(code__in=sorted(by_code)).values_list("code", "name"))
    for code, k in by_code.items():
        k.name = names.get(code, code)
        k.tps = len(tps_seen[code])
        k.short = len(short_tps[code])
        k.covered = k.tps - k.short
        k.officers = round(k.officers, 2)
    for line in short_lines:
        line.kecamatan = by_code[line.kecamatan_code].name
    lost: list[ShortLine] = []
    gained: list[int] = []
    if plan.based_on_id:
        base_short = set(
            DeploymentShortfall.objects.filter(plan_id=plan.based_on_id).values_list(
                "tps_id", flat=True
            )
        )
        base_planned = base_short | set(
            DeploymentAssignment.objects.filter(plan_id=plan.based_on_id).values_list(
                "tps_id", flat=True
            )
        )
        mine = {line.tps_id for line in short_lines}
        lost = [s for s in short_lines if s.tps_id in base_planned and s.tps_id not in base_short]
        planned = set().union(*tps_seen.values()) if tps_seen else set()
        gained = sorted((base_short & planned) - mine)
    return PlanView(
        plan=plan,
        kecamatan=sorted(by_code.values(), key=lambda k: k.code),
        shortfalls=short_lines,
        lost=lost,
        gained=gained,
    )
