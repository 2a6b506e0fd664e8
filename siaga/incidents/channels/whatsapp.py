"""WhatsApp Cloud API: the messages of a webhook payload, handled in the SMS short format.

Meta posts ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"value":
{"messages": [{"from", "id", "type", "text": {"body"}}], "statuses": [...]}}]}]}``. Each text
message is read with ``siaga.incidents.channels.sms`` (``LAPOR ...`` / ``CEK ...``); delivery
statuses are ignored. The reply is kept in ``ProcessedMessage.reply``: sending it back needs a
Cloud API ``/messages`` call with an access token, which is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from siaga.incidents.channels import common, sms
from siaga.incidents.choices import Channel


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


def receive(payload, *, source_ip: str | None = None) -> list[tuple[int, str]]:
    """Handle each message of a payload: one (status, reply) each. ValueError if malformed."""
    results = []
    for message in messages_read(payload):
        if message.kind != "text":
            text_only = _("Kirim laporan dalam bentuk teks.") + " " + sms.format_help()
            reply = common.process_once(
                Channel.WHATSAPP, message.message_id, lambda r=text_only: (r, None)
            )
            results.append((200, reply))
            continue
        results.append(
            sms.receive(
                channel=Channel.WHATSAPP,
                phone=message.sender,
                text=message.text,
                message_id=message.message_id,
                source_ip=source_ip,
            )
        )
    return results
