"""Delay risk: history basis (route > mode > plan), lateness, risk at the TPS, ranking."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from siaga.engines.logistics import (
    LegHistory,
    OpenLeg,
    Prediction,
    duration_factors,
    predict,
    rank_at_risk,
)

WITA = timezone(timedelta(hours=8), "WITA")
NOW = datetime(2024, 11, 24, 12, 0, tzinfo=WITA)
H_1 = datetime(2024, 11, 26, 23, 59, tzinfo=WITA)
HOUR = 3600.0


def leg(
    id=1,
    *,
    mode="river_boat",
    route="64.08.05>64.08.05.2001",
    depart_in=1.0,
    hours=10.0,
    departed_ago=None,
    deadline=H_1,
    vulnerability="",
    voters=250,
    downstream_hours=0.0,
):
    """An open leg planned to leave ``depart_in`` hours from NOW and take ``hours``."""
    departure = NOW + timedelta(hours=depart_in)
    return OpenLeg(
        id=id,
        mode=mode,
        route=route,
        planned_departure=departure,
        planned_arrival=departure + timedelta(hours=hours),
        actual_departure=None if departed_ago is None else NOW - timedelta(hours=departed_ago),
        deadline=deadline,
        vulnerability=vulnerability,
        voters=voters,
        downstream_seconds=downstream_hours * HOUR,
    )


def history(mode, route, *ratios):
    return [LegHistory(mode, route, 10 * HOUR, 10 * HOUR * r) for r in ratios]


ROUTE = "64.08.05>64.08.05.2001"
ROUTE_HISTORY = history("river_boat", ROUTE, 2.0, 2.0, 3.0)  # median 2.0
MODE_HISTORY = history("river_boat", "a>b", 1.5, 1.5) + history("river_boat", "c>d", 1.5)


def one(legs, hist, now=NOW, **kwargs) -> Prediction:
    [prediction] = predict(legs, hist, now, **kwargs)
    return prediction


def test_route_history_wins_over_mode_history():
    p = one([leg()], ROUTE_HISTORY + MODE_HISTORY)
    assert (p.basis, p.factor) == ("route", 2.0)  # the route's median, not the mode's
    assert p.predicted_arrival == NOW + timedelta(hours=1 + 10 * 2.0)


def test_too_little_route_history_falls_back_to_the_mode():
    p = one([leg()], ROUTE_HISTORY[:2] + MODE_HISTORY)
    assert p.basis == "mode"
    # The mode's median over all its legs, the two route legs included.
    assert p.factor == 1.5


def test_too_little_history_of_any_kind_falls_back_to_the_plan():
    p = one([leg()], ROUTE_HISTORY[:2])
    assert (p.basis, p.factor) == ("plan", 1.0)
    assert p.predicted_arrival == NOW + timedelta(hours=11)


def test_min_history_is_a_parameter():
    assert one([leg()], ROUTE_HISTORY[:1], min_history=1).basis == "route"


def test_history_of_the_same_route_by_another_mode_is_not_the_route():
    p = one([leg(mode="speedboat")], ROUTE_HISTORY)
    assert p.basis == "plan"


def test_factor_is_clamped_and_bad_history_is_ignored():
    wild = history("road", "x>y", 40, 50, 60)
    assert one([leg(mode="road", route="x>y")], wild).factor == 5.0
    fast = history("road", "x>y", 0.01, 0.01, 0.01)
    assert one([leg(mode="road", route="x>y")], fast).factor == 0.5
    broken = [LegHistory("road", "x>y", 0, 5), LegHistory("road", "x>y", 5, -1)] * 3
    assert duration_factors(broken).by_route == {}


def test_not_departed_starts_at_the_later_of_plan_and_now():
    # Planned to leave two hours ago but has not: it leaves now at the earliest.
    p = one([leg(depart_in=-2, hours=10)], [])
    assert p.predicted_arrival == NOW + timedelta(hours=10)
    assert not p.late  # planned arrival is still 8 h ahead


def test_departed_leg_runs_from_its_actual_departure():
    p = one([leg(depart_in=-3, hours=10, departed_ago=2)], ROUTE_HISTORY)
    assert p.predicted_arrival == NOW - timedelta(hours=2) + timedelta(hours=20)


def test_departed_but_overdue_leg_is_predicted_a_quarter_of_its_duration_from_now():
    # Left 30 h ago on a 10 h leg with factor 2: expected 10 h ago, still not there.
    p = one([leg(depart_in=-30, hours=10, departed_ago=30)], ROUTE_HISTORY)
    assert p.predicted_arrival == NOW + timedelta(hours=0.25 * 10 * 2.0)
    assert p.late


def test_late_means_past_its_planned_arrival():
    assert one([leg(depart_in=-12, hours=10, departed_ago=12)], []).late
    assert not one([leg(depart_in=-5, hours=10, departed_ago=5)], []).late


def test_at_risk_when_the_tps_will_be_reached_after_the_deadline():
    deadline = NOW + timedelta(hours=30)
    # River legs: 2.0 on this route, 1.5 as a mode (median of 2, 2, 2, 1.5 × 5).
    hist = history("river_boat", ROUTE, 2, 2, 2) + history("river_boat", "a>b", *[1.5] * 5)
    # Leaves in 1 h, 10 h planned × 2 = 21 h, then 6 h downstream × mode factor 1.5 = 9 h: 30 h.
    p = one([leg(deadline=deadline, downstream_hours=6)], hist)
    assert p.predicted_at_destination == NOW + timedelta(hours=30)
    assert (p.at_risk, p.slack_seconds) == (False, 0.0)  # exactly on time is on time
    p = one([leg(deadline=deadline, downstream_hours=7)], hist)
    assert p.at_risk
    assert p.slack_seconds == pytest.approx(-1.5 * HOUR)


def test_downstream_is_not_stretched_without_mode_history():
    p = one([leg(downstream_hours=5)], [])
    assert p.predicted_at_destination == p.predicted_arrival + timedelta(hours=5)


def test_predictions_are_timezone_aware_and_exact_across_zones():
    p = one([leg()], [], now=NOW.astimezone(UTC))
    assert p.predicted_arrival.utcoffset() is not None
    assert p.predicted_arrival == NOW + timedelta(hours=11)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        predict([leg()], [], NOW.replace(tzinfo=None))
    naive = OpenLeg(
        7, "road", "r", NOW.replace(tzinfo=None), NOW.replace(tzinfo=None), None, H_1, "", 1
    )
    with pytest.raises(ValueError, match="planned_departure of leg 7 must be timezone-aware"):
        predict([naive], [], NOW)


def test_predictions_keep_the_order_of_the_legs():
    legs = [leg(3), leg(1), leg(2)]
    assert [p.id for p in predict(legs, [], NOW)] == [3, 1, 2]


def test_ranking_puts_very_vulnerable_then_vulnerable_first_then_voters_then_slack():
    tight = NOW + timedelta(hours=5)  # every leg below misses it
    legs = [
        leg(1, deadline=tight, vulnerability="aman", voters=600),
        leg(2, deadline=tight, vulnerability="rawan", voters=100),
        leg(3, deadline=tight, vulnerability="sangat_rawan", voters=50),
        leg(4, deadline=tight, vulnerability="rawan", voters=300),
        leg(5, deadline=tight, vulnerability="", voters=600, hours=20),  # less slack than 1
        leg(6, vulnerability="sangat_rawan", voters=600),  # on time: not listed
        leg(7, deadline=tight, vulnerability="rawan", voters=300, hours=12),  # 4's tie, less slack
    ]
    ranked = rank_at_risk(legs, predict(legs, [], NOW))
    assert [p.id for p in ranked] == [3, 7, 4, 2, 5, 1]


def test_late_legs_are_listed_even_if_they_will_still_make_the_deadline():
    legs = [leg(1, depart_in=-12, hours=10, departed_ago=12), leg(2)]
    predictions = predict(legs, [], NOW)
    assert [(p.late, p.at_risk) for p in predictions] == [(True, False), (False, False)]
    assert [p.id for p in rank_at_risk(legs, predictions)] == [1]
    assert rank_at_risk(legs, predictions, include_late=False) == []


def test_ranking_refuses_a_prediction_without_its_leg():
    legs = [leg(1, deadline=NOW)]
    with pytest.raises(ValueError, match="leg 1"):
        rank_at_risk([], predict(legs, [], NOW))
