"""`lowcodegen audit`: the pure comparison on small specs, the CLI's exit codes, and the real corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.audit import audit, render
from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT.parent / "shared" / "corpus" / "anthropic" / "stainless-2026-05.json"
# Being added by the managed-agents work on another branch; after the merge this set becomes empty.


def _doc(paths: dict[str, Any], schemas: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": schemas or {}}, **top}


def _post(body: Any = None, response: Any = None, params: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}, **extra}
    if body is not None:
        op["requestBody"] = {"content": {"application/json": {"schema": body}}}
    if response is not None:
        op["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    if params:
        op["parameters"] = params
    return op


def _items(report: Any) -> list[tuple[str, str, str | None]]:
    return [(g.operation, g.item, g.reason) for g in report.gaps]


BLOCKS = {
    "Block": {"oneOf": [{"$ref": "#/components/schemas/Text"}, {"$ref": "#/components/schemas/Image"}],
              "discriminator": {"propertyName": "type", "mapping": {"text": "#/components/schemas/Text", "image": "#/components/schemas/Image"}}},
    "Text": {"type": "object", "properties": {"type": {"const": "text"}, "text": {"type": "string"}, "citations": {"type": "array"}}},
    "Image": {"type": "object", "properties": {"type": {"const": "image"}, "source": {"type": "object"}}},
}


def test_missing_operations_fold_beta_variants_and_ignore_path_parameter_names() -> None:
    published = _doc({"/v1/things/{thing_id}?beta=true": {"get": _post()}, "/v1/things/{id}": {"get": _post()},
                      "/v1/other": {"delete": _post()}})
    ours = _doc({"/v1/things/{name}": {"get": _post()}})
    report = audit(published, ours)
    assert (report.published_operations, report.covered_operations) == (2, 1)
    assert _items(report) == [("DELETE /v1/other", "DELETE /v1/other", None)]


def test_parameters_body_and_response_properties_are_compared_and_direct_methods_count() -> None:
    published = _doc({"/v1/x?beta=true": {"post": _post(
        {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
        {"type": "object", "properties": {"id": {"type": "string"}, "extra": {"type": "string"}}},
        [{"name": "anthropic-beta", "in": "header"}, {"name": "scope", "in": "query"}, {"name": "x", "in": "path"}])}})
    ours = _doc({"/v1/x": {"patch": _post({"type": "object", "properties": {"a": {"type": "string"}}},
                                          {"type": "object", "properties": {"id": {"type": "string"}}},
                                          [{"name": "Anthropic-Beta", "in": "header"}], **{"x-direct-method": "POST"})}})
    assert [i for _, i, _ in _items(audit(published, ours))] == ["query scope", "request.b", "response.extra"]


def test_union_variants_by_discriminator_and_their_fields() -> None:
    body = {"type": "object", "properties": {"content": {"type": "array", "items": {"$ref": "#/components/schemas/Block"}}}}
    published = _doc({"/m": {"post": _post(body)}}, BLOCKS)
    ours_schemas = {"Block": {"oneOf": [{"$ref": "#/components/schemas/Text"}], "discriminator": {"propertyName": "type", "mapping": {"text": "#/components/schemas/Text"}}},
                    "Text": {"type": "object", "properties": {"type": {"const": "text"}, "text": {"type": "string"}}}}
    ours = _doc({"/m": {"post": _post(body)}}, ours_schemas)
    assert [i for _, i, _ in _items(audit(published, ours))] == ["request.content[]<image>", "request.content[]<text>.citations"]


def test_tags_without_a_discriminator_and_a_single_tagged_object_against_a_union() -> None:
    tool = {"oneOf": [{"type": "object", "properties": {"type": {"anyOf": [{"type": "null"}, {"const": "custom"}]}, "name": {}}},
                      {"type": "object", "properties": {"type": {"enum": ["bash_1", "bash_2"]}}}]}
    published = _doc({"/m": {"post": _post({"type": "object", "properties": {"tool": tool,
                                                                             "cache": {"oneOf": [{"type": "object", "properties": {"type": {"const": "eph"}, "ttl": {}}}],
                                                                                       "discriminator": {"propertyName": "type", "mapping": {}}}}})}})
    ours = _doc({"/m": {"post": _post({"type": "object", "properties": {
        "tool": {"oneOf": [{"type": "object", "properties": {"type": {"enum": ["custom"]}, "name": {}}},
                           {"type": "object", "properties": {"type": {"const": "bash_1"}}}]},
        "cache": {"type": "object", "properties": {"type": {"const": "eph"}}}}})}})
    assert [i for _, i, _ in _items(audit(published, ours))] == ["request.cache<eph>.ttl", "request.tool<bash_2>"]


def test_free_form_schemas_are_not_descended_and_depth_is_bounded() -> None:
    deep = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "object", "properties": {
        "c": {"type": "object", "properties": {"d": {"type": "object", "properties": {"e": {}}}}}}}}}}}
    published = _doc({"/m": {"post": _post({"type": "object", "properties": {"free": {"type": "object", "properties": {"z": {}}}, "deep": deep}})}})
    shallow = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "object", "properties": {
        "c": {"type": "object", "properties": {"d": {"type": "object"}}}}}}}}}
    ours = _doc({"/m": {"post": _post({"type": "object", "properties": {"free": {"type": "object", "additionalProperties": True}, "deep": shallow}})}})
    assert _items(audit(published, ours, max_depth=3)) == []
    assert [i for _, i, _ in _items(audit(published, ours, max_depth=5))] == ["request.deep.a.b.c.d.e"]


def test_declared_gaps_at_the_top_on_an_operation_and_on_a_schema() -> None:
    published = _doc({"/gone": {"get": _post()}, "/m": {"post": _post(
        {"$ref": "#/components/schemas/P"}, params=[{"name": "anthropic-version", "in": "header"}, {"name": "q", "in": "query"}])}},
        {"P": {"type": "object", "properties": {"a": {}, "b": {}, "c": {}}}})
    ours = _doc({"/m": {"post": _post({"$ref": "#/components/schemas/P"}, **{"x-audit-ignore": {"query q": "not needed"}})}},
                {"P": {"type": "object", "properties": {"a": {}}, "x-audit-ignore": {"b": "legacy"}}},
                **{"x-audit-ignore": {"GET /gone": "retired", "header anthropic-version": "runtime"}})
    report = audit(published, ours)
    assert _items(report) == [("GET /gone", "GET /gone", "retired"), ("POST /m", "header anthropic-version", "runtime"),
                              ("POST /m", "query q", "not needed"), ("POST /m", "request.b", "legacy"), ("POST /m", "request.c", None)]
    assert [g.item for g in report.undeclared] == ["request.c"]
    data = json.loads(render(report, "json"))
    assert data["schema"] == "lowcodegen-audit/1" and len(data["declared"]) == 4 and data["undeclared"][0]["item"] == "request.c"
    assert "`POST /m: property request.c`" in render(report, "markdown")
    assert "- POST /m: property request.b (legacy)" in render(report, "text")


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(_doc({})))
    ok = runner.invoke(main, ["audit", str(empty), "--root", str(ROOT)])
    assert ok.exit_code == 0, ok.output
    assert "0/0 published operations covered, 0 undeclared" in ok.output
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps(_doc({"/v1/nowhere": {"get": _post()}})))
    gap = runner.invoke(main, ["audit", str(missing), "--root", str(ROOT), "--format", "json"])
    assert gap.exit_code == 1 and json.loads(gap.output)["undeclared"][0]["item"] == "GET /v1/nowhere"
    for name, text in (("bad.json", "{not json"), ("list.json", "[1, 2]"), ("nopaths.json", '{"openapi": "3.1.0"}')):
        (tmp_path / name).write_text(text)
        bad = runner.invoke(main, ["audit", str(tmp_path / name), "--root", str(ROOT)])
        assert bad.exit_code == 2, bad.output
        assert bad.output.count("\n") == 1 and name in bad.output and "Traceback" not in bad.output
    gone = runner.invoke(main, ["audit", str(tmp_path / "absent.json"), "--root", str(ROOT)])
    assert gone.exit_code == 2 and "file not found" in gone.output


def test_the_published_anthropic_spec_has_no_undeclared_gap() -> None:
    result = CliRunner().invoke(main, ["audit", str(PUBLISHED), "--root", str(ROOT), "--format", "json"])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["undeclared"] == []
    assert data["covered_operations"] == 87
    assert all(g["reason"] for g in data["declared"])
