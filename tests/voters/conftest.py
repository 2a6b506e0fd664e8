"""Fixtures for the voter-roll tests: DPT rows and files built in tmp_path, a deployment."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

HEADER = (
    "id",
    "nik",
    "nkk",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "address",
    "rt",
    "rw",
    "region_code",
    "tps",
    "disability",
)


def make_nik(
    *, kecamatan: str = "640804", born: dt.date = dt.date(1990, 5, 12), sex: str = "L", serial=1
) -> str:
    """A NIK as Dukcapil builds it: kecamatan, DDMMYY (day + 40 for women), serial."""
    day = born.day + (40 if sex == "P" else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def dpt_row(n: int = 1, **overrides) -> dict:
    """A valid DPT row (the n-th voter of TPS 001 in Singa Gembara); overrides win."""
    born = overrides.pop("born", dt.date(1990, 5, 12))
    sex = overrides.get("sex", "L")
    row = {
        "id": f"V{n:06d}",
        "nik": make_nik(born=born, sex=sex, serial=n),
        "nkk": f"640804{n:010d}",
        "name": f"Pemilih Nomor {n}",
        "birth_place": "Sangatta",
        "birth_date": born.isoformat(),
        "sex": sex,
        "marital_status": "S",
        "address": "Jl. Yos Sudarso",
        "rt": "001",
        "rw": "002",
        "region_code": "64.08.04.1001",
        "tps": "1",
        "disability": "",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict], header=HEADER, delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in HEADER])
    return path


@pytest.fixture
def deployment(world):
    from siaga.core.models import Deployment

    return Deployment.objects.create(
        regency=world.regency, election_name="Pilkada 2024", voting_day=dt.date(2024, 11, 27)
    )


@pytest.fixture
def dpt_data_dir(settings, tmp_path):
    """Stored DPT files go to a folder of the test's own."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def analyst(world):
    from siaga.accounts.choices import Role

    return world.user(Role.ANALYST)


@pytest.fixture
def run_import(deployment, dpt_data_dir, analyst):
    """Store ``path`` as an import of ``scope`` (the regency by default) and run it now."""
    from siaga.core.audit import AuditContext
    from siaga.voters.imports import dpt_import_create, dpt_import_run

    def run(path: Path, scope: str = "64.08", **kwargs):
        context = AuditContext.cli(analyst)
        dpt_import = dpt_import_create(
            context=context,
            user=analyst,
            uploaded_path_or_file=path,
            file_name=path.name,
            scope_code=scope,
            enqueue=False,
        )
        summary = dpt_import_run(dpt_import=dpt_import, context=context, **kwargs)
        dpt_import.refresh_from_db()
        return dpt_import, summary

    return run
