"""The demo's coordination: the 21 November Rakor in Sangatta with its five decisions as tasks
to the right agencies, in the states of 24 November 10:00 WITA; loading again changes nothing."""

from siaga.accounts.choices import AgencyKind
from siaga.coordination.demo import MEETING_TITLE, coordination_demo_load
from siaga.coordination.models import Meeting, Task
from siaga.coordination.selectors import task_counts
from siaga.notifications.models import Notification
from tests.coordination.conftest import SYSTEM, audit_count, wita
from tests.factories import AgencyFactory

NOW = wita(2024, 11, 24, 10)


def test_the_demo_records_the_rakor_and_its_five_decisions_as_tasks(cw):
    AgencyFactory(code="kodim", name="Kodim 0909", kind=AgencyKind.TNI, region_id="64.08")
    AgencyFactory(code="bawaslu", name="Bawaslu Kutim", kind=AgencyKind.BAWASLU, region_id="64.08")
    AgencyFactory(code="diskominfo", name="Diskominfo", kind=AgencyKind.KOMINFO, region_id="64.08")
    summary = coordination_demo_load(context=SYSTEM, now=NOW)
    assert summary == {
        "meetings": 1,
        "decisions": 5,
        "tasks": 6,
        "transitions": 5,
        "escalated": 1,
    }
    meeting = Meeting.objects.get(title=MEETING_TITLE)
    assert meeting.held_at == wita(2024, 11, 21, 9) and "Sangatta" in meeting.place
    assert meeting.template.name == "Rakor TP3D jelang pemungutan suara"
    by_decision = {
        d.number: sorted(t.agency.kind for t in d.tasks.all())
        for d in meeting.decisions.prefetch_related("tasks__agency")
    }
    assert by_decision == {
        1: ["kpu"],
        2: ["kominfo"],
        3: ["bawaslu"],
        4: ["polri", "tni"],
        5: ["pemda"],
    }
    states = dict(Task.objects.values_list("agency__code", "status"))
    assert states == {
        "kpu": "dikerjakan",
        "diskominfo": "dikerjakan",
        "bawaslu": "terhambat",
        "polres": "dikerjakan",
        "kodim": "baru",
        "kesbangpol": "dikerjakan",
    }
    blocked = Task.objects.get(status="terhambat")
    assert "air surut" in blocked.events.get(status_to="terhambat").note
    assert task_counts(cw.analyst, now=NOW) == {
        "open": 6,
        "overdue": 1,
        "blocked": 1,
        "done_today": 0,
    }
    overdue = Task.objects.get(escalated_at__isnull=False)
    assert overdue.agency.code == "diskominfo"
    assert Notification.objects.filter(kind="coordination.task.escalated", urgent=True).exists()
    audits, notes = audit_count(), Notification.objects.count()
    again = coordination_demo_load(context=SYSTEM, now=NOW)
    assert set(again.values()) == {0}
    assert (audit_count(), Notification.objects.count()) == (audits, notes)


def test_a_missing_agency_leaves_its_task_out(cw):
    summary = coordination_demo_load(context=SYSTEM, now=NOW)
    # The small world has Kesbangpol, KPU, Polres (and Koramil Busang, a TNI agency).
    assert summary["decisions"] == 5
    assert sorted(Task.objects.values_list("agency__kind", flat=True)) == [
        "kpu",
        "pemda",
        "polri",
        "tni",
    ]
