"""siaga demo: migrate, load the Kutai Timur demo, print the demo accounts, optionally serve."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.demo.services import DemoSummary, demo_load


class Command(BaseCommand):
    help = (
        "Migrate the database and load the Kutai Timur demo: the Kemendagri regions, 701 TPS "
        "with 297,994 voters, the TP3D agencies, one demo account per role and the logistics "
        "distribution plan with its state on the morning of H-3; the clock is set to 10:00 WITA "
        "on 24 November 2024. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--serve", action="store_true", help="Serve Siaga afterwards (as `siaga serve`)."
        )
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help="Address:port to serve on with --serve (default 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--voting-day",
            action="store_true",
            help="Play the demo on voting day (27 November 2024, 15:30 WITA) with the "
            "voting-day stream of incident reports, instead of H-3.",
        )
        parser.add_argument(
            "--regency-only",
            action="store_true",
            help="Load only the regions of Kutai Timur, not all of Indonesia (faster).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = demo_load(
                context=AuditContext.cli(),
                national_regions=not options["regency_only"],
                voting_day=options["voting_day"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        self._print(summary, bind=options["bind"], seconds=time.monotonic() - started)
        if options["serve"]:
            call_command("serve", bind=options["bind"], no_migrate=True)
        else:
            self.stdout.write("Run `siaga serve` (or `siaga demo --serve`) to open it.")
        if not options["voting_day"]:
            self.stdout.write(
                "Voting day itself: `siaga demo --voting-day` on a fresh data folder "
                "(SIAGA_DATA_DIR) plays 27 November 2024, 15:30 WITA, with its incident reports."
            )

    def _print(self, summary: DemoSummary, *, bind: str, seconds: float) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Kutai Timur demo loaded in {seconds:.1f} s."))
        write(f"  {summary.election_name}, voting day {summary.voting_day:%d %B %Y}")
        days = (summary.voting_day - timezone.localtime(summary.clock_now).date()).days
        h_label = "H" if days == 0 else (f"H-{days}" if days > 0 else f"H+{-days}")
        write(f"  clock now {timezone.localtime(summary.clock_now):%Y-%m-%d %H:%M %Z} ({h_label})")
        write(
            f"  {summary.kecamatan} kecamatan, {summary.desa} desa/kelurahan, "
            f"{summary.tps:,} TPS, DPT {summary.dpt:,} "
            f"({summary.dpt_male:,} men, {summary.dpt_female:,} women)"
        )
        write(
            f"  this run: {summary.regions_created:,} regions created, "
            f"{summary.regions_updated:,} renamed; {summary.tps_created} TPS created, "
            f"{summary.tps_updated} updated"
        )
        logistics = summary.logistics
        if logistics is not None:
            by_status = ", ".join(
                f"{count} {status}" for status, count in sorted(logistics.by_status.items())
            )
            write(
                f"  logistics: {logistics.shipments} shipments ({by_status}), "
                f"{logistics.lines:,} lines, {logistics.handovers} handovers"
            )
            write(
                f"  at risk: {len(logistics.at_risk)} shipments late or predicted to miss H-1 "
                f"({len(logistics.at_risk_remote)} to remote kecamatan: "
                f"{', '.join(logistics.at_risk_remote[:3])}...)"
            )
            write(f"  shortage: {logistics.shortage}")
            ratings = logistics.tps_by_vulnerability
            write(
                f"  TPS vulnerability: {ratings.get('sangat_rawan', 0)} sangat rawan, "
                f"{ratings.get('rawan', 0)} rawan, {ratings.get('aman', 0)} aman, "
                f"{ratings.get('', 0)} not rated"
            )
        if summary.incidents:
            states = ", ".join(f"{n} {state}" for state, n in sorted(summary.incidents.items()))
            write(f"  incident reports: {sum(summary.incidents.values())} ({states})")
        checklists = summary.checklists
        if checklists is not None and checklists.by_phase:
            phases = ", ".join(f"{n} {phase}" for phase, n in sorted(checklists.by_phase.items()))
            write(f"  TPS checklists: {phases} ({checklists.late} late)")
        voters = summary.voters
        if voters is not None:
            write(
                f"  voter roll (a sample): {voters.voters:,} voters at {voters.tps_covered} of "
                f"{summary.tps} TPS in {voters.desa_covered} desa; {voters.pairs_found} suspected "
                f"double registrations, {voters.confirmed} confirmed"
            )
        media = summary.media
        if media is not None:
            write(
                f"  social media: {media.posts} posts of the last 24 hours, {media.matched} "
                f"matching {media.debunks} known debunks, {media.alerts} spike alerts, "
                f"{media.actions} review steps by the Diskominfo analyst"
            )
        risk = summary.risk_by_category
        if risk:
            write(
                f"  vulnerability index now: {risk.get('sangat_rawan', 0)} sangat rawan, "
                f"{risk.get('rawan', 0)} rawan, {risk.get('aman', 0)} aman, "
                f"{risk.get('', 0)} not mapped; {summary.risk_alerts} early-warning alerts"
            )
        security = summary.security
        if security:
            write(
                f"  deployment plan for voting day ({security['plan_status']}): "
                f"{security['covered']} of {security['tps']} TPS covered by their pattern, "
                f"{security['officers']} officers and {security['linmas']} Linmas in "
                f"{security['units']} units"
            )
        watch = summary.watch
        if watch:
            write(
                f"  watch after the vote: {watch.get('watch_points', 0)} watch points, "
                f"{watch.get('gatherings', 0)} planned gathering(s), readiness "
                f"{watch.get('readiness_done', 0)}/{watch.get('readiness_items', 0)}"
            )
        host, _, port = bind.rpartition(":")
        if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - only to print a usable URL
            host = "127.0.0.1"
        write("")
        write(f"Demo accounts (open http://{host}:{port}/):")
        rows = [("username", "password", "role", "scope")] + [
            (a.username, a.password or "(API token)", a.role, a.scope) for a in summary.accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            write("  " + "  ".join([*cells, row[3]]))
        machine = [a.username for a in summary.accounts if a.password is None]
        if machine:
            write(f"  API token for the machine user: siaga users token {machine[0]}")
