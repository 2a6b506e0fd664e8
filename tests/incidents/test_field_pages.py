"""The field app at /lapor/lapangan/: who may open it, what it embeds for offline use (the TPS of
the user's scope only, the categories, the active checklists), its manifest and service worker."""

from __future__ import annotations

import json
import re
import sys

import pytest
from django.test import Client

from siaga.accounts.choices import Role
from siaga.incidents.views_field import field_shell

URL = "/lapor/lapangan/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def config_of(response) -> dict:
    match = re.search(
        r'<script id="field-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page embeds its configuration"
    return json.loads(match.group(1))


@pytest.fixture
def field_world(inc):
    return inc


def test_anonymous_visitor_is_sent_to_the_login_page(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/?next=/lapor/lapangan/")


def test_field_monitor_sees_only_the_assigned_tps_preselected(
    field_world, django_assert_max_num_queries
):
    inc = field_world
    client = login(inc.monitor)
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    config = config_of(response)
    assert [t["id"] for t in config["tps"]] == [inc.tps.pk]
    assert config["assignedTps"] == [inc.tps.pk]
    tps = config["tps"][0]
    assert (tps["label"], tps["desa"], tps["desaName"]) == (
        "TPS 001",
        "64.08.04.1001",
        "Singa Gembara",
    )
    assert "politik-uang" in {c["code"] for c in config["categories"]}
    assert config["user"] == {"id": inc.monitor.pk, "username": "inc-mon"}
    assert config["urls"] == {
        "submit": "/api/v1/incidents",
        "list": "/api/v1/incidents?page_size=20&mine=true",
        "checklistSubmit": "/api/v1/checklists/submissions",
    }
    html = response.content.decode()
    assert (
        'rel="manifest"' in html and "incidents/outbox.js" in html and "incidents/field.js" in html
    )
    # The other TPS of the same desa and the other desa are not in the page at all.
    other = inc.world.tps["64.08.04.1001"][1]
    assert other.pk not in {t["id"] for t in config["tps"]}
    assert "Long Bentuq" not in html and "Kasungai" not in html


def test_field_monitor_of_a_desa_without_assigned_tps_gets_the_desa_tps(field_world):
    world = field_world.world
    monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_b2], username="mon-desa")
    config = config_of(login(monitor).get(URL))
    assert sorted(t["id"] for t in config["tps"]) == sorted(
        t.pk for t in world.tps["64.08.06.2002"]
    )
    assert config["assignedTps"] == []


def test_liaison_of_a_kecamatan_sees_its_tps_and_nothing_beyond(field_world):
    world = field_world.world
    liaison = world.user(Role.LIAISON, scope=[world.kec_a], username="liaison-kec")
    response = login(liaison).get(URL)
    assert response.status_code == 200
    config = config_of(response)
    expected = world.tps["64.08.04.1001"] + world.tps["64.08.04.1002"]
    assert sorted(t["id"] for t in config["tps"]) == sorted(t.pk for t in expected)
    html = response.content.decode()
    assert "Long Bentuq" not in html and "Rantau Sentosa" not in html and "Kasungai" not in html


def test_liaison_scoped_outside_the_regency_gets_no_tps(field_world):
    world = field_world.world
    liaison = world.user(Role.LIAISON, scope=[world.other_regency], username="liaison-paser")
    config = config_of(login(liaison).get(URL))
    assert config["tps"] == []
    assert config["assignedTps"] == []


def test_account_without_a_reporting_role_gets_404(field_world):
    world = field_world.world
    user = world.user(Role.LIAISON, username="no-role")
    user.role = "retired"  # a role the permission table does not know: no action at all
    user.save(update_fields=["role"])
    assert login(user).get(URL).status_code == 404


def test_the_page_is_get_only(field_world):
    assert login(field_world.monitor).post(URL, {}).status_code == 405


def test_manifest_makes_the_app_installable_under_its_scope(db):
    response = Client().get("/lapor/lapangan/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == manifest["scope"] == URL
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Siaga — Laporan lapangan"
    assert manifest["icons"][0]["src"].endswith("incidents/icon.svg")


def test_service_worker_keeps_the_app_shell_and_never_caches_posts(db):
    response = Client().get("/lapor/lapangan/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == URL
    body = response.content.decode()
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))
    assert shell == field_shell()
    assert URL in shell
    assert {"/static/incidents/field.js", "/static/incidents/outbox.js"} <= set(shell)
    assert 'request.method !== "GET"' in body


def test_shell_files_exist_as_static_files(db):
    from django.contrib.staticfiles import finders

    for path in field_shell()[1:]:
        assert finders.find(path.removeprefix("/static/")), path


@pytest.fixture
def checklist_template(db):
    from siaga.checklists.models import ChecklistTemplate

    return ChecklistTemplate.objects.create(
        phase="h_minus_1",
        version=1,
        title="Kesiapan TPS H-1",
        items=[
            {"key": "kpps_lengkap", "label": "KPPS lengkap?", "kind": "yes_no", "required": True},
            {"key": "saksi_hadir", "label": "Jumlah saksi", "kind": "number", "required": False},
            {
                "key": "foto_tps",
                "label": "Foto TPS",
                "kind": "photo",
                "required": False,
                "help": "Dari depan",
            },
        ],  # fmt: skip
        due_at="18:00",
    )


def test_active_checklists_are_embedded_with_their_items(field_world, checklist_template):
    from siaga.checklists.models import ChecklistTemplate

    ChecklistTemplate.objects.create(
        phase="opening", version=1, title="Lama", items=[], due_at="08:00", active=False
    )
    response = login(field_world.monitor).get(URL)
    config = config_of(response)
    assert [t["title"] for t in config["checklists"]] == ["Kesiapan TPS H-1"]
    template = config["checklists"][0]
    assert template["id"] == checklist_template.pk
    assert [(i["key"], i["kind"], i["required"]) for i in template["items"]] == [
        ("kpps_lengkap", "yes_no", True),
        ("saksi_hadir", "number", False),
        ("foto_tps", "photo", False),
    ]
    assert template["items"][2]["help"] == "Dari depan"
    assert "Daftar periksa TPS" in response.content.decode()


def test_without_active_checklists_there_is_no_checklist_tab(field_world):
    response = login(field_world.monitor).get(URL)
    assert config_of(response)["checklists"] == []
    assert 'data-tab-button="checklist"' not in response.content.decode()


def test_page_renders_without_the_checklist_app(field_world, monkeypatch):
    # The checklist app is optional for this page: when it cannot be imported, no tab.
    monkeypatch.setitem(sys.modules, "siaga.checklists.models", None)
    response = login(field_world.monitor).get(URL)
    assert response.status_code == 200
    assert config_of(response)["checklists"] is None
    assert 'id="checklist-form"' not in response.content.decode()
