"""The situation room, the region drill-down and the TPS page: content, scope and cost."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.models import Deployment
from siaga.wilayah.choices import SpecialLocation


def totals_row(html: str) -> dict[str, int]:
    row = re.search(r"<tr data-total>(.*?)</tr>", html, re.S).group(1)
    values = [int(v) for v in re.findall(r'data-value="(\d+)"', row)]
    return dict(zip(["tps", "male", "female", "dpt"], values, strict=True))


def kecamatan_rows(html: str) -> dict[str, list[int]]:
    rows = re.findall(r'<tr data-code="([\d.]+)">(.*?)</tr>', html, re.S)
    return {code: [int(v) for v in re.findall(r'data-value="(\d+)"', body)] for code, body in rows}


# --- The situation room -----------------------------------------------------------------


def test_situation_room_requires_login(client, world, deployment):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


def test_situation_room_shows_the_map_the_banner_and_counts_per_kecamatan(
    analyst_client, django_assert_max_num_queries
):
    # A fixed budget whatever the number of TPS: session and user, deployment, the map and the
    # kecamatan panel, unread notifications, the TPS checklist counts (four queries), the
    # social-media numbers (two), the TPS vulnerability numbers (two) and the watch after the
    # vote (six: voting day, watch points, gatherings, re-votes, readiness items and agencies).
    with django_assert_max_num_queries(24):
        response = analyst_client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-siaga-map="siaga-map-config"' in html
    assert "vendor/leaflet/leaflet.js" in html and "vendor/markercluster/" in html
    assert "Kabupaten Kutai Timur" in html
    assert "H-3" in html and "Masa tenang dan distribusi logistik" in html and "WITA" in html
    assert kecamatan_rows(html) == {
        "64.08.04": [4, 800, 720, 1520],
        "64.08.06": [4, 800, 720, 1520],
    }
    assert totals_row(html) == {"tps": 8, "male": 1600, "female": 1440, "dpt": 3040}
    assert 'href="/wilayah/64.08.04/"' in html
    assert "Batu Sopang" not in html  # another regency
    assert 'action="/akun/keluar/" method="post"' in html
    assert 'action="/i18n/setlang/" method="post"' in html
    assert "Analis sekretariat" in html


def test_side_panel_counts_follow_a_kecamatan_scope(client, world, deployment):
    client.force_login(world.user(Role.LIAISON, scope=[world.kec_a]))

    html = client.get("/").content.decode()

    assert kecamatan_rows(html) == {"64.08.04": [4, 800, 720, 1520]}
    assert totals_row(html)["dpt"] == 1520
    assert "Busang" not in html


def test_side_panel_counts_follow_a_desa_scope(client, world, deployment):
    client.force_login(world.user(Role.LEADERSHIP, scope=[world.desa_b1]))

    html = client.get("/").content.decode()

    assert kecamatan_rows(html) == {"64.08.06": [2, 400, 360, 760]}
    assert totals_row(html) == {"tps": 2, "male": 400, "female": 360, "dpt": 760}


def test_a_user_without_any_scope_sees_an_explanation_not_an_error(client, world, deployment):
    client.force_login(world.user(Role.LIAISON, scope=[], username="kosong"))

    response = client.get("/")

    assert response.status_code == 200
    assert "Belum ada wilayah untuk ditampilkan" in response.content.decode()


def test_banner_partial_for_htmx_polling(analyst_client):
    response = analyst_client.get("/banner/")

    assert response.status_code == 200
    assert b'id="phase-banner"' in response.content and b"H-3" in response.content


def test_banner_polling_stops_once_the_session_has_expired(client, deployment):
    response = client.get("/banner/")

    assert response.status_code == 286  # htmx: stop polling
    assert response.content == b""


# --- Field monitors -----------------------------------------------------------------------


@pytest.fixture
def monitor_client(client, world, deployment):
    monitor = world.user(
        Role.FIELD_MONITOR, scope=[world.desa_a1], tps=world.tps[world.desa_a1.code][:1]
    )
    client.force_login(monitor)
    return client


def test_field_monitor_gets_their_tps_list_instead_of_the_situation_room(monitor_client, world):
    mine, other = world.tps[world.desa_a1.code]

    html = monitor_client.get("/").content.decode()

    assert "TPS tugas saya" in html
    assert f'href="/wilayah/tps/{mine.pk}/"' in html
    assert f'href="/wilayah/tps/{other.pk}/"' not in html
    assert "data-siaga-map" not in html and "data-counts" not in html


def test_field_monitor_may_open_their_own_tps_page_only(monitor_client, world):
    mine, other = world.tps[world.desa_a1.code]

    assert monitor_client.get(f"/wilayah/tps/{mine.pk}/").status_code == 200
    assert monitor_client.get(f"/wilayah/tps/{other.pk}/").status_code == 404


@pytest.mark.parametrize("attr", ["regency", "kec_a", "desa_a1"])
def test_field_monitor_gets_404_on_region_pages(monitor_client, world, attr):
    assert monitor_client.get(f"/wilayah/{getattr(world, attr).code}/").status_code == 404


# --- Region drill-down --------------------------------------------------------------------


def test_kecamatan_page_has_breadcrumbs_map_and_desa_counts(
    analyst_client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = analyst_client.get(f"/wilayah/{world.kec_a.code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/wilayah/64.08/"' in html  # breadcrumb to the regency
    assert '"region": "64.08.04"' in html  # the map asks for this region
    assert kecamatan_rows(html) == {
        "64.08.04.1001": [2, 400, 360, 760],
        "64.08.04.1002": [2, 400, 360, 760],
    }
    assert totals_row(html)["dpt"] == 1520


def test_desa_page_lists_its_tps_linking_to_their_pages(
    analyst_client, world, django_assert_max_num_queries
):
    special = world.tps[world.desa_b1.code][1]
    special.special_location = SpecialLocation.RUMAH_SAKIT
    special.save()

    with django_assert_max_num_queries(10):
        response = analyst_client.get(f"/wilayah/{world.desa_b1.code}/")

    html = response.content.decode()
    assert response.status_code == 200
    for tps in world.tps[world.desa_b1.code]:
        assert f'href="/wilayah/tps/{tps.pk}/"' in html
    assert "Rumah sakit / puskesmas" in html
    assert 'href="/wilayah/64.08.06/"' in html


def test_kecamatan_user_sees_breadcrumbs_but_not_the_neighbour(client, world, deployment):
    client.force_login(world.user(Role.LIAISON, scope=[world.kec_a]))

    assert client.get(f"/wilayah/{world.kec_a.code}/").status_code == 200
    assert client.get(f"/wilayah/{world.desa_a2.code}/").status_code == 200
    assert client.get(f"/wilayah/{world.kec_b.code}/").status_code == 404
    assert client.get(f"/wilayah/{world.desa_b1.code}/").status_code == 404
    regency = client.get("/wilayah/64.08/").content.decode()  # on the way down: allowed
    assert "Sangatta Utara" in regency and "Busang" not in regency


@pytest.mark.parametrize("code", ["64.01", "64.01.01", "64.01.01.2001", "64.08.99", "x"])
def test_regions_outside_the_scope_or_unknown_are_404(analyst_client, code):
    response = analyst_client.get(f"/wilayah/{code}/")

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


# --- TPS page -------------------------------------------------------------------------------


def test_tps_page_shows_everything_known_about_the_tps(
    analyst_client, world, django_assert_max_num_queries
):
    tps = world.tps[world.desa_a1.code][1]
    tps.address = "Jl. Yos Sudarso II"
    tps.lat, tps.lon = 0.512345, 117.523456
    tps.dpt_male, tps.dpt_female = 251, 249
    tps.special_location = SpecialLocation.LAPAS
    tps.save()

    with django_assert_max_num_queries(10):
        response = analyst_client.get(f"/wilayah/tps/{tps.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "TPS 002" in html and "Singa Gembara" in html and "Sangatta Utara" in html
    assert "Jl. Yos Sudarso II" in html
    assert "0.512345, 117.523456" in html
    assert 'data-value="251"' in html and 'data-value="249"' in html
    assert 'data-value="500" data-total-dpt' in html
    assert "Lapas / rutan" in html and "TPS lokasi khusus" in html
    assert '"point": {"lat": 0.512345' in html  # the small map
    assert 'href="/wilayah/64.08.04.1001/"' in html


def test_tps_of_another_regency_is_404(analyst_client, world):
    other = world.tps[world.desa_other.code][0]

    assert analyst_client.get(f"/wilayah/tps/{other.pk}/").status_code == 404
    assert analyst_client.get("/wilayah/tps/999999/").status_code == 404


# --- Language ---------------------------------------------------------------------------------


def test_indonesian_by_default_english_after_the_switch(analyst_client):
    html = analyst_client.get("/").content.decode()
    assert '<html lang="id">' in html
    assert "Masa tenang dan distribusi logistik" in html
    assert "3 hari menuju pemungutan suara" in html
    assert "Ruang situasi" in html

    response = analyst_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    html = analyst_client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Quiet period and logistics distribution" in html
    assert "3 days to voting day" in html
    assert "Situation room" in html
    assert "Masa tenang" not in html
    assert "Secretariat analyst" in html

    analyst_client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Masa tenang dan distribusi logistik" in analyst_client.get("/").content.decode()


# --- Login, lockout, logout ------------------------------------------------------------------


def test_login_page_is_in_indonesian_and_logs_in(client, world, deployment):
    user = world.user(Role.ANALYST, username="analis")
    user.set_password("rahasia-panjang-1")
    user.save()

    page = client.get("/akun/masuk/").content.decode()
    assert "Masuk ke Siaga" in page and "Kata sandi" in page

    response = client.post("/akun/masuk/", {"username": "analis", "password": "rahasia-panjang-1"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_password_shows_an_error_in_indonesian(client, world, deployment):
    world.user(Role.ANALYST, username="analis")

    response = client.post("/akun/masuk/", {"username": "analis", "password": "salah-sekali"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_too_many_failures_show_the_lockout_page_in_indonesian(client, world, deployment):
    world.user(Role.ANALYST, username="analis")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/akun/masuk/", {"username": "analis", "password": "salah-sekali"})

    html = response.content.decode()
    assert response.status_code == 429
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"Coba lagi dalam {minutes} menit" in html


def test_logout_is_a_post_and_ends_the_session(analyst_client):
    response = analyst_client.post("/akun/keluar/")

    assert response.status_code == 302
    assert analyst_client.get("/").status_code == 302


def test_the_banner_stops_polling_quietly_when_no_election_is_configured(client, world):
    from siaga.accounts.choices import Role

    client.force_login(world.user(Role.ANALYST))
    response = client.get("/banner/")
    assert response.status_code == 286
    assert response.content == b""


def _panel_order(html: str) -> list[str]:
    marks = {"watch": "data-postelection-panel", "incidents": "data-incident-feed",
             "risk": "data-risk-overview"}  # fmt: skip
    found = {name: html.find(mark) for name, mark in marks.items()}
    assert all(position >= 0 for position in found.values()), found
    return sorted(found, key=found.get)


def test_after_voting_day_the_watch_leads_the_situation_room(analyst_client, deployment):
    """Before the vote the watch after it closes the panel; from the day after, it leads."""
    before = analyst_client.get("/").content.decode()
    assert 'data-post-vote="0"' in before
    assert _panel_order(before)[-1] == "watch"

    after = dt.datetime(2024, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))  # H+1: PPK recap
    Deployment.objects.update(clock_offset_seconds=clock.offset_for(after))
    clock.clear_cache()
    html = analyst_client.get("/").content.decode()
    assert 'data-post-vote="1"' in html and "pv-emphasis" in html
    assert _panel_order(html)[0] == "watch"
