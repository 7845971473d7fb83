"""Packaging: the package works vendored under any parent package or name (relative imports only), and
installs from ``generated/`` into a fresh virtual environment with httpx as its only runtime dependency."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakeserver import FakeServer
from lcclient import GENERATED, PACKAGE_DIR

# Run in a subprocess: imports the client as MODULE, makes calls against the fake server, prints a summary.
SMOKE = r'''
import asyncio, importlib, json, logging, sys, tempfile
from pathlib import Path

module_name, lowcodeapi_url, direct_url = sys.argv[1:4]
lc = importlib.import_module(module_name)
out = {"file": lc.__file__}
client = lc.Client(api_token="at_smoke-token", base_url=lowcodeapi_url, timeout=10)
msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
out["text"] = msg.content[0].text
out["message_class"] = type(msg).__module__ + "." + type(msg).__name__
out["models"] = [m.id for m in client.models.list()]
out["stream"] = "".join(client.messages.create(model="m", max_tokens=8, messages=[{"role": "user", "content": "Hi"}],
                                               stream=True).text_stream)
meta = client.files.upload(file=("s.txt", b"smoke", "text/plain"))
out["download"] = client.files.download(meta.id).decode()
out["results"] = [line.result.type for line in client.messages.batches.results("msgbatch_01")]
try:
    client.models.retrieve("nope")
except lc.NotFoundError as err:
    out["error"] = [type(err).__name__, err.status_code, err.error_type]
direct = lc.Client(api_key="sk-ant-smoke", target="direct", base_url=direct_url)
out["direct"] = direct.organizations.me().name

async def amain():
    async with lc.AsyncClient(api_token="at_smoke-token", base_url=lowcodeapi_url) as aclient:
        return [m.id async for m in aclient.models.list()]

out["async_models"] = asyncio.run(amain())
url_formats = importlib.import_module(module_name + ".url_formats")
out["to_old"] = url_formats.to_old(lowcodeapi_url + "/v1/models/claude-haiku-4-5?api_token=at_x")
out["logger"] = importlib.import_module(module_name + "._provider").PACKAGE_NAME
out["modules"] = sorted(name for name in sys.modules if name.split(".")[0] in
                        ("anthropic_lowcodeapi", "pydantic", "jinja2", "generator", "yaml", "black"))
# (click is left out: httpx itself imports it when it is installed, for its own command line)
print(json.dumps(out))
'''


def run_smoke(python: str, module: str, server: FakeServer, *, cwd: Path, path: list[Path]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOWCODEAPI_API_TOKEN", "ANTHROPIC_API_KEY",
                                                           "LOWCODEAPI_BASE_URL", "ANTHROPIC_BASE_URL")}
    if path:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in path)
    proc = subprocess.run([python, "-c", SMOKE, module, server.lowcodeapi_url, server.direct_url],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def check_smoke(out: dict[str, Any], module: str) -> None:
    assert out["text"] == "Hello! You said: Hi"
    assert out["message_class"] == f"{module}.types.Message"
    assert out["models"] == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert out["async_models"] == out["models"]
    assert out["stream"] == "Hello! You said: Hi"
    assert out["download"] == "smoke"
    assert out["results"] == ["succeeded", "errored", "canceled"]
    assert out["error"] == ["NotFoundError", 404, "not_found_error"]
    assert out["direct"] == "Fake Org"
    assert "/v1/models/modelid?modelid=claude-haiku-4-5" in out["to_old"]
    assert out["logger"] == module
    others = [name for name in out["modules"] if not name.startswith(module)]
    assert others == [], f"imported besides {module}: {others}"


def test_only_relative_imports_inside_the_package() -> None:
    offenders = []
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] == "anthropic_lowcodeapi"]
    assert offenders == []


@pytest.mark.parametrize("module", ["myapp._vendor.anthropic_lowcodeapi", "other_name"])
def test_vendored_under_another_name(fake_server: FakeServer, tmp_path: Path, module: str) -> None:
    root = tmp_path / "app"
    target = root.joinpath(*module.split("."))
    for parent in list(target.relative_to(root).parents)[:-1]:
        (root / parent).mkdir(parents=True, exist_ok=True)
        (root / parent / "__init__.py").write_text("")
    shutil.copytree(PACKAGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    assert not (root / "anthropic_lowcodeapi").exists()
    out = run_smoke(sys.executable, module, fake_server, cwd=root, path=[root])
    assert Path(out["file"]).resolve() == (target / "__init__.py").resolve()
    check_smoke(out, module)
    assert len(fake_server.requests) >= 10


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment (nothing installed but pip)."""
    venv = tmp_path_factory.mktemp("freshvenv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    return venv


def copy_generated(tmp_path: Path) -> Path:
    """generated/ copied: pip builds in the source tree, and generated/ must stay untouched."""
    source = tmp_path / "src"
    shutil.copytree(GENERATED, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    return source


def pip_install(venv: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(source)], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_pip_install_generated_as_it_is(fresh_venv: Path, tmp_path: Path) -> None:
    install = pip_install(fresh_venv, copy_generated(tmp_path))
    assert install.returncode == 0, install.stderr[-2000:]


@pytest.mark.slow
def test_fresh_virtualenv_with_httpx_only(fake_server: FakeServer, fresh_venv: Path, tmp_path: Path) -> None:
    source = copy_generated(tmp_path)
    # Work around the version bug above (in the copy only) to check everything else about the install.
    project = source / "pyproject.toml"
    text = project.read_text(encoding="utf-8")
    project.write_text(re.sub(r'(?m)^version = "[^"]*"', 'version = "2023.6.1"', text), encoding="utf-8")
    install = pip_install(fresh_venv, source)
    assert install.returncode == 0, install.stdout + install.stderr
    python = str(fresh_venv / "bin" / "python")
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True, timeout=120)
    installed = {d["name"].lower().replace("_", "-") for d in json.loads(listed.stdout)}
    assert {"anthropic-lowcodeapi", "httpx"} <= installed
    for unwanted in ("pydantic", "pydantic-core", "jinja2", "lowcodegen", "openapi-pydantic", "pyyaml", "black",
                     "click"):
        assert unwanted not in installed, f"{unwanted} was installed: {sorted(installed)}"
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    out = run_smoke(python, "anthropic_lowcodeapi", fake_server, cwd=workdir, path=[])
    assert Path(out["file"]).resolve().is_relative_to(fresh_venv.resolve())
    check_smoke(out, "anthropic_lowcodeapi")
    assert len(fake_server.requests) >= 10
    typed = subprocess.run([python, "-c", "import anthropic_lowcodeapi, pathlib; "
                            "print((pathlib.Path(anthropic_lowcodeapi.__file__).parent / 'py.typed').exists())"],
                           cwd=workdir, capture_output=True, text=True, check=True, timeout=60)
    assert typed.stdout.strip() == "True"
