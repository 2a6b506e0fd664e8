"""Writes of the security app: personnel units, pattern rules, and deployment plans.

``plan_create`` adapts the planning engine (``siaga.engines.planning``) to the database: it
reads the TPS under a region with their category and risk, the active personnel that can serve
them and the pattern rules, runs the engine outside any transaction (the solver may take
seconds), then stores the plan, its assignments and shortfalls and one audit event in one
transaction. A what-if is the same call with units withdrawn and ``based_on`` the plan it
varies. Every refusal is a ``DomainError`` with an Indonesian message naming the input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.accounts.models import Agency
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record, snapshot
from siaga.core.errors import DomainError
from siaga.core.permissions import Action, require_actor
from siaga.engines import planning
from siaga.security.choices import (
    CATEGORY_ORDER,
    Category,
    PlanStatus,
    Reach,
    UnitKind,
)
from siaga.security.models import (
    DeploymentAssignment,
    DeploymentPlan,
    DeploymentShortfall,
    PatternRule,
    PersonnelUnit,
)
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

__all__ = [
    "DEFAULT_PATTERNS",
    "SOLVERS",
    "pattern_update",
    "patterns_seed_defaults",
    "plan_create",
    "unit_create",
    "unit_deactivate",
    "unit_update",
]

SOLVERS = planning.SOLVERS
MAX_TIME_LIMIT_S = 120.0
UNIT_FIELDS = ["agency_id", "kind", "name", "region_id", "lat", "lon", "count", "reach",
               "reach_km", "active"]  # fmt: skip
PATTERN_FIELDS = ["category", "officers", "tps_per_team", "linmas_per_tps", "note"]


@dataclass(frozen=True)
class DefaultPattern:
    category: str
    officers: int
    tps_per_team: int
    linmas_per_tps: int
    note: str


# The examples of issue 7 ("2 officers for 1 very vulnerable TPS with 2 Linmas", "2 for 2
# vulnerable", "2 for 4-8 less vulnerable"); for aman the loosest end of 4-8 is the default.
DEFAULT_PATTERNS: tuple[DefaultPattern, ...] = (
    DefaultPattern(
        Category.SANGAT_RAWAN, 2, 1, 2, "2 personel untuk 1 TPS sangat rawan, 2 Linmas per TPS."
    ),
    DefaultPattern(Category.RAWAN, 2, 2, 2, "2 personel untuk 2 TPS rawan, 2 Linmas per TPS."),
    DefaultPattern(
        Category.AMAN, 2, 8, 2,
        "Pola Polri: 2 personel untuk 4–8 TPS kurang rawan; bawaan 8 (batas longgar), "
        "ubah ke 4 bila personel mencukupi. 2 Linmas per TPS.",
    ),
)  # fmt: skip


# --- helpers ------------------------------------------------------------------------------------


def _require_plan(context: AuditContext, region_code: str) -> None:
    """A person must hold PLAN_DEPLOYMENT over the region; the system (no actor) may always."""
    denied = _("Anda tidak berwenang menyusun rencana pengamanan di wilayah ini.")
    require_actor(context.user, Action.PLAN_DEPLOYMENT, region_code, denied=denied, outside=denied)


def _region(code: str, field: str = "region") -> Region:
    region = Region.objects.defer("boundary").filter(code=str(code or "")).first()
    if region is None:
        raise DomainError(
            _("%(field)s: wilayah %(code)s tidak dikenal.") % {"field": field, "code": code}
        )
    return region


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _unit_check(unit: PersonnelUnit) -> None:
    """What the planner needs of a unit, said in the user's words before it is saved."""
    if unit.kind not in UnitKind.values:
        raise DomainError(_("kind: jenis satuan %(kind)s tidak dikenal.") % {"kind": unit.kind})
    if unit.reach not in Reach.values:
        raise DomainError(_("reach: jangkauan %(reach)s tidak dikenal.") % {"reach": unit.reach})
    if not (unit.name or "").strip():
        raise DomainError(_("name: nama satuan wajib diisi."))
    if not isinstance(unit.count, int) or isinstance(unit.count, bool) or unit.count < 0:
        raise DomainError(_("count: jumlah personel harus bilangan bulat 0 atau lebih."))
    if (unit.lat is None) != (unit.lon is None):
        raise DomainError(_("lat: isi lintang dan bujur bersama, atau kosongkan keduanya."))
    if unit.lat is not None:
        if not _finite(unit.lat) or not -90 <= unit.lat <= 90:
            raise DomainError(_("lat: lintang harus antara -90 dan 90."))
        if not _finite(unit.lon) or not -180 <= unit.lon <= 180:
            raise DomainError(_("lon: bujur harus antara -180 dan 180."))
    level = unit.region.level
    if unit.kind == UnitKind.LINMAS and level != Level.VILLAGE:
        raise DomainError(_("region: Linmas adalah satuan desa; pilih desa/kelurahan."))
    if unit.reach == Reach.KECAMATAN and level not in (Level.DISTRICT, Level.VILLAGE):
        raise DomainError(
            _("reach: jangkauan kecamatan perlu wilayah satuan berupa kecamatan atau desa.")
        )
    if unit.reach == Reach.DESA and level != Level.VILLAGE:
        raise DomainError(_("reach: jangkauan desa perlu wilayah satuan berupa desa."))
    if unit.reach == Reach.DISTANCE:
        if unit.reach_km is None or not _finite(unit.reach_km) or unit.reach_km <= 0:
            raise DomainError(_("reach_km: jangkauan dalam km wajib diisi dan lebih dari 0."))
        lat, _lon = unit.position()
        if lat is None:
            raise DomainError(
                _("lat: jangkauan jarak perlu titik lokasi satuan (wilayahnya belum punya titik).")
            )
    elif unit.reach_km is not None and (not _finite(unit.reach_km) or unit.reach_km < 0):
        raise DomainError(_("reach_km: jangkauan dalam km tidak boleh negatif."))


