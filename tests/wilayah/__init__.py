"""Tests of regions, boundaries and TPS imports."""

import csv
from pathlib import Path

from django.conf import settings

from siaga.wilayah.reference import FILES


def write_reference_subset(target: Path, only: str) -> Path:
    """Copy the rows of ``only`` (ancestors and descendants) from the installed idn-area-data.

    Loading from this small folder instead of the national files makes each test's set-up
    fast; the loader and the data are the same. Written under pytest's temporary folder only.
    """
    source = Path(settings.SIAGA_WILAYAH_DATA_DIR)
    target.mkdir(parents=True, exist_ok=True)
    for _level, filename, _parent in FILES:
        with (source / filename).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = [
                row
                for row in reader
                if row["code"] == only
                or row["code"].startswith(only + ".")
                or only.startswith(row["code"] + ".")
            ]
            fields = reader.fieldnames
        with (target / filename).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return target
