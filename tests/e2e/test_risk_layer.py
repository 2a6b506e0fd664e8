"""End to end, in headless Chromium: in the Kutai Timur demo (the index computed yesterday and
again today with every module's live signals), the analyst's situation room offers the
"Kerawanan" layer switched off; switched on, it draws one circle per scored TPS, red for sangat
rawan, with a thick dark outline where the score rose since yesterday; a circle's popup gives
the score, the category, the change and the reasons, and links to the TPS's risk page. The side
panel counts the TPS by category. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.e2e.conftest import fresh_connection
from tests.e2e.test_situation_room import ARTIFACTS, only_the_live_server

pytestmark = pytest.mark.e2e

MAP = "#siaga-map"


def id_number(value: float) -> str:
    """A score as Indonesian pages print it with one decimal (``57,0``)."""
    return f"{value:.1f}".replace(".", ",")


def test_the_risk_layer_shows_every_scored_tps_and_what_rose_since_yesterday(
    live_server, demo, browser
):
    from siaga.accounts.models import User
    from siaga.risk import selectors

    # Every database read happens before the browser starts: on SQLite the live server shares
    # this test's connection, which two threads may not use at once.
    fresh_connection()
    analyst = User.objects.get(username="analis")
    points = selectors.layer(analyst)
    # Counted here from the scores themselves, not by the panel's own query.
    counts = Counter(selectors.tps_risk_visible(analyst).values_list("category", flat=True))
    summary = {"counts": counts}
    assert len(points) == 701, "every demo TPS has a position and a score"
    severe = [p for p in points if p["category"] == "sangat_rawan"]
    rawan = [p for p in points if p["category"] == "rawan"]
    rose = [p for p in points if p["delta"] is not None and p["delta"] > 0]
    assert severe and rawan, "the demo's mapping and live signals make rawan and sangat rawan TPS"
    assert rose, "today's live signals raise some scores above yesterday's mapping-only index"
    target = max(rose, key=lambda p: (p["delta"], p["tps"]))

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    blocked: list[str] = []
    only_the_live_server(page, live_server.url, blocked)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "analis")
    page.fill("#id_password", "siaga-kutim-2024")
    page.click("button[type=submit].btn-primary")

    # The panel counts what the selectors count.
    panel = page.locator("[data-risk-overview]")
    assert panel.locator('[data-n="sangat_rawan"]').inner_text() == str(
        summary["counts"]["sangat_rawan"]
    )
    assert panel.locator('[data-n="rawan"]').inner_text() == str(summary["counts"]["rawan"])
    assert "Dihitung" in panel.locator("[data-last-run]").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=ARTIFACTS / "risk-panel.png")

    # Off by default: no circle until the analyst asks for them.
    page.wait_for_selector(f'{MAP}[data-risk="off"]', timeout=30_000)
    toggle = page.locator("[data-risk-toggle]")
    assert not toggle.is_checked()
    assert "Kerawanan" in page.locator(".risk-toggle").inner_text()
    assert page.locator("path.risk-marker").count() == 0

    toggle.check()
    page.wait_for_selector(f'{MAP}[data-risk="ready"]', timeout=20_000)
    assert int(page.get_attribute(MAP, "data-risk-count")) == len(points)
    assert page.locator("path.risk-marker").count() == len(points)
    assert page.locator("path.risk-sangat_rawan").count() == len(severe)
    assert page.locator("path.risk-rawan").count() == len(rawan)
    assert page.locator("path.risk-changed").count() == len(rose)
    assert page.evaluate("window.siagaMap.risk.changed") == len(rose)
    assert page.evaluate(
        "id => window.siagaMap.risk.markers[id].getElement().classList.contains('risk-changed')",
        target["tps"],
    )
    legend = page.locator("[data-risk-legend]").inner_text()
    assert f"Sangat rawan {len(severe)}" in legend
    assert f"Berubah sejak kemarin (skor naik) {len(rose)}" in legend
    page.screenshot(path=ARTIFACTS / "risk-layer.png", animations="disabled")

    # Closer, around the TPS that rose most (Sangatta's dense TPS among others).
    page.evaluate(
        "id => window.siagaMap.map.setView(window.siagaMap.risk.markers[id].getLatLng(), 12,"
        " { animate: false })",
        target["tps"],
    )
    page.screenshot(path=ARTIFACTS / "risk-layer-zoom.png", animations="disabled")

    # The TPS that rose most: its popup gives the score, the change and the reasons.
    page.evaluate(
        "id => { const m = window.siagaMap.risk.markers[id];"
        " window.siagaMap.map.setView(m.getLatLng(), 14, { animate: false }); m.openPopup(); }",
        target["tps"],
    )
    popup = page.locator(f'.risk-popup[data-risk-tps="{target["tps"]}"]')
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert target["label"] in text
    assert id_number(target["score"]) in text
    assert f"+{id_number(target['delta'])} sejak kemarin" in text
    for reason in target["reasons"]:
        assert reason in text
    page.screenshot(path=ARTIFACTS / "risk-layer-popup.png", animations="disabled")

    # Its link opens the TPS's risk page, which shows the same score.
    with page.expect_navigation():
        popup.locator(f'a[href="/risiko/tps/{target["tps"]}/"]').click()
    assert page.url == f"{live_server.url}/risiko/tps/{target['tps']}/"
    assert page.locator("[data-score]").inner_text() == id_number(target["score"])

    # Back in the room, the layer switched off takes its circles away.
    page.go_back()
    page.wait_for_selector(f'{MAP}[data-risk="off"]', timeout=30_000)
    toggle = page.locator("[data-risk-toggle]")
    toggle.check()
    page.wait_for_selector(f'{MAP}[data-risk="ready"]', timeout=20_000)
    toggle.uncheck()
    page.wait_for_selector(f'{MAP}[data-risk="off"]', timeout=5_000)
    assert page.locator("path.risk-marker").count() == 0

    assert not errors, errors
    assert not [u for u in blocked if not u.startswith("https://tile.")], blocked
    context.close()
