"""Importing TPS from the CSV or XLSX files KPU and the secretariat keep.

One row per TPS: kecamatan, desa (name) or desa code, TPS number, DPT by sex, coordinates and
address, under the headers people actually write (``kec``, ``desa/kelurahan``, ``no_tps``,
``dpt_l`` ...). Every row is checked and every problem reported by row and column as the file
writes it. The import is all-or-nothing: one error and the database is left exactly as it was.
Otherwise it is an upsert by (desa, TPS number): TPS missing from the file are kept, and a
re-import of the same file changes nothing and writes no audit event.

Scale: a national file holds about 435,000 rows. Regions are loaded once into dictionaries, the
file is streamed, and valid rows are written in batches (bulk create/update, existing TPS
fetched per batch) inside the one transaction that is rolled back at the end if any row failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.core.audit import AuditContext, AuditEntry, audit_record_many, snapshot
from siaga.core.tabular import (
    Column,
    ImportReport,
    TableError,
    TableReader,
    TableRow,
    clean_text,
    header_key,
    is_blank,
    parse_float,
    parse_int,
)
from siaga.wilayah.choices import Level, SpecialLocation
from siaga.wilayah.models import Region, RegionAlias, Tps
from siaga.wilayah.names import name_key, normalise_code

BATCH_SIZE = 2000
MAX_TPS_NUMBER = 32767  # PositiveSmallIntegerField
MAX_DPT = 2_147_483_647
DPT_PER_TPS_LIMIT = 600  # KPU's ceiling per TPS for the 2024 Pilkada; above it we warn
INDONESIA_LAT = (-11.5, 6.5)
INDONESIA_LON = (94.5, 141.5)

COLUMNS = (
    Column("kecamatan", ("kec", "nama_kecamatan", "kecamatan_name", "district")),
    Column(
        "desa",
        ("kelurahan", "desa_kelurahan", "desa/kelurahan", "nama_desa", "kel", "village"),
    ),
    Column(
        "desa_code",
        ("kode_desa", "kode_wilayah", "kode_desa_kelurahan", "kode_kelurahan", "village_code"),
    ),
    Column("tps", ("no_tps", "nomor_tps", "tps_number", "tps_no", "number"), required=True),
    Column(
        "dpt_male",
        ("dpt_l", "dpt_laki_laki", "laki_laki", "laki-laki", "l", "lk", "male"),
        required=True,
    ),
    Column(
        "dpt_female",
        ("dpt_p", "dpt_perempuan", "perempuan", "p", "pr", "female"),
        required=True,
    ),
    Column("lat", ("latitude", "lintang")),
    Column("lon", ("lng", "long", "longitude", "bujur")),
    Column("address", ("alamat", "alamat_tps", "lokasi_tps")),
    Column("special_location", ("lokasi_khusus", "tps_khusus", "jenis_lokasi_khusus")),
)

# What people write in the lokasi_khusus column, by name_key, for each choice.
_SPECIAL_WORDS: dict[str, tuple[str, ...]] = {
    SpecialLocation.NONE: ("", "-", "tidak", "bukan", "no", "none", "0", "umum", "reguler"),
    SpecialLocation.LAPAS: ("lapas", "rutan", "lapasrutan", "lembagapemasyarakatan"),
    SpecialLocation.RUMAH_SAKIT: ("rumahsakit", "rs", "rsud", "puskesmas", "rumahsakitpuskesmas"),
    SpecialLocation.PANTI: ("panti", "pantisosial", "rehabilitasi", "pantisosialrehabilitasi"),
    SpecialLocation.PERUSAHAAN: ("perusahaan", "tambang", "perkebunan", "kebun", "pabrik"),
    SpecialLocation.ASRAMA: ("asrama", "pondokpesantren", "pesantren", "ponpes"),
    SpecialLocation.LAINNYA: ("lainnya", "lain", "lainlain"),
}
_SPECIAL_BY_KEY = {
    header_key(word): choice for choice, words in _SPECIAL_WORDS.items() for word in words
}
for _choice in SpecialLocation:
    _SPECIAL_BY_KEY.setdefault(header_key(_choice.value), _choice)
    _SPECIAL_BY_KEY.setdefault(header_key(str(_choice.label)), _choice)

_TPS_PREFIX = re.compile(r"^\s*tps[\s.:#-]*", re.IGNORECASE)


@dataclass
class _Regions:
    """The deployment's kecamatan and desa with every spelling users may write, in memory."""

    regency: Region
    desa: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, kecamatan)
    kecamatan: dict[str, str] = field(default_factory=dict)  # code -> name
    keys: dict[str, set[str]] = field(default_factory=dict)  # code -> name keys (with aliases)
    kecamatan_by_key: dict[str, set[str]] = field(default_factory=dict)
    desa_by_key: dict[str, set[str]] = field(default_factory=dict)
    desa_by_kecamatan_key: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, regency: Region) -> _Regions:
        regions = cls(regency=regency)
        prefix = regency.code + "."
        rows = Region.objects.filter(
            code__startswith=prefix, level__in=[Level.DISTRICT, Level.VILLAGE]
        ).values_list("code", "name", "level", "parent_id")
        for code, name, level, parent in rows:
            regions.keys.setdefault(code, set()).add(name_key(name))
            if level == Level.DISTRICT:
                regions.kecamatan[code] = name
            else:
                regions.desa[code] = (name, parent)
        aliases = RegionAlias.objects.filter(region__code__startswith=prefix)
        for code, alias in aliases.values_list("region_id", "name"):
            regions.keys.setdefault(code, set()).add(name_key(alias))
        for code, keys in regions.keys.items():
            for key in keys:
                if code in regions.kecamatan:
                    regions.kecamatan_by_key.setdefault(key, set()).add(code)
                elif code in regions.desa:
                    regions.desa_by_key.setdefault(key, set()).add(code)
                    parent = regions.desa[code][1]
                    regions.desa_by_kecamatan_key.setdefault((parent, key), set()).add(code)
        return regions


