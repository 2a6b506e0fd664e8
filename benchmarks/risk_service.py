"""Benchmark of the whole risk recomputation through the database (issue 7's targets).

``benchmarks/risk.py`` times the pure engine. What the product runs is the service
``siaga.risk.compute.risk_recompute``: read the mapped values and the live providers' values
from the database, compute, store ``TpsRisk`` / ``AreaRisk`` / ``RiskHistory``, update
``Tps.vulnerability``, run the alert rules. Issue 7's targets are for that whole path: a province
(10,000 TPS) under 1 s, the country (about 435,000 TPS) under 30 s.

For each size the script builds a fresh, migrated database in a child process (Django is set up
once per process): a SQLite file ``var/bench-risk-<N>.sqlite3`` (removed at the end unless
--keep), or with --postgres URL a PostgreSQL database ``siaga_bench_risk`` on that server
(dropped first if a previous run left it, dropped at the end). Synthetic data is bulk-inserted,
deterministically from --seed:

  regions    provinces of at most 99 regencies, 20 kecamatan per regency, 12 desa per
             kecamatan, 5 TPS per desa (lat/lon on a 3 km grid, 150-600 voters, 0.5 % lokasi
             khusus); the Deployment on the first regency, voting day in 3 days (masa tenang)
  mapping    30 % of TPS assessed (TpsAssessment) with 1-3 static indicators each
             (IndicatorValue, codes of siaga.risk.catalogue.STATIC_CODES), more in 10 % "hot"
             kecamatan
  incidents  max(2,000, N/5) over the 8 last days (85 % verified), plus planted rises (2 % of
             kecamatan get 6-10 more in the last 24 h) and bursts (3-5 related incidents within
             1 km and 2 h) so that the trend and cluster rules fire
  other      the default incident categories and checklist templates, two users to notify

Then ``risk_recompute(context=AuditContext(channel="system"))`` runs --repeat times (3): run 1
writes every row for the first time (and fires the trend / cluster alerts); runs 2-3 are the
steady state (rows exist and only what changed is written: nothing; nothing new fires). The
table gives run 1 and the median of the later runs, with a breakdown by phase taken by thin
timing wrappers around the service's functions (its upserts by model), not by a profiler, so
the phases add up to the total. Every run is checked (row counts, categories, alerts).
--profile adds one more steady-state run under cProfile and prints its top functions to
stderr. Exits 1 when a measured size with a target is over it.

    .venv/bin/python benchmarks/risk_service.py [--quick] [--national] [--postgres URL]
        [--sizes 10000,100000] [--repeat 3] [--seed 7] [--profile] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import _cpu_model, _memory_gib, fail, median  # noqa: E402

SIZES = (10_000, 100_000)
NATIONAL = 435_000
TARGETS = {10_000: 1.0, 435_000: 30.0}  # seconds, issue 7
PG_NAME = "siaga_bench_risk"
PROVINCES = ("64", "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32")
KEC_PER_KAB, DESA_PER_KEC, TPS_PER_DESA = 20, 12, 5
GRID_DEG = 0.03  # desa spacing, about 3.3 km

# Phases, in the order of risk_recompute; indented rows are parts of the row above.
PHASES = (
    ("gather", 0),
    ("collect VotersProvider", 1),
    ("collect IncidentsProvider", 1),
    ("collect LogisticsProvider", 1),
    ("collect MediaProvider", 1),
    ("collect ChecklistsProvider", 1),
    ("collect WilayahProvider", 1),
    ("compute_index", 0),
    ("upsert TpsRisk", 0),
    ("upsert RiskHistory", 0),
    ("vulnerability", 0),
    ("areas", 0),
    ("rollup", 1),
    ("upsert AreaRisk (areas)", 1),
    ("upsert RiskHistory (areas)", 1),
    ("category_rises", 0),
    ("alerts", 0),
    ("category alerts", 1),
    ("trend alerts", 1),
    ("cluster alerts", 1),
    ("audit", 0),
)
TOP_LEVEL = [name for name, depth in PHASES if depth == 0]


# --- the parent: one child process per size, then the table ----------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 TPS, one run")
    parser.add_argument("--national", action="store_true", help=f"add {NATIONAL:,} TPS")
    parser.add_argument("--sizes", help="comma-separated TPS counts (instead of the defaults)")
    parser.add_argument("--postgres", metavar="URL", help=f"server to create {PG_NAME} on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile one more run")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args)))
        return 0
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    else:
        sizes = [10_000] if args.quick else [*SIZES, *([NATIONAL] if args.national else [])]
    repeat = 1 if args.quick else args.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    results = {}
    for n in sizes:
        command = [sys.executable, __file__, "--child", str(n), "--repeat", str(repeat)]
        command += ["--seed", str(args.seed)]
        command += ["--postgres", args.postgres] if args.postgres else []
        command += ["--profile"] if args.profile else []
        command += ["--keep"] if args.keep else []
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
        if done.returncode:
            sys.exit(f"the {n:,} TPS run failed (exit {done.returncode})")
        results[n] = json.loads(done.stdout.strip().splitlines()[-1])
    first = results[sizes[0]]
    print_machine(
        "Risk recomputation through the database (siaga.risk.compute.risk_recompute)",
        database=first["database"],
        python=first["python"],
        sizes=", ".join(f"{n:,} TPS" for n in sizes),
        runs=f"{repeat} (run 1: first write; steady state: median of runs 2-{repeat})"
        if repeat > 1
        else "1",
        seed=args.seed,
    )
    print_table(sizes, results, repeat)
    return verdicts(sizes, results, repeat)


def print_machine(title: str, **extra: Any) -> None:
    lines = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} cores",
        "memory": _memory_gib(),
        "os": platform.platform(),
        "load average": ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (at the end)",
        **{key: str(value) for key, value in extra.items()},
    }
    print(f"# {title}\n")
    for key, value in lines.items():
        print(f"- {key}: {value}")
    print(flush=True)


def _cell(values: list[float]) -> str:
    return f"{1000 * median(values):,.0f}" if values else "-"


def print_table(sizes: list[int], results: dict[int, dict], repeat: int) -> None:
    columns = []
    for n in sizes:
        columns.append((n, "run 1", [0]))
        if repeat > 1:
            columns.append((n, "steady", list(range(1, repeat))))
    header = ["phase (ms)", *(f"{n:,} TPS {label}" for n, label, _runs in columns)]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", *["---:"] * len(columns)]) + "|")

    def row(name: str, pick) -> None:
        cells = [_cell([pick(results[n]["runs"][r]) for r in runs]) for n, _label, runs in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")

    for phase, depth in PHASES:
        label = ("&nbsp;&nbsp;" * 2 * depth) + phase
        row(label, lambda run, p=phase: run["phases"].get(p, 0.0))
    row("other (building rows, reads in between)", lambda run: run["other"])
    row("**total**", lambda run: run["seconds"])
    cells = []
    for n, _label, runs in columns:
        cells.append("/".join(str(results[n]["runs"][r]["queries"]) for r in runs))
    print("| SQL queries | " + " | ".join(cells) + " |")
    cells = []
    for n, _label, runs in columns:
        cells.append("/".join(str(results[n]["runs"][r]["alerts"]) for r in runs))
    print("| alerts fired | " + " | ".join(cells) + " |")
    print()
    for n in sizes:
        print(f"- {n:,} TPS: {results[n]['summary']}")


def verdicts(sizes: list[int], results: dict[int, dict], repeat: int) -> int:
    ok = True
    for n in sizes:
        runs = results[n]["runs"]
        steady = median([r["seconds"] for r in (runs[1:] if repeat > 1 else runs)])
        if n in TARGETS:
            target = TARGETS[n]
            verdict = "within" if steady <= target else "OVER"
            ok &= steady <= target
            print(f"- target {n:,} TPS: {steady:.2f} s (steady), {verdict} {target:.0f} s")
    largest = max(sizes)
    if NATIONAL not in sizes and largest >= 50_000:
        runs = results[largest]["runs"]
        steady = median([r["seconds"] for r in (runs[1:] if repeat > 1 else runs)])
        print(
            f"- {NATIONAL:,} TPS not measured; linear from {largest:,}: about "
            f"{steady * NATIONAL / largest:.0f} s steady, "
            f"{runs[0]['seconds'] * NATIONAL / largest:.0f} s first run (target 30 s)"
        )
    return 0 if ok else 1


# --- the child: one size, one fresh database --------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _database_url(n: int, args: argparse.Namespace) -> tuple[str, Path | None]:
    if args.postgres:
        import dj_database_url

        params = dj_database_url.parse(args.postgres)
        user = params["USER"] or "postgres"
        auth = f"{user}:{params['PASSWORD']}" if params["PASSWORD"] else user
        host = params["HOST"] or "127.0.0.1"
        return f"postgres://{auth}@{host}:{params['PORT'] or 5432}/{PG_NAME}", None
    path = ROOT / "var" / f"bench-risk-{n}.sqlite3"
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", path


def _pg(url: str, statement: str) -> None:
    import dj_database_url
    import psycopg

    params = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def child(n: int, args: argparse.Namespace) -> dict:
    url, sqlite_path = _database_url(n, args)
    tmp = Path(tempfile.mkdtemp(prefix="siaga-bench-risk-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["SIAGA_DATA_DIR"] = str(tmp)
    os.environ["SIAGA_LOG_LEVEL"] = "WARNING"
    os.environ["SIAGA_DATABASE_URL"] = url
    if args.postgres:
        _pg(url, f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        _pg(url, f"CREATE DATABASE {PG_NAME}")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        log(f"{n:,} TPS: migrating {url}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        log(f"  migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        counts = seed(n, args.seed)
        log(f"  seeded in {time.perf_counter() - started:.1f} s: {counts}")
        result = measure(n, args, counts)
        result["database"] = _database_name()
        result["python"] = _versions()
        return result
    finally:
        from django.db import connections

        connections.close_all()
        if args.postgres:
            _pg(url, f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        if sqlite_path and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        for path in sorted(tmp.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        tmp.rmdir()


def _database_name() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        with connection.cursor() as cursor:
            limit = cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL; {limit:,} variables)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]} on 127.0.0.1"


def _versions() -> str:
    import django
    import numpy

    return f"{platform.python_version()}, Django {django.get_version()}, numpy {numpy.__version__}"


# --- synthetic data ---------------------------------------------------------------------------


def seed(n: int, seed_value: int) -> dict[str, int]:
    """Regions, TPS, the mapping, incidents, the deployment; bulk-inserted in batches."""
    from django.db import transaction

    from siaga.core import clock
    from siaga.core.audit import AuditContext

    rng = random.Random(seed_value)  # noqa: S311 (synthetic data, not secrets)
    context = AuditContext(channel="system")
    with transaction.atomic():
        regions, desa_points, kecamatan = _seed_regions(n)
        _seed_deployment(regions, context)
        clock.clear_cache()
        now = clock.now()
        tps = _seed_tps(n, rng, desa_points)
        assessed, values = _seed_mapping(rng, tps, kecamatan, now)
        incidents = _seed_incidents(n, rng, tps, kecamatan, now)
    return {
        "regions": regions["total"],
        "desa": len(desa_points),
        "kecamatan": len(kecamatan),
        "kabupaten": regions["regency"],
        "tps": len(tps),
        "assessed": assessed,
        "indicator_values": values,
        "incidents": incidents,
    }


def _seed_regions(n: int):
    from siaga.wilayah.choices import Level
    from siaga.wilayah.models import Region

    desa_count = math.ceil(n / TPS_PER_DESA)
    kec_count = math.ceil(desa_count / DESA_PER_KEC)
    kab_count = math.ceil(kec_count / KEC_PER_KAB)
    prov_count = math.ceil(kab_count / 99)
    if prov_count > len(PROVINCES):
        fail(f"{n:,} TPS need more than {len(PROVINCES)} provinces")
    side = math.ceil(math.sqrt(desa_count))
    rows: list[Region] = []
    desa_points: dict[str, tuple[float, float]] = {}
    kecamatan: list[str] = []
    first_regency = ""
    desa_index = 0
    for p in range(prov_count):
        prov = PROVINCES[p]
        rows.append(Region(code=prov, name=f"Provinsi {prov}", level=Level.PROVINCE))
        for k in range(min(99, kab_count - 99 * p)):
            kab = f"{prov}.{k + 1:02d}"
            first_regency = first_regency or kab
            rows.append(Region(code=kab, name=f"Kab {kab}", level=Level.REGENCY, parent_id=prov))
            for c in range(KEC_PER_KAB):
                if len(kecamatan) == kec_count:
                    break
                kec = f"{kab}.{c + 1:02d}"
                kecamatan.append(kec)
                rows.append(
                    Region(code=kec, name=f"Kec {kec}", level=Level.DISTRICT, parent_id=kab)
                )
                for d in range(DESA_PER_KEC):
                    if desa_index == desa_count:
                        break
                    code = f"{kec}.{2001 + d}"
                    lat = -2.0 + (desa_index // side) * GRID_DEG
                    lon = 114.0 + (desa_index % side) * GRID_DEG
                    desa_points[code] = (lat, lon)
                    desa_index += 1
                    rows.append(
                        Region(
                            code=code,
                            name=f"Desa {code}",
                            level=Level.VILLAGE,
                            parent_id=kec,
                            lat=lat,
                            lon=lon,
                        )
                    )
    Region.objects.bulk_create(rows, batch_size=5000)
    return (
        {"total": len(rows), "regency": kab_count, "first_regency": first_regency},
        desa_points,
        kecamatan,
    )


def _seed_deployment(regions: dict, context) -> None:
    from siaga.accounts.choices import AgencyKind, Role
    from siaga.accounts.models import Agency, User
    from siaga.checklists.catalogue import checklist_templates_seed
    from siaga.core.models import Deployment
    from siaga.incidents.catalogue import categories_seed

    regency = regions["first_regency"]
    Deployment.objects.create(
        regency_id=regency,
        election_name="Pilkada (benchmark)",
        voting_day=dt.date.today() + dt.timedelta(days=3),
    )
    categories_seed(context=context)
    checklist_templates_seed(context=context)
    polri = Agency.objects.create(
        code="polres", name="Polres", kind=AgencyKind.POLRI, region_id=regency
    )
    for username, role, agency in (("analis", Role.ANALYST, None), ("polres", Role.LIAISON, polri)):
        user = User(username=username, role=role, agency=agency)
        user.set_unusable_password()
        user.save()
        user.scope_regions.add(regency[:2])


def _seed_tps(n: int, rng: random.Random, desa_points: dict) -> list[tuple]:
    """(pk, desa, lat, lon) of each TPS, in pk order."""
    from siaga.wilayah.models import Tps

    codes = list(desa_points)
    rows = []
    for i in range(n):
        desa = codes[i // TPS_PER_DESA]
        lat, lon = desa_points[desa]
        voters = rng.randint(150, 600)
        male = voters // 2 + rng.randint(-20, 20)
        rows.append(
            Tps(
                desa_id=desa,
                number=i % TPS_PER_DESA + 1,
                lat=lat + rng.uniform(-0.008, 0.008),
                lon=lon + rng.uniform(-0.008, 0.008),
                dpt_male=male,
                dpt_female=voters - male,
                special_location="lapas" if rng.random() < 0.005 else "",
            )
        )
    Tps.objects.bulk_create(rows, batch_size=5000)
    return list(Tps.objects.order_by("pk").values_list("pk", "desa_id", "lat", "lon"))


def _seed_mapping(rng: random.Random, tps: list[tuple], kecamatan: list[str], now) -> tuple:
    from siaga.risk.catalogue import STATIC_CODES
    from siaga.risk.choices import ValueOrigin
    from siaga.risk.models import IndicatorValue, TpsAssessment

    hot = {k for k in kecamatan if rng.random() < 0.1}
    values, assessments = [], []
    for pk, desa, _lat, _lon in tps:
        if rng.random() >= 0.3:
            continue
        assessments.append(TpsAssessment(tps_id=pk, origin=ValueOrigin.IMPORT, assessed_at=now))
        how_many = rng.choice((2, 3, 3)) if desa[:8] in hot else rng.choice((1, 1, 2))
        for code in rng.sample(STATIC_CODES, how_many):
            values.append(
                IndicatorValue(
                    tps_id=pk, indicator_id=code, value=1.0, origin=ValueOrigin.IMPORT,
                    updated_at=now,
                )
            )  # fmt: skip
    TpsAssessment.objects.bulk_create(assessments, batch_size=5000)
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    return len(assessments), len(values)


def _seed_incidents(n: int, rng: random.Random, tps: list[tuple], kecamatan, now) -> int:
    from siaga.incidents.models import Category, Incident

    category = dict(Category.objects.values_list("code", "pk"))
    codes = [c for c in category if c != "lainnya"]
    by_kecamatan: dict[str, list[tuple]] = defaultdict(list)
    for row in tps:
        by_kecamatan[row[1][:8]].append(row)
    rows: list[Incident] = []

    def add(station: tuple, code: str, at: dt.datetime, verified: bool, near: float) -> None:
        pk, desa, lat, lon = station
        own_point = rng.random() < 0.6
        state = (
            rng.choice(("diverifikasi", "ditindaklanjuti", "selesai")) if verified else "diterima"
        )
        rows.append(
            Incident(
                ticket=f"B{len(rows) + 1:08d}",
                channel="field",
                category_id=category[code],
                description="Laporan sintetis untuk benchmark",
                occurred_at=at,
                received_at=min(now, at + dt.timedelta(minutes=10)),
                region_id=desa,
                tps_id=pk if rng.random() < 0.7 else None,
                lat=lat + rng.uniform(-near, near) if own_point else None,
                lon=lon + rng.uniform(-near, near) if own_point else None,
                severity="sedang",
                state=state,
                state_changed_at=min(now, at + dt.timedelta(minutes=30)),
            )
        )

    for _ in range(max(2000, n // 5)):  # background: uniform over 8 days
        at = now - dt.timedelta(seconds=rng.uniform(60, 8 * 86400))
        add(rng.choice(tps), rng.choice(codes), at, rng.random() < 0.85, 0.002)
    for kec in kecamatan:
        if rng.random() < 0.02:  # a planted rise: 6-10 more in the last 24 h
            for _ in range(rng.randint(6, 10)):
                at = now - dt.timedelta(seconds=rng.uniform(60, 86000))
                add(rng.choice(by_kecamatan[kec]), rng.choice(codes), at, True, 0.002)
        if rng.random() < 0.05:  # a burst: 3-5 related incidents, 1 km, 2 hours
            station, code = rng.choice(by_kecamatan[kec]), rng.choice(codes)
            start = now - dt.timedelta(seconds=rng.uniform(7200, 80000))
            for _ in range(rng.randint(3, 5)):
                at = start + dt.timedelta(seconds=rng.uniform(0, 7200))
                add(station, code, at, True, 0.004)
    Incident.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- the measure ------------------------------------------------------------------------------


class Phases:
    """Wall time and SQL queries per phase of one risk_recompute, by thin wrappers."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)
        self.stack: list[str] = []

    def reset(self) -> None:
        self.seconds.clear()
        self.queries.clear()

    def timing(self, name: str, fn, *, generator: bool = False):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            start = time.perf_counter()
            self.stack.append(name)
            try:
                result = fn(*args, **kwargs)
                return iter(list(result)) if generator else result
            finally:
                self.stack.pop()
                self.seconds[name] += time.perf_counter() - start

        return inner

    def by_model(self, verb: str, fn):
        watched = {"TpsRisk", "RiskHistory", "AreaRisk"}

        @functools.wraps(fn)
        def inner(target, *args, **kwargs):
            # a QuerySet (bulk_create, delete) or a model class (compute._upsert)
            model = getattr(target, "model", target).__name__
            if model not in watched:
                return fn(target, *args, **kwargs)
            where = " (areas)" if "areas" in self.stack else ""
            return self.timing(f"{verb} {model}{where}", fn)(target, *args, **kwargs)

        return inner

    def sql(self, execute, sql, params, many, context):
        self.queries[self.stack[-1] if self.stack else "other"] += 1
        return execute(sql, params, many, context)

    def install(self) -> None:
        from django.db.models.query import QuerySet

        from siaga.engines import risk as engine
        from siaga.risk import alerts, compute, providers

        compute.gather = self.timing("gather", compute.gather)
        compute._vulnerability_follow = self.timing("vulnerability", compute._vulnerability_follow)
        compute._areas_store = self.timing("areas", compute._areas_store)
        compute.audit_record = self.timing("audit", compute.audit_record)
        engine.compute_index = self.timing("compute_index", engine.compute_index)
        engine.rollup = self.timing("rollup", engine.rollup)
        engine.category_rises = self.timing("category_rises", engine.category_rises)
        alerts.fire_all = self.timing("alerts", alerts.fire_all)
        for name, label in (
            ("_category_alerts", "category alerts"),
            ("_trend_alerts", "trend alerts"),
            ("_cluster_alerts", "cluster alerts"),
        ):
            setattr(alerts, name, self.timing(label, getattr(alerts, name), generator=True))
        for name in (
            "VotersProvider", "IncidentsProvider", "LogisticsProvider", "MediaProvider",
            "ChecklistsProvider", "WilayahProvider",
        ):  # fmt: skip
            cls = getattr(providers, name)
            cls.collect = self.timing(f"collect {name}", cls.collect)
        compute._upsert = self.by_model("upsert", compute._upsert)
        QuerySet.bulk_create = self.by_model("bulk_create", QuerySet.bulk_create)
        QuerySet.delete = self.by_model("delete", QuerySet.delete)


