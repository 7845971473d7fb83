"""`lowcodegen audit`: what a published OpenAPI document has that the merged spec lacks.

The comparison is structural and by name only: operations (method and path, `?beta=true` folded,
path parameter names ignored), query/header parameter names, and the properties of request bodies
and responses, followed into nested objects, arrays and tagged unions (variants by their
discriminator value) down to a fixed depth. Types and descriptions are not compared.

A gap the documented spec leaves on purpose is declared with `x-audit-ignore: {item: reason}`
(specs/EXTENSIONS.md): at the top level (an operation `"POST /v1/x"` or an item that applies to
every operation, e.g. `"header anthropic-version"`), on an operation (an item as printed), or on a
schema (a property name or a variant value of that schema). Declared gaps are listed with their
reason and do not fail the audit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")
MAX_DEPTH = (
    3  # property steps below a body or response: a content block's fields and their variants
)
_IGNORE = "x-audit-ignore"


@dataclass(frozen=True)
class Gap:
    """One thing the published spec has and the merged spec lacks."""

    operation: str  # "POST /v1/messages"; for a missing operation, that operation
    kind: str  # operation | parameter | property | variant
    # what is missing, as `x-audit-ignore` names it:
    # "query scope_id", "request.tools[]<bash_20250124>"
    item: str
    reason: str | None = None  # the declared reason, or None for an undeclared gap

    def as_dict(self) -> dict[str, str | None]:
        return {
            "operation": self.operation,
            "kind": self.kind,
            "item": self.item,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AuditReport:
    published_operations: int
    covered_operations: int
    gaps: tuple[Gap, ...]

    @property
    def undeclared(self) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.reason is None)

    @property
    def declared(self) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.reason is not None)


def path_shape(path: str) -> str:
    """`/v1/files/{file_id}?beta=true` -> `/v1/files/{}`."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?", 1)[0])


def _resolve(doc: dict[str, Any], node: Any) -> dict[str, Any]:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        target: Any = doc
        for part in node["$ref"].lstrip("#").strip("/").split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"))
                if isinstance(target, dict)
                else None
            )
        node, seen = target, seen + 1
    return node if isinstance(node, dict) else {}


@dataclass
class _Shape:
    """A schema flattened for comparison: its properties, its tagged variants, its array items."""

    props: dict[str, Any] = field(default_factory=dict)
    variants: dict[str, Any] = field(default_factory=dict)
    items: list[Any] = field(default_factory=list)
    ignore: dict[str, str] = field(default_factory=dict)
    open: bool = False  # a free-form object: nothing below it is compared

    @property
    def empty(self) -> bool:
        return not (self.props or self.variants or self.items)


def _tags(doc: dict[str, Any], member: dict[str, Any], prop: str) -> list[str]:
    """The values a union member's tag property can take (const or enum, also inside anyOf)."""
    tag = _resolve(doc, (member.get("properties") or {}).get(prop))
    out: list[str] = []
    for node in [tag, *[_resolve(doc, s) for s in tag.get("anyOf", []) + tag.get("oneOf", [])]]:
        if isinstance(node.get("const"), str):
            out.append(node["const"])
        out += [v for v in node.get("enum") or [] if isinstance(v, str)]
    return out


def _shape(doc: dict[str, Any], node: Any, depth: int = 0) -> _Shape:
    s = _resolve(doc, node)
    out = _Shape()
    if depth > 8:
        return out
    out.ignore.update(
        {str(k): str(v) for k, v in (s.get(_IGNORE) or {}).items()}
        if isinstance(s.get(_IGNORE), dict)
        else {}
    )
    out.props.update(s.get("properties") or {})
    if isinstance(s.get("items"), dict):
        out.items.append(s["items"])
    kinds: list[Any] = s["type"] if isinstance(s.get("type"), list) else [s.get("type")]
    if (
        "object" in kinds
        and not s.get("properties")
        and s.get("additionalProperties") not in (False, None)
    ):
        out.open = True
    for sub in s.get("allOf") or []:
        _absorb(out, _shape(doc, sub, depth + 1))
    disc: dict[str, Any] = s["discriminator"] if isinstance(s.get("discriminator"), dict) else {}
    prop = str(disc.get("propertyName") or "type")
    mapping: dict[str, Any] = disc["mapping"] if isinstance(disc.get("mapping"), dict) else {}
    for value, ref in mapping.items():
        out.variants[str(value)] = {"$ref": ref}
    for sub in (s.get("oneOf") or []) + (s.get("anyOf") or []):
        member = _resolve(doc, sub)
        tags = _tags(doc, member, prop) if member.get("properties") else []
        if tags:
            for value in tags:
                out.variants.setdefault(value, sub)
        else:
            _absorb(out, _shape(doc, sub, depth + 1))
    return out


