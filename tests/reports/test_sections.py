"""The sections: each module's numbers through its selectors, and left out when the module is
not installed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from siaga.core import clock
from siaga.incidents.models import Category, Incident
from siaga.reports import sections
from siaga.reports.services import report_generate
from tests.reports.conftest import SYSTEM, as_user

ALL_SECTIONS = {
    "summary", "logistics", "checklists", "incidents", "media", "risk", "security",
    "postelection", "tasks", "audit",
}  # fmt: skip


def _without(monkeypatch, label: str) -> None:
    real = apps.is_installed

    def is_installed(name: str) -> bool:
        return False if name == label else real(name)

    monkeypatch.setattr(apps, "is_installed", is_installed)


def test_every_installed_module_gives_its_section(rw):
    assert set(report_generate(context=SYSTEM).figures) == ALL_SECTIONS


@pytest.mark.parametrize(
    "label, key, title, sheet",
    [
        ("siaga.media", "media", "Media sosial: hoaks dan narasi", "Hoaks terkonfirmasi"),
        ("siaga.logistics", "logistics", "Logistik pemilihan", "Pengiriman berisiko"),
        ("siaga.coordination", "tasks", "Tindak lanjut", "Tindak lanjut lewat tenggat"),
    ],
)
def test_a_module_not_installed_is_left_out_not_faked(rw, monkeypatch, label, key, title, sheet):
    import io

    from openpyxl import load_workbook

    _without(monkeypatch, label)
    report = report_generate(context=SYSTEM)
    assert set(report.figures) == ALL_SECTIONS - {key}
    assert f"<h2>{title}</h2>" not in report.html
    assert "<h2>Kerawanan TPS dan peringatan dini</h2>" in report.html
    assert sheet not in load_workbook(io.BytesIO(bytes(report.xlsx))).sheetnames


def _incident(world, n: int, *, severity: str, hours_ago: float, region, state="diterima"):
    now = clock.now() - dt.timedelta(hours=hours_ago)
    category = Category.objects.get_or_create(code="intimidasi", defaults={"name": "Intimidasi"})[0]
    return Incident.objects.create(
        ticket=f"K-{n:05d}",
        channel="web",
        category=category,
        description=f"Kejadian {n}",
        occurred_at=now,
        received_at=now,
        region=region,
        severity=severity,
        state=state,
        state_changed_at=now,
    )


def test_incidents_count_by_state_and_list_the_serious_ones_of_the_last_day(rw):
    w = rw.w
    _incident(w, 1, severity="kritis", hours_ago=2, region=w.desa_a1)
    _incident(w, 2, severity="tinggi", hours_ago=5, region=w.desa_b1, state="diverifikasi")
    _incident(w, 3, severity="tinggi", hours_ago=30, region=w.desa_b1)  # older than a day
    _incident(w, 4, severity="sedang", hours_ago=1, region=w.desa_a2, state="selesai")
    _incident(w, 5, severity="kritis", hours_ago=1, region=w.desa_other)  # Paser: not ours
    data = report_generate(context=SYSTEM).figures["incidents"]
    assert (data["total"], data["open"], data["last_day"]) == (4, 3, 3)
    assert data["serious"] == 2
    assert [r["ticket"] for r in data["serious_rows"]] == ["K-00001", "K-00002"]
    assert {r["state"]: r["n"] for r in data["by_state"]} == {
        "diterima": 2,
        "diverifikasi": 1,
        "selesai": 1,
    }
    assert data["by_category"] == [{"code": "intimidasi", "name": "Intimidasi", "n": 4, "open": 3}]


def test_the_tasks_section_counts_the_coordination_tasks(rw):
    pytest.importorskip("siaga.coordination.services")
    from siaga.coordination.services import task_create

    now = clock.now()
    task_create(
        context=as_user(rw.admin), title="Kirim logistik ke TPS terpencil",
        agency=rw.polres, due_at=now - dt.timedelta(hours=3), region="64.08",
    )  # fmt: skip
    task_create(
        context=as_user(rw.admin), title="Patroli siber", agency=rw.polres,
        due_at=now + dt.timedelta(days=1), region="64.08",
    )  # fmt: skip
    data = report_generate(context=SYSTEM).figures["tasks"]
    assert (data["open"], data["overdue"], data["blocked"]) == (2, 1, 0)
    assert [r["title"] for r in data["overdue_rows"]] == ["Kirim logistik ke TPS terpencil"]
    assert data["overdue_rows"][0]["agency"] == "Polres Kutai Timur"


def test_the_report_principal_sees_its_regency_and_nothing_beyond(rw):
    principal = sections.ReportPrincipal("64.08")
    from siaga.core.permissions import Action, can, user_scope

    assert can(principal, Action.VIEW, "64.08.04.1001")
    assert not can(principal, Action.VIEW, "64.01.01")
    assert not user_scope(principal).everything
