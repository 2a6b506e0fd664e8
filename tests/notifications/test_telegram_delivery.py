"""Telegram deliveries go out over HTTP: a real local HTTP server stands in for the Bot API
(``SIAGA_TELEGRAM_API_BASE``), receives sendMessage with the bot token in its path and the chat
and text in its JSON body, and its refusals are recorded on the delivery, which is tried again
later, as an email is (tests/notifications/test_delivery.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.notifications.channels import TelegramChannel
from siaga.notifications.models import Delivery
from siaga.notifications.services import RETRY_DELAYS, deliveries_send, group_message, notify
from tests.http_standin import StandIn
from tests.notifications.conftest import free_port

TOKEN = "7012345678:AAH-uji_Token-Siaga"
OK = (200, "application/json", json.dumps({"ok": True, "result": {"message_id": 1}}))


@pytest.fixture
def bot_api():
    """The Bot API's stand-in: what it received, and the answers it gives in turn (then OK)."""
    with StandIn(default=OK) as api:
        yield api


@pytest.fixture
def telegram(settings, bot_api):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "telegram"]
    settings.SIAGA_TELEGRAM_BOT_TOKEN = TOKEN
    settings.SIAGA_TELEGRAM_API_BASE = bot_api.url + "/"  # a trailing slash is forgiven
    return bot_api


@pytest.fixture
def analyst(world):
    user = world.user(Role.ANALYST, username="tg-analyst")
    user.telegram_chat_id = "5551"
    user.save()
    return user


def test_a_notification_reaches_the_bot_api_with_the_token_the_chat_and_the_text(telegram, analyst):
    notify(
        recipients=[analyst],
        kind="incident.escalated",
        title="ESKALASI: laporan LK-7K3M9Q belum diverifikasi",
        body="Kekerasan, Singa Gembara",
        url="/insiden/LK-7K3M9Q/",
    )
    group_message(
        channel="telegram", address="-1001234567890", subject="Polres: 1 laporan", body=""
    )
    assert Delivery.objects.filter(channel="telegram").count() == 2

    assert deliveries_send() == (2, 0)

    first, second = telegram.received
    assert first.method == "POST"
    assert first.path == f"/bot{TOKEN}/sendMessage"
    assert first.content_type == "application/json"
    assert first.json() == {
        "chat_id": "5551",
        "text": "ESKALASI: laporan LK-7K3M9Q belum diverifikasi\n"
        "Kekerasan, Singa Gembara\n/insiden/LK-7K3M9Q/",
    }
    assert second.path == f"/bot{TOKEN}/sendMessage"
    assert second.json() == {"chat_id": "-1001234567890", "text": "Polres: 1 laporan"}
    for delivery in Delivery.objects.all():
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
        assert delivery.sent_at is not None
    assert deliveries_send() == (0, 0)  # sent once only
    assert len(telegram.received) == 2


def test_a_refusal_is_recorded_and_the_message_is_sent_again_later(telegram, analyst):
    telegram.answers.append(
        (
            400,
            "application/json",
            json.dumps(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            ),
        )
    )
    notify(recipients=[analyst], kind="k", title="Judul", body="Isi")
    before = clock.now()

    assert deliveries_send() == (0, 1)

    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.sent_at is None
    assert delivery.last_error == "Telegram answered 400: Bad Request: chat not found"
    assert TOKEN not in delivery.last_error
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=RETRY_DELAYS[0])
    assert deliveries_send() == (0, 0)  # not due yet: the server hears nothing more
    assert len(telegram.received) == 1

    # The retry, once due, carries the same message and is accepted.
    Delivery.objects.update(next_attempt_at=clock.now())
    assert deliveries_send() == (1, 0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    first, again = telegram.received
    assert again.path == first.path == f"/bot{TOKEN}/sendMessage"
    assert again.json() == first.json() == {"chat_id": "5551", "text": "Judul\nIsi"}


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((502, "text/html", "<html>Bad Gateway</html>"), "Telegram answered 502: Bad Gateway"),
        (
            (429, "application/json", '{"ok": false, "description": "Too Many Requests"}'),
            "Telegram answered 429: Too Many Requests",
        ),
        (
            (200, "application/json", '{"ok": false, "description": "Forbidden: bot was kicked"}'),
            "Telegram refused the message: Forbidden: bot was kicked",
        ),
        ((200, "text/plain", "ok"), "Telegram refused the message: "),
    ],
)
def test_every_kind_of_failure_is_a_failed_attempt_with_its_reason(
    telegram, analyst, answer, error
):
    telegram.answers.append(answer)
    notify(recipients=[analyst], kind="k", title="Judul")
    assert deliveries_send() == (0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, error)
    assert len(telegram.received) == 1


def test_no_bot_api_listening_is_a_failed_attempt_too(settings, analyst):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "telegram"]
    settings.SIAGA_TELEGRAM_BOT_TOKEN = TOKEN
    settings.SIAGA_TELEGRAM_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens
    notify(recipients=[analyst], kind="k", title="Judul")
    assert deliveries_send() == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "refused" in delivery.last_error.lower() and TOKEN not in delivery.last_error


def test_the_api_base_must_be_http(settings):
    settings.SIAGA_TELEGRAM_BOT_TOKEN = TOKEN
    settings.SIAGA_TELEGRAM_API_BASE = "file:///etc"
    with pytest.raises(RuntimeError, match="http"):
        TelegramChannel().send(address="5551", subject="S", body="B")
    assert TelegramChannel().api_base == "file:///etc"
    assert TelegramChannel(api_base="http://10.0.0.5:8081/").api_base == "http://10.0.0.5:8081"
