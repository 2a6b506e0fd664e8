"""Election-day burst of incident reports against the real server, and the PostgreSQL fault drill.

Issue 5's targets: 50 concurrent clients submitting reports with a small photo for 2 minutes on
this 2-core machine, p95 latency under 500 ms, zero errors, and as many reports in the database
as were acknowledged; and, with PostgreSQL restarted in the middle of a burst, every report
acknowledged stored exactly once.

What runs, all on loopback and all removed at the end:

- a private PostgreSQL cluster (``initdb`` in a temporary folder, a free port; as root it runs
  as the ``postgres`` user), so the drill can stop it without touching a shared server;
- a scratch database on it, migrated, with the Kutai Timur demo (``demo_load``: 18 kecamatan,
  141 desa, 701 TPS, its agencies and users), the incident categories, and one field monitor per
  client (scoped to a desa of its own, assigned its TPS) with an API token;
- Siaga served by gunicorn as ``siaga serve`` runs it (sync workers, 2 by default) on a free
  port;
- the clients: threads with ``http.client``, each posting multipart reports (a fresh
  idempotency key, a random category and one of its TPS, a JPEG photo of 30 to 60 KB) to
  ``POST /api/v1/incidents`` with its Bearer token, one after the other (no pause between
  them unless --think gives one: a closed loop, the hardest load 50 clients can make). On a
  network error or a 5xx a client sends the same report with the same key again (backoff 50 ms
  doubling to 1 s) until it is acknowledged (200 or 201); any other answer is an error. At the
  end of the window a client finishes the report it is retrying (at most --grace seconds).

``--drill`` stops PostgreSQL (``pg_ctl stop -m fast``) at --drill-at seconds, starts it again
--outage seconds later, and the server has to recover on its own (CONN_HEALTH_CHECKS).

Checked afterwards in the database: one Incident per acknowledged key and no other, the ticket
acknowledged is the ticket stored, one Media row per report, the audit chain verifies and holds
one ``incident.create`` per report. Exits 1 when a target is missed.

    .venv/bin/python benchmarks/incidents_burst.py [--clients 50] [--seconds 120] [--workers 2]
    .venv/bin/python benchmarks/incidents_burst.py --drill [--clients 20] [--seconds 60]
        [--drill-at 20] [--outage 5]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import resource
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, print_header, print_table, scratch_django  # noqa: E402
from _server import Gunicorn, PrivatePostgres, pg_bin_dir  # noqa: E402

DB_NAME = "siaga_incidents_burst"
P95_TARGET_MS = 500.0


# --- the world -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reporter:
    username: str
    token: str
    tps_ids: tuple[int, ...]


def world_load(clients: int) -> tuple[list[Reporter], list[str]]:
    """The Kutai Timur demo, the categories and one field monitor with a token per client."""
    from django.db.models import Count

    from siaga.accounts.choices import Role
    from siaga.accounts.models import Agency
    from siaga.accounts.services import user_upsert
    from siaga.accounts.tokens import token_create
    from siaga.core.audit import AuditContext
    from siaga.demo.services import demo_load
    from siaga.incidents.catalogue import categories_seed
    from siaga.incidents.models import Category
    from siaga.wilayah.models import Region, Tps

    context = AuditContext.cli()
    demo_load(context=context, national_regions=False)
    categories_seed(context=context)
    polres = Agency.objects.get(code="polres")
    desa_codes = list(
        Tps.objects.values("desa_id")
        .annotate(n=Count("id"))
        .order_by("-n", "desa_id")
        .values_list("desa_id", flat=True)
    )
    reporters = []
    for i in range(clients):
        desa = Region.objects.get(code=desa_codes[i % len(desa_codes)])
        tps = list(Tps.objects.filter(desa=desa))
        user = user_upsert(
            context=context,
            username=f"pemantau.{i:03d}",
            role=Role.FIELD_MONITOR,
            agency=polres,
            scope=[desa],
            full_name=f"Bhabinkamtibmas {desa.name}",
            assigned_tps=tps,
        )
        _token, key = token_create(context=context, user=user, name="uji beban")
        reporters.append(Reporter(user.username, key, tuple(t.pk for t in tps)))
    categories = list(Category.objects.filter(active=True).values_list("code", flat=True))
    return reporters, categories


def photos(count: int = 8) -> list[bytes]:
    """JPEG photos of 30 to 60 KB (640 × 480: a gradient, noise and coloured blocks)."""
    from PIL import Image, ImageDraw, ImageFilter

    made = []
    for seed in range(count):
        rng = random.Random(seed)  # noqa: S311 - pictures, not secrets
        width, height = 640, 480
        ramp = Image.linear_gradient("L").resize((width, height))
        noise = Image.effect_noise((width, height), 40)
        image = Image.merge("RGB", (ramp, noise, Image.blend(ramp, noise, 0.5)))
        draw = ImageDraw.Draw(image)
        for _ in range(30):
            x, y = rng.randrange(width), rng.randrange(height)
            colour = tuple(rng.randrange(256) for _ in range(3))
            draw.rectangle([x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 120)], colour)
        image = image.filter(ImageFilter.GaussianBlur(0.8))
        for quality in range(90, 20, -5):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality)
            if len(out.getvalue()) <= 60_000:
                break
        data = out.getvalue()
        if not 30_000 <= len(data) <= 60_000:
            fail(f"photo of {len(data)} bytes, not 30 to 60 KB")
        made.append(data)
    return made


# --- the clients -----------------------------------------------------------------------------


@dataclass
class Ack:
    key: str
    ticket: str
    created: bool
    latency: float  # the acknowledged request, seconds
    to_ack: float  # from the first attempt of the report to its acknowledgement
    failed_attempts: int
    at: float  # seconds since the start, when acknowledged
    first_failure_at: float | None


@dataclass
class Tally:
    acks: list[Ack] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # final refusals: (status, detail)
    abandoned: list[str] = field(default_factory=list)  # keys given up after the grace period
    failures: list[tuple[float, str]] = field(default_factory=list)  # (at, what) per failed try
    lock: threading.Lock = field(default_factory=threading.Lock)


def multipart(fields: dict[str, str], photo: bytes, boundary: str) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = "".join(parts) + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="foto.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    return head.encode() + photo + f"\r\n--{boundary}--\r\n".encode()


def post(port: int, token: str, body: bytes, boundary: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            "/api/v1/incidents",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
            },
        )
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def client(
    n: int,
    reporter: Reporter,
    *,
    port: int,
    categories: list[str],
    pictures: list[bytes],
    start: float,
    deadline: float,
    grace: float,
    think: float,
    tally: Tally,
    barrier: threading.Barrier,
) -> None:
    rng = random.Random(n)  # noqa: S311 - a load, not secrets
    barrier.wait()
    time.sleep(max(0.0, start - time.perf_counter()))
    while time.perf_counter() < deadline:
        key = str(uuid.uuid4())
        boundary = uuid.uuid4().hex
        fields = {
            "idempotency_key": key,
            "category": rng.choice(categories),
            "tps": str(rng.choice(reporter.tps_ids)),
            "description": f"Uji beban {key[:8]}: kerumunan di sekitar TPS, mohon dipantau.",
            "people_involved": "",
        }
        body = multipart(fields, rng.choice(pictures), boundary)
        first = time.perf_counter()
        failed, backoff, first_failure = 0, 0.05, None
        while True:
            sent = time.perf_counter()
            try:
                status, content = post(port, reporter.token, body, boundary)
                what = f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                status, content, what = 0, b"", type(exc).__name__
            done = time.perf_counter()
            if status in (200, 201):
                answer = json.loads(content)
                with tally.lock:
                    tally.acks.append(
                        Ack(
                            key=key,
                            ticket=answer["ticket"],
                            created=status == 201,
                            latency=done - sent,
                            to_ack=done - first,
                            failed_attempts=failed,
                            at=done - start,
                            first_failure_at=first_failure,
                        )
                    )
                break
            if status == 0 or status >= 500 or status == 429:
                failed += 1
                if first_failure is None:
                    first_failure = sent - start
                with tally.lock:
                    tally.failures.append((done - start, what))
                if done > deadline + grace:
                    with tally.lock:
                        tally.abandoned.append(key)
                    break
                time.sleep(backoff * (0.5 + rng.random()))
                backoff = min(backoff * 2, 1.0)
                continue
            with tally.lock:
                tally.errors.append(f"{status} {content[:200].decode(errors='replace')}")
            break
        if think:
            time.sleep(think * (0.5 + rng.random()))  # on average --think seconds


def burst(
    *,
    port: int,
    reporters: list[Reporter],
    categories: list[str],
    pictures: list[bytes],
    seconds: float,
    grace: float,
    think: float = 0.0,
    drill=None,
) -> tuple[Tally, float, float]:
    """Run the clients (and the drill, if any); return the tally, the wall time and start."""
    tally = Tally()
    barrier = threading.Barrier(len(reporters) + 1)
    start = time.perf_counter() + 0.5
    deadline = start + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(n, reporter),
            kwargs={
                "port": port,
                "categories": categories,
                "pictures": pictures,
                "start": start,
                "deadline": deadline,
                "grace": grace,
                "think": think,
                "tally": tally,
                "barrier": barrier,
            },
            daemon=True,
        )
        for n, reporter in enumerate(reporters)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    while time.perf_counter() < start:
        time.sleep(0.01)
    drill_thread = None
    if drill is not None:
        drill_thread = threading.Thread(target=drill, args=(start,), daemon=True)
        drill_thread.start()
    for thread in threads:
        thread.join()
    if drill_thread is not None:
        drill_thread.join()
    return tally, time.perf_counter() - start, start


# --- checks ----------------------------------------------------------------------------------


@dataclass
class DbCheck:
    rows: int
    duplicates: int  # acknowledged keys stored more than once
    lost: int  # acknowledged keys not stored
    unacknowledged: int  # rows whose key was never acknowledged
    ticket_mismatch: int
    media_rows: int
    media_files: int
    audit_ok: bool
    audit_creates: int
    serious: int  # reports of severity tinggi or kritis: the secretariat must be notified
    serious_unnotified: int


@dataclass(frozen=True)
class Baseline:
    """What the database held before the burst (the demo brings reports of its own)."""

    last_pk: int
    media: int
    media_files: int
    audit_creates: int


def baseline(media_dir: Path) -> Baseline:
    from django.db.models import Max

    from siaga.core.models import AuditEvent
    from siaga.incidents.models import Incident, Media

    return Baseline(
        last_pk=Incident.objects.aggregate(m=Max("pk"))["m"] or 0,
        media=Media.objects.count(),
        media_files=_files(media_dir),
        audit_creates=AuditEvent.objects.filter(action="incident.create").count(),
    )


def _files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def db_check(tally: Tally, media_dir: Path, before: Baseline) -> DbCheck:
    """The reports stored during the burst (those after ``before``) against the answers."""
    from django.db import connections
    from django.db.models import Count

    from siaga.core.audit import audit_verify
    from siaga.core.models import AuditEvent
    from siaga.incidents.models import Incident, Media
    from siaga.notifications.models import Notification

    connections.close_all()  # the drill may have cut this process's connection
    burst = Incident.objects.filter(pk__gt=before.last_pk)
    stored: dict[str, list[str]] = {}
    for key, ticket in burst.values_list("idempotency_key", "ticket"):
        stored.setdefault(key, []).append(ticket)
    acked: dict[str, set[str]] = {}
    for ack in tally.acks:
        acked.setdefault(ack.key, set()).add(ack.ticket)
    duplicates = sum(1 for key in acked if len(stored.get(key, [])) > 1)
    duplicates += sum(1 for tickets in acked.values() if len(tickets) > 1)
    lost = sum(1 for key in acked if key not in stored)
    mismatch = sum(
        1 for key, tickets in acked.items() if key in stored and tickets != set(stored[key])
    )
    unacknowledged = sum(len(t) for key, t in stored.items() if key not in acked)
    rows = burst.count()
    per_incident = set(burst.annotate(n=Count("media")).values_list("n", flat=True).distinct())
    if rows and per_incident != {1}:
        fail(f"reports with other than one photo: media per report {sorted(per_incident)}")
    serious = burst.filter(severity__in=["tinggi", "kritis"])
    notified = set(
        Notification.objects.filter(object_type="incidents.incident").values_list(
            "object_id", flat=True
        )
    )
    unnotified = sum(1 for pk in serious.values_list("pk", flat=True) if str(pk) not in notified)
    verdict = audit_verify()
    creates = AuditEvent.objects.filter(action="incident.create").count() - before.audit_creates
    return DbCheck(
        rows=rows,
        duplicates=duplicates,
        lost=lost,
        unacknowledged=unacknowledged,
        ticket_mismatch=mismatch,
        media_rows=Media.objects.count() - before.media,
        media_files=_files(media_dir) - before.media_files,
        audit_ok=bool(getattr(verdict, "ok", verdict)),
        audit_creates=creates,
        serious=serious.count(),
        serious_unnotified=unnotified,
    )


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (from /proc), or 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu(pg: PrivatePostgres) -> dict[int, float]:
    """CPU so far of each process of the private cluster alive now (postmaster, backends)."""
    try:
        postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    try:
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    except OSError:
        children = []
    return {pid: cpu_seconds(pid) for pid in [postmaster, *map(int, children)]}


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the processes alive at the end used since ``before`` (new ones: all of it)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, help="concurrent clients (50; drill: 20)")
    parser.add_argument("--seconds", type=float, help="length of the burst (120; drill: 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (siaga serve: 2)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--grace", type=float, default=60, help="retrying after the end, at most")
    parser.add_argument("--think", type=float, default=0, help="mean pause between reports, s")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--drill", action="store_true", help="restart PostgreSQL mid-burst")
    parser.add_argument("--drill-at", type=float, default=20, help="seconds into the burst")
    parser.add_argument("--outage", type=float, default=5, help="seconds PostgreSQL stays down")
    args = parser.parse_args()
    clients = args.clients or (20 if args.drill else 50)
    seconds = args.seconds or (60 if args.drill else 120)
    if pg_bin_dir() is None:
        sys.exit("PostgreSQL server binaries (initdb, pg_ctl) not found.")

    with PrivatePostgres() as pg:
        os.environ["SIAGA_DATABASE_URL"] = pg.url(DB_NAME)
        with scratch_django() as tmp:
            print(f"loading the demo world and {clients} field monitors ...", file=sys.stderr)
            reporters, categories = world_load(clients)
            pictures = photos()
            print_header(
                "Incident reports: election-day burst"
                + (" with a PostgreSQL restart" if args.drill else ""),
                server=f"gunicorn config.wsgi:application, {args.workers} sync workers "
                "(as siaga serve), 127.0.0.1",
                postgres=f"private cluster, {pg.version}, fsync on",
                clients=f"{clients} threads, one report after the other, "
                + (f"pause {args.think:g} s on average" if args.think else "no pause"),
                photo=f"JPEG {min(map(len, pictures)):,} to {max(map(len, pictures)):,} bytes",
                seconds=seconds,
                load=" ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min, at start)",
                **(
                    {
                        "drill": f"pg_ctl stop -m fast at T+{args.drill_at:g} s, "
                        f"start {args.outage:g} s later"
                    }  # fmt: skip
                    if args.drill
                    else {}
                ),
            )
            from django.db import connections

            before = baseline(tmp / "data" / "media")
            connections.close_all()
            server = Gunicorn(
                env={}, workers=args.workers, threads=args.threads, log_dir=tmp / "logs"
            )
            drill_log: dict[str, float] = {}

            def drill(start: float) -> None:
                time.sleep(max(0.0, start + args.drill_at - time.perf_counter()))
                drill_log["stop"] = time.perf_counter() - start
                pg.stop("fast")
                drill_log["stopped"] = time.perf_counter() - start
                time.sleep(args.outage)
                drill_log["start"] = time.perf_counter() - start
                pg.start()
                drill_log["started"] = time.perf_counter() - start
                print(f"drill: {drill_log}", file=sys.stderr)

            try:
                print(f"gunicorn on port {server.port} ...", file=sys.stderr)
                server.start()
                cpu_before = resource.getrusage(resource.RUSAGE_SELF)
                pg_cpu_before = postgres_cpu(pg)
                print(f"burst: {clients} clients for {seconds:g} s ...", file=sys.stderr)
                tally, wall, _start = burst(
                    port=server.port,
                    reporters=reporters,
                    categories=categories,
                    pictures=pictures,
                    seconds=seconds,
                    grace=args.grace,
                    think=args.think,
                    drill=drill if args.drill else None,
                )
                cpu_after = resource.getrusage(resource.RUSAGE_SELF)
                server_cpu = sum(cpu_seconds(pid) for pid in server.worker_pids())
                pg_cpu = cpu_since({} if args.drill else pg_cpu_before, postgres_cpu(pg))
            finally:
                server.stop()
            check = db_check(tally, tmp / "data" / "media", before)
            report(args, clients, seconds, wall, tally, check, drill_log)
            client_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
                cpu_before.ru_utime + cpu_before.ru_stime
            )
            print(
                f"CPU during the burst ({wall:.1f} s of wall time, 2 cores = "
                f"{2 * wall:.0f} CPU s): clients {client_cpu:.1f} s, gunicorn workers "
                f"{server_cpu:.0f} s, PostgreSQL {pg_cpu:.0f} s"
                + (" (since the restart)" if args.drill else "")
            )
            problems = verdict(args, tally, check, drill_log)
            if args.json:
                summary = {
                    "clients": clients,
                    "seconds": seconds,
                    "workers": args.workers,
                    "wall_s": round(wall, 2),
                    **outcome(tally, check),
                    "drill": drill_log,
                    "problems": problems,
                }
                Path(args.json).write_text(json.dumps(summary, indent=2))
            return 1 if problems else 0


def outcome(tally: Tally, check: DbCheck) -> dict:
    """The figures of one run, for --json."""
    latencies = [a.latency * 1000 for a in tally.acks]
    return {
        "acknowledged": len(tally.acks),
        "p50_ms": round(pct(latencies, 50), 1),
        "p95_ms": round(pct(latencies, 95), 1),
        "p99_ms": round(pct(latencies, 99), 1),
        "errors": len(tally.errors),
        "failed_tries": len(tally.failures),
        "replays": sum(1 for a in tally.acks if not a.created),
        "abandoned": len(tally.abandoned),
        "max_outage_s": round(
            max((a.to_ack for a in tally.acks if a.failed_attempts), default=0), 2
        ),
        "db_rows": check.rows,
        "duplicates": check.duplicates,
        "lost": check.lost,
        "unacknowledged": check.unacknowledged,
        "ticket_mismatch": check.ticket_mismatch,
        "media_rows": check.media_rows,
        "audit_ok": check.audit_ok,
        "audit_creates": check.audit_creates,
        "serious": check.serious,
        "serious_unnotified": check.serious_unnotified,
    }


def report(args, clients, seconds, wall, tally: Tally, check: DbCheck, drill_log) -> None:
    latencies = [a.latency * 1000 for a in tally.acks]
    retries = sum(a.failed_attempts for a in tally.acks) + len(tally.abandoned)
    replays = sum(1 for a in tally.acks if not a.created)
    print_table(
        [
            "clients", "seconds", "acknowledged", "per s", "p50 ms", "p95 ms", "p99 ms",
            "errors", "retries", "replays", "db rows", "duplicates", "lost",
        ],
        [[
            clients, f"{seconds:g}", f"{len(tally.acks):,}", f"{len(tally.acks) / wall:.1f}",
            f"{pct(latencies, 50):.0f}", f"{pct(latencies, 95):.0f}", f"{pct(latencies, 99):.0f}",
            len(tally.errors), retries, replays, f"{check.rows:,}", check.duplicates, check.lost,
        ]],
    )  # fmt: skip
    print(
        "acknowledged: answers 200/201 (replays: 200, the report stored by an earlier try); "
        "latency of the acknowledged request; retries: failed tries sent again with the same key"
    )
    print(
        f"database (burst only): {check.rows:,} reports, {check.unacknowledged} never "
        f"acknowledged, {check.ticket_mismatch} ticket mismatches, {check.media_rows:,} media "
        "rows, "
        f"{check.media_files:,} files in the media folder, audit chain "
        f"{'verified' if check.audit_ok else 'BROKEN'} with {check.audit_creates:,} "
        "incident.create events"
    )
    print(
        f"notifications: {check.serious:,} reports of severity tinggi or kritis, "
        f"{check.serious_unnotified} of them with no notification to anyone"
    )
    if tally.errors:
        print(f"first errors: {tally.errors[:3]}")
    if tally.abandoned:
        print(f"abandoned after the grace period: {len(tally.abandoned)} reports")
    if args.drill:
        hit = [a for a in tally.acks if a.failed_attempts]
        outage = max((a.to_ack for a in hit), default=0.0)
        kinds: dict[str, int] = {}
        for _at, what in tally.failures:
            kinds[what] = kinds.get(what, 0) + 1
        first = min((at for at, _w in tally.failures), default=0.0)
        last = max((at for at, _w in tally.failures), default=0.0)
        print()
        print_table(
            [
                "acknowledged", "db rows", "duplicates", "lost", "reports retried",
                "failed tries", "max outage s", "failures from s", "to s",
            ],
            [[
                f"{len(tally.acks):,}", f"{check.rows:,}", check.duplicates, check.lost, len(hit),
                len(tally.failures), f"{outage:.1f}", f"{first:.1f}", f"{last:.1f}",
            ]],
        )  # fmt: skip
        print(
            f"PostgreSQL stopped at T+{drill_log.get('stop', 0):.1f} s (down at "
            f"{drill_log.get('stopped', 0):.1f} s), started at {drill_log.get('start', 0):.1f} s "
            f"(accepting at {drill_log.get('started', 0):.1f} s); max outage: the longest time "
            "a report that met a failure took to be acknowledged"
        )
        print("failed tries by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        step = 5
        buckets: dict[int, list[int]] = {}
        for ack in tally.acks:
            buckets.setdefault(int(ack.at // step), [0, 0])[0] += 1
        for at, _what in tally.failures:
            buckets.setdefault(int(at // step), [0, 0])[1] += 1
        print()
        print_table(
            ["from s", "to s", "acknowledged", "failed tries"],
            [[b * step, (b + 1) * step, *buckets[b]] for b in sorted(buckets)],
        )


def verdict(args, tally: Tally, check: DbCheck, drill_log: dict) -> list[str]:
    problems = []
    if check.lost:
        problems.append(f"{check.lost} acknowledged reports lost")
    if check.duplicates:
        problems.append(f"{check.duplicates} acknowledged reports stored twice")
    if check.ticket_mismatch:
        problems.append(f"{check.ticket_mismatch} tickets differ from the acknowledged ones")
    if check.unacknowledged > len(tally.abandoned):  # only a report given up may be unanswered
        problems.append(f"{check.unacknowledged} stored reports were never acknowledged")
    if not check.audit_ok or check.audit_creates != check.rows:
        problems.append("the audit chain does not verify or misses reports")
    if tally.errors:
        problems.append(f"{len(tally.errors)} errors")
    if args.drill:
        if "started" not in drill_log:
            problems.append("PostgreSQL was not restarted during the burst")
        elif not tally.failures:
            problems.append("the restart caused no failed tries: nothing was drilled")
    else:
        if check.rows != len({a.key for a in tally.acks}):
            problems.append("database count differs from the count acknowledged")
        latencies = [a.latency * 1000 for a in tally.acks]
        p95 = pct(latencies, 95)
        if not p95 < P95_TARGET_MS:
            problems.append(f"p95 {p95:.0f} ms, target under {P95_TARGET_MS:.0f} ms")
        if tally.failures:
            problems.append(f"{len(tally.failures)} failed tries without a fault injected")
    print("target: " + ("MET" if not problems else "MISSED: " + "; ".join(problems)))
    return problems


if __name__ == "__main__":
    sys.exit(main())