def _agency(agency) -> Agency | None:
    if agency is None or agency == "":
        return None
    if isinstance(agency, Agency):
        return agency
    if isinstance(agency, int) and not isinstance(agency, bool):
        found = Agency.objects.filter(pk=agency).first()
    else:
        found = Agency.objects.filter(code=str(agency)).first()
    if found is None:
        raise DomainError(_("agency: instansi %(agency)s tidak dikenal.") % {"agency": agency})
    return found


# --- personnel units ----------------------------------------------------------------------------


def unit_create(
    *,
    context: AuditContext,
    kind: str,
    name: str,
    region_code: str,
    count: int,
    reach: str,
    reach_km: float | None = None,
    lat: float | None = None,
    lon: float | None = None,
    agency: Agency | str | int | None = None,
    active: bool = True,
) -> PersonnelUnit:
    """Record a unit of personnel; its position defaults to its region's point."""
    region = _region(region_code)
    _require_plan(context, region.code)
    unit = PersonnelUnit(
        agency=_agency(agency),
        kind=kind,
        name=(name or "").strip(),
        region=region,
        lat=lat,
        lon=lon,
        count=count,
        reach=reach,
        reach_km=reach_km,
        active=active,
    )
    _unit_check(unit)
    with transaction.atomic():
        unit.save()
        audit_record(
            context=context,
            action="security.unit_create",
            obj=unit,
            region_code=region.code,
            after=snapshot(unit, UNIT_FIELDS),
        )
    return unit


UPDATABLE = {"kind", "name", "region_code", "count", "reach", "reach_km", "lat", "lon", "agency",
             "active"}  # fmt: skip


