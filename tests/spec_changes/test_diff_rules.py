"""One spec edit per rule of the change engine, each with the rule id and severity it must produce."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spec_changes_util import Edit, base_spec, write_specs

from generator.diff import diff_apis
from generator.diff_rules import RULES, Change
from generator.specsets import load_api, spec_set


def schemas(d: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = d["components"]["schemas"]
    return found


def op(d: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = d["paths"][path][method]
    return found


def _move_method(d: dict[str, Any], path: str, old: str, new: str) -> None:
    d["paths"][path][new] = d["paths"][path].pop(old)


def _rename_photo_param(d: dict[str, Any]) -> None:
    item = d["paths"].pop("/v1/pets/{pet_id}/photo")
    item["get"]["parameters"][0]["name"] = "id"
    d["paths"]["/v1/pets/{id}/photo"] = item


def _rename_owner(d: dict[str, Any]) -> None:
    schemas(d)["PetOwner"] = schemas(d).pop("Owner")
    schemas(d)["CreatePet"]["properties"]["owner"] = {"$ref": "#/components/schemas/PetOwner"}


def _to_multipart(d: dict[str, Any]) -> None:
    body = op(d, "/v1/pets/{pet_id}", "patch")["requestBody"]["content"]
    body["multipart/form-data"] = body.pop("application/json")


def _add_operation(d: dict[str, Any]) -> None:
    d["paths"]["/v1/pets/{pet_id}/vaccines"] = {"get": {
        "x-client-name": "pets.vaccines.list", "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}}


def _stop_paging(d: dict[str, Any]) -> None:
    listing = op(d, "/v1/pets", "get")
    del listing["x-pagination"]
    listing["parameters"] = listing["parameters"][:1]


def _deprecate_photo(d: dict[str, Any]) -> None:
    op(d, "/v1/pets/{pet_id}/photo", "get")["deprecated"] = True


def _no_streaming(d: dict[str, Any]) -> None:
    del op(d, "/v1/chats", "post")["x-streaming"]


def _variant(union: str, add: str | None = None, drop: str | None = None) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        members = schemas(d)[union]["oneOf"]
        if add:
            members.append({"$ref": f"#/components/schemas/{add}"})
        if drop:
            members.remove({"$ref": f"#/components/schemas/{drop}"})
    return edit


# (rule id, severity, edit of the new side, edit of the old side)
TABLE: list[tuple[str, str, Edit, Edit | None]] = [
    ("operation-removed", "breaking", lambda d: d["paths"].pop("/v1/pets/{pet_id}/photo"), None),
    ("deprecated-operation-removed", "possibly-breaking", lambda d: d["paths"].pop("/v1/pets/{pet_id}/photo"), _deprecate_photo),
    ("operation-renamed", "breaking", lambda d: op(d, "/v1/pets/{pet_id}/photo", "get").update({"x-client-name": "pets.picture"}), None),
    ("operation-added", "compatible", _add_operation, None),
    ("operation-deprecated", "compatible", _deprecate_photo, None),
    ("method-changed", "breaking", lambda d: _move_method(d, "/v1/pets/{pet_id}", "patch", "put"), None),
    ("direct-method-changed", "breaking", lambda d: op(d, "/v1/pets/{pet_id}", "patch").update({"x-direct-method": "put"}), None),
    ("route-direct-changed", "breaking", lambda d: d["paths"].update({"/v1/pets/{pet_id}/picture": d["paths"].pop("/v1/pets/{pet_id}/photo")}), None),
    ("route-new-changed", "breaking", lambda d: op(d, "/v1/pets/{pet_id}/photo", "get").update({"x-lowcodeapi-route": "/v1/pet_photos/{pet_id}"}), None),
    ("route-old-changed", "possibly-breaking", lambda d: op(d, "/v1/pets/{pet_id}", "patch").update({"x-lowcodeapi-old": "/v1/pet/petid?petid={pet_id}"}), None),
    ("route-old-query-changed", "possibly-breaking", lambda d: op(d, "/v1/pets/{pet_id}", "patch").update({"x-lowcodeapi-old": "/v1/pets/petid?pet_id={pet_id}"}), None),
    ("param-added-required", "breaking", lambda d: (schemas(d)["CreatePet"]["properties"].update({"species": {"type": "string"}}), schemas(d)["CreatePet"]["required"].append("species")), None),
    ("param-added-optional", "compatible", lambda d: op(d, "/v1/pets/{pet_id}", "get")["parameters"].append({"name": "include", "in": "query", "schema": {"type": "string"}}), None),
    ("required-param-removed", "breaking", lambda d: (schemas(d)["CreatePet"]["properties"].pop("name"), schemas(d)["CreatePet"].update({"required": []})), None),
    ("optional-param-removed", "possibly-breaking", lambda d: schemas(d)["CreatePet"]["properties"].pop("weight"), None),
    ("param-became-required", "breaking", lambda d: schemas(d)["CreatePet"]["required"].append("weight"), None),
    ("param-became-optional", "compatible", lambda d: schemas(d)["CreatePet"].update({"required": []}), None),
    ("param-type-changed", "breaking", lambda d: schemas(d)["CreatePet"]["properties"].update({"weight": {"type": "string"}}), None),
    ("param-type-widened", "compatible", lambda d: schemas(d)["CreatePet"]["properties"].update({"weight": {"type": "number"}}), None),
    ("param-enum-value-removed", "breaking", lambda d: schemas(d)["CreatePet"]["properties"]["kind"].update({"enum": ["cat"]}), None),
    ("param-enum-value-added", "compatible", lambda d: schemas(d)["CreatePet"]["properties"]["kind"]["enum"].append("bird"), None),
    ("param-variant-removed", "breaking", _variant("Part", drop="VideoPart"), None),
    ("param-variant-added", "compatible", _variant("Part", add="AudioPart"), None),
    ("param-renamed", "possibly-breaking", _rename_photo_param, None),
    ("param-default-changed", "possibly-breaking", lambda d: op(d, "/v1/pets/{pet_id}", "get")["parameters"][1]["schema"].update({"default": "basic"}), None),
    ("param-location-changed", "possibly-breaking", lambda d: op(d, "/v1/pets/{pet_id}", "get")["parameters"][1].update({"in": "header"}), None),
    ("request-body-media-type-changed", "possibly-breaking", _to_multipart, None),
    ("response-required-field-removed", "breaking", lambda d: (schemas(d)["Pet"]["properties"].pop("status"), schemas(d)["Pet"]["required"].remove("status")), None),
    ("response-optional-field-removed", "possibly-breaking", lambda d: schemas(d)["Pet"]["properties"].pop("nickname"), None),
    ("response-field-became-optional", "breaking", lambda d: schemas(d)["Pet"]["required"].remove("name"), None),
    ("response-field-became-nullable", "breaking", lambda d: schemas(d)["Pet"]["properties"].update({"tag": {"type": ["string", "null"]}}), None),
    ("response-type-changed", "breaking", lambda d: schemas(d)["Pet"]["properties"].update({"age": {"type": "string"}}), None),
    ("response-enum-value-added", "possibly-breaking", lambda d: schemas(d)["Pet"]["properties"]["status"]["enum"].append("pending"), None),
    ("response-variant-added", "possibly-breaking", _variant("ChatEvent", add="PingEvent"), None),
    ("response-field-added", "compatible", lambda d: schemas(d)["Pet"]["properties"].update({"color": {"type": "string"}}), None),
    ("response-field-became-required", "compatible", lambda d: schemas(d)["Pet"]["required"].append("nickname"), None),
    ("response-type-narrowed", "compatible", lambda d: schemas(d)["Pet"]["properties"].update({"note": {"type": "string"}}), None),
    ("response-enum-value-removed", "compatible", lambda d: schemas(d)["Pet"]["properties"]["status"].update({"enum": ["available"]}), None),
    ("response-variant-removed", "compatible", _variant("ChatEvent", drop="StopEvent"), None),
    ("pagination-changed", "breaking", _stop_paging, None),
    ("streaming-removed", "breaking", _no_streaming, None),
    ("streaming-added", "compatible", lambda d: None, _no_streaming),
    ("model-renamed", "possibly-breaking", _rename_owner, None),
]


def changes_between(tmp_path: Path, new_edit: Edit | None, old_edit: Edit | None = None) -> tuple[Change, ...]:
    """Write the base spec twice, edit each side, and diff them through the real pipeline."""
    sides = []
    for name, edit in (("old", old_edit), ("new", new_edit)):
        doc = base_spec()
        if edit is not None:
            edit(doc)
        folder = write_specs(tmp_path / name, doc)
        sides.append(load_api(spec_set(str(folder), None), None, None, str(tmp_path)))
    return diff_apis(sides[0], sides[1])


def test_table_covers_every_rule() -> None:
    assert sorted(row[0] for row in TABLE) == sorted(RULES)
    assert len(TABLE) >= 15


def test_identical_specs_have_no_changes(tmp_path: Path) -> None:
    assert changes_between(tmp_path, None) == ()


@pytest.mark.parametrize(("rule", "severity", "edit", "old_edit"), TABLE, ids=[row[0] for row in TABLE])
def test_rule(tmp_path: Path, rule: str, severity: str, edit: Edit, old_edit: Edit | None) -> None:
    changes = changes_between(tmp_path, edit, old_edit)
    found = {c.rule: c for c in changes}
    assert rule in found, f"{rule} not reported; got {[(c.rule, c.message) for c in changes]}"
    assert found[rule].severity == severity == RULES[rule][0]
    assert found[rule].operation and found[rule].message
    assert [c.severity for c in changes] == sorted((c.severity for c in changes), key=["breaking", "possibly-breaking", "compatible"].index)


def test_model_changes_are_reported_once_with_every_method(tmp_path: Path) -> None:
    changes = changes_between(tmp_path, lambda d: schemas(d)["Pet"]["properties"].pop("nickname"))
    [removed] = [c for c in changes if c.rule == "response-optional-field-removed"]
    assert removed.where == "field:Pet.nickname"
    assert removed.operations == ("pets.create", "pets.list", "pets.retrieve", "pets.update")


def test_rename_is_not_a_removal_plus_an_addition(tmp_path: Path) -> None:
    changes = changes_between(tmp_path, lambda d: op(d, "/v1/pets/{pet_id}/photo", "get").update({"x-client-name": "pets.picture"}))
    assert [(c.rule, c.old, c.new) for c in changes] == [("operation-renamed", "pets.photo", "pets.picture")]
