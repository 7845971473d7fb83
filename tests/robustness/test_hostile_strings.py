"""Hostile spec strings cannot break or inject into the generated code (hypothesis).

Every string of a small OpenAPI 3.1 spec that can reach generated code (descriptions, summaries,
titles, property, parameter and schema names, enum values, defaults, examples, server URLs, path keys,
tags, operationIds, info.version) is drawn from quotes of every kind, backslashes, Jinja delimiters,
newlines, `\\r`, NUL, DEL, non-ASCII and Python statements that would create a file if they ever ran.

For each spec: the run succeeds, or fails with a located `GeneratorError` (never another exception);
every generated `.py` compiles; no generated file holds a raw NUL; pyproject.toml and the JSON files
still parse; importing the package (every module but `__main__`) and calling one method against a
closed port raises `APIConnectionError` and creates no file (canary folder, working folder, the output
tree, and a fixed absolute path the payloads also aim at).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from robustkit import PYTHON, TEMPLATES, child_env, compile_errors, import_fresh

from generator.diagnostics import GeneratorError
from generator.pipeline import generate, plain_target
from generator.write import write_tree

ABSOLUTE_CANARY = os.path.join(tempfile.gettempdir(), "lowcodegen-robustness-PWNED")

PAYLOADS = [
    "__import__('os').system('touch PWNED')",
    "\"; import os; os.system('touch PWNED') #",
    "'; import os; os.system('touch PWNED') #",
    "\"\"\"; open('PWNED','w') #",
    "'''; open('PWNED','w') #",
    "\\\"\\\"\\\"; open('PWNED','w') #",
    "\\'\\'\\'; open('PWNED','w') #",
    f"\"); open({ABSOLUTE_CANARY!r},'w'); (\"",
    f"'); open({ABSOLUTE_CANARY!r},'w'); ('",
    "\n__import__('os').system('touch PWNED')\n",
    "\\\n__import__('os').system('touch PWNED')",
    "\r\nimport os; os.system('touch PWNED')\r\n",
    "{__import__('os').system('touch PWNED')}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ self.__init__.__globals__.__builtins__.open('PWNED', 'w') }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{% raw %}{{ x }}{% endraw %}{# c #}",
    "%s%s%(x)s ${PWNED} `touch PWNED`",
    "\\N{BULLET} \\x00 \\u0000 \\",
    "*/ --> ]]> </script> <!-- | <b>",
    "#!/bin/sh\ntouch PWNED",
]
PIECES = ["'", '"', "'''", '"""', "\\", "\\\"", "\\'", "{{", "}}", "{%", "%}", "{#", "#}", "{", "}", "\n", "\r", "\r\n",
          "\x00", "\t", "\x7f", "\x1b", "\u2028", "\u0085", "\ufeff", "é", "ß", "中文", "😀", "\u202e", "ǅ", "ﬁ",
          "#", ":", "/", "?", "&", "=", "%", " ", "-", "_", "0", "9", "a", "Z", "None", "True", "class", "import", "self", "__",
          "\u2029", "cached_property", "Client", "BaseModel", "to_dict"]

pieces = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)
hostile = st.one_of(st.sampled_from(PAYLOADS), pieces, st.text(min_size=1, max_size=12),
                    st.tuples(st.sampled_from(PAYLOADS), pieces).map("".join))
# Path segments without braces most of the time: a `{x}` there is a template the spec must declare.
segment = st.one_of(hostile.map(lambda s: s.replace("{", "(").replace("}", ")").replace("/", "|")), hostile)
scalar = st.one_of(hostile, st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none())


def _info(title: str, version: str, description: str) -> dict[str, Any]:
    return {"title": title, "version": version, "description": description}


