"""Every operation that the published 2026 spec added (the families LowCodeAPI's snapshot lacks), called over a
real socket in both targets: the method and path on the wire, the credentials, and the family's beta.

Arguments are made from each method's own signature (path values positional, required keywords from their
annotations), so a new operation in the spec is covered without touching this file.
"""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Iterator
from typing import Any

import pytest
from lcclient import KEY, TOKEN, lc
from recorder import Recorded, Recorder, serve

FAMILY_BETAS = {"skills": "skills-2025-10-02", "files": "files-api-2025-04-14",
                "user_profiles": "user-profiles-2026-03-24"}
MANAGED = ("agents", "sessions", "environments", "memory_stores", "vaults")
NEW = sorted(k for k, r in lc.url_formats.ROUTES.items() if k.split(".")[0] in (*MANAGED, "user_profiles", "skills"))


def beta_of(key: str) -> str:
    family = key.split(".")[0]
    return "managed-agents-2026-04-01" if family in MANAGED else FAMILY_BETAS[family]


def alternatives(text: str) -> list[str]:
    """The top-level members of an annotation's union, as text."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "[(" and 1 or ch in "])" and -1 or 0
        if ch == "|" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return [*parts, text[start:].strip()]


def sample(annotation: str) -> Any:
    """A value of a (string) annotation: the first literal, an empty container, a scalar, a TypedDict."""
    first = next(a for a in alternatives(annotation) if a not in ("None", "NotGiven"))
    if first.startswith("Literal["):
        return ast.literal_eval(first[len("Literal["):-1].split(",")[0])
    if first.startswith(("Sequence[", "list[")):
        return []
    if first.startswith(("Mapping[", "dict[")):
        return {}
    scalars = {"str": "s", "int": 1, "float": 1.0, "bool": True, "FileTypes": b"file", "Any": "s"}
    if first in scalars:
        return scalars[first]
    found = getattr(lc.types, first)
    return sample(found) if isinstance(found, str) else {}  # an alias (as text) or a TypedDict


def call_args(method: Any) -> tuple[list[str], dict[str, Any]]:
    positional, keywords = [], {}
    for name, param in inspect.signature(method).parameters.items():
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            positional.append(f"{name}_1")
        elif param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            keywords[name] = sample(str(param.annotation))
    return positional, keywords


def answer(route: Any) -> tuple[int, str, bytes]:
    """What the real API answers, near enough for the client to decode it."""
    if route.name.endswith("stream"):
        event = {"type": "session.status_idle", "id": "ev_1", "stop_reason": {"type": "end_turn"}}
        return 200, "text/event-stream", f"event: x\ndata: {json.dumps(event)}\n\n".encode()
    if route.name.endswith(".list"):
        return 200, "application/json", b'{"data": [], "next_page": null, "has_more": false}'
    return 200, "application/json", b'{"id": "x_1", "type": "x"}'


@pytest.fixture(scope="module")
def server() -> Iterator[Recorder]:
    with serve() as recorder:
        recorder.answer = lambda req: answer(ROUTE_OF[req.method, req.path])  # type: ignore[method-assign]
        yield recorder


ROUTE_OF: dict[tuple[str, str], Any] = {}


def consume(result: Any) -> None:
    if hasattr(result, "__iter__") and not isinstance(result, (str, bytes, dict)):
        for _ in result:
            pass


@pytest.mark.parametrize("target", ["direct", "lowcodeapi"])
@pytest.mark.parametrize("key", NEW)
def test_every_new_operation_reaches_its_route(server: Recorder, key: str, target: str) -> None:
    route = lc.url_formats.ROUTES[key]
    if target == "direct":
        client = lc.Client(api_key=KEY, target="direct", base_url=server.url, max_retries=0)
    else:
        client = lc.Client(api_token=TOKEN, base_url=server.url + "/anthropic", url_format="new", max_retries=0)
    method: Any = client
    for part in key.split("."):
        method = getattr(method, part)
    positional, keywords = call_args(method)
    template = route.direct if target == "direct" else "/anthropic" + route.new
    path = template
    names = [p for p in inspect.signature(method).parameters if f"{p}_1" in positional]
    for name, value in zip(names, positional, strict=True):
        path = path.replace("{" + name + "}", value)
    ROUTE_OF[(route.direct_method if target == "direct" else route.method, path)] = route
    before = len(server.requests)
    consume(method(*positional, **keywords))
    sent: list[Recorded] = server.requests[before:]
    assert [(r.method, r.path) for r in sent] == [(route.direct_method if target == "direct" else route.method, path)]
    request = sent[0]
    assert request.headers.get("anthropic-beta") == beta_of(key)
    if request.headers.get("content-type") == "application/json":
        whole = keywords.pop("body", None)  # a union body is one `body` argument
        assert set(keywords) <= set(request.json()) if whole is None else request.json() == whole
    if target == "direct":
        assert request.headers.get("x-api-key") == KEY and "api_token" not in dict(request.query)
    else:
        assert dict(request.query).get("api_token") == TOKEN and "x-api-key" not in request.headers
    client.close()
