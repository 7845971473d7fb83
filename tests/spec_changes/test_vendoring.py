"""Vendoring: the client generated under another package name, kept fresh with `check`, imported and called."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from spec_changes_util import ROOT, loopback, run_cli

PACKAGE = "vendored_anthropic_client"


def test_generate_under_another_name_check_import_and_call(tmp_path: Path) -> None:
    out = tmp_path / "vendor" / "anthropic_dist"
    generated = run_cli("generate", "--root", str(ROOT), "--out", str(out), "--package", PACKAGE)
    assert generated.exit_code == 0, generated.output
    assert (out / PACKAGE / "__init__.py").is_file() and not (out / "anthropic_lowcodeapi").exists()

    assert run_cli("check", "--root", str(ROOT), "--out", str(out), "--package", PACKAGE).exit_code == 0
    types_py = out / PACKAGE / "types.py"
    fresh = types_py.read_bytes()
    types_py.write_bytes(fresh + b"# a hand edit\n")
    stale = run_cli("check", "--root", str(ROOT), "--out", str(out), "--package", PACKAGE)
    assert stale.exit_code == 1 and "stale" in stale.stderr
    types_py.write_bytes(fresh)

    model = {"id": "claude-test-1", "type": "model", "display_name": "Claude Test", "created_at": "2026-01-01T00:00:00Z"}
    replies = {"/anthropic/v1/models/claude-test-1": (200, json.dumps({"data": model}).encode(), "application/json")}
    sys.path.insert(0, str(out))
    try:
        client_module = importlib.import_module(PACKAGE)
        with loopback(replies) as (base, seen):
            client = client_module.Client(api_token="at_test", base_url=f"{base}/anthropic", max_retries=0)
            info = client.models.retrieve("claude-test-1")
            client.close()
        assert (info.id, info.display_name, info.type) == ("claude-test-1", "Claude Test", "model")
        assert info.to_dict() == model
        assert seen == ["/anthropic/v1/models/claude-test-1?api_token=at_test"]
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
