"""Reads of the watch after the vote, always through the user's scope.

A user sees the watch points and gatherings of the regions it may open: those in its scope and
those on the way down to it, so a kecamatan user sees its own PPK recapitulation and the
regency's KPU plenary, never another kecamatan's. Re-votes are seen through their TPS, readiness
through the agency's region (as the agency list is). Reading needs ``Action.VIEW``: a user
without it (a field monitor) is answered ``NotFound``, as for anything outside the scope.

``is_post_vote`` tells the situation room when to switch its emphasis to this phase: from the
first moment after voting day, local time, as ``siaga.core.calendar`` counts the days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from siaga.core import clock
from siaga.core.calendar import calendar_state
from siaga.core.deployment import deployment_voting_day
from siaga.core.permissions import Action, can, scope_open_q, user_scope
from siaga.postelection import schedule
from siaga.postelection.choices import (
    ACTIVE_GATHERING,
    EntrySource,
    GatheringStatus,
    Permit,
    RevoteStatus,
    WatchKind,
)
from siaga.postelection.models import Gathering, ReadinessItem, Revote, WatchPoint
from siaga.wilayah.selectors import NotFound

__all__ = [
    "NotFound",
    "dashboard_panel",
    "gathering_get",
    "gatherings_visible",
    "is_post_vote",
    "readiness_item_get",
    "readiness_overview",
    "revote_get",
    "revotes_visible",
    "watch_calendar",
    "watchpoint_get",
    "watchpoints_visible",
]

CALENDAR_DAYS = 14
# A planned gathering whose hour has passed stays on the calendar this long, until someone
# records that it is under way, over or called off.
GATHERING_GRACE = dt.timedelta(hours=6)
# A re-vote day: polling opens at 07:00 and the count runs into the evening.
REVOTE_OPENS = dt.time(7, 0)
REVOTE_ENDS = dt.time(23, 59)
PANEL_WATCH_POINTS = 5
PANEL_GATHERING_DAYS = 7
PANEL_HORIZON_DAYS = 60


def _require_view(user) -> None:
    if not can(user, Action.VIEW):
        raise NotFound


def watchpoints_visible(user) -> QuerySet[WatchPoint]:
    _require_view(user)
    return (
        WatchPoint.objects.filter(scope_open_q(user_scope(user), "region__code"))
        .select_related("region")
        .defer("region__boundary")
    )


def gatherings_visible(user) -> QuerySet[Gathering]:
    _require_view(user)
    return (
        Gathering.objects.filter(scope_open_q(user_scope(user), "region__code"))
        .select_related("region")
        .defer("region__boundary")
    )


def revotes_visible(user) -> QuerySet[Revote]:
    _require_view(user)
    return (
        Revote.objects.filter(user_scope(user).q("tps__desa__code"))
        .select_related("tps__desa__parent")
        .defer("tps__desa__boundary", "tps__desa__parent__boundary")
    )


def readiness_visible(user) -> QuerySet[ReadinessItem]:
    _require_view(user)
    return (
        ReadinessItem.objects.filter(scope_open_q(user_scope(user), "agency__region__code"))
        .select_related("agency", "done_by")
        .order_by("agency__name", "agency_id", "order", "pk")
    )


def _get(qs: QuerySet, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def watchpoint_get(*, user, pk: int) -> WatchPoint:
    return _get(watchpoints_visible(user), pk)


def gathering_get(*, user, pk: int) -> Gathering:
    return _get(gatherings_visible(user), pk)


def revote_get(*, user, pk: int) -> Revote:
    return _get(revotes_visible(user), pk)


def readiness_item_get(*, user, pk: int) -> ReadinessItem:
    return _get(readiness_visible(user), pk)


# --- the phase -----------------------------------------------------------------------------------


def is_post_vote(now: dt.datetime | None = None) -> bool:
    """True from the first moment after voting day (local time); False without a voting day."""
    voting_day = deployment_voting_day()
    if voting_day is None:
        return False
    now = now or clock.now()
    today = now.astimezone(schedule.zone()).date()
    return calendar_state(today=today, voting_day=voting_day).days_to_voting < 0


# --- the calendar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """One thing on the post-vote calendar: a watch point, a gathering or a re-vote."""

    source: str  # EntrySource
    pk: int
    kind: str
    kind_label: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    region_code: str
    region_name: str
    status: str = ""
    status_label: str = ""
    ongoing: bool = False
    expected_size: int | None = None
    permit: str = ""

    @property
    def permit_label(self) -> str:
        return str(Permit(self.permit).label) if self.permit else ""


def _watch_entry(point: WatchPoint, now: dt.datetime) -> CalendarEntry:
    return CalendarEntry(
        source=EntrySource.WATCH,
        pk=point.pk,
        kind=point.kind,
        kind_label=str(WatchKind(point.kind).label),
        title=point.title,
        starts_at=point.starts_at,
        ends_at=point.ends_at,
        place=point.place,
        region_code=point.region_id,
        region_name=point.region.name,
        ongoing=point.starts_at <= now <= point.ends_at,
    )


def _gathering_entry(gathering: Gathering, now: dt.datetime) -> CalendarEntry:
    return CalendarEntry(
        source=EntrySource.GATHERING,
        pk=gathering.pk,
        kind="gathering",
        kind_label=str(EntrySource.GATHERING.label),
        title=gathering.title,
        starts_at=gathering.planned_at,
        ends_at=None,
        place=gathering.place,
        region_code=gathering.region_id,
        region_name=gathering.region.name,
        status=gathering.status,
        status_label=str(GatheringStatus(gathering.status).label),
        ongoing=gathering.status == GatheringStatus.BERLANGSUNG,
        expected_size=gathering.expected_size,
        permit=gathering.permit,
    )


def _revote_entry(revote: Revote, now: dt.datetime) -> CalendarEntry:
    starts = schedule.local(revote.vote_on, REVOTE_OPENS)
    ends = schedule.local(revote.vote_on, REVOTE_ENDS)
    tps = revote.tps
    return CalendarEntry(
        source=EntrySource.REVOTE,
        pk=revote.pk,
        kind="revote",
        kind_label=str(EntrySource.REVOTE.label),
        title=f"PSU {tps.label} {tps.desa.name}",
        starts_at=starts,
        ends_at=ends,
        place=tps.address or tps.desa.name,
        region_code=tps.desa_id,
        region_name=tps.desa.name,
        status=revote.status,
        status_label=str(RevoteStatus(revote.status).label),
        ongoing=starts <= now <= ends,
    )


def _sort_key(entry: CalendarEntry) -> tuple:
    order = {EntrySource.WATCH: 0, EntrySource.GATHERING: 1, EntrySource.REVOTE: 2}
    return (entry.starts_at, order[entry.source], entry.title, entry.pk)


def watch_calendar(
    user, *, now: dt.datetime | None = None, days: int = CALENDAR_DAYS
) -> list[CalendarEntry]:
    """What is on or coming in the next ``days`` days in the user's scope, by start time:
    watch points not yet over, gatherings planned or under way (a planned one stays a few
    hours past its time), re-votes ordered and not yet held."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError("days: a whole number of days, 0 or more")
    now = now or clock.now()
    horizon = now + dt.timedelta(days=days)
    today = now.astimezone(schedule.zone()).date()
    points = watchpoints_visible(user).filter(ends_at__gte=now, starts_at__lte=horizon)
    gatherings = gatherings_visible(user).filter(
        status__in=ACTIVE_GATHERING, planned_at__lte=horizon
    )
    revotes = revotes_visible(user).filter(
        status=RevoteStatus.DIPERINTAHKAN,
        vote_on__gte=today,
        vote_on__lte=horizon.astimezone(schedule.zone()).date(),
    )
    entries = [_watch_entry(p, now) for p in points]
    entries += [
        _gathering_entry(g, now)
        for g in gatherings
        if g.status == GatheringStatus.BERLANGSUNG or g.planned_at >= now - GATHERING_GRACE
    ]
    entries += [_revote_entry(r, now) for r in revotes]
    return sorted(entries, key=_sort_key)


