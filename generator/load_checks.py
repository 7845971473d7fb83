"""The checks load runs on a document: its outline, OpenAPI validity (openapi-pydantic) and what a
validator lets through but a client cannot live with (operations, parameters, responses)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, pointer_join
from .openapi_paths import iter_operations, template_params
from .refs import deref
from .source import SpecText


def _error(source: SpecText, code: str, message: str, pointer: str) -> Diagnostic:
    return Diagnostic("error", code, message, source.location(pointer))


def check_shape(data: dict[str, Any], source: SpecText) -> Iterator[Diagnostic]:
    version = data.get("openapi")
    if "swagger" in data:
        yield _error(
            source,
            "openapi.swagger2",
            "Swagger 2.0 is not supported: convert it to OpenAPI 3 first",
            "/swagger",
        )
    elif not isinstance(version, str) or not re.match(r"3\.[01]\.\d+", version):
        yield _error(
            source,
            "openapi.version",
            f"'openapi' must be 3.0.x or 3.1.x, got {version!r}",
            "/openapi",
        )
    if not isinstance(data.get("paths", {}), dict):
        yield _error(source, "openapi.paths", "'paths' must be a mapping", "/paths")


def validate_openapi(data: dict[str, Any], source: SpecText) -> list[Diagnostic]:
    from openapi_pydantic import parse_obj  # imported here: pydantic is the slowest import we have
    from pydantic import ValidationError

    try:
        parse_obj(data)
    except ValidationError as exc:
        return _pydantic_diagnostics(exc, data, source)
    return []


def _pydantic_diagnostics(exc: Any, data: dict[str, Any], source: SpecText) -> list[Diagnostic]:
    """Pydantic's union-heavy error list, reduced to one message per real location."""
    best: dict[str, tuple[int, str]] = {}
    for err in exc.errors():
        pointer, depth = _loc_to_pointer(err.get("loc", ()), data)
        loc = err.get("loc", ())
        if loc and loc[-1] == "$ref" and not pointer.endswith("$ref"):
            continue  # the "it could have been a Reference" branch of every union: noise
        message = str(err.get("msg", "invalid"))
        tail = [
            str(p) for p in loc[1:] if isinstance(p, str) and p[:1].islower() or isinstance(p, int)
        ]
        field = tail[-1] if tail else ""
        text = f"{field}: {message}" if field and not pointer.endswith("/" + field) else message
        if pointer not in best or depth > best[pointer][0]:
            best[pointer] = (depth, text)
    out = [
        _error(source, "openapi.invalid", f"not valid OpenAPI {data.get('openapi')}: {text}", ptr)
        for ptr, (_, text) in sorted(best.items())
    ]
    return out or [_error(source, "openapi.invalid", f"not valid OpenAPI: {exc}", "")]


def _loc_to_pointer(loc: tuple[Any, ...], data: Any) -> tuple[str, int]:
    """Walk pydantic's loc through the data, skipping the union-branch tags it inserts."""
    node, pointer, depth = data, "", 0
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node, pointer, depth = node[part], pointer_join(pointer, part), depth + 1
    return pointer, depth


def check_operations(data: dict[str, Any], source: SpecText) -> Iterator[Diagnostic]:
    """What a validator lets through but a client cannot live with."""
    op_ids: dict[str, str] = {}
    client_names: dict[str, str] = {}
    for method, path, op in iter_operations(data):
        shared = [
            p for p in data["paths"].get(path, {}).get("parameters") or [] if isinstance(p, dict)
        ]
        in_template = template_params(path.split("?")[0])
        ptr = pointer_join("/paths", path, method)
        params = [
            d if isinstance(d := deref(p, data), dict) else {}
            for p in shared + [p for p in op.get("parameters") or [] if isinstance(p, dict)]
        ]
        yield from _check_params_and_responses(op, params, ptr, source)
        declared = {p.get("name") for p in params if p.get("in") == "path"}
        for name in in_template:
            if name not in declared:
                yield _error(
                    source,
                    "path.undeclared-param",
                    f"path parameter {{{name}}} of {method.upper()} {path} is not declared",
                    ptr,
                )
        for name in sorted(n for n in declared if isinstance(n, str) and n not in in_template):
            yield _error(
                source,
                "path.param-not-in-template",
                f"path parameter {name!r} of {method.upper()} {path} is not in the path template",
                ptr,
            )
        client_name = op.get("x-client-name")
        if isinstance(client_name, str):
            if client_name in client_names:
                yield _error(
                    source,
                    "naming.duplicate-client-name",
                    f"x-client-name {client_name!r} is used twice (first at"
                    f" {client_names[client_name]})",
                    pointer_join(ptr, "x-client-name"),
                )
            else:
                client_names[client_name] = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        if isinstance(op_id, str):
            if op_id in op_ids:
                yield _error(
                    source,
                    "operation.duplicate-id",
                    f"operationId {op_id!r} is used twice (first at {op_ids[op_id]})",
                    pointer_join(ptr, "operationId"),
                )
            else:
                op_ids[op_id] = f"{method.upper()} {path}"


_STATUS = re.compile(r"^([1-5][0-9][0-9]|[1-5]XX|default)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _warning(source: SpecText, code: str, message: str, pointer: str) -> Diagnostic:
    return Diagnostic("warning", code, message, source.location(pointer))


def _check_params_and_responses(
    op: dict[str, Any], params: list[dict[str, Any]], ptr: str, source: SpecText
) -> Iterator[Diagnostic]:
    """Located warnings for what a client survives but a spec author should fix."""
    for code in (op.get("responses") or {}) if isinstance(op.get("responses"), dict) else ():
        if not _STATUS.match(str(code)):
            yield _warning(
                source,
                "response.status",
                f"response key {str(code)!r} is not a status code: ignored",
                pointer_join(ptr, "responses", str(code)),
            )
    for p in params:
        name = p.get("name")
        if p.get("in") == "path" and p.get("required") is not True:
            yield _warning(
                source,
                "path.optional-param",
                f"path parameter {name!r} is not marked required: it is required all the same",
                ptr,
            )
        raw_schema = p.get("schema")
        schema: dict[str, Any] = raw_schema if isinstance(raw_schema, dict) else {}
        if "default" not in schema:
            continue
        default, kind = schema["default"], schema.get("type")
        expected = _JSON_TYPES.get(kind) if isinstance(kind, str) else None
        if expected is not None and (
            not isinstance(default, expected) or (kind != "boolean" and isinstance(default, bool))
        ):
            yield _warning(
                source,
                "param.default",
                f"default {default!r} of parameter {name!r} is not a {kind}: ignored",
                ptr,
            )
        elif (
            schema.get("format") == "uuid" and isinstance(default, str) and not _UUID.match(default)
        ):
            yield _warning(
                source,
                "param.default",
                f"default {default!r} of parameter {name!r} is not a uuid: ignored",
                ptr,
            )
