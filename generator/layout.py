"""Black's shapes for the calls and tuples that templates build, laid out before black sees them.

Black formats a text a second time whenever its first pass changed anything, so output that is
already in black's shape costs half. This module is the one printer of the IR's expression trees
(`expr`). It knows black's rules for one family of lines, a call, tuple or dict of atoms (names,
literals, lambdas), keywords and nested calls, tuples and dicts: keep the line if it fits; else put
a call's arguments on one line of their own if they fit there; else one per line, each with a
trailing comma (a tuple or dict always takes this last shape when it does not fit). It is only a
matter of bytes: no formatter runs after it on the hot path (generator/format.py sends a file to
black only when it shows a shape black would change), and tests compare these shapes and every
generated file with black's own.
"""

from __future__ import annotations

from .code import Code, ident
from .expr import (
    Call,
    Dict,
    Expr,
    Item,
    Keyword,
    Lambda,
    Literal,
    Name,
    Subscript,
    Tuple,
    Type,
    Union,
    flat,
    name_text,
    type_text,
)

__all__ = ["Call", "Dict", "Expr", "Item", "Keyword", "Lambda", "Tuple", "flat"]

LINE_LENGTH = 100  # black's line length for the generated code; the format stage uses the same


def keyword(name: str, value: Expr) -> Keyword:
    """`name=value`; the name must be an identifier."""
    _check(value)
    return Keyword(ident(name), value)


def call(name: Code | Name, *args: Expr, **keywords: Expr) -> Call:
    """A call of safe pieces (keywords in the order given); refuses a plain `str` anywhere."""
    _check(name)
    for value in (*args, *keywords.values()):
        _check(value)
    return Call(name, (*args, *(Keyword(Code(k), v) for k, v in keywords.items())))


def tuple_of(*items: Expr) -> Tuple:
    """A tuple of safe pieces; refuses a plain `str` anywhere."""
    for item in items:
        _check(item)
    return Tuple(items)


def dict_of(*items: tuple[Expr, Expr], exploded: bool = False) -> Dict:
    """A dict display of safe pieces; refuses a plain `str` anywhere."""
    for key, value in items:
        _check(key)
        _check(value)
    return Dict(tuple(items), exploded)


def item(name: Code | Name, key: Expr) -> Item:
    """`name[key]` of safe pieces; refuses a plain `str` anywhere."""
    _check(name)
    _check(key)
    return Item(name, key)


def _check(value: object) -> None:
    if not isinstance(value, Code | Name | Call | Tuple | Keyword | Dict | Lambda | Item):
        raise TypeError(f"unescaped value in a layout: {type(value).__name__} {str(value)[:60]!r}")


def lay_out(
    expr: Expr, indent: int = 0, tail: str = "", lead: int = 0, shift: int = 0, value: bool = False
) -> Code:
    """The expression as black writes it in a statement or element at `indent` columns, `lead`
    columns after its start (such as `raise `) and followed by `tail` (such as ","); the first line
    is returned without its indentation and lead, which the template writes. `shift`: columns a
    later `indent` filter adds to every line (counted for the width, not written here). `value`: a
    `return` value, which black puts in parentheses when only then a call's first line fits."""
    _check(expr)  # the templates' guard: only escaped pieces and trees of them are laid out
    at = indent + shift
    callee = len(name_text(expr.name)) + 1 if isinstance(expr, Call) else 0
    if (
        value
        and isinstance(expr, Call)
        and at + lead + len(flat(expr)) + len(tail) > LINE_LENGTH
        and at + lead + callee > LINE_LENGTH >= at + 4 + callee
    ):
        inner = _lines(expr, at + 4, "", "")
        lines = [" " * (at + lead) + "(", *inner, " " * at + ")" + tail]
    else:
        lines = _lines(expr, at, " " * lead, tail)
    return Code("\n".join([lines[0].lstrip(" "), *(line[shift:] for line in lines[1:])]))


def _lines(expr: Expr, indent: int, head: str, tail: str) -> list[str]:
    pad = " " * indent
    if isinstance(expr, Keyword):
        return _lines(expr.value, indent, f"{head}{expr.name}=", tail)
    if isinstance(expr, Lambda):  # black splits a lambda's body at its call
        return _lines(expr.body, indent, f"{head}lambda: ", tail)
    one = f"{pad}{head}{flat(expr)}{tail}"
    if isinstance(expr, Item):  # black splits at the brackets; no comma (it would make a tuple)
        if len(one) <= LINE_LENGTH:
            return [one]
        opening = f"{pad}{head}{name_text(expr.name)}["
        return [opening, *_lines(expr.key, indent + 4, "", ""), f"{pad}]{tail}"]
    if isinstance(expr, Dict):  # an atom: split, it takes one entry a line
        if (len(one) <= LINE_LENGTH and not expr.exploded) or not expr.items:
            return [one]
        # black adds none to a lone entry
        comma = "," if len(expr.items) > 1 or expr.exploded else ""
        entries = [
            line
            for key, value in expr.items
            for line in _lines(value, indent + 4, f"{flat(key)}: ", comma)
        ]
        return [f"{pad}{head}{{", *entries, f"{pad}}}{tail}"]
    if len(one) <= LINE_LENGTH or not isinstance(expr, Call | Tuple) or not _items(expr):
        return [one]
    items = _items(expr)
    opening = f"{pad}{head}{name_text(expr.name)}(" if isinstance(expr, Call) else f"{pad}{head}("
    closing = f"{pad}){tail}"
    if isinstance(expr, Call):
        body = f"{pad}    {', '.join(map(flat, items))}"
        if len(body) <= LINE_LENGTH:
            return [opening, body, closing]
        if len(items) == 1:  # no comma to split at: the one argument is split in its turn
            return [opening, *_lines(items[0], indent + 4, "", ""), closing]
    inner = [line for item in items for line in _lines(item, indent + 4, "", ",")]
    return [opening, *inner, closing]


