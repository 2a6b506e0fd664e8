"""Feature preparation for voter-roll linkage, in DuckDB SQL (pure Python, no Django).

``prepare(con, input_path)`` reads a DPT file (CSV or Parquet, every column as text) into the
DuckDB table ``dpt_features`` with one row per record and the columns the model compares:

* ``unique_id`` (the input ``id``, as text), ``nik``, ``nkk`` (digits only, NULL when empty);
* ``name_norm`` (``names.normalise_name``), ``name_key``, ``name_phon`` (``phonetic_key``),
  ``name_given``, ``name_first``, ``name_last``. Names are normalised in Python once per
  *distinct* raw name (a roll repeats names a lot), then joined back in SQL;
* ``birth_date`` (DATE; ISO, DD-MM-YYYY or DD/MM/YYYY), ``bd_str`` (DDMMYYYY for the
  one-digit test), ``birth_year``;
* NIK parts: ``nik_prefix`` (first 12 digits: region + birth date, shared by twins),
  ``nik_region`` (6), ``nik_dob`` (DDMMYY with day+40 for women), ``nik_tail`` (last 10:
  birth date + serial, kept when a NIK is re-issued elsewhere), ``nik_serial``, ``nik_sex``;
* ``sex`` (L/P, from the column, else from the NIK), ``address`` (upper, single spaces),
  ``rt``, ``rw`` (no leading zeros), ``desa`` (region code without dots);
* ``birth_place`` (``names.place_key``: no "Kab."/"Kota", EYD spelling, no spaces);
* ``nik_bd``: the NIK birth part (DDMMYY, day + 40 for women) that the record's own birth date
  and sex give, to tell a NIK typo (``nik_dob <> nik_bd``) from two right NIKs.
"""

# ruff: noqa: S608 - table names are module constants; file paths go through _sql_str

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from .names import first_last, given_name, name_key, normalise_name, phonetic_key, place_key

__all__ = ["TABLE", "prepare", "read_raw"]

TABLE = "dpt_features"
REQUIRED = ("nik", "name", "birth_date")
OPTIONAL = ("id", "nkk", "sex", "address", "rt", "rw", "region_code", "birth_place")


