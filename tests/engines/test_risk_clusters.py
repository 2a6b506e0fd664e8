"""Clusters of related incidents: linked in group, place (haversine) and time, transitively."""

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from siaga.engines.risk import Cluster, Event, incident_clusters
from siaga.engines.risk.clusters import haversine_km

T0 = datetime(2024, 11, 27, 8, 0, tzinfo=UTC)
LAT, LON = 0.55, 117.6  # Sangatta
KM_PER_DEGREE = 6371.0088 * np.pi / 180  # 111.195 km per degree of latitude


def event(id, north_km=0.0, east_km=0.0, hours=0.0, group="intimidasi"):
    return Event(
        id=id,
        lat=LAT + north_km / KM_PER_DEGREE,
        lon=LON + east_km / (KM_PER_DEGREE * np.cos(np.radians(LAT))),
        at=T0 + timedelta(hours=hours),
        group=group,
    )


def test_three_related_incidents_close_in_place_and_time_are_one_cluster():
    events = [event("b", 1.0, 0.5, 1.5), event("a", 0.0, 0.0, 0.0), event("c", -0.5, 1.0, 3.0)]
    [cluster] = incident_clusters(events)
    assert cluster.group == "intimidasi"
    assert cluster.ids == ("a", "b", "c")  # oldest first
    assert cluster.start == T0
    assert cluster.end == T0 + timedelta(hours=3)
    assert cluster.lat == pytest.approx(np.mean([e.lat for e in events]))
    assert cluster.lon == pytest.approx(np.mean([e.lon for e in events]))


def test_links_are_transitive_so_a_chain_is_one_cluster():
    # a-b and b-c are 2.5 km apart, a-c 5 km: still one situation
    events = [event("a", 0.0), event("b", 2.5, hours=1), event("c", 5.0, hours=2)]
    assert [c.ids for c in incident_clusters(events)] == [("a", "b", "c")]


def test_events_of_another_group_are_not_linked():
    events = [event("a"), event("b", 0.1), event("c", 0.2, group="politik_uang")]
    assert incident_clusters(events) == []
    assert [c.ids for c in incident_clusters(events, min_events=2)] == [("a", "b")]


def test_distance_is_great_circle_and_limits_links_in_every_direction():
    assert haversine_km(0.0, 117.0, 1.0, 117.0) == pytest.approx(111.195, abs=1e-3)
    assert haversine_km(0.0, 117.0, 0.0, 118.0) == pytest.approx(111.195, abs=1e-3)
    near = [event("a"), event("b", east_km=2.99), event("c", east_km=-2.99)]
    assert len(incident_clusters(near)) == 1
    far = [event("a"), event("b", east_km=3.1), event("c", east_km=-3.1)]
    assert incident_clusters(far) == []
    north = [event("a"), event("b", north_km=3.1), event("c", north_km=-3.1)]
    assert incident_clusters(north) == []


def test_time_window_is_inclusive_and_limits_links():
    on_the_edge = [event("a"), event("b", hours=6), event("c", hours=12)]
    assert [c.ids for c in incident_clusters(on_the_edge)] == [("a", "b", "c")]
    too_slow = [event("a"), event("b", hours=6.5), event("c", hours=13)]
    assert incident_clusters(too_slow) == []
    assert len(incident_clusters(too_slow, window_hours=7)) == 1


def test_clusters_are_ordered_by_start_whatever_the_input_order():
    events = [
        event("x1", hours=5),
        event("x2", hours=6),
        event("x3", hours=7),
        event("y1", 50.0, hours=1),
        event("y2", 50.5, hours=2),
        event("y3", 51.0, hours=2),
        event("lonely", 100.0, hours=1),
    ]
    expected = [("y1", "y2", "y3"), ("x1", "x2", "x3")]
    assert [c.ids for c in incident_clusters(events)] == expected
    shuffled = events[:]
    random.Random(3).shuffle(shuffled)
    assert incident_clusters(shuffled) == incident_clusters(events)


def test_the_tree_search_finds_the_same_clusters_as_comparing_every_pair():
    rng = np.random.default_rng(5)
    n = 300
    lat = rng.uniform(0.3, 0.8, n)
    lon = rng.uniform(117.3, 117.9, n)
    hours = rng.uniform(0, 48, n)
    groups = rng.choice(["a", "b"], n)
    events = [
        Event(f"e{k}", lat[k], lon[k], T0 + timedelta(hours=hours[k]), groups[k]) for k in range(n)
    ]
    parent = list(range(n))

    def root(k):
        while parent[k] != k:
            k = parent[k]
        return k

    for i in range(n):
        for j in range(i + 1, n):
            if (
                groups[i] == groups[j]
                and abs(hours[i] - hours[j]) <= 6
                and haversine_km(lat[i], lon[i], lat[j], lon[j]) <= 3
            ):
                parent[root(i)] = root(j)
    components = {}
    for k in range(n):
        components.setdefault(root(k), set()).add(f"e{k}")
    expected = sorted(sorted(c) for c in components.values() if len(c) >= 3)
    found = sorted(sorted(c.ids) for c in incident_clusters(events))
    assert found == expected
    assert len(expected) >= 3  # the data has clusters to find


def test_too_few_events_give_no_cluster():
    assert incident_clusters([]) == []
    assert incident_clusters([event("a"), event("b")]) == []


@pytest.mark.parametrize(
    ("events", "kwargs", "message"),
    [
        ([event("a"), event("a", 1.0)], {}, "events\\[1\\]: id 'a' appears more than once"),
        ([Event("a", 91.0, 117.0, T0, "g")], {}, "event a: lat must be a number in \\[-90, 90\\]"),
        ([Event("a", 0.0, 181.0, T0, "g")], {}, "event a: lon"),
        ([Event("a", 0.0, 117.0, "2024-11-27", "g")], {}, "event a: at must be a datetime"),
        ([event("a")], {"radius_km": 0}, "radius_km must be a positive number"),
        ([event("a")], {"window_hours": -1}, "window_hours must be a positive number"),
        ([event("a")], {"min_events": 1}, "min_events must be an int >= 2"),
    ],
)
def test_bad_input_is_refused_naming_the_event_or_field(events, kwargs, message):
    with pytest.raises(ValueError, match=message):
        incident_clusters(events, **kwargs)


def test_naive_and_aware_times_mixed_are_refused():
    naive = Event("n", LAT, LON, datetime(2024, 11, 27, 9, 0), "intimidasi")
    with pytest.raises(ValueError, match="event n: naive and timezone-aware"):
        incident_clusters([event("a"), event("b"), naive])


def test_a_cluster_is_a_plain_frozen_value():
    cluster = Cluster("g", ("a",), 0.0, 0.0, T0, T0)
    with pytest.raises(AttributeError):
        cluster.group = "h"
