"""The officer allocation as an optimisation model, solved with OR-Tools.

Officers are counted in integer load units: the load of a TPS is ``officers / tps_per_team`` of
its pattern, scaled by ``scale`` (the least common multiple of the reduced denominators), so
"2 officers for 8 aman TPS" is 1 unit when the scale is 4 and a sangat rawan TPS "2 for 1" is 8.

Variables exist only for (unit, TPS) pairs in reach. Per TPS the load received splits into
coverage (up to its pattern) and surplus (up to ``surplus_cap`` patterns more). The model
minimises one penalty with weights in strict layers, per load unit:

* a unit of coverage missing costs ``COVER_BASE + RISK_STEP * r`` (``r`` = risk in tenths of a
  point), so coverage always comes first and the shortfall falls on the lowest risk;
* a unit of surplus not given costs ``SURPLUS_BASE + RISK_STEP * r``, so spare officers go to
  the riskiest TPS, but never at the expense of coverage (``COVER_BASE`` exceeds every surplus
  weight by far more than any travel);
* a unit travelling ``k`` km costs ``k`` (rounded), so travel only breaks ties: 0.1 risk point
  outweighs ``RISK_STEP`` km per load unit.

The problem is a transportation problem (units supply load, TPS demand it through two arcs of
falling value), so it is solved exactly as a min-cost flow (OR-Tools ``SimpleMinCostFlow``,
the default): 0.05 s for Kutai Timur, about 1 s for 10,000 TPS. The same model is also built
for CP-SAT (``solver="cp_sat"``): optimal for Kutai Timur in about 0.5 s, but on 10,000 TPS
with 2 workers it is still far from its bound after 60 s (benchmarks/planning.py). CP-SAT stays
as the path for rules a flow cannot express (whole teams, one unit per TPS) and as a
cross-check in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from siaga.engines.planning.model import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN

COVER_BASE = 1_000_000
SURPLUS_BASE = 100_000
RISK_STEP = 100
CP_SAT = "cp_sat"
MIN_COST_FLOW = "min_cost_flow"
SOLVERS: tuple[str, ...] = (CP_SAT, MIN_COST_FLOW)


@dataclass(frozen=True)
class Arc:
    """A (unit, TPS) pair in reach: indices into the officer units and the TPS, travel cost."""

    unit: int
    station: int
    cost: int


@dataclass
class Problem:
    """The officer model in integers: demand and surplus cap per TPS, capacity per unit."""

    demand: list[int]  # per station, load units of its pattern
    surplus_cap: list[int]  # per station, extra load units it may receive
    risk_tenths: list[int]  # per station, risk in tenths of a point (0..1000)
    capacity: list[int]  # per officer unit, load units available
    arcs: list[Arc]

    def cover_weight(self, s: int) -> int:
        return COVER_BASE + RISK_STEP * self.risk_tenths[s]

    def surplus_weight(self, s: int) -> int:
        return SURPLUS_BASE + RISK_STEP * self.risk_tenths[s]

    def worst_penalty(self) -> int:
        """The penalty of assigning nobody: every TPS short, no surplus anywhere."""
        return sum(
            self.cover_weight(s) * d + self.surplus_weight(s) * c
            for s, (d, c) in enumerate(zip(self.demand, self.surplus_cap, strict=True))
        )


@dataclass
class Solution:
    """Load per arc (same order as ``Problem.arcs``) and what the solver could prove."""

    status: str
    flow: list[int]
    objective: float
    bound: float


def penalty(problem: Problem, flow: list[int]) -> int:
    """The objective of a given allocation, computed directly (independent of the solver)."""
    received = [0] * len(problem.demand)
    travel = 0
    for arc, f in zip(problem.arcs, flow, strict=True):
        received[arc.station] += f
        travel += arc.cost * f
    value = problem.worst_penalty() + travel
    for s, got in enumerate(received):
        cover = min(got, problem.demand[s])
        value -= problem.cover_weight(s) * cover
        value -= problem.surplus_weight(s) * (got - cover)
    return value


def relative_gap(objective: float, bound: float) -> float:
    """``(objective - bound) / objective``, 0 when both are 0."""
    if objective <= 0:
        return 0.0
    return max(0.0, (objective - bound) / objective)


def solve_cp_sat(
    problem: Problem, *, time_limit_s: float, relative_gap: float, workers: int
) -> Solution:
    """Solve with CP-SAT; status "optimal" only when the bound meets the objective."""
    model = cp_model.CpModel()
    n_stations = len(problem.demand)
    xs = []
    into: list[list[cp_model.IntVar]] = [[] for _ in range(n_stations)]
    out_of: list[list[cp_model.IntVar]] = [[] for _ in problem.capacity]
    for arc in problem.arcs:
        top = min(
            problem.capacity[arc.unit],
            problem.demand[arc.station] + problem.surplus_cap[arc.station],
        )
        x = model.new_int_var(0, top, "")
        xs.append(x)
        into[arc.station].append(x)
        out_of[arc.unit].append(x)
    for u, group in enumerate(out_of):
        if group:
            model.add(sum(group) <= problem.capacity[u])
    terms = [arc.cost * x for arc, x in zip(problem.arcs, xs, strict=True)]
    constant = problem.worst_penalty()
    for s, group in enumerate(into):
        if not group:
            continue
        cover = model.new_int_var(0, problem.demand[s], "")
        extra = model.new_int_var(0, problem.surplus_cap[s], "")
        model.add(sum(group) == cover + extra)
        terms.append(-problem.cover_weight(s) * cover)
        terms.append(-problem.surplus_weight(s) * extra)
    model.minimize(sum(terms) + constant)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.relative_gap_limit = relative_gap
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = INFEASIBLE if code == cp_model.INFEASIBLE else UNKNOWN
        return Solution(status, [0] * len(xs), float(constant), 0.0)
    flow = [int(solver.value(x)) for x in xs]
    objective = float(solver.objective_value)
    bound = float(min(solver.best_objective_bound, objective))
    status = OPTIMAL if objective - bound < 0.5 else FEASIBLE
    return Solution(status, flow, objective, bound)


def solve_min_cost_flow(problem: Problem) -> Solution:
    """Solve exactly as a min-cost flow: unit -> TPS -> sink (coverage arc, surplus arc) and
    unit -> sink (idle). Costs are shifted by a constant so that none is negative; the total
    flow is fixed (every officer goes somewhere, if only to "idle"), so the shift does not
    change the optimum."""
    top = COVER_BASE + RISK_STEP * 1000
    n_units = len(problem.capacity)
    n_stations = len(problem.demand)
    sink = n_units + n_stations
    net = min_cost_flow.SimpleMinCostFlow()
    arc_ids = []
    for arc in problem.arcs:
        cap = min(
            problem.capacity[arc.unit],
            problem.demand[arc.station] + problem.surplus_cap[arc.station],
        )
        arc_ids.append(
            net.add_arc_with_capacity_and_unit_cost(arc.unit, n_units + arc.station, cap, arc.cost)
        )
    for s in range(n_stations):
        if problem.demand[s]:
            net.add_arc_with_capacity_and_unit_cost(
                n_units + s, sink, problem.demand[s], top - problem.cover_weight(s)
            )
        if problem.surplus_cap[s]:
            net.add_arc_with_capacity_and_unit_cost(
                n_units + s, sink, problem.surplus_cap[s], top - problem.surplus_weight(s)
            )
    for u, cap in enumerate(problem.capacity):
        net.add_arc_with_capacity_and_unit_cost(u, sink, cap, top)
        net.set_node_supply(u, cap)
    net.set_node_supply(sink, -sum(problem.capacity))
    code = net.solve()
    if code != net.OPTIMAL:
        return Solution(UNKNOWN, [0] * len(arc_ids), float(problem.worst_penalty()), 0.0)
    flow = [int(net.flow(a)) for a in arc_ids]
    value = float(penalty(problem, flow))
    return Solution(OPTIMAL, flow, value, value)


def scale_for(loads: list[tuple[int, int]]) -> int:
    """The smallest integer making every ``officers / tps_per_team`` whole."""
    scale = 1
    for officers, per_team in loads:
        if officers:
            scale = math.lcm(scale, per_team // math.gcd(officers, per_team))
    return scale
