import json
import subprocess
import sys
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError

from siaga.accounts.choices import Role
from tests.factories import UserFactory


def test_healthz_answers_200_with_the_database_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": response.json()["database"]}


def test_healthz_answers_503_when_the_database_fails(client, db):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_status_json_counts_regions_tps_dpt_and_users(world, capsys):
    UserFactory(username="a1", role=Role.ANALYST)
    UserFactory(username="m1", role=Role.MACHINE)
    call_command("status", "--json")
    status = json.loads(capsys.readouterr().out)
    assert status["regions"] == {"province": 1, "regency": 1, "district": 2, "village": 4}
    assert status["tps"] == 8  # the other regency's TPS are not counted
    assert status["dpt"] == 8 * (200 + 180)
    assert status["users"]["analyst"] == 1 and status["users"]["machine"] == 1
    assert status["database"] in {"sqlite", "postgresql"}


def test_the_siaga_console_script_lists_its_commands_in_english():
    out = subprocess.run(
        [sys.executable, "-m", "siaga.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("demo", "serve", "wilayah", "tps", "users", "audit", "status"):
        assert f"  {command}" in out


def test_an_unknown_siaga_command_fails_with_usage():
    result = subprocess.run(
        [sys.executable, "-m", "siaga.cli", "frobnicate"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unknown command" in result.stderr


def test_pages_are_indonesian_even_for_an_english_browser_until_the_user_switches(client, db):
    response = client.get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "id"
    client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    response = client.get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.headers["Content-Language"] == "en"
