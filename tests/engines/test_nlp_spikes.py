"""Spike detection: hourly buckets, and the Poisson test's verdicts on typical series."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from siaga.engines.nlp.spikes import Spike, detect_spike, hourly_counts

END = datetime(2024, 11, 27, 12, 0, tzinfo=UTC)


def test_hourly_counts_puts_each_time_in_its_hour_oldest_first():
    times = [
        END,  # "now" is in the last hour
        END - timedelta(minutes=1),  # last hour
        END - timedelta(minutes=59, seconds=59),  # last hour
        END - timedelta(hours=1),  # the end of the hour before: that hour
        END - timedelta(hours=2, minutes=30),  # first hour
        END - timedelta(hours=3),  # the start of the first hour is excluded
        END - timedelta(hours=5),  # too old: ignored
        END + timedelta(seconds=1),  # future: ignored
    ]
    assert hourly_counts(times, end=END, hours=3) == [1, 1, 3]
    assert hourly_counts([], end=END, hours=2) == [0, 0]


def test_hourly_counts_names_the_bad_time():
    naive = datetime(2024, 11, 27, 11, 30)
    with pytest.raises(ValueError, match="time 1: .*naive and timezone-aware"):
        hourly_counts([END - timedelta(minutes=5), naive], end=END, hours=3)
    with pytest.raises(TypeError, match="time 0"):
        hourly_counts(["2024-11-27"], end=END, hours=3)
    with pytest.raises(ValueError, match="hours"):
        hourly_counts([], end=END, hours=0)


def test_flat_series_does_not_fire():
    spike = detect_spike([4] * 24)
    assert not spike.fires
    assert spike.observed == 12
    assert spike.expected == pytest.approx(12.0)
    assert spike.ratio == pytest.approx(1.0)
    assert spike.p_value > 0.4
    assert spike.reason == "12 unggahan dalam 3 jam, biasanya 12,0; masih dalam batas wajar"


def test_noisy_flat_series_does_not_fire():
    rng = np.random.default_rng(3)
    fired = [detect_spike(rng.poisson(5, 24).tolist()).fires for _ in range(200)]
    assert sum(fired) <= 6  # alpha 0.01: about 2 false alarms in 200 expected


def test_a_real_jump_fires_with_a_readable_reason():
    spike = detect_spike([0, 1, 0, 2, 1, 0, 1, 2, 1, 0, 1, 2, 3, 4, 5])
    assert spike == Spike(
        fires=True,
        observed=12,
        expected=pytest.approx(3 * 11 / 12),
        ratio=pytest.approx(12 / (3 * 11 / 12)),
        p_value=spike.p_value,
        reason="12 unggahan dalam 3 jam, biasanya 2,8",
    )
    assert spike.p_value < 1e-4


def test_tiny_counts_do_not_fire_even_after_silence():
    for burst in ([1, 0, 0], [1, 1, 0], [2, 1, 1]):
        spike = detect_spike([0] * 21 + burst)
        assert not spike.fires
        assert "terlalu sedikit" in spike.reason
    # without the minimum, the prior alone keeps a single post from firing
    assert not detect_spike([0] * 200 + [1, 0, 0], min_observed=1).fires


def test_empty_baseline_with_a_large_burst_fires():
    assert detect_spike([0] * 21 + [6, 9, 15]).fires
    assert detect_spike([6, 9, 15]).fires  # no baseline hours at all: the prior alone
    spike = detect_spike([0] * 21 + [6, 9, 15])
    assert spike.expected == pytest.approx(0.3)
    assert spike.reason == "30 unggahan dalam 3 jam, biasanya 0,3"


def test_p_value_falls_as_the_burst_grows():
    baseline = [2, 3, 1, 2, 2, 4, 1, 2, 3, 2, 2, 1]
    p_values = [detect_spike(baseline + [0, 0, burst]).p_value for burst in range(0, 40)]
    assert p_values[0] == 1.0
    assert all(a > b for a, b in zip(p_values, p_values[1:], strict=False))
    fires = [detect_spike(baseline + [0, 0, burst]).fires for burst in range(0, 40)]
    first = fires.index(True)
    assert all(fires[first:]) and not any(fires[:first])


def test_window_and_alpha_are_respected():
    counts = [1] * 20 + [3, 3, 3, 3]
    assert detect_spike(counts, window=4).observed == 12
    strict = detect_spike(counts, window=4, alpha=1e-9)
    loose = detect_spike(counts, window=4, alpha=0.5)
    assert strict.p_value == loose.p_value
    assert loose.fires and not strict.fires


def test_numpy_counts_are_accepted_and_bad_counts_named():
    assert detect_spike(np.array([1] * 21 + [9, 9, 9])).fires
    with pytest.raises(ValueError, match=r"counts\[2\]"):
        detect_spike([1, 1, -1, 5, 5, 5])
    with pytest.raises(ValueError, match=r"counts\[0\]"):
        detect_spike([1.5, 1, 5, 5, 5])
    with pytest.raises(ValueError, match="fewer than the window"):
        detect_spike([5, 5])
