"""End to end, in headless Chromium on a phone-sized screen: the field monitor of Sangkima records
the handover (serah terima) of a shipment to one of their TPS, loses the signal as they submit,
and the page keeps the submission in its outbox ("menunggu sinyal") until the signal returns,
then sends it exactly once. Then the analyst's logistics overview and the map layer.

The browser may reach only the live server (see test_situation_room.py). Screenshots go to
test-artifacts/ (handover-offline.png, handover-sent.png, logistics-overview.png,
situation-room-logistics.png).
"""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.accounts.choices import Role
from tests.e2e.test_situation_room import (
    ARTIFACTS,
    READY,
    only_the_live_server,
)

pytestmark = pytest.mark.e2e

MONITOR = "bhabin.sangkima"
PHONE = {"width": 390, "height": 844}
SANGKIMA = {"latitude": 0.4035, "longitude": 117.5302}


def shipment_for(user):
    """An open shipment to one of the monitor's TPS that they may hand over (made if missing)."""
    from siaga.core.audit import AuditContext
    from siaga.logistics import services
    from siaga.logistics.choices import Stage, TransportMode
    from siaga.logistics.models import ItemType, Shipment
    from siaga.logistics.services import HANDOVER_FROM, may_submit_handover
    from siaga.wilayah.models import Tps

    candidates = (
        Shipment.objects.filter(
            stage=Stage.PPS_TO_KPPS,
            status__in=HANDOVER_FROM,
            destination_tps__in=user.assigned_tps.all(),
            handovers__isnull=True,
        )
        .select_related("destination_tps")
        .order_by("planned_departure", "code")
    )
    for shipment in candidates:
        if may_submit_handover(user, shipment) and shipment.lines.exists():
            return shipment
    tps = Tps.objects.filter(pk__in=user.assigned_tps.all()).order_by("number").first()
    admin = type(user).objects.filter(role=Role.ADMIN).first()
    now = dt.datetime(2024, 11, 24, 8, 0, tzinfo=dt.UTC)
    items = list(ItemType.objects.filter(code__in=["surat_suara_bupati", "kotak_suara"]))
    return services.shipment_create(
        context=AuditContext.cli(),
        user=admin,
        stage=Stage.PPS_TO_KPPS,
        origin=tps.desa_id,
        destination=tps.desa_id,
        destination_tps=tps,
        mode=TransportMode.ROAD,
        planned_departure=now - dt.timedelta(hours=3),
        planned_arrival=now - dt.timedelta(hours=1),
        lines=[services.ShipmentLineInput(item=i.code, quantity=10) for i in items],
    )


def handovers_of(shipment) -> int:
    from siaga.logistics.models import Handover

    return Handover.objects.filter(shipment=shipment).count()


