"""Double-voter benchmark (issue 3): Siaga's linkage engine vs plain Splink vs an exact-key rule.

For each size, generates a synthetic DPT with ``voters_synth.write_csv`` (2 % extra copies, hard
non-matches) and runs, each in its own subprocess so that wall time and peak memory
(``ru_maxrss`` of the child) are measured end to end from the CSV to the pairs CSV:

* ``siaga``: ``manage.py voters dedup INPUT --out PAIRS.csv --threshold T`` (DuckDB backend);
* ``splink-generic``: plain Splink with a generic configuration (exact NIK, Jaro-Winkler on the
  raw name, exact birth date, exact address, exact sex; blocking on NIK, name, birth date +
  sex; u by random sampling, m by EM);
* ``exact-key``: a pair when the NIK is equal, or the (upper-cased) name and birth date are.

Prints size, method, wall s, peak MB, pairs, precision, recall, F1 against the truth. For
siaga, whose pairs carry KPU's class, P/R/F1 count the double registrations (K1 and K3) only;
the K2 column says how many of the generator's NIK-copy cases (one NIK on two family members,
a data error, not a double registration) siaga reports as K2, and for every method how many of
them it wrongly reports as double registrations ("as dup"). Generic Splink is skipped, with a
"skipped: reason" row, above ``--generic-max-size`` (its memory at 300 k is already 4 GB).

    .venv/bin/python benchmarks/voters_dedup.py --sizes 100000,300000,1000000 [--threshold T]
        [--seed 1] [--workdir /tmp/voters_bench] [--generic-max-size 300000]

``--threshold`` applies to siaga and generic Splink; without it siaga runs at the command's
default (``DEFAULT_THRESHOLD``) and generic Splink at 0.9.
"""

# ruff: noqa: S108, S603, S608 - a benchmark: its own paths and commands, no user input

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("siaga", "splink-generic", "exact-key")


