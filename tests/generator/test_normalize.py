"""normalize.py: the merged document becomes the IR (resources, operations, params, bodies, responses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gentest_util import anthropic_provider, plain_provider, spec_file

from generator.ir import Api, Operation, Resource
from generator.load import load_spec
from generator.merge import merge_specs
from generator.normalize import normalize

HEAD = 'openapi: 3.1.0\ninfo: {title: Shapes, version: "2.0", description: "About."}\n'
OK = '{"200": {description: ok}}'


def api_of(tmp_path: Path, text: str, provider: object = None, package: str = "shapes_pkg") -> Api:
    path = spec_file(tmp_path, "s.yaml", HEAD + text)
    prov = provider or plain_provider()
    merged = merge_specs(load_spec(str(path)), None, prov)  # type: ignore[arg-type]
    return normalize(merged.document, prov, package, merged.report.inputs, str(path), routes=merged.routes)  # type: ignore[arg-type]


def op(api: Api, key: str) -> Operation:
    return next(o for o in api.operations if o.key == key)


def node(root: Resource, *path: str) -> Resource:
    for part in path:
        root = next(c for c in root.children if c.attr == part)
    return root


TREE = f"""\
paths:
  /v1/organizations/workspaces/{{workspace_id}}/members/{{user_id}}:
    get:
      x-client-name: organizations.workspaces.members.retrieve
      summary: Get Workspace Member
      description: "Long text."
      deprecated: true
      parameters:
        - {{name: user_id, in: path, required: true, schema: {{type: string}}}}
        - {{name: workspace_id, in: path, schema: {{type: string}}}}
      responses: {OK}
  /v1/organizations/workspaces:
    get:
      x-client-name: organizations.workspaces.list
      responses: {OK}
  /v1/organizations/me:
    get:
      x-client-name: organizations.me
      responses: {OK}
  /v1/models:
    get:
      x-client-name: models.list
      responses: {OK}
"""


def test_api_fields(tmp_path: Path) -> None:
    api = api_of(tmp_path, TREE)
    assert (api.package, api.distribution, api.cli_command) == ("shapes_pkg", "shapes-pkg", "shapes-pkg")
    assert (api.title, api.version, api.description) == ("Shapes", "2.0", "About.")
    assert len(api.operations) == 4


def test_resource_tree_from_dotted_names(tmp_path: Path) -> None:
    api = api_of(tmp_path, TREE)
    root = api.root
    assert [c.attr for c in root.children] == ["models", "organizations"]
    orgs = node(root, "organizations")
    assert [o.method_name for o in orgs.operations] == ["me"]
    members = node(root, "organizations", "workspaces", "members")
    assert members.path == ("organizations", "workspaces", "members")
    assert [o.key for o in members.operations] == ["organizations.workspaces.members.retrieve"]
    classes = [str(r.class_name) for r in (root, orgs, node(root, "organizations", "workspaces"), members)]
    assert len(set(classes)) == 4 and all(c.isidentifier() for c in classes)
    assert str(members.async_class_name).startswith("Async")


def test_operation_fields_and_path_parameter_order(tmp_path: Path) -> None:
    o = op(api_of(tmp_path, TREE), "organizations.workspaces.members.retrieve")
    assert (o.method_name, o.cli_name, o.http_method) == ("retrieve", "retrieve", "GET")
    assert (o.summary, o.description, o.deprecated) == ("Get Workspace Member", "Long text.", True)
    assert [p.wire_name for p in o.path_params] == ["workspace_id", "user_id"]  # template order, not declaration order
    assert all(p.required and p.location == "path" for p in o.path_params)
    assert o.source == "spec"
    assert o.route.direct == o.route.new == "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"


def test_routes_come_from_the_merge(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /v1/messages/batches/{{message_batch_id}}:
    get:
      x-client-name: messages.batches.retrieve
      x-lowcodeapi-route: /v1/message_batches/{{batch_id}}
      parameters: [{{name: message_batch_id, in: path, required: true, schema: {{type: string}}}}]
      responses: {OK}
""", provider=anthropic_provider())
    route = op(api, "messages.batches.retrieve").route
    assert route.name == "messages.batches.retrieve"
    assert (route.direct, route.new, route.old) == ("/v1/messages/batches/{message_batch_id}",
                                                    "/v1/message_batches/{message_batch_id}", "/v1/message_batches/batchid")
    assert route.old_query == (("batchid", "message_batch_id"),)


