"""naming.py and the naming done by normalize: keywords, builtins, collisions, duplicates."""

from __future__ import annotations

import ast
import keyword
from pathlib import Path
from typing import Any

import pytest
from gentest_util import plain_provider, spec_file

from generator.code import Code
from generator.diagnostics import GeneratorError
from generator.ir import Api, Operation, Resource
from generator.load import load_spec
from generator.merge import merge_specs
from generator.naming import Namer, derive_client_name, kebab, pascal, safe, snake, words
from generator.normalize import normalize

HEAD = 'openapi: 3.1.0\ninfo: {title: T, version: "1"}\n'
OK = '{"200": {description: ok}}'


def api_of(tmp_path: Path, text: str) -> Api:
    path = spec_file(tmp_path, "s.yaml", HEAD + text)
    loaded = load_spec(str(path))
    merged = merge_specs(loaded, None, plain_provider())
    return normalize(merged.document, plain_provider(), "tpkg", merged.report.inputs, str(path), routes=merged.routes)


def all_resources(node: Resource) -> list[Resource]:
    return [node] + [r for c in node.children for r in all_resources(c)]


def op_named(api: Api, key: str) -> Operation:
    return next(op for op in api.operations if op.key == key)


@pytest.mark.parametrize(
    ("text", "expected_words", "snake_", "pascal_", "kebab_"),
    [
        ("fooBar", ["foo", "Bar"], "foo_bar", "FooBar", "foo-bar"),
        ("HTTPResponse", ["HTTP", "Response"], "http_response", "HTTPResponse", "http-response"),
        ("foo-bar baz", ["foo", "bar", "baz"], "foo_bar_baz", "FooBarBaz", "foo-bar-baz"),
        ("already_snake", ["already", "snake"], "already_snake", "AlreadySnake", "already-snake"),
        ("2fa", ["2fa"], "n2fa", "N2fa", "n2fa"),
        ("café", ["cafe"], "cafe", "Cafe", "cafe"),
        ("名前", [], "value", "Model", "value"),
        ("", [], "value", "Model", "value"),
        ('x"; import os #', ["x", "import", "os"], "x_import_os", "XImportOs", "x-import-os"),
    ],
)
def test_name_styles(text: str, expected_words: list[str], snake_: str, pascal_: str, kebab_: str) -> None:
    assert list(words(text)) == expected_words
    assert (snake(text), pascal(text), kebab(text)) == (snake_, pascal_, kebab_)
    assert snake_.isidentifier() and pascal_.isidentifier()


@pytest.mark.parametrize(
    ("name", "reserved", "expected"),
    [
        ("class", (), "class_"),
        ("from", (), "from_"),
        ("match", (), "match_"),  # soft keyword
        ("case", (), "case_"),
        ("str", (), "str_"),  # would shadow annotations in generated modules
        ("Any", (), "Any_"),
        ("id", (), "id"),  # builtins are fine as parameter names (the official SDK does it)
        ("type", (), "type"),
        ("timeout", ("timeout",), "timeout_"),
        ("x", ("x", "x_"), "x__"),
    ],
)
def test_safe(name: str, reserved: tuple[str, ...], expected: str) -> None:
    assert safe(name, frozenset(reserved)) == expected
    assert not keyword.iskeyword(expected)


def test_namer_is_unique_and_deterministic() -> None:
    namer = Namer({"reserved"})
    assert [namer.take(n) for n in ("a", "a", "a", "reserved", "b")] == ["a", "a_2", "a_3", "reserved_2", "b"]
    assert all(isinstance(n, Code) for n in (namer.take("c"),))
    assert "a_2" in namer and "zzz" not in namer
    classes = Namer(joiner="")
    assert [classes.take("Model"), classes.take("Model")] == ["Model", "Model2"]
    with pytest.raises(ValueError):
        Namer().take("not an identifier")


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "tags", "expected"),
    [
        ("get", "/v1/things", None, [], ["things", "list"]),
        ("post", "/v1/things", None, [], ["things", "create"]),
        ("get", "/v1/things/{id}", None, [], ["things", "retrieve"]),
        ("put", "/v1/things/{id}", None, [], ["things", "update"]),
        ("patch", "/v1/things/{id}", None, [], ["things", "update"]),
        ("delete", "/api/v2/things/{id}", None, [], ["things", "delete"]),
        ("post", "/v1/things/{id}/cancel", None, [], ["things", "cancel"]),
        ("get", "/v1/things/{id}/items", None, [], ["things", "items", "list"]),
        ("get", "/x", "repos/get-content", [], ["repos", "get_content"]),
        ("get", "/", None, ["Pet Store"], ["pet_store", "list"]),
        ("get", "/", None, [], ["default", "list"]),
    ],
)
def test_derive_client_name(method: str, path: str, operation_id: str | None, tags: list[str], expected: list[str]) -> None:
    assert derive_client_name(method, path, operation_id, tags) == expected


