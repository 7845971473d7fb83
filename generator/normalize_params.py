"""Parameters of normalize: a spec parameter or body field becomes an IR `Param` (Python and CLI
names, type, enum aliases, serialization style).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .code import py_literal
from .diagnostics import pointer_join
from .expr import NONE, Literal, union
from .ir import (
    Param,
)
from .naming import (
    Namer,
    kebab,
    pascal,
    safe,
    snake,
)
from .schemas import TypeBuilder

# Keyword arguments every generated method has; spec parameters must not take these names.
CALL_OPTIONS = frozenset(
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "destination"}
)


# OpenAPI's serialization styles: the default (style, explode) of each location, and the styles it
# allows.
DEFAULT_STYLES = {"path": ("simple", False), "query": ("form", True), "header": ("simple", False)}


ALLOWED_STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
}


def build_param(
    raw: dict[str, Any], schema_pointer: str, context: str, types: TypeBuilder, namer: Namer
) -> Param:
    """The parameter whose schema is written at `schema_pointer`: inline types are keyed by it, so
    it must be the parameter's own (two parameters sharing one pointer would share one inline
    type)."""
    wire = str(raw.get("name"))
    location = raw.get("in")
    schema = raw.get("schema")
    if schema is None and isinstance(raw.get("content"), dict):
        media, first = next(iter(raw["content"].items()), ("", {}))
        schema = first.get("schema") if isinstance(first, dict) else None
        schema_pointer = pointer_join(schema_pointer.rpartition("/")[0], "content", media, "schema")
    t = types.type_of(schema, schema_pointer, context + pascal(wire))
    declared = raw.get("x-python-name") or (
        schema.get("x-python-name") if isinstance(schema, dict) else None
    )
    base = snake(str(declared)) if isinstance(declared, str) and declared else snake(wire)
    py = namer.take(safe(base, CALL_OPTIONS))
    # the option a person types, where the Python name reads badly
    cli_declared = raw.get("x-cli-name")
    cli = (
        kebab(str(cli_declared))
        if isinstance(cli_declared, str) and cli_declared.strip()
        else kebab(base)
    )
    default = schema.get("default") if isinstance(schema, dict) else None
    declared_aliases = raw.get("x-enum-aliases") or (
        schema.get("x-enum-aliases") if isinstance(schema, dict) else None
    )
    aliases = _enum_aliases(
        declared_aliases,
        t.enum_values,
        pointer_join(schema_pointer.rpartition("/")[0], "x-enum-aliases"),
        types,
    )
    if aliases:  # the aliases are accepted values too (the signature's Literal, the CLI's choices)
        values = t.enum_values + tuple(a for a, _ in aliases)
        literal = union(
            Literal(tuple(py_literal(v) for v in values)), *((NONE,) if t.nullable else ())
        )
        t = replace(t, py_type=literal, param_type=literal, enum_values=values)
    style, explode = _style(raw, schema_pointer.rpartition("/")[0], types)
    return Param(
        wire_name=wire,
        py_name=py,
        cli_name=cli,
        location=location,  # type: ignore[arg-type]
        type=t,
        required=bool(raw.get("required")) or location == "path",
        description=str(
            raw.get("description")
            or (schema.get("description") if isinstance(schema, dict) else "")
            or ""
        ),
        default=py_literal(default) if isinstance(default, (str, int, float, bool)) else None,
        enum_aliases=aliases,
        style=style,
        explode=explode,
    )


def _enum_aliases(
    declared: object, values: tuple[str, ...], pointer: str, types: TypeBuilder
) -> tuple[tuple[str, str], ...]:
    """`x-enum-aliases` ({accepted: sent}): other names of enum values, mapped to the enum's own
    when sent. An entry that does not map a new string onto one of the enum's values is left out
    with a warning.
    """
    if declared is None:
        return ()
    if not isinstance(declared, dict):
        types.warn(pointer, "x-enum-aliases must map accepted values to enum values; ignored")
        return ()
    kept: list[tuple[str, str]] = []
    for alias, value in declared.items():
        if (
            not isinstance(alias, str)
            or not isinstance(value, str)
            or value not in values
            or alias in values
        ):
            types.warn(
                pointer,
                f"x-enum-aliases entry {alias!r}: {value!r} does not map a new value onto the enum;"
                " ignored",
            )
            continue
        kept.append((alias, value))
    return tuple(sorted(kept))


def _style(raw: dict[str, Any], pointer: str, types: TypeBuilder) -> tuple[str, bool]:
    """A path, query or header parameter's (style, explode): declared, else OpenAPI's default for
    its location (explode defaults to true for `form` only); ("", False) for body fields."""
    location = str(raw.get("in"))
    if location not in DEFAULT_STYLES:
        return "", False
    if "schema" not in raw and isinstance(raw.get("content"), dict):
        media = next(iter(raw["content"]), "")
        if re.match(r"^application/(.+\+)?json", str(media).lower()):
            return "json", False  # `content: application/json`: the value is one JSON text
    style = raw.get("style", DEFAULT_STYLES[location][0])
    if style not in ALLOWED_STYLES[location]:
        types.warn(
            pointer_join(pointer, "style"),
            f"style {style!r} is not one of {location} parameters' styles "
            f"{', '.join(ALLOWED_STYLES[location])}: sent as {DEFAULT_STYLES[location][0]}",
        )
        style = DEFAULT_STYLES[location][0]
    explode = raw.get("explode")
    return style, explode if isinstance(explode, bool) else style == "form"
