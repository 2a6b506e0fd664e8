"""End to end, in headless Chromium: the analyst's review summary (/pemilih/ganda/rekap/) draws
one circle per TPS with double registrations — red where confirmed, amber where only suspected —
with a legend and a popup of counts, from the project's own Leaflet, without any tile server
(every request off the live server is refused); with no pairs it says so in words instead.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import fresh_connection
from tests.e2e.test_situation_room import only_the_live_server

pytestmark = pytest.mark.e2e

PASSWORD = "rahasia-peta-ganda-2024"


def _world(with_pairs: bool):
    from siaga.core.audit import AuditContext
    from siaga.voters import linkage
    from tests.voters.review_world import RollWorld

    world = RollWorld()
    if with_pairs:
        siti = world.pair(world.siti, world.siti_copy, klass="K1", probability=0.99)
        world.pair(world.rudi, world.rudi_copy, klass="K3", probability=0.93)
        world.pair(world.ahmad, world.rizal, klass="K2", probability=1.0)
        linkage.pair_confirm(pair=siti, context=AuditContext.cli(world.analyst), user=world.analyst)
    world.analyst.set_password(PASSWORD)
    world.analyst.save()
    return world


@pytest.fixture
def roll(transactional_db):
    return _world(with_pairs=True)


@pytest.fixture
def empty_roll(transactional_db):
    return _world(with_pairs=False)


def _open_summary(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    blocked: list[str] = []
    only_the_live_server(page, base, blocked)
    page.goto(f"{base}/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_load_state()
    page.goto(f"{base}/pemilih/ganda/rekap/")
    return context, page, blocked


def test_analyst_sees_red_and_amber_tps_with_counts(live_server, roll, browser):
    fresh_connection()
    # Read everything before the browser starts (SQLite shares this connection with the server).
    username = roll.analyst.username
    siti_tps, siti_copy_tps, rudi_tps = roll.siti.tps_id, roll.siti_copy.tps_id, roll.rudi.tps_id
    siti_tps_name = f"{roll.siti.tps.label} {roll.siti.desa.name}"
    assert roll.rudi_copy.tps_id == rudi_tps

    context, page, blocked = _open_summary(browser, live_server.url, username)
    try:
        page.wait_for_selector('#duplicates-map[data-state="ready"]', timeout=20_000)
        assert page.get_attribute("#duplicates-map", "data-marker-count") == "3"
        # Two TPS of Siti's confirmed pair in red, Rudi's suspected pair at one TPS in amber;
        # the K2 data error (Ahmad/Rizal) is not drawn.
        assert page.locator("path.duplicate-confirmed").count() == 2
        assert page.locator("path.duplicate-suspected").count() == 1
        layers = page.evaluate("Object.keys(window.siagaDuplicatesMap.layers).map(Number)")
        assert sorted(layers) == sorted([siti_tps, siti_copy_tps, rudi_tps])

        legend = page.locator("[data-duplicates-legend]")
        assert "TPS dengan ganda terkonfirmasi" in legend.inner_text()
        assert legend.locator('[data-legend="confirmed"] .count').inner_text() == "2"
        assert legend.locator('[data-legend="suspected"] .count').inner_text() == "1"

        page.evaluate(f"window.siagaDuplicatesMap.layers[{siti_tps}].fire('click')")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        text = popup.inner_text()
        assert siti_tps_name in text
        assert popup.locator("[data-confirmed]").inner_text() == "1"
        assert popup.locator("[data-suspected]").inner_text() == "0"
        assert "SITI" not in text.upper(), "counts only, no voter data"

        # No tile server reachable: the map says so and still shows the TPS.
        page.wait_for_selector('#duplicates-map[data-tiles="offline"]', timeout=15_000)
        assert page.locator("[data-map-notice]").is_visible()
        assert page.locator("[data-map-empty]").is_hidden()
        assert all(not url.startswith(live_server.url) for url in blocked)
    finally:
        context.close()


def test_without_pairs_the_page_says_so_instead_of_a_map(live_server, empty_roll, browser):
    fresh_connection()
    username = empty_roll.analyst.username

    context, page, _ = _open_summary(browser, live_server.url, username)
    try:
        page.wait_for_selector(
            '#duplicates-map[data-state="empty"]', state="attached", timeout=20_000
        )
        empty = page.locator("[data-map-empty]")
        assert empty.is_visible()
        assert empty.inner_text() == "Belum ada TPS dengan dugaan pemilih ganda"
        assert page.locator(".map-frame").is_hidden()
        assert page.locator(".leaflet-container").count() == 0
    finally:
        context.close()