@dataclass
class _Parsed:
    row: int
    desa: str
    number: int
    fields: dict[str, Any]  # only the columns the file has


class _RowChecker:
    """Turns one row into a ``_Parsed`` or records its errors in the report."""

    def __init__(self, reader: TableReader, regions: _Regions, report: ImportReport) -> None:
        self.reader = reader
        self.regions = regions
        self.report = report
        # desa -> TPS number -> (sheet, row) where first seen
        self.seen: dict[str, dict[int, tuple[str | None, int]]] = {}

    def check(self, row: TableRow) -> _Parsed | None:
        self._sheet, self._row, values = row.sheet, row.row_number, row.values
        self._failed = False
        desa = self._desa(values)
        number = self._number(values.get("tps"))
        fields: dict[str, Any] = {"number": number}
        fields["dpt_male"] = self._dpt(values.get("dpt_male"), "dpt_male")
        fields["dpt_female"] = self._dpt(values.get("dpt_female"), "dpt_female")
        if self.reader.present(row.sheet, "lat") or self.reader.present(row.sheet, "lon"):
            fields["lat"], fields["lon"] = self._coordinates(values.get("lat"), values.get("lon"))
        if self.reader.present(row.sheet, "address"):
            fields["address"] = self._address(values.get("address"))
        if self.reader.present(row.sheet, "special_location"):
            fields["special_location"] = self._special(values.get("special_location"))
        if desa and number is not None:
            numbers = self.seen.setdefault(desa, {})
            if number in numbers:
                first_sheet, first_row = numbers[number]
                where = (
                    _("baris %(row)s") % {"row": first_row}
                    if first_sheet == self._sheet
                    else _("lembar %(sheet)s baris %(row)s")
                    % {"sheet": first_sheet, "row": first_row}
                )
                self._error(
                    "tps",
                    _("TPS %(number)03d di desa %(desa)s sudah ada di %(where)s.")
                    % {"number": number, "desa": self.regions.desa[desa][0], "where": where},
                )
            else:
                numbers[number] = (self._sheet, self._row)
        if self._failed:
            return None
        total = fields["dpt_male"] + fields["dpt_female"]
        if total > DPT_PER_TPS_LIMIT:
            self.report.warn(
                self._row,
                self._label("dpt_male"),
                _("DPT %(total)s melebihi %(limit)s pemilih per TPS.")
                % {"total": total, "limit": DPT_PER_TPS_LIMIT},
                sheet=self._sheet,
            )
        return _Parsed(row=self._row, desa=desa, number=number, fields=fields)

    # -- helpers ---------------------------------------------------------------------------

    def _label(self, column: str) -> str:
        return self.reader.header_label(self._sheet, column)

    def _error(self, column: str, message: str) -> None:
        self._failed = True
        self.report.error(self._row, self._label(column), message, sheet=self._sheet)

    def _kecamatan(self, raw: Any) -> str | None:
        """The kecamatan code named in the row; None when blank or (after an error) unknown."""
        text = clean_text(raw)
        if not text:
            return None
        codes = self.regions.kecamatan_by_key.get(name_key(text), set())
        if not codes:
            code = normalise_code(text)
            if code in self.regions.kecamatan:
                return code
            self._error(
                "kecamatan",
                _("Kecamatan %(name)s tidak dikenal di %(regency)s.")
                % {"name": text, "regency": self.regions.regency.name},
            )
            return None
        if len(codes) > 1:
            self._error(
                "kecamatan",
                _("Nama kecamatan %(name)s ambigu (%(codes)s).")
                % {"name": text, "codes": ", ".join(sorted(codes))},
            )
            return None
        return next(iter(codes))

    def _desa(self, values: dict[str, Any]) -> str | None:
        regions = self.regions
        kecamatan_text = clean_text(values.get("kecamatan"))
        kecamatan = self._kecamatan(values.get("kecamatan"))
        if kecamatan_text and kecamatan is None:
            return None
        name = clean_text(values.get("desa"))
        raw_code = clean_text(values.get("desa_code"))
        if raw_code:
            code = normalise_code(raw_code)
            if code not in regions.desa:
                if code.startswith(regions.regency.code + "."):
                    message = _("Kode desa %(code)s tidak dikenal.") % {"code": raw_code}
                elif len(code) == 13:
                    message = _("Kode desa %(code)s bukan desa di %(regency)s.") % {
                        "code": raw_code,
                        "regency": regions.regency.name,
                    }
                else:
                    message = _(
                        "Kode desa %(code)s tidak sah (contoh: 64.08.01.2001 atau 6408012001)."
                    ) % {"code": raw_code}
                self._error("desa_code", message)
                return None
            desa_name, parent = regions.desa[code]
            if kecamatan and parent != kecamatan:
                self._error(
                    "kecamatan",
                    _("Desa %(code)s %(desa)s ada di Kecamatan %(actual)s, bukan %(written)s.")
                    % {
                        "code": code,
                        "desa": desa_name,
                        "actual": regions.kecamatan.get(parent, parent),
                        "written": kecamatan_text,
                    },
                )
                return None
            if name and name_key(name) not in regions.keys[code]:
                self._error(
                    "desa",
                    _("Nama desa %(name)s tidak cocok dengan kode %(code)s (%(desa)s).")
                    % {"name": name, "code": code, "desa": desa_name},
                )
                return None
            return code
        if not name:
            column = "desa" if self.reader.present(self._sheet, "desa") else "desa_code"
            self._error(column, _("Desa atau kode desa wajib diisi."))
            return None
        key = name_key(name)
        if kecamatan:
            codes = regions.desa_by_kecamatan_key.get((kecamatan, key), set())
            where = _("Kecamatan %(name)s") % {"name": regions.kecamatan[kecamatan]}
        else:
            codes = regions.desa_by_key.get(key, set())
            where = regions.regency.name
        if not codes:
            self._error(
                "desa",
                _("Desa %(name)s tidak dikenal di %(where)s.") % {"name": name, "where": where},
            )
            return None
        if len(codes) > 1:
            hint = (
                _("isi kolom kecamatan atau kode desa")
                if not kecamatan
                else _("isi kolom kode desa")
            )
            self._error(
                "desa",
                _("Nama desa %(name)s ambigu di %(where)s (%(codes)s); %(hint)s.")
                % {"name": name, "where": where, "codes": ", ".join(sorted(codes)), "hint": hint},
            )
            return None
        return next(iter(codes))

    def _number(self, raw: Any) -> int | None:
        if is_blank(raw):
            self._error("tps", _("Nomor TPS wajib diisi."))
            return None
        text = _TPS_PREFIX.sub("", raw) if isinstance(raw, str) else raw
        try:
            number = parse_int(text)
        except ValueError:
            self._error("tps", _("Nomor TPS %(value)s bukan bilangan bulat.") % {"value": raw})
            return None
        if number <= 0:
            self._error("tps", _("Nomor TPS harus lebih dari 0."))
            return None
        if number > MAX_TPS_NUMBER:
            self._error("tps", _("Nomor TPS %(value)s terlalu besar.") % {"value": number})
            return None
        return number

    def _dpt(self, raw: Any, column: str) -> int:
        if is_blank(raw):
            self._error(column, _("Jumlah DPT wajib diisi (tulis 0 bila tidak ada)."))
            return 0
        try:
            value = parse_int(raw)
        except ValueError:
            self._error(column, _("Jumlah DPT %(value)s bukan angka.") % {"value": raw})
            return 0
        if value < 0:
            self._error(column, _("Jumlah DPT tidak boleh negatif (%(value)s).") % {"value": value})
            return 0
        if value > MAX_DPT:
            self._error(column, _("Jumlah DPT %(value)s terlalu besar.") % {"value": value})
            return 0
        return value

    def _coordinates(self, raw_lat: Any, raw_lon: Any) -> tuple[float | None, float | None]:
        if is_blank(raw_lat) and is_blank(raw_lon):
            return None, None
        if _within(_safe_float(raw_lat), INDONESIA_LON) and _within(
            _safe_float(raw_lon), INDONESIA_LAT
        ):
            self._error(
                "lat",
                _("Lintang %(lat)s dan bujur %(lon)s tampaknya tertukar.")
                % {"lat": raw_lat, "lon": raw_lon},
            )
            return None, None
        lat = self._coordinate(raw_lat, "lat", "lon", (-90.0, 90.0), INDONESIA_LAT)
        lon = self._coordinate(raw_lon, "lon", "lat", (-180.0, 180.0), INDONESIA_LON)
        if lat is None or lon is None:
            return None, None
        return lat, lon

    def _coordinate(
        self,
        raw: Any,
        column: str,
        other: str,
        world: tuple[float, float],
        indonesia: tuple[float, float],
    ) -> float | None:
        if is_blank(raw):
            self._error(
                column,
                _("Wajib diisi bila %(other)s diisi.") % {"other": self._label(other)},
            )
            return None
        try:
            value = parse_float(raw)
        except ValueError:
            self._error(column, _("%(value)s bukan angka desimal.") % {"value": raw})
            return None
        if not _within(value, world):
            self._error(
                column,
                _("%(value)s di luar rentang %(low)s..%(high)s.")
                % {"value": value, "low": world[0], "high": world[1]},
            )
            return None
        if not _within(value, indonesia):
            self._error(
                column,
                _("%(value)s di luar wilayah Indonesia (%(low)s..%(high)s).")
                % {"value": value, "low": indonesia[0], "high": indonesia[1]},
            )
            return None
        return value

    def _address(self, raw: Any) -> str:
        text = clean_text(raw)
        limit = Tps._meta.get_field("address").max_length
        if len(text) > limit:
            self._error(
                "address",
                _("Alamat terlalu panjang (%(length)s karakter, paling banyak %(limit)s).")
                % {"length": len(text), "limit": limit},
            )
        return text

    def _special(self, raw: Any) -> str:
        text = clean_text(raw)
        choice = _SPECIAL_BY_KEY.get(header_key(text))
        if choice is None:
            accepted = ", ".join(c.value or "-" for c in SpecialLocation)
            self._error(
                "special_location",
                _("Lokasi khusus %(value)s tidak dikenal (pilihan: %(accepted)s).")
                % {"value": text, "accepted": accepted},
            )
            return ""
        return str(choice.value)


