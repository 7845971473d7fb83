"""Fixtures of the end-to-end tests: real ``anthropic_lowcodeapi`` clients wired to the fake server.

Sleeps between retries are recorded in ``client.sleeps`` instead of slept, so fault tests stay fast and
can assert the delays.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fakeserver import FakeServer
from lcclient import KEY, TOKEN, lc


def client_kwargs(server: FakeServer, target: str, kw: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments pointing a client of ``target`` at ``server``."""
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
    # One per httpx.Client costs ~40 ms; the loopback server never uses it.
    return ssl.create_default_context()


@pytest.fixture
def make_client(fake_server: FakeServer, ssl_context: ssl.SSLContext) -> Iterator[Callable[..., Any]]:
    """``make_client(target="lowcodeapi", **options)``: an ``lc.Client`` whose retry sleeps are recorded."""
    made: list[Any] = []
    pools: list[httpx.Client] = []

    def make(target: str = "lowcodeapi", **kw: Any) -> Any:
        if "http_client" not in kw:
            kw["http_client"] = httpx.Client(verify=ssl_context)
            pools.append(kw["http_client"])
        client = lc.Client(**client_kwargs(fake_server, target, kw))
        client.sleeps = []
        client._sleep = client.sleeps.append
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
    for pool in pools:
        pool.close()


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    """A LowCodeAPI-target client (url_format="auto") on the fake server."""
    return make_client()


@pytest.fixture
def direct(make_client: Callable[..., Any]) -> Any:
    """A direct-target client on the fake server."""
    return make_client("direct")


@pytest.fixture
def make_async_client(fake_server: FakeServer) -> Callable[..., Any]:
    """``make_async_client(...)``: an ``lc.AsyncClient`` (build it inside the running loop); sleeps recorded."""

    def make(target: str = "lowcodeapi", **kw: Any) -> Any:
        client = lc.AsyncClient(**client_kwargs(fake_server, target, kw))
        client.sleeps = []

        async def record(seconds: float) -> None:
            client.sleeps.append(seconds)

        client._sleep = record
        return client

    return make
