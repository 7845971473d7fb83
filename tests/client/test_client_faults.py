"""Fault injection through the real resource methods: retries and their delays (recorded, not slept), error
classes and fields, dropped connections, timeouts, stream errors and cuts. Each asserts the requests seen."""

from __future__ import annotations

import email.utils
import io
import json
import time
from typing import Any

import pytest
from fakeserver import FakeServer, Reply, anthropic_error
from fakeserver_world import parse_multipart
from lcclient import HELLO, MODEL, lc, run, types

MODELS = "/v1/models/claude-haiku-4-5"


def retrieve(client: Any, **kw: Any) -> Any:
    return client.models.retrieve("claude-haiku-4-5", **kw)


def enveloped(status: int, err_type: str, message: str, *, request_id: str = "req_fake_err",
              headers: dict[str, str] | None = None, envelope_headers: dict[str, str] | None = None) -> Reply:
    """An Anthropic error as the proxy sends it: in its error envelope."""
    reply = anthropic_error(status, err_type, message, request_id=request_id, headers=headers)
    reply.envelope, reply.envelope_headers = True, envelope_headers
    return reply


def backoff_range(n: int) -> tuple[float, float]:
    """The computed wait before retry n+1: 0.5 s x 2^n capped at 8 s, less up to 25 % jitter."""
    full = min(0.5 * 2**n, 8.0)
    return 0.75 * full, full


def assert_backoff(sleeps: list[float], count: int) -> None:
    assert len(sleeps) == count, sleeps
    for n, delay in enumerate(sleeps):
        low, high = backoff_range(n)
        assert low <= delay <= high, (n, delay)


# ------------------------------------------------------------------------------------------ retry waits


def test_429_retry_after_in_response_headers(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [anthropic_error(429, "rate_limit_error", "Slow down",
                                                       headers={"retry-after": "3"})])
    assert retrieve(client).id == "claude-haiku-4-5"
    assert client.sleeps == [3.0] and len(fake_server.requests) == 2


