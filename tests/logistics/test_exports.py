"""The XLSX export and the PDF one-pager of the logistics briefing: content and scope."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from weasyprint import HTML

from siaga.accounts.choices import Role
from siaga.logistics import exports
from siaga.wilayah.models import Region
from tests.logistics.test_views import login, lw  # noqa: F401 - the shared fixture

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="logistik-')
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(book, name: str) -> list[tuple]:
    return [tuple(r) for r in book[name].iter_rows(values_only=True)]


def test_xlsx_has_the_three_sheets_with_the_briefing_numbers(client, lw):  # noqa: F811
    book = workbook(login(client, lw.analyst).get("/logistik/ekspor/rekap.xlsx"))

    assert book.sheetnames == ["Rekap kecamatan", "Pengiriman berisiko", "Permintaan penggantian"]
    rekap = sheet_rows(book, "Rekap kecamatan")
    assert rekap[0][:3] == ("Kecamatan", "Kode", "TPS")
    by_code = {r[1]: r for r in rekap[1:]}
    assert by_code["64.08.04"][0] == "Sangatta Utara" and by_code["64.08.04"][2] == 4
    assert by_code["64.08.06"][0] == "Busang" and by_code["64.08.06"][6] == 1520
    assert by_code["64.08"][0] == "Kabupaten Kutai Timur" and by_code["64.08"][2] == 8  # total
    assert by_code["64.08.04"][5] >= 1  # TPS short of ballots
    assert book["Rekap kecamatan"]["F2"].fill.fgColor.rgb.endswith("FECACA")  # flagged red

    risky = sheet_rows(book, "Pengiriman berisiko")
    assert [r[0] for r in risky[1:]] == ["BUSANG01"]
    assert risky[1][3] == "Busang" and risky[1][10] == 1520
    assert risky[1][6].year == 2024  # a real date cell, local time

    replacements = sheet_rows(book, "Permintaan penggantian")
    assert replacements[1][:6] == (
        "PPKSGT01",
        "Singa Gembara",
        "TPS 001",
        "Surat suara bupati",
        20,
        "Kerusakan",
    )
    assert replacements[1][6] == "KPU Kutai Timur"


def test_xlsx_follows_the_scope_of_the_user(client, lw, world):  # noqa: F811
    user = world.user(Role.LIAISON, scope=[world.kec_a], username="kec-a")

    book = workbook(login(client, user).get("/logistik/ekspor/rekap.xlsx"))

    names = [r[0] for r in sheet_rows(book, "Rekap kecamatan")[1:]]
    assert "Sangatta Utara" in names and "Busang" not in names
    assert sheet_rows(book, "Pengiriman berisiko")[1:] == []


def test_xlsx_of_one_kecamatan_lists_its_desa(client, lw):  # noqa: F811
    book = workbook(login(client, lw.analyst).get("/logistik/ekspor/rekap.xlsx?region=64.08.04"))

    rows = sheet_rows(book, "Rekap kecamatan")
    assert rows[0][0] == "Desa/Kelurahan" or rows[0][0].startswith("Desa")
    assert {r[1] for r in rows[1:]} == {"64.08.04.1001", "64.08.04.1002", "64.08.04"}


@pytest.mark.parametrize("who", ["monitor_tps", "monitor_desa"])
def test_exports_are_not_for_field_monitors(client, lw, who):  # noqa: F811
    c = login(client, getattr(lw, who))

    assert c.get("/logistik/ekspor/rekap.xlsx").status_code == 404
    assert c.get("/logistik/ekspor/ringkasan.pdf").status_code == 404


def test_exports_outside_the_scope_are_404(client, lw):  # noqa: F811
    c = login(client, lw.analyst)

    assert c.get("/logistik/ekspor/rekap.xlsx?region=64.01").status_code == 404
    assert c.get("/logistik/ekspor/ringkasan.pdf?region=64.01").status_code == 404


def test_pdf_one_pager_is_served_as_a_pdf(client, lw):  # noqa: F811
    response = login(client, lw.analyst).get("/logistik/ekspor/ringkasan.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Sangatta Utara" in text and "Busang" in text and "BUSANG01" in text


def test_pdf_one_pager_holds_the_kecamatan_the_at_risk_list_and_replacements_on_one_a4(lw):  # noqa: F811
    regency = Region.objects.get(code="64.08")

    html = exports.pdf_html(exports.briefing(user=lw.analyst, region=regency))

    assert "Ringkasan distribusi logistik" in html and "Kabupaten Kutai Timur" in html
    assert "Sangatta Utara" in html and "Busang" in html
    assert "BUSANG01" in html and "Perahu panjang" in html  # the at-risk shipment and its mode
    assert "1.520" in html  # voters affected, Indonesian number format
    assert "Surat suara bupati × 20" in html  # the open replacement request
    pages = HTML(string=html).render().pages
    assert len(pages) == 1  # a one-pager
    assert (round(pages[0].width * 0.75), round(pages[0].height * 0.75)) == (595, 842)  # A4, pt
