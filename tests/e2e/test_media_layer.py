"""End to end, in headless Chromium: in the Kutai Timur demo (a day of posts about the Pilkada,
some flagged by the model), the analyst's situation room draws the "Media sosial" layer: one
circle per place the flagged posts name, red where hoaks or provokasi are among them, a popup
with the counts and a link to the queue of that place; the toggle hides them and brings them
back.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import fresh_connection
from tests.e2e.test_situation_room import ARTIFACTS, only_the_live_server

pytestmark = pytest.mark.e2e

MAP = "#siaga-map"


def test_flagged_posts_are_on_the_map_and_the_toggle_hides_them(live_server, demo, browser):
    from siaga.accounts.models import User
    from siaga.core import clock
    from siaga.media.selectors import layer_points

    # Every database read happens before the browser starts: on SQLite the live server shares
    # this test's connection, which two threads may not use at once.
    fresh_connection()
    analyst = User.objects.get(username="analis")
    points = layer_points(analyst, since=clock.now() - dt.timedelta(hours=24))
    assert len(points) >= 2, "the demo's day of posts names places of the regency"
    severe = [p for p in points if p["hoaks"] or p["provokasi"]]
    assert severe, "the demo has a resurfacing hoax and a provocative narrative"
    assert {p["level"] for p in points} <= {"district", "village"}
    busiest = points[0]

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    blocked: list[str] = []
    only_the_live_server(page, live_server.url, blocked)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "analis")
    page.fill("#id_password", "siaga-kutim-2024")
    page.click("button[type=submit].btn-primary")

    page.wait_for_selector(f'{MAP}[data-media="ready"]', timeout=20_000)
    assert int(page.get_attribute(MAP, "data-media-count")) == len(points)
    assert page.locator("path.media-marker").count() == len(points)
    assert page.locator("path.media-severe").count() == len(severe)
    toggle = page.locator("[data-media-toggle]")
    assert toggle.is_checked()
    assert "Media sosial" in page.locator(".media-toggle").inner_text()

    # The busiest place: its popup names it, counts its posts and links to its queue.
    page.evaluate("code => window.siagaMap.media.markers[code].fire('click')", busiest["code"])
    popup = page.locator(".media-popup")
    popup.wait_for(timeout=5_000)
    assert busiest["name"] in popup.inner_text()
    assert f": {busiest['posts']}" in popup.inner_text()
    link = f"/medsos/?region={busiest['code']}&status=semua"
    assert popup.locator(f'a[href="{link}"]').count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "media-layer.png")

    # Off: the circles leave the map; on again: they come back from a fresh load.
    toggle.uncheck()
    page.wait_for_selector(f'{MAP}[data-media="off"]', timeout=5_000)
    assert page.locator("path.media-marker").count() == 0
    toggle.check()
    page.wait_for_selector(f'{MAP}[data-media="ready"]', timeout=20_000)
    assert page.locator("path.media-marker").count() == len(points)

    assert not errors, errors
    assert not [u for u in blocked if not u.startswith("https://tile.")], blocked
    context.close()
