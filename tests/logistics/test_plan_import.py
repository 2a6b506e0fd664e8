"""Importing a distribution plan: every row checked, all or nothing, idempotent by code."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from siaga.core.models import AuditEvent
from siaga.logistics.choices import ShipmentStatus
from siaga.logistics.imports import shipment_plan_import
from siaga.logistics.models import Shipment, ShipmentLine
from tests.logistics.world import CONTEXT, LogisticsWorld, wita

HEADER = (
    "kode;tahap;asal;tujuan;moda;pengangkut;pengawalan;rencana berangkat;rencana tiba;"
    "barang;jumlah;tps"
)
GOOD = [
    "PPK-SGT-01;kpu_ppk;64.08;64.08.04;darat;CV Maju;Polres;2024-11-23 08:00;2024-11-23 12:00;"
    "surat_suara_bupati;390;64.08.04.1001/001",
    "PPK-SGT-01;kpu_ppk;64.08;64.08.04;darat;CV Maju;Polres;2024-11-23 08:00;2024-11-23 12:00;"
    "surat_suara_bupati;390;64.08.04.1001/002",
    "PPK-SGT-01;kpu_ppk;64.08;64.08.04;darat;CV Maju;Polres;2024-11-23 08:00;2024-11-23 12:00;"
    "tinta;2;",
    ";pps_kpps;64.08.06.2001;64.08.06.2001/001;longboat;;;24/11/2024 07:00;24/11/2024 15:30;"
    "kotak_suara;2;",
]


@pytest.fixture
def lw(world):
    return LogisticsWorld(world)


def write(tmp_path, rows, name="plan.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_good_plan_is_imported(lw, tmp_path):
    report = shipment_plan_import(context=CONTEXT, user=lw.kpu_liaison, path=write(tmp_path, GOOD))
    assert report.ok, report.errors
    assert report.created == 2 and report.counts["lines"] == 4
    ppk = Shipment.objects.get(code="PPK-SGT-01")
    assert ppk.stage == "kpu_ppk" and ppk.mode == "road" and ppk.escort == "Polres"
    assert ppk.planned_departure == wita(2024, 11, 23, 8)
    assert {(li.item.code, li.tps_id) for li in ppk.lines.all()} == {
        ("surat_suara_bupati", lw.tps_a1.pk),
        ("surat_suara_bupati", lw.tps_a1b.pk),
        ("tinta", None),
    }
    kpps = Shipment.objects.exclude(code="PPK-SGT-01").get()
    assert len(kpps.code) == 8 and kpps.destination_tps == lw.tps_b1
    assert kpps.mode == "longboat" and kpps.planned_arrival == wita(2024, 11, 24, 15, 30)


def test_importing_the_same_file_again_changes_nothing(lw, tmp_path):
    path = write(tmp_path, GOOD)
    shipment_plan_import(context=CONTEXT, user=lw.admin, path=path)
    events = AuditEvent.objects.count()
    lines = list(ShipmentLine.objects.order_by("pk").values_list("pk", flat=True))
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=path)
    assert report.ok and report.unchanged == 2 and report.created == report.updated == 0
    assert AuditEvent.objects.count() == events
    assert list(ShipmentLine.objects.order_by("pk").values_list("pk", flat=True)) == lines


def test_a_changed_row_updates_its_shipment_by_code(lw, tmp_path):
    shipment_plan_import(context=CONTEXT, user=lw.admin, path=write(tmp_path, GOOD))
    changed = [GOOD[0], GOOD[1], GOOD[2].replace("tinta;2", "tinta;3"), GOOD[3]]
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=write(tmp_path, changed))
    assert report.ok and report.updated == 1 and report.unchanged == 1
    assert ShipmentLine.objects.get(shipment__code="PPK-SGT-01", item__code="tinta").quantity == 3
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "logistics.shipment.update"


def test_a_departed_shipment_is_not_changed_by_an_import(lw, tmp_path):
    shipment_plan_import(context=CONTEXT, user=lw.admin, path=write(tmp_path, GOOD))
    Shipment.objects.filter(code="PPK-SGT-01").update(status=ShipmentStatus.IN_TRANSIT)
    changed = [GOOD[0], GOOD[1], GOOD[2].replace("tinta;2", "tinta;3")]
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=write(tmp_path, changed))
    assert not report.ok and "tidak dapat diubah" in report.errors[0].message
    assert ShipmentLine.objects.get(shipment__code="PPK-SGT-01", item__code="tinta").quantity == 2


BAD = [
    ("unknown item", GOOD[2].replace("tinta", "payung"), "barang", "tidak dikenal"),
    ("bad stage", GOOD[2].replace("kpu_ppk", "gudang"), "tahap", "Tahap"),
    ("bad mode", GOOD[2].replace("darat", "kuda"), "moda", "Moda"),
    (
        "arrival before departure",
        GOOD[2].replace("2024-11-23 12:00", "2024-11-23 07:00"),
        "rencana tiba",
        "sebelum",
    ),
    ("destination level", GOOD[2].replace(";64.08.04;", ";64.08.04.1001;"), "tujuan", "harus"),
    ("negative quantity", GOOD[2].replace("tinta;2", "tinta;-2"), "jumlah", "negatif"),
    (
        "tps outside the destination",
        GOOD[2].replace("tinta;2;", "tinta;2;64.08.06.2001/001"),
        "tps",
        "tidak berada",
    ),
    ("bad date", GOOD[2].replace("2024-11-23 08:00", "besok pagi"), "rencana berangkat", "Waktu"),
    (
        "inconsistent rows",
        GOOD[2].replace("CV Maju", "CV Lain"),
        "pengangkut",
        "berbeda dengan baris 2",
    ),
    ("kpps without tps", GOOD[3].replace("64.08.06.2001/001", "64.08.06.2001"), "tujuan", "TPS"),
    ("unknown tps", GOOD[3].replace("2001/001", "2001/009"), "tujuan", "tidak ada"),
]


@pytest.mark.parametrize(("case", "row", "column", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(
    lw, tmp_path, case, row, column, message
):
    rows = [*GOOD[:2], row, GOOD[3]] if row.startswith("PPK") else [*GOOD[:3], row]
    events = AuditEvent.objects.count()
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=write(tmp_path, rows))
    assert not report.ok
    error = report.errors[0]
    assert (error.row, error.column) == (4 if row.startswith("PPK") else 5, column), error
    assert message in error.message
    assert Shipment.objects.count() == 0 and AuditEvent.objects.count() == events


def test_every_bad_row_is_reported_not_only_the_first(lw, tmp_path):
    rows = [GOOD[0].replace("390", "x"), GOOD[1].replace("darat", "kuda"), GOOD[2], GOOD[3]]
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=write(tmp_path, rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "jumlah"), (3, "moda")]


def test_destinations_outside_the_users_scope_are_refused(lw, tmp_path, world):
    from siaga.accounts.choices import Role

    admin_b = world.user(Role.ADMIN, scope=[world.kec_b], username="admin-b")
    report = shipment_plan_import(context=CONTEXT, user=admin_b, path=write(tmp_path, GOOD))
    assert [e.row for e in report.errors] == [2, 3, 4]
    report = shipment_plan_import(context=CONTEXT, user=lw.analyst, path=write(tmp_path, GOOD))
    assert not report.ok and "tidak berwenang" in report.errors[0].message
    assert Shipment.objects.count() == 0


def test_an_xlsx_plan_with_datetime_cells_is_imported(lw, tmp_path):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for row in GOOD:
        cells = row.split(";")
        cells[7] = dt.datetime.strptime(cells[7], "%Y-%m-%d %H:%M") if "-" in cells[7] else cells[7]
        cells[10] = int(cells[10])
        sheet.append(cells)
    path = tmp_path / "plan.xlsx"
    book.save(path)
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=path)
    assert report.ok, report.errors
    assert Shipment.objects.get(code="PPK-SGT-01").planned_departure == wita(2024, 11, 23, 8)


def test_a_file_that_is_not_a_table_is_reported(lw, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"not a workbook")
    report = shipment_plan_import(context=CONTEXT, user=lw.admin, path=path)
    assert not report.ok and "XLSX" in report.errors[0].message


def test_the_command_imports_and_writes_the_error_report(lw, tmp_path, capsys):
    call_command("logistics", "import-plan", str(write(tmp_path, GOOD)))
    assert "2 shipments created" in capsys.readouterr().out
    bad = write(tmp_path, [GOOD[0].replace("390", "-1")], "bad.csv")
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="1 error"):
        call_command("logistics", "import-plan", str(bad), "--report", str(report))
    assert "negatif" in report.read_text(encoding="utf-8-sig")


def test_the_seed_and_at_risk_commands_run(lw, capsys):
    call_command("logistics", "seed-catalogue")
    assert "0 created" in capsys.readouterr().out
    call_command("logistics", "at-risk")
    assert capsys.readouterr().out
