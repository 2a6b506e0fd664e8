"""Coordination services: meetings from a template, numbered decisions creating tasks, the task
lifecycle (allowed and refused moves, reasons required), who may move what, and the sweep that
reminds once before the due time and escalates once when overdue."""

from __future__ import annotations

import pytest
from django.test import override_settings

from siaga.coordination import services
from siaga.coordination.choices import EventKind, TaskStatus
from siaga.coordination.models import Decision, MeetingTemplate, Task, TaskEvent
from siaga.core.errors import PermissionDenied
from siaga.notifications.models import Notification
from tests.coordination.conftest import SYSTEM, as_user, audit_count, wita

CoordinationError = services.CoordinationError


def _task(cw, agency=None, *, due=None, **extra) -> Task:
    return services.task_create(
        context=SYSTEM,
        title="Kirim rekap logistik",
        agency=agency or cw.kpu,
        due_at=due or wita(2024, 11, 26, 18),
        **extra,
    )


def _inbox(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


# --- templates and meetings ---------------------------------------------------------------------


def test_the_standing_template_is_seeded_once_with_the_five_fronts(cw):
    template = MeetingTemplate.objects.get(name="Rakor TP3D jelang pemungutan suara")
    assert template.agenda == [
        "Logistik pemilihan",
        "Media sosial",
        "Pengawasan TPS",
        "Keamanan",
        "Kesiapan pasca pemungutan suara",
    ]
    assert services.templates_seed(context=SYSTEM) == 0  # the migration made it
    template.delete()
    assert services.templates_seed(context=SYSTEM) == 1
    assert audit_count("coordination.template.create") == 1
    assert services.templates_seed(context=SYSTEM) == 0


def test_a_meeting_from_a_template_takes_its_agenda_name_and_attendance(cw):
    template = MeetingTemplate.objects.get()
    meeting = services.meeting_create(
        context=as_user(cw.analyst),
        title="",
        held_at=wita(2024, 11, 21, 9),
        place="Kantor Bupati",
        region="64.08",
        template=template,
        attendees={cw.kpu.pk: "Ketua KPU", cw.polres.pk: "Kapolres"},
    )
    assert meeting.title == template.name and meeting.agenda == template.agenda
    assert meeting.created_by == cw.analyst
    assert dict(meeting.attendance.values_list("agency__code", "people")) == {
        "kpu": "Ketua KPU",
        "polres": "Kapolres",
    }
    assert audit_count("coordination.meeting.create") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"place": " "}, "place"),
        ({"held_at": None}, "held_at"),
        ({"region": "64.01"}, "region"),  # Paser: outside the analyst's scope
        ({"attendees": {999999: "?"}}, "attendees"),
        ({"template": 999999}, "template"),
    ],
)
def test_a_bad_meeting_is_refused_naming_the_field(cw, change, field):
    data = dict(title="Rakor", held_at=wita(2024, 11, 21, 9), place="Sangatta", region="64.08")
    with pytest.raises(CoordinationError) as caught:
        services.meeting_create(context=as_user(cw.analyst), **(data | change))
    assert caught.value.field == field
    assert audit_count() == 0


def test_only_the_secretariat_records_meetings(cw):
    data = dict(title="Rakor", held_at=wita(2024, 11, 21, 9), place="Sangatta", region="64.08")
    for user in (cw.liaison, cw.leadership, cw.kpu_liaison):
        with pytest.raises(PermissionDenied):
            services.meeting_create(context=as_user(user), **data)


def _meeting(cw, user=None):
    return services.meeting_create(
        context=as_user(user or cw.analyst),
        title="Rakor TP3D",
        held_at=wita(2024, 11, 21, 9),
        place="Sangatta",
        region="64.08",
    )


