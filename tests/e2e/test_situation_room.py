"""End to end, in headless Chromium: a new user logs in to the Kutai Timur demo, sees the map
with every TPS and the counts adding up, and drills down from a kecamatan to a TPS page.

The browser may reach only the live server: every other request (the OpenStreetMap tiles
included) is aborted, which proves that the pages need no CDN and that the map still shows its
boundaries and markers with no tile server. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from siaga.accounts.choices import Role

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
READY = '#siaga-map[data-state="ready"]'
DEMO_TPS = 701
DEMO_DPT = 297_994


def only_the_live_server(page, base_url: str, blocked: list[str]) -> None:
    """Abort every request that does not go to the live server, and remember it."""

    def handle(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", handle)


def column_sum(page, selector: str) -> int:
    values = page.eval_on_selector_all(selector, "cells => cells.map(c => c.dataset.value)")
    return sum(int(v) for v in values)


def test_new_user_logs_in_sees_every_tps_and_drills_down_to_a_tps(live_server, demo, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    analyst = next(a for a in demo.accounts if a.role == Role.ANALYST)
    assert demo.tps == DEMO_TPS and demo.dpt == DEMO_DPT
    base = live_server.url
    blocked: list[str] = []

    context = browser.new_context(viewport={"width": 1366, "height": 850}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    only_the_live_server(page, base, blocked)

    # Log in with the printed demo account.
    page.goto(base + "/")
    assert "/akun/masuk/" in page.url
    assert page.locator("h1").inner_text() == "Masuk ke Siaga"
    page.screenshot(path=ARTIFACTS / "login.png")
    page.fill("#id_username", analyst.username)
    page.fill("#id_password", analyst.password)
    page.click("button[type=submit].btn-primary")

    # The situation room: the whole regency on the map, in one request.
    page.wait_for_selector(READY, timeout=30_000)
    assert page.url == base + "/"
    assert int(page.get_attribute("#siaga-map", "data-tps-count")) == DEMO_TPS
    assert page.evaluate("window.siagaMap.tpsCount") == DEMO_TPS
    assert page.evaluate("window.siagaMap.dptTotal") == DEMO_DPT
    assert page.locator(".leaflet-marker-icon").count() > 0  # clusters and markers drawn
    rows = page.locator("table[data-counts] tbody tr")
    assert rows.count() == 18
    assert column_sum(page, "table[data-counts] tbody td[data-dpt]") == DEMO_DPT
    assert int(page.get_attribute("[data-total-dpt]", "data-value")) == DEMO_DPT
    assert int(page.get_attribute("[data-total-tps]", "data-value")) == DEMO_TPS
    banner = page.locator("#phase-banner").inner_text()
    assert "H-3" in banner and "Masa tenang" in banner and "WITA" in banner
    # No tile server reachable: a notice says so, and the markers are still there.
    page.wait_for_selector("[data-map-notice]:not([hidden])", timeout=15_000)
    tile_host = urlsplit(settings.SIAGA_MAP_TILE_URL).hostname
    assert {urlsplit(url).hostname for url in blocked} <= {tile_host}  # no CDN, only tiles
    page.wait_for_timeout(300)  # let the last cluster animation settle for the screenshot
    page.screenshot(path=ARTIFACTS / "situation-room.png")

    # The same page on a phone (390 x 844).
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="id-ID",
        storage_state=context.storage_state(),
        is_mobile=True,
        has_touch=True,
    )
    phone_page = phone.new_page()
    only_the_live_server(phone_page, base, blocked)
    phone_page.goto(base + "/")
    phone_page.wait_for_selector(READY, timeout=30_000)
    assert int(phone_page.get_attribute("#siaga-map", "data-tps-count")) == DEMO_TPS
    phone_page.wait_for_timeout(300)
    phone_page.screenshot(path=ARTIFACTS / "situation-room-mobile.png", full_page=True)
    phone.close()

    # Drill down: a kecamatan, then a desa, then a TPS.
    kecamatan = rows.filter(has_text="Sangatta Utara").first
    kecamatan_tps = int(kecamatan.locator("td").first.get_attribute("data-value"))
    kecamatan.locator("a").click()
    page.wait_for_url("**/wilayah/64.08.*/")
    page.wait_for_selector(READY, timeout=30_000)
    assert page.locator("h1").inner_text() == "Sangatta Utara"
    assert int(page.get_attribute("#siaga-map", "data-tps-count")) == kecamatan_tps

    desa = page.locator("table[data-counts] tbody tr").first
    desa_name = desa.locator("a").inner_text()
    desa.locator("a").click()
    page.wait_for_selector("table[data-tps-table]")
    page.wait_for_selector(READY, timeout=30_000)
    assert page.locator("h1").inner_text() == desa_name
    tps_rows = page.locator("table[data-tps-table] tbody tr")
    assert tps_rows.count() == int(page.get_attribute("#siaga-map", "data-tps-count")) > 0
    page.screenshot(path=ARTIFACTS / "desa.png")

    tps_link = tps_rows.first.locator("a").first
    tps_label = tps_link.inner_text()
    tps_link.click()
    page.wait_for_url("**/wilayah/tps/*/")
    page.wait_for_selector(READY, timeout=30_000)
    assert page.locator("h1").inner_text().startswith(tps_label)
    assert desa_name in page.locator(".tps-facts").inner_text()
    assert "Sangatta Utara" in page.locator(".tps-facts").inner_text()
    assert int(page.get_attribute(".tps-facts [data-total-dpt]", "data-value")) > 0
    page.screenshot(path=ARTIFACTS / "tps.png")

    # The language switch: English labels after one click, Indonesian again after another.
    page.click("form.langswitch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    banner = page.locator("#phase-banner").inner_text()
    assert "days to voting day" in banner and "Quiet period" in banner
    page.click("form.langswitch button[value=id]")
    page.wait_for_selector("html[lang=id]")

    assert errors == []
    context.close()
