"""Stage 5, format: black, in process, one top-level definition at a time, cached by content.

A module is cut at its top-level statements (each class or function alone, runs of other statements
together); each chunk is formatted by black and cached under sha256(black version, mode, chunk), so
an unchanged class is never formatted twice and a changed schema reformats only its own classes.
Chunks that miss the cache are formatted on every core when there are enough of them to pay for it.
The chunks are joined with black's own spacing (two blank lines around definitions).
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib.metadata import version

from .output import RenderedFile

LINE_LENGTH = 100
_PARALLEL_MIN_BYTES = 400_000  # below this a process pool costs more than it saves


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


def split_chunks(text: str) -> list[tuple[str, bool]]:
    """A module cut at top-level statements: (source, is a class or function definition)."""
    tree = ast.parse(text)
    parts = text.split("\n")  # not splitlines(): U+2028 inside a string is no line break to ast
    lines = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    starts: list[tuple[int, bool]] = []
    previous_end = 0
    for node in tree.body:
        is_def = isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while first > previous_end and lines[first - 1].startswith("#"):
            first -= 1  # a comment right above a statement (not inside the one before) travels with it
        previous_end = node.end_lineno or node.lineno
        if starts and not is_def and not starts[-1][1]:
            continue  # runs of plain statements stay together
        starts.append((first, is_def))
    if not starts:
        return [(text, False)]
    starts[0] = (0, starts[0][1])
    bounds = [s for s, _ in starts] + [len(lines)]
    return [("".join(lines[bounds[i]:bounds[i + 1]]), starts[i][1]) for i in range(len(starts))]


def join_chunks(chunks: list[tuple[str, bool]]) -> str:
    """Formatted chunks back into one module, two blank lines around every definition."""
    out = ""
    previous_def = False
    for i, (text, is_def) in enumerate(chunks):
        body = text.strip("\n")
        if not body:
            continue
        if i:
            out += "\n\n\n" if (is_def or previous_def) else "\n\n"
        out += body
        previous_def = is_def
    return out + "\n"


def format_files(files: list[RenderedFile], cache: FormatCache, progress: Callable[[str], None] | None = None) -> list[RenderedFile]:
    """Every Python file formatted by black; other files unchanged."""
    chunked = {f.path: split_chunks(f.text) for f in files if f.python}
    pending = {_key(t): t for chunks in chunked.values() for t, _ in chunks}
    done: dict[str, str] = {}
    for key in list(pending):
        hit = cache.get(key)
        if hit is not None:
            done[key] = hit
            del pending[key]
    if pending:
        if progress is not None and sum(map(len, pending.values())) > 200_000:
            progress(f"formatting {len(pending)} chunks ({sum(map(len, pending.values())) // 1000} kB) with black")
        for key, formatted in _format_many(pending).items():
            done[key] = formatted
            cache.put(key, formatted)
    out = []
    for f in files:
        if not f.python:
            out.append(f)
            continue
        chunks = [(done[_key(t)], is_def) for t, is_def in chunked[f.path]]
        out.append(RenderedFile(f.path, join_chunks(chunks), True))
    return out


def _format_many(pending: dict[str, str]) -> dict[str, str]:
    """Black over many chunks: on every core when the work is large enough to pay for the processes."""
    keys = sorted(pending, key=lambda k: -len(pending[k]))  # big first: the pool balances better
    texts = [pending[k] for k in keys]
    workers = min(os.cpu_count() or 1, 4)
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
