"""What plain-mode clients put on the wire, and names that must not collide: small hand-written specs,
generated once per session, called against the recording server on loopback.

- parameter serialization: every OpenAPI style/explode of query, path and header parameters;
- inline schemas: each inline object gets its own type (mypy --strict accepts correct calls);
- resource names that are the client's own names (`client`, `copy`, `with_options`, `AsyncClient`, ...).
"""

from __future__ import annotations

import asyncio
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from featurekit import SpecPool, method_for
from recorder import Recorder, serve
from robustkit import CORPUS, MYPY, child_env, import_fresh, run_generate, run_mypy

SPECS: dict[str, str] = {}

OBJ = "{type: object, properties: {a: {type: string}, b: {type: integer}}}"
ARR = "{type: array, items: {type: integer}}"

SPECS["styles"] = f"""
openapi: 3.1.0
info: {{title: Styles, version: "1"}}
paths:
  /query:
    get:
      parameters:
        - {{name: fe_arr, in: query, schema: {ARR}}}
        - {{name: fe_obj, in: query, schema: {OBJ}}}
        - {{name: fn_arr, in: query, style: form, explode: false, schema: {ARR}}}
        - {{name: fn_obj, in: query, style: form, explode: false, schema: {OBJ}}}
        - {{name: sp_arr, in: query, style: spaceDelimited, explode: false, schema: {ARR}}}
        - {{name: pp_arr, in: query, style: pipeDelimited, explode: false, schema: {ARR}}}
        - {{name: pp_obj, in: query, style: pipeDelimited, explode: false, schema: {OBJ}}}
        - name: deep
          in: query
          style: deepObject
          explode: true
          schema: {{type: object, properties: {{gte: {{type: integer}}, nested: {{type: object, properties: {{x: {{type: boolean}}}}}}}}}}
        - {{name: flag, in: query, schema: {{type: boolean}}}}
        - {{name: rs, in: query, allowReserved: true, schema: {{type: string}}}}
        - {{name: jq, in: query, content: {{application/json: {{schema: {OBJ}}}}}}}
        - {{name: rs_arr, in: query, allowReserved: true, explode: false, schema: {ARR}}}
      responses: {{"204": {{description: none}}}}
  /simple/{{s_arr}}/{{s_obj}}/{{s_objx}}/{{s_text}}/{{s_bool}}:
    get:
      parameters:
        - {{name: s_arr, in: path, required: true, schema: {ARR}}}
        - {{name: s_obj, in: path, required: true, schema: {OBJ}}}
        - {{name: s_objx, in: path, required: true, explode: true, schema: {OBJ}}}
        - {{name: s_text, in: path, required: true, schema: {{type: string}}}}
        - {{name: s_bool, in: path, required: true, schema: {{type: boolean}}}}
      responses: {{"204": {{description: none}}}}
  /label/{{l_prim}}/{{l_arr}}/{{l_arrx}}/{{l_objx}}:
    get:
      parameters:
        - {{name: l_prim, in: path, required: true, style: label, schema: {{type: string}}}}
        - {{name: l_arr, in: path, required: true, style: label, schema: {ARR}}}
        - {{name: l_arrx, in: path, required: true, style: label, explode: true, schema: {ARR}}}
        - {{name: l_objx, in: path, required: true, style: label, explode: true, schema: {OBJ}}}
      responses: {{"204": {{description: none}}}}
  /matrix/{{m_prim}}/{{m_arr}}/{{m_arrx}}/{{m_objx}}:
    get:
      parameters:
        - {{name: m_prim, in: path, required: true, style: matrix, schema: {{type: string}}}}
        - {{name: m_arr, in: path, required: true, style: matrix, schema: {ARR}}}
        - {{name: m_arrx, in: path, required: true, style: matrix, explode: true, schema: {ARR}}}
        - {{name: m_objx, in: path, required: true, style: matrix, explode: true, schema: {OBJ}}}
      responses: {{"204": {{description: none}}}}
  /headers:
    get:
      parameters:
        - {{name: anthropic-beta, in: header, x-python-name: betas, schema: {{type: array, items: {{type: string}}}}}}
        - {{name: x-obj, in: header, schema: {OBJ}}}
        - {{name: x-objx, in: header, explode: true, schema: {OBJ}}}
        - {{name: x-flag, in: header, schema: {{type: boolean}}}}
        - {{name: x-count, in: header, schema: {{type: integer}}}}
        - {{name: x-json, in: header, content: {{application/json: {{schema: {OBJ}}}}}}}
      responses: {{"204": {{description: none}}}}
"""

