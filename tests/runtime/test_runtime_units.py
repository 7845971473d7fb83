"""Pure pieces of the runtime: error building, envelopes, pages, query and file encoding, retry rules."""

from __future__ import annotations

import copy
import email.utils
import importlib
import io
import pickle
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def errors(rt: ModuleType) -> ModuleType:
    return rt._errors  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def http(rt: ModuleType) -> ModuleType:
    return rt._http  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def retry(rt: ModuleType) -> ModuleType:
    return rt._retry  # type: ignore[no-any-return]


ANTHROPIC_404 = {"type": "error", "error": {"type": "not_found_error", "message": "model x not found"},
                 "request_id": "req_1"}


@pytest.mark.parametrize(("status", "name"), [
    (400, "BadRequestError"), (401, "AuthenticationError"), (403, "PermissionDeniedError"),
    (404, "NotFoundError"), (409, "ConflictError"), (413, "RequestTooLargeError"),
    (422, "UnprocessableEntityError"), (429, "RateLimitError"), (529, "OverloadedError"),
    (500, "InternalServerError"), (502, "InternalServerError"), (503, "InternalServerError"),
    (418, "APIStatusError"),
])
def test_error_class_for_each_status(errors: ModuleType, status: int, name: str) -> None:
    err = errors.make_status_error(status, {"message": "x"})
    assert type(err).__name__ == name
    assert err.status_code == status
    assert isinstance(err, errors.APIStatusError) and isinstance(err, errors.APIError)


def test_error_from_bare_anthropic_body(errors: ModuleType) -> None:
    err = errors.make_status_error(404, ANTHROPIC_404)
    assert (err.error_type, err.message, err.request_id) == ("not_found_error", "model x not found", "req_1")
    assert str(err) == "404 not_found_error: model x not found (request_id req_1)"
    assert err.body == ANTHROPIC_404


def test_error_from_lowcodeapi_envelope(errors: ModuleType) -> None:
    inner = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    body = {"message": "Request failed", "provider": "anthropic", "error": inner,
            "headers": {"Request-Id": "req_env", "retry-after": "3"}}
    err = errors.make_status_error(429, body)
    assert isinstance(err, errors.RateLimitError)
    assert (err.error_type, err.message, err.request_id) == ("rate_limit_error", "slow down", "req_env")


def test_error_from_envelope_with_stringified_upstream(errors: ModuleType) -> None:
    import json

    body = {"message": "boom", "provider": "anthropic", "error": json.dumps(ANTHROPIC_404)}
    err = errors.make_status_error(404, body)
    assert (err.error_type, err.message) == ("not_found_error", "model x not found")


def test_error_from_plain_message_and_from_text(errors: ModuleType) -> None:
    err = errors.make_status_error(401, {"message": "A valid API token is required to access this API."})
    assert err.error_type is None and err.message.startswith("A valid API token")
    assert str(err) == "401: A valid API token is required to access this API."
    text = errors.make_status_error(502, "<html>Bad gateway</html>\n", {"x-request-id": "req_t"})
    assert isinstance(text, errors.InternalServerError)
    assert (text.message, text.request_id) == ("<html>Bad gateway</html>", "req_t")
    empty = errors.make_status_error(503, None, reason="Service Unavailable")
    assert empty.message == "Service Unavailable"


@pytest.mark.parametrize(("err_type", "status", "name"), [
    ("invalid_request_error", 400, "BadRequestError"), ("authentication_error", 401, "AuthenticationError"),
    ("permission_error", 403, "PermissionDeniedError"), ("not_found_error", 404, "NotFoundError"),
    ("request_too_large", 413, "RequestTooLargeError"), ("rate_limit_error", 429, "RateLimitError"),
    ("api_error", 500, "InternalServerError"), ("overloaded_error", 529, "OverloadedError"),
])
def test_error_from_stream_event(errors: ModuleType, err_type: str, status: int, name: str) -> None:
    err = errors.error_from_event({"type": "error", "error": {"type": err_type, "message": "m"}})
    assert (type(err).__name__, err.status_code, err.error_type, err.message) == (name, status, err_type, "m")


def test_router_not_found_is_told_apart(errors: ModuleType) -> None:
    assert errors.is_router_not_found(errors.make_status_error(404, {"message": "Not Found"}))
    assert not errors.is_router_not_found(errors.make_status_error(404, ANTHROPIC_404))
    enveloped = {"message": "Not Found", "provider": "anthropic", "error": ANTHROPIC_404}
    assert not errors.is_router_not_found(errors.make_status_error(404, enveloped))
    assert not errors.is_router_not_found(errors.make_status_error(400, {"message": "Not Found"}))


def test_connection_errors(errors: ModuleType) -> None:
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    assert issubclass(errors.APIConnectionError, errors.APIError)
    assert issubclass(errors.MissingCredentialsError, errors.APIError)


