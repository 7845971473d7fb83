"""The change engine: what a regenerated client breaks for its users, computed on two IRs.

Working on the IR (not the raw OpenAPI) makes every change speak the client's language: methods,
keyword parameters, model fields and the three URL forms. The rules are in `diff_rules`, types and
models are compared in `diff_types`.
"""

from __future__ import annotations

from dataclasses import replace

from .diff_rules import Change, sort_changes
from .diff_types import Walk, compare_types, models_by_side
from .ir import Api, Operation, Param
from .urlformats import shape as route_shape


def _compare_param(walk: Walk, a: Param, b: Param) -> None:
    where, label = f"param:{b.wire_name}", f"parameter {b.py_name!r}"
    if a.location != b.location:
        walk.add(
            "param-location-changed",
            where,
            f"{label} moved from the {a.location} to the {b.location}",
            a.location,
            b.location,
        )
    if a.required != b.required:
        walk.add(
            "param-became-required" if b.required else "param-became-optional",
            where,
            f"{label} is now {'required' if b.required else 'optional'}",
        )
    if a.default is not None and b.default is not None and a.default != b.default:
        walk.add(
            "param-default-changed",
            where,
            f"{label} defaults to {b.default}, was {a.default}",
            a.default,
            b.default,
        )
    compare_types(walk, a.type, b.type, "request", where, label)


def _keyword_params(op: Operation) -> dict[str, Param]:
    params = op.query_params + op.header_params
    if op.body is not None:
        params += op.body.fields + ((op.body.whole,) if op.body.whole else ())
    if op.stream_switch is not None:
        params += (op.stream_switch,)
    return {p.wire_name: p for p in params}


def _compare_routes(walk: Walk, a: Operation, b: Operation) -> None:
    ra, rb = a.route, b.route
    if ra.method != rb.method:
        walk.add(
            "method-changed",
            "route.method",
            f"LowCodeAPI method {ra.method} is now {rb.method}",
            ra.method,
            rb.method,
        )
    if ra.direct_method != rb.direct_method:
        walk.add(
            "direct-method-changed",
            "route.direct_method",
            f"direct method {ra.direct_method} is now {rb.direct_method}",
            ra.direct_method,
            rb.direct_method,
        )
    for form, rule, old, new in (
        ("direct", "route-direct-changed", ra.direct, rb.direct),
        ("new", "route-new-changed", ra.new, rb.new),
        ("old", "route-old-changed", ra.old, rb.old),
    ):
        if route_shape(old) != route_shape(new):
            walk.add(rule, f"route.{form}", f"{form} route {old} is now {new}", old, new)
    qa, qb = [q for q, _ in ra.old_query], [q for q, _ in rb.old_query]
    if qa != qb:
        walk.add(
            "route-old-query-changed",
            "route.old_query",
            f"old-format query names {qa} are now {qb}",
            "&".join(qa),
            "&".join(qb),
        )


def _compare_request(walk: Walk, a: Operation, b: Operation) -> None:
    for pa, pb in zip(a.path_params, b.path_params, strict=False):
        if pa.wire_name != pb.wire_name:
            walk.add(
                "param-renamed",
                f"param:{pb.wire_name}",
                f"path parameter {pa.py_name!r} is now {pb.py_name!r}",
                pa.py_name,
                pb.py_name,
            )
        _compare_param(walk, pa, pb)
    for p in a.path_params[len(b.path_params) :]:
        walk.add(
            "required-param-removed",
            f"param:{p.wire_name}",
            f"path parameter {p.py_name!r} was removed",
        )
    for p in b.path_params[len(a.path_params) :]:
        walk.add(
            "param-added-required", f"param:{p.wire_name}", f"new path parameter {p.py_name!r}"
        )
    old, new = _keyword_params(a), _keyword_params(b)
    switches = {
        s.wire_name
        for s in (a.stream_switch, b.stream_switch)
        if s is not None and (a.stream_switch is None) != (b.stream_switch is None)
    }
    for key in switches:  # reported as streaming-added/removed
        old.pop(key, None)
        new.pop(key, None)
    for wire in sorted(old.keys() - new.keys()):
        p = old[wire]
        walk.add(
            "required-param-removed" if p.required else "optional-param-removed",
            f"param:{wire}",
            f"parameter {p.py_name!r} was removed",
        )
    for wire in sorted(new.keys() - old.keys()):
        p = new[wire]
        walk.add(
            "param-added-required" if p.required else "param-added-optional",
            f"param:{wire}",
            f"new {'required' if p.required else 'optional'} parameter {p.py_name!r}",
        )
    for wire in sorted(old.keys() & new.keys()):
        _compare_param(walk, old[wire], new[wire])
    if a.body is not None and b.body is not None and a.body.kind != b.body.kind:
        walk.add(
            "request-body-media-type-changed",
            "body",
            f"the body is sent as {b.body.media_type}, was {a.body.media_type}",
            a.body.media_type,
            b.body.media_type,
        )


