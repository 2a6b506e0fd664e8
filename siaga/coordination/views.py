"""Pages of TP3D coordination (/koordinasi/): the meetings (list, record from a template,
detail with attendance and decisions, add a decision with its tasks) and the task queue (the
secretariat's whole queue or an agency's own, filters, a task with its timeline, status change
and assignment).

Thin views: parse, authorise, call one service or selector, render. Pages need ``Action.VIEW``;
anything outside the user's scope, another agency's task, and the recording forms for users who
may not record are 404, as if they did not exist. A visible task the user may not move is 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from siaga.accounts.choices import Role
from siaga.accounts.models import User
from siaga.coordination import selectors, services
from siaga.coordination.api import allowed_statuses, meeting_detail_dict
from siaga.coordination.choices import OPEN_STATUSES, AboutType, TaskStatus
from siaga.coordination.forms import (
    TASK_ROWS,
    AssignForm,
    DecisionForm,
    MeetingForm,
    QueueFilterForm,
    StatusForm,
    TaskForm,
    TaskRowForm,
)
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.permissions import Action, can, require_or_404, user_scope
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region

LIST_LIMIT = 200


def _regions(user, levels: tuple[str, ...]) -> list[tuple[str, str]]:
    qs = Region.objects.filter(user_scope(user).q("code"), level__in=levels).order_by("code")
    return [(code, f"{name} ({code})") for code, name in qs.values_list("code", "name")]


def _agencies(user) -> list[tuple[int, str]]:
    return list(selectors.agencies_visible(user).values_list("pk", "name"))


def _put_error(form, error: services.CoordinationError, prefix: str = "") -> None:
    name = (error.field or "")[len(prefix) :] if (error.field or "").startswith(prefix) else None
    form.add_error(name if name in form.fields else None, str(error))


# --- meetings -----------------------------------------------------------------------------------


@login_required
@require_GET
def meetings(request):
    """The meetings the user may see, latest first."""
    user = request.user
    require_or_404(user, Action.VIEW)
    from django.db.models import Count

    rows = selectors.meetings_visible(user).annotate(n_decisions=Count("decisions"))
    context = {
        "meetings": list(rows.order_by("-held_at", "-pk")[:LIST_LIMIT]),
        "can_coordinate": can(user, Action.COORDINATE),
        "counts": selectors.task_counts(user),
    }
    return render(request, "coordination/meetings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    """Record a meeting; a template fills the agenda (and the title, when left empty)."""
    user = request.user
    require_or_404(user, Action.VIEW)
    require_or_404(user, Action.COORDINATE)
    choices = {
        "templates": list(selectors.templates_all().values_list("pk", "name")),
        "regions": _regions(user, (Level.REGENCY, Level.DISTRICT)),
        "agencies": _agencies(user),
    }
    if request.method == "POST":
        form = MeetingForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    context=AuditContext.from_request(request),
                    title=data["title"],
                    held_at=data["held_at"],
                    place=data["place"],
                    region=data["region"],
                    chair=data["chair"],
                    chair_agency=data["chair_agency"],
                    template=int(data["template"]) if data["template"] else None,
                    agenda=form.agenda_items(),
                    notes=data["notes"],
                    attendees={pk: "" for pk in data["attendees"]},
                )
            except services.CoordinationError as error:
                _put_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Rapat tercatat."))
                return redirect("coordination:meeting", pk=meeting.pk)
    else:
        first = choices["templates"][0][0] if choices["templates"] else ""
        region = choices["regions"][0][0] if choices["regions"] else ""
        form = MeetingForm(initial={"template": first, "region": region}, **choices)
    return render(
        request,
        "coordination/form.html",
        {"form": form, "title": _("Rapat koordinasi baru"), "kind": "meeting"},
    )


def _meeting_page(request, meeting, decision_form=None, rows=None, status: int = 200):
    user = request.user
    can_decide = can(user, Action.COORDINATE, meeting.region_id)
    agencies = _agencies(user) if can_decide else []
    if can_decide and rows is None:
        rows = [TaskRowForm(prefix=f"t{i}", agencies=agencies) for i in range(TASK_ROWS)]
    context = {
        "meeting": meeting,
        "detail": meeting_detail_dict(user, meeting),
        "can_decide": can_decide,
        "decision_form": decision_form or DecisionForm(),
        "rows": rows or [],
        "now": clock.now(),
    }
    return render(request, "coordination/meeting.html", context, status=status)


def _meeting_or_404(user, pk: int):
    require_or_404(user, Action.VIEW)
    try:
        return selectors.meeting_get(user, pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def meeting(request, pk: int):
    """A meeting: agenda, attendance, notes, decisions with the tasks the user may see."""
    return _meeting_page(request, _meeting_or_404(request.user, pk))


@login_required
@require_POST
def decision_add(request, pk: int):
    """Add the next decision with up to ``TASK_ROWS`` tasks (empty rows are skipped)."""
    user = request.user
    meeting = _meeting_or_404(user, pk)
    require_or_404(user, Action.COORDINATE, meeting.region_id)
    agencies = _agencies(user)
    form = DecisionForm(request.POST)
    rows = [TaskRowForm(request.POST, prefix=f"t{i}", agencies=agencies) for i in range(TASK_ROWS)]
    valid = form.is_valid() and all([row.is_valid() for row in rows])
    tasks, used = [], []
    if valid:
        for row in rows:
            if row.is_empty():
                continue
            data = row.cleaned_data
            tasks.append(
                {
                    "title": data["title"],
                    "agency": data["agency"],
                    "due_at": data["due_at"],
                    "priority": data["priority"],
                }
            )
            used.append(row)
        try:
            services.decision_add(
                context=AuditContext.from_request(request),
                meeting=meeting,
                text=form.cleaned_data["text"],
                tasks=tasks,
            )
        except services.CoordinationError as error:
            field = error.field or ""
            if field.startswith("tasks."):
                index = int(field.split(".")[1])
                _put_error(used[index], error, prefix=f"tasks.{index}.")
            else:
                _put_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Keputusan tercatat."))
            return redirect("coordination:meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, decision_form=form, rows=rows, status=400)


# --- tasks --------------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request):
    """The task queue: the secretariat's whole queue, or the user's agency's own."""
    user = request.user
    require_or_404(user, Action.VIEW)
    agencies = _agencies(user)
    form = QueueFilterForm(request.GET or None, agencies=agencies)
    now = clock.now()
    qs = selectors.tasks_visible(user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = filters.get("status") or ""
    if filters.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if filters.get("agency"):
        qs = qs.filter(agency_id=filters["agency"])
    if status == "":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "semua":
        qs = qs.filter(status=status)
    rows = list(qs.order_by("due_at", "pk")[:LIST_LIMIT])
    for task in rows:
        task.is_overdue = task.status in OPEN_STATUSES and task.due_at < now
    context = {
        "form": form,
        "tasks": rows,
        "counts": selectors.task_counts(user, now=now),
        "secretariat": selectors.is_secretariat(user),
        "agency_queue": user.role == Role.LIAISON and user.agency_id,
        "can_create": can(user, Action.COORDINATE),
    }
    return render(request, "coordination/tasks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    """A task outside a meeting; other modules link here with ``about_*`` in the query."""
    user = request.user
    require_or_404(user, Action.VIEW)
    require_or_404(user, Action.COORDINATE)
    choices = {
        "regions": _regions(user, (Level.REGENCY, Level.DISTRICT, Level.VILLAGE)),
        "agencies": _agencies(user),
    }
    if request.method == "POST":
        form = TaskForm(request.POST, **choices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["region"] = data["region"] or None
            try:
                task = services.task_create(context=AuditContext.from_request(request), **data)
            except services.CoordinationError as error:
                _put_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Tindak lanjut dibuat."))
                return redirect("coordination:task", pk=task.pk)
    else:
        initial = {
            name: request.GET.get(name, "")
            for name in ("title", "about_id", "about_label", "about_url", "region")
        }
        about = request.GET.get("about_type", "")
        initial["about_type"] = about if about in AboutType.values else ""
        form = TaskForm(initial=initial, **choices)
    return render(
        request,
        "coordination/form.html",
        {"form": form, "title": _("Tindak lanjut baru"), "kind": "task"},
    )


def _task_or_404(user, pk: int):
    require_or_404(user, Action.VIEW)
    try:
        return selectors.task_get(user, pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


def _people(task) -> list[tuple[int, str]]:
    qs = (
        User.objects.filter(agency_id=task.agency_id, is_active=True)
        .exclude(role=Role.MACHINE)
        .order_by("username")
    )
    return [(u.pk, str(u)) for u in qs]


def _task_page(request, task, status_form=None, status: int = 200):
    user = request.user
    statuses = allowed_statuses(user, task)
    if status_form is None:
        status_form = StatusForm()
    status_form.fields["status"].choices = [
        (value, label) for value, label in TaskStatus.choices if value in statuses
    ]
    may_assign = services.may_assign(user, task) and task.status in OPEN_STATUSES
    context = {
        "task": task,
        "events": list(task.events.select_related("actor").order_by("at", "pk")),
        "overdue": task.status in OPEN_STATUSES and task.due_at < clock.now(),
        "status_form": status_form if statuses else None,
        "assign_form": (
            AssignForm(initial={"assignee": task.assignee_id}, people=_people(task))
            if may_assign
            else None
        ),
    }
    return render(request, "coordination/task.html", context, status=status)


@login_required
@require_GET
def task(request, pk: int):
    """A task with its timeline, and the status change the user may make."""
    return _task_page(request, _task_or_404(request.user, pk))


@login_required
@require_POST
def task_status(request, pk: int):
    user = request.user
    task = _task_or_404(user, pk)
    if not services.may_change_status(user, task):
        return HttpResponseForbidden(_("Anda tidak berwenang mengubah status tindak lanjut ini."))
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.task_transition(
                context=AuditContext.from_request(request),
                task=task,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except services.CoordinationError as error:
            _put_error(form, error)
        except PermissionDenied as error:
            return HttpResponseForbidden(str(error))
        else:
            messages.success(request, _("Status diperbarui."))
            return redirect("coordination:task", pk=task.pk)
    return _task_page(request, task, status_form=form, status=400)


@login_required
@require_POST
def task_assign(request, pk: int):
    user = request.user
    task = _task_or_404(user, pk)
    if not services.may_assign(user, task):
        return HttpResponseForbidden(_("Hanya sekretariat yang boleh menunjuk petugas."))
    form = AssignForm(request.POST, people=_people(task))
    if not form.is_valid():
        messages.error(request, _("Petugas tidak dikenal."))
        return redirect("coordination:task", pk=task.pk)
    try:
        services.task_assign(
            context=AuditContext.from_request(request),
            task=task,
            assignee=form.cleaned_data["assignee"],
        )
    except services.CoordinationError as error:
        messages.error(request, str(error))
    except PermissionDenied as error:
        return HttpResponseForbidden(str(error))
    else:
        messages.success(request, _("Petugas diperbarui."))
    return redirect("coordination:task", pk=task.pk)
