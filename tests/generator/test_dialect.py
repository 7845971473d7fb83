"""dialect.py: LowCodeAPI's loose OpenAPI 3.0 repaired into valid OpenAPI, every repair reported."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from gentest_util import ANTHROPIC_DEFINITION, OPENAI_DEFINITION

from generator.dialect import METHODS, is_lowcodeapi_dialect, repair_lowcodeapi
from generator.load import load_spec
from generator.refs import resolve_pointer


def ops(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m, p) for p, item in doc["paths"].items() for m in item if m in METHODS}


def loose() -> dict[str, Any]:
    """A small document in the dialect, one quirk per operation."""
    return {
        "openapi": "3.0.0",
        "info": {"description": ""},
        "servers": [{"url": "https://api.lowcodeapi.com/acme"}],
        "paths": {
            "/v1/things/thing_id": {
                "get": {
                    "tags": ["Things"],
                    "parameters": [{"name": "thing_id", "in": "path", "schema": {"type": "string"}}],
                    "externalDocs": {"api_endpoint": "https://api.acme.com/v1/things/{thing_id}"},
                    "responses": {"401": {"description": "API token required"}},
                },
                "delete": {
                    "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "externalDocs": {"api_endpoint": "https://api.acme.com/v1/things/{thing_id}", "api_ref": "https://docs.acme.com/del"},
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": [], "properties": {}}}}},
                    "responses": {"401": {"description": "API token required"}},
                },
            },
            "/v1/upload": {
                "post": {
                    "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "required": [], "properties": {
                        "file": {"type": "file", "required": True, "enum": ["mp3, wav, or webm"]},
                        "kind": {"type": "string", "items": {"enum": ["a", "b"]}},
                        "meta": {"type": "object", "properties": {"inner": {"type": "string", "required": True}}},
                    }}}}},
                    "responses": {"401": {"description": "API token required"}},
                }
            },
            "/v1/orphans/orphan_id": {
                "get": {
                    "parameters": [{"name": "orphan_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"401": {"description": "API token required"}},
                }
            },
        },
    }


def by_code(diags: tuple[Any, ...], code: str) -> list[Any]:
    return [d for d in diags if d.code == code]


def test_recognised_by_api_endpoint_or_untitled_proxy_server() -> None:
    assert is_lowcodeapi_dialect(loose())
    untitled = {"openapi": "3.0.0", "info": {"description": ""}, "servers": [{"url": "https://api.lowcodeapi.com/x"}], "paths": {}}
    assert is_lowcodeapi_dialect(untitled)
    proper = {"openapi": "3.1.0", "info": {"title": "Mine", "version": "1"}, "servers": [{"url": "https://api.lowcodeapi.com/x"}], "paths": {}}
    assert not is_lowcodeapi_dialect(proper)
    assert not is_lowcodeapi_dialect({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})


def test_repairs_each_quirk_and_reports_it_with_a_pointer() -> None:
    original = loose()
    kept = copy.deepcopy(original)
    doc, diags = repair_lowcodeapi(original, "acme.json")
    assert original == kept, "the input must not be mutated"
    assert all(d.level == "info" and d.code.startswith("repair.") and d.location.file == "acme.json" for d in diags)

    assert doc["info"]["title"] == "acme (LowCodeAPI)" and doc["info"]["version"] == "0"
    assert {d.location.pointer for d in by_code(diags, "repair.info-title")} == {"/info"}

    # sanitized key -> template from api_endpoint; the literal key survives as the old-format route
    get = doc["paths"]["/v1/things/{thing_id}"]["get"]
    assert get["x-lowcodeapi-old"] == "/v1/things/thing_id?thing_id={thing_id}"
    assert get["parameters"][0]["required"] is True
    assert get["externalDocs"] == {"x-api-endpoint": "https://api.acme.com/v1/things/{thing_id}",
                                   "url": "https://api.acme.com/v1/things/{thing_id}"}
    (sanitized, *_) = by_code(diags, "repair.sanitized-path")
    assert sanitized.location.pointer == "/paths/~1v1~1things~1thing_id/get"
    assert "/v1/things/thing_id" not in doc["paths"]
    assert [d.location.pointer for d in by_code(diags, "repair.path-required")] == ["/paths/~1v1~1things~1thing_id/get/parameters/0"]

    # a required body with no properties (even on DELETE) is removed
    delete = doc["paths"]["/v1/things/{thing_id}"]["delete"]
    assert "requestBody" not in delete
    assert delete["externalDocs"]["url"] == "https://docs.acme.com/del"  # api_ref is the docs link
    assert [d.location.pointer for d in by_code(diags, "repair.empty-body")] == ["/paths/~1v1~1things~1thing_id/delete/requestBody"]

    # per-property `required: true` -> the object's list; `file` -> binary; items.enum on a string -> enum
    schema = doc["paths"]["/v1/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["properties"]["kind"] == {"type": "string", "enum": ["a", "b"]}
    assert schema["properties"]["meta"]["required"] == ["inner"]
    base = "/paths/~1v1~1upload/post/requestBody/content/multipart~1form-data/schema"
    assert {d.location.pointer for d in by_code(diags, "repair.property-required")} == {
        f"{base}/properties/file", f"{base}/properties/meta/properties/inner"}
    assert [d.location.pointer for d in by_code(diags, "repair.file-type")] == [f"{base}/properties/file"]
    # the formats a file takes, as LowCodeAPI writes them (openai's transcriptions): not values of a string
    assert [d.location.pointer for d in by_code(diags, "repair.file-enum")] == [f"{base}/properties/file"]
    assert [d.location.pointer for d in by_code(diags, "repair.items-enum")] == [f"{base}/properties/kind"]

    # no template anywhere: the value goes in the query, as the proxy sends it
    orphan = doc["paths"]["/v1/orphans/orphan_id"]["get"]
    assert orphan["parameters"][0]["in"] == "query"
    assert [d.location.pointer for d in by_code(diags, "repair.path-param-to-query")] == ["/paths/~1v1~1orphans~1orphan_id/get"]


def test_two_keys_that_repair_to_one_route_are_reported() -> None:
    doc = loose()
    doc["paths"]["/v1/things/{thing_id}"] = {"get": {
        "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"401": {"description": "x"}}}}
    repaired, diags = repair_lowcodeapi(doc, "acme.json")
    assert len(by_code(diags, "repair.path-collision")) == 1
    assert "get" in repaired["paths"]["/v1/things/{thing_id}"]


@pytest.mark.parametrize("path", [ANTHROPIC_DEFINITION, OPENAI_DEFINITION], ids=["anthropic", "openai"])
def test_real_definitions_load_with_reported_repairs(path: Any) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    spec = load_spec(str(path))
    assert spec.dialect == "lowcodeapi"
    assert spec.diagnostics, "the dialect always needs repairs"
    assert len(ops(spec.document)) == len(ops(original)), "no operation may be lost by the repair"
    for d in spec.diagnostics:
        assert d.code.startswith("repair.") and d.location.file == str(path)
        assert d.location.pointer.startswith("/"), d
        resolve_pointer(original, "#" + d.location.pointer)  # every pointer names a node of the input
    codes = {d.code for d in spec.diagnostics}
    assert {"repair.info-title", "repair.external-docs", "repair.property-required", "repair.empty-body"} <= codes


def test_anthropic_definition_repairs() -> None:
    doc = load_spec(str(ANTHROPIC_DEFINITION)).document
    body = doc["paths"]["/v1/messages"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"model", "messages", "max_tokens"}
    assert all("required" not in p for p in body["properties"].values())
    assert "requestBody" not in doc["paths"]["/v1/message_batches/{batch_id}/cancel"]["post"]
    assert "requestBody" not in doc["paths"]["/v1/files/{file_id}"]["delete"]
    upload = doc["paths"]["/v1/files"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["type"] == "string" and upload["properties"]["file"]["format"] == "binary"
    get_model = doc["paths"]["/v1/models/{model_id}"]["get"]
    assert get_model["externalDocs"]["x-api-endpoint"] == "https://api.anthropic.com/v1/models/{model_id}"
    assert "x-lowcodeapi-old" not in get_model  # new-format keys need no old-format route from the data


@pytest.mark.parametrize(
    ("template", "old"),
    [
        ("/v1/assistants/{assistant_id}", "/v1/assistants/assistant_id?assistant_id={assistant_id}"),
        ("/v1/files/{file_id}/content", "/v1/files/file_id/content?file_id={file_id}"),
        ("/v1/models/{model}", "/v1/models/model?model={model}"),
        ("/v1/threads/{thread_id}/messages/{message_id}",
         "/v1/threads/thread_id/messages/message_id?thread_id={thread_id}&message_id={message_id}"),
        ("/v1/threads/{thread_id}/runs/{run_id}/steps/{step_id}",
         "/v1/threads/thread_id/runs/run_id/steps/step_id?thread_id={thread_id}&run_id={run_id}&step_id={step_id}"),
    ],
)
def test_openai_sanitized_keys_become_templates(template: str, old: str) -> None:
    spec = load_spec(str(OPENAI_DEFINITION))
    paths = spec.document["paths"]
    assert template in paths
    assert old.split("?")[0] not in paths
    for method, op in paths[template].items():
        assert op["x-lowcodeapi-old"] == old, method
        declared = [p["name"] for p in op["parameters"] if p["in"] == "path"]
        assert sorted(declared) == sorted(template.replace("}", "{").split("{")[1::2])
    pointers = {d.location.pointer for d in spec.diagnostics if d.code == "repair.sanitized-path"}
    literal = old.split("?")[0].replace("/", "~1")
    assert any(p.startswith(f"/paths/{literal}/") for p in pointers)


def test_openai_collections_keep_their_keys() -> None:
    paths = load_spec(str(OPENAI_DEFINITION)).document["paths"]
    assert "x-lowcodeapi-old" not in paths["/v1/assistants"]["get"]
    assert "x-lowcodeapi-old" not in paths["/v1/chat/completions"]["post"]
