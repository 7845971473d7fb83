"""Every real spec of the shared corpus generates in plain mode into a client that is whole and clean.

For each spec under ../shared/corpus/ (read in place) but `opc-e2e/documents_with_errors/`:
`lowcodegen generate --spec ... --package ... --out ...` exits 0; every generated `.py` compiles; the
package imports and `Client(...)` constructs; the client has exactly one method per operation of the
input spec (none silently dropped); `ruff check --select F` is clean; for the Anthropic, OpenAI and
petstore specs `mypy --strict` passes.

Each spec is generated once per session, and the work of every selected test runs ahead in a thread
pool (generation, import, ruff and mypy are child processes), so the suite uses every core it has.
The large specs sit behind `-m slow`.
"""

from __future__ import annotations

import os
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from robustkit import (
    CORPUS,
    ERRORS_DIR,
    compile_errors,
    introspect,
    load_document,
    operations,
    run_generate,
    run_mypy,
    run_ruff,
)

LARGE = frozenset({"github-2021-10.json", "stripe-2023-09.yaml", "openai-2026-08.yaml", "anthropic/stainless-2026-05.json",
                   "anthropic/stainless-2026-01.json"})
MYPY = frozenset({"anthropic/stainless-2026-01.json", "anthropic/stainless-2026-05.json", "openai-2026-08.yaml",
                  "petstore-oai-v3.0.yaml", "petstore-expanded-oai-v3.0.yaml", "petstore3-swagger-v3.0.4.yaml",
                  "petstore31-swagger-v3.1.1.yaml"})


def _corpus_specs() -> list[str]:
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".json", ".yaml", ".yml") and path.is_file() and ERRORS_DIR not in path.parents:
            found.append(path.relative_to(CORPUS).as_posix())
    return found


SPECS = _corpus_specs()


def _params(names: list[str], xfail: dict[str, str] | None = None) -> list[Any]:
    out = []
    for name in names:
        marks: list[Any] = [pytest.mark.slow] if name in LARGE else []
        if xfail and name in xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=xfail[name]))
        out.append(pytest.param(name, id=name, marks=marks))
    return out


def package_name(spec: str) -> str:
    return "c_" + re.sub(r"\W+", "_", spec.rsplit(".", 1)[0]).strip("_").lower()


@dataclass
class CorpusRun:
    """What one spec gave: the generate run and every check made on its output."""

    spec: str
    package: str
    out: Path
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    spec_ops: list[tuple[str, str]] = field(default_factory=list)
    merged_ops: list[tuple[str, str]] | None = None
    compile_errors: list[str] | None = None
    client: dict[str, Any] | None = None
    client_error: str = ""
    ruff: tuple[int, str] | None = None
    mypy: tuple[int, str] | None = None
    failures: dict[str, str] = field(default_factory=dict)  # step -> traceback of a failure of the harness

    @property
    def generated(self) -> bool:
        return self.returncode == 0 and (self.out / self.package / "__init__.py").is_file()


class CorpusRunner:
    """One generation per spec per session; checks run ahead in worker threads."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.mypy_cache = workdir / "mypy-cache"
        self.mypy_lock = threading.Lock()  # one shared mypy cache (typeshed, httpx), used by one mypy at a time
        self.pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
        self.futures: dict[str, Future[CorpusRun]] = {}
        self.lock = threading.Lock()
        self.want_mypy: set[str] = set()

    def submit(self, spec: str, mypy: bool = False) -> None:
        with self.lock:
            if mypy:
                self.want_mypy.add(spec)
            if spec not in self.futures:
                self.futures[spec] = self.pool.submit(self._run, spec)

    def get(self, spec: str, mypy: bool = False) -> CorpusRun:
        self.submit(spec, mypy)
        run = self.futures[spec].result()
        if mypy and run.mypy is None and run.generated and "mypy" not in run.failures:
            self._step(run, "mypy", lambda: self._mypy(run))  # asked for after the run was made
        return run

    @staticmethod
    def _step(run: CorpusRun, name: str, func: Callable[[], None]) -> None:
        try:
            func()
        except Exception:  # the harness failed, not the generator: the test that needs the step says so
            run.failures[name] = traceback.format_exc()

    def _mypy(self, run: CorpusRun) -> None:
        with self.mypy_lock:
            if run.mypy is None:
                proc = run_mypy(run.out, run.package, self.mypy_cache)
                run.mypy = (proc.returncode, proc.stdout + proc.stderr)

    def _run(self, spec: str) -> CorpusRun:
        package = package_name(spec)
        run = CorpusRun(spec, package, self.workdir / package)
        proc = run_generate(CORPUS / spec, package, run.out, cwd=self.workdir)
        run.returncode, run.stdout, run.stderr = proc.returncode, proc.stdout, proc.stderr
        self._step(run, "spec_ops", lambda: setattr(run, "spec_ops", operations(load_document(CORPUS / spec))))
        if not run.generated:
            return run
        self._step(run, "merged_ops", lambda: setattr(run, "merged_ops", operations(load_document(run.out / "openapi.merged.json"), skip_variants=True)))
        self._step(run, "compile", lambda: setattr(run, "compile_errors", compile_errors(run.out)))

        def client() -> None:
            run.client, run.client_error = introspect(run.out, package)

        def ruff() -> None:
            proc = run_ruff(run.out / package)
            run.ruff = (proc.returncode, proc.stdout + proc.stderr)

        self._step(run, "client", client)
        self._step(run, "ruff", ruff)
        if spec in self.want_mypy:
            self._step(run, "mypy", lambda: self._mypy(run))
        return run

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRunner]:
    """The module's runner; every spec a selected test of this module needs is queued at once."""
    runner = CorpusRunner(tmp_path_factory.mktemp("corpus"))
    selected = [item for item in request.session.items if getattr(item, "module", None) is request.module]
    wanted: dict[str, bool] = {}
    for item in selected:
        spec = getattr(item, "callspec", None) and item.callspec.params.get("spec")
        if spec:
            wanted[spec] = wanted.get(spec, False) or item.originalname == "test_mypy_strict"
    for spec in sorted(wanted, key=lambda s: (s in LARGE, s)):  # the small ones first
        runner.submit(spec, wanted[spec])
    yield runner
    runner.close()


