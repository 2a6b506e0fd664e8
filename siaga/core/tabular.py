"""Streaming reader for the tables users upload (CSV, XLSX, Parquet), and the report of an import.

Every master-data import (TPS today, the voter roll tomorrow) reads its file through
``TableReader``: it streams rows one at a time (never the whole file in memory), matches the
header against the aliases a column is known by, and turns every problem with the file itself
(wrong type, undecodable bytes, empty file, missing header) into a ``TableError`` carrying a
message the user can act on. Checking the values of a row is the importer's job; the small
``parse_*`` helpers here do the conversions every importer needs.

No Django import at module level: the reader is plain Python and can be used by engines.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

CSV_EXTENSIONS = (".csv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
PARQUET_EXTENSIONS = (".parquet", ".pq")
PARQUET_BATCH_ROWS = 10_000  # rows decoded at a time: a 3-million-row file is never whole in memory
HEADER_SEARCH_ROWS = 10  # a header may sit under a few title rows
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_PARQUET_MAGIC = b"PAR1"


def _(message: str) -> str:
    """Translate through Django when it is configured; the reader itself does not need Django."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except Exception:  # noqa: S110 - no Django, or apps not ready: the message as written
        pass
    return message


def header_key(text: object) -> str:
    """Compare headers ignoring case, spaces, underscores and punctuation.

    >>> header_key("DPT Laki-Laki") == header_key("dpt_laki_laki")
    True
    """
    return _NON_ALNUM.sub("", str(text or "").strip().lower())


@dataclass(frozen=True)
class Column:
    """A column an importer understands: its canonical name and the headers users write for it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def header_keys(self) -> set[str]:
        return {header_key(self.name), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class RowError:
    """One problem: at a row (as a spreadsheet user counts, header = 1) and a column header."""

    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("lembar %(sheet)s") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("baris %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("kolom %(column)s") % {"column": self.column})
        return f"{', '.join(parts)}: {self.message}" if parts else self.message


class TableError(Exception):
    """The file cannot be read as a table; ``error`` says where and why."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.error = RowError(row=row, column=column, message=message, sheet=sheet)


class TableRow(NamedTuple):
    sheet: str | None
    row_number: int
    values: dict[str, Any]


@dataclass
class ImportReport:
    """What an import did: rows read, counts by outcome, errors and warnings.

    ``max_errors`` bounds memory on a hopeless file: further errors are counted, not kept.
    """

    rows: int = 0
    counts: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error_count: int = 0
    max_errors: int = 10_000

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors_truncated(self) -> int:
        return self.error_count - len(self.errors)

    def error(self, row: int | None, column: str | None, message: str, sheet=None) -> None:
        self.add_error(RowError(row=row, column=column, message=message, sheet=sheet))

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(error)

    def warn(self, row: int | None, column: str | None, message: str, sheet=None) -> None:
        if len(self.warnings) < self.max_errors:
            self.warnings.append(RowError(row=row, column=column, message=message, sheet=sheet))

    def warn_skipped_sheets(self, sheets: Sequence[str]) -> None:
        """Say which sheets of a workbook were passed over for having no known column."""
        for sheet in sheets:
            self.warn(
                None,
                None,
                _("Lembar %(sheet)s dilewati: tidak ada kolom yang dikenali.") % {"sheet": sheet},
                sheet=sheet,
            )

    def count(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] += n

    @property
    def created(self) -> int:
        return self.counts["created"]

    @property
    def updated(self) -> int:
        return self.counts["updated"]

    @property
    def unchanged(self) -> int:
        return self.counts["unchanged"]

    def to_csv(self, path: str | Path) -> Path:
        """Write errors then warnings as CSV (utf-8-sig so that Excel shows it right)."""
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["level", "sheet", "row", "column", "message"])
            for level, items in (("error", self.errors), ("warning", self.warnings)):
                for item in items:
                    writer.writerow(
                        [level, item.sheet or "", item.row or "", item.column or "", item.message]
                    )
            if self.errors_truncated:
                writer.writerow(
                    ["error", "", "", "", f"... {self.errors_truncated} more error(s) not listed"]
                )
        return path


