"""RSS and Atom feeds of news sites, read with ``feedparser``.

Each entry becomes a post of platform ``news``: its id (or link) as the external id, its title
and summary (HTML removed) as the text, its publication time, its author or the feed's title.
The ETag / Last-Modified of the last poll are sent back, so an unchanged feed costs one
``304 Not Modified``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
import urllib.request

import feedparser

from siaga.media.connectors.base import ConnectorError, Fetched, as_rows

TIMEOUT_SECONDS = 20
MAX_BYTES = 5 * 1024 * 1024
CURSOR_MAX = 200  # Source.cursor
_TAG = re.compile(r"<[^>]+>")


def _plain(value: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", value or "")).split())


def _when(entry) -> str:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return ""
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC).isoformat()


def parse_feed(body: bytes, *, platform: str = "news") -> list[dict]:
    """The entries of a feed document as raw post records (entries without an id, link or
    text are kept so that ingestion reports them)."""
    feed = feedparser.parse(body)
    if feed.bozo and not feed.entries:
        raise ConnectorError(f"not an RSS/Atom feed: {feed.get('bozo_exception')}")
    source_title = _plain(feed.feed.get("title", ""))
    records = []
    for entry in feed.entries:
        title = _plain(entry.get("title", ""))
        summary = _plain(entry.get("summary", ""))
        if not summary or summary == title:
            text = title
        elif title and not summary.startswith(title):
            text = f"{title}. {summary}"
        else:
            text = summary
        records.append(
            {
                "platform": platform,
                "external_id": entry.get("id") or entry.get("link") or "",
                "text": text,
                "posted_at": _when(entry),
                "author": _plain(entry.get("author", "")) or source_title,
                "url": entry.get("link", ""),
                "language": (feed.feed.get("language") or "id")[:2],
            }
        )
    return records


def _state(cursor: str) -> dict:
    """The ETag / Last-Modified kept from the last poll (a damaged cursor means none)."""
    try:
        state = json.loads(cursor) if cursor else {}
    except json.JSONDecodeError:
        return {}
    return state if isinstance(state, dict) else {}


def _cursor(state: dict) -> str:
    """The state as the source keeps it (200 characters): the ETag alone when both do not
    fit, nothing when even it does not (the feed is then fetched in full each time)."""
    for kept in (state, {k: v for k, v in state.items() if k == "etag"}):
        text = json.dumps(kept) if kept else ""
        if len(text) <= CURSOR_MAX:
            return text
    return ""


class RssConnector:
    def fetch(self, *, url: str, platform: str = "news", cursor: str = "") -> Fetched:
        if not url.startswith(("http://", "https://")):
            raise ConnectorError("feed URL must start with http:// or https://")
        state = _state(cursor)
        request = urllib.request.Request(url, headers={"User-Agent": "Siaga/1 (+feed poller)"})  # noqa: S310
        if state.get("etag"):
            request.add_header("If-None-Match", state["etag"])
        if state.get("modified"):
            request.add_header("If-Modified-Since", state["modified"])
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                body = response.read(MAX_BYTES + 1)
                headers = response.headers
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Fetched(records=[], cursor=cursor)
            raise ConnectorError(f"HTTP {exc.code} from {url}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ConnectorError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from exc
        if len(body) > MAX_BYTES:
            raise ConnectorError(f"feed larger than {MAX_BYTES // (1024 * 1024)} MB")
        new_state = {
            key: value
            for key, value in (
                ("etag", headers.get("ETag")),
                ("modified", headers.get("Last-Modified")),
            )
            if value
        }
        return Fetched(
            records=as_rows(parse_feed(body, platform=platform)), cursor=_cursor(new_state)
        )
