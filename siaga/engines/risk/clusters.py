"""Clusters of related incidents: several of the same kind, close together, in a short time.

Three reports of intimidation in neighbouring desa within an afternoon are one situation that
needs one response, even if each alone is minor. :func:`incident_clusters` finds them:

* two events are **linked** when they are in the same ``group`` (the incident category, or a
  narrative id for hoaxes), at most ``radius_km`` apart (great-circle, haversine) and at most
  ``window_hours`` apart in time;
* a **cluster** is a connected component of that link graph with at least ``min_events``
  events. Linking is transitive, so a convoy moving along a road forms one cluster even if its
  first and last incidents are far apart; that is what an operator wants to see as one thing.

The neighbour search is one k-d tree per group on (east km, north km, scaled hours) with a box
(Chebyshev) query that contains every candidate pair, followed by the exact haversine and time
test, so the cost grows with the number of linked pairs rather than with all pairs. The local
projection assumes areas that do not straddle the antimeridian, which holds for Indonesia.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

__all__ = ["EARTH_RADIUS_KM", "Cluster", "Event", "incident_clusters"]

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_MARGIN = 1.001  # the box query is widened a little; the exact test decides


@dataclass(frozen=True)
class Event:
    """One incident (or geotagged post): where, when, and what it is related to (``group``)."""

    id: str
    lat: float
    lon: float
    at: datetime
    group: str


@dataclass(frozen=True)
class Cluster:
    """Related events linked in place and time: their ids (oldest first), centre and span."""

    group: str
    ids: tuple[str, ...]
    lat: float
    lon: float
    start: datetime
    end: datetime


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km between points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _check(events: Sequence[Event], radius_km: float, window_hours: float, min_events: int) -> None:
    for name, value in (("radius_km", radius_km), ("window_hours", window_hours)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value < math.inf
        ):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if isinstance(min_events, bool) or not isinstance(min_events, int) or min_events < 2:
        raise ValueError(f"min_events must be an int >= 2, got {min_events!r}")
    seen: set[str] = set()
    for k, event in enumerate(events):
        if not isinstance(event, Event):
            raise ValueError(f"events[{k}]: expected an Event, got {event!r}")
        if event.id in seen:
            raise ValueError(f"events[{k}]: id {event.id!r} appears more than once")
        seen.add(event.id)
        if not isinstance(event.at, datetime):
            raise ValueError(f"event {event.id}: at must be a datetime, got {event.at!r}")
        for name, value, limit in (("lat", event.lat, 90), ("lon", event.lon, 180)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not -limit <= value <= limit
            ):
                raise ValueError(
                    f"event {event.id}: {name} must be a number in [-{limit}, {limit}], "
                    f"got {value!r}"
                )


def incident_clusters(
    events: Sequence[Event],
    *,
    radius_km: float = 3.0,
    window_hours: float = 6.0,
    min_events: int = 3,
) -> list[Cluster]:
    """Clusters of at least ``min_events`` related events, ordered by start, group, first id.

    Event times must be all naive or all timezone-aware.
    """
    _check(events, radius_km, window_hours, min_events)
    n = len(events)
    if n < min_events:
        return []
    lat = np.array([e.lat for e in events], dtype=np.float64)
    lon = np.array([e.lon for e in events], dtype=np.float64)
    origin = events[0].at
    hours = np.empty(n)
    for k, event in enumerate(events):
        try:
            hours[k] = (event.at - origin).total_seconds() / 3600.0
        except TypeError as exc:
            raise ValueError(f"event {event.id}: naive and timezone-aware datetimes mixed") from exc
    # one index array per group, without a pass over all events per group
    _, group_of, group_sizes = np.unique(
        np.array([str(e.group) for e in events]), return_inverse=True, return_counts=True
    )
    per_group = np.split(np.argsort(group_of, kind="stable"), np.cumsum(group_sizes)[:-1])
    pairs = [_linked_pairs(rows, lat, lon, hours, radius_km, window_hours) for rows in per_group]
    linked = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.intp)
    graph = sparse.coo_matrix((np.ones(len(linked)), (linked[:, 0], linked[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component)

    # the events of each component big enough, one array per component in label order
    rows = np.flatnonzero(sizes[component] >= min_events)
    by_component = np.split(
        rows[np.argsort(component[rows], kind="stable")], np.cumsum(sizes[sizes >= min_events])[:-1]
    )
    clusters = []
    for group_rows in by_component:
        if not len(group_rows):
            continue
        members = sorted(group_rows.tolist(), key=lambda k: (hours[k], events[k].id))
        clusters.append(
            Cluster(
                group=events[members[0]].group,
                ids=tuple(events[k].id for k in members),
                lat=float(lat[members].mean()),
                lon=float(lon[members].mean()),
                start=events[members[0]].at,
                end=events[members[-1]].at,
            )
        )
    clusters.sort(key=lambda c: (c.start, c.group, c.ids[0]))
    return clusters


def _linked_pairs(
    rows: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    hours: np.ndarray,
    radius_km: float,
    window_hours: float,
) -> np.ndarray:
    """Pairs (global rows) of one group's events that are linked."""
    if len(rows) < 2:
        return np.empty((0, 2), dtype=np.intp)
    # East-west km are scaled by the smallest cos(lat) of the group, so the projected distance
    # never exceeds the true one and the box contains every pair within the radius.
    shrink = math.cos(math.radians(float(np.abs(lat[rows]).max())))
    km_per_degree = EARTH_RADIUS_KM * math.pi / 180.0
    points = np.column_stack(
        (
            lon[rows] * km_per_degree * shrink,
            lat[rows] * km_per_degree,
            hours[rows] * (radius_km / window_hours),
        )
    )
    candidates = cKDTree(points).query_pairs(radius_km * _MARGIN, p=np.inf, output_type="ndarray")
    if not len(candidates):
        return np.empty((0, 2), dtype=np.intp)
    a, b = rows[candidates[:, 0]], rows[candidates[:, 1]]
    keep = (np.abs(hours[a] - hours[b]) <= window_hours) & (
        haversine_km(lat[a], lon[a], lat[b], lon[b]) <= radius_km
    )
    return np.column_stack((a[keep], b[keep]))
