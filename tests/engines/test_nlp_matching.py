"""Claim matching (issue 6, point 3) and `siaga media match` (point 6): no database needed."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from sklearn.feature_extraction.text import TfidfVectorizer

from siaga.engines.nlp.errors import TextDataError
from siaga.engines.nlp.matching import ClaimIndex, clean_claim, match_csv

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "text"

CLAIMS = [
    "[SALAH] Surat suara Pilkada sudah dicoblos sebelum hari pemungutan",
    "Gunung Lawu bakal erupsi besar minggu depan",
    "HOAKS: Pemadaman listrik total di Jawa dan Bali selama tiga hari",
    "KPU memindahkan TPS ke rumah kepala desa",
]
POSTS = [
    "Warga heboh!! katanya kertas suara pilkada udah dicoblosin duluan sblm hari H",
    "awas pemadaman listrik se-jawa bali 3 hari full, siapkan lilin",
    "lava naik di gn lawu, erupsinya bakal besar, waspada",
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_out(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "claims": write_csv(
            tmp_path / "claims.csv", ["id", "claim"], [[str(i), c] for i, c in enumerate(CLAIMS)]
        ),
        "input": write_csv(tmp_path / "posts.csv", ["text", "akun"], [[p, "x"] for p in POSTS]),
        "out": tmp_path / "out.csv",
    }


def run(files: dict[str, Path], *, top: int, **overrides: str) -> int:
    kwargs = dict(
        claims=files["claims"],
        claim_column="claim",
        input=files["input"],
        text_column="text",
        top=top,
        out=files["out"],
    )
    kwargs.update(overrides)
    return match_csv(**kwargs)


def test_out_csv_has_exact_columns_zero_based_rows_ranks_and_descending_scores(files):
    assert run(files, top=2) == 3
    header, rows = read_out(files["out"])
    assert header == ["row", "rank", "claim_row", "score"]
    assert [(r["row"], r["rank"]) for r in rows] == [
        ("0", "1"),
        ("0", "2"),
        ("1", "1"),
        ("1", "2"),
        ("2", "1"),
        ("2", "2"),
    ]
    # Each post's own claim (0-based data rows of the claims file) comes first.
    assert [r["claim_row"] for r in rows if r["rank"] == "1"] == ["0", "2", "1"]
    for post in range(3):
        scores = [float(r["score"]) for r in rows if r["row"] == str(post)]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores[0] > scores[1]


def test_top_larger_than_the_number_of_claims_lists_every_claim_once(files):
    run(files, top=50)
    _, rows = read_out(files["out"])
    assert len(rows) == 3 * len(CLAIMS)
    for post in range(3):
        mine = [r for r in rows if r["row"] == str(post)]
        assert [r["rank"] for r in mine] == ["1", "2", "3", "4"]
        assert sorted(r["claim_row"] for r in mine) == ["0", "1", "2", "3"]


def test_an_input_with_a_header_only_writes_a_header_only(files, tmp_path):
    empty_posts = write_csv(tmp_path / "none.csv", ["text"], [])
    assert run(files, top=3, input=empty_posts) == 0
    header, rows = read_out(files["out"])
    assert header == ["row", "rank", "claim_row", "score"] and rows == []


def test_a_paraphrase_is_found_at_rank_one_and_an_identical_text_scores_about_one():
    index = ClaimIndex(CLAIMS)
    best, score = index.match("listrik jawa-bali bakal padam total 3 hari, katanya", k=1)[0]
    assert best == 2 and 0.0 < score < 1.0
    same, same_score = index.match(CLAIMS[3], k=1)[0]
    assert same == 3 and same_score == pytest.approx(1.0, abs=1e-4)


def test_batches_give_the_same_answer_as_one_pass():
    index = ClaimIndex(CLAIMS)
    one = list(index.top_k(POSTS, 3))
    small = list(index.top_k(POSTS, 3, batch_size=1))
    assert one == small


def test_verdict_label_prefixes_are_stripped_from_claims():
    assert clean_claim("[SALAH] Gunung Lawu erupsi") == "Gunung Lawu erupsi"
    assert clean_claim("HOAKS: [PENIPUAN] Lowongan KPU") == "Lowongan KPU"
    assert clean_claim("Salah paham soal DPT") == "Salah paham soal DPT"


def test_missing_claim_column_is_named(files):
    with pytest.raises(TextDataError, match="'klaim'"):
        run(files, top=1, claim_column="klaim")


def test_missing_text_column_is_named(files):
    with pytest.raises(TextDataError, match="'isi'"):
        run(files, top=1, text_column="isi")


def test_empty_claims_file_is_an_error(files, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(TextDataError, match="kosong"):
        run(files, top=1, claims=empty)
    header_only = write_csv(tmp_path / "header.csv", ["claim"], [])
    with pytest.raises(TextDataError, match="tidak berisi baris"):
        run(files, top=1, claims=header_only)
    blank = write_csv(tmp_path / "blank.csv", ["claim"], [[""], ["  "]])
    with pytest.raises(TextDataError):
        run(files, top=1, claims=blank)


def test_missing_input_file_raises_file_not_found(files, tmp_path):
    with pytest.raises(FileNotFoundError):
        run(files, top=1, input=tmp_path / "nope.csv")


def test_command_writes_the_matches(files):
    call_command(
        "media",
        "match",
        "--claims",
        str(files["claims"]),
        "--input",
        str(files["input"]),
        "--text-column",
        "text",
        "--top",
        "1",
        "--out",
        str(files["out"]),
    )
    _, rows = read_out(files["out"])
    assert [(r["row"], r["rank"], r["claim_row"]) for r in rows] == [
        ("0", "1", "0"),
        ("1", "1", "2"),
        ("2", "1", "1"),
    ]


def test_command_turns_a_missing_column_into_a_command_error(files):
    with pytest.raises(CommandError, match="'judul'"):
        call_command(
            "media",
            "match",
            "--claims",
            str(files["claims"]),
            "--claim-column",
            "judul",
            "--input",
            str(files["input"]),
            "--out",
            str(files["out"]),
        )


def _recall_at_1(scores: np.ndarray, rows: list[int]) -> float:
    gold = scores[np.arange(len(rows)), rows]
    # Ties count against the matcher.
    return float(np.mean((scores >= gold[:, None]).sum(axis=1) == 1))


def test_recall_at_1_beats_character_tfidf_on_a_sample_of_a_shared_debunk_set():
    # The 2025-2026 set: on 200 claims the politik set leaves the baseline too little room
    # (both above 0.92) for a stable gap; benchmarks/media_match.py reports both full sets.
    path = DATA / "debunk_turnbackhoax_2025_2026" / "train.csv"
    if not path.exists():
        pytest.skip(f"shared data absent: {path}")
    with path.open(encoding="utf-8", newline="") as f:
        all_rows = [r for r in csv.DictReader(f) if r["narrative"].strip()]
    sample = random.Random(6).sample(all_rows, 200)
    claims = [r["claim"] for r in sample]
    posts = [r["narrative"] for r in sample]
    rows = list(range(200))

    ours = _recall_at_1(ClaimIndex(claims).similarities(posts), rows)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    c = vec.fit_transform([t.lower() for t in claims])
    base = _recall_at_1((vec.transform([t.lower() for t in posts]) @ c.T).toarray(), rows)

    # Six seeds measured: ours 0.915-0.93, baseline 0.86-0.89 (a 3.5-5.5 point gap).
    assert ours >= base + 0.02, (ours, base)
    assert ours >= 0.9
