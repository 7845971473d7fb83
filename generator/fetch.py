"""`lowcodegen fetch`: refresh a LowCodeAPI snapshot from the live backend, or change nothing at
all.

Both documents the backend serves (`/<provider>/openapi`, `/<provider>/definition`) are downloaded,
parsed, repaired and validated by the real loader, and the new snapshot is merged with the
documented spec, all before any file is touched; then the snapshot and its provenance are each
replaced with one `os.replace`. Any failure is one located line and leaves both files byte-for-byte
as they were.

The backend's answers are untrusted: `timeout` bounds the whole fetch (both documents, every retry
and redirect, wall clock), each body is capped at `MAX_BODY_BYTES` after decompression, only
redirects to the same origin are followed, the JSON is parsed strictly (no duplicate keys, no NaN,
bounded depth and integer size), the document must name the provider in its servers, and a snapshot
that loses more than `SHRINK_LIMIT` of the operations on disk is refused unless forced.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from typing import Any

import httpx

from .config import Config, Target
from .diagnostics import GeneratorError, Location, fail
from .fetch_http import DEFAULT_BASE_URL, MAX_BODY_BYTES, Deadline, download, line
from .openapi_paths import METHODS

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_BODY_BYTES",
    "FetchResult",
    "fetch_snapshot",
    "parse_document",
    "provenance_path",
]
from .ir import Api

MAX_DEPTH = (
    64  # the deepest real LowCodeAPI document nests ~12 levels; the generator recurses over it
)
MAX_INT_DIGITS = (
    30  # an OpenAPI document's integers are small; Python refuses >4300 digits with a ValueError
)
SHRINK_LIMIT = (
    0.5  # refuse (without --force) a snapshot with fewer than half the operations of the old one
)


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did: where it read and wrote, and the APIs before and after (for the diff)."""

    url: str  # the URL that answered (after same-origin redirects), without credentials
    snapshot: str
    provenance: str
    sha256: str
    routes: int
    replaced: bool  # False when the served snapshot is byte-identical to the one on disk
    old_api: Api | None  # None when there was no readable snapshot before
    new_api: Api


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


def _oneline(url: str, exc: GeneratorError, what: str) -> GeneratorError:
    """A loader's located list, folded into the one line a fetch reports."""
    first = exc.diagnostics[0]
    more = f" (+{len(exc.diagnostics) - 1} more)" if len(exc.diagnostics) > 1 else ""
    where = f" at {first.location.pointer}" if first.location.pointer else ""
    return fail("fetch.invalid", f"{what}: {line(first.message)}{where}{more}", Location(url))


def _temp_beside(path: str, data: bytes) -> str:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp.json", dir=folder
    )
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return temp


def provenance_path(snapshot: str) -> str:
    """`x.openapi.json` -> `x.provenance.json`, beside the snapshot."""
    stem = (
        snapshot[: -len(".openapi.json")]
        if snapshot.endswith(".openapi.json")
        else os.path.splitext(snapshot)[0]
    )
    return stem + ".provenance.json"


def _provenance(
    path: str, url: str, today: str, sha256: str, routes: int, definition: tuple[str, str]
) -> bytes:
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
        record: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        record = {}
    record.pop("based_on", None)  # a hand-rebuilt snapshot's origin no longer applies
    record.update(
        {
            "how": (
                f"Fetched from {url} by `lowcodegen fetch` on {today}, validated and repaired"
                " before it replaced the old snapshot."
            ),
            "source_url": url,
            "retrieved": today,
            "sha256": sha256,
            "routes": routes,
            "definition": {"source_url": definition[0], "sha256": definition[1]},
            "fetched_with": "lowcodegen fetch",
        }
    )
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# as LowCodeAPI names providers: a URL segment, a file name
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")


def provider_target(name: str, config: Config | None, root: str) -> Target:
    """The target `fetch --provider NAME` refreshes: the configured one with that provider's
    snapshot, else `specs/lowcodeapi/NAME.openapi.json` under `root` (a provider target without
    documented spec).
    """
    if not PROVIDER_NAME.fullmatch(name) or ".." in name:
        raise fail(
            "fetch.provider",
            f"{line(name)[:80]!r} is not a LowCodeAPI provider name (lowercase letters, digits,"
            " '-', '_', '.')",
            Location(os.path.join(root, "pyproject.toml")),
        )
    for target in config.targets if config else ():
        if target.provider == name and target.snapshot:
            return target
    package = re.sub(r"\W", "_", name) + "_lowcodeapi"
    return Target(
        name=name,
        provider=name,
        package=package,
        documented=None,
        snapshot=os.path.join(root, "specs", "lowcodeapi", f"{name}.openapi.json"),
        out=os.path.join(root, "generated"),
    )