def _within(value: float | None, bounds: tuple[float, float]) -> bool:
    return value is not None and bounds[0] <= value <= bounds[1]


def _safe_float(raw: Any) -> float | None:
    try:
        return parse_float(raw)
    except (ValueError, TypeError):
        return None


def _write_batch(
    batch: list[_Parsed], *, context: AuditContext, regions: _Regions, report: ImportReport
) -> None:
    """Upsert one batch: one query for the existing TPS, bulk create, bulk update, audit."""
    keys = {(parsed.desa, parsed.number) for parsed in batch}
    # desa IN (...) AND number IN (...) is a small superset of the batch's keys whatever the
    # order of the file (a filter on desa alone would load whole desa for every batch).
    candidates = Tps.objects.filter(
        desa_id__in=sorted({desa for desa, _ in keys}),
        number__in=sorted({number for _, number in keys}),
    )
    existing = {
        (tps.desa_id, tps.number): tps for tps in candidates if (tps.desa_id, tps.number) in keys
    }
    created: list[Tps] = []
    updated: list[tuple[Tps, dict]] = []
    changed_fields: set[str] = set()
    for parsed in batch:
        tps = existing.get((parsed.desa, parsed.number))
        if tps is None:
            created.append(Tps(desa_id=parsed.desa, **parsed.fields))
            continue
        before = snapshot(tps)
        for name, value in parsed.fields.items():
            if getattr(tps, name) != value:
                setattr(tps, name, value)
                changed_fields.add(name)
        if snapshot(tps) != before:
            updated.append((tps, before))
        else:
            report.count("unchanged")
    Tps.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if updated:
        Tps.objects.bulk_update(
            [tps for tps, _before in updated], sorted(changed_fields), batch_size=BATCH_SIZE
        )
    entries = [_audit_entry("tps.create", tps, regions, before=None) for tps in created]
    entries += [_audit_entry("tps.update", tps, regions, before=before) for tps, before in updated]
    audit_record_many(context=context, entries=entries)
    report.count("created", len(created))
    report.count("updated", len(updated))


