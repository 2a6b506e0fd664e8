"""Benchmark of the deployment planning engine (siaga.engines.planning) on synthetic regencies.

Issue 7's targets: a plan for Kutai Timur (701 TPS in 18 kecamatan and 141 desa, ~300
officers) optimal or within 1 % of the best bound in under 10 s; for 10,000 TPS a feasible plan
in under 60 s. No real data is read: each regency is generated (seeded) like Kutai Timur:
18 kecamatan with their desa and TPS scattered around them (a dense kecamatan like Sangatta
and sparse river kecamatan), risk 0..100 from a skewed distribution with the category from
thresholds 40 / 70, personnel of 1 Polres (reach "any" when there is one regency, 150 km
otherwise), 1 Kodim (60 km), a Polsek (its kecamatan) and a Koramil (25 km) per kecamatan, and
the Linmas of each desa (about two per TPS, some desa short). The 10,000-TPS case is 14 such
regencies side by side. Patterns: sangat rawan 2 officers per TPS + 2 Linmas, rawan 2 per 2
TPS + 1 Linmas, aman 2 per 8 TPS + 1 Linmas.

Each size is planned with the exact min-cost flow (the default) and with CP-SAT (``workers``
2, 1 % gap, the target's time limit); every run is checked (no unit over its count, no TPS over its
pattern plus surplus, coverage and shortfalls agree, CP-SAT's bound and objective bracketing
the flow optimum). Prints a markdown table of medians of ``--repeat`` runs.

    .venv/bin/python benchmarks/planning.py [--quick] [--repeat 3] [--seed 7] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ortools  # noqa: E402
from _common import _cpu_model, _memory_gib, fail, median, timed  # noqa: E402

from siaga.engines.planning import (  # noqa: E402
    CP_SAT,
    MIN_COST_FLOW,
    Pattern,
    Plan,
    Station,
    Unit,
    plan,
)

PATTERNS = [
    Pattern("sangat_rawan", officers=2, tps_per_team=1, linmas_per_tps=2),
    Pattern("rawan", officers=2, tps_per_team=2, linmas_per_tps=1),
    Pattern("aman", officers=2, tps_per_team=8, linmas_per_tps=1),
]
KECAMATAN = 18
DESA = 141
TPS = 701
KM_PER_DEGREE = 111.0


def category(risk: float) -> str:
    return "sangat_rawan" if risk >= 70 else "rawan" if risk >= 40 else "aman"


def regency(
    rng: random.Random, code: str, lat0: float, lon0: float, single: bool
) -> tuple[list[Station], list[Unit]]:
    """One Kutai Timur-like regency in a 1.4 x 1.8 degree box from (lat0, lon0)."""
    stations: list[Station] = []
    units: list[Unit] = []
    # Kecamatan weights: the first (the capital) is dense, a few are remote and thin.
    weights = [6.0] + [rng.uniform(0.4, 1.6) for _ in range(KECAMATAN - 1)]
    centres = [(lat0 + 0.7, lon0 + 0.9)] + [
        (lat0 + rng.uniform(0, 1.4), lon0 + rng.uniform(0, 1.8)) for _ in range(KECAMATAN - 1)
    ]
    desa_of = list(range(KECAMATAN)) + rng.choices(range(KECAMATAN), weights, k=DESA - KECAMATAN)
    desa_pos = []
    for k in desa_of:
        spread = 0.03 if k == 0 else 0.12
        lat, lon = centres[k]
        desa_pos.append((lat + rng.gauss(0, spread), lon + rng.gauss(0, spread)))
    desa_weights = [weights[k] * rng.uniform(0.5, 1.5) for k in desa_of]
    tps_desa = list(range(DESA)) + rng.choices(range(DESA), desa_weights, k=TPS - DESA)
    per_desa = [0] * DESA
    for n, d in enumerate(sorted(tps_desa)):
        per_desa[d] += 1
        k = desa_of[d]
        risk = min(100.0, max(0.0, rng.betavariate(2, 5) * 100 + (12 if k % 7 == 3 else 0)))
        lat, lon = desa_pos[d]
        stations.append(
            Station(
                id=f"{code}-tps{n:04d}",
                category=category(risk),
                risk=round(risk, 1),
                desa=f"{code}-d{d:03d}",
                kecamatan=f"{code}-k{k:02d}",
                lat=lat + rng.gauss(0, 0.01),
                lon=lon + rng.gauss(0, 0.01),
            )
        )
    lat, lon = centres[0]
    if single:
        units.append(Unit(f"{code}-polres", "polres", "officer", 100, "any", lat=lat, lon=lon))
    else:
        units.append(
            Unit(f"{code}-polres", "polres", "officer", 100, "distance", lat=lat, lon=lon,
                 reach_km=150.0, kecamatan=f"{code}-k00")
        )  # fmt: skip
    units.append(
        Unit(f"{code}-kodim", "kodim", "officer", 30, "distance", lat=lat, lon=lon, reach_km=60.0)
    )
    for k, (klat, klon) in enumerate(centres):
        kec = f"{code}-k{k:02d}"
        units.append(
            Unit(f"{code}-polsek{k:02d}", "polsek", "officer", rng.randint(5, 11), "kecamatan",
                 kecamatan=kec, lat=klat, lon=klon)
        )  # fmt: skip
        units.append(
            Unit(f"{code}-koramil{k:02d}", "koramil", "officer", rng.randint(2, 4), "distance",
                 kecamatan=kec, lat=klat, lon=klon, reach_km=25.0)
        )  # fmt: skip
    for d, count in enumerate(per_desa):
        linmas = max(0, 2 * count - (rng.randint(0, 3) if rng.random() < 0.2 else 0))
        dlat, dlon = desa_pos[d]
        units.append(
            Unit(f"{code}-linmas{d:03d}", "linmas", "linmas", linmas, "desa",
                 desa=f"{code}-d{d:03d}", lat=dlat, lon=dlon)
        )  # fmt: skip
    return stations, units


def generate(tps: int, seed: int) -> tuple[list[Station], list[Unit]]:
    """``ceil(tps / 701)`` regencies in a grid, trimmed to ``tps`` TPS."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    count = math.ceil(tps / TPS)
    side = math.ceil(math.sqrt(count))
    stations: list[Station] = []
    units: list[Unit] = []
    for r in range(count):
        s, u = regency(
            rng, f"r{r:02d}", 0.3 + 1.4 * (r // side), 116.5 + 1.8 * (r % side), count == 1
        )
        stations += s
        units += u
    return stations[:tps], units


def check(result: Plan, stations: list[Station], units: list[Unit], label: str) -> None:
    """A broken plan is not worth timing."""
    count = {u.id: u.count for u in units}
    for unit_id, n in result.used.items():
        if n > count[unit_id] + 1e-9:
            fail(f"{label}: unit {unit_id} uses {n} of {count[unit_id]}")
    need = {p.category: p.officers / p.tps_per_team for p in PATTERNS}
    officers: dict[str, float] = {}
    for a in result.assignments:
        officers[a.station_id] = officers.get(a.station_id, 0.0) + a.officers
    for s in stations:
        got = officers.get(s.id, 0.0)
        if got > 2 * need[s.category] + 1e-9:
            fail(f"{label}: {s.id} gets {got} officers, above pattern + surplus")
        short = got < need[s.category] - 1e-9
        if short and result.covered(s.id):
            fail(f"{label}: {s.id} is short but reported covered")
    risk = {s.id: s.risk for s in stations}
    risks = [risk[f.station_id] for f in result.shortfalls]
    if risks != sorted(risks):
        fail(f"{label}: shortfalls not sorted by risk")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the Kutai Timur size")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = [(TPS, 10.0)] if args.quick else [(TPS, 10.0), (10_000, 60.0)]

    print("# Deployment planning engine (siaga.engines.planning)\n")
    print(f"- cpu: {_cpu_model()}, {os.cpu_count()} cores; memory {_memory_gib()}")
    print(f"- python {platform.python_version()}, ortools {ortools.__version__}")
    print(f"- seed {args.seed}, medians of {args.repeat} runs, CP-SAT workers {args.workers},")
    print("  relative gap 1 %, time limit 10 s (701 TPS) / 60 s (10,000 TPS)\n")
    rows = []
    for tps, limit in sizes:
        stations, units = generate(tps, args.seed)
        officers = sum(u.count for u in units if u.kind == "officer")
        need = {p.category: p.officers / p.tps_per_team for p in PATTERNS}
        load = sum(need[s.category] for s in stations)
        size = (
            f"{len(stations):,} TPS / {len({s.kecamatan for s in stations})} kec / "
            f"{len({s.desa for s in stations}):,} desa; {officers:,} officers for {load:,.0f} load"
        )
        best = None
        for solver in (MIN_COST_FLOW, CP_SAT):
            walls, plans = [], []
            for run in range(args.repeat):
                print(f"{tps} TPS, {solver}, run {run + 1}", file=sys.stderr, flush=True)
                seconds, result = timed(
                    lambda solver=solver, limit=limit, stations=stations, units=units: plan(
                        stations, units, PATTERNS, solver=solver, time_limit_s=limit,
                        workers=args.workers,
                    )
                )  # fmt: skip
                check(result, stations, units, f"{tps} {solver}")
                walls.append(seconds)
                plans.append(result)
            mid = plans[walls.index(median(walls))] if args.repeat % 2 else plans[0]
            if solver == MIN_COST_FLOW:
                best = mid.objective
            elif not mid.bound - 1 <= best <= mid.objective + 1:
                fail(f"{tps} cp_sat [{mid.bound}, {mid.objective}] excludes the optimum {best}")
            covered = sum(mid.covered(s.id) for s in stations) / len(stations)
            short_load = sum(f.officers_missing for f in mid.shortfalls)
            rows.append(
                [
                    size,
                    solver,
                    mid.status,
                    f"{100 * mid.gap:.3f}",
                    f"{100 * (mid.objective - best) / best:.4f}",
                    f"{median(walls):.2f}",
                    f"{min(walls):.2f}",
                    f"{max(walls):.2f}",
                    f"{100 * covered:.1f}",
                    f"{100 * (1 - short_load / load):.1f}",
                    f"{len(mid.shortfalls):,}",
                ]
            )
    headers = [
        "size",
        "solver",
        "status",
        "gap %",
        "vs exact %",
        "wall s (median)",
        "min",
        "max",
        "TPS covered %",
        "officer load covered %",
        "shortfalls",
    ]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