def test_not_given(rt: ModuleType) -> None:
    assert not rt.NOT_GIVEN and repr(rt.NOT_GIVEN) == "NOT_GIVEN"
    assert copy.deepcopy(rt.NOT_GIVEN) is rt.NOT_GIVEN and copy.copy(rt.NOT_GIVEN) is rt.NOT_GIVEN
    assert pickle.loads(pickle.dumps(rt.NOT_GIVEN)) is rt.NOT_GIVEN
    options = rt.RequestOptions()
    assert options.timeout is rt.NOT_GIVEN and options.extra_headers is None
    with pytest.raises(AttributeError):
        options.timeout = 1.0  # frozen


@pytest.mark.parametrize(("value", "expected"), [
    ({"data": {"id": "m"}}, {"id": "m"}),
    ({"data": [1, 2]}, [1, 2]),
    ({"result": {"id": "m"}, "provider": "anthropic", "message": "ok", "response_headers": {}}, {"id": "m"}),
    ({"data": [1], "has_more": True, "first_id": "a", "last_id": "b"},
     {"data": [1], "has_more": True, "first_id": "a", "last_id": "b"}),
    ({"custom_id": "x", "result": {"type": "canceled"}}, {"custom_id": "x", "result": {"type": "canceled"}}),
    ([1, 2], [1, 2]),
    ("text", "text"),
])
def test_unwrap_envelope(http: ModuleType, value: Any, expected: Any) -> None:
    assert http.unwrap_envelope(value) == expected


def test_parse_page(rt: ModuleType) -> None:
    parse = rt._pagination.parse_page
    seed = parse([{"id": "a"}, {"id": "b"}])
    assert (seed.has_more, seed.first_id, seed.last_id, len(seed.items)) == (False, "a", "b", 2)
    page = parse({"data": [{"id": "a"}], "has_more": True, "first_id": "a", "last_id": "a"})
    assert page.has_more and page.last_id == "a"
    members = parse({"data": [{"user_id": "u1"}, {"user_id": "u2"}], "has_more": True})
    assert members.last_id == "u2"
    with pytest.raises(rt.APIError):
        parse({"id": "not a list"})
    nxt = rt._pagination.next_page_query
    assert nxt({"limit": 2, "before_id": rt.NOT_GIVEN}, page) == {"limit": 2, "after_id": "a"}
    assert nxt({"before_id": "z"}, page) == {"before_id": "a"}
    assert nxt(None, seed) is None


def test_parse_token_page(rt: ModuleType) -> None:
    parse, nxt = rt._pagination.parse_page, rt._pagination.next_page_query
    page = parse({"data": [{"id": "a"}], "next_page": "tok_2"})
    assert (page.has_more, page.next_page, page.last_id) == (True, "tok_2", "a")
    assert nxt({"limit": 5, "page": "tok_1"}, page) == {"limit": 5, "page": "tok_2"}
    for end in ({"data": [{"id": "z"}], "next_page": None}, {"data": [], "next_page": ""}):
        last = parse(end)
        assert (last.has_more, last.next_page) == (False, None) and nxt({"page": "tok_2"}, last) is None


def test_encode_query(http: ModuleType, rt: ModuleType) -> None:
    pairs = http.encode_query({"a": True, "b": False, "c": [1, "x"], "d": rt.NOT_GIVEN, "e": None, "f": 2.5})
    assert pairs == [("a", "true"), ("b", "false"), ("c", "1"), ("c", "x"), ("f", "2.5")]


