"""`siaga users`: create, list, token, revoke-token, all through the services and audited."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from siaga.accounts.choices import Role
from siaga.accounts.management.commands import users as users_command
from siaga.accounts.models import ApiToken, User
from siaga.accounts.tokens import token_authenticate
from siaga.core.models import AuditEvent

PASSWORD = "kuda-lumping-sangatta-77"


class Terminal(io.StringIO):
    """A standard input that says it is a terminal (the command then prompts)."""

    def isatty(self) -> bool:
        return True


def run(*args, stdin=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("users", *args, stdout=out, stderr=err, stdin=stdin or io.StringIO())
    return out.getvalue(), err.getvalue()


def create(*extra, stdin=None):
    return run(
        "create",
        "rina",
        "--role=liaison",
        "--agency=kesbangpol",
        "--scope=64.08.04",
        *extra,
        stdin=stdin,
    )


def test_create_reads_the_password_from_stdin_and_audits(world):
    out, _ = create(
        "--full-name=Rina Wulandari", "--password-stdin", stdin=io.StringIO(PASSWORD + "\n")
    )
    assert "created user rina" in out
    user = User.objects.get(username="rina")
    assert user.check_password(PASSWORD) and user.password.startswith("argon2$")
    assert user.get_full_name() == "Rina Wulandari"
    assert [r.code for r in user.scope_regions.all()] == ["64.08.04"]
    event = AuditEvent.objects.get(action="user.create")
    assert event.channel == "cli" and event.after["scope"] == ["64.08.04"]


def test_create_prompts_twice_when_interactive(world, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(users_command.getpass, "getpass", lambda prompt: next(answers))
    create(stdin=Terminal())
    assert User.objects.get(username="rina").check_password(PASSWORD)


def test_create_refuses_two_different_passwords(world, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(users_command.getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        create(stdin=Terminal())
    assert not User.objects.filter(username="rina").exists()


def test_create_refuses_a_weak_password(world):
    with pytest.raises(CommandError):
        create("--password-stdin", stdin=io.StringIO("12345\n"))
    assert not User.objects.filter(username="rina").exists()
    assert not AuditEvent.objects.exists()


def test_a_new_user_needs_a_password_when_not_interactive(world):
    with pytest.raises(CommandError, match="password-stdin"):
        create()


def test_create_updates_an_existing_user_and_keeps_its_password(world):
    create("--password-stdin", stdin=io.StringIO(PASSWORD))
    out, _ = run(
        "create", "rina", "--role=analyst", "--agency=kesbangpol", "--scope=64.08.04,64.08.06"
    )
    assert "updated user rina" in out
    user = User.objects.get(username="rina")
    assert user.role == Role.ANALYST and user.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="user.update")
    assert event.before["scope"] == ["64.08.04"] and event.after["scope"] == [
        "64.08.04",
        "64.08.06",
    ]


def test_machine_users_are_created_without_a_password(world):
    run("create", "bot", "--role=machine", "--agency=kesbangpol", "--scope=64.08")
    assert not User.objects.get(username="bot").has_usable_password()
    with pytest.raises(CommandError, match="machine users have no password"):
        run(
            "create",
            "bot2",
            "--role=machine",
            "--agency=kesbangpol",
            "--scope=64.08",
            "--password-stdin",
            stdin=io.StringIO(PASSWORD),
        )


def test_field_monitors_are_scoped_to_desa_and_their_tps(world):
    tps = world.tps["64.08.04.1001"][0]
    args = ["create", "pak-amir", "--role=field_monitor", "--agency=kesbangpol", "--password-stdin"]
    with pytest.raises(CommandError, match="hanya untuk desa"):
        run(*args, "--scope=64.08.04", stdin=io.StringIO(PASSWORD))
    with pytest.raises(CommandError, match="di luar cakupan"):
        other = world.tps["64.08.06.2001"][0]
        run(*args, "--scope=64.08.04.1001", f"--tps={other.pk}", stdin=io.StringIO(PASSWORD))
    run(*args, "--scope=64.08.04.1001", f"--tps={tps.pk}", stdin=io.StringIO(PASSWORD))
    assert list(User.objects.get(username="pak-amir").assigned_tps.all()) == [tps]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--scope=99.99", "tidak dikenal"),
        ("--agency=nope", "unknown agency"),
        ("--tps=abc", "TPS ids"),
    ],
)
def test_create_reports_unknown_codes(world, option, message):
    args = ["create", "x", "--role=liaison", "--agency=kesbangpol", "--scope=64.08", option]
    with pytest.raises(CommandError, match=message):
        run(*args, "--password-stdin", stdin=io.StringIO(PASSWORD))


def test_list_shows_users_with_role_agency_scope_and_tokens(world):
    run("create", "bot", "--role=machine", "--agency=kesbangpol", "--scope=64.08.06")
    out, _ = run("token", "bot", "--name=crawler")
    out, _ = run("list")
    assert "bot" in out and "machine" in out and "kesbangpol" in out and "64.08.06" in out
    assert "crawler" in out
    rows = json.loads(run("list", "--json")[0])
    assert rows == [
        {
            "username": "bot",
            "full_name": "",
            "role": "machine",
            "agency": "kesbangpol",
            "scope": ["64.08.06"],
            "assigned_tps": 0,
            "active_tokens": 1,
            "active": True,
        }
    ]


def test_token_prints_the_key_once_and_revoke_token_refuses_it(world):
    run("create", "bot", "--role=machine", "--agency=kesbangpol", "--scope=64.08")
    out, err = run("token", "bot", "--name=crawler", "--days=30")
    key = out.strip()
    assert key.startswith("sg_") and "shown only once" in err
    assert token_authenticate(key).username == "bot"
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert key not in run("list")[0]  # never shown again

    out, _ = run("revoke-token", token.prefix)
    assert f"revoked token {token.prefix}" in out
    assert token_authenticate(key) is None
    assert list(
        AuditEvent.objects.filter(object_type="accounts.apitoken").values_list("action", flat=True)
    ) == ["token.create", "token.revoke"]
    with pytest.raises(CommandError, match="Tidak ada token aktif"):
        run("revoke-token", token.prefix)


def test_token_for_an_unknown_user_fails(world):
    with pytest.raises(CommandError, match="unknown user"):
        run("token", "nobody", "--name=x")


def test_help_is_in_english(capsys):
    with pytest.raises(SystemExit):
        call_command("users", "create", "--help")
    text = capsys.readouterr().out
    assert "--password-stdin" in text and "Create a user" in text
