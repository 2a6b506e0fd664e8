"""The TPS vulnerability index: hand-computed points, thresholds, the cap, NaN and bad input."""

import math

import numpy as np
import pytest

from siaga.engines.risk import (
    CATEGORIES,
    Contribution,
    Indicator,
    Thresholds,
    compute_index,
    score_one,
)

KEKERASAN = Indicator("keamanan.kekerasan", 20)
INSIDEN = Indicator("insiden.terverifikasi", 10, saturation=2)


def test_points_are_weight_times_the_saturated_share_and_add_up_to_the_score():
    result = compute_index(np.array([[1.0, 1.0]]), [KEKERASAN, INSIDEN])
    # 20 × 1 + 10 × (1 / 2) = 25, exactly the default rawan threshold
    assert result.scores.tolist() == [25.0]
    assert result.category(0) == "rawan"
    assert result.points.tolist() == [[20.0, 5.0]]
    assert result.codes == ("keamanan.kekerasan", "insiden.terverifikasi")
    assert result.scores.dtype == np.float64
    assert result.categories.dtype == np.int8


def test_a_count_above_its_saturation_counts_fully_and_no_more():
    result = compute_index(np.array([[0, 2], [0, 7], [0, 3]]), [KEKERASAN, INSIDEN])
    assert result.points[:, 1].tolist() == [10.0, 10.0, 10.0]


def test_category_edges_belong_to_the_higher_category():
    thresholds = Thresholds()
    assert thresholds.category(24.999) == "aman"
    assert thresholds.category(25.0) == "rawan"
    assert thresholds.category(49.999) == "rawan"
    assert thresholds.category(50.0) == "sangat_rawan"
    assert thresholds.category(0.0) == "aman"
    codes = thresholds.categorise(np.array([0.0, 24.999, 25.0, 49.999, 50.0, 100.0]))
    assert codes.tolist() == [0, 0, 1, 1, 2, 2]
    assert codes.dtype == np.int8


def test_custom_thresholds_change_the_category_not_the_score():
    values = np.array([[1.0, 0.0]])  # 20 points
    strict = compute_index(values, [KEKERASAN, INSIDEN], Thresholds(rawan=15, sangat_rawan=20))
    default = compute_index(values, [KEKERASAN, INSIDEN])
    assert strict.scores.tolist() == default.scores.tolist() == [20.0]
    assert strict.category(0) == "sangat_rawan"
    assert default.category(0) == "aman"


def test_a_score_sitting_on_a_threshold_is_not_pushed_below_it_by_float_noise():
    weights = [0.2, 20.9, 3.9]  # 25 on paper, 24.999999999999996 in floating point
    assert np.array([weights]).sum(axis=1)[0] < 25.0
    result = compute_index(np.ones((1, 3)), [Indicator(f"x.{j}", w) for j, w in enumerate(weights)])
    assert result.scores.tolist() == [25.0]
    assert result.category(0) == "rawan"


def test_the_score_is_capped_at_100_but_each_indicator_keeps_its_points():
    heavy = [Indicator("a", 60), Indicator("b", 60), Indicator("c", 5)]
    result = compute_index(np.array([[1, 1, 1]]), heavy)
    assert result.scores.tolist() == [100.0]
    assert result.category(0) == "sangat_rawan"
    assert [c.points for c in result.explain(0)] == [60.0, 60.0, 5.0]


def test_nan_means_no_value_and_scores_nothing():
    result = compute_index(np.array([[np.nan, 2.0], [np.nan, np.nan]]), [KEKERASAN, INSIDEN])
    assert result.scores.tolist() == [10.0, 0.0]
    assert result.categories.tolist() == [0, 0]
    assert result.explain(0) == [Contribution("insiden.terverifikasi", 2.0, 10.0)]
    assert result.explain(1) == []


def test_explain_lists_only_what_adds_points_largest_first_ties_in_catalogue_order():
    indicators = [
        Indicator("lokasi.sulit", 5),
        Indicator("politik_uang", 15),
        Indicator("logistik.terlambat", 5),
        Indicator("netralitas.kpps", 0),  # weight 0: present, but adds nothing
        Indicator("sara", 10),
    ]
    result = compute_index(np.array([[1, 1, 1, 1, 0]]), indicators)
    assert result.explain(0) == [
        Contribution("politik_uang", 1.0, 15.0),
        Contribution("lokasi.sulit", 1.0, 5.0),
        Contribution("logistik.terlambat", 1.0, 5.0),
    ]
    assert [c.code for c in result.explain(0, top=2)] == ["politik_uang", "lokasi.sulit"]
    assert result.explain(0, top=0) == []


