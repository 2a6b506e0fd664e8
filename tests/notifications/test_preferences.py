"""Per-person preferences shape the deliveries outside the inbox: channels turned off, kinds
muted, quiet hours holding non-urgent messages until they end. The inbox always gets everything.

The channels here are the recording channel of ``tests.notifications.fakes``, registered through
SIAGA_NOTIFY_CHANNELS twice (as ``fake`` and, through OPTIONS, as ``sms``), as a deployment
would register its own.
"""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.accounts.choices import Role
from siaga.notifications.models import Delivery, Notification, NotificationPreference
from siaga.notifications.services import (
    deliveries_send,
    notify,
    preference_get,
    preference_update,
    preferences_for,
)
from tests.notifications.conftest import wita

NIGHT = {"quiet_start": dt.time(22, 0), "quiet_end": dt.time(6, 0)}


@pytest.fixture
def people(world):
    ani = world.user(Role.ANALYST, username="ani")
    budi = world.user(Role.LIAISON, username="budi")
    return ani, budi


def deliveries() -> set[tuple[str, str]]:
    return set(Delivery.objects.values_list("channel", "address"))


def sent() -> set[tuple[str, str]]:
    from tests.notifications.fakes import OUTBOX

    return {(s.channel, s.address) for s in OUTBOX}


# --- channels and kinds --------------------------------------------------------------------------


def test_without_preferences_every_channel_gets_every_kind(people, outbox):
    ani, budi = people
    notify(recipients=[ani, budi], kind="risk.alert", title="Kerawanan naik")
    assert deliveries() == {
        ("fake", "fake:ani"),
        ("sms", "sms:ani"),
        ("fake", "fake:budi"),
        ("sms", "sms:budi"),
    }
    assert not NotificationPreference.objects.exists()  # notify reads preferences, never writes


def test_a_channel_turned_off_gets_no_delivery_and_the_others_still_do(people, outbox):
    ani, budi = people
    preference_update(user=ani, channels_off=["sms"])
    notify(recipients=[ani, budi], kind="risk.alert", title="Kerawanan naik")
    assert deliveries() == {("fake", "fake:ani"), ("fake", "fake:budi"), ("sms", "sms:budi")}
    assert deliveries_send() == (3, 0)
    assert sent() == {("fake", "fake:ani"), ("fake", "fake:budi"), ("sms", "sms:budi")}
    assert Notification.objects.filter(recipient=ani).count() == 1  # the inbox still has it


def test_a_muted_kind_stays_in_the_inbox_only(people, outbox):
    ani, _budi = people
    preference_update(user=ani, muted_kinds=["media.alert"])
    notify(recipients=[ani], kind="media.alert", title="Hoaks baru", urgent=True)
    assert deliveries() == set()
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert deliveries() == {("fake", "fake:ani"), ("sms", "sms:ani")}
    assert set(Notification.objects.filter(recipient=ani).values_list("kind", flat=True)) == {
        "media.alert",
        "risk.alert",
    }


def test_every_channel_off_still_leaves_the_inbox(people, outbox):
    ani, _budi = people
    preference_update(user=ani, channels_off=["fake", "sms"], muted_kinds=["x"])
    [note] = notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert deliveries() == set()
    assert note.pk and Notification.objects.get().recipient == ani


def test_preferences_of_many_people_are_read_in_one_query(
    people, outbox, django_assert_num_queries
):
    ani, budi = people
    preference_update(user=ani, channels_off=["sms"])
    with django_assert_num_queries(1):
        prefs = preferences_for(users=[ani, budi])
    assert prefs[ani.pk].channels_off == ["sms"]
    assert prefs[budi.pk].pk is None and prefs[budi.pk].channels_off == []


# --- quiet hours ---------------------------------------------------------------------------------


def test_before_quiet_hours_a_message_goes_at_once(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 26, 21, 59, 30))
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {None}
    assert deliveries_send() == (2, 0)


def test_inside_quiet_hours_a_message_waits_until_they_end(people, outbox, set_clock):
    ani, budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 26, 23, 30))
    notify(recipients=[ani, budi], kind="risk.alert", title="Kerawanan naik")
    held = Delivery.objects.filter(notification__recipient=ani)
    assert {d.not_before for d in held} == {wita(2024, 11, 27, 6, 0)}
    assert {d.next_attempt_at for d in held} == {wita(2024, 11, 27, 6, 0)}
    assert deliveries_send() == (2, 0)  # budi keeps no quiet hours
    assert sent() == {("fake", "fake:budi"), ("sms", "sms:budi")}

    set_clock(wita(2024, 11, 27, 5, 59, 30))
    assert deliveries_send() == (0, 0)
    set_clock(wita(2024, 11, 27, 6, 0, 30))  # after the quiet hours
    assert deliveries_send() == (2, 0)
    assert ("fake", "fake:ani") in sent() and ("sms", "sms:ani") in sent()
    assert set(held.values_list("status", flat=True)) == {"sent"}


