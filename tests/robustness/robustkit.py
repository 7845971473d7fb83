"""Shared helpers of the robustness suite: paths, plain-mode runs, operation counts, package checks."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
ERRORS_DIR = CORPUS / "opc-e2e" / "documents_with_errors"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
LOWCODEGEN = str(VENV_BIN / "lowcodegen")
RUFF = str(VENV_BIN / "ruff")
MYPY = str(VENV_BIN / "mypy")
TEMPLATES = str(ROOT / "templates")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

if str(ROOT) not in sys.path:  # `import generator` for the in-process runs
    sys.path.insert(0, str(ROOT))


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no bytecode files, no stray configuration of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOWCODEAPI_", "PYTHON"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run_generate(spec: str | Path, package: str, out: str | Path, cwd: str | Path,
                 timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """`lowcodegen generate --spec SPEC --package PACKAGE --out OUT` (plain mode) in a subprocess."""
    return subprocess.run([LOWCODEGEN, "generate", "--spec", str(spec), "--package", package, "--out", str(out)],
                          cwd=str(cwd), env=child_env(), capture_output=True, text=True, timeout=timeout)


def load_document(path: str | Path) -> Any:
    """A spec file as data (JSON, else YAML with the C loader), the way a reader would take it."""
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith(".json"):
        return json.loads(text)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _resolve(document: Any, node: Any) -> Any:
    for _ in range(20):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(document: Any, skip_variants: bool = False) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation of a document's `paths` (path items may be `$ref`s)."""
    out = []
    for path, item in (document.get("paths") or {}).items():
        item = _resolve(document, item)
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method in METHODS and isinstance(op, dict):
                if skip_variants and "variant-of" in ((op.get("x-lowcodegen") or {}) if isinstance(op.get("x-lowcodegen"), dict) else {}):
                    continue
                out.append((method.upper(), path))
    return out


def python_files(out: str | Path) -> Iterator[Path]:
    """Every generated `.py` below `out`."""
    yield from sorted(Path(out).rglob("*.py"))


def compile_errors(out: str | Path) -> list[str]:
    """`file: error` for every generated `.py` that does not compile, or compiles with a warning
    (an invalid escape sequence is a DeprecationWarning in 3.11, a SyntaxWarning in 3.12, an error later)."""
    errors = []
    for path in python_files(out):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError, Warning) as exc:
            errors.append(f"{path}: {exc!r}")
    return errors


# Run in a child process with PYTHONPATH=<out>: imports the package, builds a client, and walks its
# resource tree from `Client` (cached properties are child resources, functions are client methods).
INTROSPECT = r'''
import importlib, inspect, json, sys
from functools import cached_property

name = sys.argv[1]
pkg = importlib.import_module(name)
client = pkg.Client(api_key="k", target="direct", base_url="http://127.0.0.1:9")
routes = importlib.import_module(name + ".url_formats").ROUTES
methods, seen = [], set()

def walk(obj, prefix):
    cls = type(obj)
    if cls in seen:
        return
    seen.add(cls)
    for attr, value in vars(cls).items():
        if attr.startswith("_"):
            continue
        if isinstance(value, cached_property):
            child = getattr(obj, attr)  # a resource (its module may load only now)
            if type(child).__name__ != value.func.__annotations__.get("return"):
                raise SystemExit(f"{prefix}{attr} is a {type(child).__name__}, not its annotated class")
            walk(child, prefix + attr + ".")
        elif inspect.isfunction(value) and not attr.endswith("_to_file") and attr != "with_options":
            methods.append(prefix + attr)

walk(client, "")
print(json.dumps({"methods": methods, "routes": sorted(routes)}))
'''


def introspect(out: str | Path, package: str, timeout: float = 300) -> tuple[dict[str, Any] | None, str]:
    """The client's methods and routes, from a child process; (None, error text) when it fails."""
    proc = subprocess.run([PYTHON, "-c", INTROSPECT, package], cwd=str(out), env=child_env(PYTHONPATH=str(out)),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return None, (proc.stderr or proc.stdout)[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), ""


def run_ruff(package_dir: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RUFF, "check", "--isolated", "--select", "F", "--no-cache", str(package_dir)],
                          env=child_env(), capture_output=True, text=True, timeout=300)


def run_mypy(out: str | Path, package: str, cache_dir: str | Path, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MYPY, "--strict", "--cache-dir", str(cache_dir), "--no-error-summary", "-p", package],
                          cwd=str(out), env=child_env(MYPYPATH=str(out)), capture_output=True, text=True, timeout=timeout)


def import_fresh(out: str | Path, package: str) -> Any:
    """Import a generated package in this process (unique package names per test keep them apart)."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(out))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))


_LOCATED = re.compile(r":\d+\b|#?/[A-Za-z0-9_~%{}.-]")


def located_lines(stderr: str, level: str, file_name: str) -> list[str]:
    """Lines of `stderr` at `level` that name `file_name` and a line number or a JSON pointer."""
    return [line for line in stderr.splitlines()
            if f"{level}" in line.lower() and file_name in line and _LOCATED.search(line.split(file_name, 1)[1])]
