"""The coordination API: meetings and decisions for the secretariat, each agency's queue, 404
for another agency's task, 403 for a move the caller may not make, 400 naming the field."""

from __future__ import annotations

import json

import pytest

from siaga.coordination import services
from siaga.coordination.models import Meeting, MeetingTemplate, Task
from tests.coordination.conftest import SYSTEM, audit_count, wita

API = "/api/v1/coordination"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def meeting(cw):
    return services.meeting_create(
        context=SYSTEM,
        title="Rakor TP3D",
        held_at=wita(2024, 11, 21, 9),
        place="Sangatta",
        region="64.08",
        attendees={cw.kpu.pk: "Ketua", cw.koramil.pk: "Danramil"},
    )


def _task(cw, agency, region="64.08"):
    return services.task_create(
        context=SYSTEM, title=f"Tugas {agency.code}", agency=agency, due_at=wita(2024, 11, 26, 18),
        region=region,
    )  # fmt: skip


def test_the_secretariat_records_a_meeting_from_the_template(client, cw):
    client.force_login(cw.analyst)
    template = MeetingTemplate.objects.get()
    response = _post(
        client,
        f"{API}/meetings",
        {
            "template": template.pk,
            "held_at": "2024-11-21T09:00:00+08:00",
            "place": "Kantor Bupati",
            "region": "64.08",
            "attendees": {str(cw.kpu.pk): "Ketua KPU"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == template.name and len(body["agenda"]) == 5
    assert body["attendance"] == [
        {"agency_id": cw.kpu.pk, "agency_name": cw.kpu.name, "people": "Ketua KPU"}
    ]


def test_readers_may_not_record_meetings(client, cw):
    client.force_login(cw.kpu_liaison)
    body = {"title": "X", "held_at": "2024-11-21T09:00:00+08:00", "place": "x", "region": "64.08"}
    assert _post(client, f"{API}/meetings", body).status_code == 403
    assert Meeting.objects.count() == 0


def test_a_decision_with_tasks_answers_201_and_a_bad_row_400(client, cw, meeting):
    client.force_login(cw.analyst)
    url = f"{API}/meetings/{meeting.pk}/decisions"
    row = {"title": "Distribusi", "agency": cw.kpu.pk, "due_at": "2024-11-26T18:00:00+08:00"}
    bad = _post(client, url, {"text": "Logistik", "tasks": [row, row | {"agency": 999999}]})
    assert bad.status_code == 400 and bad.json()["field"] == "tasks.1.agency"
    ok = _post(client, url, {"text": "Logistik", "tasks": [row]})
    assert ok.status_code == 201
    assert ok.json()["number"] == 1 and ok.json()["tasks"][0]["agency_code"] == "kpu"


def test_the_meeting_detail_hides_what_lies_outside_the_scope(client, cw, meeting):
    _task(cw, cw.kpu)
    client.force_login(cw.analyst_kec)  # Sangatta Utara: Koramil Busang is not its business
    body = client.get(f"{API}/meetings/{meeting.pk}").json()
    assert [a["agency_name"] for a in body["attendance"]] == [cw.kpu.name]
    assert "Busang" not in json.dumps(body)


def test_each_agency_sees_its_own_queue(client, cw):
    kpu, polres = _task(cw, cw.kpu), _task(cw, cw.polres)
    client.force_login(cw.kpu_liaison)
    assert [t["id"] for t in client.get(f"{API}/tasks").json()] == [kpu.pk]
    assert client.get(f"{API}/tasks/{polres.pk}").status_code == 404
    moved = _post(client, f"{API}/tasks/{polres.pk}/status", {"status": "dikerjakan"})
    assert moved.status_code == 404
    client.force_login(cw.analyst)
    assert {t["id"] for t in client.get(f"{API}/tasks").json()} == {kpu.pk, polres.pk}
    filtered = client.get(f"{API}/tasks", {"agency": cw.polres.pk}).json()
    assert [t["id"] for t in filtered] == [polres.pk]


def test_a_liaison_moves_its_task_and_the_timeline_shows_it(client, cw):
    task = _task(cw, cw.kpu)
    client.force_login(cw.kpu_liaison)
    response = _post(client, f"{API}/tasks/{task.pk}/status", {"status": "dikerjakan"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "dikerjakan"
    assert [e["kind"] for e in body["events"]] == ["created", "status"]
    assert body["allowed_statuses"] == ["terhambat", "selesai"]  # never dibatalkan
    refused = _post(client, f"{API}/tasks/{task.pk}/status", {"status": "terhambat"})
    assert refused.status_code == 400 and refused.json()["field"] == "note"
    cancel = _post(client, f"{API}/tasks/{task.pk}/status", {"status": "dibatalkan", "note": "x"})
    assert cancel.status_code == 403


def test_leadership_reads_its_agencys_tasks_but_may_not_move_them(client, cw):
    task = _task(cw, cw.polres)
    client.force_login(cw.kapolres)
    assert client.get(f"{API}/tasks/{task.pk}").json()["may_change_status"] is False
    assert _post(client, f"{API}/tasks/{task.pk}/status", {"status": "selesai"}).status_code == 403


def test_overdue_filter_and_task_creation(client, cw):
    client.force_login(cw.analyst)
    response = _post(
        client,
        f"{API}/tasks",
        {
            "title": "Klarifikasi hoaks",
            "agency": cw.kpu.pk,
            "due_at": "2024-11-24T08:00:00+08:00",
            "about_type": "post",
            "about_id": "123",
            "about_url": "/media/unggahan/123/",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["overdue"] is True  # the clock is 24 Nov 10:00 WITA
    assert [t["title"] for t in client.get(f"{API}/tasks", {"overdue": "true"}).json()] == [
        "Klarifikasi hoaks"
    ]
    assert audit_count("coordination.task.create") == 1
    bad = _post(client, f"{API}/tasks", {"title": "x", "agency": cw.kpu.pk, "due_at": "kemarin"})
    assert bad.status_code == 422 and Task.objects.count() == 1


def test_monitors_get_404_and_strangers_401(client, cw):
    client.force_login(cw.monitor)
    assert client.get(f"{API}/tasks").status_code == 404
    assert client.get(f"{API}/meetings").status_code == 404
    client.logout()
    assert client.get(f"{API}/tasks").status_code == 401
