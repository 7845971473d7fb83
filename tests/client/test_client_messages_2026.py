"""The 2026 Messages parameters (GA and beta) reach the wire as given, betas as one `anthropic-beta`
header, and the new response blocks decode by their `type` (unknown ones still tolerated)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from lcclient import KEY, MODEL, lc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from recorder import serve

NEW_PARAMS: dict[str, Any] = {
    "cache_control": {"type": "ephemeral", "ttl": "1h"},
    "container": {"id": "container_01", "skills": [{"type": "anthropic", "skill_id": "pptx", "version": "latest"}]},
    "context_management": {"edits": [{"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 30000}}]},
    "inference_geo": "us",
    "mcp_servers": [{"type": "url", "name": "docs", "url": "https://mcp.example/sse"}],
    "output_config": {"effort": "high", "format": {"type": "json_schema", "schema": {"type": "object"}}},
    "output_format": {"type": "json_schema", "schema": {"type": "object"}},
    "service_tier": "standard_only",
    "speed": "fast",
    "user_profile_id": "uprof_01",
    "thinking": {"type": "adaptive", "display": "summarized"},
    "tools": [{"name": "lookup", "input_schema": {"type": "object"}, "strict": True},
              {"type": "web_search_20260209", "name": "web_search", "max_uses": 3},
              {"type": "bash_20250124", "name": "bash"}, {"type": "mcp_toolset", "mcp_server_name": "docs"}],
}

REPLY = {
    "id": "msg_01", "type": "message", "role": "assistant", "model": MODEL, "stop_reason": "end_turn", "stop_sequence": None,
    "content": [
        {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "q"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01",
         "content": [{"type": "web_search_result", "url": "https://a.example", "title": "A", "encrypted_content": "enc"}]},
        {"type": "text", "text": "Answer", "citations": [
            {"type": "web_search_result_location", "cited_text": "c", "url": "https://a.example", "title": "A", "encrypted_index": "e"}]},
        {"type": "block_from_the_future", "x": 1},
    ],
    "usage": {"input_tokens": 5, "output_tokens": 7, "service_tier": "standard", "server_tool_use": {"web_search_requests": 1}},
    "container": {"id": "container_01", "expires_at": "2026-05-01T00:00:00Z"},
}


def test_new_messages_parameters_reach_the_wire_and_new_blocks_decode() -> None:
    with serve() as server:
        server.reply("POST /v1/messages", body=REPLY)
        client = lc.Client(api_key=KEY, target="direct", base_url=server.url, max_retries=0)
        msg = client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}],
                                     betas=["mcp-client-2025-11-20", "context-management-2025-06-27"], **NEW_PARAMS)
        request = server.last
    sent = request.json()
    for name, value in NEW_PARAMS.items():
        assert sent[name] == value, name
    kinds = [type(block).__name__ for block in msg.content]
    assert kinds[:3] == ["ServerToolUseBlock", "WebSearchToolResultBlock", "TextBlock"]
    assert msg.content[2].citations[0].url == "https://a.example"  # type: ignore[union-attr]
    assert msg.to_dict()["content"][3] == {"type": "block_from_the_future", "x": 1}
    assert msg.usage.server_tool_use is not None and msg.usage.server_tool_use.web_search_requests == 1
    assert msg.container is not None and msg.container.id == "container_01"


def test_betas_reach_the_wire_as_one_header() -> None:
    with serve() as server:
        server.reply("POST /v1/messages", body=REPLY)
        client = lc.Client(api_key=KEY, target="direct", base_url=server.url, max_retries=0)
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}], betas=["a-1", "b-2"])
        request = server.last
    assert request.headers.get("anthropic-beta") == "a-1,b-2"