@pytest.mark.parametrize(
    ("method", "path", "ids", "expected"),
    [
        ("post", "/v1/accounts/{account}", (), ["accounts", "update"]),  # not post_accounts_account
        ("post", "/v1/threads/{thread_id}/runs/{run_id}", (), ["threads", "runs", "update"]),
        ("get", "/v1/account", (), ["account", "retrieve"]),  # a singleton, not a collection
        ("get", "/v1/checkout/sessions/{session}/line_items", (), ["checkout", "sessions", "line_items", "list"]),
        ("get", "/v1/assistants/assistant_id", ("assistant_id",), ["assistants", "retrieve"]),  # old-format key
        ("delete", "/v1/assistants/assistant_id", ("assistant_id",), ["assistants", "delete"]),
        ("get", "/automation/v4/flows/flowid", ("flowId",), ["automation", "flows", "retrieve"]),
        ("put", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable", (), ["repos", "actions", "workflows", "disable"]),
        ("post", "/cms/v3/blogs/authors/batch/archive", (), ["cms", "blogs", "authors", "batch", "archive"]),
        ("get", "/blogs/v3/topics/search", (), ["blogs", "topics", "search"]),
        ("post", "/repos/{owner}/{repo}/releases/{release_id}/assets", (), ["repos", "releases", "assets", "create"]),
        ("post", "/conversations.archive", (), ["conversations", "archive"]),  # Slack's dotted methods
        ("get", "/admin.teams.owners.list", (), ["admin", "teams", "owners", "list"]),
        ("post", "/v3/ip_pools/{pool_id}/ips.json", (), ["ip_pools", "ips_json"]),  # a file, not a method
    ],
)
def test_names_follow_rest_shape(method: str, path: str, ids: tuple[str, ...], expected: list[str]) -> None:
    assert derive_client_name(method, path, None, [], frozenset(), frozenset(ids)) == expected


def test_derived_name_collisions_take_the_summary_and_are_reported(tmp_path: Path) -> None:
    api = api_of(tmp_path, """\
paths:
  /v1/things/{id}:
    get: {summary: Get a thing, parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
  /v1/things/{thing_id}/:
    get: {summary: Get a thing again, parameters: [{name: thing_id, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
  /v1/things/{x}//:
    get: {parameters: [{name: x, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
""")
    assert [o.key for o in api.operations] == ["things.retrieve", "things.get_a_thing_again", "things.retrieve_2"]
    assert len([w for w in api.warnings if "naming:" in w]) == 2


def test_parameter_names_avoid_keywords_shadowing_and_call_options(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /v1/things/{{thing-id}}:
    post:
      parameters:
        - {{name: thing-id, in: path, required: true, schema: {{type: string}}}}
        - {{name: from, in: query, schema: {{type: string}}}}
        - {{name: class, in: query, schema: {{type: string}}}}
        - {{name: match, in: query, schema: {{type: string}}}}
        - {{name: str, in: query, schema: {{type: string}}}}
        - {{name: timeout, in: query, schema: {{type: integer}}}}
        - {{name: self, in: query, schema: {{type: integer}}}}
        - {{name: extra_headers, in: query, schema: {{type: string}}}}
        - {{name: type, in: query, schema: {{type: string}}}}
        - {{name: fooBar, in: query, schema: {{type: string}}}}
        - {{name: foo_bar, in: query, schema: {{type: string}}}}
        - {{name: X-Request-Id, in: header, schema: {{type: string}}}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                from: {{type: string}}
                max_retries: {{type: integer}}
                "名前": {{type: string}}
      responses: {OK}
""")
    (op,) = api.operations
    names = {p.wire_name: str(p.py_name) for p in op.path_params + op.query_params + op.header_params}
    assert names == {
        "thing-id": "thing_id", "from": "from_", "class": "class_", "match": "match_", "str": "str_",
        "timeout": "timeout_", "self": "self_", "extra_headers": "extra_headers_", "type": "type",
        "fooBar": "foo_bar", "foo_bar": "foo_bar_2", "X-Request-Id": "x_request_id",
    }
    assert op.body is not None
    body = {p.wire_name: str(p.py_name) for p in op.body.fields}
    assert body == {"from": "from__2", "max_retries": "max_retries_", "名前": "value"}
    every = [str(p.py_name) for p in op.path_params + op.keyword_params]
    assert len(every) == len(set(every)), "one signature, no duplicate names"
    assert all(n.isidentifier() and not keyword.iskeyword(n) for n in every)


def test_client_names_with_keywords(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /v1/import/{{id}}/class:
    post:
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
      responses: {OK}
  /v1/global:
    get:
      x-client-name: lambda.def
      responses: {OK}
""")
    keys = {op.key for op in api.operations}
    assert keys == {"import_.class_", "lambda_.def_"}
    for r in all_resources(api.root):
        assert not keyword.iskeyword(str(r.attr))


def test_derived_duplicates_get_suffixes_and_declared_names_win(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /v1/things:
    get:
      responses: {OK}
  /v1/things/:
    get:
      responses: {OK}
  /v1/other:
    get:
      x-client-name: things.list
      responses: {OK}
""")
    by_path = {op.path: op.key for op in api.operations}
    assert by_path["/v1/other"] == "things.list"
    assert sorted([by_path["/v1/things"], by_path["/v1/things/"]]) == ["things.list_2", "things.list_3"]


def test_duplicate_operation_ids_as_fallback_names(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /v1/things:
    get:
      operationId: listThings
      responses: {OK}
  /v1/things/:
    get:
      operationId: listThingsAgain
      responses: {OK}
""")
    assert sorted(op.key for op in api.operations) == ["things.list", "things.list_things_again"]


def test_duplicate_x_client_name_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError) as info:
        api_of(tmp_path, f"""\
paths:
  /a:
    get:
      x-client-name: things.list
      responses: {OK}
  /b:
    get:
      x-client-name: things.list
      responses: {OK}
""")
    (diag,) = info.value.diagnostics
    assert diag.code == "naming.duplicate-client-name"
    assert diag.location.pointer == "/paths/~1b/get/x-client-name"
    assert "GET /a" in diag.message


def test_duplicate_x_client_name_error_has_its_line(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError) as info:
        api_of(tmp_path, f"paths:\n  /a:\n    get:\n      x-client-name: t.l\n      responses: {OK}\n"
                         f"  /b:\n    get:\n      x-client-name: t.l\n      responses: {OK}\n")
    assert info.value.diagnostics[0].location.line == 10


def methods_and_children(api: Api) -> list[tuple[str, list[str], list[str]]]:
    return [(str(r.class_name), [str(o.method_name) for o in r.operations], [str(c.attr) for c in r.children])
            for r in all_resources(api.root)]


def test_client_names_that_differ_only_in_case_stay_distinct(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /a:
    get:
      x-client-name: things.fetch
      responses: {OK}
  /b:
    get:
      x-client-name: Things.Fetch
      responses: {OK}
""")
    for _, methods, children in methods_and_children(api):
        assert len(methods) == len(set(methods)), methods
        assert not set(methods) & set(children)
    assert len({op.key for op in api.operations}) == 2


def test_method_named_like_a_child_resource(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /a:
    get:
      x-client-name: things.items
      responses: {OK}
  /b:
    get:
      x-client-name: things.items.list
      responses: {OK}
""")
    for _, methods, children in methods_and_children(api):
        assert not set(methods) & set(children), (methods, children)
    assert len({op.key for op in api.operations}) == 2


def test_model_field_and_class_names(tmp_path: Path) -> None:
    api = api_of(tmp_path, """\
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Any"}
components:
  schemas:
    Any:
      type: object
      properties:
        class: {type: string}
        to_dict: {type: string}
        parse: {type: string}
        with space: {type: string}
        withSpace: {type: string}
        "é": {type: string}
        "2nd": {type: string}
""")
    (model,) = [m for m in api.models if m.schema_name == "Any"]
    assert str(model.class_name) not in {"Any", "Literal", "TypedDict", "BaseModel"}
    fields: dict[str, Any] = {f.wire_name: str(f.py_name) for f in model.fields}  # type: ignore[union-attr]
    assert fields == {"class": "class_", "to_dict": "to_dict_", "parse": "parse_", "with space": "with_space",
                      "withSpace": "with_space_2", "é": "e", "2nd": "n2nd"}


# ------------------------------------------------------------------ reserved names, tied to the runtime

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated" / "anthropic_lowcodeapi"
# The Anthropic target and every golden case: between them they use each conditional import of the templates.
PACKAGES = [GENERATED] + sorted(p.parent for p in (ROOT / "tests" / "golden" / "cases").glob("*/expected/*/resources.py"))


def _module_names(path: Path) -> set[str]:
    """Every name a module binds at its top level (imports, classes, functions, assignments)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports
            names |= {(a.asname or a.name) for n in node.body if isinstance(n, ast.ImportFrom) for a in n.names}
    return names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_reserved_names_cover_what_generated_modules_bind(package: Path) -> None:
    """Whatever resources.py, _client.py and types.py bind beside the API's own classes is in RESERVED_NAMES:
    a new import in a template or the runtime fails here until the list has it."""
    from generator.naming import RESERVED_NAMES

    api_names: set[str] = set()  # models, TypedDicts, union aliases and resource classes
    for module in ("types.py", "resources.py"):
        for node in ast.parse((package / module).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                api_names.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                api_names.add(node.target.id)
    bound = set().union(*(_module_names(package / m) for m in ("resources.py", "_client.py", "types.py")))
    private = {n for n in bound if n.startswith("_")}  # `_m`, `_parse_X`, ...: no class name starts with `_`
    runtime_bound = bound - api_names - private
    assert runtime_bound <= RESERVED_NAMES, sorted(runtime_bound - RESERVED_NAMES)
    assert {"Client", "AsyncClient", "SyncResource", "ROUTES"} <= runtime_bound  # the parse found the imports


def test_client_attrs_cover_the_runtime_clients() -> None:
    """A top-level resource never shadows an attribute of the runtime's clients (`copy`, `close`, ...)."""
    import importlib
    import sys

    from generator.naming import CLIENT_ATTRS

    sys.path.insert(0, str(GENERATED.parent))
    try:
        core = importlib.import_module("anthropic_lowcodeapi._core")
        async_core = importlib.import_module("anthropic_lowcodeapi._async_core")
    finally:
        sys.path.remove(str(GENERATED.parent))
    public = {n for cls in (core.SyncAPIClient, async_core.AsyncAPIClient)
              for n in dir(cls(api_token="t")) if not n.startswith("_")}
    assert public <= CLIENT_ATTRS, sorted(public - CLIENT_ATTRS)


@pytest.mark.parametrize("segment", ["client", "async_client", "copy", "close", "with_options", "httpx", "os"])
def test_resources_named_like_the_client_are_renamed(tmp_path: Path, segment: str) -> None:
    from generator.naming import CLIENT_ATTRS, RESERVED_NAMES

    api = api_of(tmp_path, f"paths:\n  /{segment}:\n    get: {{responses: {OK}}}\n  /{segment}/x/{segment}:\n    post: {{responses: {OK}}}\n")
    for child in api.root.children:
        assert child.class_name not in RESERVED_NAMES and child.async_class_name not in RESERVED_NAMES
        assert child.attr not in CLIENT_ATTRS | {"httpx", "os"}
        for op in child.operations:
            assert op.method_name not in {"httpx", "os"}


def test_cli_reserved_names_are_the_options_the_cli_runtime_adds() -> None:
    """Every option the CLI runtime adds to a command whatever its fields are is in CLI_RESERVED, so
    an API field never takes its name. (`--message` and `--stream` are added only where no field
    has the name / for the stream switch itself, so they are not reserved.)"""
    import re

    from generator.naming import CLI_RESERVED

    runtime = (ROOT / "templates" / "package" / "runtime" / "_cli_support.py").read_text(encoding="utf-8")
    command = runtime.split("\ndef _command(", 1)[1].split("\ndef ", 1)[0]  # a command's own options
    added = set(re.findall(r'click\.Option\(\s*\[(?:"-\w", )?"--([\w-]+)"', command))
    assert added - {"message", "stream"} <= CLI_RESERVED, sorted(added - CLI_RESERVED)
    assert {"body", "max-items", "output-file"} <= added, "the pattern still finds the runtime's options"
    assert "help" in CLI_RESERVED  # click's own
