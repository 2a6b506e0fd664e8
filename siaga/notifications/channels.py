"""Outside channels a delivery can go through. Each is a small class with ``send``; a deployment
chooses them with ``SIAGA_NOTIFY_CHANNELS`` (the inbox is always on). A channel raises on
failure; ``siaga notify send`` records the error and tries again later.

An entry of ``SIAGA_NOTIFY_CHANNELS`` is the name of a built-in channel (``email``,
``telegram``), the dotted path of a channel class, or, in a settings file, a
``{"NAME": "dotted.path", "OPTIONS": {...}}`` pair as Django's password validators are named, so
that a deployment adds a channel (SMS) without changing this module. A channel class
has ``name`` (the key stored on its deliveries), ``label`` (shown on the preferences page),
``address_for_user(user)`` and ``send(address=, subject=, body=)``; OPTIONS are given to its
constructor as keywords.

``whatsapp`` is built in too, for the replies to WhatsApp reporters only: it needs no entry
here, and an entry is ignored (see ``WhatsAppChannel``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

INBOX = "inbox"  # not a channel: the notification row itself, always on


def _json_answer(raw: bytes) -> dict:
    """An API's JSON answer, or {} when it is not JSON (a proxy's error page)."""
    try:
        answer = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class EmailChannel:
    """Email through Django's mailer (``MAILERS``), to the user's own address."""

    name = "email"
    label = _("Email")

    def address_for_user(self, user) -> str:
        return user.email or ""

    def send(self, *, address: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [address], fail_silently=False)


class TelegramChannel:
    """Messages to a person's or an agency group's chat through the Bot API (sendMessage) at
    ``SIAGA_TELEGRAM_API_BASE`` (OPTIONS may name another ``api_base``). Telegram's refusal
    (an HTTP error, or ``"ok": false``) is raised with its description, never with the token."""

    name = "telegram"
    label = _("Telegram")

    def __init__(self, api_base: str = "") -> None:
        self.api_base = (api_base or settings.SIAGA_TELEGRAM_API_BASE).rstrip("/")

    def address_for_user(self, user) -> str:
        return getattr(user, "telegram_chat_id", "") or ""

    def send(self, *, address: str, subject: str, body: str) -> None:
        token = settings.SIAGA_TELEGRAM_BOT_TOKEN
        if not token:
            raise RuntimeError("SIAGA_TELEGRAM_BOT_TOKEN is not set")
        if urlsplit(self.api_base).scheme not in ("http", "https"):
            raise RuntimeError("SIAGA_TELEGRAM_API_BASE must be an http(s) URL")
        payload = json.dumps({"chat_id": address, "text": f"{subject}\n{body}".strip()}).encode()
        request = urllib.request.Request(  # noqa: S310 (an http(s) URL, checked above)
            f"{self.api_base}/bot{token}/sendMessage",
            data=payload,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer = _json_answer(response.read())
        except urllib.error.HTTPError as error:
            answer = _json_answer(error.read())
            reason = answer.get("description") or error.reason
            raise RuntimeError(f"Telegram answered {error.code}: {reason}") from None
        if answer.get("ok") is not True:
            raise RuntimeError(f"Telegram refused the message: {answer.get('description', '')}")


class WhatsAppChannel:
    """Text messages through the WhatsApp Cloud API (``POST <base>/<phone number id>/messages``
    with the access token as a bearer token) at ``SIAGA_WHATSAPP_API_BASE``.

    It carries the replies to WhatsApp reporters (``siaga.incidents.channels.whatsapp`` queues
    them when the access token and phone number id are set), not notifications to accounts:
    WhatsApp allows a free text only within 24 hours of the person's last message, so
    ``address_for_user`` is empty and ``notify`` queues nothing for it. Meta's refusal is raised
    with its code and reason, never with the token or the recipient's number.
    """

    name = "whatsapp"
    label = _("WhatsApp")
    notifies = False  # never one of enabled_channels(), even when named in the setting
    TEXT_MAX = 4096  # characters of a text message's body

    def __init__(self, api_base: str = "") -> None:
        self.api_base = (api_base or settings.SIAGA_WHATSAPP_API_BASE).rstrip("/")

    def address_for_user(self, user) -> str:
        return ""

    def send(self, *, address: str, subject: str, body: str) -> None:
        token = settings.SIAGA_WHATSAPP_ACCESS_TOKEN
        phone_number_id = str(settings.SIAGA_WHATSAPP_PHONE_NUMBER_ID or "").strip()
        if not token or not phone_number_id:
            raise RuntimeError(
                "SIAGA_WHATSAPP_ACCESS_TOKEN and SIAGA_WHATSAPP_PHONE_NUMBER_ID must be set"
            )
        if urlsplit(self.api_base).scheme not in ("http", "https"):
            raise RuntimeError("SIAGA_WHATSAPP_API_BASE must be an http(s) URL")
        if not phone_number_id.isdigit():
            raise RuntimeError("SIAGA_WHATSAPP_PHONE_NUMBER_ID must be digits")
        text = f"{subject}\n{body}".strip()[: self.TEXT_MAX]
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": address,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
        request = urllib.request.Request(  # noqa: S310 (an http(s) URL, checked above)
            f"{self.api_base}/{phone_number_id}/messages",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        secrets = (token, address)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer = _json_answer(response.read())
        except urllib.error.HTTPError as error:
            reason = _whatsapp_reason(_json_answer(error.read())) or str(error.reason)
            raise RuntimeError(
                _redact(f"WhatsApp answered {error.code}: {reason}", secrets)
            ) from None
        except OSError as error:  # refused, unreachable, timed out: said without the URL
            raise RuntimeError(_redact(f"WhatsApp unreachable: {error}", secrets)) from None
        messages = answer.get("messages")
        if not isinstance(messages, list) or not messages:
            reason = _whatsapp_reason(answer)
            raise RuntimeError(_redact(f"WhatsApp refused the message: {reason}", secrets))


def _whatsapp_reason(answer: dict) -> str:
    """``(#131030) Recipient phone number not in allowed list`` from Meta's ``error`` object,
    with its details when they say more."""
    error = answer.get("error")
    if not isinstance(error, dict):
        return ""
    reason = str(error.get("message") or "")
    code = error.get("code")
    if code is not None and f"#{code}" not in reason:
        reason = f"(#{code}) {reason}".strip()
    data = error.get("error_data")
    details = str(data.get("details") or "") if isinstance(data, dict) else ""
    if details and details not in reason:
        reason = f"{reason}; {details}" if reason else details
    return reason


def _redact(text: str, secrets) -> str:
    """``text`` without any of ``secrets`` (a token, a recipient's number), in case an answer
    quotes them back."""
    for secret in secrets:
        secret = str(secret or "")
        if len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


REGISTRY: dict[str, type] = {
    "email": EmailChannel,
    "telegram": TelegramChannel,
    "whatsapp": WhatsAppChannel,
}


def _configured() -> list[tuple[type, dict[str, Any]]]:
    """(class, options) of each channel named in settings; unknown built-in names are skipped,
    so a setting written for a later version does not stop the others."""
    found = []
    for entry in settings.SIAGA_NOTIFY_CHANNELS:
        if isinstance(entry, dict):
            path, options = entry["NAME"], dict(entry.get("OPTIONS") or {})
        else:
            path, options = str(entry).strip(), {}
        if path in REGISTRY:
            found.append((REGISTRY[path], options))
        elif "." in path:
            found.append((import_string(path), options))
    return found


def enabled_channels() -> list:
    """The configured outside channels (``inbox`` is not one: it is the notification row)."""
    channels, names = [], set()
    for cls, options in _configured():
        if getattr(cls, "notifies", True) is False:
            continue
        channel = cls(**options)
        if channel.name not in names:
            names.add(channel.name)
            channels.append(channel)
    return channels


def sending_channels() -> dict[str, Any]:
    """Every channel a queued delivery may name, by name: the built-ins (a delivery queued
    before a channel was switched off still goes out) and the configured ones (which win)."""
    registry: dict[str, Any] = {name: cls() for name, cls in REGISTRY.items()}
    registry.update({channel.name: channel for channel in enabled_channels()})
    return registry
