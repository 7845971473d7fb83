"""The catalogue's providers, the routes a test samples from each, and what each call may expect.

Expectations come from mounting every form in order (`fake_lowcodeapi`) and probing each with sample
values, as the providers README did: a form another route's mount answers first is a collision, which no
client can get around; a form the proxy does not mount is "absent" (the client may use the form it knows,
or meet the router 404).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import quote

from fake_lowcodeapi import PROVIDERS_DIR, UNRELEASED, load_routes, match, provider_mounts

PROVIDERS = sorted(p.name.removesuffix(".openapi.json") for p in PROVIDERS_DIR.glob("*.openapi.json"))
MODES = ("auto", "new", "old")
SAMPLES_PER_PROVIDER = 5
REACH = "reach"  # the call must reach its own route with every path value where the proxy reads it
ABSENT = "absent"  # the proxy mounts no such form: reach its route (another form) or a router 404

# Why a provider's forms are answered by another route, in the words of the providers README
COLLISION_REASONS = {
    "assemblyai": "README: /v2/transcript/:transcript_id/:subtitle_format catches …/redacted-audio and …/paragraphs",
    "googlesheets": "README: {spreadsheetId}:batchUpdate is two Express parameters and catches other ':verb' forms",
    "notion": "README: GET /v1/users/me is caught by the earlier /v1/users/{user_id}",
    "razorpay": "README: /v1/payments vs /v1/payments/ (an optional trailing '/': the first mount wins)",
    "shopify": "README: duplicate method+alias (the document keeps the last, Express serves the first)",
    "youtube": "README: duplicate method+alias (the document keeps the last, Express serves the first)",
}
UNREACHABLE_REASON = "README: unreachable mount (alias not starting with '/', or a full URL as proxy intent)"


def package_name(provider: str) -> str:
    return provider.replace("-", "_") + "_lowcodeapi"


def probe_path(provider: str, form: str, index: int) -> str:
    """The request path a client sends for `form` with sample values in its `{x}` placeholders (characters
    a URL path cannot hold raw, such as a newline, percent-encoded as any HTTP client sends them)."""
    return quote(f"/{provider}" + re.sub(r"\{\w+\}", f"probe{index}", form), safe="/:@!$&'()*+,;=~")


@cache
def winners(provider: str) -> dict[tuple[int, str], int | None]:
    """(route index, form) -> the index of the route whose mount answers that form first."""
    mounts = provider_mounts(provider)
    out: dict[tuple[int, str], int | None] = {}
    for index, route in enumerate(load_routes(provider)):
        for form in ("new", "old"):
            if route[form] is not None:
                found = match(mounts, route["method"], probe_path(provider, route[form], index))
                out[(index, form)] = None if found is None else found[0].index
    return out


def documented(provider: str) -> list[int]:
    """The routes the `/openapi` document describes: of a duplicate method+alias, the last."""
    last: dict[tuple[str, str], int] = {}
    for index, route in enumerate(load_routes(provider)):
        last[(route["method"], route["openapi_path"])] = index
    return sorted(last.values())


def expectation(provider: str, index: int, mode: str) -> str:
    """REACH, ABSENT, or the reason the call cannot reach its route (a documented proxy problem)."""
    route = load_routes(provider)[index]
    won = winners(provider)

    def collided(form: str) -> bool:
        return route[form] is not None and won[(index, form)] != index

    def problem(form: str) -> str:
        if won[(index, form)] is None:
            return f"no request path matches the {form} form {route[form]!r} (unreachable)"
        return COLLISION_REASONS.get(provider, "a form answered by another route's mount")

    if mode in ("new", "old"):
        if route[mode] is None:
            return ABSENT
        return problem(mode) if collided(mode) else REACH
    if route["new"] is not None:
        return problem("new") if collided("new") else REACH
    if route["old"] is None:
        return UNREACHABLE_REASON
    return problem("old") if collided("old") else REACH


def sample(provider: str) -> list[int]:
    """Up to SAMPLES_PER_PROVIDER documented routes: the first, the last, and routes with path values
    (spread over the file), preferring routes every mode can reach."""
    if provider in UNRELEASED:
        return []
    candidates = documented(provider)
    if not candidates:
        return []
    clean = [i for i in candidates if all(expectation(provider, i, m) in (REACH, ABSENT) for m in MODES)] or candidates
    routes = load_routes(provider)
    with_values = [i for i in clean if routes[i]["old_query"] or "{" in (routes[i]["new"] or "")]
    chosen = [clean[0], clean[-1]]
    step = max(1, len(with_values) // (SAMPLES_PER_PROVIDER - 2)) if with_values else 1
    for i in with_values[::step]:
        if len(set(chosen)) >= SAMPLES_PER_PROVIDER:
            break
        chosen.append(i)
    return sorted(set(chosen))


def known_problems(provider: str) -> list[tuple[int, str, str]]:
    """(route index, mode, reason) for every documented route and mode that cannot reach its route."""
    if provider in UNRELEASED:
        return []
    out = []
    for index in documented(provider):
        for mode in MODES:
            outcome = expectation(provider, index, mode)
            if outcome not in (REACH, ABSENT):
                out.append((index, mode, outcome))
    return out


def path_value(index: int, position: int) -> str:
    """The distinct value a test passes as the route's `position`-th path parameter."""
    return f"v{position}r{index}"


def job(provider: str, index: int, mode: str, count: int) -> dict[str, Any]:
    return {
        "tag": f"{provider}~{index}~{mode}",
        "mode": mode,
        "route": load_routes(provider)[index],
        "values": [path_value(index, k) for k in range(count)],
    }
