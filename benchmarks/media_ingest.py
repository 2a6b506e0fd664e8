"""Ingestion benchmark (issue 6): 100,000 posts through ``siaga.media.ingest.ingest``.

Target: "ingestion of 100,000 posts (normalise, classify, match, cluster, geotag, store) in
under 3 minutes on SQLite and on PostgreSQL". The whole pipeline runs, on a scratch database
the script creates (SQLite ``var/bench-media-ingest.sqlite3``, or the PostgreSQL database
``siaga_bench_media`` on 127.0.0.1) and removes at the end:

* the Kemendagri regions of 64.08 Kutai Timur (``regions_load_reference``), so the gazetteer
  is the real one;
* 2,000 synthetic debunks (claim templates × places of the regency × actors × numbers);
* N synthetic posts from a seeded generator (nothing read from disk): everyday Pilkada chatter
  naming places of the regency (about half), copy-paste campaigns with light rewrites and a
  heavy-tailed size (about 30 %), debunked claims resurfacing in new words (about 10 %) and
  short replies (about 10 %), spread over the last 24 hours, so the spike detector sees a
  realistic window.

Each run starts from empty media tables (posts, narratives, batches, alerts) and forgets the
process caches of narratives; the text model, the claim index and the gazetteer are warmed up
before timing (they are built once per process in production too). Two ways in:

  webhook   N/1,000 calls of ``ingest`` with 1,000 records each, as a crawler pushes them
  file      one call with all N records, as ``siaga media ingest FILE`` does

The table gives the median of ``--repeat`` runs: wall seconds, posts/s and the seconds of each
stage as ``ingest(stats=...)`` reports them (parse, classify, match, geotag, narratives, store,
spikes). Every run is checked: all posts stored, some matched to a debunk, fewer narratives than
posts, places tagged.

    .venv/bin/python benchmarks/media_ingest.py [--posts 100000] [--db sqlite|postgres|both]
        [--repeat 1] [--mode webhook,file] [--profile OUT.prof]

With ``--db both`` each database runs in its own child process (Django is configured once per
process) and the parent prints both tables, then one table side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time

from _common import REPO, fail, median, print_header, print_table, scratch_django

REGENCY = "64.08"
DATABASES = {
    "sqlite": f"sqlite:///{REPO / 'var' / 'bench-media-ingest.sqlite3'}",
    "postgres": "postgres://postgres@127.0.0.1:5432/siaga_bench_media",
}
STAGES = ("parse", "classify", "match", "geotag", "narratives", "store", "spikes")
WEBHOOK_BATCH = 1_000
N_DEBUNKS = 2_000
N_CAMPAIGNS = 600
N_RESURFACING = 150
RESULT_PREFIX = "RESULT "

# --- the generator ------------------------------------------------------------------------------

ACTORS = (
    "tim sukses",
    "oknum camat",
    "kepala desa",
    "ketua rt",
    "oknum polisi",
    "petugas kpps",
    "relawan paslon",
    "pengurus partai",
    "oknum pns",
    "anggota dewan",
    "ketua ppk",
    "anggota pps",
)
TIMES = (
    "tadi malam",
    "kemarin sore",
    "minggu lalu",
    "subuh tadi",
    "hari senin",
    "dua hari lalu",
    "pagi ini",
    "sore tadi",
)
CLAIMS = (
    "surat suara sudah dicoblos duluan di tps {n} desa {place} oleh {actor}",
    "{actor} bagi bagi amplop {n} ribu di kecamatan {place} tadi malam",
    "server kpu diretas hacker asing dan hasil rekap suara {place} sudah diubah",
    "ribuan ktp palsu dicetak untuk pemilih siluman di {place}",
    "{actor} mengancam warga {place} yang tidak mau memilih paslon {n}",
    "kotak suara di tps {n} {place} dibawa kabur sebelum dihitung",
    "warga {place} dipaksa mencoblos paslon {n} oleh {actor}",
    "ada mobilisasi pemilih dari luar daerah ke {place} pakai truk",
    "{actor} terima suap {n} juta untuk memenangkan paslon nomor {n}",
    "logistik pemilu di {place} sengaja ditahan supaya tps telat buka",
    "daftar pemilih di {place} penuh nama orang yang sudah meninggal",
    "bansos di {place} hanya dibagikan ke pendukung paslon {n}",
    "massa bayaran akan menyerbu kantor kpu {place} besok pagi",
    "tinta pemilu di {place} bisa dihapus jadi orang bisa mencoblos dua kali",
    "{actor} ketahuan membakar surat suara sisa di belakang kantor desa {place}",
    "jumlah surat suara yang dikirim ke {place} lebih banyak dari jumlah pemilih",
    "petugas tps {n} {place} mengisi sendiri formulir c hasil di rumahnya",
    "jalan ke {place} ditutup {actor} supaya warga tidak bisa ke tps",
    "{actor} membagikan sembako berstiker paslon {n} di pasar {place}",
    "pemungutan suara di {place} diundur {n} hari karena kotak suara rusak",
)
DETAILS = (
    "videonya beredar di facebook sejak {time}",
    "sudah dilaporkan ke bawaslu {place} tapi tidak ditindak",
    "saksi paslon {n} diusir dari lokasi",
    "katanya perintah langsung dari {actor}",
    "warga {place} yang protes malah diintimidasi {actor}",
    "media lokal tidak berani memberitakan",
    "kejadiannya {time} sekitar jam {n}",
    "fotonya dikirim {actor} ke grup wa",
    "pelakunya naik mobil plat merah dari {place}",
    "semua sudah diatur dari {place}",
)
OPENERS = (
    "waspada!!",
    "info penting buat warga",
    "tolong disebar ya",
    "breaking news",
    "barusan dapat kabar dari grup",
    "viral di grup wa",
    "ini nyata bukan hoax",
    "mohon perhatian",
    "gawat",
)
CLOSERS = (
    "sebarkan sebelum dihapus",
    "kita harus lawan bersama",
    "jangan sampai pilkada kita dicurangi",
    "tolong viralkan",
    "bawaslu ke mana saja",
    "usut tuntas",
    "mari kawal suara kita",
    "tolong aparat segera bertindak",
)
CHATTER = (
    "Debat paslon malam ini ramai ditonton warga {place}, paslon {n} tampil lebih tenang",
    "Kampanye damai di lapangan {place} berjalan tertib, ada {n} ribu orang hadir",
    "Jalan ke {place} rusak parah, semoga bupati baru nanti peduli infrastruktur",
    "Sudah cek nama di DPT belum? Saya di TPS {n} {place} sudah terdaftar",
    "Hujan deras di {place} sore ini, semoga logistik pemilu aman",
    "Relawan paslon {n} bersih bersih pasar {place} pagi tadi, mantap",
    "KPU Kutai Timur gelar simulasi pemungutan suara di {place} hari ini",
    "Harga sembako di pasar {place} naik jelang pilkada, pemerintah tolong perhatikan",
    "Bawaslu ingatkan ASN di {place} jaga netralitas selama masa kampanye",
    "Ngopi bareng warga {place} bahas visi misi paslon {n} soal lapangan kerja",
    "Pendaftaran KPPS di {place} diperpanjang sampai minggu depan",
    "Listrik padam lagi di {place} {time}, PLN tolong perbaiki",
    "Pilkada damai itu tanggung jawab kita semua, salam dari warga {place}",
    "Paslon {n} janji bangun puskesmas di {place} kalau terpilih, kita tagih nanti",
    "Kapan ya hasil hitung cepat keluar? Warga {place} sudah penasaran",
    "Mantap pengamanan TPS di {place} oleh polisi dan linmas, tertib semua",
    "Anak muda {place} jangan golput, suara kalian menentukan Kutim lima tahun ke depan",
    "Dengar kabar {actor} di {place} ikut kampanye, bener ga sih?",
    "Sosialisasi tata cara mencoblos di balai desa {place} {time} sepi peminat",
    "Warga {place} gotong royong dirikan TPS {n} jelang hari pencoblosan",
)
HOSTILE = (
    "Dasar {actor} {place} bodoh semua, dibayar berapa kalian",
    "Pendatang di {place} tidak usah ikut campur pilkada kita, pulang saja",
    "Kalau paslon {n} kalah kita turun ke jalan, bakar kantor kpu {place}",
    "Kumpul besok di {place}, kita sweeping pendukung paslon {n}",
    "{actor} {place} itu kafir, jangan dipilih",
)
SHORT = (
    "setuju",
    "hoax itu",
    "mantap pak",
    "wkwkwk",
    "aamiin",
    "cek dulu guys",
    "sumber?",
    "ngeri",
    "lanjutkan",
    "semangat kpu",
)
SWAPS = {
    "sudah": ("udah", "sdh"),
    "tidak": ("ga", "gak", "tdk"),
    "yang": ("yg",),
    "warga": ("masyarakat",),
    "supaya": ("biar",),
    "untuk": ("buat", "utk"),
    "saja": ("aja",),
    "dipaksa": ("disuruh",),
    "hanya": ("cuma",),
}
COMMENTS = ("bener ga nih", "astaga", "parah", "kok bisa", "ini beneran?", "apa apaan ini")
TAGS = ("#pilkadadamai", "#kawalpilkada", "#kutim", "#pilkada2024", "#tolakcurang")
PLATFORMS = ("x", "x", "x", "facebook", "facebook", "tiktok", "instagram", "whatsapp")


def _fill(template: str, rng: random.Random, places: list[str]) -> str:
    return template.format(
        place=rng.choice(places),
        actor=rng.choice(ACTORS),
        n=rng.randint(1, 40),
        time=rng.choice(TIMES),
    )


def _rewrite(text: str, rng: random.Random) -> str:
    """A light rewrite: slang spellings, a word dropped, a comment or a hashtag added."""
    words = [rng.choice(SWAPS[w]) if w in SWAPS and rng.random() < 0.5 else w for w in text.split()]
    if len(words) > 8 and rng.random() < 0.3:
        del words[rng.randrange(len(words))]
    out = " ".join(words)
    if rng.random() < 0.25:
        out = rng.choice(COMMENTS) + " " + out
    if rng.random() < 0.2:
        out = "RT " + out
    if rng.random() < 0.3:
        out += " " + rng.choice(TAGS)
    return out


def debunk_claims(seed: int, places: list[str]) -> list[str]:
    """``N_DEBUNKS`` distinct debunked claims of the regency."""
    rng = random.Random(f"debunks-{seed}")  # noqa: S311 - seeded synthetic data
    claims: dict[str, None] = {}
    while len(claims) < N_DEBUNKS:
        claims[_fill(rng.choice(CLAIMS), rng, places)] = None
    return list(claims)


def _campaign(rng: random.Random, places: list[str]) -> str:
    parts = [_fill(rng.choice(CLAIMS), rng, places)]
    parts += [_fill(d, rng, places) for d in rng.sample(DETAILS, 2)]
    if rng.random() < 0.3:
        parts.insert(0, rng.choice(OPENERS))
    if rng.random() < 0.3:
        parts.append(rng.choice(CLOSERS))
    return ", ".join(parts)


def _chatter(rng: random.Random, places: list[str]) -> str:
    """An everyday post: one or two sentences, maybe a mention, a comment or a hashtag."""
    parts = [_fill(rng.choice(CHATTER), rng, places)]
    if rng.random() < 0.4:
        parts.append(_fill(rng.choice(CHATTER), rng, places))
    if rng.random() < 0.3:
        parts.insert(0, f"@akun_{rng.randrange(20_000):05d}")
    if rng.random() < 0.3:
        parts.append(rng.choice(COMMENTS))
    if rng.random() < 0.4:
        parts.append(rng.choice(TAGS))
    return " ".join(parts)


def _text(rng, places, campaigns, weights, resurfacing) -> str:
    kind = rng.random()
    if kind < 0.45:
        return _chatter(rng, places)
    if kind < 0.50:
        return _fill(rng.choice(HOSTILE), rng, places)
    if kind < 0.80:
        return _rewrite(rng.choices(campaigns, weights)[0], rng)
    if kind < 0.90:
        claim = rng.choice(resurfacing)
        return _rewrite(f"{rng.choice(OPENERS)} {claim}, {rng.choice(CLOSERS)}", rng)
    return rng.choice(SHORT)


def generate_posts(
    n: int, seed: int, places: list[str], claims: list[str], now: dt.datetime
) -> list[dict]:
    """``n`` webhook records (plain dicts of strings and numbers), oldest first."""
    rng = random.Random(f"posts-{seed}")  # noqa: S311 - seeded synthetic data
    campaigns = [_campaign(rng, places) for _ in range(N_CAMPAIGNS)]
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(N_CAMPAIGNS)]  # heavy-tailed sizes
    resurfacing = rng.sample(claims, N_RESURFACING)
    authors = [f"akun_{i:05d}" for i in range(20_000)]
    seconds = sorted(rng.uniform(60, 24 * 3600) for _ in range(n))
    records = []
    for i, back in enumerate(reversed(seconds)):
        likes = int(rng.paretovariate(1.2)) - 1
        records.append(
            {
                "platform": rng.choice(PLATFORMS),
                "external_id": f"bench-{seed}-{i:07d}",
                "text": _text(rng, places, campaigns, weights, resurfacing),
                "posted_at": (now - dt.timedelta(seconds=back)).isoformat(timespec="seconds"),
                "author": rng.choice(authors),
                "author_official": "true" if rng.random() < 0.01 else "false",
                "likes": likes,
                "shares": likes // rng.randint(2, 20),
                "replies": likes // rng.randint(3, 30),
                "url": f"https://contoh.id/p/{seed}/{i}",
            }
        )
    return records


# --- the database side --------------------------------------------------------------------------


def _place_names() -> list[str]:
    from siaga.wilayah.models import Region

    names = Region.objects.filter(code__startswith=REGENCY + ".").values_list("name", flat=True)
    return sorted({name.title() for name in names})


def _setup(seed: int) -> tuple[object, list[str]]:
    """Regions, the source and the debunks; returns (source, debunk claims)."""
    from siaga.core.audit import AuditContext
    from siaga.media import debunks, sources
    from siaga.media.choices import SourceKind, Verdict
    from siaga.media.models import Debunk
    from siaga.wilayah.reference import regions_load_reference

    regions_load_reference(context=AuditContext.cli(), only=REGENCY)
    source = sources.source_create(
        context=AuditContext.cli(),
        name="Perayap benchmark",
        kind=SourceKind.WEBHOOK,
        region_code=REGENCY,
        platform="x",
    )
    places = _place_names()
    claims = debunk_claims(seed, places)
    rng = random.Random(f"verdicts-{seed}")  # noqa: S311 - seeded synthetic data
    verdicts = [Verdict.FALSE] * 8 + [Verdict.MISLEADING, Verdict.UNPROVEN]
    Debunk.objects.bulk_create(
        [
            Debunk(
                claim=claim,
                verdict=rng.choice(verdicts),
                date=dt.date(2024, 11, 1) + dt.timedelta(days=i % 26),
                source_url=f"https://cekfakta.contoh.id/{i}",
                category="pemilu",
            )
            for i, claim in enumerate(claims)
        ],
        batch_size=500,
    )
    debunks.reset_cache()
    return source, claims


def _warm_up() -> None:
    """Build what each process builds once: the text model, the claim index, the gazetteer,
    the URL map (an alert links to its page)."""
    from django.urls import reverse

    from siaga.media import debunks, textmodel
    from siaga.media.places import gazetteer

    textmodel.current().predict_proba(["pemanasan"])
    debunks.claim_index()
    gazetteer()
    reverse("media:alerts")


def _empty_media_tables() -> None:
    from siaga.media import ingest as pipeline
    from siaga.media.models import IngestBatch, MediaAlert, Narrative, Post, PostEvent

    for model in (PostEvent, MediaAlert, Post, Narrative, IngestBatch):
        model.objects.all().delete()
    pipeline.reset_caches()


def _run(records: list[dict], source, batch_size: int) -> tuple[float, dict[str, float], int]:
    """One timed ingestion of all ``records`` in calls of ``batch_size``: (wall seconds, stage
    seconds with "cpu", this process's CPU seconds, added, posts stored)."""
    import gc

    from siaga.core.audit import AuditContext
    from siaga.media.ingest import ingest

    _empty_media_tables()
    stats: dict[str, float] = {}
    stored = 0
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(records), batch_size):
        chunk = records[first : first + batch_size]
        result = ingest(
            enumerate(chunk, first + 1), source=source, context=AuditContext.cli(), stats=stats
        )
        stored += result.stored
    stats["cpu"] = time.process_time() - cpu
    return time.perf_counter() - start, stats, stored


