"""API of the watch after the vote (/api/v1/postelection/...).

The calendar (watch points, gatherings, re-votes in the coming days), gatherings (list, record,
update), re-votes (list, record) and the readiness checklists (per agency, and the tick).
Reading needs ``Action.VIEW`` (others get 404, as for anything outside the scope); writing needs
``Action.EDIT_WATCH`` (403 for readers), except the tick: a liaison ticks its own agency's items.
Refused input answers 400 with ``detail`` and the ``field`` at fault.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.permissions import Action, can, require_or_404
from siaga.postelection import selectors, services
from siaga.postelection.choices import EntrySource, GatheringStatus, Permit, RevoteStatus
from siaga.postelection.models import Gathering, ReadinessItem, Revote

router = Router(tags=["postelection"])

CALENDAR_MAX_DAYS = 366


# --- Schemas ------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. planned_at.")


class CalendarEntryOut(Schema):
    source: EntrySource = Field(description="watch (a watch point), gathering or revote.")
    id: int = Field(description="Id of the watch point, gathering or re-vote.")
    kind: str = Field(description="rekap_ppk, rekap_kpu, penetapan, sengketa_mk, lainnya, "
                                  "gathering or revote.")  # fmt: skip
    kind_label: str
    title: str
    starts_at: dt.datetime = Field(description="When it starts (a gathering: its planned time).")
    ends_at: dt.datetime | None = Field(description="When it ends; none for a gathering.")
    place: str
    region_code: str
    region_name: str
    status: str = Field(description="Of a gathering or re-vote; empty for a watch point.")
    ongoing: bool = Field(description="Under way at the deployment's clock.")
    expected_size: int | None = Field(description="Of a gathering: people expected.")


class CalendarOut(Schema):
    now: dt.datetime = Field(description="The deployment's clock.")
    voting_day: dt.date | None
    post_vote: bool = Field(description="True from the first moment after voting day (local).")
    days: int
    entries: list[CalendarEntryOut] = Field(description="Ongoing and upcoming, by start time.")


class GatheringOut(Schema):
    id: int
    title: str
    place: str
    region_code: str
    region_name: str
    lat: float | None
    lon: float | None
    planned_at: dt.datetime
    expected_size: int
    organiser: str
    permit: Permit
    status: GatheringStatus
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class GatheringIn(Schema):
    title: str = Field(description="E.g. Aksi damai pendukung paslon di kantor KPU.")
    place: str = Field(description="Where it gathers.")
    region: str = Field(description="Region code (kecamatan or desa) in the user's scope.")
    planned_at: dt.datetime = Field(
        description="ISO 8601 with offset, e.g. 2024-12-04T09:00+08:00."
    )
    expected_size: int = Field(0, description="People expected.")
    organiser: str = ""
    permit: Permit = Field(Permit.TIDAK_ADA, description="ada, diajukan or tidak_ada.")
    status: GatheringStatus = GatheringStatus.RENCANA
    lat: float | None = None
    lon: float | None = None
    note: str = ""


class GatheringPatch(Schema):
    title: str | None = None
    place: str | None = None
    region: str | None = None
    planned_at: dt.datetime | None = None
    expected_size: int | None = None
    organiser: str | None = None
    permit: Permit | None = None
    status: GatheringStatus | None = None
    lat: float | None = None
    lon: float | None = None
    note: str | None = None


class RevoteOut(Schema):
    id: int
    tps_id: int
    tps_label: str
    desa_code: str
    desa_name: str
    kecamatan_name: str
    ordered_on: dt.date
    vote_on: dt.date
    reason: str
    ordered_by: str
    status: RevoteStatus
    note: str


class RevoteIn(Schema):
    tps: int = Field(description="TPS id in the user's scope.")
    ordered_on: dt.date
    vote_on: dt.date = Field(description="After voting day, not before ordered_on.")
    reason: str
    ordered_by: str = Field("", description='E.g. "Bawaslu / KPU".')
    status: RevoteStatus = RevoteStatus.DIPERINTAHKAN
    note: str = ""


class ReadinessItemOut(Schema):
    id: int
    text: str
    order: int
    done: bool
    done_at: dt.datetime | None
    done_by: str | None
    note: str
    may_tick: bool = Field(description="Whether the caller may tick or untick it.")


class AgencyReadinessOut(Schema):
    agency_id: int
    agency_code: str
    agency_name: str
    agency_kind: str
    done: int
    total: int
    percent: int
    items: list[ReadinessItemOut]


class TickIn(Schema):
    done: bool = Field(True, description="true ticks the item, false unticks it.")
    note: str | None = Field(None, description="Replaces the item's note when given.")


# --- helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest):
    return request.auth


def _get(request, getter, pk: int):
    """The row ``getter`` finds in the user's scope; 404 for one outside it, as for unknown."""
    require_or_404(_user(request), Action.VIEW)
    try:
        return getter(user=_user(request), pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


def _write(request, service, /, **kwargs):
    """Call one service as the request's user: (its result, None), or (None, the answer to
    give) when it refuses: 403 for a permission, 400 naming the field for the input."""
    try:
        return service(context=AuditContext.from_request(request, channel="api"), **kwargs), None
    except PermissionDenied as exc:
        return None, _error(403, exc)
    except services.WatchError as exc:
        return None, _error(400, exc)


def _error(status: int, exc: Exception):
    return Status(status, {"detail": str(exc), "field": getattr(exc, "field", None)})


def _forbidden():
    return Status(
        403,
        {
            "detail": _("Anda tidak berwenang mengubah data pengamanan pasca-pemungutan."),
            "field": None,
        },
    )


def _entry_dict(e: selectors.CalendarEntry) -> dict:
    return {
        "source": e.source,
        "id": e.pk,
        "kind": e.kind,
        "kind_label": e.kind_label,
        "title": e.title,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "place": e.place,
        "region_code": e.region_code,
        "region_name": e.region_name,
        "status": e.status,
        "ongoing": e.ongoing,
        "expected_size": e.expected_size,
    }


def _gathering_dict(g: Gathering) -> dict:
    return {
        "id": g.pk,
        "title": g.title,
        "place": g.place,
        "region_code": g.region_id,
        "region_name": g.region.name,
        "lat": g.lat,
        "lon": g.lon,
        "planned_at": g.planned_at,
        "expected_size": g.expected_size,
        "organiser": g.organiser,
        "permit": g.permit,
        "status": g.status,
        "note": g.note,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
    }


def _revote_dict(r: Revote) -> dict:
    desa = r.tps.desa
    return {
        "id": r.pk,
        "tps_id": r.tps_id,
        "tps_label": r.tps.label,
        "desa_code": desa.code,
        "desa_name": desa.name,
        "kecamatan_name": desa.parent.name if desa.parent_id else "",
        "ordered_on": r.ordered_on,
        "vote_on": r.vote_on,
        "reason": r.reason,
        "ordered_by": r.ordered_by,
        "status": r.status,
        "note": r.note,
    }


def _item_dict(item: ReadinessItem, user) -> dict:
    return {
        "id": item.pk,
        "text": item.text,
        "order": item.order,
        "done": item.done,
        "done_at": item.done_at,
        "done_by": item.done_by.get_username() if item.done_by_id else None,
        "note": item.note,
        "may_tick": services.may_tick(user, item),
    }


# --- endpoints ----------------------------------------------------------------------------------


@router.get(
    "/calendar",
    response=CalendarOut,
    summary="The post-vote calendar: watch points, gatherings and PSU to come",
    description=(
        "Ongoing and upcoming within `days` days (default 14, at most 366) in the user's scope, "
        "by start time: watch points not yet over, gatherings planned or under way, re-votes "
        "ordered and not yet held."
    ),
)
def calendar(request: HttpRequest, days: int = selectors.CALENDAR_DAYS):
    require_or_404(_user(request), Action.VIEW)
    days = max(0, min(days, CALENDAR_MAX_DAYS))
    now = clock.now()
    entries = selectors.watch_calendar(_user(request), now=now, days=days)
    return {
        "now": now,
        "voting_day": selectors.deployment_voting_day(),
        "post_vote": selectors.is_post_vote(now),
        "days": days,
        "entries": [_entry_dict(e) for e in entries],
    }


@router.get(
    "/gatherings",
    response=list[GatheringOut],
    summary="Planned demonstrations and mass gatherings",
    description="Every gathering in the user's scope, latest planned first; `status` narrows.",
)
def gathering_list(request: HttpRequest, status: GatheringStatus | None = None):
    require_or_404(_user(request), Action.VIEW)
    qs = selectors.gatherings_visible(_user(request)).order_by("-planned_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    return [_gathering_dict(g) for g in qs]


GATHERING_RESPONSES = {
    200: GatheringOut,
    201: GatheringOut,
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
}


@router.post(
    "/gatherings",
    response=GATHERING_RESPONSES,
    summary="Record a planned gathering",
    description="201 when recorded; 400 naming the field at fault; 403 without EDIT_WATCH.",
)
def gathering_create(request: HttpRequest, payload: GatheringIn):
    require_or_404(_user(request), Action.VIEW)
    if not can(_user(request), Action.EDIT_WATCH):
        return _forbidden()
    gathering, refused = _write(request, services.gathering_create, **payload.dict())
    if refused is not None:
        return refused
    return Status(201, _gathering_dict(gathering))


@router.patch(
    "/gatherings/{pk}",
    response=GATHERING_RESPONSES,
    summary="Update a gathering (status, size, time...)",
    description=(
        "Only the fields sent change. 404 for a gathering outside the scope; 403 without "
        "EDIT_WATCH over its region; 400 naming the field at fault."
    ),
)
def gathering_update(request: HttpRequest, pk: int, payload: GatheringPatch):
    gathering = _get(request, selectors.gathering_get, pk)
    if not can(_user(request), Action.EDIT_WATCH, gathering.region_id):
        return _forbidden()
    changes = payload.dict(exclude_unset=True)
    for name in ("title", "place", "region", "planned_at", "expected_size", "permit", "status"):
        if name in changes and changes[name] is None:
            return Status(
                400, {"detail": _("%(name)s tidak boleh kosong.") % {"name": name}, "field": name}
            )
    gathering, refused = _write(request, services.gathering_update, gathering=gathering, **changes)
    if refused is not None:
        return refused
    return _gathering_dict(gathering)


@router.get(
    "/revotes",
    response=list[RevoteOut],
    summary="Re-votes (PSU) ordered for TPS",
    description="Every re-vote at a TPS in the user's scope, latest first; `status` narrows.",
)
def revote_list(request: HttpRequest, status: RevoteStatus | None = None):
    require_or_404(_user(request), Action.VIEW)
    qs = selectors.revotes_visible(_user(request)).order_by("-vote_on", "-pk")
    if status:
        qs = qs.filter(status=status)
    return [_revote_dict(r) for r in qs]


@router.post(
    "/revotes",
    response={201: RevoteOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record a re-vote (PSU) ordered for a TPS",
    description=(
        "201 when recorded; 400 naming the field at fault (a TPS outside the scope reads as "
        "unknown); 403 without EDIT_WATCH."
    ),
)
def revote_create(request: HttpRequest, payload: RevoteIn):
    require_or_404(_user(request), Action.VIEW)
    if not can(_user(request), Action.EDIT_WATCH):
        return _forbidden()
    revote, refused = _write(request, services.revote_create, **payload.dict())
    if refused is not None:
        return refused
    revote = selectors.revote_get(user=_user(request), pk=revote.pk)
    return Status(201, _revote_dict(revote))


@router.get(
    "/readiness",
    response=list[AgencyReadinessOut],
    summary="Readiness checklists per agency",
    description="Agencies the user may see, each with its items, done and total.",
)
def readiness(request: HttpRequest):
    require_or_404(_user(request), Action.VIEW)
    user = _user(request)
    return [
        {
            "agency_id": row.agency_id,
            "agency_code": row.agency_code,
            "agency_name": row.agency_name,
            "agency_kind": row.agency_kind,
            "done": row.done,
            "total": row.total,
            "percent": row.percent,
            "items": [_item_dict(item, user) for item in row.items],
        }
        for row in selectors.readiness_overview(user)
    ]


@router.post(
    "/readiness/{pk}/tick",
    response={200: ReadinessItemOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Tick or untick a readiness item",
    description=(
        "Idempotent. A liaison ticks its own agency's items; the secretariat (EDIT_WATCH by "
        "role) ticks any in its scope; 403 otherwise; 404 for an item outside the scope."
    ),
)
def readiness_tick(request: HttpRequest, pk: int, payload: TickIn):
    item = _get(request, selectors.readiness_item_get, pk)
    service = services.readiness_tick if payload.done else services.readiness_untick
    item, refused = _write(request, service, item=item, note=payload.note)
    if refused is not None:
        return refused
    user = _user(request)
    item = selectors.readiness_item_get(user=user, pk=item.pk)
    return _item_dict(item, user)
