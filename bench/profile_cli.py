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
             f"{total:.2f} s ({sum(r[2] for r in rows):,} lines). Largest shares:", "",
             "| file | lines | black seconds | share |", "|---|---:|---:|---:|"]
    for seconds, path, count in sorted(rows, reverse=True)[:top]:
        lines.append(f"| `{path}` | {count:,} | {seconds:.2f} | {seconds / total:.0%} |")
    return "\n".join(lines) + "\n" + ruff_format(folder)


def ruff_format(folder: str) -> str:
    """For comparison only: `ruff format` (the peer's formatter) on a copy of the same files."""
    import shutil
    import subprocess
    import tempfile

    ruff = shutil.which("ruff") or os.path.join(os.path.dirname(sys.executable), "ruff")
    if not os.path.exists(ruff):
        return ""
    with tempfile.TemporaryDirectory() as temp:
        copy = shutil.copytree(folder, os.path.join(temp, "copy"))
        start = time.perf_counter()
        subprocess.run([ruff, "format", "--no-cache", "--line-length", "100", "--quiet", copy], check=False)
        seconds = time.perf_counter() - start
    return (f"\nFor comparison, `ruff format` (what openapi-python-client runs; Rust, every core) on a copy of the same "
            f"files: {seconds:.2f} s as a whole process.\n")


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
