"""Import cost: `import PKG` leaves httpx unimported (httpx alone costs more than the package's whole
import budget); the first client built imports it, and then calls work as before.

Each check runs in a fresh interpreter, where nothing else has imported httpx yet."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakeserver import FakeServer
from lcclient import GENERATED, HELLO, MODEL, TOKEN

from generator.cli import main

CATALOGUE = Path(__file__).resolve().parents[2] / ".." / "shared" / "lowcodeapi" / "providers"

# argv: package, constructor ("Client" or "AsyncClient"), base URL ("" = no call), path of the
# operation to call (dotted) and its JSON keyword arguments. Prints which heavy modules each step loaded
# and the call's result type (or the error's).
PROBE = r"""
import asyncio, importlib, json, sys

package, constructor, base_url, operation, kwargs = sys.argv[1:6]
out = {}
module = importlib.import_module(package)
out["imported"] = sorted(m for m in ("httpx", "httpcore", "anyio") if m in sys.modules)
kw = {"api_token": "TOKEN"} if not base_url else {"api_token": "TOKEN", "base_url": base_url, "max_retries": 1}
client = getattr(module, constructor)(**kw)
out["constructed"] = sorted(m for m in ("httpx",) if m in sys.modules)
if operation:
    method = client
    for part in operation.split("."):
        method = getattr(method, part)
    try:
        result = method(**json.loads(kwargs))
        if constructor == "AsyncClient":
            result = asyncio.run(result)
    except Exception as exc:
        result = exc
    out["result"] = type(result).__name__
print(json.dumps(out))
"""


def probe(path: Path, package: str, constructor: str = "Client", base_url: str = "",
          operation: str = "", kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOWCODEAPI_API_TOKEN", "ANTHROPIC_API_KEY",
                                                           "LOWCODEAPI_BASE_URL", "ANTHROPIC_BASE_URL")}
    env["PYTHONPATH"] = str(path)
    script = PROBE.replace('"TOKEN"', repr(TOKEN))
    proc = subprocess.run([sys.executable, "-c", script, package, constructor, base_url, operation,
                           json.dumps(kwargs or {})], cwd=path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("constructor", ["Client", "AsyncClient"])
def test_import_leaves_httpx_for_the_first_client(constructor: str) -> None:
    out = probe(GENERATED, "anthropic_lowcodeapi", constructor)
    assert out["imported"] == []
    assert out["constructed"] == ["httpx"]


@pytest.mark.parametrize("constructor", ["Client", "AsyncClient"])
def test_a_lazily_imported_httpx_serves_calls(fake_server: FakeServer, constructor: str) -> None:
    out = probe(GENERATED, "anthropic_lowcodeapi", constructor, fake_server.lowcodeapi_url, "messages.create",
                {"model": MODEL, "max_tokens": 8, "messages": HELLO})
    assert out == {"imported": [], "constructed": ["httpx"], "result": "Message"}


@pytest.mark.parametrize("constructor", ["Client", "AsyncClient"])
def test_a_lazily_imported_httpx_maps_transport_errors(constructor: str) -> None:
    with socket.socket() as closed:  # a port that refuses connections: retried once, then mapped
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    out = probe(GENERATED, "anthropic_lowcodeapi", constructor, url, "models.retrieve", {"model_id": "m"})
    assert out == {"imported": [], "constructed": ["httpx"], "result": "APIConnectionError"}


def test_a_plain_mode_package_imports_without_httpx(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "--spec", str(CATALOGUE / "openai.openapi.json"), "--package",
                                       "openai_lowcodeapi", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = probe(tmp_path, "openai_lowcodeapi")
    assert out["imported"] == []
    assert out["constructed"] == ["httpx"]


def test_the_command_line_still_starts() -> None:
    # The CLI's own modules may import httpx eagerly (they subclass its transports); `--help` must run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(GENERATED)
    proc = subprocess.run([sys.executable, "-m", "anthropic_lowcodeapi", "--help"], cwd=GENERATED, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "messages" in proc.stdout
