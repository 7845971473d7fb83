"""The async client over real sockets: the core paths of the sync suite, awaited."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest
from fakeserver import FakeServer, Reply, anthropic_error
from fakeserver_world import stream_events
from rtpkg import KEY, TOKEN

T = TypeVar("T")
BODY = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def ident(value: Any) -> Any:
    return value


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_json_both_targets(fake_server: FakeServer, make_async_client: Callable[..., Any],
                           routes: dict[str, Any], target: str) -> None:
    async def main() -> Any:
        async with make_async_client(target) as client:
            return await client._request_json(routes["models.retrieve"], ident,
                                              path_params={"model_id": "claude-haiku-4-5"})

    assert run(main())["id"] == "claude-haiku-4-5"
    req = fake_server.requests[0]
    if target == "lowcodeapi":
        assert req.query["api_token"] == TOKEN and req.format == "new"
    else:
        assert req.headers["x-api-key"] == KEY and req.format == "direct"


def test_auto_fallback_remembered(fake_server: FakeServer, make_async_client: Callable[..., Any],
                                  routes: dict[str, Any], caplog: pytest.LogCaptureFixture, log_name: str) -> None:
    caplog.set_level(logging.INFO, logger=log_name)
    fake_server.new_format = False

    async def main() -> str:
        async with make_async_client() as client:
            for model in ("claude-opus-4-1", "claude-haiku-4-5"):
                await client._request_json(routes["models.retrieve"], ident, path_params={"model_id": model})
            return str(client.url_format)

    assert run(main()) == "old"
    assert [r.format for r in fake_server.requests] == [None, "old", "old"]
    assert len([r for r in caplog.records if r.name == log_name and "URL format" in r.getMessage()]) == 1


def test_not_found_error_no_fallback(fake_server: FakeServer, make_async_client: Callable[..., Any],
                                     routes: dict[str, Any], rt: ModuleType) -> None:
    async def main() -> None:
        async with make_async_client() as client:
            await client._request_json(routes["models.retrieve"], ident, path_params={"model_id": "nope"})

    with pytest.raises(rt.NotFoundError) as caught:
        run(main())
    assert caught.value.error_type == "not_found_error" and len(fake_server.requests) == 1


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_paginator(fake_server: FakeServer, make_async_client: Callable[..., Any], routes: dict[str, Any],
                   rt: ModuleType, target: str) -> None:
    async def main() -> tuple[Any, list[str], int, list[str]]:
        async with make_async_client(target) as client:
            paginator = client._request_page(routes["models.list"], ident)
            assert isinstance(paginator, rt.AsyncPaginator) and fake_server.requests == []
            first = await paginator
            after_first = len(fake_server.requests)
            every = [m["id"] async for m in client._request_page(routes["models.list"], ident)]
            walked = [m["id"] async for m in first]
            return first, every, after_first, walked

    first, every, after_first, walked = run(main())
    assert isinstance(first, rt.AsyncPage) and len(first.data) == 2 and first.has_more and after_first == 1
    assert every == walked == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert len(fake_server.requests) == 4  # 1 (await) + 2 (async for) + 1 (the walk from the first page)
    assert fake_server.requests[2].query["after_id"] == "claude-haiku-4-5"


def test_seed_list_page(fake_server: FakeServer, make_async_client: Callable[..., Any],
                        routes: dict[str, Any]) -> None:
    fake_server.list_style = "seed"

    async def main() -> Any:
        async with make_async_client() as client:
            page = await client._request_page(routes["models.list"], ident)
            return page, await page.next_page()

    page, nxt = run(main())
    assert len(page.data) == 3 and not page.has_more and nxt is None


def test_stream(fake_server: FakeServer, make_async_client: Callable[..., Any], routes: dict[str, Any]) -> None:
    async def main() -> tuple[list[str], str, Any, bool]:
        async with make_async_client() as client:
            route = routes["messages.create"]
            events = await client._request_stream(route, ident, ident, body=BODY)
            types = [event["type"] async for event in events]
            text = "".join([t async for t in (await client._request_stream(route, ident, ident,
                                                                            body=BODY)).text_stream])
            async with await client._request_stream(route, ident, ident, body=BODY) as third:
                await third.__anext__()
                final = await third.get_final_message()
            return types, text, final, events.response.is_closed

    types, text, final, closed = run(main())
    assert "ping" not in types and types[0] == "message_start" and types[-1] == "message_stop"
    assert text == "Hello! You said: Hi" and closed
    assert final["content"] == [{"type": "text", "text": "Hello! You said: Hi"}]
    assert final["stop_reason"] == "end_turn" and final["usage"]["output_tokens"] == 3
    assert fake_server.requests[0].json()["stream"] is True


def test_stream_error_event_and_cut(fake_server: FakeServer, make_async_client: Callable[..., Any],
                                    routes: dict[str, Any], rt: ModuleType) -> None:
    events = stream_events("m", "Hi")[:2] + [
        ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})]
    fake_server.script("POST", "/v1/messages", [Reply(sse=events), Reply(cut_after=4)])

    async def consume() -> None:
        async with make_async_client() as client:
            stream = await client._request_stream(routes["messages.create"], ident, ident, body=BODY)
            async for _ in stream:
                pass

    with pytest.raises(rt.OverloadedError) as caught:
        run(consume())
    assert caught.value.status_code == 529
    with pytest.raises(rt.APIConnectionError):
        run(consume())


def test_jsonl(fake_server: FakeServer, make_async_client: Callable[..., Any], routes: dict[str, Any]) -> None:
    async def main() -> tuple[list[str], bool]:
        async with make_async_client() as client:
            lines = await client._request_jsonl(routes["messages.batches.results"], ident,
                                                path_params={"batch_id": "msgbatch_01"})
            return [line["custom_id"] async for line in lines], lines.response.is_closed

    assert run(main()) == (["req-1", "req-2", "req-3"], True)


def test_retries_and_delays(fake_server: FakeServer, make_async_client: Callable[..., Any],
                            routes: dict[str, Any], rt: ModuleType) -> None:
    busy = anthropic_error(529, "overloaded_error", "Overloaded")
    busy.envelope = True
    limited = Reply(429, json={"message": "slow"}, envelope=True, envelope_headers={"retry-after": "4"})
    fake_server.script("GET", "/v1/organizations/me", [busy, limited, Reply(drop=True), Reply(delay=1.0)])

    async def main() -> list[float]:
        async with make_async_client(max_retries=4) as client:
            client._random = lambda: 0.0
            me = await client._request_json(routes["organizations.me"], ident,
                                            options=rt.RequestOptions(timeout=0.2))
            assert me["id"] == "org_01"
            return list(client.sleeps)

    assert run(main()) == [0.5, 4.0, 2.0, 4.0]
    assert len(fake_server.requests) == 5


def test_timeout_exhausted(fake_server: FakeServer, make_async_client: Callable[..., Any],
                           routes: dict[str, Any], rt: ModuleType) -> None:
    fake_server.script("GET", "/v1/organizations/me", [Reply(delay=1.0)])

    async def main() -> None:
        async with make_async_client(max_retries=0, timeout=0.15) as client:
            await client._request_json(routes["organizations.me"], ident)

    with pytest.raises(rt.APITimeoutError) as caught:
        run(main())
    assert TOKEN not in str(caught.value) and len(fake_server.requests) == 1


def test_upload_and_download(fake_server: FakeServer, make_async_client: Callable[..., Any],
                             routes: dict[str, Any], tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(b"async bytes")

    async def main() -> tuple[bytes, int]:
        async with make_async_client() as client:
            meta = await client._request_json(routes["files.upload"], ident, files={"file": src},
                                              body={"purpose": "test"})
            ids = {"file_id": meta["id"]}
            data = await client._request_bytes(routes["files.download"], path_params=ids)
            count = await client._request_to_file(routes["files.download"], tmp_path / "out.txt", path_params=ids)
            return data, count

    assert run(main()) == (b"async bytes", 11)
    assert (tmp_path / "out.txt").read_bytes() == b"async bytes"


def test_with_options_and_close(fake_server: FakeServer, make_async_client: Callable[..., Any],
                                routes: dict[str, Any]) -> None:
    async def main() -> tuple[bool, bool, str]:
        client = make_async_client()
        copy = client.with_options(max_retries=0)
        await copy._request_json(routes["organizations.me"], ident)
        shared = copy._http is client._http
        await copy.aclose()  # does not own the pool
        still_open = not client._http.is_closed
        await client.aclose()
        return shared, still_open and client._http.is_closed, repr(copy)

    shared, closed_properly, text = run(main())
    assert shared and closed_properly and text.startswith("AsyncAPIClient(") and TOKEN not in text
