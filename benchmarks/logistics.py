"""Benchmark of the logistics engine (siaga.engines.logistics) at the scale of a whole province.

Issue 4's target: reconciliation and delay risk for about 10,000 TPS × 12 item types (120,000
movements) and 40,000 open shipments, with a history of a few thousand completed legs, in under
2 s on this machine. The engine is pure Python, so no database is involved: the synthetic data is
generated in memory (deterministically, from --seed) and only the engine calls are timed:

  requirements        requirements() for every TPS and rule (reconcile calls it too)
  reconcile           reconcile(): per TPS lines, flags, desa/kecamatan/total rollups
  predict             predict() for every open leg against the history
  rank_at_risk        rank_at_risk() over those predictions
  together            reconcile + predict + rank_at_risk, one after the other: the target

Every run is checked (totals equal the sums of the TPS lines and of the movements, rollups
agree, predictions cover every leg, the ranking is in order, all three bases occur): a
benchmark of a broken run is worthless. Exits 1 when the median of "together" exceeds --budget.

    .venv/bin/python benchmarks/logistics.py [--tps 10000] [--items 12] [--shipments 40000]
        [--history 3000] [--repeat 5] [--budget 2.0] [--seed 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import _cpu_model, _memory_gib, fail, median, print_table, timed  # noqa: E402

from siaga.engines.logistics import (  # noqa: E402
    LegHistory,
    Movement,
    OpenLeg,
    Prediction,
    Reconciliation,
    Rule,
    TpsInfo,
    predict,
    rank_at_risk,
    reconcile,
    requirements,
)

WITA = dt.timezone(dt.timedelta(hours=8), "WITA")
NOW = dt.datetime(2024, 11, 24, 12, 0, tzinfo=WITA)  # mid-distribution, as in Kutai Timur 2024
DEADLINE = dt.datetime(2024, 11, 26, 23, 59, tzinfo=WITA)  # H-1
MODES = ("road", "river_boat", "speedboat", "longboat", "foot", "air")
VULNERABILITY = ("", "aman", "rawan", "sangat_rawan")

# The Pilkada 2024 kit of one TPS, cycled when --items asks for more.
BASE_RULES = [
    Rule("surat_suara_gubernur", "dpt_reserve", {"reserve_percent": 2.5}),
    Rule("surat_suara_bupati", "dpt_reserve", {"reserve_percent": 2.5}),
    Rule("kotak_suara", "fixed", {"quantity": 2}),
    Rule("bilik_suara", "dpt_band", {"bands": [[300, 3], [450, 4], [600, 5]]}),
    Rule("tinta", "fixed", {"quantity": 1}),
    Rule("segel", "dpt_band", {"bands": [[300, 40], [600, 50]]}),
    Rule("sampul", "fixed", {"quantity": 24}),
    Rule("formulir_c_hasil", "fixed", {"quantity": 2}),
    Rule("hologram", "fixed", {"quantity": 4}),
    Rule("daftar_paslon", "fixed", {"quantity": 2}),
    Rule("alat_bantu_tunanetra", "fixed", {"quantity": 2}),
    Rule("formulir_c_daftar_hadir", "dpt_band", {"bands": [[300, 1], [600, 2]]}),
]
BALLOTS = ("surat_suara_gubernur", "surat_suara_bupati")


def _usual_mode(destination: str) -> str:
    """The mode a destination is usually reached by (road, river boat, speedboat, longboat);
    crc32 rather than hash() because str hashes change between runs."""
    return MODES[zlib.crc32(destination.encode()) % 4]


def make_rules(count: int) -> list[Rule]:
    rules = []
    for i in range(count):
        base = BASE_RULES[i % len(BASE_RULES)]
        suffix = "" if i < len(BASE_RULES) else f"_{i // len(BASE_RULES)}"
        rules.append(Rule(base.item + suffix, base.kind, base.params))
    return rules


def make_tps(rng: random.Random, count: int) -> list[TpsInfo]:
    """About 10 TPS per desa and 20 desa per kecamatan, DPT 80..600 as KPU caps it."""
    return [
        TpsInfo(
            id=i + 1,
            desa=f"64.{i // 200:02d}.{(i // 10) % 20 + 2001}",
            kecamatan=f"64.{i // 200:02d}",
            dpt=rng.randint(80, 600),
        )
        for i in range(count)
    ]


def make_movements(
    rng: random.Random, tps: list[TpsInfo], rules: list[Rule]
) -> tuple[list[Movement], dict[int, dict[str, int]]]:
    """One movement per TPS × item. A fifth of the TPS have received nothing yet (dispatched,
    on the road); elsewhere most lines are exact, a few short, damaged or with a surplus."""
    needs = requirements({t.id: t.dpt for t in tps}, rules)
    movements = []
    for t in tps:
        on_the_road = rng.random() < 0.2
        for item, required in needs[t.id].items():
            roll = rng.random()
            dispatched = required + (rng.randint(1, 20) if roll > 0.98 else 0)
            if on_the_road:
                received = damaged = missing = 0
            elif roll < 0.02:  # arrived short
                missing = rng.randint(1, max(1, required // 10))
                received, damaged = max(0, dispatched - missing), 0
            elif roll < 0.03:  # arrived, some damaged
                received, damaged, missing = dispatched, rng.randint(1, max(1, required // 20)), 0
            else:
                received, damaged, missing = dispatched, 0, 0
            movements.append(Movement(t.id, item, dispatched, received, damaged, missing))
    return movements, needs


def make_legs(
    rng: random.Random, count: int, history_count: int, tps: list[TpsInfo]
) -> tuple[list[OpenLeg], list[LegHistory]]:
    """Open legs over routes of the three stages, and a history concentrated on the KPU → PPK
    routes (travelled first) so that route, mode and plan bases all occur."""
    kecamatan = sorted({t.kecamatan for t in tps})
    desa = sorted({t.desa for t in tps})
    routes = (
        [("kpu", k) for k in kecamatan]
        + [(d.rsplit(".", 1)[0], d) for d in desa]
        + [(t.desa, str(t.id)) for t in tps]
    )
    history = []
    for i in range(history_count):
        origin, dest = routes[i % len(kecamatan)] if i % 3 else rng.choice(routes)
        mode = _usual_mode(dest) if i % 3 else rng.choice(MODES[:5])  # no air history
        planned = rng.uniform(1, 30) * 3600
        history.append(LegHistory(mode, f"{origin}>{dest}", planned, planned * rng.uniform(0.8, 2)))
    legs = []
    for i in range(count):
        origin, dest = routes[i % len(routes)]
        mode = _usual_mode(dest) if i % 10 else rng.choice(MODES)
        departure = NOW + dt.timedelta(hours=rng.uniform(-48, 48))
        duration = dt.timedelta(hours=rng.uniform(1, 30))
        departed = (
            departure + dt.timedelta(minutes=rng.uniform(0, 120)) if departure < NOW else None
        )
        t = tps[i % len(tps)]
        legs.append(
            OpenLeg(
                id=i + 1,
                mode=mode,
                route=f"{origin}>{dest}",
                planned_departure=departure,
                planned_arrival=departure + duration,
                actual_departure=departed,
                deadline=DEADLINE,
                vulnerability=VULNERABILITY[i % 4],
                voters=t.dpt,
                downstream_seconds=rng.uniform(0, 24) * 3600,
            )
        )
    return legs, history


def check_reconciliation(
    result: Reconciliation,
    tps: list[TpsInfo],
    movements: list[Movement],
    needs: dict[int, dict[str, int]],
) -> None:
    if len(result.by_tps) != len(tps) or result.total.tps != len(tps):
        fail(f"{len(result.by_tps)} TPS reconciled, {result.total.tps} in total, {len(tps)} given")
    for item, line in result.total.items.items():
        required = sum(lines[item].required for lines in result.by_tps.values())
        if line.required != required or required != sum(n[item] for n in needs.values()):
            fail(f"{item}: total required {line.required} is not the sum {required}")
        for name in ("dispatched", "received", "damaged", "missing"):
            moved = sum(getattr(m, name) for m in movements if m.item == item)
            if getattr(line, name) != moved:
                fail(f"{item}: total {name} {getattr(line, name)} != sum of movements {moved}")
        shortage = sum(lines[item].shortage for lines in result.by_tps.values())
        if result.total.shortage[item] != shortage:
            fail(f"{item}: total shortage {result.total.shortage[item]} != {shortage}")
    for level in (result.by_desa, result.by_kecamatan):
        if sum(r.tps for r in level.values()) != len(tps):
            fail("the rollups do not cover every TPS once")
        if sum(r.tps_fully_supplied for r in level.values()) != len(result.fully_supplied):
            fail("fully supplied counts disagree between rollups and TPS")
        if sum(r.tps_ballot_short for r in level.values()) != len(result.ballot_short):
            fail("ballot-short counts disagree between rollups and TPS")
    if not result.ballot_short or not result.fully_supplied:
        fail("the synthetic data should give both ballot-short and fully supplied TPS")


def check_delay(legs: list[OpenLeg], predictions: list[Prediction], ranked: list) -> None:
    if [p.id for p in predictions] != [leg.id for leg in legs]:
        fail("predictions do not cover every leg in order")
    if {p.basis for p in predictions} != {"route", "mode", "plan"}:
        fail(f"bases seen: {sorted({p.basis for p in predictions})}; expected all three")
    expected = sum(1 for p in predictions if p.at_risk or p.late)
    if len(ranked) != expected or not ranked:
        fail(f"{len(ranked)} ranked, {expected} at risk or late")
    by_id = {leg.id: leg for leg in legs}
    rank = {"sangat_rawan": 0, "rawan": 1}
    keys = [
        (rank.get(by_id[p.id].vulnerability, 2), -by_id[p.id].voters, p.slack_seconds)
        for p in ranked
    ]
    if keys != sorted(keys):
        fail("the ranking is not by vulnerability, voters, slack")


def print_machine(title: str, **extra: Any) -> None:
    """The machine header of ``_common.print_header`` without Django (it asks Django for its
    version and database, which this benchmark does not use)."""
    lines = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} cores",
        "memory": _memory_gib(),
        "os": platform.platform(),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        **{key: str(value) for key, value in extra.items()},
    }
    print(title)
    print("=" * len(title))
    width = max(len(key) for key in lines)
    for key, value in lines.items():
        print(f"{key:<{width}}  {value}")
    print(flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tps", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=12)
    parser.add_argument("--shipments", type=int, default=40_000)
    parser.add_argument("--history", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds for 'together'")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    if min(args.tps, args.items, args.shipments, args.history, args.repeat) < 1:
        parser.error("every size must be at least 1")

    rng = random.Random(args.seed)  # noqa: S311 - synthetic data, not security
    print("generating data...", file=sys.stderr, flush=True)
    rules = make_rules(args.items)
    tps = make_tps(rng, args.tps)
    movements, needs = make_movements(rng, tps, rules)
    legs, history = make_legs(rng, args.shipments, args.history, tps)
    dpt_by_tps = {t.id: t.dpt for t in tps}

    print_machine(
        "Logistics engine: requirements, reconciliation, delay risk",
        tps=f"{len(tps):,} in {len({t.desa for t in tps}):,} desa, "
        f"{len({t.kecamatan for t in tps}):,} kecamatan",
        items=f"{len(rules)} ({len(BALLOTS)} ballots)",
        movements=f"{len(movements):,}",
        shipments=f"{len(legs):,} open legs, {len(history):,} in history",
        repeat=args.repeat,
        seed=args.seed,
    )

    times: dict[str, list[float]] = {
        name: [] for name in ("requirements", "reconcile", "predict", "rank_at_risk", "together")
    }
    for run in range(args.repeat):
        print(f"run {run + 1}/{args.repeat}", file=sys.stderr, flush=True)
        seconds, needs_again = timed(requirements, dpt_by_tps, rules)
        times["requirements"].append(seconds)
        if needs_again != needs:
            fail("requirements are not deterministic")
        seconds, result = timed(reconcile, tps, rules, movements, BALLOTS)
        times["reconcile"].append(seconds)
        seconds, predictions = timed(predict, legs, history, NOW)
        times["predict"].append(seconds)
        seconds, ranked = timed(rank_at_risk, legs, predictions)
        times["rank_at_risk"].append(seconds)

        def together() -> tuple[Reconciliation, list[Prediction], list[Prediction]]:
            recon = reconcile(tps, rules, movements, BALLOTS)
            preds = predict(legs, history, NOW)
            return recon, preds, rank_at_risk(legs, preds)

        seconds, (result2, predictions2, ranked2) = timed(together)
        times["together"].append(seconds)
        check_reconciliation(result, tps, movements, needs)
        check_delay(legs, predictions, ranked)
        if (result2.fully_supplied, predictions2, ranked2) != (
            result.fully_supplied,
            predictions,
            ranked,
        ):
            fail("two runs on the same data disagree")

    units = {
        "requirements": (len(tps) * len(rules), "TPS × item"),
        "reconcile": (len(movements), "movements"),
        "predict": (len(legs), "legs"),
        "rank_at_risk": (len(predictions), "predictions"),
        "together": (len(movements) + len(legs), "movements + legs"),
    }
    rows = []
    for name, values in times.items():
        count, unit = units[name]
        mid = median(values)
        rows.append(
            [
                name,
                f"{mid:.3f}",
                f"{min(values):.3f}",
                f"{max(values):.3f}",
                f"{count / mid:,.0f}",
                unit,
            ]
        )
    print_table(["step", "median s", "min s", "max s", "per s", "unit"], rows)
    basis = {b: sum(1 for p in predictions if p.basis == b) for b in ("route", "mode", "plan")}
    print(
        f"result: {len(result.fully_supplied):,} TPS fully supplied "
        f"({result.total.percent_supplied:.1f} %), {len(result.ballot_short):,} ballot short; "
        f"{sum(p.late for p in predictions):,} legs late, "
        f"{sum(p.at_risk for p in predictions):,} at risk, {len(ranked):,} ranked; "
        f"basis route {basis['route']:,} / mode {basis['mode']:,} / plan {basis['plan']:,}"
    )
    total = median(times["together"])
    verdict = "within" if total <= args.budget else "OVER"
    print(f"target: together {total:.3f} s, {verdict} the budget of {args.budget:.1f} s")
    return 0 if total <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
