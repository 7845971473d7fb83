"""Fixtures for the runtime tests: the assembled package and clients wired to the fake server."""

from __future__ import annotations

import importlib
import ssl
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from fakeserver import FakeServer
from rtpkg import KEY, LOGGER, PACKAGE, PARENT, TOKEN, assemble


@pytest.fixture(scope="session")
def rt(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The runtime, assembled into a throwaway vendored package and imported."""
    root = assemble(tmp_path_factory.mktemp("rtpkg"))
    sys.path.insert(0, str(root))
    return importlib.import_module(f"{PARENT}.{PACKAGE}")


@pytest.fixture(scope="session")
def routes(rt: ModuleType) -> dict[str, Any]:
    return rt.ROUTES  # type: ignore[no-any-return]


def client_kwargs(server: FakeServer, target: str, kw: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments pointing a client at ``server``."""
    if target == "lowcodeapi":
        kw.setdefault("api_token", TOKEN)
        kw.setdefault("base_url", server.lowcodeapi_url)
    else:
        kw.setdefault("api_key", KEY)
        kw.setdefault("base_url", server.direct_url)
    kw.setdefault("timeout", 5.0)
    return {"target": target, **kw}


@pytest.fixture(scope="session")
def ssl_context() -> ssl.SSLContext:
    # Building one per httpx.Client costs ~40 ms; the loopback server never uses it anyway.
    return ssl.create_default_context()


@pytest.fixture
def make_client(
    rt: ModuleType, fake_server: FakeServer, ssl_context: ssl.SSLContext
) -> Iterator[Callable[..., Any]]:
    """``make_client(target="lowcodeapi", **options)``: a sync client whose sleeps are recorded, not slept."""
    pools: list[httpx.Client] = []

    def make(target: str = "lowcodeapi", **kw: Any) -> Any:
        if "http_client" not in kw:
            kw["http_client"] = httpx.Client(verify=ssl_context)
            pools.append(kw["http_client"])
        client = rt.SyncAPIClient(**client_kwargs(fake_server, target, kw))
        client.sleeps = []
        client._sleep = client.sleeps.append
        return client

    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    """A LowCodeAPI-target sync client on the fake server."""
    return make_client()


@pytest.fixture
def make_async_client(rt: ModuleType, fake_server: FakeServer) -> Callable[..., Any]:
    """``make_async_client(...)``: build it inside the test's event loop; sleeps are recorded."""

    def make(target: str = "lowcodeapi", **kw: Any) -> Any:
        client = rt.AsyncAPIClient(**client_kwargs(fake_server, target, kw))
        client.sleeps = []

        async def record(seconds: float) -> None:
            client.sleeps.append(seconds)

        client._sleep = record
        return client

    return make


@pytest.fixture
def log_name() -> str:
    return LOGGER
