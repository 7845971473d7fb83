"""The api_token and the x-api-key never show in exception text, reprs or DEBUG logs (httpx's and
httpcore's included), whatever goes wrong."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fakeserver import FakeServer, Reply, anthropic_error
from lcclient import HELLO, MODEL, all_text, lc, run

TOKEN = "at_secrets-ONLY-Tok3n-7f2c9e"  # this module's own credentials, seen nowhere else
KEY = "sk-ant-api03-secrets-ONLY-K3y-51d0ab"
SECRETS = (TOKEN, KEY, "ONLY-Tok3n", "ONLY-K3y")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "anthropic_lowcodeapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in:\n{text}"


def assert_logs_clean(caplog: pytest.LogCaptureFixture, *, responses: bool = True) -> None:
    assert any(r.name.startswith("httpcore") for r in caplog.records), "DEBUG logs of httpcore were captured"
    if responses:  # httpx logs a request line (with the full URL) once a response arrives
        assert any(r.name == "httpx" for r in caplog.records), "httpx's request lines were captured"
    assert_clean(caplog.text)
    for record in caplog.records:
        assert_clean(record.getMessage())


@pytest.fixture
def secret_client(make_client: Any) -> Any:
    return make_client(api_token=TOKEN)


@pytest.fixture
def secret_direct(make_client: Any) -> Any:
    return make_client("direct", api_key=KEY)


def test_reprs(secret_client: Any, secret_direct: Any) -> None:
    for client in (secret_client, secret_direct, lc.Client(api_token=TOKEN), lc.Client(api_key=KEY, target="direct"),
                   lc.AsyncClient(api_token=TOKEN), secret_client.with_options(max_retries=1)):
        assert_clean(repr(client) + str(client))
        assert_clean(repr(vars(client)))
    assert_clean(repr(secret_client.messages) + repr(secret_client.organizations.workspaces.members))


def test_success_logs(fake_server: FakeServer, secret_client: Any, secret_direct: Any,
                      debug_logs: pytest.LogCaptureFixture) -> None:
    secret_client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    list(secret_client.models.list())
    secret_client.files.download("file_01")
    secret_direct.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    list(secret_direct.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True))
    assert fake_server.requests[0].query["api_token"] == TOKEN  # it was sent...
    assert fake_server.requests[-1].headers["x-api-key"] == KEY
    assert_logs_clean(debug_logs)  # ...and never logged
    assert "api_token=***" in debug_logs.text


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_status_errors(fake_server: FakeServer, make_client: Any, target: str,
                       debug_logs: pytest.LogCaptureFixture) -> None:
    client = make_client(target, api_token=TOKEN) if target == "lowcodeapi" else make_client(target, api_key=KEY)
    fake_server.script("GET", "/v1/organizations/me", [anthropic_error(529, "overloaded_error", "Overloaded")] * 3)
    with pytest.raises(lc.OverloadedError) as caught:
        client.organizations.me()
    assert_clean(all_text(caught.value))
    assert len(fake_server.requests) == 3
    assert any("Retrying" in r.getMessage() for r in debug_logs.records)
    assert_logs_clean(debug_logs)


def test_a_proxy_error_that_echoes_the_url(fake_server: FakeServer, secret_client: Any,
                                           debug_logs: pytest.LogCaptureFixture) -> None:
    echoed = f"{fake_server.lowcodeapi_url}/v1/organizations/me?api_token={TOKEN}"
    fake_server.script("GET", "/v1/organizations/me", [Reply(400, json={"message": f"Cannot handle {echoed}"})])
    with pytest.raises(lc.BadRequestError) as caught:
        secret_client.organizations.me()
    assert_clean(all_text(caught.value))
    assert "api_token=***" in caught.value.message


def test_an_error_body_that_echoes_the_token_is_masked(fake_server: FakeServer, secret_client: Any) -> None:
    """The message was masked but ``body`` (what callers log with ``e.body``) kept the token, in the
    envelope, in the Anthropic error inside it and in a stream's error event."""
    echoed = f"/v1/organizations/me?api_token={TOKEN}"
    upstream = {"type": "error", "error": {"type": "invalid_request_error", "message": f"bad {echoed}"},
                "seen": [{"url": echoed}], TOKEN: "as a key"}
    fake_server.script("GET", "/v1/organizations/me", [Reply(400, json={"message": f"Cannot handle {echoed}",
                                                                        "error": upstream})])
    with pytest.raises(lc.BadRequestError) as caught:
        secret_client.organizations.me()
    assert_clean(json.dumps(caught.value.body))
    assert caught.value.body["error"]["seen"] == [{"url": "/v1/organizations/me?api_token=***"}]
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("error", upstream)])])
    with pytest.raises(lc.BadRequestError) as event:
        list(secret_client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True))
    assert_clean(json.dumps(event.value.body) + all_text(event.value))


