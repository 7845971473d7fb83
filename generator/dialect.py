"""LowCodeAPI's loose OpenAPI 3.0 (see shared/lowcodeapi/DIALECT.md), repaired into valid OpenAPI.

Every repair is recorded as an `info` diagnostic at the pointer it changed, so nothing is silent.
Old-format providers' sanitized literal path keys are turned back into templates from
`externalDocs.api_endpoint`, and the literal key is kept as the operation's `x-lowcodeapi-old` route.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, Location, pointer_join

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAM = re.compile(r"\{([^{}]+)\}")


def is_lowcodeapi_dialect(data: dict[str, Any]) -> bool:
    """True for documents served by LowCodeAPI's /openapi or /definition.

    The markers are the dialect's own: `externalDocs.api_endpoint` on operations, or a LowCodeAPI
    server with an `info` that lacks a title. A proper spec that merely lists the proxy as a server
    is not the dialect.
    """
    paths = data.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        for op in item.values() if isinstance(item, dict) else ():
            if isinstance(op, dict) and isinstance(op.get("externalDocs"), dict) and "api_endpoint" in op["externalDocs"]:
                return True
    servers = data.get("servers") or []
    on_proxy = any(isinstance(s, dict) and "lowcodeapi.com" in str(s.get("url", "")) for s in servers)
    info = data.get("info")
    return on_proxy and not (isinstance(info, dict) and info.get("title"))


class _Repairs:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Diagnostic] = []

    def note(self, code: str, message: str, pointer: str) -> None:
        self.found.append(Diagnostic("info", f"repair.{code}", message, Location(self.file, pointer)))


def repair_lowcodeapi(data: dict[str, Any], file: str) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """A repaired deep copy of a LowCodeAPI document, and the list of repairs made."""
    doc = copy.deepcopy(data)
    fix = _Repairs(file)
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
            slot = new_paths.setdefault(target, {})
            if method in slot:
                fix.note("path-collision", f"{method.upper()} {target} appears twice; kept the first", ptr)
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
            fix.note("external-docs", "externalDocs without url: took it from api_ref; api_endpoint/api_ref kept as x- fields", pointer_join(ptr, "externalDocs"))
        else:
            del op["externalDocs"]
            fix.note("external-docs", "externalDocs without url removed", pointer_join(ptr, "externalDocs"))
    elif moved:
        fix.note("external-docs", "non-standard api_endpoint/api_ref kept as x- fields", pointer_join(ptr, "externalDocs"))


def _repair_parameters(op: dict[str, Any], ptr: str, fix: _Repairs) -> None:
    params = op.get("parameters")
    for i, param in enumerate(params if isinstance(params, list) else []):
        if not isinstance(param, dict):
            continue
        p_ptr = pointer_join(ptr, "parameters", i)
        if param.get("in") == "path" and param.get("required") is not True:
            param["required"] = True
            fix.note("path-required", f"path parameter {param.get('name')!r} marked required", p_ptr)
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
            if schema.get("properties") or "$ref" in schema or schema.get("type") not in (None, "object"):
                empty = False
    if empty:
        del op["requestBody"]
        fix.note("empty-body", f"{method.upper()} had a required body with no properties: removed", b_ptr)


def _repair_schema(schema: dict[str, Any], ptr: str, fix: _Repairs) -> None:
    if schema.get("type") == "file":
        schema["type"], schema["format"] = "string", "binary"
        fix.note("file-type", "type 'file' is not OpenAPI: string/binary", ptr)
    items = schema.get("items")
    if isinstance(items, dict) and schema.get("type") not in (None, "array"):
        if "enum" in items and "enum" not in schema:
            schema["enum"] = items["enum"]
            fix.note("items-enum", "enum given as items.enum on a non-array: moved to enum", ptr)
        del schema["items"]
    props = schema.get("properties")
    if isinstance(props, dict):
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        for name, prop in props.items():
            if not isinstance(prop, dict):
                continue
            flag = prop.get("required")
            if isinstance(flag, bool):
                del prop["required"]
                if flag and name not in required:
                    required.append(name)
                    fix.note("property-required", f"required: true on property {name!r} moved to the object's required list", pointer_join(ptr, "properties", name))
            _repair_schema(prop, pointer_join(ptr, "properties", name), fix)
        if required:
            schema["required"] = required
        elif "required" in schema:
            del schema["required"]
    elif schema.get("required") == []:
        del schema["required"]
    if isinstance(schema.get("items"), dict):
        _repair_schema(schema["items"], pointer_join(ptr, "items"), fix)


def _repair_sanitized_path(key: str, op: dict[str, Any], ptr: str, fix: _Repairs) -> str:
    """Old-format key (`/v1/files/file_id` with file_id `in: path`): back to its template."""
    raw_params = op.get("parameters")
    params: list[Any] = raw_params if isinstance(raw_params, list) else []
    declared = {p.get("name") for p in params if isinstance(p, dict) and p.get("in") == "path"}
    in_key = set(_TEMPLATE_PARAM.findall(key))
    missing = [n for n in declared if isinstance(n, str) and n not in in_key]
    if not missing:
        return key
    endpoint = (op.get("externalDocs") or {}).get("x-api-endpoint") or ""
    template = urlsplit(str(endpoint)).path if endpoint else ""
    if template and set(_TEMPLATE_PARAM.findall(template)) >= set(missing) | in_key:
        names = [n for n in _TEMPLATE_PARAM.findall(template)]
        query = "&".join(f"{n}={{{n}}}" for n in names if n in declared)
        op["x-lowcodeapi-old"] = f"{key}?{query}" if query else key
        fix.note("sanitized-path", f"old-format key {key!r} has no template for {sorted(missing)}: path taken from api_endpoint {template!r}; the key is kept as the old-format route", ptr)
        return template
    for p in params:
        if isinstance(p, dict) and p.get("name") in missing:
            p["in"] = "query"
    fix.note("path-param-to-query", f"path parameters {sorted(missing)} are not in {key!r} and no api_endpoint gives a template: sent as query parameters", ptr)
    return key
