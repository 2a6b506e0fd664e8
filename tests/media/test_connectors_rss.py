"""The RSS/Atom connector against a real HTTP server on 127.0.0.1 (a thread, a random port).

Entries become news posts (title and summary without HTML, the entry's time, its link); the
second poll sends the ETag back and a ``304 Not Modified`` stores nothing; a feed that is not
XML, or a server error, is kept on ``source.last_error`` and stores nothing; only sources that
are due are polled.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.media import sources
from siaga.media.choices import SourceKind
from siaga.media.connectors.rss import parse_feed
from siaga.media.models import IngestBatch, Post, Source

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Kaltim Kini</title><link>https://kaltimkini.contoh.id</link><language>id</language>
  <item>
    <title>KPU Kutai Timur tetapkan 1.200 TPS</title>
    <link>https://kaltimkini.contoh.id/berita/1</link>
    <guid>https://kaltimkini.contoh.id/berita/1</guid>
    <description>&lt;p&gt;Penetapan dilakukan di &lt;b&gt;Sangatta&lt;/b&gt; hari ini.&lt;/p&gt;
    </description>
    <pubDate>Sun, 24 Nov 2024 01:30:00 GMT</pubDate>
  </item>
  <item>
    <title>Debat kedua paslon digelar di Busang</title>
    <link>https://kaltimkini.contoh.id/berita/2</link>
    <guid>kaltimkini-2</guid>
    <description>Warga diminta tertib &amp; datang lebih awal.</description>
    <pubDate>Sun, 24 Nov 2024 03:00:00 +0800</pubDate>
  </item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Berita Kutim</title>
  <id>urn:kutim:feed</id>
  <updated>2024-11-24T06:00:00Z</updated>
  <entry>
    <title type="html">Bawaslu awasi &lt;em&gt;masa tenang&lt;/em&gt;</title>
    <id>urn:kutim:entry:7</id>
    <link href="https://beritakutim.contoh.id/7"/>
    <updated>2024-11-24T05:00:00Z</updated>
    <summary type="html">&lt;p&gt;Patroli di Sangatta Utara&lt;/p&gt;</summary>
    <author><name>Redaksi</name></author>
  </entry>
</feed>"""

ETAG = '"rss-v1"'


