"""Notifications: inbox rows, queued deliveries, and sending them through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from django.core.management import call_command

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.notifications.models import Delivery, Notification
from siaga.notifications.services import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    deliveries_send,
    group_message,
    notify,
    unread_count,
)


@pytest.fixture
def people(world):
    analyst = world.user(Role.ANALYST, username="nt-analyst")
    analyst.email, analyst.telegram_chat_id = "analis@siaga.test", "5551"
    analyst.save()
    liaison = world.user(Role.LIAISON, username="nt-liaison")  # no email, no chat id
    gone = world.user(Role.LIAISON, username="nt-gone")
    gone.email, gone.is_active = "gone@siaga.test", False
    gone.save()
    return analyst, liaison, gone


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_notify_writes_one_inbox_row_per_active_person(people, settings):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox"]
    analyst, liaison, gone = people
    notes = notify(
        recipients=[analyst, liaison, analyst, gone, None],
        kind="incident.new",
        title="Laporan tinggi LK-ABC234",
        body="Amplop",
        url="/insiden/LK-ABC234/",
        urgent=True,
        obj=analyst,
    )
    assert [n.recipient for n in notes] == [analyst, liaison]
    assert Notification.objects.count() == 2
    row = Notification.objects.get(recipient=analyst)
    assert (row.kind, row.urgent, row.object_type, row.object_id) == (
        "incident.new",
        True,
        "accounts.user",
        str(analyst.pk),
    )
    assert Delivery.objects.count() == 0  # only the inbox is enabled
    assert unread_count(analyst) == 1 and unread_count(gone) == 0


def test_deliveries_are_queued_for_enabled_channels_with_an_address(people, settings):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "email", "telegram", "pigeon"]
    analyst, liaison, _ = people
    notify(recipients=[analyst, liaison], kind="k", title="Judul", body="Isi", url="/x/")
    rows = {(d.channel, d.address) for d in Delivery.objects.all()}
    assert rows == {("email", "analis@siaga.test"), ("telegram", "5551")}
    delivery = Delivery.objects.get(channel="email")
    assert delivery.notification.recipient == analyst
    assert (delivery.subject, delivery.body, delivery.status) == ("Judul", "Isi\n/x/", "pending")
    assert delivery.next_attempt_at <= clock.now()

    Delivery.objects.all().delete()
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "email"]
    notify(recipients=[analyst], kind="k", title="Judul")
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_a_group_message_is_queued_only_for_an_enabled_channel(db, settings):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox"]
    assert group_message(channel="telegram", address="-100", subject="S", body="") is None
    assert not Delivery.objects.exists()
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "telegram"]
    queued = group_message(channel="telegram", address="-100", subject="S" * 300, body="")
    assert queued.notification is None and len(queued.subject) == 200


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port, collecting what it receives."""
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")

    class Collector:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
            self.messages.append(envelope)
            return "250 OK"

    handler = Collector()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings):
    """``smtp_settings(port)``: send email through real SMTP on 127.0.0.1:port.

    Django's test runner swaps in the locmem backend; this puts SMTP back, through MAILERS
    (Django 6.1) or the older EMAIL_BACKEND settings, whichever the project uses.
    """
    settings.DEFAULT_FROM_EMAIL = "siaga@kutaitimur.test"
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "email"]

    def use(port: int) -> None:
        if hasattr(settings, "MAILERS"):
            settings.MAILERS = {
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
                }
            }
        else:  # pragma: no cover - the settings before MAILERS
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5

    return use


def test_an_email_delivery_arrives_through_a_real_smtp_server(people, smtp_server, smtp_settings):
    controller, handler = smtp_server
    smtp_settings(controller.port)
    analyst, liaison, _ = people
    notify(
        recipients=[analyst, liaison],
        kind="incident.escalated",
        title="ESKALASI: laporan LK-7K3M9Q belum diverifikasi",
        body="Kekerasan, Singa Gembara",
        url="/insiden/LK-7K3M9Q/",
    )
    assert deliveries_send() == (1, 0)
    for _ in range(50):  # the server thread stores the message right after answering
        if handler.messages:
            break
        time.sleep(0.02)
    [envelope] = handler.messages
    assert envelope.rcpt_tos == ["analis@siaga.test"]
    assert envelope.mail_from == "siaga@kutaitimur.test"
    text = envelope.content.decode()
    assert "Subject: ESKALASI: laporan LK-7K3M9Q belum diverifikasi" in text
    assert "/insiden/LK-7K3M9Q/" in text
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None
    assert deliveries_send() == (0, 0)  # sent once only
    assert len(handler.messages) == 1


def test_a_failing_channel_is_retried_with_backoff_then_given_up(people, smtp_settings):
    smtp_settings(free_port())  # nothing listens there
    analyst, _, _ = people
    notify(recipients=[analyst], kind="k", title="Judul", body="Isi")
    delivery = Delivery.objects.get()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=clock.now())
        before = clock.now()
        assert deliveries_send() == (0, 1)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_error  # e.g. "[Errno 111] Connection refused"
        delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        assert before + dt.timedelta(seconds=delay) <= delivery.next_attempt_at
        assert delivery.next_attempt_at <= clock.now() + dt.timedelta(seconds=delay)
        if attempt < MAX_ATTEMPTS:
            assert delivery.status == "pending", attempt
            assert deliveries_send() == (0, 0)  # not due yet
    assert delivery.status == "failed"
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=clock.now())
    assert deliveries_send() == (0, 0)  # a failed delivery is not tried again


def test_a_delivery_due_later_waits_for_the_clock(people, smtp_settings, world):
    from siaga.core.models import Deployment

    analyst, _, _ = people
    notify(recipients=[analyst], kind="k", title="Judul")
    Delivery.objects.update(next_attempt_at=clock.now() + dt.timedelta(minutes=5))
    smtp_settings(free_port())
    assert deliveries_send() == (0, 0)
    Deployment.objects.create(
        regency=world.regency, election_name="Pilkada", voting_day=clock.today(),
        clock_offset_seconds=600,
    )  # fmt: skip
    clock.clear_cache()
    assert deliveries_send() == (0, 1)


def test_an_unknown_channel_fails_without_stopping_the_others(people, smtp_server, smtp_settings):
    controller, handler = smtp_server
    smtp_settings(controller.port)
    analyst, _, _ = people
    Delivery.objects.create(
        channel="pigeon", address="x", subject="S", body="B", next_attempt_at=clock.now()
    )
    notify(recipients=[analyst], kind="k", title="Judul")
    assert deliveries_send() == (1, 1)
    assert Delivery.objects.get(channel="pigeon").last_error == "unknown channel pigeon"


def test_the_send_command_prints_what_it_did(people, smtp_server, smtp_settings, capsys):
    controller, _ = smtp_server
    smtp_settings(controller.port)
    analyst, _, _ = people
    notify(recipients=[analyst], kind="k", title="Judul")
    call_command("notify", "send")
    assert capsys.readouterr().out.strip() == "1 sent, 0 failed."
    call_command("notify", "send")
    assert capsys.readouterr().out.strip() == "0 sent, 0 failed."