def test_decisions_are_numbered_and_create_their_tasks_in_the_meetings_region(cw):
    meeting = _meeting(cw)
    first = services.decision_add(context=as_user(cw.analyst), meeting=meeting, text="Satu")
    second = services.decision_add(
        context=as_user(cw.analyst),
        meeting=meeting,
        text="Logistik tiba H-1",
        tasks=[
            {"title": "Distribusi", "agency": cw.kpu, "due_at": wita(2024, 11, 26, 18)},
            {
                "title": "Pengawalan",
                "agency": cw.polres.pk,
                "due_at": wita(2024, 11, 26, 12),
                "priority": "mendesak",
            },
        ],
    )
    assert (first.number, second.number) == (1, 2)
    tasks = list(second.tasks.order_by("pk"))
    assert [(t.agency.code, t.region_id, t.priority) for t in tasks] == [
        ("kpu", "64.08", "sedang"),
        ("polres", "64.08", "mendesak"),
    ]
    assert audit_count("coordination.decision.add") == 2
    assert audit_count("coordination.task.create") == 2
    # The agencies' liaisons are told (nobody assigned yet).
    assert len(_inbox(cw.kpu_liaison, "coordination.task.new")) == 1
    assert len(_inbox(cw.polres_liaison, "coordination.task.new")) == 1


def test_a_refused_task_records_no_decision_and_names_the_row(cw):
    meeting = _meeting(cw)
    with pytest.raises(CoordinationError) as caught:
        services.decision_add(
            context=as_user(cw.analyst),
            meeting=meeting,
            text="Logistik",
            tasks=[
                {"title": "A", "agency": cw.kpu, "due_at": wita(2024, 11, 26, 18)},
                {"title": "B", "agency": cw.kpu, "due_at": wita(2024, 11, 26, 18).replace(
                    tzinfo=None
                )},
            ],
        )  # fmt: skip
    assert caught.value.field == "tasks.1.due_at"
    assert "zona waktu" in str(caught.value)
    assert Decision.objects.count() == 0 and Task.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"agency": 999999}, "agency"),
        ({"priority": "penting"}, "priority"),
        ({"about_type": "hoaks"}, "about_type"),
        ({"about_id": "LK-1"}, "about_type"),  # a link needs to say what it links to
        ({"about_type": "incident", "about_url": "javascript:alert(1)"}, "about_url"),
        ({"region": "64.01.01"}, "region"),
    ],
)
def test_a_bad_task_is_refused_naming_the_field(cw, change, field):
    data = dict(title="Distribusi", agency=cw.kpu, due_at=wita(2024, 11, 26, 18))
    with pytest.raises(CoordinationError) as caught:
        services.task_create(context=as_user(cw.analyst), **(data | change))
    assert caught.value.field == field


def test_an_agency_outside_the_scope_reads_as_unknown(cw):
    with pytest.raises(CoordinationError) as caught:
        services.task_create(
            context=as_user(cw.analyst),
            title="X",
            agency=cw.polres_paser,
            due_at=wita(2024, 11, 26, 18),
        )
    assert caught.value.field == "agency" and "tidak dikenal" in str(caught.value)


def test_the_assignee_must_belong_to_the_tasks_agency(cw):
    with pytest.raises(CoordinationError) as caught:
        _task(cw, cw.kpu, assignee=cw.polres_liaison)
    assert caught.value.field == "assignee"
    task = _task(cw, cw.polres, assignee=cw.polres_liaison)
    assert task.assignee == cw.polres_liaison
    # Only the assignee is told, not every liaison of the agency.
    assert len(_inbox(cw.polres_liaison, "coordination.task.new")) == 1
    assert _inbox(cw.polres_liaison_kec, "coordination.task.new") == []


def test_a_task_links_to_what_it_follows_up(cw):
    task = _task(
        cw,
        about_type="incident",
        about_id="LK-ABC123",
        about_label="Intimidasi di TPS 03",
        about_url="/insiden/LK-ABC123/",
    )
    assert (task.about_type, task.about_id, task.about_url) == (
        "incident",
        "LK-ABC123",
        "/insiden/LK-ABC123/",
    )


# --- lifecycle ----------------------------------------------------------------------------------


def test_a_task_moves_through_work_to_done_with_a_timeline_and_audit(cw):
    task = _task(cw)
    services.task_transition(context=as_user(cw.kpu_liaison), task=task, status="dikerjakan")
    services.task_transition(
        context=as_user(cw.kpu_liaison), task=task, status="terhambat", note="Jalan putus"
    )
    services.task_transition(context=as_user(cw.kpu_liaison), task=task, status="dikerjakan")
    done = services.task_transition(context=as_user(cw.kpu_liaison), task=task, status="selesai")
    assert done.status == TaskStatus.SELESAI and done.completed_at is not None
    steps = list(
        TaskEvent.objects.filter(task=task, kind=EventKind.STATUS).values_list(
            "status_from", "status_to", "note"
        )
    )
    assert steps == [
        ("baru", "dikerjakan", ""),
        ("dikerjakan", "terhambat", "Jalan putus"),
        ("terhambat", "dikerjakan", ""),
        ("dikerjakan", "selesai", ""),
    ]
    assert audit_count("coordination.task.status") == 4
    # The block was reported to the secretariat.
    assert len(_inbox(cw.analyst, "coordination.task.blocked")) == 1


