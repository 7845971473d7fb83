"""Shared constants and helpers of the end-to-end tests of the generated client (``tests/client``).

The generated package is imported from ``generated/`` exactly as a user who vendors it would.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
PACKAGE_DIR = GENERATED / "anthropic_lowcodeapi"
if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

import anthropic_lowcodeapi as lc  # noqa: E402  (needs the path above)
from anthropic_lowcodeapi import types, url_formats  # noqa: E402

LOGGER = "anthropic_lowcodeapi"
TOKEN = "at_e2e-S3CRET-token-0123456789"
KEY = "sk-ant-api03-e2e-S3CRET-key-0123456789"
MODEL = "claude-sonnet-4-5"
HELLO: list[Any] = [{"role": "user", "content": "Hi"}]
COMMON = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries"}

T = TypeVar("T")

__all__ = ["COMMON", "GENERATED", "HELLO", "KEY", "LOGGER", "MODEL", "PACKAGE_DIR", "ROOT", "TOKEN",
           "all_text", "lc", "resolve", "run", "types", "url_formats"]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine in a fresh event loop."""
    return asyncio.run(coro)


def resolve(root: Any, dotted: str) -> Any:
    """``client.a.b.c`` for ``"a.b.c"``."""
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def all_text(exc: BaseException) -> str:
    """Everything a person could see of an exception: traceback, str, repr and its ``url``."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + str(getattr(exc, "url", ""))
