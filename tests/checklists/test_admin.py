"""The checklist admin: a template already answered is saved as a new version, never changed in
place; a bad item list is refused naming the item; every change is audited."""

from __future__ import annotations

import json

import pytest

from siaga.checklists.models import ChecklistSubmission, ChecklistTemplate
from siaga.checklists.services import checklist_submit
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from tests.checklists.conftest import OPENING_ANSWERS


@pytest.fixture
def admin_client(cw, client):
    cw.admin.is_staff = True
    cw.admin.save()
    client.force_login(cw.admin)
    return client


def _post(template: ChecklistTemplate, **changes) -> dict:
    data = {
        "title": template.title,
        "items": json.dumps(template.items),
        "day_offset": template.day_offset,
        "opens_at": template.opens_at.strftime("%H:%M"),
        "due_at": template.due_at.strftime("%H:%M"),
        "active": "on" if template.active else "",
    }
    data.update(changes)
    if not data["active"]:
        del data["active"]
    return data


def _url(template) -> str:
    return f"/admin/checklists/checklisttemplate/{template.pk}/change/"


def _answer(cw) -> ChecklistSubmission:
    submission, _created = checklist_submit(
        context=AuditContext(actor=cw.monitor_tps),
        user=cw.monitor_tps,
        tps_id=cw.tps_a1.pk,
        template_id=cw.opening.pk,
        answers=OPENING_ANSWERS,
        idempotency_key="k-admin",
    )
    return submission


def test_the_administrator_reaches_the_checklist_pages(admin_client, cw):
    submission = _answer(cw)
    for url in (
        "/admin/checklists/",
        "/admin/checklists/checklisttemplate/",
        _url(cw.opening),
        "/admin/checklists/checklisttemplate/add/",
        "/admin/checklists/checklistsubmission/",
        f"/admin/checklists/checklistsubmission/{submission.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_a_liaison_does_not_reach_the_admin(cw, client):
    client.force_login(cw.liaison)
    assert client.get("/admin/checklists/checklisttemplate/").status_code == 302


def test_a_template_without_submissions_is_edited_in_place(admin_client, cw):
    response = admin_client.post(_url(cw.opening), _post(cw.opening, title="Pembukaan TPS (2)"))
    assert response.status_code == 302, response.content
    cw.opening.refresh_from_db()
    assert cw.opening.title == "Pembukaan TPS (2)" and cw.opening.version == 1
    assert ChecklistTemplate.objects.filter(phase="opening").count() == 1
    event = AuditEvent.objects.get(action="checklisttemplate.update")
    assert event.before["title"] == "Pembukaan TPS" and event.after["title"] == "Pembukaan TPS (2)"


def test_changing_an_answered_template_makes_version_2_and_keeps_version_1(admin_client, cw):
    submission = _answer(cw)
    old_items = list(cw.opening.items)
    items = [*old_items, {"key": "cuaca", "label": "Cuaca", "kind": "text", "required": False}]
    response = admin_client.post(
        _url(cw.opening), _post(cw.opening, items=json.dumps(items), due_at="08:00")
    )
    assert response.status_code == 302, response.content
    v1 = ChecklistTemplate.objects.get(pk=cw.opening.pk)
    v2 = ChecklistTemplate.objects.get(phase="opening", version=2)
    assert v1.items == old_items and v1.due_at.hour == 7 and not v1.active
    assert v2.items == items and v2.due_at.hour == 8 and v2.active
    submission.refresh_from_db()
    assert submission.template_id == v1.pk
    created = AuditEvent.objects.get(action="checklisttemplate.create")
    assert created.object_id == str(v2.pk) and created.before is None
    deactivated = AuditEvent.objects.get(action="checklists.template.deactivate")
    assert deactivated.object_id == str(v1.pk)
    assert deactivated.before["active"] and not deactivated.after["active"]
    assert not AuditEvent.objects.filter(action="checklisttemplate.update").exists()
    assert audit_verify().ok
    # Saving v2 again without submissions edits it in place.
    admin_client.post(_url(v2), _post(v2, title="Pembukaan TPS v2"))
    assert ChecklistTemplate.objects.filter(phase="opening").count() == 2
    assert ChecklistTemplate.objects.get(pk=v2.pk).title == "Pembukaan TPS v2"


def test_only_deactivating_an_answered_template_changes_it_in_place(admin_client, cw):
    _answer(cw)
    admin_client.post(_url(cw.opening), _post(cw.opening, active=""))
    assert ChecklistTemplate.objects.filter(phase="opening").count() == 1
    assert not ChecklistTemplate.objects.get(pk=cw.opening.pk).active


def test_a_new_template_for_a_phase_takes_the_next_version_and_replaces_the_active_one(
    admin_client, cw
):
    data = {**_post(cw.opening, title="Pembukaan TPS baru"), "phase": "opening"}
    response = admin_client.post("/admin/checklists/checklisttemplate/add/", data)
    assert response.status_code == 302, response.content
    new = ChecklistTemplate.objects.get(title="Pembukaan TPS baru")
    assert new.version == 2 and new.active
    assert not ChecklistTemplate.objects.get(pk=cw.opening.pk).active


@pytest.mark.parametrize(
    ("items", "words"),
    [
        ('{"key": "x"}', "daftar JSON"),
        ('["x"]', "Butir ke-1: harus berupa objek JSON"),
        (
            '[{"key": "a", "label": "A", "kind": "yes_no"}, {"key": "b", "label": "B", '
            '"kind": "essay"}]',
            "Butir ke-2 (b): jenis essay tidak dikenal",
        ),
        (
            '[{"key": "a", "label": "A", "kind": "yes_no"}, {"key": "a", "label": "B", '
            '"kind": "text"}]',
            "Butir ke-2 (a): kunci a dipakai dua kali",
        ),
        ('[{"key": "Bad Key", "label": "A", "kind": "yes_no"}]', "Butir ke-1 (Bad Key): kunci"),
        ('[{"key": "a", "label": "", "kind": "yes_no"}]', "Butir ke-1 (a): label wajib"),
        ('[{"key": "a", "label": "A", "kind": "yes_no", "required": "ya"}]', "required harus"),
    ],
)
def test_a_bad_item_list_is_refused_naming_the_item(admin_client, cw, items, words):
    response = admin_client.post(_url(cw.opening), _post(cw.opening, items=items))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert ChecklistTemplate.objects.get(pk=cw.opening.pk).items == cw.opening.items
    assert not AuditEvent.objects.filter(action__startswith="checklisttemplate.").exists()


def test_a_due_time_before_the_opening_is_refused(admin_client, cw):
    response = admin_client.post(_url(cw.opening), _post(cw.opening, due_at="05:00"))
    assert response.status_code == 200
    assert "Tenggat harus sesudah jam dibuka" in response.content.decode()
