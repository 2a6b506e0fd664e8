"""Sending notifications: ``notify`` writes inbox rows and queues outside deliveries in the
caller's transaction; ``deliveries_send`` (the ``siaga notify send`` worker) sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from siaga.core import clock
from siaga.notifications import channels as channel_registry
from siaga.notifications.models import Delivery, Notification

RETRY_DELAYS = [60, 300, 900, 3600]  # seconds after the 1st, 2nd, 3rd, 4th+ failure
MAX_ATTEMPTS = 8


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    obj=None,
) -> list[Notification]:
    """Tell each active recipient (deduplicated) in the inbox and through the outside channels."""
    now = clock.now()
    seen: set[int] = set()
    notes = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notes.append(
            Notification(
                recipient=user,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                urgent=urgent,
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                created_at=now,
            )
        )
    Notification.objects.bulk_create(notes)
    deliveries = []
    for channel in channel_registry.enabled_channels():
        for note in notes:
            address = channel.address_for_user(note.recipient)
            if address:
                deliveries.append(
                    Delivery(
                        notification=note,
                        channel=channel.name,
                        address=address,
                        subject=note.title,
                        body=f"{note.body}\n{note.url}".strip(),
                        next_attempt_at=now,
                    )
                )
    Delivery.objects.bulk_create(deliveries)
    return notes


def group_message(*, channel: str, address: str, subject: str, body: str) -> Delivery | None:
    """Queue a message to a group (an agency's Telegram group) rather than to a person;
    nothing (None) when the deployment has not enabled that channel.
    """
    if channel not in {c.name for c in channel_registry.enabled_channels()}:
        return None
    return Delivery.objects.create(
        channel=channel,
        address=address,
        subject=subject[:200],
        body=body,
        next_attempt_at=clock.now(),
    )


LEASE_SECONDS = 120  # a claimed delivery is not claimed again for this long


def deliveries_send(*, limit: int = 200) -> tuple[int, int]:
    """Send due deliveries; return (sent, failed this round). Safe to run from several workers.

    Due rows are claimed in a short transaction (their next attempt moved a lease ahead), then
    sent one by one outside it, so a slow mail server never holds a database lock, and a crash
    mid-batch re-sends nothing before the lease runs out.
    """
    now = clock.now()
    registry = {name: cls() for name, cls in channel_registry.REGISTRY.items()}
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(
            next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS)
        )
    sent = failed = 0
    for delivery in due:
        channel = registry.get(delivery.channel)
        delivery.attempts += 1
        try:
            if channel is None:
                raise RuntimeError(f"unknown channel {delivery.channel}")
            channel.send(address=delivery.address, subject=delivery.subject, body=delivery.body)
        except Exception as exc:  # noqa: BLE001 (any failure of a channel is retried)
            failed += 1
            delivery.last_error = str(exc)[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            delay = RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
            delivery.next_attempt_at = now + dt.timedelta(seconds=delay)
        else:
            sent += 1
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.last_error = ""
        delivery.save(
            update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"]
        )
    return sent, failed


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
