"""Profile one `lowcodegen` command in process: `python -m bench.profile_cli OUT.md -- ARGS...`.

Runs in the project's .venv (where the generator is installed) with pyinstrument borrowed from
bench/.env; the command's exit status is kept in the summary, its output discarded. Writes a Markdown
summary: time per generator stage and the functions that spend the most time themselves. With
`--black-files DIR` before `--`, it then times black alone on each Python file of DIR (the output),
since black is compiled and a sampling profiler sees it as one opaque call.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time

from .profiling import GENERATOR_STAGES, import_bench_env_profiler, summarize


def black_per_file(folder: str, top: int = 8) -> str:
    """black.format_str timed on each generated Python file (already formatted: parse and print cost)."""
    from black import Mode, format_str
    from black.mode import TargetVersion

    mode = Mode(line_length=100, target_versions={TargetVersion.PY311})
    format_str("x = 1\n", mode=mode)  # black's first call pays one-time set-up: keep it out of the first file
    rows = []
    for base, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(base, name)
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                start = time.perf_counter()
                format_str(text, mode=mode)
                rows.append((time.perf_counter() - start, os.path.relpath(path, folder), text.count("\n")))
    total = sum(r[0] for r in rows)
    lines = [f"black alone on the {len(rows)} generated Python files, whole files one after another in one process: "
             f"{total:.2f} s ({sum(r[2] for r in rows):,} lines).{chunked_black(folder, mode)} Largest shares:", "",
             "| file | lines | black seconds | share |", "|---|---:|---:|---:|"]
    for seconds, path, count in sorted(rows, reverse=True)[:top]:
        lines.append(f"| `{path}` | {count:,} | {seconds:.2f} | {seconds / total:.0%} |")
    return "\n".join(lines) + "\n"


def chunked_black(folder: str, mode: object) -> str:
    """The same files cut into top-level chunks as generator/format.py cuts them, formatted one chunk at a time."""
    try:
        from generator.format import split_chunks  # the generator's own cut, when it has one
    except ImportError:
        return ""
    from black import format_str

    chunks = []
    for base, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(base, name), encoding="utf-8") as handle:
                    chunks += [text for text, _ in split_chunks(handle.read())]
    start = time.perf_counter()
    for text in chunks:
        format_str(text, mode=mode)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    return (f" The same files cut into their {len(chunks)} top-level chunks (`generator.format.split_chunks`) and "
            f"formatted one chunk at a time, in one process: {seconds:.2f} s.")


def main() -> None:
    out, args = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    black_dir = sys.argv[sys.argv.index("--black-files") + 1] if "--black-files" in sys.argv[:sys.argv.index("--")] else None
    pyinstrument = import_bench_env_profiler()
    profiler = pyinstrument.Profiler(interval=0.001)
    status: object = 0
    sink = io.StringIO()
    profiler.start()
    try:
        from generator.cli import main as lowcodegen  # its imports count: a real run pays them too

        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            lowcodegen(args, prog_name="lowcodegen", standalone_mode=True)
    except SystemExit as exc:
        status = exc.code
    finally:
        profiler.stop()
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"`lowcodegen {' '.join(args)}` (exit {status})\n\n")
        handle.write(summarize(profiler.last_session, GENERATOR_STAGES))
        if black_dir:
            handle.write("\n" + black_per_file(black_dir))


if __name__ == "__main__":
    main()
