"""layout.py lays calls and tuples out as black does: checked against black on random trees."""

from __future__ import annotations

import black
import pytest
from black.mode import Mode, TargetVersion
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.code import Code, py_str
from generator.expr import Lambda, Literal, Name, Subscript, Type, Union, names, type_text, union
from generator.layout import (
    LINE_LENGTH,
    Call,
    Dict,
    Item,
    Keyword,
    Tuple,
    annotation,
    assigned,
    call,
    class_head,
    def_head,
    flat,
    item,
    lay_out,
    tuple_of,
)

MODE = Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY311})

identifiers = st.from_regex(r"[a-z_]{0,30}", fullmatch=True).map(lambda n: Code("v" + n))  # never a keyword
strings = st.text(alphabet="abc xyz-_'\"", min_size=0, max_size=90).map(py_str)
lambdas = st.lists(identifiers, min_size=1, max_size=4).map(lambda parts: Code("lambda c: c." + ".".join(parts)))
# references to module names (`Name`), all starting with `N`; the `Code` atoms above never do
refs = st.tuples(identifiers, st.sampled_from(["", ".parse", "._m.x"])).map(lambda p: Name(Code("N" + p[0] + p[1])))
atoms = st.one_of(identifiers, strings, lambdas, refs, st.integers(0, 10**6).map(lambda n: Code(str(n))))


def _tree(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    keyword = st.tuples(identifiers, children).map(lambda kv: Keyword(kv[0], kv[1]))  # type: ignore[arg-type]
    args = st.lists(st.one_of(children, keyword), max_size=6)
    callee = st.one_of(identifiers.map(lambda n: Code(n.capitalize())), refs)
    return st.one_of(
        st.tuples(callee, args).map(lambda c: Call(c[0], tuple(c[1]))),  # type: ignore[arg-type]
        st.lists(children, min_size=1, max_size=6).map(lambda items: Tuple(tuple(items))),  # type: ignore[arg-type]
        st.lists(st.tuples(strings, children), max_size=5).map(lambda items: Dict(tuple(items))),  # type: ignore[arg-type]
        st.tuples(st.one_of(identifiers.map(lambda n: Code(n.upper())), refs), children).map(lambda c: Item(c[0], c[1])),  # type: ignore[arg-type]
    )


expressions = st.recursive(atoms, _tree, max_leaves=10)


def _black_element(text: str, depth: int) -> str:
    """`text` as an element of an exploded list at `depth` blocks deep, formatted by black."""
    pad = "    " * depth
    source = "".join("    " * d + "if x:\n" for d in range(depth)) + f"{pad}y = [\n{pad}    {text},\n{pad}]\n"
    out = black.format_str(source, mode=MODE)
    lines = out.splitlines()
    return "\n".join(lines[depth + 1 : -1])


@settings(max_examples=300, deadline=None)
@given(expressions, st.integers(0, 6))
def test_layout_matches_black(expr: object, depth: int) -> None:
    indent = 4 * depth + 4
    ours = " " * indent + lay_out(expr, indent, ",")  # type: ignore[arg-type]
    assert ours == _black_element(flat(expr), depth)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.one_of(expressions, expressions.map(Lambda)))
def test_names_of_an_expression_are_its_references(expr: object) -> None:
    """`names` gives the module names a converter needs, as `ast` reads them from the printed code:
    every reference's root, never a literal, a keyword, a lambda's parameter or local text."""
    import ast

    try:
        tree = ast.parse(flat(expr), mode="eval")  # type: ignore[arg-type]
    except SyntaxError:  # the strategy may put a keyword before an argument (black lays it out still)
        assume(False)
    printed = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert names(expr) == {n for n in printed if n.startswith("N")}  # type: ignore[arg-type]


def test_known_shapes() -> None:
    opt = call(Code("Opt"), py_str("model"), py_str("model"), required=Code("True"), help=py_str("A model identifier or alias."))
    assert lay_out(opt, 4, ",") == 'Opt("model", "model", required=True, help="A model identifier or alias."),'
    assert lay_out(opt, 40, ",").splitlines() == [
        "Opt(",
        " " * 44 + '"model",',
        " " * 44 + '"model",',
        " " * 44 + "required=True,",
        " " * 44 + 'help="A model identifier or alias.",',
        " " * 40 + "),",
    ]
    assert lay_out(tuple_of(py_str("a")), 0) == '("a",)'


def test_refuses_plain_strings() -> None:
    with pytest.raises(TypeError):
        call(Code("Opt"), "raw")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tuple_of("raw")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lay_out("raw")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        annotation("Literal['raw']", 4, "x: ")  # type: ignore[arg-type]


