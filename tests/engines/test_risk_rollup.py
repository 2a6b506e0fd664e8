"""Roll-up of TPS scores to desa, kecamatan, kabupaten and provinsi."""

from collections import defaultdict

import numpy as np
import pytest

from siaga.engines.risk import (
    LEVELS,
    Contribution,
    Indicator,
    Thresholds,
    compute_index,
    rollup,
)

INDICATORS = [Indicator("keamanan.kekerasan", 40), Indicator("politik_uang", 20)]
# Three TPS in two desa of kecamatan 64.08.01, one in kecamatan 64.08.02, one in 64.01.05.
DESA = ["64.08.01.2001", "64.08.01.2001", "64.08.01.2002", "64.08.02.2001", "64.01.05.1003"]
VALUES = np.array(
    [
        [1, 0],  # 40 rawan
        [0, 0],  # 0 aman
        [0, 1],  # 20 aman
        [1, 1],  # 60 sangat_rawan
        [0, 1],  # 20 aman
    ]
)
VOTERS = np.array([300.0, 100.0, 200.0, 500.0, 250.0])


@pytest.fixture
def result():
    return compute_index(VALUES, INDICATORS)


def test_kecamatan_score_is_the_voter_weighted_mean_of_its_tps(result):
    areas = rollup(DESA, result, level="kecamatan", weights=VOTERS)
    assert areas.level == "kecamatan"
    assert areas.codes == ["64.01.05", "64.08.01", "64.08.02"]
    # 64.08.01: (40×300 + 0×100 + 20×200) / 600 = 16000 / 600 = 26.67
    assert areas.score.tolist() == pytest.approx([20.0, 16000 / 600, 60.0])
    assert areas.categories.tolist() == [0, 1, 2]
    assert areas.max_score.tolist() == [20.0, 40.0, 60.0]
    assert areas.tps.tolist() == [1, 3, 1]
    assert areas.counts.tolist() == [[1, 0, 0], [2, 1, 0], [0, 0, 1]]


def test_without_weights_every_tps_counts_once(result):
    areas = rollup(DESA, result, level="kecamatan")
    assert areas.score.tolist() == pytest.approx([20.0, 20.0, 60.0])  # (40 + 0 + 20) / 3


def test_points_per_indicator_are_averaged_the_same_way_and_explain_the_area(result):
    areas = rollup(DESA, result, level="kecamatan", weights=VOTERS)
    # 64.08.01: kekerasan 40×300/600 = 20, politik_uang 20×200/600 = 6.67
    assert areas.points[1].tolist() == pytest.approx([20.0, 20 / 3])
    assert areas.explain("64.08.01") == [
        Contribution("keamanan.kekerasan", pytest.approx(0.5), pytest.approx(20.0)),
        Contribution("politik_uang", pytest.approx(1 / 3), pytest.approx(20 / 3)),
    ]
    assert areas.explain(1, ["k", "p"], top=1) == [
        Contribution("k", pytest.approx(0.5), pytest.approx(20.0))
    ]
    assert areas.category("64.08.02") == "sangat_rawan"


def test_each_level_groups_by_its_code_prefix(result):
    desa = rollup(DESA, result, level="desa")
    assert desa.codes == ["64.01.05.1003", "64.08.01.2001", "64.08.01.2002", "64.08.02.2001"]
    assert desa.score.tolist() == [20.0, 20.0, 20.0, 60.0]
    kabupaten = rollup(DESA, result, level="kabupaten", weights=VOTERS)
    assert kabupaten.codes == ["64.01", "64.08"]
    assert kabupaten.score.tolist() == pytest.approx([20.0, (16000 + 30000) / 1100])
    provinsi = rollup(DESA, result, level="provinsi", weights=VOTERS)
    assert provinsi.codes == ["64"]
    assert provinsi.counts.tolist() == [[3, 1, 1]]
    assert provinsi.tps.tolist() == [5]
    assert set(LEVELS) == {"desa", "kecamatan", "kabupaten", "provinsi"}


