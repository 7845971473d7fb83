"""Plain OpenAPI mode handles the constructs real specs use: one small hand-written spec per construct.

Each spec is generated with `lowcodegen generate --spec ... --package ... --out ...` (all of them in
parallel, once per session); the tests import the package and call it against a loopback server that
records what it gets.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from featurekit import SpecPool, method_for
from recorder import Recorder, serve
from robustkit import compile_errors, introspect, load_document, operations, run_mypy, run_ruff

CALL_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries"}

MODULE_NAMES_BUG = ("BUG: a child resource named `cached_property` (path /names/cached_property next to /names/zebra) "
                    "becomes `def cached_property(self)` in the parent's class body, which shadows the functools "
                    "decorator for the properties after it: importing the package raises TypeError: "
                    "'cached_property' object is not callable")

SPECS: dict[str, str] = {}

SPECS["query_string"] = """
openapi: 3.1.0
info: {title: Beta paths, version: "1"}
paths:
  /v1/messages:
    post:
      operationId: messages_post
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Req"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Msg"}}}}
  /v1/messages?beta=true:
    post:
      operationId: beta_messages_post
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Req"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Msg"}}}}
  /v1/models/{model_id}?beta=true:
    get:
      operationId: beta_models_get
      parameters:
        - {name: model_id, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Msg"}}}}
components:
  schemas:
    Req:
      type: object
      required: [model]
      properties: {model: {type: string}, max_tokens: {type: integer}}
    Msg:
      type: object
      properties: {id: {type: string}}
"""

SPECS["auth_headers"] = """
openapi: 3.1.0
info: {title: Header auth, version: "1"}
paths:
  /v1/models:
    get:
      operationId: models_list
      parameters:
        - {name: x-api-key, in: header, required: true, schema: {type: string}}
        - {name: anthropic-beta, in: header, required: false, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {type: string}}}}}}}
"""

SPECS["no_auth"] = """
openapi: 3.1.0
info: {title: No auth at all, version: "1"}
paths:
  /ping:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {ok: {type: boolean}}}}}}
"""

SECURITY = """
openapi: 3.0.3
info: {title: Declared security, version: "1"}
security: [{auth: []}]
paths:
  /things:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  securitySchemes:
    auth: %s
"""
SPECS["security_api_key"] = SECURITY % "{type: apiKey, in: header, name: X-Token}"
SPECS["security_bearer"] = SECURITY % "{type: http, scheme: bearer, bearerFormat: JWT}"

SPECS["vendor_media"] = """
openapi: 3.0.3
info: {title: Vendor media types, version: "1"}
paths:
  /repos/{owner}/{repo}/stargazers:
    get:
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/vnd.github.v3.star+json:
              schema: {type: array, items: {$ref: "#/components/schemas/Stargazer"}}
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Stargazer"}}
  /user:
    patch:
      requestBody:
        content:
          application/vnd.github.v3+json:
            schema: {type: object, properties: {name: {type: string}, bio: {type: string}}}
      responses:
        "200":
          description: ok
          content: {application/vnd.github.v3+json: {schema: {$ref: "#/components/schemas/User"}}}
components:
  schemas:
    User: {type: object, properties: {login: {type: string}, name: {type: string}}}
    Stargazer:
      type: object
      properties:
        starred_at: {type: string}
        user: {$ref: "#/components/schemas/User"}
"""

SPECS["star_media"] = """
openapi: 3.0.3
info: {title: Star media type, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {"*/*": {schema: {$ref: "#/components/schemas/Thing"}}}}
    put:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content: {"*/*": {schema: {$ref: "#/components/schemas/Thing"}}}
      responses:
        "204": {description: done}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}, size: {type: integer}}}
