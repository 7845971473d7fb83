"""End to end over real sockets, target LowCodeAPI (both envelopes, the seed's list example) and direct."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fakeserver import FakeServer, Reply
from fakeserver_world import multipart_parts, parse_multipart
from lcclient import HELLO, KEY, MODEL, TOKEN, lc, types

BATCH_REQUESTS: list[Any] = [
    {"custom_id": "req-1", "params": {"model": MODEL, "max_tokens": 16, "messages": HELLO}},
]


@pytest.fixture(params=["data", "result"])
def envelope(request: pytest.FixtureRequest, fake_server: FakeServer) -> str:
    """Run the test against both success envelopes: seed 000's ``data`` and LowCodeAPI's own ``result``."""
    fake_server.envelope = request.param
    return str(request.param)


def only_request(server: FakeServer) -> Any:
    assert len(server.requests) == 1, [(r.method, r.path) for r in server.requests]
    return server.requests[0]


# ------------------------------------------------------------------------------------------- messages


def test_create_message_typed(fake_server: FakeServer, client: Any, envelope: str) -> None:
    msg = client.messages.create(model=MODEL, max_tokens=64, messages=HELLO)
    assert isinstance(msg, types.Message)
    assert msg.id.startswith("msg_") and msg.type == "message" and msg.role == "assistant"
    assert isinstance(msg.content[0], types.TextBlock)
    assert msg.content[0].text == "Hello! You said: Hi"
    assert msg.usage.input_tokens == 6 and isinstance(msg.usage, types.Usage)
    assert msg.stop_reason == "end_turn"
    as_dict = msg.to_dict()
    assert as_dict["content"] == [{"type": "text", "text": "Hello! You said: Hi"}]
    assert as_dict["usage"] == {"input_tokens": 6, "output_tokens": 6}
    assert "data" not in as_dict and "result" not in as_dict  # the envelope is gone
    req = only_request(fake_server)
    assert (req.method, req.path, req.format) == ("POST", "/anthropic/v1/messages", "new")
    assert req.query == {"api_token": TOKEN}
    assert req.json() == {"model": MODEL, "max_tokens": 64, "messages": HELLO}
    assert "x-api-key" not in req.headers


def test_create_message_options(fake_server: FakeServer, client: Any) -> None:
    client.messages.create(model=MODEL, max_tokens=8, messages=HELLO, system="Be brief", temperature=0.5,
                           stop_sequences=["\n\n"], metadata={"user_id": "u1"},
                           extra_headers={"x-trace": "t1"}, extra_query={"debug": "1"}, extra_body={"top_k": 3})
    req = only_request(fake_server)
    assert req.json() == {"model": MODEL, "max_tokens": 8, "messages": HELLO, "system": "Be brief",
                          "temperature": 0.5, "stop_sequences": ["\n\n"], "metadata": {"user_id": "u1"},
                          "top_k": 3}
    assert req.headers["x-trace"] == "t1" and req.query["debug"] == "1" and req.query["api_token"] == TOKEN


def test_unknown_fields_and_variants_are_kept(fake_server: FakeServer, client: Any) -> None:
    body = {"id": "msg_x", "type": "message", "role": "assistant", "model": MODEL, "stop_reason": "end_turn",
            "content": [{"type": "text", "text": "a"}, {"type": "hologram", "depth": 3}],
            "usage": {"input_tokens": 1, "output_tokens": 1, "brand_new_counter": 7}, "shiny": True}
    fake_server.script("POST", "/v1/messages", [Reply(200, json=body, envelope=True)])
    msg = client.messages.create(model=MODEL, max_tokens=8, messages=HELLO)
    assert msg.shiny is True and msg.usage.brand_new_counter == 7
    assert msg.content[1].type == "hologram" and msg.content[1].depth == 3
    assert not isinstance(msg.content[1], types.TextBlock)
    assert msg.to_dict() == body


def test_count_tokens(fake_server: FakeServer, client: Any, envelope: str) -> None:
    counted = client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "one two three"}])
    assert isinstance(counted, types.CountMessageTokensResponse) and counted.input_tokens == 8
    req = only_request(fake_server)
    assert (req.method, req.path) == ("POST", "/anthropic/v1/messages/count-tokens")


def test_completions_create(fake_server: FakeServer, client: Any) -> None:
    done = client.completions.create(model="claude-2.1", prompt="\n\nHuman: Hi\n\nAssistant:",
                                     max_tokens_to_sample=16)
    assert isinstance(done, types.Completion) and done.completion == " Hello!"
    req = only_request(fake_server)
    assert (req.method, req.path) == ("POST", "/anthropic/v1/completions")
    assert req.json()["max_tokens_to_sample"] == 16


# ----------------------------------------------------------------------------------------------- models


def test_models_list_walks_every_page(fake_server: FakeServer, client: Any, envelope: str) -> None:
    page = client.models.list()
    assert len(fake_server.requests) == 1
    assert [m.id for m in page.data] == ["claude-sonnet-4-5", "claude-haiku-4-5"]
    assert page.has_more is True and page.last_id == "claude-haiku-4-5"
    assert all(isinstance(m, types.ModelInfo) for m in page.data)
    ids = [m.id for m in page]
    assert ids == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert len(fake_server.requests) == 2
    assert "after_id" not in fake_server.requests[0].query
    assert fake_server.requests[1].query["after_id"] == "claude-haiku-4-5"
    following = page.next_page()
    assert following is not None and [m.id for m in following.data] == ["claude-opus-4-1"]
    assert following.has_more is False and following.next_page() is None
    assert len(fake_server.requests) == 3


def test_models_list_limit_is_kept_on_every_page(fake_server: FakeServer, client: Any) -> None:
    assert [m.id for m in client.models.list(limit=1)] == ["claude-sonnet-4-5", "claude-haiku-4-5",
                                                           "claude-opus-4-1"]
    assert len(fake_server.requests) == 3
    assert [r.query.get("limit") for r in fake_server.requests] == ["1", "1", "1"]
    assert [r.query.get("after_id") for r in fake_server.requests] == [None, "claude-sonnet-4-5",
                                                                       "claude-haiku-4-5"]


def test_seed_list_example_is_one_page(fake_server: FakeServer, client: Any) -> None:
    """Seed 000 shows ``{"data": [...]}`` for a list: that must still be a page (one, with no more)."""
    fake_server.list_style = "seed"
    page = client.models.list()
    assert [m.id for m in page.data] == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert page.has_more is False and page.next_page() is None
    assert len(list(page)) == 3 and isinstance(page.data[0], types.ModelInfo)
    assert len(fake_server.requests) == 1


def test_seed_list_example_literal(fake_server: FakeServer, client: Any) -> None:
    seed = {"data": [{"id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "type": "model"}]}
    fake_server.script("GET", "/v1/models", [Reply(200, json=seed)])
    assert [m.display_name for m in client.models.list()] == ["Claude Sonnet 4.5"]
    assert len(fake_server.requests) == 1


def test_models_retrieve(fake_server: FakeServer, client: Any, envelope: str) -> None:
    model = client.models.retrieve("claude-haiku-4-5")
    assert isinstance(model, types.ModelInfo) and model.display_name == "Claude Haiku 4.5"
    req = only_request(fake_server)
    assert req.path == "/anthropic/v1/models/claude-haiku-4-5" and req.format == "new"


# ---------------------------------------------------------------------------------------------- batches


def test_batches_lifecycle(fake_server: FakeServer, client: Any, envelope: str) -> None:
    batches = client.messages.batches
    created = batches.create(requests=BATCH_REQUESTS)
    assert isinstance(created, types.MessageBatch) and created.processing_status == "in_progress"
    assert isinstance(created.request_counts, types.MessageBatchRequestCounts)
    assert fake_server.requests[-1].json() == {"requests": BATCH_REQUESTS}
    assert fake_server.requests[-1].path == "/anthropic/v1/message_batches"
    listed = [b.id for b in batches.list()]
    assert listed == ["msgbatch_01", created.id]
    got = batches.retrieve(created.id)
    assert got.id == created.id and got.request_counts.succeeded == 1
    canceled = batches.cancel(created.id)
    assert canceled.processing_status == "canceling"
    assert fake_server.requests[-1].method == "POST"
    assert fake_server.requests[-1].path == f"/anthropic/v1/message_batches/{created.id}/cancel"
    deleted = batches.delete(created.id)
    assert isinstance(deleted, types.DeletedMessageBatch) and deleted.type == "message_batch_deleted"
    assert fake_server.requests[-1].method == "DELETE"
    assert len(fake_server.requests) == 5


def test_batch_results_jsonl_typed_one_at_a_time(fake_server: FakeServer, client: Any) -> None:
    results = client.messages.batches.results("msgbatch_01")
    first = next(results)
    assert isinstance(first, types.MessageBatchIndividualResponse) and first.custom_id == "req-1"
    assert isinstance(first.result, types.MessageBatchSucceededResult)
    assert first.result.message.content[0].text == "Hi"
    second, third = list(results)
    assert isinstance(second.result, types.MessageBatchErroredResult)
    assert second.result.error.error.type == "invalid_request_error"
    assert isinstance(third.result, types.MessageBatchCanceledResult)
    assert results.response.is_closed
    # the proxy's results route only: `results_url` (api.anthropic.com) is not followed
    req = only_request(fake_server)
    assert req.path == "/anthropic/v1/message_batches/msgbatch_01/results" and req.query == {"api_token": TOKEN}


def test_batch_results_are_read_incrementally(fake_server: FakeServer, client: Any) -> None:
    """The lines before a cut arrive typed; the cut is a connection error, not a silent end."""
    fake_server.script("GET", "/results", [Reply(cut_after=2)])
    results = client.messages.batches.results("msgbatch_01")
    assert [r.custom_id for r in (next(results), next(results))] == ["req-1", "req-2"]
    with pytest.raises(lc.APIConnectionError):
        next(results)
    assert len(fake_server.requests) == 1


def test_batch_results_do_not_follow_results_url(fake_server: FakeServer, client: Any) -> None:
    batch = client.messages.batches.retrieve("msgbatch_01")
    assert batch.results_url.startswith("https://api.anthropic.com/")
    assert len(list(client.messages.batches.results("msgbatch_01"))) == 3
    assert all(r.path.startswith("/anthropic/") for r in fake_server.requests)
    assert len(fake_server.requests) == 2


# ------------------------------------------------------------------------------------------------ files


def _uploaded(server: FakeServer) -> tuple[str | None, str, bytes, dict[str, str]]:
    req = server.requests[-1]
    assert req.method == "POST" and req.path.endswith("/v1/files")
    parts = multipart_parts(req.headers["content-type"], req.body)
    assert [p[0] for p in parts if p[1] is not None] == ["file"], "one multipart file field named `file`"
    fields, files = parse_multipart(req.headers["content-type"], req.body)
    name, media, data = files["file"]
    return name, media, data, fields


def test_upload_from_a_path(fake_server: FakeServer, client: Any, tmp_path: Path, envelope: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"from a path\n")
    meta = client.files.upload(file=path, purpose="user_data")
    assert isinstance(meta, types.FileMetadata) and meta.filename == "notes.txt" and meta.size_bytes == 12
    assert _uploaded(fake_server) == ("notes.txt", "text/plain", b"from a path\n", {"purpose": "user_data"})
    assert fake_server.requests[-1].query == {"api_token": TOKEN}


def test_upload_from_bytes(fake_server: FakeServer, client: Any) -> None:
    meta = client.files.upload(file=b"\x00\x01raw")
    name, media, data, fields = _uploaded(fake_server)
    assert data == b"\x00\x01raw" and name and media and fields == {}
    assert meta.size_bytes == 5


def test_upload_from_a_file_object(fake_server: FakeServer, client: Any, tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(b"%PDF-1.4 fake")
    with path.open("rb") as handle:
        meta = client.files.upload(file=handle)
    assert _uploaded(fake_server)[:3] == ("doc.pdf", "application/pdf", b"%PDF-1.4 fake")
    assert meta.mime_type == "application/pdf"
    buffer = io.BytesIO(b"in memory")
    client.files.upload(file=buffer)
    assert _uploaded(fake_server)[2] == b"in memory"


def test_upload_from_a_tuple(fake_server: FakeServer, client: Any) -> None:
    meta = client.files.upload(file=("a.pdf", b"%PDF tuple", "application/pdf"))
    assert _uploaded(fake_server)[:3] == ("a.pdf", "application/pdf", b"%PDF tuple")
    assert meta.filename == "a.pdf" and len(fake_server.requests) == 1


def test_files_list_retrieve_download_delete(fake_server: FakeServer, client: Any, tmp_path: Path,
                                             envelope: str) -> None:
    uploaded = client.files.upload(file=("b.json", b'{"data": [1, 2]}', "application/json"))
    assert [f.id for f in client.files.list()] == ["file_01", uploaded.id]
    assert client.files.retrieve(uploaded.id).mime_type == "application/json"
    # a download is raw bytes, never unwrapped, even when the file itself is JSON with a `data` key
    assert client.files.download(uploaded.id) == b'{"data": [1, 2]}'
    assert fake_server.requests[-1].path == f"/anthropic/v1/files/{uploaded.id}/download"
    target = tmp_path / "out" / "copy.json"
    target.parent.mkdir()
    assert client.files.download_to_file(uploaded.id, target) == 16
    assert target.read_bytes() == b'{"data": [1, 2]}'
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.json"]  # no temp file left
    deleted = client.files.delete(uploaded.id)
    assert isinstance(deleted, types.DeletedFile) and deleted.id == uploaded.id
    with pytest.raises(lc.NotFoundError):
        client.files.retrieve(uploaded.id)  # an API not_found_error: no URL-format fallback
    assert len(fake_server.requests) == 7


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_streamed_gets_send_no_body(fake_server: FakeServer, make_client: Any, tmp_path: Path, target: str) -> None:
    client = make_client(target)
    assert len(list(client.messages.batches.results("msgbatch_01"))) == 3
    client.files.download_to_file("file_01", tmp_path / "f.txt")
    assert len(fake_server.requests) == 2
    for req in fake_server.requests:
        assert req.method == "GET"
        assert (req.body, req.headers.get("content-type")) == (b"", None), (req.path, req.body)


def test_plain_gets_send_no_body(fake_server: FakeServer, client: Any) -> None:
    client.files.download("file_01")
    client.models.retrieve("claude-opus-4-1")
    list(client.files.list())
    assert [(r.method, r.body) for r in fake_server.requests] == [("GET", b"")] * 3


def test_download_cut_leaves_no_file(fake_server: FakeServer, client: Any, tmp_path: Path) -> None:
    fake_server.world.file_bytes["file_01"] = b"x" * 100_000
    fake_server.script("GET", "/download", [Reply(200, raw=b"x" * 100_000, truncate=40_000)] * 3)
    target = tmp_path / "big.bin"
    with pytest.raises(lc.APIConnectionError):
        client.files.download_to_file("file_01", target, max_retries=0)
    assert list(tmp_path.iterdir()) == []
    assert len(fake_server.requests) == 1


# ----------------------------------------------------------------------------------------- organization


def test_organization_me(fake_server: FakeServer, client: Any, envelope: str) -> None:
    org = client.organizations.me()
    assert isinstance(org, types.Organization) and org.name == "Fake Org"
    assert only_request(fake_server).path == "/anthropic/v1/organizations/me"


def test_api_keys(fake_server: FakeServer, client: Any, envelope: str) -> None:
    keys = client.organizations.api_keys
    created = keys.create(name="ci", workspace_id="wrkspc_01")
    assert isinstance(created, types.ApiKey) and created.name == "ci"
    assert [k.id for k in keys.list(workspace_id="wrkspc_01", status="active")] == ["apikey_01", created.id]
    assert fake_server.requests[-1].query == {"workspace_id": "wrkspc_01", "status": "active", "api_token": TOKEN}
    assert keys.retrieve(created.id).workspace_id == "wrkspc_01"
    updated = keys.update(created.id, name="ci-2", status="inactive")
    assert (updated.name, updated.status) == ("ci-2", "inactive")
    assert fake_server.requests[-1].method == "PATCH"
    assert fake_server.requests[-1].json() == {"name": "ci-2", "status": "inactive"}
    assert keys.delete(created.id).id == created.id
    assert len(fake_server.requests) == 5


def test_workspaces_and_members(fake_server: FakeServer, client: Any, envelope: str) -> None:
    spaces = client.organizations.workspaces
    ws = spaces.create(name="Research")
    assert isinstance(ws, types.Workspace) and ws.name == "Research"
    assert [w.id for w in spaces.list()] == ["wrkspc_01", ws.id]
    assert spaces.retrieve(ws.id).name == "Research"
    assert spaces.update(ws.id, name="R&D").name == "R&D"
    assert fake_server.requests[-1].method == "PATCH"
    members = spaces.members
    added = members.create(ws.id, user_id="user_07", role="workspace_developer")
    assert isinstance(added, types.WorkspaceMember) and added.workspace_role == "workspace_developer"
    assert [m.user_id for m in members.list(ws.id)] == ["user_07"]
    assert members.retrieve(ws.id, "user_07").workspace_id == ws.id
    changed = members.update(ws.id, "user_07", role="workspace_admin")
    assert changed.workspace_role == "workspace_admin"
    req = fake_server.requests[-1]
    assert (req.method, req.path) == ("PATCH", f"/anthropic/v1/organizations/workspaces/{ws.id}/members/user_07")
    assert req.json() == {"workspace_role": "workspace_admin"}
    gone = members.delete(ws.id, "user_07")
    assert isinstance(gone, types.DeletedWorkspaceMember) and gone.user_id == "user_07"
    assert spaces.delete(ws.id).id == ws.id
    assert len(fake_server.requests) == 10


def test_path_values_are_quoted(fake_server: FakeServer, client: Any) -> None:
    with pytest.raises(lc.NotFoundError) as caught:
        client.models.retrieve("a/b c?d")
    assert caught.value.error_type == "not_found_error"
    req = only_request(fake_server)
    assert req.path == "/anthropic/v1/models/a%2Fb%20c%3Fd" and req.query == {"api_token": TOKEN}


# ----------------------------------------------------------------------------------------------- direct


def test_direct_headers_and_paths(fake_server: FakeServer, direct: Any, tmp_path: Path) -> None:
    msg = direct.messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    assert msg.content[0].text == "Hello! You said: Hi"
    req = fake_server.requests[-1]
    assert req.headers["x-api-key"] == KEY and req.headers["anthropic-version"] == "2023-06-01"
    assert req.query == {} and (req.path, req.format) == ("/v1/messages", "direct")
    assert direct.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens == 6
    assert fake_server.requests[-1].path == "/v1/messages/count_tokens"
    assert direct.completions.create(model="claude-2.1", prompt="x", max_tokens_to_sample=5).completion
    assert fake_server.requests[-1].path == "/v1/complete"
    batch = direct.messages.batches.create(requests=BATCH_REQUESTS)
    assert fake_server.requests[-1].path == "/v1/messages/batches"
    assert [b.id for b in direct.messages.batches.list()] == ["msgbatch_01", batch.id]
    assert fake_server.requests[-1].path == "/v1/messages/batches"
    assert [r.custom_id for r in direct.messages.batches.results("msgbatch_01")] == ["req-1", "req-2", "req-3"]
    assert fake_server.requests[-1].path == "/v1/messages/batches/msgbatch_01/results"
    assert direct.files.download("file_01") == b"hello world\n"
    assert fake_server.requests[-1].path == "/v1/files/file_01/content"
    assert direct.files.download_to_file("file_01", tmp_path / "h.txt") == 12
    assert fake_server.requests[-1].path == "/v1/files/file_01/content"
    assert direct.files.upload(file=("c.txt", b"c", "text/plain")).filename == "c.txt"
    for req in fake_server.requests:
        assert req.format == "direct" and "api_token" not in req.query
        assert req.headers["x-api-key"] == KEY and req.headers["anthropic-version"] == "2023-06-01"
    assert len(fake_server.requests) == 9


def test_direct_updates_are_posts(fake_server: FakeServer, direct: Any) -> None:
    assert direct.organizations.workspaces.update("wrkspc_01", name="Renamed").name == "Renamed"
    assert direct.organizations.api_keys.update("apikey_01", name="k2").name == "k2"
    member = direct.organizations.workspaces.members.update("wrkspc_01", "user_01", role="workspace_user")
    assert member.workspace_role == "workspace_user"
    assert [(r.method, r.path) for r in fake_server.requests] == [
        ("POST", "/v1/organizations/workspaces/wrkspc_01"),
        ("POST", "/v1/organizations/api_keys/apikey_01"),
        ("POST", "/v1/organizations/workspaces/wrkspc_01/members/user_01"),
    ]


def test_direct_has_no_envelope(fake_server: FakeServer, direct: Any) -> None:
    """A direct response is the object itself, even when it happens to have a `data` or `result` key."""
    fake_server.script("GET", "/v1/organizations/me", [Reply(200, json={"result": {"id": "inner"}})])
    org = direct.organizations.me()
    assert org.to_dict() == {"result": {"id": "inner"}}
    fake_server.script("GET", "/v1/models/m1", [Reply(200, json={"data": {"id": "inner"}})])
    assert direct.models.retrieve("m1").to_dict() == {"data": {"id": "inner"}}
    assert len(fake_server.requests) == 2


def test_direct_list_walks_pages(fake_server: FakeServer, direct: Any) -> None:
    assert [m.id for m in direct.models.list()] == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert [r.query.get("after_id") for r in fake_server.requests] == [None, "claude-haiku-4-5"]


def test_default_headers_and_user_agent(fake_server: FakeServer, make_client: Any) -> None:
    client = make_client(default_headers={"x-team": "blue"})
    client.organizations.me()
    req = only_request(fake_server)
    assert req.headers["x-team"] == "blue" and req.headers.get("user-agent")
    assert json.loads(req.body or b"null") is None  # a GET sends no body


def test_members_list_pages_by_user_id(fake_server: FakeServer, client: Any) -> None:
    for uid in ("user_02", "user_03"):
        fake_server.world.members["wrkspc_01"][uid] = fake_server.world._member("wrkspc_01", uid, "workspace_user")
    ids = [m.user_id for m in client.organizations.workspaces.members.list("wrkspc_01")]
    assert ids == ["user_01", "user_02", "user_03"]
    assert [r.query.get("after_id") for r in fake_server.requests] == [None, "user_02"]


def test_a_bare_anthropic_page_through_the_proxy(fake_server: FakeServer, client: Any) -> None:
    """A page that arrives without the envelope is kept whole (its `data` is the list, not an envelope)."""
    page = {"data": [{"type": "model", "id": "claude-sonnet-4-5"}], "has_more": True,
            "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"}
    fake_server.script("GET", "/v1/models", [Reply(200, json=page)])
    assert [m.id for m in client.models.list()] == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    assert [r.query.get("after_id") for r in fake_server.requests] == [None, "claude-sonnet-4-5"]


def test_api_keys_list_with_none_filters(fake_server: FakeServer, client: Any) -> None:
    """CLIENT.md writes `api_keys.list(workspace_id=None, status=None)`: None sends no filter."""
    assert [k.id for k in client.organizations.api_keys.list(workspace_id=None, status=None)] == ["apikey_01"]
    assert only_request(fake_server).query == {"api_token": TOKEN}


def test_configuration_from_the_environment(fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", TOKEN)
    monkeypatch.setenv("LOWCODEAPI_BASE_URL", fake_server.lowcodeapi_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_server.direct_url)
    with lc.Client() as client, lc.Client(target="direct") as direct:
        assert client.organizations.me().name == direct.organizations.me().name == "Fake Org"
    assert [(r.format, r.query.get("api_token"), r.headers.get("x-api-key")) for r in fake_server.requests] == [
        ("new", TOKEN, None), ("direct", None, KEY)]


def test_timeout_object_and_old_format_quoting(fake_server: FakeServer, make_client: Any) -> None:
    import httpx

    client = make_client(url_format="old", timeout=httpx.Timeout(5.0, connect=2.0))
    with pytest.raises(lc.NotFoundError):
        client.models.retrieve("a&b=c d")
    req = only_request(fake_server)
    assert req.path == "/anthropic/v1/models/modelid"
    assert req.query_items == [("modelid", "a&b=c d"), ("api_token", TOKEN)]
