"""SLA escalation with a controllable clock (the deployment's clock offset)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.incidents.choices import EventKind
from siaga.incidents.models import Event, Incident
from siaga.incidents.services import incident_transition, sla_sweep
from siaga.notifications.models import Delivery, Notification


@pytest.fixture
def sla_hours(settings):
    settings.INCIDENT_SLA_HOURS = {"rendah": 72, "sedang": 24, "tinggi": 4, "kritis": 1}
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "telegram"]


def assigned(inc, inc_report, agency, **fields) -> Incident:
    incident = inc_report(inc.monitor, channel="field", **fields)
    for state, extra in (("diverifikasi", {}), ("ditindaklanjuti", {"agency": agency})):
        incident = incident_transition(
            context=AuditContext(actor=inc.analyst),
            user=inc.analyst,
            incident=incident,
            to_state=state,
            **extra,
        )
    return incident


def sweep() -> list[str]:
    return [i.ticket for i in sla_sweep(context=AuditContext.cli())]


def test_an_overdue_follow_up_is_escalated_once(inc, inc_report, inc_clock, sla_hours):
    late = assigned(inc, inc_report, inc.agency.polres, category="intimidasi")  # tinggi: 4 h
    on_time = assigned(inc, inc_report, inc.agency.polres, category="logistik")  # sedang: 24 h
    Notification.objects.all().delete()
    inc_clock(hours=3, minutes=59)
    assert sweep() == []
    inc_clock(minutes=2)
    assert sweep() == [late.ticket]

    late.refresh_from_db()
    assert late.escalated_at is not None
    assert late.state == "ditindaklanjuti"  # escalation does not change the state
    event = Event.objects.get(incident=late, kind=EventKind.ESCALATED)
    assert event.note == "Melewati batas waktu 4 jam."
    audit = AuditEvent.objects.get(action="incident.escalate")
    assert (audit.object_id, audit.channel, audit.region_code) == (
        str(late.pk),
        "cli",
        late.region_id,
    )
    told = set(
        Notification.objects.filter(kind="incident.escalated").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"kapolres", "inc-analyst", "inc-admin"}  # the head and the secretariat
    note = Notification.objects.filter(recipient=inc.kapolres).get()
    assert note.urgent and late.ticket in note.title and "Polres Kutai Timur" in note.title
    # Polres has no Telegram group: no group message.
    assert not Delivery.objects.filter(notification=None).exists()

    assert sweep() == []  # a second sweep does nothing
    assert Event.objects.filter(kind=EventKind.ESCALATED).count() == 1
    assert AuditEvent.objects.filter(action="incident.escalate").count() == 1
    on_time.refresh_from_db()
    assert on_time.escalated_at is None


def test_an_escalation_reaches_the_agency_telegram_group(inc, inc_report, inc_clock, sla_hours):
    late = assigned(inc, inc_report, inc.agency.kodim, category="kekerasan")  # kritis: 1 h
    Delivery.objects.all().delete()
    inc_clock(hours=1, minutes=1)
    assert sweep() == [late.ticket]
    group = Delivery.objects.get(notification=None)
    assert (group.channel, group.address, group.status) == ("telegram", "-100777", "pending")
    assert late.ticket in group.subject and "ESKALASI" in group.subject


def test_no_group_message_when_telegram_is_not_enabled(inc, inc_report, inc_clock, settings):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox"]
    late = assigned(inc, inc_report, inc.agency.kodim, category="kekerasan")
    inc_clock(hours=2)
    assert sweep() == [late.ticket]
    assert not Delivery.objects.exists()


def test_an_unverified_report_past_its_sla_is_escalated(inc, inc_report, inc_clock, sla_hours):
    critical = inc_report(category="kekerasan")  # kritis: 1 h to verify
    minor = inc_report(category="lainnya")  # rendah: 72 h
    verified = inc_report(category="kekerasan")
    inc_clock(minutes=30)
    verify(inc, verified)  # its SLA now counts from the verification, not from its receipt
    inc_clock(minutes=29)
    assert sweep() == []
    inc_clock(minutes=2)
    assert sweep() == [critical.ticket]
    note = Notification.objects.get(recipient=inc.analyst, kind="incident.escalated")
    assert "belum diverifikasi" in note.title
    assert not Notification.objects.filter(recipient=inc.kapolres).exists()  # no agency yet
    inc_clock(hours=72)
    assert sweep() == [minor.ticket, verified.ticket]
    assert sweep() == []


def verify(inc, incident) -> Incident:
    return incident_transition(
        context=AuditContext(actor=inc.analyst),
        user=inc.analyst,
        incident=incident,
        to_state="diverifikasi",
    )


def test_a_verified_report_left_unassigned_past_its_sla_is_escalated_once(
    inc, inc_report, inc_clock, sla_hours
):
    inc_clock(hours=2)  # received two hours ago: the time before verification does not count
    waiting = verify(inc, inc_report(category="intimidasi"))  # tinggi: 4 h to assign
    assigned_in_time = verify(inc, inc_report(category="intimidasi"))
    Notification.objects.all().delete()
    inc_clock(hours=3, minutes=59)
    incident_transition(
        context=AuditContext(actor=inc.analyst),
        user=inc.analyst,
        incident=assigned_in_time,
        to_state="ditindaklanjuti",
        agency=inc.agency.polres,
    )
    assert sweep() == []  # 3 h 59 min after the verification
    assert not Notification.objects.filter(kind="incident.escalated").exists()

    inc_clock(minutes=2)
    assert sweep() == [waiting.ticket]
    waiting.refresh_from_db()
    assert waiting.state == "diverifikasi" and waiting.assigned_agency is None
    assert waiting.escalated_at is not None
    event = Event.objects.get(incident=waiting, kind=EventKind.ESCALATED)
    assert event.note == "Melewati batas waktu 4 jam."
    audit = AuditEvent.objects.get(action="incident.escalate")
    assert audit.object_id == str(waiting.pk) and audit.after["state"] == "diverifikasi"
    told = Notification.objects.filter(kind="incident.escalated")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "inc-analyst",
        "inc-admin",
    }  # the secretariat (no agency, so no agency head)
    for note in told:
        assert note.urgent
        assert note.title == (
            f"ESKALASI: laporan {waiting.ticket} sudah diverifikasi tetapi belum ditindaklanjuti"
        )
    assert not Delivery.objects.filter(notification=None).exists()  # no agency group

    inc_clock(hours=3)  # (the other one's follow-up is not due yet)
    assert sweep() == []  # once only
    assert Event.objects.filter(kind=EventKind.ESCALATED).count() == 1
    assert told.count() == 2


def test_a_report_escalated_unverified_is_escalated_again_if_then_left_unassigned(
    inc, inc_report, inc_clock, sla_hours
):
    incident = inc_report(category="kekerasan")  # kritis: 1 h
    inc_clock(hours=1, minutes=1)
    assert sweep() == [incident.ticket]  # not verified in time
    verify(inc, incident)
    assert sweep() == []  # just verified: a new hour starts
    inc_clock(minutes=59)
    assert sweep() == []
    inc_clock(minutes=2)
    assert sweep() == [incident.ticket]  # verified, but not followed up in time
    assert sweep() == []
    titles = list(
        Notification.objects.filter(recipient=inc.analyst, kind="incident.escalated")
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert [("belum diverifikasi" in t, "belum ditindaklanjuti" in t) for t in titles] == [
        (True, False),
        (False, True),
    ]


def test_reassignment_after_escalation_arms_the_sla_again(inc, inc_report, inc_clock, sla_hours):
    late = assigned(inc, inc_report, inc.agency.polres, category="intimidasi")
    inc_clock(hours=5)
    assert sweep() == [late.ticket]
    incident_transition(
        context=AuditContext(actor=inc.analyst),
        user=inc.analyst,
        incident=late,
        to_state="ditindaklanjuti",
        agency=inc.agency.kodim,
    )
    assert sweep() == []
    inc_clock(hours=5)
    assert sweep() == [late.ticket]


def test_closed_rejected_and_merged_reports_are_never_escalated(
    inc, inc_report, inc_clock, sla_hours
):
    for state in ("selesai", "ditolak", "digabung"):
        incident = inc_report(category="kekerasan")
        Incident.objects.filter(pk=incident.pk).update(state=state)
    inc_clock(days=10)
    assert sweep() == []


def test_the_sweep_command_escalates_and_reports_how_many(
    inc, inc_report, inc_clock, sla_hours, capsys
):
    late = assigned(inc, inc_report, inc.agency.polres, category="intimidasi")
    call_command("incidents", "sweep")
    assert capsys.readouterr().out.strip() == "0 reports escalated."
    inc_clock(hours=5)
    call_command("incidents", "sweep")
    assert capsys.readouterr().out.strip() == f"1 reports escalated: {late.ticket}."
    call_command("incidents", "sweep")
    assert capsys.readouterr().out.strip() == "0 reports escalated."
    assert AuditEvent.objects.get(action="incident.escalate").channel == "cli"


def test_the_sweep_loop_refuses_a_nonsense_interval(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("incidents", "sweep", "--loop", "0")
