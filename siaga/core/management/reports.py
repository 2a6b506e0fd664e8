"""Printing an import report on the command line, the same way for every importer."""

from django.core.management.base import BaseCommand, CommandError

from siaga.core.tabular import ImportReport


def import_report_print(
    command: BaseCommand, report: ImportReport, *, path: str, csv_path: str | None, nothing: str
) -> None:
    """Write warnings and errors (one per line, ``row N, column X: message``), save the report as
    CSV when asked, and raise ``CommandError`` when the import was refused. ``nothing`` ends the
    refusal, e.g. "nothing was imported"."""
    if csv_path:
        report.to_csv(csv_path)
    for warning in report.warnings:
        command.stderr.write(f"warning: {warning}")
    if report.ok:
        return
    for error in report.errors:
        command.stderr.write(str(error))
    if report.errors_truncated:
        command.stderr.write(f"... and {report.errors_truncated} more error(s)")
    raise CommandError(f"{report.error_count} error(s) in {path}; {nothing}.")
