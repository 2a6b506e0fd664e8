"""The crawlers' webhook: POST /webhooks/media/<source> with a signed batch of posts.

Body: ``{"posts": [record, ...]}`` (at most 1,000 records, the schema of
``siaga.media.records``). Headers: ``X-Siaga-Timestamp`` and ``X-Siaga-Signature`` (see
``siaga.media.sources``). Answers 200 with the batch's counts and the bad records' row, field
and message; 403 for a bad or stale signature or an unknown source (names cannot be probed),
503 when the source is switched off (told only to a correctly signed request), 413 for a body
over SIAGA_MEDIA_WEBHOOK_MAX_MB. Texts are never logged.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from siaga.core.audit import AuditContext
from siaga.media.choices import SourceKind
from siaga.media.ingest import ingest
from siaga.media.models import Source
from siaga.media.sources import signature_valid

logger = logging.getLogger("siaga.webhooks")
MAX_POSTS = 1_000


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def posts_webhook(request, slug: str):
    limit = settings.SIAGA_MEDIA_WEBHOOK_MAX_MB * 1024 * 1024
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _error(_("Isi permintaan melebihi %(mb)d MB.") % {"mb": limit // 2**20}, 413)
    body = request.body
    if len(body) > limit:
        return _error(_("Isi permintaan melebihi %(mb)d MB.") % {"mb": limit // 2**20}, 413)
    # An unknown source answers like a bad signature, so that names cannot be probed.
    source = Source.objects.filter(slug=slug, kind=SourceKind.WEBHOOK).first()
    if source is None or not signature_valid(
        source,
        timestamp=request.headers.get("X-Siaga-Timestamp", ""),
        signature=request.headers.get("X-Siaga-Signature", ""),
        body=body,
    ):
        logger.warning("media webhook %s: bad or stale signature", slug)
        return _error(_("Tanda tangan tidak sah atau kedaluwarsa."), 403)
    if not source.active:
        return _error(_("Sumber ini tidak aktif."), 503)
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(_("Isi permintaan bukan JSON."), 400)
    posts = payload.get("posts") if isinstance(payload, dict) else None
    if not isinstance(posts, list):
        return _error(_('Isi permintaan harus berupa {"posts": [...]}.'), 400)
    if len(posts) > MAX_POSTS:
        return _error(_("Paling banyak %(n)d unggahan per kiriman.") % {"n": MAX_POSTS}, 413)
    result = ingest(
        list(enumerate(posts, 1)),
        source=source,
        context=AuditContext(source_ip=request.META.get("REMOTE_ADDR"), channel="webhook"),
    )
    return JsonResponse(
        {
            "batch": result.batch.pk,
            "received": result.batch.received,
            "stored": result.stored,
            "updated": result.updated,
            "rejected": result.rejected,
            "errors": [e.as_dict() for e in result.errors[:200]],
        }
    )
