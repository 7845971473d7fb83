"""Options a caller gets wrong are refused up front, with a clear ValueError/TypeError and nothing sent:
header names that HTTP cannot carry, retry counts and timeouts that are not counts or seconds. And a
base_url's ``user:password@`` stays out of httpx's own log lines."""

from __future__ import annotations

import logging
import math
from typing import Any

import httpx
import pytest
from fakeserver import FakeServer
from lcclient import TOKEN, lc

BAD_NAMES = ["x-a\r\nx-injected", "x-a\nb", "x a", "x:a", "", "x-\u00e9", "x-a\x00"]


def retrieve(client: Any, **kw: Any) -> Any:
    return client.models.retrieve("claude-haiku-4-5", **kw)


# ------------------------------------------------------------------------------------- header names


@pytest.mark.parametrize("name", BAD_NAMES)
def test_extra_header_name_that_http_cannot_carry_is_refused_before_sending(
        fake_server: FakeServer, client: Any, name: str) -> None:
    """Such names reached httpx: CR/LF, spaces and colons failed in h11 as an APIConnectionError after the
    connection was made; a non-ASCII name failed as an encoding error."""
    with pytest.raises(ValueError, match="is not a header name"):
        retrieve(client, extra_headers={name: "v"})
    assert fake_server.requests == []


@pytest.mark.parametrize("name", BAD_NAMES)
def test_default_header_name_that_http_cannot_carry_is_refused_at_construction(
        fake_server: FakeServer, name: str) -> None:
    with pytest.raises(ValueError, match="is not a header name"):
        lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url, default_headers={name: "v"})


def test_header_name_that_is_not_a_string_is_a_type_error(fake_server: FakeServer, client: Any) -> None:
    with pytest.raises(TypeError, match="extra_headers names must be strings, not int"):
        retrieve(client, extra_headers={5: "v"})
    assert fake_server.requests == []


def test_ordinary_header_names_still_go(fake_server: FakeServer, client: Any) -> None:
    retrieve(client, extra_headers={"X-Trace_Id.1": "abc", "x-custom!#$%&'*+^`|~": "v"})
    assert fake_server.requests[0].headers["x-trace_id.1"] == "abc"


# ------------------------------------------------------------------------------ retries and timeouts


@pytest.mark.parametrize("value", [math.nan, math.inf, 2.5, True, "3"])
def test_max_retries_that_is_not_a_count_is_refused(fake_server: FakeServer, client: Any, value: Any) -> None:
    """``max_retries=nan`` (or inf) was accepted and retried a failing call forever."""
    with pytest.raises(TypeError, match="max_retries must be an int"):
        lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url, max_retries=value)
    with pytest.raises(TypeError, match="max_retries must be an int"):
        retrieve(client, max_retries=value)
    assert fake_server.requests == []


def test_negative_max_retries_per_call_is_refused(fake_server: FakeServer, client: Any) -> None:
    with pytest.raises(ValueError, match="max_retries must be 0 or more"):
        retrieve(client, max_retries=-1)
    assert fake_server.requests == []


@pytest.mark.parametrize(("value", "error"), [
    (-1, ValueError), (math.nan, ValueError), (math.inf, ValueError), ("5", TypeError), (True, TypeError),
    (httpx.Timeout(5.0, read=-1.0), ValueError),
])
def test_timeout_that_is_not_seconds_is_refused(fake_server: FakeServer, client: Any, value: Any,
                                                error: type[Exception]) -> None:
    """These failed mid-call, in the socket layer ('Invalid value NaN', 'timestamp out of range for
    platform time_t', "'str' object cannot be interpreted as an integer"), or were taken as no timeout."""
    with pytest.raises(error, match="timeout"):
        lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url, timeout=value)
    with pytest.raises(error, match="timeout"):
        retrieve(client, timeout=value)
    assert fake_server.requests == []


@pytest.mark.parametrize("value", [None, 0.5, 3, httpx.Timeout(5.0, connect=1.0)])
def test_good_timeouts_still_work(fake_server: FakeServer, make_client: Any, value: Any) -> None:
    assert retrieve(make_client(timeout=value), timeout=value).id == "claude-haiku-4-5"


# ------------------------------------------------------------------------- base_url's userinfo


@pytest.mark.parametrize("password", ["Pr0xy-PASSW0RD", "Pr0xy'PASSW0RD", "Pr0xy!$&()*+,;=PASSW0RD"])
def test_base_url_userinfo_stays_out_of_httpx_log_lines(fake_server: FakeServer, make_client: Any,
                                                        caplog: pytest.LogCaptureFixture, password: str) -> None:
    """httpx logs 'HTTP Request: GET http://user:password@host/...': only api_token was masked there.
    A password may hold any of RFC 3986's sub-delimiters, which httpx leaves as they are."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "anthropic_lowcodeapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    base = fake_server.lowcodeapi_url.replace("http://", f"http://proxyuser:{password}@", 1)
    client = make_client(base_url=base)
    assert retrieve(client).id == "claude-haiku-4-5"
    assert any(r.name == "httpx" for r in caplog.records), "httpx's request line was captured"
    for record in caplog.records:
        text = record.getMessage()
        assert "PASSW0RD" not in text and "proxyuser" not in text, text
    assert "PASSW0RD" not in repr(client)
