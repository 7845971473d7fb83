"""Black's shapes for the calls and tuples that templates build, laid out before black sees them.

Black formats a text a second time whenever its first pass changed anything, so output that is
already in black's shape costs half. This module knows black's rules for one family of lines, a call,
tuple or dict of atoms (names, literals, lambdas), keywords and nested calls, tuples and dicts: keep the line if
it fits; else put a call's arguments on one line of their own if they fit there; else one per line,
each with a trailing comma (a tuple or dict always takes this last shape when it does not fit). It is only
a matter of speed: black still formats every file, so a shape wrong here costs time, never bytes
(tests compare these shapes with black's own).
"""

from __future__ import annotations

from dataclasses import dataclass

from .code import Code, ident

LINE_LENGTH = 100  # black's line length for the generated code; the format stage uses the same


@dataclass(frozen=True)
class Call:
    """`name(arg, ...)`: the callee and its arguments."""

    name: Code
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
    """`{key: value, ...}`: a dict display; `exploded` writes one entry a line even when it would fit
    (black keeps that shape: the trailing comma it then ends with is a "magic" one)."""

    items: tuple[tuple[Expr, Expr], ...]
    exploded: bool = False


Expr = Code | Call | Tuple | Keyword | Dict


def keyword(name: str, value: Expr) -> Keyword:
    """`name=value`; the name must be an identifier."""
    _check(value)
    return Keyword(ident(name), value)


def call(name: Code, *args: Expr, **keywords: Expr) -> Call:
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


def _check(value: object) -> None:
    if not isinstance(value, Code | Call | Tuple | Keyword | Dict):
        raise TypeError(f"unescaped value in a layout: {type(value).__name__} {str(value)[:60]!r}")


def parsed(code: Code) -> Expr:
    """A converter expression built by the IR (calls, tuples, dicts, names, literals, lambdas), as
    a tree for `lay_out`; each leaf is a whole token of `code`, so it stays as safe as `code`."""
    import ast

    _check(code)
    if "\n" in code:
        raise ValueError(f"an expression on more than one line: {code[:60]!r}")
    raw = code.encode()  # one line: column offsets are UTF-8 byte offsets into it

    def source(node: ast.AST) -> Code:
        return Code(raw[node.col_offset : node.end_col_offset].decode())  # type: ignore[attr-defined]

    def convert(node: ast.expr, prefix: str = "") -> Expr:
        if isinstance(node, ast.Call) and not node.keywords:
            return Call(Code(prefix + source(node.func)), tuple(convert(a) for a in node.args))
        if isinstance(node, ast.Tuple):
            return Tuple(tuple(convert(e) for e in node.elts))
        if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
            return Dict(tuple((convert(k), convert(v)) for k, v in zip(node.keys, node.values, strict=True) if k))
        if isinstance(node, ast.Lambda) and not node.args.args and isinstance(node.body, ast.Call):
            return convert(node.body, prefix + "lambda: ")  # black splits a lambda's body at its call
        return Code(prefix + source(node))

    return convert(ast.parse(code, mode="eval").body)


def flat(expr: Expr) -> str:
    """The expression on one line, spaced as black spaces it."""
    if isinstance(expr, Keyword):
        return f"{expr.name}={flat(expr.value)}"
    if isinstance(expr, Call):
        return f"{expr.name}({', '.join(map(flat, expr.args))})"
    if isinstance(expr, Tuple):
        inner = ", ".join(map(flat, expr.items))
        return f"({inner},)" if len(expr.items) == 1 else f"({inner})"
    if isinstance(expr, Dict):
        return "{" + ", ".join(f"{flat(k)}: {flat(v)}" for k, v in expr.items) + "}"
    return str(expr)


def lay_out(expr: Expr, indent: int = 0, tail: str = "", lead: int = 0) -> Code:
    """The expression as black writes it in a statement or element at `indent` columns, `lead` columns
    after its start (such as `raise `) and followed by `tail` (such as ","); the first line is returned
    without its indentation and lead, which the template writes."""
    _check(expr)  # the templates' guard: only escaped pieces and trees of them are laid out
    return Code("\n".join(_lines(expr, indent, " " * lead, tail)).lstrip(" "))