@st.composite
def hostile_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A small OpenAPI 3.1 document whose every string that can reach generated code is hostile."""
    s = lambda: draw(hostile)  # noqa: E731
    schema_name, other_schema = draw(st.lists(hostile, min_size=2, max_size=2, unique=True))
    op_ids = draw(st.lists(hostile, min_size=3, max_size=3, unique=True))
    props = draw(st.lists(hostile, min_size=1, max_size=4, unique=True))
    enum = draw(st.lists(hostile, min_size=1, max_size=4, unique=True))
    query_names = draw(st.lists(hostile.filter(lambda n: n.lower() not in ("id", "x-api-key", "authorization")),
                                min_size=1, max_size=3, unique=True))
    tag = s()
    ref = {"$ref": "#/components/schemas/" + schema_name.replace("~", "~0").replace("/", "~1")}
    properties: dict[str, Any] = {
        name: {"type": "string", "title": s(), "description": s(), "enum": enum, "default": draw(scalar), "example": draw(scalar)}
        for name in props
    }
    properties["fixed"] = {"const": s(), "description": s()}
    properties["other"] = {"$ref": "#/components/schemas/" + other_schema.replace("~", "~0").replace("/", "~1")}
    return {
        "openapi": "3.1.0",
        "info": _info(s(), s(), s()),
        "servers": [{"url": s(), "description": s()}],
        "tags": [{"name": tag, "description": s()}],
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": op_ids[0], "summary": s(), "description": s(), "tags": [tag],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "description": s(), "schema": {"type": "string"}},
                        *({"name": q, "in": "query", "description": s(), "example": draw(scalar),
                           "schema": {"type": "string", "enum": enum, "default": draw(scalar), "title": s()}} for q in query_names),
                        {"name": s(), "in": "header", "description": s(), "schema": {"type": "string", "default": s()}},
                    ],
                    "responses": {
                        "200": {"description": s(), "content": {"application/json": {"schema": ref, "example": {s(): s()}}}},
                        "default": {"description": s()},
                    },
                },
            },
            "/items/{id}/" + draw(segment): {
                "post": {
                    "operationId": op_ids[1], "summary": s(), "description": s(), "tags": [s()],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "description": s(),
                                    "content": {"application/json": {"schema": ref, "examples": {s(): {"summary": s(), "value": s()}}}}},
                    "responses": {"201": {"description": s(), "content": {"application/json": {"schema": {"type": "array", "items": ref}}}}},
                },
            },
            # A resource named by a hostile segment (`/<segment>/things` is the resource `<segment>.things`).
            "/" + draw(segment) + "/things": {
                "get": {"operationId": op_ids[2], "description": s(),
                        "responses": {"200": {"description": s(), "content": {"application/x-jsonl": {"schema": ref}}}}},
            },
        },
        "components": {
            "schemas": {
                schema_name: {"type": "object", "title": s(), "description": s(), "required": props[:1], "properties": properties},
                other_schema: {"oneOf": [{"type": "string", "enum": enum}, {"type": "integer", "const": 3}], "description": s()},
            },
        },
    }


WORST = {
    "openapi": "3.1.0",
    "info": _info(PAYLOADS[3] + "\x00\r\n{{ x }}", "1\"\n'''\x00\x7f", PAYLOADS[1] + "\n" + PAYLOADS[4] + '\\"""'),
    "servers": [{"url": "http://x/\"; import os; os.system('touch PWNED') #\n\x00", "description": PAYLOADS[0]}],
    "tags": [{"name": "'''\"\"\"", "description": "{% raw %}"}],
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "\"\"\"; open('PWNED','w') #", "summary": "\\", "description": "ends with a quote\"",
                "tags": ["'''\"\"\""],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "description": '"""', "schema": {"type": "string"}},
                    {"name": "\"; import os; os.system('touch PWNED') #", "in": "query", "description": "\\\"\\\"\\\"",
                     "schema": {"type": "string", "enum": ["'", '"', "\\", "\x00", "\n", "{{ x }}", "'''", '"""'], "default": "\\\""}},
                    {"name": "class", "in": "query", "schema": {"type": "string", "default": PAYLOADS[2]}},
                    {"name": "X-\"Evil\"\n", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "\"\"\"", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/\"\"\"; open('PWNED','w') #"}}}}},
            },
        },
        "/items/{id}/\"; import os; os.system('touch PWNED') #?a='''&b=\"\"\"": {
            "post": {
                "operationId": "'''", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"204": {"description": "\\"}},
            },
        },
    },
    "components": {"schemas": {"\"\"\"; open('PWNED','w') #": {
        "type": "object", "description": "\\\"\\\"\\\"; open('PWNED','w') #\\", "title": "{% for x in y %}",
        "required": ["'''"],
        "properties": {
            "'''": {"type": "string", "enum": ["\"; import os; os.system('touch PWNED') #", "'''", "\x00", "a\\"], "default": "\\"},
            "\"\"\"": {"type": "integer", "default": 2**70, "example": "{{ 7*7 }}"},
            "__import__('os').system('touch PWNED')": {"type": "number", "default": float("inf")},
            "class": {"const": "\"\"\"\\"},
            "\x00\r\n": {"type": "boolean", "description": "\x00"},
        },
    }}},
}


