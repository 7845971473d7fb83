"""Every table in every generated Markdown file has, on every row, as many cells as its header.

generated/README.md joined the CLI rows of sibling resources with `||` on one line (the recursive macro
trimmed the newline between them); spec strings with `|`, backticks, backslashes or line breaks must not
split or merge cells either (README, URL_FORMATS.md, MERGE_REPORT.md, `lowcodegen diff --format markdown`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from gentest_util import ROOT, TEMPLATES

from generator.diff import diff_apis
from generator.diffreport import to_markdown
from generator.pipeline import generate, plain_target

_DELIMITER = re.compile(r"(?<!\\)((?:\\\\)*)\|")  # a pipe after an even run of backslashes splits cells (GFM)


def cells(row: str) -> int:
    parts = _DELIMITER.split(row.strip())[::2]  # the split keeps the backslash runs: every other part
    return len(parts) - 2  # the text before the first and after the last pipe


def table_problems(name: str, text: str) -> list[str]:
    """Rows whose cell count differs from their header's, and tables a stray line break cut short."""
    lines = text.split("\n")
    problems = []
    for i, line in enumerate(lines[:-1]):
        if not (line.startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[i + 1].strip())):
            continue
        width = cells(line)
        j = i + 2
        while j < len(lines) and lines[j].startswith("|"):
            if cells(lines[j]) != width:
                problems.append(f"{name}:{j + 1}: {cells(lines[j])} cells, header has {width}: {lines[j][:120]!r}")
            j += 1
        if j < len(lines) and lines[j].strip():
            problems.append(f"{name}:{j + 1}: a table row cut by a line break: {lines[j][:120]!r}")
    return problems


COMMITTED = sorted([*ROOT.glob("generated/*.md"), *ROOT.glob("tests/golden/cases/*/expected/*.md")])


def test_there_are_tables_to_check() -> None:
    assert ROOT / "generated" / "README.md" in COMMITTED
    assert sum(1 for p in COMMITTED for line in p.read_text(encoding="utf-8").splitlines() if line.startswith("|---")) >= 10


@pytest.mark.parametrize("path", COMMITTED, ids=[str(p.relative_to(ROOT)) for p in COMMITTED])
def test_committed_markdown_tables(path: Path) -> None:
    assert table_problems(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")) == []


HOSTILE = "a | b \\| c \\\\| d `e` ``f`` g\nh\r\ni\u2028j <k> |"


def _hostile_spec(summary: str) -> dict[str, object]:
    op = {"summary": summary, "description": summary, "responses": {"200": {"description": summary}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": summary, "version": "1"},
        "servers": [{"url": "https://example.test/a|b"}],
        "paths": {"/x|y/`z`": {"get": {**op, "operationId": "getThing"}},
                  "/things/{id}": {"get": {**op, "operationId": "things/get",
                                           "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}},
                  "/things/{id}/parts": {"get": {**op, "operationId": "things/parts/list",
                                                 "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}},
                  "/other": {"post": {**op, "operationId": "other/create"}}},
    }


def test_generated_markdown_from_hostile_strings(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.json"
    spec.write_text(json.dumps(_hostile_spec(HOSTILE)), encoding="utf-8")
    gen = generate(plain_target(str(spec), "hostile_pkg", str(tmp_path / "out")), None, str(tmp_path), TEMPLATES, None)
    markdown = {f.path: f.text for f in gen.files if f.path.endswith(".md")}
    assert set(markdown) >= {"README.md", "URL_FORMATS.md", "MERGE_REPORT.md"}
    assert [p for name, text in sorted(markdown.items()) for p in table_problems(name, text)] == []
    assert any("x\\|y" in line for line in markdown["URL_FORMATS.md"].splitlines()), "the path is in its table, pipe escaped"


def test_diff_markdown_from_hostile_strings(tmp_path: Path) -> None:
    apis = []
    for index, summary in enumerate(["plain", HOSTILE]):
        spec = tmp_path / f"v{index}.json"
        document = _hostile_spec(summary)
        if index:
            del document["paths"]["/x|y/`z`"]  # type: ignore[attr-defined]
        spec.write_text(json.dumps(document), encoding="utf-8")
        apis.append(generate(plain_target(str(spec), "hostile_pkg", str(tmp_path / "out")), None, str(tmp_path), TEMPLATES, None).api)
    text = to_markdown(diff_apis(apis[0], apis[1]), "old|`side`", "new\nside")
    assert text.count("|---") >= 1
    assert table_problems("diff.md", text) == []
