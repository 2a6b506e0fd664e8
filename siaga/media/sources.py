"""Sources of posts: creating them, polling the feeds and connectors that are due, and checking
the signature of a crawler's webhook delivery.

Webhook deliveries are signed like GitHub's and Stripe's: the crawler sends
``X-Siaga-Timestamp`` (Unix seconds) and ``X-Siaga-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>." + body`` under the source's secret. A delivery older than five minutes is
refused (a replayed request), and posts are idempotent on (platform, external id) anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import time

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record, snapshot
from siaga.media.choices import SourceKind
from siaga.media.connectors import ConnectorError, connector_for
from siaga.media.errors import MediaError
from siaga.media.ingest import IngestResult, ingest
from siaga.media.models import IngestBatch, Source

logger = logging.getLogger("siaga.media")

REPLAY_WINDOW_SECONDS = 300
AUDITED = [
    "name",
    "slug",
    "kind",
    "platform",
    "region_id",
    "url",
    "connector",
    "poll_minutes",
    "active",
]


def source_create(
    *,
    context: AuditContext,
    name: str,
    kind: str,
    region_code: str,
    platform: str = "news",
    url: str = "",
    connector: str = "",
    poll_minutes: int = 30,
    slug: str = "",
) -> Source:
    if kind not in SourceKind.values:
        raise MediaError(_("Jenis sumber tidak dikenal."), field="kind")
    if kind == SourceKind.RSS and not url.startswith(("http://", "https://")):
        raise MediaError(_("Umpan RSS memerlukan alamat http(s)."), field="url")
    if kind == SourceKind.RSS:
        connector = "rss"
    if kind == SourceKind.CONNECTOR:
        if not connector:
            raise MediaError(
                _("Konektor wajib diisi untuk sumber jenis konektor platform."), field="connector"
            )
        try:
            connector_for(connector)
        except ConnectorError as exc:  # not in SIAGA_MEDIA_CONNECTORS, or its class won't load
            raise MediaError(str(exc), field="connector") from exc
    slug = slugify(slug or name)[:60]
    if not slug:
        raise MediaError(_("Nama sumber wajib diisi."), field="name")
    if Source.objects.filter(slug=slug).exists():
        raise MediaError(_("Kode sumber %(slug)s sudah dipakai.") % {"slug": slug}, field="slug")
    with transaction.atomic():
        source = Source.objects.create(
            name=name.strip()[:120],
            slug=slug,
            kind=kind,
            platform=platform,
            region_id=region_code,
            url=url,
            connector=connector,
            poll_minutes=max(poll_minutes, 1),
            webhook_secret=secrets.token_hex(32) if kind == SourceKind.WEBHOOK else "",
        )
        audit_record(
            context=context,
            action="media.source_created",
            obj=source,
            after=snapshot(source, AUDITED),  # never the secret
            region_code=region_code,
        )
    return source


def file_source(region_code: str, *, context: AuditContext) -> Source:
    """The source that file imports of a region are stored under (created on first use)."""
    slug = f"impor-berkas-{region_code.replace('.', '-')}"
    existing = Source.objects.filter(slug=slug).first()
    if existing:
        return existing
    return source_create(
        context=context,
        name=_("Impor berkas %(code)s") % {"code": region_code},
        kind=SourceKind.FILE,
        region_code=region_code,
        platform="lainnya",
        slug=slug,
    )


def api_source(user, region_code: str, *, context: AuditContext) -> Source:
    """The source of the posts a machine account pushes through the API (one per account)."""
    slug = slugify(f"api-{user.get_username()}")[:60]
    existing = Source.objects.filter(slug=slug).first()
    if existing:
        return existing
    return source_create(
        context=context,
        name=_("API %(user)s") % {"user": user.get_username()},
        kind=SourceKind.API,
        region_code=region_code,
        platform="lainnya",
        slug=slug,
    )


# --- polling -------------------------------------------------------------------------------------


def due_sources(now: dt.datetime | None = None) -> list[Source]:
    now = now or clock.now()
    due = []
    for source in Source.objects.filter(
        active=True, kind__in=[SourceKind.RSS, SourceKind.CONNECTOR]
    ).order_by("pk"):
        last = source.last_polled_at
        if last is None or now - last >= dt.timedelta(minutes=source.poll_minutes):
            due.append(source)
    return due


def source_poll(source: Source, *, context: AuditContext) -> IngestResult | None:
    """Fetch the source's new posts and ingest them; a failure is kept on the source (and
    logged without content) and the next poll tries again.

    Any exception of the connector counts as a failure of this source only: connectors are
    plug-ins, and one broken feed or crawler must not stop the others from being polled. A poll
    that brings nothing (``304 Not Modified``) writes no batch, only the poll time.
    """
    try:
        fetched = connector_for(source.connector or "rss").fetch(
            url=source.url, platform=source.platform, cursor=source.cursor
        )
    except Exception as exc:  # noqa: BLE001 - see the docstring
        message = str(exc) if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
        Source.objects.filter(pk=source.pk).update(
            last_polled_at=clock.now(), last_error=message[:1000]
        )
        logger.warning("source %s: %s", source.slug, message)
        return None
    if fetched.records:
        result = ingest(fetched.records, source=source, context=context)
    else:
        result = IngestResult(batch=IngestBatch(source=source))  # nothing new: not stored
    Source.objects.filter(pk=source.pk).update(
        last_polled_at=clock.now(), last_error="", cursor=fetched.cursor[:200]
    )
    return result


def sources_poll(*, context: AuditContext) -> list[tuple[Source, IngestResult | None]]:
    return [(source, source_poll(source, context=context)) for source in due_sources()]


# --- webhook signatures --------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signature_valid(source: Source, *, timestamp: str, signature: str, body: bytes) -> bool:
    if not source.webhook_secret or not timestamp or not signature:
        return False
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    # the real time, not the deployment's clock (a demo or exercise may play another day)
    if abs(time.time() - sent) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(source.webhook_secret, timestamp, body), signature)