def measure(n: int, args: argparse.Namespace, counts: dict[str, int]) -> dict:
    from django.db import connection
    from django.urls import reverse

    from siaga.core import clock
    from siaga.core.audit import AuditContext
    from siaga.risk import compute

    # The first reverse() loads the URLconf (every app's views and the API): a once-per-process
    # cost the product's worker pays at start, not a cost of the recomputation.
    start = time.perf_counter()
    reverse("risk:alerts")
    warmup = time.perf_counter() - start
    phases = Phases()
    phases.install()
    runs = []
    for r in range(args.repeat):
        clock.clear_cache()
        phases.reset()
        gc.collect()
        with connection.execute_wrapper(phases.sql):
            start = time.perf_counter()
            run = compute.risk_recompute(context=AuditContext(channel="system"))
            seconds = time.perf_counter() - start
        top = sum(phases.seconds.get(name, 0.0) for name in TOP_LEVEL)
        runs.append(
            {
                "seconds": seconds,
                "phases": dict(phases.seconds),
                "other": seconds - top,
                "queries": sum(phases.queries.values()),
                "queries_by_phase": dict(phases.queries),
                "alerts": run.alerts,
                "changed": run.changed,
            }
        )
        log(
            f"  run {r + 1}: {seconds:.2f} s, {run.alerts} alerts, {run.changed} changed, "
            f"{runs[-1]['queries']} queries {dict(phases.queries)}"
        )
        check(n, counts, r, run)
    if args.profile:
        profile_run(compute, clock, AuditContext)
    text = f"{summary(counts, runs)}; URLconf load before run 1 (not timed) {warmup:.2f} s"
    return {"runs": runs, "summary": text}


