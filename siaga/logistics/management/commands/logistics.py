"""siaga logistics: seed the item catalogue, import a distribution plan, list at-risk shipments."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from siaga.accounts.models import User
from siaga.core.audit import AuditContext
from siaga.core.management.reports import import_report_print


class _System:
    """The command line acts as the system itself: every permission, everywhere."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    role = "admin"
    pk = None
    username = "<cli>"


class Command(BaseCommand):
    help = (
        "Election logistics. `seed-catalogue` loads the default item types and rules; "
        "`import-plan` reads a distribution plan from CSV or XLSX; `at-risk` prints the "
        "shipments late or at risk of missing H-1."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{seed-catalogue,import-plan,at-risk}"
        )
        sub.add_parser(
            "seed-catalogue",
            help="Create or update the default item types and requirement rules (idempotent).",
            description=(
                "Create the twelve default item types of a Pilkada with two contests (ballots "
                "per contest with a 2.5 % reserve, boxes, booths by DPT band, ink, seals, "
                "envelopes, forms, holograms, candidate lists, braille templates) and their "
                "requirement rules. Rules an administrator has edited are kept. Running it "
                "again changes nothing."
            ),
        )
        imp = sub.add_parser(
            "import-plan",
            help="Import (upsert by code) a distribution plan from .csv or .xlsx, all or nothing.",
            description=(
                "Import shipments from a .csv or .xlsx file with one row per shipment line: "
                "code (optional; rows with the same code form one shipment), stage (kpu_ppk, "
                "ppk_pps, pps_kpps), origin, destination (region code; for pps_kpps the TPS as "
                "DESA_CODE/NUMBER or a destination_tps column), mode, carrier, escort, planned "
                "departure, planned arrival ('2024-11-23 08:00' or '23/11/2024 08:00', WITA), "
                "item code, quantity and tps (DESA_CODE/NUMBER, optional). Every row is "
                "checked; with any error nothing is imported and the errors are printed as "
                "`row N, column X: message`. Importing the same file again changes nothing."
            ),
        )
        imp.add_argument("file", metavar="FILE", help="Path of the .csv or .xlsx file.")
        imp.add_argument(
            "--report", metavar="ERRORS.csv", help="Also write errors and warnings to this CSV."
        )
        imp.add_argument(
            "--user",
            metavar="USERNAME",
            help="Import as this user (their scope and permissions); default: the system.",
        )
        risk = sub.add_parser(
            "at-risk",
            help="Print the shipments late or at risk of missing H-1, most urgent first.",
            description=(
                "Predict the arrival of every open shipment from its plan and the history of "
                "completed legs, and print those late or predicted to reach their TPS after "
                "H-1 23:59 WITA, very vulnerable places first, then by voters affected."
            ),
        )
        risk.add_argument("--region", metavar="CODE", help="Only shipments under this region.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "seed-catalogue":
            from siaga.logistics.catalogue import catalogue_seed

            counts = catalogue_seed(context=AuditContext.cli())
            self.stdout.write(
                f"{counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged."
            )
        elif action == "import-plan":
            self._import(options)
        else:
            self._at_risk(options.get("region"))

    def _user(self, username: str | None):
        if not username:
            return _System()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def _import(self, options) -> None:
        from siaga.logistics.imports import shipment_plan_import

        user = self._user(options.get("user"))
        actor = user if isinstance(user, User) else None
        report = shipment_plan_import(
            context=AuditContext.cli(actor), user=user, path=options["file"]
        )
        import_report_print(
            self,
            report,
            path=options["file"],
            csv_path=options["report"],
            nothing="nothing was imported",
        )
        self.stdout.write(
            f"{report.rows} rows: {report.created} shipments created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )

    def _at_risk(self, region: str | None) -> None:
        from siaga.logistics.selectors import shipments_at_risk

        rows = shipments_at_risk(user=_System(), region=region)
        if not rows:
            self.stdout.write("No shipment is late or at risk.")
            return
        self.stdout.write(
            f"{'code':<10} {'stage':<9} {'destination':<22} {'status':<11} "
            f"{'predicted (WITA)':<17} {'slack h':>8} {'voters':>7} vulnerability"
        )
        for row in rows:
            s, p = row.shipment, row.prediction
            destination = s.destination_region.name
            if s.destination_tps_id:
                destination += f" {s.destination_tps.label}"
            predicted = timezone.localtime(p.predicted_at_destination).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{s.code:<10} {s.stage:<9} {destination[:22]:<22} {s.status:<11} "
                f"{predicted:<17} {p.slack_seconds / 3600:>8.1f} {row.voters:>7} "
                f"{row.vulnerability or '-'}"
            )
