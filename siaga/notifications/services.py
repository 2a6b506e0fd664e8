"""Sending notifications: ``notify`` writes inbox rows and queues outside deliveries in the
caller's transaction; ``deliveries_send`` (the ``siaga notify send`` worker) sends them.

Each person's ``NotificationPreference`` shapes the outside deliveries only: a channel they
turned off and a kind they muted get none, and a non-urgent message in their quiet hours waits
(``Delivery.not_before``) until the hours end. The inbox always gets everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from siaga.core import clock
from siaga.notifications import channels as channel_registry
from siaga.notifications.models import Delivery, Notification, NotificationPreference
from siaga.notifications.quiet import quiet_until, quiet_window_check

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
    channels = channel_registry.enabled_channels()
    if not notes or not channels:
        return notes
    prefs = preferences_for(users=[note.recipient for note in notes])
    local_now = clock.local_now()
    deliveries = []
    for note in notes:
        pref = prefs[note.recipient.pk]
        if kind in pref.muted_kinds:
            continue
        held_until = None
        if not (urgent and pref.urgent_ignores_quiet):
            held_until = quiet_until(local_now, pref.quiet_start, pref.quiet_end)
        for channel in channels:
            if channel.name in pref.channels_off:
                continue
            address = channel.address_for_user(note.recipient)
            if address:
                deliveries.append(
                    Delivery(
                        notification=note,
                        channel=channel.name,
                        address=address,
                        subject=note.title,
                        body=f"{note.body}\n{note.url}".strip(),
                        not_before=held_until,
                        next_attempt_at=held_until or now,
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
    return address_message(channel=channel, address=address, subject=subject, body=body)


def address_message(*, channel: str, address: str, body: str, subject: str = "") -> Delivery:
    """Queue a message to an address (a reply to whoever wrote in, e.g. a WhatsApp number)
    through ``channel``, whether or not the deployment notifies through it: the caller decides.
    Sent by ``deliveries_send`` like any delivery, with the same retries; the caller's
    transaction holds it.
    """
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
    mid-batch re-sends nothing before the lease runs out. A delivery held by quiet hours
    (``not_before`` in the future) is not due, whatever its retry state says.
    """
    now = clock.now()
    registry = channel_registry.sending_channels()
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
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


# --- preferences ---------------------------------------------------------------------------------


def preferences_for(*, users: Iterable) -> dict[int, NotificationPreference]:
    """Each user's preference by user id, in one query; the defaults (unsaved) for a user who
    never saved any, so that sending a notification writes no preference row."""
    ids = {user.pk for user in users}
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    return {pk: found.get(pk) or NotificationPreference(user_id=pk) for pk in ids}


def preference_get(*, user) -> NotificationPreference:
    """The user's preference, made (with everything on, no quiet hours) on first use."""
    pref, _created = NotificationPreference.objects.get_or_create(user=user)
    return pref


def preference_update(
    *,
    user,
    channels_off: Iterable[str] = (),
    muted_kinds: Iterable[str] = (),
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    urgent_ignores_quiet: bool = True,
) -> NotificationPreference:
    """Replace the user's preference with these values; ValueError names the field at fault.

    ``channels_off`` may name only the outside channels this deployment knows (built-in or
    configured), so that a typo cannot silently leave a channel on.
    """
    known = set(channel_registry.REGISTRY) | {c.name for c in channel_registry.enabled_channels()}
    off = sorted({str(name) for name in channels_off})
    unknown = [name for name in off if name not in known]
    if unknown:
        raise ValueError(f"channels_off: unknown channel {', '.join(unknown)}")
    muted = sorted({str(kind).strip() for kind in muted_kinds} - {""})
    too_long = [
        kind for kind in muted if len(kind) > Notification._meta.get_field("kind").max_length
    ]
    if too_long:
        raise ValueError(f"muted_kinds: not a notification kind: {too_long[0][:50]}")
    quiet_window_check(quiet_start, quiet_end)
    with transaction.atomic():
        pref = NotificationPreference.objects.select_for_update().filter(user=user).first()
        if pref is None:
            pref = NotificationPreference(user=user)
        pref.channels_off = off
        pref.muted_kinds = muted
        pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
        pref.urgent_ignores_quiet = bool(urgent_ignores_quiet)
        pref.updated_at = clock.now()
        pref.save()
    return pref
