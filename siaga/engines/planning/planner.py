"""``plan()``: from TPS, personnel and patterns to a deployment plan with its explanations.

This is the one entry point the security app calls, for the first plan and for every what-if
("risk changed", "these units were withdrawn"): the same inputs give the same plan, so a re-plan
differs from the last one only where the change forces it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence

from siaga.engines.planning.linmas import allocate_linmas
from siaga.engines.planning.model import (
    LINMAS,
    NO_UNIT_IN_REACH,
    OFFICER,
    UNITS_IN_REACH_EXHAUSTED,
    Assignment,
    Pattern,
    Plan,
    Shortfall,
    Station,
    Unit,
)
from siaga.engines.planning.reach import Reach, StationIndex
from siaga.engines.planning.solver import (
    MIN_COST_FLOW,
    SOLVERS,
    Arc,
    Problem,
    scale_for,
    solve_cp_sat,
    solve_min_cost_flow,
)
from siaga.engines.planning.solver import relative_gap as gap_between
from siaga.engines.planning.validate import (
    validate_options,
    validate_patterns,
    validate_stations,
    validate_units,
    validate_withdrawn,
)


def plan(
    stations: Sequence[Station],
    units: Sequence[Unit],
    patterns: Sequence[Pattern],
    *,
    withdrawn: Iterable[str] = (),
    time_limit_s: float = 10.0,
    relative_gap: float = 0.01,
    workers: int = 2,
    surplus_cap: float = 1.0,
    solver: str = MIN_COST_FLOW,
) -> Plan:
    """Assign officers and Linmas to TPS by pattern, covering the riskiest TPS first.

    When capacity allows every TPS gets its pattern; when it does not, the shortfall falls on
    the lowest-risk TPS and each is explained. Spare officers go to the highest-risk TPS, up to
    ``surplus_cap`` pattern loads extra each. ``withdrawn`` unit ids are left out (what-if).
    ``solver`` is "min_cost_flow" (default: exact and deterministic, about a second for
    10,000 TPS; it ignores ``time_limit_s``, ``relative_gap`` and ``workers``) or "cp_sat"
    (the same model for CP-SAT, which honours those three and is deterministic with
    ``workers=1``; kept for rules a flow cannot express, such as whole teams). Raises
    ``ValueError`` naming the field and id on bad input.
    """
    started = time.perf_counter()
    by_category = validate_patterns(patterns)
    validate_stations(stations, by_category)
    validate_units(units)
    validate_options(time_limit_s, relative_gap, workers, surplus_cap)
    if solver not in SOLVERS:
        raise ValueError(f"solver {solver!r} must be one of {SOLVERS}")
    gone = validate_withdrawn(withdrawn, units)
    active = [u for u in units if u.id not in gone]

    index = StationIndex(stations)
    reaches = [index.reach(u) for u in active]
    officer_reaches = [r for r in reaches if r.unit.kind == OFFICER and r.unit.count > 0]
    linmas_reaches = [r for r in reaches if r.unit.kind == LINMAS]

    scale = scale_for([(p.officers, p.tps_per_team) for p in by_category.values()])
    pattern_of = [by_category[s.category] for s in stations]
    demand = [p.officers * scale // p.tps_per_team for p in pattern_of]
    problem = Problem(
        demand=demand,
        surplus_cap=[int(d * surplus_cap + 1e-9) for d in demand],
        risk_tenths=[round(s.risk * 10) for s in stations],
        capacity=[r.unit.count * scale for r in officer_reaches],
        arcs=[
            Arc(u, s, round(km))
            for u, r in enumerate(officer_reaches)
            for s, km in zip(r.stations.tolist(), r.km.tolist(), strict=True)
            if demand[s]
        ],
    )
    if solver == MIN_COST_FLOW:
        solution = solve_min_cost_flow(problem)
    else:
        solution = solve_cp_sat(
            problem, time_limit_s=time_limit_s, relative_gap=relative_gap, workers=workers
        )

    linmas_given, linmas_missing = allocate_linmas(
        stations, [p.linmas_per_tps for p in pattern_of], linmas_reaches
    )

    received = [0] * len(stations)
    per_pair: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0])
    used: dict[str, float] = {u.id: 0.0 for u in active}
    for arc, f in zip(problem.arcs, solution.flow, strict=True):
        if f:
            unit_id = officer_reaches[arc.unit].unit.id
            received[arc.station] += f
            per_pair[(unit_id, arc.station)][0] += f / scale
            used[unit_id] += f / scale
    for unit_id, s, n in linmas_given:
        per_pair[(unit_id, s)][1] += n
        used[unit_id] += n
    assignments = [
        Assignment(unit_id, stations[s].id, officers, int(linmas))
        for (unit_id, s), (officers, linmas) in sorted(
            per_pair.items(), key=lambda item: (stations[item[0][1]].id, item[0][0])
        )
    ]

    surplus = {
        stations[s].id: (got - demand[s]) / scale
        for s, got in enumerate(received)
        if got > demand[s]
    }
    shortfalls = _explain(
        stations, demand, received, linmas_missing, scale, officer_reaches, linmas_reaches
    )
    return Plan(
        status=solution.status,
        objective=solution.objective,
        bound=solution.bound,
        gap=gap_between(solution.objective, solution.bound),
        wall_s=time.perf_counter() - started,
        assignments=assignments,
        shortfalls=shortfalls,
        surplus=surplus,
        used=used,
        station_ids=frozenset(s.id for s in stations),
        solver=solver,
    )


def _explain(
    stations: Sequence[Station],
    demand: list[int],
    received: list[int],
    linmas_missing: list[int],
    scale: int,
    officer_reaches: Sequence[Reach],
    linmas_reaches: Sequence[Reach],
) -> list[Shortfall]:
    """A ``Shortfall`` per TPS left short, least risky first: what is missing, why, and which
    units (with people, of the kind missing) could have reached it."""
    short = [s for s in range(len(stations)) if received[s] < demand[s] or linmas_missing[s] > 0]
    if not short:
        return []
    officers_near: dict[int, list[str]] = defaultdict(list)
    linmas_near: dict[int, list[str]] = defaultdict(list)
    wanted = set(short)
    for reaches, near in ((officer_reaches, officers_near), (linmas_reaches, linmas_near)):
        for r in reaches:
            if r.unit.count <= 0:
                continue
            for s in r.stations.tolist():
                if s in wanted:
                    near[s].append(r.unit.id)
    out = []
    for s in short:
        officers_missing = max(0, demand[s] - received[s]) / scale
        nearby: list[str] = []
        unreachable = False
        if officers_missing:
            nearby += officers_near[s]
            unreachable |= not officers_near[s]
        if linmas_missing[s]:
            nearby += linmas_near[s]
            unreachable |= not linmas_near[s]
        out.append(
            Shortfall(
                station_id=stations[s].id,
                officers_missing=officers_missing,
                linmas_missing=linmas_missing[s],
                reason=NO_UNIT_IN_REACH if unreachable else UNITS_IN_REACH_EXHAUSTED,
                units_in_reach=tuple(sorted(set(nearby))),
            )
        )
    risk = {s.id: s.risk for s in stations}
    out.sort(key=lambda f: (risk[f.station_id], f.station_id))
    return out
