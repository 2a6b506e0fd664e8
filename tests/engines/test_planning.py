"""Deployment planning: coverage by pattern, shortfall on the lowest risk, surplus on the highest,
travel as tie-breaker, withdrawn units, Linmas per desa. Small cases, computed by hand.

Patterns used throughout (loads in officers): sangat rawan 2 per TPS (2.0) with 2 Linmas,
rawan 2 per 2 TPS (1.0) with 1 Linmas, aman 2 per 8 TPS (0.25) without Linmas.
"""

import random

import pytest

from siaga.engines.planning import (
    CP_SAT,
    MIN_COST_FLOW,
    NO_UNIT_IN_REACH,
    OPTIMAL,
    SOLVERS,
    UNITS_IN_REACH_EXHAUSTED,
    Pattern,
    Station,
    Unit,
    haversine_km,
    plan,
)

PATTERNS = [
    Pattern("sangat_rawan", officers=2, tps_per_team=1, linmas_per_tps=2),
    Pattern("rawan", officers=2, tps_per_team=2, linmas_per_tps=1),
    Pattern("aman", officers=2, tps_per_team=8, linmas_per_tps=0),
]


def tps(id, category, risk, desa="d1", kecamatan="k1", lat=None, lon=None):
    return Station(id, category, risk, desa, kecamatan, lat, lon)


def polsek(count, kecamatan="k1", id="polsek"):
    return Unit(id, "polsek", "officer", count, "kecamatan", kecamatan=kecamatan)


def linmas(count, desa="d1", id=None):
    return Unit(id or f"linmas-{desa}", "linmas", "linmas", count, "desa", desa=desa)


THREE = [tps("a", "sangat_rawan", 80), tps("b", "rawan", 50), tps("c", "aman", 10)]


def run(stations, units, solver=MIN_COST_FLOW, **options):
    options.setdefault("workers", 1)
    return plan(stations, units, PATTERNS, solver=solver, **options)


@pytest.fixture(params=SOLVERS)
def solver(request):
    return request.param


def test_enough_capacity_covers_every_tps_and_the_spare_goes_to_the_riskiest(solver):
    # Needs 2 + 1 + 0.25 = 3.25 officers and 2 + 1 Linmas; 4 officers leave 0.75 spare, which
    # goes to the sangat rawan TPS (risk 80) whose surplus cap is one more pattern (2.0).
    result = run(THREE, [polsek(4), linmas(3)], solver)
    assert result.status == OPTIMAL
    assert result.gap == 0
    assert result.shortfalls == []
    assert all(result.covered(s.id) for s in THREE)
    assert result.officers_at("a") == 2.75
    assert result.officers_at("b") == 1.0
    assert result.officers_at("c") == 0.25
    assert result.surplus == {"a": 0.75}
    assert (result.linmas_at("a"), result.linmas_at("b"), result.linmas_at("c")) == (2, 1, 0)
    assert result.used == {"polsek": 4.0, "linmas-d1": 3.0}


def test_a_shortage_falls_on_the_lowest_risk_tps_and_is_explained(solver):
    # 3 officers for 3.25 of load: the aman TPS (risk 10) is the one left without its 0.25.
    result = run(THREE, [polsek(3), linmas(3)], solver)
    assert result.covered("a") and result.covered("b")
    assert not result.covered("c")
    [short] = result.shortfalls
    assert short.station_id == "c"
    assert short.officers_missing == 0.25
    assert short.linmas_missing == 0
    assert short.reason == UNITS_IN_REACH_EXHAUSTED
    assert short.units_in_reach == ("polsek",)
    assert result.surplus == {}


def test_within_a_category_the_least_risky_tps_goes_short_first(solver):
    stations = [tps("r30", "rawan", 30), tps("r90", "rawan", 90), tps("r60", "rawan", 60)]
    result = run(stations, [polsek(2), linmas(3)], solver)
    assert [s.station_id for s in result.shortfalls] == ["r30"]
    assert result.shortfalls[0].officers_missing == 1.0
    assert result.officers_at("r90") == result.officers_at("r60") == 1.0


def test_a_high_risk_aman_tps_is_served_before_a_low_risk_rawan_tps(solver):
    # The penalty grows with risk, not with category: with 1 officer, the rawan TPS of risk 20
    # (load 1.0) is dropped rather than the aman TPS of risk 35 (load 0.25); the 0.75 left over
    # cannot cover it and goes to it anyway (covering 0.75 of risk 20 beats surplus anywhere).
    stations = [tps("aman35", "aman", 35), tps("rawan20", "rawan", 20)]
    result = run(stations, [polsek(1)], solver)
    assert result.covered("aman35")
    [short] = result.shortfalls
    assert short.station_id == "rawan20"
    assert short.officers_missing == 0.25
    assert result.officers_at("rawan20") == 0.75
    assert result.surplus == {}


