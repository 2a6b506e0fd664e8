"""Input checks for the planner, raising ``ValueError`` that names the field and the id.

Personnel and patterns are typed in by people; a negative count or a Polres "within 60 km" with
no position would otherwise turn into a silently wrong plan for voting day. Every check runs
before the solver so the message points at the record to fix, not at a solver failure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from siaga.engines.planning.model import (
    KINDS,
    LINMAS,
    REACH_DESA,
    REACH_DISTANCE,
    REACH_KECAMATAN,
    REACHES,
    Pattern,
    Station,
    Unit,
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_position(what: str, item_id: str, lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError(f"{what} {item_id!r}: lat and lon must both be given or both be None")
    if lat is None:
        return
    if not _finite(lat) or not -90 <= lat <= 90:
        raise ValueError(f"{what} {item_id!r}: lat {lat!r} is not a latitude")
    if not _finite(lon) or not -180 <= lon <= 180:
        raise ValueError(f"{what} {item_id!r}: lon {lon!r} is not a longitude")


def validate_patterns(patterns: Sequence[Pattern]) -> dict[str, Pattern]:
    """Patterns by category; one pattern per category, non-negative sizes, teams of >= 1 TPS."""
    by_category: dict[str, Pattern] = {}
    for p in patterns:
        if p.category in by_category:
            raise ValueError(f"pattern {p.category!r}: duplicate category")
        if not _is_int(p.officers) or p.officers < 0:
            raise ValueError(f"pattern {p.category!r}: officers must be an integer >= 0")
        if not _is_int(p.tps_per_team) or p.tps_per_team < 1:
            raise ValueError(f"pattern {p.category!r}: tps_per_team must be an integer >= 1")
        if not _is_int(p.linmas_per_tps) or p.linmas_per_tps < 0:
            raise ValueError(f"pattern {p.category!r}: linmas_per_tps must be an integer >= 0")
        by_category[p.category] = p
    return by_category


def validate_stations(stations: Sequence[Station], patterns: dict[str, Pattern]) -> None:
    """Unique ids, a pattern for every category, risk within 0..100, sane positions."""
    seen: set[str] = set()
    for s in stations:
        if s.id in seen:
            raise ValueError(f"station {s.id!r}: duplicate id")
        seen.add(s.id)
        if s.category not in patterns:
            raise ValueError(f"station {s.id!r}: category {s.category!r} has no pattern")
        if not _finite(s.risk) or not 0 <= s.risk <= 100:
            raise ValueError(f"station {s.id!r}: risk {s.risk!r} must be within 0..100")
        if not s.desa:
            raise ValueError(f"station {s.id!r}: desa is required")
        if not s.kecamatan:
            raise ValueError(f"station {s.id!r}: kecamatan is required")
        _check_position("station", s.id, s.lat, s.lon)


def validate_units(units: Sequence[Unit]) -> None:
    """Unique ids, counts >= 0, and whatever the unit's reach needs to be computed."""
    seen: set[str] = set()
    for u in units:
        if u.id in seen:
            raise ValueError(f"unit {u.id!r}: duplicate id")
        seen.add(u.id)
        if u.kind not in KINDS:
            raise ValueError(f"unit {u.id!r}: kind {u.kind!r} must be one of {KINDS}")
        if not _is_int(u.count) or u.count < 0:
            raise ValueError(f"unit {u.id!r}: count {u.count!r} must be an integer >= 0")
        if u.reach not in REACHES:
            raise ValueError(f"unit {u.id!r}: reach {u.reach!r} must be one of {REACHES}")
        _check_position("unit", u.id, u.lat, u.lon)
        if u.kind == LINMAS:
            if not u.desa:
                raise ValueError(f"unit {u.id!r}: desa is required for a linmas unit")
            continue
        if u.reach == REACH_DISTANCE:
            if u.lat is None:
                raise ValueError(f"unit {u.id!r}: lat/lon are required for reach 'distance'")
            if u.reach_km is None or not _finite(u.reach_km) or u.reach_km < 0:
                raise ValueError(f"unit {u.id!r}: reach_km >= 0 is required for reach 'distance'")
        elif u.reach == REACH_KECAMATAN and not u.kecamatan:
            raise ValueError(f"unit {u.id!r}: kecamatan is required for reach 'kecamatan'")
        elif u.reach == REACH_DESA and not u.desa:
            raise ValueError(f"unit {u.id!r}: desa is required for reach 'desa'")


def validate_withdrawn(withdrawn: Iterable[str], units: Sequence[Unit]) -> frozenset[str]:
    """The withdrawn ids, each of which must name a unit: a typo in a what-if must not pass for
    "nobody withdrawn"."""
    ids = {u.id for u in units}
    out = frozenset(withdrawn)
    unknown = sorted(out - ids)
    if unknown:
        raise ValueError(f"withdrawn: unknown unit id {unknown[0]!r}")
    return out


def validate_options(
    time_limit_s: float, relative_gap: float, workers: int, surplus_cap: float
) -> None:
    """The solver options, which come from settings or a form."""
    if not _finite(time_limit_s) or time_limit_s <= 0:
        raise ValueError(f"time_limit_s {time_limit_s!r} must be > 0")
    if not _finite(relative_gap) or relative_gap < 0:
        raise ValueError(f"relative_gap {relative_gap!r} must be >= 0")
    if not _is_int(workers) or workers < 1:
        raise ValueError(f"workers {workers!r} must be an integer >= 1")
    if not _finite(surplus_cap) or surplus_cap < 0:
        raise ValueError(f"surplus_cap {surplus_cap!r} must be >= 0")
