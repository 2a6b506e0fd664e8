"""WhatsApp replies go out over HTTP: a signed webhook message queues its reply as a delivery of
the ``whatsapp`` channel, once per wamid, and ``siaga notify send`` posts it to a real local HTTP
server standing in for the Graph API (``SIAGA_WHATSAPP_API_BASE``): the phone number id in the
path, the access token as a bearer token, Meta's text-message JSON as the body. Meta's refusals
are recorded on the delivery (without the token or the number) and tried again later."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core.cache import cache

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.channels import common
from siaga.incidents.models import Incident, ProcessedMessage
from siaga.notifications.channels import WhatsAppChannel, enabled_channels
from siaga.notifications.models import Delivery
from siaga.notifications.services import RETRY_DELAYS, deliveries_send, notify
from tests.http_standin import Received, StandIn
from tests.incidents.test_channel_whatsapp import (
    APP_SECRET,
    GOOD,
    WA_ID,
    payload,
    post,
    text_message,
)
from tests.notifications.conftest import free_port

TOKEN = "EAAGm0PX4ZCpsBAuji-Siaga-Token"
PHONE_ID = "106540352242922"
OK = (
    200,
    "application/json",
    json.dumps(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": WA_ID, "wa_id": WA_ID}],
            "messages": [{"id": "wamid.HBgLNjI4MTIzNDUwMDAwORUCABEYEjA="}],
        }
    ),
)


def meta_error(code: int, message: str, details: str = "") -> str:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Az8"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return json.dumps({"error": error})


@pytest.fixture
def graph_api():
    """The Graph API's stand-in: what it received, and the answers it gives in turn (then OK)."""
    with StandIn(default=OK) as api:
        yield api