class TableReader:
    """Stream the rows of a CSV, XLSX or Parquet file as ``(sheet, row, {column: raw value})``.

    Raw values are what the file holds: strings for CSV; str, int, float, datetime or None for
    XLSX; whatever the column's type gives (str, int, date, None...) for Parquet, whose header
    is its schema's column names (row 1; data from row 2). Empty rows are skipped. Columns not
    in ``columns`` are ignored. After a sheet's header is read, ``header_label(sheet, column)``
    gives the header as the file wrote it, for messages.
    Any problem with the file itself raises ``TableError`` (also midway, e.g. bad bytes at
    row 5,000); callers doing all-or-nothing imports validate everything before writing.
    """

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[Column],
        *,
        one_of: Sequence[Sequence[str]] = (),
    ) -> None:
        """``one_of``: groups of columns of which the header must name at least one."""
        self.path = Path(path)
        self.columns = list(columns)
        self.one_of = [tuple(group) for group in one_of]
        self._by_key: dict[str, str] = {}
        for column in self.columns:
            for key in column.header_keys():
                self._by_key[key] = column.name
        self._labels: dict[str | None, dict[str, str]] = {}
        self.sheets_read: list[str | None] = []
        self.sheets_skipped: list[str] = []

    # -- public ---------------------------------------------------------------------------

    def header_label(self, sheet: str | None, column: str) -> str:
        return self._labels.get(sheet, {}).get(column, column)

    def present(self, sheet: str | None, column: str) -> bool:
        """Was ``column`` in the header of ``sheet``?"""
        return column in self._labels.get(sheet, {})

    def __iter__(self) -> Iterator[TableRow]:
        kind = self._kind()
        if kind == "csv":
            yield from self._csv_rows()
        elif kind == "parquet":
            yield from self._parquet_rows()
        else:
            yield from self._xlsx_rows()

    # -- file type -----------------------------------------------------------------------

    def _kind(self) -> str:
        if not self.path.is_file():
            raise TableError(_("Berkas %(path)s tidak ditemukan.") % {"path": self.path})
        suffix = self.path.suffix.lower()
        with self.path.open("rb") as handle:
            magic = handle.read(4)
        if not magic:
            raise TableError(_("Berkas kosong."))
        if suffix in XLSX_EXTENSIONS:
            if magic != _ZIP_MAGIC:
                raise TableError(_("Berkas bukan XLSX yang sah (isinya bukan buku kerja Excel)."))
            return "xlsx"
        if suffix in CSV_EXTENSIONS:
            if magic in (_ZIP_MAGIC, _OLE_MAGIC):
                raise TableError(
                    _("Berkas berakhiran .csv tetapi isinya buku kerja Excel; simpan sebagai CSV.")
                )
            return "csv"
        if suffix in PARQUET_EXTENSIONS:
            if magic != _PARQUET_MAGIC:
                raise TableError(_("Berkas bukan Parquet yang sah."))
            return "parquet"
        if suffix == ".xls":
            raise TableError(
                _("Format .xls lama tidak didukung; simpan sebagai .xlsx atau CSV UTF-8.")
            )
        raise TableError(
            _("Jenis berkas %(suffix)s tidak didukung; gunakan .csv atau .xlsx.")
            % {"suffix": suffix or "(tanpa akhiran)"}
        )

    # -- header ----------------------------------------------------------------------------

    def _match_header(self, cells: Sequence[Any]) -> dict[int, str]:
        """Map cell positions to canonical column names (unknown headers are left out)."""
        found: dict[int, str] = {}
        for index, cell in enumerate(cells):
            name = self._by_key.get(header_key(cell))
            if name is not None:
                found[index] = name
        return found

    def _read_header(
        self, sheet: str | None, leading: list[tuple[int, Sequence[Any]]]
    ) -> tuple[int, dict[int, str]] | None:
        """Find the header among the first rows: the first one naming every required column.

        Returns (row number of the header, positions) or None when no row names any known
        column (a sheet of notes, skipped). Raises when a header is there but incomplete.
        """
        required = [c.name for c in self.columns if c.required]

        def missing_in(names: set[str]) -> list[str]:
            missing = [name for name in required if name not in names]
            missing += [
                _(" atau ").join(group)
                for group in self.one_of
                if not any(name in names for name in group)
            ]
            return missing

        best: tuple[int, Sequence[Any], dict[int, str]] | None = None
        for number, cells in leading:
            positions = self._match_header(cells)
            if not positions:
                continue
            if not missing_in(set(positions.values())):
                best = (number, cells, positions)
                break
            if best is None or len(positions) > len(best[2]):
                best = (number, cells, positions)
        if best is None:
            return None
        number, cells, positions = best
        missing = missing_in(set(positions.values()))
        if missing:
            raise TableError(
                _("Kolom wajib tidak ada di baris judul: %(columns)s.")
                % {"columns": ", ".join(missing)},
                row=number,
                sheet=sheet,
            )
        seen: dict[str, int] = {}
        for index, name in positions.items():
            if name in seen:
                raise TableError(
                    _("Kolom %(a)s dan %(b)s sama-sama berarti %(name)s; hapus salah satunya.")
                    % {"a": cells[seen[name]], "b": cells[index], "name": name},
                    row=number,
                    sheet=sheet,
                )
            seen[name] = index
        self._labels[sheet] = {name: str(cells[index]).strip() for index, name in positions.items()}
        return number, positions

    def _rows_of(
        self, sheet: str | None, numbered: Iterator[tuple[int, Sequence[Any]]]
    ) -> Iterator[TableRow]:
        leading: list[tuple[int, Sequence[Any]]] = []
        for number, cells in numbered:
            if _blank_row(cells):
                continue
            leading.append((number, cells))
            if len(leading) >= HEADER_SEARCH_ROWS:
                break
        if not leading:
            if sheet is None:
                raise TableError(_("Berkas kosong."))
            return
        header = self._read_header(sheet, leading)
        if header is None:
            if sheet is not None:
                self.sheets_skipped.append(sheet)
                return
            raise TableError(
                _("Baris judul tidak ditemukan: tidak ada kolom yang dikenali (%(columns)s).")
                % {"columns": ", ".join(c.name for c in self.columns)},
                row=leading[0][0],
            )
        header_number, positions = header
        self.sheets_read.append(sheet)

        def pending() -> Iterator[tuple[int, Sequence[Any]]]:
            for number, cells in leading:
                if number > header_number:
                    yield number, cells
            yield from numbered

        for number, cells in pending():
            if _blank_row(cells):
                continue
            values = {
                name: (cells[index] if index < len(cells) else None)
                for index, name in positions.items()
            }
            if all(_blank(v) for v in values.values()):
                continue
            yield TableRow(sheet, number, values)

    # -- CSV -------------------------------------------------------------------------------

    def _csv_rows(self) -> Iterator[TableRow]:
        number = 0  # records read so far; the one being read is number + 1
        with self.path.open("rb") as handle:
            first = handle.readline(64 * 1024)
            delimiter = _sniff_delimiter(first.decode("utf-8", errors="replace"))
            handle.seek(0)

            def lines() -> Iterator[str]:
                # Decoding line by line pins an undecodable byte to its row.
                for index, raw in enumerate(handle):
                    if index == 0 and raw.startswith(codecs.BOM_UTF8):
                        raw = raw[len(codecs.BOM_UTF8) :]
                    try:
                        yield raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise TableError(
                            _(
                                "Bukan teks UTF-8 (byte %(byte)s); simpan ulang berkas sebagai "
                                "“CSV UTF-8”."
                            )
                            % {"byte": hex(raw[exc.start])},
                            row=number + 1,
                        ) from exc

            reader = csv.reader(lines(), delimiter=delimiter)

            def numbered() -> Iterator[tuple[int, list[str]]]:
                nonlocal number
                while True:
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as exc:
                        raise TableError(
                            _("CSV rusak: %(reason)s") % {"reason": exc}, row=number + 1
                        ) from exc
                    number += 1
                    yield number, cells

            yield from self._rows_of(None, numbered())

    # -- Parquet ---------------------------------------------------------------------------

    def _parquet_rows(self) -> Iterator[TableRow]:
        try:
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(self.path)
            names = list(parquet.schema_arrow.names)
        except Exception as exc:  # pyarrow's errors for a truncated or corrupt file
            raise TableError(
                _("Berkas Parquet tidak bisa dibaca: %(reason)s") % {"reason": exc or type(exc)}
            ) from exc
        # Only the known columns are decoded; with none, the whole header goes on to say so.
        wanted = [names[i] for i in sorted(self._match_header(names))] or names

        def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
            yield 1, wanted
            number = 1
            try:
                for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
                    columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                    for cells in zip(*columns, strict=True):
                        number += 1
                        yield number, cells
            except Exception as exc:
                raise TableError(
                    _("Berkas Parquet tidak bisa dibaca: %(reason)s") % {"reason": exc},
                    row=number + 1,
                ) from exc

        yield from self._rows_of(None, numbered())

    # -- XLSX ------------------------------------------------------------------------------

    def _xlsx_rows(self) -> Iterator[TableRow]:
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile, XML and openpyxl's own errors for a broken workbook
            raise TableError(
                _("Berkas XLSX tidak bisa dibaca: %(reason)s") % {"reason": exc or type(exc)}
            ) from exc
        try:
            for worksheet in workbook.worksheets:
                if not hasattr(worksheet, "iter_rows"):  # chart sheets
                    continue
                title = worksheet.title

                # read_only sheets fill gaps with empty rows, so position = row number.
                numbered = enumerate(worksheet.iter_rows(values_only=True), start=1)
                try:
                    yield from self._rows_of(title, numbered)
                except TableError:
                    raise
                except Exception as exc:  # a corrupt sheet part shows only when it is read
                    raise TableError(
                        _("Lembar %(sheet)s tidak bisa dibaca: %(reason)s")
                        % {"sheet": title, "reason": exc},
                        sheet=title,
                    ) from exc
            if not self.sheets_read:
                if self.sheets_skipped:
                    raise TableError(
                        _(
                            "Baris judul tidak ditemukan di lembar mana pun: tidak ada kolom "
                            "yang dikenali (%(columns)s)."
                        )
                        % {"columns": ", ".join(c.name for c in self.columns)}
                    )
                raise TableError(_("Berkas kosong."))
        finally:
            workbook.close()


