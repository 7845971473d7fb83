"""What plain-mode clients of real specs put on the wire, checked against OpenAPI's serialization rules
as each spec states them (style/explode, `encoding`, media types), not against our IR: one package per
spec per module, each call's exact method, path, query and body bytes on the recording server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from featurekit import method_for
from recorder import Recorder, serve
from robustkit import CORPUS, import_fresh, run_generate

pytestmark = pytest.mark.slow

SPECS = {"stripe": "stripe-2023-09.yaml", "github": "github-2021-10.json", "openai": "openai-2026-08.yaml",
         "petstore": "petstore3-swagger-v3.0.4.yaml",
         "lowcodeapi_openai": "../lowcodeapi/providers/openai.openapi.json"}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("real_wire")

    def generate(name: str) -> tuple[str, Path]:
        proc = run_generate(CORPUS / SPECS[name], f"{name}_wire", work / name, cwd=work)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return name, work / name

    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(generate, SPECS))
    return {name: import_fresh(out, f"{name}_wire") for name, out in done}


@pytest.fixture
def server() -> Iterator[Recorder]:
    with serve() as recorder:
        yield recorder


PNG = b"\x89PNG\r\n"

# (spec, method, path, args, kwargs, target (path as sent, query unquoted), content type, body (forms unquoted))
CALLS: list[tuple[str, str, str, tuple[Any, ...], dict[str, Any], str, str | None, bytes]] = [
    # Stripe: query form (exploded) + deepObject; form bodies whose `encoding` says deepObject everywhere
    ("stripe", "GET", "/v1/customers", (), {"created": {"gte": 1, "lt": 9}, "expand": ["data.x"], "limit": 2},
     "/v1/customers?created[gte]=1&created[lt]=9&expand[0]=data.x&limit=2", None, b""),
    ("stripe", "POST", "/v1/customers", (),
     {"address": {"city": "Oslo", "line1": "a&b=c"}, "metadata": {"k": "v", "unset": ""}, "expand": ["tax"],
      "preferred_locales": ["en", "fr"], "tax_id_data": [{"type": "eu_vat", "value": "X1"}], "email": "a+b@x.io"},
     "/v1/customers", "application/x-www-form-urlencoded",
     b"address[city]=Oslo&address[line1]=a&b=c&email=a+b@x.io&expand[0]=tax&metadata[k]=v&metadata[unset]="
     b"&preferred_locales[0]=en&preferred_locales[1]=fr&tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=X1"),
    ("stripe", "POST", "/v1/customers/{customer}", ("cus/1 ?",), {"metadata": {"a": "1"}},
     "/v1/customers/cus%2F1%20%3F", "application/x-www-form-urlencoded", b"metadata[a]=1"),
    # GitHub: reserved characters in path values (`{path}`, `{ref}`) are percent-encoded (simple style)
    ("github", "GET", "/repos/{owner}/{repo}/contents/{path}", ("o", "r", "dir/a b#?.md"), {"ref": "feat/x"},
     "/repos/o/r/contents/dir%2Fa%20b%23%3F.md?ref=feat%2Fx", None, b""),
    ("github", "GET", "/repos/{owner}/{repo}/git/ref/{ref}", ("o", "r", "heads/a+b"), {},
     "/repos/o/r/git/ref/heads%2Fa%2Bb", None, b""),
    ("github", "POST", "/repos/{owner}/{repo}/issues", ("o", "r"), {"title": "t", "labels": ["a", "b"]},
     "/repos/o/r/issues", "application/json", b'{"title":"t","labels":["a","b"]}'),
    ("github", "POST", "/markdown/raw", (), {"body": "# Hi"}, "/markdown/raw", "text/plain", b"# Hi"),
    # OpenAI: multipart, checked part by part below
    # petstore: query form arrays (exploded), binary body with its declared type, header parameter
    ("petstore", "GET", "/pet/findByTags", (), {"tags": ["a b", "c"]}, "/pet/findByTags?tags=a+b&tags=c", None, b""),
    ("petstore", "POST", "/pet/{petId}/uploadImage", (7,), {"additional_metadata": "m", "body": PNG},
     "/pet/7/uploadImage?additionalMetadata=m", "application/octet-stream", PNG),
    ("petstore", "DELETE", "/pet/{petId}", (7,), {"api_key": "secret"}, "/pet/7", None, b""),
]


@pytest.mark.parametrize(("spec", "method", "path", "args", "kwargs", "target", "content_type", "body"), CALLS,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CALLS])
def test_request_on_the_wire(packages: dict[str, Any], server: Recorder, spec: str, method: str, path: str,
                             args: tuple[Any, ...], kwargs: dict[str, Any], target: str, content_type: str | None,
                             body: bytes) -> None:
    pkg = packages[spec]
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    with contextlib.suppress(pkg.APIError):  # `{}` is not every declared answer: the request is checked
        method_for(client, pkg, method, path)(*args, **kwargs)
    got = server.last
    raw_path, _, query = got.target.partition("?")
    want_path, _, want_query = target.partition("?")
    assert (got.method, raw_path, unquote(query.replace("+", "%20"))) == (
        method, want_path, unquote(want_query.replace("+", "%20")))
    assert got.headers.get("content-type") == content_type
    form = content_type == "application/x-www-form-urlencoded"
    assert (unquote(got.body.decode()).encode() if form else got.body) == body
    if spec == "petstore" and "api_key" in kwargs:
        assert got.headers["api_key"] == "secret"


def test_openai_multipart_parts(packages: dict[str, Any], server: Recorder) -> None:
    """No `encoding`: a list of primitives repeats its part, an object is one application/json part."""
    pkg = packages["openai"]
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    server.reply("POST /audio/transcriptions", body={"text": "hi"})
    method_for(client, pkg, "POST", "/audio/transcriptions")(
        file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", timestamp_granularities=["word", "segment"],
        chunking_strategy={"type": "server_vad"})
    assert server.last.parts() == [
        ("model", None, None, b"whisper-1"), ("timestamp_granularities", None, None, b"word"),
        ("timestamp_granularities", None, None, b"segment"),
        ("chunking_strategy", None, "application/json", b'{"type":"server_vad"}'),
        ("file", "a.mp3", "audio/mpeg", b"ID3")]


def test_openai_multipart_part_types(packages: dict[str, Any], server: Recorder) -> None:
    """POST /realtime/calls: no file field, yet multipart; `encoding.contentType` types each part; the
    answer is application/sdp (asked for by name, returned as bytes)."""
    pkg = packages["openai"]
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    server.reply("POST /realtime/calls", status=201, body=b"v=0 answer", content_type="application/sdp")
    got = method_for(client, pkg, "POST", "/realtime/calls")(sdp="v=0\r\no=- 1", session={"type": "realtime"})
    assert got == b"v=0 answer" and server.last.headers["accept"] == "application/sdp"
    assert server.last.parts() == [("sdp", None, "application/sdp", b"v=0\r\no=- 1"),
                                   ("session", None, "application/json", b'{"type":"realtime"}')]


@pytest.mark.parametrize("url_format", ["new", "old"])
def test_lowcodeapi_provider_upload(packages: dict[str, Any], server: Recorder, url_format: str) -> None:
    """LowCodeAPI's openai document types the file `file` with its formats as an `enum`: still a file part."""
    pkg = packages["lowcodeapi_openai"]
    client = pkg.Client(api_token="at_x", base_url=server.url, url_format=url_format, max_retries=0)
    method_for(client, pkg, "POST", "/audio/transcriptions")(
        file=("a.mp3", b"ID3", "audio/mpeg"), model="whisper-1", timestamp_granularities=["word", "segment"])
    assert server.last.target == "/v1/audio/transcriptions?api_token=at_x"
    assert server.last.parts() == [
        ("model", None, None, b"whisper-1"), ("timestamp_granularities[]", None, None, b"word"),
        ("timestamp_granularities[]", None, None, b"segment"), ("file", "a.mp3", "audio/mpeg", b"ID3")]