@pytest.fixture
def chan(world, settings):
    """The WhatsApp webhook on (app secret), the demo categories, a fresh rate-limit cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siaga-whatsapp-delivery",
        }
    }
    cache.clear()
    settings.SIAGA_WHATSAPP_APP_SECRET = APP_SECRET
    Deployment.objects.get_or_create(
        regency=world.regency,
        defaults={"election_name": "Pilkada Kutai Timur 2024", "voting_day": dt.date(2024, 11, 27)},
    )
    categories_seed(context=AuditContext.cli())
    return world


@pytest.fixture
def whatsapp(settings, chan, graph_api):
    """Replies on: token and phone number id set, the Graph API stood in for. Notifications
    keep their default (inbox only): replies do not depend on SIAGA_NOTIFY_CHANNELS."""
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox"]
    settings.SIAGA_WHATSAPP_ACCESS_TOKEN = TOKEN
    settings.SIAGA_WHATSAPP_PHONE_NUMBER_ID = PHONE_ID
    settings.SIAGA_WHATSAPP_API_BASE = graph_api.url + "/"  # a trailing slash is forgiven
    return graph_api


def sent_text(received: Received) -> str:
    return received.json()["text"]["body"]


# --- the reply to a report ----------------------------------------------------------------------


def test_a_report_is_answered_with_its_ticket_through_the_cloud_api(whatsapp, client):
    response = post(client, payload(text_message(GOOD)))
    assert response.status_code == 200 and response.json() == {"received": 1}

    incident = Incident.objects.get()
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.address, delivery.status) == ("whatsapp", WA_ID, "pending")
    assert delivery.notification is None and delivery.subject == ""
    assert delivery.body == f"Laporan diterima, nomor {incident.ticket}. Simpan nomor ini."
    assert whatsapp.received == []  # queued by the webhook, sent by the worker

    assert deliveries_send() == (1, 0)

    (request,) = whatsapp.received
    assert request.path == f"/{PHONE_ID}/messages"
    assert request.authorization == f"Bearer {TOKEN}"
    assert request.content_type == "application/json"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {
            "preview_url": False,
            "body": f"Laporan diterima, nomor {incident.ticket}. Simpan nomor ini.",
        },
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None
    assert deliveries_send() == (0, 0) and len(whatsapp.received) == 1  # sent once only


def test_a_replayed_wamid_queues_and_sends_nothing_more(whatsapp, client):
    post(client, payload(text_message(GOOD)))
    assert deliveries_send() == (1, 0)

    for _ in range(2):  # Meta's retries of the same message, after and before the send
        assert post(client, payload(text_message(GOOD))).status_code == 200
    assert Delivery.objects.count() == 1 and Incident.objects.count() == 1
    assert deliveries_send() == (0, 0)
    assert len(whatsapp.received) == 1


def test_a_replay_before_the_send_still_queues_one_reply(whatsapp, client):
    post(client, payload(text_message(GOOD)))
    post(client, payload(text_message(GOOD)))
    assert Delivery.objects.count() == 1
    assert deliveries_send() == (1, 0)
    assert len(whatsapp.received) == 1


def test_help_and_status_replies_are_sent_too(whatsapp, client):
    post(client, payload(text_message(GOOD)))
    ticket = Incident.objects.get().ticket
    image = {**text_message("", "wamid.IMG"), "type": "image", "image": {"id": "1"}}
    post(
        client,
        payload(
            text_message("halo, ada kecurangan", "wamid.HELP"),
            image,
            text_message(f"cek {ticket}", "wamid.CEK"),
        ),
    )
    assert Delivery.objects.filter(channel="whatsapp", address=WA_ID).count() == 4

    assert deliveries_send() == (4, 0)

    texts = [sent_text(r) for r in whatsapp.received]
    assert texts[0].startswith(f"Laporan diterima, nomor {ticket}.")
    assert texts[1].startswith("Format: LAPOR <kode desa>")
    assert texts[2].startswith("Kirim laporan dalam bentuk teks. Format: LAPOR")
    assert texts[3].startswith(f"Laporan {ticket} (") and texts[3].endswith("status Diterima.")
    assert {r.json()["to"] for r in whatsapp.received} == {WA_ID}
    ids = ["wamid.A1", "wamid.HELP", "wamid.IMG", "wamid.CEK"]
    for message_id, text in zip(ids, texts, strict=True):
        assert ProcessedMessage.objects.get(message_id=message_id).reply == text


def test_each_sender_gets_its_own_reply(whatsapp, client):
    other = "6281299990000"
    post(client, payload(text_message(GOOD), text_message("halo", "wamid.B1", sender=other)))
    assert deliveries_send() == (2, 0)
    by_number = {r.json()["to"]: sent_text(r) for r in whatsapp.received}
    assert by_number[WA_ID].startswith("Laporan diterima")
    assert by_number[other].startswith("Format: LAPOR")


# --- when replies are off -----------------------------------------------------------------------


@pytest.mark.parametrize("unset", ["SIAGA_WHATSAPP_ACCESS_TOKEN", "SIAGA_WHATSAPP_PHONE_NUMBER_ID"])
def test_without_the_token_or_the_number_id_nothing_is_queued(whatsapp, client, settings, unset):
    setattr(settings, unset, "")
    response = post(client, payload(text_message(GOOD)))
    assert response.status_code == 200 and response.json() == {"received": 1}
    assert Incident.objects.count() == 1
    assert ProcessedMessage.objects.get().reply.startswith("Laporan diterima")
    assert not Delivery.objects.exists()
    assert deliveries_send() == (0, 0) and whatsapp.received == []


def test_a_sender_over_the_hourly_limit_gets_no_more_replies(whatsapp, client):
    limit = common.RATE_PER_HOUR["whatsapp"]
    post(client, payload(*[text_message("halo", f"wamid.R{n}") for n in range(limit + 3)]))
    assert ProcessedMessage.objects.count() == limit
    assert Delivery.objects.count() == limit


def test_whatsapp_is_never_a_notification_channel(whatsapp, settings, world):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "whatsapp"]
    user = world.user(Role.ANALYST, username="wa-analyst")
    user.phone = "0812 3450 0009"
    user.save()
    assert [c.name for c in enabled_channels()] == []
    notify(recipients=[user], kind="k", title="Judul", body="Isi")
    assert not Delivery.objects.exists()


# --- failures -----------------------------------------------------------------------------------


def test_a_400_is_recorded_with_metas_reason_and_retried_later(whatsapp, client):
    whatsapp.answers.append(
        (
            400,
            "application/json",
            meta_error(
                131030,
                "(#131030) Recipient phone number not in allowed list",
                f"Recipient phone number {WA_ID} not in allowed list: add it and try again.",
            ),
        )
    )
    post(client, payload(text_message(GOOD)))
    before = clock.now()

    assert deliveries_send() == (0, 1)

    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.sent_at is None
    assert delivery.last_error == (
        "WhatsApp answered 400: (#131030) Recipient phone number not in allowed list; "
        "Recipient phone number [redacted] not in allowed list: add it and try again."
    )
    assert TOKEN not in delivery.last_error and WA_ID not in delivery.last_error
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=RETRY_DELAYS[0])
    assert deliveries_send() == (0, 0)  # not due yet: the stand-in hears nothing more
    assert len(whatsapp.received) == 1

    Delivery.objects.update(next_attempt_at=clock.now())
    assert deliveries_send() == (1, 0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    first, again = whatsapp.received
    assert again.path == first.path and again.json() == first.json()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((500, "text/html", "<html>Internal Server Error</html>"), "WhatsApp answered 500: "),
        (
            (401, "application/json", meta_error(190, f"Invalid OAuth access token {TOKEN}")),
            "WhatsApp answered 401: (#190) Invalid OAuth access token [redacted]",
        ),
        (
            (429, "application/json", meta_error(130429, "(#130429) Rate limit hit")),
            "WhatsApp answered 429: (#130429) Rate limit hit",
        ),
        ((200, "application/json", '{"messaging_product": "whatsapp"}'), "WhatsApp refused"),
        ((200, "text/plain", "ok"), "WhatsApp refused the message: "),
    ],
)
def test_every_kind_of_failure_is_a_pending_retry_with_its_reason(whatsapp, client, answer, error):
    whatsapp.answers.append(answer)
    post(client, payload(text_message(GOOD)))
    assert deliveries_send() == (0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith(error)
    assert TOKEN not in delivery.last_error and WA_ID not in delivery.last_error
    assert delivery.next_attempt_at > clock.now()


def test_no_graph_api_listening_is_a_failed_attempt_too(whatsapp, client, settings):
    settings.SIAGA_WHATSAPP_API_BASE = f"http://127.0.0.1:{free_port()}/v21.0"  # nothing listens
    post(client, payload(text_message(GOOD)))
    assert deliveries_send() == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "refused" in delivery.last_error.lower()
    assert TOKEN not in delivery.last_error and WA_ID not in delivery.last_error


def test_a_reply_queued_while_replies_were_on_waits_for_the_token(whatsapp, client, settings):
    post(client, payload(text_message(GOOD)))
    settings.SIAGA_WHATSAPP_ACCESS_TOKEN = ""  # removed before the worker ran
    assert deliveries_send() == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and "SIAGA_WHATSAPP_ACCESS_TOKEN" in delivery.last_error
    assert whatsapp.received == []


def test_the_api_base_must_be_http_and_the_number_id_digits(settings):
    settings.SIAGA_WHATSAPP_ACCESS_TOKEN = TOKEN
    settings.SIAGA_WHATSAPP_PHONE_NUMBER_ID = PHONE_ID
    settings.SIAGA_WHATSAPP_API_BASE = "file:///etc"
    with pytest.raises(RuntimeError, match="http"):
        WhatsAppChannel().send(address=WA_ID, subject="", body="B")
    settings.SIAGA_WHATSAPP_API_BASE = "https://graph.facebook.com/v21.0"
    settings.SIAGA_WHATSAPP_PHONE_NUMBER_ID = "../me"
    with pytest.raises(RuntimeError, match="digits"):
        WhatsAppChannel().send(address=WA_ID, subject="", body="B")
    assert WhatsAppChannel(api_base="http://10.0.0.5:8081/v21.0/").api_base == (
        "http://10.0.0.5:8081/v21.0"
    )


def test_a_long_reply_is_cut_to_the_cloud_api_limit(whatsapp, settings):
    WhatsAppChannel().send(address=WA_ID, subject="Judul", body="x" * 5000)
    body = sent_text(whatsapp.received[0])
    assert len(body) == 4096 and body.startswith("Judul\nxxx")


# --- privacy ------------------------------------------------------------------------------------


def test_the_number_is_never_logged_and_kept_on_the_delivery_only(whatsapp, client, caplog):
    whatsapp.answers.append((400, "application/json", meta_error(131026, "Message undeliverable")))
    caplog.set_level(logging.DEBUG)
    post(client, payload(text_message(GOOD), text_message("halo", "wamid.H")))
    deliveries_send()
    Delivery.objects.update(next_attempt_at=clock.now())
    deliveries_send()
    assert WA_ID not in caplog.text and TOKEN not in caplog.text
    for delivery in Delivery.objects.all():
        assert delivery.address == WA_ID
        assert WA_ID not in delivery.subject + delivery.body + delivery.last_error
    for message in ProcessedMessage.objects.all():
        assert WA_ID not in message.reply
