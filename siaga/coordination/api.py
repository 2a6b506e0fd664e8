"""API of TP3D coordination (/api/v1/coordination/...): meetings (list, record, detail, add a
decision with its tasks) and tasks (the caller's queue, create, detail, change status).

Meetings are read with ``Action.VIEW`` (others get 404, as for anything outside the scope);
tasks through ``selectors.tasks_visible`` (the secretariat all, an agency its own queue).
Recording needs ``Action.COORDINATE`` (403 for readers); a liaison moves its own agency's
tasks. Refused input answers 400 with ``detail`` and the ``field`` at fault.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from siaga.coordination import selectors, services
from siaga.coordination.choices import OPEN_STATUSES, AboutType, Priority, TaskStatus
from siaga.coordination.models import Decision, Meeting, Task
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.permissions import Action, can, require_or_404

router = Router(tags=["coordination"])

LIST_MAX = 500


# --- schemas ------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. tasks.0.due_at.")


class TaskOut(Schema):
    id: int
    title: str
    description: str
    agency_id: int
    agency_code: str
    agency_name: str
    assignee: str | None = Field(description="Username of the person assigned, if any.")
    due_at: dt.datetime
    priority: Priority
    status: TaskStatus
    overdue: bool = Field(description="Open and past its due time at the deployment's clock.")
    region_code: str
    region_name: str
    decision_id: int | None
    meeting_id: int | None
    about_type: str
    about_id: str
    about_label: str
    about_url: str
    created_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    reminded_at: dt.datetime | None
    escalated_at: dt.datetime | None


class TaskEventOut(Schema):
    at: dt.datetime
    actor: str | None
    kind: str
    status_from: str
    status_to: str
    note: str


class TaskDetailOut(TaskOut):
    may_change_status: bool
    allowed_statuses: list[str] = Field(description="Statuses the caller may move it to.")
    events: list[TaskEventOut]


class TaskFields(Schema):
    title: str
    agency: int = Field(description="Agency id (see /api/v1/agencies).")
    due_at: dt.datetime = Field(description="ISO 8601 with offset, e.g. 2024-11-26T18:00+08:00.")
    priority: Priority = Priority.SEDANG
    description: str = ""
    assignee: int | None = Field(None, description="User id of a person of the agency.")
    region: str | None = Field(
        None, description="Region code where it applies; default the meeting's or agency's."
    )
    about_type: AboutType | None = Field(None, description="What the task follows up on.")
    about_id: str = ""
    about_label: str = ""
    about_url: str = Field("", description="A Siaga path (/...) or an https:// link.")


class TaskIn(TaskFields):
    decision: int | None = Field(None, description="Id of the decision it carries out.")


class StatusIn(Schema):
    status: TaskStatus
    note: str = Field("", description="Required for terhambat and dibatalkan: why.")


class AttendanceOut(Schema):
    agency_id: int
    agency_name: str
    people: str


class DecisionOut(Schema):
    id: int
    number: int
    text: str
    tasks: list[TaskOut] = Field(description="Its tasks the caller may see.")


class MeetingOut(Schema):
    id: int
    title: str
    template: str | None
    held_at: dt.datetime
    place: str
    region_code: str
    region_name: str
    chair: str
    chair_agency: str | None
    agenda: list[str]
    decisions: int


class MeetingDetailOut(MeetingOut):
    notes: str
    attendance: list[AttendanceOut] = Field(description="Agencies the caller may see.")
    decision_list: list[DecisionOut]


class MeetingIn(Schema):
    title: str = Field("", description="Default: the template's name.")
    held_at: dt.datetime
    place: str
    region: str = Field(description="Region code in the caller's scope (usually the regency).")
    chair: str = ""
    chair_agency: int | None = None
    template: int | None = Field(None, description="Template id; its agenda is the default.")
    agenda: list[str] | None = None
    notes: str = ""
    attendees: dict[int, str] = Field(
        default_factory=dict, description="Agency id -> names and roles of who came."
    )


class DecisionIn(Schema):
    text: str
    tasks: list[TaskFields] = Field(default_factory=list)


# --- helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest):
    return request.auth


def _error(status: int, exc: Exception):
    return Status(status, {"detail": str(exc), "field": getattr(exc, "field", None)})


def _forbidden():
    return Status(
        403,
        {"detail": _("Hanya sekretariat TP3D yang boleh mencatat rapat dan tugas."), "field": None},
    )


def _write(request, service, /, **kwargs):
    """(the service's result, None) or (None, the answer): 403 permission, 400 input."""
    try:
        return service(context=AuditContext.from_request(request, channel="api"), **kwargs), None
    except PermissionDenied as exc:
        return None, _error(403, exc)
    except services.CoordinationError as exc:
        return None, _error(400, exc)


def _task_dict(task: Task, now: dt.datetime) -> dict:
    decision = task.decision
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "agency_id": task.agency_id,
        "agency_code": task.agency.code,
        "agency_name": task.agency.name,
        "assignee": task.assignee.get_username() if task.assignee_id else None,
        "due_at": task.due_at,
        "priority": task.priority,
        "status": task.status,
        "overdue": task.status in OPEN_STATUSES and task.due_at < now,
        "region_code": task.region_id,
        "region_name": task.region.name,
        "decision_id": task.decision_id,
        "meeting_id": decision.meeting_id if decision else None,
        "about_type": task.about_type,
        "about_id": task.about_id,
        "about_label": task.about_label,
        "about_url": task.about_url,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "completed_at": task.completed_at,
        "reminded_at": task.reminded_at,
        "escalated_at": task.escalated_at,
    }


