"""The default social-media model: Siaga's own seed corpus and the model trained from it.

The corpus is the only training data Siaga ships (the public corpora may not be), so its shape is
checked here: known labels only, enough positives per label, no duplicates. The model trained from
it must flag clear examples written here (not in the corpus) and leave everyday posts alone; each
assertion is on a majority of a handful of examples, not on single sentences.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from siaga.engines.nlp.classifier import CARD_FILE, MODEL_FILE, README_FILE, load
from siaga.engines.nlp.normalise import normalise
from siaga.media.default_model import LABELS, SEED_CSV, ensure_default, seed_rows, train_default

MIN_POSITIVES = 120
MIN_UNLABELLED = 300

CLEAR = {
    "hoaks": [
        "BREAKING: KPU resmi membatalkan pilkada Kutim, semua surat suara ditarik hari ini",
        "info A1 ribuan surat suara sudah dicoblos untuk paslon 02 di gudang kecamatan",
        "aturan baru KPU: yang tidak bawa kartu keluarga tidak boleh mencoblos",
        "paslon 01 ternyata sudah mundur diam-diam, suaranya hangus semua",
        "air sumur di Sangatta mengandung racun tambang, jangan diminum seminggu",
    ],
    "ujaran_kebencian": [
        "pendukung paslon 03 itu sampah masyarakat semua, otaknya kosong",
        "perempuan jangan jadi pemimpin, tempatnya cuma di dapur",
        "orang cacat kayak dia gak pantas jadi bupati, bikin malu",
        "dasar kaum pendatang licik, gak bisa dipercaya sama sekali",
        "orang Bugis itu penjajah semua, bikin sempit kampung kita",
    ],
    "sara": [
        "orang Banjar itu penjajah, datang cuma merampas tanah kita",
        "jangan pilih calon yang agamanya beda, nanti masjid dibongkar",
        "usir semua orang Madura dari Bengalon sekarang juga",
        "umat Kristen itu kafir sesat, jangan dikasih tempat di kampung",
        "etnis Tionghoa cuma bisa nipu, jangan beli di tokonya",
    ],
    "provokasi": [
        "ayo kepung kantor Bawaslu malam ini, bakar kalau perlu",
        "blokade jalan poros sampai KPU batalkan hasilnya",
        "siapkan parang, kita serbu posko paslon 02 besok pagi",
        "tolak hasil pilkada, rebut paksa kotak suara dari PPK",
        "geruduk rumah ketua PPS, seret dia keluar",
    ],
    "kasar": [
        "bangsat lu, bacot terus dari pagi",
        "dasar goblok, kerja gitu aja gak becus",
        "anjing emang itu sopir, nyalip sembarangan",
        "tolol banget sih lu, udah dibilangin ngeyel",
        "kampret, helm gue ilang lagi di parkiran",
    ],
    "politik": [
        "KPU Kutim menetapkan jumlah DPT untuk pilkada tahun ini",
        "debat calon bupati kedua membahas infrastruktur jalan",
        "Bawaslu menertibkan baliho kampanye di Sangkulirang",
        "rekapitulasi suara di tingkat kecamatan selesai malam tadi",
        "paslon 02 kampanye di lapangan Muara Wahau hari ini",
    ],
}
EVERYDAY = [
    "hari ini masak sayur asem sama ikan asin, enak banget",
    "hujan dari pagi, jemuran gak kering-kering",
    "nonton bola bareng teman di warkop, seru",
    "anakku ulang tahun, mau bikin kue coklat",
    "jalan ke pasar macet karena ada truk mogok",
    "besok libur, mau mancing di sungai sama bapak",
]

# Hard negatives: political posts that mention a hoax, violence or failure without being one.
HARD_NEGATIVES = {
    "hoaks": [
        "KPU Kutim membantah kabar paslon 02 mundur, itu hoaks",
        "klarifikasi: foto kotak suara dibakar itu kejadian lama di daerah lain",
        "cek fakta, surat suara tercoblos di Bengalon ternyata editan, kata Bawaslu",
        "tidak benar pemilih wajib bawa KK, cukup KTP kata KPU",
    ],
    "provokasi": [
        "polisi amankan pelaku perusakan baliho di Sangatta, situasi kondusif",
        "sempat ada keributan saat rekap di PPK, sudah diredam aparat",
        "posko tim sukses dilempari batu, polisi menyelidiki pelakunya",
        "dua pendukung paslon adu mulut di depan TPS, tidak ada korban",
    ],
    "ujaran_kebencian": [
        "Bawaslu lamban menindak laporan politik uang, tolong profesional",
        "bupati gagal urus banjir, jangan pilih lagi",
        "janji kampanye soal jalan rusak belum ditepati sampai sekarang",
        "KPU harus transparan soal data pemilih ganda",
    ],
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("default_model")
    card = train_default(out)
    return out, card


def test_seed_csv_parses_with_known_labels_only():
    with SEED_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["text", "labels"]
        raw = list(reader)
    rows = seed_rows()
    assert len(rows) == len(raw)
    assert 900 <= len(rows) <= 1300
    for text, labels in rows:
        assert text.strip()
        assert set(labels) <= set(LABELS)
        assert len(labels) == len(set(labels))


def test_seed_counts_per_label_above_minimums():
    rows = seed_rows()
    counts = Counter(lab for _, labels in rows for lab in labels)
    for label in LABELS:
        assert counts[label] >= MIN_POSITIVES, (label, counts[label])
    assert sum(1 for _, labels in rows if not labels) >= MIN_UNLABELLED
    assert sum(1 for _, labels in rows if len(labels) > 1) >= 200
    # hard negatives: political posts that are neither hoaxes nor hate
    assert sum(1 for _, labels in rows if labels == ["politik"]) >= 200


def test_seed_has_no_duplicate_texts():
    texts = [text for text, _ in seed_rows()]
    assert len(set(texts)) == len(texts)
    assert len({normalise(t) for t in texts}) == len(texts)


def test_seed_has_no_handles_or_long_numbers():
    for text, _ in seed_rows():
        assert "@" not in text, text
        assert not any(len(tok) >= 7 and tok.isdigit() for tok in text.split()), text


def test_examples_here_are_not_in_the_seed():
    seed = {normalise(t) for t, _ in seed_rows()}
    written_here = [t for ex in (*CLEAR.values(), *HARD_NEGATIVES.values()) for t in ex]
    for text in written_here + EVERYDAY:
        assert normalise(text) not in seed, text


def test_train_default_writes_model_card_and_readme(trained):
    out, card = trained
    for name in (MODEL_FILE, CARD_FILE, README_FILE):
        assert (out / name).is_file(), name
    on_disk = json.loads((out / CARD_FILE).read_text("utf-8"))
    assert on_disk == card
    assert sorted(card["labels"]) == sorted(LABELS)
    assert card["seed_rows"] == len(seed_rows())
    assert card["analyst_rows"] == 0
    assert "Siaga seed corpus" in card["data"]
    assert "MIT" in card["data"] and "MIT" in card["licence"]
    assert set(card["heldout"]["f1"]) == set(LABELS)
    assert card["scores"] == card["heldout"]["f1"]
    assert all(0.5 < f1 <= 1.0 for f1 in card["heldout"]["f1"].values()), card["heldout"]
    readme = (out / README_FILE).read_text("utf-8")
    assert "Siaga seed corpus" in readme and "MIT" in readme


def test_the_card_names_the_label_rules_and_they_hold_in_the_seed(trained):
    out, card = trained
    rules = card["requires"]  # {label: [labels it is given only with]}
    assert rules and set(rules) <= set(LABELS)  # the seed has sara only with ujaran_kebencian
    for label, needed in rules.items():
        for row_labels in (labels for _text, labels in seed_rows()):
            if label in row_labels:
                assert set(needed) <= set(row_labels), (label, row_labels)
    readme = (out / README_FILE).read_text("utf-8")
    for label, needed in rules.items():
        assert f"{label} is given only with {', '.join(needed)}" in readme


@pytest.mark.parametrize("label", LABELS)
def test_model_flags_clear_examples(trained, label):
    model = load(trained[0])
    flagged = [label in labs for labs in model.predict(CLEAR[label])]
    assert sum(flagged) >= 4, list(zip(CLEAR[label], flagged, strict=True))


def test_model_leaves_everyday_posts_unflagged(trained):
    model = load(trained[0])
    predicted = model.predict(EVERYDAY)
    clean = [not labs for labs in predicted]
    assert sum(clean) >= len(EVERYDAY) - 1, list(zip(EVERYDAY, predicted, strict=True))


@pytest.mark.parametrize("label", sorted(HARD_NEGATIVES))
def test_model_does_not_flag_hard_negatives(trained, label):
    model = load(trained[0])
    predicted = model.predict(HARD_NEGATIVES[label])
    assert sum(label not in labs for labs in predicted) >= 3, predicted
    assert sum("politik" in labs for labs in predicted) >= 3, predicted


def test_extra_rows_are_counted_and_bad_labels_rejected(tmp_path):
    from siaga.engines.nlp.errors import TextDataError

    with pytest.raises(TextDataError, match=r"extra row 2, field 'labels'.*'spam'"):
        train_default(tmp_path / "bad", extra=[("teks", ["kasar"]), ("teks lain", ["spam"])])
    assert not (tmp_path / "bad" / MODEL_FILE).exists()
    extra = [("analis menandai ini sebagai provokasi, bakar kantor camat", ["provokasi"])]
    card = train_default(tmp_path / "good", extra=extra)
    assert card["analyst_rows"] == 1
    assert card["rows"] == card["seed_rows"] + 1
    assert "+ 1 analyst-labelled posts" in card["data"]


def test_ensure_default_trains_once(tmp_path):
    out = tmp_path / "model"
    assert ensure_default(out) == out
    model_file = out / MODEL_FILE
    first = model_file.stat().st_mtime_ns
    card = (out / CARD_FILE).read_text("utf-8")
    assert ensure_default(out) == out
    assert model_file.stat().st_mtime_ns == first
    assert (out / CARD_FILE).read_text("utf-8") == card