def _audit_entry(action: str, tps: Tps, regions: _Regions, *, before: dict | None) -> AuditEntry:
    return AuditEntry(
        action=action,
        obj=tps,
        object_repr=f"TPS {tps.number:03d} {regions.desa[tps.desa_id][0]}",
        region_code=tps.desa_id,
        before=before,
        after=snapshot(tps),
    )


def _check_all(reader: TableReader, checker: _RowChecker, report: ImportReport) -> None:
    """First pass: check every row and write nothing, so a bad file costs only the reading."""
    try:
        for row in reader:
            report.rows += 1
            checker.check(row)
    except TableError as exc:
        report.add_error(exc.error)
    if report.ok and report.rows == 0:
        report.error(None, None, _("Berkas tidak berisi baris data."))


def _write_all(
    path: str | Path, *, context: AuditContext, regions: _Regions, report: ImportReport
) -> None:
    """Second pass over a file known to be valid: write it in batches, in one transaction."""
    reader = TableReader(path, COLUMNS, one_of=[("desa", "desa_code")])
    checker = _RowChecker(reader, regions, ImportReport())  # its findings were reported already
    with transaction.atomic():
        batch: list[_Parsed] = []
        for row in reader:
            parsed = checker.check(row)
            if parsed is None:  # the file changed between the two passes
                raise IntegrityError(_("berkas berubah selama impor"))
            batch.append(parsed)
            if len(batch) >= BATCH_SIZE:
                _write_batch(batch, context=context, regions=regions, report=report)
                batch = []
        _write_batch(batch, context=context, regions=regions, report=report)


