"""Gazetteer speed benchmark (issue 6, "Places"): posts/s of ``Gazetteer.find`` on one core.

Builds the Kutai Timur gazetteer (``../shared/data/wilayah/kutai_timur.csv`` plus the hand-written
aliases of ``siaga.media.place_aliases``), then runs ``find()`` over synthetic posts of about 200
characters: Indonesian filler words, with a place name (official, alias, hashtag, prefixed or
lower-cased) in a given share of them; the filler includes words that are also common-word place
names ("karangan", "mata air", "suka damai"), so even the 0 % posts exercise the matcher. Prints
build time and posts/s (wall clock and CPU time of this process, medians of 5 runs) per share of
posts naming a place. The target is at least 20,000 posts/s on one core; "ok" judges the CPU
figure, which stays meaningful when the machine is shared.

    .venv/bin/python benchmarks/media_places.py [--posts 20000] [--repeat 5] [--csv PATH]
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siaga.engines.nlp.places import Gazetteer, Place  # noqa: E402
from siaga.media.place_aliases import aliases_for  # noqa: E402

DEFAULT_CSV = ROOT.parent / "shared" / "data" / "wilayah" / "kutai_timur.csv"
TARGET = 20_000

_FILLER_TEXT = (
    "beredar kabar bahwa surat suara sudah dicoblos sebelum hari pemungutan di TPS warga "
    "diminta tidak percaya hoaks yang disebar akun anonim paslon nomor urut dua membagikan "
    "sembako dan uang kepada pemilih menurut Bawaslu informasi tersebut tidak benar karangan "
    "bunga mata air kami suka damai semoga makmur jaya https://t.co/abc123 @kpu_kutim 😡 !!!"
)
FILLER = _FILLER_TEXT.split()


def load_places(path: Path) -> list[Place]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Place(r["code"], r["name"], r["level"], r["parent_code"] or None)
            for r in csv.DictReader(f)
        ]


def place_phrase(rng: random.Random, places: list[Place], aliases: list[str]) -> str:
    place = rng.choice(places)
    name = place.name.removeprefix("Kabupaten ")
    style = rng.randrange(5)
    if style == 0:
        return "#" + name.replace(" ", "")
    if style == 1:
        return ("desa " if place.level == "village" else "kec. ") + name
    if style == 2:
        return name.lower()
    if style == 3:
        return rng.choice(aliases)
    return name


def make_posts(
    rng: random.Random, places: list[Place], aliases: list[str], n: int, share: float
) -> list[str]:
    posts = []
    for _ in range(n):
        words: list[str] = []
        length = 0
        while length < 190:
            words.append(rng.choice(FILLER))
            length += len(words[-1]) + 1
        if rng.random() < share:
            words.insert(rng.randrange(len(words)), place_phrase(rng, places, aliases) + ",")
        posts.append(" ".join(words))
    return posts


def run(gazetteer: Gazetteer, posts: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of find() over the posts, and the number of mentions found."""
    found = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for post in posts:
        found += len(gazetteer.find(post))
    return time.perf_counter() - wall, time.process_time() - cpu, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = parser.parse_args()
    if not args.csv.exists():
        print(f"skipped: shared region file absent ({args.csv})")
        return

    places = load_places(args.csv)
    aliases = aliases_for("64.08")
    started = time.perf_counter()
    gazetteer = Gazetteer(places, aliases)
    build_ms = (time.perf_counter() - started) * 1000
    alias_names = sorted({a for names in aliases.values() for a in names})

    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print(f"# {len(places)} places, {len(alias_names)} aliases, build {build_ms:.1f} ms")
    print(f"# {args.posts} posts per run, median of {args.repeat} runs, target {TARGET} posts/s")
    print(
        f"{'share with place':>16} {'mean chars':>10} {'mentions':>8} "
        f"{'posts/s wall':>12} {'posts/s CPU':>11} {'ok':>3}"
    )
    rng = random.Random(6)  # noqa: S311 - synthetic benchmark data
    for share in (0.0, 0.3, 1.0):
        posts = make_posts(rng, places, alias_names, args.posts, share)
        walls, cpus = [], []
        mentions = 0
        for _ in range(args.repeat):
            wall, cpu, mentions = run(gazetteer, posts)
            walls.append(wall)
            cpus.append(cpu)
        rate = len(posts) / statistics.median(walls)
        cpu_rate = len(posts) / statistics.median(cpus)
        mean_chars = statistics.fmean(len(p) for p in posts)
        if share and not mentions:
            sys.exit("no mention found in posts that name places: the run is not valid")
        ok = "yes" if cpu_rate >= TARGET else "NO"
        print(
            f"{share:>16.0%} {mean_chars:>10.0f} {mentions:>8} {rate:>12.0f} {cpu_rate:>11.0f} "
            f"{ok:>3}"
        )


if __name__ == "__main__":
    main()
