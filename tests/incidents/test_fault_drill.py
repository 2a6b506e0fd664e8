"""Fault drill: PostgreSQL restarted in the middle of a burst of field reports.

Runs the load test ``benchmarks/incidents_burst.py --drill`` in a short form: a private
PostgreSQL cluster (``initdb`` in a temporary folder, a free port; never the shared server),
Siaga under gunicorn, 5 clients posting reports with a photo for 10 s, PostgreSQL stopped
(``pg_ctl stop -m fast``) at 3 s and started 2 s later. Clients retry with their idempotency
keys; afterwards every report acknowledged must be stored exactly once, with the ticket that was
acknowledged, and the audit chain must verify. About 25 s; skipped without PostgreSQL binaries.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

from _server import pg_bin_dir  # noqa: E402


def _no_postgres_user() -> bool:
    if os.geteuid() != 0:
        return False
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return True
    return False


pytestmark = [
    pytest.mark.skipif(
        pg_bin_dir() is None,
        reason="PostgreSQL server binaries (initdb, pg_ctl) not installed: no private cluster "
        "for the fault drill",
    ),
    pytest.mark.skipif(
        _no_postgres_user(), reason="running as root without a 'postgres' user to run the drill"
    ),
]


def test_restart_mid_burst_loses_and_duplicates_nothing(tmp_path):
    out = tmp_path / "drill.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIAGA_", "DJANGO_"))}
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "incidents_burst.py"),
            "--drill",
            "--clients",
            "5",
            "--seconds",
            "10",
            "--drill-at",
            "3",
            "--outage",
            "2",
            "--grace",
            "20",
            "--json",
            str(out),
        ],  # fmt: skip
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.exists(), run.stdout + run.stderr
    result = json.loads(out.read_text())

    # The restart happened and the clients felt it: the drill drilled something.
    assert "started" in result["drill"], result
    assert result["failed_tries"] > 0, result
    # Every acknowledged report is stored exactly once, with the ticket acknowledged.
    assert result["acknowledged"] > 0
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["ticket_mismatch"] == 0
    assert result["unacknowledged"] == result["abandoned"] == 0
    assert result["db_rows"] == result["acknowledged"]
    assert result["media_rows"] == result["db_rows"]
    # No refusal: a client only ever met failures it could retry, and the server recovered
    # without a restart of its own.
    assert result["errors"] == 0
    assert result["audit_ok"] and result["audit_creates"] == result["db_rows"]
    assert result["problems"] == []
    assert run.returncode == 0, run.stdout + run.stderr