def tps_import(*, context: AuditContext, path: str | Path, regency_code: str) -> ImportReport:
    """Import TPS for the regency ``regency_code`` from a .csv or .xlsx file, all or nothing.

    Returns the report: counts (``created``, ``updated``, ``unchanged``), errors by row and
    column, and warnings. With any error nothing is written.
    """
    report = ImportReport()
    regency = Region.objects.filter(code=normalise_code(regency_code)).first()
    if regency is None:
        report.error(
            None,
            None,
            _("Wilayah %(code)s belum dimuat; jalankan dahulu `siaga wilayah load`.")
            % {"code": regency_code},
        )
        return report
    regions = _Regions.load(regency)
    if not regions.desa:
        report.error(
            None,
            None,
            _("Belum ada desa di bawah %(name)s; jalankan dahulu `siaga wilayah load`.")
            % {"name": regency.name},
        )
        return report
    reader = TableReader(path, COLUMNS, one_of=[("desa", "desa_code")])
    _check_all(reader, _RowChecker(reader, regions, report), report)
    try:
        if report.ok:
            _write_all(path, context=context, regions=regions, report=report)
    except IntegrityError as exc:  # e.g. another import of the same TPS committed meanwhile
        report.error(
            None, None, _("Impor dibatalkan, tidak ada yang disimpan: %(reason)s") % {"reason": exc}
        )
        report.counts.clear()
    report.warn_skipped_sheets(reader.sheets_skipped)
    return report
