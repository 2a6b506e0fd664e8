"""The agencies and current-user API."""

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.core.permissions import Action
from tests.factories import AgencyFactory


@pytest.fixture
def agencies(world):
    return {
        "kodim": AgencyFactory(code="kodim", name="Kodim 0909", kind=AgencyKind.TNI),
        "koramil-busang": AgencyFactory(
            code="koramil-busang", name="Koramil Busang", kind=AgencyKind.TNI, region_id="64.08.06"
        ),
        "polres-paser": AgencyFactory(
            code="polres-paser", name="Polres Paser", kind=AgencyKind.POLRI, region_id="64.01"
        ),
    }


def agency_codes(response) -> set[str]:
    return {a["code"] for a in response.json()}


def test_agencies_are_those_serving_a_region_the_user_may_open(world, agencies, login):
    client = login(world.user(Role.LIAISON))
    assert agency_codes(client.get("/api/v1/agencies")) == {
        "kesbangpol",
        "kodim",
        "koramil-busang",
    }
    # A kecamatan user sees the regency's agencies (on the way down) but not the other
    # kecamatan's nor the other regency's.
    client = login(world.user(Role.LIAISON, scope=[world.kec_a]))
    response = client.get("/api/v1/agencies")
    assert agency_codes(response) == {"kesbangpol", "kodim"}
    assert "Busang" not in response.content.decode() and "Paser" not in response.content.decode()


def test_an_agency_item_names_its_kind_and_region(world, agencies, login):
    client = login(world.user(Role.LIAISON, scope=[world.kec_b]))
    item = next(a for a in client.get("/api/v1/agencies").json() if a["code"] == "koramil-busang")
    assert item == {
        "code": "koramil-busang",
        "name": "Koramil Busang",
        "kind": "tni",
        "kind_label": "TNI (Kodim)",
        "region_code": "64.08.06",
        "region_name": "Busang",
    }


def test_me_tells_role_agency_scope_and_allowed_actions(world, login):
    user = world.user(Role.ANALYST, scope=[world.kec_a, world.desa_b1])
    user.first_name, user.last_name = "Rina", "Wulandari"
    user.save()
    body = login(user).get("/api/v1/me").json()
    assert body == {
        "username": user.username,
        "full_name": "Rina Wulandari",
        "role": "analyst",
        "role_label": "Analis sekretariat",
        "agency": {"code": "kesbangpol", "name": "Kesbangpol Kutai Timur"},
        "scope": [
            {"code": "64.08.04", "name": "Sangatta Utara", "level": "district"},
            {"code": "64.08.06.2001", "name": "Long Bentuq", "level": "village"},
        ],
        "scope_everything": False,
        "assigned_tps": None,
        "actions": sorted(
            [
                "view",
                "submit_field",
                "edit_master",
                "view_audit",
                "triage_incidents",
                "view_reporter",
                "import_dpt",
                "review_voters",
                "check_voter",
                "triage_media",
                "ingest_media",
                "edit_risk",
                "plan_deployment",
                "edit_watch",
                "coordinate",
            ]
        ),
    }


def test_me_of_a_field_monitor_lists_the_assigned_tps(world, login):
    tps = world.tps["64.08.04.1001"][1]
    user = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1], tps=[tps])
    body = login(user).get("/api/v1/me").json()
    assert body["assigned_tps"] == [tps.pk]
    assert body["actions"] == ["check_voter", "submit_field"]


def test_me_of_an_administrator_lists_every_action(world, login):
    body = login(world.user(Role.ADMIN)).get("/api/v1/me").json()
    assert body["actions"] == sorted(a.value for a in Action)


def test_me_answers_a_machine_client_by_its_token(world, bearer, client):
    user = world.user(Role.MACHINE, scope=[world.kec_b])
    body = client.get("/api/v1/me", headers=bearer(user)).json()
    assert body["username"] == user.username
    assert body["role"] == "machine" and body["actions"] == ["view"]
    assert [r["code"] for r in body["scope"]] == ["64.08.06"]


@pytest.mark.parametrize("path", ["/api/v1/agencies", "/api/v1/me"])
def test_accounts_endpoints_answer_401_without_authentication(world, client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
