"""The logistics pages: overview, shipments (list, detail, editor, status), the handover page.

Who may open what (by role and scope, 404 outside it), that the forms write through the services
with their audit events, and that list and overview pages keep a bounded number of queries.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from siaga.core import clock
from siaga.core.models import AuditEvent, Deployment
from siaga.logistics.choices import ShipmentStatus, Stage, TransportMode
from siaga.logistics.models import ReplacementRequest, Shipment
from tests.logistics.world import LogisticsWorld, wita

NOW = wita(2024, 11, 24, 10, 0)  # H-3, as the demo


@pytest.fixture
def lw(world):
    lw = LogisticsWorld(world)
    Deployment.objects.update(clock_offset_seconds=clock.offset_for(NOW))
    clock.clear_cache()
    # Ballots for TPS a1 left the KPU warehouse for Sangatta Utara; the TPS received too few.
    lw.ppk = lw.shipment(
        "PPKSGT01",
        stage=Stage.KPU_TO_PPK,
        destination=world.kec_a,
        per_tps=[(lw.tps_a1, "surat_suara_bupati", 390), (lw.tps_a1, "kotak_suara", 2)],
        status=ShipmentStatus.IN_TRANSIT,
        departure=wita(2024, 11, 23, 8, 0),
        hours=30,
    )
    # A longboat to Busang, far behind its plan: at risk of missing H-1.
    lw.late = lw.shipment(
        "BUSANG01",
        stage=Stage.KPU_TO_PPK,
        destination=world.kec_b,
        items={"surat_suara_bupati": 800},
        mode=TransportMode.LONGBOAT,
        status=ShipmentStatus.IN_TRANSIT,
        departure=wita(2024, 11, 23, 6, 0),
        hours=90,
        actual_departure=wita(2024, 11, 23, 6, 0),
        last_lat=0.9,
        last_lon=116.4,
        last_position_at=wita(2024, 11, 24, 9, 0),
    )
    lw.kpps = lw.shipment(
        "KPPSA101",
        tps=lw.tps_a1,
        items={"surat_suara_bupati": 390, "kotak_suara": 2},
        status=ShipmentStatus.PLANNED,
        departure=wita(2024, 11, 25, 8, 0),
    )
    lw.replacement = ReplacementRequest.objects.create(
        shipment=lw.ppk,
        item=lw.items["surat_suara_bupati"],
        tps=lw.tps_a1,
        region=world.desa_a1,
        quantity=20,
        reason="kerusakan",
        assigned_agency=lw.kpu,
        deadline=wita(2024, 11, 26, 12, 0),
    )
    return lw


def login(client, user):
    client.force_login(user)
    return client


def row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-code="{re.escape(code)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {code}"
    return match.group(1)


# --- Overview ---------------------------------------------------------------------------------


def test_overview_requires_login(client, lw):
    response = client.get("/logistik/")

    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


@pytest.mark.parametrize("who", ["analyst", "leadership", "liaison", "kpu_liaison", "admin"])
def test_overview_opens_for_everyone_who_views(client, lw, who):
    response = login(client, getattr(lw, who)).get("/logistik/")

    assert response.status_code == 200


def test_field_monitors_are_sent_to_the_handover_page(client, lw):
    response = login(client, lw.monitor_tps).get("/logistik/")

    assert response.status_code == 302 and response["Location"] == "/logistik/serah-terima/"


def test_overview_shows_supply_per_kecamatan_at_risk_and_replacements(client, lw):
    html = login(client, lw.analyst).get("/logistik/").content.decode()

    sangatta = row(html, "64.08.04")
    assert "Sangatta Utara" in sangatta and 'href="/logistik/?region=64.08.04"' in sangatta
    assert re.search(r'class="num short" data-value="\d+" data-short', sangatta)  # red
    assert "Busang" in row(html, "64.08.06")
    risk = row(html, "BUSANG01")
    assert 'href="/logistik/pengiriman/BUSANG01/"' in risk
    assert 'data-value="1520"' in risk  # voters of the Busang TPS affected
    assert "terlambat" in risk or "sisa" in risk
    assert "Kerusakan" in html and "KPU Kutai Timur" in html  # the open replacement request
    assert 'id="logistics-chart-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert 'href="/logistik/ekspor/rekap.xlsx?region=64.08"' in html
    assert 'href="/logistik/ekspor/ringkasan.pdf?region=64.08"' in html
    assert "Batu Sopang" not in html  # another regency


def test_overview_drills_down_to_the_desa_of_a_kecamatan(client, lw, world):
    html = login(client, lw.analyst).get("/logistik/?region=64.08.04").content.decode()

    assert "Singa Gembara" in row(html, world.desa_a1.code)
    assert world.desa_a2.code in html
    assert "64.08.06.2001" not in html  # Busang's desa are not listed here
    assert "BUSANG01" not in html


def test_overview_of_a_region_outside_the_scope_is_404(client, lw, world):
    from siaga.accounts.choices import Role

    user = world.user(Role.LIAISON, scope=[world.kec_a], username="kec-a")
    c = login(client, user)

    assert c.get("/logistik/?region=64.08.06").status_code == 404
    assert c.get("/logistik/?region=64.01").status_code == 404
    html = c.get("/logistik/").content.decode()
    assert "Busang" not in html and "BUSANG01" not in html


def test_overview_queries_do_not_grow_with_shipments(client, lw, django_assert_max_num_queries):
    c = login(client, lw.analyst)
    c.get("/logistik/")  # warm the session and the content types
    with django_assert_max_num_queries(30) as first:
        c.get("/logistik/")
    for n in range(15):
        lw.shipment(f"MORE{n:04d}", tps=lw.tps_b1, items={"tinta": 1})
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert c.get("/logistik/").status_code == 200


# --- Shipment list and detail -------------------------------------------------------------------


def test_shipment_list_filters_by_status_stage_kecamatan_and_risk(client, lw):
    c = login(client, lw.analyst)

    def codes(query: str = "") -> set[str]:
        html = c.get("/logistik/pengiriman/" + query).content.decode()
        return set(re.findall(r'<tr data-code="([A-Z0-9]+)">', html))

    assert codes() == {"PPKSGT01", "BUSANG01", "KPPSA101"}
    assert codes("?status=planned") == {"KPPSA101"}
    assert codes("?stage=kpu_ppk") == {"PPKSGT01", "BUSANG01"}
    assert codes("?kecamatan=64.08.06") == {"BUSANG01"}
    assert codes("?at_risk=on") == {"BUSANG01"}


def test_shipment_list_queries_are_bounded(client, lw, django_assert_max_num_queries):
    for n in range(30):
        lw.shipment(f"LIST{n:04d}", tps=lw.tps_b1, items={"tinta": 1})
    c = login(client, lw.analyst)
    c.get("/logistik/pengiriman/")
    with django_assert_max_num_queries(8):
        response = c.get("/logistik/pengiriman/")

    assert response.status_code == 200 and response.content.decode().count("<tr data-code=") == 33


def test_field_monitor_lists_only_shipments_to_their_tps(client, lw):
    html = login(client, lw.monitor_tps).get("/logistik/pengiriman/").content.decode()

    assert "KPPSA101" in html and "BUSANG01" not in html


def test_shipment_detail_shows_lines_history_and_status_buttons_to_kpu(client, lw):
    html = login(client, lw.kpu_liaison).get("/logistik/pengiriman/PPKSGT01/").content.decode()

    assert "Surat suara bupati" in html and "390" in html
    assert 'action="/logistik/pengiriman/PPKSGT01/status/"' in html
    assert 'value="arrived"' in html and 'value="returned"' in html
    assert 'value="handed_over"' not in html  # set by a handover, not a button
    assert 'href="/logistik/pengiriman/PPKSGT01/ubah/"' in html


def test_shipment_detail_is_read_only_for_analysts(client, lw):
    html = login(client, lw.analyst).get("/logistik/pengiriman/PPKSGT01/").content.decode()

    assert "PPKSGT01" in html
    assert "/status/" not in html and "/ubah/" not in html


def test_shipment_outside_the_scope_is_404(client, lw, world):
    from siaga.accounts.choices import Role

    c = login(client, world.user(Role.LIAISON, scope=[world.kec_a], username="kec-a"))

    assert c.get("/logistik/pengiriman/BUSANG01/").status_code == 404
    assert c.get("/logistik/pengiriman/NOSUCH01/").status_code == 404
    assert login(client, lw.monitor_tps).get("/logistik/pengiriman/BUSANG01/").status_code == 404


# --- Editor and status --------------------------------------------------------------------------


def editor_post(**overrides) -> dict:
    data = {
        "code": "",
        "stage": Stage.PPK_TO_PPS,
        "origin": "64.08.04",
        "destination": "64.08.04.1001",
        "destination_tps": "",
        "mode": TransportMode.RIVER_BOAT,
        "carrier": "KM Sinar Sangatta",
        "escort": "Polsek Sangatta Utara",
        "planned_departure": "2024-11-25T07:00",
        "planned_arrival": "2024-11-25T11:30",
        "notes": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-item": "surat_suara_bupati",
        "lines-0-tps": "",
        "lines-0-quantity": "780",
        "lines-1-item": "tinta",
        "lines-1-tps": "",
        "lines-1-quantity": "2",
        "lines-2-item": "",
        "lines-2-tps": "",
        "lines-2-quantity": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["analyst", "leadership", "liaison", "monitor_tps"])
def test_only_logistics_editors_open_the_editor(client, lw, who):
    c = login(client, getattr(lw, who))

    assert c.get("/logistik/pengiriman/baru/").status_code == 404
    assert c.post("/logistik/pengiriman/baru/", editor_post()).status_code == 404
    assert c.get("/logistik/pengiriman/KPPSA101/ubah/").status_code in (404,)


def test_kpu_creates_a_shipment_through_the_service_with_an_audit_event(client, lw):
    c = login(client, lw.kpu_liaison)
    assert c.get("/logistik/pengiriman/baru/").status_code == 200

    response = c.post("/logistik/pengiriman/baru/", editor_post(code="SGK00001"))

    assert response.status_code == 302 and response["Location"] == "/logistik/pengiriman/SGK00001/"
    shipment = Shipment.objects.get(code="SGK00001")
    assert shipment.destination_region_id == "64.08.04.1001"
    assert shipment.planned_departure == wita(2024, 11, 25, 7, 0)
    assert sorted(shipment.lines.values_list("item__code", "quantity")) == [
        ("surat_suara_bupati", 780),
        ("tinta", 2),
    ]
    event = AuditEvent.objects.get(action="logistics.shipment.create", object_id=str(shipment.pk))
    assert event.actor == lw.kpu_liaison and event.channel == "web"


def test_a_refusal_of_the_service_is_shown_on_the_form(client, lw):
    c = login(client, lw.kpu_liaison)

    # A PPS leg must end at a desa, not a kecamatan.
    response = c.post("/logistik/pengiriman/baru/", editor_post(destination="64.08.06"))

    assert response.status_code == 200
    assert "harus" in response.content.decode()
    assert not Shipment.objects.filter(destination_region_id="64.08.06", stage="ppk_pps").exists()


def test_the_form_refuses_a_shipment_without_lines(client, lw):
    data = editor_post(**{"lines-0-item": "", "lines-0-quantity": "", "lines-1-item": ""})
    data["lines-1-quantity"] = ""

    response = login(client, lw.kpu_liaison).post("/logistik/pengiriman/baru/", data)

    assert response.status_code == 200 and "minimal satu barang" in response.content.decode()


def test_kpu_edits_the_plan_and_lines_through_the_service(client, lw):
    c = login(client, lw.kpu_liaison)
    page = c.get("/logistik/pengiriman/KPPSA101/ubah/").content.decode()
    assert 'value="KPPSA101"' in page and "disabled" in page

    data = editor_post(
        stage=Stage.PPS_TO_KPPS,
        carrier="Ojek desa",
        mode=TransportMode.FOOT,
        planned_departure="2024-11-25T09:00",
        planned_arrival="2024-11-25T10:00",
        **{
            "lines-INITIAL_FORMS": "2",
            "lines-0-quantity": "400",
            "lines-1-item": "kotak_suara",
            "lines-1-quantity": "2",
        },
    )
    response = c.post("/logistik/pengiriman/KPPSA101/ubah/", data)

    assert response.status_code == 302
    lw.kpps.refresh_from_db()
    assert lw.kpps.carrier == "Ojek desa" and lw.kpps.mode == TransportMode.FOOT
    assert lw.kpps.destination_tps == lw.tps_a1  # the route is fixed
    assert dict(lw.kpps.lines.values_list("item__code", "quantity")) == {
        "surat_suara_bupati": 400,
        "kotak_suara": 2,
    }
    assert AuditEvent.objects.filter(
        action="logistics.shipment.update", object_id=str(lw.kpps.pk)
    ).exists()


def test_status_buttons_move_a_shipment_through_the_service(client, lw):
    c = login(client, lw.kpu_liaison)

    response = c.post("/logistik/pengiriman/KPPSA101/status/", {"status": "loading"})

    assert response.status_code == 302
    lw.kpps.refresh_from_db()
    assert lw.kpps.status == ShipmentStatus.LOADING
    assert AuditEvent.objects.filter(
        action="logistics.shipment.status", object_id=str(lw.kpps.pk)
    ).exists()
    html = c.get("/logistik/pengiriman/KPPSA101/").content.decode()
    assert "Status diubah menjadi Dimuat" in html
    assert "logistics.shipment.status" in html  # the history from the audit trail


def test_a_refused_status_change_is_shown_and_changes_nothing(client, lw):
    c = login(client, lw.kpu_liaison)

    response = c.post("/logistik/pengiriman/KPPSA101/status/", {"status": "arrived"}, follow=True)

    assert "Status tidak dapat diubah" in response.content.decode()
    lw.kpps.refresh_from_db()
    assert lw.kpps.status == ShipmentStatus.PLANNED


def test_readers_cannot_change_a_status(client, lw):
    response = login(client, lw.analyst).post(
        "/logistik/pengiriman/KPPSA101/status/", {"status": "loading"}
    )

    assert response.status_code == 404
    lw.kpps.refresh_from_db()
    assert lw.kpps.status == ShipmentStatus.PLANNED


# --- The handover page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("monitor_tps", 200), ("kpu_liaison", 200), ("analyst", 404), ("leadership", 404)],
)
def test_handover_page_is_for_field_monitors_and_logistics_editors(client, lw, who, status):
    assert login(client, getattr(lw, who)).get("/logistik/serah-terima/").status_code == status


def test_handover_page_carries_its_config_and_is_installable(client, lw):
    c = login(client, lw.monitor_tps)
    html = c.get("/logistik/serah-terima/?kode=KPPSA101").content.decode()

    config = json.loads(re.search(r'id="handover-config"[^>]*>(.*?)</script>', html, re.S)[1])
    assert config["submitUrl"] == "/api/v1/logistics/handovers"
    assert config["shipmentUrl"] == "/api/v1/logistics/shipments/{code}"
    assert dt.datetime.fromisoformat(config["serverNow"]).date() == dt.date(2024, 11, 24)
    assert config["strings"]["queued"].startswith("Menunggu sinyal")
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert 'value="KPPSA101"' in html
    assert 'rel="manifest"' in html and "logistics/handover.js" in html

    manifest = c.get("/logistik/serah-terima/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert json.loads(manifest.content)["start_url"] == "/logistik/serah-terima/"
    worker = c.get("/logistik/serah-terima/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert b'"/logistik/serah-terima/"' in worker.content


# --- The situation room -------------------------------------------------------------------------


def test_situation_room_offers_the_logistics_layer_and_navigation(client, lw):
    html = login(client, lw.analyst).get("/").content.decode()

    config = json.loads(re.search(r'id="siaga-logistics-config">(.*?)</script>', html, re.S)[1])
    assert config["api"] == "/api/v1/openapi.json"
    assert config["shipmentUrl"] == "/logistik/pengiriman/CODE/"
    assert config["strings"]["toggle"] == "Logistik"
    assert 'href="/logistik/"' in html


def test_a_shipment_page_carries_a_qr_code_that_opens_its_handover(client, lw):
    import segno

    html = login(client, lw.kpu_liaison).get("/logistik/pengiriman/KPPSA101/").content.decode()
    url = "http://testserver/logistik/serah-terima/?kode=KPPSA101"
    assert f"<title>{url}</title>" in html
    expected = segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)
    assert expected in html  # the very symbol of that URL, not a placeholder
