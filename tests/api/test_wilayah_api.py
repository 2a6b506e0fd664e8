"""The regions and TPS API: scope, filters, pagination, a bounded number of queries, auth."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from siaga.accounts.choices import Role
from siaga.accounts.tokens import token_revoke
from siaga.core import clock
from siaga.core.audit import AuditContext
from tests.factories import TpsFactory, region

ENDPOINTS = ["/api/v1/regions", "/api/v1/regions/64.08", "/api/v1/tps", "/api/v1/tps/1"]


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def many_tps(world):
    """A third desa in Sangatta Utara with 120 TPS (the list must page through all of them)."""
    desa = region("64.08.04.1003", "Swarga Bara")
    return [
        TpsFactory(desa=desa, number=n, special_location="perusahaan" if n % 10 == 0 else "")
        for n in range(1, 121)
    ]


# --- regions ------------------------------------------------------------------------------------


def test_region_list_holds_only_the_regions_the_scope_covers(world, login):
    client = login(world.user(Role.ANALYST, scope=[world.kec_a]))
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    assert codes(response) == ["64.08.04", "64.08.04.1001", "64.08.04.1002"]
    assert response.json()["count"] == 3


def test_region_list_filters_by_level_parent_and_text(world, login):
    client = login(world.user(Role.LEADERSHIP))
    assert codes(client.get("/api/v1/regions", {"level": "district"})) == ["64.08.04", "64.08.06"]
    assert codes(client.get("/api/v1/regions", {"parent": "64.08.06"})) == [
        "64.08.06.2001",
        "64.08.06.2002",
    ]
    assert codes(client.get("/api/v1/regions", {"q": "bentuq"})) == ["64.08.06.2001"]
    assert codes(client.get("/api/v1/regions", {"q": "64.08.06"})) == [
        "64.08.06",
        "64.08.06.2001",
        "64.08.06.2002",
    ]
    # The other regency is never listed, whatever the filter.
    assert codes(client.get("/api/v1/regions", {"q": "Paser"})) == []
    assert codes(client.get("/api/v1/regions", {"parent": "64.01"})) == []


def test_region_list_items_describe_the_region(world, login):
    client = login(world.user(Role.LEADERSHIP))
    item = client.get("/api/v1/regions", {"q": "64.08.04.1001"}).json()["items"][0]
    assert item == {
        "code": "64.08.04.1001",
        "name": "Singa Gembara",
        "level": "village",
        "level_label": "Desa/kelurahan",
        "parent_code": "64.08.04",
        "lat": None,
        "lon": None,
        "has_boundary": False,
    }


def test_region_detail_of_an_ancestor_shows_only_the_children_in_scope(world, login):
    client = login(world.user(Role.LIAISON, scope=[world.kec_a]))
    response = client.get("/api/v1/regions/64.08")
    assert response.status_code == 200
    body = response.json()
    assert [c["code"] for c in body["children"]] == ["64.08.04"]
    assert body["ancestors"] == [{"code": "64", "name": "Kalimantan Timur"}]
    # Totals count only the TPS in scope: 2 desa x 2 TPS x (200 + 180) voters.
    assert body["totals"] == {"tps": 4, "dpt_male": 800, "dpt_female": 720, "dpt_total": 1520}
    assert body["children"][0]["totals"]["tps"] == 4
    assert "Busang" not in response.content.decode()


def test_region_detail_sums_tps_and_dpt_per_child(world, login):
    client = login(world.user(Role.ANALYST))
    body = client.get("/api/v1/regions/64.08.06").json()
    assert body["level"] == "district"
    assert [
        (c["code"], c["totals"]["tps"], c["totals"]["dpt_total"]) for c in body["children"]
    ] == [
        ("64.08.06.2001", 2, 760),
        ("64.08.06.2002", 2, 760),
    ]
    desa = client.get("/api/v1/regions/64.08.06.2001").json()
    assert desa["children"] == [] and desa["totals"]["tps"] == 2


@pytest.mark.parametrize("code", ["64.08.06", "64.08.06.2001", "64.01", "64.01.01", "99.99"])
def test_region_detail_outside_the_scope_is_404(world, login, code):
    client = login(world.user(Role.ANALYST, scope=[world.kec_a]))
    response = client.get(f"/api/v1/regions/{code}")
    assert response.status_code == 404
    assert "name" not in response.json()


# --- TPS ----------------------------------------------------------------------------------------


def test_tps_list_pages_through_every_tps_in_scope_exactly_once(world, many_tps, login):
    client = login(world.user(Role.LEADERSHIP))
    expected = {t.pk for t in many_tps} | {
        t.pk for code, tps in world.tps.items() if code.startswith("64.08.") for t in tps
    }
    seen, page = [], 1
    while True:
        body = client.get("/api/v1/tps", {"page": page, "page_size": 25}).json()
        assert body["count"] == 128 and body["pages"] == 6 and body["page"] == page
        if not body["items"]:
            break
        seen += [item["id"] for item in body["items"]]
        page += 1
    assert page == 7
    assert len(seen) == len(set(seen)) == 128
    assert set(seen) == expected


def test_tps_list_uses_the_configured_page_size_and_caps_it_at_500(
    world, many_tps, login, settings
):
    settings.SIAGA_API_PAGE_SIZE = 7
    client = login(world.user(Role.LEADERSHIP))
    body = client.get("/api/v1/tps").json()
    assert len(body["items"]) == 7 and body["page_size"] == 7 and body["pages"] == 19
    assert len(client.get("/api/v1/tps", {"page_size": 500}).json()["items"]) == 128
    assert client.get("/api/v1/tps", {"page_size": 501}).status_code == 422
    assert client.get("/api/v1/tps", {"page": 0}).status_code == 422


def test_tps_list_items_carry_desa_kecamatan_and_dpt(world, login):
    client = login(world.user(Role.LEADERSHIP))
    tps = world.tps["64.08.06.2002"][1]
    item = next(i for i in client.get("/api/v1/tps").json()["items"] if i["id"] == tps.pk)
    assert item == {
        "id": tps.pk,
        "label": "TPS 002",
        "number": 2,
        "desa": {"code": "64.08.06.2002", "name": "Rantau Sentosa"},
        "kecamatan": {"code": "64.08.06", "name": "Busang"},
        "address": tps.address,
        "lat": 0.5,
        "lon": 117.5,
        "dpt_male": 200,
        "dpt_female": 180,
        "dpt_total": 380,
        "special_location": "",
    }


def test_tps_list_filters_by_region_at_any_level_special_location_and_search(
    world, many_tps, login
):
    client = login(world.user(Role.LEADERSHIP))
    busang = {t.pk for code in ("64.08.06.2001", "64.08.06.2002") for t in world.tps[code]}
    assert set(ids(client.get("/api/v1/tps", {"region": "64.08.06"}))) == busang
    assert set(ids(client.get("/api/v1/tps", {"region": "64.08.06.2001"}))) == {
        t.pk for t in world.tps["64.08.06.2001"]
    }
    assert client.get("/api/v1/tps", {"region": "64.08"}).json()["count"] == 128
    # A region outside the scope narrows to nothing rather than widening the scope.
    assert client.get("/api/v1/tps", {"region": "64.01"}).json()["count"] == 0
    special = client.get("/api/v1/tps", {"special": "true", "page_size": 500}).json()
    assert special["count"] == 12
    assert all(item["special_location"] == "perusahaan" for item in special["items"])
    assert client.get("/api/v1/tps", {"special": "false"}).json()["count"] == 116
    assert set(ids(client.get("/api/v1/tps", {"search": "bentuq"}))) == {
        t.pk for t in world.tps["64.08.06.2001"]
    }
    assert ids(client.get("/api/v1/tps", {"search": many_tps[41].address})) == [many_tps[41].pk]


def test_tps_list_runs_a_bounded_number_of_queries_whatever_the_page_size(
    world, many_tps, login, django_assert_max_num_queries
):
    client = login(world.user(Role.LEADERSHIP))
    client.get("/api/v1/tps")  # warm up the session and the clock cache
    counts = []
    for size in (5, 50, 500):
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(6):
            response = client.get("/api/v1/tps", {"page_size": size})
        assert len(response.json()["items"]) == min(size, 128)
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts  # no N+1: the page size does not change the count


def test_tps_list_by_bearer_token_also_runs_a_bounded_number_of_queries(
    world, many_tps, bearer, client, django_assert_max_num_queries
):
    headers = bearer(world.user(Role.MACHINE))
    client.get("/api/v1/tps", headers=headers)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/tps", {"page_size": 500}, headers=headers)
    assert response.json()["count"] == 128


def test_tps_detail_in_scope_and_404_outside(world, login):
    client = login(world.user(Role.LIAISON, scope=[world.kec_a]))
    mine, theirs = world.tps["64.08.04.1002"][0], world.tps["64.08.06.2001"][0]
    response = client.get(f"/api/v1/tps/{mine.pk}")
    assert response.status_code == 200
    assert response.json()["desa"]["name"] == "Sangatta Utara"
    assert client.get(f"/api/v1/tps/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/tps/{world.tps['64.01.01.2001'][0].pk}").status_code == 404
    assert client.get("/api/v1/tps/999999").status_code == 404


def test_field_monitor_sees_only_the_assigned_tps(world, login):
    assigned = world.tps["64.08.04.1001"][0]
    client = login(world.user(Role.FIELD_MONITOR, scope=[world.desa_a1], tps=[assigned]))
    assert ids(client.get("/api/v1/tps")) == [assigned.pk]
    other = world.tps["64.08.04.1001"][1]
    assert client.get(f"/api/v1/tps/{other.pk}").status_code == 404


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
def test_without_authentication_the_api_answers_401_and_no_data(world, client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_bearer_token_authenticates_a_machine_client(world, bearer, client):
    headers = bearer(world.user(Role.MACHINE, scope=[world.kec_b]))
    response = client.get("/api/v1/tps", headers=headers)
    assert response.status_code == 200
    assert {i["desa"]["code"] for i in response.json()["items"]} == {
        "64.08.06.2001",
        "64.08.06.2002",
    }


@pytest.mark.parametrize(
    "header",
    ["Bearer sg_not-a-real-key", "Bearer ", "Token sg_abc", "Basic dXNlcjpwYXNz"],
)
def test_an_unknown_or_malformed_token_gets_401(world, client, header):
    assert client.get("/api/v1/tps", headers={"Authorization": header}).status_code == 401


def test_a_revoked_token_gets_401(world, client):
    from siaga.accounts.tokens import token_create

    user = world.user(Role.MACHINE)
    token, key = token_create(context=AuditContext(channel="test"), user=user, name="bot")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/tps", headers=headers).status_code == 200
    token_revoke(context=AuditContext(channel="test"), token=token)
    assert client.get("/api/v1/tps", headers=headers).status_code == 401


def test_an_expired_token_gets_401(world, bearer, client):
    user = world.user(Role.MACHINE)
    expired = bearer(user, expires_at=clock.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/tps", headers=expired).status_code == 401
    valid = bearer(user, expires_at=clock.now() + dt.timedelta(days=1))
    assert client.get("/api/v1/tps", headers=valid).status_code == 200


def test_the_token_of_a_deactivated_user_gets_401(world, bearer, client):
    user = world.user(Role.MACHINE)
    headers = bearer(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/tps", headers=headers).status_code == 401


# --- OpenAPI ------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_endpoint_and_field(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/tps",
        "/api/v1/tps/{tps_id}",
        "/api/v1/agencies",
        "/api/v1/me",
    ):
        assert "get" in schema["paths"][path], path
    tps = schema["components"]["schemas"]["TpsOut"]["properties"]
    assert set(tps) >= {"id", "label", "desa", "kecamatan", "dpt_total", "special_location"}
    assert all(field.get("description") for field in tps.values())
    params = {p["name"] for p in schema["paths"]["/api/v1/tps"]["get"]["parameters"]}
    assert params >= {"region", "special", "search", "page", "page_size"}
    assert set(schema["components"]["securitySchemes"]) >= {"SessionAuth", "BearerToken"}
