"""siaga users: create and list users, make and revoke API tokens.

Every write goes through ``siaga.accounts.services`` and ``siaga.accounts.tokens``, so the
command line leaves the same audit events as the admin and the API.
"""

from __future__ import annotations

import getpass
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from siaga.accounts import selectors, services, tokens
from siaga.accounts.choices import Role
from siaga.accounts.models import Agency, User
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in _codes(value)]
    except ValueError as exc:
        raise CommandError(f"--tps expects TPS ids separated by commas, got {value!r}") from exc


class Command(BaseCommand):
    help = "Users and API tokens: create or update a user, list users, make or revoke a token."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        create = sub.add_parser(
            "create",
            help="Create a user, or update it when the username exists.",
            description=(
                "Create a user with a role, an agency and a region scope, or update an existing "
                "one. Asks for the password twice when run interactively; machine users get "
                "none (they use API tokens)."
            ),
        )
        create.add_argument("username", metavar="USERNAME")
        create.add_argument("--role", required=True, choices=Role.values, help="Role of the user.")
        create.add_argument("--agency", required=True, metavar="CODE", help="Agency code.")
        create.add_argument(
            "--scope",
            required=True,
            metavar="CODE[,CODE...]",
            help="Region codes the user sees (regency, kecamatan or desa; desa for monitors).",
        )
        create.add_argument(
            "--tps",
            default="",
            metavar="ID[,ID...]",
            help="Field monitors only: the TPS ids they report on (inside their desa).",
        )
        create.add_argument("--full-name", default="", help="Full name of the person.")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (for scripts).",
        )

        listing = sub.add_parser("list", help="List users with role, agency, scope and tokens.")
        listing.add_argument("--json", action="store_true", help="Print JSON.")

        token = sub.add_parser(
            "token",
            help="Make an API token for a user and print its key once.",
            description=(
                "Make an API token. The key is printed once on standard output and only its "
                "hash is stored; clients send it as 'Authorization: Bearer <key>'."
            ),
        )
        token.add_argument("username", metavar="USERNAME")
        token.add_argument("--name", required=True, help="What the token is for.")
        token.add_argument(
            "--days", type=int, default=None, help="Expire after N days (default: never)."
        )

        revoke = sub.add_parser(
            "revoke-token",
            help="Revoke the API token whose key starts with PREFIX (as `list` shows it).",
        )
        revoke.add_argument("prefix", metavar="PREFIX")

    def handle(self, *args, **options):
        self.stdin = options.get("stdin") or sys.stdin
        context = AuditContext.cli()
        handler = {
            "create": self._create,
            "list": self._list,
            "token": self._token,
            "revoke-token": self._revoke,
        }[options["action"]]
        try:
            handler(context, options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    # --- create ---------------------------------------------------------------------------

    def _create(self, context: AuditContext, options) -> None:
        username, role = options["username"], Role(options["role"])
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            known = ", ".join(Agency.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"unknown agency {options['agency']!r} (known: {known})")
        scope = services.regions_resolve(codes=_codes(options["scope"]))
        assigned = services.tps_resolve(ids=_ids(options["tps"])) if options["tps"] else []
        services.user_scope_validate(
            username=username, role=role, scope=scope, assigned_tps=assigned
        )
        exists = User.objects.filter(username=username).exists()
        password = self._password(options, role=role, exists=exists)
        user = services.user_upsert(
            context=context,
            username=username,
            role=role,
            agency=agency,
            scope=scope,
            password=password,
            full_name=options["full_name"],
            assigned_tps=assigned,
        )
        verb = "updated" if exists else "created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} user {user.username} ({role.value}, {agency.code}, "
                f"scope {','.join(r.code for r in scope)})"
            )
        )

    def _password(self, options, *, role: Role, exists: bool) -> str | None:
        if role == Role.MACHINE:
            if options["password_stdin"]:
                raise CommandError("machine users have no password; they use API tokens")
            return None
        if options["password_stdin"]:
            password = self.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
        elif hasattr(self.stdin, "isatty") and self.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
            if not password and exists:
                return None  # keep the current password
        elif exists:
            return None
        else:
            raise CommandError(
                "a new user needs a password: run interactively or pass --password-stdin"
            )
        services.user_password_validate(
            password=password, username=options["username"], full_name=options["full_name"]
        )
        return password

    # --- list -----------------------------------------------------------------------------

    def _list(self, context: AuditContext, options) -> None:
        rows = [
            {
                "username": u.username,
                "full_name": u.get_full_name(),
                "role": u.role,
                "agency": u.agency.code if u.agency else "",
                "scope": sorted(r.code for r in u.scope_regions.all()),
                "assigned_tps": u.tps_count,
                "active_tokens": u.active_tokens,
                "active": u.is_active,
            }
            for u in selectors.users_overview()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        header = f"{'USERNAME':<24} {'ROLE':<14} {'AGENCY':<14} {'TOKENS':>6}  SCOPE"
        self.stdout.write(header)
        for row in rows:
            scope = ",".join(row["scope"]) or "-"
            if row["assigned_tps"]:
                scope += f" ({row['assigned_tps']} TPS)"
            inactive = "" if row["active"] else "  [inactive]"
            self.stdout.write(
                f"{row['username']:<24} {row['role']:<14} {row['agency'] or '-':<14} "
                f"{row['active_tokens']:>6}  {scope}{inactive}"
            )
        active_tokens = list(selectors.tokens_active())
        if active_tokens:
            self.stdout.write("")
            self.stdout.write(f"{'TOKEN':<10} {'USER':<24} {'NAME':<24} EXPIRES")
            for t in active_tokens:
                expires = t.expires_at.isoformat(timespec="minutes") if t.expires_at else "never"
                self.stdout.write(f"{t.prefix:<10} {t.user.username:<24} {t.name:<24} {expires}")

    # --- tokens ---------------------------------------------------------------------------

    def _token(self, context: AuditContext, options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"unknown user {options['username']!r}")
        if not user.is_active:
            raise CommandError(f"user {user.username} is inactive")
        expires_at = tokens.token_expiry(days=options["days"])
        token, key = tokens.token_create(
            context=context, user=user, name=options["name"], expires_at=expires_at
        )
        until = expires_at.isoformat(timespec="minutes") if expires_at else "never"
        self.stderr.write(
            f"token {token.prefix} for {user.username} (expires: {until}). "
            "Store the key now: it is shown only once."
        )
        self.stdout.write(key)

    def _revoke(self, context: AuditContext, options) -> None:
        token = tokens.token_revoke_by_prefix(context=context, prefix=options["prefix"])
        self.stdout.write(
            self.style.SUCCESS(f"revoked token {token.prefix} of {token.user.username}")
        )
