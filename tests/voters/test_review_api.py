"""API of the double-registration review (siaga/voters/api_review.py): pairs, decisions,
counts, the map layer and linkage runs, with the same permissions as the pages."""

from __future__ import annotations

import pytest

from siaga.core.models import AuditEvent
from siaga.voters.models import DuplicatePair, LinkageRun, PairStatus
from siaga.voters.privacy import mask_nik
from tests.voters.review_world import RollWorld

API = "/api/v1/voters"


@pytest.fixture
def roll(db):
    world = RollWorld()
    world.p_siti = world.pair(world.siti, world.siti_copy, klass="K1", probability=0.99)
    world.p_rudi = world.pair(world.rudi, world.rudi_copy, klass="K3", probability=0.93)
    world.p_k2 = world.pair(world.ahmad, world.rizal, klass="K2", probability=1.0)
    world.p_out = world.pair(world.outsider, world.outsider_copy, klass="K1", probability=0.98)
    return world


def _as(client, user):
    client.force_login(user)
    return client


def test_pairs_list_is_sorted_filtered_paginated_and_masked(client, roll):
    data = _as(client, roll.analyst).get(f"{API}/pairs").json()
    assert data["count"] == 3
    assert [p["id"] for p in data["items"]] == [roll.p_k2.pk, roll.p_siti.pk, roll.p_rudi.pk]
    siti = data["items"][1]
    assert siti["voter_l"]["nik"] == mask_nik(roll.siti.nik)
    assert siti["voter_l"]["nkk"] == mask_nik(roll.siti.nkk)
    assert roll.siti.nik not in str(data)
    only_k3 = client.get(f"{API}/pairs", {"klass": "K3"}).json()
    assert [p["id"] for p in only_k3["items"]] == [roll.p_rudi.pk]
    page = client.get(f"{API}/pairs", {"page_size": 2, "page": 2}).json()
    assert page["pages"] == 2 and len(page["items"]) == 1
    region = client.get(f"{API}/pairs", {"region": roll.desa_a2.code}).json()
    assert [p["id"] for p in region["items"]] == [roll.p_siti.pk]


def test_kpu_sees_nik_leadership_and_monitors_see_no_pairs(client, roll):
    kpu = _as(client, roll.kpu_liaison).get(f"{API}/pairs").json()
    assert roll.siti.nik in str(kpu)
    for user in (roll.leader, roll.monitor, roll.polres_liaison):
        assert _as(client, user).get(f"{API}/pairs").json()["count"] == 0
        assert client.get(f"{API}/pairs/{roll.p_siti.pk}").status_code == 404


def test_pair_detail_has_evidence_and_out_of_scope_is_404(client, roll):
    _as(client, roll.analyst)
    detail = client.get(f"{API}/pairs/{roll.p_siti.pk}").json()
    assert detail["source"] == "engine" and detail["why"] == "nama sama"
    assert detail["evidence"]["name"] == {"level": "nama sama", "bf": 120.5}
    assert client.get(f"{API}/pairs/{roll.p_out.pk}").status_code == 404
    assert (
        client.post(f"{API}/pairs/{roll.p_out.pk}/confirm", {}, "application/json").status_code
        == 404
    )


