"""Narrative grouping benchmark (issue 6): speed and pairwise quality of ``NarrativeIndex``.

There is no labelled corpus of Indonesian copy-paste campaigns, so posts are generated (seeded,
nothing read from disk): each narrative is a message of about 150 characters, a claim and two
details (templates filled with places, actors, numbers, times) with or without an opener and a
closer (30 % each). Its posts are copies and light rewrites of it (synonyms swapped, slang
spellings, a word dropped, a short comment or a hashtag added). Narrative sizes are
heavy-tailed: most are singletons, a few campaigns reach thousands of posts. Different
narratives built on the same templates with other places and actors are the hard negatives.

The posts are normalised (``siaga.engines.nlp.normalise``, not timed) and assigned in batches
as ingestion does. For each threshold the script prints the wall and CPU seconds and posts/s
(wall) of signatures and assignment on one core, the number of narratives found vs the truth,
the pairwise precision / recall / F1 of the grouping (a true pair: two posts the generator made
from the same narrative; a found pair: two posts assigned to the same narrative) and, since
pairs are dominated by the large campaigns, the share of the one-post narratives that were left
alone ("alone").

    .venv/bin/python benchmarks/media_narratives.py [--posts 100000] [--batch 5000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siaga.engines.nlp.narratives import NarrativeIndex  # noqa: E402
from siaga.engines.nlp.normalise import normalise  # noqa: E402

THRESHOLDS = (0.4, 0.5, 0.6)

OPENERS = (
    "waspada!!",
    "info penting buat warga",
    "tolong disebar ya",
    "breaking news",
    "barusan dapat kabar dari grup",
    "hati hati semua",
    "fakta yang disembunyikan media",
    "viral di grup wa",
    "jangan diam saja",
    "kabar dari kampung sebelah",
    "saudara saudara sekalian",
    "ini nyata bukan hoax",
    "mohon perhatian",
    "buka mata kalian",
    "gawat",
)
CLAIMS = (
    "surat suara sudah dicoblos duluan di tps {n} desa {place} oleh petugas kpps",
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
    "pendatang di {place} dilarang memilih kalau tidak bawa surat rekomendasi {actor}",
    "jalan ke {place} ditutup {actor} supaya warga tidak bisa ke tps",
    "{actor} membagikan sembako berstiker paslon {n} di pasar {place}",
)
DETAILS = (
    "videonya beredar di facebook sejak {time}",
    "sudah dilaporkan ke bawaslu {place} tapi tidak ditindak",
    "saksi paslon {n} diusir dari lokasi",
    "polisi yang berjaga di {place} pura pura tidak melihat",
    "katanya perintah langsung dari {actor}",
    "warga {place} yang protes malah diintimidasi {actor}",
    "media lokal tidak berani memberitakan",
    "kejadiannya {time} sekitar jam {n}",
    "{actor} juga ikut terlibat",
    "sudah {n} kali terjadi sejak {time}",
    "fotonya dikirim {actor} ke grup wa",
    "{actor} menolak memberi keterangan",
    "pelakunya naik mobil plat merah dari {place}",
    "yang melapor malah dipecat {actor}",
    "semua sudah diatur dari {place}",
)
TIMES = (
    "tadi malam",
    "kemarin sore",
    "minggu lalu",
    "subuh tadi",
    "hari senin",
    "hari jumat",
    "dua hari lalu",
    "pagi ini",
    "malam minggu",
    "sore tadi",
)
CLOSERS = (
    "sebarkan sebelum dihapus",
    "yang tidak percaya cek saja sendiri",
    "kita harus lawan bersama",
    "jangan sampai pilkada kita dicurangi",
    "tolong viralkan",
    "bawaslu ke mana saja",
    "usut tuntas",
    "sudah ada videonya di grup",
    "saya punya buktinya",
    "mari kawal suara kita",
    "ini demokrasi atau apa",
    "tolong aparat segera bertindak",
)
PLACES = (
    "sangatta utara",
    "sangatta selatan",
    "bengalon",
    "muara wahau",
    "kongbeng",
    "kaliorang",
    "sangkulirang",
    "rantau pulung",
    "teluk pandan",
    "busang",
    "long mesangat",
    "telen",
    "muara ancalong",
    "muara bengkal",
    "batu ampar",
    "kaubun",
    "karangan",
    "sandaran",
    "teluk lingga",
    "singa gembara",
    "swarga bara",
    "tepian baru",
    "sepaso",
    "miau baru",
)
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
)
# Rewrites: a word replaced by a synonym or written the way people write it.
SWAPS = {
    "sudah": ("udah", "sdh", "telah"),
    "tidak": ("ga", "gak", "nggak", "tdk"),
    "yang": ("yg",),
    "dicoblos": ("dicobloss", "dicontreng"),
    "warga": ("masyarakat", "penduduk"),
    "oleh": ("sama",),
    "supaya": ("biar", "agar"),
    "kabur": ("lari",),
    "dibagikan": ("dibagi",),
    "besok": ("bsk",),
    "untuk": ("buat", "utk"),
    "kalau": ("kalo", "klo"),
    "saja": ("aja",),
    "sebelum": ("sblm",),
    "ribuan": ("ribuan ribuan",),
    "membakar": ("bakar",),
    "dipaksa": ("disuruh",),
    "hanya": ("cuma", "cuman"),
    "ditutup": ("diblokir",),
    "penuh": ("banyak",),
}
COMMENTS = (
    "bener ga nih",
    "astaga",
    "ngeri",
    "parah",
    "cek dulu guys",
    "kok bisa",
    "hmm",
    "ini beneran?",
    "duh",
    "apa apaan ini",
    "serius?",
    "mana bawaslu",
)
TAGS = ("#pilkadadamai", "#kawalpilkada", "#kutim", "#pilkada2024", "#tolakcurang")


def fill(rng: random.Random, template: str) -> str:
    return template.format(
        n=rng.randint(1, 40),
        place=rng.choice(PLACES),
        actor=rng.choice(ACTORS),
        time=rng.choice(TIMES),
    )


def message(rng: random.Random) -> str:
    """A claim and two details, each with its own place, actor, number or time; an opener and
    a closer now and then."""
    claim = fill(rng, rng.choice(CLAIMS))
    details = ", ".join(fill(rng, d) for d in rng.sample(DETAILS, 2))
    opener = rng.choice(OPENERS) + " " if rng.random() < 0.3 else ""
    closer = ". " + rng.choice(CLOSERS) if rng.random() < 0.3 else ""
    return f"{opener}{claim}, {details}{closer}"


def rewrite(rng: random.Random, text: str) -> str:
    """A copy (40 %) or a light rewrite of ``text``."""
    if rng.random() < 0.4:
        return text
    words = text.split()
    for i, w in enumerate(words):
        if w in SWAPS and rng.random() < 0.5:
            words[i] = rng.choice(SWAPS[w])
    if len(words) > 12 and rng.random() < 0.3:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.25:
        words[:0] = rng.choice(COMMENTS).split()
    if rng.random() < 0.2:
        words.append(rng.choice(TAGS))
    if rng.random() < 0.2:
        words = [w.upper() if rng.random() < 0.3 else w for w in words]
    return " ".join(words)


def narrative_size(rng: random.Random) -> int:
    """Heavy-tailed: about 70 % singletons, a few campaigns of thousands."""
    if rng.random() < 0.7:
        return 1
    return min(int(rng.paretovariate(0.9)) + 1, 5000)


def generate(total: int, seed: int) -> tuple[list[str], list[int]]:
    """``total`` posts (shuffled) and the narrative each was made from."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    posts: list[str] = []
    truth: list[int] = []
    narrative = 0
    while len(posts) < total:
        base = message(rng)
        for _ in range(min(narrative_size(rng), total - len(posts))):
            posts.append(rewrite(rng, base))
            truth.append(narrative)
        narrative += 1
    order = list(range(total))
    rng.shuffle(order)
    return [posts[i] for i in order], [truth[i] for i in order]


