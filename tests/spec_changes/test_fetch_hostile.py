"""`lowcodegen fetch` against a hostile backend on loopback: every bad answer is one line, exit 2, files untouched."""

from __future__ import annotations

import gzip
import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from spec_changes_util import DEFINITION, ROOT, SPECS, Answerer, Reply, loopback, run_cli

from generator.fetch import MAX_BODY_BYTES

SNAPSHOT = Path("lowcodeapi") / "anthropic.openapi.json"
PROVENANCE = Path("lowcodeapi") / "anthropic.provenance.json"
OPENAI = ROOT.parent / "shared" / "lowcodeapi" / "openai.definition.json"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    import shutil

    copy_of = tmp_path / "specs"
    shutil.copytree(SPECS, copy_of)
    return copy_of


def _files(specs: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((specs / "lowcodeapi").iterdir())}


def _snapshot() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SPECS / SNAPSHOT).read_text(encoding="utf-8"))
    return document


def _fetch(specs: Path, base_url: str, *extra: str, timeout: str = "5") -> Any:
    return run_cli("fetch", "--root", str(ROOT), "--specs-dir", str(specs), "--base-url", base_url, "--timeout", timeout, "--retries", "1", *extra)


def _raw(status: int, body: bytes, headers: dict[str, str]) -> Answerer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def _json(body: bytes) -> Reply:
    return 200, body, "application/json"


def _one_op() -> bytes:
    """A valid anthropic document with one operation (a 32-route snapshot would become 1)."""
    document = _snapshot()
    document["paths"] = {"/v1/models": document["paths"]["/v1/models"]}
    return json.dumps(document).encode()


def _gzip_bomb() -> bytes:
    return gzip.compress(b" " * (MAX_BODY_BYTES + 1024 * 1024), compresslevel=9)  # ~33 kB that inflate past the cap


