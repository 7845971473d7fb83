"""The bench's own environment, `bench/.env/`: the peers, installed from PyPI at the versions pinned
in `bench/requirements.txt`. Created on first use, reused while the pins are unchanged."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
ENV = os.path.join(BENCH, ".env")
REQUIREMENTS = os.path.join(BENCH, "requirements.txt")
STAMP = os.path.join(ENV, ".bench-installed")


def env_bin(name: str) -> str:
    """A program of the bench environment."""
    return os.path.join(ENV, "bin", name)


def project_bin(name: str) -> str:
    """A program of the project's own environment (`.venv`, made by the Makefile)."""
    return os.path.join(ROOT, ".venv", "bin", name)


def _pins_hash() -> str:
    with open(REQUIREMENTS, "rb") as handle:
        return hashlib.sha256(handle.read() + sys.version.encode()).hexdigest()


def ensure_env(log: object = print) -> str:
    """The bench environment's python, after creating or refreshing the environment if needed."""
    python = env_bin("python")
    wanted = _pins_hash()
    try:
        with open(STAMP, encoding="utf-8") as handle:
            if handle.read().strip() == wanted and os.path.exists(python):
                return python
    except OSError:
        pass
    log(f"bench: creating {os.path.relpath(ENV)} from {os.path.relpath(REQUIREMENTS)} (once)")  # type: ignore[operator]
    # The base interpreter, not the project's venv, so the two environments share nothing.
    base = getattr(sys, "_base_executable", sys.executable)
    if not os.path.exists(python):
        subprocess.run([base, "-m", "venv", ENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS],
                   check=True)
    with open(STAMP, "w", encoding="utf-8") as handle:
        handle.write(wanted + "\n")
    return python
