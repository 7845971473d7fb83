"""Stage 3, normalize: the merged document becomes the IR. All naming happens here, once.

Operations get their client names (`x-client-name`, else derived), method names, parameter names
(keywords, builtins and collisions handled), and their routes (the merge's, named here); the
resource tree is built from the dotted client names; schemas become models through
`schemas.TypeBuilder`.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, replace
from typing import Any

from .code import ident, py_literal
from .diagnostics import Diagnostic, GeneratorError, Location, pointer_join
from .expr import NONE, Literal, union
from .ir import (
    Api,
    Body,
    BodyKind,
    InputFile,
    Operation,
    Pagination,
    Param,
    Provider,
    Resource,
    Response,
    TypeRef,
)
from .load import deref
from .naming import (
    ANNOTATION_MODULES,
    CLIENT_ATTRS,
    RESERVED_NAMES,
    SIGNATURE_BUILTINS,
    Namer,
    derive_client_name,
    kebab,
    pascal,
    safe,
    snake,
    words,
)
from .openapi_paths import METHODS, template_params
from .schemas import ANY, TypeBuilder
from .urlformats import MergedRoute, RouteTable, plain_route

# Keyword arguments every generated method has; spec parameters must not take these names.
CALL_OPTIONS = frozenset(
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "destination"}
)
_JSON = re.compile(r"^application/(.+\+)?json(;.*)?$|^\*/\*$")
_JSONL = re.compile(r"^application/(x-)?(jsonl|ndjson|x-ndjson|json-seq)")
_SUCCESS = ("200", "201", "202", "203", "204", "206", "2XX", "2xx")
AUTH_HEADERS = frozenset({"x-api-key", "authorization", "anthropic-version"})
# OpenAPI's serialization styles: the default (style, explode) of each location, and the styles it
# allows.
DEFAULT_STYLES = {"path": ("simple", False), "query": ("form", True), "header": ("simple", False)}
ALLOWED_STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
}
# Options that generated CLI commands add themselves (`--body`, `--max-items`, `-o/--output-file`);
# fields yield.
CLI_RESERVED = frozenset({"body", "help", "max-items", "output-file"})


@dataclass(frozen=True)
class _RawOp:
    method: str
    path: str
    op: dict[str, Any]
    params: tuple[dict[str, Any], ...]
    pointer: str
    param_pointers: tuple[
        str, ...
    ]  # where each of `params` is written: its inline schemas are keyed by it
    routed: MergedRoute | None  # the merge's routes for it (None: a document no merge routed)


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
    types = TypeBuilder(document, lambda ptr, msg: warnings.append(f"{file}: {ptr}: {msg}"))
    raw_ops = list(_raw_operations(document, routes))
    names = _client_names(raw_ops, file, warnings)
    operations: list[Operation] = []
    request_roots: list[TypeRef] = []
    response_roots: list[TypeRef] = []
    for raw, key in zip(raw_ops, names, strict=True):
        op = _operation(raw, key, document, types)
        operations.append(op)
        request_roots += [p.type for p in op.path_params + op.query_params + op.header_params]
        if op.body:
            request_roots += [p.type for p in op.body.fields] + (
                [op.body.whole.type] if op.body.whole else []
            )
        response_roots += [t for t in (op.response.type, op.response.stream_event) if t is not None]
        if op.pagination:
            response_roots.append(op.pagination.item)
    root = _resource_tree(operations, frozenset(types.namer_taken()))
    # by method and merged path, which no two operations share (two can share a direct route: a
    # provider's document may list one upstream URL for several operations, or none)
    final = {op.http_method + " " + op.path: op for op in _walk_operations(root)}
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


def _raw_operations(document: dict[str, Any], routes: RouteTable) -> list[_RawOp]:
    out = []
    for path, item in (document.get("paths") or {}).items():
        item = deref(item, document)
        if not isinstance(item, dict):
            continue
        shared = [
            (deref(p, document), pointer_join("/paths", path, "parameters", i))
            for i, p in enumerate(item.get("parameters") or [])
        ]
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                continue
            routed = routes.get((method, path))
            if routed is not None and routed.variant_of:
                continue  # the direct form of an operation listed under its proxy method
            pointer = pointer_join("/paths", path, method)
            own = [
                (deref(p, document), pointer_join(pointer, "parameters", i))
                for i, p in enumerate(op.get("parameters") or [])
            ]
            by_key = {
                (p.get("in"), p.get("name")): (p, ptr)
                for p, ptr in shared + own
                if isinstance(p, dict)
            }
            found = list(by_key.values())
            out.append(
                _RawOp(
                    method,
                    path,
                    op,
                    tuple(p for p, _ in found),
                    pointer,
                    tuple(ptr for _, ptr in found),
                    routed,
                )
            )
    return out


def _client_names(raw_ops: list[_RawOp], file: str, warnings: list[str]) -> list[str]:
    """Dotted client names, unique; a declared name that repeats is an error, a derived one takes
    its operationId, else its summary, else a number, and the collision is reported in
    `warnings`."""
    declared: dict[str, str] = {}
    errors = []
    for raw in raw_ops:
        name = raw.op.get("x-client-name")
        if isinstance(name, str):
            if "." not in name:
                errors.append(
                    Diagnostic(
                        "error",
                        "naming.client-name",
                        f"x-client-name {name!r} needs a resource and a method (`things.list`)",
                        Location(file, pointer_join(raw.pointer, "x-client-name")),
                    )
                )
            if name in declared:
                errors.append(
                    Diagnostic(
                        "error",
                        "naming.duplicate-client-name",
                        f"x-client-name {name!r} is used twice (first at {declared[name]})",
                        Location(file, pointer_join(raw.pointer, "x-client-name")),
                    )
                )
            declared[name] = f"{raw.method.upper()} {raw.path}"
    if errors:
        raise GeneratorError(errors)
    taken = set(declared)
    bases = [r.path.split("?")[0].rstrip("/") for r in raw_ops]
    collections = frozenset(b for b in bases if any(o.startswith(b + "/") for o in bases))
    out = []
    for raw in raw_ops:
        name = raw.op.get("x-client-name")
        wanted = ""  # a derived name that another operation took first
        if isinstance(name, str):
            parts = [_method_safe(snake(p)) for p in name.split(".")]
        else:
            ids = frozenset(
                str(p.get("name")) for p in raw.params if p.get("in") in ("path", "query")
            )
            parts = [
                _method_safe(p)
                for p in derive_client_name(
                    raw.method,
                    raw.path,
                    raw.op.get("operationId"),
                    raw.op.get("tags") or [],
                    collections,
                    ids,
                    _returns_array(raw.op),
                )
            ]
            fallback = raw.op.get("operationId") or raw.op.get("summary")
            if ".".join(parts) in taken:
                wanted = ".".join(parts)
                if (
                    isinstance(fallback, str)
                    and words(fallback)
                    and ".".join(parts[:-1] + [safe(snake(fallback))]) not in taken
                ):
                    parts = parts[:-1] + [safe(snake(fallback))]
        if parts[0] in CLIENT_ATTRS:
            parts[0] += "_"
        parts = [p + "_" if p in ANNOTATION_MODULES else p for p in parts]
        base, n = ".".join(parts), 1
        candidate = base
        while candidate in taken and not isinstance(name, str):
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        out.append(candidate)
        if wanted or n > 1:
            warnings.append(
                f"{file}: {raw.pointer}: naming: {raw.method.upper()} {raw.path} would be"
                f" {wanted or base!r} like another operation: named {candidate!r}"
            )
    return out


def _returns_array(op: dict[str, Any]) -> bool:
    """Whether the first success response is a JSON array (inline; a $ref is not followed)."""
    for code, response in (
        sorted((op.get("responses") or {}).items()) if isinstance(op.get("responses"), dict) else ()
    ):
        if str(code).startswith("2") and isinstance(response, dict):
            for media in (
                (response.get("content") or {}).values()
                if isinstance(response.get("content"), dict)
                else ()
            ):
                schema = media.get("schema") if isinstance(media, dict) else None
                return isinstance(schema, dict) and schema.get("type") == "array"
            return False
    return False


def _method_safe(name: str) -> str:
    """Method and resource names may shadow builtins (`list`, like the official SDK); not
    keywords."""
    return (
        name + "_"
        if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name.startswith("_")
        else name
    )


def _param(
    raw: dict[str, Any], schema_pointer: str, context: str, types: TypeBuilder, namer: Namer
) -> Param:
    """The parameter whose schema is written at `schema_pointer`: inline types are keyed by it, so
    it must be the parameter's own (two parameters sharing one pointer would share one inline
    type)."""
    wire = str(raw.get("name"))
    location = raw.get("in")
    schema = raw.get("schema")
    if schema is None and isinstance(raw.get("content"), dict):
        media, first = next(iter(raw["content"].items()), ("", {}))
        schema = first.get("schema") if isinstance(first, dict) else None
        schema_pointer = pointer_join(schema_pointer.rpartition("/")[0], "content", media, "schema")
    t = types.type_of(schema, schema_pointer, context + pascal(wire))
    declared = raw.get("x-python-name") or (
        schema.get("x-python-name") if isinstance(schema, dict) else None
    )
    base = snake(str(declared)) if isinstance(declared, str) and declared else snake(wire)
    py = namer.take(safe(base, CALL_OPTIONS))
    cli_declared = raw.get(
        "x-cli-name"
    )  # the option a person types, where the Python name reads badly
    cli = (
        kebab(str(cli_declared))
        if isinstance(cli_declared, str) and cli_declared.strip()
        else kebab(base)
    )
    default = schema.get("default") if isinstance(schema, dict) else None
    declared_aliases = raw.get("x-enum-aliases") or (
        schema.get("x-enum-aliases") if isinstance(schema, dict) else None
    )
    aliases = _enum_aliases(
        declared_aliases,
        t.enum_values,
        pointer_join(schema_pointer.rpartition("/")[0], "x-enum-aliases"),
        types,
    )
    if aliases:  # the aliases are accepted values too (the signature's Literal, the CLI's choices)
        values = t.enum_values + tuple(a for a, _ in aliases)
        literal = union(
            Literal(tuple(py_literal(v) for v in values)), *((NONE,) if t.nullable else ())
        )
        t = replace(t, py_type=literal, param_type=literal, enum_values=values)
    style, explode = _style(raw, schema_pointer.rpartition("/")[0], types)
    return Param(
        wire_name=wire,
        py_name=py,
        cli_name=cli,
        location=location,  # type: ignore[arg-type]
        type=t,
        required=bool(raw.get("required")) or location == "path",
        description=str(
            raw.get("description")
            or (schema.get("description") if isinstance(schema, dict) else "")
            or ""
        ),
        default=py_literal(default) if isinstance(default, (str, int, float, bool)) else None,
        enum_aliases=aliases,
        style=style,
        explode=explode,
    )


def _enum_aliases(
    declared: object, values: tuple[str, ...], pointer: str, types: TypeBuilder
) -> tuple[tuple[str, str], ...]:
    """`x-enum-aliases` ({accepted: sent}): other names of enum values, mapped to the enum's own
    when sent. An entry that does not map a new string onto one of the enum's values is left out
    with a warning.
    """
    if declared is None:
        return ()
    if not isinstance(declared, dict):
        types.warn(pointer, "x-enum-aliases must map accepted values to enum values; ignored")
        return ()
    kept: list[tuple[str, str]] = []
    for alias, value in declared.items():
        if (
            not isinstance(alias, str)
            or not isinstance(value, str)
            or value not in values
            or alias in values
        ):
            types.warn(
                pointer,
                f"x-enum-aliases entry {alias!r}: {value!r} does not map a new value onto the enum;"
                " ignored",
            )
            continue
        kept.append((alias, value))
    return tuple(sorted(kept))


def _style(raw: dict[str, Any], pointer: str, types: TypeBuilder) -> tuple[str, bool]:
    """A path, query or header parameter's (style, explode): declared, else OpenAPI's default for
    its location (explode defaults to true for `form` only); ("", False) for body fields."""
    location = str(raw.get("in"))
    if location not in DEFAULT_STYLES:
        return "", False
    style = raw.get("style", DEFAULT_STYLES[location][0])
    if style not in ALLOWED_STYLES[location]:
        types.warn(
            pointer_join(pointer, "style"),
            f"style {style!r} is not one of {location} parameters' styles "
            f"{', '.join(ALLOWED_STYLES[location])}: sent as {DEFAULT_STYLES[location][0]}",
        )
        style = DEFAULT_STYLES[location][0]
    explode = raw.get("explode")
    return style, explode if isinstance(explode, bool) else style == "form"


def _operation(raw: _RawOp, key: str, document: dict[str, Any], types: TypeBuilder) -> Operation:
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
        id(p): _param(p, where[id(p)], context, types, namer)
        for p in path_params + [p for p in params if p.get("in") != "path"]
    }
    body = _body(op, raw.pointer, context, document, types, namer)
    response = _response(op, raw.pointer, context, document, types)
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
    )
    query = tuple(built[id(p)] for p in params if p.get("in") == "query")
    stream_switch = None
    if response.stream_event is not None and body is not None:
        stream_switch = next((f for f in body.fields if f.wire_name == "stream"), None)
        if stream_switch is not None:
            body = Body(
                body.kind,
                body.media_type,
                tuple(f for f in body.fields if f is not stream_switch),
                body.whole,
                body.required,
            )
    parts = key.split(".")
    return _cli_options(
        Operation(
            key=key,
            method_name=ident(parts[-1]),
            cli_name=kebab(parts[-1]),
            http_method=raw.method.upper(),
            path=raw.path,
            summary=str(op.get("summary") or ""),
            description=str(op.get("description") or ""),
            deprecated=op.get("deprecated") is True,
            path_params=tuple(built[id(p)] for p in path_params),
            query_params=query,
            header_params=tuple(built[id(p)] for p in params if p.get("in") == "header"),
            body=body,
            response=response,
            pagination=_pagination(op, query, response, types),
            route=route,
            source=source,
            to_file_name=ident(f"{parts[-1]}_to_file") if response.kind == "binary" else None,
            tag=str((op.get("tags") or [""])[0]),
            stream_switch=stream_switch,
        )
    )


def _cli_options(op: Operation) -> Operation:
    """CLI option names: unique in the command and clear of CLI_RESERVED. A field also answers to
    its wire name when it was renamed (`--workspace-role` for `role`), and, when named after an
    enclosing resource, to the rest of its name (`workspace_role` under `workspaces`: `--role`)."""
    taken = set(CLI_RESERVED)
    prefixes = tuple(snake(p[:-1] if p.endswith("s") else p) + "_" for p in op.key.split(".")[:-1])

    def named(p: Param) -> Param:
        name = p.cli_name if p.cli_name not in taken else kebab(p.py_name)
        while name in taken:
            name += "-field"
        taken.add(name)
        return replace(p, cli_name=name)

    def aliased(p: Param) -> Param:
        short = next(
            (
                kebab(p.wire_name[len(x) :])
                for x in prefixes
                if p.wire_name.startswith(x) and p.wire_name != x
            ),
            "",
        )
        aliases = [
            a
            for a in dict.fromkeys((kebab(p.wire_name), short))
            if a and a != "id" and a not in taken
        ]
        taken.update(aliases)
        return replace(p, cli_aliases=tuple(aliases)) if aliases else p

    groups = [
        tuple(named(p) for p in params)
        for params in (op.query_params, op.header_params, op.body.fields if op.body else ())
    ]
    query, headers, fields = (tuple(aliased(p) for p in params) for params in groups)
    return replace(
        op,
        query_params=query,
        header_params=headers,
        body=replace(op.body, fields=fields) if op.body else None,
    )


def _media(content: dict[str, Any], pattern: re.Pattern[str]) -> tuple[str, Any] | None:
    for media, value in content.items():
        if pattern.match(media.lower()):
            return media, (value or {}).get("schema")
    return None


_BODY_KINDS: tuple[tuple[BodyKind, re.Pattern[str]], ...] = (
    ("json", _JSON),
    ("multipart", re.compile(r"^multipart/")),
    ("form", re.compile(r"^application/x-www-form-urlencoded")),
)


def _body_media(content: dict[str, Any]) -> tuple[BodyKind, str, Any]:
    """The body's kind, media type and schema: JSON first, then multipart, then form; else the
    first, as JSON."""
    for kind, pattern in _BODY_KINDS:
        found = _media(content, pattern)
        if found:
            return kind, found[0], found[1]
    media = next(iter(content))
    return "json", media, (content[media] or {}).get("schema")


def _body(
    op: dict[str, Any],
    pointer: str,
    context: str,
    document: dict[str, Any],
    types: TypeBuilder,
    namer: Namer,
) -> Body | None:
    body = deref(op.get("requestBody"), document)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("content"), dict)
        or not body["content"]
    ):
        return None
    content = body["content"]
    kind, media, schema = _body_media(content)
    b_ptr = pointer_join(pointer, "requestBody", "content", media, "schema")
    resolved = (
        types._merge_all_of(deref(schema, document))
        if isinstance(deref(schema, document), dict)
        else {}
    )
    props = resolved.get("properties") if isinstance(resolved, dict) else None
    required = bool(body.get("required"))
    if isinstance(props, dict) and props:
        req = set(resolved.get("required") or [])
        fields = []
        for wire, prop in props.items():
            raw = {
                "name": wire,
                "in": "body",
                "schema": prop,
                "required": wire in req,
                "description": (
                    (deref(prop, document) or {}).get("description")
                    if isinstance(prop, dict)
                    else ""
                ),
            }
            fields.append(
                _param(raw, pointer_join(b_ptr, "properties", wire), context, types, namer)
            )
        return Body(kind, media, tuple(fields), None, required)
    whole = _param(
        {"name": "body", "in": "body", "schema": schema, "required": required},
        b_ptr,
        context + "Body",
        types,
        namer,
    )
    return Body(kind, media, (), whole, required)


def _response(
    op: dict[str, Any], pointer: str, context: str, document: dict[str, Any], types: TypeBuilder
) -> Response:
    responses = op.get("responses") or {}
    code = next((c for c in _SUCCESS if c in responses), None)
    if code is None:
        code = next((c for c in sorted(responses) if str(c).startswith("2")), None)
    if code is None:
        return Response("json", ANY, declared=False)
    resp = deref(responses[code], document)
    content = resp.get("content") if isinstance(resp, dict) else None
    if not content:
        return Response("empty", None)
    r_ptr = pointer_join(pointer, "responses", str(code), "content")
    sse = content.get("text/event-stream")
    event = (
        types.type_of(
            (sse or {}).get("schema"),
            pointer_join(r_ptr, "text/event-stream", "schema"),
            context + "Event",
        )
        if sse is not None
        else None
    )
    found = _media(content, _JSON)
    if found:
        media, schema = found
        return Response(
            "json",
            types.type_of(schema, pointer_join(r_ptr, media, "schema"), context + "Response"),
            event if op.get("x-streaming") == "sse" else None,
        )
    if event is not None:
        return Response("sse", event)
    found = _media(content, _JSONL)
    if found:
        media, schema = found
        return Response(
            "jsonl", types.type_of(schema, pointer_join(r_ptr, media, "schema"), context + "Line")
        )
    return Response("binary", None)


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


def _pagination(
    op: dict[str, Any], query: tuple[Param, ...], response: Response, types: TypeBuilder
) -> Pagination | None:
    """List pages: declared (`x-pagination: cursor | page`) or recognised (an `after_id` query
    parameter); the item type is that of the page's `data`."""
    if response.kind != "json" or response.type is None:
        return None
    declared = op.get("x-pagination")
    cursor = next((p.wire_name for p in query if p.wire_name == "after_id"), None)
    if declared not in ("cursor", "page") and cursor is None:
        return None
    item = types.item_type(response.type, "data")
    if item is None:
        return None
    return Pagination(item, "page" if declared == "page" else cursor or "after_id")


