"""Merge for a target that has only a LowCodeAPI document (plain mode on a provider's `/openapi`, or
a `[[tool.lowcodegen.targets]]` entry without `documented`): every operation is the snapshot's,
which is normal here, and its URL forms are derived from the document alone (see
provider_routes)."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from .config import default_provider
from .diagnostics import Diagnostic, GeneratorError, Location, pointer_join
from .ir import InputFile, Provider, Route
from .load import LoadedSpec
from .merge import MergedSpec, operation_counts, to_openapi31
from .merge_report import MergeReport, ReportEntry
from .openapi_paths import iter_operations, template_params
from .provider_routes import canonical_path, derive_route, direct_base, path_parameters, upstream
from .urlformats import EXTENSION, MergedRoute, route_extension

# Stamped on each operation by load_spec(stamp_keys=True) before the dialect repair rewrites keys
# and parameters: what the proxy itself sees.
KEY = "x-lowcodeapi-key"
PATH_PARAMS = "x-lowcodeapi-path-params"


def stamp(document: dict[str, Any], methods: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a raw LowCodeAPI document, before the dialect repair: each operation carries its
    key and `in: path` names, and sits at its canonical path (`/v1/assistants/{assistant_id}`). A
    path value the canonical path has no place for goes `in: query` until the merge (the proxy reads
    it from the query in every form), so the repair has no key to rewrite and no operation to
    drop."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return document
    stamped: dict[str, Any] = {}
    for key, item in paths.items():
        if not isinstance(item, dict):
            stamped.setdefault(key, item)
            continue
        for method, op in item.items():
            if method not in methods or not isinstance(op, dict):
                stamped.setdefault(key, {})[method] = op
                continue
            names = path_parameters(op)
            path = canonical_path(key, names, derive_route(key, names, "", ""))
            if method in stamped.get(path, {}) or not set(template_params(path)) <= set(names):
                # two keys, one template, or a placeholder no parameter names: the key as it is
                path = key
            placed = set(template_params(path))
            params = (
                [
                    (
                        {**p, "in": "query"}
                        if isinstance(p, dict)
                        and p.get("in") == "path"
                        and p.get("name") not in placed
                        else p
                    )
                    for p in op.get("parameters") or []
                ]
                if isinstance(op.get("parameters"), list)
                else op.get("parameters")
            )
            fixed = {**op, KEY: key, PATH_PARAMS: list(names)}
            if params is not None:
                fixed["parameters"] = params
            stamped.setdefault(path, {})[method] = fixed
    return {**document, "paths": stamped}


def merge_provider(snapshot: LoadedSpec, provider: Provider) -> MergedSpec:
    """The snapshot alone as the merged document, each operation at its canonical path with its
    routes."""
    doc = snapshot.document
    merged: dict[str, Any] = copy.deepcopy({k: v for k, v in doc.items() if k != "paths"})
    merged["openapi"] = "3.1.0"
    paths: dict[str, dict[str, Any]] = {}
    routes: dict[tuple[str, str], MergedRoute] = {}
    entries: list[ReportEntry] = []
    errors: list[Diagnostic] = []
    derived_counts = {"new": 0, "old": 0, "direct": 0, "none": 0}
    for method, path, op, pointer in _stamped_operations(doc):
        key = str(op.pop(KEY))
        names = tuple(str(n) for n in op.pop(PATH_PARAMS) or [])
        op.pop("x-lowcodeapi-old", None)  # the repair's guess; the derivation below replaces it
        route = derive_route(key, names, upstream(op), provider.direct_base_url)
        if method in paths.get(path, {}):
            errors.append(
                Diagnostic(
                    "error",
                    "merge.collision",
                    f"{method.upper()} {key} collides with another operation",
                    Location(snapshot.source.path, pointer),
                )
            )
            continue
        _restore_path_parameters(op, names)
        merged_op = to_openapi31(op)
        routes[(method, path)] = MergedRoute(
            Route(
                name="",
                method=method.upper(),
                direct_method=method.upper(),
                direct=route.direct,
                new=route.new,
                old=route.old,
                old_query=tuple((n, n) for n in route.old_query),
            ),
            "snapshot",
        )
        merged_op[EXTENSION] = route_extension(routes[(method, path)])
        paths.setdefault(path, {})[method] = merged_op
        for form in ("new", "old", "direct"):
            derived_counts[form] += bool(getattr(route, form))
        derived_counts["none"] += not (route.new or route.old)
        entries.append(
            ReportEntry(
                "info" if route.new or route.old else "warning",
                "derived",
                f"{method.upper()} {path}",
                f"LowCodeAPI key {key}: {route.how}",
            )
        )
    if errors:
        raise GeneratorError(errors)
    merged["paths"] = paths
    entries.insert(
        0,
        ReportEntry(
            "info",
            "note",
            "(spec)",
            f"URL forms derived from the document alone for {sum(len(v) for v in paths.values())}"
            f" operations of the provider {provider.name!r}: new form {derived_counts['new']}, old"
            f" form {derived_counts['old']}, direct form {derived_counts['direct']}, none the proxy"
            f" can route {derived_counts['none']}; direct base"
            f" {provider.direct_base_url or '(none)'} (from externalDocs.api_endpoint)",
        ),
    )
    operations, variants = operation_counts(routes)
    report = MergeReport(
        (InputFile(snapshot.source.path, snapshot.source.sha256),),
        tuple(entries),
        snapshot.diagnostics,
        operations,
        variants,
    )
    return MergedSpec(merged, report, routes)


def _stamped_operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], str]]:
    return [
        (method, path, copy.deepcopy(op), pointer_join("/paths", path, method))
        for method, path, op in iter_operations(doc)
        if KEY in op
    ]


def _restore_path_parameters(op: dict[str, Any], names: tuple[str, ...]) -> None:
    """The proxy reads these as path values whatever the repair made of them: path parameters
    again."""
    for param in op.get("parameters") or []:
        if isinstance(param, dict) and param.get("name") in names and param.get("in") == "query":
            param["in"] = "path"
            param["required"] = True


def lowcodeapi_provider(
    name: str, document: dict[str, Any], configured: Provider | None
) -> Provider:
    """A provider's settings: the document's proxy base and the direct base its upstream URLs share;
    `[tool.lowcodegen.providers.<name>]` (when given) wins. Without configured direct auth, the
    direct target names the setting to add instead of guessing."""
    servers = document.get("servers") or []
    proxy = (
        str(servers[0].get("url", "")).rstrip("/")
        if servers and isinstance(servers[0], dict)
        else ""
    )
    base = replace(
        default_provider(name), lowcodeapi_base_url=proxy, direct_base_url=direct_base(document)
    )
    if configured is None:
        return _unconfigured(base)
    merged = Provider(
        **{
            f: (
                getattr(configured, f)
                if getattr(configured, f) not in ("", ())
                else getattr(base, f)
            )
            for f in Provider.__dataclass_fields__
        }
    )
    if configured.direct_auth_header or configured.direct_auth_query:
        return merged
    return _unconfigured(merged)


def _unconfigured(provider: Provider) -> Provider:
    return replace(
        provider,
        direct_unconfigured=(
            f"the direct target of {provider.name!r} needs its own API's credentials: add"
            " direct_auth_header (and direct_auth_prefix) or direct_auth_query to"
            f" [tool.lowcodegen.providers.{provider.name}] in pyproject.toml and regenerate"
        ),
    )
