"""Streamed Messages: typed server-sent events, their text, and the final Message; sync and
async."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    TypeVar,
)

from ._base import close_later, connection_error
from ._errors import APIConnectionError, APIError, error_from_event, loads_json
from ._jsonlines import (  # offered here too, beside the other streamed bodies
    AsyncJSONLines,
    JSONLines,
)
from ._redact import display_url, redact_value
from ._responses import invalid_answer
from ._sse import MalformedEvent, MessageAccumulator, ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    from typing import TypeAlias

    import httpx
else:
    from ._lazy import httpx

__all__ = [
    "AsyncJSONLines",
    "AsyncStream",
    "JSONLines",
    "SSEDecoder",
    "ServerSentEvent",
    "Stream",
]

T = TypeVar("T")
F = TypeVar("F")  # what get_final_message returns: the resource's model
Event: TypeAlias = "dict[str, Any]"


def _guarded_bytes(response: httpx.Response, prefetched: bytes | None) -> Iterator[bytes]:
    if prefetched is not None:
        yield prefetched
        return
    try:
        yield from response.iter_bytes()
    except httpx.TransportError as exc:
        raise connection_error(exc, response.request) from None


async def _aguarded_bytes(
    response: httpx.Response, prefetched: bytes | None
) -> AsyncIterator[bytes]:
    if prefetched is not None:
        yield prefetched
        return
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except httpx.TransportError as exc:
        raise connection_error(exc, response.request) from None


def _event_data(
    sse: ServerSentEvent, accumulator: MessageAccumulator, response: httpx.Response
) -> Event | None:
    """The event's JSON data, or None to skip it (``ping``); raises on an ``error`` event."""
    if sse.event == "ping" or sse.data == "[DONE]":
        return None
    try:
        data = loads_json(sse.data)
    except ValueError:
        problem = f"a {sse.event or 'message'!s} event whose data is not JSON"
        raise invalid_answer(response, problem, sse.data) from None
    if not isinstance(data, dict):
        data = {"type": sse.event, "data": data}
    elif "type" not in data and sse.event:
        data["type"] = sse.event
    kind = data.get("type")
    if sse.event == "error" or kind == "error":
        raise error_from_event(redact_value(data))
    if kind == "ping":
        return None
    try:
        accumulator.feed(data)
    except MalformedEvent as exc:
        raise invalid_answer(response, str(exc), sse.data) from None
    return data


def _check_end(
    decoder: SSEDecoder, accumulator: MessageAccumulator, response: httpx.Response
) -> None:
    url = display_url(response.request.url)
    if decoder.in_event:
        raise APIConnectionError(
            f"The event stream from {url} ended in the middle of an event.", url=url
        )
    if accumulator.started and not accumulator.stopped:
        raise APIConnectionError(f"The event stream from {url} ended before message_stop.", url=url)


def _iter_events(
    response: httpx.Response, prefetched: bytes | None, accumulator: MessageAccumulator
) -> Iterator[Event]:
    # A plain function (not a method) so that the generator holds no reference back to its Stream.
    decoder = SSEDecoder()
    try:
        for chunk in _guarded_bytes(response, prefetched):
            for sse in decoder.feed(chunk):
                data = _event_data(sse, accumulator, response)
                if data is not None:
                    yield data
        for sse in decoder.finish():
            data = _event_data(sse, accumulator, response)
            if data is not None:
                yield data
        _check_end(decoder, accumulator, response)
    finally:
        response.close()


async def _aiter_events(
    response: httpx.Response, prefetched: bytes | None, accumulator: MessageAccumulator
) -> AsyncIterator[Event]:
    decoder = SSEDecoder()
    try:
        async for chunk in _aguarded_bytes(response, prefetched):
            for sse in decoder.feed(chunk):
                data = _event_data(sse, accumulator, response)
                if data is not None:
                    yield data
        for sse in decoder.finish():
            data = _event_data(sse, accumulator, response)
            if data is not None:
                yield data
        _check_end(decoder, accumulator, response)
    finally:
        await response.aclose()


def _text_of(event: Event) -> str | None:
    if event.get("type") != "content_block_delta":
        return None
    delta = event.get("delta")
    if isinstance(delta, dict) and delta.get("type") == "text_delta":
        text = delta.get("text")
        return text if isinstance(text, str) else None
    return None


class Stream(Generic[T, F]):
    """The typed events of a streamed Message; ``ping`` skipped, ``error`` raised, response closed
    at the end."""

    response: httpx.Response

    def __init__(
        self,
        response: httpx.Response,
        event_cast: Callable[[Any], T],
        final_cast: Callable[[Any], F],
        *,
        prefetched: bytes | None = None,
    ) -> None:
        self.response = response
        self._event_cast = event_cast
        self._final_cast = final_cast
        self._accumulator = MessageAccumulator()
        self._raw = _iter_events(response, prefetched, self._accumulator)
        self._closed = False

    def __iter__(self) -> Stream[T, F]:
        return self

    def __next__(self) -> T:
        return self._event_cast(self._next_raw())

    def _next_raw(self) -> Event:
        if self._closed:
            raise StopIteration
        return next(self._raw)

    def _raw_events(self) -> Iterator[Event]:
        while True:
            try:
                yield self._next_raw()
            except StopIteration:
                return

    @property
    def text_stream(self) -> Iterator[str]:
        """The text of each ``text_delta``, as it arrives (consumes the stream)."""
        for event in self._raw_events():
            text = _text_of(event)
            if text is not None:
                yield text

    def get_final_message(self) -> F:
        """Read the rest of the stream and return the whole Message, cast by the resource's
        model."""
        for _ in self._raw_events():
            pass
        if self._accumulator.message is None:
            raise APIError("The stream ended without a message_start event.")
        return self._final_cast(self._accumulator.message)

    def close(self) -> None:
        """Stop reading and release the connection."""
        if not self._closed:
            self._closed = True
            self.response.close()

    def __enter__(self) -> Stream[T, F]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_closed", True) is False:
            self.close()


class AsyncStream(Generic[T, F]):
    """``Stream`` for ``async for``: the same events, ``aclose()`` and ``async with``."""

    response: httpx.Response

    def __init__(
        self,
        response: httpx.Response,
        event_cast: Callable[[Any], T],
        final_cast: Callable[[Any], F],
        *,
        prefetched: bytes | None = None,
    ) -> None:
        self.response = response
        self._event_cast = event_cast
        self._final_cast = final_cast
        self._accumulator = MessageAccumulator()
        self._raw = _aiter_events(response, prefetched, self._accumulator)
        self._closed = False

    def __aiter__(self) -> AsyncStream[T, F]:
        return self

    async def __anext__(self) -> T:
        return self._event_cast(await self._next_raw())

    async def _next_raw(self) -> Event:
        if self._closed:
            raise StopAsyncIteration
        return await self._raw.__anext__()

    async def _raw_events(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self._next_raw()
            except StopAsyncIteration:
                return

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        """The text of each ``text_delta``, as it arrives (consumes the stream)."""
        async for event in self._raw_events():
            text = _text_of(event)
            if text is not None:
                yield text

    async def get_final_message(self) -> F:
        """Read the rest of the stream and return the whole Message, cast by the resource's
        model."""
        async for _ in self._raw_events():
            pass
        if self._accumulator.message is None:
            raise APIError("The stream ended without a message_start event.")
        return self._final_cast(self._accumulator.message)

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        if not self._closed:
            self._closed = True
            await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[T, F]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if getattr(self, "_closed", True) is False:
            close_later(self.response)
