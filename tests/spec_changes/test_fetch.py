"""`lowcodegen fetch` against a loopback backend: only a good answer replaces the snapshot (on a copy of specs/)."""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from spec_changes_util import DEFINITION, ROOT, SPECS, Reply, loopback, refused_url, run_cli

SNAPSHOT = Path("lowcodeapi") / "anthropic.openapi.json"
PROVENANCE = Path("lowcodeapi") / "anthropic.provenance.json"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """A copy of the project's specs folder: fetch never touches the real one in tests."""
    copy_of = tmp_path / "specs"
    shutil.copytree(SPECS, copy_of)
    return copy_of


def _files(specs: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((specs / "lowcodeapi").iterdir())}


def _newer_snapshot() -> dict[str, Any]:
    """The current snapshot plus one route the documented spec does not know (a snapshot-only operation)."""
    document: dict[str, Any] = json.loads((SPECS / SNAPSHOT).read_text(encoding="utf-8"))
    route = copy.deepcopy(document["paths"]["/v1/models/{model_id}"])
    route["get"]["summary"] = "Get a Model's capabilities"
    route["get"]["externalDocs"]["api_endpoint"] = "https://api.anthropic.com/v1/models/{model_id}/capabilities"
    document["paths"]["/v1/models/{model_id}/capabilities"] = route
    return document


def _fetch(specs: Path, base_url: str) -> Any:
    return run_cli("fetch", "--root", str(ROOT), "--specs-dir", str(specs), "--base-url", base_url, "--timeout", "5", "--retries", "1")


def _json_reply(data: Any) -> Reply:
    return 200, json.dumps(data).encode(), "application/json"


def test_a_good_answer_replaces_the_snapshot_and_its_provenance(specs: Path) -> None:
    before = json.loads((specs / PROVENANCE).read_text(encoding="utf-8"))
    newer = _newer_snapshot()
    replies = {"/anthropic/openapi": _json_reply(newer), "/anthropic/definition": (200, DEFINITION.read_bytes(), "application/json")}
    with loopback(replies) as (base, seen):
        result = _fetch(specs, base)
    assert result.exit_code == 0, result.output
    assert seen == ["/anthropic/openapi", "/anthropic/definition"]
    stored = (specs / SNAPSHOT).read_bytes()
    assert stored == (json.dumps(newer, indent=2, ensure_ascii=False) + "\n").encode()
    provenance = json.loads((specs / PROVENANCE).read_text(encoding="utf-8"))
    assert provenance["source_url"] == f"{base}/anthropic/openapi"
    assert provenance["sha256"] == hashlib.sha256(stored).hexdigest()
    assert datetime.date.fromisoformat(provenance["retrieved"])
    assert provenance["routes"] == before["routes"] + 1
    assert provenance["definition"] == {"source_url": f"{base}/anthropic/definition", "sha256": hashlib.sha256(DEFINITION.read_bytes()).hexdigest()}
    # `how` now says it was fetched; the hand-rebuilt origin (`based_on`) no longer applies
    assert provenance["how"].startswith(f"Fetched from {base}/anthropic/openapi") and "based_on" not in provenance
    assert {k: v for k, v in provenance.items() if k not in {"how", "based_on", "source_url", "retrieved", "sha256", "routes", "definition", "fetched_with"}} == {
        k: v for k, v in before.items() if k not in {"how", "based_on", "source_url", "retrieved", "sha256", "routes", "definition", "fetched_with"}}  # other fields kept
    assert "replaced" in result.stdout
    assert "[operation-added]" in result.stdout and "0 breaking" in result.stdout
    assert sorted(p.name for p in (specs / "lowcodeapi").iterdir()) == ["anthropic.openapi.json", "anthropic.provenance.json"]


def test_the_same_answer_keeps_the_snapshot_bytes(specs: Path) -> None:
    current = (specs / SNAPSHOT).read_bytes()
    replies = {"/anthropic/openapi": (200, current, "application/json"), "/anthropic/definition": (200, DEFINITION.read_bytes(), "application/json")}
    with loopback(replies) as (base, _):
        result = _fetch(specs, base)
    assert result.exit_code == 0, result.output
    assert (specs / SNAPSHOT).read_bytes() == current
    assert "unchanged" in result.stdout and "no API changes" in result.stdout


def _broken_spec() -> dict[str, Any]:
    """The current snapshot with one path parameter gone (its route still says {model_id})."""
    document: dict[str, Any] = json.loads((SPECS / SNAPSHOT).read_text(encoding="utf-8"))
    document["paths"]["/v1/models/{model_id}"]["get"]["parameters"] = []
    return document


@pytest.mark.parametrize(("case", "openapi", "message"), [
    ("broken spec", _json_reply(_broken_spec()), "the served spec is not usable: path parameter {model_id}"),
    ("not JSON", (200, b"<html><body>Maintenance</body></html>", "text/html"), "the answer is not JSON"),
    ("a JSON list", _json_reply([1, 2]), "is a JSON list, not an OpenAPI document"),
    ("no routes", _json_reply({"openapi": "3.0.0", "info": {"description": ""}, "paths": {}}), "lists no operations"),
    ("HTTP 500", (500, b'{"message": "boom"}', "application/json"), "HTTP 500 Internal Server Error (after 2 attempts)"),
    ("HTTP 404", (404, b'{"message": "Not Found"}', "application/json"), "HTTP 404 Not Found (after 1 attempt)"),
])
def test_a_bad_answer_changes_nothing(specs: Path, case: str, openapi: Reply, message: str) -> None:
    before = _files(specs)
    replies = {"/anthropic/openapi": openapi, "/anthropic/definition": (200, DEFINITION.read_bytes(), "application/json")}
    with loopback(replies) as (base, _):
        result = _fetch(specs, base)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{base}/anthropic/openapi: error: ") and message in lines[0], lines
    assert _files(specs) == before  # byte for byte, and no temporary file left behind


def test_a_broken_definition_changes_nothing(specs: Path) -> None:
    before = _files(specs)
    replies = {"/anthropic/openapi": _json_reply(_newer_snapshot()), "/anthropic/definition": (200, b"{", "application/json")}
    with loopback(replies) as (base, _):
        result = _fetch(specs, base)
    assert result.exit_code == 2 and "/anthropic/definition: error: the answer is not JSON" in result.stderr
    assert _files(specs) == before


def test_offline_changes_nothing(specs: Path) -> None:
    before = _files(specs)
    base = refused_url()
    result = _fetch(specs, base)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{base}/anthropic/openapi: error: cannot connect") and "offline or unreachable" in line
    assert _files(specs) == before