def _sniff_delimiter(sample: str) -> str:
    """`,` or `;` (Indonesian Excel writes `;`), or a tab: whichever the header line uses most."""
    for line in sample.splitlines():
        if line.strip():
            counts = {d: _count_outside_quotes(line, d) for d in (",", ";", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(cells: Sequence[Any]) -> bool:
    return all(_blank(c) for c in cells)


# -- conversions shared by importers -----------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+$")
_ZERO_DECIMALS = re.compile(r"^[+-]?\d+[.,]0+$")


def is_blank(value: Any) -> bool:
    return _blank(value)


def clean_text(value: Any) -> str:
    """A cell as trimmed text with inner runs of spaces collapsed ("" for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_int(value: Any) -> int:
    """An integer from a cell: 250, "250", "1.250" (thousands), "250,0"; else ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = clean_text(value).replace(" ", "")
    if _INT.match(text):
        return int(text)
    if _ZERO_DECIMALS.match(text):
        return int(re.split(r"[.,]", text)[0])
    if _THOUSANDS.match(text):
        return int(re.sub(r"[.,]", "", text))
    raise ValueError(value)


def parse_float(value: Any) -> float:
    """A decimal number from a cell; a decimal comma ("0,5123") is accepted."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = clean_text(value).replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        number = float(text)  # ValueError on anything else
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number


__all__ = [
    "Column",
    "ImportReport",
    "RowError",
    "TableError",
    "TableReader",
    "TableRow",
    "clean_text",
    "header_key",
    "is_blank",
    "parse_float",
    "parse_int",
]
