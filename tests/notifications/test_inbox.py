"""The in-app inbox (/notifikasi/): each user sees and marks read only their own notifications;
the bell in the top bar shows the unread count (context processor ``unread_notifications``).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import include, path, reverse

from siaga.accounts.choices import Role
from siaga.notifications.context_processors import unread_notifications
from siaga.notifications.models import Notification
from siaga.notifications.services import notify
from tests.incidents.test_pages import Room

# Until the lead mounts the app at /notifikasi/ in the root URLconf, these tests mount it.
_root = import_module(settings.ROOT_URLCONF).urlpatterns
if any(getattr(p, "namespace", None) == "notifications" for p in _root):
    urlpatterns = _root
else:
    urlpatterns = [path("notifikasi/", include("siaga.notifications.urls")), *_root]

pytestmark = pytest.mark.urls(__name__)

PROCESSOR = "siaga.notifications.context_processors.unread_notifications"


@pytest.fixture
def people(world):
    analyst = world.user(Role.ANALYST, username="analis")
    other = world.user(Role.LIAISON, username="polres")
    return analyst, other


def note(user, title: str, *, urgent: bool = False, url: str = "") -> Notification:
    return notify(recipients=[user], kind="test", title=title, url=url, urgent=urgent)[0]


@pytest.fixture
def with_bell(settings):
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    if PROCESSOR not in processors:
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "context_processors": [*processors, PROCESSOR],
                },
            }
        ]


def test_url_names():
    assert reverse("notifications:inbox") == "/notifikasi/"
    assert reverse("notifications:read", args=[7]) == "/notifikasi/7/baca/"
    assert reverse("notifications:read-all") == "/notifikasi/baca-semua/"


def test_inbox_lists_only_own_notifications_newest_first_urgent_highlighted(client, people):
    analyst, other = people
    first = note(analyst, "Laporan tinggi LK-AAAAAA")
    urgent = note(analyst, "ESKALASI: laporan LK-BBBBBB belum diverifikasi", urgent=True)
    Notification.objects.filter(pk=first.pk).update(
        created_at=urgent.created_at - dt.timedelta(minutes=5)
    )
    note(other, "Tindak lanjut LK-CCCCCC ditugaskan ke Polres")
    client.force_login(analyst)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "LK-CCCCCC" not in html
    assert html.index("LK-BBBBBB") < html.index("LK-AAAAAA")
    assert f'inbox-item inbox-urgent inbox-unread" data-notification="{urgent.pk}"' in html
    assert f'inbox-item inbox-unread" data-notification="{first.pk}"' in html
    assert 'data-unread-count="2"' in html


def test_unread_filter(client, people):
    analyst, _other = people
    read = note(analyst, "Sudah dibaca LK-AAAAAA")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    note(analyst, "Belum dibaca LK-BBBBBB")
    client.force_login(analyst)
    html = client.get(reverse("notifications:inbox"), {"belum": "1"}).content.decode()
    assert "LK-BBBBBB" in html and "LK-AAAAAA" not in html


def test_mark_one_read(client, people):
    analyst, _other = people
    item = note(analyst, "Laporan LK-AAAAAA")
    client.force_login(analyst)
    response = client.post(reverse("notifications:read", args=[item.pk]))
    assert response.status_code == 302 and response.url == reverse("notifications:inbox")
    item.refresh_from_db()
    assert item.read_at is not None
    assert 'data-unread-count="0"' in client.get(reverse("notifications:inbox")).content.decode()


def test_open_marks_read_and_follows_the_link(client, people):
    analyst, _other = people
    item = note(analyst, "Laporan LK-AAAAAA", url="/insiden/LK-AAAAAA/")
    client.force_login(analyst)
    response = client.post(reverse("notifications:read", args=[item.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == "/insiden/LK-AAAAAA/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_open_never_redirects_off_site(client, people):
    analyst, _other = people
    item = note(analyst, "Tautan aneh", url="https://contoh.example/phish")
    client.force_login(analyst)
    response = client.post(
        reverse("notifications:read", args=[item.pk]),
        {"open": "1", "next": "//contoh.example/"},
    )
    assert response.url == reverse("notifications:inbox")


def test_another_users_notification_is_404_and_stays_unread(client, people):
    analyst, other = people
    theirs = note(other, "Milik orang lain")
    client.force_login(analyst)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_own(client, people):
    analyst, other = people
    note(analyst, "Satu")
    note(analyst, "Dua")
    theirs = note(other, "Milik orang lain")
    client.force_login(analyst)
    response = client.post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=analyst, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert (
        "2 notifikasi ditandai sudah dibaca."
        in client.get(reverse("notifications:inbox")).content.decode()
    )


@pytest.mark.parametrize("name", ["notifications:read-all", "notifications:read"])
def test_marking_is_post_only_and_needs_a_session(client, people, name):
    analyst, _other = people
    item = note(analyst, "Satu")
    url = reverse(name, args=[item.pk] if name == "notifications:read" else [])
    response = client.post(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(analyst)
    assert client.get(url).status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_inbox_needs_a_session(client, people):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_context_processor_counts_own_unread(people, rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    analyst, other = people
    note(analyst, "Satu")
    read = note(analyst, "Dua")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    note(other, "Tiga")
    request = rf.get("/")
    request.user = analyst
    assert unread_notifications(request)["unread_notifications"]() == 1
    request.user = AnonymousUser()
    assert unread_notifications(request) == {}


def test_bell_shows_the_unread_count(client, people, with_bell):
    analyst, _other = people
    note(analyst, "Satu")
    note(analyst, "Dua", urgent=True)
    client.force_login(analyst)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "data-inbox-bell" in html and 'data-unread="2"' in html
    client.post(reverse("notifications:read-all"))
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "data-inbox-bell" in html and "data-unread=" not in html


def test_a_critical_report_lands_in_the_secretariat_inbox(
    client, world, django_capture_on_commit_callbacks
):
    room = Room(world)
    with django_capture_on_commit_callbacks(execute=True):
        incident = room.submit(
            room.monitor,
            category="kekerasan",
            tps_id=room.tps_a1.pk,
            description="Keributan antar pendukung di dekat TPS 001, dua orang luka.",
        )
    client.force_login(room.analyst)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert incident.ticket in html and "inbox-urgent" in html
    client.force_login(room.leader)  # leadership is not the secretariat
    assert incident.ticket not in client.get(reverse("notifications:inbox")).content.decode()
