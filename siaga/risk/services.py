"""Writes of the risk module: the catalogue, the mapping of TPS (by hand or imported), the IKP.

Every change is audited with its before and after. The import follows Bawaslu's format: one row
per TPS (desa code and TPS number), one column per indicator holding yes/no (ya/tidak, y/n, 1/0,
v/x, ✓) or a number; it is all or nothing, and its errors name the row and the column.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.audit import AuditContext, AuditEntry, audit_record, audit_record_many
from siaga.core.errors import DomainError
from siaga.core.tabular import Column, RowError, TableError, TableReader
from siaga.risk import catalogue
from siaga.risk.choices import Source, ValueOrigin
from siaga.risk.models import Indicator, IndicatorValue, RegionalIndex, TpsAssessment
from siaga.wilayah.models import Region, Tps

YES = {"ya", "y", "yes", "1", "v", "✓", "√", "x1", "benar", "ada", "true"}
NO = {"tidak", "t", "n", "no", "0", "", "-", "x", "false", "tidak ada"}
MAX_VALUE = 1000.0


def indicators_seed(*, context: AuditContext) -> int:
    """Create the catalogue's missing indicators (weights someone changed are kept)."""
    created = catalogue.seed_rows(Indicator)
    if created:
        audit_record(
            context=context,
            action="risk.indicators_seeded",
            object_type="risk.indicator",
            object_id="",
            object_repr=_("Katalog indikator"),
            after={"created": created},
        )
    return created


def indicator_update(
    *, context: AuditContext, code: str, weight: float, saturation: float, active: bool
) -> Indicator:
    """Change an indicator's weight, full value or whether it counts."""
    if not 0 <= weight <= 100:
        raise DomainError(_("Bobot harus antara 0 dan 100."))
    if saturation <= 0:
        raise DomainError(_("Nilai penuh harus lebih dari 0."))
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().filter(code=code).first()
        if indicator is None:
            raise DomainError(_("Indikator %(code)s tidak ada.") % {"code": code})
        before = {
            "weight": indicator.weight,
            "saturation": indicator.saturation,
            "active": indicator.active,
        }
        after = {"weight": float(weight), "saturation": float(saturation), "active": active}
        if before == after:
            return indicator
        for name, value in after.items():
            setattr(indicator, name, value)
        indicator.save(update_fields=list(after))
        audit_record(
            context=context,
            action="risk.indicator_changed",
            obj=indicator,
            before=before,
            after=after,
        )
    return indicator


def parse_value(raw: object) -> float:
    """A cell of the mapping: yes/no words, or a non-negative number."""
    if raw is None:
        return 0.0
    if isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().lower()
        if text in YES:
            return 1.0
        if text in NO:
            return 0.0
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(_("bukan ya/tidak atau angka: %(value)s") % {"value": raw}) from None
    if value != value or value < 0 or value > MAX_VALUE:
        raise ValueError(_("angka harus antara 0 dan %(max)s") % {"max": int(MAX_VALUE)})
    return value


def _region_or_error(region_code: str) -> Region:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise DomainError(_("Wilayah %(code)s tidak ada.") % {"code": region_code})
    return region


def indicator_value_set(
    *, context: AuditContext, tps: Tps, code: str, value: float, note: str = ""
) -> IndicatorValue | None:
    """Enter one static value by hand; 0 removes it. Returns the stored value (or None)."""
    indicator = Indicator.objects.filter(code=code, source=Source.STATIC).first()
    if indicator is None:
        raise DomainError(_("%(code)s bukan indikator pemetaan.") % {"code": code})
    try:
        value = parse_value(value)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    with transaction.atomic():
        current = IndicatorValue.objects.select_for_update().filter(tps=tps, indicator=indicator)
        existing = current.first()
        before = {"value": existing.value, "note": existing.note} if existing else None
        if value == 0:
            if existing is not None:
                existing.delete()
            stored = None
        else:
            stored, _created = IndicatorValue.objects.update_or_create(
                tps=tps,
                indicator=indicator,
                defaults={
                    "value": value,
                    "note": note[:300],
                    "origin": ValueOrigin.MANUAL,
                    "updated_at": clock.now(),
                    "updated_by": context.user,
                },
            )
        TpsAssessment.objects.update_or_create(
            tps=tps,
            defaults={
                "origin": ValueOrigin.MANUAL,
                "assessed_at": clock.now(),
                "assessed_by": context.user,
            },
        )
        audit_record(
            context=context,
            action="risk.value_set",
            object_type="wilayah.tps",
            object_id=str(tps.pk),
            object_repr=f"{tps.label} {tps.desa_id} · {code}",
            region_code=tps.desa_id,
            before=before,
            after={"value": value, "note": note[:300]} if value else None,
        )
    return stored