def test_normalize_file(http: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF")
    assert http.normalize_file(b"raw") == ("upload", b"raw", "application/octet-stream")
    assert http.normalize_file(path) == ("report.pdf", b"%PDF", "application/pdf")
    with path.open("rb") as handle:
        assert http.normalize_file(handle) == ("report.pdf", b"%PDF", "application/pdf")
    assert http.normalize_file(("a.txt", b"hi")) == ("a.txt", b"hi", "text/plain")
    assert http.normalize_file(("a.bin", io.BytesIO(b"hi"), "x/y")) == ("a.bin", b"hi", "x/y")
    assert http.normalize_file((None, path)) == ("report.pdf", b"%PDF", "application/pdf")


@pytest.mark.parametrize(("status", "headers", "body_headers", "expected"), [
    (429, {}, None, True), (529, {}, None, True), (500, {}, None, True), (503, {}, None, True),
    (408, {}, None, True), (409, {}, None, True), (400, {}, None, False), (404, {}, None, False),
    (401, {}, None, False), (529, {"x-should-retry": "false"}, None, False),
    (400, {"x-should-retry": "true"}, None, True), (529, {}, {"x-should-retry": "false"}, False),
])
def test_should_retry(retry: ModuleType, status: int, headers: dict[str, str],
                      body_headers: dict[str, str] | None, expected: bool) -> None:
    assert retry.should_retry(status, headers, body_headers) is expected


def test_server_delays(retry: ModuleType) -> None:
    assert retry.server_delay({"retry-after-ms": "1500"}) == 1.5
    assert retry.server_delay({"Retry-After": "7"}) == 7.0
    assert retry.server_delay({"retry-after": "120"}) is None  # beyond 60 s: not honoured
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry.server_delay({"retry-after": future}) <= 30.5
    assert retry.server_delay({"retry-after": "soon"}) is None
    assert retry.server_delay({"retry-after": ["4"]}) == 4.0


def test_computed_backoff(retry: ModuleType) -> None:
    full = [retry.retry_delay(n, None, None, 0.0) for n in range(7)]
    assert full == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert [retry.retry_delay(n, None, None, 1.0) for n in range(3)] == [0.375, 0.75, 1.5]
    # A server-given delay is waited in full, with no jitter.
    assert retry.retry_delay(0, {"retry-after": "2"}, None, 1.0) == 2.0
    assert retry.retry_delay(3, None, {"retry-after-ms": "250"}, 1.0) == 0.25


def test_redact(rt: ModuleType) -> None:
    redact = rt._redact.redact
    url = "https://api.lowcodeapi.com/anthropic/v1/models?limit=2&api_token=at_abc123&x=1"
    assert redact(url) == "https://api.lowcodeapi.com/anthropic/v1/models?limit=2&api_token=***&x=1"
    assert "sk-ant-zzz" not in redact("headers [(b'x-api-key', b'sk-ant-zzz')]")
    assert "sk-ant-zzz" not in redact("{'x-api-key': 'sk-ant-zzz'}")
    rt._redact.register_secret("registered-secret-value")
    assert redact("it is registered-secret-value here") == "it is *** here"


def _models(rt: ModuleType) -> ModuleType:
    return importlib.import_module(f"{rt.__name__}._models")


def test_union_by_shape(rt: ModuleType) -> None:
    """Undiscriminated unions and shared tags: required keys and allowed values pick the variant."""
    m = _models(rt)

    class Ask(m.BaseModel):  # type: ignore[name-defined,misc]
        _fields_ = {"type": ("type", None), "role": ("role", None), "content": ("content", None)}
        _required_ = ("type", "role")
        _values_ = {"type": ("message",), "role": ("user", "system")}

    class Answer(m.BaseModel):  # type: ignore[name-defined,misc]
        _fields_ = {"type": ("type", None), "role": ("role", None), "status": ("status", None)}
        _required_ = ("type", "role")
        _values_ = {"type": ("message",), "role": ("assistant",)}

    class Circle(m.BaseModel):  # type: ignore[name-defined,misc]
        _fields_ = {"radius": ("radius", None)}

    class Square(m.BaseModel):  # type: ignore[name-defined,misc]
        _fields_ = {"side": ("side", None)}

    shared = m.union_of("type", {"message": (Ask.parse, Answer.parse)}, (Ask.parse, Answer.parse))
    assert type(shared({"type": "message", "role": "user"})) is Ask
    assert type(shared({"type": "message", "role": "assistant"})) is Answer
    assert type(shared({"type": "other"})) is m.UnknownModel  # an unknown tag is still kept whole
    loose = m.union_of(None, {}, (Circle.parse, Square.parse))
    assert type(loose({"side": 2})) is Square  # knows more of the keys
    assert type(loose({"radius": 1})) is Circle
    assert type(loose({"colour": "red"})) is Circle  # nothing tells: the first, as before
    inner = m.Lazy(lambda: m.union_of("type", {"message": Answer.parse}, (Answer.parse,)))
    nested = m.union_of(None, {}, (Circle.parse, inner))
    assert type(nested({"type": "message", "role": "assistant", "status": "done"})) is Answer
    assert type(nested({"radius": 3})) is Circle
    assert nested([1]) == [1] and nested("text") == "text"  # other shapes pass through


def test_display_url_masks_userinfo_and_token(rt: ModuleType) -> None:
    show = rt._redact.display_url
    assert show("https://me:pw@proxy.example/anthropic/v1/models?api_token=at_x") == (
        "https://***@proxy.example/anthropic/v1/models?api_token=***")
    assert show("http://127.0.0.1:8000/a@b") == "http://127.0.0.1:8000/a@b"  # an @ in the path is no userinfo


def test_lazy_module_imports_on_first_lookup_then_holds_the_namespace(rt: ModuleType) -> None:
    sys.modules.pop("colorsys", None)  # a module nothing else here imports
    lazy = rt._lazy.LazyModule("colorsys")
    assert "colorsys" not in sys.modules
    assert lazy.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    real = sys.modules["colorsys"]
    assert lazy.hls_to_rgb is real.hls_to_rgb
    assert vars(lazy)["rgb_to_hsv"] is real.rgb_to_hsv  # later lookups are plain attribute hits
    assert "rgb_to_yiq" in dir(lazy)
    with pytest.raises(AttributeError, match="'colorsys' has no attribute 'no_such_name'"):
        lazy.no_such_name  # noqa: B018
    import httpx

    assert rt._lazy.httpx.Client is httpx.Client
    assert rt._base.retryable() == (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
