"""Loading the Kemendagri code list (all of Indonesia) from the installed `idn-area-data` package.

The package (npm, data under ODbL, installed by ``make install`` into node_modules) ships
provinces.csv, regencies.csv, districts.csv and villages.csv with dotted codes. Loading is an
upsert: new codes are created, changed names updated, nothing is deleted (TPS and history hang on
regions), so it can run again after the package is updated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, RegionAlias
from siaga.wilayah.names import KNOWN_ALIASES

FILES = (
    (Level.PROVINCE, "provinces.csv", None),
    (Level.REGENCY, "regencies.csv", "province_code"),
    (Level.DISTRICT, "districts.csv", "regency_code"),
    (Level.VILLAGE, "villages.csv", "district_code"),
)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0


def _rows(data_dir: Path, only: str | None):
    for level, filename, parent_column in FILES:
        path = data_dir / filename
        if not path.exists():
            raise DomainError(
                f"{path} tidak ditemukan: pasang paket idn-area-data (make install) "
                "atau atur SIAGA_WILAYAH_DATA_DIR."
            )
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = row["code"].strip()
                if only and not (
                    code == only or code.startswith(only + ".") or only.startswith(code + ".")
                ):
                    continue
                parent = row[parent_column].strip() if parent_column else None
                yield Region(code=code, name=row["name"].strip(), level=level, parent_id=parent)


def regions_load_reference(
    *, context: AuditContext, only: str | None = None, data_dir: Path | None = None
) -> LoadResult:
    """Upsert the Kemendagri regions: all, or ``only`` one with its ancestors and descendants."""
    data_dir = Path(data_dir or settings.SIAGA_WILAYAH_DATA_DIR)
    incoming = list(_rows(data_dir, only))
    existing = {code: name for code, name in Region.objects.values_list("code", "name")}
    result = LoadResult()
    to_create, to_update = [], []
    for region in incoming:
        if region.code not in existing:
            to_create.append(region)
        elif existing[region.code] != region.name:
            to_update.append(region)
        else:
            result.unchanged += 1
    with transaction.atomic():
        # Sorted by code, parents come before their children.
        Region.objects.bulk_create(sorted(to_create, key=lambda r: r.code), batch_size=2000)
        Region.objects.bulk_update(to_update, ["name"], batch_size=2000)
        result.created, result.updated = len(to_create), len(to_update)
        for code, names in KNOWN_ALIASES.items():
            if Region.objects.filter(code=code).exists():
                for name in names:
                    _, made = RegionAlias.objects.get_or_create(region_id=code, name=name)
                    result.aliases += made
        if result.created or result.updated:
            audit_record(
                context=context,
                action="regions.load_reference",
                object_type="wilayah.region",
                object_id=only or "ID",
                object_repr=f"idn-area-data ({only or 'Indonesia'})",
                region_code=only or "",
                after={
                    "created": result.created,
                    "updated": result.updated,
                    "source": str(data_dir),
                },
            )
    return result
