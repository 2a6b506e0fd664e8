"""The checklist API: templates, the idempotent multipart submission, status and TPS history."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from siaga.accounts.tokens import token_create
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission
from siaga.core.audit import AuditContext
from tests.checklists.conftest import COUNTING_ANSWERS, OPENING_ANSWERS, jpeg, set_clock, wita

URL = "/api/v1/checklists"


def bearer(user) -> dict:
    _token, key = token_create(context=AuditContext(), user=user, name="t")
    return {"Authorization": f"Bearer {key}"}


def body(cw, *, tps=None, template=None, answers=None, key="k-1", **extra) -> dict:
    return {
        "idempotency_key": key,
        "tps": (tps or cw.tps_a1).pk,
        "template": (template or cw.opening).pk,
        "answers": json.dumps(OPENING_ANSWERS if answers is None else answers),
        **extra,
    }


def photo_file(data: bytes, name="c-hasil.jpg"):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_templates_list_the_phases_in_force_with_their_items(cw, client):
    response = client.get(f"{URL}/templates", headers=bearer(cw.monitor_tps))
    assert response.status_code == 200
    body_ = response.json()
    assert [t["phase"] for t in body_] == ["h_minus_1", "opening", "voting", "counting", "after"]
    opening = body_[1]
    assert opening["id"] == cw.opening.pk and opening["version"] == 1
    assert opening["due"].startswith("2024-11-27T07:30:00+08:00")
    assert {"key": "kpps_lengkap", "label": "Anggota KPPS lengkap (7 orang)", "kind": "yes_no",
            "required": True, "help": ""} in opening["items"]  # fmt: skip


def test_a_token_client_submits_without_csrf_and_a_retry_answers_200(cw):
    client = Client(enforce_csrf_checks=True)
    headers = bearer(cw.monitor_tps)
    first = client.post(
        f"{URL}/submissions",
        body(cw, answered_at="2024-11-27T07:06:00+08:00", channel="field"),
        headers=headers,
    )
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["created"] and data["phase"] == "opening" and data["version"] == 1
    assert data["answers"]["kpps_lengkap"] is True and not data["late"]
    assert data["channel"] == "field" and data["answered_at"].startswith("2024-11-26T23:06")
    assert data["tps"]["id"] == cw.tps_a1.pk and data["tps"]["kecamatan_name"] == "Sangatta Utara"
    again = client.post(f"{URL}/submissions", body(cw), headers=headers)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert not again.json()["created"]
    assert ChecklistSubmission.objects.count() == 1


def test_a_session_client_needs_the_csrf_token(cw):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cw.monitor_tps)
    assert client.post(f"{URL}/submissions", body(cw)).status_code == 403
    assert not ChecklistSubmission.objects.exists()


def test_a_counting_checklist_with_its_photo(cw, client):
    response = client.post(
        f"{URL}/submissions",
        {
            **body(cw, template=cw.counting, answers=COUNTING_ANSWERS),
            "photo__foto_c_hasil": photo_file(jpeg()),
        },
        headers=bearer(cw.monitor_tps),
    )
    assert response.status_code == 201, response.content
    (photo,) = response.json()["photos"]
    assert photo["item_key"] == "foto_c_hasil" and photo["content_type"] == "image/jpeg"
    assert photo["url"] == f"/periksa/foto/{photo['id']}/"
    assert ChecklistPhoto.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"answers": "not json"}, 400, "answers"),
        ({"answers": json.dumps({**OPENING_ANSWERS, "cuaca": "cerah"})}, 400, "answers.cuaca"),
        (
            {"answers": json.dumps({**OPENING_ANSWERS, "saksi_hadir": -2})},
            400,
            "answers.saksi_hadir",
        ),  # fmt: skip
        ({"answered_at": "2024-11-27T07:06:00"}, 400, "answered_at"),
        ({"photo__jam_buka": "x"}, 400, None),
        ({"template": 999999}, 400, "template"),
        ({"idempotency_key": "x" * 65}, 400, "idempotency_key"),
    ],
)
def test_refusals_answer_400_with_the_field_and_store_nothing(cw, client, change, status, field):
    data = {**body(cw), **change}
    if "photo__jam_buka" in data:
        data["photo__jam_buka"] = photo_file(jpeg())
        field = "photo__jam_buka"
    response = client.post(f"{URL}/submissions", data, headers=bearer(cw.monitor_tps))
    assert response.status_code == status, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert not ChecklistSubmission.objects.exists()


def test_a_file_not_named_after_a_photo_item_is_refused(cw, client):
    response = client.post(
        f"{URL}/submissions",
        {**body(cw), "lampiran": photo_file(jpeg())},
        headers=bearer(cw.monitor_tps),
    )
    assert response.status_code == 400 and response.json()["field"] == "lampiran"


def test_out_of_scope_is_404_and_a_reader_is_403(cw, client):
    for tps in (cw.tps_a1b, cw.tps_other):
        response = client.post(
            f"{URL}/submissions",
            body(cw, tps=tps, key=f"k-{tps.pk}"),
            headers=bearer(cw.monitor_tps),
        )
        assert response.status_code == 404 and response.json()["field"] == "tps"
        assert cw.w.desa_other.name not in response.content.decode()
    response = client.post(f"{URL}/submissions", body(cw, key="k-l"), headers=bearer(cw.liaison))
    assert response.status_code == 403
    assert not ChecklistSubmission.objects.exists()


def test_status_gives_the_overview_and_the_tps_missing(cw, client):
    headers = bearer(cw.monitor_tps)
    client.post(f"{URL}/submissions", body(cw), headers=headers)
    set_clock(wita(2024, 11, 27, 8, 0))
    response = client.get(f"{URL}/status", headers=bearer(cw.analyst))
    assert response.status_code == 200
    data = response.json()
    opening = next(p for p in data["phases"] if p["phase"] == "opening")
    assert (opening["expected"], opening["submitted"], opening["missing"]) == (8, 1, 7)
    missing = {(p["tps"]["id"], p["phase"]) for p in data["problems"]}
    assert (cw.tps_a1.pk, "opening") not in missing and (cw.tps_a1b.pk, "opening") in missing
    assert all(p["state"] in ("missing", "late") for p in data["problems"])
    narrowed = client.get(
        f"{URL}/status", {"region": "64.08.06", "phase": "opening"}, headers=bearer(cw.analyst)
    ).json()
    assert {p["tps"]["desa_code"][:8] for p in narrowed["problems"]} == {"64.08.06"}
    assert {p["phase"] for p in narrowed["problems"]} == {"opening"}
    assert (
        client.get(f"{URL}/status", {"region": "64.01"}, headers=bearer(cw.analyst)).status_code
        == 404
    )
    mine = client.get(f"{URL}/status", headers=headers).json()
    assert {p["tps"]["id"] for p in mine["problems"]} == {cw.tps_a1.pk}


def test_the_history_of_a_tps_and_404_outside_the_scope(cw, client):
    client.post(f"{URL}/submissions", body(cw), headers=bearer(cw.monitor_tps))
    response = client.get(f"{URL}/tps/{cw.tps_a1.pk}", headers=bearer(cw.analyst))
    assert response.status_code == 200
    phases = {p["phase"]: p for p in response.json()["phases"]}
    assert phases["opening"]["state"] == "submitted"
    assert phases["opening"]["submissions"][0]["answers"]["jam_buka"] == "07:05"
    assert (
        client.get(f"{URL}/tps/{cw.tps_b1.pk}", headers=bearer(cw.analyst_kec)).status_code == 404
    )
    assert client.get(f"{URL}/tps/{cw.tps_other.pk}", headers=bearer(cw.analyst)).status_code == 404
    assert (
        client.get(f"{URL}/tps/{cw.tps_a1b.pk}", headers=bearer(cw.monitor_tps)).status_code == 404
    )
