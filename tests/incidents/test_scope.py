"""Who sees which report (selectors.incidents_visible) and who learns who reported it."""

from __future__ import annotations

import pytest

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.incidents import selectors
from siaga.incidents.choices import State
from siaga.incidents.models import Category, Incident
from tests.factories import UserFactory


def paser_report(inc) -> Incident:
    """A report of another regency (only the ORM can put it there: submit refuses it)."""
    now = clock.now()
    return Incident.objects.create(
        ticket="LK-PASER1",
        channel="web",
        category=Category.objects.get(code="politik-uang"),
        description="Amplop di Kasungai",
        occurred_at=now,
        received_at=now,
        region=inc.world.desa_other,
        tps=inc.world.tps["64.01.01.2001"][0],
        severity="tinggi",
        state_changed_at=now,
    )


@pytest.fixture
def reports(inc, inc_report, world):
    money = inc_report(category="politik-uang")  # shared with bawaslu, polres
    violence = inc_report(category="kekerasan", tps_id=world.tps[world.desa_b1.code][0].pk)
    logistics = inc_report(category="logistik")  # shared with kpu
    by_monitor = inc_report(inc.monitor, channel="field", category="lainnya")  # no one
    paser = paser_report(inc)
    paser.shared_with.add(inc.agency.bawaslu, inc.agency.kodim)
    return {
        "money": money,
        "violence": violence,
        "logistics": logistics,
        "by_monitor": by_monitor,
        "paser": paser,
    }


def visible(user, reports) -> set[str]:
    tickets = set(selectors.incidents_visible(user=user).values_list("ticket", flat=True))
    return {name for name, r in reports.items() if r.ticket in tickets}


def test_the_secretariat_and_leadership_see_everything_in_their_scope(inc, reports):
    everything_here = {"money", "violence", "logistics", "by_monitor"}
    for user in (inc.analyst, inc.admin, inc.leader):
        assert visible(user, reports) == everything_here, user.username
    assert visible(inc.analyst_paser, reports) == {"paser"}


def test_a_kecamatan_scope_sees_only_its_kecamatan(inc, reports, world):
    busang = world.user(Role.LEADERSHIP, scope=[world.kec_b], username="inc-leader-busang")
    assert visible(busang, reports) == {"violence"}


def test_a_kodim_liaison_sees_only_what_is_assigned_or_shared_with_kodim(inc, reports):
    assert visible(inc.kodim, reports) == {"violence"}  # kekerasan routes to tni
    # Assigned (not yet shared): visible too.
    Incident.objects.filter(pk=reports["logistics"].pk).update(assigned_agency=inc.agency.kodim)
    assert visible(inc.kodim, reports) == {"violence", "logistics"}
    # Shared with Kodim but in Paser: never, the scope comes first.
    assert "paser" not in visible(inc.kodim, reports)
    assert visible(inc.bawaslu, reports) == {"money"}
    assert visible(inc.kpu, reports) == {"logistics"}


def test_a_report_shared_with_several_agencies_is_listed_once(inc, reports):
    reports["violence"].shared_with.add(inc.agency.kodim, inc.agency.kpu)
    Incident.objects.filter(pk=reports["violence"].pk).update(assigned_agency=inc.agency.kodim)
    tickets = list(selectors.incidents_visible(user=inc.kodim).values_list("ticket", flat=True))
    assert tickets.count(reports["violence"].ticket) == 1


def test_a_machine_client_sees_what_its_agency_sees(inc, reports, world):
    machine = UserFactory(
        username="inc-kodim-bot",
        role=Role.MACHINE,
        agency=inc.agency.kodim,
        scope=[world.regency],
    )
    assert visible(machine, reports) == {"violence"}
    orphan = UserFactory(
        username="inc-orphan-bot", role=Role.MACHINE, agency=None, scope=[world.regency]
    )
    assert visible(orphan, reports) == set()


def test_a_field_monitor_sees_only_their_own_reports(inc, reports):
    assert visible(inc.monitor, reports) == {"by_monitor"}


def test_nobody_without_a_scope_or_inactive_sees_anything(inc, reports, world):
    nowhere = world.user(Role.ANALYST, scope=[], username="inc-nowhere")
    assert visible(nowhere, reports) == set()
    inc.analyst.is_active = False
    inc.analyst.save()
    inc.analyst._siaga_actions = None
    assert visible(inc.analyst, reports) == set()


