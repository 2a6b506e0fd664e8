"""The one interface every connector implements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol


class ConnectorError(Exception):
    """The source could not be read (network, HTTP status, unreadable feed); the message is
    stored on the source and shown to the operator."""


@dataclass
class Fetched:
    """What one poll brought: raw records as ``(row, dict)`` in the schema of
    ``siaga.media.records``, and the cursor to give back next time (ETag, last id...)."""

    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    cursor: str = ""


class Connector(Protocol):
    """Reads new posts of a source. It must not write to the database: ``siaga.media.sources``
    stores what it returns through the one ingestion pipeline."""

    def fetch(self, *, url: str, platform: str, cursor: str) -> Fetched: ...


def as_rows(records: Iterable[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(n, record) for n, record in enumerate(records, 1)]
