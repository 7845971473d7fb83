"""Any LowCodeAPI provider: recognising its `/openapi` document and deriving its URL forms from it.

The rules are the proxy's (see shared/lowcodeapi/providers/README.md, "How the routes files were
derived"). The proxy mounts each route's alias (the document's key) always, and its proxy intent
when one is set; the document does not carry the proxy intent, so only what the key itself proves is
derived:

- a literal key (`/v1/assistants/assistant_id`) is the old form: always mounted; its query carries
  the `in: path` values (minus any the key captures as an Express `:name`);
- a templated key (`/v1/models/{model_id}`) is the new form (Express would match it only with
  literal braces, so it is no old form);
- the new form of a literal key is unknown (the provider may mount its template, the same literal,
  or nothing), so the client uses the old form, which every URL format reaches;
- the direct form is `externalDocs.api_endpoint` below the provider's own base (the common
  scheme+host+prefix of the upstream URLs), when every placeholder of it is an `in: path` parameter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import takewhile
from typing import Any
from urllib.parse import urlsplit

from .openapi_paths import iter_operations, template_params

PROXY_HOST = "api.lowcodeapi.com"
_METHODS = ("get", "put", "post", "delete", "patch")  # the methods a LowCodeAPI route can have
_BRACES = re.compile(r"\{\{?\s*([A-Za-z_][\w.-]*)\s*\}?\}")
_ANGLE = re.compile(r"<([A-Za-z_]\w*)>")
_COLON_SEGMENT = re.compile(r"^:([A-Za-z_]\w*)$")
_COLON = re.compile(r":([A-Za-z_]\w*)")  # an Express parameter in an alias


@dataclass(frozen=True)
class DerivedRoute:
    """One route's URL forms as the document proves them; "" where a form is unknown."""

    new: str
    old: str
    old_query: tuple[str, ...]
    direct: str
    how: str  # a sentence for the merge report


def server_provider(document: dict[str, Any]) -> str | None:
    """The provider of a document served by LowCodeAPI (`servers[0]` is
    `https://api.lowcodeapi.com/<p>` and the dialect's own tells are there:
    `externalDocs.api_endpoint` or the `api_token` query key).
    """
    servers = document.get("servers")
    first = (
        servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], dict) else {}
    )
    parts = urlsplit(str(first.get("url", "")))
    segments = [s for s in parts.path.split("/") if s]
    if parts.hostname != PROXY_HOST or len(segments) != 1 or parts.query:
        return None
    name = segments[0]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        return None
    schemes = (
        (document.get("components") or {}).get("securitySchemes")
        if isinstance(document.get("components"), dict)
        else None
    )
    token = any(
        isinstance(s, dict) and s.get("in") == "query" and s.get("name") == "api_token"
        for s in (schemes.values() if isinstance(schemes, dict) else ())
    )
    return name if token or any(upstream(op) for _, _, op in operations(document)) else None


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, key, operation) in document order, of the methods a LowCodeAPI route can have."""
    return iter_operations(document, _METHODS)


def upstream(op: dict[str, Any]) -> str:
    """The operation's real URL template (`externalDocs.api_endpoint`, or its repaired `x-`
    form)."""
    docs = op.get("externalDocs")
    if not isinstance(docs, dict):
        return ""
    value = docs.get("api_endpoint", docs.get("x-api-endpoint"))
    return value if isinstance(value, str) else ""


def path_parameters(op: dict[str, Any]) -> tuple[str, ...]:
    """The names the proxy reads as path values (its route's `path` keys): the `in: path`
    parameters."""
    params = op.get("parameters")
    names = (
        [p.get("name") for p in params if isinstance(p, dict) and p.get("in") == "path"]
        if isinstance(params, list)
        else []
    )
    return tuple(dict.fromkeys(n for n in names if isinstance(n, str) and n))


def _template(path: str, names: tuple[str, ...]) -> str | None:
    """An upstream path in `{x}` style (from `{x}`, `{{x}}`, `<x>` or a whole `:x` segment; a `:x`
    inside a segment, as in `{spreadsheetId}:batchUpdate`, is literal); None when a placeholder is
    no parameter (a credential the proxy fills, such as gmail's `userId`)."""
    path = _ANGLE.sub(r"{\1}", _BRACES.sub(r"{\1}", path))
    path = "/".join(_COLON_SEGMENT.sub(r"{\1}", segment) for segment in path.split("/"))
    return path if all(p in names for p in template_params(path)) else None


def direct_base(document: dict[str, Any]) -> str:
    """The provider's own base URL: the most common scheme+host of the upstream URLs (the proxy's
    own helper routes and templated hosts aside), with the path prefix every one of them on that
    host shares.
    """
    found = (upstream(op) for _, _, op in operations(document))
    # a templated host or credentials: no base
    urls = [
        parts
        for u in found
        if u.startswith(("https://", "http://"))
        and (parts := urlsplit(u)).hostname
        and parts.hostname != PROXY_HOST
        and not any(c in parts.netloc for c in "{}<>@")
    ]
    if not urls:
        return ""
    ((origin, _),) = Counter(f"{u.scheme}://{u.netloc}" for u in urls).most_common(1)
    prefix: list[str] | None = None
    for u in urls:
        if f"{u.scheme}://{u.netloc}" == origin:
            fixed = list(takewhile(_literal, u.path.split("/")[1:-1]))  # never the last segment
            prefix = fixed if prefix is None else prefix[: _common(prefix, fixed)]
    return origin + "".join("/" + s for s in prefix or [])


def _literal(segment: str) -> bool:
    return bool(segment) and not any(c in segment for c in "{}<>:")


def _common(a: list[str], b: list[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def derive_route(key: str, names: tuple[str, ...], endpoint: str, base: str) -> DerivedRoute:
    """One route's forms from its key, its `in: path` names and its upstream URL."""
    direct, direct_note = _direct(endpoint, names, base)
    if not key.startswith("/"):
        return DerivedRoute(
            "",
            "",
            (),
            direct,
            f"key {key!r} does not start with '/': the proxy cannot route it; {direct_note}",
        )
    if "{" in key:
        return DerivedRoute(
            key, "", (), direct, f"templated key: new form = the key, no old form; {direct_note}"
        )
    captured = set(_COLON.findall(key))
    query = tuple(n for n in names if n not in captured)
    if not query:
        return DerivedRoute(
            "", key, (), direct, f"old form = the key (the same URL in both formats); {direct_note}"
        )
    return DerivedRoute(
        "",
        key,
        query,
        direct,
        f"old form = the key with {', '.join(query)} in the query; new form unknown (the document "
        f"has no proxy intent): the old form serves every URL format; {direct_note}",
    )


def _direct(endpoint: str, names: tuple[str, ...], base: str) -> tuple[str, str]:
    if not base or not endpoint.startswith(base + "/"):
        return "", "no direct form (its upstream URL is not under the provider's base)"
    path, mark, fixed = endpoint[len(base) :].partition("?")
    template = _template(path, names)
    if template is None or "{" in fixed or "#" in fixed:
        return "", "no direct form (its upstream URL has a placeholder that is no parameter)"
    # a fixed query (`?Command=x`) is part of it
    return (
        template + mark + fixed,
        "direct form from api_endpoint",
    )


def canonical_path(key: str, names: tuple[str, ...], derived: DerivedRoute) -> str:
    """The merged document's path for a route: its new form, else its key with each segment that is
    a parameter's name written as that parameter (`/v1/assistants/{assistant_id}`)."""
    if derived.new:
        return derived.new
    path = key if key.startswith("/") else "/" + key
    return "/".join("{" + s + "}" if s in names else s for s in path.split("/"))
