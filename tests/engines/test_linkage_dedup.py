"""Double-registration detection (siaga/engines/linkage/dedup.py) and `voters dedup` command.

Runs on a small generated roll (about 2,000 people, 2 % extra copies) plus a few hand-made
records: a copy with a one-digit NIK typo and titles added (must match) and a pair of twins in
one household (must not).
"""

# ruff: noqa: S608 - a test writing its own temporary files

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from siaga.engines.linkage import DEFAULT_THRESHOLD
from siaga.engines.linkage.dedup import connected_components, dedup
from siaga.engines.linkage.model import SparkNotAvailable

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "voters_synth.py"
_spec = importlib.util.spec_from_file_location("voters_synth", PATH)
vs = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("voters_synth", vs)
_spec.loader.exec_module(vs)

HEADER = ",".join(vs.COLUMNS)
# A person, their copy (NIK one digit off, "Hj." and ", S.Pd." added, date as DD-MM-YYYY) and
# twin sisters in another household (same birth date, NIK differing only in the serial).
EXTRA = [
    "X0001,6408045304850007,6408040101100099,SITI AMINAH RAHMAWATI,SANGATTA,1985-04-13,P,S,"
    "JL. MELATI NO. 9,003,002,64.08.04.1001,001,",
    'X0002,6408045304880007,6408040101100099,"Hj. Siti Aminah Rahmawati, S.Pd.",SANGATTA,'
    "13-04-1985,P,S,JL. MELATI NO. 9,003,002,64.08.04.1001,002,",
    "X0003,6408064702010003,6408060505150042,NUR AINI SAFITRI,BUSANG,2001-02-07,P,B,"
    "JL. KENANGA NO. 4,001,001,64.08.06.2001,001,",
    "X0004,6408064702010004,6408060505150042,NUR AINUN SAFITRI,BUSANG,2001-02-07,P,B,"
    "JL. KENANGA NO. 4,001,001,64.08.06.2001,001,",
]


@pytest.fixture(scope="module")
def roll(tmp_path_factory):
    d = tmp_path_factory.mktemp("dpt")
    path = d / "dpt.csv"
    truth = vs.write_csv(path, 2000, seed=7)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(EXTRA) + "\n")
    pairs = set(truth.pairs) | {("X0001", "X0002")}
    return path, truth, pairs


@pytest.fixture(scope="module")
def run(roll, tmp_path_factory):
    path, _, _ = roll
    out = tmp_path_factory.mktemp("out")
    pairs_csv, clusters_csv = out / "pairs.csv", out / "clusters.csv"
    call_command(
        "voters", "dedup", str(path), "--out", str(pairs_csv), "--clusters", str(clusters_csv)
    )
    with open(pairs_csv, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    with open(pairs_csv, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(clusters_csv, encoding="utf-8") as fh:
        clusters = list(csv.reader(fh))
    return header, rows, clusters


def test_pairs_file_format(run):
    header, rows, _ = run
    assert header[:4] == ["id_l", "id_r", "match_probability", "klass"]
    assert "why" in header and "nik_level" in header and "name_bf" in header
    assert rows
    for r in rows:
        assert r["id_l"] < r["id_r"]
        assert float(r["match_probability"]) >= DEFAULT_THRESHOLD
    assert len({(r["id_l"], r["id_r"]) for r in rows}) == len(rows)
    assert {r["klass"] for r in rows} <= {"K1", "K2", "K3"}


def test_clusters_file(run):
    _, rows, clusters = run
    assert clusters[0] == ["id", "cluster_id"]
    cluster_of = dict(clusters[1:])
    for r in rows:
        assert cluster_of[r["id_l"]] == cluster_of[r["id_r"]]
    assert all(c <= i for i, c in cluster_of.items())


def test_quality_on_small_roll(run, roll):
    _, rows, _ = run
    _, _, truth = roll
    found = {(r["id_l"], r["id_r"]) for r in rows}
    tp = len(found & truth)
    precision, recall = tp / len(found), tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert precision > 0.85, precision
    assert recall > 0.8, recall
    assert f1 > 0.85, f1


def test_typo_copy_with_titles_is_matched_and_twins_are_not(run, roll):
    _, rows, _ = run
    _, truth, _ = roll
    by_pair = {(r["id_l"], r["id_r"]): r for r in rows}
    copy = by_pair[("X0001", "X0002")]
    assert copy["klass"] == "K3"  # a similar identity, one digit off in the NIK
    assert copy["nik_level"] == "NIK beda 1 digit"
    assert copy["name_level"] == "nama sama"
    assert ("X0003", "X0004") not in by_pair
    assert not set(truth.twins) & by_pair.keys()
    assert not set(truth.nik_errors) & by_pair.keys()


def test_threshold_respected(roll, tmp_path):
    path, _, _ = roll
    low, _ = dedup(path, threshold=0.5)
    high, _ = dedup(path, threshold=0.99)
    assert all(p["match_probability"] >= 0.99 for p in high)
    assert {(p["id_l"], p["id_r"]) for p in high} <= {(p["id_l"], p["id_r"]) for p in low}
    assert len(high) < len(low)


def test_parquet_input_gives_same_pairs(roll, tmp_path):
    import duckdb

    path, _, _ = roll
    pq = tmp_path / "dpt.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{path}', all_varchar=true)) TO '{pq}' (FORMAT parquet)"
    ).fetchall()
    con.close()
    a, _ = dedup(path)
    b, _ = dedup(pq)
    assert [(p["id_l"], p["id_r"]) for p in a] == [(p["id_l"], p["id_r"]) for p in b]


def test_connected_components():
    assert connected_components([("b", "c"), ("a", "b"), ("x", "y")]) == [
        ("a", "a"),
        ("b", "a"),
        ("c", "a"),
        ("x", "x"),
        ("y", "x"),
    ]


def test_spark_backend_without_pyspark_is_refused_with_a_clear_message(roll, tmp_path, monkeypatch):
    path, _, _ = roll
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as where pyspark is not installed
    with pytest.raises(SparkNotAvailable, match=r"pyspark.*pip install 'siaga\[spark\]'"):
        dedup(path, backend="spark")
    with pytest.raises(CommandError, match="Spark"):
        call_command("voters", "dedup", str(path), "--out", str(tmp_path / "p.csv"),
                     "--engine", "spark")  # fmt: skip
    assert not (tmp_path / "p.csv").exists()


def test_bad_input_is_reported(tmp_path):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("voters", "dedup", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o"))
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,BUDI\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nik"):
        call_command("voters", "dedup", str(bad), "--out", str(tmp_path / "o.csv"))
    assert not (tmp_path / "o.csv").exists()
    dup = tmp_path / "dup.csv"
    dup.write_text(HEADER + "\n" + EXTRA[0] + "\n" + EXTRA[0] + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="id tidak unik"):
        call_command("voters", "dedup", str(dup), "--out", str(tmp_path / "o.csv"))
