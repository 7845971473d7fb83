"""The names a generated module's code uses, read from its text by one tokenizing pass (no parse).

render.py renders a module importing every candidate, asks `used_names` which names its code uses
and renders the imports again with just those: a missing name breaks the client, an extra one fails
ruff (F401), so this is exact, not approximate. It gives what `ast` would give: every `ast.Name` of
the module, plus the names inside the string annotations that stand for code, namely the value of
`X: TypeAlias = "A | B"` and the string values of the dict of a functional
`TypedDict("N", {"k": "A | B"})`. So a name in a docstring, a comment or a string does not count,
nor an attribute (`x.Any`), a keyword argument (`f(Any=1)`), a parameter (`def f(Any)`,
`lambda Any: 0`), a `def`/`class` name, an imported name or an `except ... as` name.

It reads the Python the templates write; two constructs it cannot read exactly are refused rather
than guessed: f-strings (their fields hold code) and `match` statements (their patterns bind names).
Unbalanced brackets and unterminated strings are refused too (the rest of Python's syntax is checked
by the tests that compile, lint and type-check generated code).
"""

from __future__ import annotations

import contextlib
import keyword
import re
import unicodedata
from typing import Any

_TOKEN = re.compile(
    r"""
    [ \t]*  # spaces are skipped in the match, not by searching for the next one
    (
    \#[^\n]*
    | (?:[rRbBuUfF]{1,2})?
      (?: \"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
        | '''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
        | "[^"\\\n]*(?:\\.[^"\\\n]*)*"
        | '[^'\\\n]*(?:\\.[^'\\\n]*)*'
      )
    | [^\W\d]\w*
    | \d[\w.]*
    | \.\.\.
    | ==|!=|<=|>=|:=|->|\*\*=?|//=?|<<=?|>>=?|[-+*/%&|^@]=
    | \\\n
    | \S
    | \n
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_KEYWORDS = frozenset(keyword.kwlist)
# a statement that these start holds no annotation: its `:` ends a header
_COMPOUND = frozenset(
    {"if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class"}
)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
_QUOTES = frozenset("\"'")
_ESCAPE = re.compile(
    r"\\(\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})"
)
_SIMPLE_ESCAPES = {
    "\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n",
    "r": "\r", "t": "\t", "v": "\v",
}  # fmt: skip


class NameScanError(ValueError):
    """The text is not Python this module can read exactly; `lineno` says where."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message)
        self.msg = message
        self.lineno = lineno


def used_names(source: str) -> frozenset[str]:
    """Every name the module's code uses (imports excluded), the names in string type aliases and
    functional TypedDict fields included."""
    return frozenset(_scan(_TOKEN.findall(source), annotations=True))


def _scan(tokens: list[str], annotations: bool) -> set[str]:
    """The names of `tokens`; with `annotations`, also those of the string annotations."""
    names: set[str] = set()
    # one frame per open bracket: [its closing bracket, is a def's parameter list, open lambdas]
    stack: list[list[Any]] = [["", False, 0]]
    frame = stack[0]
    prev = "\n"  # the previous significant token
    slot = False  # a parameter or a keyword argument may start here: after `(`, `,`, `lambda`
    head = ""  # the first token of the statement, "" before it
    skipping = False  # inside an import/global/nonlocal statement: no names
    naming = False  # after `def`/`class`: the next name is the definition's
    def_paren = False  # after `def`: the next `(` opens a parameter list
    count = len(tokens)
    i = 0
    while i < count:
        token = tokens[i]
        i += 1
        first = token[0]
        if first == "#" or token == "\\\n":
            continue
        if first == "\n":
            if len(stack) == 1:
                prev, slot, head, skipping = "\n", False, "", False
            continue
        if token[-1] in _QUOTES:
            if len(token) == 1:
                raise _error(tokens, i - 1, "unterminated string")
            if first not in _QUOTES and "f" in _prefix(token).lower():
                raise _error(tokens, i - 1, "f-string (its fields are not read)")
            if not head:
                head = "'"
            prev, slot = "'", False
            continue
        if first.isalpha() or first == "_":
            if not head:
                head = token
                if token in _SKIPPED and len(stack) == 1:
                    skipping = True
            if skipping:
                prev, slot = token, False
                continue
            if token in _KEYWORDS:
                if token == "def" or token == "class":
                    naming, def_paren = True, token == "def"
                elif token == "lambda":
                    frame[2] += 1
                elif token == "async" and head == "async":
                    head = ""
                prev, slot = token, token == "lambda"
                continue
            if naming:
                naming = False
            elif prev == ".":
                pass  # an attribute
            elif slot and (
                frame[1] or frame[2] or (frame[0] == ")" and _next(tokens, i, True) == "=")
            ):
                pass  # a parameter, or the name of a keyword argument
            elif prev == "as" and head != "with":
                pass  # `except ... as name` (imports are skipped whole)
            else:
                names.add(token)
                if annotations and (token == "TypeAlias" or token == "TypedDict"):
                    _add_annotation_names(names, tokens, i, token, prev, head, len(stack))
            prev, slot = token, False
            continue
        if token in _OPEN:
            stack.append([_OPEN[token], def_paren and token == "(", 0])
            frame = stack[-1]
            if token == "(":
                def_paren = False
        elif token in _CLOSE:
            if len(stack) == 1 or frame[0] != token:
                raise _error(tokens, i - 1, f"unmatched {token!r}")
            stack.pop()
            frame = stack[-1]
        elif token == ":":
            if frame[2]:
                frame[2] -= 1
            elif head == "match" != prev and len(stack) == 1 and _next(tokens, i, False) == "\n":
                raise _error(tokens, i - 1, "match statement (its patterns bind names)")
            elif len(stack) == 1 and head in _COMPOUND:
                prev, slot, head = "\n", False, ""  # a one-line compound statement's body follows
                continue
        elif token == ";" and len(stack) == 1:
            prev, slot, head, skipping = "\n", False, "", False
            continue
        if not head:
            head = token
        slot = token == "(" or token == "," or ((token == "*" or token == "**") and slot)
        prev = token
    if len(stack) != 1:
        raise _error(tokens, count, f"unclosed bracket, {stack[-1][0]!r} missing")
    return names


def _add_annotation_names(
    names: set[str], tokens: list[str], i: int, name: str, prev: str, head: str, depth: int
) -> None:
    """After the name `TypeAlias` or `TypedDict` at `i`: the names of the string annotations of
    `X: TypeAlias = "..."` or of `TypedDict(..., {"k": "..."})`."""
    if name == "TypeAlias":
        if prev == ":" and depth == 1 and head not in _KEYWORDS and _next(tokens, i, False) == "=":
            _add_string_names(names, tokens, _after(tokens, i, "="), ("\n", ";"))
    elif _next(tokens, i, depth > 1) == "(":
        _add_typeddict_names(names, tokens, _after(tokens, i, "("))


_SKIPPED = frozenset({"import", "from", "global", "nonlocal"})


def _next(tokens: list[str], i: int, in_brackets: bool) -> str:
    """The next significant token from index `i` ("" at the end); in brackets, newlines are not."""
    while i < len(tokens):
        token = tokens[i]
        if token[0] != "#" and token != "\\\n" and not (in_brackets and token == "\n"):
            return token
        i += 1
    return ""


def _after(tokens: list[str], i: int, wanted: str) -> int:
    """The index just past the next significant token, which is `wanted`."""
    while tokens[i] != wanted:
        i += 1
    return i + 1


def _significant(tokens: list[str], i: int) -> int:
    """The index of the next token that is not a comment, a continuation or a newline."""
    while i < len(tokens) and (tokens[i][0] in "#\n" or tokens[i] == "\\\n"):
        i += 1
    return i


def _add_string_names(names: set[str], tokens: list[str], i: int, ends: tuple[str, ...]) -> int:
    """If the expression at `i` is one `str` constant (strings, concatenated, in brackets or not),
    add the names of the annotation it holds. Returns the index where the expression ends (at one
    of `ends` outside brackets)."""
    depth = 0
    pieces: list[str] | None = []
    while i < len(tokens):
        token = tokens[i]
        if depth == 0 and token in ends:
            break
        i += 1
        if token[0] == "#" or token == "\\\n" or (token == "\n" and (depth or "\n" not in ends)):
            continue  # (a newline ends a statement, not an expression in brackets)
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token[-1] in _QUOTES and pieces is not None and "b" not in _prefix(token).lower():
            pieces.append(_string_value(token))
        else:
            pieces = None  # not a constant (or bytes): not an annotation
    if pieces:
        with contextlib.suppress(NameScanError):  # not an expression: not an annotation either
            names |= _scan(_TOKEN.findall("".join(pieces)), annotations=False)
    return i


def _add_typeddict_names(names: set[str], tokens: list[str], i: int) -> None:
    """The names in the annotations of `TypedDict(...)`: its positional dicts' str values."""
    while True:
        i = _significant(tokens, i)
        if i >= len(tokens) or tokens[i] == ")":
            return
        start = i
        if tokens[i] == "{":
            end = _matching(tokens, i)
            after = _significant(tokens, end + 1)
            if after < len(tokens) and tokens[after] in (",", ")"):
                _add_dict_values(names, tokens, start + 1, end)
        i = _skip_argument(tokens, i)
        if i < len(tokens) and tokens[i] == ",":
            i += 1


def _add_dict_values(names: set[str], tokens: list[str], i: int, end: int) -> None:
    """The names in the str-constant values of the dict display between `i` and `end`."""
    if any(tokens[k] == "for" for k in _top_level(tokens, i, end)):
        return  # a comprehension, not a display
    while i < end:
        i = _significant(tokens, i)
        if i >= end:
            return
        if tokens[i] == "**":
            i = _skip_argument(tokens, i, stop="}")
        else:
            i = _skip_argument(tokens, i, stop="}", colon=True)
            if i < end and tokens[i] == ":":
                i = _add_string_names(names, tokens, i + 1, (",", "}"))
        if i < end and tokens[i] == ",":
            i += 1


def _top_level(tokens: list[str], i: int, end: int) -> list[int]:
    """Indices of the tokens between `i` and `end` that are not inside nested brackets."""
    out: list[int] = []
    depth = 0
    for k in range(i, end):
        token = tokens[k]
        if token in _OPEN:
            depth += 1
        elif token in _CLOSE:
            depth -= 1
        elif depth == 0:
            out.append(k)
    return out


def _matching(tokens: list[str], i: int) -> int:
    """The index of the bracket that closes the one at `i`."""
    depth = 0
    for k in range(i, len(tokens)):
        if tokens[k] in _OPEN:
            depth += 1
        elif tokens[k] in _CLOSE:
            depth -= 1
            if depth == 0:
                return k
    return len(tokens)


def _skip_argument(tokens: list[str], i: int, stop: str = ")", colon: bool = False) -> int:
    """The index of the `,` (or `stop`, or with `colon` a `:`) that ends the item at `i`."""
    depth = 0
    lambdas = 0
    while i < len(tokens):
        token = tokens[i]
        ends = token == "," or token == stop or (colon and token == ":" and not lambdas)
        if depth == 0 and ends:
            return i
        if token in _OPEN:
            depth += 1
        elif token in _CLOSE:
            depth -= 1
        elif depth == 0 and token == "lambda":
            lambdas += 1
        elif depth == 0 and token == ":" and lambdas:
            lambdas -= 1
        i += 1
    return i


def _prefix(token: str) -> str:
    """A string token's prefix letters (`rb`, `f`, ...)."""
    end = 0
    while token[end] not in _QUOTES:
        end += 1
    return token[:end]


def _string_quote(token: str) -> str:
    body = token[len(_prefix(token)) :]
    return body[:3] if body[:3] in ('"""', "'''") and len(body) >= 6 else body[:1]


def _string_value(token: str) -> str:
    """The value of a str literal token (not bytes, not an f-string)."""
    prefix = _prefix(token)
    quote = _string_quote(token)
    body = token[len(prefix) + len(quote) : len(token) - len(quote)]
    if "r" in prefix.lower():
        return body
    return _ESCAPE.sub(_unescape, body)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code]
    if code[0] in "xuU":
        return chr(int(code[1:], 16))
    if code[0] == "N":
        try:
            return unicodedata.lookup(code[2:-1])
        except KeyError:
            return match.group(0)
    return chr(int(code, 8))


def _error(tokens: list[str], index: int, message: str) -> NameScanError:
    line = 1 + sum(t.count("\n") for t in tokens[:index])
    return NameScanError(message, line)
