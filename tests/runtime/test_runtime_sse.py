"""The incremental SSE decoder and the Message accumulator."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

STREAM = (
    b": a comment\n"
    b"event: message_start\n"
    b'data: {"type": "message_start",\n'
    b'data:  "n": 1}\n'
    b"\n"
    b"event: ping\n"
    b"data: {}\n"
    b"\n"
    b"id: 7\n"
    b"data:no-space\n"
    b"\n"
    b"event: only-a-name\n"
    b"\n"
    + "data: caf\u00e9 \u2615\n\n".encode()
)


def decode(rt: ModuleType, chunks: list[bytes]) -> list[Any]:
    decoder = rt._sse.SSEDecoder()
    events = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.finish()
    assert not decoder.in_event
    return [(e.event, e.data, e.id) for e in events]


EXPECTED = [
    ("message_start", '{"type": "message_start",\n "n": 1}', None),
    ("ping", "{}", None),
    (None, "no-space", "7"),
    (None, "caf\u00e9 \u2615", "7"),
]


def test_whole_stream(rt: ModuleType) -> None:
    assert decode(rt, [STREAM]) == EXPECTED


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_other_line_endings(rt: ModuleType, ending: bytes) -> None:
    assert decode(rt, [STREAM.replace(b"\n", ending)]) == EXPECTED


def test_split_at_every_byte(rt: ModuleType) -> None:
    for data in (STREAM, STREAM.replace(b"\n", b"\r\n")):
        for cut in range(1, len(data)):
            assert decode(rt, [data[:cut], data[cut:]]) == EXPECTED, cut
        assert decode(rt, [bytes([b]) for b in data]) == EXPECTED


def test_bom_and_cut_detection(rt: ModuleType) -> None:
    assert decode(rt, [b"\xef\xbb\xbfdata: x\n\n"]) == [(None, "x", None)]
    decoder = rt._sse.SSEDecoder()
    assert decoder.feed(b"event: content_block_delta\ndata: {\"a\"") == []
    assert decoder.in_event
    decoder = rt._sse.SSEDecoder()
    decoder.feed(b"data: complete-line-but-no-blank\n")
    assert decoder.in_event


def events_for_tool_and_thinking() -> list[dict[str, Any]]:
    return [
        {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [],
                                              "model": "m", "stop_reason": None, "stop_sequence": None,
                                              "usage": {"input_tokens": 5, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me "}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "think."}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "sig"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Checking"}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": " weather."}},
        {"type": "content_block_stop", "index": 1},
        {"type": "content_block_start", "index": 2,
         "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}},
        {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}},
        {"type": "content_block_delta", "index": 2,
         "delta": {"type": "input_json_delta", "partial_json": '{"location": "San'}},
        {"type": "content_block_delta", "index": 2,
         "delta": {"type": "input_json_delta", "partial_json": ' Francisco", "unit": "c"}'}},
        {"type": "content_block_stop", "index": 2},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
         "usage": {"output_tokens": 42}},
        {"type": "message_stop"},
    ]


def test_accumulator(rt: ModuleType) -> None:
    acc = rt._sse.MessageAccumulator()
    for event in events_for_tool_and_thinking():
        acc.feed(json.loads(json.dumps(event)))
    message = acc.message
    assert acc.stopped
    assert message["content"] == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "sig"},
        {"type": "text", "text": "Checking weather."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
         "input": {"location": "San Francisco", "unit": "c"}},
    ]
    assert message["stop_reason"] == "tool_use" and message["stop_sequence"] is None
    assert message["usage"] == {"input_tokens": 5, "output_tokens": 42}
