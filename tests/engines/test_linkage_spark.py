"""The Spark backend of the linkage engine gives the same pairs as DuckDB (issue 3).

A local Spark session (one core, small memory, no UI) scores a small generated roll with the
same model; pairs and probabilities must equal DuckDB's. Skipped, with the reason, where pyspark
or Java is missing (pyspark is in requirements-test.txt and the ``spark`` extra).
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import sys
from pathlib import Path

import pytest

from siaga.engines.linkage import model
from siaga.engines.linkage.dedup import dedup

pyspark = pytest.importorskip(
    "pyspark", reason="pyspark tidak terpasang (pip install 'siaga[spark]'); uji Spark dilewati"
)
if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
    pytest.skip("Java tidak ditemukan: uji backend Spark dilewati", allow_module_level=True)

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "voters_synth.py"
_spec = importlib.util.spec_from_file_location("voters_synth", PATH)
vs = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("voters_synth", vs)
_spec.loader.exec_module(vs)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[1]")
        .appName("siaga-test-linkage-spark")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "512m")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    # py4j logs its shutdown after pytest has closed the captured streams.
    logging.getLogger("py4j").setLevel(logging.CRITICAL)


@pytest.fixture(scope="module")
def roll(tmp_path_factory):
    path = tmp_path_factory.mktemp("dpt") / "dpt.csv"
    truth = vs.write_csv(path, 600, seed=11)
    return path, truth


def test_spark_gives_the_same_pairs_and_probabilities_as_duckdb(roll, spark):
    path, truth = roll
    on_duckdb, clusters_duckdb = dedup(path, threshold=0.5)
    on_spark, clusters_spark = dedup(path, threshold=0.5, backend="spark", spark=spark)
    assert on_duckdb, "the roll has copies: DuckDB must find pairs"
    by_key = {(p["id_l"], p["id_r"]): p for p in on_spark}
    assert set(by_key) == {(p["id_l"], p["id_r"]) for p in on_duckdb}
    for p in on_duckdb:
        q = by_key[(p["id_l"], p["id_r"])]
        assert q["match_probability"] == pytest.approx(p["match_probability"], abs=1e-6)
        assert q["klass"] == p["klass"]
        assert q["why"] == p["why"]
    assert clusters_spark == clusters_duckdb
    # And the pairs are the right ones, not merely the same.
    found = {(p["id_l"], p["id_r"]) for p in on_duckdb if p["match_probability"] >= 0.9}
    assert len(found & truth.pairs) >= 0.8 * len(truth.pairs)


def test_spark_missing_is_refused_with_how_to_install(monkeypatch, roll):
    path, _ = roll
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(model.SparkNotAvailable, match=r"pip install 'siaga\[spark\]'"):
        dedup(path, backend="spark")
