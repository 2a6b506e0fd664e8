"""API of deployment planning (/api/v1/security/...).

Personnel units (list, create, change), pattern rules (list, change), and deployment plans
(list, create - which runs the planner -, detail). Reading needs VIEW and keeps the user's
scope: a unit or plan outside it answers 404. Writing needs PLAN_DEPLOYMENT over the region:
a user who may read but not plan gets 403. Refusals of the domain answer 400 with ``detail``
and ``field``.
"""

import datetime as dt

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import user_scope
from siaga.security import selectors, services
from siaga.security.choices import Category, PlanStatus, Reach, ShortfallReason, UnitKind
from siaga.security.models import DeploymentPlan, PatternRule, PersonnelUnit
from siaga.wilayah.api import PagedRows, SiagaPagination

router = Router(tags=["security"])


# --- Schemas ------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, when one is.")


class UnitOut(Schema):
    id: int
    kind: UnitKind = Field(description="polres, polsek, kodim, koramil, brimob, linmas, other.")
    name: str
    region_code: str = Field(description="Where the unit sits (regency, kecamatan or desa).")
    region_name: str
    agency_code: str | None = Field(description="The TP3D agency it belongs to, if any.")
    lat: float | None = Field(description="Its own position; null means the region's point.")
    lon: float | None
    count: int = Field(description="People available.")
    reach: Reach = Field(description="distance (reach_km), kecamatan, desa or any.")
    reach_km: float | None
    active: bool = Field(description="False: left out of new plans.")


class UnitFilters(Schema):
    active: bool | None = Field(None, description="Only active (true) or inactive (false) units.")
    kind: UnitKind | None = Field(None, description="Only units of this kind.")


class PlanFilters(Schema):
    region: str | None = Field(None, description="Only plans of this region code.")


class UnitIn(Schema):
    kind: UnitKind
    name: str
    region_code: str = Field(
        description="Regency for Polres/Kodim, kecamatan for Polsek/Koramil, desa for Linmas."
    )
    count: int = Field(ge=0)
    reach: Reach
    reach_km: float | None = Field(None, description="Required for reach 'distance'.")
    lat: float | None = None
    lon: float | None = None
    agency_code: str | None = None
    active: bool = True


class UnitPatch(Schema):
    kind: UnitKind | None = None
    name: str | None = None
    region_code: str | None = None
    count: int | None = Field(None, ge=0)
    reach: Reach | None = None
    reach_km: float | None = None
    lat: float | None = None
    lon: float | None = None
    agency_code: str | None = None
    active: bool | None = None


class PatternOut(Schema):
    category: Category
    label: str
    officers: int = Field(description="Team size.")
    tps_per_team: int = Field(description="TPS one team covers.")
    linmas_per_tps: int = Field(description="Linmas of the desa each TPS needs.")
    load: float = Field(description="Officers one TPS needs (officers / tps_per_team).")
    note: str


class PatternPatch(Schema):
    officers: int | None = Field(None, ge=0)
    tps_per_team: int | None = Field(None, ge=1)
    linmas_per_tps: int | None = Field(None, ge=0)
    note: str | None = None


class PlanOut(Schema):
    id: int
    name: str
    region_code: str
    region_name: str
    created_at: dt.datetime
    created_by: str | None
    status: PlanStatus = Field(description="optimal, feasible, infeasible or unknown.")
    objective: float
    bound: float
    gap: float = Field(description="Relative gap between objective and the best bound.")
    wall_s: float = Field(description="Seconds the planner took.")
    based_on: int | None = Field(description="The plan this what-if varies.")
    withdrawn: list[int] = Field(description="Unit ids left out.")
    totals: dict = Field(
        description="tps, covered, short, officers_needed/used/available/missing/surplus, "
        "linmas_needed/used/available/missing, units, units_withdrawn, by_category."
    )
    url: str


class PlanIn(Schema):
    region_code: str = Field(description="Regency or kecamatan whose TPS are planned.")
    name: str = ""
    withdrawn: list[int] = Field(default_factory=list, description="Unit ids to leave out.")
    based_on: int | None = Field(None, description="The plan a what-if varies.")
    time_limit_s: float = Field(10, gt=0, le=services.MAX_TIME_LIMIT_S)
    note: str = ""


class KecamatanOut(Schema):
    code: str
    name: str
    tps: int
    covered: int
    short: int
    officers: float
    linmas: int


class UnitSummaryOut(Schema):
    unit_id: int
    name: str
    kecamatan_code: str
    tps: int
    officers: float
    linmas: int


class AssignmentOut(Schema):
    unit_id: int
    unit_name: str
    tps_id: int
    tps_label: str
    desa: str
    kecamatan_code: str
    category: str
    risk: float
    officers: float = Field(description="Share of a team (0.25 = one of 8 aman TPS of a pair).")
    linmas: int


class ShortfallOut(Schema):
    tps_id: int
    tps_label: str
    desa: str
    kecamatan_code: str
    kecamatan: str
    category: str
    risk: float
    officers_missing: float
    linmas_missing: int
    reason: ShortfallReason
    reason_label: str
    units: list[str] = Field(description="Units that could reach it (names at planning time).")


