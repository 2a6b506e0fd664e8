"""Rows of the permission matrix for deployment planning (/api/v1/security, /pengamanan/).

Merged into ``tests/test_permission_matrix.py`` by its ``API``/``PAGES`` dicts below; each row
takes the matrix's actor (duck-typed: ``get``, ``client``, ``headers``, ``principal.role``,
``covers``, ``world``, ``assert_no_leak``) and checks what it must see and do. The world gets
personnel in both Kutai Timur kecamatan and in Paser, and three plans: the regency's, Busang's
and Paser's. Reading needs VIEW (field monitors get 404 or an empty list), objects outside the
scope answer 404, writing needs PLAN_DEPLOYMENT (admins and analysts here: the world's liaisons
speak for Kesbangpol), other readers get 403.
"""

from __future__ import annotations

import json
from unittest import mock

from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from tests.matrix_common import audits as _audits
from tests.matrix_common import login_redirect as _login_redirect

API_BASE = "/api/v1/security"
READERS = {Role.ADMIN, Role.ANALYST, Role.LEADERSHIP, Role.LIAISON, Role.MACHINE}
PLANNERS = {Role.ADMIN, Role.ANALYST}


def _security(world):
    """Personnel and plans in the matrix world (once per test)."""
    cached = getattr(world, "_security", None)
    if cached is not None:
        return cached
    from siaga.engines.planning import MIN_COST_FLOW
    from siaga.security import services
    from siaga.security.models import PersonnelUnit

    system = AuditContext()
    services.patterns_seed_defaults(context=system)

    def unit(region, name, count, kind="polsek", reach="kecamatan"):
        return PersonnelUnit.objects.create(
            region=region, name=name, count=count, kind=kind, reach=reach
        )

    units = {
        "polres": unit(world.regency, "Polres Kutai Timur", 6, "polres", "any"),
        "polsek_a": unit(world.kec_a, "Polsek Sangatta Utara", 4),
        "polsek_b": unit(world.kec_b, "Polsek Busang", 4),
        "polsek_other": unit(world.kec_other, "Polsek Batu Sopang", 4),
    }
    for desa in (world.desa_a1, world.desa_a2, world.desa_b1, world.desa_b2, world.desa_other):
        units[desa.code] = unit(desa, f"Linmas {desa.name}", 4, "linmas", "desa")

    def plan(code, name):
        return services.plan_create(
            context=system, region_code=code, name=name, solver=MIN_COST_FLOW
        )

    plans = {
        "64.08": plan("64.08", "Rencana Kutai Timur"),
        "64.08.06": plan("64.08.06", "Rencana Busang"),
        "64.01": plan("64.01", "Rencana Paser"),
    }
    world._security = {"units": units, "plans": plans}
    return world._security


def _reads(actor) -> bool:
    return actor.principal.role in READERS


def _plans_in(actor, code: str) -> bool:
    return actor.principal.role in PLANNERS and actor.covers(code)


def _send(actor, method: str, url: str, data: dict):
    response = getattr(actor.client, method)(
        url, json.dumps(data), content_type="application/json", headers=actor.headers
    )
    actor.assert_no_leak(response)
    return response


# --- API ----------------------------------------------------------------------------------------


def api_units(actor) -> None:
    from siaga.security.models import PersonnelUnit

    _security(actor.world)
    response = actor.get(f"{API_BASE}/units", {"page_size": 500})
    assert response.status_code == 200
    body = response.json()
    expected = (
        {u.pk for u in PersonnelUnit.objects.all() if actor.covers(u.region_id)}
        if _reads(actor)
        else set()
    )
    assert {u["id"] for u in body["items"]} == expected and body["count"] == len(expected)


