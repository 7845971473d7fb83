"""source.py: spec files to Python data; every failure located; JSON pointers found by line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from gentest_util import spec_file

from generator.diagnostics import GeneratorError, Location
from generator.source import read_spec

YAML = """
openapi: 3.1.0
info:
  title: Lines
  version: "1"
paths:
  /v1/a/{id}:
    get:
      parameters:
        - name: id
          in: path
        - name: q
          in: query
      responses:
        "200":
          description: ok
"""


def error_of(path: Path | str) -> tuple[str, Location]:
    with pytest.raises(GeneratorError) as info:
        read_spec(str(path))
    (diag,) = info.value.diagnostics
    assert diag.level == "error"
    return diag.code, diag.location


def test_yaml_is_parsed_with_its_hash(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "s.yaml", YAML)
    spec = read_spec(str(path), "specs/s.yaml")
    assert spec.path == "specs/s.yaml"  # the display name is what messages show
    assert spec.data["info"] == {"title": "Lines", "version": "1"}
    assert spec.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not spec.is_json


def test_json_is_recognised_by_extension_or_brace(tmp_path: Path) -> None:
    doc = {"openapi": "3.1.0", "info": {"title": "J", "version": "1"}, "paths": {}}
    by_ext = tmp_path / "a.json"
    by_ext.write_text(json.dumps(doc), encoding="utf-8")
    by_brace = tmp_path / "a.spec"
    by_brace.write_text("\n  " + json.dumps(doc), encoding="utf-8")
    for path in (by_ext, by_brace):
        spec = read_spec(str(path))
        assert spec.is_json and spec.data == doc


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfopenapi: 3.1.0\ninfo: {title: B\xc3\xa9, version: '1'}\npaths: {}\n")
    assert read_spec(str(path)).data["info"]["title"] == "Bé"


def test_yaml_dates_stay_strings(tmp_path: Path) -> None:
    # OpenAPI has no date type and the merged document is JSON: a YAML timestamp must stay text.
    path = spec_file(tmp_path, "d.yaml", "openapi: 3.1.0\ninfo: {title: t, version: 2024-10-01}\npaths: {}\n")
    assert read_spec(str(path)).data["info"]["version"] == "2024-10-01"


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        ("/info", 2),
        ("/info/version", 4),
        ("/paths/~1v1~1a~1{id}", 6),
        ("/paths/~1v1~1a~1{id}/get/parameters/0", 9),
        ("/paths/~1v1~1a~1{id}/get/parameters/1/in", 12),
        ("/paths/~1v1~1a~1{id}/get/responses/200/description", 15),
        ("/paths/~1v1~1a~1{id}/get/nothing/here", 7),  # a missing node: the nearest existing ancestor
    ],
)
def test_pointer_lines_in_yaml(tmp_path: Path, pointer: str, line: int) -> None:
    spec = read_spec(str(spec_file(tmp_path, "s.yaml", YAML)))
    assert spec.line_of(pointer) == line
    assert spec.location(pointer) == Location(spec.path, pointer, line)


def test_pointer_lines_in_json(tmp_path: Path) -> None:
    doc = {"openapi": "3.1.0", "info": {"title": "J", "version": "1"}, "paths": {"/a/b": {"get": {"responses": {}}}}}
    path = tmp_path / "j.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    spec = read_spec(str(path))
    lines = path.read_text().splitlines()
    line = spec.line_of("/paths/~1a~1b/get")
    assert line is not None and '"get"' in lines[line - 1]


def test_location_text_names_file_line_and_pointer() -> None:
    assert str(Location("a.yaml", "/info", 3)) == "a.yaml:3: /info"
    assert str(Location("a.yaml")) == "a.yaml"
    assert str(Location("a.yaml", "", 7)) == "a.yaml:7"


def test_missing_file(tmp_path: Path) -> None:
    code, loc = error_of(tmp_path / "nope.yaml")
    assert code == "read.missing" and loc.file.endswith("nope.yaml")


def test_directory(tmp_path: Path) -> None:
    code, _ = error_of(tmp_path)
    assert code == "read.is-directory"


@pytest.mark.parametrize("text", ["", "   \n\n\t\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(text)
    assert error_of(path)[0] == "read.empty"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "l.yaml"
    path.write_bytes(b"openapi: 3.1.0\ninfo: {title: caf\xe9}\n")
    assert error_of(path)[0] == "read.encoding"


def test_invalid_yaml_has_a_line(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "bad.yaml", "openapi: 3.1.0\ninfo:\n  title: [x\n  version: 1\nnext: 2\n")
    code, loc = error_of(path)
    assert code == "read.syntax" and loc.line is not None and 3 <= loc.line <= 6


def test_invalid_json_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "openapi": "3.1.0",\n  "info": ,\n  "paths": {}\n}\n')
    code, loc = error_of(path)
    assert code == "read.syntax" and loc.line == 3


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    code, loc = error_of(spec_file(tmp_path, "l.yaml", "- a\n- b\n"))
    assert code == "read.not-a-mapping" and loc.line == 1


def test_python_tags_are_refused(tmp_path: Path) -> None:
    # The safe loader: a spec can never make the reader build objects or run code.
    path = spec_file(tmp_path, "t.yaml", "openapi: !!python/object/apply:os.system ['touch PWNED']\n")
    assert error_of(path)[0] == "read.syntax"
    assert not (tmp_path / "PWNED").exists()


def test_json_with_escaped_surrogate_pairs_keeps_lines(tmp_path: Path) -> None:
    doc = {"openapi": "3.1.0", "info": {"title": "emoji \U0001F600", "version": "1"}, "paths": {"/a": {}}}
    path = tmp_path / "e.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")  # ensure_ascii: "\ud83d\ude00"
    spec = read_spec(str(path))
    assert spec.data["info"]["title"] == "emoji \U0001F600"
    assert spec.line_of("/paths/~1a") == 8  # the line of the `"/a"` key


def test_yaml_flow_style_file_is_yaml(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "flow.yaml", "{openapi: 3.1.0, info: {title: t, version: '1'}, paths: {}}\n")
    assert read_spec(str(path)).data["openapi"] == "3.1.0"
