"""Benchmark of the TPS import (siaga.wilayah.tps_import) toward a national file of ~435,000 rows.

For each size it writes synthetic CSV files whose desa codes are the real Kemendagri codes of one
regency (64.08, Kutai Timur: 141 desa, so large files put many TPS numbers in each desa) and
measures, on a scratch database, the median of --repeat runs of:

  check only        a rejected file whose bad row comes first: every row is checked, none written
  rejected at end   a rejected file whose bad row comes last: batches are written, then rolled back
  first import      the valid file into an empty TPS table (creates and one audit event per TPS)
  re-import         the same file again (nothing changes, no audit event)

Every run is checked (report counts, TPS and audit rows, ``audit_verify``): a benchmark of a broken
run is worthless.

    .venv/bin/python benchmarks/bench_tps_import.py [--sizes 1000,10000,50000] [--repeat 3]
        [--order desa|number]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

from _common import fail, median, print_header, print_table, scratch_django, timed

REGENCY = "64.08"
HEADER = ["kode_desa", "no_tps", "dpt_l", "dpt_p", "lat", "lon", "alamat"]
MEASURES = ("check only", "rejected at end", "first import", "re-import")


def write_csv(path: Path, desa_codes: list[str], size: int, bad: str | None, order: str) -> Path:
    """``size`` valid rows (the same for a given size), plus one bad row ``first`` or ``last``.

    ``order="desa"`` groups the rows by desa, as KPU's lists are (kecamatan, desa, TPS);
    ``order="number"`` deals them out over all desa in turn (TPS 001 of every desa, then 002 ...).
    """
    rng = random.Random(size)  # noqa: S311 - synthetic data, not security
    per_desa = -(-size // len(desa_codes))
    bad_row = [desa_codes[0], "bukan-angka", 100, 100, "", "", ""]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        if bad == "first":
            writer.writerow(bad_row)
        for i in range(size):
            if order == "desa":
                desa, number = desa_codes[i // per_desa], i % per_desa + 1
            else:
                desa, number = desa_codes[i % len(desa_codes)], i // len(desa_codes) + 1
            writer.writerow(
                [
                    desa,
                    number,
                    rng.randint(100, 290),  # male + female stays under the 600 warning
                    rng.randint(100, 290),
                    f"{rng.uniform(0.3, 1.6):.6f}",
                    f"{rng.uniform(116.6, 118.4):.6f}",
                    f"Jl. Poros RT {number:02d}",
                ]
            )
        if bad == "last":
            writer.writerow(bad_row)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="rows per file, comma list")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median shown)")
    parser.add_argument(
        "--order",
        choices=["desa", "number"],
        default="desa",
        help="rows grouped by desa (as KPU files are) or dealt out over the desa by TPS number",
    )
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]

    with scratch_django() as tmp:
        from django.db import connection

        from siaga.core.audit import AuditContext, audit_verify
        from siaga.core.models import AuditEvent
        from siaga.wilayah.choices import Level
        from siaga.wilayah.models import Region, Tps
        from siaga.wilayah.reference import regions_load_reference
        from siaga.wilayah.tps_import import MAX_TPS_NUMBER, tps_import

        context = AuditContext.cli()
        regions_load_reference(context=context, only=REGENCY)
        desa_codes = sorted(
            Region.objects.filter(code__startswith=REGENCY + ".", level=Level.VILLAGE).values_list(
                "code", flat=True
            )
        )
        if max(sizes) > len(desa_codes) * MAX_TPS_NUMBER:
            fail(f"at most {len(desa_codes) * MAX_TPS_NUMBER} TPS fit in {REGENCY}")
        base_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

        def reset() -> None:
            """Empty the TPS table and drop the audit events written after the region load."""
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {Tps._meta.db_table}")  # noqa: S608
            AuditEvent.objects.filter(seq__gt=base_seq).delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"VACUUM ANALYZE {Tps._meta.db_table}, {AuditEvent._meta.db_table}"
                    )

        def state() -> tuple[int, int]:
            return Tps.objects.count(), AuditEvent.objects.filter(seq__gt=base_seq).count()

        def run(path: Path):
            return tps_import(context=context, path=path, regency_code=REGENCY)

        print_header(
            "Siaga benchmark: TPS import",
            regency=f"{REGENCY} ({len(desa_codes)} desa from the Kemendagri list)",
            order="rows grouped by desa"
            if args.order == "desa"
            else "rows dealt out by TPS number",
            repeat=args.repeat,
        )
        rows = []
        for size in sizes:
            files = {
                kind: write_csv(tmp / f"tps-{size}-{kind}.csv", desa_codes, size, bad, args.order)
                for kind, bad in (("bad_first", "first"), ("bad_last", "last"), ("ok", None))
            }
            times: dict[str, list[float]] = {m: [] for m in MEASURES}
            for attempt in range(args.repeat):
                print(f"  {size} rows, run {attempt + 1}/{args.repeat}", file=sys.stderr)
                reset()
                for measure, kind in (("check only", "bad_first"), ("rejected at end", "bad_last")):
                    seconds, report = timed(run, files[kind])
                    if report.ok or report.error_count != 1 or report.rows != size + 1:
                        fail(f"{measure}: expected one error in {size + 1} rows, got {report}")
                    if state() != (0, 0):
                        fail(f"{measure}: the rejected file left rows behind: {state()}")
                    times[measure].append(seconds)
                seconds, report = timed(run, files["ok"])
                if not report.ok or report.created != size or state() != (size, size):
                    fail(f"first import: {report.counts}, errors {report.errors[:3]}, {state()}")
                times["first import"].append(seconds)
                seconds, report = timed(run, files["ok"])
                if not report.ok or report.unchanged != size or state() != (size, size):
                    fail(f"re-import: {report.counts}, errors {report.errors[:3]}, {state()}")
                times["re-import"].append(seconds)
            verified = audit_verify()
            if not verified.ok or verified.checked != base_seq + size:
                fail(f"audit_verify: {verified.checked} events, problems {verified.problems[:3]}")
            check = median(times["check only"])
            for measure in MEASURES:
                seconds = median(times[measure])
                rows.append(
                    [
                        f"{size:,}",
                        measure,
                        f"{seconds:.3f}",
                        f"{size / seconds:,.0f}",
                        f"{seconds / check:.2f}",
                    ]
                )
        print_table(["rows", "measure", "median s", "rows/s", "× check only"], rows)
        print(
            f"checks passed: every report, TPS count and audit count as expected; "
            f"audit_verify ok after each size ({base_seq} region event(s) + the TPS events)."
        )


if __name__ == "__main__":
    main()
