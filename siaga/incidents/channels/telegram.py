"""The Telegram bot: a guided conversation that ends in one report.

/start or /lapor -> category (a keyboard of category names) -> where (a shared location, or a
desa code with an optional TPS number, or a desa name) -> what happened -> an optional photo ->
anonymous or named -> confirm -> ``incident_submit(channel="telegram")``. /batal cancels at any
step, /status <ticket> tells the state of a report sent from the same chat. The state lives in
``MessagingConversation``; replies are Bot API methods returned in the webhook's response, so
answering needs no outbound call. Only the photo is fetched from Telegram (``file_fetch``, which
the caller may replace: tests pass bytes without network).

Only private chats are served: in a group the bot stays silent, so no one reports in front of
others by accident.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.core.media import max_bytes, media_clean
from siaga.incidents.channels import common, sms
from siaga.incidents.choices import Channel
from siaga.incidents.models import Category, Incident, MessagingConversation
from siaga.incidents.services import (
    DESCRIPTION_MAX,
    IncidentError,
    IncidentInput,
    deployment_regency,
    incident_submit,
)
from siaga.wilayah.choices import Level
from siaga.wilayah.locate import desa_at_point
from siaga.wilayah.models import Region, Tps

CONVERSATION_EXPIRES = dt.timedelta(hours=24)

START, CATEGORY, WHERE, WHAT, PHOTO, ANONYMOUS, CONFIRM = (
    "start",
    "category",
    "where",
    "what",
    "photo",
    "anonymous",
    "confirm",
)
# which step asks again for the input a refused report names
STEP_OF_FIELD = {
    "category": CATEGORY,
    "region": WHERE,
    "tps": WHERE,
    "lat": WHERE,
    "description": WHAT,
    "media": PHOTO,
}


# --- fetching a photo ---------------------------------------------------------------------------


class FetchError(Exception):
    """The file could not be fetched from Telegram."""


class FileTooLarge(FetchError):
    """The file is larger than the upload limit."""


Fetcher = Callable[..., bytes]  # fetcher(file_id, *, max_bytes) -> bytes


def file_fetch(file_id: str, *, max_bytes: int) -> bytes:
    """The bytes of a file sent to the bot: Bot API getFile, then the download (both capped)."""
    token = settings.SIAGA_TELEGRAM_BOT_TOKEN
    if not token:
        raise FetchError("SIAGA_TELEGRAM_BOT_TOKEN is not set")
    api = settings.SIAGA_TELEGRAM_API_BASE.rstrip("/")
    if urllib.parse.urlsplit(api).scheme not in ("http", "https"):
        raise FetchError("SIAGA_TELEGRAM_API_BASE must be an http(s) URL")
    query = urllib.parse.urlencode({"file_id": file_id})
    with urllib.request.urlopen(  # noqa: S310 (an http(s) URL, checked above)
        f"{api}/bot{token}/getFile?{query}", timeout=10
    ) as response:
        info = json.loads(response.read(65536))
    result = info.get("result") or {}
    if not info.get("ok") or not result.get("file_path"):
        raise FetchError("getFile refused")
    if int(result.get("file_size") or 0) > max_bytes:
        raise FileTooLarge
    path = urllib.parse.quote(result["file_path"])
    with urllib.request.urlopen(  # noqa: S310 (an http(s) URL, checked above)
        f"{api}/file/bot{token}/{path}", timeout=30
    ) as response:
        content = response.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileTooLarge
    return content


# --- reading an update --------------------------------------------------------------------------


@dataclass
class Message:
    update_id: int
    chat_id: int
    private: bool
    text: str = ""
    location: tuple[float, float] | None = None
    files: list[dict] = field(default_factory=list)  # [{"file_id", "file_size", "image"}]
    other_media: bool = False
    sender_name: str = ""
    sender_username: str = ""


def update_read(update) -> Message | None:
    """The message of an update, None for updates the bot ignores; ValueError when malformed."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise ValueError("update_id")
    message = update.get("message")
    if not isinstance(message, dict):
        return None  # edited messages, callbacks, channel posts: nothing to do
    chat = message.get("chat")
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
        raise ValueError("chat")
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    found = Message(
        update_id=update["update_id"],
        chat_id=chat["id"],
        private=chat.get("type") == "private",
        text=str(message.get("text") or "").strip()[:5000],
        sender_name=" ".join(
            str(sender.get(k) or "").strip() for k in ("first_name", "last_name")
        ).strip()[:120],
        sender_username=str(sender.get("username") or "")[:64],
    )
    location = message.get("location")
    if isinstance(location, dict):
        try:
            found.location = (float(location["latitude"]), float(location["longitude"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("location") from exc
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        sizes = [p for p in photo if isinstance(p, dict) and p.get("file_id")]
        if sizes:
            best = max(sizes, key=lambda p: p.get("width", 0) * p.get("height", 0))
            found.files.append(
                {"file_id": str(best["file_id"]), "file_size": best.get("file_size"), "image": True}
            )
    document = message.get("document")
    if isinstance(document, dict) and document.get("file_id"):
        found.files.append(
            {
                "file_id": str(document["file_id"]),
                "file_size": document.get("file_size"),
                "image": str(document.get("mime_type") or "").startswith("image/"),
            }
        )
    if any(k in message for k in ("video", "video_note", "audio", "voice", "sticker", "animation")):
        found.other_media = True
    return found


# --- replies ------------------------------------------------------------------------------------


def send(chat_id: int, text: str, keyboard: list[list] | None = None, *, remove=False) -> dict:
    """A sendMessage method for the webhook response, with a reply keyboard or its removal."""
    body: dict = {"method": "sendMessage", "chat_id": chat_id, "text": text[:4000]}
    if keyboard:
        body["reply_markup"] = {
            "keyboard": [
                [b if isinstance(b, dict) else {"text": b} for b in row] for row in keyboard
            ],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
    elif remove:
        body["reply_markup"] = {"remove_keyboard": True}
    return body


def _label_skip() -> str:
    return _("Lewati")


def _label_anonymous() -> str:
    return _("Anonim")


def _label_named() -> str:
    return _("Cantumkan nama saya")


def _label_send() -> str:
    return _("Kirim laporan")


def _label_cancel() -> str:
    return "/batal"


def _help() -> str:
    return _(
        "Siaga menerima laporan kejadian Pilkada. Ketik /lapor untuk melapor, "
        "/status <nomor tiket> untuk cek status, /batal untuk membatalkan."
    )


def _categories() -> list[Category]:
    return list(Category.objects.filter(active=True).order_by("sort_order", "code"))


def _prompt(step: str, chat_id: int) -> dict:
    if step == CATEGORY:
        labels = [c.label for c in _categories()]
        rows = [labels[i : i + 2] for i in range(0, len(labels), 2)] + [[_label_cancel()]]
        return send(chat_id, _("Pilih kategori kejadian:"), rows)
    if step == WHERE:
        return send(
            chat_id,
            _(
                "Di mana kejadiannya? Kirim lokasi Anda, atau ketik kode desa dan nomor TPS, "
                "contoh: 64.08.04.1001 TPS 3 (nama desa juga boleh)."
            ),
            [[{"text": _("Kirim lokasi saya"), "request_location": True}], [_label_cancel()]],
        )
    if step == WHAT:
        return send(chat_id, _("Ceritakan apa yang terjadi (siapa, apa, kapan)."), remove=True)
    if step == PHOTO:
        return send(
            chat_id,
            _("Kirim satu foto bila ada, atau pilih Lewati."),
            [[_label_skip()], [_label_cancel()]],
        )
    if step == ANONYMOUS:
        return send(
            chat_id,
            _("Kirim sebagai anonim, atau cantumkan nama Telegram Anda?"),
            [[_label_anonymous(), _label_named()], [_label_cancel()]],
        )
    return send(chat_id, _help(), remove=True)


def _summary(data: dict) -> str:
    category = Category.objects.filter(code=data.get("category")).first()
    place = data.get("place", "-")
    lines = [
        _("Periksa laporan Anda:"),
        _("Kategori: %(value)s") % {"value": category.label if category else "-"},
        _("Lokasi: %(value)s") % {"value": place},
        _("Uraian: %(value)s") % {"value": str(data.get("description", ""))[:500]},
        _("Foto: %(value)s") % {"value": _("ada") if data.get("photo") else _("tidak ada")},
        _("Pelapor: %(value)s")
        % {"value": _("anonim") if data.get("anonymous") else data.get("reporter_name") or "-"},
        _("Kirim laporan ini?"),
    ]
    return "\n".join(lines)


def _same(text: str, label: str) -> bool:
    return " ".join(text.lower().split()) == " ".join(label.lower().split())


# --- ownership ----------------------------------------------------------------------------------


def chat_ref(chat_id: int) -> str:
    """A keyed hash of the chat id: the idempotency keys of anonymous reports do not name it."""
    return salted_hmac("siaga.telegram.chat", str(chat_id), algorithm="sha256").hexdigest()[:16]


def idempotency_key(chat_id: int, start_update_id: int) -> str:
    return f"tg-{chat_ref(chat_id)}-{start_update_id}"


def status_reply(chat_id: int, raw_ticket: str) -> str:
    ticket = common.ticket_normalise(raw_ticket)
    if not ticket:
        return _("Tulis nomor tiket: /status LK-XXXXXX.")
    incident = (
        Incident.objects.select_related("category", "region", "tps")
        .filter(
            ticket=ticket,
            channel=Channel.TELEGRAM,
            idempotency_key__startswith=f"tg-{chat_ref(chat_id)}-",
        )
        .first()
    )
    return common.reply_status(incident) if incident else common.reply_not_found(ticket)


# --- the conversation ---------------------------------------------------------------------------


def _conversation(chat_id: int) -> MessagingConversation:
    now = clock.now()
    conversation, _created = MessagingConversation.objects.select_for_update().get_or_create(
        channel=Channel.TELEGRAM,
        chat_id=str(chat_id),
        defaults={"step": START, "data": {}, "updated_at": now},
    )
    if conversation.step != START and conversation.updated_at < now - CONVERSATION_EXPIRES:
        conversation.step, conversation.data = START, {}
    return conversation


def _save(conversation: MessagingConversation, step: str, data: dict | None = None) -> None:
    conversation.step = step
    if data is not None:
        conversation.data = data
    conversation.updated_at = clock.now()
    conversation.save()


def _place_from_text(text: str) -> dict | str:
    """Conversation data for a typed place (desa code [TPS n], or a desa name), or an error."""
    regency = deployment_regency()
    parsed = sms.place_parse(text)
    if isinstance(parsed, sms.ParseError):
        name = " ".join(text.split())
        matches = list(
            Region.objects.filter(
                level=Level.VILLAGE, code__startswith=regency + ".", name__iexact=name
            )[:2]
        )
        if len(matches) != 1:
            return _(
                "Tempat tidak dikenali. Kirim lokasi, atau ketik kode desa, contoh "
                "64.08.04.1001 TPS 3."
            )
        return {"region_code": matches[0].code, "tps_number": None, "place": matches[0].name}
    code, number, _rest = parsed
    region = Region.objects.filter(
        code=code, level=Level.VILLAGE, code__startswith=regency + "."
    ).first()
    if region is None:
        return _("Kode desa %(code)s tidak dikenal di kabupaten ini.") % {"code": code}
    place = region.name
    if number is not None:
        if not Tps.objects.filter(desa=region, number=number).exists():
            return _("TPS %(number)03d tidak ada di %(desa)s.") % {
                "number": number,
                "desa": region.name,
            }
        place = _("%(desa)s TPS %(number)03d") % {"desa": region.name, "number": number}
    return {"region_code": code, "tps_number": number, "place": place}


def _photo(message: Message, fetcher: Fetcher) -> str | tuple[str, str]:
    """The cleaned photo (base64) of a message, or the refusal to send back."""
    limit = max_bytes()
    too_large = _("Foto terlalu besar (paling besar %(mb)d MB). Kirim foto lain atau pilih Lewati.")
    too_large %= {"mb": settings.SIAGA_UPLOAD_MAX_MB}
    item = message.files[0]
    if not item["image"]:
        return _("Hanya foto (JPEG, PNG atau WebP) yang diterima. Kirim foto atau pilih Lewati.")
    if int(item.get("file_size") or 0) > limit:
        return too_large
    try:
        content = fetcher(item["file_id"], max_bytes=limit)
    except FileTooLarge:
        return too_large
    except (FetchError, OSError, ValueError):
        return _("Foto tidak dapat diambil dari Telegram. Kirim lagi atau pilih Lewati.")
    if len(content) > limit:
        return too_large
    try:
        clean = media_clean(content, name=_("foto"), allow_video=False, strip_location=True)
    except DomainError as exc:
        return str(exc) + " " + _("Kirim foto lain atau pilih Lewati.")
    return ("ok", base64.b64encode(clean.content).decode("ascii") + "." + clean.extension)


def _submit(
    conversation: MessagingConversation, message: Message, source_ip: str | None
) -> tuple[dict, Incident | None]:
    data = conversation.data
    media = []
    if data.get("photo"):
        encoded, _dot, extension = data["photo"].rpartition(".")
        media.append((base64.b64decode(encoded), f"telegram.{extension}"))
    anonymous = bool(data.get("anonymous"))
    contact = ""
    if not anonymous:
        contact = (
            f"Telegram @{message.sender_username}"
            if message.sender_username
            else f"Telegram {message.chat_id}"
        )
    report = IncidentInput(
        category=data.get("category", ""),
        description=data.get("description", ""),
        region_code=data.get("region_code", ""),
        tps_number=data.get("tps_number"),
        lat=data.get("lat"),
        lon=data.get("lon"),
        anonymous=anonymous,
        reporter_name="" if anonymous else data.get("reporter_name", ""),
        reporter_contact=contact,
        media=media,
    )
    try:
        result = incident_submit(
            context=AuditContext(source_ip=source_ip, channel="telegram"),
            channel=Channel.TELEGRAM,
            data=report,
            user=None,
            idempotency_key=idempotency_key(message.chat_id, data.get("start", 0)),
        )
    except DomainError as exc:
        step = STEP_OF_FIELD.get(getattr(exc, "field", ""), "")
        if isinstance(exc, IncidentError) and step:
            _save(conversation, step)
            answer = _prompt(step, message.chat_id)
            answer["text"] = common.error_text(exc) + "\n" + answer["text"]
            return answer, None
        _save(conversation, START, {})
        text = common.error_text(exc) + " " + _("Ketik /lapor untuk mengulang.")
        return send(message.chat_id, text, remove=True), None
    _save(conversation, START, {})
    ticket = result.incident.ticket
    text = (
        common.reply_received(result.incident)
        + " "
        + _("Cek status: /status %(ticket)s") % {"ticket": ticket}
    )
    return send(message.chat_id, text, remove=True), result.incident


def handle_message(
    message: Message, *, fetcher: Fetcher, source_ip: str | None = None
) -> tuple[dict, Incident | None]:
    """Advance the chat's conversation by one message: (the Bot API reply, a report or None)."""
    chat_id = message.chat_id
    text = message.text
    command, _space, argument = text.partition(" ") if text.startswith("/") else ("", "", "")
    command = command.split("@", 1)[0].lower()
    conversation = _conversation(chat_id)
    if command == "/batal":
        _save(conversation, START, {})
        return send(
            chat_id, _("Laporan dibatalkan. Ketik /lapor untuk mulai lagi."), remove=True
        ), None
    if command == "/status":
        return send(chat_id, status_reply(chat_id, argument)), None
    if command in ("/start", "/lapor"):
        _save(conversation, CATEGORY, {"start": message.update_id})
        answer = _prompt(CATEGORY, chat_id)
        if command == "/start":
            answer["text"] = _help() + "\n\n" + answer["text"]
        return answer, None
    if command == "/bantuan" or conversation.step == START:
        return send(chat_id, _help(), remove=True), None

    step, data = conversation.step, dict(conversation.data)
    if step == CATEGORY:
        categories = _categories()
        chosen = next(
            (c.code for c in categories if _same(text, c.label) or _same(text, c.name)), None
        )
        if chosen is None and text:
            found = sms.category_match(text, categories)
            chosen = found[0] if found else None
        if chosen is None:
            answer = _prompt(CATEGORY, chat_id)
            answer["text"] = _("Kategori tidak dikenal; pilih dari tombol.") + "\n" + answer["text"]
            return answer, None
        data["category"] = chosen
        _save(conversation, WHERE, data)
        return _prompt(WHERE, chat_id), None

    if step == WHERE:
        if message.location is not None:
            lat, lon = message.location
            desa = None
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                desa = desa_at_point(lat, lon, under=deployment_regency())
            if desa is None:
                answer = _prompt(WHERE, chat_id)
                answer["text"] = (
                    _("Lokasi itu di luar wilayah kabupaten ini; ketik kode desa.")
                    + "\n"
                    + answer["text"]
                )
                return answer, None
            place = {"region_code": desa.code, "tps_number": None, "lat": lat, "lon": lon}
            place["place"] = _("%(desa)s (titik lokasi)") % {"desa": desa.name}
        elif text:
            place = _place_from_text(text)
            if isinstance(place, str):
                answer = _prompt(WHERE, chat_id)
                answer["text"] = place + "\n" + answer["text"]
                return answer, None
            place.update(lat=None, lon=None)
        else:
            return _prompt(WHERE, chat_id), None
        data.update(place)
        _save(conversation, WHAT, data)
        answer = _prompt(WHAT, chat_id)
        answer["text"] = _("Lokasi: %(place)s.") % {"place": data["place"]} + "\n" + answer["text"]
        return answer, None

    if step == WHAT:
        if len(text) < 5:
            answer = _prompt(WHAT, chat_id)
            answer["text"] = _("Tulis uraian kejadian dengan teks (paling sedikit 5 huruf).")
            return answer, None
        if len(text) > DESCRIPTION_MAX:
            return send(chat_id, _("Uraian terlalu panjang; persingkat.")), None
        data["description"] = text
        _save(conversation, PHOTO, data)
        return _prompt(PHOTO, chat_id), None

    if step == PHOTO:
        if message.files:
            photo = _photo(message, fetcher)
            if isinstance(photo, str):
                return send(chat_id, photo, [[_label_skip()], [_label_cancel()]]), None
            data["photo"] = photo[1]
        elif message.other_media:
            text = _("Hanya foto yang diterima. Kirim foto atau pilih Lewati.")
            return send(chat_id, text, [[_label_skip()], [_label_cancel()]]), None
        elif not (_same(text, _label_skip()) or command == "/lewati"):
            return _prompt(PHOTO, chat_id), None
        _save(conversation, ANONYMOUS, data)
        answer = _prompt(ANONYMOUS, chat_id)
        if data.get("photo"):
            answer["text"] = _("Foto diterima.") + "\n" + answer["text"]
        return answer, None

    if step == ANONYMOUS:
        if _same(text, _label_anonymous()):
            data.update(anonymous=True, reporter_name="")
        elif _same(text, _label_named()):
            name = message.sender_name or (
                f"@{message.sender_username}" if message.sender_username else ""
            )
            data.update(anonymous=False, reporter_name=name)
        else:
            return _prompt(ANONYMOUS, chat_id), None
        _save(conversation, CONFIRM, data)
        return send(chat_id, _summary(data), [[_label_send()], [_label_cancel()]]), None

    if step == CONFIRM:
        if _same(text, _label_send()) or text.lower() in ("ya", "kirim", "/kirim"):
            return _submit(conversation, message, source_ip)
        return send(chat_id, _summary(data), [[_label_send()], [_label_cancel()]]), None

    _save(conversation, START, {})
    return send(chat_id, _help(), remove=True), None


def handle_update(update: dict, *, fetcher: Fetcher | None = None, source_ip: str | None = None):
    """One update: (the webhook response body, a report or None). Call inside a transaction.

    Raises ValueError on a malformed update. ``fetcher`` defaults to ``file_fetch`` (looked up
    when called, so a test may replace it).
    """
    message = update_read(update)
    if message is None or not message.private:
        return {}, None
    return handle_message(message, fetcher=fetcher or file_fetch, source_ip=source_ip)