"""

SPECS["form_body"] = """
openapi: 3.0.0
info: {title: Form bodies, version: "1"}
paths:
  /v1/customers:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [email]
              properties:
                email: {type: string}
                balance: {type: integer}
                metadata: {type: object, additionalProperties: {type: string}}
                expand: {type: array, items: {type: string}}
                address:
                  type: object
                  properties: {city: {type: string}, line1: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Customer"}}}}
components:
  schemas:
    Customer: {type: object, properties: {id: {type: string}, email: {type: string}}}
"""

SPECS["jsonl_binary"] = """
openapi: 3.1.0
info: {title: Lines and bytes, version: "1"}
paths:
  /v1/batches/{batch_id}/results:
    get:
      parameters: [{name: batch_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: one JSON object per line
          content: {application/x-jsonl: {schema: {$ref: "#/components/schemas/Result"}}}
  /v1/files/{file_id}/content:
    get:
      parameters: [{name: file_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the bytes
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
  /v1/files/{file_id}/preview:
    get:
      parameters: [{name: file_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: a PDF, content: {application/pdf: {}}}
components:
  schemas:
    Result:
      type: object
      properties:
        custom_id: {type: string}
        result: {type: object, properties: {type: {type: string}}}
"""

SPECS["multipart_binary"] = """
openapi: 3.1.0
info: {title: Upload in bytes out, version: "1"}
paths:
  /v1/audio/convert:
    post:
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, format]
              properties:
                file: {type: string, format: binary}
                format: {type: string}
      responses:
        "200": {description: converted audio, content: {audio/mpeg: {schema: {type: string, format: binary}}}}
"""

SPECS["raw_bodies"] = """
openapi: 3.0.3
info: {title: Bodies that are not objects, version: "1"}
paths:
  /pet/{petId}/uploadImage:
    post:
      parameters: [{name: petId, in: path, required: true, schema: {type: integer, format: int64}}]
      requestBody:
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {code: {type: integer}}}}}}
  /user/createWithList:
    post:
      requestBody:
        content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/User"}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/User"}}}}
  /notes:
    post:
      requestBody:
        content: {text/plain: {schema: {type: string}}}
      responses:
        "204": {description: none}
components:
  schemas:
    User: {type: object, properties: {username: {type: string}}}
"""

SPECS["unions"] = """
openapi: 3.1.0
info: {title: Unions, version: "1"}
paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
  /pets:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
  /named:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Named"}}}}
  /values:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Value"}}}}
components:
  schemas:
    Pet:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator:
        propertyName: pet_type
        mapping: {cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog"}
    Cat:
      type: object
      required: [pet_type]
      properties: {pet_type: {const: cat}, meows: {type: boolean}}
    Dog:
      type: object
      required: [pet_type]
      properties: {pet_type: {type: string, enum: [dog]}, barks: {type: boolean}}
    Base:
      type: object
      properties: {id: {type: string}}
    Named:
      allOf:
        - {$ref: "#/components/schemas/Base"}
        - {type: object, properties: {name: {type: string}, kind: {const: named}}}
    Value:
      anyOf: [{type: string}, {type: integer}, {$ref: "#/components/schemas/Cat"}]
"""

SPECS["nested_unions"] = """
openapi: 3.1.0
info: {title: Unions inside unions, version: "1"}
paths:
  /inputs:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/InputItem"}}}}
components:
  schemas:
    InputItem:
      oneOf: [{$ref: "#/components/schemas/EasyMessage"}, {$ref: "#/components/schemas/Item"}]
    Item:
      oneOf: [{$ref: "#/components/schemas/Message"}, {$ref: "#/components/schemas/ToolCall"}]
      discriminator: {propertyName: type}
    EasyMessage:
      type: object
      required: [role, content]
      properties: {role: {type: string}, content: {type: string}}
    Message:
      type: object
      required: [type]
      properties: {type: {type: string, enum: [message]}, text: {type: string}}
    ToolCall:
      type: object
      required: [type]
      properties: {type: {type: string, enum: [tool_call]}, name: {type: string}}
"""

SPECS["scalar_responses"] = """
openapi: 3.1.0
info: {title: Scalar responses, version: "1"}
paths:
  /text:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
  /count:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: integer}}}}}
  /ratio:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: number}}}}}
  /flag:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: boolean}}}}}
  /names:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}}
  /plain:
    get:
      responses: {"200": {description: ok, content: {text/plain: {schema: {type: string}}}}}
"""

SPECS["nullable"] = """
openapi: 3.1.0
info: {title: Nullable inside 3.1, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
components:
  schemas:
    Other: {type: object, properties: {x: {type: integer}}}
    Thing:
      type: object
      required: [name, count]
      properties:
        name: {type: string, nullable: true}
        count: {type: integer, nullable: true}
        tags: {type: array, items: {type: string}, nullable: true}
        other:
          allOf: [{$ref: "#/components/schemas/Other"}]
          nullable: true
        modern: {type: [string, "null"]}
"""

SPECS["recursive"] = """
openapi: 3.1.0
info: {title: Recursive, version: "1"}
paths:
  /nodes/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}}
  /nodes:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}
  /trees:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Tree"}}}}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        parent: {$ref: "#/components/schemas/Node"}
    A:
      type: object
      properties: {b: {$ref: "#/components/schemas/B"}}
    B:
      type: object
      properties:
        a: {$ref: "#/components/schemas/A"}
        many: {type: array, items: {$ref: "#/components/schemas/A"}}
    Tree:
      anyOf:
        - {type: string}
        - {type: array, items: {$ref: "#/components/schemas/Tree"}}
