"""Platform connectors for the tests: real implementations of
``siaga.media.connectors.base.Connector`` named in SIAGA_MEDIA_CONNECTORS, as a deployment's
crawler would be, that read their posts from in-memory lists instead of a platform's API.

``ListConnector`` serves ``FEEDS[url]``: the records after the cursor it handed back last time
(the cursor is the number of records already served), like an API paged by ``since_id``. A test
appends records to a feed between two polls. Every call is kept in ``CALLS``.
``FailingConnector`` always raises (a crawler's bug, not a ``ConnectorError``).
"""

from __future__ import annotations

from typing import Any

from siaga.media.connectors.base import ConnectorError, Fetched, as_rows

FEEDS: dict[str, list[dict[str, Any]]] = {}
CALLS: list[dict[str, str]] = []


def reset() -> None:
    FEEDS.clear()
    CALLS.clear()


class ListConnector:
    def fetch(self, *, url: str, platform: str, cursor: str) -> Fetched:
        CALLS.append({"connector": "list", "url": url, "platform": platform, "cursor": cursor})
        if url not in FEEDS:
            raise ConnectorError(f"no such list: {url}")
        try:
            served = int(cursor) if cursor else 0
        except ValueError as exc:
            raise ConnectorError(f"bad cursor {cursor!r}") from exc
        records = FEEDS[url][served:]
        return Fetched(records=as_rows(records), cursor=str(served + len(records)))


class FailingConnector:
    def fetch(self, *, url: str, platform: str, cursor: str) -> Fetched:
        CALLS.append({"connector": "failing", "url": url, "platform": platform, "cursor": cursor})
        raise RuntimeError("crawler crashed: quota exceeded")
