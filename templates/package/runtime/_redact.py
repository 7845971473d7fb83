"""Keeping credentials out of messages, reprs and log lines (httpx's and httpcore's included), and
refusing credentials that could not be sent before they reach httpx (whose errors would quote them).

A credential is masked in every spelling it can take on its way out: as given, escaped the way
``repr``, ``bytes`` reprs and JSON write it (``\\n`` as backslash-n), and percent-encoded as in a
URL query.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

from ._provider import PACKAGE_NAME

if TYPE_CHECKING:
    import httpx
else:
    from ._lazy import httpx

__all__ = [
    "MAX_SECRET_LENGTH",
    "checked_headers",
    "checked_secret",
    "display_url",
    "install_log_redaction",
    "redact",
    "redact_value",
    "register_secret",
]

# Real keys are ~100 characters; a longer value is a pasted file, not a key.
MAX_SECRET_LENGTH = 4096
_SECRETS: dict[str, tuple[str, ...]] = {}  # credential -> its spellings, longest first
_TOKEN_RE = re.compile(r"(api_token=)[^&\s'\"<>#]+", re.IGNORECASE)
_KEY_RE = re.compile(r"(x-api-key['\"]?\s*[:=,]\s*b?['\"]?)[^'\"\s,)}\]]+", re.IGNORECASE)
# Header names whose values are credentials (x-api-key, authorization, cookie, x-auth-token, ...).
_SENSITIVE_HEADER_RE = re.compile(
    r"auth|key|token|secret|cookie|password|credential|session", re.IGNORECASE
)
_MASK = "***"
# ``user:password@`` after a URL's scheme, anywhere in a text (httpx logs the URL with it): any
# character a userinfo may hold (sub-delimiters such as ``'`` included), up to the ``@``; whitespace
# and the characters a URL never holds bare end the search, so it cannot run into the next word.
_URL_USERINFO_RE = re.compile(r"([a-z][a-z0-9+.-]*://)[^/?#@\s\"<>]*@", re.IGNORECASE)
# A header name that HTTP/1.1 can carry (RFC 9110's token); anything else would split the header.
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


# -------------------------------------------------------------------------------------------
# checking


def _problem(value: str, *, credential: bool) -> str | None:
    """Why ``value`` cannot be sent (in a header or a query), without quoting it; None when it
    can."""
    if credential and len(value) > MAX_SECRET_LENGTH:
        return f"is {len(value)} characters long (at most {MAX_SECRET_LENGTH})"
    for char in value:
        code = ord(char)
        if code < 0x20 or code == 0x7F:
            return "contains a control character (a line break, a tab or the like)"
        if code > 0x7E:
            return "contains a non-ASCII character"
        if credential and char == " ":
            return "contains a space"
    return None


def checked_secret(value: str | None, source: str) -> str | None:
    """``value`` without surrounding whitespace (None when nothing is left); ``ValueError`` when it
    cannot be sent. Surrounding whitespace is never part of a key: it is what a file or a copy adds
    (``"sk-ant-...\\n"``), so it is stripped rather than refused. The message names ``source``,
    never the value."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{source} must be a string, not {type(value).__name__}")
    register_secret(value)  # as given: whatever happens next, this spelling is masked too
    stripped = value.strip()
    if not stripped:
        return None
    problem = _problem(stripped, credential=True)
    if problem is not None:
        raise ValueError(f"{source} cannot be sent: it {problem}; its value is not shown")
    register_secret(stripped)
    return stripped


def is_sensitive_header(name: str) -> bool:
    """Whether a header of this name carries a credential."""
    return bool(_SENSITIVE_HEADER_RE.search(name))


def checked_headers(headers: Mapping[str, str | None] | None, source: str) -> dict[str, str | None]:
    """``headers`` with surrounding whitespace stripped from each value (no header value has any); a
    value that cannot be sent raises ``ValueError`` naming the header, not the value. Credential
    headers' values are registered for masking (``Bearer KEY``: the key alone too)."""
    checked: dict[str, str | None] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"{source} names must be strings, not {type(name).__name__}")
        if not _HEADER_NAME_RE.fullmatch(name):
            raise ValueError(
                f"{source}: {name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~)"
            )
        if value is None:
            checked[name] = None
            continue
        if not isinstance(value, str):
            raise TypeError(f"{source}[{name!r}] must be a string, not {type(value).__name__}")
        sensitive = is_sensitive_header(name)
        if sensitive:
            register_secret(value)
        value = value.strip()
        problem = _problem(value, credential=False)
        if problem is None and sensitive and len(value) > MAX_SECRET_LENGTH:
            problem = f"is {len(value)} characters long (at most {MAX_SECRET_LENGTH})"
        if problem is not None:
            raise ValueError(
                f"{source}[{name!r}] cannot be sent: it {problem}; its value is not shown"
            )
        if sensitive:
            register_secret(value)
            register_secret(value.rpartition(" ")[2])  # the credential of "Bearer KEY"
        checked[name] = value
    return checked