def test_an_area_whose_tps_all_weigh_zero_falls_back_to_the_plain_mean(result):
    voters = np.array([0.0, 0.0, 0.0, 500.0, 250.0])
    areas = rollup(DESA, result, level="kecamatan", weights=voters)
    assert areas.score.tolist() == pytest.approx([20.0, 20.0, 60.0])
    assert not np.isnan(areas.points).any()


def test_area_categories_and_counts_follow_the_index_thresholds_unless_given(result):
    strict = Thresholds(rawan=10, sangat_rawan=30)
    custom = compute_index(VALUES, INDICATORS, strict)
    areas = rollup(DESA, custom, level="kecamatan")
    assert areas.counts.tolist() == [[0, 1, 0], [1, 1, 1], [0, 0, 1]]
    overridden = rollup(DESA, custom, level="kecamatan", thresholds=Thresholds())
    assert overridden.counts.tolist() == [[1, 0, 0], [2, 1, 0], [0, 0, 1]]
    assert overridden.categories.tolist() == [0, 0, 2]  # 20, 20, 60 at 25 / 50


def test_the_vectorised_rollup_matches_a_plain_loop_on_random_data():
    rng = np.random.default_rng(11)
    n = 600
    desa = [
        f"{rng.choice(['63', '64'])}.0{rng.integers(1, 4)}.0{rng.integers(1, 5)}."
        f"200{rng.integers(1, 6)}"
        for _ in range(n)
    ]
    indicators = [Indicator(f"i{j}", float(w)) for j, w in enumerate(rng.integers(1, 30, 6))]
    result = compute_index(rng.random((n, 6)) < 0.3, indicators)
    voters = rng.integers(0, 600, n).astype(float)
    areas = rollup(desa, result, level="kecamatan", weights=voters)

    total, weighted, worst = defaultdict(float), defaultdict(float), defaultdict(float)
    for code, score, w in zip(desa, result.scores, voters, strict=True):
        total[code[:8]] += w
        weighted[code[:8]] += w * score
        worst[code[:8]] = max(worst[code[:8]], score)
    assert areas.codes == sorted(total)
    assert areas.score.tolist() == pytest.approx([weighted[c] / total[c] for c in areas.codes])
    assert areas.max_score.tolist() == [worst[c] for c in areas.codes]
    assert int(areas.counts.sum()) == n


def test_desa_codes_may_be_a_numpy_array(result):
    areas = rollup(np.array(DESA), result, level="kecamatan")
    assert areas.codes == ["64.01.05", "64.08.01", "64.08.02"]


def test_an_unknown_level_is_refused(result):
    with pytest.raises(ValueError, match="level must be one of desa, kecamatan.*'kota'"):
        rollup(DESA, result, level="kota")


def test_a_code_that_is_not_a_desa_code_is_refused_naming_the_row(result):
    bad = [*DESA[:3], "64.08.02", DESA[4]]
    with pytest.raises(ValueError, match=r"desa_codes: row 3 has '64\.08\.02'"):
        rollup(bad, result, level="kecamatan")


def test_one_desa_code_per_tps_is_required(result):
    with pytest.raises(ValueError, match="desa_codes must have one code per TPS"):
        rollup(DESA[:4], result, level="kecamatan")


def test_bad_weights_are_refused_naming_the_row(result):
    with pytest.raises(ValueError, match="weights must have one value per TPS"):
        rollup(DESA, result, level="kecamatan", weights=np.ones(3))
    with pytest.raises(ValueError, match="weights: row 2 is -1"):
        rollup(DESA, result, level="kecamatan", weights=np.array([1, 1, -1, 1, 1]))
    with pytest.raises(ValueError, match="weights: row 0 is nan"):
        rollup(DESA, result, level="kecamatan", weights=np.array([np.nan, 1, 1, 1, 1]))


def test_explain_needs_one_code_per_indicator_column(result):
    areas = rollup(DESA, result, level="kecamatan")
    with pytest.raises(ValueError, match="codes must name the 2 indicator columns"):
        areas.explain(0, ["only-one"])