"""

ZONES = ["GMT0", "GMT0", "Etc/GMT0", "Etc/GMT-0", "Etc/GMT+0", "etc_gmt0", "gmt0", "", "1", "1.0", "class", "None",
         "a b", "a-b", "a_b", "A_B", "ü", "u", "__init__", "mro"]
SPECS["enum_collisions"] = f"""
openapi: 3.0.0
info: {{title: Colliding enums, version: "1"}}
paths:
  /zones:
    get:
      parameters:
        - {{name: tz, in: query, required: true, schema: {{type: string, enum: {json.dumps(ZONES)}}}}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Zone"}}}}}}}}
  /levels:
    get:
      parameters:
        - {{name: level, in: query, schema: {{type: integer, enum: [1, -1, 0, 10]}}}}
        - {{name: mixed, in: query, schema: {{enum: ["1", 1, true, "true", null]}}}}
      responses:
        "204": {{description: none}}
components:
  schemas:
    Zone:
      type: object
      properties:
        tz: {{type: string, enum: {json.dumps(ZONES)}}}
"""

# The runtime's public classes (what users import) and the names generated modules import for themselves.
RUNTIME_NAMES = ["Client", "AsyncClient", "Response", "BaseModel", "Stream", "AsyncStream", "NotGiven", "SyncPage",
                 "APIError", "APIConnectionError", "NotFoundError", "JSONLines", "UnknownModel"]
MODULE_NAMES = ["Route", "RequestOptions", "Any", "Literal", "Mapping", "Sequence", "TypedDict", "Required", "TypeAlias",
                "FileTypes", "ROUTES", "httpx", "annotations", "cached_property", "Lazy", "SyncResource", "AsyncResource",
                "SyncAPIClient", "AsyncAPIClient", "overload", "os"]


def _names_spec(title: str, names: list[str]) -> str:
    """One GET (returns the schema) and one POST (takes it) per schema name; each schema refers to the next."""
    ops = "".join(f"""
  /names/{name.lower()}:
    get:
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/{name}"}}}}}}}}
    post:
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: "#/components/schemas/{name}"}}}}}}
      responses:
        "204": {{description: none}}
""" for name in names)
    schemas = "".join(f"""
    {name}:
      type: object
      required: [name]
      properties: {{name: {{type: string}}, other: {{$ref: "#/components/schemas/{names[(i + 1) % len(names)]}"}}}}
""" for i, name in enumerate(names))
    return f"openapi: 3.1.0\ninfo: {{title: {title}, version: '1'}}\npaths:{ops}\ncomponents:\n  schemas:{schemas}"


SPECS["runtime_names"] = _names_spec("Runtime names", RUNTIME_NAMES)
SPECS["module_names"] = _names_spec("Module names", MODULE_NAMES)

SPECS["keyword_paths"] = """
openapi: 3.1.0
info: {title: Keyword path segments, version: "1"}
paths:
  /none:
    get:
      responses: {"204": {description: none}}
  /true/items:
    get:
      responses: {"204": {description: none}}
  /class/{id}/def:
    post:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: none}}
  /import/{id}:
    get:
      operationId: False/lambda
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: none}}
"""

KEYWORDS = ["class", "from", "import", "def", "return", "None", "True", "False", "lambda", "async", "await", "match",
            "case", "type", "_", "self", "list", "dict", "str", "int", "id", "print", "object", "bytes", "len",
            "timeout", "extra_headers", "extra_query", "extra_body", "max_retries", "destination", "parse", "get",
            "to_dict", "to_json", "_fields_", "_data", "__slots__", "__class__", "__init__", "cls", "httpx"]
SPECS["keywords"] = f"""
openapi: 3.1.0
info: {{title: Keywords, version: "1"}}
paths:
  /class/{{def}}:
    get:
      operationId: import/from
      parameters:
        - {{name: def, in: path, required: true, schema: {{type: string}}}}
{"".join(f"        - {{name: {json.dumps(k)}, in: query, schema: {{type: string}}}}" + chr(10) for k in KEYWORDS if k != "def")}
        - {{name: max_retries, in: header, schema: {{type: string}}}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Keywords"}}}}}}}}
  /lambda:
    post:
      operationId: lambda
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: "#/components/schemas/Keywords"}}}}}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Keywords"}}}}}}}}
  /global/{{yield}}/pass:
    delete:
      operationId: None
      parameters:
        - {{name: yield, in: path, required: true, schema: {{type: string}}}}
      responses:
        "204": {{description: none}}
  /print:
    get:
      operationId: print
      responses:
        "204": {{description: none}}
