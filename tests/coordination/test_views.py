"""The coordination pages: meetings and the queue for readers, the forms for the secretariat,
an agency's own queue, 404 for another agency's task, 403 for a move the user may not make."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from siaga.coordination import services
from siaga.coordination.models import Decision, Meeting, MeetingTemplate, Task
from tests.coordination.conftest import SYSTEM, audit_count, wita


@pytest.fixture
def meeting(cw):
    return services.meeting_create(
        context=SYSTEM,
        title="Rakor TP3D",
        held_at=wita(2024, 11, 21, 9),
        place="Sangatta",
        region="64.08",
        attendees={cw.kpu.pk: "Ketua KPU"},
    )


def _task(cw, agency):
    return services.task_create(
        context=SYSTEM, title=f"Tugas {agency.code}", agency=agency, due_at=wita(2024, 11, 26, 18)
    )


def _ids(attr: str, response) -> set[int]:
    return {int(pk) for pk in re.findall(rf'{attr}="(\d+)"', response.content.decode())}


def test_the_secretariat_records_a_meeting_from_the_template(client, cw):
    client.force_login(cw.analyst)
    url = reverse("coordination:meeting-create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "template": str(MeetingTemplate.objects.get().pk),
            "title": "",
            "held_at": "2024-11-21T09:00",
            "place": "Kantor Bupati",
            "region": "64.08",
            "chair": "Pjs Bupati",
            "attendees": [str(cw.kpu.pk), str(cw.polres.pk)],
            "agenda": "",
            "notes": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("coordination:meeting", args=[meeting.pk])
    assert meeting.held_at == wita(2024, 11, 21, 9) and len(meeting.agenda) == 5
    assert meeting.attendance.count() == 2


def test_a_decision_with_task_rows_creates_the_tasks(client, cw, meeting):
    client.force_login(cw.analyst)
    url = reverse("coordination:decision-add", args=[meeting.pk])
    row = {"t0-title": "Distribusi", "t0-agency": str(cw.kpu.pk), "t0-due_at": "2024-11-26T18:00"}
    empty = {"t1-priority": "sedang", "t2-priority": "sedang"}
    response = client.post(url, {"text": "Logistik H-1", "t0-priority": "tinggi"} | row | empty)
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.decision.number, task.priority, task.agency) == (1, "tinggi", cw.kpu)
    page = client.get(reverse("coordination:meeting", args=[meeting.pk]))
    assert _ids("data-task", page) == {task.pk}


def test_a_refused_task_row_shows_the_error_and_records_nothing(client, cw, meeting):
    client.force_login(cw.analyst)
    url = reverse("coordination:decision-add", args=[meeting.pk])
    response = client.post(
        url,
        {"text": "Logistik", "t0-title": "", "t0-agency": str(cw.kpu.pk), "t0-priority": "sedang"}
        | {"t0-due_at": "2024-11-26T18:00", "t1-priority": "sedang", "t2-priority": "sedang"},
    )
    assert response.status_code == 400
    assert "Judul wajib diisi." in response.content.decode()
    assert Decision.objects.count() == 0


def test_readers_see_meetings_but_no_forms(client, cw, meeting):
    client.force_login(cw.kpu_liaison)
    page = client.get(reverse("coordination:meetings"))
    assert _ids("data-meeting", page) == {meeting.pk}
    assert reverse("coordination:meeting-create") not in page.content.decode()
    assert client.get(reverse("coordination:meeting-create")).status_code == 404
    detail = client.get(reverse("coordination:meeting", args=[meeting.pk]))
    assert 'data-form="decision"' not in detail.content.decode()
    url = reverse("coordination:decision-add", args=[meeting.pk])
    assert client.post(url, {"text": "x"}).status_code == 404


def test_the_queue_is_the_agencys_own(client, cw, django_assert_max_num_queries):
    kpu, polres = _task(cw, cw.kpu), _task(cw, cw.polres)
    client.force_login(cw.polres_liaison)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("coordination:tasks"))
    assert _ids("data-task", page) == {polres.pk}
    assert "Tindak lanjut Polres Kutai Timur" in page.content.decode()
    assert client.get(reverse("coordination:task", args=[kpu.pk])).status_code == 404
    client.force_login(cw.analyst)
    assert _ids("data-task", client.get(reverse("coordination:tasks"))) == {kpu.pk, polres.pk}
    filtered = client.get(reverse("coordination:tasks"), {"agency": cw.kpu.pk})
    assert _ids("data-task", filtered) == {kpu.pk}


def test_the_overdue_filter(client, cw):
    late = services.task_create(
        context=SYSTEM, title="Terlambat", agency=cw.kpu, due_at=wita(2024, 11, 23, 9)
    )
    _task(cw, cw.kpu)
    client.force_login(cw.analyst)
    page = client.get(reverse("coordination:tasks"), {"overdue": "on"})
    assert _ids("data-task", page) == {late.pk}


def test_a_liaison_changes_the_status_with_a_reason(client, cw):
    task = _task(cw, cw.kpu)
    client.force_login(cw.kpu_liaison)
    url = reverse("coordination:task-status", args=[task.pk])
    refused = client.post(url, {"status": "terhambat", "note": ""})
    assert refused.status_code == 400 and "alasan" in refused.content.decode()
    ok = client.post(url, {"status": "terhambat", "note": "Jalan ke Busang putus"})
    assert ok.status_code == 302
    page = client.get(reverse("coordination:task", args=[task.pk])).content.decode()
    assert "Jalan ke Busang putus" in page and 'data-event="status"' in page
    assert audit_count("coordination.task.status") == 1


def test_leadership_may_not_change_nor_assign(client, cw):
    task = _task(cw, cw.polres)
    client.force_login(cw.kapolres)
    page = client.get(reverse("coordination:task", args=[task.pk])).content.decode()
    assert 'data-form="status"' not in page and 'data-form="assign"' not in page
    url = reverse("coordination:task-status", args=[task.pk])
    assert client.post(url, {"status": "selesai"}).status_code == 403
    url = reverse("coordination:task-assign", args=[task.pk])
    assert client.post(url, {"assignee": str(cw.kapolres.pk)}).status_code == 403


def test_the_secretariat_assigns_a_person_of_the_agency(client, cw):
    task = _task(cw, cw.polres)
    client.force_login(cw.analyst)
    url = reverse("coordination:task-assign", args=[task.pk])
    assert client.post(url, {"assignee": str(cw.polres_liaison_kec.pk)}).status_code == 302
    assert Task.objects.get(pk=task.pk).assignee == cw.polres_liaison_kec


def test_a_task_form_prefilled_from_another_module(client, cw):
    client.force_login(cw.analyst)
    url = reverse("coordination:task-create")
    page = client.get(url, {"about_type": "incident", "about_id": "LK-1", "title": "Tindak"})
    assert page.status_code == 200 and 'value="LK-1"' in page.content.decode()
    response = client.post(
        url,
        {
            "title": "Tindak lanjuti intimidasi",
            "agency": str(cw.polres.pk),
            "due_at": "2024-11-25T12:00",
            "priority": "mendesak",
            "region": "64.08.04",
            "about_type": "incident",
            "about_id": "LK-1",
            "about_label": "",
            "about_url": "/insiden/LK-1/",
            "description": "",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and task.region_id == "64.08.04"


def test_monitors_get_404_and_anonymous_users_login(client, cw):
    client.force_login(cw.monitor)
    assert client.get(reverse("coordination:tasks")).status_code == 404
    assert client.get(reverse("coordination:meetings")).status_code == 404
    client.logout()
    response = client.get(reverse("coordination:tasks"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
