"""The verification workflow: every (from, to) pair for every role, with its side effects."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.incidents.choices import EventKind, State
from siaga.incidents.models import Event, Incident
from siaga.incidents.services import IncidentError, allowed_transitions, incident_transition
from siaga.notifications.models import Delivery, Notification

ROLES = ["analyst", "admin", "leader", "liaison_assigned", "liaison_other", "monitor"]


def actor(inc, role: str):
    return {
        "analyst": inc.analyst,
        "admin": inc.admin,
        "leader": inc.leader,
        "liaison_assigned": inc.polres,
        "liaison_other": inc.kodim,
        "monitor": inc.monitor,
    }[role]


# The allowed moves, written down here from the issue and the diagram of docs/incidents.md (never
# read from the code's own table, so that a wrong table fails this test):
#   diterima -> diverifikasi | ditolak (with a reason) | digabung;
#   diverifikasi -> ditindaklanjuti (assigned, the SLA starts) | ditolak | digabung (a duplicate
#     may be found after verification; the API documents it);
#   ditindaklanjuti -> ditindaklanjuti (reassigned) | selesai (with the outcome) | digabung;
#   ditolak -> diterima (reopened); selesai and digabung are final.
# The TP3D secretariat (analysts, administrators) makes every one of them.
SECRETARIAT_MOVES = {
    ("diterima", "diverifikasi"),
    ("diterima", "ditolak"),
    ("diterima", "digabung"),
    ("diverifikasi", "ditindaklanjuti"),
    ("diverifikasi", "ditolak"),
    ("diverifikasi", "digabung"),
    ("ditindaklanjuti", "ditindaklanjuti"),
    ("ditindaklanjuti", "selesai"),
    ("ditindaklanjuti", "digabung"),
    ("ditolak", "diterima"),
}
# The assigned agency's liaisons only report the outcome.
ASSIGNED_AGENCY_MOVES = {("ditindaklanjuti", "selesai")}
# Leadership, the liaisons of other agencies and field monitors move nothing.
ALLOWED_MOVES = {
    "analyst": SECRETARIAT_MOVES,
    "admin": SECRETARIAT_MOVES,
    "liaison_assigned": ASSIGNED_AGENCY_MOVES,
    "leader": set(),
    "liaison_other": set(),
    "monitor": set(),
}
assert set(ALLOWED_MOVES) == set(ROLES)


def expected_allowed(role: str, from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in ALLOWED_MOVES[role]


def in_state(inc, inc_report, state: str) -> Incident:
    """A fresh report of the monitor's TPS put in ``state`` (assigned to Polres when it was
    followed up), with a second report to merge into."""
    incident = inc_report(inc.monitor, channel="field", category="intimidasi")
    updates = {"state": state}
    if state in (State.DITINDAKLANJUTI, State.SELESAI):
        updates.update(
            assigned_agency=inc.agency.polres, sla_due_at=clock.now() + dt.timedelta(hours=4)
        )
    if state == State.DITOLAK:
        updates["reject_reason"] = "Tidak terbukti"
    if state == State.DIGABUNG:
        updates["merged_into"] = inc_report(category="intimidasi")
    Incident.objects.filter(pk=incident.pk).update(**updates)
    incident.refresh_from_db()
    if state in (State.DITINDAKLANJUTI, State.SELESAI):
        incident.shared_with.add(inc.agency.polres)
    return incident


def state_of(incident: Incident) -> dict:
    fresh = Incident.objects.get(pk=incident.pk)
    return {
        "state": fresh.state,
        "state_changed_at": fresh.state_changed_at,
        "reject_reason": fresh.reject_reason,
        "outcome": fresh.outcome,
        "assigned_agency": fresh.assigned_agency_id,
        "sla_due_at": fresh.sla_due_at,
        "merged_into": fresh.merged_into_id,
        "shared_with": sorted(fresh.shared_with.values_list("pk", flat=True)),
        "events": Event.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("from_state", State.values)
def test_every_transition_for_every_role(
    inc, inc_report, settings, django_capture_on_commit_callbacks, role, from_state
):
    settings.INCIDENT_SLA_HOURS = {"rendah": 72, "sedang": 24, "tinggi": 5, "kritis": 1}
    user = actor(inc, role)
    problems = []
    for to_state in State.values:
        incident = in_state(inc, inc_report, from_state)
        target = inc_report(category="intimidasi")
        before = state_of(incident)
        allowed = expected_allowed(role, from_state, to_state)
        assert (to_state in allowed_transitions(user, incident)) == allowed, to_state
        started = clock.now()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                result = incident_transition(
                    context=AuditContext(actor=user, channel="test"),
                    user=user,
                    incident=incident,
                    to_state=to_state,
                    note="Catatan petugas",
                    agency=inc.agency.kodim,
                    merge_into=target,
                )
        except (IncidentError, PermissionDenied) as exc:
            if allowed:
                problems.append(f"{from_state}->{to_state} refused: {exc}")
            elif state_of(incident) != before:
                problems.append(f"{from_state}->{to_state} refused but changed the report")
            elif isinstance(exc, IncidentError) and (from_state, to_state) in SECRETARIAT_MOVES:
                problems.append(f"{from_state}->{to_state}: a role refusal must be 403-like")
            continue
        if not allowed:
            problems.append(f"{from_state}->{to_state} allowed for {role}")
            continue
        check_side_effects(inc, incident, result, before, from_state, to_state, user, started)
    assert problems == []


def check_side_effects(inc, incident, result, before, from_state, to_state, user, started):
    fresh = Incident.objects.get(pk=incident.pk)
    assert result.pk == fresh.pk
    assert fresh.state == to_state
    assert started <= fresh.state_changed_at <= clock.now()
    event = Event.objects.filter(incident=fresh).order_by("-pk").first()
    assert event.from_state == from_state and event.to_state == to_state
    assert event.actor == user and event.actor_label == user.username
    audit = AuditEvent.objects.filter(action=f"incident.{to_state}").order_by("-seq").first()
    assert audit is not None and audit.object_id == str(fresh.pk)
    assert audit.before["state"] == from_state and audit.after["state"] == to_state
    assert audit.actor == user and audit.region_code == fresh.region_id
    if to_state == State.DITOLAK:
        assert fresh.reject_reason == "Catatan petugas"
        assert audit.after["reject_reason"] == "Catatan petugas"
    if to_state == State.DITINDAKLANJUTI:
        assert event.kind == EventKind.ASSIGNED
        assert event.note.startswith("Kodim 0909")
        assert fresh.assigned_agency == inc.agency.kodim
        assert inc.agency.kodim in fresh.shared_with.all()
        hours = dt.timedelta(hours=5)  # tinggi, as set in settings for this test
        assert started + hours <= fresh.sla_due_at <= clock.now() + hours
        assert fresh.escalated_at is None
        assert audit.after["assigned_agency_id"] == inc.agency.kodim.pk
        # The agency's liaisons are told, and its Telegram group (when Telegram is on).
        assert Notification.objects.filter(
            recipient=inc.kodim, kind="incident.assigned", object_id=str(fresh.pk)
        ).exists()
    if to_state == State.SELESAI:
        assert fresh.outcome == "Catatan petugas"
    if to_state == State.DIGABUNG:
        assert event.kind == EventKind.MERGED
        assert fresh.merged_into is not None
        assert Event.objects.filter(incident=fresh.merged_into, kind=EventKind.MERGED).exists()
    if to_state == State.DITERIMA:
        assert fresh.reject_reason == ""
    if to_state not in (State.DITINDAKLANJUTI,):
        assert sorted(fresh.shared_with.values_list("pk", flat=True)) == before["shared_with"]


# --- the rules of single transitions ---------------------------------------------------------


@pytest.fixture
def report(inc, inc_report):
    return inc_report(inc.monitor, channel="field", category="intimidasi")


def move(inc, incident, to_state, *, user=None, **extra):
    user = user or inc.analyst
    return incident_transition(
        context=AuditContext(actor=user), user=user, incident=incident, to_state=to_state, **extra
    )


def refused(inc, incident, to_state, field, **extra):
    before = state_of(incident)
    with pytest.raises(IncidentError) as error:
        move(inc, incident, to_state, **extra)
    assert error.value.field == field, str(error.value)
    assert state_of(incident) == before


def test_rejecting_needs_a_reason_and_closing_needs_the_outcome(inc, report):
    refused(inc, report, "ditolak", "note", note="   ")
    move(inc, report, "diverifikasi")
    move(inc, report, "ditindaklanjuti", agency=inc.agency.polres)
    refused(inc, report, "selesai", "note", note="", user=inc.polres)
    done = move(inc, report, "selesai", note="Pelaku diamankan", user=inc.polres)
    assert (done.state, done.outcome) == ("selesai", "Pelaku diamankan")
    assert allowed_transitions(inc.analyst, done) == []


def test_following_up_needs_an_agency_of_the_reports_region(inc, report):
    move(inc, report, "diverifikasi")
    refused(inc, report, "ditindaklanjuti", "agency")
    refused(inc, report, "ditindaklanjuti", "agency", agency=inc.agency.polres_paser)


def test_an_unknown_state_is_refused(inc, report):
    refused(inc, report, "dibakar", "state")


def test_a_transition_out_of_a_final_state_is_refused(inc, report):
    move(inc, report, "ditolak", note="Bukan kejadian pemilu")
    refused(inc, report, "diverifikasi", "state")


def test_reopening_a_rejected_report(inc, report):
    move(inc, report, "ditolak", note="Bukan kejadian pemilu")
    reopened = move(inc, report, "diterima", note="Ada saksi baru")
    assert (reopened.state, reopened.reject_reason) == ("diterima", "")
    assert move(inc, reopened, "diverifikasi").state == "diverifikasi"
    kinds = list(report.events.values_list("from_state", "to_state"))
    assert kinds == [
        ("", "diterima"),
        ("diterima", "ditolak"),
        ("ditolak", "diterima"),
        ("diterima", "diverifikasi"),
    ]


def test_reassigning_restarts_the_sla_and_keeps_both_agencies_informed(
    inc, report, inc_clock, settings
):
    settings.INCIDENT_SLA_HOURS = {"rendah": 72, "sedang": 24, "tinggi": 4, "kritis": 1}
    move(inc, report, "diverifikasi")
    move(inc, report, "ditindaklanjuti", agency=inc.agency.polres)
    Incident.objects.filter(pk=report.pk).update(escalated_at=clock.now())
    later = inc_clock(hours=3)
    again = move(inc, report, "ditindaklanjuti", agency=inc.agency.kodim, note="Butuh TNI")
    assert again.assigned_agency == inc.agency.kodim
    assert again.escalated_at is None
    assert abs((again.sla_due_at - (later + dt.timedelta(hours=4))).total_seconds()) < 5
    assert {"polres", "kodim"} <= set(again.shared_with.values_list("code", flat=True))


def test_merging_into_itself_is_refused(inc, report):
    refused(inc, report, "digabung", "merge_into", merge_into=report)
    refused(inc, report, "digabung", "merge_into")


def test_merging_follows_a_chain_to_its_root(inc, inc_report, report):
    kept = inc_report(category="intimidasi")
    middle = inc_report(category="intimidasi")
    move(inc, middle, "digabung", merge_into=kept)
    merged = move(inc, report, "digabung", merge_into=middle)
    assert merged.merged_into == kept
    assert Event.objects.filter(incident=kept, kind=EventKind.MERGED).count() == 2
    # A report cannot be merged into one merged into it (a cycle).
    refused(inc, kept, "digabung", "merge_into", merge_into=middle)


def test_a_merged_report_cannot_move_again(inc, inc_report, report):
    move(inc, report, "digabung", merge_into=inc_report(category="intimidasi"))
    for state in State.values:
        with pytest.raises(IncidentError):
            move(inc, report, state, note="x", agency=inc.agency.polres)


def test_an_analyst_of_another_regency_may_not_move_the_report(inc, report):
    assert allowed_transitions(inc.analyst_paser, report) == []
    with pytest.raises(PermissionDenied):
        move(inc, report, "diverifikasi", user=inc.analyst_paser)


def test_a_kecamatan_analyst_triages_only_in_their_kecamatan(inc, report, world):
    busang = world.user(Role.ANALYST, scope=[world.kec_b], username="inc-analyst-busang")
    sangatta = world.user(Role.ANALYST, scope=[world.kec_a], username="inc-analyst-sangatta")
    assert allowed_transitions(busang, report) == []
    assert allowed_transitions(sangatta, report) == ["diverifikasi", "ditolak", "digabung"]


def test_assignment_tells_the_agency_group_on_telegram_only_when_enabled(
    inc, inc_report, settings, django_capture_on_commit_callbacks
):
    for channels, expected in ((["inbox"], 0), (["inbox", "telegram"], 1)):
        settings.SIAGA_NOTIFY_CHANNELS = channels
        Delivery.objects.all().delete()
        incident = inc_report(inc.monitor, channel="field", category="intimidasi")
        move(inc, incident, "diverifikasi")
        with django_capture_on_commit_callbacks(execute=True):
            move(inc, incident, "ditindaklanjuti", agency=inc.agency.kodim)
        group = Delivery.objects.filter(channel="telegram", address="-100777")
        assert group.count() == expected, channels
        if expected:
            assert incident.ticket in group.get().subject
