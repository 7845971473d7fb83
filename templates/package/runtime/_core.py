"""The base clients that generated resources call: routes in, typed results out."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ._async_core import AsyncAPIClient, AsyncResource
from ._base import (
    ANY,
    CHUNK_SIZE,
    DEFAULT_OPTIONS,
    EVENT_STREAM,
    JSON,
    CallArgs,
    ClientBase,
    PathArg,
    build_request,
    connection_error,
    discard_temp,
    finish_temp,
    open_temp,
    retryable,
)
from ._errors import APIStatusError, is_router_not_found, unrouted_error
from ._http import envelope_headers, prepare_files
from ._jsonlines import JSONLines
from ._pagination import SyncPage
from ._retry import should_retry
from ._settings import format_order, remember_format, resolve_settings
from ._streaming import Stream
from ._types import NOT_GIVEN, NotGiven, RequestOptions, Target, TimeoutTypes, URLFormat

if TYPE_CHECKING:  # type checkers only (3.11+): at run time the package needs nothing beyond httpx
    from typing import Self

    import httpx

    from ._urls import Route
else:
    from ._lazy import httpx

__all__ = ["AsyncAPIClient", "AsyncResource", "SyncAPIClient", "SyncResource"]

T = TypeVar("T")
F = TypeVar("F")


class SyncAPIClient(ClientBase):
    """The synchronous base client: URL formats, envelopes, retries and errors for every call."""

    def __init__(
        self,
        *,
        api_token: str | None = None,
        api_key: str | None = None,
        target: Target | None = None,  # None: default_target (direct when only a key is known)
        base_url: str | None = None,
        url_format: URLFormat = "auto",
        max_retries: int = 2,
        timeout: TimeoutTypes = 600.0,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._configure(
            resolve_settings(
                api_token=api_token,
                api_key=api_key,
                target=target,
                base_url=base_url,
                url_format=url_format,
                max_retries=max_retries,
                timeout=timeout,
                default_headers=default_headers,
            )
        )
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)
        self._owns_http = http_client is None
        self._sleep: Callable[[float], None] = time.sleep

    def with_options(
        self,
        *,
        api_token: str | NotGiven = NOT_GIVEN,
        api_key: str | NotGiven = NOT_GIVEN,
        target: Target | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        url_format: URLFormat | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        http_client: httpx.Client | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A copy of this client with some options changed; it shares the connection pool."""
        kwargs = self._copy_kwargs(
            {
                "api_token": api_token,
                "api_key": api_key,
                "target": target,
                "base_url": base_url,
                "url_format": url_format,
                "max_retries": max_retries,
                "timeout": timeout,
                "default_headers": default_headers,
            }
        )
        kwargs["http_client"] = self._http if isinstance(http_client, NotGiven) else http_client
        copy = type(self)(**kwargs)
        copy._sleep = self._sleep
        self._share_state(copy)
        return copy

    copy = with_options

    def close(self) -> None:
        """Close the connection pool, if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------
    # sending

    def _send(self, route: Route, call: CallArgs, *, stream: bool, accept: str) -> httpx.Response:
        """The successful response to ``call``, after URL-format fallback and retries."""
        order = format_order(self._settings, self._formats, route, call.path_params or {})
        for position, fmt in enumerate(order):
            try:
                response = self._send_with_retries(route, fmt, call, stream=stream, accept=accept)
            except APIStatusError as err:
                if not is_router_not_found(err):
                    raise
                if position + 1 < len(order):
                    continue
                if not route.lowcodeapi_routed and fmt != "direct":
                    raise unrouted_error(route.name, err) from err
                raise
            if len(order) > 1:
                remember_format(self._formats, fmt, str(response.request.url))
            return response
        raise AssertionError("no URL format to try")

    def _send_with_retries(
        self, route: Route, fmt: str, call: CallArgs, *, stream: bool, accept: str
    ) -> httpx.Response:
        retries = self._retries_for(call.options)
        retries_taken = 0
        while True:
            spec = self._spec(route, fmt, call, stream=stream, accept=accept)
            request = build_request(self._http, spec)
            try:
                response = self._http.send(request, stream=stream)
                if response.status_code >= 400 and stream:
                    response.read()
            except retryable() as exc:
                if retries_taken >= retries:
                    raise connection_error(exc, request) from None
                self._sleep(self._delay(retries_taken, None, None, request))
                retries_taken += 1
                continue
            except httpx.HTTPError as exc:
                raise connection_error(exc, request) from None
            if response.status_code < 400:
                return response
            response.close()
            body = self._error_body(response)
            if retries_taken < retries and should_retry(
                response.status_code, response.headers, envelope_headers(body)
            ):
                self._sleep(self._delay(retries_taken, response, body, request))
                retries_taken += 1
                continue
            raise self._status_error(response, body)

    # ------------------------------------------------------------------ what generated resources
    # call

    def _request_json(
        self,
        route: Route,
        cast: Callable[[Any], T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        files: Mapping[str, object] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
        headers: Mapping[str, object] | None = None,
    ) -> T:
        """Call ``route``; return its JSON response, unwrapped from any envelope, through
        ``cast``."""
        call = CallArgs(path_params, query, body, prepare_files(files), options, headers)
        return cast(self._answer(self._send(route, call, stream=False, accept=JSON), cast))

    def _request_bytes(
        self,
        route: Route,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        files: Mapping[str, object] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
        headers: Mapping[str, object] | None = None,
    ) -> bytes:
        """Call ``route``; return its raw body (a file download)."""
        call = CallArgs(path_params, query, body, prepare_files(files), options, headers)
        return self._send(route, call, stream=False, accept=ANY).content

    def _request_to_file(
        self,
        route: Route,
        path: PathArg,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        files: Mapping[str, object] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
        headers: Mapping[str, object] | None = None,
    ) -> int:
        """Stream ``route``'s body into ``path`` atomically (a temp file beside it); return the byte
        count."""
        call = CallArgs(path_params, query, body, prepare_files(files), options, headers)
        response = self._send(route, call, stream=True, accept=ANY)
        written = 0
        try:
            target, temp, fd = open_temp(path)
            try:
                with os.fdopen(fd, "wb") as handle:
                    for chunk in response.iter_bytes(CHUNK_SIZE):
                        handle.write(chunk)
                        written += len(chunk)
                finish_temp(target, temp)
            except BaseException:
                discard_temp(temp)
                raise
        except httpx.HTTPError as exc:
            raise connection_error(exc, response.request) from None
        finally:
            response.close()
        return written

    def _request_stream(
        self,
        route: Route,
        event_cast: Callable[[Any], T],
        final_cast: Callable[[Any], F],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        options: RequestOptions = DEFAULT_OPTIONS,
        headers: Mapping[str, object] | None = None,
    ) -> Stream[T, F]:
        """Call ``route`` with ``"stream": true``; return its server-sent events through
        ``event_cast``."""
        call = CallArgs(path_params, query, body, None, options, headers)
        response = self._send(route, call, stream=True, accept=EVENT_STREAM)
        prefetched = None
        if self._is_wrapped_stream(response):
            try:
                response.read()
            except httpx.HTTPError as exc:
                raise connection_error(exc, response.request) from None
            finally:
                response.close()
            prefetched = self._unwrap_stream(response)
        return Stream(response, event_cast, final_cast, prefetched=prefetched)

    def _request_jsonl(
        self,
        route: Route,
        line_cast: Callable[[Any], T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
        headers: Mapping[str, object] | None = None,
    ) -> JSONLines[T]:
        """Call ``route``; iterate its JSON Lines body, one value per line through ``line_cast``."""
        call = CallArgs(path_params, query, None, None, options, headers)
        response = self._send(route, call, stream=True, accept=ANY)
        return JSONLines(response, line_cast, unwrap=self._settings.target == "lowcodeapi")

    def _request_page(
        self,
        route: Route,
        item_cast: Callable[[Any], T],
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
        headers: Mapping[str, object] | None = None,
    ) -> SyncPage[T]:
        """Call a list ``route``; return its first page, which fetches the following ones on
        demand."""
        call = CallArgs(path_params, query, None, None, options, headers)
        info = self._page_answer(self._send(route, call, stream=False, accept=JSON), item_cast)

        def fetch(next_query: dict[str, object]) -> SyncPage[T]:
            return self._request_page(
                route,
                item_cast,
                path_params=path_params,
                query=next_query,
                options=options,
                headers=headers,
            )

        return SyncPage(info, item_cast, fetch, query)


class SyncResource:
    """Base of the generated sync resources: holds the client they call through."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client