def _generated(corpus: CorpusRunner, spec: str, mypy: bool = False) -> CorpusRun:
    run = corpus.get(spec, mypy)
    if not run.generated:
        pytest.fail(f"{spec} did not generate (exit {run.returncode}); see test_generates:\n{run.stderr[-2000:]}")
    return run


def _harness(run: CorpusRun, step: str) -> None:
    if step in run.failures:
        pytest.fail(f"the {step} step of the test harness failed on {run.spec}:\n{run.failures[step]}")


@pytest.mark.parametrize("spec", _params(SPECS))
def test_generates(corpus: CorpusRunner, spec: str) -> None:
    """Plain mode exits 0 and writes the package."""
    run = corpus.get(spec)
    assert run.returncode == 0, f"lowcodegen generate --spec {CORPUS / spec} exited {run.returncode}:\n{run.stderr[-4000:]}"
    assert run.generated, f"no {run.package}/__init__.py in {run.out}"


@pytest.mark.parametrize("spec", _params(SPECS))
def test_compiles(corpus: CorpusRunner, spec: str) -> None:
    """Every generated `.py` compiles."""
    run = _generated(corpus, spec)
    _harness(run, "compile")
    assert run.compile_errors == [], "\n".join(run.compile_errors or [])


@pytest.mark.parametrize("spec", _params(SPECS))
def test_imports_and_constructs(corpus: CorpusRunner, spec: str) -> None:
    """`import <package>` and `Client(api_key="k", target="direct", base_url=...)` work in a fresh interpreter."""
    run = _generated(corpus, spec)
    _harness(run, "client")
    assert run.client is not None, f"importing {run.package} or constructing its Client failed:\n{run.client_error}"


@pytest.mark.parametrize("spec", _params(SPECS))
def test_no_operation_dropped(corpus: CorpusRunner, spec: str) -> None:
    """One client method per operation of the input spec, each reachable from `Client`, each with its route."""
    run = _generated(corpus, spec)
    _harness(run, "spec_ops")
    _harness(run, "client")
    _harness(run, "merged_ops")
    assert run.client is not None, f"the package does not import:\n{run.client_error}"
    methods, routes = run.client["methods"], run.client["routes"]
    assert len(methods) == len(set(methods))
    assert run.merged_ops is not None
    merged = sorted(run.merged_ops)
    missing = sorted(set(run.spec_ops) - set(merged))
    assert not missing, f"operations of {spec} missing from openapi.merged.json: {missing[:20]}"
    assert len(merged) == len(run.spec_ops), f"{spec}: {len(run.spec_ops)} operations in, {len(merged)} in the merged spec"
    assert len(routes) == len(run.spec_ops), f"{spec}: {len(run.spec_ops)} operations in, {len(routes)} routes in url_formats.ROUTES"
    assert sorted(methods) == routes, (
        f"{spec}: client methods and routes differ; methods without a route: {sorted(set(methods) - set(routes))[:20]}, "
        f"routes without a reachable method: {sorted(set(routes) - set(methods))[:20]}")
    assert len(methods) == len(run.spec_ops), f"{spec}: {len(run.spec_ops)} operations in, {len(methods)} client methods out"


@pytest.mark.parametrize("spec", _params(SPECS))
def test_ruff_pyflakes_clean(corpus: CorpusRunner, spec: str) -> None:
    """`ruff check --isolated --select F` finds nothing in the package."""
    run = _generated(corpus, spec)
    _harness(run, "ruff")
    assert run.ruff is not None
    code, output = run.ruff
    assert code == 0, f"ruff --select F on {run.package} (from {spec}):\n{output[-6000:]}"


@pytest.mark.parametrize("spec", _params(sorted(MYPY)))
def test_mypy_strict(corpus: CorpusRunner, spec: str) -> None:
    """`mypy --strict` passes on the package."""
    run = _generated(corpus, spec, mypy=True)
    _harness(run, "mypy")
    assert run.mypy is not None
    code, output = run.mypy
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert code == 0, f"mypy --strict on {run.package} (from {spec}): {len(errors)} errors, e.g.\n" + "\n".join(
        line[:300] for line in (errors or output.splitlines())[:25])