SPECS["inline_objects"] = """
openapi: 3.1.0
info: {title: Inline objects, version: "1"}
paths:
  /things:
    post:
      parameters:
        - {name: near, in: query, style: deepObject, schema: {type: object, properties: {lat: {type: number}}}}
        - {name: far, in: query, style: deepObject, schema: {type: object, properties: {city: {type: string}}}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                alpha: {type: object, properties: {a: {type: string}}}
                beta: {type: object, properties: {b: {type: integer}}}
                gammas: {type: array, items: {type: object, properties: {g: {type: boolean}}}}
                deltas: {type: array, items: {type: object, properties: {d: {type: string}}}}
      responses:
        "204": {description: none}
  /forms:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                card: {type: object, properties: {number: {type: string}}}
                address: {type: object, properties: {line1: {type: string}}}
      responses:
        "204": {description: none}
"""

# Request bodies by media type and `encoding` (OpenAPI's Media Type and Encoding objects).
SPECS["bodies"] = """
openapi: 3.1.0
info: {title: Bodies, version: "1"}
paths:
  /form:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                tags: {type: array, items: {type: string}}
                ids: {type: array, items: {type: integer}}
                deep: {type: array, items: {type: string}}
                card: {type: object, properties: {number: {type: string}}}
            encoding:
              ids: {style: form, explode: false}
              deep: {style: deepObject, explode: true}
      responses: {"204": {description: none}}
  /parts:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                name: {type: string}
                tags: {type: array, items: {type: string}}
                meta: {type: object, properties: {k: {type: string}}}
                data_csv: {type: string}
                flat: {type: object, properties: {a: {type: string}, b: {type: array, items: {type: string}}}}
            encoding:
              data_csv: {contentType: text/csv}
              flat: {style: deepObject, explode: true}
      responses: {"204": {description: none}}
  /text:
    post:
      requestBody: {content: {text/x-markdown: {schema: {type: string}}}}
      responses: {"204": {description: none}}
  /patch:
    patch:
      requestBody:
        content: {application/merge-patch+json: {schema: {type: object, properties: {name: {type: string}}}}}
      responses: {"204": {description: none}}
  /image:
    put:
      requestBody: {content: {image/png: {schema: {type: string, format: binary}}}}
      responses: {"204": {description: none}}
"""


# Answers in media types other than application/json: the call asks for what the spec declares.
SPECS["answers"] = """
openapi: 3.1.0
info: {title: Answers, version: "1"}
paths:
  /problem:
    get:
      responses:
        "200": {description: ok, content: {application/problem+json: {schema: {type: object, properties: {title: {type: string}}}}}}
  /page:
    get:
      responses: {"200": {description: ok, content: {text/html: {schema: {type: string}}}}}
  /file:
    get:
      responses: {"200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}}
  /plain:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""


CLIENT_NAMED = ["client", "async_client", "AsyncClient", "with_options", "close", "aclose", "copy", "stream", "models",
                "types", "resources", "httpx", "os", "SyncAPIClient", "cached_property", "timeout", "base_url"]
SPECS["client_names"] = "openapi: 3.1.0\ninfo: {title: Client names, version: '1'}\npaths:\n" + "".join(f"""
  /{name}:
    get:
      responses: {{"200": {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{seg: {{type: string}}}}}}}}}}}}}}
  /{name}/{{id}}/{name}:
    post:
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
      responses: {{"204": {{description: none}}}}
""" for name in CLIENT_NAMED)


# Methods and child resources named like builtins that annotations use (mypy reads them in the class's scope).
SPECS["builtin_names"] = """
openapi: 3.1.0
info: {title: Builtin names, version: '1'}
paths:
  /things:
    get:
      x-client-name: things.list
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}}
  /things/str:
    get:
      x-client-name: things.str
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
  /things/tags:
    get:
      x-client-name: things.tags
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: integer}}}}}}
  /things/int/bytes:
    get:
      x-client-name: things.int.bytes
      responses: {"200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}}
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpecPool]:
    pool = SpecPool(tmp_path_factory.mktemp("wire"), SPECS)
    for name in SPECS:
        pool.submit(name)
    yield pool
    pool.close()


@pytest.fixture
def server() -> Iterator[Recorder]:
    with serve() as recorder:
        yield recorder


def make_client(pkg: Any, server: Recorder, cls: str = "Client") -> Any:
    return getattr(pkg, cls)(api_key="k", target="direct", base_url=server.url, max_retries=0)


def query_of(server: Recorder) -> list[tuple[str, str]]:
    return server.last.query


# ----------------------------------------------------------------------------------- styles on the wire

OBJ_VALUE = {"a": "x y", "b": 2}


