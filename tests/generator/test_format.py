"""Black is the judge, not a stage: it leaves every generated file unchanged, and a run imports it
only for a file `format.suspect` flags."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import black
import pytest
from black.mode import Mode, TargetVersion
from gentest_util import CORPUS, ROOT

from generator import format as fmt
from generator.pipeline import generate, plain_target

MODE = Mode(line_length=fmt.LINE_LENGTH, target_versions={TargetVersion.PY311})
GOLDEN = ROOT / "tests" / "golden" / "cases"


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("tree", [ROOT / "generated", *sorted(GOLDEN.glob("*/expected"))], ids=lambda p: p.parent.name)
def test_black_leaves_committed_trees_unchanged(tree: Path) -> None:
    for path in python_files(tree):
        text = path.read_text(encoding="utf-8")
        assert black.format_str(text, mode=MODE) == text, path


def test_the_anthropic_target_needs_no_black() -> None:
    runtime = {p.name for p in (ROOT / "templates" / "package" / "runtime").glob("*.py")}  # copied, not rendered
    for path in python_files(ROOT / "generated"):
        if path.name not in runtime:
            assert fmt.suspect(path.read_text(encoding="utf-8")) is None, path


SMALL = ["petstore-oai-v3.0.yaml", "petstore-expanded-oai-v3.0.yaml", "petstore3-swagger-v3.0.4.yaml",
         "petstore31-swagger-v3.1.1.yaml", "webhook-example-oai-v3.1.yaml"]
LARGE = ["anthropic/stainless-2026-01.json", "openai-2026-08.yaml", "github-2021-10.json", "stripe-2023-09.yaml"]


def assert_black_stable(spec: str, tmp_path: Path) -> None:
    gen = generate(plain_target(str(CORPUS / spec), "corpus_client", str(tmp_path / "out")), None, str(tmp_path), str(ROOT / "templates"))
    assert gen.blackened == (), "the printer shapes every file of the corpus: none needs black"
    for f in gen.files:
        if f.python:
            assert black.format_str(f.text, mode=MODE) == f.text, f.path


@pytest.mark.parametrize("spec", SMALL)
def test_black_leaves_generated_corpus_files_unchanged(tmp_path: Path, spec: str) -> None:
    assert_black_stable(spec, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("spec", LARGE)
def test_black_leaves_large_corpus_files_unchanged(tmp_path: Path, spec: str) -> None:
    assert_black_stable(spec, tmp_path)


@pytest.mark.parametrize("source", [
    "X = {\n}\n",
    "class A:\n    pass\n\nclass B:\n    pass\n",
    "def f():\n    return cast(\"X\", g(\n        1,\n    ))\n",
    "class A:\n    x = 1\nY = 2\n",
    "def f(a):\n    return h(" + ", ".join(f"a{i}" for i in range(30)) + ")\n",
    "def f():\n    x = 1\n\n\n    y = 2\n",  # two blank lines in a block
    "X = 1\n\n\n\nY = 2\n",  # three at the top level
    f"class A:\n    field: {'N' * 92}\n",  # a lone name black puts in parentheses
])
def test_shapes_black_rewrites_are_suspect(source: str) -> None:
    assert black.format_str(source, mode=MODE) != source
    assert fmt.suspect(source) is not None
    out, formatted = fmt.format_files([fmt.RenderedFile("m.py", source, True)])
    assert out[0].text == black.format_str(source, mode=MODE) and formatted == ["m.py"]


LONG = "x" * 120


@pytest.mark.parametrize("source", [
    f'NOTE = "{LONG}"  # a string too long for any line\n',
    f'ROUTES = {{\n    "{LONG}": Route(\n        name="a",\n    ),\n}}\n',
    f'CALL = f(\n    {{\n        "{LONG}": value,\n    }}\n)\n',
    f"TABLE = (\n    lambda c: c.{'.'.join(['attribute'] * 12)},\n)\n",
    f"class A:\n    def {'very_long_name_' * 7}(\n        self,\n    ) -> None:\n        pass\n",
    f"class {'VeryLongName' * 9}(\n    SyncResource\n):\n    pass\n",
    f"def f(\n    x: int,\n) -> {'VeryLongName' * 9}:\n    return {'VeryLongName' * 9}(\n        x\n    )\n",
    f"class A:\n    field: {'N' * 100}\n    other: (\n        {'N' * 100}\n        | None\n    )\n",
    f"{'N' * 100}._fields_ = {{\n    \"a\": (\n        \"a\",\n        {'M' * 100}.parse,\n    ),\n}}\n",
    'def f():\n    """Two blank lines inside a docstring.\n\n\n    are its own.\n    """\n',
])
def test_long_lines_black_leaves_are_not_suspect(source: str) -> None:
    """Shapes black cannot shorten: sending their files to black only costs time (the catalogue's
    largest packages did, for nothing)."""
    assert black.format_str(source, mode=MODE) == source
    assert fmt.suspect(source) is None


@pytest.mark.parametrize(("width", "wrapped"), [(40, True), (90, False), (200, False)])
def test_a_string_assignment_is_suspect_where_black_wraps_it(width: int, wrapped: bool) -> None:
    """black puts `"..."  # comment` on a line of its own, in parentheses, only where it then fits."""
    source = f'NOTE = "{"y" * width}"  # {"c" * 50}\n'
    assert (black.format_str(source, mode=MODE) != source) is wrapped
    assert (fmt.suspect(source) is not None) is wrapped


def test_check_does_not_import_black() -> None:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator.cli", "check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "black" not in {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in run.stderr.splitlines()}
