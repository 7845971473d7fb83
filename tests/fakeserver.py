"""A loopback stand-in for LowCodeAPI's anthropic provider (under /anthropic) and for api.anthropic.com.

Both LowCodeAPI URL formats follow the 32 rows of seed 000's endpoint table, quirks included. Tests
script faults per request (status, headers, bodies, delays, dropped connections, cut streams) and read
back every request the server saw from ``server.requests``.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from re import Pattern
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from fakeserver_routes import ROUTES, SEED_TABLE, FakeRoute
from fakeserver_world import _UNSET, PREFIX, RecordedRequest, Reply, World, anthropic_error

__all__ = ["SEED_TABLE", "FakeServer", "RecordedRequest", "Reply", "anthropic_error"]

TOKEN_MESSAGE = "A valid API token is required to access this API."

# Families Anthropic serves only as a beta: called directly without their beta, it refuses them.
BETA_ONLY = {"files.": "files-api-2025-04-14", "skills.": "skills-2025-10-02"}


@dataclass
class _Script:
    method: str
    path: str | Pattern[str]
    replies: list[Reply]

    def matches(self, method: str, path: str) -> bool:
        if not self.replies or self.method not in ("*", method):
            return False
        if isinstance(self.path, str):
            return path.endswith(self.path)
        return self.path.search(path) is not None


class FakeServer:
    """The server, its switches, its scripts and its request log."""

    def __init__(self, *, envelope: str = "data", list_style: str = "anthropic", page_size: int = 2) -> None:
        self.envelope = envelope  # "data" (seed 000) or "result" (LowCodeAPI's open-source server)
        self.list_style = list_style  # "anthropic" (has_more, ids) or "seed" (the bare list, as seed 000 shows)
        self.page_size = page_size
        self.new_format = True  # False: the proxy knows only the old routes (router 404 for the new ones)
        self.old_format = True
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        self.world = World()
        self._scripts: list[_Script] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------------- control

    def start(self) -> FakeServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def lowcodeapi_url(self) -> str:
        """The ``base_url`` of a client with target="lowcodeapi"."""
        return self.url + PREFIX

    @property
    def direct_url(self) -> str:
        """The ``base_url`` of a client with target="direct"."""
        return self.url

    def script(self, method: str, path: str | Pattern[str], replies: list[Reply | dict[str, Any]]) -> None:
        """Answer the next requests whose path ends with ``path`` (or matches the regex) with ``replies``, in order."""
        made = [r if isinstance(r, Reply) else Reply(**r) for r in replies]
        with self._lock:
            self._scripts.append(_Script(method.upper(), path, made))

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        """The recorded requests whose path ends with ``path_suffix``."""
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    def clear(self) -> None:
        """Forget recorded requests and unused scripts."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()

    # ------------------------------------------------------------------------------------------ handling

    def _next_script(self, method: str, path: str) -> Reply | None:
        with self._lock:
            for script in self._scripts:
                if script.matches(method, path):
                    return script.replies.pop(0)
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def handle(self, req: RecordedRequest) -> Reply:
        """The normal (unscripted) answer to ``req``."""
        if req.target == "lowcodeapi":
            return self._handle_lowcodeapi(req)
        return self._handle_direct(req)

    def _handle_lowcodeapi(self, req: RecordedRequest) -> Reply:
        path = req.path[len(PREFIX):]
        found = self._match_lowcodeapi(req.method, path, req.query)
        if found is None:
            return Reply(404, json={"message": "Not Found"})
        route, params, fmt = found
        req.route, req.format = route.name, fmt
        if not req.query.get("api_token", "").startswith("at_"):
            return Reply(401, json={"message": TOKEN_MESSAGE})
        reply = self.world.dispatch(route.name, params, req, lowcodeapi=True,
                                    page_size=self.page_size, seed_lists=self.list_style == "seed")
        return self.wrap(reply)

    def _match_lowcodeapi(
        self, method: str, path: str, query: dict[str, str]
    ) -> tuple[FakeRoute, dict[str, str], str] | None:
        """(route, path params, format): old-only paths first, then new templates, then shared paths."""
        candidates = [r for r in ROUTES if r.method == method]
        if self.old_format:
            for route in candidates:
                if route.old_path == path and route.old_path != route.new:
                    return route, {param: query.get(name, "") for name, param in route.old_query}, "old"
        if self.new_format:
            for route in candidates:
                params = route.match_new(path)
                if params is not None:
                    return route, params, "new"
        if self.old_format:
            for route in candidates:
                if route.old_path == path:
                    return route, {}, "old"
        return None

    def _handle_direct(self, req: RecordedRequest) -> Reply:
        for route in ROUTES:
            params = route.match_direct(req.method, req.path)
            if params is not None:
                break
        else:
            return anthropic_error(404, "not_found_error", "Not Found")
        req.route, req.format = route.name, "direct"
        if not req.headers.get("x-api-key"):
            return anthropic_error(401, "authentication_error", "x-api-key header is required")
        if not req.headers.get("anthropic-version"):
            return anthropic_error(400, "invalid_request_error", "anthropic-version: header is required")
        beta = next((b for prefix, b in BETA_ONLY.items() if route.name.startswith(prefix)), None)
        sent = [b.strip() for b in req.headers.get("anthropic-beta", "").split(",")]
        if beta is not None and beta not in sent:  # as Anthropic answers a beta-only family without its beta
            return anthropic_error(400, "invalid_request_error", f"this endpoint requires the {beta} beta")
        return self.world.dispatch(route.name, params, req, lowcodeapi=False, page_size=self.page_size,
                                   seed_lists=False)

    def wrap(self, reply: Reply) -> Reply:
        """``reply`` as the proxy sends it: JSON in the success or error envelope, other bodies untouched."""
        if reply.json is _UNSET:
            return reply
        status = reply.status or 200
        if status >= 400:
            upstream_headers = {**reply.headers, **(reply.envelope_headers or {})}
            message = _error_message(reply.json)
            body = {"message": message, "provider": "anthropic", "error": reply.json, "headers": upstream_headers}
            return Reply(status, json=body)
        if self.envelope == "result":
            body = {"message": "Success", "provider": "anthropic", "result": reply.json,
                    "response_headers": {"content-type": "application/json", **reply.headers}}
        else:
            body = {"data": reply.json}
        return Reply(status, headers={}, json=body)


