"""The CLI's side of CLIENT.md "Path parameters" and "Responses": a refused path value is a usage error
(exit 2, one line, nothing sent); a 2xx answer that is not the declared JSON is an API error (exit 1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from clikit import KEY, Run, cli_env
from fakeserver import FakeServer, Reply


def test_path_values_that_leave_their_route_exit_2_and_send_nothing(lc: Run, run_cli: Run,
                                                                    fake_server: FakeServer) -> None:
    calls = [("organizations", "workspaces", "members", "delete", "wrkspc_01", ".."),
             ("organizations", "workspaces", "members", "delete", "", "user_01"),
             ("models", "retrieve", "%2e%2e"), ("models", "retrieve", " "), ("files", "download", "a/../b"),
             ("messages", "batches", "results", ".")]
    for args in calls:
        for fmt in ("auto", "old"):
            done = lc("--url-format", fmt, *args)
            assert done.returncode == 2, (args, done.stderr.decode())
            lines = done.stderr.decode().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: path parameter"), lines
            assert done.stdout == b""
        direct = run_cli("--target", "direct", "--api-key", KEY, "--base-url", fake_server.direct_url, *args)
        assert direct.returncode == 2 and direct.stderr.decode().startswith("Error: path parameter")
    assert fake_server.requests == []


def test_json_option_nested_too_deep_exits_2(lc: Run, fake_server: FakeServer, tmp_path: Path) -> None:
    """json.loads raised RecursionError: a traceback and exit 1 instead of a usage error."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for args in (("--body", "@" + str(deep)), ("--messages", "[" * 20_000 + "]" * 20_000)):
        done = lc("messages", "create", "--model", "m", "--max-tokens", "5", *args)
        lines = done.stderr.decode().splitlines()
        assert done.returncode == 2 and "not valid JSON" in lines[-1] and "Traceback" not in lines[0], lines[:3]
    assert fake_server.requests == []


def test_bad_base_url_exits_2(run_cli: Run, fake_server: FakeServer) -> None:
    done = run_cli("--base-url", fake_server.lowcodeapi_url + "/../x", "models", "list",
                   env=cli_env(LOWCODEAPI_API_TOKEN="at_x"))
    assert done.returncode == 2 and done.stderr.decode().splitlines() == [
        done.stderr.decode().splitlines()[0]] and "base_url" in done.stderr.decode()
    assert fake_server.requests == []


def test_html_success_exits_1_with_the_error(lc: Run, fake_server: FakeServer) -> None:
    fake_server.script("GET", re.compile(r"/v1/models/"), [Reply(200, raw=b"<html>login</html>", content_type="text/html")])
    done = lc("models", "retrieve", "claude-haiku-4-5")
    assert done.returncode == 1 and done.stdout == b""
    line, detail = done.stderr.decode().splitlines()
    assert line.startswith("Error: Invalid response from ") and "not valid JSON" in line
    error = json.loads(detail)
    assert error["error"] == "APIResponseValidationError" and error["status_code"] == 200
    assert error["body"] == "<html>login</html>"