def test_many_tps_at_once_match_their_hand_computed_scores():
    values = np.array(
        [
            [0, 0],  # 0
            [1, 0],  # 20
            [0, 1],  # 5
            [1, 4],  # 30
            [1, 0.5],  # 22.5
        ]
    )
    result = compute_index(values, [KEKERASAN, INSIDEN])
    assert result.scores.tolist() == [0.0, 20.0, 5.0, 30.0, 22.5]
    assert [result.category(i) for i in range(5)] == ["aman", "aman", "aman", "rawan", "aman"]
    assert len(result) == 5


def test_no_tps_gives_empty_arrays():
    result = compute_index(np.empty((0, 2)), [KEKERASAN, INSIDEN])
    assert result.scores.shape == (0,)
    assert result.points.shape == (0, 2)


def test_a_negative_value_is_refused_naming_the_indicator_and_row():
    values = np.array([[1, 0], [0, -1], [-2, -3]])
    with pytest.raises(ValueError, match=r"insiden\.terverifikasi: row 1 .*negative.*3 negative"):
        compute_index(values, [KEKERASAN, INSIDEN])


def test_a_shape_mismatch_is_refused_naming_the_indicators():
    with pytest.raises(ValueError, match=r"\(n, 2\).*keamanan\.kekerasan, insiden"):
        compute_index(np.ones((4, 3)), [KEKERASAN, INSIDEN])
    with pytest.raises(ValueError, match="shape"):
        compute_index(np.ones(4), [KEKERASAN, INSIDEN])


def test_duplicate_indicator_codes_are_refused():
    with pytest.raises(ValueError, match="more than once: keamanan.kekerasan"):
        compute_index(np.ones((1, 2)), [KEKERASAN, KEKERASAN])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "", "weight": 1}, "code"),
        ({"code": "a", "weight": -1}, "weight"),
        ({"code": "a", "weight": math.nan}, "weight"),
        ({"code": "a", "weight": 1, "saturation": 0}, "saturation"),
        ({"code": "a", "weight": 1, "saturation": "3"}, "saturation"),
    ],
)
def test_a_bad_indicator_is_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Indicator(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rawan": 0}, "rawan"),
        ({"rawan": 50, "sangat_rawan": 50}, "sangat_rawan"),
        ({"rawan": 60, "sangat_rawan": 50}, "sangat_rawan"),
        ({"sangat_rawan": 101}, "sangat_rawan"),
        ({"rawan": math.inf}, "rawan"),
        ({"rawan": True}, "rawan"),
    ],
)
def test_bad_thresholds_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}"):
        Thresholds(**kwargs)


def test_thresholds_may_put_sangat_rawan_at_exactly_100():
    assert Thresholds(rawan=40, sangat_rawan=100).category(100.0) == "sangat_rawan"


def test_score_one_does_the_same_arithmetic_for_one_tps():
    score, category, contributions = score_one(
        {"keamanan.kekerasan": 1, "insiden.terverifikasi": 1}, [KEKERASAN, INSIDEN]
    )
    assert (score, category) == (25.0, "rawan")
    assert contributions == [
        Contribution("keamanan.kekerasan", 1.0, 20.0),
        Contribution("insiden.terverifikasi", 1.0, 5.0),
    ]


def test_score_one_treats_a_missing_code_as_no_value():
    assert score_one({"insiden.terverifikasi": 4}, [KEKERASAN, INSIDEN])[:2] == (10.0, "aman")
    assert score_one({}, [KEKERASAN, INSIDEN]) == (0.0, "aman", [])


def test_score_one_refuses_unknown_codes_naming_them():
    with pytest.raises(ValueError, match="unknown indicator code.*keamanan.kekeras, zzz"):
        score_one({"keamanan.kekeras": 1, "zzz": 1}, [KEKERASAN, INSIDEN])
    with pytest.raises(ValueError, match="keamanan.kekerasan: value must be a number"):
        score_one({"keamanan.kekerasan": "ya"}, [KEKERASAN, INSIDEN])
    with pytest.raises(ValueError, match="keamanan.kekerasan: row 0 has a negative"):
        score_one({"keamanan.kekerasan": -1}, [KEKERASAN, INSIDEN])


def test_categories_are_named_in_code_order():
    assert CATEGORIES == ("aman", "rawan", "sangat_rawan")
