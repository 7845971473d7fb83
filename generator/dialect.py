"""LowCodeAPI's loose OpenAPI 3.0 (see shared/lowcodeapi/DIALECT.md), repaired into valid OpenAPI.

Every repair is recorded as an `info` diagnostic at the pointer it changed, so nothing is silent.
Old-format providers' sanitized literal path keys are turned back into templates from
`externalDocs.api_endpoint`, and the literal key is kept as the operation's `x-lowcodeapi-old`
route.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, Location, pointer_join
from .dialect_types import VALID, fits, repair_type
from .openapi_paths import METHODS, template_params


def is_lowcodeapi_dialect(data: dict[str, Any]) -> bool:
    """True for documents served by LowCodeAPI's /openapi or /definition.

    The markers are the dialect's own: `externalDocs.api_endpoint` on operations, or a LowCodeAPI
    server with an `info` that lacks a title. A proper spec that merely lists the proxy as a server
    is not the dialect.
    """
    paths = data.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        for op in item.values() if isinstance(item, dict) else ():
            if (
                isinstance(op, dict)
                and isinstance(op.get("externalDocs"), dict)
                and "api_endpoint" in op["externalDocs"]
            ):
                return True
    servers = data.get("servers") or []
    on_proxy = any(
        isinstance(s, dict) and "lowcodeapi.com" in str(s.get("url", "")) for s in servers
    )
    info = data.get("info")
    return on_proxy and not (isinstance(info, dict) and info.get("title"))


class _Repairs:
    """The repairs made: `note` for the dialect's own conventions (info: every document has them),
    `warn` for errors in the provider's data (a wrong type, an unreachable parameter), located by
    line."""

    def __init__(self, file: str, locate: Callable[[str], Location] | None) -> None:
        self.file = file
        self.locate = locate
        self.found: list[Diagnostic] = []

    def note(self, code: str, message: str, pointer: str) -> None:
        self.found.append(
            Diagnostic("info", f"repair.{code}", message, Location(self.file, pointer))
        )

    def warn(self, code: str, message: str, pointer: str) -> None:
        where = self.locate(pointer) if self.locate else Location(self.file, pointer)
        self.found.append(Diagnostic("warning", f"repair.{code}", message, where))


def repair_lowcodeapi(
    data: dict[str, Any], file: str, locate: Callable[[str], Location] | None = None
) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """A repaired deep copy of a LowCodeAPI document, and the list of repairs made. `locate` gives a
    pointer of the original document its line (warnings only: finding lines costs a parse)."""
    doc = copy.deepcopy(data)
    fix = _Repairs(file, locate)
    info = doc.setdefault("info", {})
    if not isinstance(info, dict):
        info = doc["info"] = {}
    if not info.get("title"):
        provider = _provider_name(doc)
        info["title"] = f"{provider} (LowCodeAPI)"
        fix.note("info-title", f"info.title missing: set to {info['title']!r}", "/info")
    if not info.get("version"):
        info["version"] = "0"
        fix.note("info-version", "info.version missing: set to '0'", "/info")
    raw_paths = doc.get("paths")
    paths: dict[str, Any] = raw_paths if isinstance(raw_paths, dict) else {}
    new_paths: dict[str, Any] = {}
    for key, item in paths.items():
        if not isinstance(item, dict):
            new_paths[key] = item
            continue
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                new_paths.setdefault(key, {})[method] = op
                continue
            ptr = pointer_join("/paths", key, method)
            _repair_external_docs(op, ptr, fix)
            _repair_parameters(op, ptr, fix)
            _repair_body(op, method, ptr, fix)
            target = _repair_sanitized_path(key, op, ptr, fix)
            if (
                method in new_paths.get(target, {})
                and target != key
                and method not in new_paths.get(key, {})
            ):
                # two routes with one upstream template: this one stays at its own key, values in
                # the query
                _keep_literal(key, target, op)
                fix.warn(
                    "path-template-taken",
                    f"{method.upper()} {target} is also the template of another route: this route"
                    f" keeps its key {key!r}, its path parameters sent as query parameters",
                    ptr,
                )
                target = key
            slot = new_paths.setdefault(target, {})
            if method in slot:
                fix.warn(
                    "path-collision",
                    f"{method.upper()} {target} appears twice; kept the first",
                    ptr,
                )
                continue
            slot[method] = op
    doc["paths"] = new_paths
    return doc, tuple(fix.found)


def _provider_name(doc: dict[str, Any]) -> str:
    for server in doc.get("servers") or []:
        url = str(server.get("url", "")) if isinstance(server, dict) else ""
        segment = urlsplit(url).path.strip("/").split("/")[0]
        if segment:
            return segment
    return "LowCodeAPI provider"


def _repair_external_docs(op: dict[str, Any], ptr: str, fix: _Repairs) -> None:
    docs = op.get("externalDocs")
    if not isinstance(docs, dict):
        return
    moved = [k for k in ("api_endpoint", "api_ref") if k in docs]
    for k in moved:
        docs["x-" + k.replace("_", "-")] = docs.pop(k)
    if not docs.get("url"):
        url = docs.get("x-api-ref") or docs.get("x-api-endpoint")
        if url:
            docs["url"] = url
            fix.note(
                "external-docs",
                "externalDocs without url: took it from api_ref; api_endpoint/api_ref kept as x-"
                " fields",
                pointer_join(ptr, "externalDocs"),
            )
        else:
            del op["externalDocs"]
            fix.note(
                "external-docs",
                "externalDocs without url removed",
                pointer_join(ptr, "externalDocs"),
            )
    elif moved:
        fix.note(
            "external-docs",
            "non-standard api_endpoint/api_ref kept as x- fields",
            pointer_join(ptr, "externalDocs"),
        )


def _repair_parameters(op: dict[str, Any], ptr: str, fix: _Repairs) -> None:
    params = op.get("parameters")
    for i, param in enumerate(params if isinstance(params, list) else []):
        if not isinstance(param, dict):
            continue
        p_ptr = pointer_join(ptr, "parameters", i)
        if param.get("in") == "path" and param.get("required") is not True:
            param["required"] = True
            fix.note(
                "path-required", f"path parameter {param.get('name')!r} marked required", p_ptr
            )
        if isinstance(param.get("schema"), dict):
            _repair_schema(param["schema"], pointer_join(p_ptr, "schema"), fix)


def _repair_body(op: dict[str, Any], method: str, ptr: str, fix: _Repairs) -> None:
    body = op.get("requestBody")
    if not isinstance(body, dict):
        return
    b_ptr = pointer_join(ptr, "requestBody")
    contents = body.get("content") or {}
    empty = True
    for media, content in contents.items():
        schema = content.get("schema") if isinstance(content, dict) else None
        if isinstance(schema, dict):
            _repair_schema(schema, pointer_join(b_ptr, "content", media, "schema"), fix)
            if (
                schema.get("properties")
                or "$ref" in schema
                or schema.get("type") not in (None, "object")
            ):
                empty = False
    if empty:
        del op["requestBody"]
        fix.note(
            "empty-body", f"{method.upper()} had a required body with no properties: removed", b_ptr
        )


def _repair_schema(schema: dict[str, Any], ptr: str, fix: _Repairs) -> None:
    repaired = repair_type(schema)
    if repaired is not None:
        fix.warn(
            repaired[0],
            repaired[1],
            ptr if repaired[0] == "type-missing" else pointer_join(ptr, "type"),
        )
    if schema.get("type") == "file":
        schema["type"], schema["format"] = "string", "binary"
        fix.note("file-type", "type 'file' is not OpenAPI: string/binary", ptr)
        if "enum" in schema:  # the file formats it takes, written as values: it would type the file
            del schema["enum"]
            fix.note("file-enum", "enum on a file lists its formats, not values: removed", ptr)
    for key, kind in (("properties", dict), ("items", dict), ("enum", list)):
        if key in schema and not isinstance(schema[key], kind):
            wrong = type(schema.pop(key)).__name__
            fix.warn(
                "schema-shape",
                f"{key} is a {wrong}, not a {'list' if kind is list else 'mapping'}: removed",
                pointer_join(ptr, key),
            )
    items = schema.get("items")
    if isinstance(items, dict) and not _is_array(schema):
        if "enum" in items and "enum" not in schema:
            schema["enum"] = items["enum"]
            fix.note("items-enum", "enum given as items.enum on a non-array: moved to enum", ptr)
        del schema["items"]
    _repair_enum(schema, ptr, fix)
    props = schema.get("properties")
    if isinstance(props, dict):
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        for name, prop in props.items():
            if not isinstance(prop, dict):
                props[name] = {}
                fix.warn(
                    "schema-shape",
                    f"property {name!r} is not a schema: typed as Any",
                    pointer_join(ptr, "properties", name),
                )
                continue
            flag = prop.get("required")
            if isinstance(flag, bool):
                del prop["required"]
                if flag and name not in required:
                    required.append(name)
                    fix.note(
                        "property-required",
                        f"required: true on property {name!r} moved to the object's required list",
                        pointer_join(ptr, "properties", name),
                    )
            _repair_schema(prop, pointer_join(ptr, "properties", name), fix)
        if required:
            schema["required"] = required
        elif "required" in schema:
            del schema["required"]
    elif "required" in schema and not (isinstance(schema["required"], list) and schema["required"]):
        # `[]`, or a property's `required: true` on a schema that is no property
        del schema["required"]
    if isinstance(schema.get("items"), dict):
        _repair_schema(schema["items"], pointer_join(ptr, "items"), fix)


def _is_array(schema: dict[str, Any]) -> bool:
    members: list[Any] = schema["anyOf"] if isinstance(schema.get("anyOf"), list) else []
    return schema.get("type") == "array" or any(
        isinstance(m, dict) and m.get("type") == "array" for m in members
    )


def _repair_enum(schema: dict[str, Any], ptr: str, fix: _Repairs) -> None:
    """An enum whose values are not of the schema's type (`number` with `["10"]`, `boolean` with
    `["true"]`, a string with a regex as its one value) would make a Literal no valid value fits."""
    values, kind = schema.get("enum"), schema.get("type")
    if not isinstance(values, list) or kind not in VALID or kind in ("array", "object"):
        return
    if (
        kind == "string"
        and len(values) == 1
        and isinstance(values[0], str)
        and values[0].startswith("^")
        and values[0].endswith("$")
    ):
        del schema["enum"]
        schema.setdefault("pattern", values[0])
        fix.warn(
            "enum-pattern",
            f"enum {values!r} is a regular expression: a pattern, any matching string allowed",
            pointer_join(ptr, "enum"),
        )
    elif not values or not all(fits(v, kind) for v in values):
        del schema["enum"]
        shown = repr(values) if len(repr(values)) <= 80 else repr(values)[:77] + "..."
        fix.warn(
            "enum-mismatch",
            f"enum {shown} does not fit type {kind}: enum dropped, any {kind} allowed",
            pointer_join(ptr, "enum"),
        )


def _repair_sanitized_path(key: str, op: dict[str, Any], ptr: str, fix: _Repairs) -> str:
    """Old-format key (`/v1/files/file_id` with file_id `in: path`): back to its template.

    The template comes from `api_endpoint`, written in any of the styles provider data uses (`{x}`,
    `{{x}}`, `:x`, `<x>`, `$x`, after a base URL or a `{endpoint}` placeholder); it is taken when
    every parameter it names is declared. Declared path parameters it lacks are sent in the query,
    where the proxy reads them too."""
    raw_params = op.get("parameters")
    params: list[Any] = raw_params if isinstance(raw_params, list) else []
    declared: set[str] = {
        str(p["name"])
        for p in params
        if isinstance(p, dict) and p.get("in") == "path" and isinstance(p.get("name"), str)
    }
    in_key = set(template_params(key))
    missing = [n for n in declared if n not in in_key]
    if not missing:
        return key
    endpoint = (op.get("externalDocs") or {}).get("x-api-endpoint") or ""
    template = _endpoint_template(str(endpoint), declared) if endpoint else ""
    names = template_params(template)
    target = key
    if template and in_key <= set(names) <= declared | in_key and set(names) & set(missing):
        query = "&".join(f"{n}={{{n}}}" for n in names if n in declared)
        op["x-lowcodeapi-old"] = f"{key}?{query}" if query else key
        fix.note(
            "sanitized-path",
            f"old-format key {key!r} has no template for {sorted(missing)}: path taken from"
            f" api_endpoint {template!r}; the key is kept as the old-format route",
            ptr,
        )
        target, missing = template, [n for n in missing if n not in names]
    if not missing:
        return target
    for p in params:
        if isinstance(p, dict) and p.get("in") == "path" and p.get("name") in missing:
            p["in"] = "query"
    where = (
        "no api_endpoint gives a template"
        if target == key
        else f"api_endpoint {template!r} has no place for them"
    )
    fix.note(
        "path-param-to-query",
        f"path parameters {sorted(missing)} are not in {key!r} and {where}: sent as query"
        " parameters",
        ptr,
    )
    return target


def _keep_literal(key: str, template: str, op: dict[str, Any]) -> None:
    op.pop("x-lowcodeapi-old", None)
    moved = set(template_params(template)) - set(template_params(key))
    params = op.get("parameters")
    for p in params if isinstance(params, list) else []:
        if isinstance(p, dict) and p.get("in") == "path" and p.get("name") in moved:
            p["in"] = "query"


def _endpoint_template(endpoint: str, declared: set[str]) -> str:
    """The path of an `api_endpoint`, its declared parameters written `{x}` whatever their style."""
    path = urlsplit(endpoint).path if "://" in endpoint else endpoint
    if not path.startswith("/"):
        # `{endpoint}/v1/...`: a base URL placeholder
        path = path[path.index("/") :] if "/" in path else ""
    for name in sorted(declared, key=len, reverse=True):
        n, braced = re.escape(name), "{" + name + "}"
        path = re.sub(
            rf"\{{\{{{n}\}}\}}|:{n}(?!\w)|<{n}>|\${n}(?!\w)", braced.replace("\\", "\\\\"), path
        )
    return path