# --- the mapping import -------------------------------------------------------------------------

BASE_COLUMNS = [
    Column("desa", ("kode desa", "kode_desa", "kode wilayah", "desa/kelurahan", "kode kelurahan"),
           required=True),
    Column("tps", ("no tps", "nomor tps", "tps no", "no_tps"), required=True),
]  # fmt: skip


def _indicator_columns(indicators: list[Indicator]) -> list[Column]:
    """A column per indicator, headed by its code, its name, or its short code when no other
    indicator shares it ("riwayat" alone could be three of them)."""
    shorts = Counter(i.code.split(".", 1)[1] for i in indicators)
    columns = []
    for indicator in indicators:
        short = indicator.code.split(".", 1)[1]
        aliases = (
            (indicator.name, short.replace("_", " ")) if shorts[short] == 1 else (indicator.name,)
        )
        columns.append(Column(indicator.code, aliases))
    return columns


@dataclass
class MappingImport:
    rows: int
    values_set: int
    values_cleared: int
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_tps_number(raw: object) -> int:
    text = str(raw or "").strip().upper().removeprefix("TPS").strip()
    if not text.isdigit() or not 0 < int(text) < 10000:
        raise ValueError(_("nomor TPS tidak sah: %(value)s") % {"value": raw})
    return int(text)


def mapping_import(path: str | Path, *, context: AuditContext, region_code: str) -> MappingImport:
    """Import the TPS mapping (Bawaslu's yes/no per indicator), all or nothing.

    Every TPS must lie under ``region_code`` (the importer's scope). A column present in the
    file sets that indicator for each row's TPS (a "tidak" clears it); a column absent leaves
    the indicator as it was.
    """
    _region_or_error(region_code)
    indicators = list(Indicator.objects.filter(source=Source.STATIC))
    reader = TableReader(path, [*BASE_COLUMNS, *_indicator_columns(indicators)])
    tps_index = {
        (desa, number): pk
        for pk, desa, number in Tps.objects.filter(
            Q(desa__code=region_code) | Q(desa__code__startswith=region_code + ".")
        ).values_list("pk", "desa_id", "number")
    }
    errors: list[RowError] = []
    wanted: dict[tuple[int, str], float] = {}
    seen: dict[int, int] = {}
    present: set[str] = set()
    rows = 0
    try:
        for row in reader:
            rows += 1
            present |= {i.code for i in indicators if reader.present(row.sheet, i.code)}
            label = functools.partial(reader.header_label, row.sheet)
            desa = str(row.values.get("desa") or "").strip()
            try:
                number = _parse_tps_number(row.values.get("tps"))
            except ValueError as exc:
                errors.append(RowError(row.row_number, label("tps"), str(exc), row.sheet))
                continue
            pk = tps_index.get((desa, number))
            if pk is None:
                errors.append(
                    RowError(
                        row.row_number,
                        label("desa"),
                        _("TPS %(number)03d di desa %(desa)s tidak ada di wilayah %(region)s")
                        % {"number": number, "desa": desa or "?", "region": region_code},
                        row.sheet,
                    )
                )
                continue
            if pk in seen:
                errors.append(
                    RowError(
                        row.row_number,
                        label("tps"),
                        _("TPS ini sudah ada di baris %(row)s") % {"row": seen[pk]},
                        row.sheet,
                    )
                )
                continue
            seen[pk] = row.row_number
            for indicator in indicators:
                if not reader.present(row.sheet, indicator.code):
                    continue
                try:
                    wanted[(pk, indicator.code)] = parse_value(row.values.get(indicator.code))
                except ValueError as exc:
                    errors.append(
                        RowError(row.row_number, label(indicator.code), str(exc), row.sheet)
                    )
    except TableError as exc:
        return MappingImport(rows, 0, 0, [exc.error])
    if not errors and not present:
        errors.append(RowError(1, None, _("tidak ada kolom indikator yang dikenali"), None))
    if errors:
        return MappingImport(rows, 0, 0, errors)
    return _mapping_write(wanted, present, list(seen), context=context, region_code=region_code,
                          rows=rows, name=Path(path).name)  # fmt: skip


