"""Incoming posts, whatever brought them: the documented record schema and its checks.

Every connector (file import, RSS feed, crawler webhook, platform connector) turns what it
reads into plain dicts with the fields below; ``parse_record`` checks one and returns either a
``PostRecord`` or the list of problems, each naming the record's row and the field at fault.
A batch with bad records stores the good ones and reports the bad ones (see
``siaga.media.ingest``). No database access here.

Fields (CSV header, JSON key): ``platform`` (x, facebook, instagram, tiktok, youtube, whatsapp,
news, lainnya; ``twitter`` is read as x), ``external_id``, ``text``, ``posted_at`` (ISO 8601;
without a zone it is local time of the deployment) are required; ``author``,
``author_official`` (true/false, ya/tidak, 1/0), ``url``, ``language``, ``likes``, ``shares``,
``replies`` (whole numbers ≥ 0), ``media_urls`` (a JSON list, or URLs joined by ``|`` in CSV)
and ``parent_external_id`` are optional.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from siaga.core.tabular import Column, TableError, TableReader
from siaga.media.choices import Platform

TEXT_MAX = 10_000
ID_MAX = 200
URL_MAX = 1000
COUNT_MAX = 2_147_483_647  # the engagement columns are 32-bit integers on PostgreSQL
_SURROGATE = re.compile("[\ud800-\udfff]")
PLATFORM_ALIASES = {
    "twitter": Platform.X,
    "tweet": Platform.X,
    "fb": Platform.FACEBOOK,
    "ig": Platform.INSTAGRAM,
    "wa": Platform.WHATSAPP,
    "berita": Platform.NEWS,
    "other": Platform.OTHER,
    "rss": Platform.NEWS,
}
TRUE = {"1", "true", "ya", "y", "yes", "benar"}
FALSE = {"", "0", "false", "tidak", "t", "no", "n", "salah"}

COLUMNS = (
    Column("platform", required=True),
    Column("external_id", ("id", "post_id", "id_unggahan"), required=True),
    Column("text", ("teks", "isi", "content"), required=True),
    Column("posted_at", ("waktu", "created_at", "tanggal", "date"), required=True),
    Column("author", ("akun", "handle", "username", "author_handle")),
    Column("author_official", ("official", "akun_resmi", "verified")),
    Column("url", ("tautan", "link")),
    Column("language", ("bahasa", "lang")),
    Column("likes", ("suka",)),
    Column("shares", ("bagikan", "retweets", "reposts")),
    Column("replies", ("balasan", "comments", "komentar")),
    Column("media_urls", ("media",)),
    Column("parent_external_id", ("parent_id", "reply_to", "membalas")),
)


@dataclass(frozen=True)
class RecordError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return _("baris %(row)d, kolom %(field)s: %(message)s") % self.as_dict()


@dataclass
class PostRecord:
    row: int
    platform: str
    external_id: str
    text: str
    posted_at: dt.datetime
    author: str = ""
    author_official: bool = False
    url: str = ""
    language: str = "id"
    likes: int = 0
    shares: int = 0
    replies: int = 0
    media_urls: list[str] = field(default_factory=list)
    parent_external_id: str = ""


def _text(value: Any) -> str:
    """The value as trimmed text, without what no database stores: PostgreSQL refuses NUL, and
    a lone surrogate (a crawler's broken ``"\\ud83d"``) cannot be encoded at all."""
    if value is None:
        return ""
    text = str(value)
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text).strip()


def _count(value: Any, name: str, row: int, errors: list[RecordError]) -> int:
    raw = _text(value)
    if not raw:
        return 0
    number: int | None
    try:
        number = int(raw)
    except ValueError:
        try:
            real = float(raw) if "." in raw and not isinstance(value, bool) else None
        except ValueError:
            real = None
        # 12.0 is what a spreadsheet gives for 12; 1.5 likes is a mistake, not 1
        number = int(real) if real is not None and real.is_integer() else None
    if number is None:
        errors.append(RecordError(row, name, _("harus bilangan bulat, bukan %r") % raw[:40]))
        return 0
    if number < 0:
        errors.append(RecordError(row, name, _("tidak boleh negatif")))
        return 0
    if number > COUNT_MAX:
        errors.append(RecordError(row, name, _("terlalu besar (paling banyak %d)") % COUNT_MAX))
        return 0
    return number


