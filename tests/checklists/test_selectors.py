"""Checklist status and the per-phase overview at a controlled clock, scoped, in a few queries."""

from __future__ import annotations

import pytest

from siaga.checklists.choices import CheckState, Phase
from siaga.checklists.selectors import (
    NotFound,
    checklist_overview,
    checklist_status,
    tps_checklist_history,
)
from siaga.checklists.services import checklist_submit
from siaga.core.audit import AuditContext
from tests.checklists.conftest import OPENING_ANSWERS, set_clock, wita
from tests.factories import TpsFactory

H1_ANSWERS = {
    "logistik_diterima": True,
    "surat_suara_bupati": 390,
    "surat_suara_gubernur": 390,
    "kotak_tersegel": True,
    "logistik_kurang": False,
    "tps_didirikan": True,
    "akses_disabilitas": True,
    "lokasi_aman": True,
    "logistik_dijaga": True,
}


def _submit(cw, tps, phase, answers, key, user=None):
    user = user or cw.analyst
    return checklist_submit(
        context=AuditContext(actor=user),
        user=user,
        tps_id=tps.pk,
        template_id=cw.templates[phase].pk,
        answers=answers,
        idempotency_key=key,
    )[0]


@pytest.fixture
def played(cw):
    """H-1: one TPS on time, one late; voting day: one opening on time; now 27 Nov 08:00."""
    set_clock(wita(2024, 11, 26, 10, 0))
    _submit(cw, cw.tps_a1, Phase.H_MINUS_1, H1_ANSWERS, "h1-a1")
    set_clock(wita(2024, 11, 26, 20, 0))
    _submit(cw, cw.tps_b1, Phase.H_MINUS_1, H1_ANSWERS, "h1-b1")
    set_clock(wita(2024, 11, 27, 7, 10))
    _submit(cw, cw.tps_a1, Phase.OPENING, OPENING_ANSWERS, "open-a1")
    set_clock(wita(2024, 11, 27, 8, 0))
    return cw


def _by_phase(counts) -> dict:
    return {c.phase: (c.expected, c.submitted, c.late, c.missing, c.not_yet_due) for c in counts}


def test_the_overview_counts_submitted_late_missing_and_not_yet_due(played):
    counts = _by_phase(checklist_overview(user=played.analyst))
    assert list(counts) == [p.value for p in Phase]
    # 8 TPS in Kutai Timur (the 2 of Paser are outside the analyst's scope).
    assert counts[Phase.H_MINUS_1] == (8, 2, 1, 6, 0)
    assert counts[Phase.OPENING] == (8, 1, 0, 7, 0)
    assert counts[Phase.VOTING] == (8, 0, 0, 0, 8)
    assert counts[Phase.COUNTING] == (8, 0, 0, 0, 8)
    assert counts[Phase.AFTER] == (8, 0, 0, 0, 8)


def test_before_the_due_time_nothing_is_missing(played):
    set_clock(wita(2024, 11, 26, 12, 0))
    counts = _by_phase(checklist_overview(user=played.analyst))
    assert counts[Phase.H_MINUS_1] == (8, 2, 1, 0, 6)  # "late" was counted at its submit time
    assert counts[Phase.OPENING] == (8, 1, 0, 0, 7)


def test_the_overview_follows_the_scope_and_the_region(played):
    counts = _by_phase(checklist_overview(user=played.analyst_kec))
    assert counts[Phase.H_MINUS_1] == (4, 1, 0, 3, 0)
    counts = _by_phase(checklist_overview(user=played.analyst, region=played.w.kec_b))
    assert counts[Phase.H_MINUS_1] == (4, 1, 1, 3, 0)
    counts = _by_phase(checklist_overview(user=played.monitor_tps))
    assert counts[Phase.H_MINUS_1] == (1, 1, 0, 0, 0)
    # Asking for a region outside the scope narrows to nothing; it never widens the scope.
    counts = _by_phase(checklist_overview(user=played.analyst_kec, region="64.08.06"))
    assert counts[Phase.H_MINUS_1] == (0, 0, 0, 0, 0)


def test_status_rows_name_each_tps_and_phase(played):
    rows = checklist_status(
        user=played.analyst, states=(CheckState.LATE, CheckState.MISSING), phase=Phase.H_MINUS_1
    )
    states = {r.tps.id: r.state for r in rows}
    assert states[played.tps_b1.pk] == CheckState.LATE
    assert played.tps_a1.pk not in states
    assert len(rows) == 7
    late = next(r for r in rows if r.state == CheckState.LATE)
    assert late.tps.kecamatan_name == "Busang" and late.tps.label == "TPS 001"
    assert abs((late.first_submitted_at - wita(2024, 11, 26, 20, 0)).total_seconds()) < 5


def test_a_late_tps_that_corrects_stays_late_and_an_on_time_one_stays_on_time(played):
    set_clock(wita(2024, 11, 26, 21, 0))
    _submit(played, played.tps_a1, Phase.H_MINUS_1, H1_ANSWERS, "h1-a1-again")
    set_clock(wita(2024, 11, 27, 8, 0))
    counts = _by_phase(checklist_overview(user=played.analyst))
    assert counts[Phase.H_MINUS_1] == (8, 2, 1, 6, 0)


def test_the_overview_takes_a_few_queries_whatever_the_number_of_tps(
    played, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        small = checklist_overview(user=played.analyst)
    for n in range(3, 60):
        TpsFactory(desa=played.w.desa_b2, number=n)
    with django_assert_max_num_queries(8):
        large = checklist_overview(user=played.analyst)
    assert large[0].expected == small[0].expected + 57


def test_the_history_of_a_tps_lists_its_submissions_latest_first(played):
    set_clock(wita(2024, 11, 27, 7, 20))
    _submit(played, played.tps_a1, Phase.OPENING, {**OPENING_ANSWERS, "saksi_hadir": 3}, "o2")
    set_clock(wita(2024, 11, 27, 8, 0))
    tps, history = tps_checklist_history(user=played.analyst, tps=played.tps_a1.pk)
    assert tps.pk == played.tps_a1.pk
    phases = {h.phase: h for h in history}
    opening = phases[Phase.OPENING]
    assert opening.state == CheckState.SUBMITTED
    assert [s.answers["saksi_hadir"] for s in opening.submissions] == [3, 2]
    rows = {a.key: a for a in opening.current.answer_rows}
    assert rows["kpps_lengkap"].display == "Ya" and rows["saksi_hadir"].display == "3"
    assert phases[Phase.VOTING].state == CheckState.NOT_YET_DUE
    assert phases[Phase.VOTING].submissions == []


def test_the_history_of_a_tps_outside_the_scope_is_not_found(played):
    with pytest.raises(NotFound):
        tps_checklist_history(user=played.analyst_kec, tps=played.tps_b1.pk)
    with pytest.raises(NotFound):
        tps_checklist_history(user=played.monitor_tps, tps=played.tps_a1b.pk)
    with pytest.raises(NotFound):
        tps_checklist_history(user=played.analyst, tps=played.tps_other.pk)
