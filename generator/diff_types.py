"""Type and model comparison for the change engine: the shape of a type with names and literals
factored out, and the walk over two sides' models, pairwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .code import Code
from .diff_rules import Change
from .expr import Literal as LiteralType
from .expr import Name, Subscript, Type, Union, members
from .ir import AliasModel, Api, Model, ObjectModel, TypeRef, UnionModel

Side = Literal["request", "response"]


_LITERAL = Name(Code("Literal"))  # every Literal[...] has this shape: its values are compared apart


# every model has this shape: models are compared pairwise, by position
_MODEL = Name(Code("Model"))


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
class Walk:
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


def models_by_side(api: Api) -> dict[Side, dict[str, Model]]:
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
    walk: Walk, old: TypeRef, new: TypeRef, side: Side, where: str, label: str
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


def compare_models(walk: Walk, old_name: str, new_name: str, side: Side) -> None:
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


def _compare_fields(walk: Walk, a: ObjectModel, b: ObjectModel, name: str, side: Side) -> None:
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


def _compare_unions(walk: Walk, a: UnionModel, b: UnionModel, name: str, side: Side) -> None:
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
