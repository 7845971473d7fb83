"""The fake server's data types and its canned Anthropic behaviour: models, messages (echo and SSE),
batches (JSONL results), files (multipart up, bytes down), organization, API keys, workspaces, members."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PREFIX = "/anthropic"
CREATED = "2025-01-01T00:00:00Z"
_UNSET: Any = object()  # "no JSON body" (None would be JSON null)


@dataclass
class Reply:
    """One scripted response. With no status and no body it lets the normal handling run, then applies
    its delay, headers and cut to that."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = _UNSET
    envelope: bool = False  # wrap ``json`` in the LowCodeAPI envelope (success or error, by status)
    envelope_headers: dict[str, str] | None = None  # upstream headers carried inside an error envelope
    raw: bytes | None = None
    content_type: str | None = None
    sse: list[Any] | None = None  # (event, data) pairs, or raw text blocks
    jsonl: list[Any] | None = None
    cut_after: int | None = None  # SSE/JSONL: send this many events (lines) whole, half the next, hang up
    truncate: int | None = None  # announce the full Content-Length, send only this many bytes, hang up
    close_delimited: bool = False  # end the body by closing the connection (no length, not chunked)
    delay: float = 0.0  # seconds before the status line
    chunk_delay: float = 0.0  # seconds between streamed chunks
    drop: bool = False  # close the connection without any response

    @property
    def passthrough(self) -> bool:
        return (self.status is None and self.json is _UNSET and self.raw is None and self.sse is None
                and self.jsonl is None and not self.drop)


@dataclass
class RecordedRequest:
    """A request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    query_items: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    route: str | None = None
    format: str | None = None  # "new" | "old" | "direct" once matched

    @property
    def target(self) -> str:
        return "lowcodeapi" if self.path.startswith(PREFIX) else "direct"

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def anthropic_error(status: int, err_type: str, message: str, *, request_id: str = "req_fake_err",
                    headers: dict[str, str] | None = None) -> Reply:
    """Anthropic's own error response (bare; the proxy wraps it in its error envelope)."""
    body = {"type": "error", "error": {"type": err_type, "message": message}, "request_id": request_id}
    return Reply(status, headers={"request-id": request_id, **(headers or {})}, json=body)


def multipart_parts(content_type: str, body: bytes) -> list[tuple[str, str | None, str, bytes]]:
    """Every part of a multipart/form-data body: (field name, filename or None, media type, bytes)."""
    boundary = content_type.split("boundary=", 1)[1].strip().strip('"').encode()
    parts = []
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part[2:].partition(b"\r\n\r\n")
        content = content[:-2] if content.endswith(b"\r\n") else content
        headers = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = {
            k.strip(): v.strip().strip('"')
            for k, _, v in (item.partition("=") for item in headers.get("content-disposition", "").split(";")[1:])
        }
        media = headers.get("content-type", "application/octet-stream")
        parts.append((disposition.get("name", ""), disposition.get("filename"), media, content))
    return parts


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """(form fields, files as field -> (filename, media type, bytes)) of a multipart/form-data body."""
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for name, filename, media, content in multipart_parts(content_type, body):
        if filename is None:
            fields[name] = content.decode("utf-8")
        else:
            files[name] = (filename, media, content)
    return fields, files


def paginate(items: list[dict[str, Any]], key: str, query: dict[str, str], page_size: int) -> dict[str, Any]:
    """An Anthropic list page of ``items`` for ``limit`` / ``after_id`` / ``before_id``."""
    limit = int(query.get("limit") or page_size)
    ids = [item[key] for item in items]
    if query.get("after_id"):
        start = ids.index(query["after_id"]) + 1 if query["after_id"] in ids else len(items)
        window, has_more = items[start:start + limit], start + limit < len(items)
    elif query.get("before_id"):
        end = ids.index(query["before_id"]) if query["before_id"] in ids else 0
        begin = max(0, end - limit)
        window, has_more = items[begin:end], begin > 0
    else:
        window, has_more = items[:limit], limit < len(items)
    return {"data": window, "has_more": has_more,
            "first_id": window[0][key] if window else None, "last_id": window[-1][key] if window else None}


