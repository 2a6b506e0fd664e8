"""Delay risk: when will each open shipment arrive, and will its TPS have its ballots by H-1?

The model is deliberately simple and explainable in a briefing: a leg takes its planned
duration times how much longer than planned that route (or, lacking history, that transport
mode) has actually taken so far. ``basis`` says which history was used, so an analyst can tell a
prediction grounded in twenty river trips from one that is only the plan.

Choices worth knowing:

- History is matched on the route *and* the mode (a longboat and a speedboat on the same river
  are different legs); with fewer than ``min_history`` such legs, on the mode alone (also needing
  ``min_history`` legs, so one odd trip does not set the pace for a whole mode); else the plan.
- The factor is clamped to ``FACTOR_BOUNDS`` (0.5..5): a mistyped arrival time in the history
  must not predict a boat arriving before it leaves or a week late.
- A leg that has departed and should already have arrived by the prediction, but has not, is
  given ``OVERDUE_REMAINDER`` (25 %) of its expected duration again from now: it is somewhere
  near the end of its route, late, and the more we wait the later the prediction moves; this
  keeps overdue legs from looking safe because their "predicted" arrival lies in the past.
- Time still needed after this leg (``downstream_seconds``, from the plan of the next legs) is
  stretched by this leg's mode factor: the next legs usually run through the same country.

Every datetime is timezone-aware; ``now`` is a parameter so that tests and replays are exact.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

BASIS_ROUTE = "route"
BASIS_MODE = "mode"
BASIS_PLAN = "plan"
FACTOR_BOUNDS: tuple[float, float] = (0.5, 5.0)
OVERDUE_REMAINDER = 0.25

# Rank order of the TPS vulnerability categories the risk module uses; others ("", "aman") last.
VULNERABILITY_RANK: dict[str, int] = {"sangat_rawan": 0, "rawan": 1}
_OTHER_RANK = 2


@dataclass(frozen=True, slots=True)
class LegHistory:
    """A completed leg: its mode, its route key (e.g. ``"64.08.05>64.08.05.2001"``) and how long
    it was planned to take against how long it took."""

    mode: str
    route: str
    planned_seconds: float
    actual_seconds: float


@dataclass(frozen=True, slots=True)
class OpenLeg:
    """A shipment not yet arrived. ``deadline`` is when its TPS must have it (H-1);
    ``vulnerability`` that TPS's (or area's) category; ``voters`` those it serves;
    ``downstream_seconds`` the planned time still needed after this leg to reach the TPS."""

    id: int
    mode: str
    route: str
    planned_departure: datetime
    planned_arrival: datetime
    actual_departure: datetime | None
    deadline: datetime
    vulnerability: str
    voters: int
    downstream_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Prediction:
    """When a leg is expected to arrive, and at its TPS; whether it is late and at risk.

    ``slack_seconds`` is deadline minus predicted arrival at the TPS (negative when at risk).
    """

    id: int
    predicted_arrival: datetime
    predicted_at_destination: datetime
    factor: float
    basis: str
    late: bool
    at_risk: bool
    slack_seconds: float


@dataclass(frozen=True, slots=True)
class Factors:
    """Median actual/planned ratios from the history, clamped, by (mode, route) and by mode;
    only those with at least ``min_history`` legs."""

    by_route: dict[tuple[str, str], float]
    by_mode: dict[str, float]

    def for_leg(self, mode: str, route: str) -> tuple[float, str]:
        """(factor, basis) for a leg on ``route`` by ``mode``."""
        factor = self.by_route.get((mode, route))
        if factor is not None:
            return factor, BASIS_ROUTE
        factor = self.by_mode.get(mode)
        if factor is not None:
            return factor, BASIS_MODE
        return 1.0, BASIS_PLAN


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return low if value < low else high if value > high else value


def duration_factors(
    history: Sequence[LegHistory],
    *,
    min_history: int = 3,
    bounds: tuple[float, float] = FACTOR_BOUNDS,
) -> Factors:
    """The factors ``predict`` uses, exposed so a page can show "river legs run 1.4× the plan".

    Legs with a planned duration ≤ 0 or a negative actual one carry no ratio and are skipped.
    """
    by_route: dict[tuple[str, str], list[float]] = defaultdict(list)
    by_mode: dict[str, list[float]] = defaultdict(list)
    for leg in history:
        if leg.planned_seconds <= 0 or leg.actual_seconds < 0:
            continue
        ratio = leg.actual_seconds / leg.planned_seconds
        by_route[(leg.mode, leg.route)].append(ratio)
        by_mode[leg.mode].append(ratio)
    need = max(1, min_history)
    return Factors(
        by_route={
            key: _clamp(statistics.median(r), bounds)
            for key, r in by_route.items()
            if len(r) >= need
        },
        by_mode={
            key: _clamp(statistics.median(r), bounds)
            for key, r in by_mode.items()
            if len(r) >= need
        },
    )


def _require_aware(value: datetime, what: str, leg_id: int | None = None) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        where = f" of leg {leg_id}" if leg_id is not None else ""
        raise ValueError(f"{what}{where} must be timezone-aware, got {value!r}.")


def predict(
    legs: Sequence[OpenLeg],
    history: Sequence[LegHistory],
    now: datetime,
    *,
    min_history: int = 3,
    bounds: tuple[float, float] = FACTOR_BOUNDS,
) -> list[Prediction]:
    """One prediction per open leg, in the order given (see the module docstring for the model).

    Raises ``ValueError`` on a naive datetime: comparing naive local times with aware UTC ones
    would shift every prediction by the WITA offset (8 h) without anyone noticing.
    """
    _require_aware(now, "now")
    factors = duration_factors(history, min_history=min_history, bounds=bounds)
    by_route, by_mode = factors.by_route, factors.by_mode
    predictions: list[Prediction] = []
    append = predictions.append
    for leg in legs:
        planned_departure = leg.planned_departure
        planned_arrival = leg.planned_arrival
        departed = leg.actual_departure
        deadline = leg.deadline
        if (
            planned_departure.tzinfo is None
            or planned_arrival.tzinfo is None
            or deadline.tzinfo is None
            or (departed is not None and departed.tzinfo is None)
        ):
            for name in ("planned_departure", "planned_arrival", "actual_departure", "deadline"):
                value = getattr(leg, name)
                if value is not None:
                    _require_aware(value, name, leg.id)
        mode_factor = by_mode.get(leg.mode)
        factor = by_route.get((leg.mode, leg.route))
        if factor is not None:
            basis = BASIS_ROUTE
        elif mode_factor is not None:
            factor, basis = mode_factor, BASIS_MODE
        else:
            factor, basis = 1.0, BASIS_PLAN
        planned = (planned_arrival - planned_departure).total_seconds()
        expected = timedelta(seconds=planned * factor if planned > 0 else 0.0)
        if departed is not None:
            arrival = departed + expected
            if arrival < now:
                arrival = now + expected * OVERDUE_REMAINDER
        else:
            arrival = (planned_departure if planned_departure > now else now) + expected
        downstream = leg.downstream_seconds
        if downstream > 0:
            at_destination = arrival + timedelta(seconds=downstream * (mode_factor or 1.0))
        else:
            at_destination = arrival
        slack = (deadline - at_destination).total_seconds()
        append(
            Prediction(
                leg.id,
                arrival,
                at_destination,
                factor,
                basis,
                now > planned_arrival,
                slack < 0,
                slack,
            )
        )
    return predictions


def rank_at_risk(
    legs: Sequence[OpenLeg],
    predictions: Sequence[Prediction],
    *,
    include_late: bool = True,
) -> list[Prediction]:
    """The predictions worth a briefing line: at risk of missing the deadline, or already late
    (unless ``include_late=False``), very vulnerable TPS first, then rawan, then the rest; within
    each, the most voters first, then the least slack; the leg id last, for a stable order."""
    by_id = {leg.id: leg for leg in legs}
    chosen: list[tuple[tuple[int, int, float, int], Prediction]] = []
    for p in predictions:
        if not (p.at_risk or (include_late and p.late)):
            continue
        leg = by_id.get(p.id)
        if leg is None:
            raise ValueError(f"Prediction for leg {p.id}, which is not among the legs given.")
        key = (
            VULNERABILITY_RANK.get(leg.vulnerability, _OTHER_RANK),
            -leg.voters,
            p.slack_seconds,
            p.id,
        )
        chosen.append((key, p))
    chosen.sort(key=lambda pair: pair[0])
    return [p for _, p in chosen]
