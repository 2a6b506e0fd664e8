"""The crawlers' webhook, POST /webhooks/media/<slug>: signed batches only, else nothing stored.

A delivery is signed with HMAC-SHA256 over ``"<timestamp>." + body`` under the source's secret
(``siaga.media.sources.sign``); the timestamp is the real time, within five minutes. Every
refusal (forged, unsigned, stale, replayed, unknown, switched off, too large, not JSON) is
checked to leave the database as it was: no post, no batch, no audit event.
"""

from __future__ import annotations

import json
import time

import pytest

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.media import sources
from siaga.media.choices import SourceKind
from siaga.media.models import IngestBatch, Post, Source

pytestmark = pytest.mark.django_db

WHEN = "2024-11-24T08:00:00+08:00"


def record(n: int, **extra) -> dict:
    return {
        "platform": "tiktok",
        "external_id": f"tt{n}",
        "text": f"Video kampanye nomor {n} di Sangatta Utara",
        "posted_at": WHEN,
        "likes": n,
        **extra,
    }


@pytest.fixture
def crawler(world) -> Source:
    return sources.source_create(
        context=AuditContext.cli(),
        name="Perayap TikTok",
        kind=SourceKind.WEBHOOK,
        region_code="64.08",
        platform="tiktok",
    )


def url(source: Source | str) -> str:
    return f"/webhooks/media/{getattr(source, 'slug', source)}"


def deliver(client, source, body: bytes, *, secret=None, timestamp=None, headers=None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    signed = {
        "X-Siaga-Timestamp": timestamp,
        "X-Siaga-Signature": sources.sign(secret or source.webhook_secret, timestamp, body),
    }
    return client.post(
        url(source),
        body,
        content_type="application/json",
        headers=signed if headers is None else headers,
    )


def payload(*records) -> bytes:
    return json.dumps({"posts": list(records)}).encode()


def nothing_stored() -> bool:
    return (
        Post.objects.count() == 0
        and IngestBatch.objects.count() == 0
        and not AuditEvent.objects.filter(action="media.posts_ingested").exists()
    )


def test_a_signed_batch_is_stored_and_counted(client, crawler):
    response = deliver(client, crawler, payload(record(1), record(2)))
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["stored"], body["updated"], body["rejected"]) == (2, 2, 0, 0)
    assert body["errors"] == []
    assert IngestBatch.objects.get().pk == body["batch"]
    assert set(Post.objects.values_list("external_id", flat=True)) == {"tt1", "tt2"}
    assert Post.objects.filter(source=crawler, platform="tiktok").count() == 2


def test_a_batch_with_bad_records_stores_the_good_ones_and_reports_rows(client, crawler):
    response = deliver(
        client,
        crawler,
        payload(record(1), record(2, text=""), "bukan objek", record(4, likes=-1), record(5)),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["stored"], body["rejected"]) == (5, 2, 3)
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (2, "text"),
        (3, "-"),
        (4, "likes"),
    }
    assert all(e["message"] for e in body["errors"])
    assert set(Post.objects.values_list("external_id", flat=True)) == {"tt1", "tt5"}


def test_the_same_batch_twice_is_stored_once(client, crawler):
    body = payload(record(1), record(2))
    first = deliver(client, crawler, body).json()
    again = deliver(client, crawler, body).json()
    assert (first["stored"], again["stored"], again["updated"]) == (2, 0, 2)
    assert Post.objects.count() == 2
    assert IngestBatch.objects.count() == 2


def test_values_the_database_would_refuse_are_reported_not_a_server_error(client, crawler):
    response = deliver(
        client,
        crawler,
        payload(record(1, text="nol\u0000byte \ud83d"), record(2, shares=10**12)),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["field"] == "shares"
    assert Post.objects.get().text == "nolbyte \ufffd"


# --- forged, unsigned, stale, replayed ----------------------------------------------------------


def test_a_wrong_signature_is_refused(client, crawler):
    response = deliver(client, crawler, payload(record(1)), secret="bukan-rahasianya")
    assert response.status_code == 403
    assert nothing_stored()


def test_a_body_changed_after_signing_is_refused(client, crawler):
    timestamp = str(int(time.time()))
    signature = sources.sign(crawler.webhook_secret, timestamp, payload(record(1)))
    response = client.post(
        url(crawler),
        payload(record(1, text="teks diganti di jalan")),
        content_type="application/json",
        headers={"X-Siaga-Timestamp": timestamp, "X-Siaga-Signature": signature},
    )
    assert response.status_code == 403
    assert nothing_stored()


def test_a_signature_of_another_timestamp_is_refused(client, crawler):
    body = payload(record(1))
    now = int(time.time())
    response = client.post(
        url(crawler),
        body,
        content_type="application/json",
        headers={
            "X-Siaga-Timestamp": str(now),
            "X-Siaga-Signature": sources.sign(crawler.webhook_secret, str(now - 1), body),
        },
    )
    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Siaga-Timestamp": "1732400000"},
        {"X-Siaga-Signature": "sha256=00"},
        {"X-Siaga-Timestamp": "kemarin", "X-Siaga-Signature": "sha256=00"},
    ],
    ids=["none", "no-signature", "no-timestamp", "bad-timestamp"],
)
def test_missing_or_malformed_headers_are_refused(client, crawler, headers):
    response = deliver(client, crawler, payload(record(1)), headers=headers)
    assert response.status_code == 403
    assert nothing_stored()


