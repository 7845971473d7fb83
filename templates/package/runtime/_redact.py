"""Keeping credentials out of messages, reprs and log lines (httpx's and httpcore's included)."""

from __future__ import annotations

import logging
import re

import httpx

from ._provider import PACKAGE_NAME

__all__ = ["display_url", "install_log_redaction", "redact", "register_secret"]

_SECRETS: set[str] = set()
_TOKEN_RE = re.compile(r"(api_token=)[^&\s'\"<>#]+", re.IGNORECASE)
_KEY_RE = re.compile(r"(x-api-key['\"]?\s*[:=,]\s*b?['\"]?)[^'\"\s,)}\]]+", re.IGNORECASE)
_MASK = "***"


def register_secret(value: str | None) -> None:
    """Remember a credential so that ``redact`` masks it wherever it shows up."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with ``api_token=...``, x-api-key values and every registered credential masked."""
    text = _TOKEN_RE.sub(r"\1" + _MASK, text)
    text = _KEY_RE.sub(r"\1" + _MASK, text)
    for secret in tuple(_SECRETS):  # a copy: another thread may register a client meanwhile
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


def display_url(url: str | httpx.URL) -> str:
    """A URL fit to show people: the ``api_token`` value masked."""
    return redact(str(url))


class RedactingFilter(logging.Filter):
    """Masks credentials in log records (httpx and httpcore log full URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is for logging itself to report, not for this filter
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
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
