"""Server-sent events and JSON Lines over real sockets."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from fakeserver_world import stream_events

BODY = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}
FULL_TEXT = "Hello! You said: Hi"


class Event:
    """A stand-in for the generated event models: typed by ``type``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.type = raw["type"]
        self.raw = raw


class Message:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.id = raw["id"]
        self.text = "".join(b.get("text", "") for b in raw["content"])


def stream(client: Any, routes: dict[str, Any], **kw: Any) -> Any:
    return client._request_stream(routes["messages.create"], Event, Message, body=BODY, **kw)


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_typed_events_ping_skipped(fake_server: FakeServer, make_client: Callable[..., Any],
                                   routes: dict[str, Any], target: str) -> None:
    client = make_client(target)
    events = stream(client, routes)
    types = [event.type for event in events]
    assert types[:2] == ["message_start", "content_block_start"] and "ping" not in types
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert types.count("content_block_delta") == 3
    assert events.response.is_closed
    req = fake_server.requests[0]
    assert req.json() == {**BODY, "stream": True} and req.headers["accept"] == "text/event-stream"


def test_text_stream(client: Any, routes: dict[str, Any]) -> None:
    pieces = list(stream(client, routes).text_stream)
    assert len(pieces) == 3 and "".join(pieces) == FULL_TEXT


def test_final_message(client: Any, routes: dict[str, Any]) -> None:
    message = stream(client, routes).get_final_message()
    assert isinstance(message, Message) and message.text == FULL_TEXT and message.id == "msg_fake_stream"
    assert message.raw["stop_reason"] == "end_turn" and message.raw["usage"] == {"input_tokens": 12,
                                                                                 "output_tokens": 3}


def test_final_message_after_partial_iteration(client: Any, routes: dict[str, Any]) -> None:
    events = stream(client, routes)
    assert next(events).type == "message_start"
    assert next(events).type == "content_block_start"
    assert events.get_final_message().text == FULL_TEXT


def test_tool_use_stream(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    events = [
        ("message_start", {"type": "message_start", "message": {"id": "msg_t", "type": "message", "content": [],
                                                                "usage": {"input_tokens": 3}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "tool_use", "id": "tu", "name": "f", "input": {}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "input_json_delta", "partial_json": '{"a": [1,'}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "input_json_delta", "partial_json": " 2]}"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"},
                           "usage": {"output_tokens": 9}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    fake_server.script("POST", "/v1/messages", [Reply(sse=events)])
    final = stream(client, routes).get_final_message().raw
    assert final["content"] == [{"type": "tool_use", "id": "tu", "name": "f", "input": {"a": [1, 2]}}]
    assert final["stop_reason"] == "tool_use" and final["usage"] == {"input_tokens": 3, "output_tokens": 9}


@pytest.mark.parametrize(("err_type", "status", "name"), [
    ("invalid_request_error", 400, "BadRequestError"), ("authentication_error", 401, "AuthenticationError"),
    ("permission_error", 403, "PermissionDeniedError"), ("not_found_error", 404, "NotFoundError"),
    ("request_too_large", 413, "RequestTooLargeError"), ("rate_limit_error", 429, "RateLimitError"),
    ("api_error", 500, "InternalServerError"), ("overloaded_error", 529, "OverloadedError"),
])
def test_error_event_raises_mapped_class(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                         rt: ModuleType, err_type: str, status: int, name: str) -> None:
    events = stream_events("m", "Hi")[:3]
    events.append(("error", {"type": "error", "error": {"type": err_type, "message": "mid-stream failure"}}))
    fake_server.script("POST", "/v1/messages", [Reply(sse=events)])
    received = []
    events_iter = stream(client, routes)
    with pytest.raises(rt.APIStatusError) as caught:
        for event in events_iter:
            received.append(event.type)
    assert received == ["message_start", "content_block_start"]
    err = caught.value
    assert (type(err).__name__, err.status_code, err.error_type, err.message) == (
        name, status, err_type, "mid-stream failure")
    assert events_iter.response.is_closed
    assert len(fake_server.requests) == 1


@pytest.mark.parametrize("close_delimited", [False, True])
def test_stream_cut_mid_event(fake_server: FakeServer, client: Any, routes: dict[str, Any], rt: ModuleType,
                              close_delimited: bool) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(cut_after=4, close_delimited=close_delimited)])
    events = stream(client, routes)
    seen = []
    with pytest.raises(rt.APIConnectionError):
        for event in events:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start", "content_block_delta"]
    assert events.response.is_closed


def test_stream_ended_before_message_stop(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                          rt: ModuleType) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(sse=stream_events("m", "Hi")[:5])])
    with pytest.raises(rt.APIConnectionError, match="before message_stop"):
        list(stream(client, routes))


