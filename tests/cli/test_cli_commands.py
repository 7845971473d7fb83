"""The generated CLI end to end: a subprocess per call, against the loopback fake server."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

from clikit import GENERATED, KEY, PACKAGE, TOKEN, Run, cli_env
from fakeserver import FakeServer, Reply


def ok(done: subprocess.CompletedProcess[bytes]) -> Any:
    """The JSON on stdout of a successful run."""
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def lines(done: subprocess.CompletedProcess[bytes]) -> list[Any]:
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def last_body(server: FakeServer, suffix: str) -> Any:
    return server.requests_to(suffix)[-1].json()


# ---------------------------------------------------------------------------------------- create, get


def test_create_message_with_the_message_shorthand(lc: Run, fake_server: FakeServer) -> None:
    message = ok(lc("messages", "create", "--model", "claude-sonnet-4-5", "--max-tokens", "64",
                    "--message", "user:Hello there", "--temperature", "0.5"))
    assert message["content"][0]["text"] == "Hello! You said: Hello there"
    assert message["usage"]["output_tokens"] == 6
    sent = last_body(fake_server, "/v1/messages")
    assert sent == {"model": "claude-sonnet-4-5", "max_tokens": 64, "temperature": 0.5,
                    "messages": [{"role": "user", "content": "Hello there"}]}


def test_create_with_structured_json_options(lc: Run, fake_server: FakeServer) -> None:
    ok(lc("messages", "create", "--model", "m", "--max-tokens", "5",
          "--messages", '[{"role": "user", "content": "Hi"}]', "--message", "assistant:Hello",
          "--message", "user:Again", "--system", "Be terse", "--stop-sequences", '["END"]'))
    sent = last_body(fake_server, "/v1/messages")
    assert [m["content"] for m in sent["messages"]] == ["Hi", "Hello", "Again"]
    assert sent["system"] == "Be terse"  # relaxed: text that does not start like JSON is a string
    assert sent["stop_sequences"] == ["END"]


def test_create_workspace_and_retrieve_it(lc: Run) -> None:
    created = ok(lc("organizations", "workspaces", "create", "--name", "Research"))
    assert created["name"] == "Research"
    again = ok(lc("organizations", "workspaces", "retrieve", created["id"]))
    assert again == created


def test_retrieve_model(lc: Run, fake_server: FakeServer) -> None:
    model = ok(lc("models", "retrieve", "claude-haiku-4-5"))
    assert model["id"] == "claude-haiku-4-5" and model["display_name"] == "Claude Haiku 4.5"
    assert fake_server.requests_to("/v1/models/claude-haiku-4-5")[0].query["api_token"] == TOKEN


def test_direct_target_with_an_api_key(run_cli: Run, fake_server: FakeServer) -> None:
    done = run_cli("--api-key", KEY, "--base-url", fake_server.direct_url, "models", "retrieve",
                   "claude-opus-4-1")
    assert ok(done)["id"] == "claude-opus-4-1"
    request = fake_server.requests[-1]
    assert request.format == "direct" and request.headers["x-api-key"] == KEY


def test_old_url_format(lc: Run, fake_server: FakeServer) -> None:
    ok(lc("--url-format", "old", "models", "retrieve", "claude-sonnet-4-5"))
    request = fake_server.requests[-1]
    assert request.format == "old" and request.query["modelid"] == "claude-sonnet-4-5"


# ------------------------------------------------------------------------------------------- lists


def test_list_walks_every_page(lc: Run, fake_server: FakeServer) -> None:
    models = ok(lc("models", "list"))
    assert [m["id"] for m in models] == ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    pages = fake_server.requests_to("/v1/models")
    assert len(pages) == 2 and pages[1].query["after_id"] == "claude-haiku-4-5"


def test_list_max_items_stops_early(lc: Run, fake_server: FakeServer) -> None:
    assert [m["id"] for m in ok(lc("models", "list", "--max-items", "1"))] == ["claude-sonnet-4-5"]
    assert len(fake_server.requests_to("/v1/models")) == 1
    fake_server.clear()
    items = lines(lc("--output", "jsonl", "models", "list", "--limit", "1", "--max-items", "2"))
    assert [m["id"] for m in items] == ["claude-sonnet-4-5", "claude-haiku-4-5"]
    assert [r.query.get("limit") for r in fake_server.requests_to("/v1/models")] == ["1", "1"]
    assert ok(lc("models", "list", "--max-items", "0")) == []


def test_nested_groups(lc: Run, fake_server: FakeServer) -> None:
    member = ok(lc("organizations", "workspaces", "members", "update", "wrkspc_01", "user_01",
                   "--role", "workspace_developer"))
    assert member["workspace_role"] == "workspace_developer"
    request = fake_server.requests[-1]
    assert request.method == "PATCH" and request.json() == {"workspace_role": "workspace_developer"}
    assert request.path.endswith("/v1/organizations/workspaces/wrkspc_01/members/user_01")
    # seed 000's name (x-enum-aliases) works too; the wire name --workspace-role is an alias of --role
    assert ok(lc("organizations", "workspaces", "members", "update", "wrkspc_01", "user_01",
                 "--role", "admin"))["workspace_role"] == "workspace_admin"
    ok(lc("organizations", "workspaces", "members", "create", "wrkspc_01", "--user-id", "user_02",
          "--workspace-role", "workspace_user"))
    members = ok(lc("organizations", "workspaces", "members", "list", "wrkspc_01"))
    assert {m["user_id"]: m["workspace_role"] for m in members} == {
        "user_01": "workspace_admin", "user_02": "workspace_user"}


def test_jsonl_results(lc: Run) -> None:
    results = lines(lc("--output", "jsonl", "messages", "batches", "results", "msgbatch_01"))
    assert [r["custom_id"] for r in results] == ["req-1", "req-2", "req-3"]
    assert [r["custom_id"] for r in ok(lc("messages", "batches", "results", "msgbatch_01"))] == [
        "req-1", "req-2", "req-3"]


# -------------------------------------------------------------------------------------- bodies


def test_body_from_a_file_with_options_overriding(lc: Run, fake_server: FakeServer, tmp_path: Path) -> None:
    request = {"model": "claude-sonnet-4-5", "max_tokens": 1000, "service_tier": "auto",
               "messages": [{"role": "user", "content": "From a file"}]}
    (tmp_path / "request.json").write_text(json.dumps(request), encoding="utf-8")
    message = ok(lc("messages", "create", "--body", "@request.json", "--max-tokens", "7", cwd=tmp_path))
    assert message["content"][0]["text"] == "Hello! You said: From a file"
    assert last_body(fake_server, "/v1/messages") == {**request, "max_tokens": 7}  # unknown fields kept


def test_body_from_stdin(lc: Run, fake_server: FakeServer) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "piped"}]}
    message = ok(lc("messages", "create", "--body", "-", input=json.dumps(body).encode()))
    assert message["content"][0]["text"] == "Hello! You said: piped"
    messages = json.dumps([{"role": "user", "content": "field from stdin"}]).encode()
    ok(lc("messages", "count-tokens", "--model", "m", "--messages", "-", input=messages))
    assert last_body(fake_server, "/count-tokens")["messages"][0]["content"] == "field from stdin"


# ------------------------------------------------------------------------------------ streaming


def test_stream_prints_text_as_it_arrives_and_usage_on_stderr(lc: Run, fake_server: FakeServer) -> None:
    done = lc("messages", "create", "--model", "m", "--max-tokens", "9", "--message", "user:Hi", "--stream")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"Hello! You said: Hi\n"
    assert done.stderr.decode().strip() == "usage: input_tokens=12 output_tokens=3 stop_reason=end_turn"
    assert last_body(fake_server, "/v1/messages")["stream"] is True


def test_stream_events_as_json_lines(lc: Run) -> None:
    events = lines(lc("--output", "jsonl", "messages", "create", "--model", "m", "--max-tokens", "9",
                      "--message", "user:Hi", "--stream"))
    types = [e["type"] for e in events]
    assert types[0] == "message_start" and types[-1] == "message_stop" and "ping" not in types
    assert "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta") == (
        "Hello! You said: Hi")


def test_stream_switch_inside_the_body(lc: Run) -> None:
    body = {"model": "m", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "x"}]}
    done = lc("messages", "create", "--body", json.dumps(body))
    assert done.returncode == 0 and done.stdout == b"Hello! You said: x\n"


# ---------------------------------------------------------------------------------------- files


def test_upload_and_download_round_trip(lc: Run, tmp_path: Path) -> None:
    data = bytes(range(256)) * 40 + b"\x00\xff end"
    source = tmp_path / "blob.bin"
    source.write_bytes(data)
    meta = ok(lc("files", "upload", str(source), "--purpose", "testing"))
    assert meta["filename"] == "blob.bin" and meta["size_bytes"] == len(data)
    target = tmp_path / "copy.bin"
    saved = ok(lc("files", "download", meta["id"], "-o", str(target)))
    assert target.read_bytes() == data and saved == {"path": str(target), "size_bytes": len(data)}
    streamed = lc("files", "download", meta["id"])  # stdout is a pipe here: the bytes themselves
    assert streamed.returncode == 0 and streamed.stdout == data and streamed.stderr == b""
    listed = ok(lc("files", "list"))
    assert meta["id"] in [f["id"] for f in listed]


def test_skills_create_uploads_every_file(run_cli: Run, tmp_path: Path) -> None:
    """`skills create --files A --files B`: one multipart request with each file and the form field,
    sent directly (the fake LowCodeAPI does not route skills: a recording loopback server stands in)."""
    from fakeserver_world import multipart_parts
    from recorder import serve

    skill = tmp_path / "skill"
    skill.mkdir()
    (skill / "SKILL.md").write_text("---\nname: greet\n---\nSay hello.\n", encoding="utf-8")
    (skill / "greet.py").write_bytes(b"print('hello')\n")
    with serve() as server:
        server.reply("POST /v1/skills", body={"id": "skill_01", "type": "skill", "display_title": "Greeter"})
        done = run_cli("--target", "direct", "--base-url", server.url, "--max-retries", "0", "skills", "create",
                       "--display-title", "Greeter", "--files", str(skill / "SKILL.md"), "--files", str(skill / "greet.py"),
                       env=cli_env(ANTHROPIC_API_KEY=KEY))
        assert done.returncode == 0, done.stderr.decode()
        assert json.loads(done.stdout)["id"] == "skill_01"
        request = server.last
    assert (request.method, request.path) == ("POST", "/v1/skills")
    assert request.headers["x-api-key"] == KEY
    parts = multipart_parts(request.headers["content-type"], request.body)
    assert [(name, filename) for name, filename, _, _ in parts] == [
        ("display_title", None), ("files", "SKILL.md"), ("files", "greet.py")]
    assert parts[0][3] == b"Greeter" and parts[2][3] == b"print('hello')\n"


def test_upload_from_stdin(lc: Run) -> None:
    meta = ok(lc("files", "upload", "-", input=b"piped bytes"))
    assert meta["size_bytes"] == len(b"piped bytes")


def test_download_progress_only_on_a_terminal(lc: Run, fake_server: FakeServer, tmp_path: Path) -> None:
    quiet = lc("files", "download", "file_01", "-o", str(tmp_path / "a.txt"))
    assert quiet.returncode == 0 and quiet.stderr == b""
    main, secondary = pty.openpty()  # stderr on a terminal, stdout still a pipe
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", PACKAGE, "--base-url", fake_server.lowcodeapi_url, "files", "download",
             "file_01", "-o", str(tmp_path / "b.txt")],
            env=cli_env(LOWCODEAPI_API_TOKEN=TOKEN), stdout=subprocess.PIPE, stderr=secondary)
        os.close(secondary)
        stdout, _ = process.communicate(timeout=60)
        terminal = b""
        while select.select([main], [], [], 0.5)[0]:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        os.close(main)
    assert process.returncode == 0 and json.loads(stdout)["size_bytes"] == 12
    assert b"file_01 -> " in terminal and b"12 B of 12 B (100%)" in terminal
    assert TOKEN.encode() not in terminal


# ----------------------------------------------------------------------------------- exit codes


def test_api_error_exits_1_with_a_line_and_the_error_json(lc: Run) -> None:
    done = lc("models", "retrieve", "claude-nope")
    assert done.returncode == 1 and done.stdout == b""
    line, detail = done.stderr.decode().splitlines()
    assert line == "Error: 404 not_found_error: model: claude-nope not found (request_id req_fake_err)"
    error = json.loads(detail)
    assert error["error"] == "NotFoundError" and error["status_code"] == 404
    assert error["error_type"] == "not_found_error" and error["request_id"] == "req_fake_err"


def test_validation_error_from_the_server_exits_1(lc: Run) -> None:
    done = lc("organizations", "workspaces", "create", "--body", "{}", "--name", "")
    assert done.returncode == 1
    assert json.loads(done.stderr.decode().splitlines()[1])["status_code"] == 400


def test_usage_errors_exit_2(lc: Run, tmp_path: Path) -> None:
    cases = {
        ("models", "retrieve"): "Missing argument 'MODEL_ID'",
        ("messages", "create", "--model", "m", "--max-tokens", "5", "--messages", '[{"role": '):
            "Invalid value for '--messages': not valid JSON",
        ("messages", "create", "--body", "@" + str(tmp_path / "missing.json")): "cannot read",
        ("messages", "create", "--body", "[1, 2]"): "the body must be a JSON object",
        ("organizations", "workspaces", "create"): "Missing option '--name'",
        ("organizations", "workspaces", "members", "update", "w", "u", "--role", "boss"): "'boss' is not one of",
        ("models", "list", "--max-items", "many"): "'many' is not a valid integer",
        ("files", "upload", str(tmp_path / "nope.pdf")): "does not exist",
        ("messages", "create", "--message", "no-role-here"): "expected ROLE:TEXT",
        ("no-such-group",): "No such command",
    }
    for args, message in cases.items():
        done = lc(*args)
        assert done.returncode == 2, (args, done.stderr.decode())
        assert message in done.stderr.decode(), (args, done.stderr.decode())
        assert done.stdout == b""


def test_missing_credentials_exit_2(run_cli: Run, fake_server: FakeServer) -> None:
    done = run_cli("--base-url", fake_server.lowcodeapi_url, "models", "list")
    assert done.returncode == 2 and b"No LowCodeAPI token" in done.stderr
    assert fake_server.requests == []


def test_help_exits_0(run_cli: Run) -> None:
    done = run_cli("organizations", "--help")
    assert done.returncode == 0 and b"workspaces" in done.stdout


# --------------------------------------------------------------------------------------- secrets


def test_token_is_never_printed(run_cli: Run, fake_server: FakeServer) -> None:
    """The run_cli fixture checks every output of every test; these runs try hard to leak it."""
    echo = {"type": "error", "error": {"type": "api_error",
                                       "message": f"upstream saw /v1/models?api_token={TOKEN}&from={TOKEN}"}}
    fake_server.script("GET", "/v1/models", [Reply(500, json=echo, envelope=True)])
    done = run_cli("--api-token", TOKEN, "--base-url", fake_server.lowcodeapi_url, "--max-retries", "0",
                   "models", "list")
    assert done.returncode == 1 and b"api_token=***" in done.stderr
    unreachable = run_cli("--api-token", TOKEN, "--base-url", "http://127.0.0.1:9/anthropic",
                          "--max-retries", "0", "--timeout", "5", "models", "list")
    assert unreachable.returncode == 1 and b"APIConnectionError" in unreachable.stderr
    for args in (["--help"], ["--api-token", TOKEN, "models", "list", "--help"]):
        assert run_cli(*args, env=cli_env(LOWCODEAPI_API_TOKEN=TOKEN)).returncode == 0
    direct = run_cli("--api-key", KEY, "--target", "direct", "--base-url", fake_server.direct_url,
                     "models", "retrieve", "nope")
    assert direct.returncode == 1


# ----------------------------------------------------------------------------------- packaging


def test_client_package_works_without_click() -> None:
    # (httpx itself imports click when it is installed, so "click not in sys.modules" proves nothing here)
    code = (f"import sys; sys.modules['click'] = None; import {PACKAGE} as lc; lc.Client(api_token='at_x'); "
            f"assert not [m for m in sys.modules if m.startswith(('{PACKAGE}.cli', '{PACKAGE}._cli_'))], sys.modules")
    subprocess.run([sys.executable, "-c", code], env=cli_env(), check=True, timeout=60)


def test_without_click_the_cli_says_how_to_get_it() -> None:
    code = f"import sys; sys.modules['click'] = None; from {PACKAGE}.cli import main"
    done = subprocess.run([sys.executable, "-c", code], env=cli_env(), capture_output=True, timeout=60,
                          check=False)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (
        "The anthropic-lowcodeapi command line needs click: pip install 'anthropic-lowcodeapi[cli]'")


def test_shell_completion(run_cli: Run) -> None:
    script = run_cli("completion", "bash")
    assert script.returncode == 0 and b"_ANTHROPIC_LOWCODEAPI_COMPLETE=bash_complete" in script.stdout
    env = cli_env(_ANTHROPIC_LOWCODEAPI_COMPLETE="bash_complete",
                  COMP_WORDS="anthropic-lowcodeapi organizations work", COMP_CWORD="2")
    done = run_cli(env=env)
    assert done.returncode == 0 and b"workspaces" in done.stdout
    env.update(COMP_WORDS="anthropic-lowcodeapi organizations workspaces members update w u --role ",
               COMP_CWORD="8")
    assert b"workspace_admin" in run_cli(env=env).stdout


def test_generated_module_is_where_the_tests_look() -> None:
    assert (GENERATED / PACKAGE / "cli.py").is_file() and (GENERATED / PACKAGE / "__main__.py").is_file()


def test_stream_text_arrives_before_the_response_ends(fake_server: FakeServer) -> None:
    fake_server.script("POST", "/v1/messages", [Reply(chunk_delay=0.25)])  # normal answer, slowly
    process = subprocess.Popen(
        [sys.executable, "-m", PACKAGE, "--base-url", fake_server.lowcodeapi_url, "messages", "create",
         "--model", "m", "--max-tokens", "9", "--message", "user:slowly please", "--stream"],
        env=cli_env(LOWCODEAPI_API_TOKEN=TOKEN), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    first = os.read(process.stdout.fileno(), 7)
    still_running = process.poll() is None
    rest, errors = process.communicate(timeout=60)
    assert first == b"Hello! " and still_running
    assert first + rest == b"Hello! You said: slowly please\n" and b"usage:" in errors


def test_session_event_stream_prints_json_lines(run_cli: Run) -> None:
    """`sessions events stream`: an event feed, printed one JSON line per event (not as text deltas),
    with the managed-agents beta on the request."""
    from recorder import serve

    events = [{"type": "agent.message", "id": "ev_1", "content": [{"type": "text", "text": "Hi"}]},
              {"type": "session.status_idle", "id": "ev_2", "stop_reason": {"type": "end_turn"}}]
    sse = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    with serve() as server:
        server.reply("GET /v1/sessions/sesn_1/events/stream", body=sse, content_type="text/event-stream")
        done = run_cli("--target", "direct", "--base-url", server.url, "--max-retries", "0",
                       "sessions", "events", "stream", "sesn_1", env=cli_env(ANTHROPIC_API_KEY=KEY))
        assert done.returncode == 0, done.stderr.decode()
        request = server.last
    assert [json.loads(line) for line in done.stdout.decode().splitlines()] == events
    assert request.headers["anthropic-beta"] == "managed-agents-2026-04-01"


def test_beta_option_is_repeatable_and_extends_the_default(run_cli: Run, fake_server: FakeServer) -> None:
    """`--beta NAME` (repeatable, or one JSON list) extends the family's default beta; a GA command
    sends only what it is given."""
    direct = ("--api-key", KEY, "--target", "direct", "--base-url", fake_server.direct_url)
    sent = []
    for command in (["files", "list", "--beta", "b-1", "--beta", "b-2"], ["models", "list", "--beta", '["b-3", "b-4"]'],
                    ["models", "list"]):
        ok(run_cli(*direct, *command))
        sent.append({r.headers.get("anthropic-beta") for r in fake_server.requests})  # every page alike
        fake_server.clear()
    assert sent == [{"files-api-2025-04-14,b-1,b-2"}, {"b-3,b-4"}, {None}]
    bad = run_cli(*direct, "models", "list", "--beta", "[1]")
    assert bad.returncode == 2 and b"JSON list of strings" in bad.stderr
