"""The bad-input catalogue: `lowcodegen generate --spec BAD --package pkg --out OUT` on broken input.

Each kind must give exit status 2, one located line per problem on stderr (file, and line or JSON pointer
where one applies), no traceback, and leave OUT (pre-filled with a sentinel tree) byte-for-byte unchanged.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gentest_util import DROP_DAC, PYTHON, run_cli, sentinel_tree, snapshot

HEAD = 'openapi: 3.1.0\ninfo: {title: T, version: "1"}\n'
OK = '{"200": {description: ok}}'


@dataclass(frozen=True)
class Case:
    name: str
    text: str | bytes | None = None  # the spec's content (None: the builder makes it)
    filename: str = "spec.yaml"
    where: str = "line"  # what the message must carry: "line", "pointer", "line+pointer", "file" or "option"
    max_lines: int = 1
    build: Callable[[Path], Path] | None = None  # makes the spec argument itself
    unwritable_out: bool = False
    unreadable: bool = False
    package: str = "pkg"
    out_is_file: bool = False
    marks: tuple[pytest.MarkDecorator, ...] = field(default=())


def _directory(folder: Path) -> Path:
    (folder / "spec.yaml").mkdir()
    return folder / "spec.yaml"


def _missing(folder: Path) -> Path:
    return folder / "spec.yaml"


VALID = HEAD + f"paths:\n  /things/{{thing_id}}:\n    get:\n      parameters:\n        - {{name: thing_id, in: path, required: true, schema: {{type: string}}}}\n      responses: {OK}\n"

CASES = [
    Case("invalid-yaml", HEAD + "paths:\n  /a: [unclosed\n  /b: {}\n"),
    Case("invalid-json", '{\n  "openapi": "3.1.0",\n  "info": ,\n  "paths": {}\n}\n', filename="spec.json"),
    Case("empty-file", "", where="file"),
    Case("directory", build=_directory, where="file"),
    Case("missing-file", build=_missing, where="file"),
    Case("unreadable-file", VALID, unreadable=True, where="file"),
    Case("not-utf8", b"openapi: 3.1.0\ninfo: {title: caf\xe9, version: '1'}\npaths: {}\n", where="file"),
    Case("top-level-list", "- openapi\n- 3.1.0\n"),
    Case("yaml-python-tag", "openapi: !!python/object/apply:os.system ['touch PWNED']\n"),
    Case("swagger-2.0", 'swagger: "2.0"\ninfo: {title: T, version: "1"}\npaths: {}\n', where="line+pointer"),
    Case("wrong-openapi-version", 'openapi: 4.0.0\ninfo: {title: T, version: "1"}\npaths: {}\n', where="line+pointer"),
    Case("missing-info", "openapi: 3.1.0\npaths: {}\n"),
    Case("paths-is-a-list", HEAD + "paths: []\n", where="line+pointer"),
    Case("responses-is-a-number", HEAD + "paths:\n  /a:\n    get:\n      responses: 5\n", where="line+pointer"),
    Case("parameter-in-nowhere", HEAD + f"paths:\n  /a:\n    get:\n      parameters:\n        - {{name: q, in: nowhere}}\n      responses: {OK}\n",
         where="line+pointer"),
    Case("dangling-ref", HEAD + "paths:\n  /a:\n    get:\n      responses:\n        \"200\": {$ref: \"#/components/responses/Nope\"}\n",
         where="line+pointer"),
    Case("cyclic-ref", HEAD + "paths:\n  /a:\n    get:\n      responses:\n        \"200\":\n          description: ok\n"
         "          content: {application/json: {schema: {$ref: \"#/components/schemas/A\"}}}\n"
         "components:\n  schemas:\n    A: {$ref: \"#/components/schemas/B\"}\n    B: {$ref: \"#/components/schemas/A\"}\n",
         where="line+pointer", max_lines=2),
    Case("duplicate-operation-id", HEAD + f"paths:\n  /a:\n    get:\n      operationId: same\n      responses: {OK}\n"
         f"  /b:\n    get:\n      operationId: same\n      responses: {OK}\n", where="line+pointer"),
    Case("path-param-not-in-template", HEAD + f"paths:\n  /a:\n    get:\n      parameters:\n"
         f"        - {{name: a_id, in: path, required: true, schema: {{type: string}}}}\n      responses: {OK}\n",
         where="line+pointer"),
    Case("templated-param-undeclared", HEAD + f"paths:\n  /a/{{a_id}}:\n    get:\n      responses: {OK}\n", where="line+pointer"),
    Case("duplicate-x-client-name", HEAD + f"paths:\n  /a:\n    get:\n      x-client-name: things.list\n      responses: {OK}\n"
         f"  /b:\n    get:\n      x-client-name: things.list\n      responses: {OK}\n", where="pointer"),
    Case("output-folder-unwritable", VALID, unwritable_out=True, where="file"),
    Case("paths-is-a-non-empty-list", HEAD + "paths: [/a]\n", where="line+pointer"),
    Case("dialect-parameters-not-a-list", HEAD + 'servers: [{url: "https://api.lowcodeapi.com/x"}]\npaths:\n  /a:\n'
         '    get:\n      externalDocs: {api_endpoint: "https://x/a"}\n      parameters: 5\n'
         f'      responses: {OK}\n', where="line+pointer"),
    Case("package-not-an-identifier", VALID, package="my-pkg", where="option"),
    Case("output-path-is-a-file", VALID, out_is_file=True, where="file"),
    # documents that never finish or crash: each refused within seconds and bounded memory (see _bounded)
    Case("recursive-yaml-alias", HEAD + "x-loop: &s [*s]\npaths: {}\n", where="line+pointer"),
    Case("self-referential-aliased-schema", HEAD + "paths:\n  /a:\n    get:\n      responses:\n        \"200\":\n"
         "          description: ok\n          content: {application/json: {schema: &s {type: object, properties: {child: *s}}}}\n",
         where="line+pointer"),
    Case("yaml-alias-bomb", build=lambda folder: _alias_bomb(folder), where="line+pointer"),
    Case("json-nested-5000-deep", '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {},\n"x-deep": '
         + "[" * 5000 + "]" * 5000 + "}\n", filename="spec.json", where="line"),
    Case("yaml-nested-5000-deep", HEAD + "paths: {}\nx-deep: " + "[" * 5000 + "]" * 5000 + "\n", where="line+pointer"),
    Case("json-nested-100-deep-schema", build=lambda folder: _deep_schema(folder, 100), where="line+pointer"),
    Case("ref-chain-1000-long", build=lambda folder: _ref_chain(folder, 1000, '{"$ref": "#/components/schemas/S%d"}'),
         where="line+pointer"),
    Case("model-chain-1000-long", build=lambda folder: _ref_chain(
        folder, 1000, '{"type": "object", "properties": {"next": {"$ref": "#/components/schemas/S%d"}}}'), where="file"),
    Case("lone-surrogate-in-json", '{"openapi": "3.1.0", "info": {"title": "T\\ud800", "version": "1"}, "paths": {}}\n',
         filename="spec.json", where="line+pointer"),
    Case("lone-surrogate-in-json-key", '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {},\n'
         '"x-\\udfff": 1}\n', filename="spec.json", where="line+pointer"),
    Case("lone-surrogate-in-yaml", HEAD + 'paths: {}\nx-text: "\\ud800"\n'),
    Case("file-name-not-utf8", build=lambda folder: _named(folder, os.fsdecode(b"spec-\xff.yaml"), VALID), where="file"),
    *[Case(f"package-{name}", VALID, package=name, where="option")
      for name in ("httpx", "json", "typing", "click", "os", "sys", "re", "anyio", "httpcore", "setuptools", "a.b", "class")],
]


def _named(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _alias_bomb(folder: Path) -> Path:
    """Ten levels of ten aliases: 10**10 nodes once expanded ("billion laughs")."""
    lines = ["  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 11)]
    path = folder / "spec.yaml"
    path.write_text(HEAD + "x-lol:\n" + "\n".join(lines) + "\npaths: {}\n", encoding="utf-8")
    return path


def _deep_schema(folder: Path, depth: int) -> Path:
    schema = '{"type": "array", "items": ' * depth + "{}" + "}" * depth
    path = folder / "spec.json"
    path.write_text('{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {},\n'
                    f'"components": {{"schemas": {{"Deep": {schema}}}}}}}\n', encoding="utf-8")
    return path


def _ref_chain(folder: Path, length: int, link: str) -> Path:
    """S0 -> S1 -> ... -> S<length>, a string; an operation answers S0."""
    schemas = ",\n".join(f'"S{i}": ' + link % (i + 1) for i in range(length)) + f',\n"S{length}": {{"type": "string"}}'
    op = '{"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}}}}'
    path = folder / "spec.json"
    path.write_text('{"openapi": "3.1.0", "info": {"title": "T", "version": "1"},\n'
                    f'"paths": {{"/a": {op}}},\n"components": {{"schemas": {{\n{schemas}}}}}}}\n', encoding="utf-8")
    return path


@functools.cache
def can_drop_dac() -> bool:
    """Whether a root run can be made to obey file permissions (setpriv without CAP_DAC_*)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return False
    folder = tempfile.mkdtemp()
    probe = os.path.join(folder, "probe")
    try:
        with open(probe, "w") as handle:
            handle.write("x")
        os.chmod(probe, 0)
        code = f"import os, sys, generator.cli; sys.exit(os.access({probe!r}, os.R_OK))"
        return subprocess.run([*DROP_DAC, PYTHON, "-c", code], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def shared_work() -> Iterator[Path]:
    """The working folder of every run: plain mode keeps its black cache there, so full runs share it."""
    folder = Path(tempfile.mkdtemp(prefix="lowcodegen-bad-work-", dir=os.environ.get("TMPDIR", "/tmp")))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def case_dir() -> Iterator[Path]:
    """A fresh folder for one case (outside pytest's tmp_path so that permission changes are easy to undo)."""
    folder = Path(tempfile.mkdtemp(prefix="lowcodegen-bad-", dir=os.environ.get("TMPDIR", "/tmp")))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for path, dirs, files in os.walk(folder):
            for name in dirs + files:
                full = os.path.join(path, name)
                if not os.path.islink(full):
                    os.chmod(full, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


# Every case ends within these bounds, or the test fails (a hang ends at the timeout, an unbounded
# expansion at the address-space limit, with a MemoryError traceback).
BOUND_SECONDS = 60
BOUND_BYTES = 1 << 30


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (BOUND_BYTES, BOUND_BYTES))


LOCATED = re.compile(r"^(?P<file>[^:]+?)(?::(?P<line>\d+))?(?:: (?P<pointer>/\S*))?: error: .+ \[[a-z0-9.-]+\]$")


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=c.marks) for c in CASES])
def test_bad_input(case: Case, case_dir: Path, shared_work: Path) -> None:
    specs, target, work = case_dir / "specs", case_dir / "target", shared_work
    for d in (specs, target):
        d.mkdir()
    out = target / "out"
    if case.out_is_file:
        out.write_text("precious, not a folder\n")
    else:
        sentinel_tree(out)
    if case.build is not None:
        spec = case.build(specs)
    else:
        spec = specs / case.filename
        data = case.text if isinstance(case.text, bytes) else (case.text or "").encode("utf-8")
        spec.write_bytes(data)
    wrapper = None
    if case.unreadable:
        os.chmod(spec, 0)
        if os.access(spec, os.R_OK):
            if not can_drop_dac():
                pytest.skip("running as root: a chmod 000 file is still readable")
            wrapper = DROP_DAC
    if case.unwritable_out:
        for path, dirs, _ in os.walk(target):
            for name in dirs:
                os.chmod(os.path.join(path, name), 0o555)
        os.chmod(target, 0o555)
        if os.access(target, os.W_OK):
            if not can_drop_dac():
                pytest.skip("running as root: a chmod 555 folder is still writable")
            wrapper = DROP_DAC
    before = snapshot(target)

    result = run_cli(["generate", "--spec", str(spec), "--package", case.package, "--out", str(out)], cwd=work, wrapper=wrapper,
                     env={**os.environ, "HOME": str(work)}, timeout=BOUND_SECONDS, preexec_fn=_bounded)

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= case.max_lines, result.stderr
    expected = out if case.unwritable_out or case.out_is_file else spec
    for line in lines:
        match = LOCATED.match(line)
        assert match, f"not a located one-line error: {line!r}"
        named = match["file"]
        # the file as given, absolute, relative to the working folder, or by its name (plain mode names a spec
        # relative to its own folder so that messages and headers do not depend on the working folder)
        if case.where == "option":
            assert named == f"--{case.name.split('-')[0]}", line  # a bad option is located at the option
            continue
        shown = os.fsencode(expected.name).decode("utf-8", "replace")  # an undecodable name is shown with U+FFFD
        assert named in (expected.name, shown) or os.path.normpath(work / named) == str(expected), line
        if "line" in case.where:
            assert match["line"], f"no line number: {line!r}"
        if "pointer" in case.where:
            assert match["pointer"], f"no JSON pointer: {line!r}"
    assert snapshot(target) == before, "the output folder (or its parent) changed"
    assert not (work / "PWNED").exists() and not (specs / "PWNED").exists()


def test_catalogue_is_broad_enough() -> None:
    assert len([c for c in CASES if not c.marks]) >= 15