def _q(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _read_csv_sql(path: str) -> str:
    return f"read_csv({_q(path)}, header=true, all_varchar=true)"


def run_exact_key(inp: str, out: str) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            WITH d AS (
                SELECT id, nik, upper(trim(name)) AS nm, COALESCE(
                    try_strptime(birth_date, '%Y-%m-%d'), try_strptime(birth_date, '%d-%m-%Y'),
                    try_strptime(birth_date, '%d/%m/%Y'))::DATE AS bd
                FROM {_read_csv_sql(inp)}
            )
            SELECT l.id AS id_l, r.id AS id_r, 1.0 AS match_probability
            FROM d l JOIN d r ON l.nik = r.nik AND l.id < r.id
            UNION
            SELECT l.id, r.id, 1.0 FROM d l JOIN d r ON l.nm = r.nm AND l.bd = r.bd AND l.id < r.id
        ) TO {_q(out)} (HEADER, DELIMITER ',')
        """
    ).fetchall()


def run_splink_generic(inp: str, out: str, threshold: float) -> None:
    import logging

    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE dpt AS SELECT id AS unique_id, * EXCLUDE (id) FROM {_read_csv_sql(inp)}"
    ).fetchall()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register("dpt", table_name="dpt_in")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("nik"),
            cl.JaroWinklerAtThresholds("name", [0.9, 0.8]),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("address"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nik"),
            block_on("name"),
            block_on("birth_date", "sex"),
        ],
    )
    linker = Linker(sdf, settings, log_level=None)
    logging.getLogger("splink").setLevel(logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nik"), block_on("name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    pred = linker.inference.predict(threshold_match_probability=threshold)
    con.execute(
        f"""COPY (SELECT least(unique_id_l, unique_id_r) AS id_l,
                        greatest(unique_id_l, unique_id_r) AS id_r, match_probability
                 FROM {pred.physical_name}) TO {_q(out)} (HEADER, DELIMITER ',')"""
    ).fetchall()


def _child(method: str, inp: str, out: str, threshold: float) -> None:
    if method == "exact-key":
        run_exact_key(inp, out)
    elif method == "splink-generic":
        run_splink_generic(inp, out, threshold)
    else:
        raise SystemExit(f"unknown method {method}")


def _measure(cmd: list[str]) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def _score(pairs_csv: Path, truth: set[tuple[str, str]], nik_errors: set[tuple[str, str]]) -> dict:
    """P/R/F1 of the double registrations (K1+K3 when the file has ``klass``, else every pair)
    and the K2 counts: NIK-copy pairs reported as K2, and reported as double registrations."""
    found, k2 = set(), set()
    with open(pairs_csv, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            (k2 if r.get("klass") == "K2" else found).add((r["id_l"], r["id_r"]))
    tp = len(found & truth)
    p = tp / len(found) if found else 0.0
    rc = tp / len(truth) if truth else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    return {"pairs": len(found), "precision": p, "recall": rc, "f1": f1,
            "k2_reported": len(k2 & nik_errors), "k2_as_dup": len(found & nik_errors),
            "k2_total": len(nik_errors)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,300000", help="people per roll, comma-separated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--generic-max-size", type=int, default=300_000)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--workdir", default="/tmp/voters_bench")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(a.child, a.input, a.out, 0.9 if a.threshold is None else a.threshold)
        return 0

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import voters_synth

    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results = []
    print(f"{'size':>9} {'method':<15} {'wall s':>7} {'peak MB':>8} {'pairs':>7} "
          f"{'prec':>6} {'recall':>6} {'F1':>6} {'K2 found':>9} {'K2 as dup':>9}")  # fmt: skip
    for size in [int(s) for s in a.sizes.split(",") if s]:
        inp = work / f"dpt_{size}.csv"
        t0 = time.perf_counter()
        truth_obj = voters_synth.write_csv(inp, size, a.seed)
        truth = set(truth_obj.pairs)
        nik_errors = set(truth_obj.nik_errors)
        print(f"# {size:,} people: {truth_obj.stats['rows']:,} rows, {len(truth):,} true pairs "
              f"(generated in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)  # fmt: skip
        for method in a.methods.split(","):
            out = work / f"pairs_{size}_{method}.csv"
            if out.exists():
                out.unlink()
            if method == "splink-generic" and size > a.generic_max_size:
                reason = (f"skipped: above --generic-max-size {a.generic_max_size:,} (at 300 k it "
                          "needs 4 GB and a minute; its blocking on name and birth date grows "
                          "quadratically)")  # fmt: skip
                print(f"{size:>9} {method:<15} {reason}", flush=True)
                results.append({"size": size, "method": method, "skipped": reason})
                continue
            threshold = [] if a.threshold is None else ["--threshold", str(a.threshold)]
            if method == "siaga":
                cmd = [sys.executable, "manage.py", "voters", "dedup", str(inp), "--out",
                       str(out), *threshold]  # fmt: skip
            else:
                cmd = [sys.executable, __file__, "--child", method, "--input", str(inp),
                       "--out", str(out), *threshold]  # fmt: skip
            wall, peak, rc = _measure(cmd)
            if rc:
                print(f"{size:>9} {method:<15} failed (exit {rc})")
                continue
            sc = _score(out, truth, nik_errors)
            results.append({"size": size, "method": method, "wall_s": round(wall, 1),
                            "peak_mb": round(peak), **sc})  # fmt: skip
            k2 = f"{sc['k2_reported']}/{sc['k2_total']}" if method == "siaga" else "-"
            print(f"{size:>9} {method:<15} {wall:>7.1f} {peak:>8.0f} {sc['pairs']:>7} "
                  f"{sc['precision']:>6.3f} {sc['recall']:>6.3f} {sc['f1']:>6.3f} {k2:>9} "
                  f"{sc['k2_as_dup']:>9}", flush=True)  # fmt: skip
    (work / "results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