# --- readiness -----------------------------------------------------------------------------------


@dataclass
class AgencyReadiness:
    """One agency's readiness checklist and how much of it is done."""

    agency_id: int
    agency_code: str
    agency_name: str
    agency_kind: str
    region_code: str
    items: list[ReadinessItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def percent(self) -> int:
        """Whole percent done, rounded down (100 only when everything is)."""
        return self.done * 100 // self.total if self.total else 0


def readiness_overview(user) -> list[AgencyReadiness]:
    """Per agency the user may see (by agency name): its items in order, done and total."""
    by_agency: dict[int, AgencyReadiness] = {}
    for item in readiness_visible(user):
        agency = item.agency
        row = by_agency.get(agency.pk)
        if row is None:
            row = by_agency[agency.pk] = AgencyReadiness(
                agency_id=agency.pk,
                agency_code=agency.code,
                agency_name=agency.name,
                agency_kind=agency.kind,
                region_code=agency.region_id,
            )
        row.items.append(item)
    return list(by_agency.values())


# --- the situation room's panel ------------------------------------------------------------------


@dataclass
class PostVotePanel:
    """What the situation room's small "after the vote" panel shows."""

    post_vote: bool
    voting_day: dt.date | None
    h_label: str
    watch_points: list[CalendarEntry]
    gatherings: list[CalendarEntry]
    revotes: list[CalendarEntry]
    readiness: list[AgencyReadiness]

    @property
    def readiness_done(self) -> int:
        return sum(r.done for r in self.readiness)

    @property
    def readiness_total(self) -> int:
        return sum(r.total for r in self.readiness)

    @property
    def readiness_percent(self) -> int:
        total = self.readiness_total
        return self.readiness_done * 100 // total if total else 0

    @property
    def gathering_people(self) -> int:
        return sum(g.expected_size or 0 for g in self.gatherings)


def dashboard_panel(user, now: dt.datetime | None = None) -> PostVotePanel | None:
    """The next watch points (ongoing first, then the next few), the gatherings of the next
    seven days, the re-votes ordered, and the share of readiness items done, in the user's
    scope. ``None`` for a user who may not read the situation room (a field monitor): the
    panel template then renders nothing."""
    if not can(user, Action.VIEW):
        return None
    now = now or clock.now()
    voting_day = deployment_voting_day()
    entries = watch_calendar(user, now=now, days=PANEL_HORIZON_DAYS)
    week = now + dt.timedelta(days=PANEL_GATHERING_DAYS)
    h_label = ""
    if voting_day is not None:
        today = now.astimezone(schedule.zone()).date()
        h_label = calendar_state(today=today, voting_day=voting_day).h_label
    return PostVotePanel(
        post_vote=is_post_vote(now),
        voting_day=voting_day,
        h_label=h_label,
        watch_points=[e for e in entries if e.source == EntrySource.WATCH][:PANEL_WATCH_POINTS],
        gatherings=[
            e for e in entries if e.source == EntrySource.GATHERING and e.starts_at <= week
        ],
        revotes=[e for e in entries if e.source == EntrySource.REVOTE],
        readiness=readiness_overview(user),
    )