def test_shortfalls_are_sorted_by_risk_ascending_and_an_empty_unit_reaches_nobody(solver):
    stations = [tps("r70", "rawan", 70), tps("r20", "rawan", 20), tps("r45", "rawan", 45)]
    result = run(stations, [polsek(0), linmas(3)], solver)
    assert [s.station_id for s in result.shortfalls] == ["r20", "r45", "r70"]
    assert {s.reason for s in result.shortfalls} == {NO_UNIT_IN_REACH}
    assert {s.units_in_reach for s in result.shortfalls} == {()}
    assert result.used["polsek"] == 0.0


def test_a_tps_outside_every_units_reach_is_reported_as_unreachable(solver):
    stations = [tps("near", "rawan", 10), tps("far", "rawan", 90, desa="d2", kecamatan="k2")]
    units = [polsek(10), linmas(5), linmas(5, desa="d2")]
    result = run(stations, units, solver)
    assert result.covered("near")
    assert result.officers_at("near") == 2.0  # its pattern plus a full pattern of surplus
    [short] = result.shortfalls
    assert (short.station_id, short.officers_missing, short.reason) == (
        "far",
        1.0,
        "no_unit_in_reach",
    )
    assert short.units_in_reach == ()


def test_surplus_goes_to_the_highest_risk_tps_up_to_the_cap(solver):
    stations = [tps("r40", "rawan", 40), tps("r90", "rawan", 90)]
    one_spare = run(stations, [polsek(3)], solver)
    assert one_spare.surplus == {"r90": 1.0}
    # With half a pattern as cap, 2 spare officers fill r90's 0.5, then r40's 0.5; 1 stays idle.
    capped = run(stations, [polsek(4)], solver, surplus_cap=0.5)
    assert capped.surplus == {"r90": 0.5, "r40": 0.5}
    assert capped.used["polsek"] == 3.0


def test_surplus_never_comes_at_the_expense_of_coverage(solver):
    # The Polres could add surplus to the risk-95 TPS next door, but it must cover the risk-5 TPS
    # in the other kecamatan that nobody else reaches.
    stations = [tps("hot", "rawan", 95), tps("calm", "rawan", 5, desa="d2", kecamatan="k2")]
    units = [polsek(1), Unit("polres", "polres", "officer", 1, "any"), linmas(1), linmas(1, "d2")]
    result = run(stations, units, solver)
    assert result.shortfalls == []
    assert result.officers_at("calm") == 1.0
    assert result.surplus == {}


def test_the_nearer_unit_is_preferred_when_all_else_is_equal(solver):
    site = tps("t", "rawan", 50, lat=0.5, lon=117.0)
    near = Unit("koramil", "koramil", "officer", 1, "distance", lat=0.5, lon=117.009, reach_km=100)
    far = Unit("kodim", "kodim", "officer", 1, "distance", lat=0.5, lon=117.45, reach_km=100)
    result = run([site], [far, near], solver, surplus_cap=0)
    assert [(a.unit_id, a.officers) for a in result.assignments] == [("koramil", 1.0)]
    assert result.used == {"kodim": 0.0, "koramil": 1.0}


def test_a_distance_unit_reaches_only_within_its_radius(solver):
    inside = tps("inside", "rawan", 10, lat=0.5, lon=117.0)
    outside = tps("outside", "rawan", 90, lat=0.5, lon=117.5)  # about 55.6 km east
    unit = Unit("kodim", "kodim", "officer", 5, "distance", lat=0.5, lon=117.0, reach_km=50)
    result = run([inside, outside], [unit, linmas(2)], solver)
    assert result.covered("inside")
    assert [(s.station_id, s.reason) for s in result.shortfalls] == [("outside", NO_UNIT_IN_REACH)]


def test_a_tps_without_coordinates_is_reached_by_a_distance_unit_of_its_own_kecamatan(solver):
    home = tps("home", "rawan", 50)
    away = tps("away", "rawan", 50, desa="d2", kecamatan="k2")
    unit = Unit("koramil", "koramil", "officer", 4, "distance", kecamatan="k1", lat=0.5,
                lon=117.0, reach_km=25)  # fmt: skip
    result = run([home, away], [unit, linmas(1)], solver)
    assert result.covered("home")
    assert not result.covered("away")


def test_withdrawing_a_unit_replans_around_it(solver):
    units = [polsek(2, id="polsek"), Unit("polres", "polres", "officer", 2, "any"), linmas(3)]
    before = run(THREE, units, solver)
    assert before.shortfalls == []
    after = run(THREE, units, solver, withdrawn=["polres"])
    assert "polres" not in after.used
    assert all(a.unit_id != "polres" for a in after.assignments)
    # 2 officers left for 3.25: the sangat rawan TPS keeps its 2, the other two go short.
    assert [s.station_id for s in after.shortfalls] == ["c", "b"]
    assert after.officers_at("a") == 2.0


def test_linmas_serve_only_their_own_desa():
    stations = [tps("home", "rawan", 10), tps("other", "rawan", 90, desa="d2")]
    result = run(stations, [polsek(5), linmas(10)])
    assert result.linmas_at("home") == 1
    assert result.linmas_at("other") == 0
    [short] = result.shortfalls
    assert (short.station_id, short.linmas_missing, short.officers_missing) == ("other", 1, 0.0)
    assert short.reason == NO_UNIT_IN_REACH