def pairs(labels: list) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def pairwise(found: list, truth: list[int]) -> tuple[float, float, float]:
    true_pairs = pairs(truth)
    found_pairs = pairs(found)
    both = pairs(list(zip(found, truth, strict=True)))
    precision = both / found_pairs if found_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def singletons_kept(found: list, truth: list[int]) -> float:
    """Share of the generator's one-post narratives that were left alone (not merged)."""
    truth_sizes = Counter(truth)
    found_sizes = Counter(found)
    alone = [found_sizes[f] == 1 for f, t in zip(found, truth, strict=True) if truth_sizes[t] == 1]
    return sum(alone) / len(alone) if alone else 1.0


def run(texts: list[str], threshold: float, batch: int) -> tuple[list, float, float]:
    index = NarrativeIndex(threshold=threshold)
    found: list = []
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), batch):
        for row, a in enumerate(index.assign(texts[i : i + batch]), start=i):
            # a too-short post is a group of its own
            found.append(a.key if a.key is not None else a.new_key or ("short", row))
    return found, time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    raw, truth = generate(args.posts, args.seed)
    texts = [normalise(t) for t in raw]
    mean_chars = sum(map(len, raw)) / len(raw)
    singletons = sum(1 for n in Counter(truth).values() if n == 1)
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpu")
    print(
        f"# {len(raw)} posts, {mean_chars:.0f} chars on average, {len(set(truth))} narratives "
        f"({singletons} singletons), batches of {args.batch}, seed {args.seed}"
    )
    print(
        f"{'threshold':>9} {'wall s':>7} {'cpu s':>6} {'posts/s':>8} {'found':>7} {'truth':>7} "
        f"{'precision':>9} {'recall':>7} {'F1':>6} {'alone':>6}"
    )
    for threshold in THRESHOLDS:
        found, seconds, cpu = run(texts, threshold, args.batch)
        precision, recall, f1 = pairwise(found, truth)
        assert len(found) == len(texts)
        print(
            f"{threshold:>9.2f} {seconds:>7.1f} {cpu:>6.1f} {len(texts) / seconds:>8.0f} "
            f"{len(set(found)):>7} {len(set(truth)):>7} "
            f"{precision:>9.3f} {recall:>7.3f} {f1:>6.3f} {singletons_kept(found, truth):>6.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
