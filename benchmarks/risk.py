"""Benchmark of the risk engine (siaga.engines.risk) for a province and for the whole country.

Issue 7's targets: recompute the index and alerts for a whole province (10,000 TPS) in under 1 s
and for the whole country (about 435,000 TPS) in under 30 s. This script measures the ENGINE part
of that (reading indicator values from the database and writing scores and alerts is not
included). The engine is pure numpy/scipy, so the synthetic data is generated in memory,
deterministically from --seed, and only the engine calls are timed:

  compute_index       points, scores, categories of every TPS (~30 indicators)
  rollup <level>      TPS to desa, kecamatan, kabupaten, provinsi (voter-weighted)
  rising_trend        incidents per kecamatan today vs the 7 days before
  category_rises      TPS whose category rose since the previous run
  total               the sum of the above in the same run (the target)
  incident_clusters   one day of incidents (2 % of TPS, 8 categories); not in the total

Data: TPS in desa of about 5 TPS, desa in kecamatan of about 12, kecamatan in kabupaten of about
14, kabupaten in provinces of about 14 (real province codes, Kemendagri code shapes); 20 yes/no
indicators and 10 counts, sparse (2-15 % present, counts mostly 0), more frequent in some
kecamatan than others; two count indicators missing (NaN) for 5 % of TPS, as when a module has
not reported; 150-600 voters per TPS. Every run is checked (roll-up totals, category counts,
trend fires on the planted rises): a benchmark of a broken run is worthless. Exits 1 when a
median total is over its target.

    .venv/bin/python benchmarks/risk.py [--quick] [--repeat 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import _cpu_model, _memory_gib, fail, median, timed  # noqa: E402

from siaga.engines.risk import (  # noqa: E402
    LEVELS,
    Event,
    Indicator,
    Thresholds,
    category_rises,
    compute_index,
    incident_clusters,
    rising_trend,
    rollup,
)

PROVINCES = (  # the 38 province codes
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33",
    "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72",
    "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
)  # fmt: skip
TARGETS = {10_000: 1.0, 435_000: 30.0}  # seconds, from issue 7
STEPS = (
    "compute_index",
    *(f"rollup {level}" for level in LEVELS),
    "rising_trend",
    "category_rises",
)


def _groups(rng: np.random.Generator, items: int, size: float) -> np.ndarray:
    """Assign ``items`` to about items/size parents of about ``size`` each: parent per item."""
    parents = max(1, round(items / size))
    return np.sort(rng.integers(0, parents, items))


def make_regions(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The desa code of each TPS and the kecamatan index of each TPS."""
    desa_of_tps = _groups(rng, n, 5)
    desa_count = int(desa_of_tps.max()) + 1
    kec_of_desa = _groups(rng, desa_count, 12)
    kec_count = int(kec_of_desa.max()) + 1
    kab_of_kec = _groups(rng, kec_count, 14)
    kab_count = int(kab_of_kec.max()) + 1
    prov_of_kab = _groups(rng, kab_count, 14) % len(PROVINCES)

    kab_codes, seen_in_prov = [], {}
    for kab in range(kab_count):
        prov = PROVINCES[prov_of_kab[kab]]
        seen_in_prov[prov] = seen_in_prov.get(prov, 0) + 1
        kab_codes.append(f"{prov}.{seen_in_prov[prov]:02d}")
    kec_codes, seen_in_kab = [], {}
    for kec in range(kec_count):
        kab = kab_codes[kab_of_kec[kec]]
        seen_in_kab[kab] = seen_in_kab.get(kab, 0) + 1
        kec_codes.append(f"{kab}.{seen_in_kab[kab]:02d}")
    desa_codes, seen_in_kec = [], {}
    for desa in range(desa_count):
        kec = kec_codes[kec_of_desa[desa]]
        seen_in_kec[kec] = seen_in_kec.get(kec, 0) + 1
        desa_codes.append(f"{kec}.{2000 + seen_in_kec[kec]:04d}")
    codes = np.array(desa_codes, dtype="U13")
    return codes[desa_of_tps], kec_of_desa[desa_of_tps]