def test_429_retry_after_only_inside_the_envelope(fake_server: FakeServer, client: Any) -> None:
    reply = Reply(429, json={"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}},
                  envelope=True, envelope_headers={"retry-after": "2", "request-id": "req_env"})
    fake_server.script("GET", MODELS, [reply])
    assert retrieve(client).id == "claude-haiku-4-5"
    assert client.sleeps == [2.0] and len(fake_server.requests) == 2


@pytest.mark.parametrize(("headers", "expected"), [
    ({"retry-after-ms": "1500"}, (1.5, 1.5)),
    ({"retry-after-ms": "250", "retry-after": "9"}, (0.25, 0.25)),
    ({"retry-after": "HTTP-DATE"}, (3.0, 5.01)),
    ({"retry-after": "120"}, backoff_range(0)),  # above 60 s: ignored, the computed backoff is used
    ({"retry-after": "soon"}, backoff_range(0)),
])
def test_server_given_delays(fake_server: FakeServer, client: Any, headers: dict[str, str],
                             expected: tuple[float, float]) -> None:
    if headers.get("retry-after") == "HTTP-DATE":
        headers = {"retry-after": email.utils.formatdate(time.time() + 5, usegmt=True)}
    fake_server.script("GET", MODELS, [enveloped(429, "rate_limit_error", "Slow down", headers=headers)])
    retrieve(client)
    assert len(client.sleeps) == 1 and expected[0] <= client.sleeps[0] <= expected[1], client.sleeps
    assert len(fake_server.requests) == 2


def test_529_twice_then_success(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [enveloped(529, "overloaded_error", "Overloaded")] * 2)
    msg = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    assert isinstance(msg, types.Message) and msg.content[0].text == "Hello! You said: Hi"
    assert len(fake_server.requests) == 3
    assert_backoff(client.sleeps, 2)


def test_retries_exhausted(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages",
                       [enveloped(529, "overloaded_error", "Overloaded right now", request_id="req_529")] * 3)
    with pytest.raises(lc.OverloadedError) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    err = caught.value
    assert isinstance(err, lc.APIStatusError) and isinstance(err, lc.APIError)
    assert (err.status_code, err.error_type, err.message, err.request_id) == (
        529, "overloaded_error", "Overloaded right now", "req_529")
    assert isinstance(err.body, dict) and err.body["error"]["error"]["type"] == "overloaded_error"
    assert "Overloaded right now" in str(err)
    assert len(fake_server.requests) == 3
    assert_backoff(client.sleeps, 2)


def test_backoff_is_capped_at_8_seconds(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [enveloped(529, "overloaded_error", "Overloaded")] * 6)
    retrieve(client, max_retries=6)
    assert len(fake_server.requests) == 7
    assert_backoff(client.sleeps, 6)  # 0.5, 1, 2, 4, 8, 8 (16 capped), each less up to 25 % jitter
    assert max(client.sleeps) <= 8.0 and client.sleeps[-1] >= 6.0


def test_500_then_success(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", "/v1/organizations/me", [enveloped(500, "api_error", "Internal")])
    assert client.organizations.me().name == "Fake Org"
    assert len(fake_server.requests) == 2
    assert_backoff(client.sleeps, 1)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_exhausted(fake_server: FakeServer, client: Any, status: int) -> None:
    fake_server.script("GET", "/v1/organizations/me", [enveloped(status, "api_error", "Internal")] * 3)
    with pytest.raises(lc.InternalServerError) as caught:
        client.organizations.me()
    assert (caught.value.status_code, caught.value.error_type, caught.value.message) == (status, "api_error",
                                                                                         "Internal")
    assert len(fake_server.requests) == 3 and len(client.sleeps) == 2


def test_x_should_retry_overrides(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [enveloped(500, "api_error", "Internal", headers={"x-should-retry": "false"})])
    with pytest.raises(lc.InternalServerError):
        retrieve(client)
    assert len(fake_server.requests) == 1 and client.sleeps == []
    fake_server.clear()
    fake_server.script("GET", MODELS, [enveloped(400, "invalid_request_error", "Flaky",
                                                 headers={"x-should-retry": "true"})])
    assert retrieve(client).id == "claude-haiku-4-5"
    assert len(fake_server.requests) == 2


# --------------------------------------------------------------------------------------- error classes


STATUS_CASES = [
    (400, "invalid_request_error", lc.BadRequestError),
    (401, "authentication_error", lc.AuthenticationError),
    (403, "permission_error", lc.PermissionDeniedError),
    (404, "not_found_error", lc.NotFoundError),
    (409, "conflict_error", lc.ConflictError),
    (413, "request_too_large", lc.RequestTooLargeError),
    (422, "invalid_request_error", lc.UnprocessableEntityError),
    (429, "rate_limit_error", lc.RateLimitError),
    (500, "api_error", lc.InternalServerError),
    (504, "timeout_error", lc.InternalServerError),
    (529, "overloaded_error", lc.OverloadedError),
]


@pytest.mark.parametrize("wrapped", [True, False], ids=["envelope", "bare"])
@pytest.mark.parametrize(("status", "err_type", "cls"), STATUS_CASES)
def test_error_class_per_status(fake_server: FakeServer, client: Any, status: int, err_type: str,
                                cls: type[lc.APIStatusError], wrapped: bool) -> None:
    make = enveloped if wrapped else anthropic_error
    fake_server.script("POST", "/v1/messages/count-tokens", [make(status, err_type, f"boom {status}",
                                                                  request_id=f"req_{status}")])
    with pytest.raises(cls) as caught:
        client.messages.count_tokens(model=MODEL, messages=HELLO, max_retries=0)
    err = caught.value
    assert type(err) is cls
    assert (err.status_code, err.error_type, err.message, err.request_id) == (status, err_type, f"boom {status}",
                                                                              f"req_{status}")
    assert err.body is not None
    assert len(fake_server.requests) == 1 and client.sleeps == []


def test_bad_token_is_an_authentication_error(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(api_token="not-a-token")
    with pytest.raises(lc.AuthenticationError) as caught:
        client.organizations.me()
    assert caught.value.status_code == 401
    assert caught.value.message == "A valid API token is required to access this API."
    assert len(fake_server.requests) == 1 and client.sleeps == []  # 401 is not retried


def test_non_json_error_body(fake_server: FakeServer, client: Any) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    fake_server.script("GET", MODELS, [Reply(502, raw=page, content_type="text/html")] * 3)
    with pytest.raises(lc.InternalServerError) as caught:
        retrieve(client)
    err = caught.value
    assert err.status_code == 502 and err.error_type is None and "502 Bad Gateway" in err.message
    assert len(fake_server.requests) == 3 and len(client.sleeps) == 2
    fake_server.clear()
    fake_server.script("GET", MODELS, [Reply(400, raw=b"plain failure", content_type="text/plain")])
    with pytest.raises(lc.BadRequestError) as caught400:
        retrieve(client)
    assert caught400.value.message == "plain failure" and len(fake_server.requests) == 1


def test_api_not_found_error_is_not_retried_nor_fallen_back(fake_server: FakeServer, client: Any) -> None:
    with pytest.raises(lc.NotFoundError) as caught:
        client.messages.batches.retrieve("msgbatch_missing")
    assert (caught.value.error_type, caught.value.message) == ("not_found_error",
                                                               "message_batch: msgbatch_missing not found")
    assert len(fake_server.requests) == 1 and client.sleeps == [] and client.url_format == "new"


# ------------------------------------------------------------------------------------------ max_retries


def test_max_retries_zero_on_the_client(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(max_retries=0)
    assert client.max_retries == 0
    fake_server.script("GET", MODELS, [enveloped(429, "rate_limit_error", "Slow down",
                                                 headers={"retry-after": "1"})])
    with pytest.raises(lc.RateLimitError):
        retrieve(client)
    assert len(fake_server.requests) == 1 and client.sleeps == []


def test_max_retries_zero_per_call_and_with_options(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [enveloped(503, "api_error", "Unavailable")] * 2)
    with pytest.raises(lc.InternalServerError):
        retrieve(client, max_retries=0)
    assert len(fake_server.requests) == 1
    with pytest.raises(lc.InternalServerError):
        retrieve(client.with_options(max_retries=0))
    assert len(fake_server.requests) == 2 and client.sleeps == []


def test_more_retries_per_call(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(max_retries=0)
    fake_server.script("GET", MODELS, [enveloped(529, "overloaded_error", "Overloaded")] * 3)
    assert retrieve(client, max_retries=3).id == "claude-haiku-4-5"
    assert len(fake_server.requests) == 4 and len(client.sleeps) == 3


# ----------------------------------------------------------------------------------- connection faults


def test_dropped_connection_is_retried(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [Reply(drop=True)])
    assert retrieve(client).id == "claude-haiku-4-5"
    assert len(fake_server.requests) == 2
    assert_backoff(client.sleeps, 1)


def test_dropped_connection_exhausted(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(drop=True)] * 3)
    with pytest.raises(lc.APIConnectionError) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    assert not isinstance(caught.value, lc.APITimeoutError)
    assert not isinstance(caught.value, lc.APIStatusError)
    assert len(fake_server.requests) == 3
    assert_backoff(client.sleeps, 2)


def test_connection_refused(make_client: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}/anthropic", max_retries=1)
    with pytest.raises(lc.APIConnectionError):
        client.organizations.me()
    assert len(client.sleeps) == 1


def test_slow_response_past_the_per_call_timeout(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [Reply(delay=1.0)] * 2)
    started = time.monotonic()
    with pytest.raises(lc.APITimeoutError) as caught:
        retrieve(client, timeout=0.2, max_retries=1)
    assert time.monotonic() - started < 0.9
    assert isinstance(caught.value, lc.APIConnectionError)
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1


def test_slow_once_then_fast(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(timeout=0.2)
    fake_server.script("GET", MODELS, [Reply(delay=0.6)])
    assert retrieve(client).id == "claude-haiku-4-5"
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1


def test_upload_retry_resends_the_same_bytes(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/files", [enveloped(503, "api_error", "Unavailable")])
    meta = client.files.upload(file=io.BytesIO(b"read me once"))
    assert meta.size_bytes == 12 and len(fake_server.requests) == 2
    for req in fake_server.requests:
        assert parse_multipart(req.headers["content-type"], req.body)[1]["file"][2] == b"read me once"


# -------------------------------------------------------------------------------------------- streaming


STREAM_ERRORS = [
    ("invalid_request_error", 400, lc.BadRequestError),
    ("authentication_error", 401, lc.AuthenticationError),
    ("permission_error", 403, lc.PermissionDeniedError),
    ("not_found_error", 404, lc.NotFoundError),
    ("request_too_large", 413, lc.RequestTooLargeError),
    ("rate_limit_error", 429, lc.RateLimitError),
    ("api_error", 500, lc.InternalServerError),
    ("overloaded_error", 529, lc.OverloadedError),
]


@pytest.mark.parametrize(("err_type", "status", "cls"), STREAM_ERRORS)
def test_sse_error_event(fake_server: FakeServer, client: Any, err_type: str, status: int,
                         cls: type[lc.APIStatusError]) -> None:
    start = {"type": "message_start", "message": {"id": "msg_e", "type": "message", "role": "assistant",
                                                  "model": MODEL, "content": [], "stop_reason": None,
                                                  "usage": {"input_tokens": 1, "output_tokens": 0}}}
    error = {"type": "error", "error": {"type": err_type, "message": f"stream says {err_type}"}}
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("message_start", start), ("ping", {"type": "ping"}),
                                                                ("error", error)])])
    stream = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    first = next(stream)
    assert isinstance(first, types.MessageStartEvent)
    with pytest.raises(cls) as caught:
        next(stream)
    err = caught.value
    assert type(err) is cls
    assert (err.status_code, err.error_type, err.message) == (status, err_type, f"stream says {err_type}")
    assert stream.response.is_closed
    assert len(fake_server.requests) == 1 and client.sleeps == []


def test_stream_cut_mid_event(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(cut_after=4)])  # message_start, block start, ping, a delta
    stream = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    seen = []
    with pytest.raises(lc.APIConnectionError) as caught:
        for event in stream:
            seen.append(event.type)
    assert not isinstance(caught.value, lc.APIStatusError)
    assert seen == ["message_start", "content_block_start", "content_block_delta"]
    assert stream.response.is_closed
    assert len(fake_server.requests) == 1 and client.sleeps == []


def test_stream_ending_early_is_an_error(fake_server: FakeServer, client: Any) -> None:
    """A stream that stops cleanly between events but before message_stop did not finish."""
    start = {"type": "message_start", "message": {"id": "msg_e", "type": "message", "role": "assistant",
                                                  "model": MODEL, "content": [], "usage": {"input_tokens": 1}}}
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("message_start", start)])])
    stream = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    with pytest.raises(lc.APIConnectionError):
        list(stream)
    assert len(fake_server.requests) == 1


