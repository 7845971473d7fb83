"""When a failed call is retried, and how long the client waits first."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
else:
    from ._lazy import httpx

__all__ = ["retry_delay", "server_delay", "should_retry"]

MAX_SERVER_DELAY = 60.0
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0


def _lookup(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    if isinstance(headers, httpx.Headers):
        value: str | None = headers.get(name)
        return value
    for key, value in headers.items():
        if str(key).lower() == name:
            if isinstance(value, list):
                value = value[0] if value else None
            return None if value is None else str(value)
    return None


def should_retry(
    status_code: int, headers: Mapping[str, Any] | None, body_headers: Mapping[str, Any] | None
) -> bool:
    """Whether a response with this status is worth another attempt (``x-should-retry`` decides
    first)."""
    verdict = _lookup(headers, "x-should-retry") or _lookup(body_headers, "x-should-retry")
    if verdict is not None and verdict.strip().lower() in ("true", "false"):
        return verdict.strip().lower() == "true"
    return status_code in (408, 409, 429) or status_code >= 500


def server_delay(headers: Mapping[str, Any] | None) -> float | None:
    """The wait that ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date) asks for, if 0..60
    s."""
    delay: float | None = None
    millis = _lookup(headers, "retry-after-ms")
    if millis is not None:
        try:
            delay = float(millis) / 1000.0
        except ValueError:
            delay = None
    after = _lookup(headers, "retry-after")
    if delay is None and after is not None:
        try:
            delay = float(after)
        except ValueError:
            import email.utils  # here: `import PKG` stays fast (an HTTP date is rare)

            parsed = email.utils.parsedate_tz(after)
            if parsed is not None:
                try:
                    delay = email.utils.mktime_tz(parsed) - time.time()
                except (OverflowError, ValueError):  # a date beyond what the platform can count
                    delay = None
    if delay is not None and 0.0 <= delay <= MAX_SERVER_DELAY:
        return delay
    return None


def retry_delay(
    retries_taken: int,
    headers: Mapping[str, Any] | None,
    body_headers: Mapping[str, Any] | None,
    random_value: float,
) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``.

    A delay the server gives is waited in full; otherwise 0.5 s x 2^n, capped at 8 s, less up to 25
    % jitter.
    """
    given = server_delay(headers)
    if given is None:
        given = server_delay(body_headers)
    if given is not None:
        return given
    backoff = min(INITIAL_BACKOFF * (2.0**retries_taken), MAX_BACKOFF)
    return backoff * (1.0 - 0.25 * random_value)
