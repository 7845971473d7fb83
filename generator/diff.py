"""The change engine: what a regenerated client breaks for its users, computed on two IRs.

Working on the IR (not the raw OpenAPI) makes every change speak the client's language: methods,
keyword parameters, model fields and the three URL forms. Rules follow oasdiff's categories (ERR =
breaking, WARN = possibly-breaking, INFO = compatible); each has a stable id and one severity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from .code import Code
from .expr import Literal as LiteralType
from .expr import Name, Subscript, Type, Union, members
from .ir import AliasModel, Api, Model, ObjectModel, Operation, Param, TypeRef, UnionModel
from .urlformats import shape as route_shape

Severity = Literal["breaking", "possibly-breaking", "compatible"]
Side = Literal["request", "response"]
SEVERITIES: tuple[Severity, ...] = ("breaking", "possibly-breaking", "compatible")

# The catalogue: rule id -> (severity, what it means). Ids are a contract: never renamed, only
# added.
RULES: dict[str, tuple[Severity, str]] = {
    "operation-removed": ("breaking", "a client method (API operation) was removed"),
    "deprecated-operation-removed": ("possibly-breaking", "a deprecated client method was removed"),
    "operation-renamed": ("breaking", "the same route is reached through another client name"),
    "operation-added": ("compatible", "a new client method (API operation)"),
    "operation-deprecated": ("compatible", "a client method was marked deprecated"),
    "method-changed": ("breaking", "the HTTP method of the LowCodeAPI route changed"),
    "direct-method-changed": ("breaking", "the HTTP method of the provider's own route changed"),
    "route-direct-changed": ("breaking", "the provider's own path (direct URL form) changed"),
    "route-new-changed": ("breaking", "the LowCodeAPI new-format path (the default form) changed"),
    "route-old-changed": (
        "possibly-breaking",
        "the LowCodeAPI old-format path (the fallback form) changed",
    ),
    "route-old-query-changed": (
        "possibly-breaking",
        "the query names of the LowCodeAPI old-format route changed",
    ),
    "param-added-required": (
        "breaking",
        "a new required parameter (or required key of a request dict)",
    ),
    "param-added-optional": ("compatible", "a new optional parameter (or key of a request dict)"),
    "required-param-removed": (
        "breaking",
        "a required parameter was removed: every call passing it fails",
    ),
    "optional-param-removed": (
        "possibly-breaking",
        "an optional parameter was removed: calls passing it fail",
    ),
    "param-became-required": ("breaking", "an optional parameter became required"),
    "param-became-optional": ("compatible", "a required parameter became optional"),
    "param-type-changed": ("breaking", "a parameter's type changed or narrowed"),
    "param-type-widened": ("compatible", "a parameter accepts more types than before"),
    "param-enum-value-removed": ("breaking", "a parameter no longer accepts an enum value"),
    "param-enum-value-added": ("compatible", "a parameter accepts a new enum value"),
    "param-variant-removed": ("breaking", "a request union lost a variant"),
    "param-variant-added": ("compatible", "a request union gained a variant"),
    "param-renamed": (
        "possibly-breaking",
        "a path parameter was renamed: positional calls still work, keyword calls fail",
    ),
    "param-default-changed": ("possibly-breaking", "a parameter's default value changed"),
    "param-location-changed": (
        "possibly-breaking",
        "a parameter moved (query, header or body): same keyword, other wire place",
    ),
    "request-body-media-type-changed": (
        "possibly-breaking",
        "the request body is sent in another media type",
    ),
    "response-required-field-removed": ("breaking", "a response model lost a required field"),
    "response-optional-field-removed": (
        "possibly-breaking",
        "a response model lost an optional field",
    ),
    "response-field-became-optional": ("breaking", "a response field may now be missing"),
    "response-field-became-nullable": (
        "breaking",
        "a response field (or the response) may now be None",
    ),
    "response-type-changed": (
        "breaking",
        "a response type (or the kind of response) changed or widened",
    ),
    "response-enum-value-added": ("possibly-breaking", "a response enum may carry a new value"),
    "response-variant-added": ("possibly-breaking", "a response union may carry a new variant"),
    "response-field-added": ("compatible", "a response model gained a field"),
    "response-field-became-required": ("compatible", "a response field is now always present"),
    "response-type-narrowed": (
        "compatible",
        "a response type narrowed (fewer types, no longer nullable)",
    ),
    "response-enum-value-removed": ("compatible", "a response enum no longer carries a value"),
    "response-variant-removed": ("compatible", "a response union lost a variant"),
    "pagination-changed": ("breaking", "a list method started or stopped returning a page"),
    "streaming-removed": ("breaking", "a method lost its `stream=True` switch"),
    "streaming-added": ("compatible", "a method gained a `stream=True` switch"),
    "model-renamed": (
        "possibly-breaking",
        "a model class was renamed: code importing the type by name fails",
    ),
}


@dataclass(frozen=True)
class Change:
    """One difference between two APIs, as a user of the client would describe it.

    `where` locates it for tools: "" (the method), `route.new`, `param:NAME`, `response`,
    `field:Model.name` (a model field, shared by every method using the model) or `model:Name`.
    """

    rule: str
    operation: str  # the client name (new name; the old one when removed)
    where: str
    message: str
    old: str | None = None
    new: str | None = None
    operations: tuple[str, ...] = ()  # every client method the change reaches

    @property
    def severity(self) -> Severity:
        return RULES[self.rule][0]


def severity_rank(severity: Severity) -> int:
    """0 for breaking, 1 for possibly-breaking, 2 for compatible."""
    return SEVERITIES.index(severity)


_LITERAL = Name(Code("Literal"))  # every Literal[...] has this shape: its values are compared apart
_MODEL = Name(
    Code("Model")
)  # every model has this shape: models are compared pairwise, by position
_NAMED = {n: Name(Code(n)) for n in ("str", "int", "float", "None", "Any")}
# Widening a request type: an old piece is covered by a new one (`Literal` by `str`, `int` by
# `float`).
_COVERS: dict[Type, set[Type]] = {
    _NAMED["str"]: {_LITERAL},
    _NAMED["int"]: {_LITERAL},
    _NAMED["float"]: {_NAMED["int"]},
}


@dataclass(frozen=True)
class _Shape:
    """A type with model names and literal values factored out, so renames do not read as
    changes."""

    type: Type
    values: frozenset[str]
    models: tuple[str, ...]
    pieces: frozenset[Type]


def _shape(t: Type, names: Mapping[str, Model]) -> _Shape:
    values: set[str] = set()
    models: list[str] = []

    def shaped(t: Type) -> Type:
        if isinstance(t, LiteralType):
            values.update(t.values)
            return _LITERAL
        if isinstance(t, Name) and t.name in names:
            models.append(t.name)
            return _MODEL
        if isinstance(t, Subscript):
            return Subscript(t.base, tuple(map(shaped, t.items)))
        if isinstance(t, Union):
            return Union(tuple(map(shaped, t.members)))
        return t

    shape = shaped(t)
    return _Shape(shape, frozenset(values), tuple(models), frozenset(members(shape)))


def _covered(piece: Type, by: frozenset[Type]) -> bool:
    return piece in by or _NAMED["Any"] in by or any(piece in _COVERS.get(b, ()) for b in by)


@dataclass
class _Walk:
    """The state of one operation's comparison: both APIs' model names and the model pairs seen."""

    old: dict[Side, dict[str, Model]]
    new: dict[Side, dict[str, Model]]
    operation: str
    out: list[Change] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def add(
        self, rule: str, where: str, message: str, old: object = None, new: object = None
    ) -> None:
        self.out.append(
            Change(rule, self.operation, where, message, _text(old), _text(new), (self.operation,))
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _names(api: Api) -> dict[Side, dict[str, Model]]:
    return {
        "request": {str(m.param_name): m for m in api.models if m.param_name},
        "response": {str(m.class_name): m for m in api.models},
    }


def _annotation(t: TypeRef, side: Side) -> str:
    return str(t.param_annotation if side == "request" else t.annotation)


def _type(t: TypeRef, side: Side) -> Type:
    return t.param_type if side == "request" else t.py_type


def _fmt(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def compare_types(
    walk: _Walk, old: TypeRef, new: TypeRef, side: Side, where: str, label: str
) -> None:
    """Compare two uses of a type: shape, literal values, then the models both sides name,
    pairwise."""
    a = _shape(_type(old, side), walk.old[side])
    b = _shape(_type(new, side), walk.new[side])
    was, now = _annotation(old, side), _annotation(new, side)
    if a.type != b.type:
        widened = all(_covered(p, b.pieces) for p in a.pieces)
        narrowed = all(_covered(p, a.pieces) for p in b.pieces)
        if side == "request":
            rule = "param-type-widened" if widened and not narrowed else "param-type-changed"
        elif widened and not narrowed:
            only_null = b.pieces - a.pieces == {_NAMED["None"]}
            rule = "response-field-became-nullable" if only_null else "response-type-changed"
        else:
            rule = "response-type-narrowed" if narrowed and not widened else "response-type-changed"
        walk.add(rule, where, f"{label}: type {was} is now {now}", was, now)
        return
    added, removed = b.values - a.values, a.values - b.values
    prefix = "param" if side == "request" else "response"
    if removed:
        walk.add(
            f"{prefix}-enum-value-removed",
            where,
            f"{label}: no longer takes {_fmt(removed)}",
            _fmt(a.values),
            _fmt(b.values),
        )
    if added:
        walk.add(
            f"{prefix}-enum-value-added",
            where,
            f"{label}: now also takes {_fmt(added)}",
            _fmt(a.values),
            _fmt(b.values),
        )
    for old_name, new_name in zip(a.models, b.models, strict=False):
        compare_models(walk, old_name, new_name, side)


def compare_models(walk: _Walk, old_name: str, new_name: str, side: Side) -> None:
    """Compare two models reached from the same place; each pair once per operation."""
    if (side, old_name, new_name) in walk.seen:
        return
    walk.seen.add((side, old_name, new_name))
    a, b = walk.old[side][old_name], walk.new[side][new_name]
    if old_name != new_name:
        walk.add(
            "model-renamed",
            f"model:{old_name}",
            f"type {old_name} is now called {new_name}",
            old_name,
            new_name,
        )
    if isinstance(a, ObjectModel) and isinstance(b, ObjectModel):
        _compare_fields(walk, a, b, new_name, side)
    elif isinstance(a, UnionModel) and isinstance(b, UnionModel):
        _compare_unions(walk, a, b, new_name, side)
    elif isinstance(a, AliasModel) and isinstance(b, AliasModel):
        compare_types(walk, a.target, b.target, side, f"model:{new_name}", f"type {new_name}")
    else:
        rule = "param-type-changed" if side == "request" else "response-type-changed"
        kinds = {ObjectModel: "an object", UnionModel: "a union", AliasModel: "an alias"}
        walk.add(
            rule,
            f"model:{new_name}",
            f"type {new_name} was {kinds[type(a)]}, is now {kinds[type(b)]}",
            old_name,
            new_name,
        )


def _compare_fields(walk: _Walk, a: ObjectModel, b: ObjectModel, name: str, side: Side) -> None:
    old, new = {f.wire_name: f for f in a.fields}, {f.wire_name: f for f in b.fields}
    for wire in sorted(old.keys() - new.keys()):
        where, req = f"field:{name}.{wire}", old[wire].required
        if side == "request":
            walk.add(
                "required-param-removed" if req else "optional-param-removed",
                where,
                f"key {wire!r} of {name} was removed",
            )
        else:
            walk.add(
                "response-required-field-removed" if req else "response-optional-field-removed",
                where,
                f"field {name}.{wire} was removed",
            )
    for wire in sorted(new.keys() - old.keys()):
        where, req = f"field:{name}.{wire}", new[wire].required
        if side == "request":
            walk.add(
                "param-added-required" if req else "param-added-optional",
                where,
                f"key {wire!r} of {name} was added{' as required' if req else ''}",
            )
        else:
            walk.add("response-field-added", where, f"field {name}.{wire} was added")
    for wire in sorted(old.keys() & new.keys()):
        f, g = old[wire], new[wire]
        where = f"field:{name}.{wire}"
        label = f"key {wire!r} of {name}" if side == "request" else f"field {name}.{wire}"
        if f.required != g.required:
            if side == "request":
                walk.add(
                    "param-became-required" if g.required else "param-became-optional",
                    where,
                    f"{label} is now {'required' if g.required else 'optional'}",
                )
            else:
                walk.add(
                    (
                        "response-field-became-required"
                        if g.required
                        else "response-field-became-optional"
                    ),
                    where,
                    f"{label} is now {'always present' if g.required else 'optional'}",
                )
        compare_types(walk, f.type, g.type, side, where, label)


def _compare_unions(walk: _Walk, a: UnionModel, b: UnionModel, name: str, side: Side) -> None:
    prefix = "param" if side == "request" else "response"
    where = f"model:{name}"
    if a.discriminator and b.discriminator:
        old, new = dict(a.variants), dict(b.variants)
        for value in sorted(old.keys() - new.keys()):
            walk.add(
                f"{prefix}-variant-removed",
                where,
                f"union {name} lost its {value!r} variant",
                value,
                None,
            )
        for value in sorted(new.keys() - old.keys()):
            walk.add(
                f"{prefix}-variant-added",
                where,
                f"union {name} gained the {value!r} variant",
                None,
                value,
            )
        members_a = {str(m.annotation): m for m in a.members}
        members_b = {str(m.annotation): m for m in b.members}
        for value in sorted(old.keys() & new.keys()):
            ma, mb = members_a.get(str(old[value])), members_b.get(str(new[value]))
            if ma is not None and mb is not None:
                compare_types(walk, ma, mb, side, where, f"the {value!r} variant of {name}")
        return
    shapes_a = Counter(_shape(_type(m, side), walk.old[side]).type for m in a.members)
    shapes_b = Counter(_shape(_type(m, side), walk.new[side]).type for m in b.members)
    if shapes_a == shapes_b and len(a.members) == len(b.members):
        for i, (ma, mb) in enumerate(zip(a.members, b.members, strict=True)):
            compare_types(walk, ma, mb, side, where, f"member {i + 1} of union {name}")
    elif len(b.members) > len(a.members):
        walk.add(
            f"{prefix}-variant-added",
            where,
            f"union {name} has {len(b.members)} members, was {len(a.members)}",
            len(a.members),
            len(b.members),
        )
    else:
        walk.add(
            f"{prefix}-variant-removed",
            where,
            f"union {name} has {len(b.members)} members, was {len(a.members)}",
            len(a.members),
            len(b.members),
        )


def _compare_param(walk: _Walk, a: Param, b: Param) -> None:
    where, label = f"param:{b.wire_name}", f"parameter {b.py_name!r}"
    if a.location != b.location:
        walk.add(
            "param-location-changed",
            where,
            f"{label} moved from the {a.location} to the {b.location}",
            a.location,
            b.location,
        )
    if a.required != b.required:
        walk.add(
            "param-became-required" if b.required else "param-became-optional",
            where,
            f"{label} is now {'required' if b.required else 'optional'}",
        )
    if a.default is not None and b.default is not None and a.default != b.default:
        walk.add(
            "param-default-changed",
            where,
            f"{label} defaults to {b.default}, was {a.default}",
            a.default,
            b.default,
        )
    compare_types(walk, a.type, b.type, "request", where, label)


def _keyword_params(op: Operation) -> dict[str, Param]:
    params = op.query_params + op.header_params
    if op.body is not None:
        params += op.body.fields + ((op.body.whole,) if op.body.whole else ())
    if op.stream_switch is not None:
        params += (op.stream_switch,)
    return {p.wire_name: p for p in params}


def _compare_routes(walk: _Walk, a: Operation, b: Operation) -> None:
    ra, rb = a.route, b.route
    if ra.method != rb.method:
        walk.add(
            "method-changed",
            "route.method",
            f"LowCodeAPI method {ra.method} is now {rb.method}",
            ra.method,
            rb.method,
        )
    if ra.direct_method != rb.direct_method:
        walk.add(
            "direct-method-changed",
            "route.direct_method",
            f"direct method {ra.direct_method} is now {rb.direct_method}",
            ra.direct_method,
            rb.direct_method,
        )
    for form, rule, old, new in (
        ("direct", "route-direct-changed", ra.direct, rb.direct),
        ("new", "route-new-changed", ra.new, rb.new),
        ("old", "route-old-changed", ra.old, rb.old),
    ):
        if route_shape(old) != route_shape(new):
            walk.add(rule, f"route.{form}", f"{form} route {old} is now {new}", old, new)
    qa, qb = [q for q, _ in ra.old_query], [q for q, _ in rb.old_query]
    if qa != qb:
        walk.add(
            "route-old-query-changed",
            "route.old_query",
            f"old-format query names {qa} are now {qb}",
            "&".join(qa),
            "&".join(qb),
        )


def _compare_request(walk: _Walk, a: Operation, b: Operation) -> None:
    for pa, pb in zip(a.path_params, b.path_params, strict=False):
        if pa.wire_name != pb.wire_name:
            walk.add(
                "param-renamed",
                f"param:{pb.wire_name}",
                f"path parameter {pa.py_name!r} is now {pb.py_name!r}",
                pa.py_name,
                pb.py_name,
            )
        _compare_param(walk, pa, pb)
    for p in a.path_params[len(b.path_params) :]:
        walk.add(
            "required-param-removed",
            f"param:{p.wire_name}",
            f"path parameter {p.py_name!r} was removed",
        )
    for p in b.path_params[len(a.path_params) :]:
        walk.add(
            "param-added-required", f"param:{p.wire_name}", f"new path parameter {p.py_name!r}"
        )
    old, new = _keyword_params(a), _keyword_params(b)
    switches = {
        s.wire_name
        for s in (a.stream_switch, b.stream_switch)
        if s is not None and (a.stream_switch is None) != (b.stream_switch is None)
    }
    for key in switches:  # reported as streaming-added/removed
        old.pop(key, None)
        new.pop(key, None)
    for wire in sorted(old.keys() - new.keys()):
        p = old[wire]
        walk.add(
            "required-param-removed" if p.required else "optional-param-removed",
            f"param:{wire}",
            f"parameter {p.py_name!r} was removed",
        )
    for wire in sorted(new.keys() - old.keys()):
        p = new[wire]
        walk.add(
            "param-added-required" if p.required else "param-added-optional",
            f"param:{wire}",
            f"new {'required' if p.required else 'optional'} parameter {p.py_name!r}",
        )
    for wire in sorted(old.keys() & new.keys()):
        _compare_param(walk, old[wire], new[wire])
    if a.body is not None and b.body is not None and a.body.kind != b.body.kind:
        walk.add(
            "request-body-media-type-changed",
            "body",
            f"the body is sent as {b.body.media_type}, was {a.body.media_type}",
            a.body.media_type,
            b.body.media_type,
        )


def _compare_response(walk: _Walk, a: Operation, b: Operation) -> None:
    ka, kb = a.kind, b.kind
    if ka != kb:
        if {ka, kb} == {"stream-or-json", "json"}:
            walk.add(
                "streaming-added" if kb == "stream-or-json" else "streaming-removed",
                "response",
                (
                    "the method now takes stream=True"
                    if kb == "stream-or-json"
                    else "the method no longer takes stream=True"
                ),
            )
        elif "page" in (ka, kb):
            walk.add(
                "pagination-changed",
                "response",
                f"the method returns {'a page' if kb == 'page' else kb}, was"
                f" {'a page' if ka == 'page' else ka}",
                ka,
                kb,
            )
            return
        else:
            walk.add(
                "response-type-changed",
                "response",
                f"the method returns {kb} content, was {ka}",
                ka,
                kb,
            )
            return
    pairs = (
        (a.response.type, b.response.type, "the response"),
        (a.response.stream_event, b.response.stream_event, "stream events"),
        (
            a.pagination.item if a.pagination else None,
            b.pagination.item if b.pagination else None,
            "page items",
        ),
    )
    for old, new, label in pairs:
        if old is not None and new is not None:
            compare_types(walk, old, new, "response", "response", label)


def _route_id(op: Operation) -> tuple[str, str]:
    return op.route.method, route_shape(op.route.direct)


def diff_apis(old: Api, new: Api) -> tuple[Change, ...]:
    """Every change from `old` to `new`, breaking first, model changes reported once with all their
    methods."""
    old_ops, new_ops = {op.key: op for op in old.operations}, {op.key: op for op in new.operations}
    names_old, names_new = _names(old), _names(new)
    changes: list[Change] = []
    pairs = [(old_ops[k], new_ops[k]) for k in sorted(old_ops.keys() & new_ops.keys())]
    fresh = {k: new_ops[k] for k in sorted(new_ops.keys() - old_ops.keys())}
    for key in sorted(old_ops.keys() - new_ops.keys()):
        op = old_ops[key]
        twin = next((f for f in fresh.values() if _route_id(f) == _route_id(op)), None)
        label = f"{op.route.method} {op.route.direct}"
        if twin is not None:
            del fresh[twin.key]
            changes.append(
                Change(
                    "operation-renamed",
                    twin.key,
                    "",
                    f"client.{key}() is now client.{twin.key}() ({label})",
                    key,
                    twin.key,
                    (twin.key,),
                )
            )
            pairs.append((op, twin))
        else:
            rule = "deprecated-operation-removed" if op.deprecated else "operation-removed"
            changes.append(
                Change(rule, key, "", f"client.{key}() was removed ({label})", key, None, (key,))
            )
    for key, op in fresh.items():
        changes.append(
            Change(
                "operation-added",
                key,
                "",
                f"new client.{key}() ({op.route.method} {op.route.direct})",
                None,
                key,
                (key,),
            )
        )
    for a, b in pairs:
        walk = _Walk(names_old, names_new, b.key)
        if b.deprecated and not a.deprecated:
            walk.add("operation-deprecated", "", f"client.{b.key}() is deprecated")
        _compare_routes(walk, a, b)
        _compare_request(walk, a, b)
        _compare_response(walk, a, b)
        changes += walk.out
    return sort_changes(_merge_shared(changes))


def _merge_shared(changes: list[Change]) -> list[Change]:
    """A model change appears once, naming every method that reaches it."""
    merged: dict[tuple[str | None, ...], Change] = {}
    for c in changes:
        shared = c.where.startswith(("field:", "model:"))
        key = (c.rule, c.where, c.old, c.new, c.message, None if shared else c.operation)
        seen = merged.get(key)
        if seen is None:
            merged[key] = c
        else:
            ops = tuple(sorted(set(seen.operations) | set(c.operations)))
            merged[key] = replace(seen, operation=ops[0], operations=ops)
    return list(merged.values())


def sort_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Breaking first, then by method, rule and place: a stable order for every output format."""
    return tuple(
        sorted(
            changes,
            key=lambda c: (severity_rank(c.severity), c.operation, c.rule, c.where, c.message),
        )
    )