class PlanDetailOut(PlanOut):
    kecamatan: list[KecamatanOut]
    units: list[UnitSummaryOut] = Field(
        description="Per unit and kecamatan: TPS, officers, Linmas."
    )
    assignments: list[AssignmentOut] = Field(
        description="Every assignment of the kecamatan asked for with ?kecamatan=; empty otherwise."
    )
    shortfalls: list[ShortfallOut] = Field(description="Least risky first.")
    lost_coverage: list[int] = Field(description="TPS covered by based_on, short in this plan.")
    gained_coverage: list[int] = Field(description="TPS short in based_on, covered in this plan.")


# --- helpers ------------------------------------------------------------------------------------


def _error(status: int, exc: Exception | str, field: str | None = None):
    detail = str(exc)
    if field is None and ":" in detail.split(" ", 1)[0]:
        field = detail.split(":", 1)[0]
    return Status(status, {"detail": detail, "field": field})


def _unit_out(u: PersonnelUnit) -> dict:
    return {
        "id": u.pk,
        "kind": u.kind,
        "name": u.name,
        "region_code": u.region_id,
        "region_name": u.region.name,
        "agency_code": u.agency.code if u.agency_id else None,
        "lat": u.lat,
        "lon": u.lon,
        "count": u.count,
        "reach": u.reach,
        "reach_km": u.reach_km,
        "active": u.active,
    }


def _pattern_out(p: PatternRule) -> dict:
    return {
        "category": p.category,
        "label": str(p.get_category_display()),
        "officers": p.officers,
        "tps_per_team": p.tps_per_team,
        "linmas_per_tps": p.linmas_per_tps,
        "load": p.load,
        "note": p.note,
    }


def _plan_out(p: DeploymentPlan) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "region_code": p.region_id,
        "region_name": p.region.name,
        "created_at": p.created_at,
        "created_by": p.created_by.username if p.created_by_id else None,
        "status": p.status,
        "objective": p.objective,
        "bound": p.bound,
        "gap": p.gap,
        "wall_s": p.wall_s,
        "based_on": p.based_on_id,
        "withdrawn": p.withdrawn,
        "totals": p.totals,
        "url": reverse("security:plan", args=[p.pk]),
    }


def _plan_detail(plan: DeploymentPlan, kecamatan: str | None) -> dict:
    view = selectors.plan_view(plan)
    units, lines = [], []
    for k in view.kecamatan:
        for t in k.units:
            units.append(
                {
                    "unit_id": t.unit_id,
                    "name": t.name,
                    "kecamatan_code": k.code,
                    "tps": len(t.lines),
                    "officers": t.officers,
                    "linmas": t.linmas,
                }
            )
            if kecamatan and k.code == kecamatan:
                lines += [
                    {"unit_id": t.unit_id, "unit_name": t.name, **vars(line)} for line in t.lines
                ]
    return {
        **_plan_out(plan),
        "kecamatan": [
            {
                f: getattr(k, f)
                for f in ("code", "name", "tps", "covered", "short", "officers", "linmas")
            }
            for k in view.kecamatan
        ],  # fmt: skip
        "units": units,
        "assignments": lines,
        "shortfalls": [{**vars(s), "reason_label": s.reason_label} for s in view.shortfalls],
        "lost_coverage": [s.tps_id for s in view.lost],
        "gained_coverage": view.gained,
    }


def _context(request) -> AuditContext:
    return AuditContext.from_request(request, channel="api")


# --- units --------------------------------------------------------------------------------------


@router.get(
    "/units",
    response=list[UnitOut],
    summary="Personnel units in the user's scope",
    description="Active and inactive units (filter with `active`), ordered by region and name.",
)
@paginate(SiagaPagination)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]):
    qs = selectors.units_visible(user=request.auth).order_by("region_id", "kind", "name", "pk")
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return PagedRows(qs, _unit_out)


