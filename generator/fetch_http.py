"""The HTTP side of `lowcodegen fetch`: one hostile-proof GET of a backend document.

`download` bounds the whole fetch by one wall-clock deadline (retries, redirects and a slow drip
included), caps the body at MAX_BODY_BYTES after decompression, follows redirects only within the
starting origin, and never puts credentials from the URL into a message.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .diagnostics import Location, fail

DEFAULT_BASE_URL = "https://backend.lowcodeapi.com"
_RETRY_STATUSES = frozenset({408, 425, 429})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_BODY_BYTES = 32 * 1024 * 1024  # a real snapshot is ~50 kB; this caps memory, not usefulness
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


@dataclass(frozen=True)
class Answer:
    """A 200 answer: the URL that gave it (credentials removed) and its decoded body."""

    url: str
    body: bytes


class Deadline:
    """The wall-clock end of the whole fetch."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


class _Retryable(Exception):
    """An attempt failed in a way a later attempt may not (timeouts, connection errors, 5xx,
    429)."""


def shown(url: str | httpx.URL) -> str:
    """A URL fit for messages and provenance: no user:password part."""
    return str(httpx.URL(url).copy_with(userinfo=b""))


def line(text: str) -> str:
    """One line of printable text, whatever the server put in it."""
    return re.sub(
        r"\s+", " ", "".join(c if c.isprintable() or c.isspace() else "?" for c in text)
    ).strip()


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def _host(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}" if url.port else url.host


@contextlib.contextmanager
def _watchdog(response: httpx.Response, deadline: Deadline) -> Iterator[None]:
    """Shut the connection's socket at the deadline: a read already waiting is cut off there, not
    one timeout later."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if not isinstance(sock, socket.socket):
        yield
        return

    def cut() -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(deadline.left(), 0.0), cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _decoder(encoding: str, where: str) -> Any:
    kind = encoding.strip().lower()
    if kind in ("", "identity"):
        return None
    if kind in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if kind == "deflate":
        return zlib.decompressobj()
    raise fail(
        "fetch.encoding",
        f"the answer is content-encoded as {line(encoding)[:40]!r}, which is not supported",
        Location(where),
    )


def _read_body(response: httpx.Response, deadline: Deadline, where: str) -> bytes:
    """The decoded body, at most MAX_BODY_BYTES (also after decompression: no gzip bomb), before the
    deadline."""
    too_big = fail(
        "fetch.too-big",
        f"the answer is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB: refusing it",
        Location(where),
    )
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_big
    decoder = _decoder(response.headers.get("content-encoding", ""), where)
    body = bytearray()
    with _watchdog(response, deadline):
        for chunk in response.iter_raw(_CHUNK):
            while chunk:
                if decoder is None:
                    piece, chunk = chunk, b""
                else:
                    try:
                        piece = decoder.decompress(chunk, MAX_BODY_BYTES + 1 - len(body))
                    except zlib.error as exc:
                        raise fail(
                            "fetch.encoding",
                            f"the answer's compressed body is corrupt ({exc})",
                            Location(where),
                        ) from None
                    chunk = decoder.unconsumed_tail
                body += piece
                if len(body) > MAX_BODY_BYTES:
                    raise too_big
                if not piece:
                    break
            if deadline.left() <= 0:
                raise _Retryable("timed out")
    if deadline.left() <= 0:
        raise _Retryable("timed out")
    return bytes(body)


def _get(client: httpx.Client, url: str, deadline: Deadline) -> Answer:
    """One attempt: GET `url`, following at most MAX_REDIRECTS redirects within its origin."""
    start = current = httpx.URL(url)
    visited = {str(current)}
    for _ in range(MAX_REDIRECTS + 1):
        left = deadline.left()
        if left <= 0:
            raise _Retryable("timed out")
        try:
            with client.stream("GET", current, timeout=httpx.Timeout(left)) as response:
                status = response.status_code
                if status == 200:
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if not _JSON_TYPE.match(kind):
                        raise fail(
                            "fetch.not-json",
                            "the answer is not JSON (content-type"
                            f" {line(kind)[:60] or 'missing'!r})",
                            Location(shown(url)),
                        )
                    return Answer(shown(current), _read_body(response, deadline, shown(url)))
                if status in _REDIRECT_STATUSES and response.next_request is not None:
                    target = response.next_request.url
                    if _origin(target) != _origin(start):
                        raise fail(
                            "fetch.redirect",
                            f"redirected to another host ({line(_host(target))}): refused, only"
                            " same-host redirects are followed",
                            Location(shown(url)),
                        )
                    if str(target) in visited:
                        raise fail(
                            "fetch.redirect",
                            f"redirect loop (back to {target.path})",
                            Location(shown(url)),
                        )
                    visited.add(str(target))
                    current = target
                    continue
                reason = line(f"HTTP {status} {response.reason_phrase}")
                if status >= 500 or status in _RETRY_STATUSES:
                    raise _Retryable(reason)
                raise _Final(reason)
        except httpx.TimeoutException:
            raise _Retryable("timed out") from None
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():
                raise fail(
                    "fetch.redirect",
                    "the redirect's Location header is not a URL",
                    Location(shown(url)),
                ) from None
            raise _Retryable(
                "timed out" if deadline.left() <= 0 else f"the connection broke ({line(str(exc))})"
            ) from None
        except httpx.TransportError as exc:
            if deadline.left() <= 0:
                raise _Retryable("timed out") from None
            raise _Retryable(
                f"cannot connect ({line(str(exc)) or type(exc).__name__}): offline or unreachable"
            ) from None
    raise fail("fetch.redirect", f"more than {MAX_REDIRECTS} redirects", Location(shown(url)))


class _Final(Exception):
    """An attempt failed in a way retrying cannot change (4xx)."""


def download(
    client: httpx.Client, url: str, retries: int, backoff: float, deadline: Deadline
) -> Answer:
    """A 200 answer; connection errors, timeouts, 408/425/429 and 5xx are retried `retries` times,
    all before the deadline."""
    reason = "timed out"
    attempts = 0
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(max(min(backoff * 2 ** (attempt - 1), deadline.left()), 0.0))
        if deadline.left() <= 0:
            reason = "timed out"
            break
        attempts += 1
        try:
            return _get(client, url, deadline)
        except _Retryable as exc:
            reason = str(exc)
        except _Final as exc:
            reason = str(exc)
            break
    tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    raise fail(
        "fetch.http",
        (
            f"{reason} ({tries})"
            if reason != "timed out"
            else f"timed out: the whole fetch is limited to the --timeout ({tries})"
        ),
        Location(shown(url)),
    )
