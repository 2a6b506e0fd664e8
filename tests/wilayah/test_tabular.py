"""The streaming table reader behind every import: CSV and XLSX, aliases, clear file errors."""

import csv
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from siaga.core.tabular import (
    Column,
    ImportReport,
    RowError,
    TableError,
    TableReader,
    header_key,
    parse_float,
    parse_int,
)

COLUMNS = [
    Column("desa", ("kelurahan", "desa_kelurahan")),
    Column("tps", ("no_tps", "nomor_tps"), required=True),
    Column("dpt_male", ("dpt_l", "laki-laki"), required=True),
]


def _rows(path, columns=COLUMNS, **kwargs):
    reader = TableReader(path, columns, **kwargs)
    return reader, [tuple(row) for row in reader]


def _xlsx(path, sheets: dict[str, list[list]]):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _file_error(path, columns=COLUMNS, **kwargs) -> RowError:
    with pytest.raises(TableError) as caught:
        list(TableReader(path, columns, **kwargs))
    return caught.value.error


def test_header_key_ignores_case_spaces_underscores_and_punctuation():
    assert header_key(" DPT Laki-Laki ") == header_key("dpt_laki_laki") == "dptlakilaki"
    assert header_key("Desa/Kelurahan") == header_key("desa_kelurahan")


def test_csv_with_comma_yields_canonical_columns_and_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "tps.csv"
    path.write_text("Kelurahan,No TPS,DPT_L,catatan\nSangatta,1,200,x\n\nBengalon,2,150,y\n")

    reader, rows = _rows(path)

    assert rows == [
        (None, 2, {"desa": "Sangatta", "tps": "1", "dpt_male": "200"}),
        (None, 4, {"desa": "Bengalon", "tps": "2", "dpt_male": "150"}),
    ]
    assert reader.header_label(None, "tps") == "No TPS"
    assert reader.present(None, "desa")


def test_csv_with_semicolon_and_utf8_bom_as_excel_writes_it(tmp_path):
    path = tmp_path / "tps.csv"
    path.write_bytes('\ufeffDESA;nomor_tps;Laki-Laki\n"Suka; Maju";3;1.250\n'.encode())

    _, rows = _rows(path)

    assert rows == [(None, 2, {"desa": "Suka; Maju", "tps": "3", "dpt_male": "1.250"})]


def test_csv_missing_required_header_is_a_clear_error_at_row_1(tmp_path):
    path = tmp_path / "tps.csv"
    path.write_text("desa,no_tps\nA,1\n")

    error = _file_error(path)

    assert error.row == 1
    assert "dpt_male" in error.message


def test_one_of_groups_require_at_least_one_of_their_columns(tmp_path):
    path = tmp_path / "tps.csv"
    path.write_text("no_tps,dpt_l\n1,2\n")
    columns = [*COLUMNS, Column("desa_code", ("kode_desa",))]

    error = _file_error(path, columns, one_of=[("desa", "desa_code")])
    assert "desa" in error.message and "desa_code" in error.message

    path.write_text("kode_desa,no_tps,dpt_l\n6408012001,1,2\n")
    _, rows = _rows(path, columns, one_of=[("desa", "desa_code")])
    assert rows == [(None, 2, {"desa_code": "6408012001", "tps": "1", "dpt_male": "2"})]


def test_two_headers_meaning_the_same_column_are_rejected(tmp_path):
    path = tmp_path / "tps.csv"
    path.write_text("desa,kelurahan,no_tps,dpt_l\nA,B,1,2\n")

    error = _file_error(path)

    assert error.row == 1
    assert "desa" in error.message and "kelurahan" in error.message


@pytest.mark.parametrize("content", [b"", b"\n\n\n", b",,,\n,,\n", "\ufeff".encode()])
def test_empty_csv_is_a_clear_error(tmp_path, content):
    path = tmp_path / "tps.csv"
    path.write_bytes(content)

    assert "kosong" in _file_error(path).message


def test_csv_with_no_known_header_says_which_columns_are_expected(tmp_path):
    path = tmp_path / "tps.csv"
    path.write_text("foo,bar\n1,2\n")

    message = _file_error(path).message

    assert "tps" in message and "dpt_male" in message


def test_undecodable_bytes_are_reported_at_their_row(tmp_path):
    path = tmp_path / "tps.csv"
    good = "".join(f"{n},2,Sangatta\n" for n in range(1, 15))
    path.write_bytes(f"no_tps,dpt_l,desa\n{good}15,3,Caf\xe9\n".encode("latin-1"))
    reader = TableReader(path, COLUMNS)

    rows = []
    with pytest.raises(TableError) as caught:
        for row in reader:
            rows.append(row)

    assert [row.row_number for row in rows] == list(range(2, 16))
    assert caught.value.error.row == 16
    assert "UTF-8" in caught.value.error.message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("tps.pdf", b"%PDF-1.4", ".pdf"),
        ("tps", b"no_tps,dpt_l\n", "tanpa akhiran"),
        ("tps.xls", b"\xd0\xcf\x11\xe0rest", ".xls"),
        ("tps.xlsx", b"no_tps,dpt_l\n1,2\n", "XLSX"),
        ("tps.csv", b"PK\x03\x04rest-of-a-zip", "Excel"),
    ],
)
def test_wrong_file_types_are_clear_errors(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)

    assert expected in _file_error(path).message


def test_missing_file_is_a_clear_error(tmp_path):
    assert "tidak ditemukan" in _file_error(tmp_path / "nope.csv").message


def test_corrupt_xlsx_is_a_clear_error(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", {"TPS": [["no_tps", "dpt_l"], [1, 2]]})
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:300])  # a zip cut short
    assert "XLSX" in _file_error(broken).message

    not_a_workbook = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert "XLSX" in _file_error(not_a_workbook).message


def test_xlsx_reads_every_sheet_with_its_own_header_and_skips_notes(tmp_path):
    path = _xlsx(
        tmp_path / "tps.xlsx",
        {
            "Petunjuk": [["Isi satu baris per TPS"], ["Jangan ubah judul kolom"]],
            "Sangatta": [["Kelurahan", "No TPS", "DPT L"], ["Singa Gembara", 1, 210]],
            "Busang": [
                ["REKAP TPS KECAMATAN BUSANG"],
                [],
                ["dpt_l", "nomor_tps", "desa"],
                [120, "002", "Long Bentuq"],
                [None, None, None],
                [130, 3, "Long Pejeng"],
            ],
        },
    )

    reader, rows = _rows(path)

    assert rows == [
        ("Sangatta", 2, {"desa": "Singa Gembara", "tps": 1, "dpt_male": 210}),
        ("Busang", 4, {"dpt_male": 120, "tps": "002", "desa": "Long Bentuq"}),
        ("Busang", 6, {"dpt_male": 130, "tps": 3, "desa": "Long Pejeng"}),
    ]
    assert reader.sheets_read == ["Sangatta", "Busang"]
    assert reader.sheets_skipped == ["Petunjuk"]
    assert reader.header_label("Sangatta", "dpt_male") == "DPT L"
    assert reader.header_label("Busang", "dpt_male") == "dpt_l"


def test_xlsx_sheet_with_an_incomplete_header_is_an_error_naming_the_sheet(tmp_path):
    path = _xlsx(
        tmp_path / "tps.xlsx",
        {"Baik": [["desa", "no_tps", "dpt_l"], ["A", 1, 2]], "Rusak": [["desa", "no_tps"]]},
    )

    error = _file_error(path)

    assert (error.sheet, error.row) == ("Rusak", 1)
    assert "dpt_male" in error.message


@pytest.mark.parametrize(
    "sheets", [{"Kosong": []}, {"Catatan": [["hanya catatan"]]}], ids=["empty", "notes"]
)
def test_xlsx_without_any_data_sheet_is_a_clear_error(tmp_path, sheets):
    path = _xlsx(tmp_path / "tps.xlsx", sheets)

    message = _file_error(path).message

    assert "kosong" in message or "judul" in message


def test_csv_is_streamed_not_loaded_whole(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["desa", "no_tps", "dpt_l", "alamat panjang"])
        for n in range(30_000):
            writer.writerow([f"Desa {n % 141}", n + 1, 300, "Jalan Poros Sangatta " * 3])
    assert path.stat().st_size > 2_400_000

    tracemalloc.start()
    try:
        count = sum(1 for _ in TableReader(path, COLUMNS))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 30_000
    assert peak < 500_000, f"peak {peak:,} bytes: the reader holds the file in memory"


def test_xlsx_is_streamed_in_read_only_mode(tmp_path):
    path = tmp_path / "big.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("TPS")
    sheet.append(["desa", "no_tps", "dpt_l", "alamat"])
    for n in range(6_000):
        sheet.append([f"Desa {n % 141}", n + 1, 300, "Jalan Poros Sangatta " * 3])
    workbook.save(path)

    tracemalloc.start()
    try:
        count = sum(1 for _ in TableReader(path, COLUMNS))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 6_000
    # Loading this workbook whole takes about 10 MB; streaming stays near 1.5 MB.
    assert peak < 4_000_000, f"peak {peak:,} bytes: the reader holds the workbook in memory"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(250, 250), (250.0, 250), ("250", 250), (" 1.250 ", 1250), ("1,250", 1250), ("250,0", 250)],
)
def test_parse_int_accepts_what_spreadsheets_hold(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["dua ratus", "12a", "2.5", 2.5, True, "", "1.2345"])
def test_parse_int_rejects_non_integers(raw):
    with pytest.raises(ValueError):
        parse_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("0.5123", 0.5123), ("0,5123", 0.5123), (117, 117.0), ("-1.5", -1.5)]
)
def test_parse_float_accepts_a_decimal_comma(raw, expected):
    assert parse_float(raw) == expected


@pytest.mark.parametrize("raw", ["utara", "1,2,3", "nan", "inf", ""])
def test_parse_float_rejects_non_numbers(raw):
    with pytest.raises(ValueError):
        parse_float(raw)


def test_row_error_reads_as_row_and_column():
    assert str(RowError(4, "DPT_L", "bukan angka")) == "baris 4, kolom DPT_L: bukan angka"
    assert str(RowError(2, "tps", "x", sheet="Busang")) == "lembar Busang, baris 2, kolom tps: x"
    assert str(RowError(None, None, "Berkas kosong.")) == "Berkas kosong."


def test_import_report_writes_errors_and_warnings_to_csv(tmp_path):
    report = ImportReport(max_errors=2)
    report.error(3, "DPT_L", "bukan angka")
    report.error(5, "lintang", "di luar rentang", sheet="Busang")
    report.error(7, "tps", "ganda")
    report.warn(4, "DPT_L", "melebihi 600")
    report.count("created", 2)

    path = report.to_csv(tmp_path / "errors.csv")

    assert not report.ok
    assert (report.error_count, report.errors_truncated, report.created) == (3, 1, 2)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["level", "sheet", "row", "column", "message"]
    assert rows[1] == ["error", "", "3", "DPT_L", "bukan angka"]
    assert rows[2] == ["error", "Busang", "5", "lintang", "di luar rentang"]
    assert rows[3] == ["warning", "", "4", "DPT_L", "melebihi 600"]
    assert "1 more error" in rows[4][4]