def unit_update(*, context: AuditContext, unit: PersonnelUnit, **changes) -> PersonnelUnit:
    """Change a unit (count, reach, position, ...); ``region_code`` moves it. Only the fields
    given change; the audit event holds the state before and after."""
    unknown = sorted(set(changes) - UPDATABLE)
    if unknown:
        raise DomainError(_("%(field)s: kolom ini tidak dapat diubah.") % {"field": unknown[0]})
    _require_plan(context, unit.region_id)
    with transaction.atomic():
        unit = PersonnelUnit.objects.select_for_update().select_related("region").get(pk=unit.pk)
        before = snapshot(unit, UNIT_FIELDS)
        for key, value in changes.items():
            if key == "region_code":
                unit.region = _region(value)
                _require_plan(context, unit.region.code)
            elif key == "agency":
                unit.agency = _agency(value)
            elif key == "name":
                unit.name = (value or "").strip()
            else:
                setattr(unit, key, value)
        _unit_check(unit)
        after = snapshot(unit, UNIT_FIELDS)
        if after == before:
            return unit
        unit.updated_at = clock.now()
        unit.save()
        audit_record(
            context=context,
            action="security.unit_update",
            obj=unit,
            region_code=unit.region_id,
            before=before,
            after=after,
        )
    return unit


def unit_deactivate(*, context: AuditContext, unit: PersonnelUnit) -> PersonnelUnit:
    """Take a unit out of future plans (past plans keep pointing at it); idempotent."""
    if not unit.active:
        return unit
    return unit_update(context=context, unit=unit, active=False)


# --- pattern rules ------------------------------------------------------------------------------


