"""LowCodeAPI's two URL formats through the real resource methods: every seed route in new, old and
direct form; ``url_format="auto"`` falling back on the router's 404 only, remembered per client."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from fakeserver import SEED_TABLE, FakeServer, Reply, anthropic_error
from fakeserver_routes import ROUTES as FAKE_ROUTES
from lcclient import HELLO, LOGGER, MODEL, TOKEN, lc, run, url_formats

VALUES = {"model_id": "claude-haiku-4-5", "batch_id": "msgbatch_01", "file_id": "file_01",
          "api_key_id": "apikey_01", "workspace_id": "wrkspc_01", "user_id": "user_01"}
BATCH: list[Any] = [{"custom_id": "r1", "params": {"model": MODEL, "max_tokens": 8, "messages": HELLO}}]
WS, USER = VALUES["workspace_id"], VALUES["user_id"]

# One real call per row of seed 000's table, on objects the fake server starts with.
CALLS: dict[str, Callable[[Any], Any]] = {
    "messages.create": lambda c: c.messages.create(model=MODEL, max_tokens=8, messages=HELLO),
    "messages.count_tokens": lambda c: c.messages.count_tokens(model=MODEL, messages=HELLO),
    "models.list": lambda c: c.models.list(),
    "models.retrieve": lambda c: c.models.retrieve("claude-haiku-4-5"),
    "completions.create": lambda c: c.completions.create(model="claude-2.1", prompt="p", max_tokens_to_sample=5),
    "messages.batches.create": lambda c: c.messages.batches.create(requests=BATCH),
    "messages.batches.list": lambda c: c.messages.batches.list(),
    "messages.batches.retrieve": lambda c: c.messages.batches.retrieve("msgbatch_01"),
    "messages.batches.results": lambda c: list(c.messages.batches.results("msgbatch_01")),
    "messages.batches.cancel": lambda c: c.messages.batches.cancel("msgbatch_01"),
    "messages.batches.delete": lambda c: c.messages.batches.delete("msgbatch_01"),
    "files.upload": lambda c: c.files.upload(file=("a.txt", b"a", "text/plain")),
    "files.list": lambda c: c.files.list(),
    "files.retrieve": lambda c: c.files.retrieve("file_01"),
    "files.download": lambda c: c.files.download("file_01"),
    "files.delete": lambda c: c.files.delete("file_01"),
    "organizations.me": lambda c: c.organizations.me(),
    "organizations.api_keys.list": lambda c: c.organizations.api_keys.list(),
    "organizations.api_keys.create": lambda c: c.organizations.api_keys.create(name="k", workspace_id=WS),
    "organizations.api_keys.retrieve": lambda c: c.organizations.api_keys.retrieve("apikey_01"),
    "organizations.api_keys.update": lambda c: c.organizations.api_keys.update("apikey_01", name="k2"),
    "organizations.api_keys.delete": lambda c: c.organizations.api_keys.delete("apikey_01"),
    "organizations.workspaces.list": lambda c: c.organizations.workspaces.list(),
    "organizations.workspaces.create": lambda c: c.organizations.workspaces.create(name="W"),
    "organizations.workspaces.retrieve": lambda c: c.organizations.workspaces.retrieve(WS),
    "organizations.workspaces.update": lambda c: c.organizations.workspaces.update(WS, name="W2"),
    "organizations.workspaces.delete": lambda c: c.organizations.workspaces.delete(WS),
    "organizations.workspaces.members.list": lambda c: c.organizations.workspaces.members.list(WS),
    "organizations.workspaces.members.create": lambda c: c.organizations.workspaces.members.create(
        WS, user_id="user_09", role="workspace_user"),
    "organizations.workspaces.members.retrieve": lambda c: c.organizations.workspaces.members.retrieve(WS, USER),
    "organizations.workspaces.members.update": lambda c: c.organizations.workspaces.members.update(
        WS, USER, role="workspace_admin"),
    "organizations.workspaces.members.delete": lambda c: c.organizations.workspaces.members.delete(WS, USER),
}
SEED = {row[0]: row for row in SEED_TABLE}
OLD_QUERY = {route.name: route.old_query for route in FAKE_ROUTES}


def fill(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], template)


def test_calls_cover_the_seed_table() -> None:
    assert set(CALLS) == set(SEED)


@pytest.mark.parametrize("fmt", ["new", "old", "direct"])
@pytest.mark.parametrize("name", sorted(SEED))
def test_every_seed_route_in_every_format(fake_server: FakeServer, make_client: Any, name: str, fmt: str) -> None:
    client = make_client("direct") if fmt == "direct" else make_client(url_format=fmt)
    CALLS[name](client)
    assert len(fake_server.requests) == 1, [(r.method, r.path, r.query) for r in fake_server.requests]
    req = fake_server.requests[0]
    _, method, new, old, direct_method, direct = SEED[name]
    # a path that is the same in both formats is recorded as "new" by the server: it cannot tell them apart
    assert (req.route, req.format) == (name, "new" if fmt == "old" and old == new else fmt)
    if fmt == "direct":
        assert (req.method, req.path) == (direct_method, fill(direct))
        assert "api_token" not in req.query
        return
    assert req.method == method
    assert [v for k, v in req.query_items if k == "api_token"] == [TOKEN]
    names = [k for k, _ in req.query_items if k != "api_token"]
    if fmt == "new":
        assert req.path == "/anthropic" + fill(new) and names == []
    else:
        old_path = old.partition("?")[0]
        assert req.path == "/anthropic" + old_path
        # exactly seed 000's query names, quirks included (members: workspaceid + user_id)
        assert names == [q for q, _ in OLD_QUERY[name]]
        assert [req.query[q] for q, _ in OLD_QUERY[name]] == [VALUES[p] for _, p in OLD_QUERY[name]]


def test_members_old_format_query_names(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(url_format="old")
    members = client.organizations.workspaces.members
    members.retrieve("wrkspc_01", "user_01")
    members.update("wrkspc_01", "user_01", role="workspace_developer")
    members.delete("wrkspc_01", "user_01")
    assert len(fake_server.requests) == 3
    for req in fake_server.requests:
        assert req.path == "/anthropic/v1/organizations/workspaces/workspaceid/members/userid"
        assert req.query_items == [("workspaceid", "wrkspc_01"), ("user_id", "user_01"), ("api_token", TOKEN)]
    assert fake_server.requests[1].method == "PATCH"
    assert fake_server.requests[1].json() == {"workspace_role": "workspace_developer"}


def _switches(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.INFO]


def test_auto_falls_back_on_router_404_and_remembers(fake_server: FakeServer, client: Any,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake_server.new_format = False  # this proxy only knows the old routes
    assert client.url_format == "new"
    model = client.models.retrieve("claude-haiku-4-5")
    assert model.id == "claude-haiku-4-5" and client.url_format == "old"
    assert [(r.path, r.format) for r in fake_server.requests] == [
        ("/anthropic/v1/models/claude-haiku-4-5", None),
        ("/anthropic/v1/models/modelid", "old"),
    ]
    assert fake_server.requests[1].query_items == [("modelid", "claude-haiku-4-5"), ("api_token", TOKEN)]
    switches = _switches(caplog)
    assert len(switches) == 1 and "old" in switches[0].getMessage()
    assert TOKEN not in switches[0].getMessage()
    fake_server.clear()
    client.files.retrieve("file_01")
    client.organizations.workspaces.members.retrieve("wrkspc_01", "user_01")
    client.messages.count_tokens(model=MODEL, messages=HELLO)  # no path parameter, but its paths differ
    assert [r.format for r in fake_server.requests] == ["old", "old", "old"]
    assert fake_server.requests[2].path == "/anthropic/v1/messages/count_tokens"
    assert len(_switches(caplog)) == 1, "the switch is logged once"


def test_auto_fallback_for_a_route_without_parameters(fake_server: FakeServer, client: Any) -> None:
    fake_server.new_format = False
    assert client.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens == 6
    assert [r.path for r in fake_server.requests] == ["/anthropic/v1/messages/count-tokens",
                                                      "/anthropic/v1/messages/count_tokens"]
    assert client.url_format == "old"


def test_same_path_in_both_formats_is_one_request(fake_server: FakeServer, client: Any) -> None:
    fake_server.new_format = False
    assert len(client.models.list().data) == 2
    assert len(fake_server.requests) == 1


def test_fallback_is_remembered_per_client(fake_server: FakeServer, make_client: Any,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake_server.new_format = False
    first, second = make_client(), make_client()
    first.models.retrieve("claude-haiku-4-5")
    assert (first.url_format, second.url_format) == ("old", "new")
    second.models.retrieve("claude-haiku-4-5")
    assert len(fake_server.requests) == 4 and second.url_format == "old"
    assert len(_switches(caplog)) == 2  # once per client


def test_remembered_format_switches_back(fake_server: FakeServer, client: Any,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake_server.new_format = False
    client.messages.count_tokens(model=MODEL, messages=HELLO)
    assert client.url_format == "old"
    fake_server.new_format, fake_server.old_format = True, False
    fake_server.clear()
    client.messages.count_tokens(model=MODEL, messages=HELLO)
    assert [r.path for r in fake_server.requests] == ["/anthropic/v1/messages/count_tokens",
                                                      "/anthropic/v1/messages/count-tokens"]
    assert client.url_format == "new" and len(_switches(caplog)) == 2


@pytest.mark.parametrize("reply", [
    pytest.param(None, id="world-not-found"),
    pytest.param(Reply(404, json={"type": "error", "error": {"type": "not_found_error", "message": "Not Found"}},
                       envelope=True), id="enveloped-not-found-error-saying-Not-Found"),
    pytest.param(anthropic_error(404, "not_found_error", "Not Found"), id="bare-not-found-error"),
])
def test_api_not_found_error_does_not_fall_back(fake_server: FakeServer, client: Any, reply: Reply | None,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    if reply is not None:
        fake_server.script("GET", "/v1/models/nope", [reply])
    with pytest.raises(lc.NotFoundError) as caught:
        client.models.retrieve("nope")
    err = caught.value
    assert (err.status_code, err.error_type) == (404, "not_found_error")
    assert len(fake_server.requests) == 1 and client.url_format == "new"
    assert _switches(caplog) == []


def test_forced_new_never_falls_back(fake_server: FakeServer, make_client: Any) -> None:
    fake_server.new_format = False
    client = make_client(url_format="new")
    with pytest.raises(lc.NotFoundError) as caught:
        client.models.retrieve("claude-haiku-4-5")
    assert caught.value.status_code == 404 and caught.value.message == "Not Found"
    assert len(fake_server.requests) == 1 and client.url_format == "new"


def test_forced_old_is_used_from_the_first_call(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(url_format="old")
    assert client.url_format == "old"
    client.models.retrieve("claude-haiku-4-5")
    client.messages.count_tokens(model=MODEL, messages=HELLO)
    assert [r.path for r in fake_server.requests] == ["/anthropic/v1/models/modelid",
                                                      "/anthropic/v1/messages/count_tokens"]


def test_auto_with_both_formats_unknown(fake_server: FakeServer, client: Any) -> None:
    fake_server.new_format = fake_server.old_format = False
    with pytest.raises(lc.NotFoundError):
        client.files.retrieve("file_01")
    assert len(fake_server.requests) == 2 and client.url_format == "new"


def test_async_fallback(fake_server: FakeServer, make_async_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake_server.new_format = False

    async def main() -> tuple[str, str]:
        async with make_async_client() as aclient:
            model = await aclient.models.retrieve("claude-opus-4-1")
            await aclient.files.retrieve("file_01")
            return model.id, aclient.url_format

    assert run(main()) == ("claude-opus-4-1", "old")
    assert [r.format for r in fake_server.requests] == [None, "old", "old"]
    assert len(_switches(caplog)) == 1


def test_url_translation_keeps_other_parameters() -> None:
    new = "https://api.lowcodeapi.com/anthropic/v1/organizations/workspaces/ws_1/members/u_2?api_token=at_x&limit=5"
    old = url_formats.to_old(new)
    assert old.startswith("https://api.lowcodeapi.com/anthropic/v1/organizations/workspaces/workspaceid/members/userid?")
    assert "workspaceid=ws_1" in old and "user_id=u_2" in old and "api_token=at_x" in old and "limit=5" in old
    assert url_formats.to_new(old).partition("?")[0] == new.partition("?")[0]
    direct = url_formats.to_direct(url_formats.to_new("https://api.lowcodeapi.com/anthropic/v1/files/f_1/download"))
    assert direct == "https://api.anthropic.com/v1/files/f_1/content"
