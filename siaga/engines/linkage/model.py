"""The Fellegi-Sunter model of double registrations on the DPT, built on Splink (no Django).

Comparisons (on the columns made by ``prepare``), strongest level first:

* ``nik``: exact; *same region and birth date, other serial, same NKK, other name* (twins:
  a decisive NEGATIVE signal, tested before the edit levels because twins' serials differ by
  one digit), and the same with a typo elsewhere in one twin's NIK or the NKK missing (same
  household address); same region and birth date, other serial (negative: people born the same
  day in one kecamatan); *the NIKs differ in their birth part exactly as the two birth dates
  do* (negative: both NIKs are right, so two people; a NIK typo leaves the NIK disagreeing with
  its own birth date); one edit confined to the region code (weak: serials 0001 are common);
  one edit or adjacent transposition; two edits; same birth date part in another NIK
  (re-issued elsewhere); else.
* ``name``: ``name_key`` exact (term-frequency adjusted: "MUHAMMAD RIZKI" counts for less than
  a rare name); Jaro-Winkler >= 0.95 on the normalised name; same first and last word of the
  given name (a middle name or a patronymic dropped); given name equal; Jaro-Winkler >= 0.88;
  else.
* ``birth_date``: exact; day and month swapped; one digit of DDMMYYYY different; else.
* ``birth_place``: ``place_key`` exact (term-frequency adjusted: the regency's own towns are
  common, a migrant's birth place is rare); similar (Jaro-Winkler >= 0.88 or one a prefix of
  the other, as "SOPP" for "SOPPENG"); else. People with the same name and birth date are
  usually born in different places; a copy keeps its birth place.
* ``sex``, ``nkk`` and ``address`` (address + RT + RW + desa; same desa with a similar address;
  same desa): family context, deliberately weak so that relatives sharing an NKK and an address
  are not taken for the same person.

Parameters are fixed m/u values, not trained at run time, so that results are reproducible and
the DuckDB and Spark backends give the same probabilities. The u values of the name, birth date
and birth place levels are measured: the share of each level among 5 million random pairs of a
300 k roll (``linker.training.estimate_u_using_random_sampling``), rounded; the term-frequency
adjustments come from the file being scored. The NIK, NKK and address levels keep reasoned
values instead of measured ones because they are not independent of the birth date and of each
other (a NIK contains the birth date; a household shares NKK and address): their weights say
what they add *given* the other comparisons. The m values are the Dukcapil and DPT error
rates as we understand them (a copy keeps its NIK about 80 % of the time...). The prior match
probability is ``expected_dup_rate * 2 / (n - 1)`` (about one extra registration per fifty
voters). The blocking rules keep 300 k rows to a couple of million candidate pairs and grow
about linearly with the roll (each rule's blocks are households, days of birth or names).
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
    # A moved voter with a NIK typo or a re-issued NIK and a name variant: the birth date is
    # often all that is left, with a part of the name or the kecamatan of the NIK.
    "l.birth_date = r.birth_date AND l.nik_region = r.nik_region",
    "l.name_first = r.name_first AND l.birth_date = r.birth_date",
    "l.name_last = r.name_last AND l.birth_date = r.birth_date",
)


class SparkNotAvailable(NotImplementedError):
    """The Spark backend was asked for where pyspark or Java is missing (message says how)."""


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


def _in_dialect(items: Any, dialect: str) -> Any:
    """The DuckDB SQL of the levels, in ``dialect`` (Spark names Jaro-Winkler differently)."""
    if dialect == "duckdb":
        return items
    if isinstance(items, dict):
        return {k: _in_dialect(v, dialect) for k, v in items.items()}
    if isinstance(items, list):
        return [_in_dialect(v, dialect) for v in items]
    if isinstance(items, str):
        return items.replace("jaro_winkler_similarity(", "jaro_winkler(")
    return items


def comparisons(dialect: str = "duckdb") -> list[dict[str, Any]]:
    """The comparison definitions (Splink settings format) with their m/u priors."""
    return _in_dialect(_comparisons(), dialect)


def _comparisons() -> list[dict[str, Any]]:
    nik = {
        "output_column_name": "nik",
        "comparison_description": "NIK",
        "comparison_levels": [
            _null("l.nik_prefix IS NULL OR r.nik_prefix IS NULL"),
            _level("l.nik = r.nik", "NIK sama", 0.80, 1e-4),
            _level(
                "l.nik_prefix = r.nik_prefix AND l.nkk = r.nkk AND l.name_key <> r.name_key",
                "NIK beda nomor urut, KK sama, nama beda (kembar?)",
                1e-12,
                0.1,
            ),
            _level(
                "(l.nkk = r.nkk OR (l.desa = r.desa AND l.address = r.address)) "
                "AND l.nik_dob = r.nik_dob AND l.nik_serial <> r.nik_serial "
                "AND l.name_key <> r.name_key",
                "NIK beda nomor urut (dan salah ketik), serumah, nama beda (kembar?)",
                1e-10,
                0.1,
            ),
            _level(
                "l.nik_prefix = r.nik_prefix",
                "NIK beda nomor urut saja",
                0.01,
                0.3,
            ),
            _level(
                "l.nik_dob <> r.nik_dob AND l.nik_dob = l.nik_bd AND r.nik_dob = r.nik_bd",
                "NIK beda di tanggal lahir, sesuai tanggal lahir masing-masing (dua orang?)",
                0.002,
                0.5,
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
            _else(0.05, 0.48),
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
                5e-5,
            ),
            _level(
                "l.name_first = r.name_first AND l.name_last = r.name_last",
                "nama depan dan belakang sama",
                0.05,
                5e-5,
            ),
            _level("l.name_given = r.name_given", "nama tanpa bin/binti sama", 0.03, 5e-5),
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
            _level(
                # Both DDMMYYYY: one edit between strings of one length is one digit changed.
                "levenshtein(l.bd_str, r.bd_str) = 1",
                "tanggal lahir beda 1 digit",
                0.06,
                1.3e-3,
            ),
            _else(0.05, 0.999),
        ],
    }
    place = {
        "output_column_name": "birth_place",
        "comparison_description": "Tempat lahir",
        "comparison_levels": [
            _null("l.birth_place IS NULL OR r.birth_place IS NULL"),
            _level(
                "l.birth_place = r.birth_place",
                "tempat lahir sama",
                0.88,
                0.05,
                tf_adjustment_column="birth_place",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "jaro_winkler_similarity(l.birth_place, r.birth_place) >= 0.88 "
                "OR left(l.birth_place, length(r.birth_place)) = r.birth_place "
                "OR left(r.birth_place, length(l.birth_place)) = l.birth_place",
                "tempat lahir mirip",
                0.07,
                0.01,
            ),
            _else(0.05, 0.94),
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
    return [nik, name, birth, place, sex, nkk, address]


def settings(
    n_records: int, *, expected_dup_rate: float = 0.02, dialect: str = "duckdb"
) -> dict[str, Any]:
    """The Splink settings dictionary for a roll of ``n_records`` rows."""
    prior = min(0.5, 2 * expected_dup_rate / max(1, n_records - 1))
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": dialect} for rule in BLOCKING_RULES
        ],
        "comparisons": comparisons(dialect),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
    }


SPARK_INSTALL = "pip install 'siaga[spark]'"


def check_backend(backend: str) -> None:
    """Refuses an unknown backend, and Spark where pyspark is not installed."""
    if backend not in BACKENDS:
        raise ValueError(f"Mesin tidak dikenal: {backend!r} (pilih duckdb atau spark).")
    if backend == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise SparkNotAvailable(
                "Backend Spark memerlukan pyspark (3.5) dan Java 17, yang belum terpasang. "
                f"Pasang dengan: {SPARK_INSTALL} (atau pip install pyspark==3.5.9), "
                "atau gunakan --engine duckdb."
            ) from None
