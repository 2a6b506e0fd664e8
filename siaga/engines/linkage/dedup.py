"""Double-registration detection on a DPT file: features, Splink scoring, clusters (no Django).

``dedup(input_path, threshold=0.9, backend="duckdb", progress=None, spark=None)
-> (pairs, clusters)``

The backend only changes where Splink scores the candidate pairs: features are prepared in
DuckDB either way, then scored by DuckDB (default) or by Spark (``backend="spark"``: the
features are written to Parquet and read by ``spark``, a SparkSession; without one, a local
session is created with Splink's similarity functions). The model and its SQL are the same, so
both give the same pairs and probabilities.

* ``pairs``: list of dicts, one per candidate pair with ``match_probability >= threshold``,
  sorted by probability (highest first). Keys: ``id_l``, ``id_r`` (input ids as strings,
  ``id_l < id_r``), ``match_probability``, ``klass`` (KPU's class, ``classes.kpu_class``: K1
  and K3 are suspected double registrations, K2 the same NIK on two people, a data error),
  ``match_weight``, then per comparison ``<c>_level``
  (the level label, e.g. "NIK beda 1 digit") and ``<c>_bf`` (its Bayes factor, after the
  term-frequency adjustment for the name), and ``why``: the comparisons that pushed the pair
  towards a match, strongest first.
* ``clusters``: list of ``(id, cluster_id)`` for every record in a connected component of two
  or more records over those pairs; ``cluster_id`` is the smallest id of the component.

``progress`` is called with short Indonesian status strings.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from . import DEFAULT_THRESHOLD, model
from .classes import kpu_class
from .prepare import TABLE, prepare

__all__ = ["COMPARISONS", "PAIR_COLUMNS", "connected_components", "dedup"]

COMPARISONS = tuple(c["output_column_name"] for c in model.comparisons())
PAIR_COLUMNS = (
    "id_l",
    "id_r",
    "match_probability",
    "klass",
    "match_weight",
    *(f"{c}_{k}" for c in COMPARISONS for k in ("level", "bf")),
    "why",
)


def _noop(_msg: str) -> None:
    pass


def connected_components(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Union-find over the pairs; returns ``(id, cluster_id)`` sorted, cluster_id = min id."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    return sorted((x, find(x)) for x in parent)


def _labels() -> dict[str, dict[float, str]]:
    """Per comparison, the level label keyed by its (rounded) match weight log2(m/u).

    Splink 5 returns the per-comparison weights ``mw_<c>`` but not the level index; the m/u
    priors of ``model.comparisons`` give every level of a comparison a distinct weight.
    """
    out: dict[str, dict[float, str]] = {}
    for comp in model.comparisons():
        levels = {}
        for lvl in comp["comparison_levels"]:
            if lvl.get("is_null_level"):
                levels[0.0] = lvl["label_for_charts"]
            else:
                w = round(math.log2(lvl["m_probability"] / lvl["u_probability"]), 6)
                levels[w] = lvl["label_for_charts"]
        out[comp["output_column_name"]] = levels
    return out


_CLASS_SQL = (
    "SELECT f.unique_id, f.nik, f.name_norm, CAST(f.birth_date AS VARCHAR), f.address, "  # noqa: S608
    f"f.rt, f.rw, f.desa FROM {TABLE} f JOIN pair_ids i ON i.id = f.unique_id"
)


def _classify(con: duckdb.DuckDBPyConnection, pairs: list[dict[str, Any]]) -> None:
    """Sets ``klass`` on every pair from the two records' NIK, name, birth date and place."""
    import pyarrow as pa

    ids = sorted({p[k] for p in pairs for k in ("id_l", "id_r")})
    con.register("pair_ids", pa.table({"id": pa.array(ids, pa.string())}))
    try:
        rows = con.execute(_CLASS_SQL).fetchall()
    finally:
        con.unregister("pair_ids")
    keys = ("nik", "name", "birth_date", "address", "rt", "rw", "region_code")
    records = {str(r[0]): dict(zip(keys, r[1:], strict=True)) for r in rows}
    for p in pairs:
        p["klass"] = kpu_class(records[p["id_l"]], records[p["id_r"]])


