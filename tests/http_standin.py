"""A real HTTP server on 127.0.0.1 that stands in for an outside API in tests (Telegram's Bot API,
Meta's Graph API): it records every request and answers with the queued answers in turn, then
with its default answer, or with what ``respond(request)`` says. No HTTP library is mocked."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, str, str | bytes]  # (status, content type, body)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def authorization(self) -> str:
        return self.headers.get("Authorization", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class StandIn:
    default: Answer = (200, "application/json", "{}")
    respond: Callable[[Received], Answer] | None = None
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    def __enter__(self) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                stand_in.received.append(request)
                if stand_in.respond is not None:
                    status, content_type, body = stand_in.respond(request)
                elif stand_in.answers:
                    status, content_type, body = stand_in.answers.pop(0)
                else:
                    status, content_type, body = stand_in.default
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle  # noqa: N815 (http.server's naming)

            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
