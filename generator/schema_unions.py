"""The models being built, and the unions of them: `oneOf`/`anyOf` members, their discriminator
(declared, or a `type` every member fixes) and the runtime decoder that picks a member."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .code import Code, py_str
from .diagnostics import pointer_join
from .expr import ANY as ANY_TYPE
from .expr import NONE, Call, Dict, Expr, Name, Tuple, union
from .ir import Field, TypeRef

ANY = TypeRef(ANY_TYPE, ANY_TYPE, None)


@dataclass
class PendingModel:
    """A model being built; recursion finds it here by key before its fields exist."""

    key: str
    schema_name: str
    class_name: Code
    param_name: Code
    kind: str  # object | union
    description: str = ""
    fields: tuple[Field, ...] = ()
    union: BuiltUnion | None = None
    refs: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class BuiltUnion:
    type: TypeRef
    members: tuple[TypeRef, ...]
    discriminator: str | None
    variants: tuple[tuple[str, Code], ...]


def parsers(names: tuple[Code, ...]) -> Expr:
    """A discriminator value's decoder: one model's parse, or the tuple of those sharing the
    value."""
    return (
        Name(Code(f"{names[0]}.parse"))
        if len(names) == 1
        else Tuple(tuple(Name(Code(f"{n}.parse")) for n in names))
    )


def as_nullable(ref: TypeRef, nullable: bool = True) -> TypeRef:
    if not nullable or ref.nullable or ref.py_type == ANY_TYPE:
        return ref
    return replace(
        ref, py_type=union(ref.py_type, NONE), param_type=union(ref.param_type, NONE), nullable=True
    )


def combine(
    type_of: Callable[[Any, str, str], TypeRef],
    pending: Mapping[str, PendingModel],
    shaped: set[str],
    schema: dict[str, Any],
    combiner: str,
    pointer: str,
    context: str,
) -> BuiltUnion:
    """The union a `oneOf`/`anyOf` makes; model members the runtime may have to tell apart by shape
    are added to `shaped`."""
    members: list[TypeRef] = []
    nullable = False
    for i, member in enumerate(schema[combiner]):
        t = type_of(member, pointer_join(pointer, combiner, i), f"{context}{i}")
        if t.py_type == NONE:
            nullable = True
        else:
            members.append(t)
    if not members:
        return BuiltUnion(ANY, (), None, ())
    if len(members) == 1:
        return BuiltUnion(as_nullable(members[0], nullable), tuple(members), None, ())
    disc = discriminator(pending, schema, members)
    found = [
        (v, m.annotation)
        for m in members
        if disc and (v := fixed_value(pending, m, disc)) is not None
    ]
    grouped: dict[str, list[Code]] = {}
    for value, annotation in found:
        # variants sharing a value are told apart by shape
        grouped.setdefault(value, []).append(annotation)
    variants = tuple((value, names[0]) for value, names in grouped.items())
    for member in members:  # model members: the runtime may have to tell them apart by shape
        if len(member.refs) == 1 and member.parses_model:
            shaped |= member.refs
    union = union_of(members, disc, tuple((v, tuple(n)) for v, n in grouped.items()))
    return BuiltUnion(as_nullable(union, nullable), tuple(members), disc, variants)


def union_of(
    members: list[TypeRef],
    disc: str | None,
    variants: tuple[tuple[str, tuple[Code, ...]], ...],
) -> TypeRef:
    convs = tuple(m.convert for m in members if m.convert)
    conv = None
    if convs:
        table = Dict(tuple((py_str(v), parsers(names)) for v, names in variants))
        conv = Call(
            Name(Code("_m.union_of")), (py_str(disc) if disc else Code("None"), table, Tuple(convs))
        )
    return TypeRef(
        union(*(m.py_type for m in members)),
        union(*(m.param_type for m in members)),
        conv,
        is_structured=any(m.is_structured for m in members),
        refs=frozenset().union(*(m.refs for m in members)),
        builtins=frozenset().union(*(m.builtins for m in members)),
        param_builtins=frozenset().union(*(m.param_builtins for m in members)),
    )


def discriminator(
    pending: Mapping[str, PendingModel], schema: dict[str, Any], members: list[TypeRef]
) -> str | None:
    disc = schema.get("discriminator")
    if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
        return str(disc["propertyName"])
    return "type" if all(fixed_value(pending, m, "type") is not None for m in members) else None


def fixed_value(pending: Mapping[str, PendingModel], ref: TypeRef, prop: str) -> str | None:
    """The single value a model's `prop` may take (a const or one-value enum), when `ref` is one
    model."""
    if len(ref.refs) != 1 or ref.nullable:
        return None
    p = pending.get(next(iter(ref.refs)))
    if p is None or p.union is not None or ref.py_type != Name(p.class_name):
        return None
    for f in p.fields:
        if f.wire_name == prop and len(f.type.enum_values) == 1:
            return f.type.enum_values[0]
    return None
