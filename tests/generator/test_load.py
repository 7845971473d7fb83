"""load.py: read, repair, validate (openapi-pydantic, 3.0 and 3.1), check references and operations."""

from __future__ import annotations

from pathlib import Path

import pytest
from gentest_util import MINIMAL, spec_file

from generator.diagnostics import Diagnostic, GeneratorError
from generator.load import load_spec
from generator.refs import iter_refs, resolve_pointer

HEAD31 = 'openapi: 3.1.0\ninfo: {title: T, version: "1"}\n'


def errors_of(path: Path) -> tuple[Diagnostic, ...]:
    with pytest.raises(GeneratorError) as info:
        load_spec(str(path))
    assert all(d.level == "error" for d in info.value.diagnostics)
    return info.value.diagnostics


def one_error(path: Path) -> Diagnostic:
    (diag,) = errors_of(path)
    return diag


def test_valid_31_and_30_documents_load(tmp_path: Path) -> None:
    spec = load_spec(str(spec_file(tmp_path, "a.yaml", MINIMAL)))
    assert spec.dialect == "openapi" and spec.version == "3.1.0" and spec.diagnostics == ()
    v30 = spec_file(tmp_path, "b.yaml", MINIMAL.replace("openapi: 3.1.0", "openapi: 3.0.3").replace(
        "size: {type: integer}", "size: {type: integer, nullable: true}"))
    assert load_spec(str(v30)).version == "3.0.3"


def test_validation_error_has_pointer_and_line(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "v.yaml", HEAD31 + """\
paths:
  /a:
    get:
      parameters:
        - {name: q, in: nowhere, schema: {type: string}}
      responses: {"200": {description: ok}}
""")
    diag = one_error(path)
    assert diag.code == "openapi.invalid"
    assert diag.location.pointer == "/paths/~1a/get/parameters/0/in"
    assert diag.location.line == 7
    assert str(diag).startswith(f"{path}:7: /paths/~1a/get/parameters/0/in: error: ")


def test_30_rules_apply_to_30_documents(tmp_path: Path) -> None:
    # `type: [string, "null"]` is 3.1; in a 3.0 document it is an error at that schema's `type`.
    path = spec_file(tmp_path, "t.yaml", """\
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: [string, "null"]}
""")
    diag = one_error(path)
    assert diag.location.pointer == "/paths/~1a/get/responses/200/content/application~1json/schema/type"
    assert diag.location.line == 11