def _walk_operations(node: Resource) -> list[Operation]:
    return list(node.operations) + [op for child in node.children for op in _walk_operations(child)]


def _resource_tree(operations: list[Operation], taken: frozenset[str]) -> Resource:
    """Resources from dotted names. Class names avoid the models' names (resources.py imports
    those); a method named like a child resource yields: it becomes `<name>_<http method>`."""
    tree = _tree_of(_shadow_free_resources(operations))
    class_namer = Namer(RESERVED_NAMES | taken, joiner="")

    def build(path: tuple[str, ...]) -> Resource:
        children = sorted(k for k in tree if len(k) == len(path) + 1 and k[: len(path)] == path)
        # mypy reads annotations in the class's scope, in order: a member named like a builtin that
        # a later annotation uses shadows it. Every signature names SIGNATURE_BUILTINS; so named
        # methods get a `_`. `list` (a contract verb) keeps its name and goes last when the class's
        # types use `list[...]`.
        used = frozenset().union(*(_builtins_of(op) for op in tree[path]))
        shadowed = SIGNATURE_BUILTINS | (used - {"list"})
        child_attrs = {c[-1] for c in children}
        method_namer = Namer(child_attrs | {"with_options"})
        ops = []
        last = [op for op in tree[path] if "list" in used and op.method_name == "list"]
        for op in [op for op in tree[path] if op not in last] + last:
            name = str(op.method_name) + "_" * (op.method_name in shadowed)
            unique = method_namer.take(
                name if name not in child_attrs else f"{name}_{op.http_method.lower()}"
            )
            if unique != op.method_name:
                key = ".".join((*path, unique))
                op = replace(
                    op,
                    key=key,
                    method_name=unique,
                    cli_name=kebab(unique),
                    route=replace(op.route, name=key),
                    to_file_name=ident(f"{unique}_to_file") if op.to_file_name else None,
                )
            ops.append(op)
        base = pascal("_".join(path)) if path else "Root"
        class_name = class_namer.take(
            base if base not in taken and base not in RESERVED_NAMES else base + "Resource"
        )
        return Resource(
            attr=ident(path[-1]) if path else ident("root"),
            path=path,
            cli_name=kebab(path[-1]) if path else "",
            class_name=class_name,
            async_class_name=class_namer.take("Async" + class_name),
            description=path[-1].replace("_", " ").capitalize() if path else "",
            operations=tuple(ops),
            children=tuple(build(c) for c in children),
        )

    return build(())