def allowed_statuses(user, task: Task) -> list[str]:
    """Where ``user`` may move ``task`` now (the pages offer the same)."""
    if not services.may_change_status(user, task):
        return []
    targets = services.TRANSITIONS[task.status]
    if not services.may_assign(user, task):
        targets = targets - {TaskStatus.DIBATALKAN}
    return [s for s in TaskStatus.values if s in targets]


def _task_detail(user, task: Task) -> dict:
    events = task.events.select_related("actor").order_by("at", "pk")
    return _task_dict(task, clock.now()) | {
        "may_change_status": services.may_change_status(user, task),
        "allowed_statuses": allowed_statuses(user, task),
        "events": [
            {
                "at": e.at,
                "actor": e.actor.get_username() if e.actor_id else None,
                "kind": e.kind,
                "status_from": e.status_from,
                "status_to": e.status_to,
                "note": e.note,
            }
            for e in events
        ],
    }


def _meeting_dict(meeting: Meeting, decisions: int) -> dict:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "template": meeting.template.name if meeting.template_id else None,
        "held_at": meeting.held_at,
        "place": meeting.place,
        "region_code": meeting.region_id,
        "region_name": meeting.region.name,
        "chair": meeting.chair,
        "chair_agency": meeting.chair_agency.name if meeting.chair_agency_id else None,
        "agenda": list(meeting.agenda or []),
        "decisions": decisions,
    }


def meeting_detail_dict(user, meeting: Meeting) -> dict:
    """A meeting with the attendance and tasks ``user`` may see (shared with the pages)."""
    now = clock.now()
    visible = selectors.agencies_visible(user).values_list("pk", flat=True)
    attendance = meeting.attendance.filter(agency_id__in=visible).select_related("agency")
    decisions = list(meeting.decisions.order_by("number"))
    tasks = selectors.tasks_visible(user).filter(decision__meeting=meeting).order_by("pk")
    by_decision: dict[int, list[Task]] = {}
    for task in tasks:
        by_decision.setdefault(task.decision_id, []).append(task)
    return _meeting_dict(meeting, len(decisions)) | {
        "notes": meeting.notes,
        "attendance": [
            {"agency_id": a.agency_id, "agency_name": a.agency.name, "people": a.people}
            for a in attendance
        ],
        "decision_list": [
            {
                "id": d.pk,
                "number": d.number,
                "text": d.text,
                "tasks": [_task_dict(t, now) for t in by_decision.get(d.pk, [])],
            }
            for d in decisions
        ],
    }


def _task_values(payload: TaskFields) -> dict:
    values = payload.dict()
    values["about_type"] = values.get("about_type") or ""
    return values


# --- meetings -----------------------------------------------------------------------------------


@router.get(
    "/meetings",
    response=list[MeetingOut],
    summary="Coordination meetings",
    description="Meetings of the regions the caller may open, latest first.",
)
def meeting_list(request: HttpRequest):
    require_or_404(_user(request), Action.VIEW)
    from django.db.models import Count

    qs = selectors.meetings_visible(_user(request)).annotate(n=Count("decisions"))
    return [_meeting_dict(m, m.n) for m in qs.order_by("-held_at", "-pk")[:LIST_MAX]]


