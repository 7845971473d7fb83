"""The CLI as a process whose streams misbehave: stdout closed (``>&-``) or cut short (``| head -c1``),
stdin closed (``<&-``), Ctrl-C; and credentials that cannot be sent. Never a traceback, never a secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from clikit import PACKAGE, TOKEN, cli_env
from fakeserver import FakeServer, Reply

ODD_TOKEN = "at_cli+odd/tok=en'q\"b\\s"  # every escaping spells it differently


def spawn(fake_server: FakeServer, *args: str, token: str = TOKEN, **popen: object) -> subprocess.Popen[bytes]:
    env = cli_env(LOWCODEAPI_API_TOKEN=token)
    return subprocess.Popen([sys.executable, "-m", PACKAGE, "--base-url", fake_server.lowcodeapi_url,
                             "--max-retries", "0", *args], env=env, **popen)  # type: ignore[call-overload]


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=60)
    return proc.returncode, (err or b"").decode("utf-8", "replace")


def test_stdout_cut_short_by_the_reader(fake_server: FakeServer) -> None:
    proc = spawn(fake_server, "models", "list", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.read(1) == b"["
    proc.stdout.close()  # what `| head -c1` does
    code, err = finish(proc)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert code in (0, 1)


def test_stdout_closed(fake_server: FakeServer) -> None:
    proc = spawn(fake_server, "models", "list", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                 preexec_fn=lambda: os.close(1))
    code, err = finish(proc)
    assert "Traceback" not in err, err
    assert code == 1 and "stdout is closed" in err


def test_stdin_closed_with_body_from_stdin(fake_server: FakeServer) -> None:
    proc = spawn(fake_server, "messages", "count-tokens", "--body", "-", stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, preexec_fn=lambda: os.close(0))
    code, err = finish(proc)
    assert "Traceback" not in err, err
    assert code == 2 and "stdin is closed" in err
    assert fake_server.requests == []


def test_ctrl_c_exits_130_without_a_traceback(fake_server: FakeServer) -> None:
    fake_server.script("GET", "/v1/organizations/me", [Reply(delay=20)])
    proc = spawn(fake_server, "organizations", "me", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not fake_server.requests and time.monotonic() < deadline:  # the call is under way
        time.sleep(0.05)
    assert fake_server.requests, "the CLI never called"
    proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert "Traceback" not in err, err
    assert code == 130


@pytest.mark.parametrize("bad", ["at_cli-bad\ntoken", "at_cli-bäd-token", "at_cli-" + "x" * 70_000])
def test_unsendable_token_is_a_usage_error_without_the_value(fake_server: FakeServer, bad: str) -> None:
    env = cli_env(LOWCODEAPI_API_TOKEN=bad)
    done = subprocess.run([sys.executable, "-m", PACKAGE, "--base-url", fake_server.lowcodeapi_url,
                           "organizations", "me"], env=env, capture_output=True, timeout=60, check=False)
    out = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 2 and "Traceback" not in out, out
    assert "cannot be sent" in out
    for form in (bad, repr(bad)[1:-1], "bad\\ntoken", "bäd", "xxxxxxxxxxxxxxxxxxxx"):
        assert form not in out
    assert fake_server.requests == []


def test_error_output_masks_every_spelling(fake_server: FakeServer) -> None:
    import json
    from urllib.parse import quote

    forms = [repr(ODD_TOKEN)[1:-1], json.dumps(ODD_TOKEN)[1:-1], quote(ODD_TOKEN, safe=""),
             repr(ODD_TOKEN.encode())[2:-1]]
    fake_server.script("GET", "/v1/organizations/me", [Reply(400, json={"message": " ".join(forms)})])
    proc = spawn(fake_server, "organizations", "me", token=ODD_TOKEN, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    code, err = finish(proc)
    assert code == 1 and "Error" in err
    for form in [ODD_TOKEN, *forms]:
        assert form not in err, err


@pytest.mark.parametrize(("given", "sent"), [("member", "workspace_user"), ("admin", "workspace_admin"),
                                              ("workspace_developer", "workspace_developer")])
@pytest.mark.parametrize("command", ["create", "update"])
def test_seed_000_role_names_are_accepted_and_anthropics_are_sent(fake_server: FakeServer, given: str, sent: str,
                                                                  command: str) -> None:
    where = ("wrkspc_01", "--user-id", "user_02") if command == "create" else ("wrkspc_01", "user_01")
    proc = spawn(fake_server, "organizations", "workspaces", "members", command, *where, "--role", given,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, err = finish(proc)
    assert code == 0, err
    assert fake_server.requests[-1].json()["workspace_role"] == sent