def _error_message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", "error"))
    return "Request failed"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a timeout, a closed stream) is normal traffic; anything else is a bug here.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            self.fake.errors.append(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        items = parse_qsl(split.query, keep_blank_values=True)
        req = RecordedRequest(
            method=self.command, path=split.path,
            query=dict(items), query_items=items,
            headers={k.lower(): v for k, v in self.headers.items()}, body=self._read_body(),
        )
        fake._record(req)
        try:
            scripted = fake._next_script(req.method, split.path)
            if scripted is None:
                reply = fake.handle(req)
            elif scripted.passthrough:
                reply = fake.handle(req)
                reply.headers.update(scripted.headers)
                _copy_timing(scripted, reply)
            elif scripted.envelope and req.target == "lowcodeapi":
                reply = fake.wrap(scripted)
                reply.headers = {**reply.headers, **scripted.headers}
                _copy_timing(scripted, reply)
            else:
                reply = scripted
            self._send(reply)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # recorded: the fixture fails the test with it
            fake.errors.append(traceback.format_exc())
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status = reply.status or 200
        headers = dict(reply.headers)
        if reply.sse is not None:
            headers.setdefault("content-type", "text/event-stream; charset=utf-8")
            blocks = [_sse_block(item) for item in reply.sse]
            self._stream(status, headers, list(_cut_chunks(blocks, reply.cut_after)), reply)
            return
        if reply.jsonl is not None:
            headers.setdefault("content-type", "application/x-jsonl")
            lines = [json.dumps(line) + "\n" for line in reply.jsonl]
            self._stream(status, headers, list(_cut_chunks(lines, reply.cut_after)), reply)
            return
        if reply.raw is not None:
            body = reply.raw
            headers.setdefault("content-type", reply.content_type or "application/octet-stream")
        elif reply.json is not _UNSET:
            body = json.dumps(reply.json).encode()
            headers.setdefault("content-type", "application/json")
        else:
            body = b""
        if reply.close_delimited:
            self._stream(status, headers, [(body, False)], reply)
            return
        self._head(status, headers)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.truncate is not None:
            self.wfile.write(body[: reply.truncate])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status, "Overloaded" if status == 529 else None)
        for key, value in headers.items():
            self.send_header(key, value)

    def _stream(self, status: int, headers: dict[str, str], chunks: list[tuple[bytes, bool]], reply: Reply) -> None:
        """Send chunks (a True flag marks the cut: hang up right after it), chunked or close-delimited."""
        self._head(status, headers)
        chunked = not reply.close_delimited
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        for data, cut in chunks:
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            self.wfile.flush()
            if cut:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


def _copy_timing(source: Reply, target: Reply) -> None:
    target.delay, target.chunk_delay, target.drop = source.delay, source.chunk_delay, source.drop
    target.cut_after, target.close_delimited = source.cut_after, source.close_delimited
    target.truncate = source.truncate


def _sse_block(item: Any) -> str:
    if isinstance(item, (str, bytes)):
        return item.decode() if isinstance(item, bytes) else item
    name, data = item
    text = data if isinstance(data, str) else json.dumps(data)
    return f"event: {name}\ndata: {text}\n\n"


def _cut_chunks(blocks: list[str], cut_after: int | None) -> Iterator[tuple[bytes, bool]]:
    """Each block as a chunk; with ``cut_after``, the block at that index is cut in half and marked."""
    for index, block in enumerate(blocks):
        data = block.encode()
        if cut_after is not None and index == cut_after:
            yield data[: max(1, len(data) // 2)], True
            return
        yield data, False
