"""siaga reports: the daily situation report, scheduled (daily, once or --loop) or now."""

import time

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import AuditContext

DEFAULT_LOOP_SECONDS = 60


class Command(BaseCommand):
    help = "Daily situation reports: the scheduled run (daily [--loop]) or generate one now."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser(
            "daily",
            help="At or after SIAGA_REPORT_HOUR (local time), generate and distribute today's "
            "report unless it was distributed already (safe to run often).",
        )
        daily.add_argument("--region", default="", help="Regency code (default: the deployment's).")
        daily.add_argument(
            "--loop",
            type=int,
            nargs="?",
            const=DEFAULT_LOOP_SECONDS,
            metavar="SECONDS",
            help=f"Check every SECONDS (default {DEFAULT_LOOP_SECONDS}) until stopped.",
        )
        generate = sub.add_parser("generate", help="Generate (or replace) today's report now.")
        generate.add_argument(
            "--region", default="", help="Regency code (default: the deployment's)."
        )
        generate.add_argument(
            "--distribute", action="store_true", help="Also notify leadership and liaisons."
        )

    def handle(self, *args, **options):
        if options["action"] == "generate":
            self._generate(options)
        else:
            self._daily(options)

    def _generate(self, options):
        from siaga.core.errors import DomainError
        from siaga.reports.services import report_distribute, report_generate

        context = AuditContext.cli()
        try:
            report = report_generate(context=context, region_code=options["region"] or None)
            if options["distribute"]:
                report = report_distribute(report=report, context=context)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self._describe(report))

    def _daily(self, options):
        from siaga.core.errors import DomainError
        from siaga.reports.services import report_daily, report_hour

        every = options.get("loop")
        if every is not None and every < 1:
            raise CommandError("--loop expects a number of seconds of at least 1.")
        try:
            while True:
                try:
                    report = report_daily(region_code=options["region"] or None)
                except DomainError as exc:
                    raise CommandError(str(exc)) from exc
                if report is not None:
                    self.stdout.write(self._describe(report) + " Distributed.")
                elif every is None:
                    self.stdout.write(
                        f"Nothing to do: before {report_hour():02d}:00 local time, or today's "
                        "report was distributed already."
                    )
                self.stdout.flush()
                if every is None:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            self.stdout.write("stopped.")

    @staticmethod
    def _describe(report) -> str:
        return (
            f"Report of {report.day.isoformat()} for {report.region_id}: "
            f"{len(report.figures)} sections, PDF {len(report.pdf) // 1024} KB, "
            f"XLSX {len(report.xlsx) // 1024} KB, audit head {report.audit_head[:16]}."
        )