def test_stream_error_status_is_retried_then_streams(fake_server: FakeServer, client: Any,
                                                     routes: dict[str, Any]) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(529, json={"message": "Overloaded"})])
    assert stream(client, routes).get_final_message().text == FULL_TEXT
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1


def test_json_wrapped_stream_from_a_buffering_proxy(fake_server: FakeServer, client: Any,
                                                    routes: dict[str, Any]) -> None:
    text = "".join(f"event: {n}\ndata: {json.dumps(d)}\n\n" for n, d in stream_events("m", "Hi"))
    fake_server.script("POST", "/v1/messages", [Reply(200, json={"data": text})])
    assert "".join(stream(client, routes).text_stream) == FULL_TEXT


def test_response_closed_on_close_with_and_gc(client: Any, routes: dict[str, Any]) -> None:
    events = stream(client, routes)
    next(events)
    events.close()
    assert events.response.is_closed
    assert list(events) == []
    with stream(client, routes) as events:
        next(events)
    assert events.response.is_closed
    events = stream(client, routes)
    next(events)
    response = events.response
    del events
    gc.collect()
    assert response.is_closed
    # The connection went back to the pool: the client still works.
    assert stream(client, routes).get_final_message().text == FULL_TEXT


# ------------------------------------------------------------------------------------------- JSON Lines

def results(client: Any, routes: dict[str, Any], batch_id: str = "msgbatch_01") -> Any:
    return client._request_jsonl(routes["messages.batches.results"], ident, path_params={"batch_id": batch_id})


def ident(value: Any) -> Any:
    return value


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_batch_results_lines(fake_server: FakeServer, make_client: Callable[..., Any], routes: dict[str, Any],
                             target: str) -> None:
    lines = results(make_client(target), routes)
    items = list(lines)
    assert [i["custom_id"] for i in items] == ["req-1", "req-2", "req-3"]
    assert [i["result"]["type"] for i in items] == ["succeeded", "errored", "canceled"]
    assert lines.response.is_closed
    expected = ("/anthropic/v1/message_batches/msgbatch_01/results" if target == "lowcodeapi"
                else "/v1/messages/batches/msgbatch_01/results")
    assert fake_server.requests[0].path == expected


def test_batch_results_old_format(fake_server: FakeServer, make_client: Callable[..., Any],
                                  routes: dict[str, Any]) -> None:
    assert len(list(results(make_client(url_format="old"), routes))) == 3
    req = fake_server.requests[0]
    assert req.path == "/anthropic/v1/message_batches/batchid/results" and req.query["batchid"] == "msgbatch_01"


def test_jsonl_is_read_incrementally(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                     rt: ModuleType) -> None:
    # The server hangs up in the middle of the second line: the first must already have been yielded.
    fake_server.script("GET", "/results", [Reply(cut_after=1)])
    lines = results(client, routes)
    assert next(lines)["custom_id"] == "req-1"
    with pytest.raises(rt.APIConnectionError):
        next(lines)
    assert lines.response.is_closed


def test_jsonl_inside_an_envelope(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    one = {"custom_id": "only", "result": {"type": "canceled"}}
    fake_server.script("GET", "/results", [Reply(200, json={"data": one}),
                                           Reply(200, json={"data": [one, one]})])
    assert [i["custom_id"] for i in results(client, routes)] == ["only"]
    assert len(list(results(client, routes))) == 2


def test_jsonl_error_status(client: Any, routes: dict[str, Any], rt: ModuleType) -> None:
    with pytest.raises(rt.NotFoundError) as caught:
        results(client, routes, "msgbatch_missing")
    assert caught.value.error_type == "not_found_error"