# -------------------------------------------------------------------------------------------
# masking


def _escaped(text: str) -> set[str]:
    """``text`` as ``repr``, a bytes repr and JSON show it (without the quotes)."""
    return {
        text,
        repr(text)[1:-1],
        repr(text.encode("utf-8", "surrogatepass"))[2:-1],
        text.encode("unicode_escape").decode("ascii"),
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
    }


def _spellings(secret: str) -> tuple[str, ...]:
    """Every way ``secret`` can be written out: escaped (twice, as a repr inside a repr),
    percent-encoded (httpx's query encoding, ``quote`` and ``quote_plus``, hex in either case)."""
    encoded: set[str] = set()
    try:
        encoded |= {quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret, safe="/")}
        query = httpx.URL("http://h/", params={"k": secret}).query.decode("ascii")
        encoded.add(query.partition("=")[2])
    except (httpx.InvalidURL, UnicodeError):  # a value that cannot be encoded is never sent encoded
        pass
    encoded |= {re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), e) for e in encoded}
    spellings: set[str] = set()
    for form in {secret} | encoded:
        for once in _escaped(form):
            spellings |= _escaped(once)
    return tuple(sorted((s for s in spellings if len(s) >= 4), key=len, reverse=True))


def register_secret(value: str | None) -> None:
    """Remember a credential so that ``redact`` masks it, in every spelling, wherever it shows
    up."""
    # An overlong value is refused before it is sent anywhere (checked_secret): nothing to mask.
    if value and 4 <= len(value) <= 2 * MAX_SECRET_LENGTH and value not in _SECRETS:
        _SECRETS[value] = _spellings(value)


def redact(text: str) -> str:
    """``text`` with ``api_token=...``, x-api-key values and every registered credential masked."""
    text = _TOKEN_RE.sub(r"\1" + _MASK, text)
    text = _URL_USERINFO_RE.sub(r"\1" + _MASK + "@", text)
    text = _KEY_RE.sub(r"\1" + _MASK, text)
    for spellings in tuple(
        _SECRETS.values()
    ):  # a copy: another thread may register a client meanwhile
        for spelling in spellings:
            if spelling in text:
                text = text.replace(spelling, _MASK)
    return text


def redact_value(value: Any) -> Any:
    """A JSON value (an error body) with every string in it, keys included, passed through
    ``redact``: a server that echoes the URL it was called with puts ``api_token`` in its body.
    Iterative, so a body nested as deep as the parser allows cannot exhaust the stack."""
    if isinstance(value, str):
        return redact(value)
    if not isinstance(value, (dict, list)):
        return value
    root: Any = {} if isinstance(value, dict) else [None] * len(value)
    pending: list[tuple[Any, Any]] = [(value, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            copy = item
            if isinstance(item, str):
                copy = redact(item)
            elif isinstance(item, dict):
                copy = {}
                pending.append((item, copy))
            elif isinstance(item, list):
                copy = [None] * len(item)
                pending.append((item, copy))
            if isinstance(target, dict):
                target[redact(key) if isinstance(key, str) else key] = copy
            else:
                target[key] = copy
    return root


def display_url(url: str | httpx.URL) -> str:
    """A URL fit to show people: the ``api_token`` value and any ``user:password@`` masked."""
    return redact(str(url))


class RedactingFilter(logging.Filter):
    """Masks credentials in log records (httpx and httpcore log full URLs), their tracebacks
    included."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is for logging itself to report, not for this filter
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()
_LOGGER_NAMES = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    PACKAGE_NAME,
)


def install_log_redaction() -> None:
    """Put the redacting filter on our logger and on httpx's and httpcore's (idempotent)."""
    importlib.import_module("httpx")  # imported on first use: its loggers must exist for the sweep
    names = set(_LOGGER_NAMES)
    names.update(
        name
        for name in list(logging.root.manager.loggerDict)
        if name.startswith(("httpx.", "httpcore.", PACKAGE_NAME + "."))
    )
    for name in names:
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
