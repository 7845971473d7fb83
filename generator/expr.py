"""Python expressions as small frozen trees: the types and converters of the IR.

`schemas` and `normalize` build them once; `diff` compares them structurally; `flat` writes one on a
line and `layout` lays it out as black does. No stage reads generated text back into a tree. Every
leaf is `Code` (escaped where it was made), so a tree is as safe as its leaves. A name the module
must define or import is a `Name` leaf, never bare `Code`: `names` reads a tree's names off them,
and that is how render chooses a module's imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from .code import Code

# ---- types: what an annotation says ----


@dataclass(frozen=True)
class Name:
    """A (dotted) name: a type (`str`, `Any`, `None`, `MessageParam`) or, in code, a reference to a
    name of the module or one it imports (`_m.list_of`, `Message.parse`)."""

    name: Code

    @property
    def root(self) -> str:
        """The name the module binds: `_m` for `_m.list_of`."""
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Literal:
    """`Literal[v, ...]`; each value is the Python literal text (`py_literal`), compared as such."""

    values: tuple[Code, ...]


@dataclass(frozen=True)
class Subscript:
    """`base[item, ...]`: `list[int]`, `Mapping[str, Any]`, `Required[X]`."""

    base: Code
    items: tuple[Type, ...]


@dataclass(frozen=True)
class Union:
    """`a | b | ...`; a member is never a union itself when built by `union`."""

    members: tuple[Type, ...]


Type = Name | Literal | Subscript | Union

ANY = Name(Code("Any"))
NONE = Name(Code("None"))


def union(*types: Type) -> Type:
    """The union of `types`, nested unions flattened and repeated members dropped (first one
    kept)."""
    members: list[Type] = []
    for t in types:
        for member in t.members if isinstance(t, Union) else (t,):
            if member not in members:
                members.append(member)
    return members[0] if len(members) == 1 else Union(tuple(members))


def members(t: Type) -> tuple[Type, ...]:
    """The members of a union; a type that is no union is its own one member."""
    return t.members if isinstance(t, Union) else (t,)


def subscript(base: str, *items: Type) -> Subscript:
    return Subscript(Code(base), items)


def type_text(t: Type) -> Code:
    """The type on one line, spaced as black spaces it."""
    if isinstance(t, Union):
        return Code(" | ".join(map(type_text, t.members)))
    if isinstance(t, Subscript):
        return Code(f"{t.base}[{', '.join(map(type_text, t.items))}]")
    if isinstance(t, Literal):
        return Code(f"Literal[{', '.join(t.values)}]")
    return t.name


# ---- code: what a converter does (calls, tuples, dicts of names and literals) ----


@dataclass(frozen=True)
class Call:
    """`name(arg, ...)`: the callee (a `Name`, or `Code` for one the module need not bind) and its
    arguments."""

    name: Code | Name
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Tuple:
    """`(item, ...)`: a tuple display; `(item,)` when it holds one."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Keyword:
    """`name=value` inside a call."""

    name: Code
    value: Expr


@dataclass(frozen=True)
class Dict:
    """`{key: value, ...}`: a dict display; `exploded` writes one entry a line even when it would
    fit (black keeps that shape: the trailing comma it then ends with is a "magic" one)."""

    items: tuple[tuple[Expr, Expr], ...]
    exploded: bool = False


@dataclass(frozen=True)
class Item:
    """`name[key]`: one item of a table (`ROUTES["messages.create"]`)."""

    name: Code | Name
    key: Expr


@dataclass(frozen=True)
class Lambda:
    """`lambda: body`: black splits it where it splits its body."""

    body: Expr


Expr = Code | Name | Call | Tuple | Keyword | Dict | Lambda | Item


def name_text(name: Code | Name) -> Code:
    """A callee's or table's text."""
    return name.name if isinstance(name, Name) else name


def names(tree: Type | Expr) -> frozenset[str]:
    """The names a tree needs the module to bind: each `Name`'s root (not `None`, a constant), a
    subscript's base, `Literal`. `Code` leaves are literals or local text (`self._client`) and need
    nothing."""
    found: set[str] = set()
    stack: list[Type | Expr] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            if node.root != "None":
                found.add(node.root)
        elif isinstance(node, Literal):
            found.add("Literal")
        elif isinstance(node, Subscript):
            found.add(node.base.split(".", 1)[0])
            stack.extend(node.items)
        elif isinstance(node, Union):
            stack.extend(node.members)
        elif isinstance(node, Call):
            stack.append(node.name)
            stack.extend(node.args)
        elif isinstance(node, Tuple):
            stack.extend(node.items)
        elif isinstance(node, Keyword):
            stack.append(node.value)
        elif isinstance(node, Dict):
            stack.extend(part for pair in node.items for part in pair)
        elif isinstance(node, Lambda):
            stack.append(node.body)
        elif isinstance(node, Item):
            stack.extend((node.name, node.key))
    return frozenset(found)


def flat(expr: Expr) -> Code:
    """The expression on one line, spaced as black spaces it."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Keyword):
        return Code(f"{expr.name}={flat(expr.value)}")
    if isinstance(expr, Lambda):
        return Code(f"lambda: {flat(expr.body)}")
    if isinstance(expr, Call):
        return Code(f"{name_text(expr.name)}({', '.join(map(flat, expr.args))})")
    if isinstance(expr, Tuple):
        inner = ", ".join(map(flat, expr.items))
        return Code(f"({inner},)" if len(expr.items) == 1 else f"({inner})")
    if isinstance(expr, Dict):
        return Code("{" + ", ".join(f"{flat(k)}: {flat(v)}" for k, v in expr.items) + "}")
    if isinstance(expr, Item):
        return Code(f"{name_text(expr.name)}[{flat(expr.key)}]")
    return expr
