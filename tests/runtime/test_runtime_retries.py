"""Retries over real sockets: which failures are retried, how often, and how long the client waits."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from fakeserver import FakeServer, Reply, anthropic_error


def ident(value: Any) -> Any:
    return value


def call_me(client: Any, routes: dict[str, Any], **kw: Any) -> Any:
    return client._request_json(routes["organizations.me"], ident, **kw)


ME = "/v1/organizations/me"


def overloaded(**kw: Any) -> Reply:
    reply = anthropic_error(529, "overloaded_error", "Overloaded")
    reply.envelope = True
    for key, value in kw.items():
        setattr(reply, key, value)
    return reply


def test_429_with_retry_after_header(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    fake_server.script("GET", ME, [Reply(429, headers={"retry-after": "2"}, json={"message": "slow"})])
    assert call_me(client, routes)["id"] == "org_01"
    assert len(fake_server.requests) == 2
    assert client.sleeps == [2.0]  # a server-given delay is waited in full, without jitter


def test_retry_after_only_inside_the_envelope(fake_server: FakeServer, client: Any,
                                              routes: dict[str, Any]) -> None:
    limited = anthropic_error(429, "rate_limit_error", "Number of requests exceeded")
    limited.envelope, limited.envelope_headers = True, {"retry-after": "3", "anthropic-ratelimit-requests-remaining": "0"}
    fake_server.script("GET", ME, [limited])
    assert call_me(client, routes)["id"] == "org_01"
    assert client.sleeps == [3.0] and len(fake_server.requests) == 2


def test_retry_after_ms_and_http_date(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    date = email.utils.formatdate(time.time() + 20, usegmt=True)
    fake_server.script("GET", ME, [overloaded(headers={"retry-after-ms": "1250"}),
                                   overloaded(envelope_headers={"retry-after": date})])
    call_me(client, routes)
    assert client.sleeps[0] == 1.25 and 18 <= client.sleeps[1] <= 20.5
    assert len(fake_server.requests) == 3


def test_529_twice_then_success_with_computed_backoff(fake_server: FakeServer, client: Any,
                                                      routes: dict[str, Any]) -> None:
    fake_server.script("GET", ME, [overloaded(), overloaded()])
    assert call_me(client, routes)["id"] == "org_01"
    assert len(fake_server.requests) == 3
    first, second = client.sleeps
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0  # 0.5 s x 2^n, less up to 25 % jitter


def test_backoff_doubles_and_caps(fake_server: FakeServer, make_client: Callable[..., Any],
                                  routes: dict[str, Any], rt: ModuleType) -> None:
    client = make_client(max_retries=6)
    client._random = lambda: 0.0
    fake_server.script("GET", ME, [overloaded() for _ in range(7)])
    with pytest.raises(rt.OverloadedError):
        call_me(client, routes)
    assert client.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(fake_server.requests) == 7


def test_server_delay_over_60_s_is_not_honoured(fake_server: FakeServer, client: Any,
                                                routes: dict[str, Any]) -> None:
    client._random = lambda: 0.0
    fake_server.script("GET", ME, [Reply(429, headers={"retry-after": "3600"}, json={"message": "later"})])
    call_me(client, routes)
    assert client.sleeps == [0.5]


def test_retries_exhausted(fake_server: FakeServer, client: Any, routes: dict[str, Any], rt: ModuleType) -> None:
    fake_server.script("GET", ME, [overloaded() for _ in range(3)])
    with pytest.raises(rt.OverloadedError) as caught:
        call_me(client, routes)
    assert caught.value.status_code == 529 and caught.value.error_type == "overloaded_error"
    assert len(fake_server.requests) == 3 and len(client.sleeps) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 408, 409])
def test_other_retryable_statuses(fake_server: FakeServer, make_client: Callable[..., Any],
                                  routes: dict[str, Any], status: int) -> None:
    client = make_client(max_retries=1)
    fake_server.script("GET", ME, [Reply(status, json={"message": "try again"})])
    assert call_me(client, routes)["id"] == "org_01"
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_client_errors_are_not_retried(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                       rt: ModuleType, status: int) -> None:
    fake_server.script("GET", ME, [Reply(status, json={"message": "no"})])
    with pytest.raises(rt.APIStatusError):
        call_me(client, routes)
    assert len(fake_server.requests) == 1 and client.sleeps == []


def test_dropped_connection_is_retried(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    fake_server.script("GET", ME, [Reply(drop=True)])
    assert call_me(client, routes)["id"] == "org_01"
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1
    assert 0.375 <= client.sleeps[0] <= 0.5


def test_dropped_every_time(fake_server: FakeServer, client: Any, routes: dict[str, Any], rt: ModuleType) -> None:
    fake_server.script("GET", ME, [Reply(drop=True) for _ in range(3)])
    with pytest.raises(rt.APIConnectionError) as caught:
        call_me(client, routes)
    assert not isinstance(caught.value, rt.APITimeoutError)
    assert len(fake_server.requests) == 3 and len(client.sleeps) == 2


def test_slow_response_past_a_per_call_timeout(fake_server: FakeServer, client: Any,
                                               routes: dict[str, Any], rt: ModuleType) -> None:
    fake_server.script("GET", ME, [Reply(delay=1.0), Reply(delay=1.0)])
    started = time.monotonic()
    with pytest.raises(rt.APITimeoutError) as caught:
        call_me(client, routes, options=rt.RequestOptions(timeout=0.15, max_retries=1))
    assert time.monotonic() - started < 0.9
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1
    assert "timed out" in str(caught.value)


def test_client_timeout_and_per_call_override(fake_server: FakeServer, make_client: Callable[..., Any],
                                              routes: dict[str, Any], rt: ModuleType) -> None:
    client = make_client(timeout=0.15, max_retries=0)
    fake_server.script("GET", ME, [Reply(delay=0.5), Reply(delay=0.3)])
    with pytest.raises(rt.APITimeoutError):
        call_me(client, routes)
    assert call_me(client, routes, options=rt.RequestOptions(timeout=2.0))["id"] == "org_01"
    assert len(fake_server.requests) == 2


def test_x_should_retry_overrides(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                  rt: ModuleType) -> None:
    fake_server.script("GET", ME, [overloaded(headers={"x-should-retry": "false"})])
    with pytest.raises(rt.OverloadedError):
        call_me(client, routes)
    assert len(fake_server.requests) == 1
    fake_server.script("GET", ME, [Reply(400, headers={"x-should-retry": "true"}, json={"message": "odd"})])
    assert call_me(client, routes)["id"] == "org_01"
    assert len(fake_server.requests) == 3


def test_max_retries_zero_per_client_and_per_call(fake_server: FakeServer, make_client: Callable[..., Any],
                                                  routes: dict[str, Any], rt: ModuleType) -> None:
    client = make_client(max_retries=0)
    fake_server.script("GET", ME, [overloaded() for _ in range(3)])
    with pytest.raises(rt.OverloadedError):
        call_me(client, routes)
    assert len(fake_server.requests) == 1
    assert call_me(client, routes, options=rt.RequestOptions(max_retries=2))["id"] == "org_01"
    assert len(fake_server.requests) == 4  # two more 529s, then the success
    retrying = make_client()
    fake_server.script("GET", ME, [overloaded()])
    with pytest.raises(rt.OverloadedError):
        call_me(retrying, routes, options=rt.RequestOptions(max_retries=0))
    assert len(fake_server.requests) == 5


def test_retry_resends_the_same_request(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    fake_server.script("POST", "/v1/messages", [overloaded()])
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "again"}]}
    message = client._request_json(routes["messages.create"], ident, body=body)
    assert message["content"][0]["text"] == "Hello! You said: again"
    first, second = fake_server.requests
    assert first.json() == second.json() == body and first.query == second.query


def test_retry_logged(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                      caplog: pytest.LogCaptureFixture, log_name: str) -> None:
    caplog.set_level("INFO", logger=log_name)
    fake_server.script("GET", ME, [overloaded()])
    call_me(client, routes)
    (line,) = [r.getMessage() for r in caplog.records if r.name == log_name]
    assert line.startswith("Retrying GET ") and "after HTTP 529" in line and "api_token=***" in line