type_names = st.sampled_from(["str", "int", "None", "NotGiven", "ToolParam", "BashTool20250124Param",
                             "MessageBatchSucceededResult"]).map(lambda n: Name(Code(n)))
literals = st.lists(st.text(alphabet="abcdefgh_-0123456789", min_size=1, max_size=28), min_size=1, max_size=9).map(
    lambda values: Literal(tuple(py_str(v) for v in values)))


def _type_tree(children: st.SearchStrategy[Type]) -> st.SearchStrategy[Type]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=7).map(lambda ts: union(*ts)).filter(lambda t: isinstance(t, Union)),
        children.map(lambda c: Subscript(Code("Sequence"), (c,))),
        st.tuples(children, children).map(lambda kv: Subscript(Code("dict"), kv)),
    )


annotations = st.recursive(st.one_of(type_names, literals), _type_tree, max_leaves=8).filter(
    lambda t: not type_text(t).startswith("None |"))  # keeps black's paren rules for two-member unions out of it


@settings(max_examples=300, deadline=None)
@given(annotations, st.integers(1, 3), st.sampled_from(["", " = NOT_GIVEN", " = None"]))
def test_parameter_annotation_matches_black(t: Type, depth: int, default: str) -> None:
    text = type_text(t)
    indent = 4 * depth + 4
    pad = " " * indent
    head, tail = "group_by: ", default + ","
    source = "".join("    " * d + "class C:\n" for d in range(depth)) + f"{pad[4:]}def f(\n{pad}self,\n{pad}{head}{text}{tail}\n{pad[4:]}) -> None: ...\n"
    lines = black.format_str(source, mode=MODE).splitlines()
    start = lines.index(f"{pad}self,") + 1
    end = next(i for i in range(len(lines) - 1, 0, -1) if lines[i].startswith(f"{pad[4:]})"))
    ours = pad + head + annotation(t, indent, head, tail)
    assert ours == "\n".join(lines[start:end])


@settings(max_examples=300, deadline=None)
@given(annotations, st.integers(1, 3))
def test_field_annotation_matches_black(t: Type, depth: int) -> None:
    text = type_text(t)
    indent = 4 * depth
    pad = " " * indent
    head = "stop_reason: "
    source = "".join("    " * d + "class C:\n" for d in range(depth)) + f"{pad}{head}{text}\n"
    lines = black.format_str(source, mode=MODE).splitlines()
    ours = pad + head + annotation(t, indent, head)
    assert ours == "\n".join(lines[depth:])


@settings(max_examples=300, deadline=None)
@given(annotations)
def test_names_of_a_type_are_the_names_its_annotation_reads(t: Type) -> None:
    import ast

    assert names(t) == {n.id for n in ast.walk(ast.parse(type_text(t), mode="eval")) if isinstance(n, ast.Name)}


def test_annotation_with_non_ascii_literals_matches_black() -> None:
    text = union(Literal(tuple(py_str(word * 9) for word in ("café", "naïve", "日本語", "x"))), Name(Code("None")))
    test_field_annotation_matches_black.hypothesis.inner_test(text, 1)  # type: ignore[attr-defined]
    test_parameter_annotation_matches_black.hypothesis.inner_test(text, 2, " = NOT_GIVEN")  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(expressions.filter(lambda e: "=" not in flat(e)), st.integers(0, 4))  # IR converters pass no keywords
def test_lazy_converter_lays_out_as_black(expr: object, depth: int) -> None:
    """An IR converter wrapped as `_m.Lazy(lambda: ...)` lays out as black does: a lambda splits at its body."""
    lazy = Call(Code("_m.Lazy"), (Lambda(expr),))  # type: ignore[arg-type]
    indent = 4 * depth + 4
    assert " " * indent + lay_out(lazy, indent, ",") == _black_element(flat(lazy), depth)


def test_annotation_refuses_text() -> None:
    with pytest.raises(TypeError):
        annotation(Code("str | None"), 4, "x: ")  # type: ignore[arg-type]


@pytest.mark.parametrize("length", [60, 88, 92, 96, 120])
@pytest.mark.parametrize("depth", [1, 2])
def test_a_long_lone_name_annotation_matches_black(length: int, depth: int) -> None:
    """A field typed by one long name goes in parentheses where that fits; a parameter's never."""
    name = Name(Code("N" * length))
    test_field_annotation_matches_black.hypothesis.inner_test(name, depth)  # type: ignore[attr-defined]
    test_parameter_annotation_matches_black.hypothesis.inner_test(name, depth, " = NOT_GIVEN")  # type: ignore[attr-defined]


