"""Stage 5, format: black only for a file that shows a shape black would change.

The templates and generator/layout.py emit black's bytes, so black is the judge in the tests (they
assert black leaves every generated file unchanged), not a stage of every run. A file may still get
a shape the templates do not know how to print (an input they were never tried on); `suspect`
finds such a file with cheap line checks, and only that file goes through black, imported then.
The checks over-approximate: a false alarm costs one black run, never bytes (black leaves a
black-formatted file as it is).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .output import RenderedFile

LINE_LENGTH = 100

# Shapes black rewrites wherever they occur (conservative: inside a string they only cost time).
_REWRITTEN = re.compile(
    r"[ \t]\n"  # trailing whitespace
    r"|\t"  # black indents with spaces
    r"|[(\[{][ \t]*\n[ \t]*[)\]}]"  # an empty bracket pair split over lines: black joins it
    r"|^\n"  # a blank first line
    r"|\n\n$"  # blank lines at the end
)
_DEFINITION = re.compile(r"(?:async def |def |class |@)")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
# Long lines black leaves as they are (strings already replaced by `""`): one string as an
# argument, keyword argument or dict entry; a dict entry opening a call (`"key": Route(`) or
# holding a name (`"key": key,`); a lambda returning an attribute chain (`lambda c: c.a.b,`, also as
# a keyword argument); a `def name(`, `class Name(`, `return Name(` or `) -> Name:` that long, a
# lone name (`| Name`): nothing left to split.
_KEEPS_LONG = re.compile(
    r"""(?:[A-Za-z_]\w*=|"[^"]*": )?""[,)]?"""
    r"""|"": [A-Za-z_]\w*\(|"": [A-Za-z_][\w.]*,?"""
    r"""|(?:[A-Za-z_]\w*=)?lambda [A-Za-z_]\w*: [A-Za-z_][\w.]*,?"""
    r"""|(?:async def|def|class|return) [A-Za-z_]\w*\(|\) -> [A-Za-z_]\w*:"""
    r"""|(?:\| )?[A-Za-z_][\w.]*,?"""  # a lone (dotted) name, a union's member: an atom
    r"""|[A-Za-z_][\w.]* = \{"""  # a dict display opened by an assignment (`Model._fields_ = {`)
)
# `NAME = "..."`: black wraps the right-hand side in parentheses only where it then fits (tested)
_STRING_ASSIGNMENT = re.compile(r'[A-Za-z_]\w*(?:: [\w\[\], |]+)? = ""')
# `name: Type` (a field): black puts the type in parentheses only where it then fits (tested)
_NAME_ANNOTATION = re.compile(r"[A-Za-z_]\w*: [A-Za-z_][\w.]*")


def suspect(text: str) -> str | None:
    """Why black might change this file (the first line that shows it), or None: every line is a
    shape the templates print as black does. Cheap: a regex over the text and one pass over lines.
    """
    if text and not text.endswith("\n"):
        return "no newline at the end"
    if (found := _REWRITTEN.search(text)) is not None:
        return (
            f"line {text.count(chr(10), 0, found.start()) + 1}: a blank-line or bracket shape black"
            " rewrites"
        )
    lines = text.split("\n")
    in_string = False  # inside a triple-quoted string (docstrings): black leaves its lines alone
    blank = 0
    code_seen = False
    in_definition = (
        False  # the last top-level statement is a class or def: two blank lines after it
    )
    for number, line in enumerate(lines, start=1):
        if in_string:
            in_string = _toggles(line) != 1
            continue
        if not line:
            blank += 1
            continue
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        # blank runs black shortens (outside strings: docstrings keep theirs)
        if blank >= 3 or (blank == 2 and indent):
            return f"line {number}: {blank} blank lines (black keeps {1 if indent else 2})"
        if indent == 0 and code_seen and not stripped.startswith(("#", ")", "]", "}")):
            if _DEFINITION.match(stripped) and blank != 2 and not _after_decorator(lines, number):
                return f"line {number}: a top-level definition without two blank lines before it"
            if in_definition and blank < 2 and _ends_block(lines, number):
                return f"line {number}: a top-level statement right after a definition"
        if indent == 0 and not stripped.startswith(("#", ")", "]", "}")):
            in_definition = _DEFINITION.match(stripped) is not None
        elif (
            indent
            and _DEFINITION.match(stripped)
            and blank == 0
            and not _opens_or_stub(lines, number)
        ):
            return f"line {number}: a nested definition without a blank line before it"
        if (
            len(line) > LINE_LENGTH
            and not stripped.startswith("#")
            and _splittable(stripped, indent)
        ):
            return f"line {number}: longer than {LINE_LENGTH} columns"
        if line.endswith(("(", "[", "{")) and _opens_twice(stripped):
            return (
                f"line {number}: two brackets left open on one line (black splits the outer one"
                " first)"
            )
        in_string = _toggles(line) == 1
        blank = 0
        code_seen = code_seen or not stripped.startswith("#")
    return None