def _absorb(into: _Shape, other: _Shape) -> None:
    for k, v in other.props.items():
        into.props.setdefault(k, v)
    for k, v in other.variants.items():
        into.variants.setdefault(k, v)
    into.items += other.items
    into.ignore.update(other.ignore)
    into.open = into.open or other.open


class _Comparer:
    def __init__(self, published: dict[str, Any], ours: dict[str, Any], max_depth: int) -> None:
        self.pub, self.ours, self.max_depth = published, ours, max_depth
        self.seen: set[tuple[int, int]] = set()

    def compare(
        self, pub: Any, ours: Any, where: str, depth: int = 0
    ) -> Iterator[tuple[str, str, str | None]]:
        """(kind, item, reason-from-our-schema) for everything `pub` has below `where` that `ours`
        lacks."""
        key = (id(_resolve(self.pub, pub)), id(_resolve(self.ours, ours)))
        if key in self.seen:
            return
        self.seen.add(key)
        p, o = _shape(self.pub, pub), _shape(self.ours, ours)
        # A union of one tagged object on one side, that object on the other: compare them as
        # variants.
        if p.variants and not o.variants and o.props:
            o.variants = {tag: ours for tag in _tags(self.ours, _resolve(self.ours, ours), "type")}
        if o.variants and not p.variants and p.props:
            p.variants = {tag: pub for tag in _tags(self.pub, _resolve(self.pub, pub), "type")}
        if o.open or (o.empty and not _resolve(self.ours, ours).get("type")):
            return  # ours is deliberately free-form here
        for name in sorted(p.props):
            if name not in o.props:
                yield "property", f"{where}.{name}", o.ignore.get(name)
            elif depth < self.max_depth:
                yield from self.compare(p.props[name], o.props[name], f"{where}.{name}", depth + 1)
        for value in sorted(p.variants):
            if value not in o.variants:
                yield "variant", f"{where}<{value}>", o.ignore.get(value)
            elif depth < self.max_depth:
                yield from self.compare(
                    p.variants[value], o.variants[value], f"{where}<{value}>", depth
                )
        if p.items and o.items and depth < self.max_depth:
            for pub_item in p.items:
                yield from self.compare(pub_item, o.items[0], f"{where}[]", depth)


def _operations(
    doc: dict[str, Any],
) -> dict[tuple[str, str], list[tuple[str, dict[str, Any], list[Any]]]]:
    """(METHOD, path shape) -> [(path, operation, path-item parameters)]; our direct methods count
    too."""
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any], list[Any]]]] = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                entry = (str(path), op, list(item.get("parameters") or []))
                out.setdefault((method.upper(), path_shape(str(path))), []).append(entry)
                direct = op.get("x-direct-method")
                if isinstance(direct, str) and direct.lower() in METHODS:
                    out.setdefault((direct.upper(), path_shape(str(path))), []).append(entry)
    return out


def _params(doc: dict[str, Any], op: dict[str, Any], shared: list[Any]) -> set[str]:
    found = set()
    for raw in shared + list(op.get("parameters") or []):
        p = _resolve(doc, raw)
        if p.get("in") in ("query", "header") and isinstance(p.get("name"), str):
            found.add(f"{p['in']} {p['name'].lower() if p['in'] == 'header' else p['name']}")
    return found


def _body(doc: dict[str, Any], op: dict[str, Any]) -> Any:
    content = _resolve(doc, op.get("requestBody")).get("content") or {}
    for kind in ("application/json", "multipart/form-data", *content):
        if isinstance(content.get(kind), dict):
            return content[kind].get("schema")
    return None