def test_a_short_desa_leaves_its_lowest_risk_tps_without_linmas():
    # Three sangat rawan TPS need 2 Linmas each; the desa has 3: risk 90 gets 2, risk 60 gets 1.
    stations = [
        tps("s60", "sangat_rawan", 60),
        tps("s30", "sangat_rawan", 30),
        tps("s90", "sangat_rawan", 90),
    ]
    result = run(stations, [polsek(6), linmas(3)])
    assert [result.linmas_at(s) for s in ("s90", "s60", "s30")] == [2, 1, 0]
    assert [(s.station_id, s.linmas_missing) for s in result.shortfalls] == [("s30", 2), ("s60", 1)]
    assert {s.units_in_reach for s in result.shortfalls} == {("linmas-d1",)}


def test_the_nearest_linmas_unit_of_the_desa_is_used_first():
    site = tps("t", "sangat_rawan", 50, lat=0.5, lon=117.0)
    near = Unit("l-near", "linmas", "linmas", 1, "desa", desa="d1", lat=0.5, lon=117.001)
    far = Unit("l-far", "linmas", "linmas", 5, "desa", desa="d1", lat=0.5, lon=117.05)
    result = run([site], [polsek(2), far, near])
    linmas_by_unit = {a.unit_id: a.linmas for a in result.assignments if a.linmas}
    assert linmas_by_unit == {"l-near": 1, "l-far": 1}


def test_loads_of_a_team_over_three_tps_add_up_to_whole_officers(solver):
    patterns = [Pattern("aman", officers=1, tps_per_team=3, linmas_per_tps=0)]
    stations = [tps(f"t{i}", "aman", 10 * i) for i in range(3)]
    result = plan(stations, [polsek(1)], patterns, solver=solver, workers=1)
    assert result.shortfalls == []
    assert [result.officers_at(s.id) for s in stations] == [pytest.approx(1 / 3)] * 3


def test_a_pattern_without_officers_never_leaves_a_tps_short_of_officers(solver):
    patterns = [Pattern("aman", officers=0, tps_per_team=1, linmas_per_tps=1)]
    result = plan([tps("t", "aman", 5)], [linmas(1)], patterns, solver=solver, workers=1)
    assert result.shortfalls == []
    assert result.surplus == {}


def test_covered_refuses_a_tps_that_was_not_planned():
    result = run(THREE, [polsek(4)])
    with pytest.raises(KeyError):
        result.covered("nope")


def test_the_same_input_gives_the_same_plan():
    stations, units = random_instance(random.Random(3), 40, 6)
    for solver in SOLVERS:
        first = run(stations, units, solver)
        second = run(stations, units, solver)
        assert first.assignments == second.assignments
        assert first.shortfalls == second.shortfalls


def random_instance(rng, n_tps, n_kecamatan):
    categories = ["aman", "rawan", "sangat_rawan"]
    stations = [
        tps(f"t{i:03d}", rng.choice(categories), round(rng.uniform(0, 100), 1),
            desa=f"d{i % (2 * n_kecamatan)}", kecamatan=f"k{i % n_kecamatan}",
            lat=0.5 + rng.uniform(0, 0.5), lon=117 + rng.uniform(0, 0.5))
        for i in range(n_tps)
    ]  # fmt: skip
    units = [Unit("polres", "polres", "officer", rng.randint(3, 8), "any", lat=0.7, lon=117.2)]
    for k in range(n_kecamatan):
        units.append(polsek(rng.randint(0, 4), kecamatan=f"k{k}", id=f"polsek{k}"))
        units.append(
            Unit(f"koramil{k}", "koramil", "officer", rng.randint(0, 2), "distance",
                 lat=0.5 + rng.uniform(0, 0.5), lon=117 + rng.uniform(0, 0.5), reach_km=20)
        )  # fmt: skip
    units += [linmas(rng.randint(0, 4), desa=f"d{d}") for d in range(2 * n_kecamatan)]
    return stations, units


def test_cp_sat_and_the_min_cost_flow_reach_the_same_optimum():
    for seed in range(3):
        stations, units = random_instance(random.Random(seed), 60, 5)
        flow = run(stations, units, MIN_COST_FLOW)
        sat = run(stations, units, CP_SAT, relative_gap=0.0)
        assert sat.status == OPTIMAL
        assert sat.objective == flow.objective
        assert sat.bound == sat.objective
        short = lambda p: sorted((s.station_id, s.officers_missing) for s in p.shortfalls)  # noqa: E731
        assert sum(m for _, m in short(sat)) == pytest.approx(sum(m for _, m in short(flow)))


def test_haversine_of_one_degree_of_latitude_is_about_111_km():
    import numpy as np

    [km] = haversine_km(0.0, 117.0, np.array([1.0]), np.array([117.0]))
    assert km == pytest.approx(111.19, abs=0.01)