def test_stripe_multipart_follows_its_encoding(packages: dict[str, Any], server: Recorder) -> None:
    """Stripe's POST /v1/files says deepObject for `expand` and `file_link_data`: bracketed parts, not JSON."""
    pkg = packages["stripe"]
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    server.reply("POST /v1/files", body={"id": "file_1", "object": "file"})
    with contextlib.suppress(pkg.APIError):
        method_for(client, pkg, "POST", "/v1/files")(
            file=("a.txt", b"hello", "text/plain"), purpose="dispute_evidence", expand=["links"],
            file_link_data={"create": True, "metadata": {"a": "b"}})
    assert server.last.parts() == [
        ("expand[0]", None, None, b"links"), ("file_link_data[create]", None, None, b"true"),
        ("file_link_data[metadata][a]", None, None, b"b"), ("purpose", None, None, b"dispute_evidence"),
        ("file", "a.txt", "text/plain", b"hello")]


SCIM_USER = b'{"id":"u","schemas":["s"],"userName":"n","active":true,"emails":[],"name":{},"meta":{}}'
ANSWERS = [  # (spec, method, path, args, served type, body, Accept sent, what the call returns)
    ("github", "GET", "/scim/v2/organizations/{org}/Users/{scim_user_id}", ("o", "u"), "application/scim+json",
     SCIM_USER, "application/scim+json", "n"),
    ("github", "GET", "/zen", (), "text/plain", b"Keep it simple.", "text/plain", b"Keep it simple."),
    ("github", "POST", "/markdown/raw", (), "text/html", b"<p>hi</p>", "text/html", b"<p>hi</p>"),
    ("github", "GET", "/user/starred", (), "application/vnd.github.v3.star+json", b"[]",
     "application/json", []),  # its first declared type, whose schema decodes the answer
    ("github", "DELETE", "/gists/{gist_id}", ("g",), "application/json", b"", "application/json", None),
    ("petstore", "GET", "/pet/{petId}", (7,), "application/json", b'{"name":"rex","photoUrls":[]}',
     "application/json", "rex"),
]


@pytest.mark.parametrize(("spec", "method", "path", "args", "served", "body", "accept", "expected"), ANSWERS,
                         ids=[f"{a[0]}-{a[2]}" for a in ANSWERS])
def test_answers_in_their_declared_media_type(packages: dict[str, Any], server: Recorder, spec: str, method: str,
                                              path: str, args: tuple[Any, ...], served: str, body: bytes,
                                              accept: str, expected: Any) -> None:
    """Vendor JSON decodes as JSON, text and HTML come as bytes, a 204 as None; Accept names the type."""
    pkg = packages[spec]
    client = pkg.Client(api_key="k", target="direct", base_url=server.url, max_retries=0)
    wire = path
    for name, value in zip([seg[1:-1] for seg in path.split("/") if seg.startswith("{")], args, strict=True):
        wire = wire.replace("{" + name + "}", str(value))
    server.replies[f"{method} {wire}"] = (204 if expected is None else 200, served, body)
    got = method_for(client, pkg, method, path)(*args)
    assert server.last.headers["accept"] == accept
    shown = got.userName if spec == "github" and "scim" in path else got.name if spec == "petstore" else got
    assert shown == expected
