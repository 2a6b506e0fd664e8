"""siaga audit verify: walk the hash chain of the audit trail and report every break."""

import json

from django.core.management.base import BaseCommand, CommandError

from siaga.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks that no audit row was modified, deleted or inserted."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify the hash chain of the whole audit trail.")
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        report = audit_verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "head_hash": report.head_hash,
                        "problems": report.problems,
                    },
                    indent=2,
                )
            )
        else:
            for problem in report.problems:
                self.stderr.write(problem)
            self.stdout.write(f"checked {report.checked} events; head {report.head_hash}")
        if not report.ok:
            raise CommandError(f"audit chain broken: {len(report.problems)} problem(s)")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("audit chain intact"))