RESPONSES = """\
paths:
  /json:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}
  /vendor:
    get:
      responses:
        "201": {description: ok, content: {application/vnd.acme+json; charset=utf-8: {schema: {type: integer}}}}
  /star:
    get:
      responses:
        "200": {description: ok, content: {"*/*": {schema: {type: string}}}}
  /binary:
    get:
      responses:
        "200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
  /pdf:
    get:
      responses:
        "200": {description: ok, content: {application/pdf: {schema: {type: string, format: binary}}}}
  /lines:
    get:
      responses:
        "200": {description: ok, content: {application/x-jsonl: {schema: {type: object, properties: {id: {type: string}}}}}}
  /events:
    get:
      responses:
        "200": {description: ok, content: {text/event-stream: {schema: {type: object, properties: {e: {type: string}}}}}}
  /empty:
    delete:
      responses:
        "204": {description: gone}
  /errors-only:
    get:
      responses:
        "400": {description: bad}
  /range:
    get:
      responses:
        "2XX": {description: ok, content: {application/json: {schema: {type: boolean}}}}
"""


@pytest.mark.parametrize(
    ("key", "kind", "annotation"),
    [
        ("json.retrieve", "json", "JsonRetrieveResponse"),
        ("vendor.retrieve", "json", "int"),
        ("star.retrieve", "json", "str"),
        ("binary.retrieve", "binary", None),
        ("pdf.retrieve", "binary", None),
        ("lines.list", "jsonl", "LinesListLine"),
        ("events.list", "sse", "EventsListEvent"),
        ("empty.delete", "empty", None),
        ("errors_only.retrieve", "json", "Any"),
        ("range.retrieve", "json", "bool"),
    ],
)
def test_response_kinds(tmp_path: Path, key: str, kind: str, annotation: str | None) -> None:
    api = api_of(tmp_path, RESPONSES)
    o = op(api, key)
    assert o.response.kind == kind
    got = o.response.type.annotation if o.response.type is not None else None
    assert got == annotation
    assert (o.to_file_name is not None) == (kind == "binary")


def test_bodies(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /json:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {{type: string}}
                size: {{type: integer, default: 3}}
      responses: {OK}
  /upload:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {{type: object, properties: {{file: {{type: string, format: binary}}}}}}
      responses: {OK}
  /form:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {{type: object, properties: {{a: {{type: string}}}}}}
      responses: {OK}
  /array:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {{type: array, items: {{type: string}}}}
      responses: {OK}
""")
    body = op(api, "json.create").body
    assert body is not None and (body.kind, body.media_type, body.required, body.whole) == ("json", "application/json", True, None)
    assert [(f.wire_name, f.required, f.default) for f in body.fields] == [("name", True, None), ("size", False, "3")]
    upload = op(api, "upload.create").body
    assert upload is not None and upload.kind == "multipart" and upload.fields[0].type.is_binary
    form = op(api, "form.create").body
    assert form is not None and form.kind == "form"
    whole = op(api, "array.create").body
    assert whole is not None and whole.fields == () and whole.whole is not None
    assert (whole.whole.py_name, whole.whole.type.annotation, whole.whole.required) == ("body", "list[str]", True)
    # keyword parameters: required first
    assert [p.wire_name for p in op(api, "json.create").keyword_params] == ["name", "size"]


def test_streaming_switch_and_cursor_pages(tmp_path: Path) -> None:
    api = api_of(tmp_path, """\
paths:
  /v1/messages:
    post:
      x-client-name: messages.create
      x-streaming: sse
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                model: {type: string}
                stream: {type: boolean}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
            text/event-stream:
              schema: {type: object, properties: {type: {type: string}}}
  /v1/models:
    get:
      x-client-name: models.list
      x-pagination: cursor
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: after_id, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ModelPage"}
components:
  schemas:
    Model:
      type: object
      properties: {id: {type: string}}
    ModelPage:
      type: object
      properties:
        data: {type: array, items: {$ref: "#/components/schemas/Model"}}
        has_more: {type: boolean}
        last_id: {type: [string, "null"]}
""")
    create = op(api, "messages.create")
    assert create.kind == "stream-or-json"
    assert create.stream_switch is not None and create.stream_switch.wire_name == "stream"
    assert create.body is not None and [f.wire_name for f in create.body.fields] == ["model"]
    assert create.response.stream_event is not None
    page = op(api, "models.list")
    assert page.kind == "page" and page.pagination is not None
    assert page.pagination.item.annotation == "Model" and page.pagination.cursor_param == "after_id"


def test_token_pagination_is_declared(tmp_path: Path) -> None:
    api = api_of(tmp_path, """\
paths:
  /v1/agents:
    get:
      x-client-name: agents.list
      x-pagination: page
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: page, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {type: object, title: Agent, properties: {id: {type: string}}}}
                  next_page: {type: [string, "null"]}
