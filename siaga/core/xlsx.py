"""The finish every spreadsheet export of Siaga shares: a bold header row with the sheet frozen
below it, columns as wide as their content (within bounds), times shown to the minute, and the
workbook as bytes."""

from __future__ import annotations

import datetime as dt
import io


def workbook_bytes(book, *, min_width: int = 8, max_width: int = 48) -> bytes:
    """Finish every sheet of the openpyxl ``book`` (row 1 is its header) and return the file."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(
                max(min_width, width + 2), max_width
            )
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