def class_head(name: str, *bases: Expr) -> Code:
    """`class Name(Base, ...):` at the top level as black writes it: split at its brackets when it
    does not fit (even when the name alone is too long)."""
    for base in bases:
        _check(base)
    return Code("\n".join(_lines(Call(Code(f"class {ident(name)}"), bases), 0, "", ":")))


def def_head(name: str, indent: int, params: tuple[Code, ...], returns: Type) -> Code:
    """`def name(params) -> returns:` at `indent` as black writes it: one line if it fits, else one
    parameter a line (with black's trailing comma) and the return annotation laid out after `) -> `.
    Returned without the indentation of its first line."""
    for param in params:
        _check(param)
    pad = " " * indent
    one = f"def {ident(name)}({', '.join(params)}) -> {type_text(returns)}:"
    if indent + len(one) <= LINE_LENGTH:
        return Code(one)
    lines = [f"def {name}(", *(f"{pad}    {p}," for p in params)]
    return Code("\n".join([*lines, f"{pad}) -> {annotation(returns, indent, ') -> ', ':')}"]))


def _items(expr: Call | Tuple) -> tuple[Expr, ...]:
    return expr.args if isinstance(expr, Call) else expr.items


def assigned(value: Code, lead: int, annotated: bool = True) -> Code:
    """The right-hand side of a top-level `NAME: T = value` (`annotated`) or `NAME = value` starting
    `lead` columns in: black puts an atom that does not fit in parentheses on a line of its own;
    after an annotation even when it does not fit there either, after a plain name only when it
    does."""
    _check(value)
    if lead + len(value) <= LINE_LENGTH or (not annotated and 4 + len(value) > LINE_LENGTH):
        return value
    return Code(f"(\n    {value}\n)")


def annotation(t: Type, indent: int, head: str, tail: str = "") -> Code:
    """A type annotation as black writes it in `head` + annotation + `tail` at `indent` columns,
    such as a field (`name: `) or a parameter (`name: `, ` = NOT_GIVEN,`): a union that does not fit
    goes in parentheses, then one member a line; a subscript splits at its own brackets. Returned
    with the tail and without the indentation and head of its first line, which the template
    writes."""
    if not isinstance(t, Name | Literal | Subscript | Union):
        raise TypeError(f"not a type tree in an annotation: {type(t).__name__} {str(t)[:60]!r}")
    pad = " " * indent
    text = type_text(t)
    if len(pad) + len(head) + len(text) + len(tail) <= LINE_LENGTH:
        return Code(text + tail)
    if isinstance(t, Union):
        lines = [f"{pad}{head}(", *_member_lines(t, indent + 4, "", ""), f"{pad}){tail}"]
    elif isinstance(t, Subscript | Literal):
        lines = _subscript_lines(t, indent, head, tail)
    elif not tail and indent + 4 + len(text) <= LINE_LENGTH:
        # a field's lone name goes in parentheses where it then fits (a parameter's never does)
        lines = [f"{pad}{head}(", f"{pad}    {text}", f"{pad})"]
    else:
        return Code(text + tail)
    return Code("\n".join(lines)[len(pad) + len(head) :])


def _member_lines(t: Type, indent: int, head: str, tail: str) -> list[str]:
    """A type on a line inside brackets: a union splits before each `|`."""
    pad = " " * indent
    one = f"{pad}{head}{type_text(t)}{tail}"
    if len(one) <= LINE_LENGTH:
        return [one]
    if isinstance(t, Union):
        last = len(t.members) - 1
        return [
            line
            for i, member in enumerate(t.members)
            for line in _member_lines(
                member, indent, (head if i == 0 else "| "), tail if i == last else ""
            )
        ]
    if isinstance(t, Subscript | Literal):
        return _subscript_lines(t, indent, head, tail)
    return [one]


def _subscript_lines(t: Subscript | Literal, indent: int, head: str, tail: str) -> list[str]:
    pad = " " * indent
    base, items = (
        ("Literal", tuple(Name(v) for v in t.values))
        if isinstance(t, Literal)
        else (t.base, t.items)
    )
    opening, closing = f"{pad}{head}{base}[", f"{pad}]{tail}"
    body = f"{pad}    {', '.join(map(type_text, items))}"
    if len(body) <= LINE_LENGTH:
        return [opening, body, closing]
    if len(items) == 1:
        return [opening, *_member_lines(items[0], indent + 4, "", ""), closing]
    return [
        opening,
        *(line for item in items for line in _member_lines(item, indent + 4, "", ",")),
        closing,
    ]