def test_stream_retried_before_it_starts(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [enveloped(529, "overloaded_error", "Overloaded")])
    stream = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    assert "".join(stream.text_stream) == "Hello! You said: Hi"
    assert len(fake_server.requests) == 2 and len(client.sleeps) == 1
    assert [r.json().get("stream") for r in fake_server.requests] == [True, True]


def test_stream_error_status_before_start_is_raised_by_create(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [enveloped(400, "invalid_request_error", "max_tokens: too big")])
    with pytest.raises(lc.BadRequestError) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
    assert caught.value.message == "max_tokens: too big" and len(fake_server.requests) == 1


# ------------------------------------------------------------------------------------------------ async


def test_async_retries_and_errors(fake_server: FakeServer, make_async_client: Any) -> None:
    fake_server.script("GET", MODELS, [enveloped(529, "overloaded_error", "Overloaded")] * 2)
    fake_server.script("GET", "/v1/organizations/me", [enveloped(429, "rate_limit_error", "Slow", request_id="r9",
                                                                 headers={"retry-after": "4"})] * 3)

    async def main() -> Any:
        async with make_async_client() as aclient:
            model = await aclient.models.retrieve("claude-haiku-4-5")
            with pytest.raises(lc.RateLimitError) as caught:
                await aclient.organizations.me()
            return model, caught.value, aclient.sleeps

    model, err, sleeps = run(main())
    assert model.id == "claude-haiku-4-5"
    assert (err.status_code, err.error_type, err.request_id) == (429, "rate_limit_error", "r9")
    assert len(fake_server.requests) == 6
    assert_backoff(sleeps[:2], 2)
    assert sleeps[2:] == [4.0, 4.0]


