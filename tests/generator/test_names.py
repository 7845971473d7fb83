"""names.py: the names a module's code uses, exactly (an import too many fails ruff, one too few breaks
the client), read without parsing: what `ast` would find, checked here against `ast` itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.names import NameScanError, used_names

ROOT = Path(__file__).resolve().parents[2]


def ast_names(source: str) -> frozenset[str]:
    """The reference: every ast.Name, plus the names in the strings of `X: TypeAlias = "..."` and in the
    str values of a functional TypedDict's dict."""
    names: set[str] = set()
    strings: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.annotation, ast.Name)
            and node.annotation.id == "TypeAlias"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            strings.append(node.value.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "TypedDict":
            strings += [
                v.value
                for arg in node.args
                if isinstance(arg, ast.Dict)
                for v in arg.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            ]
    for text in strings:
        names |= {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}
    return frozenset(names)


def check(source: str, used: set[str], unused: set[str]) -> None:
    found = used_names(source)
    assert found == ast_names(source)
    assert used <= found, used - found
    assert not unused & found, unused & found


def test_text_that_is_not_code_does_not_count() -> None:
    source = '''"""Module doc: Any, Mapping."""
import os  # Sequence in a comment
x = "Literal"  # a string
y = 'cast' 'httpx' + """TypedDict
Required""" + r"Stream\\\\" + b"NotGiven"
z = ("FileTypes"
     "BaseModel")


def f() -> None:
    """Docstring naming _m and ROUTES."""
    # _overload
    return None
'''
    check(source, {"x", "y", "z", "None"} - {"None"}, {"Any", "Mapping", "Sequence", "Literal", "cast", "httpx",
          "TypedDict", "Required", "Stream", "NotGiven", "FileTypes", "BaseModel", "_m", "ROUTES", "_overload", "os"})


def test_names_that_are_not_uses_do_not_count() -> None:
    source = """from typing import Any as Alias, cast
import httpx.Client as Mod
from x import (
    Sequence,
    Required as R,
)
global TYPE_CHECKING


class Stream(Base, metaclass=Meta, Any=1):
    def run(self, Mapping: int, *NotGiven: Used1, Literal: Used2 = Default, **FileTypes: Used3) -> Ret:
        value = self.ROUTES.Any(BaseModel=1, _m=(x, y), **kw)
        handler = lambda JSONLines, *AsyncStream, enum_value=Used4: JSONLines
        try:
            pass
        except Error as os:
            pass
        return call(value)(SyncPage=Used5)
"""
    check(
        source,
        {"Base", "Meta", "Used1", "Used2", "Used3", "Used4", "Used5", "Default", "Ret", "value", "x", "y", "kw",
         "handler", "JSONLines", "Error", "call", "self"},
        {"Any", "cast", "Alias", "Mod", "httpx", "Sequence", "Required", "R", "TYPE_CHECKING", "Stream", "run",
         "Mapping", "NotGiven", "Literal", "FileTypes", "ROUTES", "BaseModel", "_m", "AsyncStream", "enum_value",
         "os", "SyncPage"},
    )


def test_uses_in_positions_like_those_of_non_uses_count() -> None:
    source = """a, Any = 1, 2
(Mapping, b) = f(Sequence, *Literal, **cast)
d = {Required: TypedDict, **Stream}
e = x[NotGiven, FileTypes:BaseModel]
with open(p) as _m, q as (r, ROUTES):
    pass
for httpx in os:
    del _overload
g = lambda: enum_value
h = f(lambda s: s, SyncPage)
k = f(j == JSONLines, AsyncStream)
if TYPE_CHECKING: run = 1
"""
    check(
        source,
        {"Any", "Mapping", "Sequence", "Literal", "cast", "Required", "TypedDict", "Stream", "NotGiven", "FileTypes",
         "BaseModel", "_m", "ROUTES", "httpx", "os", "_overload", "enum_value", "SyncPage", "JSONLines",
         "AsyncStream", "TYPE_CHECKING", "run"},
        set(),
    )


def test_string_annotations_count_where_they_stand_for_code() -> None:
    source = '''X: TypeAlias = "Any | Mapping[str, _m.Model]"
Y: TypeAlias = (
    "Literal['Sequence', \\"cast\\"]"
    " | Required"
)
T = TypedDict(
    "T",
    {"httpx": "FileTypes | None", "k": ("Stream" " | BaseModel"), **extra, "j": "a" + "NotGiven"},
    total={"q": "TYPE_CHECKING"},
)
U = TypedDict("U", {k: "JSONLines" for k in ks})
W = TypedDict("W", {"a":
    "Used6", "b": "Used7"
})
name: str = "ROUTES"
obj.attr: TypeAlias = "SyncPage"
V: TypeAlias = b"AsyncStream"
'''
    check(
        source,
        {"Any", "Mapping", "_m", "Literal", "Required", "FileTypes", "Stream", "BaseModel", "SyncPage", "Used6", "Used7", "None"}
        - {"None"},
        {"Model", "Sequence", "cast", "httpx", "NotGiven", "TYPE_CHECKING", "JSONLines", "ROUTES", "AsyncStream"},
    )


def test_escapes_in_string_annotations_are_decoded() -> None:
    # escaped quotes inside the alias's own string, then names: read undecoded, the quotes would not pair
    source = r'''X: TypeAlias = "Literal[\"a\"] | Any | \u004dapping"''' + "\n"
    assert ast_names(source) == {"X", "TypeAlias", "Literal", "Any", "Mapping"}
    assert used_names(source) == ast_names(source)


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ('"""doc"""\nx = f"{Any}"\n', "f-string", 2),
        ("x = 1\nmatch x:\n    case Any:\n        pass\n", "match statement", 2),
        ("x = f(a, b\n", "unclosed bracket", 2),
        ("x = (a,\n b))\n", "unmatched", 2),
        ("x = 'a\ny = 1\n", "unterminated string", 1),
    ],
)
def test_what_it_cannot_read_exactly_is_refused_with_its_line(source: str, message: str, line: int) -> None:
    with pytest.raises(NameScanError, match=message) as caught:
        used_names(source)
    assert caught.value.lineno == line


def test_names_called_match_are_still_names() -> None:
    check("match = re.match(p, s)\nmatch.group(1)\nmatch[x]: int = 1\n", {"match", "re", "p", "s", "x", "int"}, set())


def test_every_generated_module_gives_what_ast_gives() -> None:
    modules = [
        path
        for tree in (ROOT / "generated", ROOT / "tests" / "golden" / "cases")
        for name in ("types.py", "resources.py", "_client.py", "cli.py", "__init__.py", "url_formats.py")
        for path in tree.rglob(name)
    ]
    assert len(modules) > 10
    for path in modules:
        source = path.read_text(encoding="utf-8")
        assert used_names(source) == ast_names(source), path
