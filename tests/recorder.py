"""A recording HTTP server on loopback: answers what a test tells it, keeps every request it got.

Used where the fake LowCodeAPI/Anthropic server has no route for what a test needs (plain-mode specs,
endpoints the proxy does not route)."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Recorded", "Recorder", "Reply", "serve"]


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-cased names; a repeated header keeps its last value
    header_names: list[str]  # every header name as sent, in order
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)

    def parts(self) -> list[tuple[str, str | None, str | None, bytes]]:
        """A multipart body's parts, in order: (name, filename, content type, content)."""
        message = email.message_from_bytes(
            b"content-type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + self.body,
            policy=email.policy.HTTP)
        assert message.is_multipart(), self.headers["content-type"]
        return [(part.get_param("name", header="content-disposition"), part.get_filename(),
                 part["content-type"], part.get_payload(decode=True)) for part in message.iter_parts()]


Reply = tuple[int, str, bytes]  # status, content type, body


@dataclass
class Recorder:
    """A tiny loopback server: records every request, answers from `replies` (keyed by METHOD path)."""

    replies: dict[str, Reply | Callable[[Recorded], Reply]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def reply(self, key: str, status: int = 200, body: Any = None, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps({} if body is None else body).encode()
        self.replies[key] = (status, content_type, data)

    def answer(self, req: Recorded) -> Reply:
        found = self.replies.get(f"{req.method} {req.path}")
        if found is None:
            return 200, "application/json", b"{}"
        return found(req) if callable(found) else found

    @property
    def last(self) -> Recorded:
        assert self.requests, "the server got no request"
        return self.requests[-1]


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                           [k for k in self.headers.keys()], body)  # noqa: SIM118 - keys() keeps repeats
            recorder.requests.append(req)
            status, content_type, data = recorder.answer(req)
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve() -> Iterator[Recorder]:
    """A `Recorder` listening on 127.0.0.1 (a free port) for the `with` block."""
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
