"""Benchmark of the scoped read paths a user hits, with many TPS (national scale) in one regency.

On a scratch database holding the Kemendagri regions of 64.08 (Kutai Timur, 141 desa) and N
synthetic TPS spread over its desa (bulk_create), it measures the median of --repeat requests
(django.test.Client, logged in with force_login) of:

  TPS list page 1     /api/v1/tps?page=1&page_size=100
  TPS list last page  the same, last page (OFFSET pagination reads past every earlier row)
  map                 /api/v1/map?region=64.08 (every TPS in scope, one request), payload bytes
  situation room      / (the page with the per-kecamatan panel)
  children summary    siaga.wilayah.selectors.region_children_summary(region=64.08), no HTTP

for a regency-scoped analyst and a kecamatan-scoped liaison, with the SQL queries per request
(CaptureQueriesContext, counted on a separate run). Every response is checked against the
expected TPS counts. With several sizes (--tps 10000,50000) the TPS are added between sizes and
the last column compares each time with the first size's.

    .venv/bin/python benchmarks/bench_scoped_reads.py [--tps 50000] [--repeat 9]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys

from _common import fail, median, print_header, print_table, scratch_django, timed

REGENCY = "64.08"
PAGE_SIZE = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tps", default="50000", help="number of TPS; a comma list for growth")
    parser.add_argument("--repeat", type=int, default=9, help="runs per read path (median shown)")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.tps.split(","))

    with scratch_django():
        from django.db import connection
        from django.db.models import Count
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from siaga.accounts.choices import Role
        from siaga.accounts.services import user_upsert
        from siaga.core.audit import AuditContext
        from siaga.wilayah.choices import Level
        from siaga.wilayah.models import Region, Tps
        from siaga.wilayah.reference import regions_load_reference
        from siaga.wilayah.selectors import region_children_summary

        context = AuditContext.cli()
        regions_load_reference(context=context, only=REGENCY)
        regency = Region.objects.get(code=REGENCY)
        desa_codes = sorted(
            Region.objects.filter(code__startswith=REGENCY + ".", level=Level.VILLAGE).values_list(
                "code", flat=True
            )
        )
        # The liaison's kecamatan: the one with the most desa (so the most TPS).
        kecamatan = (
            Region.objects.filter(parent=regency)
            .annotate(desa_count=Count("children"))
            .order_by("-desa_count", "code")
            .first()
        )
        users = {
            "analyst": user_upsert(
                context=context, username="bench-analyst", role=Role.ANALYST, agency=None,
                scope=[regency],
            ),
            "liaison": user_upsert(
                context=context, username="bench-liaison", role=Role.LIAISON, agency=None,
                scope=[kecamatan],
            ),
        }  # fmt: skip
        clients = {}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user, backend="siaga.accounts.backends.PeopleOnlyBackend")

        def add_tps(total: int) -> None:
            """Grow the TPS table to ``total`` rows, numbered within each desa."""
            rng = random.Random(total)  # noqa: S311 - synthetic data, not security
            start = Tps.objects.count()
            Tps.objects.bulk_create(
                (
                    Tps(
                        desa_id=desa_codes[i % len(desa_codes)],
                        number=i // len(desa_codes) + 1,
                        address=f"Jl. Poros RT {i // len(desa_codes) + 1:02d}",
                        lat=round(rng.uniform(0.3, 1.6), 6),
                        lon=round(rng.uniform(116.6, 118.4), 6),
                        dpt_male=rng.randint(100, 290),
                        dpt_female=rng.randint(100, 290),
                        special_location="lapas" if i % 997 == 0 else "",
                    )
                    for i in range(start, total)
                ),
                batch_size=2000,
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"VACUUM ANALYZE {Tps._meta.db_table}")

        def get(user: str, url: str, expect_tps: int, expect_items: int | None = None):
            """A GET whose answer is checked against the TPS the user should see."""

            def read():
                response = clients[user].get(url)
                if response.status_code != 200:
                    fail(f"{url} as {user}: HTTP {response.status_code}")
                return response

            def check(response) -> int:
                if url.startswith("/api/v1/tps"):
                    data = json.loads(response.content)
                    if data["count"] != expect_tps or len(data["items"]) != expect_items:
                        fail(f"{url} as {user}: {data['count']} TPS, {len(data['items'])} items")
                elif url.startswith("/api/v1/map"):
                    data = json.loads(response.content)
                    if data["totals"]["tps"] != expect_tps or len(data["tps"]) != expect_tps:
                        fail(f"{url} as {user}: {data['totals']['tps']} TPS, not {expect_tps}")
                return len(response.content)

            return read, check

        def summary(user: str, expect_tps: int):
            def read():
                users[user].__dict__.pop("_siaga_scope", None)  # as a fresh request would
                return region_children_summary(user=users[user], region=regency)

            def check(children) -> None:
                found = sum(child.totals.tps for child in children)
                if found != expect_tps:
                    fail(f"region_children_summary as {user}: {found} TPS, not {expect_tps}")

            return read, check

        print_header(
            "Siaga benchmark: scoped reads",
            scope=f"analyst: {REGENCY} {regency.name}; liaison: kecamatan {kecamatan.code} "
            f"{kecamatan.name} ({kecamatan.desa_count} of {len(desa_codes)} desa)",
            boundaries="none (the Kemendagri code list has no polygons): map bytes are TPS rows",
            repeat=args.repeat,
        )
        rows, first_size_ms = [], {}
        for size in sizes:
            print(f"  {size} TPS", file=sys.stderr)
            add_tps(size)
            in_kecamatan = Tps.objects.filter(desa__code__startswith=kecamatan.code + ".").count()
            last_page = math.ceil(size / PAGE_SIZE)
            tps_url = f"/api/v1/tps?page=%d&page_size={PAGE_SIZE}"
            paths = [
                ("TPS list page 1", "analyst", get("analyst", tps_url % 1, size, PAGE_SIZE)),
                (
                    "TPS list page 1",
                    "liaison",
                    get("liaison", tps_url % 1, in_kecamatan, min(PAGE_SIZE, in_kecamatan)),
                ),
                (
                    f"TPS list last page ({last_page})",
                    "analyst",
                    get("analyst", tps_url % last_page, size, size - (last_page - 1) * PAGE_SIZE),
                ),
                ("map region=64.08", "analyst", get("analyst", "/api/v1/map?region=64.08", size)),
                (
                    "map region=64.08",
                    "liaison",
                    get("liaison", "/api/v1/map?region=64.08", in_kecamatan),
                ),
                ("situation room /", "analyst", get("analyst", "/", size)),
                ("situation room /", "liaison", get("liaison", "/", in_kecamatan)),
                ("region_children_summary", "analyst", summary("analyst", size)),
                ("region_children_summary", "liaison", summary("liaison", in_kecamatan)),
            ]
            for label, user, (read, check) in paths:
                with CaptureQueriesContext(connection) as queries:
                    size_bytes = check(read())  # also warms caches before the timed runs
                query_count = len(queries)  # now: the next request resets the query log
                seconds = median([timed(read)[0] for _ in range(args.repeat)])
                key = (label.split(" (")[0], user)
                first_size_ms.setdefault(key, seconds)
                rows.append(
                    [
                        f"{size:,}",
                        label,
                        user,
                        f"{seconds * 1000:.1f}",
                        query_count,
                        f"{size_bytes:,}" if size_bytes else "-",
                    ]
                )
                if len(sizes) > 1:
                    rows[-1].append(f"{seconds / first_size_ms[key]:.2f}")
        headers = ["TPS", "read path", "user", "median ms", "queries", "bytes"]
        print_table(headers + ([f"× at {sizes[0]:,}"] if len(sizes) > 1 else []), rows)
        print("checks passed: every answer holds the TPS its user's scope covers.")


if __name__ == "__main__":
    main()
