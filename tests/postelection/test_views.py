"""The post-vote pages: the overview for readers, the editors for EDIT_WATCH, 404 outside the
scope, and the readiness tick."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from siaga.postelection import selectors, services
from siaga.postelection.models import Gathering, ReadinessItem, WatchPoint
from tests.postelection.conftest import SYSTEM, VOTING_DAY, audit_count, wita

OVERVIEW = reverse("postelection:overview")


@pytest.fixture
def seeded(pw):
    services.calendar_seed(context=SYSTEM, voting_day=VOTING_DAY, regency="64.08")
    services.readiness_seed(context=SYSTEM)
    return pw


def test_the_overview_shows_the_calendar_and_readiness_in_the_scope(
    client, seeded, django_assert_max_num_queries
):
    client.force_login(seeded.analyst_kec)
    with django_assert_max_num_queries(20):
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rekapitulasi PPK Kecamatan Sangatta Utara" in body
    assert "Busang" not in body and "Koramil" not in body
    assert set(re.findall(r'data-agency="([\w-]+)"', body)) == {"kesbangpol", "polres", "kpu"}


def test_readers_see_no_editors_and_monitors_no_page(client, seeded):
    client.force_login(seeded.leadership)
    body = client.get(OVERVIEW).content.decode()
    assert reverse("postelection:gathering-create") not in body
    assert client.get(reverse("postelection:gathering-create")).status_code == 404
    client.force_login(seeded.monitor)
    assert client.get(OVERVIEW).status_code == 404


def test_anonymous_users_are_sent_to_login(client, pw):
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_posting_the_form_records_a_gathering(client, pw):
    client.force_login(pw.analyst)
    url = reverse("postelection:gathering-create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Aksi damai di kantor KPU",
            "place": "Kantor KPU Kutai Timur",
            "region": "64.08.04",
            "planned_at": "2024-12-04T09:00",
            "expected_size": "300",
            "organiser": "Aliansi pemuda",
            "permit": "diajukan",
            "status": "rencana",
            "lat": "",
            "lon": "",
            "note": "",
        },
    )
    assert response.status_code == 302 and response.url == OVERVIEW
    gathering = Gathering.objects.get()
    assert gathering.planned_at == wita(2024, 12, 4, 9)  # the form's time is local (WITA)
    assert audit_count("postelection.gathering.create") == 1


def test_a_refused_form_shows_the_services_message_on_the_field(client, pw):
    client.force_login(pw.analyst)
    response = client.post(
        reverse("postelection:watchpoint-create"),
        {
            "kind": "rekap_ppk",
            "title": "Rekap",
            "region": "64.08",
            "starts_at": "2024-11-28T08:00",
            "ends_at": "2024-11-29T22:00",
        },
    )
    assert response.status_code == 200
    assert "harus di tingkat kecamatan" in response.content.decode()
    assert WatchPoint.objects.count() == 0


def test_editing_outside_the_scope_is_404_and_inside_it_saves(client, seeded):
    busang = WatchPoint.objects.get(region_id="64.08.06")
    mine = WatchPoint.objects.get(region_id="64.08.04")
    client.force_login(seeded.analyst_kec)
    assert client.get(reverse("postelection:watchpoint-edit", args=[busang.pk])).status_code == 404
    url = reverse("postelection:watchpoint-edit", args=[mine.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="2024-11-28T08:00"' in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "rekap_ppk",
            "title": mine.title,
            "place": "Gedung Serbaguna Sangatta Utara",
            "region": "64.08.04",
            "starts_at": "2024-11-28T08:00",
            "ends_at": "2024-12-02T22:00",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert WatchPoint.objects.get(pk=mine.pk).place == "Gedung Serbaguna Sangatta Utara"


def test_the_tick_is_for_the_agency_itself(client, seeded):
    own = ReadinessItem.objects.filter(agency=seeded.polres).first()
    other = ReadinessItem.objects.filter(agency=seeded.kpu).first()
    client.force_login(seeded.liaison_polres)
    url = reverse("postelection:readiness-tick", args=[own.pk])
    response = client.post(url, {"done": "1"})
    assert response.status_code == 302
    assert ReadinessItem.objects.get(pk=own.pk).done
    tick_other = reverse("postelection:readiness-tick", args=[other.pk])
    assert client.post(tick_other, {"done": "1"}).status_code == 403
    assert not ReadinessItem.objects.get(pk=other.pk).done


def test_seeding_from_the_page_needs_the_regency(client, pw):
    client.force_login(pw.analyst_kec)
    assert client.post(reverse("postelection:seed")).status_code == 404
    client.force_login(pw.analyst)
    assert client.post(reverse("postelection:seed")).status_code == 302
    assert WatchPoint.objects.count() == 5 and ReadinessItem.objects.count() > 0


def test_the_panel_template_renders_the_panel(seeded):
    panel = selectors.dashboard_panel(seeded.analyst, wita(2024, 11, 28, 10))
    html = render_to_string("postelection/_panel.html", {"postelection_panel": panel})
    assert 'data-post-vote="1"' in html
    assert 'data-readiness="0/15"' in html
    assert "Rekapitulasi PPK Kecamatan Sangatta Utara" in html
    assert render_to_string("postelection/_panel.html", {}).strip() == ""
