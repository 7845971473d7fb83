"""Fixtures for the CLI tests: the generated CLI run as a subprocess against the loopback fake server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clikit import KEY, PACKAGE, TOKEN, Run, cli_env
from fakeserver import FakeServer


@pytest.fixture
def outputs() -> Iterator[list[bytes]]:
    """Everything the CLI printed during one test; none of it may hold a credential."""
    seen: list[bytes] = []
    yield seen
    for data in seen:
        assert TOKEN.encode() not in data and KEY.encode() not in data, data.decode("utf-8", "replace")


@pytest.fixture
def run_cli(outputs: list[bytes]) -> Run:
    """``run_cli(*args, input=b"", env={...}, cwd=...)``: the CLI's CompletedProcess (bytes)."""

    def run(*args: str, input: bytes = b"", env: dict[str, str] | None = None,
            cwd: str | Path | None = None) -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run([sys.executable, "-m", PACKAGE, *args], input=input, capture_output=True,
                              env=env if env is not None else cli_env(), cwd=cwd, timeout=60, check=False)
        outputs.extend([done.stdout, done.stderr])
        return done

    return run


@pytest.fixture
def lc(run_cli: Run, fake_server: FakeServer) -> Run:
    """The CLI with a LowCodeAPI token (from the environment) pointed at the fake server."""

    def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        env = cli_env(LOWCODEAPI_API_TOKEN=TOKEN)
        return run_cli("--base-url", fake_server.lowcodeapi_url, "--max-retries", "0", *args,
                       env=env, **kwargs)

    return run
