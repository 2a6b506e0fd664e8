"""Reads of the watch after the vote: scoped by region, ordered by time, and the switch to the
post-vote phase at local midnight after voting day."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core.models import Deployment
from siaga.postelection import selectors, services
from siaga.postelection.choices import EntrySource, GatheringStatus, RevoteStatus, WatchKind
from siaga.postelection.models import ReadinessItem
from tests.postelection.conftest import SYSTEM, VOTING_DAY, set_clock, wita


def _gathering(region, planned_at, **extra):
    values = dict(
        title=f"Aksi {region} {planned_at:%d %H}",
        place="Lapangan",
        region=region,
        planned_at=planned_at,
        expected_size=100,
    )
    return services.gathering_create(context=SYSTEM, **(values | extra))


@pytest.fixture
def seeded(pw):
    services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08")
    services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.01")
    services.readiness_seed(context=SYSTEM)
    return pw


def _titles(entries):
    return [(e.source, e.region_code) for e in entries]


def test_a_kecamatan_user_sees_its_recap_and_the_regencys_never_another_kecamatans(seeded):
    pw = seeded
    now = wita(2024, 11, 28, 10)
    mine = selectors.watch_calendar(pw.analyst_kec, now=now, days=30)
    regions = {e.region_code for e in mine}
    assert regions == {"64.08.04", "64.08"}
    kinds = sorted(e.kind for e in mine)
    assert kinds == sorted(
        [WatchKind.REKAP_PPK, WatchKind.REKAP_KPU, WatchKind.PENETAPAN, WatchKind.SENGKETA_MK]
    )


def test_a_regency_user_sees_both_kecamatan_and_not_paser(seeded):
    entries = selectors.watch_calendar(seeded.analyst, now=wita(2024, 11, 28, 10), days=30)
    assert {e.region_code for e in entries} == {"64.08", "64.08.04", "64.08.06"}


def test_the_calendar_is_ordered_by_start_and_flags_what_is_under_way(seeded):
    pw = seeded
    _gathering("64.08.04", wita(2024, 11, 29, 9))
    services.revote_create(
        context=SYSTEM,
        tps=pw.tps_a1.pk,
        ordered_on=dt.date(2024, 11, 28),
        vote_on=dt.date(2024, 12, 1),
        reason="Surat suara tertukar",
    )
    entries = selectors.watch_calendar(pw.analyst_kec, now=wita(2024, 11, 28, 10), days=30)
    assert [(e.source, e.starts_at) for e in entries][:3] == [
        (EntrySource.WATCH, wita(2024, 11, 28, 8)),  # PPK recap, under way
        (EntrySource.GATHERING, wita(2024, 11, 29, 9)),
        (EntrySource.REVOTE, wita(2024, 12, 1, 7)),
    ]
    assert [e.ongoing for e in entries[:3]] == [True, False, False]
    starts = [e.starts_at for e in entries]
    assert starts == sorted(starts)


def test_the_horizon_cuts_what_starts_later_and_past_watch_points_drop(seeded):
    # On 7 December: the PPK recaps (to 2 Dec) and the plenary (to 5 Dec) are over; the MK
    # window (from 9 Dec) is within 3 days, nothing else is.
    entries = selectors.watch_calendar(seeded.analyst, now=wita(2024, 12, 7, 12), days=3)
    assert [e.kind for e in entries] == [WatchKind.SENGKETA_MK]
    assert selectors.watch_calendar(seeded.analyst, now=wita(2024, 12, 7, 12), days=1) == []


def test_gatherings_called_off_or_long_past_leave_the_calendar(pw):
    now = wita(2024, 12, 4, 12)
    cancelled = _gathering("64.08.04", wita(2024, 12, 5, 9), status=GatheringStatus.DIBATALKAN)
    recent = _gathering("64.08.04", now - dt.timedelta(hours=5))
    stale = _gathering("64.08.04", now - dt.timedelta(hours=7))
    going = _gathering("64.08.04", now - dt.timedelta(hours=30), status=GatheringStatus.BERLANGSUNG)
    shown = {e.pk for e in selectors.watch_calendar(pw.analyst, now=now)}
    assert shown == {recent.pk, going.pk}
    assert cancelled.pk not in shown and stale.pk not in shown


def test_revotes_are_seen_through_their_tps(pw):
    for tps in (pw.tps_a1, pw.tps_b1, pw.tps_other):
        services.revote_create(
            context=SYSTEM,
            tps=tps.pk,
            ordered_on=dt.date(2024, 11, 29),
            vote_on=dt.date(2024, 12, 2),
            reason="Kotak suara dibuka sebelum waktunya",
        )
    assert {r.tps_id for r in selectors.revotes_visible(pw.analyst_kec)} == {pw.tps_a1.pk}
    assert {r.tps_id for r in selectors.revotes_visible(pw.analyst)} == {
        pw.tps_a1.pk,
        pw.tps_b1.pk,
    }


def test_held_revotes_leave_the_calendar(pw):
    revote = services.revote_create(
        context=SYSTEM,
        tps=pw.tps_a1.pk,
        ordered_on=dt.date(2024, 11, 29),
        vote_on=dt.date(2024, 12, 2),
        reason="Kotak suara dibuka sebelum waktunya",
        status=RevoteStatus.DILAKSANAKAN,
    )
    entries = selectors.watch_calendar(pw.analyst, now=wita(2024, 11, 30, 8))
    assert revote.pk not in {e.pk for e in entries if e.source == EntrySource.REVOTE}


def test_readiness_overview_counts_per_agency_in_the_scope(seeded):
    pw = seeded
    for item in ReadinessItem.objects.filter(agency=pw.polres)[:2]:
        services.readiness_tick(context=SYSTEM, item=item)
    rows = {r.agency_code: r for r in selectors.readiness_overview(pw.analyst)}
    assert set(rows) == {"kesbangpol", "polres", "kpu", "koramil-busang"}
    assert (rows["polres"].done, rows["polres"].total, rows["polres"].percent) == (2, 5, 40)
    kec_a = {r.agency_code for r in selectors.readiness_overview(pw.analyst_kec)}
    assert kec_a == {"kesbangpol", "polres", "kpu"}  # not Busang's Koramil, not Paser's Polres


def test_field_monitors_read_nothing_here(pw):
    with pytest.raises(selectors.NotFound):
        selectors.watch_calendar(pw.monitor, now=wita(2024, 11, 28, 10))
    with pytest.raises(selectors.NotFound):
        selectors.readiness_overview(pw.monitor)


def test_an_object_outside_the_scope_is_not_found(seeded):
    pw = seeded
    busang = _gathering("64.08.06", wita(2024, 12, 4, 9))
    with pytest.raises(selectors.NotFound):
        selectors.gathering_get(user=pw.analyst_kec, pk=busang.pk)
    assert selectors.gathering_get(user=pw.analyst, pk=busang.pk) == busang


# --- the phase ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (wita(2024, 11, 27, 23, 59, 59), False),  # the count runs late: still voting day
        (wita(2024, 11, 28, 0, 0), True),
        (dt.datetime(2024, 11, 27, 16, 0, tzinfo=dt.UTC), True),  # 00:00 WITA on the 28th
        (dt.datetime(2024, 11, 27, 15, 59, tzinfo=dt.UTC), False),
        (wita(2024, 11, 20, 12, 0), False),
    ],
)
def test_post_vote_starts_at_local_midnight_after_voting_day(pw, moment, expected):
    assert selectors.is_post_vote(moment) is expected


def test_post_vote_follows_the_deployments_clock(pw):
    set_clock(wita(2024, 11, 27, 23, 0))
    assert selectors.is_post_vote() is False
    set_clock(wita(2024, 11, 28, 1, 0))
    assert selectors.is_post_vote() is True


def test_without_a_voting_day_it_is_never_post_vote(db):
    assert Deployment.objects.count() == 0
    assert selectors.is_post_vote(wita(2030, 1, 1)) is False


# --- the panel ----------------------------------------------------------------------------------


def test_the_panel_shows_the_next_watch_points_the_weeks_gatherings_and_readiness(seeded):
    pw = seeded
    for item in ReadinessItem.objects.filter(agency__code__in=["polres", "kpu"]):
        services.readiness_tick(context=SYSTEM, item=item)
    _gathering("64.08.04", wita(2024, 12, 4, 9))
    _gathering("64.08.04", wita(2024, 12, 20, 9))  # beyond seven days
    panel = selectors.dashboard_panel(pw.analyst, wita(2024, 11, 28, 10))
    assert panel.post_vote is True and panel.h_label == "H+1"
    assert len(panel.watch_points) == selectors.PANEL_WATCH_POINTS
    assert panel.watch_points[0].kind == WatchKind.REKAP_PPK
    assert [g.starts_at for g in panel.gatherings] == [wita(2024, 12, 4, 9)]
    # Kutai Timur's agencies in scope: Kesbangpol 3, Polres 5, KPU 4, Koramil 3 = 15 items,
    # Polres and KPU done: 9 of 15 = 60 %.
    assert (panel.readiness_done, panel.readiness_total, panel.readiness_percent) == (9, 15, 60)


def test_field_monitors_get_no_panel(pw):
    assert selectors.dashboard_panel(pw.monitor, wita(2024, 11, 28, 10)) is None


def test_before_the_vote_the_panel_is_not_emphasised(seeded):
    panel = selectors.dashboard_panel(seeded.analyst, wita(2024, 11, 26, 10))
    assert panel.post_vote is False and panel.h_label == "H-1"
