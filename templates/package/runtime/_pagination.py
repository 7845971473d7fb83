"""List pages of both styles, and iteration over every item of every page.

Cursor pages (``{"data", "has_more", "first_id", "last_id"}``; the next page is asked for with
``after_id``) and token pages (``{"data", "next_page"}``; the next page is asked for with ``page``,
as the managed-agents lists do). The page itself says which style it is, so one reader serves both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import (
    Any,
    Generic,
    TypeVar,
)

from ._errors import APIError
from ._types import NotGiven

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage", "next_page_query", "parse_page"]

T = TypeVar("T")


class PageInfo:
    """The cursor fields of one page, read from its raw JSON."""

    __slots__ = ("first_id", "has_more", "items", "last_id", "next_page")

    def __init__(
        self,
        items: list[Any],
        has_more: bool,
        first_id: str | None,
        last_id: str | None,
        next_page: str | None = None,
    ) -> None:
        self.items = items
        self.has_more = has_more
        self.first_id = first_id
        self.last_id = last_id
        self.next_page = next_page  # the token of a token page; None on cursor pages and at the end


def _item_id(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("id", "user_id"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return None


def parse_page(raw: Any) -> PageInfo:
    """Read a list response: a cursor page ``{"data": [...], "has_more", ...}``, a token page
    ``{"data": [...], "next_page": "..."}`` or a bare list.

    A bare list (what is left of the seed's ``{"data": [...]}`` once unwrapped) is one page with no
    more.
    """
    next_page: str | None = None
    if isinstance(raw, list):
        items: list[Any] = raw
        has_more = False
        first_id = last_id = None
    elif isinstance(raw, dict) and isinstance(raw.get("data"), list):
        items = raw["data"]
        token = raw.get("next_page")
        next_page = token if isinstance(token, str) and token else None
        has_more = raw.get("has_more") is True or next_page is not None
        first_id = raw.get("first_id") if isinstance(raw.get("first_id"), str) else None
        last_id = raw.get("last_id") if isinstance(raw.get("last_id"), str) else None
    else:
        raise APIError(f"Expected a list response, got {type(raw).__name__}.")
    if items:
        first_id = first_id or _item_id(items[0])
        last_id = last_id or _item_id(items[-1])
    return PageInfo(items, has_more, first_id, last_id, next_page)


def next_page_query(query: Mapping[str, object] | None, info: PageInfo) -> dict[str, object] | None:
    """The query for the page after ``info`` (``before_id`` paging walks backwards), or None at the
    end."""
    if not info.has_more or not info.items:
        return None
    params = {
        k: v for k, v in (query or {}).items() if not isinstance(v, NotGiven) and v is not None
    }
    if info.next_page is not None:  # a token page: the server names the next page itself
        params["page"] = info.next_page
        return params
    if "before_id" in params and "after_id" not in params:
        if info.first_id is None:
            return None
        params["before_id"] = info.first_id
    else:
        if info.last_id is None:
            return None
        params.pop("before_id", None)
        params["after_id"] = info.last_id
    return params


class SyncPage(Generic[T]):
    """One page of a list; iterating it walks every item of this page and the pages after it."""

    data: list[T]
    has_more: bool
    first_id: str | None
    last_id: str | None

    def __init__(
        self,
        info: PageInfo,
        item_cast: Callable[[Any], T],
        fetch: Callable[[dict[str, object]], SyncPage[T]],
        query: Mapping[str, object] | None = None,
    ) -> None:
        self.data = [item_cast(item) for item in info.items]
        self.has_more = info.has_more
        self.first_id = info.first_id
        self.last_id = info.last_id
        self._token = info.next_page
        self._next_query = next_page_query(query, info)
        self._fetch = fetch

    def has_next_page(self) -> bool:
        """Whether another page follows this one."""
        return self._next_query is not None

    def _loop_key(self) -> object:
        """What a server that sends the same page again repeats: its token, else its cursors."""
        return self._token or (self.first_id, self.last_id)

    def next_page(self) -> SyncPage[T] | None:
        """Fetch the following page, or None when this is the last."""
        if self._next_query is None:
            return None
        return self._fetch(self._next_query)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page and every page after it."""
        page: SyncPage[T] | None = self
        seen: set[object] = set()
        while page is not None:
            yield page
            # A server that repeats a cursor would make this loop forever.
            key = page._loop_key()
            if key in seen:
                return
            seen.add(key)
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more},"
            f" last_id={self.last_id!r})"
        )


class AsyncPage(Generic[T]):
    """One page of an async list; ``async for`` walks every item of this page and the pages after
    it."""

    data: list[T]
    has_more: bool
    first_id: str | None
    last_id: str | None

    def __init__(
        self,
        info: PageInfo,
        item_cast: Callable[[Any], T],
        fetch: Callable[[dict[str, object]], Awaitable[AsyncPage[T]]],
        query: Mapping[str, object] | None = None,
    ) -> None:
        self.data = [item_cast(item) for item in info.items]
        self.has_more = info.has_more
        self.first_id = info.first_id
        self.last_id = info.last_id
        self._token = info.next_page
        self._next_query = next_page_query(query, info)
        self._fetch = fetch

    def has_next_page(self) -> bool:
        """Whether another page follows this one."""
        return self._next_query is not None

    def _loop_key(self) -> object:
        """What a server that sends the same page again repeats: its token, else its cursors."""
        return self._token or (self.first_id, self.last_id)

    async def next_page(self) -> AsyncPage[T] | None:
        """Fetch the following page, or None when this is the last."""
        if self._next_query is None:
            return None
        return await self._fetch(self._next_query)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page and every page after it."""
        page: AsyncPage[T] | None = self
        seen: set[object] = set()
        while page is not None:
            yield page
            key = page._loop_key()
            if key in seen:
                return
            seen.add(key)
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more},"
            f" last_id={self.last_id!r})"
        )


class AsyncPaginator(Generic[T]):
    """What an async list method returns: ``await`` it for the first page, ``async for`` it for
    every item."""

    def __init__(self, fetch_first: Callable[[], Awaitable[AsyncPage[T]]]) -> None:
        self._fetch_first = fetch_first

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._fetch_first().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._fetch_first()
        async for item in page:
            yield item

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """Every page, from the first."""
        page = await self._fetch_first()
        async for each in page.iter_pages():
            yield each
