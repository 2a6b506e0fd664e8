"""The files of a situation report: the HTML document, the A4 PDF printed from it (WeasyPrint,
with the regency's letterhead) and the XLSX annexes (one sheet per list).

All three are rendered from the same ``figures`` (see ``siaga.reports.sections``), so that the
three always show the same numbers, and none of them reaches outside resources: the logo is
embedded in the document.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from siaga.core.xlsx import workbook_bytes
from siaga.reports.sections import section_titles

DEFAULT_LETTERHEAD = (
    "Tim Pemantau Perkembangan Politik di Daerah (TP3D)|Sekretariat: Badan Kesatuan Bangsa dan "
    "Politik"
)
SHEET_NAME_MAX = 31  # Excel's limit


@dataclass(frozen=True)
class Letterhead:
    """The head of the first page: the regency's name, the configured lines and the logo."""

    region_name: str
    lines: list[str]
    logo: str  # a data: URI, or "" without a (readable) logo


def letterhead(region_name: str) -> Letterhead:
    """From SIAGA_REPORT_LETTERHEAD ("line 1|line 2") and SIAGA_REPORT_LOGO (an image path)."""
    text = getattr(settings, "SIAGA_REPORT_LETTERHEAD", "") or DEFAULT_LETTERHEAD
    lines = [line.strip() for line in text.split("|") if line.strip()]
    return Letterhead(region_name=region_name, lines=lines, logo=_logo_uri())


def _logo_uri() -> str:
    path = getattr(settings, "SIAGA_REPORT_LOGO", "")
    if not path:
        return ""
    file = Path(path)
    mime = mimetypes.guess_type(file.name)[0] or ""
    if not mime.startswith("image/") or not file.is_file():
        return ""  # a missing logo leaves the letterhead without it rather than the report
    return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode()}"


def html_document(*, figures: dict, head: Letterhead, generated_at, generated_by: str) -> str:
    """The report as one self-contained HTML document (it is also what the PDF is printed
    from, and what the archive serves)."""
    return render_to_string(
        "reports/sitrep.html",
        {
            "f": figures,
            "titles": section_titles(),
            "head": head,
            "generated_at": generated_at,
            "generated_by": generated_by,
        },
    )


def pdf_bytes(html: str) -> bytes:
    """Print the document on A4 with WeasyPrint (no outside resources)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


# --- XLSX annexes ---------------------------------------------------------------------------------


def annex_specs() -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """(section, list, sheet title, [(field, header)]) of every annex list."""
    return [
        ("logistics", "at_risk_rows", _("Pengiriman berisiko"), [
            ("code", _("Kode")), ("stage", _("Tahap")), ("destination", _("Tujuan")),
            ("mode", _("Moda")), ("status", _("Status")),
            ("predicted_arrival", _("Perkiraan tiba")), ("late", _("Terlambat")),
            ("voters", _("Pemilih terdampak")), ("vulnerability", _("Kerawanan")),
        ]),
        ("incidents", "serious_rows", _("Kejadian serius"), [
            ("ticket", _("Tiket")), ("received_at", _("Diterima")),
            ("category", _("Kategori")), ("severity", _("Tingkat")), ("state", _("Status")),
            ("place", _("Tempat")), ("agency", _("Instansi")), ("summary", _("Uraian")),
        ]),
        ("media", "hoax_rows", _("Hoaks terkonfirmasi"), [
            ("reviewed_at", _("Diperiksa")), ("platform", _("Platform")),
            ("author", _("Akun")), ("text", _("Teks")), ("url", _("Tautan")),
        ]),
        ("media", "narrative_rows", _("Narasi hari ini"), [
            ("title", _("Narasi")), ("posts", _("Unggahan")),
            ("first_seen", _("Pertama terlihat")), ("last_seen", _("Terakhir terlihat")),
            ("debunked", _("Ada klarifikasi")), ("actions", _("Tindakan")),
        ]),
        ("risk", "change_rows", _("Perubahan kerawanan"), [
            ("tps", _("TPS")), ("desa", _("Desa")), ("before", _("Sebelumnya")),
            ("after", _("Sekarang")), ("delta", _("Selisih skor")),
        ]),
        ("risk", "alert_rows", _("Peringatan dini"), [
            ("fired_at", _("Waktu")), ("kind", _("Jenis")), ("title", _("Judul")),
            ("region", _("Wilayah")), ("reason", _("Alasan")),
            ("acknowledged", _("Diterima")),
        ]),
        ("postelection", "gathering_rows", _("Pengerahan massa"), [
            ("title", _("Judul")), ("starts_at", _("Waktu")), ("place", _("Tempat")),
            ("region", _("Wilayah")), ("expected_size", _("Perkiraan massa")),
            ("status", _("Status")),
        ]),
        ("tasks", "overdue_rows", _("Tindak lanjut lewat tenggat"), [
            ("title", _("Tindak lanjut")), ("agency", _("Instansi")), ("due_at", _("Tenggat")),
            ("status", _("Status")), ("priority", _("Prioritas")),
        ]),
    ]  # fmt: skip


def _summary_rows(figures: dict) -> list[tuple[str, str, object]]:
    """(section, figure, value) of every number of the report, for the first sheet."""
    titles = section_titles()
    rows: list[tuple[str, str, object]] = []
    for key, data in figures.items():
        for name, value in data.items():
            if isinstance(value, bool) or isinstance(value, (int, float, str)) and value != "":
                rows.append((titles.get(key, key), name, value))
            elif isinstance(value, dict) and name in ("counts", "plan"):
                for sub, v in value.items():
                    if isinstance(v, (int, float, str)):
                        rows.append((titles.get(key, key), f"{name}.{sub}", v))
            elif isinstance(value, list) and value and "n" in value[0]:
                label = "label" if "label" in value[0] else "name"
                rows += [(titles.get(key, key), f"{name}: {v[label]}", v["n"]) for v in value]
    return rows


def xlsx_bytes(figures: dict) -> bytes:
    """Ringkasan (every number), then one sheet per list of the sections present."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Ringkasan")[:SHEET_NAME_MAX]
    sheet.append([_("Bagian"), _("Angka"), _("Nilai")])
    for row in _summary_rows(figures):
        sheet.append(list(row))
    for section, name, title, columns in annex_specs():
        if section not in figures:
            continue
        ws = book.create_sheet(title[:SHEET_NAME_MAX])
        ws.append([header for _field, header in columns])
        for row in figures[section].get(name, []):
            ws.append([_cell(row.get(field)) for field, _header in columns])
    return workbook_bytes(book, min_width=10, max_width=60)


def _cell(value):
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    return value