def test_connection_error(make_client: Any, debug_logs: pytest.LogCaptureFixture) -> None:
    client = make_client(api_token=TOKEN, base_url=f"http://127.0.0.1:{free_port()}/anthropic", max_retries=1)
    with pytest.raises(lc.APIConnectionError) as caught:
        client.organizations.me()
    text = all_text(caught.value)
    assert_clean(text)
    assert "api_token=***" in text
    direct = make_client("direct", api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    with pytest.raises(lc.APIConnectionError) as caught_direct:
        direct.organizations.me()
    assert_clean(all_text(caught_direct.value))
    assert_clean(debug_logs.text)


def test_dropped_connection_error(fake_server: FakeServer, secret_client: Any,
                                  debug_logs: pytest.LogCaptureFixture) -> None:
    fake_server.script("GET", "/v1/models/claude-haiku-4-5", [Reply(drop=True)] * 3)
    with pytest.raises(lc.APIConnectionError) as caught:
        secret_client.models.retrieve("claude-haiku-4-5")
    assert_clean(all_text(caught.value))
    assert_logs_clean(debug_logs, responses=False)


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_timeout_error(fake_server: FakeServer, make_client: Any, target: str,
                       debug_logs: pytest.LogCaptureFixture) -> None:
    client = make_client(target, api_token=TOKEN) if target == "lowcodeapi" else make_client(target, api_key=KEY)
    fake_server.script("GET", "/v1/models/claude-haiku-4-5", [Reply(delay=0.6)])
    with pytest.raises(lc.APITimeoutError) as caught:
        client.models.retrieve("claude-haiku-4-5", timeout=0.15, max_retries=0)
    text = all_text(caught.value)
    assert_clean(text)
    if target == "lowcodeapi":
        assert "api_token=***" in text
    assert_clean(debug_logs.text)


def test_stream_errors(fake_server: FakeServer, secret_client: Any, debug_logs: pytest.LogCaptureFixture) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(cut_after=3)])
    with pytest.raises(lc.APIConnectionError) as cut:
        list(secret_client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True))
    assert_clean(all_text(cut.value))
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("error", {"type": "error", "error": {
        "type": "api_error", "message": "broken"}})])])
    with pytest.raises(lc.InternalServerError) as event:
        list(secret_client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True))
    assert_clean(all_text(event.value))
    assert_logs_clean(debug_logs)


def test_url_format_switch_log(fake_server: FakeServer, secret_client: Any,
                               debug_logs: pytest.LogCaptureFixture) -> None:
    fake_server.new_format = False
    secret_client.files.retrieve("file_01")
    assert secret_client.url_format == "old"
    assert_logs_clean(debug_logs)


def test_async_errors_and_logs(fake_server: FakeServer, make_async_client: Any,
                               debug_logs: pytest.LogCaptureFixture) -> None:
    fake_server.script("GET", "/v1/organizations/me", [Reply(delay=0.6)])
    fake_server.script("GET", "/v1/models/claude-haiku-4-5", [anthropic_error(500, "api_error", "boom")] * 2)

    async def main() -> list[BaseException]:
        errors: list[BaseException] = []
        async with make_async_client(api_token=TOKEN, max_retries=1) as aclient:
            for call in (lambda: aclient.organizations.me(timeout=0.15, max_retries=0),
                         lambda: aclient.models.retrieve("claude-haiku-4-5")):
                try:
                    await call()
                except lc.APIError as exc:
                    errors.append(exc)
            assert_clean(repr(aclient))
        return errors

    errors = run(main())
    assert [type(e) for e in errors] == [lc.APITimeoutError, lc.InternalServerError]
    for err in errors:
        assert_clean(all_text(err))
    assert_logs_clean(debug_logs)
