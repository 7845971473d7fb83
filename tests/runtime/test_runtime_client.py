"""The sync client over real sockets: targets, URL formats and fallback, envelopes, pages, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from fakeserver import FakeServer, Reply, anthropic_error
from rtpkg import KEY, TOKEN


def ident(value: Any) -> Any:
    return value


def retrieve_model(client: Any, routes: dict[str, Any], model_id: str = "claude-opus-4-1", **kw: Any) -> Any:
    return client._request_json(routes["models.retrieve"], ident, path_params={"model_id": model_id}, **kw)


# ----------------------------------------------------------------------------------------------- targets

@pytest.mark.parametrize("envelope", ["data", "result"])
def test_lowcodeapi_new_format_and_envelopes(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                             envelope: str) -> None:
    fake_server.envelope = envelope
    model = retrieve_model(client, routes)
    assert model["id"] == "claude-opus-4-1" and model["type"] == "model"
    (req,) = fake_server.requests
    assert req.path == "/anthropic/v1/models/claude-opus-4-1" and req.format == "new"
    assert req.query == {"api_token": TOKEN}
    assert "x-api-key" not in req.headers
    assert client.url_format == "new" and client.target == "lowcodeapi"


def test_direct_target(fake_server: FakeServer, make_client: Callable[..., Any], routes: dict[str, Any]) -> None:
    client = make_client("direct")
    model = retrieve_model(client, routes)
    assert model["id"] == "claude-opus-4-1"
    (req,) = fake_server.requests
    assert req.path == "/v1/models/claude-opus-4-1" and req.format == "direct"
    assert req.headers["x-api-key"] == KEY and req.headers["anthropic-version"] == "2023-06-01"
    assert "api_token" not in req.query
    assert client.url_format == "direct"
    # Anthropic's own paths: count_tokens with an underscore, /complete, /messages/batches.
    count = client._request_json(routes["messages.count_tokens"], ident,
                                 body={"model": "m", "messages": [{"role": "user", "content": "a b"}]})
    assert count == {"input_tokens": 7}
    assert fake_server.requests[-1].path == "/v1/messages/count_tokens"


def test_path_values_are_quoted(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                rt: ModuleType) -> None:
    with pytest.raises(rt.NotFoundError):  # no such model; what matters is the path on the wire
        retrieve_model(client, routes, "a/b c")
    assert fake_server.requests[0].path == "/anthropic/v1/models/a%2Fb%20c"


def test_missing_credentials(rt: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOWCODEAPI_API_TOKEN", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(rt.MissingCredentialsError, match="LOWCODEAPI_API_TOKEN") as caught:
        rt.SyncAPIClient()
    assert isinstance(caught.value, rt.APIError)
    with pytest.raises(rt.MissingCredentialsError, match="ANTHROPIC_API_KEY"):
        rt.SyncAPIClient(target="direct", api_token="at_only-a-token")
    with pytest.raises(ValueError, match="url_format"):
        rt.SyncAPIClient(api_token="at_x", url_format="newest")


def test_credentials_and_base_url_from_env(rt: ModuleType, fake_server: FakeServer, routes: dict[str, Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", "at_from-env-123")
    monkeypatch.setenv("LOWCODEAPI_BASE_URL", fake_server.lowcodeapi_url + "/")
    with rt.SyncAPIClient() as client:
        assert client.base_url == fake_server.lowcodeapi_url
        retrieve_model(client, routes)
    assert client._http.is_closed  # it made its own pool, so it closes it
    assert fake_server.requests[0].query["api_token"] == "at_from-env-123"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_server.direct_url)
    with rt.SyncAPIClient(target="direct") as direct:
        retrieve_model(direct, routes)
    assert fake_server.requests[1].headers["x-api-key"] == "sk-ant-from-env"
    monkeypatch.delenv("ANTHROPIC_BASE_URL")
    with rt.SyncAPIClient(target="direct") as default:
        assert default.base_url == "https://api.anthropic.com"
    monkeypatch.delenv("LOWCODEAPI_BASE_URL")
    with rt.SyncAPIClient() as default:
        assert default.base_url == "https://api.lowcodeapi.com/anthropic"
        assert default.max_retries == 2 and default.timeout == 600.0


def test_bad_token(fake_server: FakeServer, make_client: Callable[..., Any], routes: dict[str, Any],
                   rt: ModuleType) -> None:
    client = make_client(api_token="not-a-token")
    with pytest.raises(rt.AuthenticationError) as caught:
        retrieve_model(client, routes)
    assert caught.value.status_code == 401
    assert caught.value.message == "A valid API token is required to access this API."
    assert len(fake_server.requests) == 1  # 401 is not retried


# ------------------------------------------------------------------------------------------- URL formats

def test_auto_falls_back_to_old_format_and_remembers(fake_server: FakeServer, client: Any,
                                                     routes: dict[str, Any], caplog: pytest.LogCaptureFixture,
                                                     log_name: str) -> None:
    caplog.set_level(logging.INFO, logger=log_name)
    fake_server.new_format = False
    assert retrieve_model(client, routes)["id"] == "claude-opus-4-1"
    first, second = fake_server.requests
    assert (first.path, first.format, first.route) == ("/anthropic/v1/models/claude-opus-4-1", None, None)
    assert second.path == "/anthropic/v1/models/modelid" and second.format == "old"
    assert second.query == {"modelid": "claude-opus-4-1", "api_token": TOKEN}
    assert client.url_format == "old"
    # Remembered: the next calls go straight to the old format.
    ws = client._request_json(routes["organizations.workspaces.members.retrieve"], ident,
                              path_params={"workspace_id": "wrkspc_01", "user_id": "user_01"})
    assert ws["user_id"] == "user_01"
    retrieve_model(client, routes, "claude-haiku-4-5")
    assert len(fake_server.requests) == 4
    members = fake_server.requests[2]
    assert members.path == "/anthropic/v1/organizations/workspaces/workspaceid/members/userid"
    assert members.query == {"workspaceid": "wrkspc_01", "user_id": "user_01", "api_token": TOKEN}
    switches = [r for r in caplog.records if r.name == log_name and "URL format" in r.getMessage()]
    assert len(switches) == 1 and switches[0].levelno == logging.INFO
    # A with_options copy shares what was learnt.
    copy = client.with_options(max_retries=0)
    assert copy.url_format == "old"
    retrieve_model(copy, routes)
    assert len(fake_server.requests) == 5


def test_api_not_found_does_not_fall_back(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                          rt: ModuleType) -> None:
    with pytest.raises(rt.NotFoundError) as caught:
        retrieve_model(client, routes, "claude-nonexistent")
    err = caught.value
    assert (err.status_code, err.error_type) == (404, "not_found_error")
    assert err.message == "model: claude-nonexistent not found" and err.request_id == "req_fake_err"
    assert len(fake_server.requests) == 1 and client.url_format == "new"


def test_route_without_path_params_is_tried_once(fake_server: FakeServer, client: Any,
                                                 routes: dict[str, Any], rt: ModuleType) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(404, json={"message": "Not Found"})])
    with pytest.raises(rt.NotFoundError):
        client._request_json(routes["messages.create"], ident, body={"model": "m"})
    assert len(fake_server.requests) == 1  # the old form of /v1/messages is the same URL


def test_forced_formats(fake_server: FakeServer, make_client: Callable[..., Any], routes: dict[str, Any],
                        rt: ModuleType) -> None:
    old = make_client(url_format="old")
    assert old.url_format == "old"
    old._request_json(routes["messages.count_tokens"], ident, body={"model": "m", "messages": []})
    old._request_json(routes["messages.batches.retrieve"], ident, path_params={"batch_id": "msgbatch_01"})
    paths = [(r.path, r.format) for r in fake_server.requests]
    assert paths == [("/anthropic/v1/messages/count_tokens", "old"),
                     ("/anthropic/v1/message_batches/batchid", "old")]
    assert fake_server.requests[1].query["batchid"] == "msgbatch_01"
    new = make_client(url_format="new")
    new._request_json(routes["messages.count_tokens"], ident, body={"model": "m", "messages": []})
    assert fake_server.requests[-1].path == "/anthropic/v1/messages/count-tokens"
    fake_server.new_format = False
    with pytest.raises(rt.NotFoundError) as caught:
        retrieve_model(new, routes)  # forced: no fallback
    assert caught.value.body == {"message": "Not Found"}
    assert len(fake_server.requests) == 4


def test_remembered_old_falls_forward_to_new(fake_server: FakeServer, client: Any,
                                             routes: dict[str, Any]) -> None:
    count = routes["messages.count_tokens"]  # count-tokens (new) vs count_tokens (old): a true path quirk
    body = {"model": "m", "messages": []}
    fake_server.new_format = False
    client._request_json(count, ident, body=body)
    assert client.url_format == "old"
    # An old path is a literal that the new templates also match, so only a quirk route shows the
    # proxy dropping the old format as a router 404.
    fake_server.new_format, fake_server.old_format = True, False
    client._request_json(count, ident, body=body)
    assert client.url_format == "new"
    assert [(r.path.rsplit("/", 1)[1], r.format) for r in fake_server.requests] == [
        ("count-tokens", None), ("count_tokens", "old"), ("count_tokens", None), ("count-tokens", "new")]


# ----------------------------------------------------------------------------------------------- pages

@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
@pytest.mark.parametrize("envelope", ["data", "result"])
def test_pagination_walks_every_page(fake_server: FakeServer, make_client: Callable[..., Any],
                                     routes: dict[str, Any], target: str, envelope: str) -> None:
    fake_server.envelope = envelope
    client = make_client(target)
    page = client._request_page(routes["models.list"], ident)
    assert [m["id"] for m in page.data] == ["claude-sonnet-4-5", "claude-haiku-4-5"]
    assert page.has_more and page.first_id == "claude-sonnet-4-5" and page.last_id == "claude-haiku-4-5"
    assert len(fake_server.requests) == 1
    assert [m["id"] for m in page] == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert len(fake_server.requests) == 2
    assert fake_server.requests[1].query["after_id"] == "claude-haiku-4-5"
    last = page.next_page()
    assert last is not None and not last.has_more and last.next_page() is None
    assert len(list(page.iter_pages())) == 2


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_token_pages_walk_every_page(fake_server: FakeServer, make_client: Callable[..., Any],
                                     routes: dict[str, Any], target: str) -> None:
    """The managed-agents lists page with `page` / `next_page`; a repeated token ends the walk."""
    pages = [Reply(200, json={"data": [{"id": "a"}, {"id": "b"}], "next_page": "p2"}),
             Reply(200, json={"data": [{"id": "c"}], "next_page": "p3"}),
             Reply(200, json={"data": [{"id": "d"}], "next_page": "p3"}),
             Reply(200, json={"data": [{"id": "never"}], "next_page": None})]
    fake_server.script("GET", "/v1/models", pages)
    page = make_client(target)._request_page(routes["models.list"], ident, query={"limit": 2})
    assert page.has_more and page.has_next_page()
    assert [m["id"] for m in page] == ["a", "b", "c", "d"]
    assert [r.query.get("page") for r in fake_server.requests] == [None, "p2", "p3"]
    assert all(r.query.get("limit") == "2" and "after_id" not in r.query for r in fake_server.requests)


def test_seed_list_shape_is_one_page(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    fake_server.list_style = "seed"  # {"data": [...]}: the seed's envelope around a bare list
    page = client._request_page(routes["models.list"], ident)
    assert len(page.data) == 3 and not page.has_more and page.next_page() is None
    assert len(list(page)) == 3 and len(fake_server.requests) == 1


def test_unenveloped_page_through_proxy(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    body = {"data": [{"id": "a"}, {"id": "b"}], "has_more": True, "first_id": "a", "last_id": "b"}
    fake_server.script("GET", "/v1/models", [Reply(200, json=body), Reply(200, json={"data": [{"id": "c"}]})])
    page = client._request_page(routes["models.list"], ident, query={"limit": 2})
    assert [m["id"] for m in page] == ["a", "b", "c"]
    assert fake_server.requests[1].query == {"limit": "2", "after_id": "b", "api_token": TOKEN}


def test_members_pages_by_user_id(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    for user in ("user_02", "user_03"):
        client._request_json(routes["organizations.workspaces.members.create"], ident,
                             path_params={"workspace_id": "wrkspc_01"}, body={"user_id": user, "role": "member"})
    page = client._request_page(routes["organizations.workspaces.members.list"], ident,
                                path_params={"workspace_id": "wrkspc_01"})
    assert [m["user_id"] for m in page] == ["user_01", "user_02", "user_03"]


# -------------------------------------------------------------------------------------- request shaping

def test_query_body_and_options_on_the_wire(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                            rt: ModuleType) -> None:
    options = rt.RequestOptions(extra_headers={"anthropic-beta": "files-api"}, extra_query={"trace": True},
                                extra_body={"metadata": {"user_id": "u"}})
    client._request_json(routes["messages.create"], ident, query={"tags": ["a", "b"], "dry": False,
                                                                  "skip": rt.NOT_GIVEN},
                         body={"model": "m", "max_tokens": 5, "messages": [], "system": rt.NOT_GIVEN},
                         options=options)
    req = fake_server.requests[0]
    assert req.query_items == [("tags", "a"), ("tags", "b"), ("dry", "false"), ("trace", "true"),
                               ("api_token", TOKEN)]
    assert req.json() == {"model": "m", "max_tokens": 5, "messages": [], "metadata": {"user_id": "u"}}
    assert req.headers["anthropic-beta"] == "files-api" and req.headers["accept"] == "application/json"
    assert req.headers["user-agent"].startswith("anthropic-lowcodeapi/")


def test_writes_send_a_json_body_reads_do_not(fake_server: FakeServer, client: Any,
                                              routes: dict[str, Any]) -> None:
    client._request_json(routes["messages.batches.cancel"], ident, path_params={"batch_id": "msgbatch_01"})
    client._request_json(routes["messages.batches.retrieve"], ident, path_params={"batch_id": "msgbatch_01"})
    cancel, get = fake_server.requests
    assert cancel.json() == {} and cancel.headers["content-type"] == "application/json"
    assert get.body == b""


def test_crud_through_old_format(fake_server: FakeServer, make_client: Callable[..., Any],
                                 routes: dict[str, Any], rt: ModuleType) -> None:
    fake_server.new_format = False  # a proxy that only knows the old routes
    client = make_client(url_format="old")
    ws = client._request_json(routes["organizations.workspaces.create"], ident, body={"name": "Dev"})
    wid = {"workspace_id": ws["id"]}
    assert client._request_json(routes["organizations.workspaces.update"], ident, path_params=wid,
                                body={"name": "Dev 2"})["name"] == "Dev 2"
    client._request_json(routes["organizations.workspaces.members.create"], ident, path_params=wid,
                         body={"user_id": "user_09", "role": "member"})
    both = {**wid, "user_id": "user_09"}
    updated = client._request_json(routes["organizations.workspaces.members.update"], ident, path_params=both,
                                   body={"role": "admin"})
    assert updated["workspace_role"] == "admin"
    client._request_json(routes["organizations.workspaces.members.delete"], ident, path_params=both)
    with pytest.raises(rt.NotFoundError):
        client._request_json(routes["organizations.workspaces.members.retrieve"], ident, path_params=both)
    assert client._request_json(routes["organizations.workspaces.delete"], ident,
                                path_params=wid)["type"] == "workspace_deleted"
    assert {r.format for r in fake_server.requests} == {"old"}


def test_with_options_copy_and_repr(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    copy = client.with_options(max_retries=5, timeout=1.5, default_headers={"x-team": "a"})
    assert (copy.max_retries, copy.timeout, client.max_retries) == (5, 1.5, 2)
    assert copy._http is client._http and not copy._owns_http and type(copy) is type(client)
    retrieve_model(copy, routes)
    assert fake_server.requests[0].headers["x-team"] == "a"
    text = repr(client)
    assert text.startswith("SyncAPIClient(target='lowcodeapi'") and "url_format='new'" in text
    assert TOKEN not in text and KEY not in repr(client.with_options(target="direct", api_key=KEY))


def test_non_json_success_is_an_error(fake_server: FakeServer, client: Any, routes: dict[str, Any], rt: Any) -> None:
    """CLIENT.md "Responses": a JSON operation's text answer raises (it used to come back as the text)."""
    fake_server.script("GET", "/v1/organizations/me", [Reply(200, raw=b"plain words", content_type="text/plain")])
    with pytest.raises(rt.APIResponseValidationError) as caught:
        client._request_json(routes["organizations.me"], ident)
    assert caught.value.status_code == 200 and caught.value.body == "plain words"


