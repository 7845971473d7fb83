"""Summaries of a pyinstrument session: time per named stage, and the functions that spend the most
time themselves. Imported by `profile_cli` (in the project's .venv) and `client_probe` (in bench/.env)."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from typing import Any

# The generator's stages, by the function that runs each one (module suffix, function name).
GENERATOR_STAGES = (
    ("runcache.fingerprint", "hash the inputs (run cache key)"),
    ("runcache.up_to_date", "hash the output (run cache hit test)"),
    ("load.load_spec", "load: parse the spec"),
    ("merge.merge_specs", "merge"),
    ("normalize.normalize", "normalize: IR"),
    ("load.finish", "wait for the OpenAPI validation (forked, beside merge..render)"),
    ("render.render", "render: Jinja (the format worker starts on its output meanwhile)"),
    ("format.add", "format: cut files into pieces, look up the cache"),
    ("format.finish", "format: black, this process's share, and joining"),
    ("write.write_tree", "write"),
    ("write.compare", "compare with disk"),
)


def import_bench_env_profiler() -> Any:
    """pyinstrument from bench/.env, for a process that runs in the project's .venv (same CPython)."""
    try:
        import pyinstrument
    except ImportError:
        here = os.path.dirname(os.path.abspath(__file__))
        lib = os.path.join(here, ".env", "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")
        sys.path.append(lib)  # last: the project's own packages keep precedence
        import pyinstrument
    return pyinstrument


def _walk(frame: Any, ancestors: frozenset[str], out_total: dict[str, float], out_self: dict[str, float]) -> None:
    if not frame.is_synthetic:  # pyinstrument's "[self]" leaves are already in their parent's own time
        key = f"{frame.function} ({_short(frame.file_path or '')}:{frame.line_no})"
        out_self[key] += frame.total_self_time
        if key not in ancestors:  # recursion: count a function's total once per stack
            out_total[key] += frame.time
            ancestors = ancestors | {key}
    for child in frame.children:
        _walk(child, ancestors, out_total, out_self)


def _imports(frame: Any, out: list[tuple[str, float]]) -> None:
    """Top-most imports (importlib's `_find_and_load`), each named by the first module it runs."""
    if frame.function == "_find_and_load" and "importlib" in (frame.file_path or ""):
        module = _first_module(frame)
        out.append((module, frame.time))
        return
    for child in frame.children:
        _imports(child, out)


def _first_module(frame: Any) -> str:
    stack = [frame]
    while stack:
        node = stack.pop(0)
        if node.function == "<module>":
            return _short(node.file_path or "?")
        stack.extend(node.children)
    return "?"


def _short(path: str) -> str:
    for marker in ("site-packages/", "/generator/", "/lib/python3.11/", "bench/"):
        if marker in path:
            return (marker.strip("/") + "/" if marker == "/generator/" else "") + path.split(marker, 1)[1]
    return os.path.basename(path)


def summarize(session: Any, stages: tuple[tuple[str, str], ...] = (), top: int = 15) -> str:
    """Markdown: the stages' total times, then the top functions by own time."""
    root = session.root_frame()
    if root is None:
        return "(no samples)\n"
    totals: dict[str, float] = defaultdict(float)
    selfs: dict[str, float] = defaultdict(float)
    _walk(root, frozenset(), totals, selfs)
    wall = root.time
    lines = [f"Sampled wall time {wall:.3f} s.", ""]
    if stages:
        lines += ["| stage | seconds | share |", "|---|---:|---:|"]
        for needle, label in stages:
            module, func = needle.rsplit(".", 1)
            seconds = sum(t for k, t in totals.items()
                          if k.split(" (")[0].rsplit(".", 1)[-1] == func and f"{module}.py" in k)  # methods: Class.func
            if seconds:
                lines.append(f"| {label} (`{needle}`) | {seconds:.3f} | {seconds / wall:.0%} |")
        lines.append("")
    imports: list[tuple[str, float]] = []
    _imports(root, imports)
    if imports:
        seconds = sum(t for _, t in imports)
        lines.append(f"Imports (top-level `import` statements, nested ones included, overlapping the stages): "
                     f"{seconds:.3f} s, {seconds / wall:.0%}. Slowest: "
                     + ", ".join(f"`{module}` {t:.3f} s" for module, t in sorted(imports, key=lambda mt: -mt[1])[:6]) + ".")
        lines.append("")
    lines += ["| function (own time) | seconds | share |", "|---|---:|---:|"]
    for key, seconds in sorted(selfs.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"| `{key}` | {seconds:.3f} | {seconds / wall:.0%} |")
    return "\n".join(lines) + "\n"
