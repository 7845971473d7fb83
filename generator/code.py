"""The one escaping path: every spec string reaches generated source only through these functions.

`Code` marks text that is safe to paste into generated source as it is. The Jinja environment
refuses to render any plain `str`, so a spec string that skipped these functions fails the run
instead of landing in a file (spec strings are untrusted: descriptions, names, enum values,
defaults, URLs).
"""

from __future__ import annotations

import json
import keyword
import re
import unicodedata


class Code(str):
    """Text proven safe to emit into generated source or documents."""

    __slots__ = ()


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPE_EXPR = re.compile(r"[A-Za-z0-9_\[\]., |]*\Z")


def ident(name: str) -> Code:
    """An identifier computed by the IR; refuses anything that is not a plain ASCII identifier."""
    if not _IDENT.match(name) or keyword.iskeyword(name):
        raise ValueError(f"not a safe identifier: {name!r}")
    return Code(name)


def dotted(name: str) -> Code:
    """A dotted name such as a client path (`messages.batches.create`)."""
    for part in name.split("."):
        ident(part)
    return Code(name)


def py_str(value: str) -> Code:
    """A Python string literal for any text: quotes, backslashes, newlines, NUL, non-ASCII.

    `repr` does the escaping; the quotes are black's choice (double, unless they would need more
    escapes than single quotes), so black finds nothing to change.
    """
    value = str(value)
    text = repr(value)
    if text.startswith("'") and value.count('"') <= value.count("'"):
        # black's rule: double quotes unless they need more escapes than single ones
        text = '"' + text[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    return Code(text)


def py_literal(value: object) -> Code:
    """A Python literal for a JSON scalar (str, int, float, bool, None); refuses anything else."""
    if value is None or isinstance(value, bool):
        return Code(repr(value))
    if isinstance(value, int):
        return Code(repr(value))
    if isinstance(value, float):
        return (
            Code(repr(value))
            if value == value and value not in (float("inf"), float("-inf"))
            else Code("None")
        )
    if isinstance(value, str):
        return py_str(value)
    raise ValueError(f"not a JSON scalar: {type(value).__name__}")


def type_expr(text: str) -> Code:
    """A type expression assembled by the IR from identifiers and brackets (no quotes, no calls)."""
    if not _TYPE_EXPR.match(text):
        raise ValueError(f"not a safe type expression: {text!r}")
    return Code(text)


_PRINTABLE_ASCII = re.compile(r"[\t\n\x20-\x7e]*")


def clean_text(value: str) -> str:
    """Spec prose without control characters (NUL, escapes), newlines kept, lines right-stripped."""
    value = (
        value.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n\n")
    )
    if _PRINTABLE_ASCII.fullmatch(value) is None:  # most prose is: no character to look up
        value = "".join(
            c if c in "\n\t" or unicodedata.category(c)[0] != "C" else " " for c in value
        )
    return "\n".join(line.rstrip() for line in value.split("\n")).strip()


def docstring(value: str, indent: str = "") -> Code:
    """A complete triple-quoted docstring literal for spec prose; empty prose gives an empty
    string."""
    text = clean_text(value)
    if not text:
        return Code("")
    text = text.replace("\\", "\\\\")
    if text.endswith('"'):
        text = text[:-1] + '\\"'  # a closing quote would merge with the docstring's own
    text = text.replace('"""', '\\"\\"\\"')
    if text.startswith('"'):
        text = " " + text  # black pads a docstring that opens with a quote
    lines = text.split("\n")
    if len(lines) == 1:
        # black pads one that closes with a quote (here the escaped one) as well
        return Code(f'"""{text} """' if text.endswith('"') else f'"""{text}"""')
    body = "\n".join((indent + line) if line else "" for line in lines[1:])
    return Code(f'"""{lines[0]}\n{body}\n{indent}"""')


def comment(value: str) -> Code:
    """Text for a `#` comment: one line, no control characters.

    Also harmless if it ever lands inside a docstring: no backslash, no run of three quotes.
    """
    text = " ".join(clean_text(value).split()).replace("\\", "/")
    while '""' in text:
        text = text.replace('""', "''")
    return Code(text)


def toml_str(value: str) -> Code:
    """A TOML basic string: JSON's escaping, plus DEL, which TOML refuses raw."""
    return Code(json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f"))


def md(value: str) -> Code:
    """Text for a Markdown table cell or heading: one line, pipes and HTML escaped."""
    one_line = " ".join(clean_text(value).split())
    return Code(
        one_line.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    )


def md_code(value: str) -> Code:
    """Text for an inline Markdown code span in a table cell (CommonMark: a fence longer than any
    backtick run inside, padded with a space when the text starts or ends with a backtick)."""
    one_line = " ".join(clean_text(value).split()).replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", one_line)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return Code(f"{fence}{pad}{one_line}{pad}{fence}")
