"""The plain data the planner takes and returns: patterns, TPS, personnel units and the plan.

The Django side (``siaga.security``) keeps personnel and pattern rules in the database and builds
these frozen dataclasses; nothing here knows about models. Officer figures in the plan are
officer-equivalents ("load"): a TPS of a pattern "2 officers for 8 aman TPS" needs 0.25, because
that is how police and army count a team that walks between several TPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AMAN = "aman"
RAWAN = "rawan"
SANGAT_RAWAN = "sangat_rawan"
CATEGORIES: tuple[str, ...] = (AMAN, RAWAN, SANGAT_RAWAN)

OFFICER = "officer"
LINMAS = "linmas"
KINDS: tuple[str, ...] = (OFFICER, LINMAS)

REACH_DISTANCE = "distance"
REACH_KECAMATAN = "kecamatan"
REACH_DESA = "desa"
REACH_ANY = "any"
REACHES: tuple[str, ...] = (REACH_DISTANCE, REACH_KECAMATAN, REACH_DESA, REACH_ANY)

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"

NO_UNIT_IN_REACH = "no_unit_in_reach"
UNITS_IN_REACH_EXHAUSTED = "units_in_reach_exhausted"


@dataclass(frozen=True)
class Pattern:
    """A deployment pattern for one category: a team of ``officers`` covers ``tps_per_team`` TPS
    and every TPS also needs ``linmas_per_tps`` Linmas of its own desa ("2 officers for 1
    sangat rawan TPS with 2 Linmas")."""

    category: str
    officers: int
    tps_per_team: int
    linmas_per_tps: int


@dataclass(frozen=True)
class Station:
    """A TPS as the planner sees it: its category picks the pattern, its risk (0..100, the index
    score) decides who is left short first and who gets the surplus."""

    id: str
    category: str
    risk: float
    desa: str
    kecamatan: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Unit:
    """Personnel available in one place (a Polres HQ, a Polsek, a Koramil, the Linmas of a desa).

    ``reach`` says which TPS the unit can serve: within ``reach_km`` of its position
    ("distance"), its own ``kecamatan`` or ``desa``, or "any". Linmas units always serve only
    their own desa, whatever ``reach`` says, because Linmas are the desa's civil guards.
    """

    id: str
    agency: str
    kind: str
    count: int
    reach: str
    desa: str | None = None
    kecamatan: str | None = None
    lat: float | None = None
    lon: float | None = None
    reach_km: float | None = None


@dataclass(frozen=True)
class Assignment:
    """People of one unit at one TPS: ``officers`` as load (0.25 = a share of a 2-officer team
    on 8 aman TPS), ``linmas`` as whole people."""

    unit_id: str
    station_id: str
    officers: float
    linmas: int


@dataclass(frozen=True)
class Shortfall:
    """A TPS left short of its pattern, with why: no unit could reach it at all, or those that
    could were used up (on TPS of higher risk). ``units_in_reach`` is for the explanation shown
    to people ("Polsek Busang and Koramil Busang could reach it; both were fully deployed")."""

    station_id: str
    officers_missing: float
    linmas_missing: int
    reason: str
    units_in_reach: tuple[str, ...]


@dataclass
class Plan:
    """The result of ``plan()``.

    ``objective`` is the penalty minimised (0 would be: every TPS covered, every TPS given its
    full surplus, no travel); ``bound`` the solver's proven lower bound and ``gap`` their
    relative difference, so a reader can tell "optimal" from "good enough in the time allowed".
    ``shortfalls`` are sorted by risk ascending (the least risky TPS first), ``surplus`` maps a
    TPS to the officers it has beyond its pattern, ``used`` every unit considered to the officers
    (or Linmas) it deploys.
    """

    status: str
    objective: float
    bound: float
    gap: float
    wall_s: float
    assignments: list[Assignment]
    shortfalls: list[Shortfall]
    surplus: dict[str, float]
    used: dict[str, float]
    station_ids: frozenset[str] = field(default_factory=frozenset)
    solver: str = ""
    _short: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._short = frozenset(s.station_id for s in self.shortfalls)

    def covered(self, station_id: str) -> bool:
        """True when the TPS gets its full pattern (officers and Linmas).

        Raises ``KeyError`` for a TPS that was not part of the plan, rather than answering
        "covered" for a typo.
        """
        if self.station_ids and station_id not in self.station_ids:
            raise KeyError(station_id)
        return station_id not in self._short

    def officers_at(self, station_id: str) -> float:
        """Officers (load) assigned to a TPS, from every unit."""
        return sum(a.officers for a in self.assignments if a.station_id == station_id)

    def linmas_at(self, station_id: str) -> int:
        """Linmas assigned to a TPS."""
        return sum(a.linmas for a in self.assignments if a.station_id == station_id)
