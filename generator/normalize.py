"""Stage 3, normalize: the merged document becomes the IR. All naming happens here, once.

Operations get their client names (`x-client-name`, else derived), method names, parameter names
(keywords, builtins and collisions handled), and their routes (the merge's, named here); the
resource tree is built from the dotted client names; schemas become models through
`schemas.TypeBuilder`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .code import ident
from .diagnostics import pointer_join
from .ir import (
    Api,
    InputFile,
    Operation,
    Provider,
    TypeRef,
)
from .naming import (
    Namer,
    kebab,
    pascal,
)
from .normalize_bodies import build_body, build_pagination, build_response
from .normalize_names import (
    RawOperation,
    cli_options,
    client_names,
    raw_operations,
    resource_tree,
    walk_operations,
)
from .normalize_params import CALL_OPTIONS, DEFAULT_STYLES, build_param
from .openapi_paths import template_params
from .refs import DocumentView
from .schemas import TypeBuilder
from .urlformats import RouteTable, plain_route

AUTH_HEADERS = frozenset({"x-api-key", "authorization", "anthropic-version"})


def normalize(
    document: dict[str, Any],
    provider: Provider,
    package: str,
    inputs: tuple[InputFile, ...],
    file: str,
    *,
    routes: RouteTable,
) -> Api:
    """The IR of a merged document, with the routes the merge computed for its operations
    (`MergedSpec.routes`; `urlformats.routes_in_document` for a merged document read back from
    disk)."""
    warnings: list[str] = []
    view = DocumentView(document)  # every $ref below is followed through it, one way
    types = TypeBuilder(view, lambda ptr, msg: warnings.append(f"{file}: {ptr}: {msg}"))
    raw_ops = list(raw_operations(view, routes))
    names = client_names(raw_ops, file, warnings)
    operations: list[Operation] = []
    request_roots: list[TypeRef] = []
    response_roots: list[TypeRef] = []
    for raw, key in zip(raw_ops, names, strict=True):
        op = _operation(raw, key, view, types)
        operations.append(op)
        request_roots += [p.type for p in op.path_params + op.query_params + op.header_params]
        if op.body:
            request_roots += [p.type for p in op.body.fields] + (
                [op.body.whole.type] if op.body.whole else []
            )
        response_roots += [t for t in (op.response.type, op.response.stream_event) if t is not None]
        if op.pagination:
            response_roots.append(op.pagination.item)
    root = resource_tree(operations, frozenset(types.namer_taken()))
    # by method and merged path, which no two operations share (two can share a direct route: a
    # provider's document may list one upstream URL for several operations, or none)
    final = {op.http_method + " " + op.path: op for op in walk_operations(root)}
    operations = [final[op.http_method + " " + op.path] for op in operations]
    info = document.get("info") or {}
    dist = package.replace("_", "-")
    return Api(
        package=ident(package),
        distribution=dist,
        cli_command=dist,
        title=str(info.get("title") or package),
        description=str(info.get("description") or ""),
        version=str(info.get("version") or "0"),
        package_version=package_version(str(info.get("version") or "0")),
        provider=provider,
        root=root,
        operations=tuple(operations),
        models=types.models(request_roots, response_roots),
        inputs=inputs,
        warnings=tuple(warnings),
    )


_PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def package_version(api_version: str) -> str:
    """A PEP 440 version for the generated distribution: `2023-06-01` gives `2023.06.01`; anything
    else that is not a version becomes a local label (`0.0.0+beta.3`)."""
    dotted = api_version.strip().replace("-", ".")
    if _PEP440.match(dotted):
        return dotted
    local = re.sub(r"[^0-9A-Za-z]+", ".", api_version).strip(".")
    return f"0.0.0+{local}" if local else "0.0.0"


def _operation(
    raw: RawOperation, key: str, document: DocumentView, types: TypeBuilder
) -> Operation:
    op = raw.op
    context = pascal(key.replace(".", "_"))
    namer = Namer(CALL_OPTIONS)
    ordered = sorted(
        raw.params, key=lambda p: {"path": 0, "query": 1, "header": 2}.get(str(p.get("in")), 3)
    )
    path_names = template_params(raw.path.split("?")[0])
    params = [
        p
        for p in ordered
        if p.get("in") in ("path", "query", "header")
        and not (p.get("in") == "header" and str(p.get("name")).lower() in AUTH_HEADERS)
    ]
    for p in ordered:
        if p.get("in") == "cookie":
            types.warn(
                raw.pointer,
                f"cookie parameter {p.get('name')!r} is not a method argument: pass it as"
                " extra_headers={'cookie': ...}",
            )
    path_params = sorted(
        (p for p in params if p.get("in") == "path"),
        key=lambda p: path_names.index(p["name"]) if p.get("name") in path_names else 99,
    )
    where = {
        id(p): pointer_join(ptr, "schema")
        for p, ptr in zip(raw.params, raw.param_pointers, strict=True)
    }
    built = {
        id(p): build_param(p, where[id(p)], context, types, namer)
        for p in path_params + [p for p in params if p.get("in") != "path"]
    }
    body = build_body(op, raw.pointer, context, document, types, namer)
    response = build_response(op, raw.pointer, context, document, types)
    source = raw.routed.source if raw.routed else "spec"
    route = replace(
        raw.routed.route if raw.routed else plain_route(raw.method, raw.path),
        name=key,
        method=raw.method.upper(),
        betas=_default_betas(op, raw.pointer, types),
        lowcodeapi_routed=source != "documented",
        styles=tuple(
            (p.location, p.wire_name, p.style, p.explode)
            for p in built.values()
            if (p.style, p.explode) != DEFAULT_STYLES.get(p.location)
        ),
        reserved=tuple(
            str(p["name"])
            for p in params
            if p.get("in") == "query" and p.get("allowReserved") is True
        ),
    )
    query = tuple(built[id(p)] for p in params if p.get("in") == "query")
    stream_switch = None
    if response.stream_event is not None and body is not None:
        stream_switch = next((f for f in body.fields if f.wire_name == "stream"), None)
        if stream_switch is not None:
            body = replace(body, fields=tuple(f for f in body.fields if f is not stream_switch))
    parts = key.split(".")
    return cli_options(
        Operation(
            key=key,
            method_name=ident(parts[-1]),
            cli_name=kebab(parts[-1]),
            http_method=raw.method.upper(),
            path=raw.path,
            # spec prose without the blank lines around it (a docstring keeps them as they are)
            summary=str(op.get("summary") or "").strip(),
            description=str(op.get("description") or "").strip(),
            deprecated=op.get("deprecated") is True,
            path_params=tuple(built[id(p)] for p in path_params),
            query_params=query,
            header_params=tuple(built[id(p)] for p in params if p.get("in") == "header"),
            body=body,
            response=response,
            pagination=build_pagination(op, query, response, types),
            route=route,
            source=source,
            to_file_name=ident(f"{parts[-1]}_to_file") if response.kind == "binary" else None,
            tag=str((op.get("tags") or [""])[0]),
            stream_switch=stream_switch,
        )
    )


def _default_betas(op: dict[str, Any], pointer: str, types: TypeBuilder) -> tuple[str, ...]:
    """`x-default-betas`: the beta names an operation always sends (a list of header-safe
    tokens)."""
    declared = op.get("x-default-betas")
    if declared is None:
        return ()
    betas = declared if isinstance(declared, list) else [declared]
    good = tuple(b for b in betas if isinstance(b, str) and re.fullmatch(r"[A-Za-z0-9._-]+", b))
    if len(good) != len(betas):
        types.warn(
            pointer_join(pointer, "x-default-betas"),
            "ignored values that are not beta names (letters, digits, `.`, `_`, `-`)",
        )
    return good
