"""Stage 1, load: a spec file in, a repaired, validated, reference-checked OpenAPI document out.

Errors stop the run with their locations; repairs and warnings travel on with the document.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, GeneratorError, pointer_join
from .dialect import is_lowcodeapi_dialect, repair_lowcodeapi
from .openapi_paths import METHODS, iter_operations, template_params
from .source import SpecText, read_spec

_MAX_ERRORS = 20
# A $ref to a $ref to ...: every later stage follows such chains (deref, merge, the type of a
# schema), some recursively; a real spec has chains of one or two.
MAX_REF_CHAIN = 32


@dataclass(frozen=True)
class LoadedSpec:
    """A valid OpenAPI document (3.0 or 3.1) with where it came from and what was done to it."""

    source: SpecText
    document: dict[str, Any]
    dialect: str  # "openapi" | "lowcodeapi"
    diagnostics: tuple[Diagnostic, ...]

    @property
    def version(self) -> str:
        return str(self.document.get("openapi", ""))


def load_spec(
    path: str,
    display: str | None = None,
    *,
    validate: bool = True,
    defer_validation: bool = False,
    stamp_keys: bool = False,
) -> LoadedSpec:
    """Read, repair (LowCodeAPI dialect), validate and check references; raise on any error.

    With `defer_validation`, the OpenAPI validation is left to a `PendingValidation` that the caller
    starts (it runs beside the later stages) and must finish before it uses the result."""
    source = read_spec(path, display)
    data = source.data
    dialect = "openapi"
    repairs: tuple[Diagnostic, ...] = ()
    if is_lowcodeapi_dialect(data):
        dialect = "lowcodeapi"
        if stamp_keys:
            from .provider_merge import stamp

            data = stamp(data, METHODS)
        data, repairs = repair_lowcodeapi(data, source.path, source.location)
    errors = list(_check_shape(data, source))
    if not errors:
        data, info_repairs = _repair_info(data, source)
        repairs += info_repairs
        found = list(_check_refs(data, source))
        repairs += tuple(d for d in found if d.level != "error")
        errors += [d for d in found if d.level == "error"]
    if not errors and validate and not defer_validation:
        errors += _validate_openapi(data, source)
    if not errors:
        try:
            found = list(_check_operations(data, source))
        except Exception:
            if validate and defer_validation and (invalid := _validate_openapi(data, source)):
                raise GeneratorError(
                    invalid[:_MAX_ERRORS]
                ) from None  # the checks assume a valid document
            raise
        errors += [d for d in found if d.level == "error"]
        repairs += tuple(d for d in found if d.level != "error")
        if errors and validate and defer_validation:
            # as without deferring: validation first
            errors = _validate_openapi(data, source) or errors
    if errors:
        raise GeneratorError(errors[:_MAX_ERRORS])
    return LoadedSpec(source, data, dialect, repairs)


def _repair_info(
    data: dict[str, Any], source: SpecText
) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """A missing info.title or info.version costs a client nothing: filled in, with a warning."""
    info = data.get("info")
    if isinstance(info, dict) and info.get("title") and info.get("version") is not None:
        return data, ()
    if not isinstance(info, dict):
        return data, ()  # no info at all, or a wrong type: an error the validator reports
    fixed = dict(info)
    found = []
    if not fixed.get("title"):
        fixed["title"] = os.path.splitext(os.path.basename(source.path))[0]
        found.append(
            Diagnostic(
                "warning",
                "repair.info-title",
                f"info.title missing: using {fixed['title']!r}",
                source.location("/info"),
            )
        )
    if fixed.get("version") is None:
        fixed["version"] = "0"
        found.append(
            Diagnostic(
                "warning",
                "repair.info-version",
                "info.version missing: using '0'",
                source.location("/info"),
            )
        )
    return {**data, "info": fixed}, tuple(found)


def _error(source: SpecText, code: str, message: str, pointer: str) -> Diagnostic:
    return Diagnostic("error", code, message, source.location(pointer))


def _check_shape(data: dict[str, Any], source: SpecText) -> Iterator[Diagnostic]:
    version = data.get("openapi")
    if "swagger" in data:
        yield _error(
            source,
            "openapi.swagger2",
            "Swagger 2.0 is not supported: convert it to OpenAPI 3 first",
            "/swagger",
        )
    elif not isinstance(version, str) or not re.match(r"3\.[01]\.\d+", version):
        yield _error(
            source,
            "openapi.version",
            f"'openapi' must be 3.0.x or 3.1.x, got {version!r}",
            "/openapi",
        )
    if not isinstance(data.get("paths", {}), dict):
        yield _error(source, "openapi.paths", "'paths' must be a mapping", "/paths")


# Keys whose values are data, not OpenAPI: a `$ref` inside an example is text, not a reference.
_DATA_KEYS = frozenset({"example", "default", "const", "enum", "value"})


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` of a document, with the pointer of the object that holds it; data is skipped."""
    stack: list[tuple[Any, str]] = [(node, pointer)]
    while stack:
        current, ptr = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref, ptr
            for key, value in current.items():
                if (
                    isinstance(value, (dict, list))
                    and key not in _DATA_KEYS
                    and not str(key).startswith("x-")
                ):
                    stack.append((value, pointer_join(ptr, key)))
        elif isinstance(current, list):
            for i, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    stack.append((value, pointer_join(ptr, i)))


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node a local `#/...` reference names; KeyError when there is none."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    node = document
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(ref)
    return node


