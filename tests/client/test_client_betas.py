"""Betas on the wire, and operations LowCodeAPI does not route (CLIENT.md, "The current API").

The fake Anthropic refuses the Files and Skills families without their beta, as the real API does, so
every direct files/skills call in the suite proves the family's default beta is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fakeserver import FakeServer
from lcclient import lc


def beta_header(fake_server: FakeServer) -> list[str | None]:
    return [r.headers.get("anthropic-beta") for r in fake_server.requests]


@pytest.mark.parametrize("target", ["lowcodeapi", "direct"])
def test_a_beta_only_family_sends_its_beta(fake_server: FakeServer, make_client: Callable[..., Any],
                                           target: str) -> None:
    client = make_client(target)
    assert [f.id for f in client.files.list()]
    assert set(beta_header(fake_server)) == {"files-api-2025-04-14"}


def test_a_ga_method_sends_no_beta(fake_server: FakeServer, direct: Any) -> None:
    direct.models.list()
    direct.messages.count_tokens(model="claude-sonnet-4-5", messages=[{"role": "user", "content": "Hi"}])
    assert set(beta_header(fake_server)) == {None}


def test_the_callers_betas_extend_the_default(fake_server: FakeServer, direct: Any) -> None:
    direct.files.list(extra_headers={"anthropic-beta": "extra-1, files-api-2025-04-14"})
    assert beta_header(fake_server) == ["files-api-2025-04-14,extra-1"]


def test_betas_keyword_reaches_the_wire(fake_server: FakeServer, direct: Any) -> None:
    direct.models.list(betas=["b-1", "b-2"])
    direct.files.list(betas=["b-3"])
    assert beta_header(fake_server) == ["b-1,b-2", "files-api-2025-04-14,b-3"]


def test_an_operation_the_proxy_lacks_says_so(fake_server: FakeServer, client: Any) -> None:
    """Skills are not in LowCodeAPI's snapshot: tried at Anthropic's path, the router's 404 is explained."""
    with pytest.raises(lc.NotFoundError) as caught:
        client.skills.list()
    message = str(caught.value)
    assert "LowCodeAPI does not route skills.list" in message and 'target="direct"' in message
    assert caught.value.status_code == 404
    assert fake_server.requests and all(r.path.startswith("/anthropic/v1/skills") for r in fake_server.requests)
    assert {r.headers.get("anthropic-beta") for r in fake_server.requests} == {"skills-2025-10-02"}


def test_an_operation_the_proxy_routes_keeps_the_plain_404(fake_server: FakeServer, client: Any) -> None:
    fake_server.script("GET", "/v1/models/nope", [{"status": 404, "json": {"message": "Not Found"}}] * 2)
    with pytest.raises(lc.NotFoundError) as caught:
        client.models.retrieve("nope", extra_query={"x": "1"})
    assert "does not route" not in str(caught.value)


def test_async_explains_the_unrouted_operation(fake_server: FakeServer,
                                              make_async_client: Callable[..., Any]) -> None:
    async def main() -> str:
        async with make_async_client() as client:
            try:
                await client.skills.list()
            except lc.NotFoundError as err:
                return str(err)
        return ""

    assert "LowCodeAPI does not route skills.list" in asyncio.run(main())


def test_unrouted_operations_are_marked_in_the_tables() -> None:
    """The merge report's documented-only operations are the ones URL_FORMATS.md marks † and ROUTES flags."""
    import json
    import re

    from lcclient import GENERATED

    report = json.loads((GENERATED / "merge_report.json").read_text(encoding="utf-8"))
    unrouted = {e["operation"] for e in report["entries"] if e["kind"] == "documented-only"}
    table = (GENERATED / "URL_FORMATS.md").read_text(encoding="utf-8")
    marked = {m.group(1) for m in re.finditer(r"^\| `([\w.]+)` † \|", table, re.M)}
    flagged = {key for key, route in lc.url_formats.ROUTES.items() if not route.lowcodeapi_routed}
    assert len(unrouted) == len(marked) >= 63 and marked == flagged
    by_key = {key: f"{r.method} {r.direct}" for key, r in lc.url_formats.ROUTES.items()}
    assert {by_key[k] for k in marked} == unrouted
