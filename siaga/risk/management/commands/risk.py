"""siaga risk: recompute the vulnerability index and its alerts, import the TPS mapping, seed."""

import time

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import AuditContext


class Command(BaseCommand):
    help = "Vulnerability index: recompute (once or --loop), import the TPS mapping, seed."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="Recompute the index and run the alert rules.")
        recompute.add_argument("--region", default="", help="Only the TPS under this code.")
        recompute.add_argument(
            "--loop", type=int, metavar="SECONDS", help="Recompute every SECONDS until stopped."
        )
        imp = sub.add_parser("import", help="Import a CSV/XLSX mapping (yes/no per indicator).")
        imp.add_argument("file")
        imp.add_argument("--region", required=True, help="Region the file covers, e.g. 64.08.")
        sub.add_parser("seed", help="Create the catalogue's missing indicators.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "seed":
            from siaga.risk.services import indicators_seed

            self.stdout.write(f"{indicators_seed(context=AuditContext.cli())} indicators created.")
        elif action == "import":
            self._import(options)
        else:
            self._recompute(options)

    def _import(self, options):
        from siaga.core.errors import DomainError
        from siaga.risk.services import mapping_import

        try:
            result = mapping_import(
                options["file"], context=AuditContext.cli(), region_code=options["region"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            for error in result.errors[:50]:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} errors: nothing was imported.")
        self.stdout.write(
            f"{result.rows} rows: {result.values_set} values set, "
            f"{result.values_cleared} cleared. Run `siaga risk recompute` to update the index."
        )

    def _recompute(self, options):
        from siaga.risk.compute import risk_recompute

        every = options.get("loop")
        if every is not None and every < 1:
            raise CommandError("--loop expects a number of seconds of at least 1.")
        try:
            while True:
                run = risk_recompute(context=AuditContext.cli(), prefix=options["region"])
                self.stdout.write(
                    f"{run.tps} TPS scored in {run.seconds:.2f} s; {run.changed} changed "
                    f"category, {run.alerts} alerts raised (sources: {', '.join(run.providers)})."
                )
                self.stdout.flush()
                if every is None:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            self.stdout.write("stopped.")
