"""Stage 2, merge: the documented spec and the LowCodeAPI snapshot become one OpenAPI 3.1 document.

Operations match by method and path shape, using the documented `x-lowcodeapi-route` aliases. The
documented spec wins for schemas, parameters, names and docs; the snapshot wins for the proxy's own
route path. Operations on one side only are kept and marked. Every match, conflict and choice is an
entry of the merge report. Each operation's three routes are computed here, once, as IR values
(`MergedSpec.routes`, which normalize takes); the merged document records them under `x-lowcodegen`
for other tools.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from .diagnostics import Diagnostic, GeneratorError, Location, pointer_join
from .ir import InputFile, Provider
from .load import LoadedSpec
from .merge_report import MergeReport, ReportEntry, Source
from .openapi_paths import METHODS, iter_operations
from .refs import deref
from .urlformats import EXTENSION, MergedRoute, RouteTable, make_route, route_extension, shape


@dataclass(frozen=True)
class MergedSpec:
    """The merged OpenAPI 3.1 document, its report, and the routes of its operations."""

    document: dict[str, Any]
    report: MergeReport
    routes: RouteTable


def merge_specs(
    documented: LoadedSpec, snapshot: LoadedSpec | None, provider: Provider
) -> MergedSpec:
    """Merge the two sources (or pass one spec through, in plain OpenAPI mode)."""
    doc = documented.document
    entries: list[ReportEntry] = []
    errors: list[Diagnostic] = []
    snap_ops: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    if snapshot is not None:
        for method, path, op in iter_operations(snapshot.document):
            snap_ops[(method, shape(path))] = (path, op)
    source_if_alone: Source = "documented" if snapshot is not None else "spec"

    merged = copy.deepcopy({k: v for k, v in doc.items() if k != "paths"})
    merged["openapi"] = "3.1.0"
    merged_paths: dict[str, dict[str, Any]] = {}
    routes: dict[tuple[str, str], MergedRoute] = {}
    for path, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict):
            merged_paths[path] = {k: copy.deepcopy(v) for k, v in item.items() if k not in METHODS}
    for method, path, op in iter_operations(doc):
        label = f"{method.upper()} {path}"
        lc_path = str(op.get("x-lowcodeapi-route") or path)
        found = snap_ops.pop((method, shape(lc_path)), None)
        old_override = op.get("x-lowcodeapi-old")
        source: Source = source_if_alone
        if found is not None:
            source = "both"
            snap_path, snap_op = found
            lc_path = snap_path  # the snapshot is the authority on the proxy's own route
            if old_override is None and isinstance(snap_op.get("x-lowcodeapi-old"), str):
                old_override = snap_op["x-lowcodeapi-old"]
            entries.append(
                ReportEntry(
                    "info", "matched", label, f"matched the snapshot's {method.upper()} {snap_path}"
                )
            )
            if shape(snap_path) != shape(path):
                entries.append(
                    ReportEntry(
                        "info",
                        "alias",
                        label,
                        f"LowCodeAPI routes it at {snap_path} (declared alias)",
                    )
                )
            entries += _conflicts(label, op, doc, snap_op, snapshot.document if snapshot else {})
        elif snapshot is not None:
            entries.append(
                ReportEntry(
                    "info",
                    "documented-only",
                    label,
                    f"not in the snapshot: called through the proxy at {lc_path}",
                )
            )
        if isinstance(op.get("x-note"), str):
            entries.append(ReportEntry("info", "note", label, op["x-note"]))
        try:
            routes[(method, path)] = _merged_route(
                method, path, op, lc_path, old_override, provider, source
            )
        except ValueError as exc:
            errors.append(
                Diagnostic(
                    "error",
                    "merge.route",
                    str(exc),
                    documented.source.location(pointer_join("/paths", path, method)),
                )
            )
            continue
        merged_op = copy.deepcopy(op)
        merged_op[EXTENSION] = route_extension(routes[(method, path)])
        merged_paths.setdefault(path, {})[method] = merged_op
        direct = _direct_variant(
            method, path, merged_op, merged_paths[path], routes[(method, path)]
        )
        if direct is not None:
            merged_paths[path][direct[0]] = direct[1]
            routes[(direct[0], path)] = direct[2]
            entries.append(
                ReportEntry(
                    "info",
                    "direct-variant",
                    label,
                    f"the provider's own API takes {direct[0].upper()} here: listed as the direct"
                    " form of the same client operation",
                )
            )
    for (method, _), (snap_path, snap_op) in snap_ops.items():
        label = f"{method.upper()} {snap_path}"
        if method in merged_paths.get(snap_path, {}):
            errors.append(
                Diagnostic(
                    "error",
                    "merge.collision",
                    f"the snapshot's {label} collides with a documented operation",
                    Location(
                        snapshot.source.path if snapshot else "",
                        pointer_join("/paths", snap_path, method),
                    ),
                )
            )
            continue
        entries.append(
            ReportEntry(
                "warning",
                "snapshot-only",
                label,
                "only in the LowCodeAPI snapshot: kept with its loose schema",
            )
        )
        merged_op = to_openapi31(copy.deepcopy(snap_op))
        routes[(method, snap_path)] = _merged_route(
            method,
            snap_path,
            snap_op,
            snap_path,
            snap_op.get("x-lowcodeapi-old"),
            provider,
            "snapshot",
        )
        merged_op[EXTENSION] = route_extension(routes[(method, snap_path)])
        merged_paths.setdefault(snap_path, {})[method] = merged_op
    if errors:
        raise GeneratorError(errors)
    merged["paths"] = merged_paths
    if documented.version.startswith("3.0"):
        merged = to_openapi31(merged)
    inputs = tuple(
        InputFile(s.source.path, s.source.sha256) for s in (documented, snapshot) if s is not None
    )
    repairs = documented.diagnostics + (snapshot.diagnostics if snapshot else ())
    for note in doc.get("x-notes") or []:
        entries.append(ReportEntry("info", "note", "(spec)", str(note)))
    operations, variants = operation_counts(routes)
    return MergedSpec(
        merged, MergeReport(inputs, tuple(entries), repairs, operations, variants), routes
    )


def operation_counts(routes: RouteTable) -> tuple[int, int]:
    """(client operations, direct-method variants) of a merge. A variant is the provider's own
    method for an operation the proxy takes with another (`x-direct-method`): the merged document
    lists it so that it describes both wire forms, but it is the same client operation, not
    another."""
    variants = sum(1 for r in routes.values() if r.variant_of)
    return len(routes) - variants, variants


def _direct_variant(
    method: str, path: str, op: dict[str, Any], item: dict[str, Any], merged: MergedRoute
) -> tuple[str, dict[str, Any], MergedRoute] | None:
    """Where the provider's method differs from the proxy's (`x-direct-method`), the provider's form
    of the operation, so that the merged document describes both wire forms. Normalize skips it: it
    is the same client operation, which calls it in direct mode."""
    direct_method = merged.route.direct_method.lower()
    if direct_method == method or direct_method in item:
        return None
    variant = copy.deepcopy(op)
    if isinstance(variant.get("operationId"), str):
        variant["operationId"] += "_direct"
    variant.pop("x-client-name", None)
    route = MergedRoute(merged.route, merged.source, f"{method.upper()} {path}")
    variant[EXTENSION] = route_extension(route)
    return direct_method, variant, route


def _merged_route(
    method: str,
    path: str,
    op: dict[str, Any],
    lc_path: str,
    old: Any,
    provider: Provider,
    source: Source,
) -> MergedRoute:
    direct_method = str(op.get("x-direct-method") or method).upper()
    return MergedRoute(
        make_route(
            "",
            method,
            direct_method,
            path,
            lc_path,
            old if isinstance(old, str) else None,
            provider.old_format_rule,
        ),
        source,
    )


def _body(op: dict[str, Any], doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(media types, top-level property names) of an operation's request body."""
    body = deref(op.get("requestBody"), doc)
    if not isinstance(body, dict):
        return set(), set()
    content = body.get("content") or {}
    props: set[str] = set()
    for media in content.values():
        schema = deref((media or {}).get("schema"), doc)
        if isinstance(schema, dict):
            props |= set((schema.get("properties") or {}).keys())
            for part in schema.get("allOf") or []:
                props |= set((deref(part, doc).get("properties") or {}).keys())
    return set(content), props


