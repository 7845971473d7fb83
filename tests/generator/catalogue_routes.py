"""The URL forms derived from each catalogue document, measured against the routes the proxy mounts.

`<p>.routes.json` (shared/lowcodeapi/providers) records what LowCodeAPI's routing code mounts per
route; the derivation sees only `<p>.openapi.json`. Reachability is checked the way Express 4 routes
(first match in mount order, case-insensitive, `:name` a parameter anywhere, optional trailing slash).
Run as a script for the per-provider table: `python -m tests.generator.catalogue_routes`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.provider_routes import (
    derive_route,
    direct_base,
    operations,
    path_parameters,
    upstream,
)

CATALOGUE = Path(__file__).resolve().parents[2] / ".." / "shared" / "lowcodeapi" / "providers"
_PARAM = re.compile(r"\{([^{}]+)\}")


def providers() -> list[str]:
    return sorted(p.name[: -len(".routes.json")] for p in CATALOGUE.glob("*.routes.json"))


def _mount(path: str) -> re.Pattern[str]:
    """An Express 4 (path-to-regexp 0.1) mount: `:name` matches one segment's worth of characters."""
    express = _PARAM.sub(lambda m: ":" + m.group(1), path)
    parts = re.split(r"(:[A-Za-z_]\w*)", express)
    regex = "".join("[^/]+?" if p.startswith(":") else re.escape(p) for p in parts)
    return re.compile(regex.rstrip("/") + "/?", re.IGNORECASE)


@dataclass
class Agreement:
    routes: int = 0
    old_same: int = 0
    query_same: int = 0
    new_same: int = 0
    new_same_url: int = 0  # the derived form the client sends in new mode is the routes file's new URL
    new_wrong: int = 0  # a new form derived that the proxy does not mount for the route
    reached: int = 0
    caught_anyway: int = 0  # the proxy gives this route's every form to another route (its own collision)
    unreached: list[str] = field(default_factory=list)


def _sample(template: str) -> str:
    return _PARAM.sub(lambda m: "v" + re.sub(r"\W", "", m.group(1)) + "1", template)


def measure(provider: str) -> Agreement:
    document: dict[str, Any] = json.loads((CATALOGUE / f"{provider}.openapi.json").read_text())
    truth: list[dict[str, Any]] = json.loads((CATALOGUE / f"{provider}.routes.json").read_text())
    ops = {(m.upper(), k): op for m, k, op in operations(document)}
    base = direct_base(document)
    mounts: list[tuple[int, str, re.Pattern[str]]] = []
    for i, route in enumerate(truth):
        for form in (route["old"], route["new"]):
            if form:
                mounts.append((i, route["method"], _mount(form)))

    def first(method: str, path: str) -> int | None:
        return next((i for i, m, rx in mounts if m == method and rx.fullmatch(path)), None)

    out = Agreement()
    seen: set[tuple[str, str]] = set()
    for i, route in enumerate(truth):
        key = (route["method"], route["openapi_path"])
        op = ops.get(key)
        if op is None or key in seen or (route["new"] is None and route["old"] is None):
            continue  # not served (not released), or a duplicate the document keeps once
        seen.add(key)
        out.routes += 1
        names = path_parameters(op)
        got = derive_route(route["openapi_path"], names, upstream(op), base)
        out.old_same += (got.old or None) == route["old"]
        out.query_same += sorted(got.old_query) == sorted(route["old_query"] or [])
        out.new_same += (got.new or None) == route["new"]
        out.new_wrong += bool(got.new) and got.new != route["new"]
        sent_as_new = got.new or got.old
        out.new_same_url += route["new"] is not None and not _PARAM.search(route["new"]) and sent_as_new == route["new"]
        order = [f for f in (got.new, got.old) if f]  # the client's auto order: new first, else the one it knows
        answered = [first(route["method"], _sample(f)) for f in order]
        # a router 404 (no mount) moves on; the first mount that answers takes the call
        taker = next((a for a in answered if a is not None), None)
        own = [first(route["method"], _sample(f)) for f in (route["new"], route["old"]) if f]
        if taker is not None and truth[taker]["openapi_path"] == route["openapi_path"] and truth[taker]["method"] == route["method"]:
            out.reached += 1
        elif own and all(t is not None and t != i for t in own):
            out.caught_anyway += 1
        else:
            out.unreached.append(f"{route['method']} {route['openapi_path']}")
    return out


def table() -> str:
    lines = ["| provider | routes | old | old_query | new (exact) | new (same URL) | reached in auto | proxy collision | unreached |",
             "|---|---|---|---|---|---|---|---|---|"]
    for p in providers():
        a = measure(p)
        lines.append(f"| {p} | {a.routes} | {a.old_same} | {a.query_same} | {a.new_same} | {a.new_same_url} | {a.reached} | {a.caught_anyway} | {len(a.unreached)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