def _text_of(messages: Any) -> str:
    """The text of the last user message of a Messages request."""
    if not isinstance(messages, list) or not messages:
        return ""
    content = messages[-1].get("content") if isinstance(messages[-1], dict) else ""
    if isinstance(content, list):
        return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return str(content)


def stream_events(model: str, text: str) -> list[tuple[str, dict[str, Any]]]:
    """The SSE events of a streamed Message answering ``text``."""
    reply = f"Hello! You said: {text}"
    pieces = [reply[i:i + 7] for i in range(0, len(reply), 7)]
    message = {"id": "msg_fake_stream", "type": "message", "role": "assistant", "model": model, "content": [],
               "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
    ]
    events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "text_delta", "text": piece}}) for piece in pieces]
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": len(pieces)}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


class World:
    """The fake provider's state and its answer to each route (bare bodies; the server adds envelopes)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counter = 0
        self.models = [
            {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": CREATED},
            {"type": "model", "id": "claude-haiku-4-5", "display_name": "Claude Haiku 4.5", "created_at": CREATED},
            {"type": "model", "id": "claude-opus-4-1", "display_name": "Claude Opus 4.1", "created_at": CREATED},
        ]
        self.batches: dict[str, dict[str, Any]] = {"msgbatch_01": self._batch("msgbatch_01", "ended")}
        self.files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        self._store_file("file_01", "hello.txt", "text/plain", b"hello world\n", None)
        self.api_keys: dict[str, dict[str, Any]] = {"apikey_01": self._api_key("apikey_01", "Default", "wrkspc_01")}
        self.workspaces: dict[str, dict[str, Any]] = {"wrkspc_01": self._workspace("wrkspc_01", "Default")}
        self.members: dict[str, dict[str, dict[str, Any]]] = {
            "wrkspc_01": {"user_01": self._member("wrkspc_01", "user_01", "workspace_admin")}}

    # ----------------------------------------------------------------------------------------- objects

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{prefix}_{self.counter:04d}"

    @staticmethod
    def _batch(batch_id: str, status: str) -> dict[str, Any]:
        return {"id": batch_id, "type": "message_batch", "processing_status": status, "created_at": CREATED,
                "ended_at": CREATED if status == "ended" else None, "expires_at": CREATED,
                "archived_at": None, "cancel_initiated_at": None,
                "request_counts": {"processing": 0, "succeeded": 1, "errored": 1, "canceled": 1, "expired": 0},
                "results_url": f"https://api.anthropic.com/v1/messages/batches/{batch_id}/results"}

    @staticmethod
    def _api_key(key_id: str, name: str, workspace_id: str | None) -> dict[str, Any]:
        return {"id": key_id, "type": "api_key", "name": name, "workspace_id": workspace_id, "status": "active",
                "created_at": CREATED, "partial_key_hint": "sk-ant-api03-abc...wxyz",
                "created_by": {"id": "user_01", "type": "user"}}

    @staticmethod
    def _workspace(ws_id: str, name: str) -> dict[str, Any]:
        return {"id": ws_id, "type": "workspace", "name": name, "created_at": CREATED, "archived_at": None,
                "display_color": "#6C5BB9"}

    @staticmethod
    def _member(ws_id: str, user_id: str, role: str) -> dict[str, Any]:
        return {"type": "workspace_member", "user_id": user_id, "workspace_id": ws_id, "workspace_role": role}

    def _store_file(self, file_id: str, name: str, media: str, data: bytes, purpose: str | None) -> dict[str, Any]:
        meta = {"id": file_id, "type": "file", "filename": name, "mime_type": media, "size_bytes": len(data),
                "created_at": CREATED, "downloadable": True}
        if purpose:
            meta["purpose"] = purpose
        self.files[file_id] = meta
        self.file_bytes[file_id] = data
        return meta

    # ---------------------------------------------------------------------------------------- dispatch

    def dispatch(self, name: str, params: dict[str, str], req: RecordedRequest, *, lowcodeapi: bool,
                 page_size: int, seed_lists: bool) -> Reply:
        """The answer to route ``name``."""
        handler: Callable[..., Reply] = getattr(self, "on_" + name.replace(".", "_"))
        self._page_size, self._seed_lists = page_size, seed_lists
        try:
            body = req.json() if req.body and "json" in req.headers.get("content-type", "") else {}
        except ValueError:
            return anthropic_error(400, "invalid_request_error", "The request body is not valid JSON.")
        return handler(params=params, query=req.query, body=body if isinstance(body, dict) else {}, req=req)

    def _list(self, items: list[dict[str, Any]], query: dict[str, str], key: str = "id") -> Reply:
        if self._seed_lists:
            return Reply(200, json=list(items))
        return Reply(200, json=paginate(items, key, query, self._page_size))

    @staticmethod
    def _missing(kind: str, ident: str) -> Reply:
        return anthropic_error(404, "not_found_error", f"{kind}: {ident} not found")

    # messages, models, completions

    def on_messages_create(self, body: dict[str, Any], **_: Any) -> Reply:
        for required in ("model", "max_tokens", "messages"):
            if required not in body:
                return anthropic_error(400, "invalid_request_error", f"{required}: Field required")
        text = _text_of(body["messages"])
        if body.get("stream") is True:
            return Reply(200, sse=list(stream_events(body["model"], text)))
        return Reply(200, json={
            "id": self.next_id("msg"), "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "text", "text": f"Hello! You said: {text}"}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": len(text.split()) + 5, "output_tokens": 6}})

    def on_messages_count_tokens(self, body: dict[str, Any], **_: Any) -> Reply:
        return Reply(200, json={"input_tokens": len(_text_of(body.get("messages")).split()) + 5})

    def on_models_list(self, query: dict[str, str], **_: Any) -> Reply:
        return self._list(self.models, query)

    def on_models_retrieve(self, params: dict[str, str], **_: Any) -> Reply:
        for model in self.models:
            if model["id"] == params["model_id"]:
                return Reply(200, json=model)
        return self._missing("model", params["model_id"])

    def on_completions_create(self, body: dict[str, Any], **_: Any) -> Reply:
        return Reply(200, json={"type": "completion", "id": self.next_id("compl"), "completion": " Hello!",
                                "stop_reason": "stop_sequence", "model": body.get("model", "claude-2.1")})

    # batches

    def on_messages_batches_create(self, **_: Any) -> Reply:
        batch = self._batch(self.next_id("msgbatch"), "in_progress")
        self.batches[batch["id"]] = batch
        return Reply(200, json=batch)

    def on_messages_batches_list(self, query: dict[str, str], **_: Any) -> Reply:
        return self._list(list(self.batches.values()), query)

    def on_messages_batches_retrieve(self, params: dict[str, str], **_: Any) -> Reply:
        batch = self.batches.get(params["batch_id"])
        return Reply(200, json=batch) if batch else self._missing("message_batch", params["batch_id"])

    def on_messages_batches_results(self, params: dict[str, str], **_: Any) -> Reply:
        if params["batch_id"] not in self.batches:
            return self._missing("message_batch", params["batch_id"])
        message = {"id": "msg_b1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                   "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn", "stop_sequence": None,
                   "usage": {"input_tokens": 3, "output_tokens": 1}}
        error = {"type": "error", "error": {"type": "invalid_request_error", "message": "bad request"}}
        return Reply(200, jsonl=[
            {"custom_id": "req-1", "result": {"type": "succeeded", "message": message}},
            {"custom_id": "req-2", "result": {"type": "errored", "error": error}},
            {"custom_id": "req-3", "result": {"type": "canceled"}},
        ])

    def on_messages_batches_cancel(self, params: dict[str, str], **_: Any) -> Reply:
        batch = self.batches.get(params["batch_id"])
        if not batch:
            return self._missing("message_batch", params["batch_id"])
        batch.update(processing_status="canceling", cancel_initiated_at=CREATED)
        return Reply(200, json=batch)

    def on_messages_batches_delete(self, params: dict[str, str], **_: Any) -> Reply:
        if self.batches.pop(params["batch_id"], None) is None:
            return self._missing("message_batch", params["batch_id"])
        return Reply(200, json={"id": params["batch_id"], "type": "message_batch_deleted"})

    # files

    def on_files_upload(self, req: RecordedRequest, **_: Any) -> Reply:
        content_type = req.headers.get("content-type", "")
        if "multipart/form-data" not in content_type:
            return anthropic_error(400, "invalid_request_error", "Expected multipart/form-data")
        fields, files = parse_multipart(content_type, req.body)
        if "file" not in files:
            return anthropic_error(400, "invalid_request_error", "file: Field required")
        name, media, data = files["file"]
        return Reply(200, json=self._store_file(self.next_id("file"), name, media, data, fields.get("purpose")))

    def on_files_list(self, query: dict[str, str], **_: Any) -> Reply:
        return self._list(list(self.files.values()), query)

    def on_files_retrieve(self, params: dict[str, str], **_: Any) -> Reply:
        meta = self.files.get(params["file_id"])
        return Reply(200, json=meta) if meta else self._missing("file", params["file_id"])

    def on_files_download(self, params: dict[str, str], **_: Any) -> Reply:
        meta = self.files.get(params["file_id"])
        if not meta:
            return self._missing("file", params["file_id"])
        return Reply(200, raw=self.file_bytes[params["file_id"]], content_type=meta["mime_type"])

    def on_files_delete(self, params: dict[str, str], **_: Any) -> Reply:
        if self.files.pop(params["file_id"], None) is None:
            return self._missing("file", params["file_id"])
        return Reply(200, json={"id": params["file_id"], "type": "file_deleted"})

    # organization, API keys

    def on_organizations_me(self, **_: Any) -> Reply:
        return Reply(200, json={"id": "org_01", "type": "organization", "name": "Fake Org"})

    def on_organizations_api_keys_list(self, query: dict[str, str], **_: Any) -> Reply:
        keys = [k for k in self.api_keys.values()
                if query.get("workspace_id") in (None, k["workspace_id"]) and query.get("status") in (None, k["status"])]
        return self._list(keys, query)

    def on_organizations_api_keys_create(self, body: dict[str, Any], **_: Any) -> Reply:
        key = self._api_key(self.next_id("apikey"), str(body.get("name", "")), body.get("workspace_id"))
        self.api_keys[key["id"]] = key
        return Reply(200, json=key)

    def on_organizations_api_keys_retrieve(self, params: dict[str, str], **_: Any) -> Reply:
        key = self.api_keys.get(params["api_key_id"])
        return Reply(200, json=key) if key else self._missing("api_key", params["api_key_id"])

    def on_organizations_api_keys_update(self, params: dict[str, str], body: dict[str, Any], **_: Any) -> Reply:
        key = self.api_keys.get(params["api_key_id"])
        if not key:
            return self._missing("api_key", params["api_key_id"])
        key.update({k: v for k, v in body.items() if k in ("name", "status")})
        return Reply(200, json=key)

    def on_organizations_api_keys_delete(self, params: dict[str, str], **_: Any) -> Reply:
        if self.api_keys.pop(params["api_key_id"], None) is None:
            return self._missing("api_key", params["api_key_id"])
        return Reply(200, json={"id": params["api_key_id"], "type": "api_key_deleted"})

    # workspaces, members

    def on_organizations_workspaces_list(self, query: dict[str, str], **_: Any) -> Reply:
        return self._list(list(self.workspaces.values()), query)

    def on_organizations_workspaces_create(self, body: dict[str, Any], **_: Any) -> Reply:
        if not body.get("name"):
            return anthropic_error(400, "invalid_request_error", "name: Field required")
        ws = self._workspace(self.next_id("wrkspc"), str(body["name"]))
        self.workspaces[ws["id"]] = ws
        self.members[ws["id"]] = {}
        return Reply(200, json=ws)

    def on_organizations_workspaces_retrieve(self, params: dict[str, str], **_: Any) -> Reply:
        ws = self.workspaces.get(params["workspace_id"])
        return Reply(200, json=ws) if ws else self._missing("workspace", params["workspace_id"])

    def on_organizations_workspaces_update(self, params: dict[str, str], body: dict[str, Any], **_: Any) -> Reply:
        ws = self.workspaces.get(params["workspace_id"])
        if not ws:
            return self._missing("workspace", params["workspace_id"])
        ws.update({k: v for k, v in body.items() if k == "name"})
        return Reply(200, json=ws)

    def on_organizations_workspaces_delete(self, params: dict[str, str], **_: Any) -> Reply:
        if self.workspaces.pop(params["workspace_id"], None) is None:
            return self._missing("workspace", params["workspace_id"])
        self.members.pop(params["workspace_id"], None)
        return Reply(200, json={"id": params["workspace_id"], "type": "workspace_deleted"})

    def _members_of(self, ws_id: str) -> dict[str, dict[str, Any]] | None:
        return self.members.get(ws_id) if ws_id in self.workspaces else None

    def on_organizations_workspaces_members_list(self, params: dict[str, str], query: dict[str, str],
                                                 **_: Any) -> Reply:
        members = self._members_of(params["workspace_id"])
        if members is None:
            return self._missing("workspace", params["workspace_id"])
        return self._list(list(members.values()), query, key="user_id")

    def on_organizations_workspaces_members_create(self, params: dict[str, str], body: dict[str, Any],
                                                   **_: Any) -> Reply:
        members = self._members_of(params["workspace_id"])
        if members is None:
            return self._missing("workspace", params["workspace_id"])
        if not body.get("user_id"):
            return anthropic_error(400, "invalid_request_error", "user_id: Field required")
        member = self._member(params["workspace_id"], str(body["user_id"]),
                              str(body.get("role") or body.get("workspace_role") or "workspace_user"))
        members[member["user_id"]] = member
        return Reply(200, json=member)

    def _member_reply(self, params: dict[str, str], change: Callable[[dict[str, dict[str, Any]], str], Reply]) -> Reply:
        members = self._members_of(params["workspace_id"])
        if members is None:
            return self._missing("workspace", params["workspace_id"])
        if params["user_id"] not in members:
            return self._missing("workspace_member", params["user_id"])
        return change(members, params["user_id"])

    def on_organizations_workspaces_members_retrieve(self, params: dict[str, str], **_: Any) -> Reply:
        return self._member_reply(params, lambda members, uid: Reply(200, json=members[uid]))

    def on_organizations_workspaces_members_update(self, params: dict[str, str], body: dict[str, Any],
                                                   **_: Any) -> Reply:
        def update(members: dict[str, dict[str, Any]], uid: str) -> Reply:
            role = body.get("role") or body.get("workspace_role")
            if role:
                members[uid]["workspace_role"] = role
            return Reply(200, json=members[uid])

        return self._member_reply(params, update)

    def on_organizations_workspaces_members_delete(self, params: dict[str, str], **_: Any) -> Reply:
        def delete(members: dict[str, dict[str, Any]], uid: str) -> Reply:
            del members[uid]
            return Reply(200, json={"type": "workspace_member_deleted", "user_id": uid,
                                    "workspace_id": params["workspace_id"]})

        return self._member_reply(params, delete)
