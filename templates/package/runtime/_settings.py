"""A client's settings: options checked, credentials and base URL from the arguments or the
environment, the default target, and which LowCodeAPI URL format to try first."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._errors import MissingCredentialsError
from ._provider import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DIRECT_BASE_URL,
    DIRECT_BASE_URL_ENV,
    DIRECT_UNCONFIGURED,
    LOWCODEAPI_BASE_URL,
    PACKAGE_NAME,
    TOKEN_ENV,
)
from ._redact import checked_headers, checked_secret, display_url
from ._types import TimeoutTypes
from ._urls import check_base_url

if TYPE_CHECKING:
    from ._urls import Route

__all__ = [
    "ClientSettings",
    "checked_max_retries",
    "checked_timeout",
    "FormatMemory",
    "default_target",
    "format_order",
    "remember_format",
    "resolve_settings",
]

logger = logging.getLogger(PACKAGE_NAME)

TARGETS = ("lowcodeapi", "direct")
URL_FORMATS = ("auto", "new", "old")


@dataclass(frozen=True)
class ClientSettings:
    """A client's resolved configuration (credentials included; never printed)."""

    target: str
    base_url: str
    api_token: str | None
    api_key: str | None
    url_format: str
    max_retries: int
    timeout: TimeoutTypes
    default_headers: Mapping[str, str | None]  # None: drop that header

    def __repr__(self) -> str:
        return f"ClientSettings(target={self.target!r}, base_url={display_url(self.base_url)!r})"


def default_target(api_token: str | None, api_key: str | None) -> str:
    """The target when none is chosen (the client's and the CLI's one rule): ``"direct"`` when only
    an API key is known (argument or environment variable), else ``"lowcodeapi"``."""
    return "direct" if api_key and not api_token and not DIRECT_UNCONFIGURED else "lowcodeapi"


def checked_max_retries(value: object, source: str = "max_retries") -> int:
    """``value`` if it is a whole number of retries (0 or more); TypeError or ValueError otherwise
    (``nan`` or ``inf`` would retry forever, ``2.5`` means nothing)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{source} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{source} must be 0 or more")
    return value


def _seconds(value: object, source: str) -> None:
    if value is None:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(
            f"{source} must be seconds (a number), an httpx.Timeout or None,"
            f" not {type(value).__name__}"
        )
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{source} must be a finite number of seconds, 0 or more: {value!r}")


def checked_timeout(value: TimeoutTypes, source: str = "timeout") -> TimeoutTypes:
    """``value`` if it is None, a finite number of seconds (0 or more) or an ``httpx.Timeout`` of
    such; TypeError or ValueError otherwise, before the socket layer fails on it mid-call."""
    parts = ("connect", "read", "write", "pool")
    if all(hasattr(value, part) for part in parts):  # an httpx.Timeout (httpx is imported lazily)
        for part in parts:
            _seconds(getattr(value, part), f"{source}.{part}")
    else:
        _seconds(value, source)
    return value


def _credential(given: str | None, name: str, env: str) -> str | None:
    """The argument (surrounding whitespace stripped), else the environment variable; checked either
    way."""
    value = checked_secret(given, name)
    if value is None:
        value = checked_secret(os.environ.get(env), f"the {env} environment variable")
    return value


def resolve_settings(
    *,
    api_token: str | None,
    api_key: str | None,
    target: str | None,
    base_url: str | None,
    url_format: str,
    max_retries: int,
    timeout: TimeoutTypes,
    default_headers: Mapping[str, str] | None,
) -> ClientSettings:
    """Validate constructor options and fill the rest from the environment and the defaults.

    Credentials that could not be sent (control or non-ASCII characters, absurd length) raise
    ``ValueError`` here, without their value, rather than an httpx error that quotes them later.
    """
    if target is not None and target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, not {target!r}")
    if url_format not in URL_FORMATS:
        raise ValueError(f"url_format must be one of {URL_FORMATS}, not {url_format!r}")
    checked_max_retries(max_retries)
    checked_timeout(timeout)
    api_token = _credential(api_token, "api_token", TOKEN_ENV)
    api_key = _credential(api_key, "api_key", API_KEY_ENV)
    target = target or default_target(api_token, api_key)
    headers = checked_headers(default_headers, "default_headers")
    if target == "lowcodeapi":
        if not api_token:
            raise MissingCredentialsError(
                f"No LowCodeAPI token: pass api_token=... or set the {TOKEN_ENV} environment"
                " variable."
            )
        base = base_url or os.environ.get(BASE_URL_ENV) or LOWCODEAPI_BASE_URL
    else:
        if DIRECT_UNCONFIGURED:
            raise ValueError(f"target='direct' is not available: {DIRECT_UNCONFIGURED}")
        if not api_key:
            raise MissingCredentialsError(
                "No API key for target='direct': pass api_key=... "
                f"or set the {API_KEY_ENV} environment variable."
            )
        base = base_url or os.environ.get(DIRECT_BASE_URL_ENV) or DIRECT_BASE_URL
    return ClientSettings(
        target=target,
        base_url=check_base_url(base),
        api_token=api_token,
        api_key=api_key,
        url_format=url_format,
        max_retries=max_retries,
        timeout=timeout,
        default_headers=headers,
    )


class FormatMemory:
    """Which LowCodeAPI URL format works; shared by a client and its ``with_options`` copies."""

    def __init__(self, current: str) -> None:
        self.current = current


def format_order(
    settings: ClientSettings, memory: FormatMemory, route: Route, path_params: Mapping[str, object]
) -> list[str]:
    """The URL formats to try, in order, for one call."""
    if settings.target == "direct":
        return ["direct"]
    if settings.url_format != "auto":
        return [settings.url_format]
    first = memory.current
    other = "old" if first == "new" else "new"
    # Routes without path parameters look the same in both formats: a second try would repeat the
    # first.
    if route.build(first, path_params)[1:] == route.build(other, path_params)[1:]:
        return [first]
    return [first, other]


def remember_format(memory: FormatMemory, fmt: str, url: str) -> None:
    """Record that ``fmt`` worked, logging (once per change) when it differs from the remembered
    one."""
    if memory.current != fmt:
        memory.current = fmt
        logger.info("LowCodeAPI URL format: switching to %r (it served %s)", fmt, display_url(url))