components:
  schemas:
    Keywords:
      type: object
      properties:
{"".join(f"        {json.dumps(k)}: {{type: string}}" + chr(10) for k in KEYWORDS)}
"""

SPECS["duplicate_discriminator"] = """
openapi: 3.1.0
info: {title: Shared discriminator values, version: "1"}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Item"}}}}
  /shapes:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Shape"}}}}
components:
  schemas:
    Item:
      oneOf: [{$ref: "#/components/schemas/InputMessage"}, {$ref: "#/components/schemas/OutputMessage"}]
    InputMessage:
      type: object
      required: [type, role]
      properties: {type: {type: string, enum: [message]}, role: {type: string, enum: [user, system]}, content: {type: string}}
    OutputMessage:
      type: object
      required: [type, role]
      properties: {type: {type: string, enum: [message]}, role: {type: string, enum: [assistant]}, status: {type: string}}
    Shape:
      oneOf: [{$ref: "#/components/schemas/Circle"}, {$ref: "#/components/schemas/Square"}]
    Circle:
      type: object
      properties: {type: {type: string, const: shape}, radius: {type: number}}
    Square:
      type: object
      properties: {type: {type: string, const: shape}, side: {type: number}}
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpecPool]:
    pool = SpecPool(tmp_path_factory.mktemp("features"), SPECS)
    for name in SPECS:  # all at once, in parallel: each is small
        pool.submit(name)
    yield pool
    pool.close()


@pytest.fixture
def server() -> Iterator[Recorder]:
    with serve() as recorder:
        yield recorder


def make_client(pkg: Any, server: Recorder, **options: Any) -> Any:
    """`Client(api_key="k", target="direct", base_url=<server>)`, no retries."""
    return pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0, **options)


def spec_params(func: Any) -> dict[str, inspect.Parameter]:
    return {n: p for n, p in inspect.signature(func).parameters.items() if n not in CALL_OPTIONS}


# ------------------------------------------------------------------------------------------ every spec


def _xfail(name: str, bugs: dict[str, str]) -> Any:
    """`name` as a parameter, marked xfail (strict) when `bugs` names a generator bug for it."""
    return pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=bugs[name])] if name in bugs else [])


WHOLE_BUGS: dict[str, str] = {}


@pytest.mark.parametrize("name", [_xfail(n, WHOLE_BUGS) for n in sorted(SPECS)])
def test_every_feature_spec_is_whole(specs: SpecPool, name: str) -> None:
    """Compiles, imports, ruff F clean, and one client method per operation."""
    gen = specs.get(name)
    assert compile_errors(gen.out) == []
    client, error = introspect(gen.out, gen.package)
    assert client is not None, error
    assert len(client["methods"]) == len(operations(load_document(gen.spec))), client
    assert sorted(client["methods"]) == client["routes"]
    ruff = run_ruff(gen.out / gen.package)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


# ------------------------------------------------------------------------------------ path query strings


