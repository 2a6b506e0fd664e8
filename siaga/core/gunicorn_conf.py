"""Gunicorn hooks for `siaga serve`: one background-task worker lives and dies with the server.

The worker is a separate process (`db_worker`, from django-tasks-db) so that a long DPT import
or linkage run never holds a web worker. It is started once the server is ready and stopped
when the server exits; SIAGA_TASK_WORKER=false leaves it to be run elsewhere.
"""

import os
import subprocess
import sys

_worker: subprocess.Popen | None = None


def when_ready(server) -> None:
    global _worker
    if os.environ.get("SIAGA_SERVE_TASK_WORKER") != "1":
        return
    argv = [sys.executable, "-m", "django", "db_worker", "--no-reload", "--interval", "1"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    _worker = subprocess.Popen(argv, env=env)  # noqa: S603 - our own interpreter and command
    server.log.info("background task worker started (pid %s)", _worker.pid)


def on_exit(server) -> None:
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _worker.kill()
