"""Writes of the coordination module: meeting templates, meetings with their attendance,
decisions that create tasks, tasks and their lifecycle, and the sweep that reminds and escalates.

Each service validates everything before it writes, raises ``CoordinationError`` (a
``DomainError`` naming the field at fault) with an Indonesian message, and records one audit
event per row changed in the same transaction, with a ``TaskEvent`` on the task's timeline.

Who may (``context.actor``; ``None`` is the system itself and may do everything):
- the secretariat (``Action.COORDINATE``: admins, analysts) records meetings and decisions,
  creates, assigns and moves any task in its scope;
- a liaison moves the status of its own agency's tasks (never to ``dibatalkan``, which is the
  secretariat's call), and nothing else;
- everybody else changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from siaga.accounts.choices import Role
from siaga.accounts.models import Agency, User
from siaga.coordination.catalogue import seed_rows
from siaga.coordination.choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    AboutType,
    EventKind,
    Priority,
    TaskStatus,
)
from siaga.coordination.models import (
    Decision,
    Meeting,
    MeetingAttendance,
    MeetingTemplate,
    Task,
    TaskEvent,
)
from siaga.core import clock, inputs
from siaga.core.audit import AuditContext, AuditEntry, audit_record, audit_record_many, snapshot
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can, require_actor, user_scope
from siaga.notifications.services import notify
from siaga.wilayah.models import Region

__all__ = [
    "TRANSITIONS",
    "CoordinationError",
    "decision_add",
    "may_assign",
    "may_change_status",
    "meeting_create",
    "task_assign",
    "task_comment",
    "task_create",
    "task_transition",
    "tasks_sweep",
    "templates_seed",
]

TITLE_MAX = 200
PLACE_MAX = 200
ABOUT_ID_MAX = 60
ABOUT_LABEL_MAX = 200
ABOUT_URL_MAX = 300
AGENDA_MAX_ITEMS = 30
DEFAULT_REMIND_HOURS = 24

TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.BARU: frozenset(
        {TaskStatus.DIKERJAKAN, TaskStatus.TERHAMBAT, TaskStatus.SELESAI, TaskStatus.DIBATALKAN}
    ),
    TaskStatus.DIKERJAKAN: frozenset(
        {TaskStatus.TERHAMBAT, TaskStatus.SELESAI, TaskStatus.DIBATALKAN}
    ),
    TaskStatus.TERHAMBAT: frozenset(
        {TaskStatus.DIKERJAKAN, TaskStatus.SELESAI, TaskStatus.DIBATALKAN}
    ),
    TaskStatus.SELESAI: frozenset(),
    TaskStatus.DIBATALKAN: frozenset(),
}
# A blocked or cancelled task must say why, so the secretariat can act on it.
NOTE_REQUIRED = frozenset({TaskStatus.TERHAMBAT, TaskStatus.DIBATALKAN})
TASK_KEYS = frozenset(
    {
        "title",
        "agency",
        "due_at",
        "priority",
        "description",
        "assignee",
        "region",
        "about_type",
        "about_id",
        "about_label",
        "about_url",
    }
)


class CoordinationError(DomainError):
    """Input refused; ``field`` names the input at fault (``due_at``, ``tasks.0.agency``...)."""


# --- who may ------------------------------------------------------------------------------------


def _require_coordinate(context: AuditContext, region_code: str | None = None) -> None:
    require_actor(
        context.user,
        Action.COORDINATE,
        region_code,
        denied=_("Hanya sekretariat TP3D yang boleh mencatat rapat dan tugas."),
    )


def _is_own_liaison(user, task: Task) -> bool:
    return (
        user.role == Role.LIAISON
        and bool(user.agency_id)
        and user.agency_id == task.agency_id
        and can(user, Action.VIEW)
        and user_scope(user).may_open_region(task.region_id)
    )


def may_change_status(user, task: Task) -> bool:
    """The secretariat over the task's region, or a liaison of the task's agency."""
    if user is None:
        return True
    return can(user, Action.COORDINATE, task.region_id) or _is_own_liaison(user, task)


def may_assign(user, task: Task) -> bool:
    """Only the secretariat (over the task's region) assigns and re-assigns."""
    return user is None or can(user, Action.COORDINATE, task.region_id)


# --- input cleaning -----------------------------------------------------------------------------


_text = functools.partial(inputs.text, error=CoordinationError)
_choice = functools.partial(inputs.choice, error=CoordinationError)
_moment = functools.partial(inputs.moment, error=CoordinationError)
_region = functools.partial(inputs.region, error=CoordinationError)


def _agency(context: AuditContext, value, *, field: str = "agency") -> Agency:
    """An agency the actor may see (its region opens in the actor's scope)."""
    pk = value.pk if isinstance(value, Agency) else value
    if isinstance(pk, str) and pk.strip().isdigit():
        pk = int(pk)
    agency = None
    if isinstance(pk, int) and not isinstance(pk, bool):
        agency = Agency.objects.filter(pk=pk).first()
    user = context.user
    if agency is None or (
        user is not None and not user_scope(user).may_open_region(agency.region_id)
    ):
        raise CoordinationError(
            _("Instansi %(id)s tidak dikenal atau di luar wilayah tugas Anda.") % {"id": pk},
            field=field,
        )
    return agency


def _assignee(value, agency: Agency, *, field: str = "assignee") -> User | None:
    """None, or an active user of ``agency`` (a task goes to someone of the agency it is for)."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, User) else value
    if isinstance(pk, str) and pk.strip().isdigit():
        pk = int(pk)
    user = None
    if isinstance(pk, int) and not isinstance(pk, bool):
        user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.agency_id != agency.pk:
        raise CoordinationError(
            _("Petugas %(id)s bukan pengguna aktif %(agency)s.") % {"id": pk, "agency": agency},
            field=field,
        )
    return user


def _agenda(value, *, field: str = "agenda") -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise CoordinationError(_("Agenda harus berupa daftar butir."), field=field)
    items = [str(item).strip() for item in value]
    items = [item for item in items if item]
    if len(items) > AGENDA_MAX_ITEMS:
        raise CoordinationError(
            _("Agenda paling banyak %(n)s butir.") % {"n": AGENDA_MAX_ITEMS}, field=field
        )
    for item in items:
        _text(item, field=field, label=_("Butir agenda"), required=True, limit=300)
    return items


def _clean_task(context: AuditContext, data: Mapping, *, prefix: str = "", decision=None) -> dict:
    """The validated fields of a new task (``prefix`` names the row in a decision's list)."""
    unknown = sorted(set(data) - TASK_KEYS)
    if unknown:
        raise CoordinationError(
            _("Isian tidak dikenal: %(names)s.") % {"names": ", ".join(unknown)},
            field=f"{prefix}{unknown[0]}",
        )
    agency = _agency(context, data.get("agency"), field=f"{prefix}agency")
    region_value = data.get("region")
    if region_value in (None, ""):
        region_value = decision.meeting.region_id if decision is not None else agency.region_id
    region = _region(context, region_value, field=f"{prefix}region")
    cleaned = {
        "title": _text(
            data.get("title"),
            field=f"{prefix}title",
            label=_("Judul"),
            required=True,
            limit=TITLE_MAX,
        ),
        "description": _text(
            data.get("description"), field=f"{prefix}description", label=_("Uraian"), required=False
        ),
        "agency": agency,
        "assignee": _assignee(data.get("assignee"), agency, field=f"{prefix}assignee"),
        "due_at": _moment(data.get("due_at"), field=f"{prefix}due_at", label=_("Batas waktu")),
        "priority": _choice(
            data.get("priority") or Priority.SEDANG,
            Priority,
            field=f"{prefix}priority",
            label=_("Prioritas"),
        ),
        "region": region,
        "about_type": _choice(
            data.get("about_type"),
            AboutType,
            field=f"{prefix}about_type",
            label=_("Jenis terkait"),
            blank=True,
        ),
    }
    for name, label, limit in (
        ("about_id", _("ID terkait"), ABOUT_ID_MAX),
        ("about_label", _("Keterangan terkait"), ABOUT_LABEL_MAX),
        ("about_url", _("Tautan terkait"), ABOUT_URL_MAX),
    ):
        cleaned[name] = _text(
            data.get(name), field=f"{prefix}{name}", label=label, required=False, limit=limit
        )
    url = cleaned["about_url"]
    if url and not (url.startswith("/") or url.startswith("https://")):
        raise CoordinationError(
            _("Tautan terkait harus alamat di Siaga (/...) atau https://."),
            field=f"{prefix}about_url",
        )
    if (cleaned["about_id"] or cleaned["about_label"] or url) and not cleaned["about_type"]:
        raise CoordinationError(
            _("Pilih jenis hal yang ditindaklanjuti."), field=f"{prefix}about_type"
        )
    return cleaned


# --- recipients ---------------------------------------------------------------------------------


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _secretariat(region_code: str) -> list[User]:
    """Analysts and administrators whose scope covers the region (they may act on the task)."""
    covering = Q(is_superuser=True) | Q(scope_regions__code__in=_ancestors(region_code))
    who = Q(role__in=[Role.ANALYST, Role.ADMIN]) | Q(is_superuser=True)
    return list(User.objects.filter(who, covering, is_active=True).distinct().order_by("pk"))


def _liaisons(task: Task) -> list[User]:
    """The agency's liaisons who see the task (its region opens in their scope)."""
    code = task.region_id
    seeing = Q(scope_regions__code__in=_ancestors(code)) | Q(
        scope_regions__code__startswith=code + "."
    )
    qs = User.objects.filter(seeing, role=Role.LIAISON, agency_id=task.agency_id, is_active=True)
    return list(qs.distinct().order_by("pk"))


def _owners(task: Task) -> list[User]:
    """Who carries the task out: its assignee, or else the agency's liaisons."""
    if task.assignee_id and task.assignee.is_active:
        return [task.assignee]
    return _liaisons(task)


def _task_url(task: Task) -> str:
    return reverse("coordination:task", args=[task.pk])


def _local(moment: dt.datetime) -> str:
    """A moment as the deployment's people read it: ``26-11-2024 18:00`` (local time)."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%d-%m-%Y %H:%M")


# --- templates ----------------------------------------------------------------------------------


def templates_seed(*, context: AuditContext) -> int:
    """Create the standing meeting templates that are missing (a data migration made them;
    this restores one deleted); returns how many were created. A second run creates none."""
    _require_coordinate(context)
    with transaction.atomic():
        created = seed_rows(MeetingTemplate)
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(action="coordination.template.create", obj=row, after=snapshot(row))
                for row in created
            ],
        )
    return len(created)


# --- meetings -----------------------------------------------------------------------------------


def meeting_create(
    *,
    context: AuditContext,
    title: str,
    held_at: dt.datetime,
    place: str,
    region: Region | str,
    chair: str = "",
    chair_agency: Agency | int | None = None,
    template: MeetingTemplate | int | None = None,
    agenda: list[str] | None = None,
    notes: str = "",
    attendees: Mapping[int, str] | None = None,
) -> Meeting:
    """Record a coordination meeting and who attended for each agency. Started from a template,
    the meeting takes the template's agenda unless ``agenda`` is given, and its name as the
    title when none is."""
    _require_coordinate(context)
    region_row = _region(context, region)
    _require_coordinate(context, region_row.code)
    template_row = None
    if template not in (None, ""):
        pk = template.pk if isinstance(template, MeetingTemplate) else template
        template_row = MeetingTemplate.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if template_row is None:
            raise CoordinationError(
                _("Templat rapat %(id)s tidak dikenal.") % {"id": pk}, field="template"
            )
    if not (title or "").strip() and template_row is not None:
        title = template_row.name
    cleaned = {
        "title": _text(title, field="title", label=_("Judul"), required=True, limit=TITLE_MAX),
        "held_at": _moment(held_at, field="held_at", label=_("Waktu rapat")),
        "place": _text(place, field="place", label=_("Tempat"), required=True, limit=PLACE_MAX),
        "region": region_row,
        "chair": _text(chair, field="chair", label=_("Pimpinan rapat"), required=False, limit=200),
        "chair_agency": (
            _agency(context, chair_agency, field="chair_agency")
            if chair_agency not in (None, "")
            else None
        ),
        "template": template_row,
        "agenda": (
            _agenda(agenda)
            if agenda is not None
            else list(template_row.agenda if template_row else [])
        ),
        "notes": _text(notes, field="notes", label=_("Notulen"), required=False),
    }
    present: dict[int, tuple[Agency, str]] = {}
    for key, people in (attendees or {}).items():
        agency = _agency(context, key, field="attendees")
        present[agency.pk] = (
            agency,
            _text(people, field="attendees", label=_("Yang hadir"), required=False),
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(**cleaned, created_by=context.user, created_at=clock.now())
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, agency=agency, people=people)
            for agency, people in present.values()
        )
        audit_record(
            context=context,
            action="coordination.meeting.create",
            obj=meeting,
            region_code=meeting.region_id,
            after=snapshot(meeting)
            | {"attendance": {str(pk): people for pk, (_a, people) in present.items()}},
        )
    return meeting


# --- decisions ----------------------------------------------------------------------------------


def decision_add(
    *,
    context: AuditContext,
    meeting: Meeting,
    text: str,
    tasks: Iterable[Mapping] = (),
) -> Decision:
    """Add the next numbered decision to a meeting, with the tasks that carry it out (each a
    dict of ``task_create``'s fields; the task's region defaults to the meeting's). All or
    nothing: a refused task (``field`` is ``tasks.<i>.<name>``) records no decision."""
    _require_coordinate(context, meeting.region_id)
    text = _text(text, field="text", label=_("Keputusan"), required=True)
    rows = list(tasks)
    with transaction.atomic():
        locked = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("region")
            .get(pk=meeting.pk)
        )
        last = locked.decisions.order_by("-number").values_list("number", flat=True).first()
        decision = Decision(meeting=locked, number=(last or 0) + 1, text=text)
        cleaned = [
            _clean_task(context, row, prefix=f"tasks.{i}.", decision=decision)
            for i, row in enumerate(rows)
        ]
        decision.save()
        audit_record(
            context=context,
            action="coordination.decision.add",
            obj=decision,
            region_code=locked.region_id,
            after=snapshot(decision),
        )
        for row in cleaned:
            _task_write(context, row | {"decision": decision})
    return decision


# --- tasks --------------------------------------------------------------------------------------


def task_create(
    *,
    context: AuditContext,
    title: str,
    agency: Agency | int,
    due_at: dt.datetime,
    priority: str = Priority.SEDANG,
    region: Region | str | None = None,
    decision: Decision | None = None,
    description: str = "",
    assignee: User | int | None = None,
    about_type: str = "",
    about_id: str = "",
    about_label: str = "",
    about_url: str = "",
) -> Task:
    """Create a task for an agency (the region defaults to the decision's meeting, else the
    agency's); its assignee, or else the agency's liaisons, are told."""
    _require_coordinate(context)
    if decision is not None:
        decision = Decision.objects.select_related("meeting").get(pk=decision.pk)
    data = dict(title=title, agency=agency, due_at=due_at, priority=priority, region=region)
    data |= dict(description=description, assignee=assignee, about_type=about_type)
    data |= dict(about_id=about_id, about_label=about_label, about_url=about_url)
    cleaned = _clean_task(context, data, decision=decision)
    _require_coordinate(context, cleaned["region"].code)
    with transaction.atomic():
        return _task_write(context, cleaned | {"decision": decision})


def _task_write(context: AuditContext, cleaned: dict) -> Task:
    """Insert one validated task with its first timeline entry, audit it and tell its owners."""
    user = context.user
    now = clock.now()
    task = Task.objects.create(**cleaned, created_by=user, created_at=now, updated_at=now)
    TaskEvent.objects.create(
        task=task, at=now, actor=user, kind=EventKind.CREATED, status_to=task.status
    )
    audit_record(
        context=context,
        action="coordination.task.create",
        obj=task,
        region_code=task.region_id,
        after=snapshot(task),
    )
    notify(
        recipients=_owners(task),
        kind="coordination.task.new",
        title=_("Tindak lanjut baru untuk %(agency)s: %(title)s")
        % {"agency": task.agency.name, "title": task.title},
        body=_("Batas waktu %(due)s. %(text)s")
        % {"due": _local(task.due_at), "text": task.description[:300]},
        url=_task_url(task),
        urgent=task.priority == Priority.MENDESAK,
        obj=task,
    )
    return task


def task_transition(*, context: AuditContext, task: Task, status: str, note: str = "") -> Task:
    """Move a task to ``status`` along ``TRANSITIONS``; ``terhambat`` and ``dibatalkan`` need a
    note saying why. Asking for the status it already has changes and records nothing."""
    status = _choice(status, TaskStatus, field="status", label=_("Status"))
    note = _text(note, field="note", label=_("Catatan"), required=False, limit=2000)
    user = context.user
    with transaction.atomic():
        row = Task.objects.select_for_update(of=("self",)).select_related("agency").get(pk=task.pk)
        if not may_change_status(user, row):
            raise PermissionDenied(
                _("Hanya %(agency)s sendiri atau sekretariat yang boleh mengubah status ini.")
                % {"agency": row.agency.name}
            )
        if status == TaskStatus.DIBATALKAN and user is not None and not may_assign(user, row):
            raise PermissionDenied(_("Hanya sekretariat yang boleh membatalkan tindak lanjut."))
        if status == row.status:
            return row  # a retried request changes nothing and records nothing
        if status not in TRANSITIONS[row.status]:
            raise CoordinationError(
                _("Status tidak dapat diubah dari “%(old)s” menjadi “%(new)s”.")
                % {"old": row.get_status_display(), "new": TaskStatus(status).label},
                field="status",
            )
        if status in NOTE_REQUIRED and not note:
            raise CoordinationError(
                _("Tuliskan alasannya bila tindak lanjut %(status)s.")
                % {"status": str(TaskStatus(status).label).lower()},
                field="note",
            )
        before = snapshot(row)
        now = clock.now()
        old = row.status
        row.status = status
        row.updated_at = now
        if status == TaskStatus.SELESAI:
            row.completed_at = now
        row.save()
        TaskEvent.objects.create(
            task=row,
            at=now,
            actor=user,
            kind=EventKind.STATUS,
            status_from=old,
            status_to=status,
            note=note,
        )
        audit_record(
            context=context,
            action="coordination.task.status",
            obj=row,
            region_code=row.region_id,
            before=before,
            after=snapshot(row),
        )
        if status == TaskStatus.TERHAMBAT:
            notify(
                recipients=_secretariat(row.region_id),
                kind="coordination.task.blocked",
                title=_("Tindak lanjut terhambat (%(agency)s): %(title)s")
                % {"agency": row.agency.name, "title": row.title},
                body=note,
                url=_task_url(row),
                obj=row,
            )
    return row


def task_assign(*, context: AuditContext, task: Task, assignee: User | int | None) -> Task:
    """Give the task to a person of its agency (``None`` gives it back to the agency)."""
    user = context.user
    with transaction.atomic():
        row = Task.objects.select_for_update(of=("self",)).select_related("agency").get(pk=task.pk)
        if not may_assign(user, row):
            raise PermissionDenied(_("Hanya sekretariat yang boleh menunjuk petugas."))
        if row.status in FINAL_STATUSES:
            raise CoordinationError(
                _("Tindak lanjut yang sudah %(status)s tidak dapat dialihkan.")
                % {"status": str(row.get_status_display()).lower()},
                field="assignee",
            )
        person = _assignee(assignee, row.agency)
        if (person.pk if person else None) == row.assignee_id:
            return row
        before = snapshot(row)
        now = clock.now()
        row.assignee = person
        row.updated_at = now
        row.save(update_fields=["assignee", "updated_at"])
        TaskEvent.objects.create(
            task=row,
            at=now,
            actor=user,
            kind=EventKind.ASSIGNED,
            note=str(person) if person else _("Dikembalikan ke instansi"),
        )
        audit_record(
            context=context,
            action="coordination.task.assign",
            obj=row,
            region_code=row.region_id,
            before=before,
            after=snapshot(row),
        )
        if person is not None:
            notify(
                recipients=[person],
                kind="coordination.task.assigned",
                title=_("Anda ditunjuk untuk tindak lanjut: %(title)s") % {"title": row.title},
                body=_("Batas waktu %(due)s.") % {"due": _local(row.due_at)},
                url=_task_url(row),
                obj=row,
            )
    return row


def task_comment(*, context: AuditContext, task: Task, note: str) -> TaskEvent:
    """Add a comment to the task's timeline (whoever may move its status may comment)."""
    note = _text(note, field="note", label=_("Komentar"), required=True, limit=2000)
    user = context.user
    if not may_change_status(user, task):
        raise PermissionDenied(_("Anda tidak berwenang menanggapi tindak lanjut ini."))
    with transaction.atomic():
        event = TaskEvent.objects.create(
            task=task, at=clock.now(), actor=user, kind=EventKind.COMMENT, note=note
        )
        audit_record(
            context=context,
            action="coordination.task.comment",
            obj=task,
            region_code=task.region_id,
            after={"note": note},
        )
    return event


# --- the sweep ----------------------------------------------------------------------------------


def remind_hours() -> int:
    """``SIAGA_TASK_REMIND_HOURS``: how long before the due time the owners are reminded."""
    return int(getattr(settings, "SIAGA_TASK_REMIND_HOURS", DEFAULT_REMIND_HOURS))


def tasks_sweep(*, now: dt.datetime | None = None, context: AuditContext | None = None) -> dict:
    """Remind the owners of open tasks due within ``SIAGA_TASK_REMIND_HOURS`` (once each) and
    escalate open tasks past their due time (once each, urgent) to the agency's head and the
    secretariat. Returns ``{"reminded": n, "escalated": n}``; run it every few minutes."""
    now = now or clock.now()
    context = context or AuditContext(channel="system")
    horizon = now + dt.timedelta(hours=remind_hours())
    open_q = Q(status__in=OPEN_STATUSES)
    due_soon = Task.objects.filter(
        open_q, reminded_at__isnull=True, due_at__gte=now, due_at__lte=horizon
    )
    late = Task.objects.filter(open_q, escalated_at__isnull=True, due_at__lt=now)
    reminded = sum(_remind(context, pk, now) for pk in due_soon.values_list("pk", flat=True))
    escalated = sum(_escalate(context, pk, now) for pk in late.values_list("pk", flat=True))
    return {"reminded": reminded, "escalated": escalated}


def _remind(context: AuditContext, pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("agency", "assignee")
            .filter(pk=pk, reminded_at__isnull=True, status__in=OPEN_STATUSES)
            .first()
        )
        if task is None:  # another sweep took it, or it was closed meanwhile
            return False
        before = snapshot(task)
        task.reminded_at = now
        task.save(update_fields=["reminded_at"])
        recipients = _owners(task)
        TaskEvent.objects.create(
            task=task,
            at=now,
            kind=EventKind.REMINDED,
            note=", ".join(str(u) for u in recipients) or _("tidak ada penerima"),
        )
        audit_record(
            context=context,
            action="coordination.task.remind",
            obj=task,
            region_code=task.region_id,
            before=before,
            after=snapshot(task),
        )
        notify(
            recipients=recipients,
            kind="coordination.task.reminder",
            title=_("Pengingat: tindak lanjut “%(title)s” jatuh tempo %(due)s")
            % {"title": task.title, "due": _local(task.due_at)},
            body=_("Status sekarang: %(status)s.") % {"status": task.get_status_display()},
            url=_task_url(task),
            obj=task,
        )
    return True


def _escalate(context: AuditContext, pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("agency__head")
            .filter(pk=pk, escalated_at__isnull=True, status__in=OPEN_STATUSES)
            .first()
        )
        if task is None:
            return False
        before = snapshot(task)
        task.escalated_at = now
        task.save(update_fields=["escalated_at"])
        recipients = _secretariat(task.region_id)
        head = task.agency.head
        if head is not None and head.is_active:
            recipients.insert(0, head)
        TaskEvent.objects.create(
            task=task,
            at=now,
            kind=EventKind.ESCALATED,
            note=_("Melewati batas waktu %(due)s.") % {"due": _local(task.due_at)},
        )
        audit_record(
            context=context,
            action="coordination.task.escalate",
            obj=task,
            region_code=task.region_id,
            before=before,
            after=snapshot(task),
        )
        notify(
            recipients=recipients,
            kind="coordination.task.escalated",
            title=_("ESKALASI: tindak lanjut %(agency)s melewati batas waktu: %(title)s")
            % {"agency": task.agency.name, "title": task.title},
            body=_("Batas waktu %(due)s; status %(status)s.")
            % {"due": _local(task.due_at), "status": task.get_status_display()},
            url=_task_url(task),
            urgent=True,
            obj=task,
        )
    return True
