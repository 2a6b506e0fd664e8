"""siaga coordination: seed the meeting templates; sweep the tasks (reminders before the due
time, escalations once overdue), once or in a loop."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import AuditContext


class Command(BaseCommand):
    help = (
        "TP3D coordination. `seed` creates the standing meeting templates that are missing; "
        "`sweep` reminds and escalates tasks (run it every few minutes, or with --loop)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{seed,sweep}")
        sub.add_parser(
            "seed",
            help="Create the missing meeting templates (idempotent).",
            description=(
                "Create the standing meeting template “Rakor TP3D jelang pemungutan suara” "
                "(logistics, social media, TPS supervision, security, post-vote readiness) "
                "when it is missing. Existing templates are never overwritten."
            ),
        )
        sweep = sub.add_parser(
            "sweep",
            help="Remind and escalate tasks once each; print how many.",
            description=(
                "Remind the assignee (or the agency's liaisons) of every open task due within "
                "SIAGA_TASK_REMIND_HOURS hours, once; escalate every open task past its due "
                "time, once, to the agency's head and the secretariat (urgent)."
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
            from siaga.coordination.services import templates_seed

            created = templates_seed(context=AuditContext.cli())
            self.stdout.write(f"{created} meeting templates created.")
            return
        every = options.get("loop")
        if every is not None and every < 1:
            raise CommandError("--loop expects a number of seconds of at least 1.")
        from siaga.coordination.services import tasks_sweep

        try:
            while True:
                result = tasks_sweep(context=AuditContext.cli())
                self.stdout.write(
                    f"{result['reminded']} tasks reminded, {result['escalated']} escalated."
                )
                self.stdout.flush()
                if every is None:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            self.stdout.write("stopped.")
