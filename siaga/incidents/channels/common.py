"""What the messaging channels share: signatures, replay protection, phone numbers and replies.

Phone numbers and message texts are personal data: nothing here logs them. The rate-limit keys
are hashed by ``siaga.core.ratelimit``; ``ProcessedMessage`` keeps only the message id and the
reply sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.accounts.models import User
from siaga.core import clock
from siaga.core.errors import DomainError
from siaga.core.ratelimit import rate_hit
from siaga.incidents.models import Incident, ProcessedMessage
from siaga.incidents.services import TICKET_ALPHABET

MESSAGE_ID_MAX = 100  # ProcessedMessage.message_id
# Messages per sender (phone number, Telegram chat) per hour. A Telegram report takes about
# seven messages (the guided conversation), an SMS or WhatsApp report one.
RATE_PER_HOUR = {"sms": 20, "whatsapp": 20, "telegram": 60}
_TICKET = re.compile(rf"^(?:LK)?[\s\-#:]*([{TICKET_ALPHABET}]{{6}})$")


# --- signatures ---------------------------------------------------------------------------------


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_ok(secret: str, message: bytes, header: str) -> bool:
    """``header`` is ``sha256=<hex>`` of HMAC-SHA256(secret, message); compared in constant time."""
    header = (header or "").strip()
    if not secret or not header.lower().startswith("sha256="):
        return False
    given = header[len("sha256=") :].strip().lower()
    return hmac.compare_digest(given.encode(), hmac_sha256_hex(secret, message).encode())


def secret_equal(configured: str, given: str) -> bool:
    """Constant-time equality of a configured secret and the one a request carries."""
    if not configured:
        return False
    return hmac.compare_digest((given or "").encode(), configured.encode())


# --- phone numbers ------------------------------------------------------------------------------


def normalise_phone(raw: str) -> str:
    """``+62 812-3456-789``, ``62812...``, ``0812...`` and ``812...`` -> ``62812...``.

    Numbers of other countries keep their digits. Fewer than 8 digits: ``""`` (not a number).
    """
    digits = "".join(ch for ch in str(raw or "") if ch.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if len(digits) >= 8 else ""


def phone_display(normalised: str) -> str:
    return f"+{normalised}" if normalised else ""


def user_for_phone(phone: str) -> User | None:
    """The one active user whose ``phone`` is this number (any +62/62/0 spelling), else None.

    Two accounts with the same number are ambiguous: the report is then treated as public.
    """
    number = normalise_phone(phone)
    if not number:
        return None
    # phones are typed in any format ("0812-3456 789"), so compare normalised: a regency has a
    # few thousand accounts at most
    accounts = User.objects.filter(is_active=True).exclude(phone="").values_list("pk", "phone")
    matches = [pk for pk, phone in accounts.iterator() if normalise_phone(phone) == number]
    return User.objects.get(pk=matches[0]) if len(matches) == 1 else None


# --- tickets and replies ------------------------------------------------------------------------


def message_key(channel: str, message_id: str) -> str:
    """The idempotency key of the report a message creates (at most 80 characters)."""
    key = f"{channel}-{message_id}"
    if len(key) <= 80:
        return key
    return f"{channel}-h{hashlib.sha256(message_id.encode()).hexdigest()[:48]}"


def ticket_normalise(raw: str) -> str:
    """``LK-ABC234``, ``lk abc234``, ``ABC234`` -> ``LK-ABC234``; anything else -> ``""``."""
    match = _TICKET.match(" ".join(str(raw or "").upper().split()))
    return f"LK-{match.group(1)}" if match else ""


def reply_received(incident: Incident) -> str:
    return _("Laporan diterima, nomor %(ticket)s. Simpan nomor ini.") % {"ticket": incident.ticket}


def reply_status(incident: Incident) -> str:
    where = incident.region.name
    if incident.tps_id:
        where = _("%(desa)s TPS %(number)03d") % {"desa": where, "number": incident.tps.number}
    return _("Laporan %(ticket)s (%(category)s, %(place)s): status %(state)s.") % {
        "ticket": incident.ticket,
        "category": incident.category.label,
        "place": where,
        "state": incident.get_state_display(),
    }


def reply_not_found(ticket: str) -> str:
    return _("Laporan %(ticket)s tidak ditemukan untuk pengirim ini.") % {"ticket": ticket or "-"}


def reply_too_many() -> str:
    return _("Terlalu banyak pesan dari pengirim ini. Coba lagi satu jam lagi.")


def error_text(exc: DomainError) -> str:
    """The message of a refused report, to send back as it is (already translated)."""
    return str(exc) or _("Laporan tidak dapat diterima.")


def rate_ok(channel: str, sender: str) -> bool:
    """Count one message of ``sender`` (hashed in the cache key); False above the hourly limit."""
    return rate_hit(f"channel-{channel}", str(sender), limit=RATE_PER_HOUR[channel], window=3600)


# --- replay protection --------------------------------------------------------------------------


def processed_reply(channel: str, message_id: str) -> str | None:
    """The reply already sent for this message, or None when the message is new."""
    found = ProcessedMessage.objects.filter(channel=channel, message_id=message_id).first()
    return None if found is None else found.reply


def process_once(
    channel: str, message_id: str, handler: Callable[[], tuple[str, Incident | None]]
) -> str:
    """Run ``handler`` (which returns the reply and the report it stored) once per message id.

    A replay answers the stored reply without running the handler again; two copies racing
    each other are settled by the unique (channel, message_id): the loser's work is rolled back
    and it answers the winner's reply.
    """
    stored = processed_reply(channel, message_id)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            reply, incident = handler()
            ProcessedMessage.objects.create(
                channel=channel,
                message_id=message_id,
                received_at=clock.now(),
                incident=incident,
                reply=reply,
            )
    except IntegrityError:
        stored = processed_reply(channel, message_id)
        if stored is None:
            raise
        return stored
    return reply
