"""GET /api/v1/map: everything the situation-room map shows, in one request, within the scope."""

import pytest

from siaga.accounts.choices import Role
from siaga.wilayah.choices import SpecialLocation
from tests.factories import TpsFactory

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.0, 0.0], [118.0, 0.0], [118.0, 1.0], [117.0, 1.0], [117.0, 0.0]]],
}


def test_one_request_returns_every_tps_in_scope_with_correct_totals(analyst_client, world):
    special = world.tps[world.desa_b1.code][0]
    special.special_location = SpecialLocation.PERUSAHAAN
    special.save()

    response = analyst_client.get("/api/v1/map")

    assert response.status_code == 200
    data = response.json()
    assert data["region"]["code"] == "64.08"
    assert data["tps_fields"] == ["id", "lat", "lon", "label", "desa", "dpt", "status"]
    expected = {t.pk for code, rows in world.tps.items() if code.startswith("64.08.") for t in rows}
    assert {row[0] for row in data["tps"]} == expected  # the 8 TPS of Kutai Timur, not Paser's
    assert data["totals"] == {"tps": 8, "dpt_male": 1600, "dpt_female": 1440, "dpt": 3040}
    assert sum(row[5] for row in data["tps"]) == data["totals"]["dpt"]
    row = next(r for r in data["tps"] if r[0] == special.pk)
    assert row == [special.pk, 0.5, 117.5, "TPS 001", "Long Bentuq", 380, "khusus"]
    assert {s["code"] for s in data["statuses"]} >= {"reguler", "khusus"}


def test_map_of_a_kecamatan_user_holds_only_their_kecamatan(client, world, deployment):
    client.force_login(world.user(Role.LIAISON, scope=[world.kec_a]))

    data = client.get("/api/v1/map").json()  # the regency map, seen through the scope

    assert {r[4] for r in data["tps"]} == {"Singa Gembara", "Sangatta Utara"}
    assert data["totals"]["tps"] == 4
    assert data["totals"]["dpt"] == 1520


def test_map_of_a_desa_narrows_to_its_tps(analyst_client, world):
    data = analyst_client.get("/api/v1/map", {"region": world.desa_b1.code}).json()

    assert data["region"]["level"] == "village"
    assert [r[0] for r in data["tps"]] == [t.pk for t in world.tps[world.desa_b1.code]]


@pytest.mark.parametrize("code", ["64.01", "64.01.01", "64.08.99", "nonsense"])
def test_map_outside_the_scope_or_unknown_is_404(analyst_client, code):
    assert analyst_client.get("/api/v1/map", {"region": code}).status_code == 404


def test_map_of_another_kecamatan_is_404_for_a_kecamatan_user(client, world, deployment):
    client.force_login(world.user(Role.LIAISON, scope=[world.kec_a]))

    assert client.get("/api/v1/map", {"region": world.kec_b.code}).status_code == 404


def test_field_monitor_gets_no_map(client, world, deployment):
    client.force_login(world.user(Role.FIELD_MONITOR, tps=world.tps[world.desa_a1.code][:1]))

    assert client.get("/api/v1/map").status_code == 404


def test_anonymous_gets_401_and_no_data(client, world, deployment):
    response = client.get("/api/v1/map")

    assert response.status_code == 401
    assert b"tps" not in response.content


def test_boundaries_of_the_region_and_its_children_are_in_the_payload(analyst_client, world):
    for region in (world.regency, world.kec_a, world.kec_b, world.desa_a1):
        region.boundary = SQUARE
        region.save()

    features = analyst_client.get("/api/v1/map").json()["boundaries"]["features"]

    assert [(f["properties"]["code"], f["properties"]["self"]) for f in features] == [
        ("64.08", True),
        ("64.08.04", False),
        ("64.08.06", False),
    ]
    assert features[0]["geometry"] == SQUARE


def test_desa_boundaries_stand_in_when_only_desa_were_imported(analyst_client, world):
    world.desa_a1.boundary = SQUARE
    world.desa_a1.save()
    world.desa_other.boundary = SQUARE  # another regency: never drawn
    world.desa_other.save()

    features = analyst_client.get("/api/v1/map").json()["boundaries"]["features"]

    assert [f["properties"]["code"] for f in features] == [world.desa_a1.code]


def test_map_query_count_does_not_grow_with_the_tps(
    analyst_client, world, django_assert_max_num_queries
):
    for n in range(3, 60):
        TpsFactory(desa=world.desa_a2, number=n)

    with django_assert_max_num_queries(8):
        data = analyst_client.get("/api/v1/map").json()

    assert data["totals"]["tps"] == 8 + 57
