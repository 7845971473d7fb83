"""Small shared types: the NOT_GIVEN sentinel, file inputs and per-call request options."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from typing import TypeAlias  # Python 3.10+, needed by type checkers only

    import httpx

__all__ = [
    "NOT_GIVEN",
    "FileContent",
    "FileTypes",
    "Files",
    "Headers",
    "NotGiven",
    "Query",
    "RequestOptions",
    "Target",
    "TimeoutTypes",
    "URLFormat",
    "enum_value",
]


def enum_value(value: object, aliases: Mapping[str, str]) -> object:
    """The value to send for an enum that the spec gives other accepted names (``x-enum-aliases``):
    ``"admin"`` becomes ``"workspace_admin"``; anything else (NOT_GIVEN included) is sent as it is.
    """
    return aliases.get(value, value) if isinstance(value, str) else value


class NotGiven:
    """Marks an argument the caller left out, as distinct from an explicit ``None``."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __copy__(self) -> NotGiven:
        return self

    def __deepcopy__(self, memo: object) -> NotGiven:
        return self

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
"""The one ``NotGiven`` instance; the default of every optional request parameter."""

# Aliases are strings so that Python 3.9 never evaluates the ``X | Y`` in them.
FileContent: TypeAlias = "bytes | IO[bytes] | os.PathLike[str]"
"""What a file's content may be: bytes, a binary file object, or a path to read."""

FileTypes: TypeAlias = (
    "FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]"
)
"""A file to upload: its content, or ``(filename, content)``, or ``(filename, content,
media_type)``."""

Target: TypeAlias = Literal["lowcodeapi", "direct"]
"""Where calls go: through the LowCodeAPI proxy, or straight to api.anthropic.com."""

URLFormat: TypeAlias = Literal["auto", "new", "old"]
"""Which LowCodeAPI URL format to use; ``auto`` tries the new one and falls back to the old."""

Files: TypeAlias = "Mapping[str, FileTypes | Sequence[FileTypes] | NotGiven]"
"""A call's multipart files by field name; a list sends several files under one name, NOT_GIVEN
none."""

Headers: TypeAlias = "Mapping[str, str]"
"""Extra HTTP headers for one call."""

Query: TypeAlias = "Mapping[str, object]"
"""Extra query parameters for one call."""

TimeoutTypes: TypeAlias = "float | httpx.Timeout | None"
"""A timeout in seconds, an ``httpx.Timeout``, or ``None`` for no timeout."""


@dataclass(frozen=True)
class RequestOptions:
    """Per-call overrides that every generated method accepts."""

    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
