"""merge.py: documented spec + LowCodeAPI snapshot -> one OpenAPI 3.1 document and a merge report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gentest_util import OPENAI_DEFINITION, anthropic_provider, plain_provider, spec_file

from generator import cli
from generator.diagnostics import GeneratorError
from generator.ir import Route
from generator.load import load_spec
from generator.merge import MergedSpec, merge_specs, to_openapi31
from generator.normalize import normalize
from generator.urlformats import MergedRoute, routes_in_document

UNAUTH = {"401": {"description": "API token required"}}


def snap_op(params: list[str] = (), query: list[str] = (), body: dict[str, Any] | None = None, endpoint: str = "") -> dict[str, Any]:
    op: dict[str, Any] = {"tags": ["X"], "summary": "s", "responses": UNAUTH,
                          "externalDocs": {"api_endpoint": "https://api.anthropic.com" + endpoint}}
    op["parameters"] = [{"name": p, "in": "path", "schema": {"type": "string"}} for p in params] + [
        {"name": q, "in": "query", "schema": {"type": "string"}} for q in query]
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": [], "properties": body}}}}
    return op


SNAPSHOT = {
    "openapi": "3.0.0",
    "info": {"description": ""},
    "servers": [{"url": "https://api.lowcodeapi.com/anthropic"}],
    "paths": {
        "/v1/messages": {"post": snap_op(body={"model": {"type": "string", "required": True}, "messages": {"type": "array"},
                                               "top_k": {"type": "number"}}, endpoint="/v1/messages")},
        "/v1/models": {"get": snap_op(query=["beta"], endpoint="/v1/models")},
        "/v1/models/{model_id}": {"get": snap_op(["model_id"], endpoint="/v1/models/{model_id}")},
        "/v1/message_batches/{batch_id}": {"get": snap_op(["batch_id"], endpoint="/v1/message_batches/{batch_id}")},
        "/v1/message_batches/{batch_id}/cancel": {"post": snap_op(["batch_id"], body={}, endpoint="/v1/message_batches/{batch_id}/cancel")},
        "/v1/files/{id}/download": {"get": snap_op(["id"], endpoint="/v1/files/{id}/download")},
        "/v1/only/in/snapshot/{thing_id}": {"get": snap_op(["thing_id"], endpoint="/v1/only/in/snapshot/{thing_id}")},
    },
}

DOCUMENTED = """
openapi: 3.1.0
info: {title: Anthropic, version: "2023-06-01"}
paths:
  /v1/messages:
    post:
      x-client-name: messages.create
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [model, messages]
              properties:
                model: {type: string, description: documented wins}
                messages: {type: array, items: {type: object}}
                system: {type: string}
      responses: {"200": {description: ok}}
  /v1/models:
    get:
      x-client-name: models.list
      x-merge-ack: {parameters: "beta is a header for Anthropic, not a query parameter"}
      responses: {"200": {description: ok}}
  /v1/models/{model_id}:
    get:
      x-client-name: models.retrieve
      parameters: [{name: model_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /v1/messages/batches/{message_batch_id}:
    get:
      x-client-name: messages.batches.retrieve
      x-lowcodeapi-route: /v1/message_batches/{batch_id}
      parameters: [{name: message_batch_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /v1/messages/batches/{message_batch_id}/cancel:
    post:
      x-client-name: messages.batches.cancel
      x-lowcodeapi-route: /v1/message_batches/{batch_id}/cancel
      x-note: "cancel: one line about a choice"
      parameters: [{name: message_batch_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /v1/files/{file_id}/content:
    get:
      x-client-name: files.download
      x-lowcodeapi-route: /v1/files/{file_id}/download
      parameters: [{name: file_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}}
  /v1/organizations/me:
    get:
      x-client-name: organizations.me
      responses: {"200": {description: ok}}
  /v1/things/{thing_id}:
    patch:
      x-client-name: things.update
      x-direct-method: POST
      x-lowcodeapi-old: "/v1/things/thingid?thing_id={thing_id}"
      parameters: [{name: thing_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
"""


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    doc = spec_file(tmp_path, "anthropic.documented.yaml", DOCUMENTED)
    snap = tmp_path / "anthropic.openapi.json"
    snap.write_text(json.dumps(SNAPSHOT, indent=2), encoding="utf-8")
    return doc, snap


@pytest.fixture
def merged(inputs: tuple[Path, Path]) -> MergedSpec:
    doc, snap = inputs
    return merge_specs(load_spec(str(doc)), load_spec(str(snap)), anthropic_provider())


def routes(m: MergedSpec, path: str, method: str) -> dict[str, Any]:
    return m.document["paths"][path][method]["x-lowcodegen"]  # type: ignore[no-any-return]


def entries(m: MergedSpec, kind: str) -> dict[str, Any]:
    return {e.operation: e for e in m.report.entries if e.kind == kind}


def test_plain_match_and_the_provider_rule(merged: MergedSpec) -> None:
    ext = routes(merged, "/v1/models/{model_id}", "get")
    assert ext["source"] == "both"
    assert ext["routes"] == {
        "direct": {"method": "GET", "path": "/v1/models/{model_id}"},
        "new": {"method": "GET", "path": "/v1/models/{model_id}"},
        "old": {"method": "GET", "path": "/v1/models/modelid", "query": [["modelid", "model_id"]]},
    }
    assert "GET /v1/models/{model_id}" in entries(merged, "matched")


def test_match_through_x_lowcodeapi_route_with_positional_renaming(merged: MergedSpec) -> None:
    ext = routes(merged, "/v1/messages/batches/{message_batch_id}", "get")
    assert ext["source"] == "both"
    assert ext["routes"]["direct"]["path"] == "/v1/messages/batches/{message_batch_id}"
    assert ext["routes"]["new"]["path"] == "/v1/message_batches/{message_batch_id}"
    assert ext["routes"]["old"] == {"method": "GET", "path": "/v1/message_batches/batchid", "query": [["batchid", "message_batch_id"]]}
    assert "GET /v1/messages/batches/{message_batch_id}" in entries(merged, "alias")
    cancel = routes(merged, "/v1/messages/batches/{message_batch_id}/cancel", "post")["routes"]
    assert cancel["old"]["path"] == "/v1/message_batches/batchid/cancel"


def test_snapshot_is_the_authority_on_its_own_route(merged: MergedSpec) -> None:
    # The snapshot names the parameter {id}: its route (and so the rule's old name) comes from the snapshot,
    # expressed in the documented parameter names.
    ext = routes(merged, "/v1/files/{file_id}/content", "get")["routes"]
    assert ext["direct"]["path"] == "/v1/files/{file_id}/content"
    assert ext["new"]["path"] == "/v1/files/{file_id}/download"
    assert ext["old"] == {"method": "GET", "path": "/v1/files/id/download", "query": [["id", "file_id"]]}


def test_documented_spec_wins_for_schemas_and_names(merged: MergedSpec) -> None:
    op = merged.document["paths"]["/v1/messages"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["model"]["description"] == "documented wins"
    assert "top_k" not in schema["properties"]
    assert op["x-client-name"] == "messages.create"


def test_documented_only_operations_are_kept_and_called_through_the_proxy(merged: MergedSpec) -> None:
    ext = routes(merged, "/v1/organizations/me", "get")
    assert ext["source"] == "documented"
    assert ext["routes"]["new"]["path"] == "/v1/organizations/me"
    assert set(entries(merged, "documented-only")) == {"GET /v1/organizations/me", "PATCH /v1/things/{thing_id}"}
    things = routes(merged, "/v1/things/{thing_id}", "patch")["routes"]
    assert things["direct"]["method"] == "POST" and things["new"]["method"] == "PATCH"
    assert things["old"] == {"method": "PATCH", "path": "/v1/things/thingid", "query": [["thing_id", "thing_id"]]}


def test_snapshot_only_operations_are_kept_and_marked(merged: MergedSpec) -> None:
    path = "/v1/only/in/snapshot/{thing_id}"
    ext = routes(merged, path, "get")
    assert ext["source"] == "snapshot"
    assert ext["routes"]["old"] == {"method": "GET", "path": "/v1/only/in/snapshot/thingid", "query": [["thingid", "thing_id"]]}
    entry = entries(merged, "snapshot-only")[f"GET {path}"]
    assert entry.level == "warning"
    # nothing else is snapshot-only: every other snapshot operation was matched
    assert set(entries(merged, "snapshot-only")) == {f"GET {path}"}


def test_conflicts_acknowledged_or_not(merged: MergedSpec) -> None:
    conflicts = [e for e in merged.report.entries if e.kind == "conflict"]
    by_op = {e.operation: e for e in conflicts}
    body = by_op["POST /v1/messages"]
    assert body.level == "warning" and body.acknowledged is None and "top_k" in body.message
    params = by_op["GET /v1/models"]
    assert params.level == "info" and params.acknowledged == "beta is a header for Anthropic, not a query parameter"
    assert "beta" in params.message
    assert merged.report.unresolved() == (body,)


def test_notes_and_report_json(merged: MergedSpec, inputs: tuple[Path, Path]) -> None:
    notes = [e for e in merged.report.entries if e.kind == "note"]
    assert [n.message for n in notes] == ["cancel: one line about a choice"]
    data = merged.report.to_json()
    assert data["schema"] == "lowcodegen-merge-report/1"
    assert [i["path"] for i in data["inputs"]] == [str(p) for p in inputs]
    assert data["summary"]["matched"] == 6
    assert data["summary"]["documented-only"] == 2
    assert data["summary"]["snapshot-only"] == 1
    assert data["summary"]["unresolved_conflicts"] == 1
    assert data["summary"]["repairs"] == len(merged.report.repairs) > 0
    json.dumps(data)


def test_merged_document_is_valid_openapi_31(merged: MergedSpec) -> None:
    from openapi_spec_validator import validate

    assert merged.document["openapi"] == "3.1.0"
    validate(merged.document)


def test_route_parameter_count_mismatch_is_a_located_error(tmp_path: Path) -> None:
    doc = spec_file(tmp_path, "d.yaml", """
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /v1/a/{a_id}/b/{b_id}:
    get:
      x-client-name: a.b.retrieve
      x-lowcodeapi-route: /v1/a/{a_id}
      parameters:
        - {name: a_id, in: path, required: true, schema: {type: string}}
        - {name: b_id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
""")
    with pytest.raises(GeneratorError) as info:
        merge_specs(load_spec(str(doc)), None, anthropic_provider())
    (diag,) = info.value.diagnostics
    assert diag.code == "merge.route"
    assert diag.location.pointer == "/paths/~1v1~1a~1{a_id}~1b~1{b_id}/get" and diag.location.line == 5


def test_old_format_names_from_the_snapshot_data_beat_the_rule(tmp_path: Path) -> None:
    # openai's old-format keys keep underscores; the Anthropic rule would drop them. Data wins.
    doc = spec_file(tmp_path, "d.yaml", """
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /v1/assistants/{assistant_id}:
    get:
      x-client-name: assistants.retrieve
      parameters: [{name: assistant_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
""")
    m = merge_specs(load_spec(str(doc)), load_spec(str(OPENAI_DEFINITION)), anthropic_provider())
    ext = routes(m, "/v1/assistants/{assistant_id}", "get")
    assert ext["source"] == "both"
    assert ext["routes"]["old"] == {"method": "GET", "path": "/v1/assistants/assistant_id", "query": [["assistant_id", "assistant_id"]]}
    # a snapshot-only openai route keeps its data-given old format too
    step = routes(m, "/v1/threads/{thread_id}/runs/{run_id}/steps/{step_id}", "get")["routes"]["old"]
    assert step["path"] == "/v1/threads/thread_id/runs/run_id/steps/step_id"
    assert step["query"] == [["thread_id", "thread_id"], ["run_id", "run_id"], ["step_id", "step_id"]]


def test_plain_mode_passes_one_spec_through(tmp_path: Path) -> None:
    doc = spec_file(tmp_path, "d.yaml", """
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {tag: {type: string, nullable: true}}}
""")
    m = merge_specs(load_spec(str(doc)), None, plain_provider())
    op = m.document["paths"]["/pets/{petId}"]["get"]
    assert op["x-lowcodegen"]["source"] == "spec"
    assert op["x-lowcodegen"]["routes"]["old"] == {"method": "GET", "path": "/pets/petId", "query": [["petId", "petId"]]}
    assert m.document["openapi"] == "3.1.0"
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["tag"] == {"type": ["string", "null"]}
    assert [e.kind for e in m.report.entries] == []


def test_to_openapi31() -> None:
    assert to_openapi31({"type": "string", "nullable": True, "enum": ["a"]}) == {"type": ["string", "null"], "enum": ["a", None]}
    assert to_openapi31({"$ref": "#/c", "nullable": True}) == {"anyOf": [{"$ref": "#/c"}, {"type": "null"}]}
    assert to_openapi31({"type": "integer", "minimum": 1, "exclusiveMinimum": True}) == {"type": "integer", "exclusiveMinimum": 1}
    assert to_openapi31({"type": "integer", "minimum": 1, "exclusiveMinimum": False}) == {"type": "integer", "minimum": 1}
    # a property *named* nullable is a name, not the keyword
    assert to_openapi31({"properties": {"nullable": {"type": "boolean"}}}) == {"properties": {"nullable": {"type": "boolean"}}}


def test_to_openapi31_leaves_example_data_alone() -> None:
    schema = {"type": "object", "example": {"type": "string", "nullable": True}, "default": {"nullable": True}}
    assert to_openapi31(schema) == schema


# --- `lowcodegen validate`: conflicts are warnings, errors only under --strict (specs/EXTENSIONS.md, issue 2)


def project(tmp_path: Path, inputs: tuple[Path, Path]) -> Path:
    doc, snap = inputs
    (tmp_path / "pyproject.toml").write_text(f"""
[tool.lowcodegen]
templates = "templates"

[[tool.lowcodegen.targets]]
name = "anthropic"
provider = "anthropic"
package = "anthropic_lowcodeapi"
documented = "{doc.name}"
snapshot = "{snap.name}"
out = "generated"

[tool.lowcodegen.providers.anthropic]
old_format_rule = "lowercase-drop-underscores"
""", encoding="utf-8")
    return tmp_path


def validate(root: Path, *extra: str) -> Any:
    return CliRunner().invoke(cli.main, ["validate", "--root", str(root), *extra])


def acknowledge_everything(inputs: tuple[Path, Path]) -> None:
    doc, snap = inputs
    doc.write_text(doc.read_text().replace("      x-client-name: messages.create\n",
                                           "      x-client-name: messages.create\n      x-merge-ack: {requestBody: known}\n"))
    data = json.loads(snap.read_text())
    del data["paths"]["/v1/only/in/snapshot/{thing_id}"]
    snap.write_text(json.dumps(data))


def test_validate_strict_fails_on_an_unacknowledged_conflict(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    result = validate(project(tmp_path, inputs), "--strict")
    assert result.exit_code == 1
    assert "warning: conflict: POST /v1/messages" in result.output
    assert "(acknowledged: beta is a header" in result.output


def test_validate_strict_passes_when_everything_is_acknowledged(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    acknowledge_everything(inputs)
    result = validate(project(tmp_path, inputs), "--strict")
    assert result.exit_code == 0, result.output


def test_validate_strict_fails_on_snapshot_only_warnings(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    acknowledge_everything(inputs)
    data = json.loads(inputs[1].read_text())
    data["paths"]["/v1/extra"] = {"get": snap_op(endpoint="/v1/extra")}
    inputs[1].write_text(json.dumps(data))
    root = project(tmp_path, inputs)
    assert validate(root).exit_code == 0
    assert validate(root, "--strict").exit_code == 1


def test_validate_fails_on_an_unacknowledged_conflict(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    """CLIENT.md (newer than issue 2): `validate` exits 1 on unresolved conflicts; they stay warnings in the report."""
    result = validate(project(tmp_path, inputs))
    assert "warning: conflict: POST /v1/messages" in result.output
    assert result.exit_code == 1


def test_routes_are_computed_once_and_handed_on_as_ir_values(merged: MergedSpec) -> None:
    """The merge computes each operation's routes as IR values (`MergedSpec.routes`), aliases, old-format
    overrides and direct methods resolved; the direct-method variant is listed as such."""
    assert merged.routes[("get", "/v1/messages/batches/{message_batch_id}")] == MergedRoute(Route(
        "", "GET", "GET", "/v1/messages/batches/{message_batch_id}", "/v1/message_batches/{message_batch_id}",
        "/v1/message_batches/batchid", (("batchid", "message_batch_id"),)), "both")
    things = merged.routes[("patch", "/v1/things/{thing_id}")]
    assert things.route.direct_method == "POST" and things.route.old_query == (("thing_id", "thing_id"),)
    assert things.source == "documented" and not things.variant_of
    assert merged.routes[("post", "/v1/things/{thing_id}")] == MergedRoute(things.route, "documented", "PATCH /v1/things/{thing_id}")
    assert merged.routes[("get", "/v1/only/in/snapshot/{thing_id}")].source == "snapshot"
    assert (merged.report.operations, merged.report.direct_variants) == (len(merged.routes) - 1, 1)


def test_normalize_takes_the_routes_from_the_merge_not_from_the_document(merged: MergedSpec) -> None:
    """What `openapi.merged.json` records under x-lowcodegen is output for other tools: normalize does not
    read it back (a run's routes are not smuggled through the document)."""
    document = json.loads(json.dumps(merged.document))
    for item in document["paths"].values():
        for op in item.values():
            op.pop("x-lowcodegen", None)
    api = normalize(document, anthropic_provider(), "pkg", merged.report.inputs, "spec.yaml", routes=merged.routes)
    batches = next(op for op in api.operations if op.key == "messages.batches.retrieve")
    assert (batches.route.new, batches.route.old, batches.source) == (
        "/v1/message_batches/{message_batch_id}", "/v1/message_batches/batchid", "both")
    assert [op.key for op in api.operations if op.path == "/v1/things/{thing_id}"] == ["things.update"]  # no variant


def test_the_document_records_exactly_the_merge_routes(merged: MergedSpec) -> None:
    """Read back from the document (as `generate` does with the committed openapi.merged.json), the
    routes are the merge's own, variants included."""
    assert routes_in_document(merged.document) == merged.routes
    assert routes(merged, "/v1/things/{thing_id}", "post")["variant-of"] == "PATCH /v1/things/{thing_id}"
