"""`lowcodegen translate URL --to old|new|direct` on every row of seed 000's "Complete Endpoint Reference"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner
from gentest_util import ROOT, SEED_000, run_cli

from generator import cli, cli_specs

LOWCODEAPI = "https://api.lowcodeapi.com/anthropic"
DIRECT = "https://api.anthropic.com"
SAMPLES = {
    "model_id": "claude-sonnet-4-5-20250929",
    "batch_id": "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF",
    "file_id": "file_011CNha8iCJcU1wXNR6q4V8w",
    "api_key_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
    "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
    "user_id": "user_01WCz1FkmYMm4gnmykNKUu3Q",
}
EXTRA = [("api_token", "at_test-token"), ("limit", "5"), ("note", "a b&c")]


def seed_rows() -> list[tuple[str, str, str, str]]:
    text = SEED_000.read_text(encoding="utf-8")
    section = text.split("## Complete Endpoint Reference", 1)[1].split("## API Definition Endpoints", 1)[0]
    return re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| `([^`]+)` \| ([^|]+?) \|$", section, re.M)


ROWS = seed_rows()


def fill(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLES[m.group(1)], template)


def anthropic_path(new: str) -> str:
    """Anthropic's own path for a LowCodeAPI new-format path (seeds 001-003, Anthropic's API reference)."""
    special = {"/v1/messages/count-tokens": "/v1/messages/count_tokens", "/v1/completions": "/v1/complete"}
    if new in special:
        return special[new]
    path = new.replace("/v1/message_batches", "/v1/messages/batches")
    if path.endswith("/download"):
        path = path[: -len("/download")] + "/content"
    return path


def split(url: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(base URL, path below the base, query pairs); the base is the proxy's or Anthropic's."""
    parts = urlsplit(url)
    full = f"{parts.scheme}://{parts.netloc}{parts.path}"
    base = LOWCODEAPI if full.startswith(LOWCODEAPI + "/") else f"{parts.scheme}://{parts.netloc}"
    return base, full[len(base):], parse_qsl(parts.query, keep_blank_values=True)


def urls_of(row: tuple[str, str, str, str]) -> dict[str, Any]:
    method, new, old, _ = row
    old_path, _, old_query = old.partition("?")
    table_pairs = [(k, fill(v)) for k, v in parse_qsl(old_query)]
    from urllib.parse import urlencode

    return {
        "method": method,
        "new": f"{LOWCODEAPI}{fill(new)}?{urlencode(EXTRA)}",
        "old": f"{LOWCODEAPI}{fill(old_path)}?{urlencode(table_pairs + EXTRA)}",
        "direct": f"{DIRECT}{fill(anthropic_path(new))}?{urlencode(EXTRA[1:])}",
        "new_path": fill(new), "old_path": fill(old_path), "direct_path": fill(anthropic_path(new)), "table_pairs": table_pairs,
    }


@pytest.fixture(scope="module")
def apis() -> Any:
    """The project's IR, computed once for the in-process runs of the command."""
    return cli_specs._target_apis(str(ROOT), None)


