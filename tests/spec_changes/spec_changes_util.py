"""Helpers of the spec-change tests: a small base spec, spec folders, loopback servers, CLI runs."""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
DEFINITION = ROOT.parent / "shared" / "lowcodeapi" / "anthropic.definition.json"


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _const(value: str, **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": ["type"], "properties": {"type": {"const": value}, **props}}


def base_spec() -> dict[str, Any]:
    """A pet shop that exercises every rule: pages, streams, unions, enums, routes in three forms."""
    string = {"type": "string"}
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "https://api.pets.example"}],
        "paths": {
            "/v1/pets": {
                "get": {
                    "x-client-name": "pets.list", "x-pagination": "cursor",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}},
                                   {"name": "after_id", "in": "query", "schema": string}],
                    "responses": {"200": _json(_ref("PetPage"))},
                },
                "post": {
                    "x-client-name": "pets.create",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CreatePet")}}},
                    "responses": {"200": _json(_ref("Pet"))},
                },
            },
            "/v1/pets/{pet_id}": {
                "get": {
                    "x-client-name": "pets.retrieve",
                    "parameters": [_path_param("pet_id"),
                                   {"name": "fields", "in": "query", "schema": {"type": "string", "default": "all"}}],
                    "responses": {"200": _json(_ref("Pet"))},
                },
                "patch": {
                    "x-client-name": "pets.update", "x-direct-method": "post",
                    "x-lowcodeapi-old": "/v1/pets/petid?petid={pet_id}",
                    "parameters": [_path_param("pet_id")],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"name": string}}}}},
                    "responses": {"200": _json(_ref("Pet"))},
                },
            },
            "/v1/pets/{pet_id}/photo": {
                "get": {
                    "x-client-name": "pets.photo",
                    "parameters": [_path_param("pet_id")],
                    "responses": {"200": {"description": "a photo", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
                },
            },
            "/v1/chats": {
                "post": {
                    "x-client-name": "chats.create", "x-streaming": "sse",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["parts"],
                        "properties": {"parts": {"type": "array", "items": _ref("Part")}, "stream": {"type": "boolean"}}}}}},
                    "responses": {"200": {"description": "a chat", "content": {
                        "application/json": {"schema": _ref("Chat")},
                        "text/event-stream": {"schema": _ref("ChatEvent")}}}},
                },
            },
        },
        "components": {"schemas": {
            "Pet": {"type": "object", "required": ["id", "name", "status"], "properties": {
                "id": string, "name": string, "status": {"type": "string", "enum": ["available", "sold"]},
                "nickname": string, "age": {"type": "integer"}, "tag": string, "note": {"type": ["string", "null"]}}},
            "PetPage": {"type": "object", "required": ["data", "has_more"], "properties": {
                "data": {"type": "array", "items": _ref("Pet")}, "has_more": {"type": "boolean"},
                "first_id": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}}},
            "CreatePet": {"type": "object", "required": ["name"], "properties": {
                "name": string, "kind": {"type": "string", "enum": ["cat", "dog"]}, "weight": {"type": "integer"},
                "owner": _ref("Owner")}},
            "Owner": {"type": "object", "required": ["name"], "properties": {"name": string, "email": string}},
            "Part": {"oneOf": [_ref("TextPart"), _ref("ImagePart"), _ref("VideoPart")], "discriminator": {"propertyName": "type"}},
            "TextPart": _const("text", text=string),
            "ImagePart": _const("image", url=string),
            "VideoPart": _const("video", url=string),
            "AudioPart": _const("audio", url=string),
            "Chat": {"type": "object", "required": ["id"], "properties": {"id": string, "reply": _ref("Part")}},
            "ChatEvent": {"oneOf": [_ref("StartEvent"), _ref("DeltaEvent"), _ref("StopEvent")], "discriminator": {"propertyName": "type"}},
            "StartEvent": _const("start"),
            "DeltaEvent": _const("delta", text=string),
            "StopEvent": _const("stop"),
            "PingEvent": _const("ping"),
        }},
    })


def write_specs(folder: Path, document: dict[str, Any]) -> Path:
    """A specs folder holding one documented spec; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pets.documented.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return folder


def run_cli(*args: str) -> Result:
    """`lowcodegen ARGS` in process (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


Reply = tuple[int, bytes, str]  # status, body, content type
Answerer = Callable[[BaseHTTPRequestHandler], None]  # writes a whole (possibly hostile) answer itself


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    replies: dict[str, Reply | Answerer]
    seen: list[str]

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a deadline, a refused redirect) is no server failure; and
        socketserver's traceback would land in the output that CliRunner captures from the command."""


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK per keep-alive response
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        route = self.path.split("?")[0]
        reply = self.server.replies.get(route, (404, b'{"message": "Not Found"}', "application/json"))
        if callable(reply):
            reply(self)
            return
        status, body, kind = reply
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def loopback(replies: dict[str, Reply | Answerer]) -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 answering GET `path` with `replies[path]` (or letting it answer); yields its base URL and the paths it saw."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.replies, server.seen = replies, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()


def refused_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


Edit = Callable[[dict[str, Any]], object]
