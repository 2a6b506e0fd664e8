"""The index through the database (compute.risk_recompute): hand-computed scores, categories and
explanations, weights and inactive indicators, thresholds from settings, the voter-weighted
roll-up, Tps.vulnerability following the index, and one history row per day."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core.models import AuditEvent
from siaga.risk import services
from siaga.risk.models import AreaRisk, RiskHistory, RiskRun, TpsAssessment, TpsRisk
from siaga.wilayah.models import Tps
from tests.risk.conftest import CLI, NOW

pytestmark = pytest.mark.django_db

# Catalogue weights (points of 100): riwayat_kekerasan 15, sulit_dijangkau 10, tms 8,
# riwayat_psu 10. All static indicators are full at 1.


def _risk(tps) -> TpsRisk:
    return TpsRisk.objects.get(tps=tps)


def test_a_mapped_tps_scores_the_sum_of_its_indicators_points(rw):
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    rw.map(rw.a1b, hak_pilih__riwayat_psu=0.5)  # half present: half the points
    run = rw.recompute()

    risk = _risk(rw.a1)
    assert risk.score == 33.0  # 15 + 10 + 8
    assert risk.category == "rawan"
    assert risk.assessed is True
    assert risk.explanation == [
        ["keamanan.riwayat_kekerasan", 1.0, 15.0],
        ["lokasi.sulit_dijangkau", 1.0, 10.0],
        ["hak_pilih.tms", 1.0, 8.0],
    ]
    half = _risk(rw.a1b)
    assert (half.score, half.category) == (5.0, "aman")
    assert half.explanation == [["hak_pilih.riwayat_psu", 0.5, 5.0]]
    # every TPS of both regencies is scored; the run is recorded and audited
    assert run.tps == TpsRisk.objects.count() == 10
    assert AuditEvent.objects.filter(action="risk.recomputed").count() == 1


def test_a_value_above_full_counts_as_full_and_the_score_is_capped_at_100(rw):
    heavy = {
        "keamanan__riwayat_kekerasan": 1, "keamanan__intimidasi": 1, "keamanan__penolakan": 1,
        "lokasi__rawan_konflik": 1, "hak_pilih__riwayat_psu": 1, "politik_uang__riwayat": 1,
        "lokasi__sulit_dijangkau": 1, "sara__riwayat": 1, "hak_pilih__tms": 1,
        "lokasi__rawan_bencana": 1, "netralitas__kpps": 1, "hak_pilih__dptb": 3,
    }  # fmt: skip
    rw.map(rw.a1, **heavy)  # 15+10+10+12+10+10+10+8+8+6+5+4 = 108 -> 100
    rw.recompute()
    risk = _risk(rw.a1)
    assert (risk.score, risk.category) == (100.0, "sangat_rawan")
    assert ["hak_pilih.dptb", 3.0, 4.0] in risk.explanation  # 3 counts as full: 4 points
    assert sum(points for _c, _v, points in risk.explanation) == 108.0


def test_changing_a_weight_changes_the_score(rw):
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    rw.recompute()
    services.indicator_update(
        context=CLI, code="hak_pilih.tms", weight=25, saturation=1, active=True
    )
    rw.recompute()
    risk = _risk(rw.a1)
    assert (risk.score, risk.category) == (50.0, "sangat_rawan")  # 15 + 10 + 25: at the line
    assert risk.explanation[0] == ["hak_pilih.tms", 1.0, 25.0]
    assert AuditEvent.objects.filter(action="risk.indicator_changed").count() == 1


def test_an_inactive_indicator_counts_nothing(rw):
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    services.indicator_update(
        context=CLI, code="keamanan.riwayat_kekerasan", weight=15, saturation=1, active=False
    )
    rw.recompute()
    risk = _risk(rw.a1)
    assert (risk.score, risk.category) == (18.0, "aman")
    assert [code for code, _v, _p in risk.explanation] == [
        "lokasi.sulit_dijangkau",
        "hak_pilih.tms",
    ]


@pytest.mark.parametrize(
    ("rawan", "sangat_rawan", "expected"),
    [
        (25.0, 50.0, "rawan"),  # the defaults
        (33.0, 50.0, "rawan"),  # exactly at the rawan line
        (33.5, 50.0, "aman"),  # just under it
        (20.0, 33.0, "sangat_rawan"),  # exactly at the sangat rawan line
        (20.0, 33.1, "rawan"),
    ],
)
def test_the_category_thresholds_come_from_settings(rw, settings, rawan, sangat_rawan, expected):
    settings.SIAGA_RISK_RAWAN, settings.SIAGA_RISK_SANGAT_RAWAN = rawan, sangat_rawan
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    rw.recompute()
    assert _risk(rw.a1).category == expected
    assert Tps.objects.get(pk=rw.a1.pk).vulnerability == expected


def test_areas_roll_up_as_the_voter_weighted_mean(rw):
    Tps.objects.filter(pk=rw.a1.pk).update(dpt_male=300, dpt_female=100)  # 400 voters
    Tps.objects.filter(pk=rw.a1b.pk).update(dpt_male=100, dpt_female=100)  # 200 voters
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    rw.map(rw.a1b, keamanan__intimidasi=1)  # 10
    rw.recompute()

    desa = AreaRisk.objects.get(region_id=rw.w.desa_a1.code)
    assert desa.score == pytest.approx((400 * 33 + 200 * 10) / 600, abs=0.01)  # 25.33
    assert (desa.category, desa.max_score) == ("rawan", 33.0)
    assert (desa.tps_aman, desa.tps_rawan, desa.tps_sangat_rawan) == (1, 1, 0)
    assert desa.explanation[0][0] == "keamanan.riwayat_kekerasan"

    kecamatan = AreaRisk.objects.get(region_id=rw.w.kec_a.code)
    # desa 64.08.04.1002 has two TPS of 380 voters scoring 0
    assert kecamatan.score == pytest.approx((400 * 33 + 200 * 10) / (600 + 760), abs=0.01)
    assert (kecamatan.category, kecamatan.tps_total) == ("aman", 4)

    regency = AreaRisk.objects.get(region_id=rw.w.regency.code)
    assert regency.score == pytest.approx(15200 / (1360 + 4 * 380), abs=0.01)
    assert regency.tps_total == 8
    assert AreaRisk.objects.get(region_id=rw.w.other_regency.code).score == 0.0


def test_vulnerability_follows_the_index_and_an_unmapped_tps_stays_unassessed(rw):
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    services.assessments_mark([rw.a1b.pk], origin="import", now=NOW)  # mapped, all "tidak"
    Tps.objects.filter(pk=rw.b1.pk).update(vulnerability="sangat_rawan")  # set by hand once
    run = rw.recompute()

    vulnerability = dict(Tps.objects.values_list("pk", "vulnerability"))
    assert vulnerability[rw.a1.pk] == "rawan"
    assert vulnerability[rw.a1b.pk] == "aman"
    assert vulnerability[rw.a2.pk] == ""  # never mapped, score 0: belum dinilai
    assert vulnerability[rw.b1.pk] == ""  # the index is the source now
    assert run.changed == 3
    assert TpsRisk.objects.get(tps=rw.a2).assessed is False
    assert rw.recompute().changed == 0


def test_history_keeps_one_row_per_tps_and_day(rw):
    rw.map(rw.a1, hak_pilih__tms=1)
    rw.recompute(now=NOW)
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1)
    rw.recompute(now=NOW + dt.timedelta(hours=3))  # the same day: replaces
    rows = list(RiskHistory.objects.filter(tps=rw.a1).values_list("day", "score", "category"))
    assert rows == [(NOW.date(), 23.0, "aman")]
    assert RiskHistory.objects.filter(region_id=rw.w.kec_a.code).count() == 1

    rw.recompute(now=NOW + dt.timedelta(days=1))
    assert RiskHistory.objects.filter(tps=rw.a1).count() == 2
    assert RiskHistory.objects.filter(region_id=rw.w.kec_a.code).count() == 2
    assert RiskRun.objects.count() == 3


def test_the_local_day_decides_the_history_row(rw):
    """23:30 WITA and 00:30 WITA the next day are two days even though both are one UTC day."""
    late = NOW.replace(hour=23, minute=30)
    rw.recompute(now=late)
    rw.recompute(now=late + dt.timedelta(hours=1))
    days = sorted(RiskHistory.objects.filter(tps=rw.a1).values_list("day", flat=True))
    assert days == [late.date(), late.date() + dt.timedelta(days=1)]


def test_recomputing_one_kecamatan_leaves_the_regency_roll_up_as_it_was(rw):
    rw.map(rw.b1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    rw.recompute()
    regency = AreaRisk.objects.get(region_id=rw.w.regency.code)
    assert (regency.score, regency.tps_total) == (pytest.approx(33 / 8, abs=0.01), 8)
    rw.recompute(prefix=rw.w.kec_a.code)  # what a value entered in Sangatta Utara queues
    assert TpsRisk.objects.get(tps=rw.b1).score == 33.0  # Busang's TPS are untouched
    again = AreaRisk.objects.get(region_id=rw.w.regency.code)
    assert (again.score, again.tps_total) == (regency.score, 8)


def test_a_tps_mapped_by_hand_with_only_tidak_counts_as_mapped(rw):
    services.indicator_value_set(context=CLI, tps=rw.a2, code="hak_pilih.tms", value=0)
    assert TpsAssessment.objects.filter(tps=rw.a2).exists()
    rw.recompute()
    assert Tps.objects.get(pk=rw.a2.pk).vulnerability == "aman"
