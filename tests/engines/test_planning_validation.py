"""Bad planner input is refused with a ValueError naming the field and the id, before solving."""

import pytest

from siaga.engines.planning import Pattern, Station, Unit, plan

PATTERNS = [
    Pattern("sangat_rawan", 2, 1, 2),
    Pattern("rawan", 2, 2, 1),
    Pattern("aman", 2, 8, 0),
]
GOOD_TPS = Station("t1", "rawan", 50.0, "d1", "k1")
GOOD_UNIT = Unit("polsek", "polsek", "officer", 3, "kecamatan", kecamatan="k1")


def test_valid_input_plans():
    assert plan([GOOD_TPS], [GOOD_UNIT], PATTERNS).used == {"polsek": 2.0}


@pytest.mark.parametrize(
    ("stations", "units", "message"),
    [
        ([Station("t9", "genting", 50.0, "d1", "k1")], [GOOD_UNIT], "'t9': category 'genting'"),
        ([GOOD_TPS, GOOD_TPS], [GOOD_UNIT], "station 't1': duplicate id"),
        ([Station("t2", "rawan", 101.0, "d1", "k1")], [GOOD_UNIT], "'t2': risk"),
        ([Station("t3", "rawan", 5.0, "d1", "k1", lat=0.5)], [GOOD_UNIT], "'t3': lat and lon"),
        ([Station("t4", "rawan", 5.0, "", "k1")], [GOOD_UNIT], "'t4': desa"),
        (
            [GOOD_TPS],
            [Unit("polsek9", "polsek", "officer", -1, "kecamatan", kecamatan="k1")],
            "unit 'polsek9': count",
        ),
        ([GOOD_TPS], [GOOD_UNIT, GOOD_UNIT], "unit 'polsek': duplicate id"),
        (
            [GOOD_TPS],
            [Unit("kodim", "kodim", "officer", 5, "distance", reach_km=60)],
            "unit 'kodim': lat/lon",
        ),
        (
            [GOOD_TPS],
            [Unit("kodim", "kodim", "officer", 5, "distance", lat=0.5, lon=117.0)],
            "unit 'kodim': reach_km",
        ),
        (
            [GOOD_TPS],
            [Unit("polsek2", "polsek", "officer", 5, "kecamatan")],
            "unit 'polsek2': kecamatan",
        ),
        ([GOOD_TPS], [Unit("lm", "linmas", "linmas", 5, "desa")], "unit 'lm': desa"),
        ([GOOD_TPS], [Unit("x", "polsek", "soldier", 5, "any")], "unit 'x': kind"),
        ([GOOD_TPS], [Unit("y", "polsek", "officer", 5, "province")], "unit 'y': reach"),
    ],
)
def test_bad_stations_and_units_are_refused_by_field_and_id(stations, units, message):
    with pytest.raises(ValueError, match=message):
        plan(stations, units, PATTERNS)


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        ([*PATTERNS, Pattern("aman", 1, 1, 0)], "pattern 'aman': duplicate"),
        ([Pattern("rawan", 2, 0, 1)], "pattern 'rawan': tps_per_team"),
        ([Pattern("rawan", -2, 2, 1)], "pattern 'rawan': officers"),
        ([Pattern("rawan", 2, 2, -1)], "pattern 'rawan': linmas_per_tps"),
    ],
)
def test_bad_patterns_are_refused_by_field_and_category(patterns, message):
    with pytest.raises(ValueError, match=message):
        plan([GOOD_TPS], [GOOD_UNIT], patterns)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"withdrawn": ["polsek", "polres"]}, "withdrawn: unknown unit id 'polres'"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"relative_gap": -0.1}, "relative_gap"),
        ({"workers": 0}, "workers"),
        ({"surplus_cap": -1}, "surplus_cap"),
        ({"solver": "simplex"}, "solver 'simplex'"),
    ],
)
def test_bad_options_are_refused_by_name(options, message):
    with pytest.raises(ValueError, match=message):
        plan([GOOD_TPS], [GOOD_UNIT], PATTERNS, **options)
