"""The Fellegi-Sunter model of double registrations on the DPT, built on Splink (no Django).

Comparisons (on the columns made by ``prepare``), strongest level first:

* ``nik``: exact; *same region and birth date, other serial, same NKK, other name* (twins:
  a strong NEGATIVE signal, tested before the edit levels because twins' serials differ by one
  digit); same region and birth date, other serial (slightly negative: people born the same day
  in one kecamatan); one edit confined to the region code (weak: serials 0001 are common); one
  edit or adjacent transposition; two edits; same birth date part in another NIK (re-issued
  elsewhere); else.
* ``name``: ``name_key`` exact (term-frequency adjusted: "MUHAMMAD RIZKI" counts for less than
  a rare name); Jaro-Winkler >= 0.95 on the normalised name; same first and last word of the
  given name (a middle name or a patronymic dropped); given name equal; Jaro-Winkler >= 0.88;
  else.
* ``birth_date``: exact; day and month swapped; one digit of DDMMYYYY different; else.
* ``sex``, ``nkk`` and ``address`` (address + RT + RW + desa; same desa with a similar address;
  same desa): family context, deliberately weak so that relatives sharing an NKK and an address
  are not taken for the same person.

Parameters are fixed m/u priors (chosen for the Dukcapil error patterns, checked on the
synthetic benchmark), not trained: EM on 300 k rows does not fit the time budget and fixed
priors make results reproducible. The prior match probability is ``expected_dup_rate * 2 / (n -
1)`` (about one extra registration per fifty voters). The blocking rules keep 300 k rows to a
few million candidate pairs.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["BACKENDS", "BLOCKING_RULES", "SparkNotAvailable", "comparisons", "settings"]

BACKENDS = ("duckdb", "spark")

BLOCKING_RULES = (
    "l.nik_prefix = r.nik_prefix",  # same NIK, twins, serial typos
    "l.nik_tail = r.nik_tail",  # NIK re-issued in another kecamatan, region typos
    "l.name_key = r.name_key AND l.birth_year = r.birth_year",
    "l.name_phon = r.name_phon AND l.birth_date = r.birth_date",
    "l.nik_dob = r.nik_dob AND l.sex = r.sex AND l.name_first = r.name_first",
    "l.nkk = r.nkk",  # a household is a handful of people
)


class SparkNotAvailable(NotImplementedError):
    pass


_SIDE = re.compile(r"\b([lr])\.([a-z_]+)")


def _sides(sql: str) -> str:
    """``l.nik = r.nik`` (readable) to ``nik_l = nik_r`` (Splink's comparison syntax)."""
    return _SIDE.sub(r"\2_\1", sql)


def _level(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": _sides(sql), "label_for_charts": label, "m_probability": m,
            "u_probability": u, **extra}  # fmt: skip


def _null(sql: str) -> dict[str, Any]:
    return {"sql_condition": _sides(sql), "label_for_charts": "kosong", "is_null_level": True}


def _else(m: float, u: float) -> dict[str, Any]:
    return _level("ELSE", "berbeda", m, u)


def comparisons() -> list[dict[str, Any]]:
    """The comparison definitions (Splink settings format) with their m/u priors."""
    nik = {
        "output_column_name": "nik",
        "comparison_description": "NIK",
        "comparison_levels": [
            _null("l.nik_prefix IS NULL OR r.nik_prefix IS NULL"),
            _level("l.nik = r.nik", "NIK sama", 0.80, 1e-4),
            _level(
                "l.nik_prefix = r.nik_prefix AND l.nkk = r.nkk AND l.name_key <> r.name_key",
                "NIK beda nomor urut, KK sama, nama beda (kembar?)",
                1e-7,
                0.1,
            ),
            _level(
                "l.nik_prefix = r.nik_prefix",
                "NIK beda nomor urut saja",
                0.01,
                0.05,
            ),
            _level(
                "l.nik_tail = r.nik_tail AND damerau_levenshtein(l.nik, r.nik) <= 1",
                "NIK beda 1 digit di kode wilayah",
                0.03,
                0.01,
            ),
            _level("damerau_levenshtein(l.nik, r.nik) <= 1", "NIK beda 1 digit", 0.10, 1e-3),
            _level("damerau_levenshtein(l.nik, r.nik) <= 2", "NIK beda 2 digit", 0.03, 0.01),
            _level(
                "l.nik_dob = r.nik_dob",
                "NIK lain, tanggal lahir di NIK sama (NIK terbit ulang?)",
                0.08,
                0.02,
            ),
            _else(0.08, 0.98),
        ],
    }
    name = {
        "output_column_name": "name",
        "comparison_description": "Nama",
        "comparison_levels": [
            _null("l.name_key IS NULL OR r.name_key IS NULL"),
            _level(
                "l.name_key = r.name_key",
                "nama sama",
                0.65,
                5e-4,
                tf_adjustment_column="name_key",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "jaro_winkler_similarity(l.name_norm, r.name_norm) >= 0.95",
                "nama sangat mirip",
                0.12,
                1e-3,
            ),
            _level(
                "l.name_first = r.name_first AND l.name_last = r.name_last",
                "nama depan dan belakang sama",
                0.05,
                1e-3,
            ),
            _level("l.name_given = r.name_given", "nama tanpa bin/binti sama", 0.03, 1e-3),
            _level(
                "jaro_winkler_similarity(l.name_norm, r.name_norm) >= 0.88",
                "nama mirip",
                0.08,
                0.01,
            ),
            _else(0.07, 0.985),
        ],
    }
    birth = {
        "output_column_name": "birth_date",
        "comparison_description": "Tanggal lahir",
        "comparison_levels": [
            _null("l.birth_date IS NULL OR r.birth_date IS NULL"),
            _level("l.birth_date = r.birth_date", "tanggal lahir sama", 0.85, 5e-5),
            _level(
                "year(l.birth_date) = year(r.birth_date) "
                "AND day(l.birth_date) = month(r.birth_date) "
                "AND month(l.birth_date) = day(r.birth_date)",
                "tanggal dan bulan tertukar",
                0.04,
                2e-5,
            ),
            _level("hamming(l.bd_str, r.bd_str) = 1", "tanggal lahir beda 1 digit", 0.06, 5e-4),
            _else(0.05, 0.999),
        ],
    }
    sex = {
        "output_column_name": "sex",
        "comparison_description": "Jenis kelamin",
        "comparison_levels": [
            _null("l.sex IS NULL OR r.sex IS NULL"),
            _level("l.sex = r.sex", "jenis kelamin sama", 0.98, 0.5),
            _else(0.02, 0.5),
        ],
    }
    nkk = {
        "output_column_name": "nkk",
        "comparison_description": "Nomor KK",
        "comparison_levels": [
            _null("l.nkk IS NULL OR r.nkk IS NULL"),
            _level("l.nkk = r.nkk", "KK sama", 0.55, 0.02),
            _else(0.45, 0.98),
        ],
    }
    address = {
        "output_column_name": "address",
        "comparison_description": "Alamat",
        "comparison_levels": [
            _null("l.desa IS NULL OR r.desa IS NULL"),
            _level(
                "l.desa = r.desa AND l.address = r.address AND l.rt IS NOT DISTINCT FROM r.rt "
                "AND l.rw IS NOT DISTINCT FROM r.rw",
                "alamat sama",
                0.6,
                0.01,
            ),
            _level(
                "l.desa = r.desa AND jaro_winkler_similarity(l.address, r.address) >= 0.9",
                "desa sama, alamat mirip",
                0.1,
                0.01,
            ),
            _level("l.desa = r.desa", "desa sama", 0.1, 0.05),
            _else(0.3, 0.93),
        ],
    }
    return [nik, name, birth, sex, nkk, address]


def settings(n_records: int, *, expected_dup_rate: float = 0.02) -> dict[str, Any]:
    """The Splink settings dictionary for a roll of ``n_records`` rows."""
    prior = min(0.5, 2 * expected_dup_rate / max(1, n_records - 1))
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES
        ],
        "comparisons": comparisons(),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
    }


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"Mesin tidak dikenal: {backend!r} (pilih duckdb atau spark).")
    if backend == "spark":
        raise SparkNotAvailable(
            "Backend Spark belum tersedia di versi ini: pyspark tidak dipasang dan jalur Spark "
            "belum diuji. Gunakan --engine duckdb."
        )
