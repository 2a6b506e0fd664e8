"""siaga serve: migrate when needed, then serve Siaga with gunicorn."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database if needed and serve Siaga with gunicorn (default 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address:port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Gunicorn worker processes.")
        parser.add_argument("--no-migrate", action="store_true", help="Do not run migrations.")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Siaga serving at http://{options['bind']}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--chdir",
            str(settings.BASE_DIR),
            "--config",
            "python:siaga.core.gunicorn_conf",
        ]
        # The hooks in gunicorn_conf start the background-task worker when this is set.
        os.environ["SIAGA_SERVE_TASK_WORKER"] = "1" if settings.SIAGA_TASK_WORKER else "0"
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
