"""TableReader on Parquet files: header aliases, batches, and the errors of a bad file."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core.tabular import Column, TableError, TableReader

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

COLUMNS = (
    Column("nik", required=True),
    Column("name", ("nama",)),
    Column("birth_date", ("tgl_lahir",)),
)


def test_rows_come_in_file_order_with_numbers_after_the_header(tmp_path, monkeypatch):
    from siaga.core import tabular

    monkeypatch.setattr(tabular, "PARQUET_BATCH_ROWS", 2)  # several batches for five rows
    path = tmp_path / "dpt.parquet"
    table = pa.table(
        {
            "NIK": [str(n) for n in range(5)],
            "Nama": ["A", "B", None, "D", "E"],
            "tgl_lahir": [dt.date(1990, 1, n + 1) for n in range(5)],
            "unknown": [1, 2, 3, 4, 5],
        }
    )
    pq.write_table(table, path, row_group_size=3)
    reader = TableReader(path, COLUMNS)

    rows = list(reader)
    assert [r.row_number for r in rows] == [2, 3, 4, 5, 6]
    assert rows[2].values == {"nik": "2", "name": None, "birth_date": dt.date(1990, 1, 3)}
    assert reader.header_label(None, "name") == "Nama"
    assert all("unknown" not in r.values for r in rows)


def test_a_missing_required_column_is_a_table_error(tmp_path):
    path = tmp_path / "dpt.parquet"
    pq.write_table(pa.table({"nama": ["A"]}), path)
    with pytest.raises(TableError, match="nik"):
        list(TableReader(path, COLUMNS))


def test_a_file_with_only_a_header_gives_no_rows(tmp_path):
    path = tmp_path / "dpt.parquet"
    pq.write_table(pa.table({"nik": pa.array([], type=pa.string())}), path)
    assert list(TableReader(path, COLUMNS)) == []


def test_a_truncated_parquet_file_is_a_table_error(tmp_path):
    path = tmp_path / "dpt.parquet"
    pq.write_table(pa.table({"nik": ["1"] * 100}), path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(TableError, match="Parquet"):
        list(TableReader(path, COLUMNS))
