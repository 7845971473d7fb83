"""`lowcodegen fetch`: refresh a LowCodeAPI snapshot from the live backend, or change nothing at all.

Both documents the backend serves (`/<provider>/openapi`, `/<provider>/definition`) are downloaded,
parsed, repaired and validated by the real loader, and the new snapshot is merged with the documented
spec, all before any file is touched; then the snapshot and its provenance are each replaced with one
`os.replace`. Any failure is one located line and leaves both files byte-for-byte as they were.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, replace
from typing import Any

import httpx

from .config import Config, Target
from .diagnostics import GeneratorError, Location, fail
from .dialect import METHODS
from .ir import Api

DEFAULT_BASE_URL = "https://backend.lowcodeapi.com"
_RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did: where it read and wrote, and the APIs before and after (for the diff)."""

    url: str
    snapshot: str
    provenance: str
    sha256: str
    routes: int
    replaced: bool  # False when the served snapshot is byte-identical to the one on disk
    old_api: Api | None  # None when there was no readable snapshot before
    new_api: Api


def download(client: httpx.Client, url: str, retries: int, backoff: float) -> bytes:
    """The body of a 200 answer; connection errors, timeouts, 408/429 and 5xx are retried `retries` times."""
    reason = ""
    attempts = 0
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        attempts += 1
        try:
            response = client.get(url)
        except httpx.TimeoutException:
            reason = "timed out"
            continue
        except httpx.TransportError as exc:
            reason = f"cannot connect ({exc or type(exc).__name__}): offline or unreachable"
            continue
        if response.status_code == 200:
            return response.content
        reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        if response.status_code < 500 and response.status_code not in _RETRY_STATUSES:
            break
    raise fail("fetch.http", f"{reason} (after {attempts} attempt{'s' if attempts > 1 else ''})", Location(url))


def parse_document(url: str, body: bytes) -> dict[str, Any]:
    """The JSON object a backend answer holds; anything else is a located error."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        start = body[:40].decode("utf-8", errors="replace").strip().replace("\n", " ")
        raise fail("fetch.not-json", f"the answer is not JSON ({exc}); it starts with {start!r}", Location(url)) from None
    if not isinstance(data, dict):
        raise fail("fetch.not-json", f"the answer is a JSON {type(data).__name__}, not an OpenAPI document", Location(url))
    return data


def count_routes(document: dict[str, Any]) -> int:
    """Operations (path x method) in a document."""
    return sum(1 for item in (document.get("paths") or {}).values() if isinstance(item, dict) for m in item if m in METHODS)


def _one_line(url: str, exc: GeneratorError, what: str) -> GeneratorError:
    """A loader's located list, folded into the one line a fetch reports."""
    first = exc.diagnostics[0]
    more = f" (+{len(exc.diagnostics) - 1} more)" if len(exc.diagnostics) > 1 else ""
    where = f" at {first.location.pointer}" if first.location.pointer else ""
    return fail("fetch.invalid", f"{what}: {first.message}{where}{more}", Location(url))


def _temp_beside(path: str, data: bytes) -> str:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp.json", dir=folder)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return temp


def provenance_path(snapshot: str) -> str:
    """`x.openapi.json` -> `x.provenance.json`, beside the snapshot."""
    stem = snapshot[: -len(".openapi.json")] if snapshot.endswith(".openapi.json") else os.path.splitext(snapshot)[0]
    return stem + ".provenance.json"


def _provenance(path: str, url: str, today: str, sha256: str, routes: int, definition: tuple[str, str]) -> bytes:
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
        record: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        record = {}
    record.pop("based_on", None)  # a hand-rebuilt snapshot's origin no longer applies
    record.update({"how": f"Fetched from {url} by `lowcodegen fetch` on {today}, validated and repaired before it replaced the old snapshot.",
                   "source_url": url, "retrieved": today, "sha256": sha256, "routes": routes,
                   "definition": {"source_url": definition[0], "sha256": definition[1]}, "fetched_with": "lowcodegen fetch"})
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _api(target: Target, config: Config | None, root: str) -> Api:
    from .normalize import normalize
    from .pipeline import display_path, merge_target

    merged, provider = merge_target(target, config, root)
    return normalize(merged.document, provider, target.package, merged.report.inputs, display_path(target.documented, root))


def fetch_snapshot(target: Target, config: Config | None, root: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 30.0,
                   retries: int = 2, backoff: float = 0.5, today: str | None = None) -> FetchResult:
    """Download, validate and install a new snapshot for `target`; raise GeneratorError, changing nothing, on any problem."""
    if not target.snapshot:
        raise fail("fetch.no-snapshot", f"target {target.name!r} has no LowCodeAPI snapshot to refresh", Location(target.documented))
    base = base_url.rstrip("/")
    url, definition_url = f"{base}/{target.provider}/openapi", f"{base}/{target.provider}/definition"
    headers = {"accept": "application/json", "user-agent": "lowcodegen-fetch"}
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        served = download(client, url, retries, backoff)
        definition = download(client, definition_url, retries, backoff)
    document = parse_document(url, served)
    definition_doc = parse_document(definition_url, definition)
    routes = count_routes(document)
    if routes == 0:
        raise fail("fetch.empty", "the served spec lists no operations: refusing to replace the snapshot with it", Location(url))
    text = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    sha = hashlib.sha256(text).hexdigest()
    prov_path = provenance_path(target.snapshot)
    temps: list[str] = []
    try:
        temps.append(_temp_beside(target.snapshot, text))
        try:
            new_api = _api(replace(target, snapshot=temps[0]), config, root)
        except GeneratorError as exc:
            raise _one_line(url, exc, "the served spec is not usable") from None
        temps.append(_temp_beside(target.snapshot, (json.dumps(definition_doc) + "\n").encode("utf-8")))
        try:
            from .load import load_spec

            load_spec(temps[1], definition_url)
        except GeneratorError as exc:
            raise _one_line(definition_url, exc, "the served definition is not usable") from None
        os.remove(temps.pop())
        try:
            old_api: Api | None = _api(target, config, root) if os.path.exists(target.snapshot) else None
        except GeneratorError:
            old_api = None  # a broken old snapshot is what a fetch repairs
        try:
            with open(target.snapshot, "rb") as handle:
                replaced = handle.read() != text
        except FileNotFoundError:
            replaced = True
        day = today or datetime.datetime.now(datetime.UTC).date().isoformat()
        temps.append(_temp_beside(prov_path, _provenance(prov_path, url, day, sha, routes, (definition_url, hashlib.sha256(definition).hexdigest()))))
        os.replace(temps[0], target.snapshot)
        os.replace(temps[1], prov_path)
        temps.clear()
    except OSError as exc:
        raise fail("fetch.write", f"cannot write the snapshot: {exc.strerror or exc}", Location(target.snapshot)) from None
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                os.remove(temp)
    return FetchResult(url, target.snapshot, prov_path, sha, routes, replaced, old_api, new_api)
