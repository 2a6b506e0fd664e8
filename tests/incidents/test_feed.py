"""The live feed of incident reports (/insiden/feed/), polled by htmx every 15 seconds.

Without ``since`` it gives the latest reports; with ``since`` only those received after it,
newest first, and a poller element (an out-of-band swap) carrying the next cursor. It keeps the
user's scope and agency like every other read, and tells htmx to stop once the session ends.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.urls import reverse

from siaga.core import clock
from siaga.core.models import Deployment
from tests.incidents.test_pages import Room, login

FEED = "/insiden/feed/"


@pytest.fixture
def feed_room(world) -> Room:
    return Room(world)


def tickets(html: str) -> list[str]:
    return re.findall(r'<li class="feed-item[^"]*" data-ticket="(LK-[A-Z0-9]{6})"', html)


def poller(html: str) -> dict:
    """The attributes of the poller element of a feed answer, with its next URL's query."""
    tag = re.search(r'<div id="incident-feed-poll"[^>]*>', html).group(0)
    attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
    url = attrs["hx-get"].replace("&amp;", "&")
    attrs["query"] = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    attrs["path"] = urlsplit(url).path
    return attrs


def shift_clock(minutes: int) -> None:
    Deployment.objects.update(
        clock_offset_seconds=clock.offset_for(clock.now() + dt.timedelta(minutes=minutes))
    )
    clock.clear_cache()


def test_feed_url_name():
    assert reverse("incidents:feed") == FEED


def test_without_since_the_latest_reports_newest_first(client, feed_room):
    room = feed_room
    html = login(client, room.analyst).get(FEED).content.decode()
    assert tickets(html) == [room.public.ticket, room.logistics.ticket, room.intimidation.ticket]
    assert "<html" not in html  # a fragment
    html = client.get(FEED, {"limit": 2}).content.decode()
    assert tickets(html) == [room.public.ticket, room.logistics.ticket]


def test_the_poller_carries_the_newest_time_seen_and_swaps_out_of_band(client, feed_room):
    room = feed_room
    html = login(client, room.analyst).get(FEED, {"limit": 10}).content.decode()
    attrs = poller(html)
    assert attrs["hx-swap-oob"] == "true"
    assert attrs["hx-trigger"] == "every 15s"
    assert attrs["hx-target"] == "#incident-feed-items"
    assert attrs["hx-swap"] == "afterbegin"
    assert attrs["path"] == FEED
    newest = room.public.received_at
    assert dt.datetime.fromisoformat(unquote(attrs["query"]["since"])) == newest
    assert attrs["query"]["limit"] == "10"


def test_since_gives_only_reports_received_after_it(client, feed_room):
    room = feed_room
    login(client, room.analyst)
    since = room.public.received_at
    html = client.get(FEED, {"since": since.isoformat()}).content.decode()
    assert tickets(html) == []
    # Nothing new: the cursor stays where it was.
    assert dt.datetime.fromisoformat(poller(html)["query"]["since"]) == since
    shift_clock(5)
    new = room.submit(
        room.monitor,
        category="kekerasan",
        tps_id=room.tps_a1.pk,
        description="Keributan antar pendukung di dekat TPS 001, dua orang luka.",
    )
    html = client.get(FEED, {"since": since.isoformat()}).content.decode()
    assert tickets(html) == [new.ticket]
    assert 'data-severity="kritis"' in html
    assert dt.datetime.fromisoformat(poller(html)["query"]["since"]) == new.received_at
    # Polling again with the new cursor gives nothing twice.
    html = client.get(FEED, {"since": new.received_at.isoformat()}).content.decode()
    assert tickets(html) == []


def test_since_in_local_time_without_an_offset_is_read_as_wita(client, feed_room):
    room = feed_room
    login(client, room.analyst)
    before = (room.intimidation.received_at - dt.timedelta(seconds=1)).astimezone(
        clock.local_now().tzinfo
    )
    html = client.get(FEED, {"since": before.replace(tzinfo=None).isoformat()}).content.decode()
    assert len(tickets(html)) == 3


def test_feed_filters_travel_with_the_poller(client, feed_room):
    room = feed_room
    html = login(client, room.analyst).get(FEED, {"category": "intimidasi"}).content.decode()
    assert tickets(html) == [room.intimidation.ticket]
    assert poller(html)["query"]["category"] == "intimidasi"
    html = client.get(FEED, {"region": "64.08.06"}).content.decode()
    assert tickets(html) == [room.public.ticket]


def test_feed_keeps_agency_and_reporter_scope(client, feed_room):
    room = feed_room
    html = login(client, room.kpu_liaison).get(FEED).content.decode()
    assert tickets(html) == [room.logistics.ticket]
    html = login(client, room.monitor).get(FEED).content.decode()
    assert tickets(html) == [room.intimidation.ticket]
    html = login(client, room.analyst_busang).get(FEED).content.decode()
    assert tickets(html) == [room.public.ticket]
    # Asking for a region outside the scope narrows to nothing; it never widens the scope.
    html = client.get(FEED, {"region": "64.08.04"}).content.decode()
    assert tickets(html) == []


def test_feed_shows_no_reporter_identity(client, feed_room):
    room = feed_room
    html = login(client, room.analyst).get(FEED).content.decode()
    assert "Budi" not in html and "0812" not in html


def test_bad_since_is_refused_naming_the_parameter(client, feed_room):
    response = login(client, feed_room.analyst).get(FEED, {"since": "kemarin"})
    assert response.status_code == 400
    assert "Sejak" in response.content.decode()
    assert login(client, feed_room.analyst).get(FEED, {"limit": 500}).status_code == 400


def test_without_a_session_htmx_is_told_to_stop_polling(client, feed_room):
    response = client.get(FEED)
    assert response.status_code == 286
    assert response.content == b""


def test_list_page_feed_panel_starts_from_the_newest_report(client, feed_room):
    room = feed_room
    html = login(client, room.analyst).get(reverse("incidents:list")).content.decode()
    panel = re.search(r"data-incident-feed>.*?</section>", html, re.S).group(0)
    assert tickets(panel) == [room.public.ticket, room.logistics.ticket, room.intimidation.ticket]
    attrs = poller(panel)
    assert "hx-swap-oob" not in attrs  # in the page itself, not an out-of-band answer
    assert dt.datetime.fromisoformat(attrs["query"]["since"]) == room.public.received_at


def test_feed_query_count_is_bounded(client, feed_room, django_assert_max_num_queries):
    login(client, feed_room.analyst)
    with django_assert_max_num_queries(6):
        client.get(FEED, {"limit": 50})
