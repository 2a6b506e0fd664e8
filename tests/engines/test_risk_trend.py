"""Rising trends per area: a real rise fires, noise does not, bursty areas need more."""

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from siaga.engines.risk import daily_counts, rising_trend

END = datetime(2024, 11, 27, 12, 0, tzinfo=UTC)


def poisson_tail(observed: int, mean: float) -> float:
    """P(X >= observed), X ~ Poisson(mean), by hand."""
    return 1.0 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(observed))


def negative_binomial_tail(observed: int, mean: float, variance: float) -> float:
    """P(X >= observed) for the negative binomial with this mean and variance, by hand."""
    r, p = mean**2 / (variance - mean), mean / variance
    pmf = [
        math.exp(math.lgamma(k + r) - math.lgamma(k + 1) - math.lgamma(r)) * p**r * (1 - p) ** k
        for k in range(observed)
    ]
    return 1.0 - sum(pmf)


def test_a_real_rise_fires_and_noise_does_not():
    rng = np.random.default_rng(2024)
    baseline = rng.poisson(2.0, (2000, 7))
    current = rng.poisson(2.0, 2000)
    noise = rising_trend(current, baseline)
    assert noise.fires.mean() <= 0.015  # alpha = 0.01; the baseline mean is an estimate

    rise = rising_trend(np.array([8]), np.array([[1, 0, 2, 1, 1, 0, 2]]))  # about 1 a day
    assert rise.expected.tolist() == [1.0]
    assert rise.p_value[0] == pytest.approx(poisson_tail(8, 1.0))  # about 1e-5
    assert rise.fires.tolist() == [True]
    assert rise.overdispersed.tolist() == [False]  # variance 0.67 < mean 1


def test_the_usual_count_does_not_fire_and_p_is_about_one_half_or_more():
    result = rising_trend(np.array([2, 0]), np.array([[2] * 7, [2] * 7]))
    assert result.fires.tolist() == [False, False]
    assert result.p_value[0] == pytest.approx(poisson_tail(2, 2.0))  # 0.59
    assert result.p_value[1] == 1.0  # nothing observed: nothing to test


def test_an_empty_baseline_expects_the_prior_rate_and_min_count_is_respected():
    quiet = np.zeros((1, 7), dtype=int)
    two = rising_trend(np.array([2]), quiet)
    assert two.expected.tolist() == [0.1]
    assert two.p_value[0] == pytest.approx(poisson_tail(2, 0.1))  # 0.0047 < alpha
    assert two.fires.tolist() == [False]  # but 2 < min_count 3
    assert rising_trend(np.array([2]), quiet, min_count=2).fires.tolist() == [True]
    assert rising_trend(np.array([3]), quiet).fires.tolist() == [True]
    assert rising_trend(np.array([3]), quiet, prior_rate=0.5).fires.tolist() == [False]


def test_an_over_dispersed_baseline_needs_a_bigger_rise():
    steady = [1, 1, 1, 1, 1, 1, 1]
    bursty = [0, 0, 0, 7, 0, 0, 0]  # the same mean of 1 a day, variance 7
    result = rising_trend(np.array([6, 6]), np.array([steady, bursty]))
    assert result.expected.tolist() == [1.0, 1.0]
    assert result.variance.tolist() == pytest.approx([0.0, 7.0])
    assert result.overdispersed.tolist() == [False, True]
    assert result.p_value[0] == pytest.approx(poisson_tail(6, 1.0))
    assert result.p_value[1] == pytest.approx(negative_binomial_tail(6, 1.0, 7.0))
    assert result.fires.tolist() == [True, False]
    assert rising_trend(np.array([40]), np.array([bursty])).fires.tolist() == [True]


def test_fewer_than_three_baseline_windows_always_use_poisson():
    result = rising_trend(np.array([6]), np.array([[0, 4]]))  # variance 8, mean 2
    assert result.overdispersed.tolist() == [False]
    assert result.p_value[0] == pytest.approx(poisson_tail(6, 2.0))


def test_a_larger_alpha_fires_more():
    baseline = np.array([[2] * 7])
    assert not rising_trend(np.array([6]), baseline).fires[0]  # p = 0.017
    assert rising_trend(np.array([6]), baseline, alpha=0.05).fires[0]


@pytest.mark.parametrize(
    ("current", "baseline", "kwargs", "message"),
    [
        ([1, -1], [[1], [1]], {}, r"current: area 1 is -1, not a count"),
        ([1, 1], [[1, 0.5], [1, 1]], {}, r"baseline: area 0, window 1 is 0.5"),
        ([1, 1], [[1]], {}, "baseline has 1 areas but current has 2"),
        ([1], [1], {}, "baseline must be 2-dimensional"),
        ([1], np.zeros((1, 0), int), {}, "at least one window"),
        ([1], [[1]], {"alpha": 0}, "alpha"),
        ([1], [[1]], {"min_count": 0}, "min_count"),
        ([1], [[1]], {"prior_rate": 0.0}, "prior_rate"),
        (["1"], [[1]], {}, "current must hold counts"),
    ],
)
def test_bad_input_is_refused_naming_the_field(current, baseline, kwargs, message):
    with pytest.raises(ValueError, match=message):
        rising_trend(np.asarray(current), np.asarray(baseline), **kwargs)


def test_daily_counts_buckets_each_area_by_day_oldest_first():
    times = {
        "64.08.02": [END, END - timedelta(hours=23), END - timedelta(days=1)],
        "64.08.01": [
            END - timedelta(days=1, seconds=1),  # just before the last day starts: middle day
            END - timedelta(days=3),  # the start of the window is excluded
            END + timedelta(seconds=1),  # future: ignored
        ],
    }
    areas, counts = daily_counts(times, end=END, days=3)
    assert areas == ["64.08.01", "64.08.02"]
    assert counts.tolist() == [[0, 1, 0], [0, 1, 2]]
    baseline, current = counts[:, :-1], counts[:, -1]
    assert rising_trend(current, baseline).observed.tolist() == [0, 2]


def test_daily_counts_follows_the_given_areas_with_zeros_for_quiet_ones():
    areas, counts = daily_counts({"b": [END]}, end=END, days=2, areas=["c", "b", "a"])
    assert areas == ["c", "b", "a"]
    assert counts.tolist() == [[0, 0], [0, 1], [0, 0]]
    with pytest.raises(ValueError, match="not in areas: b"):
        daily_counts({"b": [END]}, end=END, days=2, areas=["a"])


def test_daily_counts_names_the_bad_time():
    naive = datetime(2024, 11, 27, 11, 30)
    with pytest.raises(ValueError, match="area x, time 1: .*naive and timezone-aware"):
        daily_counts({"x": [END, naive]}, end=END, days=2)
    with pytest.raises(ValueError, match="area x, time 0: expected a datetime"):
        daily_counts({"x": ["2024-11-27"]}, end=END, days=2)
    with pytest.raises(ValueError, match="days"):
        daily_counts({}, end=END, days=0)
