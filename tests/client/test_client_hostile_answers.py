"""A hostile or broken server's answers through the real resource methods: JSON nested past the parser's
stack, stream events of the wrong JSON shape, an absurd block index, a retry-after date past the calendar.
Each must end as one of the client's errors (or a sane wait), never a raw Python exception or a hang."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fakeserver import FakeServer, Reply, anthropic_error
from lcclient import HELLO, MODEL, lc

MODELS = "/v1/models/claude-haiku-4-5"
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
START = {"type": "message_start", "message": {"id": "msg_h", "type": "message", "role": "assistant",
                                              "model": MODEL, "content": [], "usage": {"input_tokens": 1}}}
TEXT_START = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
STOP = ("message_stop", {"type": "message_stop"})


def stream_of(client: Any) -> Any:
    return client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)


# ------------------------------------------------------------------------------ JSON nested too deep


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_deeply_nested_success_answer_is_a_validation_error(fake_server: FakeServer, client: Any,
                                                             body: bytes) -> None:
    """json.loads raised RecursionError, which escaped every call as a raw exception."""
    fake_server.script("GET", MODELS, [Reply(200, raw=body, content_type="application/json")])
    with pytest.raises(lc.APIResponseValidationError) as caught:
        client.models.retrieve("claude-haiku-4-5")
    assert caught.value.status_code == 200 and "not valid JSON" in str(caught.value)


@pytest.mark.parametrize("body", [DEEP_ARRAY, b'{"error": ' + DEEP_OBJECT + b"}"], ids=["bare", "in-envelope"])
def test_deeply_nested_error_body_is_a_status_error(fake_server: FakeServer, client: Any, body: bytes) -> None:
    fake_server.script("GET", MODELS, [Reply(400, raw=body, content_type="application/json")])
    with pytest.raises(lc.BadRequestError) as caught:
        client.models.retrieve("claude-haiku-4-5")
    assert caught.value.status_code == 400 and isinstance(caught.value.body, str)
    assert len(fake_server.requests) == 1


def test_deeply_nested_stream_event_is_a_validation_error(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("message_start", START),
                                                                 ("content_block_delta", DEEP_ARRAY.decode())])])
    with pytest.raises(lc.APIResponseValidationError, match="not JSON"):
        list(stream_of(client))


def test_deeply_nested_tool_input_is_kept_as_partial_json(fake_server: FakeServer, client: Any) -> None:
    """The accumulator parsed the finished tool input and caught only ValueError."""
    tool = {"type": "content_block_start", "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_h", "name": "f", "input": {}}}
    delta = {"type": "content_block_delta", "index": 0,
             "delta": {"type": "input_json_delta", "partial_json": DEEP_ARRAY.decode()}}
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[
        ("message_start", START), ("content_block_start", tool), ("content_block_delta", delta),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}), STOP])])
    message = stream_of(client).get_final_message()
    assert message.content[0].type == "tool_use"
    assert message.content[0].partial_json == DEEP_ARRAY.decode()


def test_deeply_nested_batch_result_line_is_a_validation_error(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", re.compile(r".*/msgbatch_01/results$"),
                       [Reply(200, raw=DEEP_ARRAY + b"\n", content_type="application/x-jsonl")])
    with pytest.raises(lc.APIResponseValidationError, match="not JSON"):
        list(client.messages.batches.results("msgbatch_01"))


# ------------------------------------------------------------------- stream events of the wrong shape


@pytest.mark.parametrize("events", [
    [("message_start", {"type": "message_start", "message": "text"})],
    [("message_start", {"type": "message_start", "message": {"content": "text"}})],
    [("message_start", START), ("content_block_start", {"type": "content_block_start", "index": 0,
                                                         "content_block": "text"})],
    [("message_start", START), ("content_block_start", TEXT_START),
     ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": "text"})],
    [("message_start", START), ("message_delta", {"type": "message_delta", "delta": [1]})],
    [("message_start", START), ("content_block_start", {**TEXT_START, "index": "0"})],
], ids=["message-not-object", "content-not-list", "block-not-object", "delta-not-object",
        "message-delta-not-object", "index-not-int"])
def test_malformed_stream_event_is_a_validation_error(fake_server: FakeServer, client: Any,
                                                      events: list[Any]) -> None:
    """The accumulator raised AttributeError / ValueError / TypeError from inside the stream."""
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[*events, STOP])])
    stream = stream_of(client)
    with pytest.raises(lc.APIResponseValidationError) as caught:
        list(stream)
    assert caught.value.status_code == 200 and stream.response.is_closed


def test_text_delta_whose_text_is_not_a_string_adds_nothing(fake_server: FakeServer, client: Any) -> None:
    delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}}
    good = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}}
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[
        ("message_start", START), ("content_block_start", TEXT_START), ("content_block_delta", delta),
        ("content_block_delta", good), STOP])])
    assert stream_of(client).get_final_message().content[0].text == "ok"


def test_absurd_block_index_is_refused_not_allocated(fake_server: FakeServer, client: Any) -> None:
    """``"index": 2000000`` made the accumulator append two million empty blocks (a larger one
    exhausted memory)."""
    block = {**TEXT_START, "index": 2_000_000}
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("message_start", START),
                                                                 ("content_block_start", block), STOP])])
    started = time.monotonic()
    with pytest.raises(lc.APIResponseValidationError, match="block 2000000"):
        stream_of(client).get_final_message()
    assert time.monotonic() - started < 2.0


# ------------------------------------------------------------------------------------ retry waits


def test_retry_after_date_beyond_the_calendar_falls_back_to_backoff(fake_server: FakeServer,
                                                                    client: Any) -> None:
    """email.utils.mktime_tz raised OverflowError out of the retry loop for a year like 99999999999."""
    headers = {"retry-after": "Mon, 01 Jan 99999999999 00:00:00 GMT"}
    fake_server.script("GET", MODELS, [anthropic_error(429, "rate_limit_error", "Slow down", headers=headers)])
    assert client.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5"
    assert len(client.sleeps) == 1 and 0.375 <= client.sleeps[0] <= 0.5
    assert len(fake_server.requests) == 2

