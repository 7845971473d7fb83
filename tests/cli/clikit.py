"""What the CLI tests share: where the generated package is, the credentials, a clean environment."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
PACKAGE = "anthropic_lowcodeapi"
TOKEN = "at_cli-s3cr3t-TOKEN-7d1f"
KEY = "sk-ant-api03-cli-s3cr3t-KEY-9b2e"
# The environment variables the client reads: the tests set what they need, never inherit them.
CREDENTIAL_ENV = ("LOWCODEAPI_API_TOKEN", "ANTHROPIC_API_KEY", "LOWCODEAPI_BASE_URL", "ANTHROPIC_BASE_URL")

Run = Callable[..., subprocess.CompletedProcess[bytes]]


def cli_env(**extra: str) -> dict[str, str]:
    """A clean environment: the generated package on the path, a fixed 100-column terminal, no credentials."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV and not k.endswith("_COMPLETE")}
    env.update(PYTHONPATH=str(GENERATED), COLUMNS="100", LINES="40", PYTHONIOENCODING="utf-8",
               PYTHONDONTWRITEBYTECODE="1", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    env.update(extra)
    return env
