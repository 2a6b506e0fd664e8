"""Pluggable platform connectors: a class named in SIAGA_MEDIA_CONNECTORS polls a source of kind
*Konektor platform* through the one pipeline.

The connectors are real implementations of the interface (``tests/media/fake_connector.py``)
that serve posts from lists: the source's URL, platform and the cursor the connector handed
back last time reach ``fetch``; the posts are stored; the new cursor is saved on the source; a
record served again is *updated*, not new; a connector that raises marks its own source only;
an unknown or unloadable connector is refused when the source is created, naming the field.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.media import sources
from siaga.media.choices import SourceKind
from siaga.media.errors import MediaError
from siaga.media.models import IngestBatch, Post, Source
from tests.media import fake_connector

pytestmark = pytest.mark.django_db

WHEN = "2024-11-24T08:00:00+08:00"


@pytest.fixture(autouse=True)
def connectors(settings):
    settings.SIAGA_MEDIA_CONNECTORS = {
        "rss": "siaga.media.connectors.rss.RssConnector",
        "daftar": "tests.media.fake_connector.ListConnector",
        "rusak": "tests.media.fake_connector.FailingConnector",
        "salah-ketik": "tests.media.fake_connector.NoSuchConnector",
    }
    fake_connector.reset()
    yield
    fake_connector.reset()


def record(n: int, text: str, **extra) -> dict:
    return {"platform": "x", "external_id": f"x{n}", "text": text, "posted_at": WHEN, **extra}


def connector_source(name: str, connector: str, url: str, **extra) -> Source:
    return sources.source_create(
        context=AuditContext.cli(),
        name=name,
        kind=SourceKind.CONNECTOR,
        region_code="64.08",
        platform="x",
        url=url,
        connector=connector,
        **extra,
    )


def make_due(*polled: Source) -> None:
    """As if the sources' interval had passed since their last poll."""
    for source in polled:
        Source.objects.filter(pk=source.pk).update(
            last_polled_at=clock.now() - dt.timedelta(minutes=source.poll_minutes + 1)
        )


