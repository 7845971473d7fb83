"""Streaming Messages (sync and async), async pagination, and the async surface over real sockets."""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from lcclient import HELLO, MODEL, lc, run, types

EXPECTED = ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
            "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
EVENT_CLASSES = {"message_start": types.MessageStartEvent, "content_block_start": types.ContentBlockStartEvent,
                 "content_block_delta": types.ContentBlockDeltaEvent,
                 "content_block_stop": types.ContentBlockStopEvent,
                 "message_delta": types.MessageDeltaEvent, "message_stop": types.MessageStopEvent}


def create_stream(client: Any, **kw: Any) -> Any:
    return client.messages.create(model=MODEL, max_tokens=32, messages=HELLO, stream=True, **kw)


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_stream_yields_typed_events_without_ping(fake_server: FakeServer, make_client: Any, target: str) -> None:
    client = make_client(target)
    stream = create_stream(client)
    events = list(stream)
    assert [e.type for e in events] == EXPECTED  # the server sent a ping after content_block_start
    for event in events:
        assert type(event) is EVENT_CLASSES[event.type]
    assert isinstance(events[0].message, types.Message) and events[0].message.id == "msg_fake_stream"
    assert events[2].delta.text == "Hello! "
    assert events[6].delta.stop_reason == "end_turn"
    assert stream.response.is_closed
    req = fake_server.requests[0]
    assert len(fake_server.requests) == 1 and req.json()["stream"] is True
    assert "text/event-stream" in req.headers.get("accept", "")


def test_text_stream(fake_server: FakeServer, client: Any) -> None:
    stream = create_stream(client)
    pieces = list(stream.text_stream)
    assert pieces == ["Hello! ", "You sai", "d: Hi"]
    assert stream.response.is_closed and len(fake_server.requests) == 1


def test_get_final_message(fake_server: FakeServer, client: Any) -> None:
    stream = create_stream(client)
    first = next(stream)
    assert first.type == "message_start"
    final = stream.get_final_message()
    assert isinstance(final, types.Message)
    assert final.content[0].text == "Hello! You said: Hi" and isinstance(final.content[0], types.TextBlock)
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens == 12 and final.usage.output_tokens == 3
    assert stream.response.is_closed and len(fake_server.requests) == 1


def test_context_manager_closes(fake_server: FakeServer, client: Any) -> None:
    with create_stream(client) as stream:
        assert next(stream).type == "message_start"
    assert stream.response.is_closed
    assert list(stream) == []


def test_dropped_iterator_closes_the_response(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(chunk_delay=0.05)])
    stream = create_stream(client)
    response = stream.response
    assert next(stream).type == "message_start"
    assert not response.is_closed
    del stream
    gc.collect()
    assert response.is_closed


def test_events_are_read_incrementally(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(chunk_delay=0.1)])  # 11 chunks: about 1.1 s in all
    started = time.monotonic()
    stream = create_stream(client)
    first = next(stream)
    elapsed = time.monotonic() - started
    stream.close()
    assert first.type == "message_start" and elapsed < 0.6, elapsed
    assert stream.response.is_closed


@pytest.mark.parametrize("envelope", ["data", "result"])
def test_stream_inside_a_json_envelope(fake_server: FakeServer, client: Any, envelope: str) -> None:
    """A buffering proxy may hand the event stream back as a JSON string in its envelope."""
    from fakeserver_world import stream_events

    fake_server.envelope = envelope
    text = "".join(f"event: {name}\ndata: {__import__('json').dumps(data)}\n\n"
                   for name, data in stream_events(MODEL, "Hi"))
    fake_server.script("POST", "/v1/messages", [Reply(200, json=text, envelope=True)])
    stream = create_stream(client)
    assert [e.type for e in stream] == EXPECTED
    assert len(fake_server.requests) == 1


