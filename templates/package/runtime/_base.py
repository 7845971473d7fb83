"""What the sync and async clients share: configuration, properties, response decoding, retry
waits."""

from __future__ import annotations

import contextlib
import logging
import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    make_status_error,
)
from ._http import (
    FormFile,
    RequestSpec,
    build_request_spec,
    decode_body,
    envelope_headers,
    unwrap_envelope,
)
from ._models import ignore, undeclared
from ._pagination import PageInfo
from ._provider import PACKAGE_NAME
from ._redact import display_url, install_log_redaction, redact, redact_value
from ._responses import invalid_answer, json_answer, page_answer
from ._retry import retry_delay
from ._settings import ClientSettings, FormatMemory, checked_max_retries
from ._styles import EncodedText
from ._types import NotGiven, RequestOptions, TimeoutTypes

if TYPE_CHECKING:
    import asyncio
    from typing import TypeAlias

    import httpx

    from ._urls import Route
else:
    from ._lazy import httpx

__all__ = ["DEFAULT_OPTIONS", "CallArgs", "ClientBase", "build_request"]

logger = logging.getLogger(PACKAGE_NAME)

DEFAULT_OPTIONS = RequestOptions()
JSON = "application/json"
EVENT_STREAM = "text/event-stream"
ANY = "*/*"
CHUNK_SIZE = 64 * 1024

PathArg: TypeAlias = "str | os.PathLike[str]"


@dataclass(frozen=True)
class CallArgs:
    """The caller's side of one call: everything but the route and the URL format."""

    path_params: Mapping[str, object] | None
    query: Mapping[str, object] | None
    body: object
    files: list[FormFile] | None  # read once per call (see prepare_files)
    options: RequestOptions
    headers: Mapping[str, object] | None  # header parameters, styled by the route


def identity(value: Any) -> Any:
    """The raw value (a cast that keeps JSON as it is)."""
    return value


def retryable() -> tuple[type[httpx.HTTPError], ...]:
    """Failures worth another attempt; anything else httpx raises (a bad URL, a decoding error)
    would fail again. A function, not a constant: httpx is imported on first use."""
    return (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _scrub(exc: BaseException, request: httpx.Request) -> None:
    """Mask credentials in ``exc`` and the exceptions behind it: raised in its handler, our error
    keeps it as ``__context__``, where its args and its request (URL with ``api_token``,
    ``x-api-key`` header) show.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact(a) if isinstance(a, str) else a for a in current.args)
        if isinstance(current, httpx.HTTPError):
            current.request = httpx.Request(request.method, display_url(request.url))
        current = current.__cause__ or current.__context__


def connection_error(exc: Exception, request: httpx.Request) -> APIConnectionError:
    """Our error for an httpx failure; neither it nor the httpx error it replaces (its context)
    carries the credentials that the request holds."""
    _scrub(exc, request)
    url = display_url(request.url)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out: {request.method} {url}", url=url)
    detail = redact(str(exc)) or type(exc).__name__
    return APIConnectionError(f"Connection error: {request.method} {url}: {detail}", url=url)


def build_request(http: httpx.Client | httpx.AsyncClient, spec: RequestSpec) -> httpx.Request:
    """httpx's request for ``spec``. A value that httpx cannot encode (a URL too long, a header it
    refuses) raises ``ValueError`` with a masked message: httpx's own error would quote the
    value."""
    url, pairs = spec.url, tuple(spec.params)
    params: tuple[tuple[str, str], ...] | None = pairs
    if any(isinstance(value, EncodedText) for _, value in pairs):  # httpx would encode it again
        url += "?" + "&".join(
            f"{quote_plus(k)}={v if isinstance(v, EncodedText) else quote_plus(v)}"
            for k, v in pairs
        )
        params = None
    try:
        return http.build_request(
            spec.method,
            url,
            params=params,
            headers=spec.headers,
            json=spec.json,
            data=spec.data,
            files=spec.files,
            content=spec.content,
            timeout=spec.timeout,
        )
    except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
        detail = redact(str(exc)) or type(exc).__name__
        raise ValueError(
            f"Cannot build the request {spec.method} {display_url(spec.url)}: {detail}"
        ) from None


_PENDING_CLOSES: set[asyncio.Task[None]] = set()


def close_later(response: httpx.Response) -> None:
    """Best effort from ``__del__``: schedule ``aclose`` on the running loop, if there is one."""
    import asyncio  # only async users reach this, and they have imported asyncio already

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    task = loop.create_task(response.aclose())
    _PENDING_CLOSES.add(task)
    task.add_done_callback(_PENDING_CLOSES.discard)


def open_temp(path: PathArg) -> tuple[str, str, int]:
    """(target, temp path beside it, open descriptor) for an atomic write."""
    import tempfile  # here, not at the top: `import PKG` stays fast (downloads to a file are rare)

    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(
        prefix="." + os.path.basename(target) + ".", suffix=".part", dir=folder
    )
    return target, temp, fd


def finish_temp(target: str, temp: str) -> None:
    """Move the finished temp file over the target (keeping the target's permissions if it
    existed)."""
    mode = os.stat(target).st_mode & 0o777 if os.path.exists(target) else 0o644
    os.chmod(temp, mode)
    os.replace(temp, target)


def discard_temp(temp: str) -> None:
    """Remove a temp file left by a failed download."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