def _check_refs(data: dict[str, Any], source: SpecText) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    long_chain_reported = False
    for ref, ptr in sorted(iter_refs(data), key=lambda r: r[1]):
        if not ref.startswith("#"):
            yield Diagnostic(
                "warning",
                "ref.external",
                f"external $ref {ref!r} is not followed: typed as Any",
                source.location(pointer_join(ptr, "$ref")),
            )
            continue
        if ref in seen:
            continue
        seen.add(ref)
        try:
            target = resolve_pointer(data, ref)
        except KeyError:
            yield _error(
                source, "ref.dangling", f"$ref {ref!r} points to nothing", pointer_join(ptr, "$ref")
            )
            continue
        chain = [ref]
        while isinstance(target, dict) and isinstance(target.get("$ref"), str) and len(target) == 1:
            nxt = target["$ref"]
            if nxt in chain:
                yield _error(
                    source,
                    "ref.cycle",
                    f"$ref cycle with no schema in it: {' -> '.join(chain + [nxt])}",
                    pointer_join(ptr, "$ref"),
                )
                break
            if len(chain) >= MAX_REF_CHAIN:
                if not long_chain_reported:  # one chain: one error, not one per link
                    long_chain_reported = True
                    yield _error(
                        source,
                        "ref.chain-too-long",
                        f"$ref {ref!r} leads through more than {MAX_REF_CHAIN} $refs to nothing but"
                        " $refs",
                        pointer_join(ptr, "$ref"),
                    )
                break
            chain.append(nxt)
            try:
                target = resolve_pointer(data, nxt)
            except KeyError:
                break  # reported when the walk reaches that ref itself


def _validate_openapi(data: dict[str, Any], source: SpecText) -> list[Diagnostic]:
    from openapi_pydantic import parse_obj  # imported here: pydantic is the slowest import we have
    from pydantic import ValidationError

    try:
        parse_obj(data)
    except ValidationError as exc:
        return _pydantic_diagnostics(exc, data, source)
    return []


def _pydantic_diagnostics(exc: Any, data: dict[str, Any], source: SpecText) -> list[Diagnostic]:
    """Pydantic's union-heavy error list, reduced to one message per real location."""
    best: dict[str, tuple[int, str]] = {}
    for err in exc.errors():
        pointer, depth = _loc_to_pointer(err.get("loc", ()), data)
        loc = err.get("loc", ())
        if loc and loc[-1] == "$ref" and not pointer.endswith("$ref"):
            continue  # the "it could have been a Reference" branch of every union: noise
        message = str(err.get("msg", "invalid"))
        tail = [
            str(p) for p in loc[1:] if isinstance(p, str) and p[:1].islower() or isinstance(p, int)
        ]
        field = tail[-1] if tail else ""
        text = f"{field}: {message}" if field and not pointer.endswith("/" + field) else message
        if pointer not in best or depth > best[pointer][0]:
            best[pointer] = (depth, text)
    out = [
        _error(source, "openapi.invalid", f"not valid OpenAPI {data.get('openapi')}: {text}", ptr)
        for ptr, (_, text) in sorted(best.items())
    ]
    return out or [_error(source, "openapi.invalid", f"not valid OpenAPI: {exc}", "")]


def _loc_to_pointer(loc: tuple[Any, ...], data: Any) -> tuple[str, int]:
    """Walk pydantic's loc through the data, skipping the union-branch tags it inserts."""
    node, pointer, depth = data, "", 0
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node, pointer, depth = node[part], pointer_join(pointer, part), depth + 1
    return pointer, depth


