"""The checks on a document a LowCodeAPI backend served: strict JSON (no duplicate keys, no NaN,
bounded depth and integer size), `paths` of objects, its servers naming the provider; and the
loader's verdict on it folded into one located line."""

from __future__ import annotations

import json
from typing import Any

from .diagnostics import GeneratorError, Location, fail
from .fetch_http import line
from .openapi_paths import METHODS

MAX_DEPTH = (
    64  # the deepest real LowCodeAPI document nests ~12 levels; the generator recurses over it
)
MAX_INT_DIGITS = (
    30  # an OpenAPI document's integers are small; Python refuses >4300 digits with a ValueError
)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key[:60]!r}")
        data[key] = value
    return data


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(data: Any) -> int:
    """How deeply `data` nests (iteratively: a hostile depth cannot exhaust the stack here)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend(
                (item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)
            )
    return deepest


def parse_document(url: str, body: bytes) -> dict[str, Any]:
    """The JSON object a backend answer holds, parsed strictly; anything else is a located error."""
    start = repr(line(body[:40].decode("utf-8", errors="replace")))
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(
            "fetch.not-json",
            f"the answer is not JSON (not UTF-8: byte {exc.start}); it starts with {start}",
            Location(url),
        ) from None
    try:
        data = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_int=_integer, parse_constant=_constant
        )
    except RecursionError:
        raise fail(
            "fetch.not-json",
            f"the answer is not usable JSON (nested more than {MAX_DEPTH} levels)",
            Location(url),
        ) from None
    except ValueError as exc:  # JSONDecodeError, and what the hooks above refuse
        raise fail(
            "fetch.not-json",
            f"the answer is not JSON ({line(str(exc))[:200]}); it starts with {start}",
            Location(url),
        ) from None
    if not isinstance(data, dict):
        raise fail(
            "fetch.not-json",
            f"the answer is a JSON {type(data).__name__}, not an OpenAPI document",
            Location(url),
        )
    if _depth(data) > MAX_DEPTH:
        raise fail(
            "fetch.not-json",
            f"the answer is not usable JSON (nested more than {MAX_DEPTH} levels)",
            Location(url),
        )
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise fail(
            "fetch.not-json",
            "the answer holds a lone surrogate escape (\\ud800-\\udfff), which is not text",
            Location(url),
        ) from None
    return data


def check_paths(url: str, document: dict[str, Any]) -> None:
    """`paths` must be an object of objects before anything counts or loads it."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        raise fail(
            "fetch.invalid",
            f"`paths` is a JSON {type(paths).__name__}, not an object",
            Location(url, "/paths"),
        )
    for route, item in paths.items():
        if not isinstance(item, dict):
            raise fail(
                "fetch.invalid",
                f"the path item is a JSON {type(item).__name__}, not an object",
                Location(url, "/paths/" + route.replace("~", "~0").replace("/", "~1")),
            )


def check_provider(url: str, document: dict[str, Any], provider: str) -> None:
    """Every server of a LowCodeAPI document names its provider
    (`https://api.lowcodeapi.com/<provider>`)."""
    servers = document.get("servers")
    urls = (
        [s.get("url") for s in servers if isinstance(s, dict)] if isinstance(servers, list) else []
    )
    if not urls or not all(
        isinstance(u, str) and u.rstrip("/").rsplit("/", 1)[-1] == provider for u in urls
    ):
        named = ", ".join(repr(line(str(u))[:80]) for u in urls) or "none"
        raise fail(
            "fetch.other-provider",
            f"the document is not LowCodeAPI's {provider!r} (its servers: {named})",
            Location(url, "/servers"),
        )


def count_routes(document: dict[str, Any]) -> int:
    """Operations (path x method) in a document."""
    paths = document.get("paths")
    items = paths.values() if isinstance(paths, dict) else ()
    return sum(1 for item in items if isinstance(item, dict) for m in item if m in METHODS)


def oneline(url: str, exc: GeneratorError, what: str) -> GeneratorError:
    """A loader's located list, folded into the one line a fetch reports."""
    first = exc.diagnostics[0]
    more = f" (+{len(exc.diagnostics) - 1} more)" if len(exc.diagnostics) > 1 else ""
    where = f" at {first.location.pointer}" if first.location.pointer else ""
    return fail("fetch.invalid", f"{what}: {line(first.message)}{where}{more}", Location(url))


def usable(url: str, what: str, check: Any) -> Any:
    """Run the loader on a served document: its errors, and anything a hostile document provokes,
    are one line."""
    try:
        return check()
    except GeneratorError as exc:
        raise oneline(url, exc, what) from None
    except (
        RecursionError,
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
    ) as exc:  # untrusted input reached code that assumed a sane shape
        raise fail(
            "fetch.invalid", f"{what}: {type(exc).__name__}: {line(str(exc))[:200]}", Location(url)
        ) from None
