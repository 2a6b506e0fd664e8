"""Photos sent to the bot are fetched from the Bot API (getFile, then the file): a real local
HTTP server stands in for it through ``SIAGA_TELEGRAM_API_BASE``."""

from __future__ import annotations

import json

import pytest

from siaga.incidents.channels import telegram
from tests.http_standin import Received, StandIn

TOKEN = "7012345678:AAH-uji_Token-Siaga"
PHOTO = b"\xff\xd8\xff\xe0" + b"x" * 5000


@pytest.fixture
def bot_api(settings):
    files = {"foto-1": ("photos/file_1.jpg", PHOTO)}

    def respond(request: Received):
        if request.path.startswith(f"/bot{TOKEN}/getFile?file_id="):
            found = files.get(request.path.split("=", 1)[1])
            answer = (
                {"ok": True, "result": {"file_path": found[0], "file_size": len(found[1])}}
                if found
                else {"ok": False, "description": "Bad Request: invalid file_id"}
            )
            return 200, "application/json", json.dumps(answer)
        if request.path == f"/file/bot{TOKEN}/photos/file_1.jpg":
            return 200, "image/jpeg", PHOTO
        return 404, "text/plain", "not found"

    with StandIn(respond=respond) as api:
        settings.SIAGA_TELEGRAM_API_BASE = api.url + "/"
        settings.SIAGA_TELEGRAM_BOT_TOKEN = TOKEN
        yield api


def test_a_photo_is_fetched_through_get_file(bot_api):
    assert telegram.file_fetch("foto-1", max_bytes=1_000_000) == PHOTO
    assert [r.path for r in bot_api.received] == [
        f"/bot{TOKEN}/getFile?file_id=foto-1",
        f"/file/bot{TOKEN}/photos/file_1.jpg",
    ]


def test_a_photo_over_the_limit_is_not_downloaded(bot_api):
    with pytest.raises(telegram.FileTooLarge):
        telegram.file_fetch("foto-1", max_bytes=len(PHOTO) - 1)
    assert len(bot_api.received) == 1  # getFile told the size: the file itself was never asked for


def test_an_unknown_file_is_refused(bot_api):
    with pytest.raises(telegram.FetchError, match="getFile refused"):
        telegram.file_fetch("hilang", max_bytes=1_000_000)


def test_only_http_addresses_are_used(bot_api, settings):
    settings.SIAGA_TELEGRAM_API_BASE = "file:///etc"
    with pytest.raises(telegram.FetchError, match="http"):
        telegram.file_fetch("foto-1", max_bytes=1_000_000)
    assert bot_api.received == []