def check(n: int, counts: dict[str, int], r: int, run) -> None:
    """A benchmark of a broken run is worthless."""
    from siaga.core import clock
    from siaga.risk.models import AreaRisk, RiskAlert, RiskHistory, TpsRisk
    from siaga.wilayah.models import Tps

    day = clock.local_date(run.started_at)
    if run.tps != n or TpsRisk.objects.count() != n:
        fail(f"run {r + 1}: {run.tps} TPS computed, {TpsRisk.objects.count()} TpsRisk, want {n}")
    if RiskHistory.objects.filter(day=day, tps__isnull=False).count() != n:
        fail(f"run {r + 1}: the day's TPS history is not one row per TPS")
    areas = counts["desa"] + counts["kecamatan"] + counts["kabupaten"]
    if AreaRisk.objects.count() != areas:
        fail(f"run {r + 1}: {AreaRisk.objects.count()} AreaRisk, want {areas}")
    if RiskHistory.objects.filter(day=day, region__isnull=False).count() != areas:
        fail(f"run {r + 1}: the day's area history is not one row per area")
    unknown = Tps.objects.filter(vulnerability="").count()
    mapped_or_flagged = TpsRisk.objects.filter(assessed=True).count()
    if unknown < n - mapped_or_flagged - TpsRisk.objects.exclude(category="aman").count():
        fail(f"run {r + 1}: vulnerability does not follow the index ({unknown} unknown)")
    if Tps.objects.exclude(vulnerability="").count() < mapped_or_flagged:
        fail(f"run {r + 1}: a mapped TPS is still 'belum dinilai'")
    kinds = set(RiskAlert.objects.values_list("kind", flat=True))
    if r == 0 and not {"trend", "cluster"} <= kinds:
        fail(f"run 1: the planted rises and bursts fired only {sorted(kinds)}")
    if r > 0 and (run.alerts or run.changed):
        fail(f"run {r + 1}: nothing changed, yet {run.alerts} alerts and {run.changed} changes")


