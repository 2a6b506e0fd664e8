"""siaga voters dedup: find double registrations in a DPT file (CSV or Parquet), no database.

    siaga voters dedup INPUT --out PAIRS.csv [--threshold 0.9] [--engine duckdb|spark]
        [--clusters CLUSTERS.csv]

PAIRS.csv: ``id_l,id_r,match_probability`` then the evidence columns (match weight, per-field
level and Bayes factor, "why"), one row per pair at or above the threshold, highest first.
CLUSTERS.csv: ``id,cluster_id`` for records in a cluster of two or more.
Progress goes to stderr.
"""

from __future__ import annotations

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError

DEFAULT_THRESHOLD = 0.9


def _threshold(value: str) -> float:
    import argparse

    try:
        t = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--threshold harus angka, bukan {value!r}") from None
    if not 0.0 <= t <= 1.0:
        raise argparse.ArgumentTypeError(f"--threshold harus di antara 0 dan 1, bukan {t}")
    return t


class Command(BaseCommand):
    help = "Voter roll (DPT) tools. `dedup` scores likely double registrations in a file."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("dedup", help="Find double registrations in a DPT CSV/Parquet file.")
        d.add_argument("input", help="DPT file (CSV or Parquet)")
        d.add_argument("--out", required=True, help="pairs CSV to write")
        d.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD)
        d.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
        d.add_argument("--clusters", help="clusters CSV to write (id,cluster_id)")

    def handle(self, *args, **options):
        from siaga.engines.linkage.dedup import PAIR_COLUMNS, dedup
        from siaga.engines.linkage.model import SparkNotAvailable

        t0 = time.perf_counter()

        def progress(msg: str) -> None:
            print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

        try:
            pairs, clusters = dedup(
                options["input"],
                threshold=options["threshold"],
                backend=options["engine"],
                progress=progress,
            )
        except SparkNotAvailable as exc:
            raise CommandError(str(exc)) from exc
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        with open(options["out"], "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=PAIR_COLUMNS, lineterminator="\n")
            w.writeheader()
            for p in pairs:
                w.writerow({**p, "match_probability": f"{p['match_probability']:.6f}"})
        if options["clusters"]:
            with open(options["clusters"], "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(("id", "cluster_id"))
                w.writerows(clusters)
        progress(f"{len(pairs)} pasangan ditulis ke {options['out']}")