@pytest.mark.parametrize("final", ["selesai", "dibatalkan"])
def test_final_statuses_are_final(cw, final):
    task = _task(cw)
    services.task_transition(context=SYSTEM, task=task, status=final, note="Tidak diperlukan")
    for status in ("baru", "dikerjakan", "terhambat"):
        with pytest.raises(CoordinationError) as caught:
            services.task_transition(context=SYSTEM, task=task, status=status, note="x")
        assert caught.value.field == "status"


def test_nothing_goes_back_to_baru(cw):
    task = _task(cw)
    services.task_transition(context=SYSTEM, task=task, status="dikerjakan")
    with pytest.raises(CoordinationError, match="tidak dapat diubah"):
        services.task_transition(context=SYSTEM, task=task, status="baru")


@pytest.mark.parametrize("status", ["terhambat", "dibatalkan"])
def test_blocking_or_cancelling_needs_a_reason(cw, status):
    task = _task(cw)
    with pytest.raises(CoordinationError) as caught:
        services.task_transition(context=as_user(cw.analyst), task=task, status=status, note=" ")
    assert caught.value.field == "note" and "alasan" in str(caught.value)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.BARU


def test_an_unknown_status_is_refused(cw):
    with pytest.raises(CoordinationError) as caught:
        services.task_transition(context=SYSTEM, task=_task(cw), status="beres")
    assert caught.value.field == "status"


def test_asking_again_for_the_same_status_records_nothing(cw):
    task = _task(cw)
    services.task_transition(context=SYSTEM, task=task, status="dikerjakan")
    audits = audit_count()
    services.task_transition(context=SYSTEM, task=task, status="dikerjakan")
    assert audit_count() == audits
    assert TaskEvent.objects.filter(task=task, kind=EventKind.STATUS).count() == 1


# --- who may ------------------------------------------------------------------------------------


def test_a_liaison_moves_its_own_agencys_tasks_only(cw):
    kpu_task, polres_task = _task(cw, cw.kpu), _task(cw, cw.polres)
    services.task_transition(context=as_user(cw.kpu_liaison), task=kpu_task, status="dikerjakan")
    with pytest.raises(PermissionDenied):
        services.task_transition(
            context=as_user(cw.kpu_liaison), task=polres_task, status="dikerjakan"
        )
    assert Task.objects.get(pk=polres_task.pk).status == TaskStatus.BARU


def test_a_liaison_may_not_cancel_nor_assign(cw):
    task = _task(cw, cw.kpu)
    with pytest.raises(PermissionDenied, match="sekretariat"):
        services.task_transition(
            context=as_user(cw.kpu_liaison), task=task, status="dibatalkan", note="Tidak perlu"
        )
    with pytest.raises(PermissionDenied):
        services.task_assign(context=as_user(cw.kpu_liaison), task=task, assignee=cw.kpu_liaison)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.BARU


def test_leadership_reads_but_does_not_move_tasks(cw):
    task = _task(cw, cw.polres)
    with pytest.raises(PermissionDenied):
        services.task_transition(context=as_user(cw.kapolres), task=task, status="dikerjakan")


def test_the_secretariat_moves_cancels_and_assigns_any_task_in_scope(cw):
    task = _task(cw, cw.polres)
    services.task_assign(context=as_user(cw.analyst), task=task, assignee=cw.polres_liaison_kec)
    assert Task.objects.get(pk=task.pk).assignee == cw.polres_liaison_kec
    assert len(_inbox(cw.polres_liaison_kec, "coordination.task.assigned")) == 1
    assert audit_count("coordination.task.assign") == 1
    services.task_transition(
        context=as_user(cw.analyst), task=task, status="dibatalkan", note="Digabung"
    )
    with pytest.raises(PermissionDenied):  # Paser's secretariat: not its region
        services.task_transition(
            context=as_user(cw.analyst_paser), task=_task(cw), status="dikerjakan"
        )