def _check(n: int, stored: int) -> dict[str, int]:
    from siaga.media.models import Narrative, Post

    posts = Post.objects.count()
    found = {
        "posts": posts,
        "matched": Post.objects.filter(debunk__isnull=False).count(),
        "tagged": Post.objects.exclude(places=[]).count(),
        "narratives": Narrative.objects.count(),
    }
    if stored != n or posts != n:
        fail(f"{n} posts sent, {stored} reported stored, {posts} in the database")
    if not found["matched"]:
        fail("no post was matched to a debunk")
    if not 0 < found["narratives"] < n:
        fail(f"{found['narratives']} narratives for {n} posts")
    if not found["tagged"]:
        fail("no post was tagged with a place")
    return found


def run_database(args: argparse.Namespace) -> list[dict]:
    """Benchmark one database in this process; returns one result row per mode."""
    os.environ["SIAGA_DATABASE_URL"] = DATABASES[args.db]
    (REPO / "var").mkdir(exist_ok=True)
    rows = []
    with scratch_django():
        from django.db import connection

        print(f"[{args.db}] regions, source, {N_DEBUNKS} debunks ...", file=sys.stderr, flush=True)
        source, claims = _setup(args.seed)
        places = _place_names()
        from siaga.core import clock

        records = generate_posts(args.posts, args.seed, places, claims, clock.now())
        print(f"[{args.db}] warming up the model ...", file=sys.stderr, flush=True)
        _warm_up()
        print_header(
            f"Siaga benchmark: media ingestion ({connection.vendor})",
            posts=f"{args.posts} synthetic (seed {args.seed}), {len(places)} place names",
            debunks=N_DEBUNKS,
            repeat=args.repeat,
        )
        for mode in args.mode.split(","):
            batch = WEBHOOK_BATCH if mode == "webhook" else len(records)
            runs = []
            for r in range(args.repeat):
                print(f"[{args.db}] {mode} run {r + 1} ...", file=sys.stderr, flush=True)
                if args.profile:
                    import cProfile

                    profiler = cProfile.Profile()
                    profiler.enable()
                seconds, stats, stored = _run(records, source, batch)
                if args.profile:
                    profiler.disable()
                    profiler.dump_stats(f"{args.profile}.{args.db}.{mode}")
                found = _check(args.posts, stored)
                runs.append((seconds, stats, found))
                print(f"[{args.db}] {mode}: {seconds:.1f} s {found}", file=sys.stderr, flush=True)
            rows.append(
                {
                    "db": connection.vendor,
                    "mode": f"{mode} ×{len(records) // batch}",
                    "posts": args.posts,
                    "seconds": median([s for s, _st, _f in runs]),
                    "stages": {
                        k: median([st.get(k, 0.0) for _s, st, _f in runs]) for k in (*STAGES, "cpu")
                    },
                    "found": runs[-1][2],
                }
            )
        print_rows(rows)
    return rows


