"""Stage 5, format: black, in process, one whole file per call, cached by content.

The cache maps sha256(black version, mode, source) to black's output, so an unchanged file is never
formatted twice. Templates emit black's own shapes, so black's first pass changes little and its
second pass rarely runs. (Cutting files into top-level chunks was measured 1.7x dearer: black has a
fixed cost per call.) The runtime modules are kept black-formatted in the repo and not formatted again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib.metadata import version

from .output import RenderedFile

LINE_LENGTH = 100
_PARALLEL_MIN_BYTES = 2_000_000  # a pool pays only for very large outputs on more than two free cores


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
    """Every Python file formatted by black, one whole file per call (black's fixed cost per call makes
    chunks dearer than they save: measured 1.7x on the Anthropic output); the cache is per file."""
    pending: dict[str, str] = {}
    done: dict[str, str] = {}
    for f in files:
        if f.python:
            key = _key(f.text)
            hit = cache.get(key)
            if hit is None:
                pending[key] = f.text
            else:
                done[key] = hit
    if pending:
        if progress is not None and sum(map(len, pending.values())) > 200_000:
            progress(f"formatting {len(pending)} files ({sum(map(len, pending.values())) // 1000} kB) with black")
        for key, formatted in _format_many(pending).items():
            done[key] = formatted
            cache.put(key, formatted)
    return [RenderedFile(f.path, done[_key(f.text)], True) if f.python else f for f in files]


def _format_many(pending: dict[str, str]) -> dict[str, str]:
    """Black over many chunks: on every core when the work is large enough to pay for the processes."""
    keys = sorted(pending, key=lambda k: -len(pending[k]))  # big first: the pool balances better
    texts = [pending[k] for k in keys]
    workers = min((os.cpu_count() or 1) - 1, 4)  # leave a core: on two cores a pool measured slower
    if workers > 1 and sum(map(len, texts)) >= _PARALLEL_MIN_BYTES:
        import black  # noqa: F401  # imported before the fork, so workers start with it loaded

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(format_source, texts, chunksize=max(1, len(texts) // (workers * 8))))
    else:
        results = [format_source(t) for t in texts]
    return dict(zip(keys, results, strict=True))


def format_source(text: str) -> str:
    """black.format_str with the project's mode; a template bug surfaces as a clear error."""
    from black import format_str
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY311})
    try:
        return format_str(text, mode=mode)
    except InvalidInput as exc:
        raise RuntimeError(f"generated code is not valid Python: {exc}") from None