def _compare_response(walk: Walk, a: Operation, b: Operation) -> None:
    ka, kb = a.kind, b.kind
    if ka != kb:
        if {ka, kb} == {"stream-or-json", "json"}:
            walk.add(
                "streaming-added" if kb == "stream-or-json" else "streaming-removed",
                "response",
                (
                    "the method now takes stream=True"
                    if kb == "stream-or-json"
                    else "the method no longer takes stream=True"
                ),
            )
        elif "page" in (ka, kb):
            walk.add(
                "pagination-changed",
                "response",
                f"the method returns {'a page' if kb == 'page' else kb}, was"
                f" {'a page' if ka == 'page' else ka}",
                ka,
                kb,
            )
            return
        else:
            walk.add(
                "response-type-changed",
                "response",
                f"the method returns {kb} content, was {ka}",
                ka,
                kb,
            )
            return
    pairs = (
        (a.response.type, b.response.type, "the response"),
        (a.response.stream_event, b.response.stream_event, "stream events"),
        (
            a.pagination.item if a.pagination else None,
            b.pagination.item if b.pagination else None,
            "page items",
        ),
    )
    for old, new, label in pairs:
        if old is not None and new is not None:
            compare_types(walk, old, new, "response", "response", label)


def _route_id(op: Operation) -> tuple[str, str]:
    return op.route.method, route_shape(op.route.direct)


def diff_apis(old: Api, new: Api) -> tuple[Change, ...]:
    """Every change from `old` to `new`, breaking first, model changes reported once with all their
    methods."""
    old_ops, new_ops = {op.key: op for op in old.operations}, {op.key: op for op in new.operations}
    names_old, names_new = models_by_side(old), models_by_side(new)
    changes: list[Change] = []
    pairs = [(old_ops[k], new_ops[k]) for k in sorted(old_ops.keys() & new_ops.keys())]
    fresh = {k: new_ops[k] for k in sorted(new_ops.keys() - old_ops.keys())}
    for key in sorted(old_ops.keys() - new_ops.keys()):
        op = old_ops[key]
        twin = next((f for f in fresh.values() if _route_id(f) == _route_id(op)), None)
        label = f"{op.route.method} {op.route.direct}"
        if twin is not None:
            del fresh[twin.key]
            changes.append(
                Change(
                    "operation-renamed",
                    twin.key,
                    "",
                    f"client.{key}() is now client.{twin.key}() ({label})",
                    key,
                    twin.key,
                    (twin.key,),
                )
            )
            pairs.append((op, twin))
        else:
            rule = "deprecated-operation-removed" if op.deprecated else "operation-removed"
            changes.append(
                Change(rule, key, "", f"client.{key}() was removed ({label})", key, None, (key,))
            )
    for key, op in fresh.items():
        changes.append(
            Change(
                "operation-added",
                key,
                "",
                f"new client.{key}() ({op.route.method} {op.route.direct})",
                None,
                key,
                (key,),
            )
        )
    for a, b in pairs:
        walk = Walk(names_old, names_new, b.key)
        if b.deprecated and not a.deprecated:
            walk.add("operation-deprecated", "", f"client.{b.key}() is deprecated")
        _compare_routes(walk, a, b)
        _compare_request(walk, a, b)
        _compare_response(walk, a, b)
        changes += walk.out
    return sort_changes(_merge_shared(changes))


def _merge_shared(changes: list[Change]) -> list[Change]:
    """A model change appears once, naming every method that reaches it."""
    merged: dict[tuple[str | None, ...], Change] = {}
    for c in changes:
        shared = c.where.startswith(("field:", "model:"))
        key = (c.rule, c.where, c.old, c.new, c.message, None if shared else c.operation)
        seen = merged.get(key)
        if seen is None:
            merged[key] = c
        else:
            ops = tuple(sorted(set(seen.operations) | set(c.operations)))
            merged[key] = replace(seen, operation=ops[0], operations=ops)
    return list(merged.values())
