"""API of deployment planning (/api/v1/security/...): reading in scope, writing with
PLAN_DEPLOYMENT (403 for other readers, 404 outside the scope, 400 with the field at fault)."""

from __future__ import annotations

import json

import pytest

from siaga.accounts.choices import Role
from siaga.core.models import AuditEvent
from siaga.security import services
from siaga.security.models import DeploymentPlan, PersonnelUnit

API = "/api/v1/security"


def _login(client, world, role=Role.ANALYST, scope=None):
    client.force_login(world.user(role, scope=scope))
    return client


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_units_list_only_the_scope(client, world, staffed):
    _login(client, world, scope=[world.kec_b])
    body = client.get(f"{API}/units", {"page_size": 500}).json()
    assert {u["name"] for u in body["items"]} == {
        "Polsek Busang",
        "Linmas Long Bentuq",
        "Linmas Rantau Sentosa",
    }
    body = client.get(f"{API}/units", {"kind": "polsek"}).json()
    assert [u["name"] for u in body["items"]] == ["Polsek Busang"] and body["count"] == 1


def test_units_list_is_empty_for_field_monitors(client, world, staffed):
    _login(client, world, Role.FIELD_MONITOR, scope=[world.desa_b1])
    assert client.get(f"{API}/units").json()["count"] == 0


def test_unit_create_by_a_planner_and_refusals(client, world):
    _login(client, world)
    data = {"kind": "koramil", "name": "Koramil Busang", "region_code": "64.08.06", "count": 9,
            "reach": "kecamatan"}  # fmt: skip
    response = _post(client, f"{API}/units", data)
    assert response.status_code == 201, response.content
    assert response.json()["region_name"] == "Busang" and response.json()["count"] == 9
    response = _post(client, f"{API}/units", {**data, "reach": "distance"})
    assert response.status_code == 400
    assert response.json()["field"] == "reach_km"
    assert _post(client, f"{API}/units", {**data, "region_code": "64.01.01"}).status_code == 404
    assert PersonnelUnit.objects.count() == 1


def test_unit_create_is_403_for_readers_and_404_for_monitors(client, world):
    data = {"kind": "polsek", "name": "Polsek X", "region_code": "64.08.06", "count": 9,
            "reach": "kecamatan"}  # fmt: skip
    _login(client, world, Role.LEADERSHIP)
    assert _post(client, f"{API}/units", data).status_code == 403
    _login(client, world, Role.FIELD_MONITOR, scope=[world.kec_b])
    assert _post(client, f"{API}/units", data).status_code == 404
    assert not PersonnelUnit.objects.exists()


def test_unit_patch_changes_only_what_is_sent(client, world, staffed):
    _login(client, world)
    unit = staffed["polsek_b"]
    response = _patch(client, f"{API}/units/{unit.pk}", {"count": 11, "active": False})
    assert response.status_code == 200, response.content
    assert (response.json()["count"], response.json()["active"]) == (11, False)
    assert response.json()["reach"] == "kecamatan"
    other = staffed["polsek_other"]
    assert _patch(client, f"{API}/units/{other.pk}", {"count": 1}).status_code == 404
    response = _patch(client, f"{API}/units/{unit.pk}", {"region_code": "64.01.01"})
    assert response.status_code == 404  # cannot move a unit out of one's scope
    assert PersonnelUnit.objects.get(pk=unit.pk).region_id == "64.08.06"


def test_patterns_read_and_changed_by_planners_only(client, world, patterns):
    _login(client, world, Role.LIAISON)
    body = client.get(f"{API}/patterns").json()
    assert [(p["category"], p["load"]) for p in body] == [
        ("sangat_rawan", 2.0),
        ("rawan", 1.0),
        ("aman", 0.25),
    ]
    assert _patch(client, f"{API}/patterns/aman", {"tps_per_team": 4}).status_code == 403
    _login(client, world)
    response = _patch(client, f"{API}/patterns/aman", {"tps_per_team": 4})
    assert response.status_code == 200 and response.json()["load"] == 0.5
    assert _patch(client, f"{API}/patterns/aman", {"tps_per_team": 0}).status_code == 422


def test_plan_create_returns_the_plan_with_its_summaries(client, world, staffed):
    _login(client, world)
    response = _post(
        client, f"{API}/plans", {"region_code": "64.08", "withdrawn": [staffed["polsek_b"].pk]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["totals"]["covered"] == 4 and body["totals"]["short"] == 4
    assert [k["code"] for k in body["kecamatan"]] == ["64.08.04", "64.08.06"]
    assert len(body["shortfalls"]) == 4 and body["assignments"] == []
    assert {s["reason"] for s in body["shortfalls"]} == {"no_unit_in_reach"}
    assert AuditEvent.objects.filter(action="security.plan_create").count() == 1


def test_plan_create_refusals(client, world, staffed, paser_plan_for_api):
    _login(client, world)
    response = _post(client, f"{API}/plans", {"region_code": "64.08", "withdrawn": [999999]})
    assert response.status_code == 400 and response.json()["field"] == "withdrawn"
    assert _post(client, f"{API}/plans", {"region_code": "64.01"}).status_code == 404
    response = _post(
        client, f"{API}/plans", {"region_code": "64.08", "based_on": paser_plan_for_api.pk}
    )
    assert response.status_code == 404
    _login(client, world, Role.LEADERSHIP)
    assert _post(client, f"{API}/plans", {"region_code": "64.08"}).status_code == 403
    assert DeploymentPlan.objects.count() == 1


@pytest.fixture
def paser_plan_for_api(world, staffed, system):
    return services.plan_create(context=system, region_code="64.01", name="Rencana Paser")


def test_plans_list_and_detail_keep_the_scope(client, world, staffed, system, paser_plan_for_api):
    mine = services.plan_create(context=system, region_code="64.08.06", name="Rencana Busang")
    _login(client, world, Role.LIAISON, scope=[world.kec_b])
    body = client.get(f"{API}/plans").json()
    assert [p["name"] for p in body["items"]] == ["Rencana Busang"]
    assert client.get(f"{API}/plans/{paser_plan_for_api.pk}").status_code == 404
    detail = client.get(f"{API}/plans/{mine.pk}", {"kecamatan": "64.08.06"}).json()
    assert {a["unit_name"] for a in detail["assignments"]} == {
        "Polsek Busang",
        "Linmas Long Bentuq",
        "Linmas Rantau Sentosa",
    }
    assert sum(a["linmas"] for a in detail["assignments"]) == 8
    assert sum(u["tps"] for u in detail["units"] if u["name"] == "Polsek Busang") == 4
    _login(client, world, Role.FIELD_MONITOR, scope=[world.kec_b])
    assert client.get(f"{API}/plans").json()["count"] == 0
    assert client.get(f"{API}/plans/{mine.pk}").status_code == 404
