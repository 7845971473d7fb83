"""CLIENT.md "Behaviour: Path parameters": a path value that could reach another route raises
``ValueError`` before anything is sent (sync and async, both targets, every URL format, every kind of
method, the URL translators); any other value is percent-encoded into one segment.

Before the fix, ``members.delete(ws, "..")`` sent ``DELETE .../workspaces/{ws}`` (httpx folds ``/..``)
and ``models.retrieve("")`` sent ``GET /v1/models/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from lcclient import TOKEN, lc, run, url_formats

WS = "wrkspc_01"
# Empty, dot segments, and what decodes or normalises to them (percent-encoding, twice; backslash;
# fullwidth dots; whitespace; a NUL or line break a server may cut at; a slash that yields a dot
# or empty segment once a proxy decodes %2F).
REFUSED: list[Any] = [
    "", ".", "..", " ", "\t", " .. ", "%2e%2e", "%2E.", ".%2e", "%252e%252e", "%25252525252e%25252525252e",
    "..%2f..", "a/../b", "../x", "..\\x", "x/", "/x", "\uff0e\uff0e", "a\x00", "x\n", None,
]
# (value, as it must appear in the new format's path)
ENCODED = [("a/b", "a%2Fb"), ("?x", "%3Fx"), ("#x", "%23x"), ("a b", "a%20b"), ("...", "..."),
           (".hidden", ".hidden"), ("é", "%C3%A9"), ("a&api_token=x", "a%26api_token%3Dx")]

# One method of every kind, each with the refused value where a path parameter goes.
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "members.delete": lambda c, v: c.organizations.workspaces.members.delete(WS, v),
    "members.delete (first)": lambda c, v: c.organizations.workspaces.members.delete(v, "user_01"),
    "models.retrieve": lambda c, v: c.models.retrieve(v),
    "members.list (page)": lambda c, v: c.organizations.workspaces.members.list(v),
    "batches.results (jsonl)": lambda c, v: c.messages.batches.results(v),
    "files.download (binary)": lambda c, v: c.files.download(v),
    "workspaces.update (body)": lambda c, v: c.organizations.workspaces.update(v, name="n"),
}
OLD = url_formats.ROUTES["models.retrieve"]
OLD_NAME = dict((param, name) for name, param in OLD.old_query)["model_id"]  # the seed's quirky name
SETUPS = [("lowcodeapi", "auto"), ("lowcodeapi", "new"), ("lowcodeapi", "old"), ("direct", "auto")]


@pytest.mark.parametrize(("target", "url_format"), SETUPS)
def test_refused_values_send_nothing(make_client: Callable[..., Any], fake_server: FakeServer,
                                     target: str, url_format: str) -> None:
    client = make_client(target, url_format=url_format)
    for name, call in CALLS.items():
        for value in REFUSED:
            with pytest.raises(ValueError, match="path parameter") as caught:
                call(client, value)
            assert type(caught.value) is ValueError, (name, value)
    assert fake_server.requests == []


@pytest.mark.parametrize(("target", "url_format"), SETUPS)
def test_refused_values_send_nothing_async(make_async_client: Callable[..., Any], fake_server: FakeServer,
                                           target: str, url_format: str) -> None:
    async def main() -> None:
        async with make_async_client(target, url_format=url_format) as client:
            for name, call in CALLS.items():
                for value in REFUSED:
                    with pytest.raises(ValueError, match="path parameter"):
                        result = call(client, value)
                        await result  # a paginator raises when awaited, before its first request
                    assert fake_server.requests == [], (name, value)

    run(main())


@pytest.mark.parametrize(("target", "url_format"), SETUPS)
def test_other_values_are_percent_encoded(make_client: Callable[..., Any], fake_server: FakeServer,
                                          target: str, url_format: str) -> None:
    client = make_client(target, url_format=url_format, max_retries=0)
    for value, encoded in ENCODED:
        fake_server.clear()
        with pytest.raises(lc.NotFoundError):
            client.models.retrieve(value)
        seen = fake_server.requests[0]
        if seen.format == "old" or (target == "lowcodeapi" and url_format == "old"):
            assert seen.path.endswith(OLD.old.partition("?")[0]) and seen.query[OLD_NAME] == value
        else:
            assert seen.path.endswith("/v1/models/" + encoded), (value, seen.path)
        assert seen.query.get("api_token") in (None, client._settings.api_token)


def test_extra_query_cannot_set_an_old_format_path_value(make_client: Callable[..., Any],
                                                           fake_server: FakeServer) -> None:
    """In the old format the model id is a query parameter that the proxy puts into the path."""
    for url_format in ("old", "auto"):
        client = make_client(url_format=url_format)
        with pytest.raises(ValueError, match="path parameter"):
            client.models.retrieve("claude-haiku-4-5", extra_query={OLD_NAME: ".."})
    assert fake_server.requests == []
    # The new format and direct: the same name is an ordinary query value, encoded by httpx.
    for target, url_format in (("lowcodeapi", "new"), ("direct", "auto")):
        make_client(target, url_format=url_format).models.retrieve(
            "claude-haiku-4-5", extra_query={"x": "../#?&api_token=y"})
        seen = fake_server.requests[-1]
        assert seen.path.endswith("/v1/models/claude-haiku-4-5") and seen.query["x"] == "../#?&api_token=y"


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:9/a/../b", "http://127.0.0.1:9/x?y=1",
                                      "http://127.0.0.1:9/x#f", "ftp://127.0.0.1/x", "127.0.0.1:9/x",
                                      "http://user:pw@127.0.0.1:9/%2e%2e"])
def test_base_url_that_changes_the_route_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url") as caught:
        lc.Client(api_token="at_x", base_url=base_url)
    assert "pw" not in str(caught.value)


def test_translated_urls_do_not_escape_their_route() -> None:
    """to_old/to_new/to_direct rebuild a route from a person's URL: its values follow the same rule."""
    base = "https://api.lowcodeapi.com/anthropic"
    bad = [f"{base}/v1/organizations/workspaces/{WS}/members/%2e%2e?api_token=at_x",
           f"{base}/v1/models/%252e%252e",
           f"{base}{OLD.old.partition('?')[0]}?{OLD_NAME}=..&api_token=at_x",
           f"{base}{OLD.old.partition('?')[0]}?{OLD_NAME}=",
           "https://api.anthropic.com/v1/files/%2E%2E/content"]
    for url in bad:
        for translate in (url_formats.to_old, url_formats.to_new, url_formats.to_direct):
            with pytest.raises(ValueError):
                translate(url)
    old = f"{base}{OLD.old.partition('?')[0]}?{OLD_NAME}=a%2Fb"
    assert url_formats.to_new(old) == f"{base}/v1/models/a%2Fb"


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_server_cursors_stay_query_values(make_client: Callable[..., Any], fake_server: FakeServer,
                                          target: str) -> None:
    """A page's ``last_id`` goes back as ``after_id``: a query value (encoded by httpx), never a path."""
    cursor = "../x&api_token=evil#f?/.."
    fake_server.script("GET", re.compile(r"/v1/models$"), [
        Reply(200, json={"data": [{"id": "a", "type": "model"}], "has_more": True, "last_id": cursor}),
        Reply(200, json={"data": [{"id": "b", "type": "model"}], "has_more": False})])
    assert [m.id for m in make_client(target).models.list()] == ["a", "b"]
    second = fake_server.requests[1]
    assert second.path.endswith("/v1/models") and second.query["after_id"] == cursor
    assert [v for k, v in second.query_items if k == "api_token"] == ([] if target == "direct" else [TOKEN])
