"""Category rises: the TPS or areas that moved into a higher category since the last run.

"Crossed into rawan" is the first early-warning rule of issue 7 and the map's "what changed since
yesterday". Only rises alert: a TPS that calms down is good news for the dashboard, not a task
for anyone. A TPS or area without an earlier category (code -1: new, or never scored) has no
rise, so the first run of the index does not flood the alert feed with every rawan TPS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from siaga.engines.risk.index import CATEGORIES

__all__ = ["Rise", "category_rises"]


@dataclass(frozen=True)
class Rise:
    """``key`` (a TPS id or an area code) went from category ``before`` to ``after``."""

    key: str
    before: str
    after: str


def _codes(array: object, name: str, lowest: int, n: int) -> np.ndarray:
    codes = np.asarray(array)
    if codes.shape != (n,):
        raise ValueError(f"{name} must have one code per key ({n}), got shape {codes.shape}")
    if n and (codes.dtype.kind not in "iu" or codes.min() < lowest or codes.max() > 2):
        allowed = "-1 (none), " if lowest < 0 else ""
        raise ValueError(f"{name} must hold category codes {allowed}0, 1 or 2")
    return codes.astype(np.int8)


def category_rises(keys: Sequence[str], before: np.ndarray, after: np.ndarray) -> list[Rise]:
    """The keys whose category code rose from ``before`` to ``after``, in the order of ``keys``.

    ``before``: int8 codes with -1 for "no earlier category"; ``after``: int8 codes 0..2.
    """
    n = len(keys)
    old = _codes(before, "before", -1, n)
    new = _codes(after, "after", 0, n)
    rows = np.flatnonzero((old >= 0) & (new > old))
    return [Rise(key=keys[i], before=CATEGORIES[old[i]], after=CATEGORIES[new[i]]) for i in rows]