@pytest.mark.parametrize(("arg", "value", "wire"), [
    ("fe_arr", [1, 2], [("fe_arr", "1"), ("fe_arr", "2")]),
    ("fe_obj", OBJ_VALUE, [("a", "x y"), ("b", "2")]),
    ("fn_arr", [1, 2], [("fn_arr", "1,2")]),
    ("fn_obj", OBJ_VALUE, [("fn_obj", "a,x y,b,2")]),
    ("sp_arr", [1, 2], [("sp_arr", "1 2")]),
    ("pp_arr", [1, 2], [("pp_arr", "1|2")]),
    ("pp_obj", OBJ_VALUE, [("pp_obj", "a|x y|b|2")]),
    ("deep", {"gte": 5, "nested": {"x": True}}, [("deep[gte]", "5"), ("deep[nested][x]", "true")]),
    ("flag", False, [("flag", "false")]),
    ("jq", OBJ_VALUE, [("jq", '{"a":"x y","b":2}')]),  # `content: application/json`: one JSON text
])
def test_query_styles(specs: SpecPool, server: Recorder, arg: str, value: Any, wire: list[tuple[str, str]]) -> None:
    pkg = specs.package("styles")
    method_for(make_client(pkg, server), pkg, "GET", "/query")(**{arg: value})
    assert query_of(server) == wire


def test_deep_object_raw_query(specs: SpecPool, server: Recorder) -> None:
    """The brackets are the parameter's name (percent-encoded on the wire, as every form encoder does)."""
    pkg = specs.package("styles")
    method_for(make_client(pkg, server), pkg, "GET", "/query")(deep={"gte": 5})
    assert server.last.target == "/query?deep%5Bgte%5D=5"
    assert unquote(server.last.target) == "/query?deep[gte]=5"


def test_form_delimiter_is_not_a_comma_in_a_value(specs: SpecPool, server: Recorder) -> None:
    """form, explode false: each value is percent-encoded and the delimiter is a literal `,`
    (`fn_arr=a%2Cb,c` is two values); one encoding of the joined text would make it three."""
    pkg = specs.package("styles")
    call = method_for(make_client(pkg, server), pkg, "GET", "/query")
    call(fn_arr=["a,b", "c d"], fn_obj={"a": "x,y"}, fe_arr=["p,q"], flag=True)
    assert server.last.target == "/query?fe_arr=p%2Cq&fn_arr=a%2Cb,c%20d&fn_obj=a,x%2Cy&flag=true"
    call(fn_arr=[1])
    assert server.last.target == "/query?fn_arr=1"


def test_allow_reserved_keeps_reserved_characters(specs: SpecPool, server: Recorder) -> None:
    """allowReserved: `:/?@!$'()*,;=` and %-triplets go as they are; `&`, `+`, `#`, `[`, `]`, a space
    and a lone `%` are still encoded (they would end the value or the query); other parameters unchanged."""
    pkg = specs.package("styles")
    call = method_for(make_client(pkg, server), pkg, "GET", "/query")
    call(rs="a/b?c=d&e+f g#[x]%2F%;@!", rs_arr=[1, 2], fe_arr=["a/b"])
    assert server.last.target == "/query?fe_arr=a%2Fb&rs=a/b?c=d%26e%2Bf%20g%23%5Bx%5D%2F%25;@!&rs_arr=1,2"


@pytest.mark.parametrize(("path", "args", "wire"), [
    ("/simple/{s_arr}/{s_obj}/{s_objx}/{s_text}/{s_bool}", ([1, 2], OBJ_VALUE, OBJ_VALUE, "a/b c", True),
     "/simple/1,2/a,x%20y,b,2/a=x%20y,b=2/a%2Fb%20c/true"),
    ("/label/{l_prim}/{l_arr}/{l_arrx}/{l_objx}", ("v", [1, 2], [1, 2], OBJ_VALUE), "/label/.v/.1,2/.1.2/.a=x%20y.b=2"),
    ("/matrix/{m_prim}/{m_arr}/{m_arrx}/{m_objx}", ("v", [1, 2], [1, 2], OBJ_VALUE),
     "/matrix/;m_prim=v/;m_arr=1,2/;m_arrx=1;m_arrx=2/;a=x%20y;b=2"),
])
def test_path_styles(specs: SpecPool, server: Recorder, path: str, args: tuple[Any, ...], wire: str) -> None:
    pkg = specs.package("styles")
    method_for(make_client(pkg, server), pkg, "GET", path)(*args)
    assert server.last.target == wire


