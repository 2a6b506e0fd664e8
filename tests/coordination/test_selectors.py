"""Who sees which tasks and meetings: the secretariat every task in scope, an agency its own
queue, others none; the counts of the situation room."""

from __future__ import annotations

import pytest

from siaga.coordination import selectors, services
from tests.coordination.conftest import SYSTEM, wita


@pytest.fixture
def tasks(cw):
    def make(agency, region, due):
        return services.task_create(
            context=SYSTEM,
            title=f"{agency.code} {region}",
            agency=agency,
            due_at=due,
            region=region,
        )

    return {
        "kpu": make(cw.kpu, "64.08", wita(2024, 11, 26, 18)),
        "polres": make(cw.polres, "64.08", wita(2024, 11, 23, 12)),  # overdue at the clock
        "polres_busang": make(cw.polres, "64.08.06", wita(2024, 11, 26, 18)),
        "koramil": make(cw.koramil, "64.08.06", wita(2024, 11, 26, 18)),
        "paser": make(cw.polres_paser, "64.01", wita(2024, 11, 26, 18)),
    }


def _names(qs) -> set[str]:
    ids = set(qs.values_list("pk", flat=True))
    return ids


def test_the_secretariat_sees_every_task_in_its_scope(cw, tasks):
    seen = set(selectors.tasks_visible(cw.analyst).values_list("pk", flat=True))
    assert seen == {tasks[k].pk for k in ("kpu", "polres", "polres_busang", "koramil")}
    seen_kec = set(selectors.tasks_visible(cw.analyst_kec).values_list("pk", flat=True))
    # Regency tasks (on the way down to Sangatta Utara) but not Busang's.
    assert seen_kec == {tasks["kpu"].pk, tasks["polres"].pk}


def test_an_agency_sees_its_own_queue_in_its_scope(cw, tasks):
    assert set(selectors.tasks_visible(cw.polres_liaison).values_list("pk", flat=True)) == {
        tasks["polres"].pk,
        tasks["polres_busang"].pk,
    }
    assert set(selectors.tasks_visible(cw.polres_liaison_kec).values_list("pk", flat=True)) == {
        tasks["polres"].pk
    }
    assert list(selectors.tasks_visible(cw.liaison)) == []  # Kesbangpol has none


def test_the_leadership_oversees_every_agencys_queue_in_its_scope(cw, tasks):
    """The Kapolres (leadership) reads every agency's tasks it may see, not only Polres's: the
    leadership follows whether the TP3D's decisions are carried out."""
    seen = set(selectors.tasks_visible(cw.kapolres).values_list("pk", flat=True))
    assert {tasks["polres"].pk, tasks["polres_busang"].pk, tasks["kpu"].pk} <= seen
    assert seen == set(selectors.tasks_visible(cw.analyst).values_list("pk", flat=True))


def test_field_monitors_see_no_tasks_and_no_meetings(cw, tasks):
    assert list(selectors.tasks_visible(cw.monitor)) == []
    with pytest.raises(selectors.NotFound):
        selectors.meetings_visible(cw.monitor)


def test_another_agencys_task_is_not_found(cw, tasks):
    with pytest.raises(selectors.NotFound):
        selectors.task_get(cw.kpu_liaison, tasks["polres"].pk)
    assert selectors.task_get(cw.kpu_liaison, tasks["kpu"].pk) == tasks["kpu"]


def test_open_overdue_and_counts(cw, tasks):
    services.task_transition(context=SYSTEM, task=tasks["kpu"], status="selesai")
    services.task_transition(
        context=SYSTEM, task=tasks["koramil"], status="terhambat", note="Hujan"
    )
    now = wita(2024, 11, 24, 10)
    assert set(selectors.tasks_overdue(cw.analyst, now=now).values_list("pk", flat=True)) == {
        tasks["polres"].pk
    }
    assert selectors.tasks_open(cw.analyst).count() == 3
    # kpu was completed at the clock, 24 Nov 10:00 WITA: done today.
    assert selectors.task_counts(cw.analyst, now=now) == {
        "open": 3,
        "overdue": 1,
        "blocked": 1,
        "done_today": 1,
    }
    assert selectors.task_counts(cw.analyst, now=wita(2024, 11, 25, 10))["done_today"] == 0
    assert selectors.task_counts(cw.monitor, now=now) == {
        "open": 0,
        "overdue": 0,
        "blocked": 0,
        "done_today": 0,
    }


def test_meetings_are_seen_in_the_regions_the_user_may_open(cw):
    def meeting(region):
        return services.meeting_create(
            context=SYSTEM, title=region, held_at=wita(2024, 11, 21, 9), place="x", region=region
        )

    regency, busang, paser = meeting("64.08"), meeting("64.08.06"), meeting("64.01")
    assert set(selectors.meetings_visible(cw.analyst_kec)) == {regency}
    assert set(selectors.meetings_visible(cw.kpu_liaison)) == {regency, busang}
    with pytest.raises(selectors.NotFound):
        selectors.meeting_get(cw.analyst, paser.pk)
