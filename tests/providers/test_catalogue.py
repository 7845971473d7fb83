"""Every LowCodeAPI provider of `../shared/lowcodeapi/providers/`: generated, imported, type-checked, and called.

Each provider's document is generated once per session (`lowcodegen generate --spec … --package
<p>_lowcodeapi`), then a subprocess imports the package and calls a sample of its operations through
`PKG.Client(api_token=…, base_url=<fake>/<provider>, url_format=auto|new|old)` against a fake LowCodeAPI
mounted from the provider's routes file (`fake_lowcodeapi`): each call must reach its own route, with
every path value where the proxy reads it. Calls that no client can make reach their route (collisions
and unreachable mounts listed in the providers README) are strict xfails, so a fix shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from catalogue import (
    ABSENT,
    MODES,
    PROVIDERS,
    expectation,
    job,
    known_problems,
    package_name,
    sample,
)
from fake_lowcodeapi import PROVIDERS_DIR, UNRELEASED, FakeLowCodeAPI, Hit, load_routes, path_keys

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
DRIVER = Path(__file__).with_name("catalogue_driver.py")


def _provider_params() -> list[Any]:
    return [pytest.param(p, id=p) for p in PROVIDERS]


@dataclass
class Generated:
    provider: str
    package: str
    out: Path
    returncode: int
    output: str
    seconds: float


def _generate(provider: str, root: Path) -> Generated:
    out = root / provider
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "lowcodegen"), "generate", "--spec", str(PROVIDERS_DIR / f"{provider}.openapi.json"),
         "--package", package_name(provider), "--out", str(out)],
        cwd=root, capture_output=True, text=True, timeout=600,
    )
    return Generated(provider, package_name(provider), out, done.returncode,
                     (done.stdout + done.stderr)[-3000:], time.perf_counter() - started)


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """Every provider generated once, two at a time (the machine has two cores), one shared cache."""
    root = tmp_path_factory.mktemp("catalogue")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return {g.provider: g for g in pool.map(lambda p: _generate(p, root), PROVIDERS)}


def _generated(catalogue: dict[str, Generated], provider: str) -> Generated:
    generated = catalogue[provider]
    if generated.returncode != 0:
        pytest.fail(f"{provider} did not generate (exit {generated.returncode}):\n{generated.output}")
    return generated


def _env(generated: Generated) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOWCODEAPI_")}
    env["PYTHONPATH"] = str(generated.out)
    return env


@pytest.mark.parametrize("provider", _provider_params())
def test_generates(catalogue: dict[str, Generated], provider: str) -> None:
    generated = _generated(catalogue, provider)
    assert (generated.out / generated.package / "__init__.py").is_file()
    assert (generated.out / generated.package / "url_formats.py").is_file()
    assert "with black" not in generated.output, "the printer shapes every provider's files: none needs black"


@pytest.mark.parametrize("provider", _provider_params())
def test_imports(catalogue: dict[str, Generated], provider: str) -> None:
    generated = _generated(catalogue, provider)
    package = generated.package
    code = f"import {package}, {package}.url_formats, {package}.cli; assert {package}.url_formats.ROUTES"
    done = subprocess.run([sys.executable, "-c", code], env=_env(generated), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("provider", _provider_params())
def test_documented_operations_all_in_routes(catalogue: dict[str, Generated], provider: str) -> None:
    """One ROUTES entry per operation of the document: nothing the proxy serves is dropped."""
    generated = _generated(catalogue, provider)
    document = json.loads((PROVIDERS_DIR / f"{provider}.openapi.json").read_text())
    operations = sum(1 for item in document["paths"].values() for m in item if m in ("get", "post", "put", "patch", "delete"))
    code = f"import json, {generated.package}.url_formats as u; print(len(u.ROUTES))"
    done = subprocess.run([sys.executable, "-c", code], env=_env(generated), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) == operations


@pytest.mark.parametrize("provider", _provider_params())
def test_mypy_strict_and_ruff_f(catalogue: dict[str, Generated], provider: str, tmp_path: Path) -> None:
    generated = _generated(catalogue, provider)
    ruff = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--select", "F", "--isolated", generated.package],
                          cwd=generated.out, capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout[-3000:] + ruff.stderr[-1000:]
    mypy = subprocess.run([str(BIN / "mypy"), "--strict", "--no-incremental", "--cache-dir", os.devnull,
                           "-p", generated.package], cwd=generated.out, env=_env(generated),
                          capture_output=True, text=True)
    assert mypy.returncode == 0, mypy.stdout[-3000:] + mypy.stderr[-1000:]


# ---- calls through the fake LowCodeAPI ----

@pytest.fixture(scope="session")
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(PROVIDERS) as server:
        yield server
    assert not server.errors, "the fake LowCodeAPI itself failed:\n" + "\n".join(server.errors)


def _jobs(provider: str) -> list[dict[str, Any]]:
    keys = path_keys(provider)
    routes = load_routes(provider)

    def count(index: int) -> int:
        return len(keys.get((routes[index]["method"], routes[index]["openapi_path"]), ()))

    jobs = [job(provider, i, mode, count(i)) for i in sample(provider) for mode in MODES]
    jobs += [job(provider, i, mode, count(i)) for i, mode, _ in known_problems(provider)]
    return jobs


_calls: dict[str, dict[str, dict[str, Any]]] = {}


def _called(catalogue: dict[str, Generated], fake: FakeLowCodeAPI, provider: str) -> dict[str, dict[str, Any]]:
    """Every call the tests of `provider` look at, made once in one subprocess: tag -> driver's result."""
    if provider not in _calls:
        generated = _generated(catalogue, provider)
        request = {"package": generated.package, "provider": provider, "base": fake.url, "calls": _jobs(provider)}
        done = subprocess.run([sys.executable, str(DRIVER)], input=json.dumps(request), env=_env(generated),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        _calls[provider] = {r["tag"]: r for r in json.loads(done.stdout)}
    return _calls[provider]


def _check_call(catalogue: dict[str, Generated], fake: FakeLowCodeAPI, provider: str, index: int, mode: str) -> None:
    """The call of route `index` in `mode` reached that route with every path value the proxy reads."""
    result = _called(catalogue, fake, provider)[f"{provider}~{index}~{mode}"]
    route = load_routes(provider)[index]
    hits: list[Hit] = [h for h in fake.hits if h.tag == result["tag"]]
    seen = "; ".join(f"{h.method} {h.path} -> {h.status}" + (f" route {h.mount.index}" if h.mount else "")
                     for h in hits)
    where = f"{route['method']} {route['openapi_path']} as {result['operation']} in {mode} mode (requests: {seen or 'none'})"
    outcome = expectation(provider, index, mode)
    last = hits[-1] if hits else None
    if outcome == ABSENT and last is not None and last.status == 404 and last.mount is None:
        assert result["error"], f"router 404 but the call returned: {where}"
        return  # the proxy mounts no such form: the router's 404 is the documented answer
    assert not result["error"], f"{result['error']}: {where}"
    assert last is not None and last.mount is not None, f"no route answered: {where}"
    assert last.mount.index == index, f"route {last.mount.index} ({last.mount.openapi_path}) answered: {where}"
    sent = sorted(job(provider, index, mode, len(last.mount.path_keys))["values"])
    assert sorted(map(str, last.values.values())) == sent, f"path values read {last.values}, sent {sent}: {where}"


def _call_params() -> list[Any]:
    return [pytest.param(p, m, id=f"{p}-{m}") for p in PROVIDERS if p not in UNRELEASED for m in MODES]


@pytest.mark.parametrize(("provider", "mode"), _call_params())
def test_sampled_operations_reach_their_routes(catalogue: dict[str, Generated], fake: FakeLowCodeAPI,
                                               provider: str, mode: str) -> None:
    indexes = sample(provider)
    assert indexes
    failures = []
    for index in indexes:
        try:
            _check_call(catalogue, fake, provider, index, mode)
        except AssertionError as exc:
            failures.append(f"route {index}: {exc}")
    assert not failures, "\n".join(failures)


def _problem_params() -> list[Any]:
    return [
        pytest.param(p, i, m, id=f"{p}-{i}-{m}", marks=pytest.mark.xfail(reason=reason, strict=True))
        for p in PROVIDERS for i, m, reason in known_problems(p)
    ]


@pytest.mark.parametrize(("provider", "index", "mode"), _problem_params())
def test_known_proxy_problems_fail_as_documented(catalogue: dict[str, Generated], fake: FakeLowCodeAPI,
                                                 provider: str, index: int, mode: str) -> None:
    _check_call(catalogue, fake, provider, index, mode)


def test_unreleased_provider_mounts_nothing(fake: FakeLowCodeAPI) -> None:
    route = load_routes("wordpress-oss")[0]
    status, body, _ = fake.answer(route["method"], f"/wordpress-oss{route['openapi_path']}?api_token=at_x")
    assert (status, body) == (404, {"message": "Not Found"})
