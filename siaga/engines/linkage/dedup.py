"""Double-registration detection on a DPT file: features, Splink scoring, clusters (no Django).

``dedup(input_path, threshold=0.9, backend="duckdb", progress=None) -> (pairs, clusters)``

* ``pairs``: list of dicts, one per candidate pair with ``match_probability >= threshold``,
  sorted by probability (highest first). Keys: ``id_l``, ``id_r`` (input ids as strings,
  ``id_l < id_r``), ``match_probability``, ``match_weight``, then per comparison ``<c>_level``
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from . import model
from .prepare import TABLE, prepare

__all__ = ["COMPARISONS", "PAIR_COLUMNS", "connected_components", "dedup"]

COMPARISONS = tuple(c["output_column_name"] for c in model.comparisons())
PAIR_COLUMNS = (
    "id_l",
    "id_r",
    "match_probability",
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


def dedup(
    input_path: str | Path,
    *,
    threshold: float = 0.9,
    backend: str = "duckdb",
    progress: Callable[[str], None] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Scores candidate pairs of the roll in ``input_path``; see the module docstring."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold harus di antara 0 dan 1, bukan {threshold}.")
    model.check_backend(backend)
    say = progress or _noop

    from splink import DuckDBAPI, Linker

    con = duckdb.connect(":memory:")
    try:
        say("membaca dan menyiapkan data")
        n = prepare(con, input_path)
        say(f"{n} baris siap; menilai pasangan kandidat")
        db_api = DuckDBAPI(connection=con)
        sdf = db_api.register(TABLE, table_name="dpt_input")
        linker = Linker(sdf, model.settings(n), log_level=None)
        logging.getLogger("splink").setLevel(logging.WARNING)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        rel = predictions.as_duckdbpyrelation()
        cols = rel.columns
        rows = rel.fetchall()
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
        pairs.sort(key=lambda p: (-p["match_probability"], p["id_l"], p["id_r"]))
        clusters = connected_components([(p["id_l"], p["id_r"]) for p in pairs])
        say(f"{len({c for _, c in clusters})} klaster")
        return pairs, clusters
    finally:
        con.close()