def _toggles(line: str) -> int:
    """1 when the line opens (or closes) a triple-quoted string without closing (opening) it
    again."""
    return (line.count('"""') + line.count("'''")) % 2


def _after_decorator(lines: list[str], number: int) -> bool:
    previous = lines[number - 2] if number >= 2 else ""
    return previous.startswith(("@", "#"))  # a decorator's or a comment's definition


def _ends_block(lines: list[str], number: int) -> bool:
    """Whether the last non-blank line before this one is indented (a block or a bracket's body)."""
    for line in reversed(lines[: number - 1]):
        if line:
            return line.startswith(" ")
    return False


def _opens_or_stub(lines: list[str], number: int) -> bool:
    """A nested definition may follow directly on its block's opener, a decorator, a comment, or a
    stub (`def f(self) -> int: ...`, as overloads are printed)."""
    previous = lines[number - 2].strip() if number >= 2 else ""
    return previous.endswith((":", ": ...")) or previous.startswith(("@", "#"))


def _opens_twice(stripped: str) -> bool:
    code = _STRING.sub('""', stripped)
    return sum(map(code.count, "([{")) - sum(map(code.count, ")]}")) >= 2


def _splittable(stripped: str, indent: int) -> bool:
    """Whether black could shorten this long line: anything but the shapes of `_KEEPS_LONG` and a
    string assigned to a name whose right-hand side would not fit on a line of its own."""
    # strings out first: a `#` left is a comment
    code = _STRING.sub('""', stripped).split("#", 1)[0].rstrip()
    if _KEEPS_LONG.fullmatch(code) or stripped.startswith(('"""', "'''")):
        return False
    if _STRING_ASSIGNMENT.fullmatch(code):  # black wraps the right side (comment too) if it fits
        return indent + 4 + len(stripped.split(" = ", 1)[1]) <= LINE_LENGTH
    if _NAME_ANNOTATION.fullmatch(code):
        return indent + 4 + len(code.split(": ", 1)[1]) <= LINE_LENGTH
    return True


def format_files(files: list[RenderedFile]) -> tuple[list[RenderedFile], list[str]]:
    """The files, each suspect Python file formatted by black; and the paths of those files."""
    formatted: list[str] = []
    out = []
    for file in files:
        if file.python and suspect(file.text) is not None:
            file = replace(file, text=format_source(file.text))
            formatted.append(file.path)
        out.append(file)
    return out, formatted


def format_source(text: str, line_length: int = LINE_LENGTH) -> str:
    """black.format_str with the project's mode (black pinned in pyproject.toml: it decides the
    bytes); imported here only, when a file needs it. A template bug surfaces as a clear error."""
    from black import format_str
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(line_length=line_length, target_versions={TargetVersion.PY311})
    try:
        return format_str(text, mode=mode)
    except InvalidInput as exc:
        raise RuntimeError(f"generated code is not valid Python: {exc}") from None