@pytest.fixture
def translate(apis: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # the command's own module: patching `cli` (which re-exports these) would leave the command
    # recomputing the IR on every call
    monkeypatch.setattr(cli_specs, "_target_apis", lambda *args, **kwargs: apis)
    urls = cli_specs._load_urls_module()
    monkeypatch.setattr(cli_specs, "_load_urls_module", lambda: urls)

    def run(url: str, to: str, method: str | None = None) -> Any:
        args = ["translate", url, "--to", to, "--root", str(ROOT)] + (["--method", method] if method else [])
        return CliRunner().invoke(cli.main, args)

    yield run


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return str(result.output).strip()


def test_the_table_has_32_rows() -> None:
    assert len(ROWS) == 32
    assert len({(m, n) for m, n, _, _ in ROWS}) == 32


IDS = [f"{m} {n}" for m, n, _, _ in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_new_to_old(translate: Any, row: tuple[str, str, str, str]) -> None:
    u = urls_of(row)
    base, path, query = split(ok(translate(u["new"], "old", u["method"])))
    assert (base, path) == (LOWCODEAPI, u["old_path"])
    n = len(u["table_pairs"])
    assert query[:n] == u["table_pairs"], "the old format's query names and order, exactly as the table writes them"
    assert sorted(query[n:]) == sorted(EXTRA), "every other query parameter is kept"


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_old_to_new(translate: Any, row: tuple[str, str, str, str]) -> None:
    u = urls_of(row)
    base, path, query = split(ok(translate(u["old"], "new", u["method"])))
    assert (base, path) == (LOWCODEAPI, u["new_path"])
    assert query == EXTRA


@pytest.mark.parametrize("source", ["new", "old"])
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_proxy_to_direct(translate: Any, row: tuple[str, str, str, str], source: str) -> None:
    u = urls_of(row)
    base, path, query = split(ok(translate(u[source], "direct", u["method"])))
    assert (base, path) == (DIRECT, u["direct_path"])
    assert query == EXTRA[1:], "api_token belongs to the proxy; the rest is kept"


@pytest.mark.parametrize("to", ["new", "old"])
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_direct_to_proxy(translate: Any, row: tuple[str, str, str, str], to: str) -> None:
    u = urls_of(row)
    base, path, query = split(ok(translate(u["direct"], to)))
    assert base == LOWCODEAPI
    if to == "new":
        assert (path, query) == (u["new_path"], EXTRA[1:])
    else:
        n = len(u["table_pairs"])
        assert path == u["old_path"] and query[:n] == u["table_pairs"] and query[n:] == EXTRA[1:]


@pytest.mark.parametrize(
    ("url", "to", "expected"),
    [
        (f"{LOWCODEAPI}/v1/messages/batches/mb_1?api_token=t", "new", f"{LOWCODEAPI}/v1/message_batches/mb_1?api_token=t"),
        (f"{DIRECT}/v1/messages/batches/mb_1/results", "old", f"{LOWCODEAPI}/v1/message_batches/batchid/results?batchid=mb_1"),
        (f"{DIRECT}/v1/files/f_1/content", "new", f"{LOWCODEAPI}/v1/files/f_1/download"),
        (f"{DIRECT}/v1/messages/count_tokens", "new", f"{LOWCODEAPI}/v1/messages/count-tokens"),
        (f"{LOWCODEAPI}/v1/messages/count_tokens?api_token=t", "new", f"{LOWCODEAPI}/v1/messages/count-tokens?api_token=t"),
        (f"{LOWCODEAPI}/v1/models/a%2Fb?api_token=t", "old", f"{LOWCODEAPI}/v1/models/modelid?modelid=a%2Fb&api_token=t"),
        (f"{LOWCODEAPI}/v1/models/modelid?modelid=a%2Fb&api_token=t", "new", f"{LOWCODEAPI}/v1/models/a%2Fb?api_token=t"),
        (f"{LOWCODEAPI}/v1/models/m1?api_token=t&x=1&x=2#frag", "old", f"{LOWCODEAPI}/v1/models/modelid?modelid=m1&api_token=t&x=1&x=2#frag"),
        ("/anthropic/v1/models/m1?api_token=t", "old", "/anthropic/v1/models/modelid?modelid=m1&api_token=t"),
        ("HTTPS://API.LOWCODEAPI.COM/anthropic/v1/models/m1", "direct", f"{DIRECT}/v1/models/m1"),
        (f"{LOWCODEAPI}/v1/models/m1/?api_token=t", "direct", f"{DIRECT}/v1/models/m1"),
    ],
)
def test_quirks_and_kept_parameters(translate: Any, url: str, to: str, expected: str) -> None:
    assert ok(translate(url, to)) == expected


def test_method_disambiguates_and_a_wrong_method_is_refused(translate: Any) -> None:
    url = f"{LOWCODEAPI}/v1/organizations/workspaces/w_1?api_token=t"
    assert ok(translate(url, "direct", "PATCH")) == f"{DIRECT}/v1/organizations/workspaces/w_1"
    result = translate(f"{LOWCODEAPI}/v1/messages", "old", "GET")
    assert result.exit_code == 2


@pytest.mark.parametrize("url", [
    "https://api.lowcodeapi.com/openai/v1/models/m1?api_token=at_secret",  # another provider's route on the proxy
    "https://evil.example/v1/models/m1?api_token=at_secret",  # another host
    "https://evil.example/anthropic/v1/models/m1?api_token=at_secret",  # another host, the right prefix
    "http://api.lowcodeapi.com/anthropic/v1/models/m1?api_token=at_secret",  # another scheme
    "https://api.anthropic.com/anthropic/v1/models/m1",  # the direct host with the proxy's prefix
    "https://api.anthropic.com.evil.example/v1/models/m1",  # a host that only starts like the direct one
    "/openai/v1/models/m1?api_token=at_secret",  # a bare path under another provider
])
@pytest.mark.parametrize("to", ["old", "new", "direct"])
def test_only_the_targets_bases_are_translated(translate: Any, url: str, to: str) -> None:
    result = translate(url, to)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "not this provider's base" in lines[0], result.output
    assert "at_secret" not in result.output


def test_bare_path(translate: Any) -> None:
    result = translate("/v1/models/m1", "old")
    assert result.exit_code == 2 or ok(result) == "/v1/models/modelid?modelid=m1"


# --- the real command, in a subprocess --------------------------------------------------------------------


def cli_translate(url: str, to: str, *extra: str) -> Any:
    return run_cli(["translate", url, "--to", to, "--root", str(ROOT), *extra], cwd=ROOT.parent)


def test_command_translates_the_members_quirk() -> None:
    new = f"{LOWCODEAPI}/v1/organizations/workspaces/w_1/members/u_1?api_token=at_x"
    old = f"{LOWCODEAPI}/v1/organizations/workspaces/workspaceid/members/userid?workspaceid=w_1&user_id=u_1&api_token=at_x"
    forward = cli_translate(new, "old", "--method", "PATCH")
    assert (forward.returncode, forward.stdout.strip()) == (0, old), forward.stderr


def test_command_refuses_an_unknown_url() -> None:
    result = cli_translate(f"{LOWCODEAPI}/v1/no/such/route?api_token=at_secret", "old")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "no known route" in result.stderr
    assert "at_secret" not in result.stderr, "the token is redacted in the message"


def test_the_runtime_translator_refuses_another_providers_route_and_keeps_a_self_hosted_proxy(apis: Any) -> None:
    """The generated package's `url_formats.to_old/to_new/to_direct`: another provider's route on the
    proxy host is never this provider's call; a self-hosted proxy (another host) keeps its host."""
    urls = cli._load_urls_module()
    routes = [urls.Route(op.route.name, op.route.method, op.route.direct_method, op.route.direct, op.route.new, op.route.old,
                         op.route.old_query) for op in apis[0].operations]
    translator = urls.Translator(routes, LOWCODEAPI, DIRECT)
    for foreign in ("https://api.lowcodeapi.com/openai/v1/models/m1", f"{DIRECT}/anthropic/v1/models/m1"):
        with pytest.raises(ValueError, match="not this provider's base"):
            translator.translate(foreign, "direct")
    own = "http://127.0.0.1:8080/anthropic/v1/models/m1?api_token=t"
    assert translator.translate(own, "old") == "http://127.0.0.1:8080/anthropic/v1/models/modelid?modelid=m1&api_token=t"
    with pytest.raises(ValueError, match="not this provider's base"):
        translator.check_base(own)
