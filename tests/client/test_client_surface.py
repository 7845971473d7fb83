"""The surface: every operation of ``url_formats.ROUTES`` is a method of the resource tree of both clients,
with path parameters positional and everything else keyword-only."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from lcclient import COMMON, TOKEN, lc, resolve, url_formats

OPERATIONS = sorted(url_formats.ROUTES)
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def path_params(name: str) -> list[str]:
    route = url_formats.ROUTES[name]
    found = PLACEHOLDER.findall(route.new)
    assert found == PLACEHOLDER.findall(route.direct), f"{name}: new and direct templates disagree"
    return found


@pytest.fixture(scope="module")
def clients() -> dict[str, Any]:
    return {"sync": lc.Client(api_token=TOKEN), "async": lc.AsyncClient(api_token=TOKEN)}


def test_the_table_is_the_seed_and_more() -> None:
    from fakeserver import SEED_TABLE

    assert {row[0] for row in SEED_TABLE} <= set(url_formats.ROUTES)
    assert all(route.name == name for name, route in url_formats.ROUTES.items())


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("name", OPERATIONS)
def test_operation_is_reachable(clients: dict[str, Any], kind: str, name: str) -> None:
    method = resolve(clients[kind], name)
    assert callable(method)
    params = [p for p in inspect.signature(method).parameters.values() if p.name != "self"]
    positional = [p for p in params if p.kind in POSITIONAL]
    assert [p.name for p in positional] == path_params(name), "path parameters, in path order, positional"
    assert all(p.default is inspect.Parameter.empty for p in positional)
    rest = [p for p in params if p.kind not in POSITIONAL]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest), [str(p) for p in rest]
    assert {p.name for p in rest} >= COMMON, "per-call options on every method"
    assert (inspect.getdoc(method) or "").strip(), "docstring from the spec"


@pytest.mark.parametrize("name", OPERATIONS)
def test_async_methods_are_awaitable_or_paginators(clients: dict[str, Any], name: str) -> None:
    sync_method = resolve(clients["sync"], name)
    async_method = resolve(clients["async"], name)
    returns = str(inspect.signature(sync_method).return_annotation)
    if returns.startswith("SyncPage["):
        # as in the official SDK: a list call is directly async-iterable and awaitable (first page)
        assert not inspect.iscoroutinefunction(async_method)
        assert "AsyncPaginator[" in str(inspect.signature(async_method).return_annotation)
    else:
        assert inspect.iscoroutinefunction(async_method)
    sync_names = list(inspect.signature(sync_method).parameters)
    assert list(inspect.signature(async_method).parameters) == sync_names


def test_resource_tree_of_the_contract(clients: dict[str, Any]) -> None:
    client = clients["sync"]
    for dotted in ("files.download_to_file", "messages.batches.results", "organizations.workspaces.members.update",
                   "organizations.api_keys.update", "completions.create", "messages.count_tokens"):
        assert callable(resolve(client, dotted)) and callable(resolve(clients["async"], dotted))
    # resources are cached: the same object each time
    assert client.organizations.workspaces is client.organizations.workspaces


def test_contract_keyword_names() -> None:
    """The keyword names CLIENT.md spells out (the members' role included)."""
    expected = {
        "messages.create": {"model", "max_tokens", "messages", "stream"},
        "messages.count_tokens": {"model", "messages"},
        "completions.create": {"model", "prompt", "max_tokens_to_sample"},
        "files.upload": {"file", "purpose"},
        "organizations.api_keys.list": {"workspace_id", "status"},
        "organizations.api_keys.create": {"name", "workspace_id"},
        "organizations.api_keys.update": {"name", "status"},
        "organizations.workspaces.create": {"name"},
        "organizations.workspaces.update": {"name"},
        "organizations.workspaces.members.create": {"user_id"},
    }
    client = lc.Client(api_token=TOKEN)
    for name, keywords in expected.items():
        params = inspect.signature(resolve(client, name)).parameters
        assert keywords <= set(params), (name, keywords - set(params))


def test_members_role_keyword_of_the_contract() -> None:
    client = lc.Client(api_token=TOKEN)
    for name in ("organizations.workspaces.members.create", "organizations.workspaces.members.update"):
        assert "role" in inspect.signature(resolve(client, name)).parameters, name


def test_constructor_options_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOWCODEAPI_API_TOKEN", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("LOWCODEAPI_BASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    with pytest.raises(lc.MissingCredentialsError):
        lc.Client()
    with pytest.raises(lc.MissingCredentialsError):
        lc.Client(target="direct")
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", TOKEN)
    client = lc.Client()
    assert client.base_url == "https://api.lowcodeapi.com/anthropic"
    assert client.url_format == "new" and client.target == "lowcodeapi"
    assert lc.Client(url_format="old").url_format == "old"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env")
    direct = lc.Client(target="direct")
    assert direct.base_url == "https://api.anthropic.com" and direct.url_format == "direct"
    with pytest.raises(ValueError):
        lc.Client(url_format="older")  # type: ignore[arg-type]
    for cls in (lc.BadRequestError, lc.AuthenticationError, lc.PermissionDeniedError, lc.NotFoundError,
                lc.ConflictError, lc.RequestTooLargeError, lc.UnprocessableEntityError, lc.RateLimitError,
                lc.OverloadedError, lc.InternalServerError):
        assert issubclass(cls, lc.APIStatusError) and issubclass(cls, lc.APIError)
    assert issubclass(lc.APITimeoutError, lc.APIConnectionError) and issubclass(lc.APIConnectionError, lc.APIError)
