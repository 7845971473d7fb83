"""The naming pass of normalize: the operations a document has, their client names, CLI option names
and the resource tree (class, attribute and method names), each name final once it leaves here.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, replace
from typing import Any

from .code import ident
from .diagnostics import Diagnostic, GeneratorError, Location, pointer_join
from .ir import (
    Operation,
    Param,
    Resource,
)
from .naming import (
    ANNOTATION_MODULES,
    CLI_RESERVED,
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
from .openapi_paths import METHODS
from .refs import DocumentView
from .urlformats import MergedRoute, RouteTable


@dataclass(frozen=True)
class RawOperation:
    method: str
    path: str
    op: dict[str, Any]
    params: tuple[dict[str, Any], ...]
    pointer: str
    # where each of `params` is written: its inline schemas are keyed by it
    param_pointers: tuple[str, ...]
    routed: MergedRoute | None  # the merge's routes for it (None: a document no merge routed)


def raw_operations(document: DocumentView, routes: RouteTable) -> list[RawOperation]:
    out = []
    for path, item in (document.get("paths") or {}).items():
        item = document.deref(item)
        if not isinstance(item, dict):
            continue
        shared = [
            (document.deref(p), pointer_join("/paths", path, "parameters", i))
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
                (document.deref(p), pointer_join(pointer, "parameters", i))
                for i, p in enumerate(op.get("parameters") or [])
            ]
            by_key = {
                (p.get("in"), p.get("name")): (p, ptr)
                for p, ptr in shared + own
                if isinstance(p, dict)
            }
            found = list(by_key.values())
            out.append(
                RawOperation(
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


def client_names(raw_ops: list[RawOperation], file: str, warnings: list[str]) -> list[str]:
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



def cli_options(op: Operation) -> Operation:
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


def walk_operations(node: Resource) -> list[Operation]:
    return list(node.operations) + [op for child in node.children for op in walk_operations(child)]


def resource_tree(operations: list[Operation], taken: frozenset[str]) -> Resource:
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
        # top-level resources are attributes of the client, whose annotations are fixed
        if len(path) < 2:
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
