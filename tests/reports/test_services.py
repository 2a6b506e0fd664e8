"""Generating, regenerating and distributing the daily situation report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from siaga.core.audit import audit_record
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.notifications.models import Notification
from siaga.reports.models import SituationReport
from siaga.reports.services import ReportError, report_distribute, report_generate
from tests.reports.conftest import DEMO_DAY, SYSTEM, as_user, audit_count

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


def test_the_report_of_today_holds_its_files_figures_and_the_audit_head(rw):
    head = audit_record(context=SYSTEM, action="test.change", object_type="x", object_id="1")
    report = report_generate(context=as_user(rw.analyst))
    assert (report.day, report.region_id, report.generated_by) == (DEMO_DAY, "64.08", rw.analyst)
    assert bytes(report.pdf).startswith(b"%PDF") and bytes(report.xlsx).startswith(b"PK")
    assert report.audit_head == head.hash == report.figures["audit"]["hash"]
    assert report.figures["audit"]["seq"] == head.seq
    summary = report.figures["summary"]
    # The world: 2 kecamatan of Kutai Timur, 4 desa, 8 TPS (Paser's 2 TPS are not counted).
    assert (summary["tps"], summary["kecamatan"]) == (8, 2)
    assert (summary["h_label"], summary["phase"], summary["days_to_voting"]) == (
        "H-3",
        "masa_tenang",
        3,
    )
    assert "Pemerintah Kabupaten Kutai Timur" in report.html
    assert audit_count("reports.generate") == 1


def test_regenerating_the_day_replaces_its_report_and_is_audited(rw):
    first = report_generate(context=SYSTEM)
    second = report_generate(context=as_user(rw.admin))
    assert SituationReport.objects.count() == 1 and second.pk == first.pk
    assert SituationReport.objects.get().generated_by == rw.admin
    event = AuditEvent.objects.filter(action="reports.regenerate").get()
    assert event.before["audit_head"] == first.audit_head
    assert event.after["audit_head"] == second.audit_head != first.audit_head


def test_only_todays_report_can_be_generated(rw):
    with pytest.raises(ReportError) as refused:
        report_generate(context=SYSTEM, day=DEMO_DAY - dt.timedelta(days=1))
    assert refused.value.field == "day" and "2024-11-24" in str(refused.value)
    assert not SituationReport.objects.exists()


def test_an_unknown_region_is_refused_naming_the_field(rw):
    with pytest.raises(ReportError) as refused:
        report_generate(context=SYSTEM, region_code="99.99")
    assert refused.value.field == "region_code"


@pytest.mark.parametrize("who", ["leadership", "liaison", "analyst_kec"])
def test_only_the_secretariat_over_the_regency_generates(rw, who):
    with pytest.raises(PermissionDenied):
        report_generate(context=as_user(getattr(rw, who)))
    assert not SituationReport.objects.exists() and audit_count("reports.generate") == 0


def test_the_letterhead_carries_the_configured_lines_and_the_logo(rw, settings, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_1PX)
    settings.SIAGA_REPORT_LETTERHEAD = "Badan Kesbangpol|Jl. Soekarno-Hatta, Sangatta"
    settings.SIAGA_REPORT_LOGO = str(logo)
    html = report_generate(context=SYSTEM).html
    assert "Badan Kesbangpol" in html and "Jl. Soekarno-Hatta, Sangatta" in html
    assert 'src="data:image/png;base64,' in html


def test_a_missing_logo_leaves_the_letterhead_without_it(rw, settings, tmp_path):
    settings.SIAGA_REPORT_LOGO = str(tmp_path / "nowhere.png")
    html = report_generate(context=SYSTEM).html
    assert "data:image" not in html and "Tim Pemantau Perkembangan Politik" in html


def test_the_xlsx_annexes_open_with_a_sheet_per_list(rw):
    report = report_generate(context=SYSTEM)
    book = load_workbook(io.BytesIO(bytes(report.xlsx)), read_only=True)
    assert book.sheetnames == [
        "Ringkasan",
        "Pengiriman berisiko",
        "Kejadian serius",
        "Hoaks terkonfirmasi",
        "Narasi hari ini",
        "Perubahan kerawanan",
        "Peringatan dini",
        "Pengerahan massa",
        "Tindak lanjut lewat tenggat",
    ]
    summary = {(row[0], row[1]): row[2] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary[("Ringkasan hari ini", "tps")] == 8
    assert summary[("Ringkasan hari ini", "h_label")] == "H-3"
    header = next(book["Kejadian serius"].iter_rows(values_only=True))
    assert header[:3] == ("Tiket", "Diterima", "Kategori")


def test_distribution_tells_leadership_and_liaisons_who_may_open_the_report(rw):
    report = report_generate(context=SYSTEM)
    report_distribute(report=report, context=SYSTEM)
    notes = Notification.objects.filter(kind="reports.sitrep")
    told = set(notes.values_list("recipient__username", flat=True))
    # Kutai Timur's leadership and liaisons; not the secretariat (it made the report), not a
    # kecamatan's leadership (it may not open a regency report), not Paser's liaison.
    assert told == {"leader", "kesbangpol", "polres-liaison"}
    assert set(notes.values_list("url", flat=True)) == {"/laporan/2024-11-24/"}
    assert notes.first().title == "Laporan situasi harian 24-11-2024"
    report.refresh_from_db()
    assert report.distributed_at is not None
    event = AuditEvent.objects.filter(action="reports.distribute").get()
    assert event.after["recipients"] == 3


def test_a_reader_may_not_distribute(rw):
    report = report_generate(context=SYSTEM)
    with pytest.raises(PermissionDenied):
        report_distribute(report=report, context=as_user(rw.leadership))
    assert not Notification.objects.exists()
