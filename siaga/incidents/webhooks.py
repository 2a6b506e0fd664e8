"""Webhooks of the messaging channels: the SMS gateway, the Telegram bot and WhatsApp Cloud API.

Thin views: they check the transport (method, body size, secret or signature, freshness), read
the body and hand it to ``siaga.incidents.channels``. A channel whose secret is not configured
is off (503). They are CSRF-exempt (no session: each request proves itself by its signature)
and never log a phone number or a message text.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from siaga.incidents.channels import common, sms, telegram, whatsapp
from siaga.incidents.choices import Channel

logger = logging.getLogger("siaga.webhooks")

SMS_BODY_MAX = 64 * 1024
WHATSAPP_BODY_MAX = 64 * 1024
TELEGRAM_BODY_MAX = 16 * 1024
REPLAY_WINDOW_SECONDS = 300
SMS_FIELDS = ("from", "text", "message_id", "timestamp")


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _off() -> JsonResponse:
    return _error(_("Kanal ini tidak aktif."), 503)


def _forged() -> JsonResponse:
    return _error(_("Tanda tangan atau token tidak sah."), 403)


def _body(request, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than ``limit`` (checked before reading it)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    raw = request.body
    return raw if len(raw) <= limit else None


def _too_large(limit: int) -> JsonResponse:
    return _error(_("Isi permintaan melebihi %(kb)d KB.") % {"kb": limit // 1024}, 413)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


# --- SMS gateway --------------------------------------------------------------------------------


def _sms_fields(request, raw: bytes) -> dict | None:
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = {name: request.POST.get(name, "") for name in SMS_FIELDS}
    else:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
    return {name: str(data.get(name) or "").strip() for name in SMS_FIELDS}


@csrf_exempt
@require_POST
def sms_webhook(request):
    """``POST /webhooks/sms``: one SMS from the gateway, signed; answers ``{"reply": ...}``."""
    secret = settings.SIAGA_SMS_WEBHOOK_SECRET
    if not secret:
        return _off()
    raw = _body(request, SMS_BODY_MAX)
    if raw is None:
        return _too_large(SMS_BODY_MAX)
    signature = request.headers.get("X-Siaga-Signature", "")
    if not signature:
        logger.warning("sms webhook: request without signature refused")
        return _forged()
    fields = _sms_fields(request, raw)
    if fields is None:
        return _error(_("Isi harus JSON atau form dengan from, text, message_id, timestamp."), 400)
    stamp = fields["timestamp"]
    if not stamp.isdigit() or len(stamp) > 12:
        return _error(_("timestamp wajib diisi: detik Unix (UTC)."), 400)
    if not common.signature_ok(secret, stamp.encode() + b"." + raw, signature):
        logger.warning("sms webhook: bad signature refused")
        return _forged()
    # freshness is about the gateway's real clock, not the deployment's (possibly shifted) one
    if abs(time.time() - int(stamp)) > REPLAY_WINDOW_SECONDS:
        logger.warning("sms webhook: stale timestamp refused")
        return _error(_("timestamp di luar batas 5 menit."), 403)
    if not fields["message_id"] or len(fields["message_id"]) > common.MESSAGE_ID_MAX:
        return _error(_("message_id wajib diisi (paling panjang 100 karakter)."), 400)
    if not common.normalise_phone(fields["from"]):
        return _error(_("from harus nomor telepon pengirim."), 400)
    if not fields["text"]:
        return _error(_("text wajib diisi."), 400)
    status, reply = sms.receive(
        channel=Channel.SMS,
        phone=fields["from"],
        text=fields["text"],
        message_id=fields["message_id"],
        source_ip=_ip(request),
    )
    return JsonResponse({"reply": reply}, status=status)


# --- Telegram -----------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def telegram_webhook(request):
    """``POST /webhooks/telegram``: one Bot API update; the reply is the response body."""
    secret = settings.SIAGA_TELEGRAM_WEBHOOK_SECRET
    if not secret:
        return _off()
    if not common.secret_equal(secret, request.headers.get("X-Telegram-Bot-Api-Secret-Token")):
        logger.warning("telegram webhook: wrong secret token refused")
        return _forged()
    raw = _body(request, TELEGRAM_BODY_MAX)
    if raw is None:
        return _too_large(TELEGRAM_BODY_MAX)
    try:
        update = json.loads(raw)
        message = telegram.update_read(update)
    except (UnicodeDecodeError, ValueError):
        return _error(_("Update Telegram tidak sah."), 400)
    message_id = str(update["update_id"])
    stored = common.processed_reply(Channel.TELEGRAM, message_id)
    if stored is not None:
        return HttpResponse(stored or "{}", content_type="application/json")
    if message is not None and not common.rate_ok(Channel.TELEGRAM, str(message.chat_id)):
        answer = telegram.send(message.chat_id, common.reply_too_many()) if message.private else {}
        return JsonResponse(answer)

    def handle():
        answer, incident = telegram.handle_update(update, source_ip=_ip(request))
        return json.dumps(answer), incident

    body = common.process_once(Channel.TELEGRAM, message_id, handle)
    return HttpResponse(body or "{}", content_type="application/json")


# --- WhatsApp Cloud API -------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request):
    """``GET`` answers Meta's verification handshake; ``POST`` receives signed messages."""
    if request.method == "GET":
        token = settings.SIAGA_WHATSAPP_VERIFY_TOKEN
        if not token:
            return _off()
        if request.GET.get("hub.mode") == "subscribe" and common.secret_equal(
            token, request.GET.get("hub.verify_token", "")
        ):
            return HttpResponse(
                request.GET.get("hub.challenge", "")[:200], content_type="text/plain"
            )
        return _forged()
    secret = settings.SIAGA_WHATSAPP_APP_SECRET
    if not secret:
        return _off()
    raw = _body(request, WHATSAPP_BODY_MAX)
    if raw is None:
        return _too_large(WHATSAPP_BODY_MAX)
    if not common.signature_ok(secret, raw, request.headers.get("X-Hub-Signature-256", "")):
        logger.warning("whatsapp webhook: bad signature refused")
        return _forged()
    try:
        results = whatsapp.receive(json.loads(raw), source_ip=_ip(request))
    except (UnicodeDecodeError, ValueError):
        return _error(_("Isi webhook WhatsApp tidak sah."), 400)
    # always 200 once signed: Meta retries other answers for days, a flood included
    return JsonResponse({"received": len(results)})
