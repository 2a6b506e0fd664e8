"""Checklist pages: the list of missing/late with its panel, one TPS's history, its photos."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from siaga.checklists.models import ChecklistPhoto
from siaga.checklists.selectors import checklist_overview
from siaga.checklists.services import checklist_submit
from siaga.core.audit import AuditContext
from tests.checklists.conftest import COUNTING_ANSWERS, OPENING_ANSWERS, jpeg, set_clock, wita


@pytest.fixture
def answered(cw):
    for key, template, answers, photos in (
        ("o", cw.opening, OPENING_ANSWERS, {}),
        ("c", cw.counting, COUNTING_ANSWERS, {"foto_c_hasil": (jpeg(), "c.jpg")}),
    ):
        checklist_submit(
            context=AuditContext(actor=cw.monitor_tps),
            user=cw.monitor_tps,
            tps_id=cw.tps_a1.pk,
            template_id=template.pk,
            answers=answers,
            idempotency_key=key,
            photos=photos,
        )
    set_clock(wita(2024, 11, 27, 8, 0))
    return cw


def test_the_page_lists_the_tps_missing_with_the_panel(answered, client):
    client.force_login(answered.analyst)
    response = client.get("/periksa/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-checklist-overview" in html and 'data-phase="opening"' in html
    assert f'data-tps="{answered.tps_a1b.pk}" data-phase="opening" data-state="missing"' in html
    assert f'data-tps="{answered.tps_a1.pk}" data-phase="opening"' not in html
    assert response.context["page"].paginator.count == 8 + 7  # H-1 for all, opening for 7
    assert "Paser" not in html and "Kasungai" not in html


def test_the_page_filters_by_phase_kecamatan_and_state(answered, client):
    client.force_login(answered.analyst)
    response = client.get("/periksa/", {"phase": "opening", "kecamatan": "64.08.06"})
    rows = list(response.context["page"])
    assert len(rows) == 4 and {r.tps.kecamatan_code for r in rows} == {"64.08.06"}
    assert client.get("/periksa/", {"state": "late"}).context["page"].paginator.count == 0


def test_a_field_monitor_sees_only_its_tps(answered, client):
    client.force_login(answered.monitor_tps)
    response = client.get("/periksa/")
    assert {r.tps.id for r in response.context["page"]} == {answered.tps_a1.pk}


def test_the_history_page_shows_answers_and_photo(answered, client):
    client.force_login(answered.analyst)
    response = client.get(f"/periksa/tps/{answered.tps_a1.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anggota KPPS lengkap (7 orang)" in html and "07:05" in html
    photo = ChecklistPhoto.objects.get()
    assert f"/periksa/foto/{photo.pk}/" in html
    assert "/media/" not in html


def test_pages_outside_the_scope_are_404(answered, client):
    client.force_login(answered.analyst_kec)
    assert client.get(f"/periksa/tps/{answered.tps_b1.pk}/").status_code == 404
    assert client.get(f"/periksa/tps/{answered.tps_other.pk}/").status_code == 404
    client.force_login(answered.monitor_tps)
    assert client.get(f"/periksa/tps/{answered.tps_a1b.pk}/").status_code == 404


def test_a_photo_is_served_to_who_may_see_its_tps_only(answered, client):
    photo = ChecklistPhoto.objects.get()
    client.force_login(answered.analyst_kec)
    response = client.get(f"/periksa/foto/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(answered.monitor_desa)  # Long Bentuq: not this TPS
    assert client.get(f"/periksa/foto/{photo.pk}/").status_code == 404
    assert client.get("/periksa/foto/999999/").status_code == 404
    client.logout()
    assert client.get(f"/periksa/foto/{photo.pk}/").status_code == 302


def test_the_panel_partial_renders_the_counts_with_links(answered, rf):
    request = rf.get("/")
    html = render_to_string(
        "checklists/_overview_panel.html",
        {"checklist_overview": checklist_overview(user=answered.analyst)},
        request=request,
    )
    assert 'data-phase="h_minus_1"' in html and 'data-missing="8"' in html
    assert "/periksa/?phase=opening&amp;state=missing" in html
    assert render_to_string("checklists/_overview_panel.html", {"checklist_overview": []})
