"""code.py, the one escaping path: spec strings to Python literals, docstrings, comments and Markdown."""

from __future__ import annotations

import ast
import inspect
import io
import math
import tokenize

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.code import (
    Code,
    clean_text,
    comment,
    docstring,
    dotted,
    ident,
    md,
    md_code,
    py_literal,
    py_str,
    type_expr,
)

NASTY = [
    "",
    "plain",
    "'",
    '"',
    "'''",
    '"""',
    "\"'\"'",
    "`backtick`",
    "\\",
    "ends with \\",
    "\\n is not a newline",
    "\\x00 \\u0041 \\N{BULLET}",
    "nul\x00byte",
    "line1\nline2",
    "cr\rlf\r\nend",
    "tab\there",
    "\u2028line separator\u2029",
    "\x85next line",
    "caf\u00e9 \u4e2d\u6587 \U0001F600",
    "{{ 7*7 }} {% if x %} {# c #}",
    '"; import os; os.system("touch PWNED") #',
    "\"\"\"; __import__('os').system('touch PWNED'); \"\"\"",
    "\ud800 lone surrogate",
    "\x1b[31mred\x1b[0m",
]

PIECES = list("ab \"'\\\n\r\t\x00{}%#`|<>é\u2028") + ["\U0001F600", '"""', "\ud800", "import os;"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@pytest.mark.parametrize("value", NASTY)
def test_py_str_round_trips(value: str) -> None:
    literal = py_str(value)
    assert isinstance(literal, Code)
    assert "\n" not in literal and "\r" not in literal
    assert ast.literal_eval(literal) == value
    source = f"X = {literal}\n"
    literal.encode("utf-8")  # writable into a UTF-8 file, lone surrogates included
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert namespace["X"] == value


@settings(max_examples=300, derandomize=True)
@given(TEXT)
def test_py_str_round_trips_any_text(value: str) -> None:
    assert ast.literal_eval(py_str(value)) == value


def doc_value(literal: str, indent: str = "    ") -> str | None:
    """The docstring a function with this literal as its docstring ends up with."""
    source = f"def f():\n{indent}{literal}\n{indent}return 1\n" if literal else "def f():\n    return 1\n"
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["f"].__doc__  # type: ignore[attr-defined, no-any-return]


def read_back(doc: str) -> str:
    """The docstring's text: black pads a docstring that opens with a quote, and a one-line one
    that closes with a quote, with one space (so does `docstring`); those spaces are not the text's."""
    if doc.startswith(' "'):
        doc = doc[1:]
    if doc.endswith('" ') and "\n" not in doc:
        doc = doc[:-1]
    return inspect.cleandoc(doc)


GOOD_DOCS = [v for v in NASTY if not clean_text(v).endswith('"""')]
BAD_DOCS = [v for v in NASTY if clean_text(v).endswith('"""')] + ['a"""', 'say """hi"""', 'x\\"""']


@pytest.mark.parametrize("value", GOOD_DOCS)
def test_docstring_compiles_and_reads_back(value: str) -> None:
    literal = docstring(value, "    ")
    got = doc_value(literal)
    if not clean_text(value):
        assert literal == "" and got is None
        return
    assert got is not None and read_back(got) == inspect.cleandoc(clean_text(value))
    assert "\x00" not in literal


@pytest.mark.parametrize("value", BAD_DOCS)
def test_docstring_of_text_ending_in_triple_quotes(value: str) -> None:
    got = doc_value(docstring(value, "    "))
    assert got is not None and read_back(got) == inspect.cleandoc(clean_text(value))


@settings(max_examples=500, derandomize=True)
@given(TEXT)
def test_docstring_of_any_text(value: str) -> None:
    literal = docstring(value, "        ")
    got = doc_value(literal, "        ")
    if clean_text(value):
        assert got is not None and read_back(got) == inspect.cleandoc(clean_text(value))


def test_clean_text() -> None:
    assert clean_text("a\x00b\r\nc  \r\n\n") == "a b\nc"
    assert clean_text("  keep\tinner\ttabs  ") == "keep\tinner\ttabs"
    assert clean_text("\x1b[31m") == "[31m"


@pytest.mark.parametrize("value", NASTY)
def test_comment_is_one_inert_line(value: str) -> None:
    text = comment(value)
    source = f"# {text}\nX = 1\n"
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER)]
    assert tokens[0].type == tokenize.COMMENT
    assert [t.string for t in tokens[1:]] == ["X", "=", "1"]
    compile(source, "<generated>", "exec")


