"""Credentials that cannot be sent are refused at construction (never quoted); every spelling of a
credential is masked (raw, repr-escaped, bytes repr, JSON-escaped, percent-encoded); one default-target
rule for the client and the CLI; ``__version__`` is the package's version."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fakeserver import FakeServer, Reply
from lcclient import GENERATED, all_text, lc

KEY = "sk-ant-api03-CRED-only-K3y-77ab"
TOKEN = "at_CRED-only-Tok3n-19cd"
# printable ASCII that every escaping and percent-encoding spells differently
ODD_TOKEN = "at_odd+tok/en=CRED'q\"b\\s%2F"
UNSENDABLE = {
    "newline inside": "sk-ant-CRED\nrest-of-key",
    "carriage return": "sk-ant-CRED\r\nX-Injected: 1",
    "NUL": "sk-ant-CRED\x00tail",
    "non-ASCII": "sk-ant-CRÉD-ünicode",
    "space inside": "sk-ant CRED key",
    "70k characters": "sk-ant-" + "C" * 70_000,
}
ENV = ("LOWCODEAPI_API_TOKEN", "ANTHROPIC_API_KEY", "LOWCODEAPI_BASE_URL", "ANTHROPIC_BASE_URL")


@pytest.fixture(autouse=True)
def no_credential_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "anthropic_lowcodeapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def spellings(secret: str) -> set[str]:
    """The ways a secret shows up in text: raw, repr-escaped, bytes repr, JSON, percent-encoded."""
    forms = {secret, repr(secret)[1:-1], repr(secret.encode("utf-8", "replace"))[2:-1], json.dumps(secret)[1:-1],
             json.dumps(secret, ensure_ascii=False)[1:-1], quote(secret, safe=""),
             re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe=""))}
    core = re.split(r"[^A-Za-z0-9_-]", secret.removeprefix("sk-ant-"))[0]  # the run of plain characters
    return {f for f in forms | {core} if len(f) >= 6}


def assert_hidden(secret: str, text: str) -> None:
    for form in spellings(secret):
        assert form not in text, f"{form!r} leaked in:\n{text[:2000]}"


# ------------------------------------------------------------------------ refused at construction


@pytest.mark.parametrize("name", sorted(UNSENDABLE))
@pytest.mark.parametrize("how", ["api_key", "api_token", "ANTHROPIC_API_KEY", "LOWCODEAPI_API_TOKEN",
                                 "with_options"])
def test_unsendable_credentials_raise_value_error_without_the_value(
        name: str, how: str, monkeypatch: pytest.MonkeyPatch, fake_server: FakeServer) -> None:
    bad = UNSENDABLE[name]
    if how.isupper() and "\x00" in bad:
        pytest.skip("an environment variable cannot hold NUL")
    with pytest.raises(ValueError) as caught:
        if how == "api_key":
            lc.Client(api_key=bad, target="direct")
        elif how == "api_token":
            lc.Client(api_token=bad)
        elif how == "with_options":
            lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url).with_options(api_token=bad)
        else:
            monkeypatch.setenv(how, bad)
            lc.Client(target="direct" if how == "ANTHROPIC_API_KEY" else "lowcodeapi")
    assert_hidden(bad, all_text(caught.value))
    assert "cannot be sent" in str(caught.value)  # ours, naming where the value came from
    assert (how if how != "with_options" else "api_token") in str(caught.value)
    assert fake_server.requests == []


@pytest.mark.parametrize("where", ["default_headers", "extra_headers"])
@pytest.mark.parametrize("name", ["newline inside", "non-ASCII", "70k characters"])
def test_unsendable_auth_headers_are_refused_without_the_value(where: str, name: str, fake_server: FakeServer) -> None:
    bad = UNSENDABLE[name]
    headers = {"authorization": "Bearer " + bad, "x-api-key": bad}
    with pytest.raises(ValueError) as caught:
        if where == "default_headers":
            lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url, default_headers=headers)
        else:
            client = lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url, max_retries=0)
            client.organizations.me(extra_headers=headers)
    assert_hidden(bad, all_text(caught.value))
    assert fake_server.requests == []


def test_surrounding_whitespace_is_stripped_and_the_call_works(
        fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, debug_logs: pytest.LogCaptureFixture) -> None:
    """The issue's case: ``Client(api_key="sk-ant-KEY\\n")`` raised an APIConnectionError quoting the key."""
    direct = lc.Client(api_key=KEY + "\n", target="direct", base_url=fake_server.direct_url, max_retries=0)
    assert direct.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5"
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", f"  {TOKEN}\r\n")
    proxied = lc.Client(base_url=fake_server.lowcodeapi_url, max_retries=0)
    proxied.organizations.me()
    assert fake_server.requests[0].headers["x-api-key"] == KEY
    assert fake_server.requests[1].query["api_token"] == TOKEN
    assert_hidden(KEY, debug_logs.text)
    assert_hidden(TOKEN, debug_logs.text)


