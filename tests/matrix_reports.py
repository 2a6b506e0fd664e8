"""Rows of the permission matrix for the daily situation reports (merged by the lead into
tests/test_permission_matrix.py through ``API``, ``PAGES`` and the sample dicts at the end).

Each function takes the matrix's ``actor`` (duck-typed: ``get``, ``client``, ``headers``,
``principal.role``, ``covers``, ``world``, ``assert_no_leak``). What the actor must see is
computed from the world, not from the code under test:
- a report of Kutai Timur (64.08) is read by readers (VIEW) whose scope covers 64.08; for a
  kecamatan user it does not exist (404), and the archive lists nothing;
- generating needs COORDINATE over 64.08: the regency's admins and analysts; other readers get
  403; field monitors read nothing here (404); machines have no session for pages.
"""

from __future__ import annotations

import json

from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core import clock
from tests.matrix_common import login_redirect as _login_redirect
from tests.matrix_common import role as _role

API_ROOT = "/api/v1/reports"
REGENCY = "64.08"
GENERATORS = (Role.ADMIN, Role.ANALYST)


def _report(world):
    """One archived report of Kutai Timur for today, made once per world (its files are
    placeholders: the matrix is about who may read them, not what they hold)."""
    from siaga.reports.models import SituationReport

    if not hasattr(world, "_report"):
        world._report = SituationReport.objects.create(
            day=clock.today(),
            region_id=REGENCY,
            generated_at=clock.now(),
            figures={"summary": {"region_name": "Kabupaten Kutai Timur"}},
            html="<!doctype html><title>Laporan situasi matriks</title>",
            pdf=b"%PDF-1.7 matriks",
            xlsx=b"PK matriks",
            audit_head="0" * 64,
        )
    return world._report


def _is_monitor(actor) -> bool:
    return _role(actor) == Role.FIELD_MONITOR


def _is_machine(actor) -> bool:
    return _role(actor) == Role.MACHINE


def _reads(actor) -> bool:
    return not _is_monitor(actor) and actor.covers(REGENCY)


def _generates(actor) -> bool:
    return _role(actor) in GENERATORS and actor.covers(REGENCY)


# --- API rows -----------------------------------------------------------------------------------


def api_list(actor) -> None:
    report = _report(actor.world)
    response = actor.get(API_ROOT)
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = [report.day.isoformat()] if _reads(actor) else []
    assert [r["day"] for r in response.json()] == expected


def api_detail(actor) -> None:
    report = _report(actor.world)
    response = actor.get(f"{API_ROOT}/{report.day.isoformat()}")
    if not _reads(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response.json()["figures"] == report.figures


def api_generate(actor) -> None:
    from siaga.reports.models import SituationReport

    report = _report(actor.world)
    response = actor.client.post(
        API_ROOT, json.dumps({}), content_type="application/json", headers=actor.headers
    )
    actor.assert_no_leak(response)
    fresh = SituationReport.objects.get(pk=report.pk)
    if _is_monitor(actor):
        assert response.status_code == 404
    elif _generates(actor):
        assert response.status_code == 201, response.content
        assert fresh.generated_at > report.generated_at and fresh.figures["summary"]["tps"] == 8
        return
    else:
        assert response.status_code == 403
    assert fresh.generated_at == report.generated_at


# --- page rows ----------------------------------------------------------------------------------


def page_archive(actor) -> None:
    report = _report(actor.world)
    response = actor.get(reverse("reports:archive"))
    if _is_machine(actor):
        assert _login_redirect(response)
        return
    if _is_monitor(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert (f'data-report="{report.day.isoformat()}"' in body) == _reads(actor)
    assert (reverse("reports:generate") in body) == _generates(actor)


def _file_page(name: str):
    def check(actor) -> None:
        report = _report(actor.world)
        response = actor.get(reverse(f"reports:{name}", args=[report.day.isoformat()]))
        if _is_machine(actor):
            assert _login_redirect(response)
        elif _reads(actor):
            assert response.status_code == 200
        else:
            assert response.status_code == 404

    return check


page_detail = _file_page("detail")
page_pdf = _file_page("pdf")
page_xlsx = _file_page("xlsx")


def page_generate(actor) -> None:
    _report(actor.world)
    response = actor.client.post(reverse("reports:generate"), headers=actor.headers)
    actor.assert_no_leak(response)
    if _is_machine(actor):
        assert _login_redirect(response)
    elif _is_monitor(actor):
        assert response.status_code == 404
    elif _generates(actor):
        assert response.status_code == 302 and response.url == reverse("reports:archive")
    else:
        assert response.status_code == 403


# --- the rows -----------------------------------------------------------------------------------

API = {
    ("GET", "/api/v1/reports"): api_list,
    ("GET", "/api/v1/reports/{day}"): api_detail,
    ("POST", "/api/v1/reports"): api_generate,
}

# A sample URL per parametrised operation, for the unauthenticated checks.
API_SAMPLES = {"/api/v1/reports/{day}": "/api/v1/reports/2024-11-24"}

PAGES = {
    "reports:archive": page_archive,
    "reports:generate": page_generate,
    "reports:detail": page_detail,
    "reports:pdf": page_pdf,
    "reports:xlsx": page_xlsx,
}

PAGE_ARGS = {
    "reports:detail": ["2024-11-24"],
    "reports:pdf": ["2024-11-24"],
    "reports:xlsx": ["2024-11-24"],
}
