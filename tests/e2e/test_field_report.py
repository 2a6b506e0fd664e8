"""End to end, in headless Chromium on a phone-sized screen: the field monitor of Sangkima opens
the field app (/lapor/lapangan/), loses the signal, fills in an incident report with a photo and
their GPS position and submits it: the report waits in the outbox. A reload without signal still
opens the app (the service worker keeps the page) with the report still queued (IndexedDB). When
the signal returns the report is sent, once. A second report whose answer is lost on the way
(the server stored it, the phone never heard) is sent again with the same key and still stored
once. Before sending, the half-filled report is a draft in the browser's storage that survives
a reload. Then the analyst opens the situation room and finds the report's marker on the map
(its popup naming the ticket) and the report with its position in the incident map layer
(GET /api/v1/incidents/layer).

The browser may reach only the live server. Screenshots go to test-artifacts/
(field-offline.png, field-offline-reload.png, field-sent.png, field-report-on-map.png,
public-report-form.png, public-report-sent.png).
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from PIL import Image

from tests.e2e.conftest import fresh_connection
from tests.e2e.test_situation_room import (
    ARTIFACTS,
    only_the_live_server,
)

pytestmark = pytest.mark.e2e

MONITOR = "bhabin.sangkima"
PHONE = {"width": 390, "height": 844}
SANGKIMA = {"latitude": 0.4035, "longitude": 117.5302}
FIRST = "Tim sukses membagikan amplop berisi uang kepada warga di depan TPS, sekitar lima orang."
SECOND = "Spanduk paslon dipasang lagi di dekat TPS pada masa tenang, warga resah."


def photo() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="JPEG")
    return {"name": "bukti.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def incidents_with(description: str):
    from siaga.incidents.models import Incident

    return Incident.objects.filter(description=description)


def log_in(page, base: str, username: str, next_path: str) -> None:
    from siaga.demo.services import DEMO_PASSWORD

    page.goto(base + next_path)
    assert "/akun/masuk/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**" + next_path)


def settled(page, state: str) -> None:
    """Wait until the app shows ``state`` with no send in flight."""
    page.wait_for_function(
        "s => document.getElementById('field').dataset.state === s"
        " && !window.siagaField.outbox.isFlushing()",
        arg=state,
        timeout=20_000,
    )


def outbox_count(page) -> int:
    return page.evaluate(
        """() => new Promise(resolve => {
             const open = indexedDB.open("siaga-field", 1);
             open.onsuccess = () => {
               const req = open.result.transaction("outbox").objectStore("outbox").count();
               req.onsuccess = () => resolve(req.result);
             };
           })"""
    )


def wait_for_draft(page, *, description: str | None, attachments: int = 0) -> None:
    """Wait until the draft kept in IndexedDB has ``description`` and that many attachments
    (``description=None``: until there is no draft), since drafts are saved a moment after
    the last keystroke."""
    page.wait_for_function(
        """([description, attachments]) => {
             window.siagaField.outbox.drafts.get("incident").then(d => { window.__draft = d; });
             const d = window.__draft;
             if (description === null) return d === null;
             return !!d && d.description === description
               && (d.attachments || []).length === attachments;
           }""",
        arg=[description, attachments],
        polling=100,
        timeout=10_000,
    )


def test_field_monitor_reports_offline_and_it_arrives_once(
    live_server,
    demo,
    browser,
):
    from siaga.accounts.models import User
    from siaga.core.audit import AuditContext
    from siaga.incidents.catalogue import categories_seed

    fresh_connection()
    categories_seed(context=AuditContext.cli())  # the demo seeds them; this keeps the test whole
    ARTIFACTS.mkdir(exist_ok=True)
    monitor = User.objects.get(username=MONITOR)
    assigned = sorted(monitor.assigned_tps.values_list("pk", flat=True))
    assert assigned
    base = live_server.url
    blocked: list[str] = []

    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        timezone_id="Asia/Makassar",
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation=SANGKIMA,
    )
    # On the context, not the page: requests the service worker makes are checked too.
    only_the_live_server(context, base, blocked)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, base, MONITOR, "/lapor/lapangan/")
    page.wait_for_selector('#field[data-state="idle"]')
    page.wait_for_selector('#field[data-sw="controlled"]', timeout=15_000)
    page.wait_for_selector('#field[data-mine="ready"]', timeout=10_000)
    # Only the monitor's TPS are offered, the first one already chosen.
    offered = page.eval_on_selector_all("#tps option", "os => os.map(o => o.value)")
    assert sorted(int(v) for v in offered) == assigned
    assert int(page.input_value("#tps")) in assigned
    assert page.input_value("#occurred-at").startswith("2024-11-24")  # the demo's day (H-3)

    # No signal from here on.
    context.set_offline(True)
    page.wait_for_selector("[data-net].net-offline")
    page.select_option("#category", "politik-uang")
    page.click("#locate")
    page.wait_for_selector('[data-gps="ok"]')
    page.fill("#description", FIRST)
    page.fill("#people", "Lima orang berkaos paslon")
    page.set_input_files("#media-camera", photo())
    page.wait_for_selector("[data-attachments] li")

    # The phone is put away before the report is sent: the draft, kept in the browser's storage,
    # survives a reload (the page itself comes from the service worker, still without signal).
    wait_for_draft(page, description=FIRST, attachments=1)
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("[data-draft-note] >> text=Draf sebelumnya dipulihkan")
    assert page.input_value("#category") == "politik-uang"
    assert page.input_value("#description") == FIRST
    assert page.input_value("#people") == "Lima orang berkaos paslon"
    assert page.locator('[data-gps="ok"]').count() == 1
    assert page.locator("[data-attachments] li").count() == 1
    assert "bukti.jpg" in page.locator("[data-attachments] li").inner_text()
    assert outbox_count(page) == 0 and incidents_with(FIRST).count() == 0

    page.click("#incident-form button[type=submit]")
    settled(page, "queued")
    # The outbox list is drawn from IndexedDB just after the state changes.
    page.wait_for_selector('[data-outbox-list] li[data-state="pending"]')
    pending = page.locator('[data-outbox-list] li[data-state="pending"]')
    assert pending.count() == 1
    assert "Menunggu sinyal" in pending.inner_text() and "Politik uang" in pending.inner_text()
    assert page.input_value("#description") == ""  # the form is clear for the next report
    wait_for_draft(page, description=None)  # and the draft is gone: it is in the outbox now
    assert incidents_with(FIRST).count() == 0
    page.screenshot(path=ARTIFACTS / "field-offline.png", full_page=True)

    # Still no signal: the app opens from the service worker, the report still waiting.
    response = page.reload()
    assert response is not None and response.from_service_worker
    settled(page, "queued")
    page.wait_for_selector('[data-outbox-list] li[data-state="pending"]')
    assert page.locator('[data-outbox-list] li[data-state="pending"]').count() == 1
    assert "Luring" in page.locator("[data-net]").inner_text()
    assert outbox_count(page) == 1
    assert incidents_with(FIRST).count() == 0
    page.screenshot(path=ARTIFACTS / "field-offline-reload.png", full_page=True)

    # The signal returns: the app sends the report by itself, once.
    context.set_offline(False)
    settled(page, "sent")
    sent = page.locator('[data-outbox-list] li[data-state="sent"]').first
    incident = incidents_with(FIRST).get()
    assert "Terkirim" in sent.inner_text() and incident.ticket in sent.inner_text()
    assert incident.channel == "field" and incident.reporter == monitor
    assert incident.tps_id in assigned and incident.category.code == "politik-uang"
    assert incident.lat == pytest.approx(SANGKIMA["latitude"])
    assert incident.lon == pytest.approx(SANGKIMA["longitude"])
    assert incident.people_involved == "Lima orang berkaos paslon"
    assert incident.media.count() == 1
    assert incident.occurred_at.date().isoformat() == "2024-11-24"
    assert outbox_count(page) == 0
    # The list of the monitor's reports shows it with its state.
    page.wait_for_selector(f'[data-my-reports] li[data-ticket="{incident.ticket}"]')
    assert (
        "Diterima"
        in page.locator(f'[data-my-reports] li[data-ticket="{incident.ticket}"]').inner_text()
    )
    page.screenshot(path=ARTIFACTS / "field-sent.png", full_page=True)

    # A lost answer: the server stores the second report, the phone never hears back. The
    # retry carries the same key and finds the report already there.
    posts: list[int] = []

    def lose_first_answer(route):
        if route.request.method != "POST":
            route.fallback()
            return
        answer = route.fetch()
        posts.append(answer.status)
        if len(posts) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=answer)

    page.route(lambda url: url.endswith("/api/v1/incidents"), lose_first_answer)
    page.select_option("#category", "kampanye-masa-tenang")
    page.fill("#description", SECOND)
    # The app shows "queued" before it tries to send, so wait for the lost answer itself.
    with page.expect_event(
        "requestfailed", lambda request: request.url.endswith("/api/v1/incidents"), timeout=20_000
    ):
        page.click("#incident-form button[type=submit]")
    settled(page, "queued")
    assert posts == [201]
    assert incidents_with(SECOND).count() == 1  # stored, though the phone does not know it
    page.click('[data-outbox-list] li[data-state="pending"] button')  # "Kirim ulang sekarang"
    page.wait_for_selector(
        '[data-outbox-list] li[data-state="sent"] >> text=sudah tercatat sebelumnya'
    )
    assert posts == [201, 200]
    second = incidents_with(SECOND).get()
    assert (
        second.ticket in page.locator('[data-outbox-list] li[data-state="sent"]').first.inner_text()
    )
    assert incidents_with(FIRST).count() == 1
    assert outbox_count(page) == 0
    assert errors == []
    assert blocked == []
    context.close()
    fresh_connection()

    # The analyst's situation room: the report is on the incident layer, at its position, and
    # its marker is drawn on the map; a click on it opens the popup naming the ticket.
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    only_the_live_server(desk, base, blocked)
    desk_page = desk.new_page()
    desk_errors: list[str] = []
    desk_page.on("pageerror", lambda error: desk_errors.append(str(error)))
    log_in(desk_page, base, "analis", "/")
    desk_page.wait_for_selector('#siaga-map[data-incidents="ready"]', timeout=20_000)
    # The layer's markers, by ticket: window.siagaMap.incidents.markers (siaga/live_layer.js).
    drawn = """ticket => { const layer = window.siagaMap && window.siagaMap.incidents;
                           const marker = layer && layer.markers[ticket];
                           const path = marker && marker.getElement();
                           return !!path && path.isConnected
                             && path.classList.contains('incident-marker'); }"""
    desk_page.wait_for_function(drawn, arg=incident.ticket, timeout=10_000)
    assert desk_page.evaluate(drawn, second.ticket)
    # Close in on the report's position, so that no neighbouring marker covers it, and click it.
    desk_page.evaluate(
        "([lat, lon]) => window.siagaMap.map.setView([lat, lon], 17, { animate: false })",
        [SANGKIMA["latitude"], SANGKIMA["longitude"]],
    )
    marker = desk_page.evaluate_handle(
        "ticket => window.siagaMap.incidents.markers[ticket].getElement()", incident.ticket
    ).as_element()
    assert marker is not None and marker.is_visible()
    marker.click()
    popup = desk_page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert incident.ticket in popup.inner_text()
    assert popup.locator(f'a[href="/insiden/{incident.ticket}/"]').count() == 1
    desk_page.screenshot(path=ARTIFACTS / "field-report-on-map.png")
    assert desk_errors == []
    layer = desk_page.request.get(base + "/api/v1/incidents/layer")
    assert layer.ok
    points = {p["ticket"]: p for p in layer.json()}
    assert incident.ticket in points
    point = points[incident.ticket]
    assert point["lat"] == pytest.approx(SANGKIMA["latitude"])
    assert point["lon"] == pytest.approx(SANGKIMA["longitude"])
    assert point["category"] == "politik-uang" and point["state"] == "diterima"
    # The map asked for its tiles (unreachable here), nothing else outside the live server.
    tile_host = urlsplit(django_settings.SIAGA_MAP_TILE_URL).hostname
    assert {urlsplit(url).hostname for url in blocked} <= {tile_host}, blocked
    desk.close()
    fresh_connection()


def test_citizen_reports_on_the_public_form_anonymously_and_checks_the_ticket(
    live_server,
    demo,
    browser,
    settings,
):
    """No account: the form is anonymous by default, keeps a device id in localStorage and its
    cookie, and the ticket check shows the state only."""
    from django.core.cache import cache

    from siaga.incidents.models import Incident

    # The rate limits count in a cache of this test's own (the live server runs in-process).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siaga-e2e-public-form",
        }
    }
    cache.clear()
    fresh_connection()

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    blocked: list[str] = []
    context = browser.new_context(
        viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True, service_workers="block"
    )
    only_the_live_server(context, base, blocked)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(base + "/lapor/")
    assert page.locator("h1").inner_text() == "Laporkan kejadian Pilkada"
    assert page.is_checked("#id_anonymous")
    assert page.locator("[data-identity]").is_hidden()
    page.uncheck("#id_anonymous")
    assert page.locator("#id_reporter_name").is_visible()
    page.check("#id_anonymous")
    device = page.evaluate("localStorage.getItem('siaga-device')")
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert device and cookies["siaga_device"] == device
    assert page.input_value("input[name=device_id]") == device

    description = "Ada orang membagikan sembako dan amplop atas nama salah satu paslon di pasar."
    page.select_option("#id_category", "politik-uang")
    page.select_option("#id_desa", "64.08.12.2003")
    page.fill("#id_description", description)
    page.set_input_files("#id_photos", photo())
    page.screenshot(path=ARTIFACTS / "public-report-form.png", full_page=True)
    page.wait_for_timeout(3_100)  # a person takes longer than the form's minimum fill time
    page.click("[data-submit]")
    page.wait_for_selector("[data-ticket]")
    ticket = page.locator("[data-ticket]").inner_text()
    incident = Incident.objects.get(description=description)
    assert incident.ticket == ticket and incident.channel == "public"
    assert incident.anonymous and incident.reporter is None and incident.reporter_name == ""
    assert incident.region_id == "64.08.12.2003" and incident.media.count() == 1
    page.screenshot(path=ARTIFACTS / "public-report-sent.png", full_page=True)

    page.click("a.btn-secondary")  # "Cek status laporan"
    page.wait_for_selector("[data-result]")
    assert page.locator("[data-state-label]").inner_text() == "Diterima"
    assert description not in page.content()
    assert page.locator(f'[data-mine] li[data-ticket="{ticket}"]').count() == 1
    assert errors == []
    assert blocked == []
    context.close()
    fresh_connection()