def _mapping_write(wanted, present, tps_ids, *, context, region_code, rows, name) -> MappingImport:
    now = clock.now()
    actor = context.user
    with transaction.atomic():
        existing = {
            (v.tps_id, v.indicator_id): v
            for v in IndicatorValue.objects.select_for_update().filter(
                tps_id__in=tps_ids, indicator_id__in=present
            )
        }
        to_create, to_update, to_delete = [], [], []
        for (pk, code), value in wanted.items():
            current = existing.get((pk, code))
            if value == 0:
                if current is not None:
                    to_delete.append(current.pk)
            elif current is None:
                to_create.append(
                    IndicatorValue(tps_id=pk, indicator_id=code, value=value,
                                   origin=ValueOrigin.IMPORT, updated_at=now, updated_by=actor)
                )  # fmt: skip
            elif current.value != value:
                current.value, current.origin = value, ValueOrigin.IMPORT
                current.updated_at, current.updated_by = now, actor
                to_update.append(current)
        IndicatorValue.objects.bulk_create(to_create, batch_size=1000)
        IndicatorValue.objects.bulk_update(
            to_update, ["value", "origin", "updated_at", "updated_by"], batch_size=500
        )
        IndicatorValue.objects.filter(pk__in=to_delete).delete()
        assessments_mark(tps_ids, origin=ValueOrigin.IMPORT, now=now, actor=actor)
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(
                    action="risk.mapping_imported",
                    object_type="risk.indicatorvalue",
                    object_id="",
                    object_repr=name[:200],
                    region_code=region_code,
                    after={
                        "rows": rows,
                        "created": len(to_create),
                        "updated": len(to_update),
                        "cleared": len(to_delete),
                        "indicators": sorted(present),
                    },
                )
            ],
        )
    return MappingImport(rows, len(to_create) + len(to_update), len(to_delete), [])


def assessments_mark(tps_ids, *, origin: str, now, actor=None) -> None:
    """Record that these TPS have been mapped (now, by ``actor``)."""
    TpsAssessment.objects.bulk_create(
        [TpsAssessment(tps_id=pk, origin=origin, assessed_at=now, assessed_by=actor)
         for pk in tps_ids],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["tps"],
        update_fields=["origin", "assessed_at", "assessed_by"],
    )  # fmt: skip


def ikp_set(
    *, context: AuditContext, region_code: str, year: int, score: float, source: str = "",
    dimensions: dict | None = None,
) -> RegionalIndex:  # fmt: skip
    """Record Bawaslu's IKP score (0-100) of a regency for a year."""
    region = _region_or_error(region_code)
    if not 0 <= score <= 100:
        raise DomainError(_("Skor IKP harus antara 0 dan 100."))
    if not 2000 <= year <= 2100:
        raise DomainError(_("Tahun tidak sah."))
    with transaction.atomic():
        current = RegionalIndex.objects.filter(region=region, year=year).first()
        before = {"score": current.score, "source": current.source} if current else None
        index, _created = RegionalIndex.objects.update_or_create(
            region=region,
            year=year,
            defaults={"score": score, "source": source[:200], "dimensions": dimensions or {}},
        )
        audit_record(
            context=context,
            action="risk.ikp_set",
            obj=index,
            region_code=region.code,
            before=before,
            after={"score": score, "source": source[:200], "dimensions": dimensions or {}},
        )
    return index