def make_indicators(rng: np.random.Generator) -> list[Indicator]:
    yes_no = [
        Indicator(f"variabel{j // 4 + 1}.ya_tidak_{j}", float(rng.choice([3, 5, 8, 10, 15])))
        for j in range(20)
    ]
    counts = [
        Indicator(f"live.hitungan_{j}", float(rng.choice([10, 15, 20])), float(rng.integers(2, 6)))
        for j in range(10)
    ]
    return yes_no + counts


def make_values(rng: np.random.Generator, kec_of_tps: np.ndarray) -> np.ndarray:
    """Sparse indicator values, more frequent in 'hot' kecamatan."""
    n = len(kec_of_tps)
    heat = rng.gamma(2.0, 0.5, int(kec_of_tps.max()) + 1)[kec_of_tps]  # mean 1 per kecamatan
    p = rng.uniform(0.02, 0.15, 20)
    values = np.empty((n, 30))
    values[:, :20] = rng.random((n, 20)) < np.minimum(p * heat[:, None], 0.9)
    rates = rng.uniform(0.05, 0.3, 10)
    values[:, 20:] = rng.poisson(rates * heat[:, None])
    values[rng.random(n) < 0.05, 28:] = np.nan
    return values


def yesterday(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """The values of the previous run: 3 % of TPS had one yes/no indicator fewer or more."""
    before = values.copy()
    rows = np.flatnonzero(rng.random(len(values)) < 0.03)
    cols = rng.integers(0, 20, len(rows))
    before[rows, cols] = 1 - before[rows, cols]
    return before


def make_trend(rng: np.random.Generator, areas: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Incidents per kecamatan: 7 baseline days and today; 2 % of areas rise 5x (planted)."""
    rate = rng.gamma(1.5, 1.0, areas)
    baseline = rng.poisson(rate[:, None], (areas, 7))
    planted = rng.random(areas) < 0.02
    current = rng.poisson(np.where(planted, np.maximum(5 * rate, 3.0), rate))
    return current, baseline, planted


def make_events(rng: np.random.Generator, n: int) -> list[Event]:
    """One day of incidents over Indonesia-sized space, 8 categories, some local bursts."""
    count = max(10, n // 50)
    start = dt.datetime(2024, 11, 27, tzinfo=dt.UTC)
    lat = rng.uniform(-8, 5, count)
    lon = rng.uniform(95, 140, count)
    burst = rng.random(count) < 0.2  # a fifth land near one of a few hot spots
    spots = rng.integers(0, max(1, count // 100), count)
    lat[burst] = -0.5 + spots[burst] * 0.05 + rng.normal(0, 0.01, burst.sum())
    lon[burst] = 117.5 + spots[burst] * 0.05 + rng.normal(0, 0.01, burst.sum())
    minutes = rng.integers(0, 24 * 60, count)
    groups = rng.integers(0, 8, count)
    return [
        Event(
            id=f"ev{k}",
            lat=float(lat[k]),
            lon=float(lon[k]),
            at=start + dt.timedelta(minutes=int(minutes[k])),
            group=f"kategori{groups[k]}",
        )
        for k in range(count)
    ]


def check(n: int, index: Any, areas: dict[str, Any], trend: Any, planted: np.ndarray) -> None:
    if index.scores.shape != (n,) or not (0 <= index.scores.min() <= index.scores.max() <= 100):
        fail("scores out of range")
    for level, area in areas.items():
        if int(area.tps.sum()) != n or int(area.counts.sum()) != n:
            fail(f"{level}: roll-up does not account for every TPS")
        if (area.max_score + 1e-9 < area.score).any():
            fail(f"{level}: an area's mean is above its worst TPS")
    if (areas["provinsi"].counts.sum(axis=0) != np.bincount(index.categories, minlength=3)).any():
        fail("province category counts disagree with the TPS categories")
    if trend.fires[planted].mean() < 0.5 or trend.fires[~planted].mean() > 0.02:
        fail(
            f"trend: {trend.fires[planted].mean():.2f} of planted rises fire, "
            f"{trend.fires[~planted].mean():.3f} of quiet areas"
        )


def run_size(n: int, repeat: int, seed: int) -> tuple[dict[str, list[float]], str]:
    rng = np.random.default_rng(seed)
    print(f"generating {n:,} TPS...", file=sys.stderr, flush=True)
    desa_codes, kec_of_tps = make_regions(rng, n)
    indicators = make_indicators(rng)
    values = make_values(rng, kec_of_tps)
    voters = rng.integers(150, 601, n).astype(np.float64)
    keys = [f"tps{i}" for i in range(n)]
    thresholds = Thresholds()
    before = compute_index(yesterday(rng, values), indicators, thresholds).categories
    before[rng.random(n) < 0.01] = -1  # new TPS, no earlier category
    kec_count = len(np.unique(desa_codes.astype("U8")))
    current, baseline, planted = make_trend(rng, kec_count)
    events = make_events(rng, n)

    times: dict[str, list[float]] = {name: [] for name in (*STEPS, "total", "incident_clusters")}
    summary = ""
    for run in range(repeat):
        print(f"  run {run + 1}/{repeat}", file=sys.stderr, flush=True)
        total = 0.0
        seconds, index = timed(compute_index, values, indicators, thresholds)
        times["compute_index"].append(seconds)
        total += seconds
        areas = {}
        for level in LEVELS:
            seconds, areas[level] = timed(
                lambda lv=level, ix=index: rollup(desa_codes, ix, level=lv, weights=voters)
            )
            times[f"rollup {level}"].append(seconds)
            total += seconds
        seconds, trend = timed(lambda: rising_trend(current, baseline))
        times["rising_trend"].append(seconds)
        total += seconds
        seconds, rises = timed(category_rises, keys, before, index.categories)
        times["category_rises"].append(seconds)
        total += seconds
        times["total"].append(total)
        seconds, clusters = timed(lambda: incident_clusters(events))
        times["incident_clusters"].append(seconds)
        check(n, index, areas, trend, planted)
        shares = np.bincount(index.categories, minlength=3) / n
        summary = (
            f"{n:,} TPS: aman {shares[0]:.1%}, rawan {shares[1]:.1%}, sangat_rawan "
            f"{shares[2]:.1%}; {', '.join(f'{len(a):,} {lv}' for lv, a in areas.items())}; "
            f"{int(trend.fires.sum())} of {kec_count:,} kecamatan rising "
            f"({int(planted.sum())} planted); {len(rises):,} category rises; "
            f"{len(clusters)} clusters in {len(events):,} incidents"
        )
    return times, summary


def print_machine(title: str, **extra: Any) -> None:
    """The machine header, without Django (this benchmark uses no database)."""
    lines = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} cores",
        "memory": _memory_gib(),
        "os": platform.platform(),
        "python": f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}",
        **{key: str(value) for key, value in extra.items()},
    }
    print(f"# {title}\n")
    for key, value in lines.items():
        print(f"- {key}: {value}")
    print(flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 TPS, one run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [10_000] if args.quick else [10_000, 435_000]
    repeat = 1 if args.quick else args.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    print_machine(
        "Risk engine: index, roll-up, trend, rises (engine only, no database)",
        sizes=", ".join(f"{n:,} TPS" for n in sizes),
        indicators="30 (20 yes/no, 10 counts)",
        repeat=repeat,
        seed=args.seed,
    )
    results = {n: run_size(n, repeat, args.seed) for n in sizes}
    header = ["step", *(f"{n:,} TPS, median ms" for n in sizes)]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", *["---:"] * len(sizes)]) + "|")
    for step in (*STEPS, "total", "incident_clusters"):
        cells = [f"{1000 * median(results[n][0][step]):,.1f}" for n in sizes]
        name = f"**{step}**" if step == "total" else step
        if step == "incident_clusters":
            name += " (not in total)"
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    ok = True
    for n in sizes:
        print(f"- {results[n][1]}")
    for n in sizes:
        total = median(results[n][0]["total"])
        target = TARGETS[n]
        verdict = "within" if total <= target else "OVER"
        ok &= total <= target
        print(f"- target {n:,} TPS: total {total:.3f} s, {verdict} {target:.0f} s (engine only)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
