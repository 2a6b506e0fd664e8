"""Benchmark of the DPT import (siaga.voters.imports) on a synthetic Kutai Timur-size roll.

Writes a synthetic DPT with ``benchmarks/voters_synth.py`` (300,000 people by default, 2 % extra
copies, so some rows are rejected as exact duplicates and some by the NIK rules), creates on a
scratch database the regions and TPS the file names (the generator's codes are not all real
Kemendagri codes), then runs the real command line, ``manage.py voters import FILE --region
64.08``, in a child process, and reports its wall time, rows per second and peak resident memory
(the child's own ``ru_maxrss``, so the generator and this script do not count):

  first import      every row is new
  re-import         the same rows in another file (one extra blank line, so another sha256):
                    every row is compared and counted unchanged, nothing is written but marks

    .venv/bin/python benchmarks/voters_import.py [--people 300000] [--seed 7]

SQLite by default (a scratch file); SIAGA_DATABASE_URL=postgres://.../new_db for PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from _common import REPO, fail, print_header, print_table, scratch_django

REGENCY = "64.08"


def _child(args: list[str]) -> tuple[float, int, str]:
    """Run a child process; (wall seconds, its peak RSS in bytes, its stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        fail(f"{' '.join(args[1:3])} exited with {proc.returncode}: {out}")
    return seconds, usage.ru_maxrss * 1024, out


def _places(path: Path) -> tuple[set[str], dict[str, int]]:
    """The NIK kecamatan codes and, per desa, the highest TPS number the file names."""
    kecamatan: set[str] = set()
    tps: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            nik = row["nik"]
            if len(nik) == 16 and nik.isdigit():
                kecamatan.add(f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}")
            code = row["region_code"].replace(".", "")
            desa = f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
            tps[desa] = max(tps.get(desa, 0), int(row["tps"]))
    return kecamatan, tps


def _create_places(kecamatan: set[str], tps: dict[str, int]) -> int:
    from siaga.core.models import Deployment
    from siaga.wilayah.choices import Level
    from siaga.wilayah.models import Region, Tps

    codes: dict[str, str] = {}
    for code in kecamatan | {d.rsplit(".", 1)[0] for d in tps}:
        province, regency, _k = code.split(".")
        codes.setdefault(province, Level.PROVINCE)
        codes.setdefault(f"{province}.{regency}", Level.REGENCY)
        codes[code] = Level.DISTRICT
    codes.update(dict.fromkeys(tps, Level.VILLAGE))
    existing = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create(
        [
            Region(
                code=code,
                name=f"Wilayah {code}",
                level=level,
                parent_id=code.rsplit(".", 1)[0] if "." in code else None,
            )
            for code, level in sorted(codes.items(), key=lambda item: len(item[0]))
            if code not in existing
        ],
        batch_size=2000,
    )
    Tps.objects.bulk_create(
        [Tps(desa_id=d, number=n) for d, top in tps.items() for n in range(1, top + 1)],
        batch_size=2000,
    )
    Deployment.objects.get_or_create(
        regency_id=REGENCY,
        defaults={"election_name": "Pilkada 2024", "voting_day": "2024-11-27"},
    )
    return Tps.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300_000, help="people in the roll")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with scratch_django() as tmp:
        from django.db import connections

        from siaga.voters.models import DptImport, RejectedRow, Voter

        dpt = tmp / "dpt.csv"
        print(f"generating {args.people} people ...", file=sys.stderr, flush=True)
        _child(
            [
                sys.executable,
                "benchmarks/voters_synth.py",
                "--people",
                str(args.people),
                "--seed",
                str(args.seed),
                "--out",
                str(dpt),
                "--truth",
                str(tmp / "truth.csv"),
            ]
        )
        with dpt.open("rb") as handle:
            rows = sum(1 for _ in handle) - 1
        kecamatan, tps = _places(dpt)
        n_tps = _create_places(kecamatan, tps)
        again = tmp / "dpt-again.csv"
        again.write_bytes(dpt.read_bytes() + b"\n")
        connections.close_all()  # the child writes; this process holds nothing open

        print_header(
            "Siaga benchmark: DPT import",
            file=f"{rows} rows from voters_synth.py --people {args.people} --seed {args.seed} "
            f"({dpt.stat().st_size / 1024**2:.0f} MiB)",
            places=f"{len(tps)} desa, {n_tps} TPS, {len(kecamatan)} NIK kecamatan codes",
            path="manage.py voters import FILE --region 64.08 (child process)",
        )
        table = []
        for label, path in (("first import", dpt), ("re-import", again)):
            print(f"  {label} ...", file=sys.stderr, flush=True)
            seconds, peak, out = _child(
                [sys.executable, "manage.py", "voters", "import", str(path), "--region", REGENCY]
            )
            counts = out.strip().rsplit(": ", 1)[-1]
            table.append(
                [label, f"{seconds:.1f}", f"{rows / seconds:,.0f}", f"{peak / 1024**2:.0f}", counts]
            )
        voters = Voter.objects.count()
        reasons: Counter = Counter()
        first = DptImport.objects.order_by("pk").first()
        for errors in RejectedRow.objects.filter(dpt_import=first).values_list("errors", flat=True):
            reasons.update(error["code"] for error in errors)
        connections.close_all()
        print_table(["run", "wall s", "rows/s", "peak RSS MiB", "outcome"], table)
        print(f"voters stored: {voters}")
        print(
            "rejected rows of the first import, by reason: "
            + ", ".join(f"{code} {n}" for code, n in reasons.most_common())
        )


if __name__ == "__main__":
    main()
