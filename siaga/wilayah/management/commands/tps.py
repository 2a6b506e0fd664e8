"""siaga tps: import polling stations from CSV or XLSX, list them."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from siaga.core.audit import AuditContext
from siaga.core.management.reports import import_report_print
from siaga.wilayah.models import Tps
from siaga.wilayah.selectors import tps_filter
from siaga.wilayah.tps_import import tps_import


class Command(BaseCommand):
    help = "Polling stations (TPS). `import` reads a CSV or XLSX file; `list` prints a table."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,list}")
        imp = sub.add_parser(
            "import",
            help="Import (upsert) TPS from a .csv or .xlsx file, all or nothing.",
            description=(
                "Import TPS from a .csv (comma or semicolon, UTF-8) or .xlsx file with the "
                "columns kecamatan, desa (name) or desa code, TPS number, DPT male, DPT female, "
                "latitude, longitude and address (Indonesian headers such as kec, "
                "desa/kelurahan, kode_desa, no_tps, dpt_l, dpt_p, lintang, bujur and alamat are "
                "understood; lokasi_khusus is optional). Every row is checked; with any error "
                "nothing is imported and the errors are printed as `row N, column X: message`. "
                "TPS are matched by desa and number, so importing the same file again changes "
                "nothing."
            ),
        )
        imp.add_argument("file", metavar="FILE", help="Path of the .csv or .xlsx file.")
        imp.add_argument(
            "--report",
            metavar="ERRORS.csv",
            help="Also write the errors and warnings to this CSV file.",
        )
        imp.add_argument(
            "--regency",
            metavar="CODE",
            default=None,
            help="Regency the TPS belong to (default: SIAGA_REGENCY_CODE).",
        )
        lst = sub.add_parser(
            "list",
            help="Print a table of TPS.",
            description="Print a table of TPS with their desa, DPT and coordinates.",
        )
        lst.add_argument(
            "--region",
            metavar="CODE",
            help="Only TPS in this region (kecamatan or desa code, e.g. 64.08.04).",
        )
        lst.add_argument(
            "--limit", type=int, default=None, metavar="N", help="Print at most N rows."
        )

    def handle(self, *args, **options):
        if options["action"] == "import":
            self._import(options)
        else:
            self._list(options["region"], options["limit"])

    def _import(self, options) -> None:
        regency = options["regency"] or settings.SIAGA_REGENCY_CODE
        report = tps_import(context=AuditContext.cli(), path=options["file"], regency_code=regency)
        import_report_print(
            self,
            report,
            path=options["file"],
            csv_path=options["report"],
            nothing="no TPS was imported",
        )
        self.stdout.write(
            f"tps: {report.rows} row(s): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )

    def _list(self, region: str | None, limit: int | None) -> None:
        qs = tps_filter(Tps.objects.select_related("desa__parent"), region=region)
        total = qs.count()
        rows = qs[:limit] if limit else qs
        header = (
            f"{'desa code':<14} {'kecamatan':<18} {'desa':<22} {'tps':>4} "
            f"{'dpt_l':>6} {'dpt_p':>6} {'dpt':>6} {'lat':>10} {'lon':>11}"
        )
        self.stdout.write(header)
        for tps in rows.iterator(chunk_size=2000):
            lat = f"{tps.lat:.6f}" if tps.lat is not None else "-"
            lon = f"{tps.lon:.6f}" if tps.lon is not None else "-"
            kecamatan = tps.desa.parent.name if tps.desa.parent else ""
            self.stdout.write(
                f"{tps.desa_id:<14} {kecamatan[:18]:<18} {tps.desa.name[:22]:<22} "
                f"{tps.number:>4} {tps.dpt_male:>6} {tps.dpt_female:>6} {tps.dpt_total:>6} "
                f"{lat:>10} {lon:>11}"
            )
        self.stdout.write(f"{total} TPS")
