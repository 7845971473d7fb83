"""`lowcodegen fetch --provider NAME`: any LowCodeAPI provider's snapshot, with the Anthropic fetch's safety."""

from __future__ import annotations

import json
from pathlib import Path

from spec_changes_util import ROOT, loopback, run_cli

SHARED = ROOT.parent / "shared" / "lowcodeapi"
OPENAI = SHARED / "providers" / "openai.openapi.json"
OPENAI_DEFINITION = SHARED / "openai.definition.json"


def _replies(document: bytes) -> dict[str, tuple[int, bytes, str]]:
    return {"/openai/openapi": (200, document, "application/json"),
            "/openai/definition": (200, OPENAI_DEFINITION.read_bytes(), "application/json")}


def _fetch(root: Path, base: str, *extra: str) -> object:
    return run_cli("fetch", "--provider", "openai", "--root", str(root), "--base-url", base, "--timeout", "5", "--retries", "0", *extra)


def test_fetch_writes_the_provider_snapshot_and_provenance(tmp_path: Path) -> None:
    with loopback(_replies(OPENAI.read_bytes())) as (base, seen):
        result = _fetch(tmp_path, base)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert seen == ["/openai/openapi", "/openai/definition"]
    written = tmp_path / "specs" / "lowcodeapi" / "openai.openapi.json"
    assert json.loads(written.read_text()) == json.loads(OPENAI.read_text())
    provenance = json.loads((tmp_path / "specs" / "lowcodeapi" / "openai.provenance.json").read_text())
    assert provenance["source_url"] == f"{base}/openai/openapi" and provenance["routes"] == 59
    # what it wrote generates a client as it stands
    out = tmp_path / "client"
    generated = run_cli("generate", "--spec", str(written), "--package", "openai_lowcodeapi", "--out", str(out))
    assert generated.exit_code == 0, generated.output
    assert 'LOWCODEAPI_BASE_URL = "https://api.lowcodeapi.com/openai"' in (out / "openai_lowcodeapi" / "_provider.py").read_text()


def test_another_providers_document_changes_nothing(tmp_path: Path) -> None:
    other = json.loads(OPENAI.read_text())
    other["servers"] = [{"url": "https://api.lowcodeapi.com/deepseek"}]
    with loopback(_replies(json.dumps(other).encode())) as (base, _):
        result = _fetch(tmp_path, base)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1 and "not LowCodeAPI's 'openai'" in lines[0]
    assert not (tmp_path / "specs").exists()


def test_a_shrunken_answer_is_refused_without_force(tmp_path: Path) -> None:
    with loopback(_replies(OPENAI.read_bytes())) as (base, _):
        assert _fetch(tmp_path, base).exit_code == 0  # type: ignore[attr-defined]
    snapshot = tmp_path / "specs" / "lowcodeapi" / "openai.openapi.json"
    before = snapshot.read_bytes()
    small = json.loads(OPENAI.read_text())
    small["paths"] = dict(list(small["paths"].items())[:5])
    with loopback(_replies(json.dumps(small).encode())) as (base, _):
        result = _fetch(tmp_path, base)
    assert result.exit_code == 2 and "refusing without --force" in result.output  # type: ignore[attr-defined]
    assert snapshot.read_bytes() == before


def test_a_provider_name_that_is_not_a_url_segment_is_refused(tmp_path: Path) -> None:
    for name in ("../etc", "a/b", "Open AI", "", "x" * 80):
        result = run_cli("fetch", "--provider", name, "--root", str(tmp_path), "--base-url", "http://127.0.0.1:9", "--timeout", "1")
        assert result.exit_code == 2, (name, result.output)
        assert "is not a LowCodeAPI provider name" in result.output
    assert list(tmp_path.iterdir()) == []
