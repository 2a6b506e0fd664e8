"""Outside channels a delivery can go through. Each is a small class with ``send``; a deployment
chooses them with ``SIAGA_NOTIFY_CHANNELS`` (the inbox is always on). A channel raises on
failure; ``siaga notify send`` records the error and tries again later.

An entry of ``SIAGA_NOTIFY_CHANNELS`` is the name of a built-in channel (``email``,
``telegram``), the dotted path of a channel class, or, in a settings file, a
``{"NAME": "dotted.path", "OPTIONS": {...}}`` pair as Django's password validators are named, so
that a deployment adds a channel (SMS, WhatsApp) without changing this module. A channel class
has ``name`` (the key stored on its deliveries), ``label`` (shown on the preferences page),
``address_for_user(user)`` and ``send(address=, subject=, body=)``; OPTIONS are given to its
constructor as keywords.
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
                answer = _telegram_answer(response.read())
        except urllib.error.HTTPError as error:
            answer = _telegram_answer(error.read())
            reason = answer.get("description") or error.reason
            raise RuntimeError(f"Telegram answered {error.code}: {reason}") from None
        if answer.get("ok") is not True:
            raise RuntimeError(f"Telegram refused the message: {answer.get('description', '')}")


def _telegram_answer(raw: bytes) -> dict:
    """The Bot API's JSON answer, or {} when it is not JSON (a proxy's error page)."""
    try:
        answer = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


REGISTRY: dict[str, type] = {"email": EmailChannel, "telegram": TelegramChannel}


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