MEETING_RESPONSES = {201: MeetingDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.post(
    "/meetings",
    response=MEETING_RESPONSES,
    summary="Record a meeting (optionally from a template) with its attendance",
    description="201 when recorded; 400 naming the field at fault; 403 without COORDINATE.",
)
def meeting_create(request: HttpRequest, payload: MeetingIn):
    require_or_404(_user(request), Action.VIEW)
    user = _user(request)
    if not can(user, Action.COORDINATE):
        return _forbidden()
    meeting, refused = _write(request, services.meeting_create, **payload.dict())
    if refused is not None:
        return refused
    return Status(201, meeting_detail_dict(user, selectors.meeting_get(user, meeting.pk)))


def _meeting(request, pk: int) -> Meeting:
    require_or_404(_user(request), Action.VIEW)
    try:
        return selectors.meeting_get(_user(request), pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


@router.get(
    "/meetings/{pk}",
    response=MeetingDetailOut,
    summary="A meeting: agenda, attendance, decisions and their tasks",
    description="404 outside the scope. Attendance and tasks are those the caller may see.",
)
def meeting_detail(request: HttpRequest, pk: int):
    return meeting_detail_dict(_user(request), _meeting(request, pk))


@router.post(
    "/meetings/{pk}/decisions",
    response={201: DecisionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Add the next decision of a meeting, with the tasks that carry it out",
    description=(
        "All or nothing: 400 naming the field at fault (tasks.<i>.<name> for a task); 403 "
        "without COORDINATE over the meeting's region; 404 outside the scope."
    ),
)
def decision_add(request: HttpRequest, pk: int, payload: DecisionIn):
    meeting = _meeting(request, pk)
    user = _user(request)
    if not can(user, Action.COORDINATE, meeting.region_id):
        return _forbidden()
    decision, refused = _write(
        request,
        services.decision_add,
        meeting=meeting,
        text=payload.text,
        tasks=[_task_values(t) for t in payload.tasks],
    )
    if refused is not None:
        return refused
    return Status(201, _decision_dict(user, decision))


def _decision_dict(user, decision: Decision) -> dict:
    now = clock.now()
    tasks = selectors.tasks_visible(user).filter(decision=decision).order_by("pk")
    return {
        "id": decision.pk,
        "number": decision.number,
        "text": decision.text,
        "tasks": [_task_dict(t, now) for t in tasks],
    }


# --- tasks --------------------------------------------------------------------------------------


@router.get(
    "/tasks",
    response=list[TaskOut],
    summary="The caller's task queue",
    description=(
        "The secretariat sees every task in its scope; a liaison or leadership user its "
        "agency's; others none. Filters: agency (id), status, overdue=true, open=true."
    ),
)
def task_list(
    request: HttpRequest,
    agency: int | None = None,
    status: TaskStatus | None = None,
    overdue: bool = False,
    open: bool = False,  # noqa: A002 (the query parameter's name)
):
    require_or_404(_user(request), Action.VIEW)
    user = _user(request)
    now = clock.now()
    qs = selectors.tasks_overdue(user, now=now) if overdue else selectors.tasks_visible(user)
    if open:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if agency is not None:
        qs = qs.filter(agency_id=agency)
    if status:
        qs = qs.filter(status=status)
    return [_task_dict(t, now) for t in qs.order_by("due_at", "pk")[:LIST_MAX]]


@router.post(
    "/tasks",
    response={201: TaskDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Create a task for an agency",
    description="201 when created; 400 naming the field at fault; 403 without COORDINATE.",
)
def task_create(request: HttpRequest, payload: TaskIn):
    require_or_404(_user(request), Action.VIEW)
    user = _user(request)
    if not can(user, Action.COORDINATE):
        return _forbidden()
    values = _task_values(payload)
    decision_pk = values.pop("decision", None)
    if decision_pk is not None:
        decision = Decision.objects.filter(
            pk=decision_pk, meeting__in=selectors.meetings_visible(user)
        ).first()
        if decision is None:
            return Status(
                400,
                {
                    "detail": _("Keputusan %(id)s tidak dikenal.") % {"id": decision_pk},
                    "field": "decision",
                },
            )
        values["decision"] = decision
    task, refused = _write(request, services.task_create, **values)
    if refused is not None:
        return refused
    return Status(201, _task_detail(user, selectors.task_get(user, task.pk)))


def _task(request, pk: int) -> Task:
    require_or_404(_user(request), Action.VIEW)
    try:
        return selectors.task_get(_user(request), pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


@router.get(
    "/tasks/{pk}",
    response=TaskDetailOut,
    summary="A task with its timeline",
    description="404 for a task the caller may not see (another agency's, outside the scope).",
)
def task_detail(request: HttpRequest, pk: int):
    return _task_detail(_user(request), _task(request, pk))


@router.post(
    "/tasks/{pk}/status",
    response={200: TaskDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change a task's status",
    description=(
        "Allowed moves: baru -> dikerjakan, terhambat, selesai, dibatalkan; dikerjakan -> "
        "terhambat, selesai, dibatalkan; terhambat -> dikerjakan, selesai, dibatalkan. A note "
        "is required for terhambat and dibatalkan. The agency's liaisons and the secretariat "
        "may; only the secretariat cancels. The same status again changes nothing."
    ),
)
def task_status(request: HttpRequest, pk: int, payload: StatusIn):
    task = _task(request, pk)
    _done, refused = _write(
        request, services.task_transition, task=task, status=payload.status, note=payload.note
    )
    if refused is not None:
        return refused
    user = _user(request)
    return _task_detail(user, selectors.task_get(user, pk))
