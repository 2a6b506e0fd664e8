"""The post-vote API: reads in the scope (404 outside it), writes for EDIT_WATCH (403 for
readers), 400 naming the field at fault, and the tick for the agency itself."""

from __future__ import annotations

import json

import pytest

from siaga.postelection import services
from siaga.postelection.models import Gathering, ReadinessItem, Revote
from tests.postelection.conftest import SYSTEM, VOTING_DAY, audit_count, wita

API = "/api/v1/postelection"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


GATHERING = {
    "title": "Aksi damai di kantor KPU",
    "place": "Kantor KPU Kutai Timur",
    "region": "64.08.04",
    "planned_at": "2024-12-04T09:00:00+08:00",
    "expected_size": 300,
    "organiser": "Aliansi pemuda",
    "permit": "diajukan",
}


@pytest.fixture
def seeded(pw):
    services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08")
    services.readiness_seed(context=SYSTEM)
    return pw


def test_the_calendar_lists_what_is_on_in_the_scope(client, seeded):
    client.force_login(seeded.analyst_kec)
    response = client.get(f"{API}/calendar", {"days": 30})
    assert response.status_code == 200
    body = response.json()
    assert body["post_vote"] is True and body["voting_day"] == "2024-11-27"
    assert {e["region_code"] for e in body["entries"]} == {"64.08", "64.08.04"}
    assert body["entries"][0]["kind"] == "rekap_ppk" and body["entries"][0]["ongoing"] is True


def test_field_monitors_get_404_and_strangers_401(client, pw):
    client.force_login(pw.monitor)
    assert client.get(f"{API}/calendar").status_code == 404
    assert client.get(f"{API}/readiness").status_code == 404
    client.logout()
    assert client.get(f"{API}/calendar").status_code == 401


def test_an_analyst_records_a_gathering(client, pw):
    client.force_login(pw.analyst)
    response = _post(client, f"{API}/gatherings", GATHERING)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_name"] == "Sangatta Utara" and body["status"] == "rencana"
    assert Gathering.objects.get(pk=body["id"]).created_by == pw.analyst
    assert audit_count("postelection.gathering.create") == 1


def test_leadership_may_read_gatherings_but_not_record_them(client, pw):
    client.force_login(pw.leadership)
    response = _post(client, f"{API}/gatherings", GATHERING)
    assert response.status_code == 403
    assert Gathering.objects.count() == 0
    assert client.get(f"{API}/gatherings").status_code == 200


def test_a_bad_gathering_answers_400_with_the_field(client, pw):
    client.force_login(pw.analyst)
    response = _post(client, f"{API}/gatherings", GATHERING | {"planned_at": "2024-12-04T09:00"})
    assert response.status_code == 400
    assert response.json()["field"] == "planned_at"
    response = _post(client, f"{API}/gatherings", GATHERING | {"region": "64.01.01"})
    assert response.status_code == 400 and response.json()["field"] == "region"
    assert Gathering.objects.count() == 0


def test_a_gathering_outside_the_scope_is_404_on_patch(client, pw):
    busang = services.gathering_create(
        context=SYSTEM,
        title="Konvoi di Busang",
        place="Jalan desa",
        region="64.08.06",
        planned_at=wita(2024, 12, 4, 9),
    )
    client.force_login(pw.analyst_kec)
    assert _patch(client, f"{API}/gatherings/{busang.pk}", {"status": "selesai"}).status_code == 404
    assert {g["id"] for g in client.get(f"{API}/gatherings").json()} == set()


def test_patch_changes_only_what_is_sent(client, pw):
    gathering = services.gathering_create(
        context=SYSTEM,
        title="Aksi",
        place="Kantor KPU",
        region="64.08.04",
        planned_at=wita(2024, 12, 4, 9),
        expected_size=300,
    )
    client.force_login(pw.liaison_polres)
    response = _patch(
        client, f"{API}/gatherings/{gathering.pk}", {"status": "berlangsung", "expected_size": 450}
    )
    assert response.status_code == 200, response.content
    gathering.refresh_from_db()
    assert (gathering.status, gathering.expected_size, gathering.place) == (
        "berlangsung",
        450,
        "Kantor KPU",
    )
    response = _patch(client, f"{API}/gatherings/{gathering.pk}", {"title": None})
    assert response.status_code == 400 and response.json()["field"] == "title"


def test_revotes_are_recorded_and_listed_in_the_scope(client, pw):
    client.force_login(pw.analyst)
    body = {
        "tps": pw.tps_b1.pk,
        "ordered_on": "2024-11-29",
        "vote_on": "2024-12-02",
        "reason": "Pemilih dari luar daerah memilih tanpa dokumen",
        "ordered_by": "Bawaslu / KPU",
    }
    response = _post(client, f"{API}/revotes", body)
    assert response.status_code == 201, response.content
    assert response.json()["kecamatan_name"] == "Busang"
    response = _post(client, f"{API}/revotes", body | {"tps": pw.tps_other.pk})
    assert response.status_code == 400 and response.json()["field"] == "tps"
    assert Revote.objects.count() == 1
    client.force_login(pw.analyst_kec)
    assert client.get(f"{API}/revotes").json() == []


def test_readiness_lists_agencies_and_who_may_tick(client, seeded):
    client.force_login(seeded.liaison_polres)
    rows = {r["agency_code"]: r for r in client.get(f"{API}/readiness").json()}
    assert set(rows) == {"kesbangpol", "polres", "kpu", "koramil-busang"}
    assert all(i["may_tick"] for i in rows["polres"]["items"])
    assert not any(i["may_tick"] for i in rows["kpu"]["items"])


def test_a_liaison_ticks_its_own_item_and_is_refused_anothers(client, seeded):
    pw = seeded
    own = ReadinessItem.objects.filter(agency=pw.polres).first()
    other = ReadinessItem.objects.filter(agency=pw.kpu).first()
    client.force_login(pw.liaison_polres)
    response = _post(client, f"{API}/readiness/{own.pk}/tick", {"note": "Siap"})
    assert response.status_code == 200, response.content
    assert response.json()["done"] is True and response.json()["done_by"] == "polres-liaison"
    assert _post(client, f"{API}/readiness/{other.pk}/tick", {}).status_code == 403
    assert not ReadinessItem.objects.get(pk=other.pk).done
    response = _post(client, f"{API}/readiness/{own.pk}/tick", {"done": False})
    assert response.status_code == 200 and response.json()["done"] is False


def test_an_item_outside_the_scope_is_404(client, seeded):
    koramil = ReadinessItem.objects.filter(agency=seeded.koramil).first()
    client.force_login(seeded.analyst_kec)
    assert _post(client, f"{API}/readiness/{koramil.pk}/tick", {}).status_code == 404