def test_async_timeout_and_drop(fake_server: FakeServer, make_async_client: Any) -> None:
    fake_server.script("GET", MODELS, [Reply(delay=1.0)])
    fake_server.script("GET", "/v1/organizations/me", [Reply(drop=True)] * 2)

    async def main() -> None:
        async with make_async_client(max_retries=1) as aclient:
            with pytest.raises(lc.APITimeoutError):
                await aclient.models.retrieve("claude-haiku-4-5", timeout=0.2, max_retries=0)
            with pytest.raises(lc.APIConnectionError):
                await aclient.organizations.me()

    run(main())
    assert len(fake_server.requests) == 3


# ------------------------------------------------------------------------------- envelope error shapes


def test_envelope_error_as_a_json_string_and_list_headers(fake_server: FakeServer, client: Any) -> None:
    upstream = {"type": "error", "error": {"type": "rate_limit_error", "message": "Too many"}, "request_id": "req_s"}
    body = {"message": "Too many", "provider": "anthropic", "error": json.dumps(upstream),
            "headers": {"Retry-After": ["2"], "request-id": ["req_s"]}}
    fake_server.script("GET", MODELS, [Reply(429, json=body)] * 3)
    with pytest.raises(lc.RateLimitError) as caught:
        retrieve(client)
    err = caught.value
    assert (err.status_code, err.error_type, err.message, err.request_id) == (429, "rate_limit_error", "Too many",
                                                                              "req_s")
    assert client.sleeps == [2.0, 2.0] and len(fake_server.requests) == 3


