"""`lowcodegen diff` as users run it: formats, the JSON schema, --fail-on, bad input, --git, and generate's summary."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from spec_changes_util import ROOT, SPECS, base_spec, run_cli, write_specs

from generator.diff_rules import RULES

CHANGE_KEYS = {"rule", "severity", "operation", "operations", "where", "message", "old", "new"}


def _two_sides(tmp_path: Path, *edits: Any) -> tuple[str, str]:
    old = write_specs(tmp_path / "old", base_spec())
    doc = base_spec()
    for edit in edits:
        edit(doc)
    return str(old), str(write_specs(tmp_path / "new", doc))


def _drop_photo(d: dict[str, Any]) -> None:  # breaking
    del d["paths"]["/v1/pets/{pet_id}/photo"]


def _drop_nickname(d: dict[str, Any]) -> None:  # possibly breaking
    del d["components"]["schemas"]["Pet"]["properties"]["nickname"]


def _add_color(d: dict[str, Any]) -> None:  # compatible
    d["components"]["schemas"]["Pet"]["properties"]["color"] = {"type": "string"}


def test_json_output_has_a_stable_schema(tmp_path: Path) -> None:
    result = run_cli("diff", *_two_sides(tmp_path, _drop_photo, _drop_nickname, _add_color), "--format", "json", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"schema", "old", "new", "summary", "changes"}
    assert data["schema"] == "lowcodegen-diff/1"
    assert data["summary"] == {"breaking": 1, "possibly-breaking": 1, "compatible": 1, "total": 3}
    assert [c["rule"] for c in data["changes"]] == ["operation-removed", "response-optional-field-removed", "response-field-added"]
    for change in data["changes"]:
        assert set(change) == CHANGE_KEYS
        assert change["severity"] == RULES[change["rule"]][0]
        assert isinstance(change["operations"], list) and change["operation"] == change["operations"][0]
    assert data["changes"][1]["where"] == "field:Pet.nickname"


def test_text_and_markdown_put_breaking_first(tmp_path: Path) -> None:
    sides = _two_sides(tmp_path, _add_color, _drop_photo)
    text = run_cli("diff", *sides, "--root", str(tmp_path)).stdout
    assert text.splitlines()[0].endswith("1 breaking, 0 possibly breaking, 1 compatible")
    assert text.index("[operation-removed]") < text.index("[response-field-added]")
    markdown = run_cli("diff", *sides, "--format", "markdown", "--root", str(tmp_path)).stdout
    assert markdown.startswith("## API changes")
    assert markdown.index("### Breaking (1)") < markdown.index("### Compatible (1)")
    assert "| `pets.photo` | client.pets.photo() was removed" in markdown


@pytest.mark.parametrize(("edits", "fail_on", "code"), [
    ((_drop_photo,), "breaking", 1),
    ((_drop_nickname,), "breaking", 0),
    ((_drop_nickname,), "possibly", 1),
    ((_add_color,), "possibly", 0),
    ((_add_color,), "any", 1),
    ((), "any", 0),
    ((_drop_photo,), None, 0),
])
def test_fail_on_sets_the_exit_status(tmp_path: Path, edits: tuple[Any, ...], fail_on: str | None, code: int) -> None:
    args = ["diff", *_two_sides(tmp_path, *edits), "--root", str(tmp_path)] + (["--fail-on", fail_on] if fail_on else [])
    assert run_cli(*args).exit_code == code


def test_bad_input_exits_2_with_a_location(tmp_path: Path) -> None:
    old, _ = _two_sides(tmp_path)
    missing = run_cli("diff", old, str(tmp_path / "nowhere"), "--root", str(tmp_path))
    assert missing.exit_code == 2 and "nowhere: error: no such file or folder [diff.missing]" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: [\n", encoding="utf-8")
    syntax = run_cli("diff", old, str(broken), "--root", str(tmp_path))
    assert syntax.exit_code == 2 and "broken.yaml:" in syntax.stderr and "[read.syntax]" in syntax.stderr
    assert run_cli("diff", old, "--root", str(tmp_path)).exit_code == 2  # usage: NEW missing


def test_a_spec_file_and_the_real_specs_folder(tmp_path: Path) -> None:
    same = run_cli("diff", str(SPECS), str(SPECS / "anthropic.documented.yaml"), "--root", str(ROOT), "--format", "json")
    assert same.exit_code == 0
    assert json.loads(same.stdout)["summary"]["total"] == 0  # documented-only operations still go through the proxy


def test_rules_lists_every_rule() -> None:
    out = run_cli("diff", "--rules").stdout
    assert all(rule in out for rule in RULES)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, check=True, capture_output=True)


def _project(tmp_path: Path) -> Path:
    """A lowcodegen project in a fresh git repository: pyproject, specs/pets.documented.json, one commit."""
    root = tmp_path / "project"
    write_specs(root / "specs", base_spec())
    (root / "pyproject.toml").write_text(
        f'[tool.lowcodegen]\ntemplates = "{ROOT / "templates"}"\n\n[[tool.lowcodegen.targets]]\nname = "pets"\n'
        'provider = "pets"\npackage = "pets_client"\ndocumented = "specs/pets.documented.json"\nout = "generated"\n', encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


def _edit_spec(root: Path, edit: Any) -> None:
    path = root / "specs" / "pets.documented.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def test_git_ref_compares_with_the_current_specs(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert "no API changes" in run_cli("diff", "--git", "HEAD", "--root", str(root)).stdout
    _edit_spec(root, _drop_photo)
    result = run_cli("diff", "--git", "HEAD", "--root", str(root), "--format", "json", "--fail-on", "breaking")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["old"] == "HEAD:specs" and [c["rule"] for c in data["changes"]] == ["operation-removed"]
    unknown = run_cli("diff", "--git", "no-such-ref", "--root", str(root))
    assert unknown.exit_code == 2 and "no-such-ref:specs/pets.documented.json: error:" in unknown.stderr


def test_git_ref_reports_errors_in_the_old_spec_by_its_git_name(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "specs" / "pets.documented.json").write_text('{"openapi": "3.1.0", "paths": [', encoding="utf-8")
    _git(root, "commit", "-qam", "broken")
    shutil.copy(tmp_path / "project" / "specs" / "pets.documented.json", tmp_path / "broken.json")
    write_specs(root / "specs", base_spec())
    result = run_cli("diff", "--git", "HEAD", "--root", str(root))
    assert result.exit_code == 2 and "HEAD:specs/pets.documented.json:1: error: invalid JSON" in result.stderr


def test_generate_ends_with_the_api_changes_since_the_committed_generation(tmp_path: Path) -> None:
    root = _project(tmp_path)
    # The previous generation, as far as the summary reads it: its committed merged spec (one full
    # generate less keeps this test fast; every generated file's header names its inputs' sha256).
    from generator.config import load_config
    from generator.pipeline import merge_target

    config = load_config(str(root))
    merged, _ = merge_target(config.target(), config, str(root))
    (root / "generated").mkdir()
    (root / "generated" / "openapi.merged.json").write_text(json.dumps(merged.document, indent=2), encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "generated")
    _edit_spec(root, _drop_photo)
    result = run_cli("generate", "--root", str(root))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    summary = lines.index("API changes since HEAD:generated/openapi.merged.json: 1 breaking, 0 possibly breaking, 0 compatible")
    assert "breaking: pets.photo: client.pets.photo() was removed" in lines[summary + 1]


def test_generate_without_a_committed_generation_prints_no_api_summary(tmp_path: Path) -> None:
    from generator.specsets import committed_api

    root = _project(tmp_path)
    (root / "generated").mkdir()
    assert committed_api(str(root / "generated"), None) is None  # type: ignore[arg-type]  # git knows no such file
    assert committed_api(str(tmp_path / "elsewhere"), None) is None  # type: ignore[arg-type]  # no folder, no git
