"""Fixtures of the notification tests: a real SMTP server on a free local port, Django's mailer
pointed at it, the recording channel registered through settings, and a clock the tests move
(the deployment's clock offset, as a demo moves it)."""

from __future__ import annotations

import datetime as dt
import socket
from zoneinfo import ZoneInfo

import pytest

from siaga.core import clock
from siaga.core.models import Deployment
from tests.notifications import fakes

WITA = ZoneInfo("Asia/Makassar")


def wita(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port, collecting what it receives."""
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")

    class Collector:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
            self.messages.append(envelope)
            return "250 OK"

    handler = Collector()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings):
    """``smtp_settings(port)``: send email through real SMTP on 127.0.0.1:port.

    Django's test runner swaps in the locmem backend; this puts SMTP back, through MAILERS
    (Django 6.1) or the older EMAIL_BACKEND settings, whichever the project uses.
    """
    settings.DEFAULT_FROM_EMAIL = "siaga@kutaitimur.test"
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", "email"]

    def use(port: int) -> None:
        if hasattr(settings, "MAILERS"):
            settings.MAILERS = {
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
                }
            }
        else:  # pragma: no cover - the settings before MAILERS
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5

    return use


FAKE = "tests.notifications.fakes.RecordingChannel"


@pytest.fixture
def outbox(settings) -> list[fakes.Sent]:
    """The recording channel registered as a deployment would (a dotted path in
    SIAGA_NOTIFY_CHANNELS), next to a second one named through a NAME/OPTIONS pair."""
    settings.SIAGA_NOTIFY_CHANNELS = ["inbox", FAKE, {"NAME": FAKE, "OPTIONS": {"name": "sms"}}]
    fakes.OUTBOX.clear()
    yield fakes.OUTBOX
    fakes.OUTBOX.clear()


@pytest.fixture
def deployment(world) -> Deployment:
    return Deployment.objects.create(
        regency=world.regency,
        election_name="Pilkada Kutai Timur 2024",
        voting_day=dt.date(2024, 11, 27),
    )


@pytest.fixture
def set_clock(deployment):
    """``set_clock(moment)``: make the deployment's clock read ``moment`` (to the second)."""

    def move(target: dt.datetime) -> None:
        Deployment.objects.filter(pk=deployment.pk).update(
            clock_offset_seconds=clock.offset_for(target)
        )
        clock.clear_cache()

    return move