def test_confirm_dismiss_reopen_through_the_api(client, roll):
    _as(client, roll.bawaslu_liaison)
    ok = client.post(
        f"{API}/pairs/{roll.p_siti.pk}/confirm", {"note": "sama"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "terkonfirmasi"
    assert ok.json()["decided_by"] == "bawaslu"
    again = client.post(f"{API}/pairs/{roll.p_siti.pk}/dismiss", {"note": "x"}, "application/json")
    assert again.status_code == 409
    no_note = client.post(f"{API}/pairs/{roll.p_rudi.pk}/dismiss", {}, "application/json")
    assert no_note.status_code == 400 and no_note.json()["field"] == "note"
    dismissed = client.post(
        f"{API}/pairs/{roll.p_rudi.pk}/dismiss", {"note": "orang lain"}, "application/json"
    )
    assert dismissed.json()["status"] == "ditolak"
    reopened = client.post(
        f"{API}/pairs/{roll.p_rudi.pk}/reopen", {"note": "cek ulang"}, "application/json"
    )
    assert reopened.json()["status"] == "diduga"
    events = AuditEvent.objects.filter(action__startswith="voters.pair.").order_by("seq")
    assert [e.channel for e in events] == ["api", "api", "api"]


def test_expected_status_guards_against_a_concurrent_decision(client, roll):
    _as(client, roll.analyst)
    DuplicatePair.objects.filter(pk=roll.p_siti.pk).update(status=PairStatus.DISMISSED)
    stale = client.post(
        f"{API}/pairs/{roll.p_siti.pk}/reopen",
        {"note": "x", "expected_status": "terkonfirmasi"},
        "application/json",
    )
    assert stale.status_code == 409
    assert DuplicatePair.objects.get(pk=roll.p_siti.pk).status == PairStatus.DISMISSED


def test_leadership_cannot_decide(client, roll):
    response = _as(client, roll.leader).post(
        f"{API}/pairs/{roll.p_siti.pk}/confirm", {}, "application/json"
    )
    assert response.status_code == 404
    assert DuplicatePair.objects.get(pk=roll.p_siti.pk).status == PairStatus.SUSPECTED


def test_summary_counts_for_leadership_not_for_monitors(client, roll):
    DuplicatePair.objects.filter(pk__in=[roll.p_siti.pk, roll.p_k2.pk, roll.p_out.pk]).update(
        status=PairStatus.CONFIRMED
    )
    data = _as(client, roll.leader).get(f"{API}/duplicates/summary").json()
    rows = {r["code"]: r for r in data["rows"]}
    assert rows[roll.kec_a.code]["double"] == 1
    assert rows[roll.kec_b.code]["k2"] == 1 and rows[roll.kec_b.code]["double"] == 0
    assert roll.kec_other.code not in rows
    tps = client.get(f"{API}/duplicates/summary", {"level": "tps"}).json()["rows"]
    assert {r["code"] for r in tps} == {
        str(roll.siti.tps_id),
        str(roll.siti_copy.tps_id),
        str(roll.ahmad.tps_id),
    }
    assert client.get(f"{API}/duplicates/summary", {"level": "rt"}).status_code == 400
    assert _as(client, roll.monitor).get(f"{API}/duplicates/summary").status_code == 404
    assert client.get(f"{API}/duplicates/map").status_code == 404


def test_map_layer_per_tps_in_scope_with_positions(client, roll):
    DuplicatePair.objects.filter(pk=roll.p_siti.pk).update(status=PairStatus.CONFIRMED)
    roll.siti_copy.tps.lat = None
    roll.siti_copy.tps.save()
    points = _as(client, roll.leader).get(f"{API}/duplicates/map").json()
    by_tps = {p["tps_id"]: p for p in points}
    assert by_tps[roll.siti.tps_id]["confirmed"] == 1
    assert roll.siti_copy.tps_id not in by_tps, "a TPS without a position is not on the map"
    assert by_tps[roll.rudi.tps_id]["suspected"] == 1
    assert by_tps[roll.ahmad.tps_id]["data_errors"] == 1
    assert by_tps[roll.ahmad.tps_id]["confirmed"] == 0
    assert roll.outsider.tps_id not in by_tps
    assert "nik" not in str(points).lower()


def test_linkage_runs_through_the_api(client, roll, django_capture_on_commit_callbacks):
    _as(client, roll.analyst)
    with django_capture_on_commit_callbacks(execute=False):
        created = client.post(f"{API}/linkage-runs", {"threshold": 0.8}, "application/json")
    assert created.status_code == 202
    run_id = created.json()["id"]
    assert LinkageRun.objects.get(pk=run_id).threshold == 0.8
    assert client.get(f"{API}/linkage-runs/{run_id}").json()["status"] == "antri"
    busy = client.post(f"{API}/linkage-runs", {}, "application/json")
    assert busy.status_code == 409
    bad = client.post(f"{API}/linkage-runs", {"threshold": 2}, "application/json")
    assert bad.status_code in (400, 422)
    _as(client, roll.leader)
    assert client.post(f"{API}/linkage-runs", {}, "application/json").status_code == 403
    assert client.get(f"{API}/linkage-runs/{run_id}").status_code == 404