def api_unit_create(actor) -> None:
    from siaga.security.models import PersonnelUnit

    _security(actor.world)
    before, audits = PersonnelUnit.objects.count(), _audits()
    data = {"kind": "koramil", "name": "Koramil Matriks", "region_code": "64.08.06",
            "count": 7, "reach": "kecamatan"}  # fmt: skip
    response = _send(actor, "post", f"{API_BASE}/units", data)
    if _plans_in(actor, "64.08.06"):
        assert response.status_code == 201, response.content
        assert PersonnelUnit.objects.count() == before + 1 and _audits() == audits + 1
        return
    visible = _reads(actor) and actor.covers("64.08.06")
    assert response.status_code == (403 if visible else 404), response.content
    assert PersonnelUnit.objects.count() == before and _audits() == audits
    # Paser is outside every principal's scope.
    response = _send(actor, "post", f"{API_BASE}/units", {**data, "region_code": "64.01.01"})
    assert response.status_code == 404


def api_unit_update(actor) -> None:
    from siaga.security.models import PersonnelUnit

    units = _security(actor.world)["units"]
    busang, paser = units["polsek_b"], units["polsek_other"]
    audits = _audits()
    response = _send(actor, "patch", f"{API_BASE}/units/{busang.pk}", {"count": 9})
    count = PersonnelUnit.objects.get(pk=busang.pk).count
    if _plans_in(actor, "64.08.06"):
        assert response.status_code == 200 and count == 9 and _audits() == audits + 1
    else:
        visible = _reads(actor) and actor.covers("64.08.06")
        assert response.status_code == (403 if visible else 404), response.content
        assert count == 4 and _audits() == audits
    response = _send(actor, "patch", f"{API_BASE}/units/{paser.pk}", {"count": 9})
    assert response.status_code == 404
    assert PersonnelUnit.objects.get(pk=paser.pk).count == 4


def api_patterns(actor) -> None:
    _security(actor.world)
    response = actor.get(f"{API_BASE}/patterns")
    if not _reads(actor):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert [p["category"] for p in response.json()] == ["sangat_rawan", "rawan", "aman"]


def api_pattern_update(actor) -> None:
    from siaga.security.models import PatternRule

    _security(actor.world)
    audits = _audits()
    response = _send(actor, "patch", f"{API_BASE}/patterns/aman", {"tps_per_team": 4})
    per_team = PatternRule.objects.get(category="aman").tps_per_team
    if actor.principal.role in PLANNERS:
        assert response.status_code == 200 and per_team == 4 and _audits() == audits + 1
        return
    assert response.status_code == (403 if _reads(actor) else 404), response.content
    assert per_team == 8 and _audits() == audits


def api_plans(actor) -> None:
    plans = _security(actor.world)["plans"]
    response = actor.get(f"{API_BASE}/plans", {"page_size": 500})
    assert response.status_code == 200
    expected = {p.pk for code, p in plans.items() if _reads(actor) and actor.covers(code)}
    assert {p["id"] for p in response.json()["items"]} == expected


def api_plan_create(actor) -> None:
    from siaga.security.models import DeploymentPlan

    _security(actor.world)
    before, audits = DeploymentPlan.objects.count(), _audits()
    payload = {"region_code": "64.08.04", "name": "Rencana matriks", "time_limit_s": 5}
    response = _send(actor, "post", f"{API_BASE}/plans", payload)
    if _plans_in(actor, "64.08.04"):
        assert response.status_code == 201, response.content
        assert response.json()["totals"]["tps"] == 4
        assert DeploymentPlan.objects.count() == before + 1 and _audits() == audits + 1
        return
    visible = _reads(actor) and actor.covers("64.08.04")
    assert response.status_code == (403 if visible else 404), response.content
    assert DeploymentPlan.objects.count() == before and _audits() == audits
    response = _send(actor, "post", f"{API_BASE}/plans", {**payload, "region_code": "64.01"})
    assert response.status_code == 404


def api_plan_detail(actor) -> None:
    plans = _security(actor.world)["plans"]
    for code, plan in plans.items():
        response = actor.get(f"{API_BASE}/plans/{plan.pk}")
        if not (_reads(actor) and actor.covers(code)):
            assert response.status_code == 404, code
            continue
        assert response.status_code == 200, code
        body = response.json()
        assert body["id"] == plan.pk and body["totals"]["tps"] == plan.totals["tps"]


# --- pages --------------------------------------------------------------------------------------