def summary(counts: dict[str, int], runs: list[dict]) -> str:
    from django.db.models import Count

    from siaga.risk.models import RiskAlert, TpsRisk
    from siaga.wilayah.models import Tps

    categories = dict(TpsRisk.objects.values_list("category").annotate(n=Count("pk")))
    vulnerability = dict(Tps.objects.values_list("vulnerability").annotate(n=Count("pk")))
    alerts = dict(RiskAlert.objects.values_list("kind").annotate(n=Count("pk")))
    return (
        f"{counts['desa']:,} desa, {counts['kecamatan']:,} kecamatan, {counts['kabupaten']:,} "
        f"kabupaten; {counts['assessed']:,} TPS mapped ({counts['indicator_values']:,} values), "
        f"{counts['incidents']:,} incidents; categories {categories}; vulnerability "
        f"{ {k or 'belum dinilai': v for k, v in vulnerability.items()} }; alerts {alerts}; "
        f"{runs[0]['changed']:,} TPS changed vulnerability in run 1"
    )


def profile_run(compute, clock, context_cls) -> None:
    import cProfile
    import io
    import pstats

    clock.clear_cache()
    profiler = cProfile.Profile()
    profiler.enable()
    compute.risk_recompute(context=context_cls(channel="system"))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    log(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
