"""Deployment planning engine: officers and Linmas to TPS by pattern, with OR-Tools. No Django.

``siaga.security`` services read personnel, pattern rules and the risk index from the database,
build these plain dataclasses, call ``plan()`` and store or export the result; what-ifs
("personnel withdrawn", "risk changed") are the same call with other inputs.
"""

from siaga.engines.planning.model import (
    AMAN,
    CATEGORIES,
    FEASIBLE,
    INFEASIBLE,
    KINDS,
    LINMAS,
    NO_UNIT_IN_REACH,
    OFFICER,
    OPTIMAL,
    RAWAN,
    REACHES,
    SANGAT_RAWAN,
    UNITS_IN_REACH_EXHAUSTED,
    UNKNOWN,
    Assignment,
    Pattern,
    Plan,
    Shortfall,
    Station,
    Unit,
)
from siaga.engines.planning.planner import plan
from siaga.engines.planning.reach import haversine_km
from siaga.engines.planning.solver import CP_SAT, MIN_COST_FLOW, SOLVERS

__all__ = [
    "AMAN",
    "CATEGORIES",
    "CP_SAT",
    "FEASIBLE",
    "INFEASIBLE",
    "KINDS",
    "LINMAS",
    "MIN_COST_FLOW",
    "NO_UNIT_IN_REACH",
    "OFFICER",
    "OPTIMAL",
    "RAWAN",
    "REACHES",
    "SANGAT_RAWAN",
    "SOLVERS",
    "UNITS_IN_REACH_EXHAUSTED",
    "UNKNOWN",
    "Assignment",
    "Pattern",
    "Plan",
    "Shortfall",
    "Station",
    "Unit",
    "haversine_km",
    "plan",
]