def _lines(expr: Expr, indent: int, head: str, tail: str) -> list[str]:
    pad = " " * indent
    if isinstance(expr, Keyword):
        return _lines(expr.value, indent, f"{head}{expr.name}=", tail)
    one = f"{pad}{head}{flat(expr)}{tail}"
    if isinstance(expr, Dict):  # an atom: split, it takes one entry a line
        if (len(one) <= LINE_LENGTH and not expr.exploded) or not expr.items:
            return [one]
        comma = "," if len(expr.items) > 1 or expr.exploded else ""  # black adds none to a lone entry
        entries = [line for key, value in expr.items for line in _lines(value, indent + 4, f"{flat(key)}: ", comma)]
        return [f"{pad}{head}{{", *entries, f"{pad}}}{tail}"]
    if len(one) <= LINE_LENGTH or not isinstance(expr, Call | Tuple) or not _items(expr):
        return [one]
    items = _items(expr)
    opening = f"{pad}{head}{expr.name}(" if isinstance(expr, Call) else f"{pad}{head}("
    closing = f"{pad}){tail}"
    if isinstance(expr, Call):
        body = f"{pad}    {', '.join(map(flat, items))}"
        if len(body) <= LINE_LENGTH:
            return [opening, body, closing]
        if len(items) == 1:  # no comma to split at: the one argument is split in its turn
            return [opening, *_lines(items[0], indent + 4, "", ""), closing]
    inner = [line for item in items for line in _lines(item, indent + 4, "", ",")]
    return [opening, *inner, closing]


def _items(expr: Call | Tuple) -> tuple[Expr, ...]:
    return expr.args if isinstance(expr, Call) else expr.items


def assigned(value: Code, lead: int) -> Code:
    """The right-hand side of `NAME = value` starting `lead` columns in: black puts an atom that does
    not fit in parentheses on a line of its own (even when it does not fit there either)."""
    _check(value)
    if lead + len(value) <= LINE_LENGTH:
        return value
    return Code(f"(\n    {value}\n)")


def annotation(text: Code, indent: int, head: str, tail: str = "") -> Code:
    """A type annotation as black writes it in `head` + annotation + `tail` at `indent` columns, such
    as a field (`name: `) or a parameter (`name: `, ` = NOT_GIVEN,`): a union that does not fit goes
    in parentheses, then one member a line; a subscript splits at its own brackets. Returned with the
    tail and without the indentation and head of its first line, which the template writes."""
    _check(text)
    pad = " " * indent
    if len(pad) + len(head) + len(text) + len(tail) <= LINE_LENGTH:
        return Code(text + tail)
    node = _type_tree(text)
    if isinstance(node, _Union):
        lines = [f"{pad}{head}(", *_member_lines(node, indent + 4, "", ""), f"{pad}){tail}"]
    elif isinstance(node, _Subscript):
        lines = _subscript_lines(node, indent, head, tail)
    else:
        return Code(text + tail)
    return Code("\n".join(lines)[len(pad) + len(head) :])


@dataclass(frozen=True)
class _Union:
    members: tuple[_Type, ...]


@dataclass(frozen=True)
class _Subscript:
    base: str
    items: tuple[_Type, ...]


_Type = str | _Union | _Subscript


def _type_tree(text: str) -> _Type:
    import ast

    raw = text.encode()  # one line: column offsets are UTF-8 byte offsets into it

    def source(node: ast.expr) -> str:
        return raw[node.col_offset : node.end_col_offset].decode()

    def convert(node: ast.expr) -> _Type:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = convert(node.left), convert(node.right)
            return _Union((*(left.members if isinstance(left, _Union) else (left,)), right))
        if isinstance(node, ast.Subscript):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return _Subscript(source(node.value), tuple(convert(i) for i in items))
        return source(node)

    if "\n" in text:
        raise ValueError(f"an annotation on more than one line: {text[:60]!r}")
    return convert(ast.parse(text, mode="eval").body)


def _type_flat(node: _Type) -> str:
    if isinstance(node, _Union):
        return " | ".join(map(_type_flat, node.members))
    if isinstance(node, _Subscript):
        return f"{node.base}[{', '.join(map(_type_flat, node.items))}]"
    return node


def _member_lines(node: _Type, indent: int, head: str, tail: str) -> list[str]:
    """A type on a line inside brackets: a union splits before each `|`."""
    pad = " " * indent
    one = f"{pad}{head}{_type_flat(node)}{tail}"
    if len(one) <= LINE_LENGTH:
        return [one]
    if isinstance(node, _Union):
        last = len(node.members) - 1
        return [line for i, member in enumerate(node.members)
                for line in _member_lines(member, indent, (head if i == 0 else "| "), tail if i == last else "")]
    if isinstance(node, _Subscript):
        return _subscript_lines(node, indent, head, tail)
    return [one]


def _subscript_lines(node: _Subscript, indent: int, head: str, tail: str) -> list[str]:
    pad = " " * indent
    opening, closing = f"{pad}{head}{node.base}[", f"{pad}]{tail}"
    body = f"{pad}    {', '.join(map(_type_flat, node.items))}"
    if len(body) <= LINE_LENGTH:
        return [opening, body, closing]
    if len(node.items) == 1:
        return [opening, *_member_lines(node.items[0], indent + 4, "", ""), closing]
    return [opening, *(line for item in node.items for line in _member_lines(item, indent + 4, "", ",")), closing]
