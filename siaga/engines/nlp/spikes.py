"""Spike alerts: a narrative grows fast, or a place is suddenly mentioned with hate or provocation.

Both reduce to one question on hourly counts: are the posts of the last few hours more than the
earlier hours make plausible? :func:`detect_spike` answers it with a one-sided Poisson test.

* **Baseline.** The mean hourly count of the hours before the window, but never less than
  ``prior_rate`` (0.1 post an hour by default): a narrative or a place can always get the odd
  post. Without that floor an empty baseline would expect zero posts and make a single post
  "infinitely surprising"; with it, 1 post after any number of empty hours has p ≈ 0.26, so it
  never fires, while a real burst on a new narrative still does.
* **Test.** Under "nothing changed" the window's count is Poisson with mean
  ``expected = rate × window``; the p-value is P(X ≥ observed), ``scipy.stats.poisson.sf``.
* **Fires** when ``p_value < alpha`` *and* ``observed ≥ min_observed``: a handful of posts is
  never an alert however quiet the baseline was (3 posts after empty hours have p ≈ 0.004,
  which is not worth waking a TP3D member for).

The Poisson model ignores the day/night rhythm of social media; over a baseline of a day or
more, night hours lower the rate and make daytime bursts look a bit more significant, which is
acceptable for an alert that a person then reads. :func:`hourly_counts` builds the counts from
post times.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scipy.stats import poisson

__all__ = ["Spike", "detect_spike", "hourly_counts"]

HOUR = timedelta(hours=1)


def hourly_counts(times: Iterable[datetime], *, end: datetime, hours: int) -> list[int]:
    """Posts per hour over the ``hours`` hours up to ``end``, oldest first.

    Bucket ``i`` covers ``(end - (hours - i) h, end - (hours - i - 1) h]``: the last bucket ends
    at ``end`` and includes it, so a post stamped "now" counts when ``end`` is now. Times outside
    ``(end - hours h, end]`` are ignored. ``times`` and ``end`` must be all naive or all
    timezone-aware.
    """
    if hours < 1:
        raise ValueError(f"hours must be at least 1, got {hours!r}")
    start = end - hours * HOUR
    counts = [0] * hours
    for row, t in enumerate(times):
        if not isinstance(t, datetime):
            raise TypeError(f"time {row}: expected a datetime, got {type(t).__name__}")
        try:
            if not start < t <= end:
                continue
        except TypeError as exc:
            raise ValueError(
                f"time {row}: cannot compare {t.isoformat()} with end {end.isoformat()} "
                "(naive and timezone-aware datetimes mixed)"
            ) from exc
        counts[-((start - t) // HOUR) - 1] += 1  # ceil((t - start) / 1 h) - 1
    return counts


@dataclass(frozen=True)
class Spike:
    """The verdict on the last ``window`` hours.

    ``observed``: posts in the window; ``expected``: posts the baseline predicts for it;
    ``ratio``: observed / expected; ``p_value``: P(X ≥ observed) under the baseline;
    ``reason``: one Indonesian sentence for the alert.
    """

    fires: bool
    observed: int
    expected: float
    ratio: float
    p_value: float
    reason: str


def detect_spike(
    counts: Sequence[int],
    *,
    window: int = 3,
    min_observed: int = 5,
    alpha: float = 0.01,
    prior_rate: float = 0.1,
) -> Spike:
    """Whether the last ``window`` hourly counts are a spike against the hours before them."""
    _check(counts, window=window, min_observed=min_observed, alpha=alpha, prior_rate=prior_rate)
    baseline = counts[:-window]
    observed = int(sum(counts[-window:]))
    mean = float(sum(baseline)) / len(baseline) if len(baseline) else 0.0
    expected = max(mean, prior_rate) * window
    p_value = float(poisson.sf(observed - 1, expected)) if observed > 0 else 1.0
    fires = observed >= min_observed and p_value < alpha
    return Spike(
        fires=fires,
        observed=observed,
        expected=expected,
        ratio=observed / expected,
        p_value=p_value,
        reason=_reason(observed, expected, window, fires, min_observed),
    )


def _check(
    counts: Sequence[int], *, window: int, min_observed: int, alpha: float, prior_rate: float
) -> None:
    if window < 1:
        raise ValueError(f"window must be at least 1 hour, got {window!r}")
    if len(counts) < window:
        raise ValueError(f"counts has {len(counts)} hours, fewer than the window of {window}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if not prior_rate > 0.0 or math.isinf(prior_rate):
        raise ValueError(f"prior_rate must be a positive number, got {prior_rate!r}")
    if min_observed < 1:
        raise ValueError(f"min_observed must be at least 1, got {min_observed!r}")
    for hour, count in enumerate(counts):
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
            raise ValueError(f"counts[{hour}]: expected a count (int ≥ 0), got {count!r}")


def _decimal(value: float) -> str:
    """One decimal with an Indonesian comma: 1.24 → "1,2"."""
    return f"{value:.1f}".replace(".", ",")


def _reason(observed: int, expected: float, window: int, fires: bool, min_observed: int) -> str:
    sentence = f"{observed} unggahan dalam {window} jam, biasanya {_decimal(expected)}"
    if fires:
        return sentence
    if observed < min_observed:
        return f"{sentence}; terlalu sedikit untuk peringatan (minimal {min_observed})"
    return f"{sentence}; masih dalam batas wajar"
