"""Outside channels a delivery can go through. Each is a small class with ``send``; a deployment
chooses them with ``SIAGA_NOTIFY_CHANNELS`` (the inbox is always on). A channel raises on
failure; ``siaga notify send`` records the error and tries again later.
"""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django.core.mail import send_mail


class EmailChannel:
    name = "email"

    def address_for_user(self, user) -> str:
        return user.email or ""

    def send(self, *, address: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [address], fail_silently=False)


class TelegramChannel:
    """Messages to a person's or an agency group's chat through the Bot API (sendMessage)."""

    name = "telegram"
    api_base = "https://api.telegram.org"

    def address_for_user(self, user) -> str:
        return getattr(user, "telegram_chat_id", "") or ""

    def send(self, *, address: str, subject: str, body: str) -> None:
        token = settings.SIAGA_TELEGRAM_BOT_TOKEN
        if not token:
            raise RuntimeError("SIAGA_TELEGRAM_BOT_TOKEN is not set")
        payload = json.dumps({"chat_id": address, "text": f"{subject}\n{body}".strip()}).encode()
        request = urllib.request.Request(  # noqa: S310 (a fixed https URL)
            f"{self.api_base}/bot{token}/sendMessage",
            data=payload,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status != 200:
                raise RuntimeError(f"Telegram answered {response.status}")


REGISTRY: dict[str, type] = {"email": EmailChannel, "telegram": TelegramChannel}


def enabled_channels() -> list:
    """The configured outside channels (``inbox`` is not one: it is the notification row)."""
    return [REGISTRY[name]() for name in settings.SIAGA_NOTIFY_CHANNELS if name in REGISTRY]
