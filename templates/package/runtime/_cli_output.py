"""The command line's output: results as JSON (or JSON lines, or raw) on stdout, progress on stderr
for terminals only, errors on stderr as one readable line plus the error JSON; credentials masked.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx

from ._errors import APIConnectionError, APIError, APIResponseValidationError, APIStatusError
from ._redact import redact

# ------------------------------------------------------------------------------------------
# printing


class OutputClosed(Exception):
    """stdout is closed (``>&-``) or its reader went away (``| head``): nothing more can be
    printed."""


def to_stderr(text: str) -> None:
    """Write to stderr, if there is one (``2>&-`` closes it; a message is never worth a
    traceback)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


def _stdout_write(text: str | None = None, data: bytes | None = None) -> None:
    stream = sys.stdout
    if stream is None:
        raise OutputClosed("stdout is closed: nothing can be printed")
    try:
        if data is not None:
            stream.buffer.write(data)
            stream.buffer.flush()
        else:
            stream.write(text or "")
            stream.flush()
    except BrokenPipeError:
        raise OutputClosed("") from None  # the reader has all it wanted: nothing to say


def _plain(value: Any) -> Any:
    """Models as their JSON (unknown fields included); containers converted inside."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _event_text(event: Any) -> str | None:
    """The text an event adds: a Messages ``text_delta`` or a Text Completions chunk."""
    if not isinstance(event, dict):
        return None
    delta = event.get("delta")
    if event.get("type") == "content_block_delta" and isinstance(delta, dict):
        text = delta.get("text")
        return text if delta.get("type") == "text_delta" and isinstance(text, str) else None
    completion = event.get("completion")
    return completion if event.get("type") == "completion" and isinstance(completion, str) else None


class Output:
    """stdout for results, stderr for usage, progress and errors; credentials masked everywhere."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.mid_line = False  # stdout holds streamed text without its final newline

    def write(self, text: str) -> None:
        _stdout_write(redact(text))

    def dumps(self, value: Any, *, pretty: bool) -> str:
        return json.dumps(
            _plain(value), indent=2 if pretty else None, ensure_ascii=False, default=str
        )

    def value(self, value: Any) -> None:
        value = _plain(value)
        if self.mode == "raw" and isinstance(value, str):
            self.write(value)
        else:
            self.write(self.dumps(value, pretty=self.mode == "json") + "\n")

    def items(self, items: Iterable[Any]) -> None:
        """A JSON array written item by item (``json``), or one line per item (``jsonl``,
        ``raw``)."""
        if self.mode != "json":
            for item in items:
                self.write(self.dumps(item, pretty=False) + "\n")
            return
        first = True
        for item in items:
            self.write(
                ("[\n" if first else ",\n")
                + "  "
                + self.dumps(item, pretty=True).replace("\n", "\n  ")
            )
            first = False
        self.write("[]\n" if first else "\n]\n")

    def binary(self, data: bytes) -> None:
        _stdout_write(data=data)

    def stream(self, stream: Any, events: bool = False) -> None:
        """Text as it arrives (every event as a JSON line with ``jsonl`` or for an event feed such
        as a session's stream), then the usage on stderr."""
        usage: dict[str, Any] = {}
        stop_reason = None
        with stream:
            for event in stream:
                data = _plain(event)
                if self.mode == "jsonl" or events:
                    self.write(self.dumps(data, pretty=False) + "\n")
                elif text := _event_text(data):
                    self.write(text)
                    self.mid_line = not text.endswith("\n")
                if isinstance(data, dict):
                    message = data.get("message") if data.get("type") == "message_start" else data
                    if isinstance(message, dict) and isinstance(message.get("usage"), dict):
                        usage.update(message["usage"])
                    delta = data.get("delta")
                    reason = (delta if isinstance(delta, dict) else data).get("stop_reason")
                    stop_reason = reason or stop_reason
        self.end_line()
        summary = [f"{k}={v}" for k, v in usage.items() if isinstance(v, (int, float, str))]
        summary += [f"stop_reason={stop_reason}"] if stop_reason else []
        if summary:
            to_stderr(redact("usage: " + " ".join(summary)) + "\n")

    def end_line(self) -> None:
        if self.mid_line:
            self.write("\n")
            self.mid_line = False

    def usage_error(self, message: str) -> None:
        """One line on stderr for an input that the client refused."""
        self.end_line()
        sys.stderr.write(redact("Error: " + message.replace("\n", " ")) + "\n")
        sys.stderr.flush()

    def error(self, exc: APIError) -> None:
        """One readable line, then the error as JSON, on stderr."""
        self.end_line()
        detail: dict[str, Any] = {"error": type(exc).__name__}
        if isinstance(exc, APIStatusError):
            body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else exc.body
            detail.update(
                status_code=exc.status_code,
                error_type=exc.error_type,
                message=exc.message,
                request_id=exc.request_id,
                body=_plain(body),
            )
        elif isinstance(exc, APIResponseValidationError):
            detail.update(
                status_code=exc.status_code, message=exc.message, url=exc.url, body=exc.body
            )
        else:
            detail["message"] = exc.message
            if isinstance(exc, APIConnectionError):
                detail["url"] = exc.url
        line = f"Error: {exc}" if str(exc) else f"Error: {type(exc).__name__}"
        to_stderr(redact(line.replace("\n", " ")) + "\n")
        to_stderr(redact(json.dumps(detail, ensure_ascii=False, default=str)) + "\n")


# ------------------------------------------------------------------------------------------
# progress


class Progress:
    """One status line on stderr, redrawn at most ten times a second; only made when stderr is a
    terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total: int | None = None
        self.done = 0
        self.drawn_at = 0.0
        self.shown = False

    def show(self, text: str) -> None:
        to_stderr(f"\r\x1b[K{text}")
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            to_stderr("\r\x1b[K")
            self.shown = False

    def start(self, total: int | None) -> None:
        self.total, self.done = total, 0
        self.draw(force=True)

    def add(self, count: int) -> None:
        self.done += count
        self.draw()

    def draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.drawn_at >= 0.1:
            self.drawn_at = now
            of = (
                f" of {_size(self.total)} ({100 * self.done // max(self.total, 1)}%)"
                if self.total
                else ""
            )
            self.show(f"{self.label}: {_size(self.done)}{of}")

    def finish(self) -> None:
        if self.shown:
            self.draw(force=True)
            to_stderr("\n")
            self.shown = False


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"


class _CountingStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, progress: Progress) -> None:
        self.inner, self.progress = inner, progress

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.progress.add(len(chunk))
            yield chunk

    def close(self) -> None:
        self.inner.close()
        self.progress.finish()


class ProgressTransport(httpx.BaseTransport):
    """Counts the bytes of each successful response body into a ``Progress`` (downloads on a
    terminal)."""

    def __init__(self, progress: Progress) -> None:
        self.inner = httpx.HTTPTransport()
        self.progress = progress

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code < 400 and isinstance(response.stream, httpx.SyncByteStream):
            length = response.headers.get("content-length", "")
            self.progress.start(int(length) if length.isdigit() else None)
            response.stream = _CountingStream(response.stream, self.progress)
        return response

    def close(self) -> None:
        self.inner.close()
