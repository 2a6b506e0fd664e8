"""The logistics API: scoped lists with bounded queries, the idempotent handover endpoint."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from siaga.accounts.tokens import token_create
from siaga.core.audit import AuditContext
from siaga.logistics.choices import ShipmentStatus, Stage
from siaga.logistics.models import Handover, ReplacementRequest, Shipment
from tests.logistics.world import LogisticsWorld, wita


@pytest.fixture
def lw(world):
    return LogisticsWorld(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


def bearer(user) -> dict:
    _token, key = token_create(context=AuditContext(), user=user, name="t")
    return {"Authorization": f"Bearer {key}"}


def body(code="KPPS0001", key="k-1", received=390, **extra) -> dict:
    return {
        "shipment_code": code,
        "idempotency_key": key,
        "received_at": "2024-11-25T08:00:00+08:00",
        "handed_by": "Pak Anwar",
        "received_by": "Bu Sari",
        "lines": json.dumps(
            [
                {
                    "item": "surat_suara_bupati",
                    "received": received,
                    "missing": max(0, 390 - received),
                }
            ]
        ),
        **extra,
    }


@pytest.fixture
def shipment(lw):
    return lw.shipment("KPPS0001", tps=lw.tps_a1, items={"surat_suara_bupati": 390})


def test_a_token_client_posts_a_handover_without_csrf_and_a_retry_answers_200(lw, shipment):
    client = Client(enforce_csrf_checks=True)
    headers = bearer(lw.monitor_tps)
    first = client.post("/api/v1/logistics/handovers", body(), headers=headers)
    assert first.status_code == 201, first.content
    data = first.json()
    assert (
        data["created"] and data["shipment"] == "KPPS0001" and data["lines"][0]["received"] == 390
    )
    again = client.post("/api/v1/logistics/handovers", body(), headers=headers)
    assert again.status_code == 200 and not again.json()["created"]
    assert again.json()["id"] == data["id"] and Handover.objects.count() == 1


def test_a_session_client_needs_the_csrf_token(lw, shipment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lw.monitor_tps)
    refused = client.post("/api/v1/logistics/handovers", body())
    assert refused.status_code == 403 and Handover.objects.count() == 0
    client.get("/api/v1/me")  # sets no cookie by itself; fetch one the usual way
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    ok = client.post("/api/v1/logistics/handovers", body(), headers={"X-CSRFToken": token})
    assert ok.status_code == 201, ok.content


def test_a_handover_with_a_photo_and_a_shortage(lw, shipment, client):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "ba.jpg"
    response = client.post(
        "/api/v1/logistics/handovers",
        {**body(received=380), "photo": buffer, "lat": "0.51", "lon": "117.5"},
        headers=bearer(lw.monitor_tps),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["has_photo"] and data["lat"] == 0.51
    (request,) = data["replacements"]
    assert request["reason"] == "kekurangan" and request["quantity"] == 10
    assert request["assigned_agency"] == "KPU Kutai Timur"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"received": 391}, 400, "lines[0].received"),
        ({"received": -1}, 400, "lines[0].received"),
        ({"code": "NOPE2345"}, 404, "shipment_code"),
        ({"lines": "not json"}, 422, "lines"),
    ],
)
def test_refusals_answer_with_the_message_and_change_nothing(
    lw, shipment, client, change, status, field
):
    data = body(**{k: v for k, v in change.items() if k in ("code", "received")})
    if "lines" in change:
        data["lines"] = change["lines"]
    response = client.post("/api/v1/logistics/handovers", data, headers=bearer(lw.monitor_tps))
    assert response.status_code == status, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert Handover.objects.count() == 0
    assert Shipment.objects.get().status == ShipmentStatus.IN_TRANSIT


def test_a_photo_that_is_not_an_image_is_refused(lw, shipment, client):
    fake = io.BytesIO(b"MZ\x90\x00 an executable")
    fake.name = "ba.jpg"
    response = client.post(
        "/api/v1/logistics/handovers", {**body(), "photo": fake}, headers=bearer(lw.monitor_tps)
    )
    assert response.status_code == 400 and response.json()["field"] == "photo"
    assert "bukan gambar" in response.json()["detail"] and Handover.objects.count() == 0


def test_a_reader_gets_403_and_an_outsider_404(lw, shipment, client, world):
    from siaga.accounts.choices import Role

    response = client.post("/api/v1/logistics/handovers", body(), headers=bearer(lw.analyst))
    assert response.status_code == 403
    outsider = world.user(Role.ADMIN, scope=[world.kec_b], username="admin-b")
    response = client.post("/api/v1/logistics/handovers", body(), headers=bearer(outsider))
    assert response.status_code == 404
    assert Handover.objects.count() == 0


def test_the_shipment_list_filters_and_keeps_its_queries_bounded(
    lw, world, client, django_assert_max_num_queries
):
    for n in range(30):
        lw.shipment(f"S{n:04d}", tps=lw.tps_a1 if n % 2 else lw.tps_b1, items={"tinta": 1})
    lw.shipment("PPK00001", stage=Stage.KPU_TO_PPK, destination=world.kec_b, status="planned")
    headers = bearer(lw.analyst)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/logistics/shipments?page_size=100", headers=headers)
    assert response.json()["count"] == 31
    item = response.json()["items"][0]
    assert {"code", "stage", "status", "origin", "destination", "destination_tps"} <= set(item)
    filtered = client.get(
        f"/api/v1/logistics/shipments?region={world.kec_b.code}&status=planned", headers=headers
    ).json()
    assert [s["code"] for s in filtered["items"]] == ["PPK00001"]


def test_the_shipment_detail_has_lines_and_handovers(lw, shipment, client):
    headers = bearer(lw.monitor_tps)
    client.post("/api/v1/logistics/handovers", body(received=389), headers=headers)
    data = client.get("/api/v1/logistics/shipments/kt-kpps0001", headers=headers).json()
    assert data["lines"][0]["quantity"] == 390
    assert data["handovers"][0]["lines"][0]["received"] == 389
    assert data["handovers"][0]["replacements"][0]["quantity"] == 1
    assert client.get("/api/v1/logistics/shipments/NOPE", headers=headers).status_code == 404


def test_reconciliation_at_risk_replacements_and_layer(lw, world, shipment, client):
    from siaga.core import clock
    from siaga.core.models import Deployment

    headers = bearer(lw.analyst)
    data = client.get("/api/v1/logistics/reconciliation", headers=headers).json()
    assert data["region"]["code"] == "64.08" and data["total"]["tps"] == 8
    assert [c["code"] for c in data["children"]] == ["64.08.04", "64.08.06"]
    assert len(data["ballot_short"]) == 8
    assert {i["item"] for i in data["ballot_short"][0]["items"]} == {
        "surat_suara_bupati",
        "surat_suara_gubernur",
    }
    assert (
        client.get("/api/v1/logistics/reconciliation?region=64.01", headers=headers).status_code
        == 404
    )

    # The clock of the deployment plays the day before H-1.
    deployment = Deployment.objects.get()
    deployment.clock_offset_seconds = clock.offset_for(wita(2024, 11, 26, 12))
    deployment.save()
    clock.clear_cache()
    lw.shipment("LATE0001", tps=lw.tps_b1, departure=wita(2024, 11, 26, 20), hours=6)
    rows = client.get("/api/v1/logistics/at-risk", headers=headers).json()
    # KPPS0001 was due on 24 November: late; LATE0001 will miss H-1 by more.
    assert [r["shipment"]["code"] for r in rows] == ["LATE0001", "KPPS0001"]
    assert rows[0]["at_risk"] and rows[1]["late"]
    layer = client.get("/api/v1/logistics/layer?region=64.08", headers=headers).json()
    assert {s["code"] for s in layer["shipments"]} == {"KPPS0001", "LATE0001"}
    ReplacementRequest.objects.create(
        shipment=shipment,
        item=lw.items["tinta"],
        region=world.desa_a1,
        quantity=1,
        reason="kerusakan",
        assigned_agency=lw.kpu,
        deadline=wita(2024, 11, 26, 23, 59),
    )
    page = client.get("/api/v1/logistics/replacements", headers=headers).json()
    assert page["count"] == 1 and page["items"][0]["reason_label"]
    filtered = client.get("/api/v1/logistics/shipments?at_risk=true", headers=headers).json()
    assert {s["code"] for s in filtered["items"]} == {"KPPS0001", "LATE0001"}
