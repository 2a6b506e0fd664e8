"""Importing a distribution plan (rencana distribusi) from the CSV or XLSX file KPU keeps.

One row per shipment line: the shipment's code (optional; rows with the same code form one
shipment), stage, origin and destination region codes (the destination of the KPPS leg is a TPS:
``64.08.04.1001/001`` or the desa code with the TPS number in ``destination_tps``), mode, carrier,
escort, planned departure and arrival (``2024-11-23 08:00`` or ``23/11/2024 08:00``, WITA), item
code, quantity and, when the shipment is packed per TPS, the TPS of the line.

Every row is checked and every problem reported by row and column. All or nothing: one error and
nothing is written. The import is an upsert by code: shipments already there are updated where the
file differs (only while still planned or loading), others are left as they are, and importing
the same file again changes nothing and writes no audit event. A shipment without a code gets a
code derived from its stage, places and departure, the same on every import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.core.audit import AuditContext, AuditEntry, audit_record_many, snapshot
from siaga.core.permissions import Action, can
from siaga.core.tabular import (
    Column,
    ImportReport,
    TableError,
    TableReader,
    clean_text,
    header_key,
    is_blank,
    parse_int,
)
from siaga.logistics.choices import ShipmentStatus, Stage, TransportMode
from siaga.logistics.models import ItemType, Shipment, ShipmentLine
from siaga.logistics.services import STAGE_DESTINATION_LEVEL, shipment_code_for
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps
from siaga.wilayah.names import normalise_code

COLUMNS = (
    Column("code", ("kode", "kode_pengiriman", "shipment", "shipment_code", "no_pengiriman")),
    Column("stage", ("tahap", "leg"), required=True),
    Column("origin", ("asal", "kode_asal", "origin_code", "dari"), required=True),
    Column("destination", ("tujuan", "kode_tujuan", "destination_code", "ke"), required=True),
    Column("destination_tps", ("tps_tujuan", "no_tps_tujuan")),
    Column("mode", ("moda", "moda_transportasi", "transport"), required=True),
    Column("carrier", ("pengangkut", "ekspedisi", "kendaraan")),
    Column("escort", ("pengawalan", "pengawal", "pengamanan")),
    Column(
        "planned_departure",
        ("rencana_berangkat", "berangkat", "departure", "waktu_berangkat"),
        required=True,
    ),
    Column("planned_arrival", ("rencana_tiba", "tiba", "arrival", "waktu_tiba"), required=True),
    Column("item", ("barang", "kode_barang", "item_code", "jenis_logistik"), required=True),
    Column("quantity", ("jumlah", "qty", "kuantitas"), required=True),
    Column("tps", ("tps_barang", "untuk_tps", "line_tps")),
)

GROUP_FIELDS = (
    "stage",
    "origin",
    "destination",
    "destination_tps",
    "mode",
    "carrier",
    "escort",
    "planned_departure",
    "planned_arrival",
)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,15}$")
TPS_REF = re.compile(
    r"^(?P<desa>[0-9.]+)\s*(?:[/#:]|\s+TPS\s*|-\s*TPS\s*)\s*(?P<number>\d+)$", re.I
)
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H.%M")

STAGE_WORDS = {
    **{header_key(s.value): s.value for s in Stage},
    "ppk": Stage.KPU_TO_PPK,
    "kpuppk": Stage.KPU_TO_PPK,
    "pps": Stage.PPK_TO_PPS,
    "ppkpps": Stage.PPK_TO_PPS,
    "kpps": Stage.PPS_TO_KPPS,
    "tps": Stage.PPS_TO_KPPS,
    "ppskpps": Stage.PPS_TO_KPPS,
}
MODE_WORDS = {
    **{header_key(m.value): m.value for m in TransportMode},
    "darat": TransportMode.ROAD,
    "jalan": TransportMode.ROAD,
    "jalandarat": TransportMode.ROAD,
    "mobil": TransportMode.ROAD,
    "truk": TransportMode.ROAD,
    "sungai": TransportMode.RIVER_BOAT,
    "kapal": TransportMode.RIVER_BOAT,
    "kapalsungai": TransportMode.RIVER_BOAT,
    "klotok": TransportMode.RIVER_BOAT,
    "ketinting": TransportMode.LONGBOAT,
    "perahu": TransportMode.LONGBOAT,
    "kaki": TransportMode.FOOT,
    "jalankaki": TransportMode.FOOT,
    "udara": TransportMode.AIR,
    "pesawat": TransportMode.AIR,
    "helikopter": TransportMode.AIR,
}


@dataclass
class _Group:
    """One shipment as the file describes it, with the row that first named it."""

    code: str
    row: int
    sheet: str | None
    fields: dict[str, Any]
    lines: dict[tuple[int, int | None], int] = field(default_factory=dict)  # (item, tps) → qty


class _Lookups:
    def __init__(self) -> None:
        self.regions = dict(Region.objects.values_list("code", "level"))
        self.items = dict(ItemType.objects.values_list("code", "pk"))
        self.tps: dict[tuple[str, int], int] = {
            (desa, number): pk
            for pk, desa, number in Tps.objects.values_list("pk", "desa_id", "number")
        }
        self.tps_desa = {pk: desa for (desa, _n), pk in self.tps.items()}


class _Checker:
    def __init__(self, reader: TableReader, report: ImportReport, user, lookups: _Lookups):
        self.reader, self.report, self.user, self.lookups = reader, report, user, lookups
        self.groups: dict[str, _Group] = {}
        self._row = 0
        self._sheet: str | None = None
        self._failed = False

    def _label(self, column: str) -> str:
        return self.reader.header_label(self._sheet, column)

    def _error(self, column: str, message: str) -> None:
        self._failed = True
        self.report.error(self._row, self._label(column), message, sheet=self._sheet)

    def check(self, row) -> None:
        self._row, self._sheet, self._failed = row.row_number, row.sheet, False
        values = row.values
        stage = self._stage(values.get("stage"))
        origin = self._region(values.get("origin"), "origin")
        destination, destination_tps = self._destination(
            values.get("destination"), values.get("destination_tps"), stage
        )
        mode = self._mode(values.get("mode"))
        departure = self._datetime(values.get("planned_departure"), "planned_departure")
        arrival = self._datetime(values.get("planned_arrival"), "planned_arrival")
        if departure and arrival and arrival < departure:
            self._error(
                "planned_arrival",
                _("Rencana tiba %(arrival)s sebelum rencana berangkat %(departure)s.")
                % {
                    "arrival": values.get("planned_arrival"),
                    "departure": values.get("planned_departure"),
                },
            )
        item = self._item(values.get("item"))
        quantity = self._quantity(values.get("quantity"))
        tps = self._line_tps(values.get("tps"), destination, destination_tps)
        carrier = self._text(values.get("carrier"), "carrier", 120)
        escort = self._text(values.get("escort"), "escort", 120)
        code = self._code(values.get("code"))
        if self._failed:
            return
        fields = {
            "stage": stage,
            "origin": origin,
            "destination": destination,
            "destination_tps": destination_tps,
            "mode": mode,
            "carrier": carrier,
            "escort": escort,
            "planned_departure": departure,
            "planned_arrival": arrival,
        }
        if not code:
            code = shipment_code_for(
                f"{stage}|{origin}|{destination}|{destination_tps or ''}|{departure.isoformat()}"
            )
        group = self.groups.get(code)
        if group is None:
            group = self.groups[code] = _Group(code, self._row, self._sheet, fields)
        else:
            for name in GROUP_FIELDS:
                if group.fields[name] != fields[name]:
                    column = "destination" if name == "destination_tps" else name
                    self._error(
                        column,
                        _(
                            "Pengiriman %(code)s: %(column)s berbeda dengan baris %(row)s "
                            "(baris dengan kode yang sama harus sama)."
                        )
                        % {"code": code, "column": self._label(column), "row": group.row},
                    )
                    return
        key = (item, tps)
        if key in group.lines:
            self._error(
                "item",
                _("Pengiriman %(code)s: barang dan TPS yang sama sudah ada di baris lain.")
                % {"code": code},
            )
            return
        group.lines[key] = quantity

    # -- cells ---------------------------------------------------------------------------

    def _stage(self, raw) -> str | None:
        text = clean_text(raw)
        stage = STAGE_WORDS.get(header_key(text))
        if stage is None:
            self._error(
                "stage",
                _("Tahap %(value)s tidak dikenal (pilihan: %(choices)s).")
                % {"value": text or "-", "choices": ", ".join(Stage.values)},
            )
        return stage

    def _mode(self, raw) -> str | None:
        text = clean_text(raw)
        mode = MODE_WORDS.get(header_key(text))
        if mode is None:
            self._error(
                "mode",
                _("Moda %(value)s tidak dikenal (pilihan: %(choices)s).")
                % {"value": text or "-", "choices": ", ".join(TransportMode.values)},
            )
        return mode

    def _region(self, raw, column: str) -> str | None:
        text = clean_text(raw)
        if not text:
            self._error(column, _("Kode wilayah wajib diisi."))
            return None
        code = normalise_code(text)
        if code not in self.lookups.regions:
            self._error(column, _("Kode wilayah %(code)s tidak dikenal.") % {"code": text})
            return None
        return code

    def _destination(self, raw, raw_tps, stage) -> tuple[str | None, int | None]:
        text = clean_text(raw)
        number = None
        match = TPS_REF.match(text)
        if match:
            text, number = match["desa"], int(match["number"])
        if not is_blank(raw_tps):
            try:
                number = parse_int(raw_tps)
            except ValueError:
                self._error(
                    "destination_tps", _("Nomor TPS %(value)s bukan angka.") % {"value": raw_tps}
                )
                return None, None
        code = self._region(text, "destination")
        if code is None or stage is None:
            return code, None
        level = STAGE_DESTINATION_LEVEL[Stage(stage)]
        if self.lookups.regions[code] != level:
            self._error(
                "destination",
                _("Tujuan tahap %(stage)s harus %(level)s; %(code)s bukan %(level)s.")
                % {"stage": stage, "level": Level(level).label, "code": code},
            )
            return None, None
        if stage == Stage.PPS_TO_KPPS:
            if number is None:
                self._error(
                    "destination",
                    _("Tahap pps_kpps memerlukan TPS tujuan (contoh: %(code)s/001).")
                    % {"code": code},
                )
                return None, None
            pk = self.lookups.tps.get((code, number))
            if pk is None:
                self._error(
                    "destination",
                    _("TPS %(number)03d di desa %(code)s tidak ada.")
                    % {"number": number, "code": code},
                )
                return None, None
            return self._in_scope(code), pk
        if number is not None:
            self._error("destination", _("TPS tujuan hanya untuk tahap pps_kpps."))
            return None, None
        return self._in_scope(code), None

    def _in_scope(self, code: str) -> str | None:
        if not can(self.user, Action.EDIT_LOGISTICS, code):
            self._error(
                "destination",
                _("Anda tidak berwenang mengubah rencana distribusi ke %(code)s.") % {"code": code},
            )
            return None
        return code

    def _datetime(self, raw, column: str) -> dt.datetime | None:
        zone = ZoneInfo(settings.TIME_ZONE)
        if isinstance(raw, dt.datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=zone)
        text = clean_text(raw)
        if not text:
            self._error(column, _("Waktu wajib diisi (contoh: 2024-11-23 08:00)."))
            return None
        for fmt in DATETIME_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).replace(tzinfo=zone)
            except ValueError:
                continue
        self._error(
            column,
            _("Waktu %(value)s tidak dikenal (tulis 2024-11-23 08:00 atau 23/11/2024 08:00, WITA).")
            % {"value": text},
        )
        return None

    def _item(self, raw) -> int | None:
        text = clean_text(raw)
        pk = self.lookups.items.get(text) or self.lookups.items.get(text.lower().replace(" ", "_"))
        if pk is None:
            self._error(
                "item",
                _(
                    "Jenis logistik %(value)s tidak dikenal (jalankan `siaga logistics "
                    "seed-catalogue` untuk daftar baku)."
                )
                % {"value": text or "-"},
            )
        return pk

    def _quantity(self, raw) -> int | None:
        if is_blank(raw):
            self._error("quantity", _("Jumlah wajib diisi."))
            return None
        try:
            value = parse_int(raw)
        except ValueError:
            self._error("quantity", _("Jumlah %(value)s bukan bilangan bulat.") % {"value": raw})
            return None
        if value < 0:
            self._error("quantity", _("Jumlah tidak boleh negatif (%(value)s).") % {"value": value})
            return None
        if value > 2_147_483_647:
            self._error("quantity", _("Jumlah %(value)s terlalu besar.") % {"value": value})
            return None
        return value

    def _line_tps(self, raw, destination, destination_tps) -> int | None:
        text = clean_text(raw)
        if not text:
            return destination_tps
        match = TPS_REF.match(text)
        if not match:
            self._error(
                "tps",
                _(
                    "TPS %(value)s tidak dikenal (tulis kode desa dan nomor, contoh "
                    "64.08.04.1001/001)."
                )
                % {"value": text},
            )
            return None
        desa = normalise_code(match["desa"])
        pk = self.lookups.tps.get((desa, int(match["number"])))
        if pk is None:
            self._error("tps", _("TPS %(value)s tidak ada.") % {"value": text})
            return None
        if destination and not (desa == destination or desa.startswith(destination + ".")):
            self._error(
                "tps",
                _("TPS %(value)s tidak berada di wilayah tujuan %(code)s.")
                % {"value": text, "code": destination},
            )
            return None
        if destination_tps and pk != destination_tps:
            self._error(
                "tps", _("TPS %(value)s bukan TPS tujuan pengiriman ini.") % {"value": text}
            )
            return None
        return pk

    def _text(self, raw, column: str, limit: int) -> str:
        text = clean_text(raw)
        if len(text) > limit:
            self._error(
                column, _("Terlalu panjang (paling banyak %(limit)s karakter).") % {"limit": limit}
            )
        return text

    def _code(self, raw) -> str:
        text = "".join(clean_text(raw).split()).upper()
        if text and not CODE_PATTERN.match(text):
            self._error(
                "code",
                _("Kode %(value)s tidak sah (3-16 huruf, angka atau tanda minus).")
                % {"value": text},
            )
        return text


def _line_rows(shipment: Shipment) -> dict[tuple[int, int | None], int]:
    return {(line.item_id, line.tps_id): line.quantity for line in shipment.lines.all()}


def _audit(shipment: Shipment, lines, before: dict | None, items: dict[int, str]) -> AuditEntry:
    after = snapshot(shipment)
    after["lines"] = sorted([items[i], t, q] for (i, t), q in lines.items())
    return AuditEntry(
        action="logistics.shipment.update" if before else "logistics.shipment.create",
        obj=shipment,
        region_code=shipment.destination_region_id,
        before=before,
        after=after,
    )


def _write(groups: dict[str, _Group], *, context, user, report: ImportReport, lookups) -> None:
    items = {pk: code for code, pk in lookups.items.items()}
    entries: list[AuditEntry] = []
    with transaction.atomic():
        existing = {
            s.code: s
            for s in Shipment.objects.select_for_update()
            .filter(code__in=list(groups))
            .prefetch_related("lines")
        }
        new_lines: list[ShipmentLine] = []
        for code, group in groups.items():
            f = group.fields
            wanted = {
                "stage": f["stage"],
                "origin_region_id": f["origin"],
                "destination_region_id": f["destination"],
                "destination_tps_id": f["destination_tps"],
                "mode": f["mode"],
                "carrier": f["carrier"],
                "escort": f["escort"],
                "planned_departure": f["planned_departure"],
                "planned_arrival": f["planned_arrival"],
            }
            shipment = existing.get(code)
            if shipment is None:
                shipment = Shipment.objects.create(code=code, **wanted)
                new_lines += [
                    ShipmentLine(shipment=shipment, item_id=i, tps_id=t, quantity=q)
                    for (i, t), q in group.lines.items()
                ]
                entries.append(_audit(shipment, group.lines, None, items))
                report.count("created")
                continue
            old_lines = _line_rows(shipment)
            before = snapshot(shipment)
            before["lines"] = sorted([items.get(i, i), t, q] for (i, t), q in old_lines.items())
            changed = any(getattr(shipment, k) != v for k, v in wanted.items())
            if not changed and old_lines == group.lines:
                report.count("unchanged")
                continue
            if shipment.status not in (ShipmentStatus.PLANNED, ShipmentStatus.LOADING):
                report.error(
                    group.row,
                    None,
                    _("Pengiriman %(code)s sudah %(status)s; rencananya tidak dapat diubah.")
                    % {"code": code, "status": ShipmentStatus(shipment.status).label},
                    sheet=group.sheet,
                )
                continue
            if not can(user, Action.EDIT_LOGISTICS, shipment.destination_region_id):
                report.error(
                    group.row,
                    None,
                    _("Kode %(code)s sudah dipakai pengiriman di luar cakupan Anda.")
                    % {"code": code},
                    sheet=group.sheet,
                )
                continue
            for name, value in wanted.items():
                setattr(shipment, name, value)
            shipment.save()
            if old_lines != group.lines:
                shipment.lines.all().delete()
                new_lines += [
                    ShipmentLine(shipment=shipment, item_id=i, tps_id=t, quantity=q)
                    for (i, t), q in group.lines.items()
                ]
            entries.append(_audit(shipment, group.lines, before, items))
            report.count("updated")
        if not report.ok:
            transaction.set_rollback(True)
            report.counts.clear()
            return
        ShipmentLine.objects.bulk_create(new_lines, batch_size=2000)
        audit_record_many(context=context, entries=entries)
        report.count("lines", sum(len(g.lines) for g in groups.values()))


def shipment_plan_import(*, context: AuditContext, user, path: str | Path) -> ImportReport:
    """Import a distribution plan from a .csv or .xlsx file, all or nothing (see the module).

    ``user`` needs EDIT_LOGISTICS over every destination in the file. Returns the report: counts
    of shipments ``created``, ``updated``, ``unchanged`` (and ``lines``), errors by row and
    column, and warnings. With any error nothing is written.
    """
    report = ImportReport()
    if not can(user, Action.EDIT_LOGISTICS):
        report.error(None, None, _("Anda tidak berwenang mengimpor rencana distribusi."))
        return report
    lookups = _Lookups()
    if not lookups.items:
        report.error(
            None,
            None,
            _("Daftar jenis logistik kosong; jalankan dahulu `siaga logistics seed-catalogue`."),
        )
        return report
    reader = TableReader(path, COLUMNS)
    checker = _Checker(reader, report, user, lookups)
    try:
        for row in reader:
            report.rows += 1
            checker.check(row)
    except TableError as exc:
        report.add_error(exc.error)
    if report.ok and report.rows == 0:
        report.error(None, None, _("Berkas tidak berisi baris data."))
    if not report.ok:
        return report
    try:
        _write(checker.groups, context=context, user=user, report=report, lookups=lookups)
    except IntegrityError as exc:
        report.error(
            None, None, _("Impor dibatalkan, tidak ada yang disimpan: %(reason)s") % {"reason": exc}
        )
        report.counts.clear()
    report.warn_skipped_sheets(reader.sheets_skipped)
    return report
