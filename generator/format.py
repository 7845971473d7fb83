"""Stage 5, format: black, in process, with a content-hash cache keyed by black's version.

An unchanged file is never formatted twice: the cache maps sha256(black version, mode, source) to the
formatted text. Black is imported only when a file misses the cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from importlib.metadata import version

from .output import RenderedFile

LINE_LENGTH = 100


@cache
def _black_version() -> str:
    return version("black")  # pinned in pyproject.toml: it decides the golden bytes


def _key(text: str) -> str:
    return hashlib.sha256(f"black {_black_version()} ll={LINE_LENGTH} py311\0{text}".encode()).hexdigest()


class FormatCache:
    """A folder of formatted texts named by the hash of their input; None disables caching."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder

    def get(self, key: str) -> str | None:
        if self.folder is None:
            return None
        try:
            with open(os.path.join(self.folder, key[:2], key), encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            return None

    def put(self, key: str, text: str) -> None:
        if self.folder is None:
            return
        target = os.path.join(self.folder, key[:2], key)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            temp = f"{target}.{os.getpid()}.tmp"
            with open(temp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(temp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time


def format_files(files: list[RenderedFile], cache: FormatCache, progress: Callable[[str], None] | None = None) -> list[RenderedFile]:
    """Every Python file formatted by black; other files unchanged."""
    out = []
    for f in files:
        if not f.python:
            out.append(f)
            continue
        key = _key(f.text)
        formatted = cache.get(key)
        if formatted is None:
            if progress is not None and len(f.text) > 200_000:
                progress(f"formatting {f.path} ({len(f.text) // 1000} kB)")
            formatted = format_source(f.text, f.path)
            cache.put(key, formatted)
        out.append(replace(f, text=formatted))
    return out


def format_source(text: str, path: str) -> str:
    """black.format_str with the project's mode; a syntax error names the generated file."""
    from black import format_str
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY311})
    try:
        return format_str(text, mode=mode)
    except InvalidInput as exc:  # a template bug: say which file and where
        raise RuntimeError(f"generated {path} is not valid Python: {exc}") from None
