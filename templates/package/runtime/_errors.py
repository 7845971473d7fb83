"""The exception tree, and how to build the right exception from a response or a stream's error
event."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "MissingCredentialsError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "UnprocessableEntityError",
    "error_class_for_status",
    "error_from_event",
    "is_router_not_found",
    "loads_json",
    "unrouted_error",
    "make_status_error",
]

_MAX_TEXT_MESSAGE = 500


class APIError(Exception):
    """Base class of every error this client raises."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class MissingCredentialsError(APIError):
    """The client was built without the credential its target needs."""


class APIConnectionError(APIError):
    """The request never got a complete response: connection refused, dropped, or a cut stream."""

    url: str | None

    def __init__(self, message: str = "Connection error.", *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class APITimeoutError(APIConnectionError):
    """The request took longer than its timeout."""

    def __init__(self, message: str = "Request timed out.", *, url: str | None = None) -> None:
        super().__init__(message, url=url)


class APIResponseValidationError(APIError):
    """A successful (2xx) answer that is not what the operation declares: HTML, truncated JSON, an
    empty body, or a value of another shape (a string where an object is expected).

    ``body`` is the answer's text (credentials masked), so that a caller can see what came back.
    """

    status_code: int
    body: object
    url: str | None

    def __init__(
        self, message: str, *, status_code: int, body: object = None, url: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.url = url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code})"


class APIStatusError(APIError):
    """The server answered with an error status (or a stream sent an ``error`` event)."""

    status_code: int
    error_type: str | None
    request_id: str | None
    body: object

    def __init__(
        self,
        status_code: int,
        error_type: str | None,
        message: str,
        request_id: str | None = None,
        body: object = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_type = error_type
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        head = f"{self.status_code} {self.error_type}" if self.error_type else str(self.status_code)
        tail = f" (request_id {self.request_id})" if self.request_id else ""
        return f"{head}: {self.message}{tail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class BadRequestError(APIStatusError):
    """HTTP 400: the request was malformed (``invalid_request_error``)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the token or key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the credential may not do this."""


class NotFoundError(APIStatusError):
    """HTTP 404: no such resource (or, from the proxy's router, no such route)."""


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the resource's state."""


class RequestTooLargeError(APIStatusError):
    """HTTP 413: the request body is too large."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was well formed but could not be processed."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests."""


class OverloadedError(APIStatusError):
    """HTTP 529: the API is temporarily overloaded."""


class InternalServerError(APIStatusError):
    """Any other HTTP status of 500 and above."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: RequestTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    529: OverloadedError,
}

# What an Anthropic error type means when it arrives without an HTTP status (in an SSE ``error``
# event).
_STATUS_BY_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def error_class_for_status(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    cls = _BY_STATUS.get(status_code)
    if cls is not None:
        return cls
    return InternalServerError if status_code >= 500 else APIStatusError


def loads_json(data: str | bytes) -> Any:
    """``json.loads`` for what a server sent: a document nested too deep for the parser (``[[[...``)
    raises ``ValueError`` like any other bad JSON, never ``RecursionError``."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply to decode") from None


def _as_dict(value: object) -> dict[str, Any] | None:
    """``value`` as a dict, decoding a JSON object that arrived as a string."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = loads_json(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _anthropic_error(body: dict[str, Any]) -> tuple[str | None, str | None, str | None] | None:
    """(type, message, request_id) from ``{"type": "error", "error": {"type", "message"}}``, if it
    is one."""
    inner = _as_dict(body.get("error"))
    if inner is None or not ("type" in inner or "message" in inner) or "error" in inner:
        return None
    err_type = inner.get("type")
    message = inner.get("message")
    request_id = body.get("request_id")
    return (
        err_type if isinstance(err_type, str) else None,
        message if isinstance(message, str) else None,
        request_id if isinstance(request_id, str) else None,
    )


def _describe_body(body: object) -> tuple[str | None, str | None, str | None]:
    """(type, message, request_id) from a bare Anthropic error, the LowCodeAPI envelope, or plain
    text."""
    data = _as_dict(body)
    if data is None:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        if isinstance(text, str) and text.strip():
            return None, text.strip()[:_MAX_TEXT_MESSAGE], None
        return None, None, None
    found = _anthropic_error(data)
    if found is None:
        # The LowCodeAPI envelope: {"message", "provider", "error": <upstream body>, "headers"}.
        upstream = _as_dict(data.get("error"))
        if upstream is not None:
            found = _anthropic_error(upstream)
    envelope_message = data.get("message")
    if found is not None:
        err_type, message, request_id = found
        if message is None and isinstance(envelope_message, str):
            message = envelope_message
        return err_type, message, request_id
    if isinstance(envelope_message, str):
        return None, envelope_message, None
    if isinstance(data.get("error"), str):
        return None, str(data["error"]), None
    return None, None, None


def _header(headers: Mapping[str, Any] | None, *names: str) -> str | None:
    """The first of ``names`` present in ``headers`` (case-insensitive), as a string."""
    if not headers:
        return None
    lowered = {str(k).lower(): v for k, v in headers.items()}
    for name in names:
        value = lowered.get(name)
        if isinstance(value, list) and value:
            value = value[0]
        if value is not None:
            return str(value)
    return None


def make_status_error(
    status_code: int,
    body: object,
    headers: Mapping[str, Any] | None = None,
    *,
    reason: str = "",
) -> APIStatusError:
    """The right ``APIStatusError`` subclass for an error response; ``body`` is its parsed JSON or
    text."""
    err_type, message, request_id = _describe_body(body)
    if request_id is None:
        request_id = _header(headers, "request-id", "x-request-id")
    if request_id is None:
        data = _as_dict(body)
        envelope_headers = data.get("headers") if data is not None else None
        if isinstance(envelope_headers, Mapping):
            request_id = _header(envelope_headers, "request-id", "x-request-id")
    if not message:
        message = reason or f"HTTP {status_code}"
    cls = error_class_for_status(status_code)
    return cls(status_code, err_type, message, request_id, body)


def error_from_event(data: object) -> APIStatusError:
    """The exception for an SSE ``error`` event's data, with the status its ``error.type`` maps
    to."""
    err_type, message, request_id = _describe_body(data)
    status = _STATUS_BY_TYPE.get(err_type or "", 500)
    cls = error_class_for_status(status)
    return cls(status, err_type, message or "stream error", request_id, data)


def unrouted_error(operation: str, error: APIStatusError) -> APIStatusError:
    """The router 404 for an operation LowCodeAPI's snapshot lacks, said as what it means."""
    message = (
        f"LowCodeAPI does not route {operation} (its router answered 404 Not Found in every URL"
        ' format); target="direct" calls the provider\'s own API, which does.'
    )
    return NotFoundError(404, error.error_type, message, error.request_id, error.body)


def is_router_not_found(error: APIError) -> bool:
    """Whether ``error`` is the proxy router's ``404 {"message": "Not Found"}`` (not an API
    ``not_found_error``)."""
    return (
        isinstance(error, APIStatusError)
        and error.status_code == 404
        and isinstance(error.body, dict)
        and error.body == {"message": "Not Found"}
    )