def test_field_monitor_hands_over_offline_and_it_is_sent_once_back_online(
    live_server,
    demo,
    browser,
):
    from siaga.accounts.models import User
    from siaga.demo.services import DEMO_PASSWORD
    from siaga.logistics.models import Handover, ReplacementRequest

    ARTIFACTS.mkdir(exist_ok=True)
    monitor = User.objects.get(username=MONITOR)
    shipment = shipment_for(monitor)
    assert handovers_of(shipment) == 0
    first = shipment.lines.select_related("item").order_by("item__sort_order", "pk").first()
    base = live_server.url
    blocked: list[str] = []

    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation=SANGKIMA,
        service_workers="block",  # page.route must see every request; the outbox is the page's
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    only_the_live_server(page, base, blocked)

    page.goto(base + "/logistik/serah-terima/")
    assert "/akun/masuk/" in page.url
    page.fill("#id_username", MONITOR)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/logistik/serah-terima/")
    page.wait_for_selector('#handover[data-state="idle"]')

    # Type the code as a person would (lower case); the page finds the shipment.
    page.fill("#shipment-code", shipment.code.lower())
    page.click("form[data-lookup] button[type=submit]")
    page.wait_for_selector("form[data-handover-form]:not([hidden])")
    assert shipment.code in page.locator("[data-summary]").inner_text()
    line_boxes = page.locator("[data-lines] .line")
    assert line_boxes.count() == shipment.lines.count()
    received = line_boxes.first.locator("input[name=received]")
    assert received.input_value() == str(first.quantity)  # prefilled with what was dispatched
    page.wait_for_selector('[data-gps="ok"]')

    # Two of the first item did not arrive: "missing" follows by itself.
    received.fill(str(first.quantity - 2))
    assert line_boxes.first.locator("input[name=missing]").input_value() == "2"
    page.fill("#handed-by", "Suparman (PPS Sangkima)")
    page.fill("#received-by", "Rina Lestari (KPPS)")

    # The signal drops just as the officer submits.
    context.set_offline(True)
    page.click("form[data-handover-form] button[type=submit]")
    page.wait_for_selector('#handover[data-state="queued"]')
    item = page.locator('[data-outbox] li[data-state="pending"]')
    assert item.count() == 1
    assert "Menunggu sinyal" in item.inner_text() and shipment.code in item.inner_text()
    assert "Luring" in page.locator("[data-net]").inner_text()
    assert handovers_of(shipment) == 0
    page.screenshot(path=ARTIFACTS / "handover-offline.png", full_page=True)

    # The signal returns: the page sends it by itself, once.
    context.set_offline(False)
    page.wait_for_selector('#handover[data-state="sent"]', timeout=15_000)
    sent = page.locator('[data-outbox] li[data-state="sent"]')
    assert "Terkirim" in sent.inner_text()
    assert "Permintaan penggantian" in sent.inner_text()
    assert handovers_of(shipment) == 1
    handover = Handover.objects.get(shipment=shipment)
    assert handover.recorded_by == monitor and handover.received_by == "Rina Lestari (KPPS)"
    assert handover.lat == pytest.approx(SANGKIMA["latitude"])
    assert handover.received_at.date() == dt.date(2024, 11, 24)  # the demo's clock, not the phone's
    missing = handover.lines.get(
        item=first.item, tps_id=first.tps_id or shipment.destination_tps_id
    )
    assert (missing.received, missing.missing) == (first.quantity - 2, 2)
    assert ReplacementRequest.objects.filter(handover=handover, quantity=2).exists()
    page.screenshot(path=ARTIFACTS / "handover-sent.png", full_page=True)

    # A reload finds an empty outbox and sends nothing again.
    page.reload()
    page.wait_for_selector('#handover[data-state="idle"]')
    assert page.get_attribute("#handover", "data-outbox") == "0"
    page.wait_for_timeout(500)
    assert handovers_of(shipment) == 1
    stored = page.evaluate(
        """() => new Promise(resolve => {
             const open = indexedDB.open("siaga-handover", 1);
             open.onsuccess = () => {
               const req = open.result.transaction("outbox").objectStore("outbox").count();
               req.onsuccess = () => resolve(req.result);
             };
           })"""
    )
    assert stored == 0
    assert errors == []
    assert blocked == []
    context.close()


def test_analyst_sees_the_logistics_overview_and_the_map_layer(
    live_server,
    demo,
    browser,
):
    from siaga.demo.services import DEMO_PASSWORD

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    only_the_live_server(page, base, blocked)

    page.goto(base + "/logistik/")
    page.fill("#id_username", "analis")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/logistik/")
    assert page.locator("h1").inner_text() == "Kabupaten Kutai Timur"
    assert page.locator("table[data-recon] tbody tr").count() == 18  # every kecamatan
    assert page.locator("table[data-at-risk] tbody tr").count() >= 1
    assert page.locator("table[data-replacements] tbody tr").count() >= 1
    page.wait_for_selector('#logistics-chart[data-state="ready"]')
    page.screenshot(path=ARTIFACTS / "logistics-overview.png", full_page=True)

    # The situation room: the layer is fetched when the toggle is turned on.
    page.click("nav.mainnav a:text('Ruang situasi')")
    page.wait_for_selector(READY, timeout=30_000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/logistics/layer" in r.url else None)
    page.check("[data-logistics-toggle]")
    page.wait_for_selector('#siaga-map[data-logistics="ready"]', timeout=15_000)
    layer = page.evaluate("window.siagaMap.logistics")
    assert layer["regions"] == 18 and layer["shipments"] >= 1
    assert page.locator(".supply-dot, path.leaflet-interactive").count() >= 18
    page.uncheck("[data-logistics-toggle]")
    page.check("[data-logistics-toggle]")  # on again: no second request
    page.wait_for_selector('#siaga-map[data-logistics="ready"]')
    assert len(requests) == 1
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / "situation-room-logistics.png")
    assert errors == []
    context.close()
