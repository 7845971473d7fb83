"""Server-sent events: an incremental decoder, and the accumulator that rebuilds a Message from its
events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ._errors import loads_json

__all__ = ["MalformedEvent", "MessageAccumulator", "SSEDecoder", "ServerSentEvent"]

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


class MalformedEvent(ValueError):
    """An event whose JSON is not the shape its type has (``"message": "text"``, a block index far
    past the blocks so far); the stream reports it as an invalid answer."""


# A block index may run ahead of the blocks seen so far by this much (a delta before its start);
# further is a hostile stream asking for millions of empty blocks.
_MAX_INDEX_GAP = 16


def _object(event: dict[str, Any], key: str, kind: str) -> dict[str, Any]:
    """``event[key]`` when it is a JSON object or absent (``{}``); MalformedEvent otherwise."""
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(f"a {kind} event whose {key!r} is not an object")
    return value


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class MessageAccumulator:
    """Builds the final Message (as a dict) from the raw stream events it is fed, in order.

    ``feed`` raises ``MalformedEvent`` for an event it cannot apply (the wrong JSON types, an
    absurd block index), never ``AttributeError`` or ``TypeError``."""

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
            message = dict(_object(event, "message", "message_start"))
            content = message.get("content")
            if content is not None and not (
                isinstance(content, list) and all(isinstance(b, dict) for b in content)
            ):
                raise MalformedEvent("a message_start event whose content is not a list of objects")
            message["content"] = [dict(block) for block in content or []]
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
            index = self._index(event)
            raw = self._partial_json.pop(index, None)
            if raw is not None and raw.strip():
                try:
                    self._block(index)["input"] = loads_json(raw)
                except ValueError:
                    self._block(index)["partial_json"] = raw
        elif kind == "message_delta":
            for key, value in _object(event, "delta", "message_delta").items():
                self.message[key] = value
            usage = event.get("usage")
            if isinstance(usage, dict):
                merged = dict(_object(self.message, "usage", "message_delta"))
                merged.update({k: v for k, v in usage.items() if v is not None})
                self.message["usage"] = merged
        elif kind == "message_stop":
            self.stopped = True

    def _index(self, event: dict[str, Any]) -> int:
        index = event.get("index")
        if index is None:
            return 0
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise MalformedEvent(f"a {event.get('type')} event whose index is not a block number")
        assert self.message is not None
        if index > len(self.message["content"]) + _MAX_INDEX_GAP:
            raise MalformedEvent(
                f"a {event.get('type')} event for block {index} after"
                f" {len(self.message['content'])} blocks"
            )
        return index

    def _block(self, index: int) -> dict[str, Any]:
        assert self.message is not None
        content: list[dict[str, Any]] = self.message["content"]
        while len(content) <= index:
            content.append({})
        return content[index]

    def _start_block(self, event: dict[str, Any]) -> None:
        assert self.message is not None
        index = self._index(event)
        self._block(index)
        block = dict(_object(event, "content_block", "content_block_start"))
        self.message["content"][index] = block
        if block.get("type") in _TOOL_BLOCKS:
            self._partial_json[index] = ""

    def _apply_delta(self, event: dict[str, Any]) -> None:
        index = self._index(event)
        delta = _object(event, "delta", "content_block_delta")
        block = self._block(index)
        kind = delta.get("type")
        if kind == "text_delta":
            block["text"] = _text(block.get("text")) + _text(delta.get("text"))
        elif kind == "input_json_delta":
            self._partial_json[index] = self._partial_json.get(index, "") + _text(
                delta.get("partial_json")
            )
        elif kind == "thinking_delta":
            block["thinking"] = _text(block.get("thinking")) + _text(delta.get("thinking"))
        elif kind == "signature_delta":
            block["signature"] = delta.get("signature")
        elif kind == "citations_delta":
            citations = block.get("citations")
            block["citations"] = [*(citations if isinstance(citations, list) else [])] + [
                delta.get("citation")
            ]
