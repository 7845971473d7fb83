"""Synthetic OpenAPI 3.1 specs of a chosen size, for the scale curve.

Each resource brings five operations (list, create, retrieve, update, delete) and its own schemas, so
the document grows in proportion to the operation count: path parameters, query enums, request bodies
with nested objects and lists, responses with enums, lists and a discriminated union.
"""

from __future__ import annotations

import json
from typing import Any

OPS_PER_RESOURCE = 5


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas(k: int) -> dict[str, Any]:
    t = f"Thing{k}"
    return {
        f"{t}Status": {"type": "string", "enum": ["active", "archived", "pending", "failed"]},
        f"{t}Address": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "city": {"type": "string"},
                "zip": {"type": ["string", "null"]},
                "geo": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
            },
        },
        f"{t}TextPart": {
            "type": "object",
            "required": ["type", "text"],
            "properties": {"type": {"type": "string", "const": "text"}, "text": {"type": "string"}},
        },
        f"{t}ImagePart": {
            "type": "object",
            "required": ["type", "url"],
            "properties": {"type": {"type": "string", "const": "image"}, "url": {"type": "string"},
                           "width": {"type": "integer"}, "height": {"type": "integer"}},
        },
        f"{t}Part": {
            "oneOf": [_ref(f"{t}TextPart"), _ref(f"{t}ImagePart")],
            "discriminator": {"propertyName": "type",
                              "mapping": {"text": f"#/components/schemas/{t}TextPart",
                                          "image": f"#/components/schemas/{t}ImagePart"}},
        },
        t: {
            "type": "object",
            "description": f"A thing of kind {k}.",
            "required": ["id", "type", "status", "created_at"],
            "properties": {
                "id": {"type": "string"},
                "type": {"type": "string", "const": f"thing{k}"},
                "status": _ref(f"{t}Status"),
                "created_at": {"type": "string", "format": "date-time"},
                "name": {"type": "string"},
                "count": {"type": "integer"},
                "score": {"type": ["number", "null"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "address": _ref(f"{t}Address"),
                "parts": {"type": "array", "items": _ref(f"{t}Part")},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "value": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
            },
        },
        f"{t}List": {
            "type": "object",
            "required": ["data", "has_more"],
            "properties": {"data": {"type": "array", "items": _ref(t)}, "has_more": {"type": "boolean"},
                           "first_id": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}},
        },
        f"Create{t}Params": {
            "type": "object",
            "required": ["name", "parts"],
            "properties": {
                "name": {"type": "string", "description": "Display name."},
                "status": _ref(f"{t}Status"),
                "tags": {"type": "array", "items": {"type": "string"}},
                "address": _ref(f"{t}Address"),
                "parts": {"type": "array", "items": _ref(f"{t}Part")},
                "options": {"type": "object", "properties": {
                    "notify": {"type": "boolean"},
                    "retries": {"type": "object", "properties": {"max": {"type": "integer"},
                                                                 "backoff": {"type": "string", "enum": ["fixed", "exponential"]}}},
                }},
            },
        },
        f"Update{t}Params": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "status": _ref(f"{t}Status"),
                           "metadata": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        f"Deleted{t}": {
            "type": "object",
            "required": ["id", "deleted"],
            "properties": {"id": {"type": "string"}, "deleted": {"type": "boolean"}},
        },
    }


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paths(k: int) -> dict[str, Any]:
    t, tag, base = f"Thing{k}", f"things{k}", f"/v1/things{k}"
    id_param = {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        base: {
            "get": {
                "operationId": f"listThings{k}", "tags": [tag], "summary": f"List things of kind {k}",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}},
                    {"name": "after_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                ],
                "responses": {"200": _json(_ref(f"{t}List"))},
            },
            "post": {
                "operationId": f"createThing{k}", "tags": [tag], "summary": f"Create a thing of kind {k}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(f"Create{t}Params")}}},
                "responses": {"200": _json(_ref(t))},
            },
        },
        base + "/{thing_id}": {
            "parameters": [id_param],
            "get": {"operationId": f"getThing{k}", "tags": [tag], "summary": f"Retrieve a thing of kind {k}",
                    "responses": {"200": _json(_ref(t))}},
            "patch": {
                "operationId": f"updateThing{k}", "tags": [tag], "summary": f"Update a thing of kind {k}",
                "requestBody": {"content": {"application/json": {"schema": _ref(f"Update{t}Params")}}},
                "responses": {"200": _json(_ref(t))},
            },
            "delete": {"operationId": f"deleteThing{k}", "tags": [tag], "summary": f"Delete a thing of kind {k}",
                       "responses": {"200": _json(_ref(f"Deleted{t}"))}},
        },
    }


def synthetic_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.1 document with exactly `operations` operations (a multiple of five)."""
    if operations % OPS_PER_RESOURCE:
        raise ValueError(f"operations must be a multiple of {OPS_PER_RESOURCE}")
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for k in range(operations // OPS_PER_RESOURCE):
        paths.update(_paths(k))
        schemas.update(_schemas(k))
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Synthetic API ({operations} operations)", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def write_synthetic_spec(operations: int, path: str) -> int:
    """Write the spec as JSON; its size in bytes."""
    text = json.dumps(synthetic_spec(operations), indent=1)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return len(text.encode())
