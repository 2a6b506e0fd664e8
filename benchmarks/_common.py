"""What every benchmark shares: a scratch database, the machine header, timing and the table.

A benchmark only ever runs on a database it creates itself and removes at the end: a scratch
SQLite file in a temporary folder (the default), or, when SIAGA_DATABASE_URL names a PostgreSQL
database, that database, which must not exist yet.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _pg_admin(params: dict):
    """An autocommit connection to the server's maintenance database."""
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


def _pg_create(url: str) -> dict:
    import dj_database_url
    from psycopg import sql

    params = dj_database_url.parse(url)
    with _pg_admin(params) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]
        ).fetchone()
        if found:
            sys.exit(
                f"Database {params['NAME']} already exists; a benchmark only runs on a database "
                "it creates (and drops). Drop it or name another one in SIAGA_DATABASE_URL."
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
    return params


def _pg_drop(params: dict) -> None:
    from psycopg import sql

    with _pg_admin(params) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(params["NAME"])
            )
        )


@contextmanager
def scratch_django() -> Iterator[Path]:
    """Configure Django on a fresh, migrated scratch database; yield a temporary folder."""
    tmp = Path(tempfile.mkdtemp(prefix="siaga-bench-"))
    url = os.environ.get("SIAGA_DATABASE_URL", "")
    pg_params = None
    sqlite_path = None  # set only once we know the file is ours
    django_ready = False
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.environ["SIAGA_DATA_DIR"] = str(tmp / "data")
        os.environ["SIAGA_ALLOWED_HOSTS"] = "testserver"  # what django.test.Client sends
        os.environ.setdefault("SIAGA_LOG_LEVEL", "WARNING")
        if url.startswith(("postgres://", "postgresql://", "pgsql://")):
            pg_params = _pg_create(url)
        elif url:
            path = Path(url.removeprefix("sqlite:///"))
            if path.exists():
                sys.exit(f"{path} exists; a benchmark only runs on a database it creates.")
            sqlite_path = path
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        import django
        from django.core.management import call_command

        django.setup()
        django_ready = True
        call_command("migrate", verbosity=0)
        yield tmp
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if pg_params:
            _pg_drop(pg_params)
        if sqlite_path:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _database() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version} ({connection.settings_dict['HOST'] or 'local socket'})"


def print_header(title: str, **extra: Any) -> None:
    """The benchmark, the machine it runs on and its parameters."""
    import django

    lines = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} cores",
        "memory": _memory_gib(),
        "os": platform.platform(),
        "python": f"{platform.python_version()}, Django {django.get_version()}",
        "database": _database(),
        **{key: str(value) for key, value in extra.items()},
    }
    print(title)
    print("=" * len(title))
    width = max(len(key) for key in lines)
    for key, value in lines.items():
        print(f"{key:<{width}}  {value}")
    print(flush=True)


def timed(action: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Run ``action(*args)`` once, after a garbage collection; return (seconds, its result)."""
    gc.collect()
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain-text table: text left-aligned, numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in cells) for i in range(len(headers))]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(line(row))
    print()


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("×", "").lstrip("-").isdigit()


def fail(message: str) -> None:
    """Stop: a benchmark of a broken run is worthless."""
    raise SystemExit(f"CHECK FAILED: {message}")