def spark_session(master: str = "local[*]"):
    """A SparkSession with Splink's similarity functions (jar) on its class path.

    Reuses the active session when there is one (a cluster job configures its own and must add
    ``splink.backends.spark.similarity_jar_location()`` to ``spark.jars``).
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location

        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        return (
            SparkSession.builder.master(master)
            .appName("siaga-voters-dedup")
            .config("spark.jars", similarity_jar_location())
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate()
        )
    except ImportError as exc:
        raise model.SparkNotAvailable(str(exc)) from exc
    except Exception as exc:  # the JVM did not start: no Java, or a broken one
        if "JAVA" in str(exc).upper() or "gateway" in str(exc).lower():
            raise model.SparkNotAvailable(
                "Spark tidak dapat dijalankan: Java 17 tidak ditemukan (JAVA_HOME). "
                "Pasang Java 17 atau gunakan --engine duckdb."
            ) from exc
        raise


def _score(
    con: duckdb.DuckDBPyConnection, n: int, threshold: float, backend: str, spark: Any, tmp: str
) -> tuple[list[str], list[tuple]]:
    """Runs Splink's prediction on the feature table; returns (columns, rows)."""
    from splink import Linker

    if backend == "duckdb":
        from splink import DuckDBAPI

        db_api = DuckDBAPI(connection=con)
        sdf = db_api.register(TABLE, table_name="dpt_input")
        linker = Linker(sdf, model.settings(n), log_level=None)
        logging.getLogger("splink").setLevel(logging.WARNING)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        rel = predictions.as_duckdbpyrelation()
        return rel.columns, rel.fetchall()

    from splink.backends.spark import SparkAPI

    session = spark or spark_session()
    path = str(Path(tmp) / "features.parquet")
    con.execute(f"COPY {TABLE} TO '{path}' (FORMAT parquet)").fetchall()
    if session.sparkContext.getCheckpointDir() is None:
        # Splink breaks long query lineages with checkpoints; a session without a directory
        # for them gets one in the system's temporary directory.
        session.sparkContext.setCheckpointDir(
            str(Path(tempfile.gettempdir()) / "siaga-spark-checkpoints")
        )
    db_api = SparkAPI(spark_session=session)
    sdf = db_api.register(session.read.parquet(path), table_name="dpt_input")
    linker = Linker(sdf, model.settings(n, dialect="spark"), log_level=None)
    logging.getLogger("splink").setLevel(logging.WARNING)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    frame = predictions.as_spark_dataframe()
    cols = list(frame.columns)
    return cols, [tuple(r) for r in frame.collect()]


def dedup(
    input_path: str | Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: str = "duckdb",
    progress: Callable[[str], None] | None = None,
    spark: Any = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Scores candidate pairs of the roll in ``input_path``; see the module docstring."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold harus di antara 0 dan 1, bukan {threshold}.")
    model.check_backend(backend)
    say = progress or _noop

    con = duckdb.connect(":memory:")
    try:
        with tempfile.TemporaryDirectory(prefix="siaga-dedup-") as tmp:
            say("membaca dan menyiapkan data")
            n = prepare(con, input_path)
            say(f"{n} baris siap; menilai pasangan kandidat ({backend})")
            cols, rows = _score(con, n, threshold, backend, spark, tmp)
        say(f"{len(rows)} pasangan di atas ambang {threshold}; membentuk klaster")
        labels = _labels()
        pairs = []
        for row in rows:
            rec = dict(zip(cols, row, strict=True))
            a, b = str(rec["unique_id_l"]), str(rec["unique_id_r"])
            if b < a:
                a, b = b, a
            out: dict[str, Any] = {
                "id_l": a,
                "id_r": b,
                "match_probability": float(rec["match_probability"]),
                "match_weight": float(rec["match_weight"]),
            }
            why = []
            for c in COMPARISONS:
                mw = float(rec.get(f"mw_{c}") or 0.0)
                label = labels[c].get(round(mw, 6), "")
                mw += float(rec.get(f"mw_tf_adj_{c}") or 0.0)
                out[f"{c}_level"] = label
                out[f"{c}_bf"] = round(2.0**mw, 4)
                if mw > 0:
                    why.append((mw, label))
            why.sort(reverse=True)
            out["why"] = "; ".join(label for _, label in why[:3])
            pairs.append(out)
        _classify(con, pairs)
        pairs.sort(key=lambda p: (-p["match_probability"], p["id_l"], p["id_r"]))
        clusters = connected_components([(p["id_l"], p["id_r"]) for p in pairs])
        say(f"{len({c for _, c in clusters})} klaster")
        return pairs, clusters
    finally:
        con.close()
