"""WhatsApp Cloud API: the verification handshake and the signed message webhook."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.channels import common
from siaga.incidents.models import Incident, ProcessedMessage
from siaga.notifications.models import Delivery

APP_SECRET = "wa-app-secret"
VERIFY = "wa-verify-token"
WA_ID = "6281234500009"
GOOD = "LAPOR 64.08.06.2001 TPS 1 NETRALITAS kepala desa ikut kampanye"


@pytest.fixture
def chan(world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siaga-channels-whatsapp",
        }
    }
    cache.clear()
    settings.SIAGA_WHATSAPP_APP_SECRET = APP_SECRET
    settings.SIAGA_WHATSAPP_VERIFY_TOKEN = VERIFY
    Deployment.objects.get_or_create(
        regency=world.regency,
        defaults={"election_name": "Pilkada Kutai Timur 2024", "voting_day": dt.date(2024, 11, 27)},
    )
    categories_seed(context=AuditContext.cli())
    return world


def payload(*messages, statuses=()) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "106540352242922"},
                            "contacts": [{"profile": {"name": "Warga"}, "wa_id": WA_ID}],
                            "messages": list(messages),
                            "statuses": list(statuses),
                        },
                    }
                ],
            }
        ],
    }


def text_message(body: str, message_id="wamid.A1", sender=WA_ID) -> dict:
    return {
        "from": sender,
        "id": message_id,
        "timestamp": "1732680000",
        "type": "text",
        "text": {"body": body},
    }


def post(client, body, *, secret=APP_SECRET, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    mac = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature if signature is not None else f"sha256={mac}"}
    return client.post(
        reverse("webhooks:whatsapp"), raw, content_type="application/json", **headers
    )


def reply(message_id="wamid.A1") -> str:
    return ProcessedMessage.objects.get(channel="whatsapp", message_id=message_id).reply


# --- verification handshake ---------------------------------------------------------------------


def test_the_handshake_echoes_the_challenge(chan, client):
    response = client.get(
        reverse("webhooks:whatsapp"),
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200 and response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {},
    ],
)
def test_a_wrong_handshake_is_403(chan, client, query):
    assert client.get(reverse("webhooks:whatsapp"), query).status_code == 403


def test_the_channel_is_off_without_its_secrets(client, settings):
    settings.SIAGA_WHATSAPP_VERIFY_TOKEN = ""
    settings.SIAGA_WHATSAPP_APP_SECRET = ""
    assert client.get(reverse("webhooks:whatsapp")).status_code == 503
    assert post(client, payload(), secret="").status_code == 503


def test_no_csrf_token_is_needed(chan):
    response = post(Client(enforce_csrf_checks=True), payload(text_message(GOOD)))
    assert response.status_code == 200 and Incident.objects.count() == 1


def test_other_methods_are_not_allowed(client):
    assert client.put(reverse("webhooks:whatsapp")).status_code == 405


# --- messages -----------------------------------------------------------------------------------


def test_a_valid_message_lands_once_with_its_reply_stored(chan, client):
    response = post(client, payload(text_message(GOOD)))
    assert response.status_code == 200 and response.json() == {"received": 1}
    incident = Incident.objects.get()
    assert incident.channel == "whatsapp" and incident.category.code == "netralitas"
    assert incident.region_id == "64.08.06.2001" and incident.tps.number == 1
    assert incident.reporter is None and incident.reporter_contact == "+6281234500009"
    assert reply() == f"Laporan diterima, nomor {incident.ticket}. Simpan nomor ini."
    assert not Delivery.objects.exists()  # replies off: no access token, no phone number id


def test_a_replayed_message_stores_one_report(chan, client):
    post(client, payload(text_message(GOOD)))
    first = reply()
    assert post(client, payload(text_message(GOOD))).status_code == 200
    assert Incident.objects.count() == 1 and reply() == first


def test_a_bad_message_gets_the_format_as_reply(chan, client):
    post(client, payload(text_message("halo, ada kecurangan"), {**text_message("", "wamid.I"),
         "type": "image", "image": {"id": "1"}}))  # fmt: skip
    assert reply().startswith("Format: LAPOR <kode desa>")
    assert reply("wamid.I").startswith("Kirim laporan dalam bentuk teks.")
    assert not Incident.objects.exists()


def test_delivery_statuses_are_acknowledged(chan, client):
    response = post(client, payload(statuses=[{"id": "wamid.X", "status": "delivered"}]))
    assert response.status_code == 200 and response.json() == {"received": 0}
    assert not ProcessedMessage.objects.exists()


def test_check_answers_only_the_reporting_number(chan, client):
    post(client, payload(text_message(GOOD)))
    ticket = Incident.objects.get().ticket
    post(client, payload(text_message(f"cek {ticket}", "wamid.C1")))
    assert reply("wamid.C1").endswith("status Diterima.")
    post(client, payload(text_message(f"cek {ticket}", "wamid.C2", sender="6281299990000")))
    assert reply("wamid.C2") == f"Laporan {ticket} tidak ditemukan untuk pengirim ini."


def test_a_known_users_number_reports_as_that_user(chan, client):
    world = chan
    user = world.user(Role.FIELD_MONITOR, scope=[world.desa_b1], username="mon-wa")
    user.phone = "0812 3450 0009"
    user.save()
    post(client, payload(text_message(GOOD)))
    assert Incident.objects.get().reporter == user


@pytest.mark.parametrize("signature", ["", "sha256=deadbeef", "sha1=abc"])
def test_forged_or_unsigned_posts_are_403(chan, client, signature):
    response = post(client, payload(text_message(GOOD)), signature=signature)
    assert response.status_code == 403
    assert not Incident.objects.exists() and not ProcessedMessage.objects.exists()


def test_a_post_signed_with_another_secret_is_403(chan, client):
    assert post(client, payload(text_message(GOOD)), secret="other").status_code == 403


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"entry": {}}', b'{"entry": [{"changes": [{"value": 3}]}]}',
     json.dumps(payload({"type": "text", "text": {"body": "x"}})).encode()],
)  # fmt: skip
def test_a_malformed_payload_is_400(chan, client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json() == {"error": "Isi webhook WhatsApp tidak sah."}


def test_an_oversize_payload_is_413(chan, client):
    response = post(client, payload(text_message(GOOD + " " + "x" * 70_000)))
    assert response.status_code == 413 and not Incident.objects.exists()


def test_a_number_is_limited_per_hour(chan, client):
    limit = common.RATE_PER_HOUR["whatsapp"]
    post(client, payload(*[text_message("halo", f"wamid.R{n}") for n in range(limit + 1)]))
    assert ProcessedMessage.objects.count() == limit
    assert not ProcessedMessage.objects.filter(message_id=f"wamid.R{limit}").exists()


# --- replies (sent by siaga notify send: tests/notifications/test_whatsapp_delivery.py) ---------


@pytest.fixture
def replies(chan, settings):
    settings.SIAGA_WHATSAPP_ACCESS_TOKEN = "EAAG-token"
    settings.SIAGA_WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    return chan


def test_each_message_queues_one_reply_to_its_sender(replies, client):
    post(client, payload(text_message(GOOD), text_message("halo", "wamid.H")))
    post(client, payload(text_message(GOOD), text_message("halo", "wamid.H")))  # Meta's retry
    deliveries = list(Delivery.objects.order_by("pk"))
    assert [(d.channel, d.address, d.body) for d in deliveries] == [
        ("whatsapp", WA_ID, reply()),
        ("whatsapp", WA_ID, reply("wamid.H")),
    ]


def test_a_racing_copy_of_a_message_rolls_its_reply_back(replies, client, monkeypatch):
    post(client, payload(text_message(GOOD)))
    assert Delivery.objects.count() == 1
    # the second copy passes the replay check before the first one's row is visible: the unique
    # (channel, message_id) refuses it, and its report and its reply are rolled back together
    real, calls = common.processed_reply, []

    def misses_twice(channel, message_id):  # the webhook's check, then process_once's
        calls.append(message_id)
        return None if len(calls) <= 2 else real(channel, message_id)

    monkeypatch.setattr(common, "processed_reply", misses_twice)
    assert post(client, payload(text_message(GOOD))).status_code == 200
    assert len(calls) == 3  # the refused insert looked the winner's reply up
    assert Delivery.objects.count() == 1 and Incident.objects.count() == 1


def test_a_sender_that_is_not_a_number_gets_no_reply(replies, client):
    post(client, payload(text_message("halo", sender="not-a-wa-id")))
    assert ProcessedMessage.objects.count() == 1 and not Delivery.objects.exists()
