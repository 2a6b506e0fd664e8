"""The TPS vulnerability index: points per indicator, a 0-100 score and a category.

Bawaslu's TPS vulnerability map is a checklist (8 variables, 25 indicators, mostly yes/no) filled
once, on paper. Siaga keeps the same idea but makes it live and weighted, so that a TPS with a
verified violent incident outranks one that is merely near a school, and so that the score can be
recomputed for the whole country every time a module reports something:

* every :class:`Indicator` adds up to ``weight`` points; a yes/no indicator adds all of them when
  present, a count (verified incidents, double voters, hours late) adds ``weight`` ×
  ``value / saturation``, capped at ``weight`` once the count reaches ``saturation``. The cap
  keeps one noisy source from drowning the others;
* the score is the sum of the points, capped at 100, and the category (aman / rawan /
  sangat_rawan) comes from two thresholds an administrator sets (:class:`Thresholds`);
* every score can be explained (:meth:`IndexResult.explain`): the indicators that add points,
  largest first, which is what a TP3D member reads before acting on a category.

The arithmetic runs on a ``(TPS, indicators)`` array at once (numpy), so a country of 435,000 TPS
with 30 indicators is a fraction of a second. A missing value (NaN) means "nothing reported" and
counts as 0: an indicator that no module provides yet simply adds nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "CATEGORIES",
    "Contribution",
    "IndexResult",
    "Indicator",
    "Thresholds",
    "compute_index",
    "score_one",
]

CATEGORIES = ("aman", "rawan", "sangat_rawan")  # the int8 codes 0, 1, 2 index this tuple

# Scores are rounded to this many decimals so that float noise (10/3 + 10/3 + ... summing to
# 24.999999999) never moves a TPS across a threshold it sits exactly on.
_DECIMALS = 9


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


@dataclass(frozen=True)
class Indicator:
    """One indicator of vulnerability and how many points it is worth.

    ``code`` is the catalogue's dotted code (``"keamanan.kekerasan"``); ``weight`` the points it
    adds when fully present; ``saturation`` the value at which it counts fully (1 for a yes/no
    indicator, 3 for "three verified incidents is as bad as it gets").
    """

    code: str
    weight: float
    saturation: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise ValueError(f"indicator code must be a non-empty string, got {self.code!r}")
        weight = _number(self.weight, f"indicator {self.code}: weight")
        if weight < 0:
            raise ValueError(f"indicator {self.code}: weight must be >= 0, got {self.weight!r}")
        saturation = _number(self.saturation, f"indicator {self.code}: saturation")
        if saturation <= 0:
            raise ValueError(
                f"indicator {self.code}: saturation must be > 0, got {self.saturation!r}"
            )


@dataclass(frozen=True)
class Thresholds:
    """Where rawan and sangat_rawan start on the 0-100 score (a score equal to one is in it).

    Kept as settings rather than constants: each deployment agrees its cut-offs with Bawaslu
    and the police, and the planner's officer patterns follow the category.
    """

    rawan: float = 25.0
    sangat_rawan: float = 50.0

    def __post_init__(self) -> None:
        rawan = _number(self.rawan, "rawan")
        sangat_rawan = _number(self.sangat_rawan, "sangat_rawan")
        if not 0 < rawan < 100:
            raise ValueError(f"rawan must be in (0, 100), got {self.rawan!r}")
        if not rawan < sangat_rawan <= 100:
            raise ValueError(
                f"sangat_rawan must be above rawan ({self.rawan!r}) and at most 100, "
                f"got {self.sangat_rawan!r}"
            )

    def category(self, score: float) -> str:
        """The category name of one score."""
        value = _number(score, "score")
        if value >= self.sangat_rawan:
            return "sangat_rawan"
        if value >= self.rawan:
            return "rawan"
        return "aman"

    def categorise(self, scores: np.ndarray) -> np.ndarray:
        """int8 category codes (0 aman, 1 rawan, 2 sangat_rawan) of an array of scores."""
        scores = np.asarray(scores, dtype=np.float64)
        if np.isnan(scores).any():
            row = int(np.flatnonzero(np.isnan(scores.ravel()))[0])
            raise ValueError(f"score {row} is NaN; cannot categorise it")
        codes = (scores >= self.rawan).astype(np.int8)
        codes += scores >= self.sangat_rawan
        return codes


@dataclass(frozen=True)
class Contribution:
    """What one indicator adds to a score: its ``value`` and the ``points`` it earns."""

    code: str
    value: float
    points: float


@dataclass
class IndexResult:
    """Scores, categories and points per indicator of ``n`` TPS (rows in input order).

    ``values`` keeps the input (NaN replaced by 0) so that an explanation can say "2 incidents"
    as well as "13.3 points"; ``thresholds`` are those the categories were computed with, which
    a roll-up reuses so that counts and categories agree.
    """

    codes: tuple[str, ...]
    scores: np.ndarray
    categories: np.ndarray
    points: np.ndarray
    values: np.ndarray | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    def explain(self, row: int, top: int | None = None) -> list[Contribution]:
        """The indicators that add points to TPS ``row``, largest first (ties: catalogue order).

        ``top`` keeps only the first few, for a map tooltip. Points are before the cap at 100,
        so the contributions of a capped TPS add up to more than its score.
        """
        values = None if self.values is None else self.values[row]
        return _explain(self.codes, self.points[row], values, top)

    def category(self, row: int) -> str:
        """The category name of TPS ``row``."""
        return CATEGORIES[int(self.categories[row])]


def _explain(
    codes: Sequence[str], points: np.ndarray, values: np.ndarray | None, top: int | None
) -> list[Contribution]:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
        raise ValueError(f"top must be a non-negative int or None, got {top!r}")
    points = np.asarray(points, dtype=np.float64)
    order = np.argsort(-points, kind="stable")
    order = order[points[order] > 0]
    if top is not None:
        order = order[:top]
    return [
        Contribution(
            code=codes[j],
            value=float(values[j]) if values is not None else math.nan,
            points=float(points[j]),
        )
        for j in order
    ]


def _check_indicators(indicators: Sequence[Indicator]) -> tuple[str, ...]:
    codes = []
    for j, indicator in enumerate(indicators):
        if not isinstance(indicator, Indicator):
            raise ValueError(f"indicators[{j}]: expected an Indicator, got {indicator!r}")
        codes.append(indicator.code)
    seen: set[str] = set()
    duplicates = sorted({c for c in codes if c in seen or seen.add(c)})
    if duplicates:
        raise ValueError(f"indicator codes appear more than once: {', '.join(duplicates)}")
    return tuple(codes)


def compute_index(
    values: np.ndarray,
    indicators: Sequence[Indicator],
    thresholds: Thresholds = Thresholds(),  # noqa: B008 (frozen, immutable default)
) -> IndexResult:
    """Score every TPS: ``values[i, j]`` is TPS ``i``'s value of ``indicators[j]``.

    points = weight × clip(value / saturation, 0, 1); score = min(100, sum of points).
    NaN is "no value" and scores 0. A negative value, an infinite negative, or a shape that does
    not match the indicators is a ValueError naming the indicator (and the row).
    """
    codes = _check_indicators(indicators)
    if not isinstance(thresholds, Thresholds):
        raise ValueError(f"thresholds must be a Thresholds, got {thresholds!r}")
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != len(codes):
        raise ValueError(
            f"values must have shape (n, {len(codes)}), one column per indicator "
            f"({', '.join(codes) or 'none'}), got shape {array.shape}"
        )
    clean = np.nan_to_num(array, nan=0.0, posinf=np.inf, neginf=-np.inf)
    negative = clean < 0
    if negative.any():
        row, col = (int(x) for x in np.argwhere(negative)[0])
        raise ValueError(
            f"indicator {codes[col]}: row {row} has a negative value {float(array[row, col])}; "
            f"{int(negative.sum())} negative value(s) in all"
        )
    weights = np.array([i.weight for i in indicators], dtype=np.float64)
    saturations = np.array([i.saturation for i in indicators], dtype=np.float64)
    points = clean / saturations
    np.minimum(points, 1.0, out=points)
    points *= weights
    scores = np.minimum(points.sum(axis=1), 100.0).round(_DECIMALS)
    return IndexResult(
        codes=codes,
        scores=scores,
        categories=thresholds.categorise(scores),
        points=points,
        values=clean,
        thresholds=thresholds,
    )


def score_one(
    values: Mapping[str, float],
    indicators: Sequence[Indicator],
    thresholds: Thresholds = Thresholds(),  # noqa: B008 (frozen, immutable default)
) -> tuple[float, str, list[Contribution]]:
    """One TPS, the same arithmetic: (score, category name, contributions largest first).

    Codes absent from ``values`` count as no value; a code that is not an indicator is a
    ValueError naming it (a typo would otherwise silently score nothing).
    """
    codes = _check_indicators(indicators)
    unknown = sorted(set(values) - set(codes))
    if unknown:
        raise ValueError(f"unknown indicator code(s): {', '.join(map(str, unknown))}")
    row = np.array([[_value(values, code) for code in codes]], dtype=np.float64)
    result = compute_index(row.reshape(1, len(codes)), indicators, thresholds)
    return float(result.scores[0]), result.category(0), result.explain(0)


def _value(values: Mapping[str, float], code: str) -> float:
    value = values.get(code)
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"indicator {code}: value must be a number, got {value!r}")
    return float(value)
