"""A deployment plan as files for the commanders: XLSX (a sheet per kecamatan, then the
shortfalls with their reasons) and a PDF (A4, a table per unit with its TPS, then the
shortfalls), for the whole plan or one kecamatan.

Both read the same ``selectors.PlanView`` the plan page shows, so the three always agree.
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.xlsx import workbook_bytes
from siaga.security.selectors import PlanView

SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name).strip()[:SHEET_NAME_MAX] or "Kecamatan"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def export_name(view: PlanView, extension: str, kecamatan: str | None = None) -> str:
    """``pengamanan-<region or kecamatan>-<YYYYmmdd-HHMM>.<ext>``."""
    where = view.plan.region.name
    if kecamatan and view.kecamatan:
        where = view.kecamatan[0].name
    return f"pengamanan-{slugify(where)}-{clock.local_now():%Y%m%d-%H%M}.{extension}"


def xlsx_bytes(view: PlanView) -> bytes:
    """Ringkasan, one sheet per kecamatan (unit, TPS, desa, category, officers, Linmas), and
    Kekurangan (every TPS left short, least risky first, with the reason)."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    red = PatternFill("solid", fgColor="FECACA")
    book = Workbook()
    taken = {"ringkasan", "kekurangan"}

    summary = book.active
    summary.title = "Ringkasan"
    summary.append(
        [
            _("Kecamatan"),
            _("Kode"),
            _("TPS"),
            _("TPS terpenuhi"),
            _("TPS kurang"),
            _("Personel"),
            _("Linmas"),
        ]
    )
    for k in view.kecamatan:
        summary.append([k.name, k.code, k.tps, k.covered, k.short, k.officers, k.linmas])
        if k.short:
            summary.cell(row=summary.max_row, column=5).fill = red

    for k in view.kecamatan:
        sheet = book.create_sheet(_sheet_title(k.name, taken))
        sheet.append(
            [_("Satuan"), _("TPS"), _("Desa"), _("Kategori"), _("Skor"), _("Personel"), _("Linmas")]
        )
        for table in k.units:
            for line in table.lines:
                sheet.append(
                    [
                        table.name,
                        line.tps_label,
                        line.desa,
                        line.category_label,
                        round(line.risk, 1),
                        round(line.officers, 2),
                        line.linmas,
                    ]
                )

    short = book.create_sheet("Kekurangan")
    short.append(
        [
            _("Kecamatan"),
            _("Desa"),
            _("TPS"),
            _("Kategori"),
            _("Skor"),
            _("Kurang personel"),
            _("Kurang Linmas"),
            _("Sebab"),
            _("Satuan yang menjangkau"),
        ]
    )
    for s in view.shortfalls:
        short.append(
            [
                s.kecamatan,
                s.desa,
                s.tps_label,
                s.category_label,
                round(s.risk, 1),
                round(s.officers_missing, 2),
                s.linmas_missing,
                s.reason_label,
                ", ".join(s.units),
            ]
        )

    return workbook_bytes(book, min_width=8, max_width=48)


def pdf_html(view: PlanView, *, request=None) -> str:
    """The HTML the PDF is printed from (kept separate so that tests can read it)."""
    return render_to_string(
        "security/plan_pdf.html",
        {"view": view, "plan": view.plan, "generated_at": clock.now()},
        request=request,
    )


def pdf_bytes(html: str, *, base_url: str | None = None) -> bytes:
    """Render with WeasyPrint (A4, no outside resources)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
