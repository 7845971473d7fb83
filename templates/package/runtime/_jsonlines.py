"""JSON Lines bodies (batch results): one cast value per line, read incrementally, sync and
async."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._base import close_later, connection_error
from ._errors import loads_json
from ._http import unwrap_envelope
from ._responses import invalid_answer, shape_problem

if TYPE_CHECKING:
    import httpx
else:
    from ._lazy import httpx

__all__ = ["AsyncJSONLines", "JSONLines"]

T = TypeVar("T")


def _values(response: httpx.Response, line: str, unwrap: bool) -> list[Any]:
    """The values one JSON line stands for (an envelope around several lines gives several)."""
    try:
        value = loads_json(line)
    except ValueError:
        raise invalid_answer(response, "a line that is not JSON", line) from None
    if not unwrap:
        return [value]
    value = unwrap_envelope(value)
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [
            item
            for text in value.splitlines()
            if text.strip()
            for item in _values(response, text, False)
        ]
    return [value]


def _checked(response: httpx.Response, value: Any, cast: Callable[[Any], Any]) -> Any:
    """``value`` if it has the shape that ``cast`` declares (a line of another shape raises)."""
    problem = shape_problem(cast, value)
    if problem is not None:
        raise invalid_answer(response, f"a line that is {problem}", json.dumps(value))
    return value


def _iter_lines(response: httpx.Response, unwrap: bool) -> Iterator[Any]:
    try:
        for line in response.iter_lines():
            if line.strip():
                yield from _values(response, line, unwrap)
    except httpx.TransportError as exc:
        raise connection_error(exc, response.request) from None
    finally:
        response.close()


async def _aiter_lines(response: httpx.Response, unwrap: bool) -> AsyncIterator[Any]:
    try:
        async for line in response.aiter_lines():
            if line.strip():
                for value in _values(response, line, unwrap):
                    yield value
    except httpx.TransportError as exc:
        raise connection_error(exc, response.request) from None
    finally:
        await response.aclose()


class JSONLines(Generic[T]):
    """One cast value per non-empty line of a JSON Lines body, read incrementally; closed at the
    end."""

    response: httpx.Response

    def __init__(
        self, response: httpx.Response, line_cast: Callable[[Any], T], *, unwrap: bool = False
    ) -> None:
        self.response = response
        self._cast = line_cast
        self._lines = _iter_lines(response, unwrap)
        self._closed = False

    def __iter__(self) -> JSONLines[T]:
        return self

    def __next__(self) -> T:
        if self._closed:
            raise StopIteration
        return self._cast(_checked(self.response, next(self._lines), self._cast))

    def close(self) -> None:
        """Stop reading and release the connection."""
        if not self._closed:
            self._closed = True
            self.response.close()

    def __enter__(self) -> JSONLines[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_closed", True) is False:
            self.close()


class AsyncJSONLines(Generic[T]):
    """``JSONLines`` for ``async for``."""

    response: httpx.Response

    def __init__(
        self, response: httpx.Response, line_cast: Callable[[Any], T], *, unwrap: bool = False
    ) -> None:
        self.response = response
        self._cast = line_cast
        self._lines = _aiter_lines(response, unwrap)
        self._closed = False

    def __aiter__(self) -> AsyncJSONLines[T]:
        return self

    async def __anext__(self) -> T:
        if self._closed:
            raise StopAsyncIteration
        return self._cast(_checked(self.response, await self._lines.__anext__(), self._cast))

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        if not self._closed:
            self._closed = True
            await self.response.aclose()

    async def __aenter__(self) -> AsyncJSONLines[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if getattr(self, "_closed", True) is False:
            close_later(self.response)
