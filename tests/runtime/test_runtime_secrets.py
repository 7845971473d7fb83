"""Credentials never show up in exception text, reprs or log lines (httpx's and httpcore's included)."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from rtpkg import KEY, TOKEN


def ident(value: Any) -> Any:
    return value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def all_text(exc: BaseException) -> str:
    """Everything a person or a program can read off an error: its traceback, repr and URL, and the same of
    every exception behind it (`__context__` too, which a printed traceback hides), requests included."""
    text, seen, current = [], set(), exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text += ["".join(traceback.format_exception(current)), repr(current), repr(current.args),
                 str(getattr(current, "url", ""))]
        request = getattr(current, "_request", None)
        if request is not None:
            text += [str(request.url), repr(dict(request.headers))]
        current = current.__cause__ or current.__context__
    return "\n".join(text)


def test_connection_refused_error_has_no_token(rt: ModuleType, make_client: Callable[..., Any],
                                               routes: dict[str, Any]) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{free_port()}/anthropic", max_retries=1)
    with pytest.raises(rt.APIConnectionError) as caught:
        client._request_json(routes["models.list"], ident)
    text = all_text(caught.value)
    assert TOKEN not in text and "api_token=***" in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_timeout_error_has_no_token(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                    rt: ModuleType) -> None:
    fake_server.script("GET", "/v1/models", [Reply(delay=0.5)])
    with pytest.raises(rt.APITimeoutError) as caught:
        client._request_json(routes["models.list"], ident, options=rt.RequestOptions(timeout=0.1, max_retries=0))
    assert TOKEN not in all_text(caught.value) and "api_token=***" in str(caught.value)


def test_cut_stream_error_has_no_token(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                       rt: ModuleType) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(cut_after=3)])
    events = client._request_stream(routes["messages.create"], ident, ident,
                                    body={"model": "m", "max_tokens": 5, "messages": []})
    with pytest.raises(rt.APIConnectionError) as caught:
        list(events)
    assert TOKEN not in all_text(caught.value)


def test_direct_key_absent_from_errors_and_reprs(fake_server: FakeServer, make_client: Callable[..., Any],
                                                 routes: dict[str, Any], rt: ModuleType) -> None:
    client = make_client("direct", base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    with pytest.raises(rt.APIConnectionError) as caught:
        client._request_json(routes["models.list"], ident)
    assert KEY not in all_text(caught.value)
    assert KEY not in repr(client) and KEY not in repr(client._settings)
    assert KEY not in str(vars(client).get("_settings"))


def test_repr_has_no_secret(client: Any) -> None:
    assert TOKEN not in repr(client) and TOKEN not in repr(client._settings)


def test_debug_logs_are_redacted(fake_server: FakeServer, make_client: Callable[..., Any],
                                 routes: dict[str, Any], caplog: pytest.LogCaptureFixture, log_name: str) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", log_name):
        caplog.set_level(logging.DEBUG, logger=name)
    fake_server.new_format = False
    fake_server.script("GET", "/v1/models/modelid", [Reply(529, json={"message": "busy"})])
    client = make_client()
    client._request_json(routes["models.retrieve"], ident, path_params={"model_id": "claude-opus-4-1"})
    direct = make_client("direct")
    direct._request_json(routes["models.list"], ident)
    names = {record.name for record in caplog.records}
    assert "httpx" in names and any(n.startswith("httpcore") for n in names) and log_name in names
    text = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert TOKEN not in text and KEY not in text
    assert "api_token=***" in text
    assert any("HTTP Request: GET" in r.getMessage() for r in caplog.records if r.name == "httpx")


def test_status_error_message_is_redacted(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                          rt: ModuleType) -> None:
    echo = f"upstream failed for /v1/models?api_token={TOKEN}"
    fake_server.script("GET", "/v1/models", [Reply(400, json={"message": echo})])
    with pytest.raises(rt.BadRequestError) as caught:
        client._request_json(routes["models.list"], ident)
    assert TOKEN not in str(caught.value) and "api_token=***" in str(caught.value)
    assert TOKEN not in "".join(traceback.format_exception(caught.value))