""")
    listing = op(api, "agents.list")
    assert listing.kind == "page" and listing.pagination is not None
    assert listing.pagination.cursor_param == "page"


def test_auth_headers_are_the_clients_job(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /a:
    get:
      parameters:
        - {{name: x-api-key, in: header, schema: {{type: string}}}}
        - {{name: Authorization, in: header, schema: {{type: string}}}}
        - {{name: anthropic-beta, in: header, schema: {{type: string}}}}
      responses: {OK}
""")
    assert [p.wire_name for p in op(api, "a.retrieve").header_params] == ["anthropic-beta"]


def test_cookie_parameters_are_not_silently_dropped(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /a:
    get:
      parameters:
        - {{name: session, in: cookie, required: true, schema: {{type: string}}}}
      responses: {OK}
""")
    o = op(api, "a.retrieve")
    kept = [p.wire_name for p in o.path_params + o.keyword_params]
    assert "session" in kept or any("session" in w for w in api.warnings)


def test_no_operation_is_dropped(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /v1/messages?beta=true:
    post:
      responses: {OK}
  /v1/messages:
    post:
      responses: {OK}
  /shared:
    $ref: "#/components/pathItems/Shared"
  /all/{{id}}:
    parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
    get: {{responses: {OK}}}
    put: {{responses: {OK}}}
    post: {{responses: {OK}}}
    delete: {{responses: {OK}}}
    options: {{responses: {OK}}}
    head: {{responses: {OK}}}
    patch: {{responses: {OK}}}
    trace: {{responses: {OK}}}
components:
  pathItems:
    Shared:
      get: {{responses: {OK}}}
""")
    assert len(api.operations) == 11
    assert len({o.key for o in api.operations}) == 11
    for o in api.operations:
        assert all(part.isidentifier() for part in o.key.split("."))


def test_enum_aliases_widen_the_values_and_bad_entries_warn(tmp_path: Path) -> None:
    api = api_of(tmp_path, f"""\
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                role:
                  type: string
                  enum: [workspace_user, workspace_admin]
                  x-enum-aliases: {{member: workspace_user, admin: workspace_admin, boss: owner, workspace_user: workspace_admin}}
      responses: {OK}
""")
    role = op(api, "a.create").body.fields[0]  # type: ignore[union-attr]
    assert role.enum_aliases == (("admin", "workspace_admin"), ("member", "workspace_user"))
    assert role.type.enum_values == ("workspace_user", "workspace_admin", "admin", "member")
    assert role.type.param_annotation == 'Literal["workspace_user", "workspace_admin", "admin", "member"]'
    assert sum("x-enum-aliases" in w for w in api.warnings) == 2  # 'boss' and the enum's own value


# --------------------------------------------------------------------- parameter styles, inline types