def _variant(spec: dict[str, Any], **info: str) -> dict[str, Any]:
    return {**spec, "info": {**spec["info"], **info}}


CALL = r'''
import importlib, inspect, pkgutil, sys
name = sys.argv[1]
pkg = importlib.import_module(name)
for mod in pkgutil.iter_modules(pkg.__path__):
    if mod.name != "__main__":
        importlib.import_module(name + "." + mod.name)
routes = importlib.import_module(name + ".url_formats").ROUTES
route = next(r for r in routes.values() if r.direct == "/items/{id}" and r.method == "GET")
client = pkg.Client(api_key="k", target="direct", base_url="http://127.0.0.1:9", max_retries=0, timeout=5.0)
target = client
for part in route.name.split("."):
    target = getattr(target, part)
args, kwargs = [], {}
for p in inspect.signature(target).parameters.values():
    if p.default is inspect.Parameter.empty:
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[p.name] = "x"
        else:
            args.append("x")
try:
    target(*args, **kwargs)
except pkg.APIConnectionError:
    print("APIConnectionError")
'''


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _python_strings(out: Path) -> set[str]:
    """Every string constant (docstrings included) of the generated Python: where a spec string lands as data."""
    return {node.value for path in out.rglob("*.py") for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def check_spec(spec: dict[str, Any], must_generate: bool = False, carried: tuple[str, ...] = ()) -> None:
    """`must_generate`: a refusal fails the test; `carried`: strings some generated string constant must hold intact."""
    assert not os.path.exists(ABSOLUTE_CANARY), f"{ABSOLUTE_CANARY} exists before the run: remove it"
    with tempfile.TemporaryDirectory(prefix="lcg-hostile-") as tmp:
        root = Path(tmp)
        spec_path = root / "spec" / "hostile.json"
        spec_path.parent.mkdir()
        spec_path.write_text(json.dumps(spec, indent=1, allow_nan=True), encoding="utf-8")
        out = root / "out"
        canary = root / "canary"
        canary.mkdir()
        target = plain_target(str(spec_path), "hostile_pkg", str(out))
        try:
            gen = generate(target, None, str(spec_path.parent), TEMPLATES, None)
            write_tree(target.out, gen.files)
        except GeneratorError as exc:
            assert not must_generate, f"the generator refused a spec it must accept: {[str(d) for d in exc.diagnostics]}"
            assert exc.diagnostics, "a GeneratorError without diagnostics"
            for d in exc.diagnostics:
                assert d.location.file and (d.location.line is not None or d.location.pointer), f"unlocated: {d}"
            return
        assert compile_errors(out) == []
        strings = _python_strings(out)
        for text in carried:
            assert any(text in value for value in strings), f"{text!r} is in no generated string: escaped wrongly or dropped"
        for path in sorted(out.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                assert b"\x00" not in data, f"raw NUL in {path.relative_to(out)}"
                if path.suffix == ".json":
                    json.loads(data)
                if path.suffix == ".toml":
                    tomllib.loads(data.decode("utf-8"))
        before = _tree(root)
        proc = subprocess.run([PYTHON, "-c", CALL, "hostile_pkg"], cwd=str(canary), capture_output=True, text=True, timeout=120,
                              env=child_env(PYTHONPATH=str(out), HOME=str(canary), TMPDIR=str(canary)))
        created = sorted(_tree(root) - before)
        assert not os.path.exists(ABSOLUTE_CANARY), "an injected statement ran: it wrote " + ABSOLUTE_CANARY
        assert created == [], f"files appeared during import and call: {created}"
        assert proc.returncode == 0, f"import or call failed:\n{proc.stderr[-3000:]}"
        assert proc.stdout.strip().splitlines()[-1:] == ["APIConnectionError"], f"no APIConnectionError:\n{proc.stdout}\n{proc.stderr}"


# No shrink phase: an example costs seconds, so shrinking one costs many minutes; the failing spec is printed whole.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]


@pytest.mark.slow  # ~12 s of generated packages: in `make test-slow` (CI runs it); the named regressions stay fast
@settings(max_examples=20, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_specs())
@example(WORST)
@example(_variant(WORST, title="\\", version="\\"))
@example(_variant(WORST, title="\x7f\x1b\u2028\u2029\u202e{{ x }}{% if %}", version="1.0\r\n\x7f-é", description="\x00" * 3))
def test_hostile_strings_do_not_break_or_inject(spec: dict[str, Any]) -> None:
    check_spec(spec)


# ------------------------------------------------------------------------------------------ regressions
# Each of these was a generator bug this suite found (kept here, fixed in the generator since).


def _minimal(title: str = "T", version: str = "1", description: str = "d") -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": title, "version": version},
            "paths": {"/items/{id}": {"get": {"description": description, "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
                      "/other": {"get": {"responses": {"204": {"description": "none"}}}}}}


def test_title_cannot_inject_code() -> None:
    """info.title reached module docstrings through the `comment` filter, which escaped neither quotes nor
    backslashes: this title ran open() on import."""
    title = "x\"\"\"; open('PWNED','w'); \"\"\""
    check_spec(_minimal(title=title), must_generate=True, carried=(title,))


def test_title_backslash_and_quotes() -> None:
    """A backslash in the title gave an invalid escape sequence; `\"\"\"` plus a newline crashed the run (RuntimeError)."""
    check_spec(_minimal(title="C:\\path \"quoted\" \"\"\"\nsecond line\\"), must_generate=True, carried=("C:\\path \"quoted\" \"\"\"",))


def test_del_character_in_title_and_version() -> None:
    """pyproject.toml was written with json.dumps, which leaves DEL raw: invalid TOML."""
    check_spec(_minimal(title="T\x7f", version="1.0\x7f"), must_generate=True)


def test_line_separators_in_descriptions() -> None:
    """format.split_chunks cut modules with str.splitlines(), which splits at U+2028 while ast does not:
    black crashed (TokenError traceback, exit 1)."""
    check_spec(_minimal(description="one\u2028two\u2028three"), must_generate=True, carried=("one", "three"))


@pytest.mark.parametrize("version", ["1\r\nX-Injected: yes", "1.0-é"], ids=["crlf", "non-ascii"])
def test_hostile_version_keeps_requests_valid(tmp_path: Path, version: str) -> None:
    """info.version went raw into the User-Agent header: CR/LF failed every call ('Illegal header value'),
    non-ASCII raised a bare UnicodeEncodeError on every call."""
    spec_path = tmp_path / "v.json"
    spec_path.write_text(json.dumps(_minimal(version=version)), encoding="utf-8")
    target = plain_target(str(spec_path), "version_pkg", str(tmp_path / "out"))
    write_tree(target.out, generate(target, None, str(tmp_path), TEMPLATES, None).files)
    pkg = import_fresh(tmp_path / "out", "version_pkg")
    from featurekit import method_for
    from recorder import serve

    with serve() as server:
        client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
        method_for(client, pkg, "GET", "/items/{id}")("1")
        assert "x-injected" not in server.last.headers


def test_operation_id_naming_a_keyword_resource() -> None:
    """A resource named none/true/false got the class name None/True/False: ValueError traceback, exit 1."""
    spec = _minimal()
    spec["paths"]["/items/{id}"]["get"]["operationId"] = "None/retrieve"
    check_spec(spec, must_generate=True)