def _response(doc: dict[str, Any], op: dict[str, Any]) -> Any:
    responses = op.get("responses") or {}
    for code in sorted(str(c) for c in responses):
        if code.startswith("2"):
            content = (
                _resolve(
                    doc, responses.get(code) if code in responses else responses.get(int(code))
                ).get("content")
                or {}
            )
            if isinstance(content.get("application/json"), dict):
                return content["application/json"].get("schema")
    return None


def _ignores(node: Any) -> dict[str, str]:
    raw = node.get(_IGNORE) if isinstance(node, dict) else None
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def audit(
    published: dict[str, Any], merged: dict[str, Any], max_depth: int = MAX_DEPTH
) -> AuditReport:
    """Compare a published OpenAPI document with the merged spec; pure."""
    pub_ops, our_ops = _operations(published), _operations(merged)
    top = _ignores(merged)
    gaps: dict[tuple[str, str], Gap] = {}
    covered = 0
    for (method, shape), entries in sorted(pub_ops.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        label = f"{method} {min(path for path, _, _ in entries).split('?', 1)[0]}"
        mine = our_ops.get((method, shape))
        if not mine:
            gaps.setdefault((label, label), Gap(label, "operation", label, top.get(label)))
            continue
        covered += 1
        _, our_op, our_shared = mine[0]
        declared = {**top, **_ignores(our_op)}
        ours_params = _params(merged, our_op, our_shared)
        comparer = _Comparer(published, merged, max_depth)
        for _, pub_op, pub_shared in entries:
            found: list[tuple[str, str, str | None]] = [
                ("parameter", name, None)
                for name in sorted(_params(published, pub_op, pub_shared) - ours_params)
            ]
            for where, pub_schema, our_schema in (
                ("request", _body(published, pub_op), _body(merged, our_op)),
                ("response", _response(published, pub_op), _response(merged, our_op)),
            ):
                if pub_schema is None:
                    continue
                if our_schema is None:
                    found.append(("property", where, None))
                else:
                    found += comparer.compare(pub_schema, our_schema, where)
            for kind, item, reason in found:
                gaps.setdefault((label, item), Gap(label, kind, item, reason or declared.get(item)))
    ordered = sorted(
        gaps.values(),
        key=lambda g: (
            path_shape(g.operation.split(" ", 1)[1]),
            g.operation,
            g.kind != "parameter",
            g.item,
        ),
    )
    return AuditReport(len(pub_ops), covered, tuple(ordered))


def render(report: AuditReport, form: str) -> str:
    """The report as text, Markdown or JSON (schema lowcodegen-audit/1)."""
    if form == "json":
        return (
            json.dumps(
                {
                    "schema": "lowcodegen-audit/1",
                    "published_operations": report.published_operations,
                    "covered_operations": report.covered_operations,
                    "undeclared": [g.as_dict() for g in report.undeclared],
                    "declared": [g.as_dict() for g in report.declared],
                },
                indent=2,
                sort_keys=True,
            )
            + "\n"
        )
    md = form == "markdown"
    lines = [
        ("# " if md else "")
        + f"Audit: {report.covered_operations}/{report.published_operations} published operations"
        f" covered, {len(report.undeclared)} undeclared gap(s), {len(report.declared)} declared"
    ]
    for title, gaps in (
        ("Undeclared gaps", report.undeclared),
        ("Declared differences", report.declared),
    ):
        if not gaps:
            continue
        lines += ["", ("## " if md else "") + title + ("" if md else ":")]
        for g in gaps:
            text = g.item if g.kind == "operation" else f"{g.operation}: {g.kind} {g.item}"
            text = f"`{text}`" if md else text
            lines.append(f"- {text}" + (f" ({g.reason})" if g.reason else ""))
    return "\n".join(lines) + "\n"


def read_published(path: str) -> dict[str, Any]:
    """The published document, or one located GeneratorError (not a file, bad syntax, no
    `paths`)."""
    from .diagnostics import fail
    from .source import read_spec

    source = read_spec(path)
    data = source.data
    if not isinstance(data, dict):
        raise fail(
            "audit.not-openapi",
            "not an OpenAPI document (the top level is not a mapping)",
            source.location(),
        )
    if not isinstance(data.get("paths"), dict):
        raise fail(
            "audit.no-paths",
            "not an OpenAPI document: no `paths` mapping",
            source.location("/paths" if "paths" in data else ""),
        )
    return data
