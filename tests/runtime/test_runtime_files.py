"""Multipart uploads and downloads (to bytes and, atomically, to a file) over real sockets."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from fakeserver_world import multipart_parts, parse_multipart


def ident(value: Any) -> Any:
    return value


def upload(client: Any, routes: dict[str, Any], file: Any, **body: Any) -> Any:
    return client._request_json(routes["files.upload"], ident, files={"file": file}, body=body or None)


def stored(server: FakeServer, meta: dict[str, Any]) -> bytes:
    return server.world.file_bytes[meta["id"]]


def test_upload_bytes_with_form_field(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                      rt: ModuleType) -> None:
    meta = upload(client, routes, b"\x00\x01binary", purpose="batch", skipped=rt.NOT_GIVEN)
    assert meta["filename"] == "upload" and meta["purpose"] == "batch" and meta["size_bytes"] == 8
    assert stored(fake_server, meta) == b"\x00\x01binary"
    req = fake_server.requests[0]
    assert req.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="skipped"' not in req.body


def test_upload_from_path(fake_server: FakeServer, client: Any, routes: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7 fake")
    meta = upload(client, routes, path)
    assert (meta["filename"], meta["mime_type"]) == ("report.pdf", "application/pdf")
    assert stored(fake_server, meta) == b"%PDF-1.7 fake"


def test_upload_from_file_object(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                 tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"line one\nline two\n")
    with path.open("rb") as handle:
        meta = upload(client, routes, handle)
    assert (meta["filename"], meta["mime_type"]) == ("notes.txt", "text/plain")
    assert stored(fake_server, meta) == b"line one\nline two\n"


def test_upload_from_tuples(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    meta = upload(client, routes, ("data.jsonl", b'{"a": 1}\n', "application/x-jsonl"))
    assert (meta["filename"], meta["mime_type"]) == ("data.jsonl", "application/x-jsonl")
    meta = upload(client, routes, ("image.png", b"\x89PNG"))
    assert meta["mime_type"] == "image/png" and stored(fake_server, meta) == b"\x89PNG"


def test_upload_is_resent_whole_on_retry(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                         tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    payload = os.urandom(200_000)
    path.write_bytes(payload)
    fake_server.script("POST", "/v1/files", [Reply(503, json={"message": "busy"})])
    with path.open("rb") as handle:
        meta = upload(client, routes, handle)
    assert stored(fake_server, meta) == payload
    first, second = (parse_multipart(r.headers["content-type"], r.body) for r in fake_server.requests)
    assert first == second  # the same fields and bytes (only the boundary differs)


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_download_bytes(fake_server: FakeServer, make_client: Callable[..., Any], routes: dict[str, Any],
                        target: str) -> None:
    client = make_client(target)
    assert client._request_bytes(routes["files.download"], path_params={"file_id": "file_01"}) == b"hello world\n"
    expected = "/anthropic/v1/files/file_01/download" if target == "lowcodeapi" else "/v1/files/file_01/content"
    assert fake_server.requests[0].path == expected


def test_download_json_file_is_not_unwrapped(fake_server: FakeServer, client: Any, routes: dict[str, Any]) -> None:
    meta = upload(client, routes, ("d.json", b'{"data": [1, 2]}', "application/json"))
    data = client._request_bytes(routes["files.download"], path_params={"file_id": meta["id"]})
    assert data == b'{"data": [1, 2]}'


def test_download_to_file(fake_server: FakeServer, client: Any, routes: dict[str, Any], tmp_path: Path) -> None:
    payload = os.urandom(300_000)
    meta = upload(client, routes, ("blob.bin", payload))
    target = tmp_path / "out" / "blob.bin"
    target.parent.mkdir()
    count = client._request_to_file(routes["files.download"], target, path_params={"file_id": meta["id"]})
    assert count == len(payload) and target.read_bytes() == payload
    assert os.listdir(target.parent) == ["blob.bin"]
    assert (target.stat().st_mode & 0o777) == 0o644


def test_failed_download_leaves_the_old_file(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                             tmp_path: Path, rt: ModuleType) -> None:
    target = tmp_path / "keep.txt"
    target.write_bytes(b"previous contents")
    fake_server.script("GET", "/download", [Reply(200, raw=b"x" * 50_000, truncate=10_000)])
    with pytest.raises(rt.APIConnectionError):
        client._request_to_file(routes["files.download"], str(target), path_params={"file_id": "file_01"})
    assert target.read_bytes() == b"previous contents"
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_download_error_status(client: Any, routes: dict[str, Any], tmp_path: Path, rt: ModuleType) -> None:
    with pytest.raises(rt.NotFoundError):
        client._request_to_file(routes["files.download"], tmp_path / "x", path_params={"file_id": "file_zz"})
    assert os.listdir(tmp_path) == []


def test_several_files_under_one_field(fake_server: FakeServer, client: Any, routes: dict[str, Any],
                                       rt: ModuleType, tmp_path: Path) -> None:
    skill = tmp_path / "SKILL.md"
    skill.write_bytes(b"# skill")
    fake_server.script("POST", "/v1/files", [Reply(200, json={"id": "ok"})])
    files = {"files": [skill, ("tool.py", b"print(1)", "text/x-python")], "absent": rt.NOT_GIVEN}
    client._request_json(routes["files.upload"], ident, files=files, body={"display_title": "S"})
    req = fake_server.requests[0]
    parts = multipart_parts(req.headers["content-type"], req.body)
    assert parts == [("display_title", None, "application/octet-stream", b"S"),
                     ("files", "SKILL.md", "text/markdown", b"# skill"),
                     ("files", "tool.py", "text/x-python", b"print(1)")]
