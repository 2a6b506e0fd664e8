"""siaga incidents: seed the default categories, escalate overdue reports (once or in a loop)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import AuditContext


class Command(BaseCommand):
    help = (
        "Incident reports. `seed` creates the default categories; `sweep` escalates the reports "
        "whose follow-up or verification is overdue (run it every few minutes, or with --loop)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{seed,sweep}")
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

    def handle(self, *args, **options):
        if options["action"] == "seed":
            from siaga.incidents.catalogue import categories_seed

            created = categories_seed(context=AuditContext.cli())
            self.stdout.write(f"{created} categories created.")
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
