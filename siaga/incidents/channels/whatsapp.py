"""WhatsApp Cloud API: the messages of a webhook payload, handled in the SMS short format.

Meta posts ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"value":
{"messages": [{"from", "id", "type", "text": {"body"}}], "statuses": [...]}}]}]}``. Each text
message is read with ``siaga.incidents.channels.sms`` (``LAPOR ...`` / ``CEK ...``); delivery
statuses are ignored.

The reply (ticket number, status, or format help) is kept in ``ProcessedMessage.reply`` and,
when ``SIAGA_WHATSAPP_ACCESS_TOKEN`` and ``SIAGA_WHATSAPP_PHONE_NUMBER_ID`` are set, queued as
a ``Delivery`` of the ``whatsapp`` channel to the sender's number, in the same transaction as
the ``ProcessedMessage``: once per message id, so a retry of Meta's never queues a second reply.
``siaga notify send`` sends it (``siaga.notifications.channels.WhatsAppChannel``). Besides the
report's own contact, the number is kept on that delivery only (never in its subject, body or
error), and never logged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from siaga.incidents.channels import common, sms
from siaga.incidents.choices import Channel
from siaga.notifications.services import address_message

WA_ID_MAX = 20  # digits of a wa_id we reply to (E.164 has at most 15)


@dataclass(frozen=True)
class WaMessage:
    sender: str  # the wa_id, a phone number without "+"
    message_id: str
    kind: str
    text: str


def messages_read(payload) -> list[WaMessage]:
    """The messages of a Cloud API payload; ValueError when it does not have that shape."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry", []), list):
        raise ValueError("entry")
    found = []
    for entry in payload.get("entry", []):
        changes = entry.get("changes", []) if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise ValueError("changes")
        for change in changes:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise ValueError("value")
            messages = value.get("messages", [])
            if not isinstance(messages, list):
                raise ValueError("messages")
            for message in messages:
                if not isinstance(message, dict):
                    raise ValueError("message")
                sender, message_id = str(message.get("from") or ""), str(message.get("id") or "")
                if not sender or not message_id or len(message_id) > common.MESSAGE_ID_MAX:
                    raise ValueError("from/id")
                body = message.get("text") if isinstance(message.get("text"), dict) else {}
                found.append(
                    WaMessage(
                        sender=sender,
                        message_id=message_id,
                        kind=str(message.get("type") or ""),
                        text=str(body.get("body") or ""),
                    )
                )
    return found


def replies_on() -> bool:
    """Whether replies are sent: the Cloud API access token and phone number id are both set."""
    return bool(settings.SIAGA_WHATSAPP_ACCESS_TOKEN and settings.SIAGA_WHATSAPP_PHONE_NUMBER_ID)


def _answer(sender: str, reply: str) -> None:
    """Queue ``reply`` to ``sender`` when replies are on; a sender that is not a wa_id (digits)
    gets none."""
    if replies_on() and sender.isdigit() and len(sender) <= WA_ID_MAX:
        address_message(channel=Channel.WHATSAPP, address=sender, body=reply)


def _receive_one(message: WaMessage, source_ip: str | None) -> tuple[int, str]:
    """``sms.receive`` for one WhatsApp message, its reply queued to the sender.

    A replay answers the stored reply and queues nothing. A sender over the hourly limit gets
    no reply (a flood of messages must not become a flood of answers) and nothing is stored.
    """
    handler = None
    if message.kind != "text":
        text_only = _("Kirim laporan dalam bentuk teks.") + " " + sms.format_help()
        handler = lambda: (text_only, None)  # noqa: E731
    return sms.receive(
        channel=Channel.WHATSAPP,
        phone=message.sender,
        text=message.text,
        message_id=message.message_id,
        source_ip=source_ip,
        handler=handler,
        answer=functools.partial(_answer, message.sender),
    )


def receive(payload, *, source_ip: str | None = None) -> list[tuple[int, str]]:
    """Handle each message of a payload: one (status, reply) each. ValueError if malformed."""
    return [_receive_one(message, source_ip) for message in messages_read(payload)]