@pytest.mark.parametrize("length", [10, 70, 80, 84, 95, 120])
@pytest.mark.parametrize("bases", [("BaseModel",), ("TypedDict", "total=False"), ("SyncResource",)])
def test_class_head_matches_black(length: int, bases: tuple[str, ...]) -> None:
    name = "C" * length
    args = [Keyword(Code(b.split("=")[0]), Code(b.split("=")[1])) if "=" in b else Code(b) for b in bases]
    head = class_head(name, *args)
    source = f"{head}\n    x: int\n"
    assert black.format_str(source, mode=MODE) == source
    assert black.format_str(f"class {name}({', '.join(bases)}):\n    x: int\n", mode=MODE) == source


def test_lay_out_shift_counts_columns_a_later_filter_adds() -> None:
    """Laid out at 12 with shift 4, then every line indented 4 (a template's `indent` filter): the
    same bytes as laid out at 16."""
    expr = call(Code("_m.union_of"), Code("None"), Code("{}"), tuple_of(*(Code(f"Model{i}.parse") for i in range(6))))
    shifted = (" " * 12 + lay_out(expr, 12, ",", shift=4)).split("\n")
    assert len(shifted) > 1
    assert "\n".join("    " + line for line in shifted) == " " * 16 + lay_out(expr, 16, ",")


@settings(max_examples=300, deadline=None)
@given(annotations, st.integers(1, 3), st.sampled_from([":", ": ..."]))
def test_return_annotation_matches_black(t: Type, depth: int, tail: str) -> None:
    """`) -> T:` closing a method whose parameters are one a line (an overload stub ends `: ...`)."""
    indent = 4 * depth
    pad = " " * indent
    head = ") -> "
    body = "" if tail == ": ..." else f"\n{pad}    return x"
    source = ("".join("    " * d + "class C:\n" for d in range(depth)) + f"{pad}def f(\n{pad}    self,\n"
              f"{pad}{head}{type_text(t)}{tail}{body}\n")
    lines = black.format_str(source, mode=MODE).splitlines()
    start = lines.index(f"{pad}    self,") + 1
    end = len(lines) - (0 if tail == ": ..." else 1)
    assert pad + head + annotation(t, indent, head, tail) == "\n".join(lines[start:end])


@pytest.mark.parametrize("t", [
    union(*(Name(Code(f"CreateTranscriptionResponse{kind}Json")) for kind in ("", "Diarized", "Verbose"))),
    Subscript(Code("SyncPage"), (Name(Code("N" * 95)),)),
    Subscript(Code("AsyncJSONLines"), (union(Name(Code("M" * 40)), Name(Code("K" * 40)), Name(Code("None"))),)),
    Name(Code("VeryLongName" * 9)),
])
@pytest.mark.parametrize("tail", [":", ": ..."])
def test_long_return_annotations_match_black(t: Type, tail: str) -> None:
    test_return_annotation_matches_black.hypothesis.inner_test(t, 1, tail)  # type: ignore[attr-defined]


@pytest.mark.parametrize("length", [10, 80, 90, 94, 95, 96, 120])
@pytest.mark.parametrize("annotated", [True, False])
def test_assigned_string_matches_black(length: int, annotated: bool) -> None:
    """`NAME = "..."` is wrapped only where the string then fits; `NAME: T = "..."` always."""
    head = "DIRECT_BASE_URL: TypeAlias = " if annotated else "DIRECT_BASE_URL = "
    value = py_str("a" * length)
    source = f"{head}{assigned(value, len(head), annotated=annotated)}\n"
    assert black.format_str(f"{head}{value}\n", mode=MODE) == source


@pytest.mark.parametrize("length", [40, 70, 80, 84, 90, 120])
@pytest.mark.parametrize("depth", [2, 3, 4])
def test_route_item_matches_black(length: int, depth: int) -> None:
    """`ROUTES["key"],` as an argument at any indent: split at its brackets when too long."""
    expr = item(Code("ROUTES"), py_str("k" * length))
    assert " " * (4 * depth + 4) + lay_out(expr, 4 * depth + 4, ",") == _black_element(flat(expr), depth)


@pytest.mark.parametrize("name_length", [5, 40, 60, 75, 80, 120])
@pytest.mark.parametrize("class_length", [10, 40, 60, 85, 120])
def test_child_resource_property_matches_black(name_length: int, class_length: int) -> None:
    """A child resource's property: its signature and its `return Child(self._client)`."""
    name, child = "n" * name_length, "C" * class_length
    source = (f"class R:\n    @property\n    {def_head(name, 4, (Code('self'),), Name(Code(child)))}\n"
              f"        return {lay_out(call(Code(child), Code('self._client')), 8, lead=7, value=True)}\n")
    plain = f"class R:\n    @property\n    def {name}(self) -> {child}:\n        return {child}(self._client)\n"
    assert black.format_str(plain, mode=MODE) == source