def test_a_kecamatan_analyst_may_not_move_a_regency_task(cw):
    with pytest.raises(PermissionDenied):
        services.task_transition(
            context=as_user(cw.analyst_kec), task=_task(cw), status="dikerjakan"
        )


# --- the sweep ----------------------------------------------------------------------------------


def test_a_reminder_goes_once_to_the_liaisons_a_day_before_the_due_time(cw):
    task = _task(cw, cw.kpu, due=wita(2024, 11, 26, 18))
    assert services.tasks_sweep(now=wita(2024, 11, 25, 17, 59)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert services.tasks_sweep(now=wita(2024, 11, 25, 18, 0)) == {"reminded": 1, "escalated": 0}
    assert services.tasks_sweep(now=wita(2024, 11, 26, 9, 0)) == {"reminded": 0, "escalated": 0}
    task.refresh_from_db()
    assert task.reminded_at == wita(2024, 11, 25, 18, 0)
    assert len(_inbox(cw.kpu_liaison, "coordination.task.reminder")) == 1
    assert _inbox(cw.polres_liaison, "coordination.task.reminder") == []
    assert audit_count("coordination.task.remind") == 1
    assert TaskEvent.objects.filter(task=task, kind=EventKind.REMINDED).count() == 1


def test_a_reminder_goes_to_the_assignee_when_there_is_one(cw):
    _task(cw, cw.polres, assignee=cw.polres_liaison_kec, due=wita(2024, 11, 26, 18))
    services.tasks_sweep(now=wita(2024, 11, 26, 8))
    assert len(_inbox(cw.polres_liaison_kec, "coordination.task.reminder")) == 1
    assert _inbox(cw.polres_liaison, "coordination.task.reminder") == []


@override_settings(SIAGA_TASK_REMIND_HOURS=2)
def test_the_reminder_lead_time_is_a_setting(cw):
    _task(cw, due=wita(2024, 11, 26, 18))
    assert services.tasks_sweep(now=wita(2024, 11, 26, 15, 59))["reminded"] == 0
    assert services.tasks_sweep(now=wita(2024, 11, 26, 16, 0))["reminded"] == 1


def test_an_overdue_task_is_escalated_once_to_the_head_and_the_secretariat(cw):
    task = _task(cw, cw.polres, due=wita(2024, 11, 26, 12))
    assert services.tasks_sweep(now=wita(2024, 11, 26, 12, 0))["escalated"] == 0
    assert services.tasks_sweep(now=wita(2024, 11, 26, 12, 1))["escalated"] == 1
    assert services.tasks_sweep(now=wita(2024, 11, 27, 12, 1))["escalated"] == 0
    escalated = Notification.objects.filter(kind="coordination.task.escalated")
    assert set(escalated.values_list("recipient__username", flat=True)) == {
        "kapolres",
        "admin",
        "analyst",
    }  # not Paser's analyst, not the kecamatan analyst (it may not act on a regency task)
    assert all(n.urgent for n in escalated)
    task.refresh_from_db()
    assert task.escalated_at == wita(2024, 11, 26, 12, 1)
    assert audit_count("coordination.task.escalate") == 1
    assert TaskEvent.objects.filter(task=task, kind=EventKind.ESCALATED).count() == 1


def test_closed_tasks_are_neither_reminded_nor_escalated(cw):
    done, cancelled = _task(cw), _task(cw)
    services.task_transition(context=SYSTEM, task=done, status="selesai")
    services.task_transition(context=SYSTEM, task=cancelled, status="dibatalkan", note="Batal")
    assert services.tasks_sweep(now=wita(2024, 11, 26, 10)) == {"reminded": 0, "escalated": 0}
    assert services.tasks_sweep(now=wita(2024, 11, 30, 10)) == {"reminded": 0, "escalated": 0}


def test_the_sweep_command_reports_what_it_did(cw, capsys):
    from django.core.management import call_command

    from tests.coordination.conftest import set_clock

    _task(cw, due=wita(2024, 11, 26, 18))
    set_clock(wita(2024, 11, 27, 9))
    call_command("coordination", "sweep")
    assert "0 tasks reminded, 1 escalated." in capsys.readouterr().out
    call_command("coordination", "seed")
    assert "0 meeting templates created." in capsys.readouterr().out