def page_overview(actor) -> None:
    from siaga.security.models import DeploymentPlan, PersonnelUnit

    security = _security(actor.world)
    url = reverse("security:overview")
    response = actor.get(url)
    if actor.principal.role == Role.MACHINE:  # a token opens no pages
        assert _login_redirect(response)
        return
    if not _reads(actor):
        assert response.status_code == 404
        assert actor.client.post(url, {"region": "64.08.04"}).status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    for unit in PersonnelUnit.objects.exclude(kind="linmas"):
        assert (unit.name in body) == actor.covers(unit.region_id), unit.name
    for code, plan in security["plans"].items():
        assert (f'data-plan="{plan.pk}"' in body) == actor.covers(code), code
    assert ("data-plan-form" in body) == (actor.principal.role in PLANNERS)
    before = DeploymentPlan.objects.count()
    response = actor.client.post(url, {"region": "64.08.04", "time_limit_s": "5"})
    actor.assert_no_leak(response)
    if _plans_in(actor, "64.08.04"):
        assert response.status_code == 302
        assert DeploymentPlan.objects.count() == before + 1
    elif actor.principal.role in PLANNERS:  # a region outside the scope is not a choice
        assert response.status_code == 400 and DeploymentPlan.objects.count() == before
    else:
        assert response.status_code == 403 and DeploymentPlan.objects.count() == before


def _plan_pages(actor, name: str, check=None) -> None:
    plans = _security(actor.world)["plans"]
    for code, plan in plans.items():
        response = actor.get(reverse(name, args=[plan.pk]))
        if actor.principal.role == Role.MACHINE:
            assert _login_redirect(response), code
            continue
        if not (_reads(actor) and actor.covers(code)):
            assert response.status_code == 404, code
            continue
        assert response.status_code == 200, code
        if check:
            check(response, plan)


def page_plan(actor) -> None:
    def check(response, plan) -> None:
        assert f'data-plan="{plan.pk}"' in response.content.decode()

    _plan_pages(actor, "security:plan", check)


def page_export_xlsx(actor) -> None:
    def check(response, plan) -> None:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")

    _plan_pages(actor, "security:export-xlsx", check)


def page_export_pdf(actor) -> None:
    from siaga.security import exports

    rendered: list[str] = []
    real = exports.pdf_html

    def spy(*args, **kwargs):
        rendered.append(real(*args, **kwargs))
        return rendered[-1]

    def check(response, plan) -> None:
        assert response["Content-Type"] == "application/pdf"
        assert plan.name in rendered.pop()

    # The HTML is checked for every plan (the page's no-leak check covers the PDF's bytes
    # poorly); printing it is tested in tests/security.
    with (
        mock.patch.object(exports, "pdf_html", spy),
        mock.patch.object(exports, "pdf_bytes", return_value=b"%PDF-matrix"),
    ):
        _plan_pages(actor, "security:export-pdf", check)
    assert not rendered


API = {
    ("GET", f"{API_BASE}/units"): api_units,
    ("POST", f"{API_BASE}/units"): api_unit_create,
    ("PATCH", f"{API_BASE}/units/{{pk}}"): api_unit_update,
    ("GET", f"{API_BASE}/patterns"): api_patterns,
    ("PATCH", f"{API_BASE}/patterns/{{category}}"): api_pattern_update,
    ("GET", f"{API_BASE}/plans"): api_plans,
    ("POST", f"{API_BASE}/plans"): api_plan_create,
    ("GET", f"{API_BASE}/plans/{{pk}}"): api_plan_detail,
}

# Sample URLs for the matrix's unauthenticated checks.
API_SAMPLES = {
    f"{API_BASE}/units/{{pk}}": f"{API_BASE}/units/1",
    f"{API_BASE}/patterns/{{category}}": f"{API_BASE}/patterns/aman",
    f"{API_BASE}/plans/{{pk}}": f"{API_BASE}/plans/1",
}

PAGES = {
    "security:overview": page_overview,
    "security:plan": page_plan,
    "security:export-xlsx": page_export_xlsx,
    "security:export-pdf": page_export_pdf,
}

PAGE_ARGS = {
    "security:plan": ["1"],
    "security:export-xlsx": ["1"],
    "security:export-pdf": ["1"],
}
