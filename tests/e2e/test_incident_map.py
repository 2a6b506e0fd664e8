"""End to end, in headless Chromium: on voting day the analyst's situation room draws the incident
reports on the map (one marker per located report, a popup with the ticket and a link to it),
lists them in the live feed, and a report typed in meanwhile appears without a reload, in the
feed and as a new marker; the layer's category and state filter narrows the markers.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Q

from tests.e2e.conftest import fresh_connection
from tests.e2e.test_situation_room import (
    only_the_live_server,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def voting_day(transactional_db):
    from siaga.core.audit import AuditContext
    from siaga.demo.services import demo_load

    return demo_load(
        context=AuditContext.cli(), national_regions=False, voting_day=True, media=False
    )


def test_voting_day_reports_are_on_the_map_and_in_the_feed(live_server, voting_day, browser):
    from siaga.accounts.models import User
    from siaga.core import clock
    from siaga.incidents.choices import OPEN_STATES
    from siaga.incidents.models import Incident
    from siaga.incidents.selectors import incidents_visible
    from siaga.wilayah.models import Tps

    # Every database read happens before the browser starts: on SQLite the live server shares
    # this test's connection, which two threads may not use at once.
    fresh_connection()
    analyst = User.objects.get(username="analis")
    # The layer shows the reports still open and those of the last 24 hours, merged ones apart.
    day_ago = clock.now() - dt.timedelta(hours=24)
    layer = (
        incidents_visible(user=analyst)
        .exclude(state="digabung")
        .filter(Q(received_at__gte=day_ago) | Q(state__in=OPEN_STATES))
    )
    located = layer.count()
    assert located >= 10  # the demo's voting-day stream
    # What the layer's filter should leave on the map (the report posted below is kekerasan).
    violence = set(layer.filter(category__code="kekerasan").values_list("ticket", flat=True))
    violence_received = set(
        layer.filter(category__code="kekerasan", state="diterima").values_list("ticket", flat=True)
    )
    assert 0 < len(violence) < located
    case = Incident.objects.get(idempotency_key="demo-insiden-pemilih-dua-kali")
    tps = Tps.objects.filter(desa__code__startswith="64.08.04.").order_by("pk").first()

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    blocked: list[str] = []
    only_the_live_server(page, live_server.url, blocked)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "analis")
    page.fill("#id_password", "siaga-kutim-2024")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector('#siaga-map[data-incidents="ready"]', timeout=20_000)
    shown = int(page.get_attribute("#siaga-map", "data-incident-count"))
    assert shown == located

    # The double vote in Sangatta Utara: its marker opens a popup naming the ticket.
    page.locator(".incident-marker").first.wait_for(timeout=10_000)
    page.evaluate(
        """ticket => { const layer = window.siagaMap.incidents;
                       layer.markers[ticket].fire('click'); }""",
        case.ticket,
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert case.ticket in popup.inner_text()
    assert popup.locator(f'a[href="/insiden/{case.ticket}/"]').count() == 1

    # The feed lists the latest reports; a report sent meanwhile (through the API, by the
    # analyst's own session) arrives by polling, without a reload.
    feed = page.locator("[data-incident-feed]")
    feed.locator("text=LK-").first.wait_for(timeout=15_000)
    assert re.search(r"LK-[A-Z0-9]{6}", feed.inner_text())
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    sent = page.request.post(
        f"{live_server.url}/api/v1/incidents",
        multipart={
            "idempotency_key": "e2e-map-feed",
            "category": "kekerasan",
            "description": "Uji ujung ke ujung: keributan baru di depan TPS",
            "tps": str(tps.pk),
        },
        headers={"X-CSRFToken": csrf, "Referer": f"{live_server.url}/"},
    )
    assert sent.status == 201, sent.text()
    ticket = sent.json()["ticket"]
    page.wait_for_function(
        "ticket => document.body.innerText.includes(ticket)", arg=ticket, timeout=40_000
    )
    # ... and on the map: at the next refresh of the layer (every 30 s) its marker is drawn.
    page.wait_for_function(
        """([ticket, count]) => { const layer = window.siagaMap.incidents;
               return layer && layer.markers[ticket] !== undefined && layer.count === count; }""",
        arg=[ticket, located + 1],
        timeout=40_000,
    )
    assert page.get_attribute("#siaga-map", "data-incident-count") == str(located + 1)
    assert page.locator(".incident-marker").count() == located + 1

    # The layer's filter (labelled selects in its map control) narrows the markers at once.
    the_map = page.locator("#siaga-map")
    category = the_map.get_by_label("Kategori")
    state = the_map.get_by_label("Status")
    category.select_option("kekerasan")  # waits for the categories to be listed

    def markers_shown(query: str) -> set[str]:
        """The markers once those drawn are the answer to ``query`` (data-incident-filter)."""
        page.wait_for_function(
            """query => { const d = document.getElementById('siaga-map').dataset;
                   return d.incidentFilter === query && d.incidents === 'ready'; }""",
            arg=query,
            timeout=15_000,
        )
        tickets = set(page.evaluate("() => Object.keys(window.siagaMap.incidents.markers)"))
        assert page.get_attribute("#siaga-map", "data-incident-count") == str(len(tickets))
        assert page.locator(".incident-marker").count() == len(tickets)
        return tickets

    assert markers_shown("category=kekerasan") == violence | {ticket}
    state.select_option("diterima")
    assert markers_shown("category=kekerasan&state=diterima") == violence_received | {ticket}
    category.select_option("")
    state.select_option("")
    assert len(markers_shown("")) == located + 1
    assert not [u for u in blocked if not u.startswith("https://tile.")], blocked
    context.close()
