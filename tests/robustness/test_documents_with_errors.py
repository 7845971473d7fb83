"""openapi-python-client's `documents_with_errors/`: each gives the located error or warning it is meant to.

The behaviour expected of each file, and why:

- `bad-status-code.yaml`: a response keyed `abcdef` is not a status code. The rest of the operation is
  usable, so the generator degrades: the operation stays (no operation is ever silently dropped), its
  result is untyped, and a warning names the response: exit 0.
- `circular-body-ref.yaml`: a request body that is only a `$ref` to itself has no schema at all: an error,
  exit 2, output untouched.
- `invalid-uuid-defaults.yaml`: query parameter defaults that do not fit their schema (`"notauuid"` for a
  `format: uuid` string, `3` for a string). Defaults only document what the server does when the
  argument is left out, so the generator degrades: it ignores each bad default and warns about it: exit 0.
- `missing-body-ref.yaml`: a `$ref` to a request body that does not exist (a dangling reference): an error,
  exit 2, output untouched.
- `optional-path-param.yaml`: a path parameter without `required: true` (OpenAPI says it MUST be
  required). A URL cannot be built without it, so the generator degrades: the parameter is required in
  the client, with a warning: exit 0.

Every message names the file and a line or a JSON pointer that leads to the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from robustkit import (
    ERRORS_DIR,
    compile_errors,
    introspect,
    load_document,
    operations,
    run_generate,
)


@dataclass(frozen=True)
class Expected:
    exit_code: int
    # Each anchor is a problem one message must point at: a JSON pointer (the message's pointer starts with it)
    # or a line in the range (the enclosing operation's line counts), and a word the message must contain.
    anchors: tuple[tuple[str, range, str], ...]


EXPECTED = {
    "bad-status-code.yaml": Expected(0, (("/paths/~1/get", range(7, 15), "abcdef"),)),
    "circular-body-ref.yaml": Expected(2, (("/components/requestBodies/body", range(18, 21), "body"),)),
    "invalid-uuid-defaults.yaml": Expected(0, (("/paths/~1/post", range(7, 16), "'id'"),
                                               ("/paths/~1/put", range(19, 28), "'another_id'"))),
    "missing-body-ref.yaml": Expected(2, (("/paths/~1/post/requestBody", range(8, 10), "#/components/requestBodies/body"),)),
    "optional-path-param.yaml": Expected(0, (("/paths/~1{optional}/get", range(7, 13), "optional"),)),
}

# File name -> "BUG: ..." for a file whose expectation the generator does not meet yet (xfail, strict).
BUGS: dict[str, str] = {}


def test_every_file_has_an_expectation() -> None:
    assert sorted(p.name for p in ERRORS_DIR.iterdir() if p.is_file()) == sorted(EXPECTED)


def _anchor_hit(line: str, pointer: str, lines: range, mention: str) -> bool:
    if mention not in line:
        return False
    if re.search(r"(^|\s)" + re.escape(pointer) + r"([/:\s]|$)", line):
        return True
    found = re.search(r":(\d+)(?::|\s)", line)
    return bool(found and int(found.group(1)) in lines)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", [
    pytest.param(n, id=n, marks=[pytest.mark.xfail(strict=True, reason=BUGS[n])] if n in BUGS else [])
    for n in sorted(EXPECTED)])
def test_document_with_errors(tmp_path: Path, name: str) -> None:
    spec = ERRORS_DIR / name
    expected = EXPECTED[name]
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("a file the user keeps here\n", encoding="utf-8")
    before = _snapshot(out)
    proc = run_generate(spec, "pkg", out, cwd=tmp_path, timeout=300)
    level = "error" if expected.exit_code == 2 else "warning"
    report = f"lowcodegen generate --spec {spec} --package pkg --out {out}: exit {proc.returncode}\nstderr:\n{proc.stderr}"
    assert proc.returncode == expected.exit_code, report
    assert "Traceback" not in proc.stderr, report
    located = [line for line in proc.stderr.splitlines() if level in line.lower() and name in line]
    assert located, f"no {level} line naming {name}\n{report}"
    for pointer, lines, mention in expected.anchors:
        assert any(_anchor_hit(line, pointer, lines, mention) for line in located), (
            f"no {level} mentioning {mention} points at {pointer} (or lines {lines.start}-{lines.stop - 1})\n{report}")
    if expected.exit_code == 2:
        assert _snapshot(out) == before, "a failed run changed the output folder"
        return
    # A degraded run is still a whole client: it compiles, imports, and keeps every operation.
    assert compile_errors(out) == []
    client, error = introspect(out, "pkg")
    assert client is not None, error
    assert len(client["methods"]) == len(operations(load_document(spec))), client
    assert (out / "mine.txt").read_text(encoding="utf-8") == "a file the user keeps here\n"


def test_optional_path_param_is_required_in_the_client(tmp_path: Path) -> None:
    """Whatever it says about it, the generator makes the path parameter a required argument."""
    out = tmp_path / "out"
    proc = run_generate(ERRORS_DIR / "optional-path-param.yaml", "pkg", out, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    source = (out / "pkg" / "resources.py").read_text(encoding="utf-8")
    assert re.search(r"\boptional: str,", source), "the path parameter is not a required `str` argument"
