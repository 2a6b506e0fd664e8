"""siaga voters dedup: find double registrations in a DPT file (CSV or Parquet), no database.
siaga voters import: import a DPT file into the roll (the same service as the import page).

    siaga voters dedup INPUT --out PAIRS.csv [--threshold 0.9] [--engine duckdb|spark]
        [--clusters CLUSTERS.csv]

PAIRS.csv: ``id_l,id_r,match_probability`` then the evidence columns (match weight, per-field
level and Bayes factor, "why"), one row per pair at or above the threshold, highest first.
CLUSTERS.csv: ``id,cluster_id`` for records in a cluster of two or more.
Progress goes to stderr.

    siaga voters import FILE --region 64.08 [--user NAME] [--report REJECTED.csv]

Runs the import synchronously (progress on stderr, a summary on stdout); exits non-zero with
the reason when the file cannot be read (nothing is stored then).
"""

from __future__ import annotations

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from siaga.engines.linkage import DEFAULT_THRESHOLD


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
    help = (
        "Voter roll (DPT) tools: `dedup` scores likely double registrations in a file, `import` "
        "loads a DPT file into the roll, `link` searches the stored roll."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("dedup", help="Find double registrations in a DPT CSV/Parquet file.")
        d.add_argument("input", help="DPT file (CSV or Parquet)")
        d.add_argument("--out", required=True, help="pairs CSV to write")
        d.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD)
        d.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
        d.add_argument("--clusters", help="clusters CSV to write (id,cluster_id)")
        i = sub.add_parser("import", help="Import a DPT file (CSV, XLSX, Parquet) into the roll.")
        i.add_argument("file", help="DPT file (CSV UTF-8, XLSX or Parquet)")
        i.add_argument("--region", required=True, help="region the rows must lie under (64.08)")
        i.add_argument("--user", help="username recorded as the importer (default: operator)")
        i.add_argument("--report", help="write the validation report (rejected rows) to this CSV")
        link = sub.add_parser("link", help="Search the stored roll for double registrations.")
        link.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD)

    def handle(self, *args, **options):
        if options["action"] == "import":
            return self._import(options)
        if options["action"] == "link":
            return self._link(options)
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

    def _link(self, options) -> None:
        """``siaga voters link``: the search over the stored roll, run synchronously; its pairs
        land in the review queue as the background job's do."""
        from siaga.core.audit import AuditContext
        from siaga.voters.linkage import linkage_run_execute
        from siaga.voters.models import LinkageRun

        t0 = time.perf_counter()

        def progress(msg: str) -> None:
            print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

        run = LinkageRun.objects.create(threshold=options["threshold"])
        try:
            run = linkage_run_execute(run=run, context=AuditContext.cli(), progress=progress)
        except Exception as exc:  # the run is marked gagal and audited by the service
            raise CommandError(f"Pencarian gagal: {type(exc).__name__}") from exc
        self.stdout.write(
            f"{run.voters} pemilih dinilai, {run.pairs_found} pasangan di atas ambang "
            f"{run.threshold}; lihat antrean tinjauan di /pemilih/ganda/"
        )

    def _import(self, options) -> None:
        """``siaga voters import FILE --region CODE``: the import service, run synchronously."""
        from pathlib import Path

        from django.contrib.auth import get_user_model

        from siaga.core.audit import AuditContext
        from siaga.core.errors import DomainError
        from siaga.voters.imports import (
            DuplicateImport,
            dpt_import_create,
            dpt_import_run,
            import_report_rows,
        )

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ditemukan.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Pengguna {options['user']} tidak ada.")
        context = AuditContext.cli(user)
        t0 = time.perf_counter()

        def progress(s) -> None:
            total = f"/{s.rows_total}" if s.rows_total else ""
            print(
                f"[{time.perf_counter() - t0:6.1f}s] {s.rows_read}{total} baris terbaca, "
                f"{s.accepted} diterima, {s.rejected} ditolak",
                file=sys.stderr,
                flush=True,
            )

        try:
            dpt_import = dpt_import_create(
                context=context,
                user=user,
                uploaded_path_or_file=path,
                file_name=path.name,
                scope_code=options["region"],
                enqueue=False,
            )
        except DuplicateImport as exc:
            self.stdout.write(f"{exc} Tidak ada yang diubah.")
            return
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        summary = dpt_import_run(dpt_import=dpt_import, context=context, progress=progress)
        if not summary.ok:
            raise CommandError(f"Impor #{dpt_import.pk} gagal: {summary.error}")
        self.stdout.write(
            f"Impor #{dpt_import.pk} selesai dalam {time.perf_counter() - t0:.1f} s: "
            f"{summary.rows_read} baris terbaca, {summary.accepted} diterima "
            f"({summary.created} baru, {summary.updated} diperbarui, "
            f"{summary.unchanged} tidak berubah), {summary.rejected} ditolak."
        )
        if options["report"]:
            dpt_import.refresh_from_db()
            with open(options["report"], "w", newline="", encoding="utf-8-sig") as fh:
                csv.writer(fh, lineterminator="\n").writerows(
                    import_report_rows(dpt_import=dpt_import, user=user)
                )
            self.stdout.write(f"Laporan validasi ditulis ke {options['report']}.")