def test_parameter_styles_are_decided_once(tmp_path: Path) -> None:
    """Declared style/explode, else OpenAPI's default per location (explode true for form only); the route
    carries the parameters whose style is not their location's default; a style the location does not
    allow falls back to the default with a warning."""
    api = api_of(tmp_path, """
paths:
  /a/{p}/{l}:
    get:
      parameters:
        - {name: p, in: path, required: true, schema: {type: string}}
        - {name: l, in: path, required: true, style: label, explode: true, schema: {type: string}}
        - {name: f, in: query, schema: {type: array, items: {type: string}}}
        - {name: d, in: query, style: deepObject, schema: {type: object, properties: {gte: {type: integer}}}}
        - {name: s, in: query, style: spaceDelimited, schema: {type: array, items: {type: string}}}
        - {name: h, in: header, schema: {type: array, items: {type: string}}}
        - {name: bad, in: header, style: deepObject, schema: {type: string}}
      responses: {"204": {description: none}}
""")
    o = api.operations[0]
    got = {p.wire_name: (p.style, p.explode) for p in o.path_params + o.query_params + o.header_params}
    assert got == {"p": ("simple", False), "l": ("label", True), "f": ("form", True), "d": ("deepObject", False),
                   "s": ("spaceDelimited", False), "h": ("simple", False), "bad": ("simple", False)}
    assert o.route.styles == (("path", "l", "label", True), ("query", "d", "deepObject", False),
                              ("query", "s", "spaceDelimited", False))
    assert any("/parameters/6/style" in w and "deepObject" in w for w in api.warnings), api.warnings


def test_default_styles_match_the_runtime() -> None:
    """The runtime fills in the styles that the route leaves out: its defaults are normalize's."""
    import ast

    from generator.normalize import DEFAULT_STYLES

    source = (Path(__file__).resolve().parents[2] / "templates/package/runtime/_styles.py").read_text(encoding="utf-8")
    found = next(n for n in ast.parse(source).body if isinstance(n, ast.AnnAssign)
                 and isinstance(n.target, ast.Name) and n.target.id == "DEFAULT_STYLES")
    assert found.value is not None and ast.literal_eval(found.value) == DEFAULT_STYLES


INLINE = """
paths:
  /things/{pa}/{pb}:
    post:
      parameters:
        - {name: pa, in: path, required: true, schema: {type: object, properties: {a1: {type: string}}}}
        - {name: pb, in: path, required: true, schema: {type: object, properties: {b1: {type: string}}}}
        - {name: qa, in: query, schema: {type: object, properties: {a2: {type: string}}}}
        - {name: qb, in: query, schema: {type: object, properties: {b2: {type: string}}}}
        - {name: ha, in: header, schema: {type: object, properties: {a3: {type: string}}}}
        - {name: hb, in: header, schema: {type: object, properties: {b3: {type: string}}}}
      requestBody:
        content:
          %s:
            schema:
              type: object
              properties:
                oa: {type: object, properties: {a4: {type: string}}}
                ob: {type: object, properties: {b4: {type: string}}}
                la: {type: array, items: {type: object, properties: {a5: {type: string}}}}
                lb: {type: array, items: {type: object, properties: {b5: {type: string}}}}
                ua: {oneOf: [{type: object, properties: {a6: {type: string}}}, {type: integer}]}
                ub: {oneOf: [{type: object, properties: {b6: {type: string}}}, {type: integer}]}
                na: {type: object, properties: {inner: {type: object, properties: {a7: {type: string}}}}}
                nb: {type: object, properties: {inner: {type: object, properties: {b7: {type: string}}}}}
      responses: {"204": {description: none}}
"""


@pytest.mark.parametrize("media", ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_every_inline_schema_gets_its_own_type(tmp_path: Path, media: str) -> None:
    """Two inline objects in one operation (parameters, body fields, array items, union members, nested) never
    share a type: each model has the fields of its own schema, under its own name."""
    api = api_of(tmp_path, INLINE % media)
    fields = {m.class_name: tuple(f.wire_name for f in m.fields) for m in api.models if hasattr(m, "fields")}
    leaves = sorted(f for names in fields.values() for f in names if f[-1].isdigit())
    assert leaves == sorted(f"{x}{i}" for x in "ab" for i in range(1, 8)), fields
    assert len(set(fields)) == len(fields)
    again = api_of(tmp_path, INLINE % media)
    assert [m.class_name for m in again.models] == [m.class_name for m in api.models]  # deterministic names
