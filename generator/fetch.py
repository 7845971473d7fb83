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
from .fetch_checks import check_paths, check_provider, count_routes, parse_document, usable
from .fetch_http import DEFAULT_BASE_URL, MAX_BODY_BYTES, Deadline, download, line

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_BODY_BYTES",
    "FetchResult",
    "fetch_snapshot",
    "provenance_path",
]
from .ir import Api

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
    from .pipeline import merge_target, target_ir

    merged, provider = merge_target(target, config, root)
    return target_ir(merged, provider, target, root)


def _old_routes(snapshot: str) -> int | None:
    """Operations in the snapshot on disk; None when there is none or it is unreadable (nothing to
    shrink from)."""
    try:
        with open(snapshot, "rb") as handle:
            loaded = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    return count_routes(loaded) if isinstance(loaded, dict) else None


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
        new_api = usable(
            url,
            "the served spec is not usable",
            lambda: _api(replace(target, snapshot=temps[0]), config, root),
        )
        temps.append(
            _temp_beside(target.snapshot, (json.dumps(definition_doc) + "\n").encode("utf-8"))
        )
        from .load import load_spec

        usable(
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
