"""The preferences page (/notifikasi/preferensi/): each signed-in user sees and edits only their
own preferences, linked from the inbox; a refused value is shown on its field and saves nothing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.notifications.models import NotificationPreference
from siaga.notifications.services import notify, preference_update

URL = "/notifikasi/preferensi/"


@pytest.fixture
def people(world):
    ani = world.user(Role.ANALYST, username="ani")
    budi = world.user(Role.LIAISON, username="budi")
    return ani, budi


def form(**changes) -> dict:
    data = {
        "channels_on": ["fake"],
        "muted_kinds": ["media.alert"],
        "quiet_start": "22:00",
        "quiet_end": "06:00",
        "urgent_ignores_quiet": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def ticked(html: str, name: str) -> set[str]:
    """The values of the ticked checkboxes called ``name``."""
    boxes = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"([^>]*)>', html)
    return {value for value, rest in boxes if " checked" in rest}


def boxes(html: str, name: str) -> set[str]:
    return set(re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"', html))


def test_url_name():
    assert reverse("notifications:preferences") == URL


def test_the_page_needs_a_session(client, people):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.post(URL, form()).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_the_inbox_links_to_the_preferences(client, people):
    client.force_login(people[0])
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert f'href="{URL}" data-preferences-link' in html


def test_the_page_shows_the_channels_the_kinds_and_the_own_choices(client, people, outbox):
    ani, budi = people
    preference_update(
        user=ani, channels_off=["sms"], quiet_start=dt.time(21, 30), quiet_end=dt.time(5, 0)
    )
    preference_update(user=budi, muted_kinds=["risk.alert"])
    notify(recipients=[ani], kind="coordination.task_due", title="Tugas jatuh tempo")
    client.force_login(ani)
    html = client.get(URL).content.decode()
    assert boxes(html, "channels_on") == {"fake", "sms"}
    assert ticked(html, "channels_on") == {"fake"}  # sms turned off
    assert "Peringatan kerawanan" in html  # a known kind, by its label
    assert {"risk.alert", "coordination.task_due"} <= boxes(html, "muted_kinds")  # and received
    assert ticked(html, "muted_kinds") == set()  # budi's muted kind is not ani's
    assert 'value="21:30"' in html and 'value="05:00"' in html
    assert "Asia/Makassar" in html


def test_saving_replaces_the_own_preference_only(client, people, outbox):
    ani, budi = people
    preference_update(user=budi, muted_kinds=["risk.alert"])
    client.force_login(ani)
    response = client.post(URL, form())
    assert response.status_code == 302 and response.url == URL
    pref = NotificationPreference.objects.get(user=ani)
    assert pref.channels_off == ["sms"]
    assert pref.muted_kinds == ["media.alert"]
    assert (pref.quiet_start, pref.quiet_end) == (dt.time(22, 0), dt.time(6, 0))
    assert pref.urgent_ignores_quiet is True
    assert NotificationPreference.objects.get(user=budi).muted_kinds == ["risk.alert"]
    assert "Preferensi notifikasi disimpan." in client.get(URL).content.decode()


def test_unticking_everything_clears_the_choices(client, people, outbox):
    ani, _budi = people
    client.force_login(ani)
    client.post(URL, form())
    client.post(URL, {"channels_on": ["fake", "sms"], "quiet_start": "", "quiet_end": ""})
    pref = NotificationPreference.objects.get(user=ani)
    assert (pref.channels_off, pref.muted_kinds, pref.quiet_start) == ([], [], None)
    assert pref.urgent_ignores_quiet is False  # an unticked box is a choice too


def test_a_channel_the_deployment_no_longer_offers_keeps_its_setting(
    client, people, outbox, settings
):
    ani, _budi = people
    preference_update(user=ani, channels_off=["email", "sms"])
    client.force_login(ani)
    html = client.get(URL).content.decode()
    assert "email" not in boxes(html, "channels_on")  # email is not configured here
    client.post(URL, form(channels_on=["fake", "sms"]))
    assert NotificationPreference.objects.get(user=ani).channels_off == ["email"]


def test_only_the_inbox_says_so(client, people, settings):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox"]
    client.force_login(people[0])
    html = client.get(URL).content.decode()
    assert "data-inbox-only" in html and boxes(html, "channels_on") == set()


def test_a_channel_without_an_address_says_so(client, people, settings):
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "email"]
    ani, _budi = people
    ani.email = ""
    ani.save()
    client.force_login(ani)
    assert 'data-no-address="email"' in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quiet_end": ""}, "quiet_end", "Isi juga jam selesai, atau kosongkan keduanya."),
        ({"quiet_start": ""}, "quiet_start", "Isi juga jam mulai, atau kosongkan keduanya."),
        ({"quiet_end": "22:00"}, "quiet_end", "Jam selesai harus berbeda dari jam mulai."),
        ({"quiet_start": "25:00"}, "quiet_start", "Masukkan waktu yang valid."),
        ({"muted_kinds": ["bukan.jenis"]}, "muted_kinds", "bukan.jenis"),
        ({"channels_on": ["pigeon"]}, "channels_on", "pigeon"),
    ],
)
def test_a_refused_value_is_shown_on_its_field_and_saves_nothing(
    client, people, outbox, changes, field, message
):
    ani, _budi = people
    client.force_login(ani)
    response = client.post(URL, form(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert message in response.content.decode()
    assert NotificationPreference.objects.get(user=ani).quiet_start is None  # made by the GET


def test_other_methods_are_refused(client, people):
    client.force_login(people[0])
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405
