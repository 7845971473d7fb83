"""A loopback LowCodeAPI that mounts every provider of `../shared/lowcodeapi/providers/` from its routes file.

The proxy is Express 4: per route, in data order, it mounts the `new` form (path parameters `{x}`, mounted
as `:x`) and the `old` form, with path-to-regexp 0.1 semantics (`:name` is a parameter wherever it occurs,
matching is case-insensitive, one trailing `/` is optional, the first mounted match wins). At dispatch the
proxy reads each path value from `{...query, ...params}` for the route's K (its `in: path` names): the
answer echoes the route that matched and those values, so a test can see each value arrived where the
proxy reads it. A request path may start with `/_t/<tag>` (stripped) so a test can tell its calls apart.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

PROVIDERS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "lowcodeapi" / "providers"
TOKEN_MESSAGE = "A valid API token is required to access this API."
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNRELEASED = frozenset({"wordpress-oss"})  # config.released unset: the server mounts none of its routes

# path-to-regexp 0.1.7's parameter token: `/:name`, `.:name`, optional `(capture)`, `*`, `?`
_TOKEN = re.compile(r"(\\/)?(\\\.)?:(\w+)(\(.*?\))?(\*)?(\?)?", re.ASCII)
_TAG = re.compile(r"^/_t/([^/]+)(/.*)$")


def express_pattern(path: str) -> tuple[re.Pattern[str], list[str]]:
    """`path` compiled the way Express 4 (path-to-regexp 0.1.7, non-strict, end) compiles a mount."""
    keys: list[str] = []

    def token(m: re.Match[str]) -> str:
        slash, fmt, key, capture, star, optional = (g or "" for g in m.groups())
        keys.append(key)
        capture = capture or "([^\\/" + fmt + "]+?)"
        return (
            ("" if optional else slash)
            + "(?:"
            + fmt
            + (slash if optional else "")
            + capture
            + ("((?:[\\/" + fmt + "]).+?)" if star else "")
            + ")"
            + optional
        )

    source = "^" + path + ("?" if path.endswith("/") else "/?")
    source = source.replace("/(", "/(?:")
    source = re.sub(r"([/.])", r"\\\1", source)
    source = _TOKEN.sub(token, source)
    source = source.replace("*", "(.*)")
    # JavaScript's `$` (no m flag) is the very end; Python's also matches before a final "\n"
    return re.compile(source + r"\Z", re.IGNORECASE), keys


def mounted(form: str) -> str:
    """The string Express mounts for a routes-file form: `{x}` (a proxy-intent parameter) becomes `:x`."""
    return re.sub(r"\{(\w+)\}", r":\1", form)


@dataclass(frozen=True)
class Mount:
    provider: str
    index: int  # the route's position in `<provider>.routes.json`
    form: str  # "new" or "old"
    method: str
    openapi_path: str
    path: str  # as the routes file writes it
    pattern: re.Pattern[str]
    keys: tuple[str, ...]
    path_keys: tuple[str, ...]  # K: the names the dispatcher reads from {...query, ...params}


@dataclass(frozen=True)
class Hit:
    """One request as the fake saw it."""

    tag: str
    method: str
    path: str
    query: dict[str, Any]
    status: int
    mount: Mount | None
    values: dict[str, Any] = field(default_factory=dict)


@cache
def load_routes(provider: str) -> list[dict[str, Any]]:
    """`<provider>.routes.json` (read once: callers must not change it)."""
    routes: list[dict[str, Any]] = json.loads((PROVIDERS_DIR / f"{provider}.routes.json").read_text())
    return routes


@cache
def path_keys(provider: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(METHOD, openapi_path) -> the operation's `in: path` names in its `/openapi` document."""
    document = json.loads((PROVIDERS_DIR / f"{provider}.openapi.json").read_text())
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method.upper() in METHODS and isinstance(operation, dict):
                names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]
                out[(method.upper(), key)] = tuple(names)
    return out


def provider_mounts(provider: str) -> list[Mount]:
    """Every mount of `provider` in the order Express tries them."""
    if provider in UNRELEASED:
        return []
    keys_of = path_keys(provider)
    mounts: list[Mount] = []
    for index, route in enumerate(load_routes(provider)):
        k = keys_of.get((route["method"], route["openapi_path"]), tuple(route["old_query"]))
        for form in ("old", "new"):  # the alias is mounted first, then the proxy intent
            path = route[form]
            if path is None:
                continue
            pattern, keys = express_pattern(f"/{provider}{mounted(path)}")
            mounts.append(
                Mount(provider, index, form, route["method"], route["openapi_path"], path, pattern, tuple(keys), k)
            )
    return mounts


def match(mounts: Iterable[Mount], method: str, raw_path: str) -> tuple[Mount, dict[str, str]] | None:
    """The first mount that answers `method raw_path`, and its decoded Express params."""
    for mount in mounts:
        if mount.method != method:
            continue
        found = mount.pattern.match(raw_path)
        if found is None:
            continue
        params = {key: unquote(value) for key, value in zip(mount.keys, found.groups(), strict=True) if value is not None}
        return mount, params
    return None


class FakeLowCodeAPI:
    """The server: `with FakeLowCodeAPI(providers) as fake: fake.url`, then `fake.hits`."""

    def __init__(self, providers: Iterable[str]) -> None:
        self.mounts: dict[str, list[Mount]] = {p.lower(): provider_mounts(p) for p in providers}
        self.hits: list[Hit] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    if length:
                        self.rfile.read(length)
                    status, body, hit = fake.answer(self.command, self.path)
                except Exception as exc:  # a broken fake must fail the test, not hang it
                    fake.errors.append(f"{self.command} {self.path}: {exc!r}")
                    status, body, hit = 500, {"message": "fake failed"}, None
                if hit is not None:
                    with fake._lock:
                        fake.hits.append(hit)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def envelope(self, provider: str) -> str:
        """`data` (seed 000) or `result` (the open-source server), fixed per provider so both are exercised."""
        return "result" if sorted(self.mounts).index(provider.lower()) % 2 else "data"

    def answer(self, method: str, target: str) -> tuple[int, dict[str, Any], Hit | None]:
        parts = urlsplit(target)
        raw_path, tag = parts.path, ""
        tagged = _TAG.match(raw_path)
        if tagged:
            tag, raw_path = tagged.group(1), tagged.group(2)
        query: dict[str, Any] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            query[name] = [*query[name], value] if isinstance(query.get(name), list) else (
                [query[name], value] if name in query else value
            )
        token = query.get("api_token")
        if not (isinstance(token, str) and token.startswith("at_")):
            return 401, {"message": TOKEN_MESSAGE}, Hit(tag, method, raw_path, query, 401, None)
        provider = raw_path.split("/")[1].lower() if raw_path.count("/") >= 1 else ""
        found = match(self.mounts.get(provider, ()), method, raw_path)
        if found is None:
            return 404, {"message": "Not Found"}, Hit(tag, method, raw_path, query, 404, None)
        mount, params = found
        merged = {**query, **params}
        values = {name: merged.get(name) for name in mount.path_keys}
        hit = Hit(tag, method, raw_path, query, 200, mount, values)
        echo = {
            "route": mount.index,
            "form": mount.form,
            "method": mount.method,
            "openapi_path": mount.openapi_path,
            "values": values,
        }
        if self.envelope(provider) == "result":
            return 200, {"message": "ok", "provider": mount.provider, "result": echo, "response_headers": {}}, hit
        return 200, {"data": echo}, hit
