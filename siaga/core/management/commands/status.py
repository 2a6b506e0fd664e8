"""siaga status: the state of this deployment, for operators and monitoring."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from siaga.core.status import deployment_status


class Command(BaseCommand):
    help = (
        "Print the state of this deployment: regions by level under the deployment's regency, "
        "TPS, DPT, users by role and the database engine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON (for monitoring).")

    def handle(self, *args, **options):
        status = deployment_status(regency_code=settings.SIAGA_REGENCY_CODE)
        if options["json"]:
            self.stdout.write(json.dumps(status, indent=2, sort_keys=True))
            return
        self.stdout.write(f"database: {status['database']} ({connection.settings_dict['NAME']})")
        self.stdout.write(
            f"regency: {status['regency']['code']} {status['regency']['name'] or '-'}"
        )
        for level, count in status["regions"].items():
            self.stdout.write(f"  {level:<9} {count:>8,}")
        self.stdout.write(f"tps: {status['tps']:,}   dpt: {status['dpt']:,}")
        for role, count in status["users"].items():
            self.stdout.write(f"  users {role:<14} {count}")