def poll() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("media", "poll", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_connector_source_is_polled_twice_with_its_cursor(world):
    url = "daftar://pencarian/pilkada-kutim"
    fake_connector.FEEDS[url] = [
        record(1, "Debat paslon bupati di Sangatta Utara malam ini ramai", likes=3),
        record(2, "Logistik pemilu sudah tiba di Busang pagi tadi", shares=1),
    ]
    source = connector_source("Perayap X", "daftar", url, poll_minutes=10)
    assert source.connector == "daftar" and source.cursor == ""

    out, err = poll()
    assert f"{source.slug}: 2 new, 0 known, 0 rejected" in out and err == ""
    (call,) = fake_connector.CALLS
    assert call == {"connector": "list", "url": url, "platform": "x", "cursor": ""}
    posts = {p.external_id: p for p in Post.objects.all()}
    assert set(posts) == {"x1", "x2"}
    assert all(p.source == source and p.platform == "x" for p in posts.values())
    assert posts["x1"].likes == 3 and posts["x2"].shares == 1
    source.refresh_from_db()
    assert source.cursor == "2" and source.last_error == ""
    assert source.last_polled_at is not None

    # not due yet: not polled
    out, _err = poll()
    assert source.slug not in out and len(fake_connector.CALLS) == 1

    # the crawler finds a new post and x1 again with more engagement
    fake_connector.FEEDS[url] += [
        record(3, "Kabar cuaca hujan deras di Sangatta sore ini, hati hati di jalan"),
        record(1, "Debat paslon bupati di Sangatta Utara malam ini ramai", likes=250),
    ]
    make_due(source)
    out, _err = poll()
    assert fake_connector.CALLS[-1]["cursor"] == "2"  # the cursor handed back last time
    assert f"{source.slug}: 1 new, 1 known, 0 rejected" in out
    assert Post.objects.count() == 3
    assert Post.objects.get(external_id="x1").likes == 250
    source.refresh_from_db()
    assert source.cursor == "4" and source.last_error == ""
    batches = list(IngestBatch.objects.filter(source=source).order_by("pk"))
    assert [(b.received, b.stored, b.updated, b.rejected) for b in batches] == [
        (2, 2, 0, 0),
        (2, 1, 1, 0),
    ]

    # nothing new: no batch, the cursor is kept
    make_due(source)
    out, _err = poll()
    assert f"{source.slug}: 0 new, 0 known" in out
    assert IngestBatch.objects.filter(source=source).count() == 2
    source.refresh_from_db()
    assert source.cursor == "4"


def test_bad_records_of_a_connector_are_reported_and_the_good_ones_stored(world):
    url = "daftar://akun/warga"
    fake_connector.FEEDS[url] = [
        record(1, "Pawai kampanye damai di Busang berjalan tertib"),
        record(2, "waktu rusak", posted_at="kemarin"),
    ]
    source = connector_source("Perayap akun", "daftar", url)
    result = sources.source_poll(source, context=AuditContext.cli())
    assert result is not None and (result.stored, result.rejected) == (1, 1)
    assert [(e.row, e.field) for e in result.errors] == [(2, "posted_at")]
    source.refresh_from_db()
    assert source.cursor == "2"  # the connector's cursor, whatever ingestion made of its rows


def test_a_failing_connector_marks_its_own_source_and_the_others_are_polled(world):
    broken = connector_source("A rusak", "rusak", "rusak://apa-saja")
    missing = connector_source("B hilang", "daftar", "daftar://tidak-ada")
    url = "daftar://pencarian/tps"
    fake_connector.FEEDS[url] = [record(1, "Ayo datang ke TPS pagi hari, bawa undangan")]
    good = connector_source("C baik", "daftar", url)

    results = dict(sources.sources_poll(context=AuditContext.cli()))
    assert [c["connector"] for c in fake_connector.CALLS] == ["failing", "list", "list"]
    assert results[broken] is None and results[missing] is None
    assert results[good] is not None and results[good].stored == 1
    broken.refresh_from_db()
    missing.refresh_from_db()
    good.refresh_from_db()
    assert broken.last_error == "RuntimeError: crawler crashed: quota exceeded"
    assert missing.last_error == "no such list: daftar://tidak-ada"  # a ConnectorError as is
    assert broken.last_polled_at is not None and broken.cursor == ""
    assert good.last_error == "" and good.cursor == "1"
    assert Post.objects.filter(source=good).count() == 1
    assert not Post.objects.exclude(source=good).exists()

    # the next turn tries the broken source again; a success clears its error
    fake_connector.FEEDS["daftar://tidak-ada"] = [record(7, "Pemungutan suara ulang di Busang")]
    make_due(broken, missing, good)
    out, err = poll()
    assert f"{broken.slug}: failed" in err
    assert f"{missing.slug}: 1 new" in out and f"{good.slug}: 0 new" in out
    missing.refresh_from_db()
    assert missing.last_error == "" and missing.cursor == "1"


@pytest.mark.parametrize(
    ("connector", "message"),
    [
        ("tiktok", "Konektor tiktok tidak dikenal (SIAGA_MEDIA_CONNECTORS: daftar, rss, rusak"),
        ("salah-ketik", "tests.media.fake_connector.NoSuchConnector"),
        ("", "Konektor wajib diisi"),
    ],
)
def test_an_unknown_connector_is_refused_at_creation_naming_the_field(world, connector, message):
    with pytest.raises(MediaError) as refused:
        connector_source("Perayap TikTok", connector, "https://tiktok.contoh/kutim")
    assert refused.value.field == "connector"
    assert message in str(refused.value)
    assert not Source.objects.exists()


def test_the_sources_page_refuses_an_unknown_connector_with_a_message(world, client):
    from siaga.accounts.choices import Role

    client.force_login(world.user(Role.ANALYST))
    response = client.post(
        "/medsos/sumber/",
        {"name": "Perayap TikTok", "kind": "connector", "platform": "tiktok",
         "url": "https://tiktok.contoh/kutim", "connector": "tiktok", "poll_minutes": "15"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert "Konektor tiktok tidak dikenal" in response.content.decode()
    assert not Source.objects.exists()
    response = client.post(
        "/medsos/sumber/",
        {"name": "Perayap X", "kind": "connector", "platform": "x",
         "url": "https://x.contoh/kutim", "connector": "daftar", "poll_minutes": "15"},
    )  # fmt: skip
    source = Source.objects.get()
    assert response.status_code == 302 and source.connector == "daftar"
