"""The three wire forms of an operation's URL, and the rules that give them.

Old-format names are data first (the snapshot's literal keys, the documented spec's
`x-lowcodeapi-old`), then the provider's rule. Every route is expressed with the operation's
canonical (Anthropic) parameter names; LowCodeAPI's own names map onto them by position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from .ir import Route
from .openapi_paths import PATH_PARAM as _PARAM
from .openapi_paths import iter_operations, template_params

RULES = ("lowercase-drop-underscores", "lowercase", "keep")
# The extension of each operation of `openapi.merged.json` that records its routes for other tools
# (and for `lowcodegen generate`'s summary of changes against the committed generation).
EXTENSION = "x-lowcodegen"


def shape(path: str) -> str:
    """A path with its placeholders blanked, for matching routes whatever their parameter names."""
    return _PARAM.sub("{}", path.split("?")[0]).rstrip("/") or "/"


def sanitize(name: str, rule: str) -> str:
    """An old-format name for a path parameter under a provider rule."""
    if rule == "lowercase-drop-underscores":
        return name.lower().replace("_", "")
    if rule == "lowercase":
        return name.lower()
    if rule == "keep":
        return name
    raise ValueError(f"unknown old-format rule {rule!r} (known: {', '.join(RULES)})")


def default_old(new_path: str, rule: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The provider rule: each `{p}` becomes a literal sanitized segment and a query parameter."""
    query = tuple((sanitize(p, rule), p) for p in template_params(new_path))
    return _PARAM.sub(lambda m: sanitize(m.group(1), rule), new_path), query


def parse_old(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An old-format route as seed 000 writes it: `/a/b/bid?bid={b_id}`."""
    path, _, query = text.partition("?")
    pairs: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = _PARAM.fullmatch(value)
        if not match:
            raise ValueError(
                f"old-format query {key}={value!r} does not name a parameter as {{name}}"
            )
        pairs.append((key, match.group(1)))
    return path, tuple(pairs)


def rename_params(path: str, mapping: dict[str, str]) -> str:
    """A template with its placeholders renamed."""
    return _PARAM.sub(lambda m: "{" + mapping.get(m.group(1), m.group(1)) + "}", path)


def positional_mapping(from_path: str, to_path: str) -> dict[str, str]:
    """Map one template's parameter names onto another's by position; ValueError if counts
    differ."""
    source, target = template_params(from_path), template_params(to_path)
    if len(source) != len(target):
        raise ValueError(
            f"{from_path!r} has {len(source)} parameters, {to_path!r} has {len(target)}"
        )
    return dict(zip(source, target, strict=True))


def make_route(
    name: str,
    method: str,
    direct_method: str,
    direct_path: str,
    lowcodeapi_path: str,
    old_override: str | None,
    rule: str,
) -> Route:
    """An operation's three routes, all in the direct path's parameter names.

    `lowcodeapi_path` and `old_override` are written in LowCodeAPI's own parameter names; the rule
    sanitizes those names (LowCodeAPI's `batch_id` gives `batchid`, whatever Anthropic calls it).
    """
    mapping = positional_mapping(lowcodeapi_path, direct_path)
    if old_override is not None:
        old_path, old_query = parse_old(old_override)
    else:
        old_path, old_query = default_old(lowcodeapi_path, rule)
    unknown = [p for _, p in old_query if p not in mapping]
    if unknown:
        raise ValueError(f"old-format route names unknown parameters {unknown}")
    return Route(
        name=name,
        method=method.upper(),
        direct_method=direct_method.upper(),
        direct=direct_path,
        new=rename_params(lowcodeapi_path, mapping),
        old=old_path,
        old_query=tuple((q, mapping[p]) for q, p in old_query),
    )


@dataclass(frozen=True)
class MergedRoute:
    """An operation's routes as the merge decided them (computed once, there), with where the
    operation came from. Normalize names the route and adds what the operation itself declares."""

    route: Route
    source: str  # both | documented | snapshot | spec
    variant_of: str = (
        ""  # "POST /path": this entry is that operation's direct form, not a client operation
    )


# (method, path) as in the merged document -> its routes
RouteTable = Mapping[tuple[str, str], MergedRoute]


def plain_route(method: str, path: str) -> Route:
    """The routes of an operation no merge routed (a document without them): its own path in every
    form."""
    return Route(
        name="",
        method=method.upper(),
        direct_method=method.upper(),
        direct=path,
        new=path,
        old=path,
        old_query=(),
    )


def route_extension(merged: MergedRoute) -> dict[str, Any]:
    """The `x-lowcodegen` value that records a route in the merged document."""
    route = merged.route
    out: dict[str, Any] = {
        "source": merged.source,
        "routes": {
            "direct": {"method": route.direct_method, "path": route.direct},
            "new": {"method": route.method, "path": route.new},
            "old": {
                "method": route.method,
                "path": route.old,
                "query": [list(pair) for pair in route.old_query],
            },
        },
    }
    if merged.variant_of:
        out |= {"variant-of": merged.variant_of, "target": "direct"}
    return out


def routes_in_document(document: dict[str, Any]) -> dict[tuple[str, str], MergedRoute]:
    """The routes a merged document records (`route_extension`): for a merged document read back
    from disk, such as the committed `openapi.merged.json`. A run's own merge hands its table on
    directly.
    """
    table = {}
    for method, path, op in iter_operations(document):
        ext = op.get(EXTENSION)
        if isinstance(ext, dict):
            table[(method, path)] = _read_extension(ext, method, path)
    return table


def _read_extension(ext: dict[str, Any], method: str, path: str) -> MergedRoute:
    given_routes = ext.get("routes")
    routes: dict[str, Any] = given_routes if isinstance(given_routes, dict) else {}

    def form(name: str) -> dict[str, Any]:
        given = routes.get(name)
        return given if isinstance(given, dict) else {}

    def template(
        name: str,
    ) -> str:  # "" where the merge found none; the path where it gave none at all
        given = form(name).get("path")
        return path if given is None else str(given)

    route = Route(
        name="",
        method=str(form("new").get("method") or method).upper(),
        direct_method=str(form("direct").get("method") or method).upper(),
        direct=template("direct"),
        new=template("new"),
        old=template("old"),
        old_query=tuple((str(q), str(p)) for q, p in form("old").get("query") or []),
    )
    return MergedRoute(route, str(ext.get("source") or "spec"), str(ext.get("variant-of", "")))