def _query(op: dict[str, Any], doc: dict[str, Any]) -> set[str]:
    out = set()
    for p in op.get("parameters") or []:
        p = deref(p, doc)
        if isinstance(p, dict) and p.get("in") == "query":
            out.add(str(p.get("name")))
    return out


def _conflicts(
    label: str,
    op: dict[str, Any],
    doc: dict[str, Any],
    snap_op: dict[str, Any],
    snap_doc: dict[str, Any],
) -> list[ReportEntry]:
    raw_acks = op.get("x-merge-ack")
    acks: dict[str, Any] = raw_acks if isinstance(raw_acks, dict) else {}
    out: list[ReportEntry] = []

    def add(kind: str, message: str) -> None:
        ack = acks.get(kind)
        level: Literal["warning", "info"] = "info" if ack else "warning"
        out.append(
            ReportEntry(
                level,
                "conflict",
                label,
                f"{kind}: {message}; the documented spec wins",
                str(ack) if ack else None,
            )
        )

    d_media, d_props = _body(op, doc)
    s_media, s_props = _body(snap_op, snap_doc)
    if s_media and d_media and d_media.isdisjoint(s_media):
        add(
            "requestBody",
            f"media types differ: documented {sorted(d_media)}, snapshot {sorted(s_media)}",
        )
    if s_props - d_props:
        add(
            "requestBody",
            f"body fields only in the snapshot: {', '.join(sorted(s_props - d_props))}",
        )
    if s_props and d_props - s_props:
        out.append(
            ReportEntry(
                "info",
                "richer",
                label,
                "documented body fields the snapshot lacks (the proxy forwards them):"
                f" {', '.join(sorted(d_props - s_props))}",
            )
        )
    d_query, s_query = _query(op, doc), _query(snap_op, snap_doc)
    if s_query - d_query:
        add(
            "parameters",
            f"query parameters only in the snapshot: {', '.join(sorted(s_query - d_query))}",
        )
    return out


_DATA_KEYS = frozenset({"example", "examples", "default", "const", "enum"})  # values here are data
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "schemas",
        "paths",
        "responses",
        "content",
        "parameters",
        "headers",
        "examples",
        "callbacks",
        "links",
        "securitySchemes",
        "requestBodies",
        "variables",
        "mapping",
    }
)


def to_openapi31(node: Any, is_name_map: bool = False) -> Any:
    """OpenAPI 3.0 schema idioms in 3.1 form: `nullable: true` becomes a `null` type alternative."""
    if isinstance(node, list):
        return [to_openapi31(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: (
            v
            if (not is_name_map and k in _DATA_KEYS)
            else to_openapi31(v, not is_name_map and k in _NAME_MAPS)
        )
        for k, v in node.items()
    }
    if is_name_map:
        return out  # keys here are names (a property called "nullable"), not keywords
    if isinstance(out.get("nullable"), bool) and out.pop("nullable"):
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = kind + ["null"]
        elif "$ref" in out or "oneOf" in out or "anyOf" in out or "allOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if isinstance(out.get(key), bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if out.pop(key) and bound in out:
                out[key] = out.pop(bound)
    return out