def test_path_key_with_query_string(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("query_string")
    client = make_client(pkg, server)
    plain = method_for(client, pkg, "POST", "/v1/messages")
    beta = method_for(client, pkg, "POST", "/v1/messages?beta=true")
    assert plain != beta
    beta(model="m", max_tokens=5)
    assert server.last.method == "POST"
    assert server.last.path == "/v1/messages"
    assert server.last.query == [("beta", "true")]
    assert server.last.json() == {"model": "m", "max_tokens": 5}
    plain(model="m")
    assert server.last.path == "/v1/messages" and server.last.query == []
    get = method_for(client, pkg, "GET", "/v1/models/{model_id}?beta=true")
    get("claude/x", limit=2)
    assert server.last.path == "/v1/models/claude%2Fx"
    assert sorted(server.last.query) == [("beta", "true"), ("limit", "2")]


# ----------------------------------------------------------------------------------------- auth headers


def test_direct_calls_send_valid_headers(specs: SpecPool, server: Recorder) -> None:
    """A spec without any auth: the api_key goes nowhere, and no header has an empty name (an early bug:
    plain mode sent the key under the header name '', so every direct call failed)."""
    pkg = specs.package("no_auth")
    client = make_client(pkg, server)
    assert method_for(client, pkg, "GET", "/ping")().ok is None
    assert "" not in server.last.headers and "k" not in server.last.headers.values()


def test_auth_header_parameter_is_not_an_argument(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("auth_headers")
    client = make_client(pkg, server)
    models = method_for(client, pkg, "GET", "/v1/models")
    params = spec_params(models)
    assert not any("api_key" in n for n in params), f"x-api-key became an argument: {list(params)}"
    assert "anthropic_beta" in params and "limit" in params, list(params)
    models(anthropic_beta="b1", limit=3)
    assert server.last.headers.get("anthropic-beta") == "b1"
    assert server.last.query == [("limit", "3")]


def test_auth_header_parameter_carries_the_api_key(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("auth_headers")
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    method_for(client, pkg, "GET", "/v1/models")()
    assert server.last.headers.get("x-api-key") == "k"


@pytest.mark.parametrize(("spec", "header", "value"), [("security_api_key", "x-token", "k"),
                                                      ("security_bearer", "authorization", "Bearer k")])
def test_security_schemes_carry_the_api_key(specs: SpecPool, server: Recorder, spec: str, header: str, value: str) -> None:
    pkg = specs.package(spec)
    client = make_client(pkg, server)
    method_for(client, pkg, "GET", "/things")()
    assert server.last.headers.get(header) == value


# ------------------------------------------------------------------------------------------ media types


def test_vendor_media_types_are_json(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("vendor_media")
    client = make_client(pkg, server)
    server.reply("GET /repos/o/r/stargazers", body=[{"starred_at": "2020", "user": {"login": "octocat"}}],
                 content_type="application/vnd.github.v3.star+json")
    stars = method_for(client, pkg, "GET", "/repos/{owner}/{repo}/stargazers")("o", "r")
    assert stars[0].starred_at == "2020" and stars[0].user.login == "octocat"
    assert isinstance(stars[0].user, pkg.types.User)
    server.reply("PATCH /user", body={"login": "octocat", "name": "N"}, content_type="application/vnd.github.v3+json; charset=utf-8")
    user = method_for(client, pkg, "PATCH", "/user")(name="N")
    assert isinstance(user, pkg.types.User) and user.name == "N"
    assert server.last.json() == {"name": "N"}
    assert "json" in server.last.headers.get("content-type", "")


def test_star_media_type(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("star_media")
    client = make_client(pkg, server)
    server.reply("GET /things/t1", body={"name": "a", "size": 3}, content_type="application/json")
    thing = method_for(client, pkg, "GET", "/things/{id}")("t1")
    assert isinstance(thing, pkg.types.Thing) and thing.size == 3
    server.reply("PUT /things/t1", status=204, body=b"")
    method_for(client, pkg, "PUT", "/things/{id}")("t1", name="b", size=4)
    assert server.last.method == "PUT" and server.last.json() == {"name": "b", "size": 4}


def test_form_encoded_body(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("form_body")
    client = make_client(pkg, server)
    server.reply("POST /v1/customers", body={"id": "cus_1", "email": "a@b.c"})
    customer = method_for(client, pkg, "POST", "/v1/customers")(
        email="a@b.c", balance=5, metadata={"k": "v"}, expand=["x", "y"], address={"city": "Paris"})
    assert customer.id == "cus_1"
    assert server.last.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = parse_qsl(server.last.body.decode(), keep_blank_values=True)
    assert ("email", "a@b.c") in form and ("balance", "5") in form
    assert ("metadata[k]", "v") in form and ("address[city]", "Paris") in form
    assert [v for k, v in form if k.startswith("expand")] == ["x", "y"]


def test_jsonl_response(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("jsonl_binary")
    client = make_client(pkg, server)
    lines = b'{"custom_id": "a", "result": {"type": "succeeded"}}\n{"custom_id": "b", "result": {"type": "errored"}}\n'
    server.reply("GET /v1/batches/b1/results", body=lines, content_type="application/x-jsonl")
    results = list(method_for(client, pkg, "GET", "/v1/batches/{batch_id}/results")("b1"))
    assert [r.custom_id for r in results] == ["a", "b"]
    assert isinstance(results[0], pkg.types.Result)


def test_binary_responses(specs: SpecPool, server: Recorder, tmp_path: Path) -> None:
    pkg = specs.package("jsonl_binary")
    client = make_client(pkg, server)
    payload = bytes(range(256)) * 10
    server.reply("GET /v1/files/f1/content", body=payload, content_type="application/octet-stream")
    content = method_for(client, pkg, "GET", "/v1/files/{file_id}/content")
    assert content("f1") == payload
    to_file = getattr(content.__self__, content.__name__ + "_to_file")
    target = tmp_path / "download.bin"
    to_file("f1", target)
    assert target.read_bytes() == payload
    server.reply("GET /v1/files/f1/preview", body=b"%PDF-1.7\n", content_type="application/pdf")
    assert method_for(client, pkg, "GET", "/v1/files/{file_id}/preview")("f1") == b"%PDF-1.7\n"


def test_multipart_request_with_binary_response(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("multipart_binary")
    client = make_client(pkg, server)
    server.reply("POST /v1/audio/convert", body=b"ID3audio", content_type="audio/mpeg")
    out = method_for(client, pkg, "POST", "/v1/audio/convert")(file=("a.wav", b"RIFF...."), format="mp3")
    assert out == b"ID3audio"
    assert server.last.headers["content-type"].startswith("multipart/form-data")
    assert b"RIFF...." in server.last.body and b"mp3" in server.last.body


# ----------------------------------------------------------------------------------------------- schemas


def test_one_of_any_of_all_of_const_discriminator(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("unions")
    client = make_client(pkg, server)
    get_pet = method_for(client, pkg, "GET", "/pets/{id}")
    server.reply("GET /pets/1", body={"pet_type": "dog", "barks": True})
    dog = get_pet("1")
    assert isinstance(dog, pkg.types.Dog) and dog.barks is True
    server.reply("GET /pets/1", body={"pet_type": "cat", "meows": False})
    cat = get_pet("1")
    assert isinstance(cat, pkg.types.Cat) and cat.meows is False
    server.reply("GET /pets/1", body={"pet_type": "fish", "fins": 2})
    fish = get_pet("1")  # an unknown variant is kept, not an error
    assert fish.fins == 2 or fish["fins"] == 2
    server.reply("GET /named", body={"id": "n1", "name": "Rex", "kind": "named"})
    named = method_for(client, pkg, "GET", "/named")()
    assert (named.id, named.name, named.kind) == ("n1", "Rex", "named")
    server.reply("GET /values", body=["a", 1, {"pet_type": "cat", "meows": True}])
    values = method_for(client, pkg, "GET", "/values")()
    assert values[:2] == ["a", 1]
    assert (values[2].meows if not isinstance(values[2], dict) else values[2]["meows"]) is True
    create = method_for(client, pkg, "POST", "/pets")
    server.reply("POST /pets", body={"pet_type": "cat", "meows": True})
    params = spec_params(create)
    if "body" in params:
        create(body={"pet_type": "cat", "meows": True})
    else:
        create(pet_type="cat", meows=True)
    assert server.last.json() == {"pet_type": "cat", "meows": True}


def test_shared_discriminator_values_decode_both_variants(specs: SpecPool, server: Recorder) -> None:
    """Two oneOf variants with the same `type` value: each object decodes to the variant it fits."""
    pkg = specs.package("duplicate_discriminator")
    client = make_client(pkg, server)
    server.reply("GET /items", body=[{"type": "message", "role": "user", "content": "hi"},
                                     {"type": "message", "role": "assistant", "status": "done"}])
    items = method_for(client, pkg, "GET", "/items")()
    assert items[0].content == "hi" and items[1].status == "done"
    assert type(items[0]).__name__ == "InputMessage" and type(items[1]).__name__ == "OutputMessage", items
    server.reply("GET /shapes", body=[{"type": "shape", "radius": 1.5}, {"type": "shape", "side": 2.0}])
    shapes = method_for(client, pkg, "GET", "/shapes")()
    assert shapes[0].radius == 1.5 and shapes[1].side == 2.0


def test_shared_discriminator_values_give_no_repeated_keys(specs: SpecPool) -> None:
    gen = specs.get("duplicate_discriminator")
    types_py = (gen.out / gen.package / "types.py").read_text(encoding="utf-8")
    ruff = run_ruff(gen.out / gen.package)
    assert ruff.returncode == 0, ruff.stdout
    assert types_py.count('"message":') <= 1, types_py


def test_nullable_inside_31(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("nullable")
    client = make_client(pkg, server)
    thing_cls = pkg.types.Thing
    for field_name in ("name", "count", "tags", "other", "modern"):
        annotation = str(thing_cls.__annotations__[field_name])
        assert "None" in annotation, f"Thing.{field_name}: {annotation}"
    server.reply("GET /things/1", body={"name": None, "count": None, "tags": None, "other": None, "modern": None})
    thing = method_for(client, pkg, "GET", "/things/{id}")("1")
    assert (thing.name, thing.count, thing.tags, thing.other, thing.modern) == (None, None, None, None, None)
    server.reply("GET /things/1", body={"name": "n", "count": 2, "tags": ["t"], "other": {"x": 1}, "modern": "m"})
    thing = method_for(client, pkg, "GET", "/things/{id}")("1")
    assert (thing.name, thing.count, thing.tags, thing.other.x, thing.modern) == ("n", 2, ["t"], 1, "m")


def test_recursive_schemas(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("recursive")
    client = make_client(pkg, server)
    tree = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}], "parent": {"name": "root"}}
    server.reply("GET /nodes/1", body=tree)
    node = method_for(client, pkg, "GET", "/nodes/{id}")("1")
    assert isinstance(node, pkg.types.Node)
    assert node.children[0].children[0].name == "c" and node.parent.name == "root"
    assert isinstance(node.children[0], pkg.types.Node)
    assert node.to_dict() == tree
    server.reply("POST /nodes", body={"b": {"a": {"b": {"many": [{"b": None}]}}}})
    create = method_for(client, pkg, "POST", "/nodes")
    a = create(name="x", children=[{"name": "y", "children": []}])
    assert server.last.json() == {"name": "x", "children": [{"name": "y", "children": []}]}
    assert a.b.a.b.many[0].b is None
    server.reply("GET /trees", body=["a", ["b", ["c"]]])
    assert method_for(client, pkg, "GET", "/trees")() == ["a", ["b", ["c"]]]


def test_enum_values_that_collide_as_python_names(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("enum_collisions")
    client = make_client(pkg, server)
    zones = method_for(client, pkg, "GET", "/zones")
    for value in dict.fromkeys(ZONES):
        server.reply("GET /zones", body={"tz": value})
        assert zones(tz=value).tz == value
        assert server.last.query == [("tz", value)]
    levels = method_for(client, pkg, "GET", "/levels")
    server.reply("GET /levels", status=204, body=b"")
    levels(level=-1, mixed="1")
    assert sorted(server.last.query) == [("level", "-1"), ("mixed", "1")]


@pytest.mark.parametrize(("spec", "names"), [("runtime_names", RUNTIME_NAMES),
                                             ("module_names", MODULE_NAMES)])
def test_schemas_named_like_runtime_classes(specs: SpecPool, server: Recorder, spec: str, names: list[str]) -> None:
    pkg = specs.package(spec)
    client = make_client(pkg, server)
    assert hasattr(client, "with_options") and hasattr(pkg.Client, "with_options"), "pkg.Client is not the API client"
    for name in names:
        server.reply(f"GET /names/{name.lower()}", body={"name": name, "other": {"name": "o"}})
        got = method_for(client, pkg, "GET", f"/names/{name.lower()}")()
        assert got.name == name and got.other.name == "o", name
        assert type(got).__module__ == pkg.types.__name__, f"{name}: decoded to {type(got)}"
        method_for(client, pkg, "POST", f"/names/{name.lower()}")(name="n")
        assert server.last.json() == {"name": "n"}
    if "Client" in names:  # only the runtime-names spec has /names/client
        server.reply("GET /names/client", status=404, body={"error": "nope"})
        with pytest.raises(pkg.NotFoundError):
            method_for(client, pkg, "GET", "/names/client")()


def test_keywords_and_builtins_as_names(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("keywords")
    client = make_client(pkg, server)
    get = method_for(client, pkg, "GET", "/class/{def}")
    params = spec_params(get)
    positional = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keyword_only = [p for p in params.values() if p.kind is p.KEYWORD_ONLY]
    assert len(positional) == 1 and len(keyword_only) == len(KEYWORDS), list(params)
    record = {k: f"v-{k}" for k in KEYWORDS}
    server.reply("GET /class/d", body=record)
    got = get("d", **{p.name: f"q-{p.name}" for p in keyword_only})
    assert server.last.path == "/class/d"
    assert sorted(k for k, _ in server.last.query) == sorted(k for k in KEYWORDS if k != "def")
    assert "max_retries" in server.last.headers, "the max_retries header parameter"
    # Every field is readable by attribute under its Python name, and the model's own methods still work.
    fields = type(got)._fields_
    assert sorted(wire for wire, _ in fields.values()) == sorted(KEYWORDS)
    for py_name, (wire, _) in fields.items():
        assert getattr(got, py_name) == f"v-{wire}", (py_name, wire)
    assert got.to_dict() == record and json.loads(got.to_json()) == record
    assert got.get("class") == "v-class" and got["from"] == "v-from"
    server.reply("POST /lambda", body=record)
    create = method_for(client, pkg, "POST", "/lambda")
    create(**{p.name: f"b-{p.name}" for p in spec_params(create).values()})
    assert sorted(server.last.json()) == sorted(KEYWORDS)
    server.reply("DELETE /global/y/pass", status=204, body=b"")
    method_for(client, pkg, "DELETE", "/global/{yield}/pass")("y")
    assert server.last.method == "DELETE" and server.last.path == "/global/y/pass"
    method_for(client, pkg, "GET", "/print")()


MYPY_BUGS: dict[str, str] = {}


@pytest.mark.parametrize("name", [_xfail(n, MYPY_BUGS) for n in ["runtime_names", "module_names", "keywords", "unions",
                                                                  "nested_unions", "scalar_responses", "raw_bodies"]])
def test_mypy_strict_on_name_collisions(specs: SpecPool, tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    gen = specs.get(name)
    proc = run_mypy(gen.out, gen.package, tmp_path_factory.getbasetemp() / "features-mypy-cache")
    errors = [line[:300] for line in proc.stdout.splitlines() if ": error:" in line]
    assert proc.returncode == 0, "\n".join(errors[:25]) or proc.stdout + proc.stderr


def test_keyword_path_segments(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("keyword_paths")
    client = make_client(pkg, server)
    for method, path, args, wire in [("GET", "/none", (), "/none"), ("GET", "/true/items", (), "/true/items"),
                                     ("POST", "/class/{id}/def", ("c1",), "/class/c1/def"),
                                     ("GET", "/import/{id}", ("i1",), "/import/i1")]:
        server.reply(f"{method} {wire}", status=204, body=b"")
        method_for(client, pkg, method, path)(*args)
        assert (server.last.method, server.last.path) == (method, wire)


BUG_RAW_BODY = ("BUG: a request body whose schema is not an object (application/octet-stream bytes: petstore POST "
                "/pet/{petId}/uploadImage; a JSON array: petstore POST /user/createWithList; text/plain) is passed "
                "as `body=` to _request_json, and build_request_spec calls body.items(): AttributeError on every "
                "call (mypy --strict flags the same lines in the petstore clients)")



def test_binary_request_body(specs: SpecPool, server: Recorder) -> None:
    """petstore's POST /pet/{petId}/uploadImage: the body is the bytes themselves."""
    pkg = specs.package("raw_bodies")
    client = make_client(pkg, server)
    server.reply("POST /pet/7/uploadImage", body={"code": 200})
    upload = method_for(client, pkg, "POST", "/pet/{petId}/uploadImage")
    assert upload(7, body=b"\x89PNG\r\n").code == 200
    assert server.last.body == b"\x89PNG\r\n"
    assert server.last.headers.get("content-type", "").startswith("application/octet-stream")



def test_array_request_body(specs: SpecPool, server: Recorder) -> None:
    """petstore's POST /user/createWithList: the body is a JSON array."""
    pkg = specs.package("raw_bodies")
    client = make_client(pkg, server)
    server.reply("POST /user/createWithList", body={"username": "a"})
    create = method_for(client, pkg, "POST", "/user/createWithList")
    assert create(body=[{"username": "a"}, {"username": "b"}]).username == "a"
    assert server.last.json() == [{"username": "a"}, {"username": "b"}]



def test_text_request_body(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("raw_bodies")
    client = make_client(pkg, server)
    server.reply("POST /notes", status=204, body=b"")
    method_for(client, pkg, "POST", "/notes")(body="hello")
    assert (server.last.body, server.last.headers["content-type"]) == (b"hello", "text/plain")


def test_unions_inside_unions(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("nested_unions")
    client = make_client(pkg, server)
    server.reply("GET /inputs", body=[{"role": "user", "content": "hi"}, {"type": "message", "text": "t"},
                                      {"type": "tool_call", "name": "n"}])
    items = method_for(client, pkg, "GET", "/inputs")()
    assert items[0].content == "hi" and items[1].text == "t" and items[2].name == "n"
    assert type(items[2]).__name__ == "ToolCall", items


def test_scalar_responses(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("scalar_responses")
    client = make_client(pkg, server)
    for path, value in [("/text", "abc"), ("/count", 3), ("/ratio", 0.5), ("/flag", True), ("/names", ["a", "b"])]:
        server.reply(f"GET {path}", body=value)
        assert method_for(client, pkg, "GET", path)() == value
    server.reply("GET /plain", body=b"plain text", content_type="text/plain")
    assert method_for(client, pkg, "GET", "/plain")() in ("plain text", b"plain text")
