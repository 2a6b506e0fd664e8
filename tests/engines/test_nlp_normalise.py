"""Normalisation of informal Indonesian text (siaga.engines.nlp.normalise)."""

import csv
from pathlib import Path

import pytest

from siaga.engines.nlp.normalise import normalise
from siaga.engines.nlp.slang import SLANG

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "text"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Twitter artefacts of the Ibrohim corpora
        ("RT USER: USER siapa yang datang URL", "siapa yang datang"),
        ("rt setempat", "rt setempat"),  # lower-case rt is the neighbourhood unit, kept
        # Alfina: real handles and escaped t.co links
        ("RT @spardaxyz: Ahok https:\\/\\/t.co\\/KH5vIRwPdO \\u2026", "ahok"),
        ("lihat https://t.co/abc123 dan www.contoh.com/x", "lihat dan"),
        ("halo @budi_01 apa kabar", "halo apa kabar"),
        ("baris satu\\nbaris dua", "baris satu baris dua"),
        ("&quot;hoaks&quot; &amp; fitnah", "hoaks fitnah"),
        ("[QUOTE=abc;123]kutipan[/QUOTE] balasan", "kutipan balasan"),
        # byte escapes are decoded back to the emoji, repeated emoji folded
        ("lucu \\xf0\\x9f\\x98\\x82\\xf0\\x9f\\x98\\x82", "lucu 😂"),
        ("panas🔥🔥🔥sekali", "panas 🔥 sekali"),
        # repeated letters
        ("bangeeet", "banget"),
        ("parahhhh", "parah"),
        ("maaaaf", "maaf"),
        ("saaaat ini", "saat ini"),
        ("maaf saat taat", "maaf saat taat"),
        ("wkwkwkwk", "wkwk"),
        ("hahahaha", "haha"),
        # leetspeak only inside mixed words
        ("4nj1ng", "anjing"),
        ("b0d0h", "bodoh"),
        ("covid19 pilkada2024 2024", "covid19 pilkada2024 2024"),
        ("g30s", "g30s"),
        # reduplication
        ("kata2", "kata kata"),
        ("anak2 ngamuk2", "anak anak ngamuk ngamuk"),
        # slang dictionary
        ("yg gk bgt", "yang tidak banget"),
        ("udh blm jd org", "sudah belum jadi orang"),
        ("klo tp dr sm bs jg lg emg", "kalau tapi dari sama bisa juga lagi memang"),
        ("gpp", "tidak apa apa"),
        # election words stay
        ("paslon pilkada kpu bawaslu kpps", "paslon pilkada kpu bawaslu kpps"),
        # punctuation and spaces
        ("Halo!!!   Dunia...?", "halo dunia"),
        ("#TolakHoaks #Pilkada2024", "tolakhoaks pilkada2024"),
    ],
)
def test_each_rule(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("empty", ["", "   ", "\\n", "USER URL", "!!!", None])
def test_empty_input_gives_empty_string(empty):
    assert normalise(empty) == ""


def test_non_string_input_is_normalised_as_text():
    assert normalise(12345) == "12345"
    assert normalise(3.5) == "3 5"


def test_no_slang_value_is_itself_a_key_so_the_dictionary_is_idempotent():
    assert len(SLANG) >= 300
    chained = {k: v for k, v in SLANG.items() if any(SLANG.get(t, t) != t for t in v.split())}
    assert chained == {}


def test_idempotent_on_tricky_inputs():
    for raw in ["gpp bgt 4nj1ng kata2 maaaaf 😂😂", "RT @x: https:\\/\\/t.co\\/y yg2 wkwkwk"]:
        once = normalise(raw)
        assert normalise(once) == once


@pytest.fixture(scope="module")
def posts():
    path = DATA / "id_multilabel_hs" / "train.csv"
    if not path.exists():
        pytest.skip(f"shared text data absent ({path}); see ../shared/data/text/README.md")
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)][:3000]


def test_idempotent_and_clean_on_real_tweets(posts):
    for raw in posts:
        once = normalise(raw)
        assert normalise(once) == once
        assert "\\x" not in once and "user" not in once.split() and "http" not in once
        assert once == once.lower() and "  " not in once