def test_30_operation_without_responses(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "r.yaml", 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /a:\n    get:\n      summary: s\n')
    diag = one_error(path)
    assert diag.location.pointer == "/paths/~1a/get" and diag.location.line == 5
    assert "responses" in diag.message


def test_no_info_is_an_error(tmp_path: Path) -> None:
    diag = one_error(spec_file(tmp_path, "i.yaml", "openapi: 3.1.0\npaths: {}\n"))
    assert diag.code == "openapi.invalid" and "info" in diag.message and diag.location.line == 1


@pytest.mark.parametrize(
    ("text", "code", "pointer"),
    [
        ('swagger: "2.0"\ninfo: {title: T, version: "1"}\npaths: {}\n', "openapi.swagger2", "/swagger"),
        ('openapi: 4.0.0\ninfo: {title: T, version: "1"}\npaths: {}\n', "openapi.version", "/openapi"),
        ('openapi: 3.1\ninfo: {title: T, version: "1"}\npaths: {}\n', "openapi.version", "/openapi"),  # a YAML float
        (HEAD31 + "paths: []\n", "openapi.paths", "/paths"),
    ],
)
def test_shape_errors(tmp_path: Path, text: str, code: str, pointer: str) -> None:
    diag = one_error(spec_file(tmp_path, "s.yaml", text))
    assert (diag.code, diag.location.pointer) == (code, pointer)
    assert diag.location.line is not None


DANGLING = HEAD31 + """\
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Nope"
"""


def test_dangling_ref(tmp_path: Path) -> None:
    diag = one_error(spec_file(tmp_path, "d.yaml", DANGLING))
    assert diag.code == "ref.dangling"
    assert diag.location.pointer == "/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    assert diag.location.line == 12
    assert "#/components/schemas/Nope" in diag.message


def cycle_spec(tmp_path: Path, schemas: str) -> Path:
    return spec_file(tmp_path, "c.yaml", HEAD31 + """\
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
components:
  schemas:
""" + schemas)


def test_ref_cycle_with_no_schema_in_it(tmp_path: Path) -> None:
    path = cycle_spec(tmp_path, '    A: {$ref: "#/components/schemas/B"}\n    B: {$ref: "#/components/schemas/A"}\n')
    diags = errors_of(path)
    assert {d.code for d in diags} == {"ref.cycle"}
    assert {d.location.pointer for d in diags} <= {"/components/schemas/A/$ref", "/components/schemas/B/$ref"}
    assert all(d.location.line in (14, 15) for d in diags)


def test_self_reference(tmp_path: Path) -> None:
    diag = one_error(cycle_spec(tmp_path, '    A: {$ref: "#/components/schemas/A"}\n'))
    assert diag.code == "ref.cycle" and diag.location.pointer == "/components/schemas/A/$ref"


def test_recursive_schema_is_fine(tmp_path: Path) -> None:
    path = cycle_spec(tmp_path, """\
    A:
      type: object
      properties:
        children: {type: array, items: {$ref: "#/components/schemas/A"}}
        next: {$ref: "#/components/schemas/B"}
    B:
      oneOf:
        - {$ref: "#/components/schemas/A"}
        - {type: "null"}
""")
    assert load_spec(str(path)).diagnostics == ()


def test_refs_inside_example_data_are_not_references(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "e.yaml", HEAD31 + """\
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, example: {$ref: "#/not/a/reference"}}
""")
    load_spec(str(path))


def test_resolve_pointer_and_iter_refs() -> None:
    doc = {"paths": {"/a/b": {"get": {"x": [{"$ref": "#/paths/~1a~1b"}]}}}, "t~d": 1}
    assert resolve_pointer(doc, "#/paths/~1a~1b/get/x/0") == {"$ref": "#/paths/~1a~1b"}
    assert resolve_pointer(doc, "#/t~0d") == 1
    assert resolve_pointer(doc, "#") is doc
    for bad in ("#/nope", "#/paths/~1a~1b/get/x/7", "other.yaml#/a"):
        with pytest.raises(KeyError):
            resolve_pointer(doc, bad)
    assert list(iter_refs(doc)) == [("#/paths/~1a~1b", "/paths/~1a~1b/get/x/0")]


def test_duplicate_operation_ids(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "d.yaml", HEAD31 + """\
paths:
  /a:
    get:
      operationId: same
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: same
      responses: {"200": {description: ok}}
""")
    diag = one_error(path)
    assert diag.code == "operation.duplicate-id"
    assert diag.location.pointer == "/paths/~1b/get/operationId" and diag.location.line == 10
    assert "GET /a" in diag.message


def test_declared_path_parameter_missing_from_template(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "p.yaml", HEAD31 + """\
paths:
  /a:
    get:
      parameters:
        - {name: a_id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
""")
    diag = one_error(path)
    assert diag.code == "path.param-not-in-template"
    assert diag.location.pointer == "/paths/~1a/get" and diag.location.line == 5 and "a_id" in diag.message


def test_templated_path_parameter_not_declared(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "p.yaml", HEAD31 + """\
paths:
  /a/{a_id}:
    get:
      responses: {"200": {description: ok}}
""")
    diag = one_error(path)
    assert diag.code == "path.undeclared-param"
    assert diag.location.pointer == "/paths/~1a~1{a_id}/get" and diag.location.line == 5


def test_path_level_and_referenced_parameters_count_as_declared(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "p.yaml", HEAD31 + """\
paths:
  /a/{a_id}/b/{b_id}:
    parameters:
      - {name: a_id, in: path, required: true, schema: {type: string}}
    get:
      parameters:
        - $ref: "#/components/parameters/B"
      responses: {"200": {description: ok}}
components:
  parameters:
    B: {name: b_id, in: path, required: true, schema: {type: string}}
""")
    load_spec(str(path))


def test_path_key_query_string_is_not_a_template(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "q.yaml", HEAD31 + """\
paths:
  /v1/messages?beta=true:
    post:
      responses: {"200": {description: ok}}
""")
    load_spec(str(path))


def test_errors_are_capped(tmp_path: Path) -> None:
    lines = [HEAD31, "paths:\n"]
    for i in range(30):
        lines.append(f"  /a{i}/{{x}}:\n    get:\n      responses: {{\"200\": {{description: ok}}}}\n")
    diags = errors_of(spec_file(tmp_path, "m.yaml", "".join(lines)))
    assert len(diags) == 20 and all(d.code == "path.undeclared-param" for d in diags)


def test_validation_can_be_skipped(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "v.yaml", HEAD31 + """\
paths:
  /a:
    get:
      parameters:
        - {name: q, in: nowhere}
      responses: {"200": {description: ok}}
""")
    assert load_spec(str(path), validate=False).document["paths"]["/a"]["get"]["parameters"][0]["in"] == "nowhere"


@pytest.mark.parametrize("cores", [1, 2])
def test_deferred_validation_reports_what_loading_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int) -> None:
    """Validation handed to PendingValidation (forked, or here on one core) gives the same errors."""
    from generator.load import PendingValidation

    monkeypatch.setattr("os.cpu_count", lambda: cores)
    spec = spec_file(tmp_path, "bad.yaml", """
        openapi: 3.1.0
        info: {title: Bad, version: "1"}
        paths:
          /x:
            get:
              responses:
                "200": {description: 5}
    """)
    with pytest.raises(GeneratorError) as direct:
        load_spec(str(spec))
    loaded = load_spec(str(spec), defer_validation=True)  # loads: the validation is left to the caller
    pending = PendingValidation([loaded])
    assert (pending._process is not None) == (cores > 1)
    with pytest.raises(GeneratorError) as deferred:
        pending.finish()
    assert [str(d) for d in deferred.value.diagnostics] == [str(d) for d in direct.value.diagnostics]
    PendingValidation([load_spec(str(spec_file(tmp_path, "ok.yaml", MINIMAL)), defer_validation=True)]).finish()
