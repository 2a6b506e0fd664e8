"""The `siaga` command line for operators: a thin wrapper over Siaga's management commands.

siaga demo | serve | wilayah ... | tps ... | users ... | logistics ... | incidents ... | notify ...
siaga audit verify | status --json
siaga manage <any Django command>   (migrate, createsuperuser, check --deploy, ...)
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "Load the Kutai Timur demo (idempotent); --serve also serves it on :8000.",
    "serve": "Migrate if needed and serve Siaga (gunicorn) on 127.0.0.1:8000.",
    "wilayah": "Regions: load the Kemendagri code list, import boundaries (GeoJSON).",
    "tps": "Polling stations: import from CSV or XLSX, list.",
    "users": "Users and API tokens: create, list, token.",
    "logistics": "Election logistics: seed the item catalogue, import a plan, at-risk list.",
    "incidents": "Incident reports: seed categories, escalate late reports, clean orphan files.",
    "notify": "Notifications: send queued email, Telegram and WhatsApp deliveries.",
    "voters": "Voter roll (DPT): dedup a file, import a file, link the stored roll.",
    "media": "Social media: ingest, debunks, poll, retrain; train, classify, match on files.",
    "risk": "Vulnerability index: recompute (and alerts), import the TPS mapping, seed.",
    "coordination": "TP3D coordination: seed meeting templates, sweep tasks (reminders).",
    "reports": "Daily situation report: generate (HTML, PDF, XLSX), distribute, daily schedule.",
    "audit": "Audit trail: verify the hash chain.",
    "status": "Print the state of this deployment (--json for monitoring).",
    "manage": "Run any Django management command (migrate, check --deploy, ...).",
}


def _usage() -> str:
    lines = ["usage: siaga <command> [options]", "", "Siaga commands:"]
    lines += [f"  {name:<9} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run `siaga <command> --help` for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"siaga: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["siaga manage", *rest])
    else:
        execute_from_command_line(["siaga", command, *rest])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