# ------------------------------------------------------------------------ every spelling masked


def test_every_spelling_of_a_credential_is_masked(fake_server: FakeServer,
                                                  debug_logs: pytest.LogCaptureFixture) -> None:
    client = lc.Client(api_token=ODD_TOKEN, base_url=fake_server.lowcodeapi_url, max_retries=0)
    echoed = " | ".join(sorted(spellings(ODD_TOKEN) - {re.split(r"[^A-Za-z0-9_-]", ODD_TOKEN)[0]}))
    fake_server.script("GET", "/v1/organizations/me", [Reply(400, json={"message": f"bad credential {echoed}",
                                                                         "echo": echoed})])
    with pytest.raises(lc.BadRequestError) as caught:
        client.organizations.me()
    assert fake_server.requests[0].query["api_token"] == ODD_TOKEN  # sent as it is...
    assert_hidden(ODD_TOKEN, all_text(caught.value) + caught.value.message)  # ...and shown nowhere
    assert_hidden(ODD_TOKEN, debug_logs.text + repr(client))
    for record in debug_logs.records:
        assert_hidden(ODD_TOKEN, record.getMessage())


def test_connection_and_timeout_errors_mask_percent_encoded_credentials(
        fake_server: FakeServer, debug_logs: pytest.LogCaptureFixture) -> None:
    client = lc.Client(api_token=ODD_TOKEN, base_url=fake_server.lowcodeapi_url, max_retries=0)
    fake_server.script("GET", "/v1/organizations/me", [Reply(delay=0.6)])
    with pytest.raises(lc.APITimeoutError) as timed_out:
        client.organizations.me(timeout=0.15)
    fake_server.script("GET", "/v1/organizations/me", [Reply(drop=True)])
    with pytest.raises(lc.APIConnectionError) as dropped:
        client.organizations.me()
    for err in (timed_out.value, dropped.value):
        text = all_text(err) + repr(err.args)
        assert_hidden(ODD_TOKEN, text)
        for link in (err.__cause__, err.__context__):
            assert_hidden(ODD_TOKEN, "".join(map(repr, link.args)) if link is not None else "")
    assert_hidden(ODD_TOKEN, debug_logs.text)


# ------------------------------------------------------------------------ one default-target rule


@pytest.mark.parametrize(("arguments", "env", "expected"), [
    ({"api_key": KEY}, {}, "direct"),
    ({}, {"ANTHROPIC_API_KEY": KEY}, "direct"),
    ({"api_token": TOKEN}, {}, "lowcodeapi"),
    ({}, {"LOWCODEAPI_API_TOKEN": TOKEN, "ANTHROPIC_API_KEY": KEY}, "lowcodeapi"),
    ({"api_key": KEY}, {"LOWCODEAPI_API_TOKEN": TOKEN}, "lowcodeapi"),
])
def test_the_default_target_is_the_clis_rule(arguments: dict[str, str], env: dict[str, str], expected: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert lc.Client(**arguments).target == expected
    from anthropic_lowcodeapi._settings import default_target  # the CLI calls this same function

    token = arguments.get("api_token") or env.get("LOWCODEAPI_API_TOKEN")
    key = arguments.get("api_key") or env.get("ANTHROPIC_API_KEY")
    assert default_target(token, key) == expected


def test_only_a_key_calls_anthropic_directly(fake_server: FakeServer) -> None:
    client = lc.Client(api_key=KEY, base_url=fake_server.direct_url, max_retries=0)
    assert client.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5"
    assert fake_server.requests[0].headers["x-api-key"] == KEY


# ------------------------------------------------------------------------ versions


def test_version_is_the_package_version_and_the_api_version_has_its_own_name() -> None:
    pyproject = (Path(GENERATED) / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE)
    assert declared is not None and lc.__version__ == declared.group(1)
    assert lc.API_VERSION == "2023-06-01" and "API_VERSION" in lc.__all__


# ------------------------------------------------------------------------ seed 000's values (x-enum-aliases)


@pytest.mark.parametrize(("given", "sent"), [("member", "workspace_user"), ("admin", "workspace_admin"),
                                              ("workspace_developer", "workspace_developer")])
def test_seed_000_role_names_are_sent_as_anthropics(fake_server: FakeServer, given: str, sent: str) -> None:
    client = lc.Client(api_token=TOKEN, base_url=fake_server.lowcodeapi_url, max_retries=0)
    members = client.organizations.workspaces.members
    members.create("wrkspc_01", user_id="user_02", role=given)
    members.update("wrkspc_01", "user_02", role=given)
    assert [r.json()["workspace_role"] for r in fake_server.requests] == [sent, sent]
