"""Helpers of the plain-mode feature tests: a parallel generator of small specs (the recording server is
`tests/recorder.py`)."""

from __future__ import annotations

import os
import textwrap
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robustkit import import_fresh, run_generate


@dataclass
class Generated:
    name: str
    package: str
    out: Path
    spec: Path
    returncode: int
    stdout: str
    stderr: str


class SpecPool:
    """Generates hand-written specs in parallel child processes, once each, on first need."""

    def __init__(self, workdir: Path, specs: dict[str, str]) -> None:
        self.workdir = workdir
        self.specs = specs
        self.pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
        self.futures: dict[str, Future[Generated]] = {}
        self.lock = threading.Lock()

    def submit(self, name: str) -> None:
        with self.lock:
            if name not in self.futures:
                self.futures[name] = self.pool.submit(self._run, name)

    def _run(self, name: str) -> Generated:
        package = f"feat_{name}"
        spec = self.workdir / "specs" / f"{name}.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(textwrap.dedent(self.specs[name]).lstrip("\n"), encoding="utf-8")
        out = self.workdir / package
        proc = run_generate(spec, package, out, cwd=self.workdir, timeout=600)
        return Generated(name, package, out, spec, proc.returncode, proc.stdout, proc.stderr)

    def get(self, name: str) -> Generated:
        self.submit(name)
        gen = self.futures[name].result()
        assert gen.returncode == 0, f"lowcodegen generate --spec {gen.spec} failed (exit {gen.returncode}):\n{gen.stderr[-4000:]}"
        return gen

    def package(self, name: str) -> Any:
        gen = self.get(name)
        return import_fresh(gen.out, gen.package)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def method_for(client: Any, package: Any, method: str, direct: str) -> Any:
    """The client method of the operation `METHOD direct-path` (found through url_formats.ROUTES)."""
    routes = package.url_formats.ROUTES if hasattr(package, "url_formats") else None
    if routes is None:
        import importlib

        routes = importlib.import_module(package.__name__ + ".url_formats").ROUTES
    found = [r for r in routes.values() if r.direct == direct and r.direct_method == method]
    assert len(found) == 1, f"{method} {direct}: {len(found)} routes; have {sorted((r.direct_method, r.direct) for r in routes.values())}"
    target = client
    for part in found[0].name.split("."):
        target = getattr(target, part)
    return target
