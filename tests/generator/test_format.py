"""format.py: black piece by piece gives black's bytes for the whole file, and formats only what changed."""

from __future__ import annotations

from pathlib import Path

import black
import pytest
from black.mode import Mode, TargetVersion
from gentest_util import CORPUS, ROOT, TEMPLATES

from generator import format as fmt
from generator.normalize import normalize
from generator.output import RenderedFile
from generator.pipeline import merge_target, plain_target
from generator.render import render

MODE = Mode(line_length=fmt.LINE_LENGTH, target_versions={TargetVersion.PY311})


def rendered_python(spec: Path, package: str, tmp_path: Path) -> list[RenderedFile]:
    """The Python files the generator renders for a spec, before black."""
    target = plain_target(str(spec), package, str(tmp_path / "out"))
    merged, provider = merge_target(target, None, str(tmp_path))
    api = normalize(merged.document, provider, package, merged.report.inputs, spec.name, routes=merged.routes)
    return [f for f in render(api, merged.document, merged.report, TEMPLATES, str(tmp_path)) if f.python]


def assert_same_as_black(files: list[RenderedFile], monkeypatch: pytest.MonkeyPatch, parallel: bool) -> None:
    monkeypatch.setattr(fmt, "_PARALLEL_MIN_BYTES", 0 if parallel else 10**12)
    ours = fmt.format_files(files, fmt.FormatCache(None))
    for before, after in zip(files, ours, strict=True):
        assert after.text == black.format_str(before.text, mode=MODE), before.path


@pytest.mark.parametrize("parallel", [False, True])
def test_pieces_give_blacks_bytes_for_the_documented_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool) -> None:
    files = rendered_python(ROOT / "specs" / "anthropic.documented.yaml", "anthropic_lowcodeapi", tmp_path)
    assert len(files) >= 6
    assert_same_as_black(files, monkeypatch, parallel)


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["anthropic/stainless-2026-01.json", "openai-2026-08.yaml", "petstore-oai-v3.0.yaml"])
def test_pieces_give_blacks_bytes_for_corpus_specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str) -> None:
    path = CORPUS / spec
    if not path.exists():
        path = next(CORPUS.rglob(Path(spec).name))
    assert_same_as_black(rendered_python(path, "corpus_client", tmp_path), monkeypatch, parallel=True)


SOURCE = '''\
"""Module."""

from typing import overload

X = 1
Y = 2


# attached to the class
class Big:
    """Doc."""

    slots = ()

    @overload
    def f(self, x: int) -> int: ...
    @overload
    def f(self, x: str) -> str: ...

    def f(self, x: Any) -> Any:
        return x

    def g(self) -> None:
        pass
Z = 3
def h() -> None:
    pass
'''


def test_split_cuts_at_definitions_and_keeps_comments_and_overloads_attached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "_CLASS_CUT_MIN_LINES", 0)
    sections = fmt.split_file(SOURCE)
    firsts = [[p.text.splitlines()[0] for p in s.pieces] for s in sections]
    assert firsts == [
        ['"""Module."""'],
        ["# attached to the class", "@overload", "def f(self, x: Any) -> Any:", "def g(self) -> None:"],
        ["Z = 3"],
        ["def h() -> None:"],
    ]
    assert [s.gap for s in sections] == [0, 2, 2, 2]
    assert [p.indent for p in sections[1].pieces] == [0, 4, 4, 4]
    assert "    @overload\n    def f(self, x: str)" not in sections[1].pieces[1].text  # dedented
    assert "@overload\ndef f(self, x: str) -> str: ..." in sections[1].pieces[1].text  # zero blank lines: not cut
    assert fmt.format_files([RenderedFile("m.py", SOURCE, True)], fmt.FormatCache(None))[0].text == black.format_str(SOURCE, mode=MODE)


def test_a_class_holding_a_string_at_column_zero_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "_CLASS_CUT_MIN_LINES", 0)
    source = 'class C:\n    """Doc."""\n\n    def f(self) -> str:\n        return """a\nb"""\n\n    def g(self) -> None:\n        pass\n'
    (section,) = fmt.split_file(source)
    assert len(section.pieces) == 1
    assert fmt.format_files([RenderedFile("m.py", source, True)], fmt.FormatCache(None))[0].text == black.format_str(source, mode=MODE)