def print_rows(rows: list[dict]) -> None:
    table = [
        [
            r["db"],
            r["mode"],
            r["posts"],
            f"{r['seconds']:.1f}",
            f"{r['posts'] / r['seconds']:,.0f}",
            f"{r['stages']['cpu']:.1f}",
            *(f"{r['stages'][k]:.1f}" for k in STAGES),
        ]
        for r in rows
    ]
    print_table(["db", "mode", "posts", "seconds", "posts/s", "cpu s", *STAGES], table)
    for r in rows:
        found = ", ".join(f"{k} {v}" for k, v in r["found"].items())
        print(f"{r['db']} {r['mode']}: {found}")
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode (median)")
    parser.add_argument("--mode", default="webhook,file", help="webhook, file or both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", help="write cProfile stats to PROFILE.<db>.<mode>")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db != "both":
        rows = run_database(args)
        if args.json:
            print(RESULT_PREFIX + json.dumps(rows), flush=True)
        return
    rows = []
    for db in ("sqlite", "postgres"):
        argv = ["--posts", str(args.posts), "--repeat", str(args.repeat), "--mode", args.mode]
        argv += ["--seed", str(args.seed), *(["--profile", args.profile] if args.profile else [])]
        child = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, *argv, "--db", db, "--json"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        for line in child.stdout.splitlines():
            if line.startswith(RESULT_PREFIX):
                rows += json.loads(line.removeprefix(RESULT_PREFIX))
            else:
                print(line)
        if child.returncode:
            fail(f"the {db} run exited with {child.returncode}")
    print("Both databases")
    print("==============")
    print_rows(rows)


if __name__ == "__main__":
    main()
