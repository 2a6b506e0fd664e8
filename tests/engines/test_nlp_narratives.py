"""Narrative grouping: a small labelled set of Indonesian posts (rewrites of four messages and
unrelated posts on the same subjects), incremental loading of leaders, and stable signatures."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from siaga.engines.nlp.narratives import (
    DEFAULT_THRESHOLD,
    MIN_TOKENS,
    SIGNATURE_BYTES,
    Assignment,
    NarrativeIndex,
    similarity,
)
from siaga.engines.nlp.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]

# Each group: the first post, then copies and light rewrites of it (slang, a swapped word, a
# comment before a copy, a clause added, words reordered).
GROUPS = {
    "surat_suara": [
        "Waspada!! Surat suara sdh dicoblos duluan di TPS 05 Desa Sangatta Utara, yg ga percaya "
        "cek aja sendiri",
        "waspada surat suara sudah dicoblos duluan di TPS 05 desa Sangatta Utara, yang tidak "
        "percaya silakan cek sendiri",
        "Bener ga sih ini? Waspada!! Surat suara sdh dicoblos duluan di TPS 05 Desa Sangatta "
        "Utara, yg ga percaya cek aja sendiri",
        "WASPADA surat suara udh dicoblos duluan di TPS 07 Desa Sangatta Utara!!! yg ga percaya "
        "cek aja sendiri",
        "Hati2!! Surat suara sdh dicoblos duluan di TPS 05 Desa Sangatta Utara, yg ga yakin cek "
        "aja langsung",
        "Waspada, surat suara di TPS 05 Desa Sangatta Utara sudah dicoblos duluan, cek sendiri "
        "kalau tidak percaya",
        "Info dari grup sebelah, tolong dicek sebelum disebar ya teman2: Waspada!! Surat suara "
        "sdh dicoblos duluan di TPS 05 Desa Sangatta Utara, yg ga percaya cek aja sendiri",
    ],
    "serangan_fajar": [
        "Tim sukses paslon 2 bagi2 amplop 100rb di Kecamatan Bengalon tadi malam, serangan fajar "
        "sdh mulai",
        "tim sukses paslon 2 bagi bagi amplop 100 ribu di kecamatan Bengalon tadi malam, "
        "serangan fajar sudah dimulai",
        "Tim sukses paslon 2 bagi2 amplop 100rb di Kecamatan Bengalon semalam, serangan fajar "
        "sdh mulai guys",
        "Parah. Tim sukses paslon 2 bagi2 amplop 100rb di Kecamatan Bengalon tadi malam, "
        "serangan fajar sdh mulai",
        "tim sukses paslon dua bagi2 amplop 100rb di kec Bengalon tadi malam serangan fajar sdh "
        "mulai #pilkadabersih",
    ],
    "kpu_server": [
        "Server KPU diretas hacker asing, hasil rekap suara Kutai Timur sudah diubah sebelum "
        "diumumkan",
        "server KPU diretas hacker asing!!! hasil rekap suara kutai timur udah diubah sebelum "
        "diumumkan",
        "Katanya server KPU diretas hacker asing, hasil rekap suara Kutai Timur sudah diubah "
        "sebelum diumumkan, ngeri",
        "Server KPU dibobol hacker asing, hasil rekap suara Kutai Timur sudah diubah sebelum "
        "diumumkan",
    ],
    "ktp_palsu": [
        "Ribuan KTP palsu dicetak buat pemilih siluman di Sangatta, pengawas diam saja",
        "ribuan ktp palsu dicetak untuk pemilih siluman di sangatta, pengawas diam aja",
        "Ribuan KTP palsu dicetak buat pemilih siluman di Sangatta Selatan, pengawas diam saja. "
        "Usut tuntas!",
        "ribuan KTP palsu dicetak buat pemilih siluman di Sangatta, pengawas cuma diam saja",
    ],
}
# Same places, actors and election words as the groups, but other messages: each its own.
SINGLES = [
    "Surat suara untuk TPS di Sangatta Utara sudah tiba di gudang KPU dan dijaga polisi",
    "KPU Kutai Timur mengumumkan jadwal rekap suara tingkat kecamatan mulai besok pagi",
    "Pengawas TPS di Bengalon mengikuti bimbingan teknis dari Bawaslu hari ini",
    "Paslon 2 kampanye akbar di lapangan Bengalon, warga diminta tetap tertib",
    "Cek DPT kamu di website KPU sebelum hari pencoblosan ya, jangan sampai tidak terdaftar",
    "Harga beras di pasar Sangatta naik lagi minggu ini, warga mengeluh ke pemerintah",
    "Jalan poros Sangatta Bengalon rusak parah setelah hujan deras semalam",
    "Relawan membagikan masker dan air minum di posko banjir Desa Sangatta Utara",
    "Tim sukses paslon 1 menggelar doa bersama di masjid agung tadi malam",
    # a long comment quoting a short part of a message is a message of its own
    "Saya sudah tanya langsung ke petugas KPPS dan ketua RT, tidak ada surat suara yang "
    "dicoblos duluan, jangan gampang percaya berita di grup",
]
SHORT = ["hoax itu", "setuju banget", "mantap pak", "surat suara dicoblos"]


def _posts() -> tuple[list[str], list[str]]:
    """The labelled posts as they would arrive, and their labels.

    Round robin over the groups, so each group's first post arrives before its rewrites (as an
    original precedes its copies) and the groups are interleaved; one single between rounds.
    """
    labelled: list[tuple[str, str]] = []
    singles = [(f"single-{i}", t) for i, t in enumerate(SINGLES)]
    for position in range(max(map(len, GROUPS.values()))):
        labelled += [(g, texts[position]) for g, texts in GROUPS.items() if position < len(texts)]
        labelled += singles[2 * position : 2 * position + 2]
    labelled += singles[2 * position + 2 :]
    assert len(labelled) == sum(map(len, GROUPS.values())) + len(SINGLES)
    return [normalise(t) for _, t in labelled], [label for label, _ in labelled]


def _groups(assignments: list[Assignment]) -> list[object]:
    return [a.key if a.key is not None else a.new_key for a in assignments]


def _partition(labels: list) -> set[frozenset[int]]:
    blocks: dict[object, set[int]] = {}
    for i, label in enumerate(labels):
        blocks.setdefault(label, set()).add(i)
    return {frozenset(b) for b in blocks.values()}


def test_labelled_posts_are_grouped_exactly_as_labelled():
    texts, labels = _posts()
    assignments = NarrativeIndex().assign(texts)
    assert _partition(_groups(assignments)) == _partition(labels)
    assert sum(a.new_key is not None for a in assignments) == len(GROUPS) + len(SINGLES)


def test_threshold_sits_in_the_gap_between_rewrites_and_other_messages():
    """Why 0.5: rewrites score ≥ 0.55 with their first post, other messages ≤ 0.25."""
    index = NarrativeIndex()
    sig = {t: index.signature(normalise(t)) for g in GROUPS.values() for t in g}
    sig.update({t: index.signature(normalise(t)) for t in SINGLES})
    within = [similarity(sig[g[0]], sig[t]) for g in GROUPS.values() for t in g[1:]]
    firsts = [g[0] for g in GROUPS.values()] + SINGLES
    between = [
        similarity(sig[a], sig[b]) for i, a in enumerate(firsts) for b in firsts[i + 1 :]
    ] + [similarity(sig[t], sig[s]) for g in GROUPS.values() for t in g for s in SINGLES]
    assert min(within) >= DEFAULT_THRESHOLD + 0.05
    assert max(between) <= DEFAULT_THRESHOLD - 0.25


def test_estimated_similarity_follows_the_exact_jaccard_of_words_and_word_pairs():
    def shingles(text: str) -> set:
        words = text.split()
        return set(words) | set(zip(words, words[1:], strict=False))

    index = NarrativeIndex()
    texts = [normalise(t) for g in GROUPS.values() for t in g] + [normalise(s) for s in SINGLES]
    for a, b in zip(texts, texts[1:], strict=False):
        exact = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
        estimate = similarity(index.signature(a), index.signature(b))
        assert abs(estimate - exact) < 0.15, (a, b)


def test_short_posts_neither_start_nor_join_a_narrative():
    index = NarrativeIndex()
    short = [normalise(t) for t in SHORT]
    assert all(len(t.split()) < MIN_TOKENS for t in short)
    assignments = index.assign(short + short)
    assert assignments == [Assignment(None, None, 0.0, b"")] * (2 * len(SHORT))
    assert len(index) == 0
    assert index.signature(short[0]) == b""


def test_a_post_joins_a_narrative_started_earlier_in_the_same_batch():
    first, copy = (normalise(t) for t in GROUPS["kpu_server"][:2])
    a, b = NarrativeIndex().assign([first, copy])
    assert (a.key, a.new_key, a.similarity) == (None, 1, 1.0)
    assert (b.key, b.new_key) == (1, None)
    assert b.similarity >= DEFAULT_THRESHOLD
    assert similarity(a.signature, b.signature) == b.similarity


def test_copies_go_where_the_first_copy_went():
    index = NarrativeIndex()
    text = normalise(GROUPS["ktp_palsu"][0])
    first, copy = index.assign([text, text])
    (later,) = index.assign([text])
    assert (first.key, first.new_key) == (None, 1)
    assert (copy.key, copy.new_key, copy.similarity) == (1, None, 1.0)
    assert later == copy
    assert first.signature == copy.signature == index.signature(text)


def test_leaders_stored_after_one_batch_are_joined_by_the_next_batch():
    """What ingestion does: save the new narratives' leader signatures, reload them next day."""
    texts, labels = _posts()
    day_one = NarrativeIndex().assign(texts[:20])
    stored = {f"db-{a.new_key}": a.signature for a in day_one if a.new_key is not None}
    first_label = {}
    for a, label in zip(day_one, labels[:20], strict=True):
        first_label.setdefault(f"db-{a.key or a.new_key}", label)

    index = NarrativeIndex()
    for key, signature in stored.items():
        index.add(key, signature)
    day_two = index.assign(texts[20:])
    assert any(str(a.key).startswith("db-") for a in day_two)
    assert any(a.new_key is not None for a in day_two)
    for a, label in zip(day_two, labels[20:], strict=True):
        if label in first_label.values():
            assert a.key is not None, f"{label} should join its narrative of day one"
            assert first_label[a.key] == label
        else:
            assert a.key is None or not str(a.key).startswith("db-")


