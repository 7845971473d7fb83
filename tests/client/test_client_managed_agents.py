"""The managed-agents families and user profiles, end to end over a recording loopback server.

One representative operation per family, in direct mode and through LowCodeAPI (the snapshot lacks these
operations, so the client tries the proxy at Anthropic's path): the path and method on the wire, the JSON
body, the typed response with its discriminated unions decoded, and the session event stream as SSE."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from lcclient import KEY, TOKEN, lc, types
from recorder import Recorder, serve

TS = "2026-04-02T10:00:00Z"
TOOLSET = {"type": "agent_toolset_20260401", "default_config": {"enabled": True, "permission_policy": {"type": "always_ask"}},
           "configs": [{"name": "bash", "enabled": False, "permission_policy": {"type": "always_allow"}}]}
AGENT = {"type": "agent", "id": "agent_1", "version": 2, "name": "Researcher", "description": None,
         "model": {"id": "claude-sonnet-4-5", "speed": "fast"}, "system": "Be brief.", "tools": [
             TOOLSET, {"type": "custom", "name": "lookup", "description": "Look up", "input_schema": {"type": "object"}}],
         "mcp_servers": [{"type": "url", "name": "docs", "url": "https://mcp.example/sse"}],
         "skills": [{"type": "anthropic", "skill_id": "xlsx", "version": "1"}], "metadata": {"team": "a"},
         "created_at": TS, "updated_at": TS, "archived_at": None, "multiagent": None}
EVENTS = [
    {"type": "agent.message", "id": "ev_1", "processed_at": TS, "content": [{"type": "text", "text": "Hello"}]},
    {"type": "session.status_idle", "id": "ev_2", "processed_at": TS,
     "stop_reason": {"type": "requires_action", "event_ids": ["ev_0"]}},
    {"type": "session.error", "id": "ev_3", "processed_at": TS,
     "error": {"type": "mcp_connection_failed_error", "message": "down", "mcp_server_name": "docs",
               "retry_status": {"type": "retrying"}}},
]
MODES = ["direct", "lowcodeapi"]


@pytest.fixture
def server() -> Iterator[Recorder]:
    with serve() as recorder:
        yield recorder


def client_for(mode: str, server: Recorder) -> Any:
    if mode == "direct":
        return lc.Client(api_key=KEY, target="direct", base_url=server.url, max_retries=0)
    return lc.Client(api_token=TOKEN, base_url=server.url, url_format="new", max_retries=0)


def reply(server: Recorder, mode: str, key: str, body: Any) -> None:
    """Anthropic's bare body directly; LowCodeAPI's `{"data": ...}` envelope through the proxy."""
    server.reply(key, body=body if mode == "direct" else {"data": body})


def check_wire(server: Recorder, mode: str, method: str, path: str) -> None:
    assert server.last.method == method
    assert server.last.path == path
    auth = dict(server.last.query).get("api_token") if mode == "lowcodeapi" else server.last.headers.get("x-api-key")
    assert auth == (TOKEN if mode == "lowcodeapi" else KEY)
    # Beta-only families send their beta by default, in both targets.
    beta = "user-profiles-2026-03-24" if path.startswith("/v1/user_profiles") else "managed-agents-2026-04-01"
    assert server.last.headers.get("anthropic-beta") == beta


@pytest.mark.parametrize("mode", MODES)
def test_agents_create_sends_the_config_and_decodes_tool_unions(server: Recorder, mode: str) -> None:
    reply(server, mode, "POST /v1/agents", AGENT)
    agent = client_for(mode, server).agents.create(
        name="Researcher", model={"id": "claude-sonnet-4-5", "speed": "fast"}, tools=[TOOLSET],
        mcp_servers=[{"type": "url", "name": "docs", "url": "https://mcp.example/sse"}])
    check_wire(server, mode, "POST", "/v1/agents")
    assert server.last.json() == {"name": "Researcher", "model": {"id": "claude-sonnet-4-5", "speed": "fast"},
                                  "tools": [TOOLSET], "mcp_servers": [{"type": "url", "name": "docs",
                                                                       "url": "https://mcp.example/sse"}]}
    assert isinstance(agent, types.Agent) and agent.version == 2 and agent.archived_at is None
    toolset, custom = agent.tools
    assert isinstance(toolset, types.AgentToolset) and isinstance(custom, types.AgentCustomTool)
    assert isinstance(toolset.default_config.permission_policy, types.AgentAlwaysAskPolicy)
    assert isinstance(toolset.configs[0].permission_policy, types.AgentAlwaysAllowPolicy)
    assert isinstance(agent.skills[0], types.AgentAnthropicSkill)


@pytest.mark.parametrize("mode", MODES)
def test_sessions_events_list_decodes_every_event_kind(server: Recorder, mode: str) -> None:
    reply(server, mode, "GET /v1/sessions/sesn_1/events", {"data": EVENTS, "next_page": "page_2"})
    page = client_for(mode, server).sessions.events.list("sesn_1", limit=3, order="asc", types=["agent.message"])
    check_wire(server, mode, "GET", "/v1/sessions/sesn_1/events")
    query = server.last.query
    assert ("limit", "3") in query and ("order", "asc") in query and ("types[]", "agent.message") in query
    message, idle, error = page.data
    assert isinstance(message, types.AgentMessageEvent) and message.content[0].text == "Hello"
    assert isinstance(idle, types.SessionStatusIdleEvent)
    assert isinstance(idle.stop_reason, types.SessionRequiresAction) and idle.stop_reason.event_ids == ["ev_0"]
    assert isinstance(error, types.SessionErrorEvent)
    assert isinstance(error.error, types.SessionMCPConnectionFailedError)
    assert isinstance(error.error.retry_status, types.RetryStatusRetrying)
    assert page.has_next_page()
    last = {"data": [EVENTS[0]], "next_page": None}
    reply(server, mode, "GET /v1/sessions/sesn_1/events", last)  # the page token walks to the end
    assert [e.id for e in page] == ["ev_1", "ev_2", "ev_3", "ev_1"]
    assert ("page", "page_2") in server.last.query and ("limit", "3") in server.last.query


@pytest.mark.parametrize("mode", MODES)
def test_sessions_events_send_posts_the_event_union(server: Recorder, mode: str) -> None:
    sent = {"type": "user.message", "id": "ev_9", "processed_at": None, "content": [{"type": "text", "text": "Go"}]}
    reply(server, mode, "POST /v1/sessions/sesn_1/events", {"data": [sent]})
    events = [{"type": "user.message", "content": [{"type": "text", "text": "Go"}]},
              {"type": "user.tool_confirmation", "tool_use_id": "ev_0", "result": "deny", "deny_message": "no"}]
    result = client_for(mode, server).sessions.events.send("sesn_1", events=events)
    check_wire(server, mode, "POST", "/v1/sessions/sesn_1/events")
    assert server.last.json() == {"events": events}
    assert isinstance(result.data[0], types.UserMessageEvent) and result.data[0].processed_at is None


@pytest.mark.parametrize("mode", MODES)
def test_sessions_events_stream_yields_typed_events(server: Recorder, mode: str) -> None:
    sse = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in EVENTS).encode()
    server.reply("GET /v1/sessions/sesn_1/events/stream", body=sse, content_type="text/event-stream")
    got = list(client_for(mode, server).sessions.events.stream("sesn_1"))
    check_wire(server, mode, "GET", "/v1/sessions/sesn_1/events/stream")
    assert [type(e) for e in got] == [types.AgentMessageEvent, types.SessionStatusIdleEvent, types.SessionErrorEvent]
    assert got[1].stop_reason.event_ids == ["ev_0"]


@pytest.mark.parametrize("mode", MODES)
def test_environments_update_posts_and_decodes_the_network_union(server: Recorder, mode: str) -> None:
    env = {"type": "environment", "id": "env_1", "name": "py", "description": "", "metadata": {},
           "config": {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["pypi.org"],
                                                      "allow_mcp_servers": True, "allow_package_managers": False},
                      "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [],
                                   "pip": ["numpy"]}},
           "created_at": TS, "updated_at": TS, "archived_at": None}
    reply(server, mode, "POST /v1/environments/env_1", env)
    body = {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["pypi.org"]}}
    got = client_for(mode, server).environments.update("env_1", config=body, metadata={"old": None})
    check_wire(server, mode, "POST", "/v1/environments/env_1")
    assert server.last.json() == {"config": body, "metadata": {"old": None}}
    assert isinstance(got.config, types.CloudConfig) and isinstance(got.config.networking, types.LimitedNetwork)
    assert got.config.packages.pip == ["numpy"]


@pytest.mark.parametrize("mode", MODES)
def test_memory_stores_memories_list_decodes_memories_and_prefixes(server: Recorder, mode: str) -> None:
    memory = {"type": "memory", "id": "mem_1", "memory_store_id": "memstore_1", "path": "/a/notes.md", "content": None,
              "content_size_bytes": 5, "content_sha256": "ab" * 32, "memory_version_id": "memver_1",
              "created_at": TS, "updated_at": TS}
    reply(server, mode, "GET /v1/memory_stores/memstore_1/memories",
          {"data": [memory, {"type": "memory_prefix", "path": "/b/"}], "next_page": None})
    page = client_for(mode, server).memory_stores.memories.list("memstore_1", path_prefix="/", depth=1, view="basic")
    check_wire(server, mode, "GET", "/v1/memory_stores/memstore_1/memories")
    assert ("path_prefix", "/") in server.last.query and ("view", "basic") in server.last.query
    first, second = page.data
    assert isinstance(first, types.Memory) and first.content is None
    assert isinstance(second, types.MemoryPrefix) and second.path == "/b/"


@pytest.mark.parametrize("mode", MODES)
def test_vaults_credentials_create_and_validate(server: Recorder, mode: str) -> None:
    cred = {"type": "vault_credential", "id": "cred_1", "vault_id": "vlt_1", "display_name": None, "metadata": {},
            "created_at": TS, "updated_at": TS, "archived_at": None,
            "auth": {"type": "mcp_oauth", "mcp_server_url": "https://mcp.example", "expires_at": None,
                     "refresh": {"token_endpoint": "https://auth.example/token", "client_id": "c",
                                 "token_endpoint_auth": {"type": "client_secret_post"}}}}
    reply(server, mode, "POST /v1/vaults/vlt_1/credentials", cred)
    client = client_for(mode, server)
    auth = {"type": "static_bearer", "token": "tok", "mcp_server_url": "https://mcp.example"}
    got = client.vaults.credentials.create("vlt_1", auth=auth)
    check_wire(server, mode, "POST", "/v1/vaults/vlt_1/credentials")
    assert server.last.json() == {"auth": auth}
    assert isinstance(got.auth, types.MCPOAuthAuth) and got.auth.refresh is not None
    assert isinstance(got.auth.refresh.token_endpoint_auth, types.TokenEndpointAuthPost)
    validation = {"type": "vault_credential_validation", "credential_id": "cred_1", "vault_id": "vlt_1",
                  "status": "invalid", "validated_at": TS, "has_refresh_token": True, "mcp_probe": None,
                  "refresh": {"status": "failed", "http_response": {"status_code": 400, "content_type": "text/plain",
                                                                    "body": "bad", "body_truncated": False}}}
    reply(server, mode, "POST /v1/vaults/vlt_1/credentials/cred_1/mcp_oauth_validate", validation)
    result = client.vaults.credentials.mcp_oauth_validate("vlt_1", "cred_1")
    check_wire(server, mode, "POST", "/v1/vaults/vlt_1/credentials/cred_1/mcp_oauth_validate")
    assert result.status == "invalid" and result.refresh is not None and result.refresh.http_response is not None
    assert result.refresh.http_response.status_code == 400


@pytest.mark.parametrize("mode", MODES)
def test_user_profiles_enrollment_url(server: Recorder, mode: str) -> None:
    reply(server, mode, "POST /v1/user_profiles/uprof_1/enrollment_url",
          {"type": "enrollment_url", "url": "https://claude.example/enroll", "expires_at": TS})
    got = client_for(mode, server).user_profiles.enrollment_url("uprof_1")
    check_wire(server, mode, "POST", "/v1/user_profiles/uprof_1/enrollment_url")
    assert isinstance(got, types.EnrollmentURL) and got.url == "https://claude.example/enroll"


def test_routes_of_the_new_families_are_anthropic_paths() -> None:
    routes = lc.url_formats.ROUTES
    assert routes["sessions.threads.events.stream"].direct == "/v1/sessions/{session_id}/threads/{thread_id}/stream"
    assert routes["agents.update"].method == "POST"
    assert routes["memory_stores.memory_versions.redact"].new == (
        "/v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact")