def _endless(handler: BaseHTTPRequestHandler) -> None:
    """A '10 GB' answer: no content-length, zeros until the client hangs up."""
    handler.send_response(200)
    handler.send_header("content-type", "application/json")
    handler.send_header("connection", "close")
    handler.end_headers()
    block = b"0" * 65536
    try:
        for _ in range(10 * 1024 * 1024 * 1024 // len(block)):
            handler.wfile.write(block)
    except OSError:
        pass


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """One byte a second, forever (bounded here so the thread ends)."""
    handler.send_response(200)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", "1000000")
    handler.end_headers()
    try:
        for _ in range(60):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass


def _redirect(location: str) -> Reply | Answerer:
    return _raw(302, b"", {"location": location, "content-length": "0"})


DEEP = b"[" * 100_000 + b"]" * 100_000
GOOD_DEFINITION = (200, DEFINITION.read_bytes(), "application/json")


@pytest.mark.parametrize(("case", "openapi", "message"), [
    ("paths is a string", _json(json.dumps({**_snapshot(), "paths": "oops"}).encode()), "`paths` is a JSON str, not an object"),
    ("a path item is a list", _json(json.dumps({**_snapshot(), "paths": {"/v1/x": [1]}}).encode()), "the path item is a JSON list"),
    ("100k-deep JSON", _json(b'{"a": ' + DEEP + b"}"), "nested more than"),
    ("deep but parseable", _json(b'{"a": ' + b"[" * 500 + b"]" * 500 + b"}"), "nested more than"),
    ("a 5000-digit integer", _json(b'{"a": ' + b"9" * 5000 + b"}"), "an integer of 5000 digits"),
    ("duplicate keys", _json(b'{"paths": {}, "paths": {"/x": {}}}'), "duplicate key 'paths'"),
    ("NaN", _json(b'{"a": NaN}'), "NaN is not JSON"),
    ("not UTF-8", _json(b'{"a": "\xff\xfe"}'), "not UTF-8"),
    ("a lone surrogate", _json(b'{"a": "\\ud800"}'), "lone surrogate"),
    ("JSON served as HTML", (200, json.dumps(_snapshot()).encode(), "text/html"), "the answer is not JSON (content-type 'text/html')"),
    ("no content type", _raw(200, json.dumps(_snapshot()).encode(), {}), "content-type 'missing'"),
    ("another provider's document", (200, OPENAI.read_bytes(), "application/json"), "is not LowCodeAPI's 'anthropic'"),
    ("a drastic shrink", _json(_one_op()), "the served spec has 1 operations, the snapshot 32"),
    ("a gzip bomb", _raw(200, _gzip_bomb(), {"content-type": "application/json", "content-encoding": "gzip"}), "larger than 32 MiB"),
    ("a corrupt gzip body", _raw(200, b"not gzip at all", {"content-type": "application/json", "content-encoding": "gzip"}), "compressed body is corrupt"),
    ("an unknown encoding", _raw(200, b"{}", {"content-type": "application/json", "content-encoding": "br"}), "content-encoded as 'br'"),
    ("a declared 10 GB", _raw(200, b"", {"content-type": "application/json", "content-length": str(10 * 1024**3)}), "larger than 32 MiB"),
    ("an endless body", _endless, "larger than 32 MiB"),
    ("a redirect loop", _redirect("/anthropic/openapi"), "redirect loop"),
    ("a bad Location", _redirect("http://[::1"), "Location header is not a URL"),
])
def test_a_hostile_answer_is_one_line_and_changes_nothing(specs: Path, case: str, openapi: Reply | Answerer, message: str) -> None:
    before = _files(specs)
    with loopback({"/anthropic/openapi": openapi, "/anthropic/definition": GOOD_DEFINITION}) as (base, _):
        result = _fetch(specs, base)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{base}/anthropic/openapi") and message in lines[0], lines
    assert "Traceback" not in result.output
    assert _files(specs) == before  # byte for byte, and no temporary file left behind


def test_a_long_redirect_chain_is_refused(specs: Path) -> None:
    before = _files(specs)
    hops: dict[str, Reply | Answerer] = {f"/hop{i}": _redirect(f"/hop{i + 1}") for i in range(10)}
    with loopback({**hops, "/anthropic/openapi": _redirect("/hop0"), "/anthropic/definition": GOOD_DEFINITION}) as (base, seen):
        result = _fetch(specs, base)
    assert result.exit_code == 2 and "more than 5 redirects" in result.stderr, result.output
    assert len(seen) == 6 and _files(specs) == before


def test_a_slow_drip_ends_at_the_timeout_for_the_whole_fetch(specs: Path) -> None:
    before = _files(specs)
    with loopback({"/anthropic/openapi": _drip, "/anthropic/definition": GOOD_DEFINITION}) as (base, seen):
        started = time.monotonic()
        result = _fetch(specs, base, timeout="2")
        took = time.monotonic() - started
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{base}/anthropic/openapi: error: timed out") and "whole fetch" in line, line
    assert took < 3.5, took  # 2 s for everything, retries included (the old per-read timeout never ended)
    assert _files(specs) == before


def test_a_cross_host_redirect_is_refused_without_leaking_secrets(specs: Path) -> None:
    before = _files(specs)
    with loopback({"/anthropic/openapi": _json(_one_op()), "/anthropic/definition": GOOD_DEFINITION}) as (elsewhere, seen_elsewhere):
        port = elsewhere.rsplit(":", 1)[1]
        away = _redirect(f"http://localhost:{port}/anthropic/openapi?token=SECRET-IN-QUERY")
        with loopback({"/anthropic/openapi": away, "/anthropic/definition": GOOD_DEFINITION}) as (base, _):
            result = _fetch(specs, base.replace("http://", "http://user:SECRET-PASSWORD@"))
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{base}/anthropic/openapi: error: redirected to another host (localhost:{port})"), line
    assert "SECRET" not in result.output
    assert seen_elsewhere == [] and _files(specs) == before


def test_a_same_host_redirect_is_followed_and_recorded(specs: Path) -> None:
    moved = {"/anthropic/openapi": _redirect("/v2/anthropic/openapi"), "/v2/anthropic/openapi": _json(json.dumps(_snapshot()).encode()),
             "/anthropic/definition": GOOD_DEFINITION}
    with loopback(moved) as (base, seen):
        result = _fetch(specs, base)
    assert result.exit_code == 0, result.output
    assert seen[:2] == ["/anthropic/openapi", "/v2/anthropic/openapi"]
    provenance = json.loads((specs / PROVENANCE).read_text(encoding="utf-8"))
    assert provenance["source_url"] == f"{base}/v2/anthropic/openapi"
    assert f"fetched {base}/v2/anthropic/openapi" in result.stdout


def test_credentials_in_the_base_url_stay_out_of_the_provenance(specs: Path) -> None:
    with loopback({"/anthropic/openapi": _json(json.dumps(_snapshot()).encode()), "/anthropic/definition": GOOD_DEFINITION}) as (base, _):
        result = _fetch(specs, base.replace("http://", "http://user:SECRET-PASSWORD@"))
    assert result.exit_code == 0, result.output
    assert "SECRET" not in result.output and b"SECRET" not in (specs / PROVENANCE).read_bytes()
    assert json.loads((specs / PROVENANCE).read_text(encoding="utf-8"))["source_url"] == f"{base}/anthropic/openapi"


def test_a_gzipped_answer_is_accepted(specs: Path) -> None:
    body = gzip.compress(json.dumps(_snapshot()).encode())
    gzipped = _raw(200, body, {"content-type": "application/json; charset=utf-8", "content-encoding": "gzip", "content-length": str(len(body))})
    with loopback({"/anthropic/openapi": gzipped, "/anthropic/definition": GOOD_DEFINITION}) as (base, _):
        result = _fetch(specs, base)
    assert result.exit_code == 0, result.output
    assert json.loads((specs / SNAPSHOT).read_text(encoding="utf-8")) == _snapshot()


def test_force_accepts_a_drastic_shrink(specs: Path) -> None:
    with loopback({"/anthropic/openapi": _json(_one_op()), "/anthropic/definition": GOOD_DEFINITION}) as (base, _):
        result = _fetch(specs, base, "--force")
    assert result.exit_code == 0, result.output
    assert json.loads((specs / PROVENANCE).read_text(encoding="utf-8"))["routes"] == 1


def test_the_definition_is_held_to_the_same_rules(specs: Path) -> None:
    before = _files(specs)
    replies: dict[str, Reply | Answerer] = {"/anthropic/openapi": _json(json.dumps(_snapshot()).encode()),
                                             "/anthropic/definition": (200, OPENAI.read_bytes(), "application/json")}
    with loopback(replies) as (base, _):
        result = _fetch(specs, base)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{base}/anthropic/definition") and "is not LowCodeAPI's 'anthropic'" in line, line
    assert _files(specs) == before