def test_new_keys_never_reuse_a_loaded_key():
    index = NarrativeIndex()
    signature = index.signature(normalise(SINGLES[0]))
    index.add(1, signature)
    index.add(2, index.signature(normalise(SINGLES[1])))
    new = index.assign([normalise(SINGLES[2]), normalise(SINGLES[3])])
    assert [a.new_key for a in new] == [3, 4]
    again = index.assign([normalise(SINGLES[0])])
    assert again[0].key == 1


def test_rename_gives_a_new_narrative_its_database_key():
    index = NarrativeIndex()
    text = normalise(GROUPS["ktp_palsu"][0])
    (created,) = index.assign([text])
    index.rename(created.new_key, "narrative-41")
    (joined,) = index.assign([normalise(GROUPS["ktp_palsu"][1])])
    assert joined.key == "narrative-41"
    assert created.new_key not in index
    with pytest.raises(ValueError, match="narrative-41"):
        index.rename(5, "narrative-41")


def test_add_names_the_narrative_of_a_bad_or_duplicate_signature():
    index = NarrativeIndex()
    good = index.signature(normalise(SINGLES[0]))
    assert len(good) == SIGNATURE_BYTES
    with pytest.raises(ValueError, match="narrative 'n-7'.*version-1"):
        index.add("n-7", good[:-4])
    with pytest.raises(ValueError, match="narrative 'n-8'"):
        index.add("n-8", b"\x02" + good[1:])
    index.add("n-9", good)
    with pytest.raises(ValueError, match="narrative 'n-9': already"):
        index.add("n-9", good)


def test_assign_names_the_row_of_a_text_that_is_not_a_string():
    with pytest.raises(TypeError, match="text 1"):
        NarrativeIndex().assign([normalise(SINGLES[0]), None])


def test_signature_is_pinned_and_the_same_in_another_process():
    """Stored leaders must stay comparable: a change of hashing must bump SIGNATURE_VERSION."""
    text = normalise(GROUPS["surat_suara"][0])
    here = NarrativeIndex().signature(text)
    assert hashlib.sha256(here).hexdigest()[:16] == "d283c5ee949a6285"
    code = (
        "import sys; from siaga.engines.nlp.narratives import NarrativeIndex; "
        "sys.stdout.write(NarrativeIndex().signature(sys.argv[1]).hex())"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", code, text],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=ROOT,
        )
        assert bytes.fromhex(out.stdout) == here
