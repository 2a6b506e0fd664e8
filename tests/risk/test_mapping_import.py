"""The TPS mapping import (Bawaslu's yes/no per indicator, CSV or XLSX), all or nothing, and the
``siaga risk import`` / ``siaga risk recompute`` commands."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from siaga.core.models import AuditEvent
from siaga.risk import services
from siaga.risk.models import IndicatorValue, TpsAssessment, TpsRisk
from tests.risk.conftest import CLI

pytestmark = pytest.mark.django_db

A1, A2, B1 = "64.08.04.1001", "64.08.04.1002", "64.08.06.2001"
HEADER = ["Kode Desa", "No TPS", "TMS", "Riwayat kekerasan", "Sulit dijangkau"]


def write_csv(path: Path, rows: list[list], header=HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], header=HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Pemetaan"
    sheet.append(["Pemetaan TPS rawan Kabupaten Kutai Timur"])  # a title row above the header
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def stored() -> dict[tuple[int, str], float]:
    return {(v.tps_id, v.indicator_id): v.value for v in IndicatorValue.objects.all()}


def test_a_csv_accepts_yes_no_words_and_numbers(rw, tmp_path):
    path = write_csv(
        tmp_path / "pemetaan.csv",
        [[A1, "1", "ya", "Tidak", "v"], [A1, "TPS 002", "1", "0", "✓"], [A2, "001", "", "2", "Y"]],
    )
    result = services.mapping_import(path, context=CLI, region_code="64.08")
    assert result.ok and (result.rows, result.values_set, result.values_cleared) == (3, 6, 0)
    assert stored() == {
        (rw.a1.pk, "hak_pilih.tms"): 1.0,
        (rw.a1.pk, "lokasi.sulit_dijangkau"): 1.0,
        (rw.a1b.pk, "hak_pilih.tms"): 1.0,
        (rw.a1b.pk, "lokasi.sulit_dijangkau"): 1.0,
        (rw.a2.pk, "keamanan.riwayat_kekerasan"): 2.0,
        (rw.a2.pk, "lokasi.sulit_dijangkau"): 1.0,
    }
    assert set(TpsAssessment.objects.values_list("tps_id", flat=True)) == {
        rw.a1.pk, rw.a1b.pk, rw.a2.pk
    }  # fmt: skip
    assert {v.origin for v in IndicatorValue.objects.all()} == {"import"}
    event = AuditEvent.objects.get(action="risk.mapping_imported")
    assert event.after["created"] == 6 and event.region_code == "64.08"
    rw.recompute()
    assert TpsRisk.objects.get(tps=rw.a1).score == 18.0  # tms 8 + sulit dijangkau 10


def test_an_xlsx_with_numbers_in_cells_imports_too(rw, tmp_path):
    path = write_xlsx(tmp_path / "pemetaan.xlsx", [[A1, 1, 1, 0, "ya"], [B1, 2, 0, 1, None]])
    result = services.mapping_import(path, context=CLI, region_code="64.08")
    assert result.ok, [str(e) for e in result.errors]
    assert stored() == {
        (rw.a1.pk, "hak_pilih.tms"): 1.0,
        (rw.a1.pk, "lokasi.sulit_dijangkau"): 1.0,
        (rw.b1b.pk, "keamanan.riwayat_kekerasan"): 1.0,
    }


def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_is_stored(rw, tmp_path):
    rw.map(rw.a1b, hak_pilih__tms=1, lokasi__rawan_bencana=1)  # what the mapping held before
    before = stored()
    path = write_csv(
        tmp_path / "pemetaan.csv",
        [[A1, "1", "ya", "ya", "ya"], [A1, "2", "tidak", "mungkin", "ya"], [A2, "1", "-1", "", ""]],
    )
    result = services.mapping_import(path, context=CLI, region_code="64.08")
    assert not result.ok and result.values_set == 0
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("baris 3, kolom Riwayat kekerasan:")
    assert "mungkin" in messages[0]
    assert messages[1].startswith("baris 4, kolom TMS:")
    assert stored() == before  # the good first row was not written, a1b kept its values
    assert not TpsAssessment.objects.filter(tps=rw.a1).exists()
    assert not AuditEvent.objects.filter(action="risk.mapping_imported").exists()


def test_an_unknown_tps_and_a_tps_outside_the_region_are_errors(rw, tmp_path):
    path = write_csv(
        tmp_path / "pemetaan.csv",
        [[A1, "1", "ya", "", ""], [A1, "9", "ya", "", ""], ["64.01.01.2001", "1", "ya", "", ""],
         [A1, "satu", "ya", "", ""], [A1, "1", "ya", "", ""]],
    )  # fmt: skip
    result = services.mapping_import(path, context=CLI, region_code="64.08")
    messages = [str(e) for e in result.errors]
    assert messages == [
        "baris 3, kolom Kode Desa: TPS 009 di desa 64.08.04.1001 tidak ada di wilayah 64.08",
        "baris 4, kolom Kode Desa: TPS 001 di desa 64.01.01.2001 tidak ada di wilayah 64.08",
        "baris 5, kolom No TPS: nomor TPS tidak sah: satu",
        "baris 6, kolom No TPS: TPS ini sudah ada di baris 2",
    ]
    assert stored() == {}
    # the importer's region narrows it further: Busang's TPS are outside Sangatta Utara
    other = write_csv(tmp_path / "busang.csv", [[B1, "1", "ya", "", ""]])
    narrow = services.mapping_import(other, context=CLI, region_code="64.08.04")
    assert [e.column for e in narrow.errors] == ["Kode Desa"]


def test_a_column_absent_leaves_values_as_they_were_and_tidak_clears(rw, tmp_path):
    rw.map(rw.a1, hak_pilih__tms=1, lokasi__rawan_bencana=1, keamanan__riwayat_kekerasan=1)
    path = write_csv(
        tmp_path / "pemetaan.csv", [[A1, "1", "tidak", "3"]], header=HEADER[:4]
    )  # no "Sulit dijangkau" column, no "Rawan bencana" column
    result = services.mapping_import(path, context=CLI, region_code="64.08")
    assert (result.values_set, result.values_cleared) == (1, 1)
    assert stored() == {
        (rw.a1.pk, "lokasi.rawan_bencana"): 1.0,
        (rw.a1.pk, "keamanan.riwayat_kekerasan"): 3.0,
    }
    assert TpsAssessment.objects.get(tps=rw.a1).origin == "import"


def test_a_file_without_any_indicator_column_or_not_a_table_is_refused(rw, tmp_path):
    path = write_csv(tmp_path / "kosong.csv", [[A1, "1"]], header=HEADER[:2])
    assert [
        str(e) for e in services.mapping_import(path, context=CLI, region_code="64.08").errors
    ] == ["baris 1: tidak ada kolom indikator yang dikenali"]
    fake = tmp_path / "bukan.xlsx"
    fake.write_text("kode desa,no tps\n")
    result = services.mapping_import(fake, context=CLI, region_code="64.08")
    assert not result.ok and "XLSX" in str(result.errors[0])
    with pytest.raises(Exception, match="64.99"):
        services.mapping_import(path, context=CLI, region_code="64.99")


# --- the commands -------------------------------------------------------------------------------


def test_the_import_command_prints_what_it_did(rw, tmp_path):
    path = write_csv(tmp_path / "pemetaan.csv", [[A1, "1", "ya", "ya", "tidak"]])
    out = io.StringIO()
    call_command("risk", "import", str(path), "--region", "64.08", stdout=out)
    assert out.getvalue().startswith("1 rows: 2 values set, 0 cleared.")
    assert len(stored()) == 2


def test_the_import_command_fails_clearly_on_a_bad_file(rw, tmp_path):
    path = write_csv(tmp_path / "pemetaan.csv", [[A1, "1", "barangkali", "", ""]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 errors: nothing was imported"):
        call_command("risk", "import", str(path), "--region", "64.08", stderr=err)
    assert "baris 2, kolom TMS" in err.getvalue()
    with pytest.raises(CommandError, match="64.99"):
        call_command("risk", "import", str(path), "--region", "64.99")
    assert stored() == {}


def test_the_recompute_command_prints_what_it_did(rw):
    rw.map(rw.a1, keamanan__riwayat_kekerasan=1, lokasi__sulit_dijangkau=1, hak_pilih__tms=1)
    out = io.StringIO()
    call_command("risk", "recompute", stdout=out)
    text = out.getvalue()
    assert text.startswith("10 TPS scored in ")
    assert "; 1 changed category, 0 alerts raised (sources: voters, incidents" in text
    assert TpsRisk.objects.get(tps=rw.a1).category == "rawan"
    out = io.StringIO()
    call_command("risk", "recompute", "--region", "64.08.06", stdout=out)
    assert out.getvalue().startswith("4 TPS scored in ")
    with pytest.raises(CommandError, match="--loop"):
        call_command("risk", "recompute", "--loop", "0")