def test_plain_statements_are_grouped_and_keep_their_blank_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "_PIECE_MIN_CHARS", 1)
    source = '"""Doc."""\nA = 1\nB = 2\n\nC = 3\n\n\n\nD = 4\n'
    sections = fmt.split_file(source)
    assert [(s.pieces[0].text, s.gap) for s in sections] == [('"""Doc."""\nA = 1\n', 0), ("B = 2\n", 0), ("C = 3\n", 1), ("D = 4\n", 2)]
    assert fmt.format_files([RenderedFile("m.py", source, True)], fmt.FormatCache(None))[0].text == black.format_str(source, mode=MODE)


def test_empty_and_invalid_files() -> None:
    assert fmt.format_files([RenderedFile("e.py", "", True)], fmt.FormatCache(None))[0].text == ""
    with pytest.raises(RuntimeError, match="not valid Python: line 1"):
        fmt.split_file("def (:\n")


def test_cache_formats_only_the_pieces_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    formatted: list[str] = []
    real = fmt.format_source

    def spy(text: str, line_length: int = fmt.LINE_LENGTH) -> str:
        formatted.append(text.splitlines()[0])
        return real(text, line_length)

    monkeypatch.setattr(fmt, "format_source", spy)
    cache = fmt.FormatCache(str(tmp_path / "cache"))
    first = "def a( x ):\n    return x\n\n\ndef b( y ):\n    return y\n"
    out = fmt.format_files([RenderedFile("m.py", first, True)], cache)[0].text
    assert out == black.format_str(first, mode=MODE)
    assert formatted == ["def a( x ):", "def b( y ):"]
    assert len(list((tmp_path / "cache").iterdir())) == 1  # one pack for the file

    formatted.clear()
    assert fmt.format_files([RenderedFile("m.py", first, True)], cache)[0].text == out
    assert formatted == []

    second = first.replace("return y", "return y + 1")
    assert fmt.format_files([RenderedFile("m.py", second, True)], cache)[0].text == black.format_str(second, mode=MODE)
    assert formatted == ["def b( y ):"]

    (next((tmp_path / "cache").iterdir())).write_text("{not json", encoding="utf-8")  # a broken pack costs time only
    formatted.clear()
    assert fmt.format_files([RenderedFile("m.py", second, True)], cache)[0].text == black.format_str(second, mode=MODE)
    assert len(formatted) == 2


def test_worker_errors_reach_the_run_and_a_failed_run_stops_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "_PARALLEL_MIN_BYTES", 0)
    real = fmt.format_source

    def picky(text: str, line_length: int = fmt.LINE_LENGTH) -> str:
        if "broken" in text:
            raise RuntimeError("generated code is not valid Python: broken")
        return real(text, line_length)

    monkeypatch.setattr(fmt, "format_source", picky)  # the forked worker inherits it
    files = [RenderedFile(f"m{i}.py", f"def f{i}( ):\n    return {i}\n", True) for i in range(40)]
    files.append(RenderedFile("bad.py", "def broken( ):\n    pass\n", True))
    with pytest.raises(RuntimeError, match="not valid Python: broken"):
        fmt.format_files(files, fmt.FormatCache(None))

    formatter = fmt.Formatter(fmt.FormatCache(None))
    with pytest.raises(KeyError), formatter:
        formatter.add(files[0])
        assert formatter._worker is not None and formatter._worker.is_alive()
        raise KeyError("the run failed")
    assert formatter._worker is not None and not formatter._worker.is_alive()


def test_without_a_worker_process_one_core_does_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no process can be forked (a daemon process, a platform without fork), black still runs."""
    import multiprocessing

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(fmt, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", refuse)
    files = [RenderedFile(f"m{i}.py", f"def f{i}( ):\n    return {i}\n", True) for i in range(5)]
    out = fmt.format_files(files, fmt.FormatCache(None))
    assert [f.text for f in out] == [black.format_str(f.text, mode=MODE) for f in files]