UNIT_WRITE = {200: UnitOut, 201: UnitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.post(
    "/units",
    response=UNIT_WRITE,
    summary="Record a personnel unit",
    description=(
        "201 with the unit; 400 when refused (e.g. Linmas outside a desa, reach 'distance' "
        "without reach_km); 403 without PLAN_DEPLOYMENT; 404 for a region outside the scope."
    ),
)
def unit_create(request: HttpRequest, payload: UnitIn):
    user = request.auth
    if not selectors.may_view(user) or not user_scope(user).covers(payload.region_code):
        raise Http404
    if not selectors.may_plan(user, payload.region_code):
        return _error(403, _("Anda tidak berwenang mencatat personel di wilayah ini."))
    try:
        unit = services.unit_create(
            context=_context(request),
            kind=payload.kind,
            name=payload.name,
            region_code=payload.region_code,
            count=payload.count,
            reach=payload.reach,
            reach_km=payload.reach_km,
            lat=payload.lat,
            lon=payload.lon,
            agency=payload.agency_code,
            active=payload.active,
        )
    except PermissionDenied as exc:
        return _error(403, exc)
    except DomainError as exc:
        return _error(400, exc)
    return Status(201, _unit_out(selectors.unit_get(user=user, pk=unit.pk)))


@router.patch(
    "/units/{pk}",
    response=UNIT_WRITE,
    summary="Change a personnel unit",
    description=(
        "Only the fields sent change (count, reach, active=false to withdraw it from new "
        "plans, ...). 404 for a unit outside the scope; 403 without PLAN_DEPLOYMENT."
    ),
)
def unit_update(request: HttpRequest, pk: int, payload: UnitPatch):
    user = request.auth
    try:
        unit = selectors.unit_get(user=user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    changes = payload.dict(exclude_unset=True)
    if "agency_code" in changes:
        changes["agency"] = changes.pop("agency_code")
    target = changes.get("region_code") or unit.region_id
    if not user_scope(user).covers(target):
        raise Http404
    if not selectors.may_plan(user, unit.region_id) or not selectors.may_plan(user, target):
        return _error(403, _("Anda tidak berwenang mengubah personel di wilayah ini."))
    try:
        services.unit_update(context=_context(request), unit=unit, **changes)
    except PermissionDenied as exc:
        return _error(403, exc)
    except DomainError as exc:
        return _error(400, exc)
    return Status(200, _unit_out(selectors.unit_get(user=user, pk=pk)))


# --- patterns -----------------------------------------------------------------------------------


@router.get(
    "/patterns",
    response=list[PatternOut],
    summary="Pattern rules per category",
    description="Officers per team, TPS per team and Linmas per TPS, most vulnerable first.",
)
def pattern_list(request: HttpRequest):
    if not selectors.may_view(request.auth):
        raise Http404
    return [_pattern_out(p) for p in selectors.patterns_all()]


@router.patch(
    "/patterns/{category}",
    response={200: PatternOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change the pattern of one category",
    description="Creates it when missing (then officers, tps_per_team and linmas_per_tps).",
)
def pattern_update(request: HttpRequest, category: Category, payload: PatternPatch):
    user = request.auth
    if not selectors.may_view(user):
        raise Http404
    if not selectors.may_plan(user):
        return _error(403, _("Anda tidak berwenang mengubah pola pengamanan."))
    try:
        rule = services.pattern_update(
            context=_context(request), category=category, **payload.dict(exclude_unset=True)
        )
    except PermissionDenied as exc:
        return _error(403, exc)
    except DomainError as exc:
        return _error(400, exc)
    return Status(200, _pattern_out(rule))


# --- plans --------------------------------------------------------------------------------------


@router.get(
    "/plans",
    response=list[PlanOut],
    summary="Deployment plans in the user's scope",
    description="Latest first; `region` narrows to plans of that region.",
)
@paginate(SiagaPagination)
def plan_list(request: HttpRequest, filters: Query[PlanFilters]):
    qs = selectors.plans_visible(user=request.auth)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    return PagedRows(qs, _plan_out)


@router.post(
    "/plans",
    response={201: PlanDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Make a deployment plan (or a what-if)",
    description=(
        "Runs the planner over the TPS of `region_code` with the active personnel and the "
        "pattern rules, and stores the result. `withdrawn` leaves units out and `based_on` "
        "names the plan it varies (what-if). 400 when refused (no TPS, a category without a "
        "pattern, an unknown unit); 403 without PLAN_DEPLOYMENT; 404 for a region or base "
        "plan outside the scope."
    ),
)
def plan_create(request: HttpRequest, payload: PlanIn):
    user = request.auth
    if not selectors.may_view(user) or not user_scope(user).covers(payload.region_code):
        raise Http404
    if payload.based_on is not None:
        try:
            selectors.plan_get(user=user, pk=payload.based_on)
        except selectors.NotFound as exc:
            raise Http404 from exc
    if not selectors.may_plan(user, payload.region_code):
        return _error(403, _("Anda tidak berwenang menyusun rencana pengamanan di wilayah ini."))
    try:
        plan = services.plan_create(
            context=_context(request),
            region_code=payload.region_code,
            withdrawn=payload.withdrawn,
            name=payload.name,
            based_on=payload.based_on,
            time_limit_s=payload.time_limit_s,
            note=payload.note,
        )
    except PermissionDenied as exc:
        return _error(403, exc)
    except DomainError as exc:
        return _error(400, exc)
    return Status(201, _plan_detail(selectors.plan_get(user=user, pk=plan.pk), None))


@router.get(
    "/plans/{pk}",
    response=PlanDetailOut,
    summary="One deployment plan",
    description=(
        "Totals, per kecamatan and per unit summaries, every shortfall with its reason, the "
        "comparison with `based_on`; the assignments of one kecamatan with `?kecamatan=CODE`."
    ),
)
def plan_detail(request: HttpRequest, pk: int, kecamatan: str | None = None):
    try:
        plan = selectors.plan_get(user=request.auth, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return _plan_detail(plan, kecamatan)
