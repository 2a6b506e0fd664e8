"""Which TPS each unit can serve, and how far it has to travel.

Only (unit, TPS) pairs in reach become solver variables, which keeps the model small: a Polsek
reaches the TPS of its kecamatan, not all 701 of Kutai Timur. Computed with numpy per unit
(one vectorised haversine over all TPS) so that 10,000 TPS and hundreds of units take
milliseconds.

A TPS without coordinates cannot be measured; a "distance" unit then reaches it only when it is
in the unit's own kecamatan (the unit is expected to cover its home ground), and travel is
estimated from the region: 0 km in the same desa, ``SAME_KECAMATAN_KM`` in the same kecamatan,
``ELSEWHERE_KM`` beyond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from siaga.engines.planning.model import (
    LINMAS,
    REACH_ANY,
    REACH_DESA,
    REACH_DISTANCE,
    REACH_KECAMATAN,
    Station,
    Unit,
)

EARTH_RADIUS_KM = 6371.0088
SAME_KECAMATAN_KM = 5.0
ELSEWHERE_KM = 50.0


@dataclass(frozen=True)
class Reach:
    """The TPS one unit can serve: indices into the station list and travel in km."""

    unit: Unit
    stations: np.ndarray  # int64 indices, ascending
    km: np.ndarray  # float64, same length


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance from one point to many, in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class StationIndex:
    """Station attributes as arrays, so each unit's reach is a few vectorised comparisons."""

    def __init__(self, stations: Sequence[Station]) -> None:
        n = len(stations)
        self.lat = np.array([np.nan if s.lat is None else s.lat for s in stations], dtype=float)
        self.lon = np.array([np.nan if s.lon is None else s.lon for s in stations], dtype=float)
        self.has_pos = ~np.isnan(self.lat)
        self.desa = np.array([s.desa for s in stations], dtype=object)
        self.kecamatan = np.array([s.kecamatan for s in stations], dtype=object)
        self.all = np.arange(n, dtype=np.int64)

    def _region_km(self, unit: Unit, idx: np.ndarray) -> np.ndarray:
        """Estimated travel where a position is missing: by desa and kecamatan."""
        km = np.full(len(idx), ELSEWHERE_KM)
        if unit.kecamatan:
            km[self.kecamatan[idx] == unit.kecamatan] = SAME_KECAMATAN_KM
        if unit.desa:
            km[self.desa[idx] == unit.desa] = 0.0
        return km

    def _km(self, unit: Unit, idx: np.ndarray) -> np.ndarray:
        km = self._region_km(unit, idx)
        if unit.lat is not None and len(idx):
            measured = self.has_pos[idx]
            sub = idx[measured]
            km[measured] = haversine_km(unit.lat, unit.lon, self.lat[sub], self.lon[sub])
        return km

    def reach(self, unit: Unit) -> Reach:
        """The TPS ``unit`` can serve (Linmas: only its own desa)."""
        if unit.kind == LINMAS or unit.reach == REACH_DESA:
            idx = np.flatnonzero(self.desa == unit.desa)
        elif unit.reach == REACH_KECAMATAN:
            idx = np.flatnonzero(self.kecamatan == unit.kecamatan)
        elif unit.reach == REACH_ANY:
            idx = self.all
        else:
            assert unit.reach == REACH_DISTANCE
            km_all = np.full(len(self.lat), np.inf)
            pos = self.has_pos
            km_all[pos] = haversine_km(unit.lat, unit.lon, self.lat[pos], self.lon[pos])
            inside = km_all <= unit.reach_km
            if unit.kecamatan:
                inside |= ~pos & (self.kecamatan == unit.kecamatan)
            idx = np.flatnonzero(inside)
        return Reach(unit, idx.astype(np.int64), self._km(unit, idx))
