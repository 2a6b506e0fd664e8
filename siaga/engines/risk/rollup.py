"""Roll TPS scores up to desa, kecamatan, kabupaten and provinsi.

A camat or a Polres chief looks at areas, not at single TPS, and the map colours areas. An area's
score is the voter-weighted mean of its TPS scores (a TPS of 600 voters weighs more than one of
150), its category follows the same thresholds, and because a mean hides the one sangat_rawan TPS
among twenty quiet ones, every area also carries its worst score and the count of TPS in each
category. The points per indicator are averaged the same way, so an area can be explained ("vote
buying and late logistics drive Sangatta Utara") exactly as a TPS is.

Region codes are Kemendagri's dotted codes, so the area of a TPS is a prefix of its desa code
(``LEVELS`` gives the length per level): no region table is needed, and the whole roll-up is a few
vectorised passes (``np.unique`` on the codes, ``np.bincount`` and one sparse product), with no
Python loop per TPS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from siaga.engines.risk.index import (
    _DECIMALS,
    CATEGORIES,
    Contribution,
    IndexResult,
    Thresholds,
    _explain,
)

__all__ = ["LEVELS", "AreaScores", "rollup"]

LEVELS = {"desa": 13, "kecamatan": 8, "kabupaten": 5, "provinsi": 2}  # code prefix lengths

_DESA_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")


@dataclass
class AreaScores:
    """Scores of the areas of one level, one row per area, areas sorted by code.

    ``score``: voter-weighted mean of the TPS scores; ``max_score``: the worst TPS;
    ``categories``: int8 category of ``score``; ``counts``: (areas, 3) TPS aman / rawan /
    sangat_rawan; ``tps``: TPS per area; ``points``: (areas, k) weighted mean points per
    indicator (None when the index had none); ``values``: the same for the indicator values
    (for a yes/no indicator, the voter-weighted share of TPS where it is present).
    """

    level: str
    codes: list[str]
    score: np.ndarray
    max_score: np.ndarray
    categories: np.ndarray
    counts: np.ndarray
    tps: np.ndarray
    points: np.ndarray | None
    values: np.ndarray | None = None
    indicator_codes: tuple[str, ...] = ()
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.codes)

    def position(self, code: str) -> int:
        """The row of area ``code``; KeyError when no TPS of the index lies in it."""
        if not self._positions:
            self._positions.update((c, i) for i, c in enumerate(self.codes))
        return self._positions[code]

    def category(self, i: int | str) -> str:
        """The category name of area ``i`` (a row or an area code)."""
        row = self.position(i) if isinstance(i, str) else i
        return CATEGORIES[int(self.categories[row])]

    def explain(
        self, i: int | str, codes: Sequence[str] | None = None, top: int | None = 3
    ) -> list[Contribution]:
        """What drives area ``i`` (a row or an area code): its largest mean points per indicator.

        ``codes`` are the indicator codes in column order; by default those of the index.
        """
        if self.points is None:
            return []
        names = tuple(codes) if codes is not None else self.indicator_codes
        if len(names) != self.points.shape[1]:
            raise ValueError(
                f"codes must name the {self.points.shape[1]} indicator columns, got {len(names)}"
            )
        row = self.position(i) if isinstance(i, str) else i
        values = None if self.values is None else self.values[row]
        return _explain(names, self.points[row], values, top)


def rollup(
    desa_codes: Sequence[str] | np.ndarray,
    result: IndexResult,
    *,
    level: str,
    weights: np.ndarray | None = None,
    thresholds: Thresholds | None = None,
) -> AreaScores:
    """Aggregate the TPS of ``result`` (``desa_codes[i]`` is the desa of TPS ``i``) to ``level``.

    ``weights`` are the voters per TPS (default 1 each); an area whose TPS all weigh 0 falls
    back to the plain mean. ``thresholds`` default to those of the index, so that the TPS counts
    per category agree with the TPS categories.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    if thresholds is None:
        thresholds = result.thresholds
    if not isinstance(thresholds, Thresholds):
        raise ValueError(f"thresholds must be a Thresholds, got {thresholds!r}")
    n = len(result)
    codes = np.asarray(desa_codes)
    if codes.dtype.kind != "U":
        codes = np.asarray([str(c) for c in codes.ravel()] if codes.size else [], dtype="U13")
    if codes.shape != (n,):
        raise ValueError(f"desa_codes must have one code per TPS ({n}), got shape {codes.shape}")
    weight = _weights(weights, n)

    desa, tps_desa = np.unique(codes, return_inverse=True)
    _check_desa_codes(desa, tps_desa)
    if level == "desa":
        areas, group = desa, tps_desa
    else:
        areas, desa_area = np.unique(desa.astype(f"U{LEVELS[level]}"), return_inverse=True)
        group = desa_area[tps_desa]
    count = len(areas)

    tps = np.bincount(group, minlength=count)
    total = np.bincount(group, weights=weight, minlength=count)
    if (total == 0).any():
        weight = np.where(total[group] == 0, 1.0, weight)
        total = np.bincount(group, weights=weight, minlength=count)
    score = (np.bincount(group, weights=weight * result.scores, minlength=count) / total).round(
        _DECIMALS
    )
    max_score = np.full(count, -np.inf)
    np.maximum.at(max_score, group, result.scores)

    if thresholds == result.thresholds:
        tps_categories = result.categories
    else:
        tps_categories = thresholds.categorise(result.scores)
    counts = np.bincount(group * 3 + tps_categories.astype(np.intp), minlength=count * 3).reshape(
        count, 3
    )

    points = values = None
    if result.points is not None or result.values is not None:
        share = sparse.csr_matrix((weight / total[group], (group, np.arange(n))), shape=(count, n))
        if result.points is not None:
            points = np.asarray(share @ result.points)
        if result.values is not None:
            values = np.asarray(share @ result.values)

    return AreaScores(
        level=level,
        codes=areas.tolist(),
        score=score,
        max_score=max_score,
        categories=thresholds.categorise(score),
        counts=counts,
        tps=tps,
        points=points,
        values=values,
        indicator_codes=tuple(result.codes),
    )


def _weights(weights: np.ndarray | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    weight = np.asarray(weights, dtype=np.float64)
    if weight.shape != (n,):
        raise ValueError(f"weights must have one value per TPS ({n}), got shape {weight.shape}")
    bad = ~np.isfinite(weight) | (weight < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"weights: row {row} is {weight[row]}; weights must be finite and >= 0")
    return weight


def _check_desa_codes(desa: np.ndarray, tps_desa: np.ndarray) -> None:
    """Every distinct code must be a desa code ("64.08.01.2001"); name the first bad one."""
    for k, code in enumerate(desa.tolist()):
        if not _DESA_CODE.fullmatch(code):
            row = int(np.flatnonzero(tps_desa == k)[0])
            raise ValueError(
                f"desa_codes: row {row} has {code!r}, not a desa code such as '64.08.01.2001'"
            )
