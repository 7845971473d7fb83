"""Shared helpers for the generator tests: paths, inline specs, CLI runs and tree snapshots."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
VENV_BIN = ROOT / ".venv" / "bin"
LOWCODEGEN = str(VENV_BIN / "lowcodegen")
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
TEMPLATES = str(ROOT / "templates")
ANTHROPIC_DEFINITION = SHARED / "lowcodeapi" / "anthropic.definition.json"
OPENAI_DEFINITION = SHARED / "lowcodeapi" / "openai.definition.json"
SEED_000 = SHARED / "seeds" / "000_6bfb199c336289ab.txt"
CORPUS = SHARED / "corpus"


def spec_file(folder: Path, name: str, text: str) -> Path:
    """Write an inline spec (dedented) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


MINIMAL = """
openapi: 3.1.0
info: {title: Tiny, version: "1"}
paths:
  /v1/things/{thing_id}:
    get:
      operationId: getThing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string}
        size: {type: integer}
"""


# Root ignores file permissions; without these two capabilities it obeys them like anyone else.
DROP_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def run_cli(args: list[str], cwd: str | Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120, wrapper: list[str] | None = None,
            preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """`lowcodegen ARGS` in a subprocess (optionally under a wrapper command, or with limits set by
    `preexec_fn`), text output captured."""
    return subprocess.run([*(wrapper or []), LOWCODEGEN, *args], cwd=str(cwd) if cwd else None, env=env,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn)


def snapshot(root: str | Path) -> dict[str, tuple[Any, ...]]:
    """Every entry below `root` (files with bytes and mode, folders, symlinks with targets), by relative path."""
    root = str(root)
    out: dict[str, tuple[Any, ...]] = {}
    if os.path.islink(root):
        return {".": ("link", os.readlink(root))}
    if os.path.isfile(root):
        with open(root, "rb") as handle:
            return {".": ("file", handle.read(), stat.S_IMODE(os.lstat(root).st_mode))}
    if not os.path.isdir(root):
        return {}
    out["."] = ("dir", stat.S_IMODE(os.lstat(root).st_mode))
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                with open(path, "rb") as handle:
                    out[rel] = ("file", handle.read(), stat.S_IMODE(info.st_mode))
    return out


def file_bytes(root: str | Path) -> dict[str, bytes]:
    """Regular files below `root` and their bytes (for comparing generated trees)."""
    return {k: v[1] for k, v in snapshot(root).items() if v[0] == "file"}


def sentinel_tree(out: Path) -> None:
    """A pre-existing output folder: an earlier generation's files and files the user added."""
    (out / "pkg").mkdir(parents=True)
    (out / "pkg" / "__init__.py").write_text("# an earlier generation\nVALUE = 1\n", encoding="utf-8")
    (out / "README.md").write_text("sentinel readme\n", encoding="utf-8")
    (out / "user-notes.txt").write_bytes(b"mine \x00\xff bytes\n")
    (out / "keep" / "deep").mkdir(parents=True)
    (out / "keep" / "deep" / "data.json").write_text('{"k": 1}\n', encoding="utf-8")
    (out / ".lowcodegen-manifest.json").write_text(
        '{\n  "generator": "lowcodegen",\n  "files": [\n    "README.md",\n    "pkg/__init__.py"\n  ]\n}\n', encoding="utf-8")


def anthropic_provider() -> Any:
    """The Anthropic provider as pyproject.toml configures it (old-format rule: lowercase, no underscores)."""
    from generator.config import load_config

    return load_config(str(ROOT)).providers["anthropic"]


def plain_provider(name: str = "tiny", rule: str = "keep") -> Any:
    from generator.config import default_provider

    return replace(default_provider(name), old_format_rule=rule)