@settings(max_examples=300, derandomize=True)
@given(TEXT)
def test_comment_of_any_text(value: str) -> None:
    text = comment(value)
    assert "\n" not in text and "\r" not in text and not any(c in text for c in "\x00\x85\u2028")
    assert ast.parse(f"# {text}\nX = 1\n").body[0].lineno == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", NASTY)
def test_markdown_cell_is_one_line_with_pipes_and_html_escaped(value: str) -> None:
    cell = md(value)
    assert "\n" not in cell and "<" not in cell and ">" not in cell
    assert "|" not in cell.replace("\\|", "")


def test_markdown_code_span() -> None:
    assert md_code("GET /v1/models/{model_id}") == "`GET /v1/models/{model_id}`"
    assert md_code("a|b") == "`a\\|b`"
    assert md_code("a`b") == "``a`b``"


def code_span_content(span: str) -> str | None:
    """CommonMark code span: a run of n backticks, content, the same run; None when it is no code span."""
    n = len(span) - len(span.lstrip("`"))
    if n == 0 or not span.endswith("`" * n) or len(span) < 2 * n + 1:
        return None
    inner = span[n:-n]
    if inner.startswith("`") or inner.endswith("`") or ("`" * n) in inner:
        return None
    return inner[1:-1] if inner.startswith(" ") and inner.endswith(" ") and inner.strip() else inner


@pytest.mark.parametrize("value", ["`a", "a`", "a``b", "``"])
def test_markdown_code_span_with_edge_backticks(value: str) -> None:
    assert code_span_content(md_code(value)) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "None"), (True, "True"), (False, "False"), (0, "0"), (-7, "-7"), (10**30, str(10**30)), (1.5, "1.5"),
     ("x\"y", "'x\"y'"), (float("nan"), "None"), (float("inf"), "None")],
)
def test_py_literal(value: object, expected: str) -> None:
    assert ast.dump(ast.parse(py_literal(value), mode="eval")) == ast.dump(ast.parse(expected, mode="eval"))
    if isinstance(value, float) and not math.isfinite(value):
        return
    assert ast.literal_eval(py_literal(value)) == value


@pytest.mark.parametrize("value", [{"a": 1}, [1], (1,), b"x", object()])
def test_py_literal_refuses_non_scalars(value: object) -> None:
    with pytest.raises(ValueError):
        py_literal(value)


@pytest.mark.parametrize("name", ["", "1a", "a b", "a-b", "class", "a;b", "é", "a.b", "__import__('os')"])
def test_ident_refuses(name: str) -> None:
    with pytest.raises(ValueError):
        ident(name)


def test_ident_dotted_type_expr_accept_safe_text() -> None:
    assert ident("match") == "match" and isinstance(ident("x_1"), Code)
    assert dotted("messages.batches.create") == "messages.batches.create"
    with pytest.raises(ValueError):
        dotted("messages.class.create")
    assert type_expr("dict[str, list[Foo | None]]") == "dict[str, list[Foo | None]]"
    for bad in ("Foo()", "'x'", "Foo; import os", "a\nb"):
        with pytest.raises(ValueError):
            type_expr(bad)


@pytest.mark.parametrize("value", ['"Quoted" start', 'ends with "quoted"', '"both"', 'x\\"""', '"Quoted"\n\nsecond paragraph "q"'])
def test_docstring_is_as_black_writes_it(value: str) -> None:
    """black pads a docstring that opens with a quote, and a one-line one that closes with one."""
    import black
    from black.mode import Mode, TargetVersion

    source = f"def f():\n    {docstring(value, '    ')}\n"
    assert black.format_str(source, mode=Mode(line_length=100, target_versions={TargetVersion.PY311})) == source