def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _exec(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    """Runs ``sql`` and drains its result (DuckDB 2 refuses new work on an unfinished one)."""
    return con.execute(sql).fetchall()


def read_raw(con: duckdb.DuckDBPyConnection, input_path: str | Path, table: str = "dpt_raw"):
    """Loads the file as text columns into ``table``; returns the list of its columns."""
    path = Path(input_path)
    if not path.exists():
        raise FileNotFoundError(f"Berkas masukan tidak ditemukan: {path}")
    src = _sql_str(str(path))
    if path.suffix.lower() in (".parquet", ".pq"):
        _exec(con, f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({src})")
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c.lower()}"' for c in cols)
        _exec(con, f"CREATE OR REPLACE TABLE {table} AS SELECT {casts} FROM {table}")
    else:
        _exec(
            con,
            f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv({src}, header=true, "
            "all_varchar=true, sample_size=-1)",
        )
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        renames = ", ".join(f'"{c}" AS "{c.strip().lower()}"' for c in cols)
        _exec(con, f"CREATE OR REPLACE TABLE {table} AS SELECT {renames} FROM {table}")
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise ValueError(f"Kolom wajib tidak ada di berkas: {', '.join(missing)}")
    return cols


def _name_table(con: duckdb.DuckDBPyConnection, raw_table: str) -> None:
    names = [r[0] for r in con.execute(f"SELECT DISTINCT name FROM {raw_table}").fetchall()]
    cols: dict[str, list] = {k: [] for k in ("raw", "norm", "key", "phon", "given", "f", "l")}
    for raw in names:
        norm = normalise_name(raw or "")
        first, last = first_last(norm)
        cols["raw"].append(raw)
        cols["norm"].append(norm or None)
        cols["key"].append(name_key(norm) or None)
        cols["phon"].append(phonetic_key(norm) or None)
        cols["given"].append(given_name(norm) or None)
        cols["f"].append(first or None)
        cols["l"].append(last or None)
    con.register("names_arrow", pa.table(cols))
    _exec(con, "CREATE OR REPLACE TABLE dpt_names AS SELECT * FROM names_arrow")
    con.unregister("names_arrow")


def _place_table(con: duckdb.DuckDBPyConnection, raw_table: str, has_place: bool) -> None:
    places = (
        [r[0] for r in con.execute(f"SELECT DISTINCT birth_place FROM {raw_table}").fetchall()]
        if has_place
        else []
    )
    keys = [place_key(p or "") or None for p in places]
    con.register("places_arrow", pa.table({"raw": pa.array(places, pa.string()),
                                           "key": pa.array(keys, pa.string())}))  # fmt: skip
    _exec(con, "CREATE OR REPLACE TABLE dpt_places AS SELECT * FROM places_arrow")
    con.unregister("places_arrow")


def prepare(con: duckdb.DuckDBPyConnection, input_path: str | Path, *, table: str = TABLE) -> int:
    """Builds the feature table ``table`` from the file; returns its number of rows."""
    cols = read_raw(con, input_path)

    def col(name: str) -> str:
        return f'r."{name}"' if name in cols else "NULL"

    _name_table(con, "dpt_raw")
    _place_table(con, "dpt_raw", "birth_place" in cols)
    uid = (
        f"COALESCE(NULLIF(trim({col('id')}), ''), CAST(row_number() OVER () AS VARCHAR))"
        if "id" in cols
        else "CAST(row_number() OVER () AS VARCHAR)"
    )
    _exec(
        con,
        f"""
        CREATE OR REPLACE TABLE {table} AS
        WITH base AS (
            SELECT
                {uid} AS unique_id,
                NULLIF(regexp_replace(COALESCE({col("nik")}, ''), '[^0-9]', '', 'g'), '')
                    AS nik,
                NULLIF(regexp_replace(COALESCE({col("nkk")}, ''), '[^0-9]', '', 'g'), '')
                    AS nkk,
                r.name AS raw_name,
                {col("birth_place")} AS raw_place,
                COALESCE(
                    try_strptime(trim({col("birth_date")}), '%Y-%m-%d'),
                    try_strptime(trim({col("birth_date")}), '%d-%m-%Y'),
                    try_strptime(trim({col("birth_date")}), '%d/%m/%Y')
                )::DATE AS birth_date,
                NULLIF(upper(trim(COALESCE({col("sex")}, ''))), '') AS sex_raw,
                NULLIF(regexp_replace(upper(trim(COALESCE({col("address")}, ''))),
                    '[^A-Z0-9]+', ' ', 'g'), '') AS address,
                NULLIF(ltrim(trim(COALESCE({col("rt")}, '')), '0'), '') AS rt,
                NULLIF(ltrim(trim(COALESCE({col("rw")}, '')), '0'), '') AS rw,
                NULLIF(replace(trim(COALESCE({col("region_code")}, '')), '.', ''), '') AS desa
            FROM dpt_raw r
        )
        SELECT
            b.unique_id, b.nik, b.nkk,
            n.norm AS name_norm, n.key AS name_key, n.phon AS name_phon,
            n.given AS name_given, n.f AS name_first, n.l AS name_last,
            b.birth_date,
            strftime(b.birth_date, '%d%m%Y') AS bd_str,
            year(b.birth_date) AS birth_year,
            CASE WHEN length(b.nik) = 16 THEN b.nik[1:12] END AS nik_prefix,
            CASE WHEN length(b.nik) = 16 THEN b.nik[1:6] END AS nik_region,
            CASE WHEN length(b.nik) = 16 THEN b.nik[7:12] END AS nik_dob,
            CASE WHEN length(b.nik) = 16 THEN b.nik[7:16] END AS nik_tail,
            CASE WHEN length(b.nik) = 16 THEN b.nik[13:16] END AS nik_serial,
            CASE WHEN length(b.nik) = 16 THEN
                CASE WHEN TRY_CAST(b.nik[7:8] AS INTEGER) > 40 THEN 'P' ELSE 'L' END
            END AS nik_sex,
            COALESCE(
                CASE WHEN b.sex_raw IN ('L', 'LAKI-LAKI', 'LK', 'M') THEN 'L'
                     WHEN b.sex_raw IN ('P', 'PEREMPUAN', 'PR', 'F', 'W') THEN 'P' END,
                CASE WHEN length(b.nik) = 16 THEN
                    CASE WHEN TRY_CAST(b.nik[7:8] AS INTEGER) > 40 THEN 'P' ELSE 'L' END
                END
            ) AS sex,
            b.address, b.rt, b.rw, b.desa, p.key AS birth_place
        FROM base b
        LEFT JOIN dpt_names n ON n.raw IS NOT DISTINCT FROM b.raw_name
        LEFT JOIN dpt_places p ON p.raw = b.raw_place
        """,
    )
    # The NIK's birth part the record's own birth date and sex would give (DDMMYY, day + 40 for
    # women): when two NIKs differ exactly where their holders' birth dates differ, the NIKs
    # are right and the people are two, not one person with a NIK typo.
    _exec(
        con,
        f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT *,
            CASE WHEN birth_date IS NOT NULL AND sex IS NOT NULL THEN
                lpad(CAST(day(birth_date) + CASE WHEN sex = 'P' THEN 40 ELSE 0 END AS VARCHAR),
                     2, '0') || strftime(birth_date, '%m%y')
            END AS nik_bd
        FROM {table}
        """,
    )
    dup = con.execute(f"SELECT count(*) - count(DISTINCT unique_id) FROM {table}").fetchall()[0][0]
    if dup:
        raise ValueError(f"Kolom id tidak unik: {dup} id muncul lebih dari sekali.")
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
