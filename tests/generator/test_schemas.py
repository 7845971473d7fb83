"""schemas.py: JSON Schema to Python types; models for objects, unions by discriminator; nothing dropped."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from generator.ir import ObjectModel, UnionModel
from generator.refs import DocumentView
from generator.schemas import TypeBuilder

SCHEMAS: dict[str, Any] = {
    "Node": {"type": "object", "description": "A tree node.", "properties": {
        "name": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}},
    "Text": {"type": "object", "required": ["type", "text"],
             "properties": {"type": {"const": "text"}, "text": {"type": "string"}}},
    "Image": {"type": "object", "properties": {"type": {"type": "string", "enum": ["image"]}, "url": {"type": "string"}}},
    "Block": {"oneOf": [{"$ref": "#/components/schemas/Text"}, {"$ref": "#/components/schemas/Image"}]},
    "Pet": {"oneOf": [{"$ref": "#/components/schemas/Text"}, {"$ref": "#/components/schemas/Node"}],
            "discriminator": {"propertyName": "kind"}},
    "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    "Derived": {"allOf": [{"$ref": "#/components/schemas/Base"},
                          {"type": "object", "required": ["extra"], "properties": {"extra": {"type": "integer"}}}]},
    "Color": {"type": "string", "enum": ["red", "green"]},
    "Any": {"type": "object", "properties": {"x": {"type": "string"}}},
    "TypedDict": {"type": "object", "properties": {"x": {"type": "string"}}},
    "LoopA": {"allOf": [{"$ref": "#/components/schemas/LoopB"}, {"type": "object", "properties": {"a": {"type": "string"}}}]},
    "LoopB": {"allOf": [{"$ref": "#/components/schemas/LoopA"}, {"type": "object", "properties": {"b": {"type": "string"}}}]},
}


@pytest.fixture
def built() -> tuple[TypeBuilder, list[tuple[str, str]]]:
    warnings: list[tuple[str, str]] = []
    doc = {"openapi": "3.1.0", "components": {"schemas": SCHEMAS}}
    return TypeBuilder(DocumentView(doc), lambda ptr, msg: warnings.append((ptr, msg))), warnings


def ann(tb: TypeBuilder, schema: Any) -> tuple[str, str]:
    t = tb.type_of(schema, "/x", "Ctx")
    return str(t.annotation), str(t.param_annotation)


@pytest.mark.parametrize(
    ("schema", "annotation", "param"),
    [
        ({"type": "string"}, "str", "str"),
        ({"type": "integer"}, "int", "int"),
        ({"type": "number"}, "float", "float"),
        ({"type": "boolean"}, "bool", "bool"),
        ({"type": ["string", "null"]}, "str | None", "str | None"),
        ({"type": "string", "nullable": True}, "str | None", "str | None"),  # 3.0 style, still understood
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, "str | None", "str | None"),
        ({"type": ["string", "integer"]}, "str | int", "str | int"),
        ({"enum": ["a", "b"]}, "Literal['a', 'b']", "Literal['a', 'b']"),
        ({"type": "string", "enum": ["a", None]}, "Literal['a'] | None", "Literal['a'] | None"),
        ({"enum": ["it's", 'say "hi"', "back\\slash"]}, "Literal[\"it's\", 'say \"hi\"', 'back\\\\slash']",
         "Literal[\"it's\", 'say \"hi\"', 'back\\\\slash']"),
        ({"const": 3}, "Literal[3]", "Literal[3]"),
        ({"type": "array", "items": {"type": "integer"}}, "list[int]", "Sequence[int]"),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, "dict[str, int]", "Mapping[str, int]"),
        ({"type": "object"}, "dict[str, Any]", "Mapping[str, Any]"),
        ({}, "Any", "Any"),
        (True, "Any", "Any"),
        ({"type": "string", "format": "binary"}, "bytes", "FileTypes"),
        ({"type": "array", "items": {"type": "string", "format": "binary"}}, "list[bytes]", "Sequence[FileTypes]"),
        ({"type": "null"}, "None", "None"),
        ({"$ref": "#/components/schemas/Color"}, "Literal['red', 'green']", "Literal['red', 'green']"),
    ],
)
def test_types(built: Any, schema: Any, annotation: str, param: str) -> None:
    tb, warnings = built
    got = ann(tb, schema)
    assert [same_expression(g, e) for g, e in zip(got, (annotation, param), strict=True)] == [True, True], got
    assert warnings == []


def same_expression(a: str, b: str) -> bool:
    """Equal as Python expressions (the quote style of string literals is black's business)."""
    return ast.dump(ast.parse(a, mode="eval")) == ast.dump(ast.parse(b, mode="eval"))


def test_enum_values_and_cli_kinds(built: Any) -> None:
    tb, _ = built
    t = tb.type_of({"type": "string", "enum": ["a", "b"]}, "/x", "C")
    assert t.enum_values == ("a", "b") and t.python_kind == "str"
    assert tb.type_of({"type": "integer"}, "/x", "C").python_kind == "int"
    assert tb.type_of({"type": "array", "items": {}}, "/x", "C").is_structured


def test_unknown_things_degrade_to_any_with_a_warning(built: Any) -> None:
    tb, warnings = built
    assert ann(tb, {"type": "weird"}) == ("Any", "Any")
    assert ann(tb, {"$ref": "#/components/schemas/Nope"}) == ("Any", "Any")
    assert [p for p, _ in warnings] == ["/x", "#/components/schemas/Nope"]
    assert all("Any" in m for _, m in warnings)


def test_inline_object_becomes_a_named_model(built: Any) -> None:
    tb, _ = built
    t = tb.type_of({"type": "object", "properties": {"q": {"type": "string"}}}, "/paths/x", "ThingsCreateResponse")
    assert (t.annotation, t.param_annotation, t.converter) == ("ThingsCreateResponse", "ThingsCreateResponseParam",
                                                               "ThingsCreateResponse.parse")
    (model,) = tb.models([], [t])
    assert isinstance(model, ObjectModel) and model.in_responses and not model.in_requests


def test_recursive_schema_terminates(built: Any) -> None:
    tb, _ = built
    t = tb.type_of({"$ref": "#/components/schemas/Node"}, "/x", "C")
    assert t.annotation == "Node"
    (node,) = tb.models([], [t])
    assert isinstance(node, ObjectModel) and node.description == "A tree node."
    fields = {f.wire_name: str(f.type.annotation) for f in node.fields}
    assert fields == {"name": "str", "children": "list[Node]", "parent": "Node | None"}


def test_union_decoded_by_its_type_property(built: Any) -> None:
    tb, _ = built
    t = tb.type_of({"$ref": "#/components/schemas/Block"}, "/x", "C")
    assert (t.annotation, t.param_annotation) == ("Block", "BlockParam")
    models = {str(m.class_name): m for m in tb.models([t], [t])}
    block = models["Block"]
    assert isinstance(block, UnionModel)
    assert block.discriminator == "type" and block.variants == (("text", "Text"), ("image", "Image"))
    assert block.in_requests and block.in_responses
    assert {"Text", "Image"} <= set(models)


def test_declared_discriminator_wins(built: Any) -> None:
    tb, _ = built
    t = tb.type_of({"$ref": "#/components/schemas/Pet"}, "/x", "C")
    (pet,) = [m for m in tb.models([], [t]) if m.class_name == "Pet"]
    assert isinstance(pet, UnionModel) and pet.discriminator == "kind"


def test_all_of_is_folded(built: Any) -> None:
    tb, _ = built
    t = tb.type_of({"$ref": "#/components/schemas/Derived"}, "/x", "C")
    (derived,) = [m for m in tb.models([], [t]) if m.class_name == "Derived"]
    assert isinstance(derived, ObjectModel)
    assert [(f.wire_name, f.required) for f in derived.fields] == [("id", True), ("extra", True)]


def test_models_only_where_reached_and_sorted(built: Any) -> None:
    tb, _ = built
    request = tb.type_of({"$ref": "#/components/schemas/Text"}, "/x", "C")
    response = tb.type_of({"$ref": "#/components/schemas/Node"}, "/y", "C")
    tb.type_of({"$ref": "#/components/schemas/Image"}, "/z", "C")  # built, but neither side uses it
    models = tb.models([request], [response])
    assert [m.class_name for m in models] == ["Node", "Text"]
    text = models[1]
    assert text.in_requests and not text.in_responses and text.param_name == "TextParam"
    assert models[0].param_name is None


def test_schema_names_that_clash_with_the_types_module(built: Any) -> None:
    tb, _ = built
    for name in ("Any", "TypedDict"):
        t = tb.type_of({"$ref": f"#/components/schemas/{name}"}, "/x", "C")
        assert t.annotation not in ("Any", "TypedDict", "Literal", "BaseModel")
        assert t.annotation.isidentifier()


def test_all_of_cycle_terminates(built: Any) -> None:
    """LoopA = allOf[LoopB, {a}], LoopB = allOf[LoopA, {b}]: the fold stops at the cycle and keeps both properties."""
    tb, _ = built
    t = tb.type_of({"$ref": "#/components/schemas/LoopA"}, "/x", "C")
    assert (t.annotation, t.param_annotation) == ("LoopA", "LoopAParam")
    (loop,) = tb.models([t], [t])
    assert isinstance(loop, ObjectModel) and loop.class_name == "LoopA"
    assert [(f.wire_name, str(f.type.annotation), f.required) for f in loop.fields] == [("b", "str", False), ("a", "str", False)]


def test_union_of_literals_whose_values_contain_a_bar(built: Any) -> None:
    """Union members are trees, never text split on " | ": a value `"y | z"` used to lose `z"]`."""
    tb, _ = built
    t = tb.type_of({"oneOf": [{"enum": ["x", "y | z"]}, {"enum": ["q | z"]}]}, "/x", "Ctx")
    assert str(t.annotation) == 'Literal["x", "y | z"] | Literal["q | z"]'
    compile(f"x: {t.annotation}", "<annotation>", "exec")