class ClientBase:
    """Configuration and response decoding that the sync and async clients share."""

    _settings: ClientSettings
    _formats: FormatMemory
    _random: Callable[[], float]

    def _configure(self, settings: ClientSettings) -> None:
        self._settings = settings
        self._formats = FormatMemory("old" if settings.url_format == "old" else "new")
        self._random = random.random
        install_log_redaction()

    @property
    def target(self) -> str:
        """``"lowcodeapi"`` (through the proxy) or ``"direct"`` (api.anthropic.com)."""
        return self._settings.target

    @property
    def base_url(self) -> str:
        """The URL that every route path is appended to."""
        return self._settings.base_url

    @property
    def url_format(self) -> str:
        """The URL format in use now: ``"new"`` or ``"old"`` through LowCodeAPI, ``"direct"``
        otherwise."""
        if self._settings.target == "direct":
            return "direct"
        if self._settings.url_format != "auto":
            return self._settings.url_format
        return self._formats.current

    @property
    def max_retries(self) -> int:
        """How many times a failed call is retried."""
        return self._settings.max_retries

    @property
    def timeout(self) -> TimeoutTypes:
        """The default timeout of every call."""
        return self._settings.timeout

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(target={self.target!r},"
            f" base_url={display_url(self.base_url)!r}, url_format={self.url_format!r})"
        )

    def _copy_kwargs(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments for a copy of this client with ``overrides`` (NOT_GIVEN = keep)
        applied."""
        s = self._settings
        given = {k: v for k, v in overrides.items() if not isinstance(v, NotGiven)}
        kwargs: dict[str, Any] = {
            "api_token": s.api_token,
            "api_key": s.api_key,
            "target": s.target,
            "base_url": s.base_url,
            "url_format": s.url_format,
            "max_retries": s.max_retries,
            "timeout": s.timeout,
        }
        if given.get("target", s.target) != s.target and "base_url" not in given:
            kwargs["base_url"] = None  # the other target's default, not this one's URL
        kwargs.update(given)
        kwargs["default_headers"] = {**s.default_headers, **(given.get("default_headers") or {})}
        return kwargs

    def _share_state(self, copy: ClientBase) -> None:
        """Let a ``with_options`` copy share what this client learnt (the working URL format)."""
        copy._random = self._random
        mine, theirs = self._settings, copy._settings
        if (mine.target, mine.base_url, mine.url_format) == (
            theirs.target,
            theirs.base_url,
            theirs.url_format,
        ):
            copy._formats = self._formats

    def _spec(
        self, route: Route, fmt: str, call: CallArgs, *, stream: bool, accept: str
    ) -> RequestSpec:
        return build_request_spec(
            self._settings,
            route,
            fmt,
            path_params=call.path_params,
            query=call.query,
            body=call.body,
            files=call.files,
            options=call.options,
            headers=call.headers,
            accept=accept if accept == EVENT_STREAM or not route.accept else route.accept,
            stream=stream,
        )

    def _retries_for(self, options: RequestOptions) -> int:
        return (
            self._settings.max_retries
            if isinstance(options.max_retries, NotGiven)
            else checked_max_retries(options.max_retries)
        )

    def _decode(self, response: httpx.Response) -> Any:
        """The response body as JSON (or text), without the LowCodeAPI envelope."""
        value = decode_body(response.content, response.headers.get("content-type", ""))
        return unwrap_envelope(value) if self._settings.target == "lowcodeapi" else value

    def _answer(self, response: httpx.Response, cast: Callable[[Any], Any]) -> Any:
        """The JSON value that ``cast`` declares; APIResponseValidationError for any other answer.

        Operations that declare no body (``ignore``) or no success answer at all (``undeclared``)
        take whatever comes, as before.
        """
        if cast is ignore or cast is undeclared:
            return self._decode(response)
        return json_answer(response, cast, unwrap=self._settings.target == "lowcodeapi")

    def _page_answer(self, response: httpx.Response, item_cast: Callable[[Any], Any]) -> PageInfo:
        """A list answer's page (see ``page_answer``)."""
        return page_answer(response, item_cast, unwrap=self._settings.target == "lowcodeapi")

    @staticmethod
    def _error_body(response: httpx.Response) -> Any:
        return decode_body(response.content, response.headers.get("content-type", ""))

    def _delay(
        self, retries_taken: int, response: httpx.Response | None, body: Any, request: httpx.Request
    ) -> float:
        """How long to wait before the next attempt (logged)."""
        headers = response.headers if response is not None else None
        delay = retry_delay(retries_taken, headers, envelope_headers(body), self._random())
        why = f"HTTP {response.status_code}" if response is not None else "a connection failure"
        logger.info(
            "Retrying %s %s in %.2f s after %s",
            request.method,
            display_url(request.url),
            delay,
            why,
        )
        return delay

    @staticmethod
    def _status_error(response: httpx.Response, body: Any) -> APIStatusError:
        err = make_status_error(
            response.status_code, body, response.headers, reason=response.reason_phrase
        )
        cleaned = redact(err.message)  # a proxy's message might echo the URL it was called with
        if cleaned != err.message:
            err.message, err.args = cleaned, (cleaned,)
        err.body = redact_value(err.body)  # and so might its body
        return err

    @staticmethod
    def _is_wrapped_stream(response: httpx.Response) -> bool:
        """Whether an event stream came back inside JSON (a buffering proxy) rather than as
        ``text/event-stream``."""
        content_type = response.headers.get("content-type", "")
        return EVENT_STREAM not in content_type and "json" in content_type

    def _unwrap_stream(self, response: httpx.Response) -> bytes:
        """The event-stream text inside a JSON-wrapped response that has been read."""
        value = self._decode(response)
        if isinstance(value, str):
            return value.encode("utf-8")
        raise invalid_answer(response, "a JSON body where an event stream is expected")