# ---------------------------------------------------------------------------------------------- errors

@pytest.mark.parametrize(("status", "name", "err_type"), [
    (400, "BadRequestError", "invalid_request_error"), (401, "AuthenticationError", "authentication_error"),
    (403, "PermissionDeniedError", "permission_error"), (404, "NotFoundError", "not_found_error"),
    (409, "ConflictError", "conflict_error"), (413, "RequestTooLargeError", "request_too_large"),
    (422, "UnprocessableEntityError", "invalid_request_error"), (429, "RateLimitError", "rate_limit_error"),
    (500, "InternalServerError", "api_error"), (503, "InternalServerError", "api_error"),
    (529, "OverloadedError", "overloaded_error"),
])
@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_every_error_class(fake_server: FakeServer, make_client: Callable[..., Any], routes: dict[str, Any],
                           rt: ModuleType, status: int, name: str, err_type: str, target: str) -> None:
    client = make_client(target, max_retries=0)
    reply = anthropic_error(status, err_type, f"it failed with {status}", request_id="req_42")
    reply.envelope = True  # the LowCodeAPI error envelope through the proxy; bare when direct
    fake_server.script("GET", "/v1/organizations/me", [reply])
    with pytest.raises(rt.APIStatusError) as caught:
        client._request_json(routes["organizations.me"], ident)
    err = caught.value
    assert type(err).__name__ == name
    assert (err.status_code, err.error_type, err.message, err.request_id) == (
        status, err_type, f"it failed with {status}", "req_42")
    if target == "lowcodeapi":
        assert err.body["provider"] == "anthropic" and "error" in err.body
    assert str(err) == f"{status} {err_type}: it failed with {status} (request_id req_42)"
    assert len(fake_server.requests) == 1


def test_error_from_non_json_body(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                  rt: ModuleType) -> None:
    fake_server.script("GET", "/v1/organizations/me",
                       [Reply(502, raw=b"upstream exploded", content_type="text/plain")])
    with pytest.raises(rt.InternalServerError) as caught:
        client._request_json(routes["organizations.me"], ident, options=rt.RequestOptions(max_retries=0))
    assert (caught.value.status_code, caught.value.message, caught.value.error_type) == (
        502, "upstream exploded", None)