def test_completions_stream(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("POST", "/v1/completions", [Reply(200, sse=[
        ("completion", {"type": "completion", "completion": " Hi", "stop_reason": None}),
        ("ping", {"type": "ping"}),
        ("completion", {"type": "completion", "completion": "!", "stop_reason": "stop_sequence"}),
    ])])
    events = list(client.completions.create(model="claude-2.1", prompt="\n\nHuman: Hi\n\nAssistant:",
                                            max_tokens_to_sample=5, stream=True))
    assert [type(e) for e in events] == [types.Completion, types.Completion]
    assert "".join(e.completion for e in events) == " Hi!"
    assert len(fake_server.requests) == 1 and fake_server.requests[0].json()["stream"] is True


# ------------------------------------------------------------------------------------------------ async


def test_async_stream(fake_server: FakeServer, make_async_client: Any) -> None:
    async def main() -> tuple[list[Any], bool, str, Any]:
        async with make_async_client() as aclient:
            events = []
            stream = await aclient.messages.create(model=MODEL, max_tokens=32, messages=HELLO, stream=True)
            async for event in stream:
                events.append(event)
            closed = stream.response.is_closed
            again = await aclient.messages.create(model=MODEL, max_tokens=32, messages=HELLO, stream=True)
            text = "".join([piece async for piece in again.text_stream])
            third = await aclient.messages.create(model=MODEL, max_tokens=32, messages=HELLO, stream=True)
            final = await third.get_final_message()
            return events, closed, text, final

    events, closed, text, final = run(main())
    assert [e.type for e in events] == EXPECTED
    assert all(type(e) is EVENT_CLASSES[e.type] for e in events)
    assert closed and text == "Hello! You said: Hi"
    assert isinstance(final, types.Message) and final.content[0].text == "Hello! You said: Hi"
    assert len(fake_server.requests) == 3


def test_async_stream_error_event(fake_server: FakeServer, make_async_client: Any) -> None:
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    fake_server.script("POST", "/v1/messages", [Reply(200, sse=[("error", error)])])

    async def main() -> Any:
        async with make_async_client() as aclient:
            stream = await aclient.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
            with pytest.raises(lc.OverloadedError) as caught:
                async for _ in stream:
                    pass
            return caught.value

    err = run(main())
    assert (err.status_code, err.error_type) == (529, "overloaded_error")
    assert len(fake_server.requests) == 1


def test_async_list_iterates_every_page_and_awaits_the_first(fake_server: FakeServer,
                                                             make_async_client: Any) -> None:
    async def main() -> tuple[list[str], Any, list[str]]:
        async with make_async_client() as aclient:
            ids = [model.id async for model in aclient.models.list()]
            walked = len(fake_server.requests)
            page = await aclient.models.list()
            assert len(fake_server.requests) == walked + 1
            following = await page.next_page()
            return ids, page, [m.id for m in following.data] if following else []

    ids, page, following = run(main())
    assert ids == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert [m.id for m in page.data] == ["claude-sonnet-4-5", "claude-haiku-4-5"] and page.has_more is True
    assert isinstance(page.data[0], types.ModelInfo)
    assert following == ["claude-opus-4-1"]
    assert [r.query.get("after_id") for r in fake_server.requests] == [None, "claude-haiku-4-5", None,
                                                                       "claude-haiku-4-5"]


def test_async_surface_end_to_end(fake_server: FakeServer, make_async_client: Any, tmp_path: Any) -> None:
    async def main() -> None:
        async with make_async_client() as aclient:
            msg = await aclient.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
            assert isinstance(msg, types.Message) and msg.usage.input_tokens == 6
            assert (await aclient.messages.count_tokens(model=MODEL, messages=HELLO)).input_tokens == 6
            assert (await aclient.models.retrieve("claude-opus-4-1")).display_name == "Claude Opus 4.1"
            meta = await aclient.files.upload(file=("x.txt", b"xyz", "text/plain"))
            assert await aclient.files.download(meta.id) == b"xyz"
            assert await aclient.files.download_to_file(meta.id, tmp_path / "x.txt") == 3
            results = await aclient.messages.batches.results("msgbatch_01")
            lines = [line async for line in results]
            assert [type(line.result) for line in lines] == [types.MessageBatchSucceededResult,
                                                             types.MessageBatchErroredResult,
                                                             types.MessageBatchCanceledResult]
            member = await aclient.organizations.workspaces.members.update(
                "wrkspc_01", "user_01", role="workspace_developer")
            assert member.workspace_role == "workspace_developer"
            assert [f.id async for f in aclient.files.list()] == ["file_01", meta.id]

    run(main())
    assert (tmp_path / "x.txt").read_bytes() == b"xyz"
    assert len(fake_server.requests) == 9


def test_async_client_with_default_pool(fake_server: FakeServer) -> None:
    from lcclient import TOKEN

    async def main() -> str:
        async with lc.AsyncClient(api_token=TOKEN, base_url=fake_server.lowcodeapi_url) as aclient:
            return (await aclient.organizations.me()).name

    assert run(main()) == "Fake Org"


def test_dropped_batch_results_close_the_response(fake_server: FakeServer, client: Any) -> None:
    results = client.messages.batches.results("msgbatch_01")
    response = results.response
    assert next(results).custom_id == "req-1"
    del results
    gc.collect()
    assert response.is_closed


def test_async_dropped_stream_closes_the_response(fake_server: FakeServer, make_async_client: Any) -> None:
    import asyncio

    fake_server.script("POST", "/v1/messages", [Reply(chunk_delay=0.05)])

    async def main() -> bool:
        async with make_async_client() as aclient:
            stream = await aclient.messages.create(model=MODEL, max_tokens=8, messages=HELLO, stream=True)
            response = stream.response
            assert (await stream.__anext__()).type == "message_start"
            del stream
            gc.collect()
            for _ in range(5):
                await asyncio.sleep(0.01)
            return bool(response.is_closed)

    assert run(main()) is True
    assert len(fake_server.requests) == 1
