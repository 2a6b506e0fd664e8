"""The short text format of SMS (and WhatsApp) reports, and handling one such message.

Format (case-insensitive; spaces or ``#`` separate the parts)::

    LAPOR <kode desa> [TPS <nomor>] <KATEGORI> <uraian>
    CEK <nomor tiket>

``LAPOR 64.08.04.1001 TPS 012 POLITIK UANG pembagian amplop di depan TPS``,
``lapor 6408041001 tps12 amplop ...``, ``LAPOR#6408041001#TPS 3#PU#...`` and a report without
a TPS are all understood. The category is found by the keywords of each ``Category`` (longest
first, so ``POLITIK UANG`` wins over ``PU``); the category code and name also work. The parser
is a plain function; ``handle_text`` turns a message into a report or a status and a reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.incidents.channels import common
from siaga.incidents.models import Category, Incident
from siaga.incidents.services import (
    DESCRIPTION_MAX,
    IncidentInput,
    incident_submit,
    normalise_region_code,
)

SEP = r"[\s#]"
_COMMAND = re.compile(rf"^{SEP}*(?P<cmd>[A-Za-z]+)(?:{SEP}+|$)(?P<rest>.*)$", re.S)
_DESA = re.compile(rf"^(?P<code>\d[\d.]*)(?![\d.]){SEP}*", re.S)
_TPS = re.compile(rf"^TPS{SEP}*[.:\-]?{SEP}*(?P<number>\d{{1,4}})(?![\d])[\s#.:,\-]*", re.S | re.I)
_TPS_WORD = re.compile(r"^TPS(?![A-Z])", re.I)
REPORT_WORDS = {"LAPOR", "LAPORAN", "LAPORKAN"}
CHECK_WORDS = {"CEK", "CEKLAPOR", "STATUS"}
TEXT_MAX = 4500


@dataclass(frozen=True)
class ParsedReport:
    region_code: str  # 64.08.04.1001
    tps_number: int | None
    category: str  # the Category code
    description: str


@dataclass(frozen=True)
class ParsedCheck:
    ticket: str  # LK-XXXXXX


@dataclass(frozen=True)
class ParseError:
    message: str


def format_help() -> str:
    return _(
        "Format: LAPOR <kode desa> TPS <nomor> <kategori> <uraian>. "
        "Contoh: LAPOR 64.08.04.1001 TPS 012 POLITIK UANG pembagian amplop di depan TPS. "
        "Cek status: CEK <nomor tiket>."
    )


def _keyword_pattern(keyword: str) -> re.Pattern:
    words = [re.escape(w) for w in keyword.split()]
    return re.compile("^" + r"[\s#_\-]+".join(words) + r"(?![0-9A-Za-z])", re.I)


def _keywords(categories: Iterable) -> list[tuple[str, str]]:
    """(keyword, category code), longest keyword first; codes and names count as keywords."""
    pairs: dict[str, str] = {}
    for category in categories:
        words = list(category.keyword_list)
        words += [category.code.upper().replace("-", " "), " ".join(category.name.upper().split())]
        for word in words:
            word = " ".join(word.split())
            if word and not any(ch in word for ch in "/()"):
                pairs.setdefault(word, category.code)
    return sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0]))


def category_match(text: str, categories: Iterable) -> tuple[str, str] | None:
    """The category code whose keyword ``text`` starts with, and the text after it."""
    for keyword, code in _keywords(categories):
        match = _keyword_pattern(keyword).match(text)
        if match:
            return code, text[match.end() :]
    return None


def category_hint(categories: Iterable) -> str:
    return ", ".join(c.keyword_list[0] if c.keyword_list else c.code.upper() for c in categories)


def place_parse(text: str) -> tuple[str, int | None, str] | ParseError:
    """``<kode desa> [TPS <n>]`` at the start of ``text``: (desa code, TPS number, the rest)."""
    text = text.lstrip(" \t\r\n#")
    desa = _DESA.match(text)
    if desa is None:
        return ParseError(
            _("Kode desa tidak ada atau tidak dikenali, contoh 64.08.04.1001.")
            + " "
            + format_help()
        )
    code = normalise_region_code(desa.group("code").strip("."))
    if len(code.replace(".", "")) != 10:
        return ParseError(
            _("Kode desa %(code)s tidak lengkap: tulis 10 angka, contoh 64.08.04.1001.")
            % {"code": desa.group("code")}
        )
    rest = text[desa.end() :]
    number = None
    tps = _TPS.match(rest)
    if tps is not None:
        number = int(tps.group("number"))
        if number < 1:
            return ParseError(_("Nomor TPS harus 1 atau lebih."))
        rest = rest[tps.end() :]
    elif _TPS_WORD.match(rest):
        return ParseError(
            _("Nomor TPS tidak terbaca; tulis misalnya TPS 012.") + " " + format_help()
        )
    return code, number, rest


def sms_parse(text: str, categories: Iterable) -> ParsedReport | ParsedCheck | ParseError:
    """Read one message in the short format; ``categories`` are the active ``Category`` rows."""
    text = str(text or "").strip()
    if len(text) > TEXT_MAX:
        return ParseError(_("Pesan terlalu panjang."))
    command = _COMMAND.match(text)
    if command is None:
        return ParseError(format_help())
    word, rest = command.group("cmd").upper(), command.group("rest")
    if word in CHECK_WORDS:
        words = rest.replace("#", " ").split()
        ticket = common.ticket_normalise(" ".join(words[:1])) or common.ticket_normalise(
            " ".join(words[:2])
        )
        if not ticket:
            return ParseError(_("Tulis nomor tiket: CEK LK-XXXXXX."))
        return ParsedCheck(ticket)
    if word not in REPORT_WORDS:
        return ParseError(format_help())
    place = place_parse(rest)
    if isinstance(place, ParseError):
        return place
    code, number, rest = place
    categories = list(categories)
    found = category_match(rest.lstrip(" \t\r\n#"), categories)
    if found is None:
        return ParseError(
            _("Kategori tidak dikenali. Tulis salah satu sesudah kode desa/TPS: %(list)s.")
            % {"list": category_hint(categories)}
        )
    category, rest = found
    description = rest.strip(" \t\r\n#:-,.;")
    if len(description) < 5:
        return ParseError(_("Uraian kejadian wajib diisi setelah kategori.") + " " + format_help())
    if len(description) > DESCRIPTION_MAX:
        return ParseError(_("Uraian terlalu panjang."))
    return ParsedReport(code, number, category, description)


# --- handling one message -----------------------------------------------------------------------


def active_categories() -> list[Category]:
    return list(Category.objects.filter(active=True).order_by("sort_order", "code"))


def check_reply(ticket: str, *, phone: str) -> str:
    """The state of ``ticket``, only to the number that reported it (or its account's phone)."""
    number = common.normalise_phone(phone)
    incident = (
        Incident.objects.select_related("category", "region", "tps", "reporter")
        .filter(ticket=ticket)
        .first()
    )
    if incident is None or not number:
        return common.reply_not_found(ticket)
    own = common.normalise_phone(incident.reporter_contact) == number or (
        incident.reporter is not None and common.normalise_phone(incident.reporter.phone) == number
    )
    return common.reply_status(incident) if own else common.reply_not_found(ticket)


def handle_text(
    text: str, *, phone: str, channel: str, message_id: str, context_ip: str | None = None
) -> tuple[str, Incident | None]:
    """One message in the short format from ``phone``: (the reply, the report stored or None).

    A number that belongs to an active account reports as that account (within its scope);
    any other number reports as the public, with the number kept as the reporter's contact.
    """
    parsed = sms_parse(text, active_categories())
    if isinstance(parsed, ParseError):
        return parsed.message, None
    if isinstance(parsed, ParsedCheck):
        return check_reply(parsed.ticket, phone=phone), None
    user = common.user_for_phone(phone)
    context = AuditContext(actor=user, source_ip=context_ip, channel=channel)
    data = IncidentInput(
        category=parsed.category,
        description=parsed.description,
        region_code=parsed.region_code,
        tps_number=parsed.tps_number,
        reporter_contact=common.phone_display(common.normalise_phone(phone)),
    )
    try:
        result = incident_submit(
            context=context,
            channel=channel,
            data=data,
            user=user,
            idempotency_key=common.message_key(channel, message_id),
        )
    except DomainError as exc:
        return common.error_text(exc), None
    return common.reply_received(result.incident), result.incident


def receive(
    *,
    channel: str,
    phone: str,
    text: str,
    message_id: str,
    source_ip: str | None = None,
    handler: Callable[[], tuple[str, Incident | None]] | None = None,
    answer: Callable[[str], None] | None = None,
) -> tuple[int, str]:
    """One signed message of the SMS gateway (or WhatsApp): (HTTP status, the reply).

    A replay of a message already handled answers the stored reply and stores nothing; a
    sender over the hourly limit is answered 429 and nothing is stored (the gateway may retry).
    ``handler`` replaces the reading of ``text`` (a WhatsApp photo gets the format help);
    ``answer(reply)`` is called in the transaction that records the message, so once per
    message id (a WhatsApp reply is queued there).
    """
    stored = common.processed_reply(channel, message_id)
    if stored is not None:
        return 200, stored
    if not common.rate_ok(channel, common.normalise_phone(phone) or phone):
        return 429, common.reply_too_many()

    def handle() -> tuple[str, Incident | None]:
        if handler is not None:
            reply, incident = handler()
        else:
            reply, incident = handle_text(
                text, phone=phone, channel=channel, message_id=message_id, context_ip=source_ip
            )
        if answer is not None and reply:
            answer(reply)
        return reply, incident

    return 200, common.process_once(channel, message_id, handle)
