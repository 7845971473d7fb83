"""The fake server keeps to seed 000's table and to the proxy's documented run-time behaviour."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakeserver import BETA_ONLY, SEED_TABLE, FakeServer, Reply

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_6bfb199c336289ab.txt"
IDS = {"model_id": "claude-sonnet-4-5", "batch_id": "msgbatch_01", "file_id": "file_01",
       "api_key_id": "apikey_01", "workspace_id": "wrkspc_01", "user_id": "user_01"}
TOKEN = {"api_token": "at_test"}
DIRECT = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}


def fill(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: IDS[m.group(1)], template)


@pytest.mark.skipif(not SEED.exists(), reason="seed 000 is not beside the project")
def test_table_is_seed_000() -> None:
    rows = re.findall(r"^\| (GET|POST|PATCH|DELETE) \| `([^`]+)` \| `([^`]+)` \|", SEED.read_text(), re.M)
    assert len(rows) == 32
    assert [(m, new, old) for _, m, new, old, _, _ in SEED_TABLE] == rows


def body_for(name: str) -> dict[str, Any] | None:
    bodies: dict[str, dict[str, Any]] = {
        "messages.create": {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
        "organizations.workspaces.create": {"name": "W"},
        "organizations.workspaces.members.create": {"user_id": "user_77"},
    }
    return bodies.get(name, {}) if not name.endswith(("list", "retrieve", "results", "download", "me")) else None


def send(client: httpx.Client, method: str, url: str, name: str, **kw: Any) -> httpx.Response:
    if name == "files.upload":
        return client.request(method, url, files={"file": ("a.txt", b"abc", "text/plain")}, **kw)
    body = body_for(name)
    return client.request(method, url, json=body, **kw) if body is not None else client.request(method, url, **kw)


# Deletes go last so that every row finds its object.
ORDERED = sorted(SEED_TABLE, key=lambda row: (row[0].endswith(".delete"), "members" not in row[0]))


@pytest.mark.parametrize("fmt", ["new", "old", "direct"])
def test_every_route_answers(fake_server: FakeServer, fmt: str) -> None:
    """Every seed route answers in every format (direct calls to beta-only families carry their beta)."""
    with httpx.Client() as client:
        for name, method, new, old, direct_method, direct in ORDERED:
            if fmt == "direct":
                url, params, headers = fake_server.direct_url + fill(direct), {}, dict(DIRECT)
                method = direct_method
                betas = [b for prefix, b in BETA_ONLY.items() if name.startswith(prefix)]
                if betas:
                    headers["anthropic-beta"] = ",".join(betas)
            else:
                path, _, query = fill(new if fmt == "new" else old).partition("?")
                url, headers = fake_server.lowcodeapi_url + path, {}
                params = {**dict(p.split("=") for p in query.split("&") if p), **TOKEN}
            response = send(client, method, url, name, params=params, headers=headers)
            assert response.status_code == 200, (name, fmt, response.text)
            recorded = fake_server.requests[-1]
            assert recorded.route == name
            # A path that reads the same in both formats is reported as new while both are served.
            assert recorded.format == fmt or (fmt == "old" and new == old and recorded.format == "new")
            if response.headers["content-type"] == "application/json":
                payload = response.json()
                enveloped = "data" in payload and "has_more" not in payload
                assert enveloped == (fmt != "direct"), (name, fmt, payload)


def test_proxy_behaviour(fake_server: FakeServer) -> None:
    with httpx.Client(base_url=fake_server.url) as client:
        assert client.get("/anthropic/v1/nothing", params=TOKEN).json() == {"message": "Not Found"}
        denied = client.get("/anthropic/v1/models")
        assert denied.status_code == 401
        assert denied.json() == {"message": "A valid API token is required to access this API."}
        assert client.get("/anthropic/v1/models", params={"api_token": "bad"}).status_code == 401
        fake_server.new_format = False
        gone = client.get("/anthropic/v1/models/claude-sonnet-4-5", params=TOKEN)
        assert (gone.status_code, gone.json()) == (404, {"message": "Not Found"})
        old = client.get("/anthropic/v1/models/modelid", params={"modelid": "claude-sonnet-4-5", **TOKEN})
        assert old.json() == {"data": {"type": "model", "id": "claude-sonnet-4-5", "display_name":
                                       "Claude Sonnet 4.5", "created_at": "2025-01-01T00:00:00Z"}}
        fake_server.envelope = "result"
        wrapped = client.get("/anthropic/v1/organizations/me", params=TOKEN).json()
        assert wrapped["result"]["id"] == "org_01" and wrapped["provider"] == "anthropic"
        missing = client.get("/anthropic/v1/files/fileid", params={"fileid": "file_x", **TOKEN})
        assert missing.status_code == 404 and "request-id" not in missing.headers
        assert missing.json()["error"]["error"]["type"] == "not_found_error"
        assert missing.json()["headers"] == {"request-id": "req_fake_err"}


def test_direct_behaviour(fake_server: FakeServer) -> None:
    with httpx.Client(base_url=fake_server.url) as client:
        unknown = client.get("/v1/nothing", headers=DIRECT)
        assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "not_found_error"
        no_key = client.get("/v1/models", headers={"anthropic-version": "2023-06-01"})
        assert no_key.status_code == 401 and no_key.json()["error"]["type"] == "authentication_error"
        no_version = client.get("/v1/models", headers={"x-api-key": "k"})
        assert no_version.status_code == 400
        page = client.get("/v1/models", headers=DIRECT, params={"limit": 1, "after_id": "claude-sonnet-4-5"})
        assert page.json()["data"][0]["id"] == "claude-haiku-4-5" and page.json()["has_more"] is True
        back = client.get("/v1/models", headers=DIRECT, params={"before_id": "claude-opus-4-1"}).json()
        assert [m["id"] for m in back["data"]] == ["claude-sonnet-4-5", "claude-haiku-4-5"]


def test_scripts_and_request_log(fake_server: FakeServer) -> None:
    fake_server.script("*", re.compile(r"/v1/models$"), [{"status": 503, "json": {"message": "x"}}, Reply()])
    with httpx.Client(base_url=fake_server.url) as client:
        assert client.get("/anthropic/v1/models", params=TOKEN).status_code == 503
        assert client.get("/anthropic/v1/models", params=TOKEN).status_code == 200  # Reply(): normal handling
        assert client.get("/anthropic/v1/models", params=TOKEN).status_code == 200  # script used up
    assert [r.path for r in fake_server.requests] == ["/anthropic/v1/models"] * 3
    assert fake_server.requests_to("/models")[0].query == TOKEN
    fake_server.clear()
    assert fake_server.requests == []
