"""Notifications: inbox rows, queued deliveries, and sending them through a real SMTP server."""

from __future__ import annotations

import datetime as dt
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
from tests.notifications.conftest import free_port


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


def _arrived(handler, count: int = 1) -> list:
    for _ in range(100):  # the server thread stores the message right after answering
        if len(handler.messages) >= count:
            break
        time.sleep(0.02)
    return handler.messages


def test_an_email_held_by_quiet_hours_arrives_by_smtp_when_they_end(
    people, smtp_server, smtp_settings, set_clock
):
    from email import message_from_bytes, policy

    from siaga.notifications.services import preference_update
    from tests.notifications.conftest import wita

    controller, handler = smtp_server
    smtp_settings(controller.port)
    analyst, _, _ = people
    preference_update(user=analyst, quiet_start=dt.time(22, 0), quiet_end=dt.time(6, 0))
    set_clock(wita(2024, 11, 26, 23, 30))
    notify(
        recipients=[analyst],
        kind="risk.alert",
        title="Kerawanan TPS 001 Singa Gembara naik",
        body="Skor 0,82 (sangat rawan)",
        url="/risiko/tps/1/",
    )
    assert deliveries_send() == (0, 0)
    set_clock(wita(2024, 11, 27, 6, 0, 30))
    assert deliveries_send() == (1, 0)
    [envelope] = _arrived(handler)
    assert envelope.rcpt_tos == ["analis@siaga.test"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Kerawanan TPS 001 Singa Gembara naik"
    assert message["To"] == "analis@siaga.test"
    body = message.get_content().replace("\r\n", "\n").strip()  # SMTP lines end in CRLF
    assert body == "Skor 0,82 (sangat rawan)\n/risiko/tps/1/"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at >= wita(2024, 11, 27, 6, 0)  # on the moved clock, not before


def test_a_refused_smtp_server_keeps_a_released_delivery_queued_for_retry(
    people, smtp_settings, set_clock
):
    from siaga.notifications.services import preference_update
    from tests.notifications.conftest import wita

    smtp_settings(free_port())  # nothing listens there: the connection is refused
    analyst, _, _ = people
    preference_update(user=analyst, quiet_start=dt.time(22, 0), quiet_end=dt.time(6, 0))
    set_clock(wita(2024, 11, 26, 23, 30))
    notify(recipients=[analyst], kind="risk.alert", title="Judul", body="Isi")
    set_clock(wita(2024, 11, 27, 6, 0, 30))
    before = clock.now()
    assert deliveries_send() == (0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error  # e.g. "[Errno 111] Connection refused"
    assert delivery.not_before == wita(2024, 11, 27, 6, 0)  # why it waited, kept
    first_retry = dt.timedelta(seconds=RETRY_DELAYS[0])
    assert before + first_retry <= delivery.next_attempt_at <= clock.now() + first_retry
    assert deliveries_send() == (0, 0)  # not due again before its retry time