def _when(value: Any, row: int, errors: list[RecordError]) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        raw = _text(value)
        if not raw:
            errors.append(RecordError(row, "posted_at", _("wajib diisi")))
            return None
        try:
            moment = parse_datetime(raw.replace(" ", "T", 1) if "T" not in raw else raw)
        except ValueError:
            moment = None
        if moment is None:
            errors.append(RecordError(row, "posted_at", _("bukan waktu ISO 8601: %r") % raw[:40]))
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _urls(value: Any, row: int, errors: list[RecordError]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)  # a JSON list written into a CSV cell
        except json.JSONDecodeError:
            errors.append(RecordError(row, "media_urls", _("daftar JSON tidak sah")))
            return []
    if isinstance(value, str):
        items = [u.strip() for u in _text(value).split("|") if u.strip()]
    elif isinstance(value, list):
        items = [_text(u) for u in value if _text(u)]
    else:
        errors.append(RecordError(row, "media_urls", _("harus daftar tautan")))
        return []
    for url in items:
        if not url.startswith(("http://", "https://")) or len(url) > URL_MAX:
            errors.append(RecordError(row, "media_urls", _("tautan tidak sah: %r") % url[:60]))
            return []
    return items[:20]


def parse_record(raw: Any, row: int) -> PostRecord | list[RecordError]:
    """Check one incoming record; ``row`` is its position as the sender counts (1-based)."""
    if not isinstance(raw, dict):
        return [RecordError(row, "-", _("rekaman harus berupa objek JSON"))]
    errors: list[RecordError] = []
    platform = _text(raw.get("platform")).lower()
    platform = PLATFORM_ALIASES.get(platform, platform)
    if not platform:
        errors.append(RecordError(row, "platform", _("wajib diisi")))
    elif platform not in Platform.values:
        errors.append(
            RecordError(
                row,
                "platform",
                _("tidak dikenal: %(value)r (pilih: %(choices)s)")
                % {"value": platform[:30], "choices": ", ".join(Platform.values)},
            )
        )
    external_id = _text(raw.get("external_id"))
    if not external_id:
        errors.append(RecordError(row, "external_id", _("wajib diisi")))
    elif len(external_id) > ID_MAX:
        errors.append(RecordError(row, "external_id", _("lebih dari %d karakter") % ID_MAX))
    text = _text(raw.get("text"))
    if not text:
        errors.append(RecordError(row, "text", _("wajib diisi")))
    elif len(text) > TEXT_MAX:
        errors.append(RecordError(row, "text", _("lebih dari %d karakter") % TEXT_MAX))
    posted_at = _when(raw.get("posted_at"), row, errors)
    url = _text(raw.get("url"))
    if url and (not url.startswith(("http://", "https://")) or len(url) > URL_MAX):
        errors.append(RecordError(row, "url", _("tautan tidak sah")))
    official_raw = raw.get("author_official")
    official = False
    if isinstance(official_raw, bool):
        official = official_raw
    elif _text(official_raw).lower() in TRUE:
        official = True
    elif _text(official_raw).lower() not in FALSE:
        errors.append(
            RecordError(row, "author_official", _("harus ya/tidak, bukan %r") % official_raw)
        )
    counts = {
        name: _count(raw.get(name), name, row, errors) for name in ("likes", "shares", "replies")
    }
    media = _urls(raw.get("media_urls"), row, errors)
    if errors:
        return errors
    return PostRecord(
        row=row,
        platform=platform,
        external_id=external_id,
        text=text,
        posted_at=posted_at,
        author=_text(raw.get("author"))[:200],
        author_official=official,
        url=url,
        language=(_text(raw.get("language")) or "id")[:8],
        media_urls=media,
        parent_external_id=_text(raw.get("parent_external_id"))[:ID_MAX],
        **counts,
    )


def read_file(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(row, raw record) of a CSV/XLSX table or a JSON Lines file (``.jsonl``/``.ndjson``).

    Rows count as the user sees them (CSV: the header is row 1; JSON Lines: line numbers). A
    line that is not JSON is yielded as ``None`` so that it is reported, not skipped. Problems
    with the file itself (missing, empty, binary, not UTF-8) raise ``TableError``.
    """
    path = Path(path)
    if path.suffix.lower() in JSON_LINES_SUFFIXES:
        yield from _json_lines(path)
        return
    for table_row in TableReader(path, COLUMNS):
        yield table_row.row_number, table_row.values


JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".json")


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """Each line decoded on its own, so that an undecodable byte is pinned to its line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise TableError(_("Berkas tidak dapat dibuka: %s") % exc.strerror) from exc
    seen = False
    with handle:
        for number, raw in enumerate(handle, 1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if b"\x00" in raw:
                raise TableError(_("Berkas biner, bukan JSON Lines."), row=number)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TableError(
                    _("Bukan teks UTF-8 (byte %(byte)s).") % {"byte": hex(raw[exc.start])},
                    row=number,
                ) from exc
            if not line.strip():
                continue
            seen = True
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError:
                yield number, None
    if not seen:
        raise TableError(_("Berkas kosong."))