def test_after_midnight_the_hold_ends_the_same_morning(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 27, 1, 15))
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {wita(2024, 11, 27, 6)}


def test_after_quiet_hours_a_message_goes_at_once(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 27, 6, 0, 30))
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert deliveries_send() == (2, 0)


def test_a_window_within_the_day_holds_until_its_end(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, quiet_start=dt.time(13, 0), quiet_end=dt.time(15, 0))
    set_clock(wita(2024, 11, 26, 14, 0))
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {wita(2024, 11, 26, 15)}


def test_an_urgent_message_ignores_quiet_hours(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 26, 23, 30))
    notify(recipients=[ani], kind="incident.escalated", title="ESKALASI", urgent=True)
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {None}
    assert deliveries_send() == (2, 0)


def test_urgent_waits_too_for_a_person_who_asked_so(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, urgent_ignores_quiet=False, **NIGHT)
    set_clock(wita(2024, 11, 26, 23, 30))
    notify(recipients=[ani], kind="incident.escalated", title="ESKALASI", urgent=True)
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {wita(2024, 11, 27, 6)}
    assert deliveries_send() == (0, 0)


def test_a_held_delivery_waits_whatever_its_retry_time_says(people, outbox, set_clock):
    ani, _budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 26, 23, 30))
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    Delivery.objects.update(next_attempt_at=wita(2024, 11, 26, 23, 0))
    assert deliveries_send() == (0, 0)
    assert sent() == set()


def test_quiet_hours_follow_the_deployments_time_zone(people, outbox, set_clock, settings):
    ani, _budi = people
    preference_update(user=ani, **NIGHT)
    set_clock(wita(2024, 11, 26, 23, 30))  # 22:30 in Jakarta (WIB): quiet there too
    settings.TIME_ZONE = "Asia/Jakarta"
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {
        wita(2024, 11, 27, 7, 0)  # 06:00 WIB
    }
    Delivery.objects.all().delete()
    set_clock(wita(2024, 11, 26, 22, 30))  # 21:30 WIB: not yet quiet
    notify(recipients=[ani], kind="risk.alert", title="Kerawanan naik")
    assert set(Delivery.objects.values_list("not_before", flat=True)) == {None}


# --- the preference itself -----------------------------------------------------------------------


def test_a_preference_is_made_on_first_use_with_everything_on(people):
    ani, _budi = people
    pref = preference_get(user=ani)
    assert (pref.channels_off, pref.muted_kinds, pref.quiet_start, pref.quiet_end) == (
        [],
        [],
        None,
        None,
    )
    assert pref.urgent_ignores_quiet is True
    assert preference_get(user=ani).pk == pref.pk
    assert NotificationPreference.objects.count() == 1


def test_an_update_replaces_and_normalises_the_lists(people, outbox):
    ani, _budi = people
    preference_update(user=ani, channels_off=["sms", "sms", "email"], muted_kinds=[" b ", "a", ""])
    pref = NotificationPreference.objects.get(user=ani)
    assert (pref.channels_off, pref.muted_kinds) == (["email", "sms"], ["a", "b"])
    preference_update(user=ani, **NIGHT)
    pref.refresh_from_db()
    assert (pref.channels_off, pref.muted_kinds) == ([], [])
    assert (pref.quiet_start, pref.quiet_end) == (dt.time(22, 0), dt.time(6, 0))
    assert NotificationPreference.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channels_off": ["pigeon"]}, "channels_off"),
        ({"muted_kinds": ["k" * 41]}, "muted_kinds"),
        ({"quiet_start": dt.time(22, 0)}, "quiet_end"),
        ({"quiet_end": dt.time(6, 0)}, "quiet_start"),
        ({"quiet_start": dt.time(6, 0), "quiet_end": dt.time(6, 0)}, "quiet_end"),
    ],
)
def test_a_bad_preference_is_refused_naming_the_field(people, outbox, changes, field):
    ani, _budi = people
    preference_update(user=ani, channels_off=["sms"])
    with pytest.raises(ValueError, match=f"^{field}: "):
        preference_update(user=ani, **changes)
    assert NotificationPreference.objects.get(user=ani).channels_off == ["sms"]  # unchanged
