"""Any LowCodeAPI provider: clients generated from catalogue documents, called on a loopback fake proxy.

The fake mounts each provider's `routes.json` the way the proxy's Express router does (first match in
mount order), so a call passes only if it reaches the route's own mount, in the form the proxy reads
(path values in the path for the new form, in the query for the old one)."""

from __future__ import annotations

import inspect
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generator"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "robustness"))

from catalogue_routes import CATALOGUE, _mount, _sample
from recorder import Recorded, Reply, _handler
from robustkit import import_fresh

from generator.cli import main

# one of each format the catalogue has (gmail, cal: the dialect repairs their types first)
PROVIDERS = {"openai": "old", "anthropic": "new, templated keys", "googlesheets": "mixed", "dodopayments": "proxy = sanitized alias"}
TOKEN = "at_test-token"


@dataclass
class FakeProxy:
    """LowCodeAPI for one provider, mounted from its routes.json; records every request."""

    provider: str
    routes: list[dict[str, Any]]
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def mounts(self) -> list[tuple[int, str, str, Any]]:
        return [(i, r["method"], form, _mount(r[form])) for i, r in enumerate(self.routes) for form in ("old", "new") if r[form]]

    def answer(self, req: Recorded) -> Reply:
        prefix = f"/{self.provider}"
        if not req.path.startswith(prefix + "/"):
            return 200, "application/json", json.dumps({"direct": True}).encode()  # the provider's own API
        if dict(req.query).get("api_token") != TOKEN:
            return 401, "application/json", b'{"message": "A valid API token is required to access this API."}'
        path = req.path[len(prefix):]
        for i, method, form, regex in self.mounts():
            if method == req.method and regex.fullmatch(path):
                route = self.routes[i]
                result = {"route": f"{route['method']} {route['openapi_path']}", "mount": form}
                body = {"message": "ok", "provider": self.provider, "result": result, "response_headers": {}}
                return 200, "application/json", json.dumps(body).encode()
        return 404, "application/json", b'{"message": "Not Found"}'


@contextmanager
def fake_proxy(provider: str) -> Iterator[FakeProxy]:
    fake = FakeProxy(provider, json.loads((CATALOGUE / f"{provider}.routes.json").read_text()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))  # type: ignore[arg-type]
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def _generate(args: list[str]) -> None:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("providers")
    found = {}
    for provider in PROVIDERS:
        package = f"anyprov_{provider}"
        _generate(["generate", "--spec", str(CATALOGUE / f"{provider}.openapi.json"), "--package", package, "--out", str(out / provider)])
        found[provider] = import_fresh(out / provider, package)
    return found


def _dummy(annotation: Any) -> Any:
    text = str(annotation)
    if "File" in text:
        return b"file content"
    for kind, value in (("bool", True), ("int", 1), ("float", 1.0), ("list", []), ("dict", {}), ("Mapping", {}), ("Sequence", [])):
        if text.startswith(kind) or f"[{kind}" in text or text.endswith(kind):
            return value
    return "x"


def _call(client: Any, name: str, values: dict[str, str]) -> Any:
    method = client
    for part in name.split("."):
        method = getattr(method, part)
    positional, keywords = [], {}
    for param in inspect.signature(method).parameters.values():
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            positional.append(values.setdefault(param.name, f"v-{param.name}"))
        elif param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            keywords[param.name] = _dummy(param.annotation)
    return method(*positional, **keywords)