def test_header_styles(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("styles")
    call = method_for(make_client(pkg, server), pkg, "GET", "/headers")
    call(betas=["a", "b"], x_obj=OBJ_VALUE, x_objx=OBJ_VALUE, x_flag=True, x_count=3, x_json=OBJ_VALUE)
    got = server.last.headers
    assert (got["anthropic-beta"], got["x-obj"], got["x-objx"], got["x-flag"], got["x-count"], got["x-json"]) == (
        "a,b", "a,x y,b,2", "a=x y,b=2", "true", "3", '{"a":"x y","b":2}')
    call()
    assert not {"anthropic-beta", "x-obj", "x-objx", "x-flag", "x-count"} & set(server.last.headers)


def test_header_array_async(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("styles")

    async def run() -> None:
        client = make_client(pkg, server, "AsyncClient")
        await method_for(client, pkg, "GET", "/headers")(betas=["files-api-2025-04-14", "x"])
        await client.aclose()

    asyncio.run(run())
    assert server.last.headers["anthropic-beta"] == "files-api-2025-04-14,x"


def _mypy_call(gen_out: Path, package: str, code: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on a small program that uses the generated package as a user would."""
    program = gen_out / f"use_{package}.py"
    program.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run([MYPY, "--strict", "--cache-dir", str(cache), "--no-error-summary", str(program)],
                          cwd=str(gen_out), env=child_env(MYPYPATH=str(gen_out)), capture_output=True, text=True,
                          timeout=900)


def test_header_array_is_typed(specs: SpecPool, tmp_path_factory: pytest.TempPathFactory) -> None:
    gen = specs.get("styles")
    proc = _mypy_call(gen.out, gen.package, f"""
        import {gen.package} as api

        client = api.Client(api_key="k", target="direct")
        betas: list[str] = ["a", "b"]
        client.headers.list(betas=betas, x_flag=True, x_count=1)
    """, tmp_path_factory.getbasetemp() / "wire-mypy-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------------------------------- inline object schemas


def test_inline_objects_get_their_own_types(specs: SpecPool, tmp_path_factory: pytest.TempPathFactory) -> None:
    gen = specs.get("inline_objects")
    proc = _mypy_call(gen.out, gen.package, f"""
        import {gen.package} as api

        client = api.Client(api_key="k", target="direct")
        client.things.create(alpha={{"a": "x"}}, beta={{"b": 1}}, gammas=[{{"g": True}}], deltas=[{{"d": "y"}}],
                             near={{"lat": 1.5}}, far={{"city": "Oslo"}})
        client.forms.create(card={{"number": "4242"}}, address={{"line1": "Main St"}})
    """, tmp_path_factory.getbasetemp() / "wire-mypy-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_inline_objects_on_the_wire(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("inline_objects")
    client = make_client(pkg, server)
    client.things.create(alpha={"a": "x"}, beta={"b": 1}, near={"lat": 1.5}, far={"city": "Oslo"})
    assert server.last.json() == {"alpha": {"a": "x"}, "beta": {"b": 1}}
    assert query_of(server) == [("near[lat]", "1.5"), ("far[city]", "Oslo")]
    client.forms.create(card={"number": "4242"}, address={"line1": "Main St"})
    assert server.last.body == b"card%5Bnumber%5D=4242&address%5Bline1%5D=Main+St"


# ---------------------------------------------------------------------------- bodies by media type


def test_form_body_follows_its_encoding(specs: SpecPool, server: Recorder) -> None:
    """A list repeats its name (form, exploded: OpenAPI's default); `encoding` picks another style."""
    pkg = specs.package("bodies")
    method_for(make_client(pkg, server), pkg, "POST", "/form")(
        tags=["a", "b c"], ids=[1, 2], deep=["x", "y"], card={"number": "42"})
    assert unquote(server.last.body.decode()) == "tags=a&tags=b+c&ids=1,2&deep[0]=x&deep[1]=y&card[number]=42"


def test_multipart_parts_follow_openapi(specs: SpecPool, server: Recorder) -> None:
    """Without a file field the body is still multipart; a list repeats its part, an object is one
    application/json part, `encoding.contentType` types a part, a deepObject field is flattened."""
    pkg = specs.package("bodies")
    method_for(make_client(pkg, server), pkg, "POST", "/parts")(
        name="n", tags=["a", "b"], meta={"k": "v"}, data_csv="1,2", flat={"a": "x", "b": ["y"]})
    assert server.last.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert server.last.parts() == [
        ("name", None, None, b"n"), ("tags", None, None, b"a"), ("tags", None, None, b"b"),
        ("meta", None, "application/json", b'{"k":"v"}'), ("data_csv", None, "text/csv", b"1,2"),
        ("flat[a]", None, None, b"x"), ("flat[b][0]", None, None, b"y")]


@pytest.mark.parametrize(("method", "path", "value", "content_type", "body"), [
    ("POST", "/text", "# Title", "text/x-markdown", b"# Title"),
    ("PATCH", "/patch", {"name": "n"}, "application/merge-patch+json", b'{"name":"n"}'),
    ("PUT", "/image", b"\x89PNG", "image/png", b"\x89PNG"),
])
def test_body_sent_as_its_declared_media_type(specs: SpecPool, server: Recorder, method: str, path: str,
                                              value: Any, content_type: str, body: bytes) -> None:
    pkg = specs.package("bodies")
    call = method_for(make_client(pkg, server), pkg, method, path)
    call(**value) if isinstance(value, dict) else call(body=value)
    assert (server.last.headers["content-type"], server.last.body) == (content_type, body)


@pytest.mark.parametrize(("path", "content_type", "body", "accept", "value"), [
    ("/problem", "application/problem+json", b'{"title":"t"}', "application/problem+json", "t"),
    ("/page", "text/html", b"<p>", "text/html", b"<p>"),
    ("/file", "application/octet-stream", b"\x00", "*/*", b"\x00"),
    ("/plain", "application/json", b"{}", "application/json", None),
])
def test_accept_names_the_declared_answer(specs: SpecPool, server: Recorder, path: str, content_type: str,
                                          body: bytes, accept: str, value: Any) -> None:
    """A strict server answers 406 to an Accept that does not name the media type it serves."""
    pkg = specs.package("answers")
    server.reply(f"GET {path}", body=body, content_type=content_type)
    got = method_for(make_client(pkg, server), pkg, "GET", path)()
    assert server.last.headers["accept"] == accept
    if value is not None:
        assert (got.title if path == "/problem" else got) == value


# ------------------------------------------------------------------------- resources named like the client


def test_resources_named_like_the_client(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("client_names")
    client = make_client(pkg, server)
    assert isinstance(client, pkg._core.SyncAPIClient)
    other = client.with_options(timeout=5)  # the client's own methods are not shadowed
    assert other is not client and callable(client.copy) and callable(client.close)
    for name in CLIENT_NAMED:
        server.reply(f"GET /{name}", body={"seg": name})
        assert method_for(client, pkg, "GET", f"/{name}")().seg == name
        method_for(client, pkg, "POST", f"/{name}/{{id}}/{name}")("i")
        assert (server.last.method, server.last.path) == ("POST", f"/{name}/i/{name}")
    client.close()


def test_resources_named_like_the_client_pass_mypy(specs: SpecPool, tmp_path_factory: pytest.TempPathFactory) -> None:
    gen = specs.get("client_names")
    proc = run_mypy(gen.out, gen.package, tmp_path_factory.getbasetemp() / "wire-mypy-cache")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_members_named_like_builtins_pass_mypy(specs: SpecPool, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`list` keeps its name (it goes last in its class); `str`, `int`, `bytes` get a `_`."""
    gen = specs.get("builtin_names")
    proc = run_mypy(gen.out, gen.package, tmp_path_factory.getbasetemp() / "wire-mypy-cache")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_members_named_like_builtins_on_the_wire(specs: SpecPool, server: Recorder) -> None:
    pkg = specs.package("builtin_names")
    client = make_client(pkg, server)
    server.reply("GET /things", body=["a"])
    assert client.things.list() == ["a"]
    server.reply("GET /things/str", body="s")
    assert client.things.str_() == "s"
    server.reply("GET /things/int/bytes", body=b"raw", content_type="application/octet-stream")
    assert client.things.int_.bytes_() == b"raw"
    client.close()


# ------------------------------------------------------------------------------------------- Stripe


@pytest.mark.slow
def test_stripe_list_filter_is_a_deep_object(tmp_path: Path, server: Recorder) -> None:
    """Stripe reads `created[gte]=5`; a JSON text (`created={"gte":5}`) is refused."""
    out = tmp_path / "stripe"
    proc = run_generate(CORPUS / "stripe-2023-09.yaml", "stripe_wire", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pkg = import_fresh(out, "stripe_wire")
    client = make_client(pkg, server)
    server.reply("GET /v1/charges", body={"object": "list", "data": [], "has_more": False, "url": "/v1/charges"})
    method_for(client, pkg, "GET", "/v1/charges")(created={"gte": 5}, expand=["data.customer"], limit=3)
    assert sorted(query_of(server)) == [("created[gte]", "5"), ("expand[0]", "data.customer"), ("limit", "3")]
    method_for(client, pkg, "GET", "/v1/charges")(created=7)
    assert query_of(server) == [("created", "7")]