def test_incident_get_hides_what_is_out_of_scope(inc, reports):
    assert selectors.incident_get(user=inc.kodim, ticket=reports["violence"].ticket.lower())
    with pytest.raises(selectors.NotFound):
        selectors.incident_get(user=inc.kodim, ticket=reports["money"].ticket)
    with pytest.raises(selectors.NotFound):
        selectors.incident_get(user=inc.analyst, ticket="LK-PASER1")


def test_the_reporter_of_a_public_report_is_shown_only_to_the_secretariat(inc, inc_report):
    named = inc_report(reporter_name="Siti", reporter_contact="0812-555")
    anonymous = inc_report(anonymous=True, reporter_name="Siti")
    assert selectors.reporter_label(inc.analyst, named) == "Siti / 0812-555"
    assert selectors.reporter_label(inc.admin, named) == "Siti / 0812-555"
    for user in (inc.leader, inc.bawaslu, inc.polres):
        assert selectors.reporter_label(user, named) == "warga", user.username
        assert "Siti" not in selectors.reporter_label(user, named)
    for user in (inc.analyst, inc.leader, inc.bawaslu):
        assert selectors.reporter_label(user, anonymous) == "anonim"
    # An analyst of another regency may not learn the reporter either.
    assert selectors.reporter_label(inc.analyst_paser, named) == "warga"


def test_an_officers_name_is_shown_to_the_secretariat_and_to_themselves(inc, inc_report):
    inc.monitor.first_name, inc.monitor.last_name = "Bripka", "Andi"
    inc.monitor.save()
    report = inc_report(inc.monitor, channel="field")
    report = Incident.objects.select_related("reporter__agency").get(pk=report.pk)
    assert selectors.reporter_label(inc.analyst, report) == "Bripka Andi"
    assert selectors.reporter_label(inc.monitor, report) == "Bripka Andi"
    assert selectors.reporter_label(inc.bawaslu, report) == inc.world.agency.name


def test_duplicate_suggestions_stay_within_what_the_user_may_see(inc, inc_report, world):
    text = "Ada pembagian amplop berisi uang di dekat TPS 01"
    first = inc_report(description=text)
    second = inc_report(description=text + " pagi ini")
    rejected = inc_report(description=text)
    Incident.objects.filter(pk=rejected.pk).update(state=State.DITOLAK)
    other_category = inc_report(category="intimidasi", description=text)
    found = selectors.duplicate_suggestions(user=inc.analyst, incident=first)
    assert [i.pk for i, _ in found] == [second.pk]
    assert other_category.pk not in [i.pk for i, _ in found]
    # Kodim does not see the money reports, so it is offered none of them.
    Incident.objects.filter(pk=first.pk).update(assigned_agency=inc.agency.kodim)
    assert selectors.duplicate_suggestions(user=inc.kodim, incident=first) == []
    # Nothing is offered for a report already merged.
    Incident.objects.filter(pk=first.pk).update(state=State.DIGABUNG)
    first.refresh_from_db()
    assert selectors.duplicate_suggestions(user=inc.analyst, incident=first) == []


def test_filters_combine(inc, reports, inc_clock):
    qs = selectors.incidents_visible(user=inc.analyst)
    assert set(selectors.incidents_filter(qs, category="kekerasan")) == {reports["violence"]}
    assert set(selectors.incidents_filter(qs, region="64.08.06")) == {reports["violence"]}
    assert set(selectors.incidents_filter(qs, severity="kritis")) == {reports["violence"]}
    assert set(selectors.incidents_filter(qs, agency=inc.agency.kpu.pk)) == {reports["logistics"]}
    assert set(selectors.incidents_filter(qs, phase="masa_tenang")) == set(qs)
    Incident.objects.filter(pk=reports["money"].pk).update(state=State.SELESAI)
    assert reports["money"] not in set(selectors.incidents_filter(qs, open_only=True))
    assert set(selectors.incidents_filter(qs, state="selesai")) == {reports["money"]}
    later = inc_clock(hours=1)
    assert not selectors.incidents_filter(qs, since=later).exists()
