"""Rising trends: more incidents or hoaxes in an area than its recent baseline makes plausible.

A fixed rule ("5 incidents a day") fires every day in a big city kecamatan and never in a remote
one. The question is rather: given what this area usually sees, is today's count surprising?
This is :func:`siaga.engines.nlp.spikes.detect_spike` (one series, Poisson test) done for every
area at once, with one refinement for bursty areas:

* **Expected.** The mean count of the ``m`` baseline windows, never less than ``prior_rate``
  (0.1 by default): an area with an empty week can still get the odd report, and without the
  floor a single report would be "infinitely surprising".
* **Test.** Under "nothing changed" the current count is Poisson with that mean and the p-value
  is P(X >= observed). When the baseline itself is over-dispersed (m >= 3 windows and sample
  variance > expected, e.g. an area with a quiet week and one market-day brawl), the count is
  instead negative binomial with the same mean and the baseline's variance (moment-matched):
  its heavier tail means a bursty area needs a bigger rise before it fires.
* **Fires** when p < ``alpha`` and the count is at least ``min_count``: two reports after a
  quiet week are not worth waking a TP3D member for, however small the p-value.

The mean is estimated from a short baseline (a week), so the false-alarm rate on pure noise is
about ``alpha``, a little above it for small baselines; ``alpha`` 0.01 over 7,000 kecamatan still
means some tens of alerts a day that a person reads, which the 'min_count' floor trims further.
:func:`daily_counts` builds the counts per area from event times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.stats import nbinom, poisson

__all__ = ["TrendResult", "daily_counts", "rising_trend"]

DAY = timedelta(days=1)


@dataclass
class TrendResult:
    """The verdict per area (arrays of length ``areas``, rows as in the input).

    ``observed``: count in the current window; ``expected``: what the baseline predicts;
    ``p_value``: P(X >= observed) under the baseline; ``fires``: the alert; ``variance``: the
    baseline's sample variance (NaN with fewer than 2 windows); ``overdispersed``: the negative
    binomial was used.
    """

    observed: np.ndarray
    expected: np.ndarray
    p_value: np.ndarray
    fires: np.ndarray
    variance: np.ndarray | None = None
    overdispersed: np.ndarray | None = None

    @property
    def ratio(self) -> np.ndarray:
        """observed / expected, for the alert text ("3× the usual")."""
        return self.observed / self.expected


def _counts(array: object, name: str, ndim: int) -> np.ndarray:
    counts = np.asarray(array)
    if counts.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {counts.shape}")
    if counts.dtype.kind not in "iuf" or counts.dtype == np.bool_:
        raise ValueError(f"{name} must hold counts (integers >= 0), got dtype {counts.dtype}")
    bad = counts < 0
    if counts.dtype.kind == "f":
        bad = bad | ~np.isfinite(counts) | (counts != np.floor(counts))
    if bad.any():
        where = tuple(int(x) for x in np.argwhere(bad)[0])
        position = f"area {where[0]}" + (f", window {where[1]}" if ndim == 2 else "")
        raise ValueError(
            f"{name}: {position} is {counts[where].item()!r}, not a count (integer >= 0)"
        )
    return counts.astype(np.int64)


def rising_trend(
    current: np.ndarray,
    baseline: np.ndarray,
    *,
    alpha: float = 0.01,
    min_count: int = 3,
    prior_rate: float = 0.1,
) -> TrendResult:
    """Which areas have a count in the latest window well above their baseline windows.

    ``current``: (areas,) counts in the latest window (e.g. the last 24 h); ``baseline``:
    (areas, m) counts in the ``m`` previous windows of the same length, m >= 1.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    if (
        isinstance(prior_rate, bool)
        or not isinstance(prior_rate, int | float)
        or not 0.0 < prior_rate < math.inf
    ):
        raise ValueError(f"prior_rate must be a positive number, got {prior_rate!r}")
    observed = _counts(current, "current", 1)
    past = _counts(baseline, "baseline", 2)
    if past.shape[0] != observed.shape[0]:
        raise ValueError(f"baseline has {past.shape[0]} areas but current has {observed.shape[0]}")
    windows = past.shape[1]
    if windows < 1:
        raise ValueError("baseline must have at least one window per area, got 0")

    expected = np.maximum(past.mean(axis=1), prior_rate)
    variance = past.var(axis=1, ddof=1) if windows >= 2 else np.full(observed.shape, np.nan)
    overdispersed = (variance > expected) if windows >= 3 else np.zeros(observed.shape, bool)

    p_value = poisson.sf(observed - 1, expected)
    if overdispersed.any():
        mu = expected[overdispersed]
        var = variance[overdispersed]
        # NB(r, p): mean r(1-p)/p = mu, variance r(1-p)/p² = var
        p_value[overdispersed] = nbinom.sf(
            observed[overdispersed] - 1, mu**2 / (var - mu), mu / var
        )
    p_value = np.where(observed > 0, p_value, 1.0)
    fires = (p_value < alpha) & (observed >= min_count)
    return TrendResult(
        observed=observed,
        expected=expected,
        p_value=p_value,
        fires=fires,
        variance=variance,
        overdispersed=overdispersed,
    )


def daily_counts(
    times_by_area: Mapping[str, Iterable[datetime]],
    *,
    end: datetime,
    days: int,
    areas: Sequence[str] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Events per area per day over the ``days`` days up to ``end``: (areas, (areas, days)).

    Day ``i`` covers ``(end - (days - i) d, end - (days - i - 1) d]``, oldest first, so the last
    column is the latest 24 h and includes ``end``; times outside ``(end - days d, end]`` are
    ignored. Rows follow ``areas`` when given (areas with no events get zeros; an area in
    ``times_by_area`` but not in ``areas`` is a ValueError), else the sorted keys. Times and
    ``end`` must be all naive or all timezone-aware.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be an int >= 1, got {days!r}")
    if not isinstance(end, datetime):
        raise ValueError(f"end must be a datetime, got {end!r}")
    if areas is None:
        names = sorted(times_by_area)
    else:
        names = list(areas)
        if len(set(names)) != len(names):
            raise ValueError("areas: an area is listed more than once")
        extra = sorted(set(times_by_area) - set(names))
        if extra:
            raise ValueError(f"times_by_area has areas not in areas: {', '.join(extra[:5])}")
    row_of = {name: row for row, name in enumerate(names)}
    counts = np.zeros((len(names), days), dtype=np.int64)
    start = end - days * DAY
    for area, times in times_by_area.items():
        row = row_of[area]
        for k, t in enumerate(times):
            if not isinstance(t, datetime):
                raise ValueError(f"area {area}, time {k}: expected a datetime, got {t!r}")
            try:
                if not start < t <= end:
                    continue
            except TypeError as exc:
                raise ValueError(
                    f"area {area}, time {k}: cannot compare {t.isoformat()} with end "
                    f"{end.isoformat()} (naive and timezone-aware datetimes mixed)"
                ) from exc
            counts[row, -((start - t) // DAY) - 1] += 1  # ceil((t - start) / 1 d) - 1
    return names, counts
