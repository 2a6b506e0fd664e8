"""siaga wilayah: load the Kemendagri code list, import boundaries from GeoJSON."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.core.tabular import RowError
from siaga.wilayah.boundaries import boundaries_import_geojson
from siaga.wilayah.reference import regions_load_reference


def feature_error_line(error: RowError) -> str:
    """`feature N, property: message` (file-level problems have no feature number)."""
    parts = []
    if error.row is not None:
        parts.append(f"feature {error.row}")
    if error.column:
        parts.append(error.column)
    return f"{', '.join(parts)}: {error.message}" if parts else error.message


class Command(BaseCommand):
    help = (
        "Regions (wilayah). `load` loads the Kemendagri code list from the installed "
        "idn-area-data package; `import-geojson` imports kecamatan or desa boundaries."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,import-geojson}")
        load = sub.add_parser(
            "load",
            help="Load (upsert) provinces, regencies, kecamatan and desa from idn-area-data.",
            description=(
                "Load the Kemendagri region codes and names from the installed idn-area-data "
                "package. New codes are created and changed names updated; nothing is deleted, "
                "so running it again is safe. Known alternative spellings (Kongbeng for "
                "Kombeng) are stored as aliases."
            ),
        )
        load.add_argument(
            "--only",
            metavar="CODE",
            help="Load only this region with its ancestors and descendants (e.g. 64.08).",
        )
        geojson = sub.add_parser(
            "import-geojson",
            help="Import kecamatan or desa boundaries from a GeoJSON FeatureCollection.",
            description=(
                "Import kecamatan or desa boundaries from a GeoJSON FeatureCollection whose "
                "features have the properties `code` (with or without dots) and `name` and a "
                "Polygon or MultiPolygon geometry. Every feature is checked; with any error "
                "nothing is imported and the errors are printed as `feature N, property: "
                "message`. TPS falling outside their new desa polygon are reported as warnings."
            ),
        )
        geojson.add_argument("file", metavar="FILE", help="Path of the .geojson file.")

    def handle(self, *args, **options):
        context = AuditContext.cli()
        if options["action"] == "load":
            self._load(context, options["only"])
        else:
            self._import_geojson(context, options["file"])

    def _load(self, context: AuditContext, only: str | None) -> None:
        try:
            result = regions_load_reference(context=context, only=only)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"regions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.aliases} alias(es) added"
        )

    def _import_geojson(self, context: AuditContext, path: str) -> None:
        report = boundaries_import_geojson(context=context, path=path)
        for warning in report.warnings:
            self.stderr.write(f"warning: {feature_error_line(warning)}")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(feature_error_line(error))
            if report.errors_truncated:
                self.stderr.write(f"... and {report.errors_truncated} more error(s)")
            raise CommandError(
                f"{report.error_count} error(s) in {path}; no boundary was imported."
            )
        self.stdout.write(
            f"boundaries: {report.counts['features']} feature(s), {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.counts['tps_outside']} TPS outside their desa"
        )
