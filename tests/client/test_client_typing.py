"""Typing: ``mypy --strict`` accepts a sample user program of the surface (with ``assert_type`` on what it
returns) and rejects wrong calls. One mypy run checks every sample (``MYPYPATH=generated``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lcclient import GENERATED

GOOD = '''
from __future__ import annotations

from pathlib import Path
from typing import assert_type

import anthropic_lowcodeapi as lc
from anthropic_lowcodeapi.types import (
    CountMessageTokensResponse,
    DeletedFile,
    FileMetadata,
    Message,
    MessageBatch,
    MessageBatchIndividualResponse,
    MessageParam,
    ModelInfo,
    Organization,
    Workspace,
    WorkspaceMember,
)


def sync_program(client: lc.Client, path: Path) -> str:
    messages: list[MessageParam] = [{"role": "user", "content": "Hello"}]
    msg = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=messages)
    assert_type(msg, Message)
    text: str = msg.content[0].text
    input_tokens: int = msg.usage.input_tokens
    reason = msg.stop_reason
    raw: dict[str, object] = msg.to_dict()
    counted = client.messages.count_tokens(model="claude-sonnet-4-5", messages=messages)
    assert_type(counted, CountMessageTokensResponse)
    total: int = counted.input_tokens
    for model in client.models.list():
        assert_type(model, ModelInfo)
    page = client.models.list(limit=5)
    first_ids: list[str] = [m.id for m in page.data]
    following = page.next_page()
    more: bool = page.has_more or following is not None
    assert_type(client.models.retrieve("claude-sonnet-4-5"), ModelInfo)
    meta = client.files.upload(file=path, purpose="user_data")
    assert_type(meta, FileMetadata)
    client.files.upload(file=b"bytes")
    client.files.upload(file=("a.pdf", b"%PDF", "application/pdf"))
    with path.open("rb") as handle:
        client.files.upload(file=handle)
    content: bytes = client.files.download(meta.id)
    written: int = client.files.download_to_file(meta.id, path)
    assert_type(client.files.delete(meta.id), DeletedFile)
    batch = client.messages.batches.create(
        requests=[{"custom_id": "one", "params": {"model": "claude-sonnet-4-5", "max_tokens": 8,
                                                  "messages": messages}}]
    )
    assert_type(batch, MessageBatch)
    for line in client.messages.batches.results(batch.id):
        assert_type(line, MessageBatchIndividualResponse)
    assert_type(client.organizations.me(), Organization)
    ws = client.organizations.workspaces.create(name="Research")
    assert_type(ws, Workspace)
    member = client.organizations.workspaces.members.update(ws.id, "user_1", role="workspace_admin")
    assert_type(member, WorkspaceMember)
    client.organizations.api_keys.update("apikey_1", name="ci", status="inactive")
    stream = client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=messages, stream=True)
    for event in stream:
        kind: str = event.type
    streamed = "".join(stream.text_stream)
    try:
        client.models.retrieve("nope", timeout=5.0, max_retries=0)
    except lc.RateLimitError as err:
        status: int = err.status_code
        request_id: str | None = err.request_id
    except lc.APIStatusError as err:
        error_type: str | None = err.error_type
    except lc.APIConnectionError:
        pass
    return f"{text}{input_tokens}{reason}{raw}{total}{first_ids}{more}{content!r}{written}{streamed}"


async def async_program() -> list[str]:
    async with lc.AsyncClient(api_token="at_x", url_format="auto", max_retries=3, timeout=30.0) as aclient:
        model = await aclient.models.retrieve("claude-sonnet-4-5")
        assert_type(model, ModelInfo)
        ids = [m.id async for m in aclient.models.list()]
        page = await aclient.models.list()
        first: list[ModelInfo] = page.data
        msg = await aclient.messages.create(model="m", max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
        assert_type(msg, Message)
        stream = await aclient.messages.create(model="m", max_tokens=8, messages=[{"role": "user", "content": "Hi"}],
                                               stream=True)
        async for event in stream:
            ids.append(event.type)
        return ids + [m.id for m in first] + [aclient.url_format]


direct = lc.Client(api_key="sk-ant-x", target="direct")
'''

BAD = '''
import anthropic_lowcodeapi as lc

client = lc.Client(api_token="at_x")
client.messages.create(model="m", max_tokens="x", messages=[])  # BAD: max_tokens
client.models.retrieve(model_id=3)  # BAD: model_id
client.organizations.workspaces.members.update("ws", "u", role="owner")  # BAD: role literal
client.messages.create(model="m", max_tokens=1, messages=[{"role": "robot", "content": "x"}])  # BAD: role
client.files.upload(file=123)  # BAD: file
client.models.retrieve()  # BAD: missing path parameter
lc.Client(api_token="at_x", url_format="newest")  # BAD: url_format
number: int = client.models.retrieve("x")  # BAD: result type
'''

FINAL = '''
from typing import assert_type

import anthropic_lowcodeapi as lc
from anthropic_lowcodeapi.types import Message


def final(client: lc.Client) -> None:
    stream = client.messages.create(model="m", max_tokens=8, messages=[{"role": "user", "content": "Hi"}], stream=True)
    assert_type(stream.get_final_message(), Message)
'''

CONTRACT_NONE = '''
import anthropic_lowcodeapi as lc

client = lc.Client(api_token="at_x")
client.organizations.api_keys.list(workspace_id=None, status=None)
'''

CURRENT = '''
from __future__ import annotations

from typing import Any, assert_type

import anthropic_lowcodeapi as lc
from anthropic_lowcodeapi.types import Agent, Message, Session, SessionEvent


def current_api(client: lc.Client) -> list[str]:
    """The 2026 Messages parameters, betas and the managed-agents families, typed end to end."""
    schema: dict[str, Any] = {"type": "object", "properties": {"answer": {"type": "string"}}}
    msg = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, messages=[{"role": "user", "content": "Hi"}],
        betas=["mcp-client-2025-11-20"], service_tier="auto", speed="fast", inference_geo="us",
        cache_control={"type": "ephemeral", "ttl": "1h"}, container={"id": "container_1"},
        output_config={"effort": "high", "format": {"type": "json_schema", "schema": schema}},
        mcp_servers=[{"type": "url", "name": "docs", "url": "https://mcp.example/sse"}],
        context_management={"edits": []}, thinking={"type": "adaptive"}, user_profile_id="uprof_1",
    )
    assert_type(msg, Message)
    agent = client.agents.create(name="Researcher", model={"id": "claude-sonnet-4-5"}, betas=["x"])
    assert_type(agent, Agent)
    session = client.sessions.create(agent=agent.id, environment_id="env_1")
    assert_type(session, Session)
    kinds: list[str] = []
    for event in client.sessions.events.stream(session.id):
        assert_type(event, SessionEvent)
        kinds.append(event.type)
    for memory in client.memory_stores.memories.list("memstore_1"):
        kinds.append(memory.type)
    return kinds
'''

SAMPLES = {"good": GOOD, "bad": BAD, "final_message": FINAL, "contract_none": CONTRACT_NONE, "current": CURRENT}
LINE = re.compile(r"^(?P<file>[^:\s]+\.py):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str]]]:
    """{sample name: [(line, error text)]} from one ``mypy --strict`` run over every sample."""
    folder = tmp_path_factory.mktemp("mypy")
    for name, source in SAMPLES.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(GENERATED)}
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(folder / ".mypy_cache"),
         "--no-error-summary", "--show-error-codes", "--hide-error-context", *(f"{n}.py" for n in SAMPLES)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    report: dict[str, list[tuple[int, str]]] = {name: [] for name in SAMPLES}
    for line in proc.stdout.splitlines():
        found = LINE.match(line)
        if found is None or found["kind"] != "error":
            continue
        stem = Path(found["file"]).stem
        assert stem in report, f"mypy --strict reports an error outside the samples (the package?): {line}"
        report[stem].append((int(found["line"]), found["text"]))
    return report


def test_sample_program_passes_mypy_strict(mypy_report: dict[str, list[tuple[int, str]]]) -> None:
    assert mypy_report["good"] == []


def test_wrong_calls_are_rejected(mypy_report: dict[str, list[tuple[int, str]]]) -> None:
    lines = textwrap.dedent(BAD).lstrip().splitlines()
    expected = {n for n, text in enumerate(lines, 1) if "# BAD" in text}
    flagged = {line for line, _ in mypy_report["bad"]}
    assert flagged == expected, {n: lines[n - 1] for n in expected ^ flagged}
    max_tokens_line = next(n for n in expected if "max_tokens=" in lines[n - 1] and '"x"' in lines[n - 1])
    assert any(line == max_tokens_line for line, _ in mypy_report["bad"])


def test_final_message_is_typed(mypy_report: dict[str, list[tuple[int, str]]]) -> None:
    assert mypy_report["final_message"] == []


def test_contract_none_defaults_type_check(mypy_report: dict[str, list[tuple[int, str]]]) -> None:
    assert mypy_report["contract_none"] == []


def test_the_current_api_type_checks(mypy_report: dict[str, list[tuple[int, str]]]) -> None:
    assert mypy_report["current"] == []