def _tree_of(operations: list[Operation]) -> dict[tuple[str, ...], list[Operation]]:
    """Operations by resource path (every ancestor present)."""
    tree: dict[tuple[str, ...], list[Operation]] = {(): []}
    for op in operations:
        parts = tuple(op.key.split(".")[:-1])
        for i in range(len(parts) + 1):
            tree.setdefault(parts[:i], [])
        tree[parts].append(op)
    return tree


def _shadow_free_resources(operations: list[Operation]) -> list[Operation]:
    """Operations re-keyed so that no child resource is named like a builtin its parent's
    annotations use (`things.int.bytes` becomes `things.int_.bytes`): the key stays the client's
    dotted path."""
    tree = _tree_of(operations)
    renamed: dict[tuple[str, ...], str] = {}
    for path in sorted(tree, key=len):
        if (
            len(path) < 2
        ):  # top-level resources are attributes of the client, whose annotations are fixed
            continue
        parent = path[:-1]
        used = SIGNATURE_BUILTINS.union(*(_builtins_of(op) for op in tree[parent]))
        if path[-1] in used:
            renamed[path] = path[-1] + "_"
    if not renamed:
        return operations
    out = []
    for op in operations:
        parts = op.key.split(".")
        new = [
            renamed.get(tuple(parts[: i + 1]), part) for i, part in enumerate(parts[:-1])
        ] + parts[-1:]
        key = ".".join(new)
        out.append(op if key == op.key else replace(op, key=key, route=replace(op.route, name=key)))
    return out


def _builtins_of(op: Operation) -> frozenset[str]:
    """The builtin names an operation's method signature uses: its parameters' and its results'
    types."""
    params = [p.type.param_builtins for p in op.path_params + op.keyword_params]
    params += [op.stream_switch.type.param_builtins] if op.stream_switch else []
    results = [t.builtins for t in (op.response.type, op.response.stream_event) if t is not None]
    results += [op.pagination.item.builtins] if op.pagination else []
    return frozenset().union(*params, *results)