def _api(target: Target, config: Config | None, root: str) -> Api:
    from .normalize import normalize
    from .pipeline import display_path, merge_target

    merged, provider = merge_target(target, config, root)
    return normalize(
        merged.document,
        provider,
        target.package,
        merged.report.inputs,
        display_path(target.spec, root),
        routes=merged.routes,
    )


def _old_routes(snapshot: str) -> int | None:
    """Operations in the snapshot on disk; None when there is none or it is unreadable (nothing to
    shrink from)."""
    try:
        with open(snapshot, "rb") as handle:
            loaded = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    return count_routes(loaded) if isinstance(loaded, dict) else None


def _usable(url: str, what: str, check: Any) -> Any:
    """Run the loader on a served document: its errors, and anything a hostile document provokes,
    are one line."""
    try:
        return check()
    except GeneratorError as exc:
        raise _oneline(url, exc, what) from None
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


def fetch_snapshot(
    target: Target,
    config: Config | None,
    root: str,
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = 30.0,
    retries: int = 2,
    backoff: float = 0.5,
    today: str | None = None,
    force: bool = False,
) -> FetchResult:
    """Download, validate and install a new snapshot for `target`; raise GeneratorError, changing
    nothing, on any problem.

    `timeout` bounds the whole download (both documents, retries, redirects); `force` accepts a
    drastic shrink.
    """
    if not target.snapshot:
        raise fail(
            "fetch.no-snapshot",
            f"target {target.name!r} has no LowCodeAPI snapshot to refresh",
            Location(target.spec),
        )
    base = base_url.rstrip("/")
    headers = {
        "accept": "application/json",
        "accept-encoding": "gzip, deflate",
        "user-agent": "lowcodegen-fetch",
    }
    deadline = Deadline(timeout)
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
        served = download(client, f"{base}/{target.provider}/openapi", retries, backoff, deadline)
        definition = download(
            client, f"{base}/{target.provider}/definition", retries, backoff, deadline
        )
    url, definition_url = served.url, definition.url
    document = parse_document(url, served.body)
    definition_doc = parse_document(definition_url, definition.body)
    check_paths(url, document)
    check_paths(definition_url, definition_doc)
    routes = count_routes(document)
    if routes == 0:
        raise fail(
            "fetch.empty",
            "the served spec lists no operations: refusing to replace the snapshot with it",
            Location(url),
        )
    check_provider(url, document, target.provider)
    check_provider(definition_url, definition_doc, target.provider)
    old_routes = _old_routes(target.snapshot)
    if not force and old_routes and routes < old_routes * SHRINK_LIMIT:
        raise fail(
            "fetch.shrink",
            f"the served spec has {routes} operations, the snapshot {old_routes}: more than half"
            " would go; refusing without --force",
            Location(url),
        )
    text = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    sha = hashlib.sha256(text).hexdigest()
    prov_path = provenance_path(target.snapshot)
    temps: list[str] = []
    try:
        temps.append(_temp_beside(target.snapshot, text))
        new_api = _usable(
            url,
            "the served spec is not usable",
            lambda: _api(replace(target, snapshot=temps[0]), config, root),
        )
        temps.append(
            _temp_beside(target.snapshot, (json.dumps(definition_doc) + "\n").encode("utf-8"))
        )
        from .load import load_spec

        _usable(
            definition_url,
            "the served definition is not usable",
            lambda: load_spec(temps[1], definition_url),
        )
        os.remove(temps.pop())
        try:
            old_api: Api | None = (
                _api(target, config, root) if os.path.exists(target.snapshot) else None
            )
        except GeneratorError:
            old_api = None  # a broken old snapshot is what a fetch repairs
        try:
            with open(target.snapshot, "rb") as handle:
                replaced = handle.read() != text
        except FileNotFoundError:
            replaced = True
        day = today or datetime.datetime.now(datetime.UTC).date().isoformat()
        temps.append(
            _temp_beside(
                prov_path,
                _provenance(
                    prov_path,
                    url,
                    day,
                    sha,
                    routes,
                    (definition_url, hashlib.sha256(definition.body).hexdigest()),
                ),
            )
        )
        os.replace(temps[0], target.snapshot)
        os.replace(temps[1], prov_path)
        temps.clear()
    except OSError as exc:
        raise fail(
            "fetch.write",
            f"cannot write the snapshot: {exc.strerror or exc}",
            Location(target.snapshot),
        ) from None
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                os.remove(temp)
    return FetchResult(url, target.snapshot, prov_path, sha, routes, replaced, old_api, new_api)