def _check_operations(data: dict[str, Any], source: SpecText) -> Iterator[Diagnostic]:
    """What a validator lets through but a client cannot live with."""
    op_ids: dict[str, str] = {}
    client_names: dict[str, str] = {}
    for method, path, op in iter_operations(data):
        shared = [
            p for p in data["paths"].get(path, {}).get("parameters") or [] if isinstance(p, dict)
        ]
        in_template = template_params(path.split("?")[0])
        ptr = pointer_join("/paths", path, method)
        params = [
            d if isinstance(d := deref(p, data), dict) else {}
            for p in shared + [p for p in op.get("parameters") or [] if isinstance(p, dict)]
        ]
        yield from _check_params_and_responses(op, params, ptr, source)
        declared = {p.get("name") for p in params if p.get("in") == "path"}
        for name in in_template:
            if name not in declared:
                yield _error(
                    source,
                    "path.undeclared-param",
                    f"path parameter {{{name}}} of {method.upper()} {path} is not declared",
                    ptr,
                )
        for name in sorted(n for n in declared if isinstance(n, str) and n not in in_template):
            yield _error(
                source,
                "path.param-not-in-template",
                f"path parameter {name!r} of {method.upper()} {path} is not in the path template",
                ptr,
            )
        client_name = op.get("x-client-name")
        if isinstance(client_name, str):
            if client_name in client_names:
                yield _error(
                    source,
                    "naming.duplicate-client-name",
                    f"x-client-name {client_name!r} is used twice (first at"
                    f" {client_names[client_name]})",
                    pointer_join(ptr, "x-client-name"),
                )
            else:
                client_names[client_name] = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        if isinstance(op_id, str):
            if op_id in op_ids:
                yield _error(
                    source,
                    "operation.duplicate-id",
                    f"operationId {op_id!r} is used twice (first at {op_ids[op_id]})",
                    pointer_join(ptr, "operationId"),
                )
            else:
                op_ids[op_id] = f"{method.upper()} {path}"


_STATUS = re.compile(r"^([1-5][0-9][0-9]|[1-5]XX|default)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _warning(source: SpecText, code: str, message: str, pointer: str) -> Diagnostic:
    return Diagnostic("warning", code, message, source.location(pointer))


def _check_params_and_responses(
    op: dict[str, Any], params: list[dict[str, Any]], ptr: str, source: SpecText
) -> Iterator[Diagnostic]:
    """Located warnings for what a client survives but a spec author should fix."""
    for code in (op.get("responses") or {}) if isinstance(op.get("responses"), dict) else ():
        if not _STATUS.match(str(code)):
            yield _warning(
                source,
                "response.status",
                f"response key {str(code)!r} is not a status code: ignored",
                pointer_join(ptr, "responses", str(code)),
            )
    for p in params:
        name = p.get("name")
        if p.get("in") == "path" and p.get("required") is not True:
            yield _warning(
                source,
                "path.optional-param",
                f"path parameter {name!r} is not marked required: it is required all the same",
                ptr,
            )
        raw_schema = p.get("schema")
        schema: dict[str, Any] = raw_schema if isinstance(raw_schema, dict) else {}
        if "default" not in schema:
            continue
        default, kind = schema["default"], schema.get("type")
        expected = _JSON_TYPES.get(kind) if isinstance(kind, str) else None
        if expected is not None and (
            not isinstance(default, expected) or (kind != "boolean" and isinstance(default, bool))
        ):
            yield _warning(
                source,
                "param.default",
                f"default {default!r} of parameter {name!r} is not a {kind}: ignored",
                ptr,
            )
        elif (
            schema.get("format") == "uuid" and isinstance(default, str) and not _UUID.match(default)
        ):
            yield _warning(
                source,
                "param.default",
                f"default {default!r} of parameter {name!r} is not a uuid: ignored",
                ptr,
            )


def deref(node: Any, document: dict[str, Any]) -> Any:
    """Follow local `$ref`s to the node they name; {} for a dangling one (load has reported it)."""
    for _ in range(MAX_REF_CHAIN + 1):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        try:
            node = resolve_pointer(document, node["$ref"])
        except KeyError:
            return {}
    return node


class PendingValidation:
    """The OpenAPI validation of loaded specs (openapi-pydantic: its import and its checks are the
    slowest part of loading), run in a forked process while the caller goes on with the later stages
    on a second core. `finish()` raises its errors; call it before using any result, and also when a
    later stage fails, since an invalid document explains that failure first. Without fork or a
    second core, `finish()` validates in this process."""

    def __init__(self, specs: list[LoadedSpec]) -> None:
        self.specs = specs
        self._process: Any = None
        self._reader: Any = None
        if (os.cpu_count() or 1) < 2 or not specs:
            return
        try:
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._reader, writer = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_validate_in_child, args=(specs, writer), daemon=True
            )
            self._process.start()
            writer.close()
        # no fork here, or a daemon process: finish() validates
        except (
            OSError,
            ValueError,
            AssertionError,
        ):
            self._process = None

    def finish(self) -> None:
        errors: list[Diagnostic] | None = None
        if self._process is not None:
            try:
                errors = self._reader.recv()
            except (EOFError, OSError):
                errors = None  # the child died: validate here instead
            self._process.join()
            self._reader.close()
            self._process = None
        if errors is None:
            errors = [
                d for spec in self.specs for d in _validate_openapi(spec.document, spec.source)
            ]
        self.specs = []
        if errors:
            raise GeneratorError(errors[:_MAX_ERRORS])


def _validate_in_child(specs: list[LoadedSpec], writer: Any) -> None:
    writer.send([d for spec in specs for d in _validate_openapi(spec.document, spec.source)])
    writer.close()
