"""Reads of the coordination module, always through the user's scope.

Meetings are the TP3D's shared minutes: every reader of the situation room (``Action.VIEW``)
sees those of the regions it may open (its scope and the way down to it, so a kecamatan user
sees the regency's Rakor). Tasks are narrower, as each agency has its own queue:
- the secretariat (``Action.COORDINATE``: admins and analysts) sees every task in scope;
- a liaison or a leadership user of an agency sees its agency's tasks in scope;
- everybody else (field monitors, machines, users without an agency) sees none.
A task is in scope when both its region and its agency's region open in the user's scope.
Anything outside that answers ``NotFound``, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from siaga.accounts.choices import Role
from siaga.accounts.models import Agency
from siaga.coordination.choices import OPEN_STATUSES, TaskStatus
from siaga.coordination.models import Meeting, MeetingTemplate, Task
from siaga.core import clock
from siaga.core.permissions import Action, can, scope_open_q, user_scope
from siaga.wilayah.selectors import NotFound

__all__ = [
    "NotFound",
    "agencies_visible",
    "is_secretariat",
    "meeting_get",
    "meetings_visible",
    "task_counts",
    "task_get",
    "tasks_open",
    "tasks_overdue",
    "tasks_visible",
    "templates_all",
]

AGENCY_QUEUE_ROLES = (Role.LIAISON,)


def is_secretariat(user) -> bool:
    """Admins and analysts: they create meetings and tasks and see every agency's queue."""
    return can(user, Action.COORDINATE)


def _require_view(user) -> None:
    if not can(user, Action.VIEW):
        raise NotFound


def meetings_visible(user) -> QuerySet[Meeting]:
    """Meetings of the regions the user may open; ``NotFound`` without ``Action.VIEW``."""
    _require_view(user)
    return (
        Meeting.objects.filter(scope_open_q(user_scope(user), "region__code"))
        .select_related("region", "chair_agency", "template")
        .defer("region__boundary")
    )


def meeting_get(user, pk) -> Meeting:
    """One meeting the user may see; ``NotFound`` otherwise (an unknown id reads the same)."""
    return _get(meetings_visible(user), pk)


def agencies_visible(user) -> QuerySet[Agency]:
    """Agencies whose region the user may open (the agency list's rule), by name."""
    return Agency.objects.filter(scope_open_q(user_scope(user), "region__code")).order_by(
        "name", "pk"
    )


def tasks_visible(user) -> QuerySet[Task]:
    """The tasks the user may see (see the module's docstring); an empty queryset for none."""
    if not can(user, Action.VIEW):
        return Task.objects.none()
    scope = user_scope(user)
    # The task's region and its agency both in sight: a regency task to Koramil Busang is not
    # the business of a Sangatta Utara analyst, who does not see that agency at all.
    qs = Task.objects.filter(scope_open_q(scope, "region__code")).filter(
        scope_open_q(scope, "agency__region__code")
    )
    # The secretariat and the leadership (the Pjs Bupati oversees whether decisions are carried
    # out) see every agency's queue; the others their own agency's.
    if not is_secretariat(user) and user.role != Role.LEADERSHIP:
        if user.role not in AGENCY_QUEUE_ROLES or not user.agency_id:
            return Task.objects.none()
        qs = qs.filter(agency_id=user.agency_id)
    return qs.select_related("agency", "assignee", "region", "decision__meeting").defer(
        "region__boundary"
    )


def task_get(user, pk) -> Task:
    """One task the user may see; ``NotFound`` otherwise."""
    return _get(tasks_visible(user), pk)


def tasks_open(user) -> QuerySet[Task]:
    """Visible tasks still to be carried out (baru, dikerjakan, terhambat)."""
    return tasks_visible(user).filter(status__in=OPEN_STATUSES)


def tasks_overdue(user, *, now: dt.datetime | None = None) -> QuerySet[Task]:
    """Visible open tasks whose due time has passed."""
    return tasks_open(user).filter(due_at__lt=now or clock.now())


def _day_start(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def task_counts(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    """open, overdue, blocked (terhambat) and done_today (selesai since local midnight), in one
    query, for the situation room and the leadership briefing."""
    now = now or clock.now()
    open_q = Q(status__in=OPEN_STATUSES)
    counts = tasks_visible(user).aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
        blocked=Count("pk", filter=Q(status=TaskStatus.TERHAMBAT)),
        done_today=Count(
            "pk",
            filter=Q(status=TaskStatus.SELESAI, completed_at__gte=_day_start(now)),
        ),
    )
    return {key: int(counts[key] or 0) for key in ("open", "overdue", "blocked", "done_today")}


def templates_all() -> QuerySet[MeetingTemplate]:
    return MeetingTemplate.objects.order_by("name")


def _get(qs: QuerySet, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc
