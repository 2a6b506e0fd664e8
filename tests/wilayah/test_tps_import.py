"""Importing TPS from CSV and XLSX: every row checked, errors by row and column, all or nothing."""

import csv
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from siaga.wilayah.models import RegionAlias, Tps
from siaga.wilayah.reference import regions_load_reference
from siaga.wilayah.tps_import import tps_import
from tests.factories import TpsFactory, region
from tests.wilayah import write_reference_subset

pytestmark = pytest.mark.django_db

HEADER = "Kecamatan|Desa/Kelurahan|Kode Desa|No TPS|DPT L|DPT P|Lintang|Bujur|Alamat"
ROW_A = "Sangatta Utara|Singa Gembara|64.08.04.2011|1|210|190|0.5012|117.5521|Jl. Yos Sudarso"
ROW_B = "Sangatta Utara|Swarga Bara|6408042012|1|205|199|0.5020|117.5530|Jl. Pendidikan"
ROW_C = "Sangatta Utara|Teluk Lingga||1|300|280|0,4903|117,5410|Jl. Soekarno-Hatta"
ROW_D = "Busang|Long Bentuq||1|150|140|0.9840|116.6500|Balai desa"
ROW_E = "Sangatta Utara|Singa Gembara|64.08.04.2011|2|250|240|0.5030|117.5540|Jl. Poros"
HEADER, ROW_A, ROW_B, ROW_C, ROW_D, ROW_E = (
    line.split("|") for line in (HEADER, ROW_A, ROW_B, ROW_C, ROW_D, ROW_E)
)


@pytest.fixture(scope="session")
def reference_dir(tmp_path_factory):
    if not (settings.SIAGA_WILAYAH_DATA_DIR / "villages.csv").exists():
        pytest.skip(f"idn-area-data is not installed in {settings.SIAGA_WILAYAH_DATA_DIR}")
    return write_reference_subset(tmp_path_factory.mktemp("idn-area-data"), "64.08")


@pytest.fixture
def regions(db, reference_dir):
    """The real codes and names of Kutai Timur (18 kecamatan, 141 desa) with their aliases."""
    regions_load_reference(context=AuditContext.cli(), only="64.08", data_dir=reference_dir)


def _import(path, regency="64.08"):
    return tps_import(context=AuditContext.cli(), path=path, regency_code=regency)


def _csv(path, rows, header=HEADER, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _xlsx(path, rows, header=HEADER, title="TPS"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _errors(report):
    return [(e.row, e.column) for e in report.errors]


def _state():
    return sorted(
        Tps.objects.values_list(
            "desa_id", "number", "dpt_male", "dpt_female", "lat", "lon", "address"
        )
    )


def _bad_rows():
    unknown_code = ["", "", "64.08.04.2999", "1", "100", "100", "0.50", "117.55", "?"]
    non_numeric_dpt = [*ROW_E[:4], "dua ratus", *ROW_E[5:]]
    latitude_out_of_range = [*ROW_C[:6], "95.1", *ROW_C[7:]]
    duplicate_number = [*ROW_A[:4], "90", "80", "0.5013", "117.5522", "Jl. Yos Sudarso 2"]
    return [ROW_A, unknown_code, non_numeric_dpt, latitude_out_of_range, duplicate_number, ROW_D]


def _fixed_rows():
    return [ROW_A, ROW_B, ROW_E, ROW_C, [*ROW_A[:3], "3", *ROW_A[4:]], ROW_D]


@pytest.mark.parametrize("writer", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_file_with_bad_rows_is_rejected_by_row_and_column_and_changes_nothing(
    regions, tmp_path, writer
):
    existing = TpsFactory(desa_id="64.08.04.2011", number=1, dpt_male=100, dpt_female=100)
    before_state, before_events = _state(), AuditEvent.objects.count()
    path = writer(tmp_path / f"tps.{writer.__name__[1:]}", _bad_rows())

    report = _import(path)

    assert not report.ok
    assert _errors(report) == [(3, "Kode Desa"), (4, "DPT L"), (5, "Lintang"), (6, "No TPS")]
    messages = [e.message for e in report.errors]
    assert "64.08.04.2999" in messages[0]
    assert "dua ratus" in messages[1]
    assert "95.1" in messages[2]
    assert "baris 2" in messages[3]
    assert _state() == before_state
    existing.refresh_from_db()
    assert (existing.dpt_male, existing.dpt_female) == (100, 100)
    assert AuditEvent.objects.count() == before_events
    assert report.created == report.updated == 0


def test_same_file_fixed_imports_fully_with_one_audit_event_per_change(regions, tmp_path):
    existing = TpsFactory(desa_id="64.08.04.2011", number=1, dpt_male=100, dpt_female=100)
    untouched = TpsFactory(desa_id="64.08.06.2002", number=7)
    _import(_csv(tmp_path / "bad.csv", _bad_rows()))
    events = AuditEvent.objects.count()

    report = _import(_csv(tmp_path / "fixed.csv", _fixed_rows()))

    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (6, 5, 1, 0)
    assert Tps.objects.count() == 7
    existing.refresh_from_db()
    assert (existing.dpt_male, existing.dpt_female, existing.address) == (
        210,
        190,
        "Jl. Yos Sudarso",
    )
    teluk_lingga = Tps.objects.get(desa_id="64.08.04.1010", number=1)
    assert (teluk_lingga.lat, teluk_lingga.lon) == (0.4903, 117.541)  # decimal commas
    assert Tps.objects.get(desa_id="64.08.06.2001", number=1).dpt_total == 290
    assert Tps.objects.filter(pk=untouched.pk).exists()  # an upsert: nothing is deleted

    new_events = AuditEvent.objects.filter(seq__gt=events)
    assert new_events.count() == 6
    assert new_events.filter(action="tps.create").count() == 5
    update = new_events.get(action="tps.update")
    assert update.object_id == str(existing.pk)
    assert update.region_code == "64.08.04.2011"
    assert (update.before["dpt_male"], update.after["dpt_male"]) == (100, 210)
    created = new_events.get(action="tps.create", region_code="64.08.06.2001")
    assert created.before is None
    assert created.object_id == str(Tps.objects.get(desa_id="64.08.06.2001", number=1).pk)
    assert created.after["dpt_female"] == 140
    assert audit_verify().ok


def test_reimporting_the_same_file_changes_nothing_and_records_nothing(regions, tmp_path):
    path = _csv(tmp_path / "tps.csv", _fixed_rows())
    _import(path)
    state, events = _state(), AuditEvent.objects.count()

    again = _import(path)

    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert _state() == state
    assert AuditEvent.objects.count() == events


def test_a_changed_row_updates_only_that_tps(regions, tmp_path):
    _import(_csv(tmp_path / "v1.csv", _fixed_rows()))
    rows = _fixed_rows()
    rows[5] = [*ROW_D[:4], "155", *ROW_D[5:]]
    events = AuditEvent.objects.count()

    report = _import(_csv(tmp_path / "v2.csv", rows))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    event = AuditEvent.objects.get(seq__gt=events)
    assert event.action == "tps.update"
    assert (event.before["dpt_male"], event.after["dpt_male"]) == (150, 155)


def test_xlsx_with_indonesian_headers_and_kongbeng_spelling(regions, tmp_path):
    header = [
        "kec",
        "desa_kelurahan",
        "nomor_tps",
        "laki-laki",
        "perempuan",
        "lat",
        "lng",
        "alamat",
        "lokasi_khusus",
    ]
    rows = [
        ["Kongbeng", "Kongbeng Indah", "TPS 001", 200, 180, 0.9441, 116.9876, "Balai", ""],
        ["KEC. KOMBENG", "Marga Mulia", 2, 120, 110, 0.95, 116.99, "SDN 1", "Perkebunan"],
        ["kongbeng", "sukamaju", "003", "1.2", "0", None, None, "", "Rutan"],
    ]
    rows[2][3] = "12"

    report = _import(_xlsx(tmp_path / "kongbeng.xlsx", rows, header=header))

    assert report.ok, report.errors
    assert report.created == 3
    kombeng_indah = Tps.objects.get(desa_id="64.08.08.2006", number=1)
    assert (kombeng_indah.dpt_male, kombeng_indah.lat) == (200, 0.9441)
    marga_mulya = Tps.objects.get(desa_id="64.08.08.2002", number=2)
    assert marga_mulya.special_location == "perusahaan"
    sukamaju = Tps.objects.get(desa_id="64.08.08.2003", number=3)
    assert (sukamaju.lat, sukamaju.special_location) == (None, "lapas")


def test_csv_with_semicolons_desa_codes_without_dots_and_no_kecamatan_column(regions, tmp_path):
    header = ["kode_wilayah", "tps", "dpt_l", "dpt_p"]
    rows = [["6408042011", "1", "210", "190"], ["64.08.06.2003", "4", "1.050", "0"]]

    report = _import(_csv(tmp_path / "tps.csv", rows, header=header, delimiter=";"))

    assert report.ok, report.errors
    assert Tps.objects.get(desa_id="64.08.06.2003", number=4).dpt_male == 1050
    assert report.warnings and "600" in report.warnings[0].message  # over KPU's ceiling


def test_desa_is_resolved_by_name_and_ambiguity_or_mismatch_is_an_error(regions, tmp_path):
    region("64.01", "Kabupaten Paser")
    region("64.01.01", "Batu Sopang")
    region("64.01.01.2001", "Kasungai")
    # A second desa answering to "Makmur Jaya", in another kecamatan.
    RegionAlias.objects.create(region_id="64.08.04.2001", name="Makmur Jaya")
    header = ["kecamatan", "desa", "kode_desa", "tps", "dpt_l", "dpt_p"]
    rows = [
        ["", "Long Pejeng", "", "1", "10", "10"],  # unique in the regency: fine
        ["", "Makmur Jaya", "", "1", "10", "10"],  # row 3: ambiguous without kecamatan
        ["Kombeng", "Makmur Jaya", "", "1", "10", "10"],  # fine with its kecamatan
        ["Busang", "Singa Gembara", "", "1", "10", "10"],  # row 5: not in that kecamatan
        ["Muara Entah", "Singa Gembara", "", "1", "10", "10"],  # row 6: unknown kecamatan
        ["Busang", "", "64.08.04.2011", "1", "10", "10"],  # row 7: code in another kecamatan
        ["", "Teluk Lingga", "64.08.04.2011", "1", "10", "10"],  # row 8: name vs code
        ["", "", "64.01.01.2001", "1", "10", "10"],  # row 9: outside the regency
        ["", "", "64.08", "1", "10", "10"],  # row 10: not a desa code
        ["", "", "", "1", "10", "10"],  # row 11: nothing to find the desa by
    ]

    report = _import(_csv(tmp_path / "tps.csv", rows, header=header))

    assert _errors(report) == [
        (3, "desa"),
        (5, "desa"),
        (6, "kecamatan"),
        (7, "kecamatan"),
        (8, "desa"),
        (9, "kode_desa"),
        (10, "kode_desa"),
        (11, "desa"),
    ]
    assert "ambigu" in report.errors[0].message
    assert "Kabupaten Kutai Timur" in report.errors[5].message
    assert Tps.objects.count() == 0


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"tps": ""}, "tps", "wajib"),
        ({"tps": "0"}, "tps", "lebih dari 0"),
        ({"tps": "satu"}, "tps", "bilangan bulat"),
        ({"dpt_l": "-5"}, "dpt_l", "negatif"),
        ({"dpt_p": ""}, "dpt_p", "wajib"),
        ({"lat": "10.5"}, "lat", "Indonesia"),
        ({"lon": "200"}, "lon", "-180.0..180.0"),
        ({"lon": "60"}, "lon", "Indonesia"),
        ({"lat": "utara"}, "lat", "bukan angka"),
        ({"lon": ""}, "lon", "Wajib diisi bila lat diisi"),
        ({"lat": "117.55", "lon": "0.50"}, "lat", "tertukar"),
        ({"lokasi_khusus": "kapal"}, "lokasi_khusus", "tidak dikenal"),
        ({"alamat": "x" * 256}, "alamat", "terlalu panjang"),
    ],
)
def test_each_bad_value_is_reported_at_its_column(regions, tmp_path, cells, column, fragment):
    header = ["kode_desa", "tps", "dpt_l", "dpt_p", "lat", "lon", "alamat", "lokasi_khusus"]
    row = dict(
        zip(header, ["64.08.04.2011", "1", "200", "190", "0.50", "117.55", "", ""], strict=True)
    )
    row.update(cells)

    report = _import(_csv(tmp_path / "tps.csv", [list(row.values())], header=header))

    assert [(e.row, e.column) for e in report.errors][:1] == [(2, column)]
    assert fragment in report.errors[0].message
    assert Tps.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("kecamatan,desa,tps\nBusang,Long Lees,1\n", "dpt_male"),
        ("tps,dpt_l,dpt_p\n1,2,3\n", "desa atau desa_code"),
        ("desa,tps,dpt_l,dpt_p\n", "tidak berisi baris data"),
        ("", "kosong"),
    ],
    ids=["missing-dpt", "missing-desa", "header-only", "empty"],
)
def test_file_level_problems_are_clear_errors(regions, tmp_path, content, fragment):
    path = tmp_path / "tps.csv"
    path.write_text(content)

    report = _import(path)

    assert not report.ok
    assert fragment in report.errors[0].message
    assert Tps.objects.count() == 0


def test_unloaded_regency_is_a_clear_error(db, tmp_path):
    report = _import(_csv(tmp_path / "tps.csv", [ROW_A]), regency="64.08")

    assert not report.ok
    assert "siaga wilayah load" in report.errors[0].message


def test_lookups_do_not_query_per_row(regions, tmp_path):
    """Regions are read once; existing TPS once per batch. Only the audit trail is per TPS."""
    rows = [
        ["", "", code, str(number), "200", "190", "", "", ""]
        for code in ("64.08.04.2011", "64.08.04.2012", "64.08.06.2001")
        for number in range(1, 101)
    ]
    path = _csv(tmp_path / "tps.csv", rows)

    with CaptureQueriesContext(connection) as captured:
        report = _import(path)

    assert report.created == 300
    not_audit = [
        q["sql"]
        for q in captured.captured_queries
        if "core_auditevent" not in q["sql"]
        and "SAVEPOINT" not in q["sql"]
        and "pg_advisory_xact_lock" not in q["sql"]
    ]
    assert len(not_audit) <= 8, not_audit

    rows[0][4] = "dua ratus"  # one bad row: the whole file is only checked
    with CaptureQueriesContext(connection) as captured:
        assert not _import(_csv(tmp_path / "bad.csv", rows)).ok
    assert len(captured.captured_queries) <= 8


def test_tps_import_command_prints_row_and_column_errors_and_writes_a_report(regions, tmp_path):
    path = _csv(tmp_path / "tps.csv", _bad_rows())
    errors_csv = tmp_path / "errors.csv"
    stderr = StringIO()

    with pytest.raises(CommandError, match="4 error"):
        call_command("tps", "import", str(path), "--report", str(errors_csv), stderr=stderr)

    lines = stderr.getvalue().splitlines()
    assert lines[0].startswith("baris 3, kolom Kode Desa: ")
    assert lines[1].startswith("baris 4, kolom DPT L: ")
    assert lines[3].startswith("baris 6, kolom No TPS: ")
    with errors_csv.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == 5
    assert Tps.objects.count() == 0


def test_tps_import_and_list_commands_on_a_good_file(regions, tmp_path):
    out = StringIO()
    call_command("tps", "import", str(_csv(tmp_path / "tps.csv", _fixed_rows())), stdout=out)
    assert "6 created" in out.getvalue()

    out = StringIO()
    call_command("tps", "list", "--region", "64.08.06", stdout=out)
    listing = out.getvalue().splitlines()
    assert "64.08.06.2001" in listing[1] and "Long Bentuq" in listing[1]
    assert listing[-1] == "1 TPS"


def test_xlsx_with_one_sheet_per_kecamatan_and_a_duplicate_across_sheets(regions, tmp_path):
    workbook = Workbook()
    first = workbook.active
    first.title = "Sangatta Utara"
    first.append(["kode_desa", "no_tps", "dpt_l", "dpt_p"])
    first.append(["64.08.04.2011", 1, 200, 190])
    second = workbook.create_sheet("Busang")
    second.append(["Catatan: data sementara"])
    second.append(["desa", "kecamatan", "no_tps", "dpt_l", "dpt_p"])
    second.append(["Long Bentuq", "Busang", 1, 150, 140])
    second.append(["Singa Gembara", "Sangatta Utara", 1, 10, 10])  # already on the first sheet
    path = tmp_path / "tps.xlsx"
    workbook.save(path)

    report = _import(path)

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("Busang", 4, "no_tps")]
    assert "lembar Sangatta Utara baris 2" in report.errors[0].message
    assert Tps.objects.count() == 0

    second.delete_rows(4)
    workbook.save(path)
    assert _import(path).created == 2