@pytest.mark.parametrize(("inside", "expected_requests", "expected_sleeps"), [
    ({"retry-after-ms": "750"}, 2, [0.75]),
    ({"x-should-retry": "false"}, 1, []),
])
def test_envelope_only_retry_headers(fake_server: FakeServer, client: Any, inside: dict[str, str],
                                     expected_requests: int, expected_sleeps: list[float]) -> None:
    reply = Reply(503, json={"type": "error", "error": {"type": "api_error", "message": "Unavailable"}},
                  envelope=True, envelope_headers=inside)
    fake_server.script("GET", MODELS, [reply])
    try:
        retrieve(client)
    except lc.InternalServerError:
        assert expected_requests == 1
    assert len(fake_server.requests) == expected_requests and client.sleeps == expected_sleeps


def test_empty_error_bodies_use_the_reason(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", MODELS, [Reply(502, raw=b"")])
    with pytest.raises(lc.InternalServerError) as caught:
        retrieve(client, max_retries=0)
    assert (caught.value.status_code, caught.value.message, caught.value.error_type) == (502, "Bad Gateway", None)
    fake_server.script("GET", MODELS, [Reply(529, raw=b"")])
    with pytest.raises(lc.OverloadedError) as overloaded:
        retrieve(client, max_retries=0)
    assert overloaded.value.status_code == 529
    assert len(fake_server.requests) == 2


def test_stream_read_timeout_between_events(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(chunk_delay=0.5)])
    stream = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True, timeout=0.2)
    with pytest.raises(lc.APITimeoutError):
        list(stream)
    assert stream.response.is_closed
    assert len(fake_server.requests) == 1  # a stream that has started is never retried
