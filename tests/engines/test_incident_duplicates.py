"""Near-duplicate scoring of incident reports (pure: no database)."""

from __future__ import annotations

import datetime as dt

from siaga.engines.incidents import duplicates
from siaga.engines.incidents.duplicates import Report, normalise, pair_score, suggest

T0 = dt.datetime(2024, 11, 27, 8, 0, tzinfo=dt.UTC)
TEXT = "Ada pembagian amplop berisi uang kepada pemilih di dekat TPS 03"


def report(id=1, *, category="politik-uang", minutes=0, tps=7, desa="64.08.04.1001",
           lat=None, lon=None, text=TEXT) -> Report:  # fmt: skip
    return Report(
        id=id,
        category=category,
        occurred_at=T0 + dt.timedelta(minutes=minutes),
        region_code=desa,
        tps_id=tps,
        lat=lat,
        lon=lon,
        text=text,
    )


def test_the_same_event_at_the_same_tps_is_suggested():
    other = report(2, minutes=20, text="Pembagian amplop berisi uang ke pemilih dekat TPS 03")
    [found] = suggest(report(1), [other])
    assert found.other_id == 2 and found.id == 1
    assert found.score >= duplicates.DEFAULT_THRESHOLD
    assert found.place == 1.0
    assert {"same_category", "same_tps", "close_in_time", "similar_text"} <= set(found.reasons)


def test_another_category_is_never_a_duplicate():
    assert pair_score(report(1), report(2, category="intimidasi")) is None
    assert suggest(report(1), [report(2, category="intimidasi")]) == []


def test_events_more_than_six_hours_apart_are_not_the_same():
    assert pair_score(report(1), report(2, minutes=6 * 60 + 1)) is None
    assert pair_score(report(1), report(2, minutes=-(6 * 60 + 1))) is None
    assert pair_score(report(1), report(2, minutes=5 * 60)) is not None


def test_far_apart_points_are_not_the_same():
    a = report(1, tps=None, desa="64.08.04.1001", lat=0.50, lon=117.50)
    near = report(2, tps=None, desa="64.08.04.1002", lat=0.51, lon=117.50)  # ~1.1 km
    far = report(3, tps=None, desa="64.08.06.2001", lat=0.60, lon=117.50)  # ~11 km
    assert pair_score(a, near) is not None and "nearby" in pair_score(a, near).reasons
    assert pair_score(a, far) is None
    assert [s.other_id for s in suggest(a, [near, far])] == [2]


def test_two_tps_of_one_desa_count_as_the_same_place_but_less():
    same_tps = pair_score(report(1, tps=7), report(2, tps=7))
    same_desa = pair_score(report(1, tps=7), report(2, tps=8))
    assert same_desa.place == 0.6 and "same_desa" in same_desa.reasons
    assert same_desa.score < same_tps.score


def test_slang_and_stretched_letters_are_normalised():
    assert normalise("Gak ada yg bagi duit, amplooop!") == normalise(
        "tidak ada yang bagi uang, amplop"
    )
    assert normalise("AMPLOOOP") == ["amplop"]
    formal = "Tim sukses tidak membagikan uang, sudah diperiksa"
    slang = "Tim sukses gak membagikan duit, sdh diperiksa"
    normalised = duplicates.text_similarity(formal, slang)
    assert normalised == 1.0
    # Without the slang table the same pair would score lower.
    raw = duplicates._jaccard(set(formal.lower().split()), set(slang.lower().split()))
    assert normalised > raw


def test_unrelated_text_at_the_same_place_and_time_scores_lower():
    close = pair_score(report(1), report(2, text=TEXT))
    unrelated = pair_score(report(1), report(2, text="Kotak suara datang terlambat"))
    assert close.text == 1.0 and unrelated.text < 0.2
    assert unrelated.score < close.score
    assert "similar_text" not in unrelated.reasons


def test_suggestions_are_best_first_and_exclude_the_report_itself():
    me = report(1)
    best = report(5, minutes=5, text=TEXT)
    good = report(3, minutes=90, text="Pembagian amplop uang ke pemilih di TPS 03")
    weak = report(4, minutes=300, tps=8, text="Ada keramaian di balai desa")
    found = suggest(me, [weak, good, me, best])
    assert [s.other_id for s in found] == [5, 3]
    assert found[0].score >= found[1].score
    assert all(s.other_id != 1 for s in found)


def test_equal_scores_are_ordered_by_id_and_the_threshold_is_honoured():
    found = suggest(report(1), [report(9), report(4)])
    assert [s.other_id for s in found] == [4, 9]
    assert suggest(report(1), [report(9)], threshold=1.01) == []


def test_distance_is_great_circle_kilometres():
    # one degree of latitude is ~111 km
    assert abs(duplicates.distance_km(0, 117, 1, 117) - 111.19) < 0.1
