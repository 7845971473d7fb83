"""Server-sent events: an incremental decoder, and the accumulator that rebuilds a Message from its
events."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["MessageAccumulator", "SSEDecoder", "ServerSentEvent"]

_EOL = re.compile(rb"\r\n|\r|\n")
_TOOL_BLOCKS = ("tool_use", "server_tool_use", "mcp_tool_use")


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: its ``event:`` name (if any), its joined ``data:`` lines and its
    ``id:``."""

    event: str | None
    data: str
    id: str | None = None


class SSEDecoder:
    """Turns byte chunks, split anywhere, into events (CRLF, LF or CR line ends; comments
    ignored)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._pending = False
        self._started = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events completed by ``chunk``."""
        buffer = self._buffer + chunk
        events: list[ServerSentEvent] = []
        pos = 0
        while True:
            match = _EOL.search(buffer, pos)
            if match is None or (match.group() == b"\r" and match.end() == len(buffer)):
                break  # no full line yet, or a CR that may be the first half of a CRLF
            event = self._line(buffer[pos : match.start()])
            if event is not None:
                events.append(event)
            pos = match.end()
        self._buffer = buffer[pos:]
        return events

    def finish(self) -> list[ServerSentEvent]:
        """Flush a trailing CR-terminated line; call once the body has ended."""
        if self._buffer.endswith(b"\r"):
            event = self._line(self._buffer[:-1])
            self._buffer = b""
            if event is not None:
                return [event]
        return []

    @property
    def in_event(self) -> bool:
        """Whether the input stopped part-way through an event (an unfinished line or undispatched
        fields)."""
        return bool(self._buffer.strip()) or self._pending

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        line = raw.decode("utf-8", "replace")
        if not self._started:
            self._started = True
            line = line.lstrip("\ufeff")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name != "retry":
            return None
        self._pending = True
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        event = (
            ServerSentEvent(self._event, "\n".join(self._data), self._id) if self._data else None
        )
        self._event = None
        self._data = []
        self._pending = False
        return event


class MessageAccumulator:
    """Builds the final Message (as a dict) from the raw stream events it is fed, in order."""

    def __init__(self) -> None:
        self.message: dict[str, Any] | None = None
        self.stopped = False
        self._partial_json: dict[int, str] = {}

    @property
    def started(self) -> bool:
        """Whether ``message_start`` has been seen."""
        return self.message is not None

    def feed(self, event: dict[str, Any]) -> None:
        """Apply one event."""
        kind = event.get("type")
        if kind == "message_start":
            message = dict(event.get("message") or {})
            message["content"] = [dict(block) for block in message.get("content") or []]
            self.message = message
            self._partial_json = {}
            return
        if self.message is None:
            return
        if kind == "content_block_start":
            self._start_block(event)
        elif kind == "content_block_delta":
            self._apply_delta(event)
        elif kind == "content_block_stop":
            index = _index(event)
            raw = self._partial_json.pop(index, None)
            if raw is not None and raw.strip():
                try:
                    self._block(index)["input"] = json.loads(raw)
                except ValueError:
                    self._block(index)["partial_json"] = raw
        elif kind == "message_delta":
            for key, value in (event.get("delta") or {}).items():
                self.message[key] = value
            usage = event.get("usage")
            if isinstance(usage, dict):
                merged = dict(self.message.get("usage") or {})
                merged.update({k: v for k, v in usage.items() if v is not None})
                self.message["usage"] = merged
        elif kind == "message_stop":
            self.stopped = True

    def _block(self, index: int) -> dict[str, Any]:
        assert self.message is not None
        content: list[dict[str, Any]] = self.message["content"]
        while len(content) <= index:
            content.append({})
        return content[index]

    def _start_block(self, event: dict[str, Any]) -> None:
        assert self.message is not None
        index = _index(event)
        self._block(index)
        block = dict(event.get("content_block") or {})
        self.message["content"][index] = block
        if block.get("type") in _TOOL_BLOCKS:
            self._partial_json[index] = ""

    def _apply_delta(self, event: dict[str, Any]) -> None:
        index = _index(event)
        block = self._block(index)
        delta = event.get("delta") or {}
        kind = delta.get("type")
        if kind == "text_delta":
            block["text"] = (block.get("text") or "") + (delta.get("text") or "")
        elif kind == "input_json_delta":
            self._partial_json[index] = self._partial_json.get(index, "") + (
                delta.get("partial_json") or ""
            )
        elif kind == "thinking_delta":
            block["thinking"] = (block.get("thinking") or "") + (delta.get("thinking") or "")
        elif kind == "signature_delta":
            block["signature"] = delta.get("signature")
        elif kind == "citations_delta":
            block["citations"] = list(block.get("citations") or []) + [delta.get("citation")]


def _index(event: dict[str, Any]) -> int:
    index = event.get("index")
    return index if isinstance(index, int) and index >= 0 else 0