# Well outside the 300 s window, so a slow machine cannot carry a request back inside it.
@pytest.mark.parametrize("age", [360, 3600, -360])
def test_a_stale_or_future_timestamp_is_refused_even_when_correctly_signed(client, crawler, age):
    response = deliver(client, crawler, payload(record(1)), timestamp=str(int(time.time()) - age))
    assert response.status_code == 403
    assert nothing_stored()


def test_a_timestamp_inside_the_window_is_accepted(client, crawler):
    response = deliver(client, crawler, payload(record(1)), timestamp=str(int(time.time()) - 250))
    assert response.status_code == 200 and Post.objects.count() == 1


def test_a_replayed_old_delivery_is_refused(client, crawler):
    """A captured request (headers and body as sent) played again after the window."""
    body = payload(record(1))
    old = str(int(time.time()) - 600)
    captured = {
        "X-Siaga-Timestamp": old,
        "X-Siaga-Signature": sources.sign(crawler.webhook_secret, old, body),
    }
    response = client.post(url(crawler), body, content_type="application/json", headers=captured)
    assert response.status_code == 403
    assert nothing_stored()


def test_a_source_without_secret_refuses_everything(client, crawler):
    Source.objects.filter(pk=crawler.pk).update(webhook_secret="")
    crawler.refresh_from_db()
    response = deliver(client, crawler, payload(record(1)), secret="x")
    assert response.status_code == 403
    assert nothing_stored()


# --- unknown, switched off, wrong method, too large, wrong shape -------------------------------


def test_an_unknown_slug_answers_like_a_bad_signature(client, crawler):
    response = deliver(client, "tidak-ada", payload(record(1)), secret=crawler.webhook_secret)
    assert response.status_code == 403  # the names of sources cannot be probed
    assert nothing_stored()


def test_a_source_of_another_kind_answers_like_a_bad_signature(client, world):
    feed = sources.source_create(
        context=AuditContext.cli(),
        name="Umpan",
        kind=SourceKind.RSS,
        region_code="64.08",
        url="https://contoh.id/rss",
    )
    response = deliver(client, feed, payload(record(1)), secret="apa saja")
    assert response.status_code == 403
    assert nothing_stored()


def test_a_switched_off_source_is_503_but_only_to_a_signed_request(client, crawler):
    Source.objects.filter(pk=crawler.pk).update(active=False)
    response = deliver(client, crawler, payload(record(1)))
    assert response.status_code == 503
    forged = deliver(client, crawler, payload(record(1)), secret="bukan rahasianya")
    assert forged.status_code == 403
    assert nothing_stored()


def test_only_post_is_allowed(client, crawler):
    assert client.get(url(crawler)).status_code == 405
    assert nothing_stored()


def test_a_body_over_the_limit_is_413(client, crawler, settings):
    settings.SIAGA_MEDIA_WEBHOOK_MAX_MB = 1
    big = payload(*[record(n, text="x" * 2000) for n in range(600)])
    assert len(big) > 1024 * 1024
    response = deliver(client, crawler, big)
    assert response.status_code == 413
    assert nothing_stored()


def test_more_than_a_thousand_posts_is_413(client, crawler):
    response = deliver(client, crawler, payload(*[record(n) for n in range(1001)]))
    assert response.status_code == 413
    assert nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        b"bukan json",
        b"\xff\xfe",
        b'[{"platform": "x"}]',
        b'{"posts": {"a": 1}}',
        b'{"data": []}',
        b"null",
    ],
    ids=["text", "bytes", "list", "posts-object", "no-posts", "null"],
)
def test_a_body_that_is_not_the_expected_json_is_400(client, crawler, body):
    response = deliver(client, crawler, body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert nothing_stored()