def _own_mount_answers(fake: FakeProxy, route: Any) -> bool:
    """False where the proxy itself gives the route's forms to an earlier route (its documented collisions)."""
    mounts = fake.mounts()
    for form in (route.new, route.old):
        if form:
            taker = next((fake.routes[i] for i, m, _, rx in mounts if m == route.method and rx.fullmatch(_sample(form))), None)
            if taker is None or (taker["method"], taker["openapi_path"]) != (route.method, route.old or route.new):
                return False
    return True


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize("url_format", ["auto", "new", "old"])
def test_sampled_operations_reach_their_own_mount(packages: dict[str, Any], provider: str, url_format: str) -> None:
    package = packages[provider]
    routes = package.url_formats.ROUTES
    names = sorted(routes)
    sample = names[:: max(1, len(names) // 15)]
    with fake_proxy(provider) as fake:
        client = package.Client(api_token=TOKEN, base_url=f"{fake.url}/{provider}", url_format=url_format, max_retries=0)
        checked = 0
        for name in sample:
            route = routes[name]
            if not (route.new or route.old) or not _own_mount_answers(fake, route):
                continue
            values: dict[str, str] = {}
            before = len(fake.requests)
            answer = _call(client, name, values)
            assert answer == {"route": f"{route.method} {route.old or route.new}", "mount": answer["mount"]}, name
            last = fake.requests[-1]
            query = dict(last.query)
            assert query["api_token"] == TOKEN
            if answer["mount"] == "old":  # the old form carries every path value in the query
                # (the method's argument names are Python's: spreadsheet_id carries spreadsheetId)
                assert {query.get(q) for q, _ in route.old_query} == set(values.values()), (name, last.target)
            else:
                assert all(f"/{v}" in last.path or f"/{v}:" in last.path for v in values.values() if "{" in route.new), (name, last.target)
            # auto tries a form the route may lack only once, and only after it got a router 404
            assert len(fake.requests) - before <= 2
            checked += 1
        assert checked >= min(5, len(sample))


def test_client_conventions(packages: dict[str, Any]) -> None:
    openai = packages["openai"]
    client = openai.Client(api_token=TOKEN)
    assert client.base_url == "https://api.lowcodeapi.com/openai"
    route = openai.url_formats.ROUTES["assistants.retrieve"]
    assert (route.new, route.old, route.old_query) == ("", "/v1/assistants/assistant_id", (("assistant_id", "assistant_id"),))
    assert route.direct == "/assistants/{assistant_id}"
    old = "https://api.lowcodeapi.com/openai/v1/assistants/assistant_id?assistant_id=asst_1&api_token=at_x"
    assert openai.url_formats.to_direct(old) == "https://api.openai.com/v1/assistants/asst_1"
    assert openai.url_formats.to_old("https://api.openai.com/v1/assistants/asst_1") == (
        "https://api.lowcodeapi.com/openai/v1/assistants/assistant_id?assistant_id=asst_1")
    assert openai.url_formats.to_new("https://api.openai.com/v1/assistants/asst_1") == (
        "https://api.lowcodeapi.com/openai/v1/assistants/assistant_id?assistant_id=asst_1")  # its only proxy form


def test_direct_target_without_configured_auth_is_refused_by_name(packages: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    openai = packages["openai"]
    with pytest.raises(ValueError, match=r"\[tool\.lowcodegen\.providers\.openai\]") as err:
        openai.Client(target="direct", api_key="sk-secret-value")
    assert "sk-secret-value" not in str(err.value)
    # an API key alone never sends the call anywhere but through the proxy
    monkeypatch.delenv("LOWCODEAPI_API_TOKEN", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    with pytest.raises(openai.MissingCredentialsError, match="LowCodeAPI token"):
        openai.Client()


PYPROJECT = """
[tool.lowcodegen]
templates = "{templates}"

[[tool.lowcodegen.targets]]
name = "openai"
package = "anyprov_cfg_openai"
snapshot = "{snapshot}"
out = "out"

[tool.lowcodegen.providers.openai]
direct_auth_header = "Authorization"
direct_auth_prefix = "Bearer "
"""


def test_configured_target_without_documented_spec(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(templates=root / "templates", snapshot=CATALOGUE / "openai.openapi.json"))
    runner = CliRunner()
    strict = runner.invoke(main, ["validate", "--strict", "--root", str(tmp_path)], catch_exceptions=False)
    assert strict.exit_code == 0, strict.output
    assert "warning" not in strict.output
    _generate(["generate", "--root", str(tmp_path)])
    report = (tmp_path / "out" / "MERGE_REPORT.md").read_text()
    assert "Anthropic" not in report and "the provider" in report
    for name in ("README.md", "URL_FORMATS.md"):
        assert "Anthropic" not in (tmp_path / "out" / name).read_text(), name
    assert "| — |" in (tmp_path / "out" / "URL_FORMATS.md").read_text()  # no new form shown: none derived
    package = import_fresh(tmp_path / "out", "anyprov_cfg_openai")
    with fake_proxy("openai") as fake:
        client = package.Client(target="direct", api_key="sk-direct", base_url=fake.url + "/v1")
        assert client.assistants.retrieve("asst_1") == {"direct": True}
        sent = fake.requests[-1]
        assert (sent.method, sent.path) == ("GET", "/v1/assistants/asst_1")
        assert sent.headers["authorization"] == "Bearer sk-direct"
        assert "api_token" not in dict(sent.query)


def test_cli_of_a_provider_package(packages: dict[str, Any]) -> None:
    package = packages["dodopayments"]
    with fake_proxy("dodopayments") as fake:
        env = {**os.environ, "LOWCODEAPI_API_TOKEN": TOKEN, "LOWCODEAPI_BASE_URL": f"{fake.url}/dodopayments"}
        name = sorted(package.url_formats.ROUTES)[0]
        import subprocess

        out = Path(package.__file__).parent.parent
        args = [sys.executable, "-m", package.__name__, "--help"]
        shown = subprocess.run(args, cwd=out, env=env, capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        assert name.split(".")[0].replace("_", "-") in shown.stdout


def test_forms_a_route_lacks(packages: dict[str, Any]) -> None:
    urls = sys.modules[packages["openai"].__name__ + "._urls"]
    old_only = urls.Route(name="a.get", method="GET", direct_method="GET", direct="", new="", old="/a/id", old_query=(("id", "id"),))
    for fmt in ("new", "old"):  # the one proxy form it has serves both
        assert old_only.build(fmt, {"id": "v1"}) == ("GET", "/a/id", [("id", "v1")])
    with pytest.raises(ValueError, match="a.get has no direct form"):
        old_only.build("direct", {"id": "v1"})
    new_only = urls.Route(name="b.get", method="GET", direct_method="GET", direct="/b/{id}", new="/b/{id}/{x}", old="")
    assert new_only.build("old", {"id": "v1", "x": "v2"}) == ("GET", "/b/v1/v2", [])
    # a path value the new template has no place for still reaches the proxy, in the query
    assert new_only.build("new", {"id": "v1", "x": "v2", "extra": "v3"})[2] == [("extra", "v3")]
    nowhere = urls.Route(name="c.get", method="GET", direct_method="GET", direct="/c", new="", old="")
    with pytest.raises(ValueError, match="no route on LowCodeAPI"):
        nowhere.build("new", {})
    # an empty form never matches a URL when translating (it would match every path)
    translator = urls.Translator([old_only, nowhere], "https://api.lowcodeapi.com/p", "https://api.example.com")
    with pytest.raises(ValueError, match="no known route"):
        translator.translate("https://api.lowcodeapi.com/p/zzz", "old")