class FeedServer(BaseHTTPRequestHandler):
    hits: list[tuple[str, str | None]] = []

    def do_GET(self):  # noqa: N802 - the http.server interface
        FeedServer.hits.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/rss.xml":
            if self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.end_headers()
                return
            self._send(200, RSS, "application/rss+xml", etag=ETAG)
        elif self.path == "/atom.xml":
            self._send(200, ATOM, "application/atom+xml")
        elif self.path == "/bukan-xml":
            self._send(200, b"\x00\x01 ini bukan umpan {", "text/plain")
        elif self.path == "/galat":
            self._send(500, b"Internal Server Error", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, kind: str, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    FeedServer.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def feed(world, url: str, name: str = "Kaltim Kini") -> Source:
    return sources.source_create(
        context=AuditContext.cli(), name=name, kind=SourceKind.RSS, region_code="64.08", url=url
    )


def poll() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("media", "poll", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_rss_feed_is_stored_as_news_posts(world, server):
    source = feed(world, f"{server}/rss.xml")
    out, _err = poll()
    assert f"{source.slug}: 2 new, 0 known, 0 rejected" in out
    posts = {p.external_id: p for p in Post.objects.all()}
    assert set(posts) == {"https://kaltimkini.contoh.id/berita/1", "kaltimkini-2"}
    first = posts["https://kaltimkini.contoh.id/berita/1"]
    assert first.platform == "news" and first.source == source
    assert (
        first.text
        == "KPU Kutai Timur tetapkan 1.200 TPS. Penetapan dilakukan di Sangatta hari ini."
    )
    assert "<" not in first.text and "&lt;" not in first.text
    assert first.posted_at == dt.datetime(2024, 11, 24, 1, 30, tzinfo=dt.UTC)
    assert first.url == "https://kaltimkini.contoh.id/berita/1"
    assert first.author == "Kaltim Kini"
    second = posts["kaltimkini-2"]
    assert (
        second.text
        == "Debat kedua paslon digelar di Busang. Warga diminta tertib & datang lebih awal."
    )
    assert second.posted_at == dt.datetime(2024, 11, 23, 19, 0, tzinfo=dt.UTC)
    source.refresh_from_db()
    assert source.last_error == "" and source.last_polled_at is not None
    assert json.loads(source.cursor)["etag"] == ETAG


def test_an_atom_feed_is_stored_too(world, server):
    feed(world, f"{server}/atom.xml", name="Berita Kutim")
    poll()
    post = Post.objects.get()
    assert post.external_id == "urn:kutim:entry:7"
    assert post.text == "Bawaslu awasi masa tenang. Patroli di Sangatta Utara"
    assert post.url == "https://beritakutim.contoh.id/7"
    assert post.author == "Redaksi"
    assert post.posted_at == dt.datetime(2024, 11, 24, 5, 0, tzinfo=dt.UTC)


def test_the_second_poll_sends_the_etag_and_a_304_stores_nothing(world, server):
    source = feed(world, f"{server}/rss.xml")
    poll()
    batches = IngestBatch.objects.count()
    assert Post.objects.count() == 2
    Source.objects.filter(pk=source.pk).update(
        last_polled_at=clock.now() - dt.timedelta(minutes=31)
    )
    out, _err = poll()
    assert FeedServer.hits[-1] == ("/rss.xml", ETAG)
    assert len(FeedServer.hits) == 2
    assert f"{source.slug}: 0 new" in out
    assert Post.objects.count() == 2
    assert IngestBatch.objects.count() == batches  # no empty batch for an unchanged feed
    source.refresh_from_db()
    assert json.loads(source.cursor)["etag"] == ETAG and source.last_error == ""
    assert clock.now() - source.last_polled_at < dt.timedelta(minutes=1)


def test_a_repeated_entry_after_a_changed_feed_is_not_stored_twice(world, server):
    source = feed(world, f"{server}/rss.xml")
    poll()
    Source.objects.filter(pk=source.pk).update(last_polled_at=None, cursor="")  # no ETag sent
    out, _err = poll()
    assert f"{source.slug}: 0 new, 2 known" in out
    assert Post.objects.count() == 2


@pytest.mark.parametrize(("path", "message"), [("/bukan-xml", "RSS"), ("/galat", "HTTP 500")])
def test_a_broken_feed_keeps_its_error_on_the_source_and_stores_nothing(
    world, server, path, message
):
    source = feed(world, f"{server}{path}")
    _out, err = poll()
    assert f"{source.slug}: failed" in err
    source.refresh_from_db()
    assert message in source.last_error
    assert source.last_polled_at is not None
    assert Post.objects.count() == 0 and IngestBatch.objects.count() == 0


def test_an_unreachable_feed_keeps_its_error(world):
    source = feed(world, "http://127.0.0.1:9/rss.xml")  # the discard port: nobody listens
    poll()
    source.refresh_from_db()
    assert "cannot reach" in source.last_error
    assert Post.objects.count() == 0


def test_one_broken_source_does_not_stop_the_others(world, server):
    broken = feed(world, f"{server}/galat", name="A rusak")
    good = feed(world, f"{server}/atom.xml", name="B baik")
    Source.objects.filter(pk=broken.pk).update(cursor="{not json")  # a damaged cursor
    out, _err = poll()
    assert f"{good.slug}: 1 new" in out
    broken.refresh_from_db()
    assert broken.last_error
    assert Post.objects.filter(source=good).count() == 1


def test_only_due_and_active_sources_are_polled(world, server):
    recent = feed(world, f"{server}/rss.xml", name="Baru ditarik")
    off = feed(world, f"{server}/atom.xml", name="Dimatikan")
    due = feed(world, f"{server}/atom.xml?due", name="Jatuh tempo")
    Source.objects.filter(pk=recent.pk).update(last_polled_at=clock.now() - dt.timedelta(minutes=5))
    Source.objects.filter(pk=off.pk).update(active=False)
    Source.objects.filter(pk=due.pk).update(last_polled_at=clock.now() - dt.timedelta(minutes=30))
    out, err = poll()
    assert [path for path, _etag in FeedServer.hits] == ["/atom.xml?due"]
    said = out + err
    assert recent.slug not in said and off.slug not in said and f"{due.slug}: failed" in err
    assert Post.objects.count() == 0  # /atom.xml?due is a 404 here
    due.refresh_from_db()
    assert "HTTP 404" in due.last_error


def test_entries_without_date_or_text_are_reported_not_stored():
    records = parse_feed(
        b"""<rss version="2.0"><channel><title>T</title>
        <item><title>Tanpa tanggal</title><guid>a</guid></item>
        <item><guid>b</guid><pubDate>Sun, 24 Nov 2024 01:30:00 GMT</pubDate></item>
        </channel></rss>"""
    )
    assert [(r["external_id"], r["posted_at"] != "", r["text"]) for r in records] == [
        ("a", False, "Tanpa tanggal"),
        ("b", True, ""),
    ]


def test_the_cursor_fits_the_source_and_a_damaged_one_is_ignored():
    from siaga.media.connectors.rss import CURSOR_MAX, _cursor, _state

    modified = "Sun, 24 Nov 2024 01:30:00 GMT"
    assert _state(_cursor({"etag": ETAG, "modified": modified})) == {
        "etag": ETAG,
        "modified": modified,
    }
    long_etag = '"' + "e" * 170 + '"'
    kept = _cursor({"etag": long_etag, "modified": modified})
    assert len(kept) <= CURSOR_MAX and _state(kept) == {"etag": long_etag}
    assert _cursor({"etag": "e" * 300}) == ""
    assert _state("{rusak") == {} and _state('["a"]') == {} and _state("") == {}
