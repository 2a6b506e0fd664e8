"""A channel for tests, registered the way a deployment registers one (SIAGA_NOTIFY_CHANNELS).

It sends nowhere: it records what it was asked to send in ``OUTBOX``, so that a test sees
exactly which deliveries went out, to whom, and when.
"""

from __future__ import annotations

from dataclasses import dataclass

OUTBOX: list[Sent] = []


@dataclass(frozen=True)
class Sent:
    channel: str
    address: str
    subject: str
    body: str


class RecordingChannel:
    """Addresses every user as ``<name>:<username>``; OPTIONS may rename it (``name``)."""

    label = "Kanal uji"

    def __init__(self, name: str = "fake") -> None:
        self.name = name

    def address_for_user(self, user) -> str:
        return f"{self.name}:{user.username}"

    def send(self, *, address: str, subject: str, body: str) -> None:
        OUTBOX.append(Sent(self.name, address, subject, body))
