"""siaga incidents: seed the default categories, escalate overdue reports (once or in a loop),
delete the attachment files no report references (clean-media)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import AuditContext


class Command(BaseCommand):
    help = (
        "Incident reports. `seed` creates the default categories; `sweep` escalates the reports "
        "whose follow-up or verification is overdue (run it every few minutes, or with --loop); "
        "`clean-media` deletes the attachment files no report references."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{seed,sweep,clean-media}"
        )
        sub.add_parser(
            "seed",
            help="Create the default incident categories that are missing (idempotent).",
            description=(
                "Create the default categories of the TP3D (intimidasi, politik uang, pemilih "
                "ganda, kekerasan, logistik, netralitas, hoaks lokal, kampanye di masa tenang, "
                "bencana/gangguan, lainnya) with their severity, routing and SMS keywords. "
                "Categories that exist are never overwritten; running it again changes nothing."
            ),
        )
        sweep = sub.add_parser(
            "sweep",
            help="Escalate overdue reports once each; print how many were escalated.",
            description=(
                "Escalate every report assigned to an agency whose follow-up deadline has "
                "passed, and every report not verified within its severity's SLA "
                "(INCIDENT_SLA_HOURS). Each report is escalated once: the agency head, "
                "the secretariat and the agency's Telegram group are told."
            ),
        )
        sweep.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Sweep again every SECONDS seconds until stopped (Ctrl+C).",
        )
        clean = sub.add_parser(
            "clean-media",
            help="Delete attachment files that no report references; print how many (and MB).",
            description=(
                "Delete the files under incidents/ in the media storage that no attachment row "
                "references (left when the database failed between the file write and the "
                "commit of a report) and that were not modified for --older-than-hours. "
                "One audit event records the count and the bytes."
            ),
        )
        clean.add_argument(
            "--older-than-hours",
            type=float,
            default=24.0,
            metavar="HOURS",
            help="Only files last modified more than HOURS hours ago (default 24, at least 1).",
        )
        clean.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the files (and MB) that would be deleted; delete nothing.",
        )

    def handle(self, *args, **options):
        if options["action"] == "seed":
            from siaga.incidents.catalogue import categories_seed

            created = categories_seed(context=AuditContext.cli())
            self.stdout.write(f"{created} categories created.")
            return
        if options["action"] == "clean-media":
            self._clean_media(options["older_than_hours"], options["dry_run"])
            return
        every = options.get("loop")
        if every is not None and every < 1:
            raise CommandError("--loop expects a number of seconds of at least 1.")
        try:
            while True:
                self._sweep()
                if every is None:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            self.stdout.write("stopped.")

    def _sweep(self) -> None:
        from siaga.incidents.services import sla_sweep

        escalated = sla_sweep(context=AuditContext.cli())
        self.stdout.write(
            f"{len(escalated)} reports escalated"
            + (f": {', '.join(i.ticket for i in escalated)}." if escalated else ".")
        )
        self.stdout.flush()

    def _clean_media(self, hours: float, dry_run: bool) -> None:
        from siaga.incidents.media_cleanup import orphans_delete

        if hours < 1:
            raise CommandError("--older-than-hours must be at least 1.")
        result = orphans_delete(
            context=AuditContext.cli(), older_than=dt.timedelta(hours=hours), dry_run=dry_run
        )
        megabytes = result.bytes / (1024 * 1024)
        if dry_run:
            self.stdout.write(
                f"{len(result.found)} orphan attachment files found ({megabytes:.1f} MB); "
                "nothing deleted (--dry-run)."
            )
            return
        self.stdout.write(
            f"{len(result.deleted)} orphan attachment files deleted ({megabytes:.1f} MB)."
        )
        if result.failed:
            self.stderr.write(f"Not deleted: {', '.join(result.failed)}")
