"""Photos sent to the bot are fetched from the Bot API (getFile, then the file): a real local
HTTP server stands in for it through ``SIAGA_TELEGRAM_API_BASE``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from siaga.incidents.channels import telegram

TOKEN = "7012345678:AAH-uji_Token-Siaga"
PHOTO = b"\xff\xd8\xff\xe0" + b"x" * 5000


@pytest.fixture
def bot_api(settings):
    files = {"foto-1": ("photos/file_1.jpg", PHOTO)}
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            seen.append(self.path)
            if self.path.startswith(f"/bot{TOKEN}/getFile?file_id="):
                file_id = self.path.split("=", 1)[1]
                found = files.get(file_id)
                answer = (
                    {"ok": True, "result": {"file_path": found[0], "file_size": len(found[1])}}
                    if found
                    else {"ok": False, "description": "Bad Request: invalid file_id"}
                )
                self._send(200, json.dumps(answer).encode())
            elif self.path == f"/file/bot{TOKEN}/photos/file_1.jpg":
                self._send(200, PHOTO)
            else:
                self._send(404, b"not found")

        def _send(self, status, data):
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SIAGA_TELEGRAM_API_BASE = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.SIAGA_TELEGRAM_BOT_TOKEN = TOKEN
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_photo_is_fetched_through_get_file(bot_api):
    assert telegram.file_fetch("foto-1", max_bytes=1_000_000) == PHOTO
    assert bot_api == [f"/bot{TOKEN}/getFile?file_id=foto-1", f"/file/bot{TOKEN}/photos/file_1.jpg"]


def test_a_photo_over_the_limit_is_not_downloaded(bot_api):
    with pytest.raises(telegram.FileTooLarge):
        telegram.file_fetch("foto-1", max_bytes=len(PHOTO) - 1)
    assert len(bot_api) == 1  # getFile told the size: the file itself was never asked for


def test_an_unknown_file_is_refused(bot_api):
    with pytest.raises(telegram.FetchError, match="getFile refused"):
        telegram.file_fetch("hilang", max_bytes=1_000_000)


def test_only_http_addresses_are_used(bot_api, settings):
    settings.SIAGA_TELEGRAM_API_BASE = "file:///etc"
    with pytest.raises(telegram.FetchError, match="http"):
        telegram.file_fetch("foto-1", max_bytes=1_000_000)
    assert bot_api == []
