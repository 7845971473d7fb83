"""dialect_types.py + dialect.py: every wrong `type`, enum and path template that LowCodeAPI's provider files
hold is repaired into valid OpenAPI with one located warning per repair, never refused (issue 13, item 3)."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.load import load_spec

PROVIDERS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "lowcodeapi", "providers", "*.openapi.json")))


def provider_doc(prop: dict[str, Any], param: dict[str, Any] | None = None, key: str = "/v1/things",
                 endpoint: str = "https://api.acme.com/v1/things") -> dict[str, Any]:
    """A one-operation LowCodeAPI document with `prop` as a body property and `param` as a query parameter schema."""
    params = [{"name": "q", "in": "query", "schema": param}] if param is not None else []
    return {
        "openapi": "3.0.0", "info": {"description": ""}, "servers": [{"url": "https://api.lowcodeapi.com/acme"}],
        "paths": {key: {"post": {
            "tags": ["Things"], "summary": "Make a thing", "parameters": params,
            "externalDocs": {"api_endpoint": endpoint},
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": [], "properties": {"field": prop}}}}},
            "responses": {"401": {"description": "API token required"}},
        }}},
    }


def load(tmp_path: Path, doc: dict[str, Any]) -> Any:
    path = tmp_path / "acme.openapi.json"
    path.write_text(json.dumps(doc, indent=1))
    return load_spec(str(path))  # validates: raises on anything that is not valid OpenAPI


FIELD = "/paths/~1v1~1things/post/requestBody/content/application~1json/schema/properties/field"


@pytest.mark.parametrize(
    ("prop", "code", "expected"),
    [
        ({"type": "enum", "enum": ["a", "b"]}, "repair.type-alias", {"type": "string", "enum": ["a", "b"]}),
        ({"type": "ENUM", "enum": [1, 2]}, "repair.type-alias", {"type": "integer", "enum": [1, 2]}),
        ({"type": ""}, "repair.type-unknown", {}),
        ({"type": "undefined"}, "repair.type-unknown", {}),
        ({"type": "fogbugz"}, "repair.type-unknown", {}),
        ({"type": "srring"}, "repair.type-typo", {"type": "string"}),
        ({"type": "strign"}, "repair.type-typo", {"type": "string"}),
        ({"type": "tring"}, "repair.type-typo", {"type": "string"}),
        ({"type": "objcet"}, "repair.type-typo", {"type": "object"}),
        ({"type": "booleam"}, "repair.type-typo", {"type": "boolean"}),
        ({"type": "arrayt"}, "repair.type-typo", {"type": "array"}),
        ({"type": "String"}, "repair.type-case", {"type": "string"}),
        ({"type": "array "}, "repair.type-case", {"type": "array"}),
        ({"type": "float"}, "repair.type-alias", {"type": "number"}),
        ({"type": "date"}, "repair.type-alias", {"type": "string", "format": "date"}),
        ({"type": "DateTime"}, "repair.type-alias", {"type": "string", "format": "date-time"}),
        ({"type": "JSON"}, "repair.type-alias", {"type": "object"}),
        ({"type": "URL"}, "repair.type-alias", {"type": "string", "format": "uri"}),
        ({"type": "email"}, "repair.type-alias", {"type": "string", "format": "email"}),
        ({"type": "array of object"}, "repair.type-array-notation", {"type": "array", "items": {"type": "object"}}),
        ({"type": '["string"'}, "repair.type-array-notation", {"type": "array", "items": {"type": "string"}}),
        ({"type": "[]"}, "repair.type-array-notation", {"type": "array"}),
        ({"type": "string|number"}, "repair.type-union", {"anyOf": [{"type": "string"}, {"type": "number"}]}),
        ({"type": "string-number"}, "repair.type-union", {"anyOf": [{"type": "string"}, {"type": "number"}]}),
        ({"type": "string|number|string|boolean"}, "repair.type-union",
         {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}),
        ({"type": "integerThe number of Labels to be returned"}, "repair.type-free-text", {"type": "integer"}),
        ({"type": "^[0-9a-fA-F]{24}$"}, "repair.type-pattern", {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}),
        ({"example": ""}, "repair.type-missing", {"example": ""}),
        ({"enum": ["x", "y"]}, "repair.type-missing", {"type": "string", "enum": ["x", "y"]}),
        ({"type": "number", "items": {"type": "string", "enum": ["10"]}}, "repair.enum-mismatch", {"type": "number"}),
        ({"type": "boolean", "enum": ["false)"]}, "repair.enum-mismatch", {"type": "boolean"}),
        ({"type": "string", "items": {"type": "string", "enum": ["^[0-9a-fA-F]{24}$"]}}, "repair.enum-pattern",
         {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}),
        ({"type": "string", "properties": "oops"}, "repair.schema-shape", {"type": "string"}),
    ],
)
def test_each_dialect_type_error_is_repaired_with_one_located_warning(tmp_path: Path, prop: dict[str, Any], code: str,
                                                                      expected: dict[str, Any]) -> None:
    spec = load(tmp_path, provider_doc(dict(prop), param=dict(prop)))
    got = spec.document["paths"]["/v1/things"]["post"]
    assert got["requestBody"]["content"]["application/json"]["schema"]["properties"]["field"] == expected
    assert got["parameters"][0]["schema"] == expected
    warnings = [d for d in spec.diagnostics if d.level == "warning"]
    assert sorted({d.code for d in warnings}) == [code]
    body = [d for d in warnings if d.location.pointer.startswith(FIELD)]
    assert len(body) == 1 and body[0].location.file.endswith("acme.openapi.json")
    assert body[0].location.line is not None and body[0].location.line > 1  # a line a person can jump to
    params = [d for d in warnings if "/parameters/0/schema" in d.location.pointer]
    assert len(params) == 1


def test_valid_types_are_left_alone(tmp_path: Path) -> None:
    spec = load(tmp_path, provider_doc({"type": "integer", "enum": [1, 2]}, param={"type": "string", "enum": ["a"]}))
    assert not [d for d in spec.diagnostics if d.level == "warning"]


@pytest.mark.parametrize(
    ("endpoint", "expected_path"),
    [
        ("{endpoint}/v1/things/{thing_id}", "/v1/things/{thing_id}"),  # a base URL placeholder (jasper, cal)
        ("https://api.acme.com/v1/things/:thing_id", "/v1/things/{thing_id}"),
        ("https://api.acme.com/v1/things/<thing_id>", "/v1/things/{thing_id}"),
        ("https://api.acme.com/v1/things/$thing_id", "/v1/things/{thing_id}"),
        ("https://api.acme.com/v1/things/{{thing_id}}", "/v1/things/{thing_id}"),
        ("https://api.acme.com/v1/things/{other}", "/v1/things/thing_id"),  # names an undeclared parameter: key kept
    ],
)
def test_path_templates_in_every_endpoint_style(tmp_path: Path, endpoint: str, expected_path: str) -> None:
    doc = provider_doc({"type": "string"}, key="/v1/things/thing_id", endpoint=endpoint)
    doc["paths"]["/v1/things/thing_id"]["post"]["parameters"] = [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    spec = load(tmp_path, doc)
    assert list(spec.document["paths"]) == [expected_path]


def test_two_routes_with_one_template_both_survive(tmp_path: Path) -> None:
    doc = provider_doc({"type": "string"}, key="/v1/things/thing_id", endpoint="https://api.acme.com/v1/things/{thing_id}")
    op = doc["paths"]["/v1/things/thing_id"]["post"]
    op["parameters"] = [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    doc["paths"]["/thing_id/get"] = {"post": json.loads(json.dumps(op))}
    spec = load(tmp_path, doc)
    assert sorted(spec.document["paths"]) == ["/thing_id/get", "/v1/things/{thing_id}"]
    assert [d.code for d in spec.diagnostics if d.level == "warning"] == ["repair.path-template-taken"]


def test_warnings_are_grouped_per_kind_with_a_count_and_first_locations(tmp_path: Path) -> None:
    doc = provider_doc({"type": "sting"})
    body = doc["paths"]["/v1/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    body.update({f"f{i}": {"type": "srring"} for i in range(10)} | {"other": {"type": "float"}})
    from generator.diagnostics import grouped

    spec = load(tmp_path, doc)
    lines = grouped([d for d in spec.diagnostics if d.level == "warning"])
    assert lines[0].endswith("[repair.type-alias]")  # one occurrence: the plain located line
    assert all("[repair.type-typo]" in line and ": warning: " in line for line in lines[1:4])  # each located
    assert len(lines) == 1 + 3 + 1 and lines[-1].endswith(
        ": warning: ... and 8 more [repair.type-typo] (11 in all; every one in MERGE_REPORT.md)")
    assert lines == grouped([d for d in load(tmp_path, doc).diagnostics if d.level == "warning"])  # deterministic


@pytest.mark.parametrize("path", PROVIDERS, ids=lambda p: os.path.basename(p).split(".")[0])
def test_every_catalogue_provider_loads_as_valid_openapi(path: str) -> None:
    spec = load_spec(path)
    assert spec.dialect == "lowcodeapi" and spec.document["paths"]


def test_catalogue_is_there() -> None:
    assert len(PROVIDERS) == 47


@pytest.mark.slow
def test_every_catalogue_provider_generates(tmp_path: Path) -> None:
    failed = []
    for path in PROVIDERS:
        name = os.path.basename(path).split(".")[0].replace("-", "_")
        run = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--spec", path, "--package", f"p_{name}",
                              "--out", str(tmp_path / name)], capture_output=True, text=True)
        if run.returncode != 0 or "Traceback" in run.stderr:
            failed.append(f"{name}: exit {run.returncode}: {run.stderr[-400:]}")
        else:
            assert len(run.stderr.splitlines()) < 120, f"{name}: too many warning lines"
    assert not failed, "\n".join(failed)