def _pattern_check(rule: PatternRule) -> None:
    for field in ("officers", "tps_per_team", "linmas_per_tps"):
        value = getattr(rule, field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DomainError(_("%(field)s: harus bilangan bulat 0 atau lebih.") % {"field": field})
    if rule.tps_per_team < 1:
        raise DomainError(_("tps_per_team: satu tim menjaga sedikitnya 1 TPS."))


def patterns_seed_defaults(*, context: AuditContext) -> int:
    """Create the default pattern of every category that has none (issue 7's examples); rules
    already there, changed or not, are left alone. Returns how many were created."""
    created = 0
    with transaction.atomic():
        existing = set(PatternRule.objects.values_list("category", flat=True))
        for default in DEFAULT_PATTERNS:
            if default.category in existing:
                continue
            rule = PatternRule.objects.create(
                category=default.category,
                officers=default.officers,
                tps_per_team=default.tps_per_team,
                linmas_per_tps=default.linmas_per_tps,
                note=default.note,
            )
            audit_record(
                context=context,
                action="security.pattern_create",
                obj=rule,
                after=snapshot(rule, PATTERN_FIELDS),
            )
            created += 1
    return created


def pattern_update(
    *,
    context: AuditContext,
    category: str,
    officers: int | None = None,
    tps_per_team: int | None = None,
    linmas_per_tps: int | None = None,
    note: str | None = None,
) -> PatternRule:
    """Set the pattern of one category (created when missing; then all numbers are needed)."""
    if category not in Category.values:
        raise DomainError(_("category: kategori %(c)s tidak dikenal.") % {"c": category})
    require_actor(
        context.user,
        Action.PLAN_DEPLOYMENT,
        denied=_("Anda tidak berwenang mengubah pola pengamanan."),
    )
    with transaction.atomic():
        rule = PatternRule.objects.select_for_update().filter(category=category).first()
        before = snapshot(rule, PATTERN_FIELDS) if rule else None
        if rule is None:
            if None in (officers, tps_per_team, linmas_per_tps):
                raise DomainError(
                    _("officers: pola baru perlu personel, TPS per tim dan Linmas per TPS.")
                )
            rule = PatternRule(category=category)
        for field, value in (
            ("officers", officers),
            ("tps_per_team", tps_per_team),
            ("linmas_per_tps", linmas_per_tps),
            ("note", note),
        ):
            if value is not None:
                setattr(rule, field, value)
        _pattern_check(rule)
        after = snapshot(rule, PATTERN_FIELDS)
        if after == before:
            return rule
        rule.updated_at = clock.now()
        rule.save()
        audit_record(
            context=context,
            action="security.pattern_update",
            obj=rule,
            before=before,
            after=after,
        )
    return rule


# --- plans --------------------------------------------------------------------------------------


def _under(code: str, field: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


@dataclass(frozen=True)
class PlanInputs:
    """What the engine is given, with the database rows it came from."""

    stations: list[planning.Station]
    units: list[planning.Unit]
    patterns: list[planning.Pattern]
    unit_rows: dict[int, PersonnelUnit]
    categories: dict[int, str]
    risks: dict[int, float]


def tps_category(risk_category: str | None, vulnerability: str) -> str:
    """The category used for planning: the risk index's when computed, else the TPS's own;
    "belum dinilai" counts as aman (the pages say so)."""
    return risk_category or vulnerability or Category.AMAN


def plan_inputs(region: Region) -> PlanInputs:
    """The TPS under ``region`` with category and risk, the active units located in it or
    above it (a kecamatan plan may use the Polres), and the pattern rules."""
    rows = (
        Tps.objects.filter(_under(region.code, "desa__code"))
        .order_by("desa_id", "number")
        .values(
            "pk", "desa_id", "lat", "lon", "vulnerability", "desa__lat", "desa__lon",
            "risk__score", "risk__category",
        )
    )  # fmt: skip
    stations, categories, risks = [], {}, {}
    for r in rows:
        category = tps_category(r["risk__category"], r["vulnerability"])
        risk = min(100.0, max(0.0, float(r["risk__score"] or 0)))
        lat, lon = r["lat"], r["lon"]
        if lat is None or lon is None:
            lat, lon = r["desa__lat"], r["desa__lon"]
        if lat is None or lon is None:
            lat = lon = None
        stations.append(
            planning.Station(
                id=str(r["pk"]),
                category=category,
                risk=risk,
                desa=r["desa_id"],
                kecamatan=r["desa_id"][:8],
                lat=lat,
                lon=lon,
            )
        )
        categories[r["pk"]] = category
        risks[r["pk"]] = risk
    unit_rows = {
        u.pk: u
        for u in PersonnelUnit.objects.filter(active=True)
        .filter(_under(region.code, "region__code") | Q(region__code__in=_ancestors(region.code)))
        .select_related("region")
        .defer("region__boundary")
        .order_by("pk")
    }
    units = []
    for u in unit_rows.values():
        lat, lon = u.position()
        code = u.region_id
        units.append(
            planning.Unit(
                id=str(u.pk),
                agency=u.kind,
                kind=planning.LINMAS if u.kind == UnitKind.LINMAS else planning.OFFICER,
                count=int(u.count),
                reach=u.reach,
                desa=code if len(code) == 13 else None,
                kecamatan=code[:8] if len(code) >= 8 else None,
                lat=lat if lon is not None else None,
                lon=lon if lat is not None else None,
                reach_km=u.reach_km,
            )
        )
    patterns = [
        planning.Pattern(p.category, p.officers, p.tps_per_team, p.linmas_per_tps)
        for p in PatternRule.objects.all()
    ]
    return PlanInputs(stations, units, patterns, unit_rows, categories, risks)


def _withdrawn_ids(withdrawn: Iterable, unit_rows: dict[int, PersonnelUnit]) -> list[int]:
    ids = []
    for value in withdrawn:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = None
        if pk is None or pk not in unit_rows:
            raise DomainError(
                _("withdrawn: satuan %(id)s tidak dikenal, tidak aktif, atau di luar wilayah "
                  "rencana.") % {"id": value}
            )  # fmt: skip
        ids.append(pk)
    return sorted(set(ids))


def _totals(inputs: PlanInputs, result: planning.Plan, withdrawn: list[int]) -> dict:
    pattern = {p.category: p for p in inputs.patterns}
    short = {int(s.station_id) for s in result.shortfalls}
    by_category: dict[str, dict[str, int]] = {
        c.value: {"tps": 0, "covered": 0} for c in CATEGORY_ORDER
    }
    officers_needed = 0.0
    linmas_needed = 0
    for s in inputs.stations:
        p = pattern[s.category]
        officers_needed += p.officers / p.tps_per_team
        linmas_needed += p.linmas_per_tps
        row = by_category.setdefault(s.category, {"tps": 0, "covered": 0})
        row["tps"] += 1
        row["covered"] += int(int(s.id) not in short)
    gone = set(withdrawn)
    available = [u for pk, u in inputs.unit_rows.items() if pk not in gone]
    return {
        "tps": len(inputs.stations),
        "covered": len(inputs.stations) - len(short),
        "short": len(short),
        "officers_needed": round(officers_needed, 2),
        "officers_used": round(sum(a.officers for a in result.assignments), 2),
        "officers_available": sum(u.count for u in available if u.kind != UnitKind.LINMAS),
        "officers_missing": round(sum(s.officers_missing for s in result.shortfalls), 2),
        "officers_surplus": round(sum(result.surplus.values()), 2),
        "linmas_needed": linmas_needed,
        "linmas_used": sum(a.linmas for a in result.assignments),
        "linmas_available": sum(u.count for u in available if u.kind == UnitKind.LINMAS),
        "linmas_missing": sum(s.linmas_missing for s in result.shortfalls),
        "units": len(available),
        "units_withdrawn": len(gone),
        "by_category": by_category,
    }


def _default_name(region: Region, based_on: DeploymentPlan | None, withdrawn: list) -> str:
    when = timezone.localtime(clock.now()).strftime("%d-%m-%Y %H:%M")
    if based_on is not None and withdrawn:
        return _("Simulasi: %(n)s satuan ditarik dari “%(base)s”") % {
            "n": len(withdrawn),
            "base": based_on.name,
        }
    return _("Rencana pengamanan %(region)s, %(when)s") % {"region": region.name, "when": when}


def plan_create(
    *,
    context: AuditContext,
    region_code: str,
    withdrawn: Iterable = (),
    name: str = "",
    based_on: DeploymentPlan | int | None = None,
    time_limit_s: float = 10,
    solver: str = planning.MIN_COST_FLOW,
    workers: int = 2,
    note: str = "",
) -> DeploymentPlan:
    """Plan the personnel over the TPS of ``region_code`` and store the result.

    ``withdrawn`` are unit ids left out (what-if), ``based_on`` the plan this varies (for the
    comparison). The engine's ``solver`` (the exact "min_cost_flow" by default, or "cp_sat") and
    ``time_limit_s`` pass through. Raises ``DomainError`` on bad input (no TPS, a category
    without a pattern, an unknown unit, ...) and ``PermissionDenied`` without PLAN_DEPLOYMENT.
    """
    region = _region(region_code)
    _require_plan(context, region.code)
    if region.level == Level.VILLAGE:
        raise DomainError(_("region: rencana disusun untuk kabupaten/kota atau kecamatan."))
    if not _finite(time_limit_s) or not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise DomainError(
            _("time_limit_s: batas waktu harus lebih dari 0 dan paling lama %(max)s detik.")
            % {"max": int(MAX_TIME_LIMIT_S)}
        )
    if solver not in SOLVERS:
        raise DomainError(_("solver: pilih salah satu dari %(s)s.") % {"s": ", ".join(SOLVERS)})
    base = None
    if based_on is not None:
        base_pk = based_on.pk if isinstance(based_on, DeploymentPlan) else based_on
        base = DeploymentPlan.objects.filter(pk=base_pk).first()
        if base is None:
            raise DomainError(_("based_on: rencana %(id)s tidak dikenal.") % {"id": based_on})
    inputs = plan_inputs(region)
    if not inputs.stations:
        raise DomainError(
            _("Tidak ada TPS di wilayah %(region)s; tidak ada yang perlu direncanakan.")
            % {"region": region.name}
        )
    present = {p.category for p in inputs.patterns}
    for category in CATEGORY_ORDER:
        if category in set(inputs.categories.values()) and category not in present:
            raise DomainError(
                _("Belum ada pola pengamanan untuk kategori %(category)s; isi polanya dulu.")
                % {"category": category.label}
            )
    gone = _withdrawn_ids(withdrawn, inputs.unit_rows)
    try:
        result = planning.plan(
            inputs.stations,
            inputs.units,
            inputs.patterns,
            withdrawn=[str(pk) for pk in gone],
            time_limit_s=float(time_limit_s),
            solver=solver,
            workers=workers,
        )
    except ValueError as exc:
        raise DomainError(_("Data pengamanan belum lengkap: %(error)s") % {"error": exc}) from exc
    return _plan_store(
        context=context,
        region=region,
        inputs=inputs,
        result=result,
        withdrawn=gone,
        name=(name or "").strip() or _default_name(region, base, gone),
        base=base,
        time_limit_s=float(time_limit_s),
        solver=solver,
        note=note,
    )


def _plan_store(
    *,
    context: AuditContext,
    region: Region,
    inputs: PlanInputs,
    result: planning.Plan,
    withdrawn: list[int],
    name: str,
    base: DeploymentPlan | None,
    time_limit_s: float,
    solver: str,
    note: str,
) -> DeploymentPlan:
    names = {pk: u.name for pk, u in inputs.unit_rows.items()}
    totals = _totals(inputs, result, withdrawn)
    status = result.status if result.status in PlanStatus.values else PlanStatus.UNKNOWN
    parameters = {
        "withdrawn": withdrawn,
        "withdrawn_names": [names[pk] for pk in withdrawn],
        "time_limit_s": time_limit_s,
        "solver": solver,
        "patterns": [
            {
                "category": p.category,
                "officers": p.officers,
                "tps_per_team": p.tps_per_team,
                "linmas_per_tps": p.linmas_per_tps,
            }
            for p in inputs.patterns
        ],  # fmt: skip
    }
    actor = context.user
    with transaction.atomic():
        plan = DeploymentPlan.objects.create(
            name=name[:200],
            region=region,
            created_by=actor,
            status=status,
            objective=float(result.objective),
            bound=float(result.bound),
            gap=float(result.gap) if math.isfinite(result.gap) else 0.0,
            wall_s=round(result.wall_s, 3),
            parameters=parameters,
            totals=totals,
            based_on=base,
            note=note,
        )
        DeploymentAssignment.objects.bulk_create(
            [
                DeploymentAssignment(
                    plan=plan,
                    unit_id=int(a.unit_id),
                    tps_id=int(a.station_id),
                    officers=round(a.officers, 4),
                    linmas=a.linmas,
                    category=inputs.categories[int(a.station_id)],
                    risk=inputs.risks[int(a.station_id)],
                )
                for a in result.assignments
                if a.officers > 0 or a.linmas > 0
            ],
            batch_size=1000,
        )
        DeploymentShortfall.objects.bulk_create(
            [
                DeploymentShortfall(
                    plan=plan,
                    tps_id=int(s.station_id),
                    officers_missing=round(s.officers_missing, 4),
                    linmas_missing=s.linmas_missing,
                    reason=s.reason,
                    units=[names[int(u)] for u in s.units_in_reach],
                    category=inputs.categories[int(s.station_id)],
                    risk=inputs.risks[int(s.station_id)],
                )
                for s in result.shortfalls
            ],
            batch_size=1000,
        )
        audit_record(
            context=context,
            action="security.plan_create",
            obj=plan,
            region_code=region.code,
            after={
                "name": plan.name,
                "status": plan.status,
                "based_on": base.pk if base else None,
                "withdrawn": withdrawn,
                "totals": {k: v for k, v in totals.items() if k != "by_category"},
            },
        )
    return plan
