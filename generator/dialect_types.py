"""The `type` of a schema as LowCodeAPI's provider data writes it, mapped to the closest JSON
Schema.

The data is hand-written per provider: besides OpenAPI's six types it holds capitalised types
(`String`, `DateTime`), other languages' types (`float`, `json`, `date`, `enum`), typos (`srring`,
`objcet`), unions (`string|number`), array notations (`["string"`, `array of object`), regexes and
free text. Each is repaired here into what a validator accepts and a client can type; what cannot be
read as a type becomes no type at all (Any), never a refusal. The caller reports each repair.
"""

from __future__ import annotations

import re
from typing import Any

VALID = ("string", "number", "integer", "boolean", "array", "object")
# Other languages' names (and LowCodeAPI's own `enum`, `json`), lower-cased: (type, format or None).
_ALIASES: dict[str, tuple[str, str | None]] = {
    "json": ("object", None),
    "dict": ("object", None),
    "map": ("object", None),
    "hash": ("object", None),
    "float": ("number", None),
    "double": ("number", None),
    "decimal": ("number", None),
    "int": ("integer", None),
    "long": ("integer", None),
    "bool": ("boolean", None),
    "booleans": ("boolean", None),
    "true/false": ("boolean", None),
    "str": ("string", None),
    "text": ("string", None),
    "date": ("string", "date"),
    "datetime": ("string", "date-time"),
    "date-time": ("string", "date-time"),
    "timestamp": ("string", "date-time"),
    "url": ("string", "uri"),
    "uri": ("string", "uri"),
    "email": ("string", "email"),
    "list": ("array", None),
}
_ARRAY_OF = re.compile(r"(?:array|list)\s+of\s+(\w+?)s?\Z")
_ARRAY_LITERAL = re.compile(r'\[\s*"?(\w*)"?\s*\]?\Z')
_UNION_SPLIT = re.compile(r"\s*(?:\||/|,|-|\bor\b)\s*")
_TYPE_PREFIX = re.compile(r"(string|number|integer|boolean|array|object)(?=[A-Z\s(:,.;-])")


def _typo_of(word: str) -> str | None:
    """The one valid type `word` is a near miss of (one edit; two for long words), else None."""
    if len(word) < 4:
        return None
    limit = 2 if len(word) >= 7 else 1
    near = [t for t in VALID if _distance(word, t) <= limit]
    return near[0] if len(near) == 1 else None


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def _word(raw: str) -> tuple[str, str | None, str] | None:
    """One type word: (type, format, kind of repair) or None when it is no type."""
    low = raw.strip().lower()
    if low in VALID:
        return low, None, "ok" if raw == low else "type-case"
    if low in _ALIASES:
        kind, fmt = _ALIASES[low]
        return kind, fmt, "type-alias"
    typo = _typo_of(low)
    return (typo, None, "type-typo") if typo else None


def enum_type(values: Any) -> str | None:
    """The JSON type that every value of an enum has, when they share one."""
    if not isinstance(values, list) or not values:
        return None
    kinds = {_json_type(v) for v in values if v is not None}
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "null"


def fits(value: Any, kind: str) -> bool:
    """Whether an enum value is of JSON type `kind` (an integer is also a number)."""
    actual = _json_type(value)
    return actual == kind or (kind == "number" and actual == "integer") or value is None


def repair_type(schema: dict[str, Any]) -> tuple[str, str] | None:
    """Rewrite `schema["type"]` into valid OpenAPI 3.0 in place; (repair kind, message) when it
    changed."""
    if "type" not in schema:
        return _missing(schema)
    raw = schema["type"]
    text = raw if isinstance(raw, str) else repr(raw)
    if not isinstance(raw, str):
        del schema["type"]
        return "type-unknown", f"type {text} is not a type name: typed as Any"
    if raw == "file":
        return None  # LowCodeAPI's own binary type: the dialect repair makes it string/binary
    if raw.strip().lower() == "enum":
        kind = (
            enum_type(schema.get("enum"))
            or enum_type(
                (schema.get("items") or {}).get("enum")
                if isinstance(schema.get("items"), dict)
                else None
            )
            or "string"
        )
        schema["type"] = kind
        return "type-alias", f"type {raw!r} is not a JSON type: {kind} (from its values)"
    word = _word(raw)
    if word is not None:
        kind, fmt, repair = word
        if repair == "ok":
            return None
        _set(schema, kind, fmt)
        shown = kind + (f" (format {fmt})" if fmt else "")
        return repair, f"type {raw!r} is not a JSON type: {shown}"
    return _compound(schema, raw)


def _compound(schema: dict[str, Any], raw: str) -> tuple[str, str]:
    low = raw.strip().lower()
    match = _ARRAY_OF.match(low) or (_ARRAY_LITERAL.match(low) if low.startswith("[") else None)
    if match:
        inner = _word(match.group(1)) if match.group(1) else None
        schema["type"] = "array"
        if inner is not None and not isinstance(schema.get("items"), dict):
            schema["items"] = {"type": inner[0], **({"format": inner[1]} if inner[1] else {})}
        what = f"array of {inner[0]}" if inner else "array"
        return "type-array-notation", f"type {raw!r} is not a JSON type: {what}"
    parts = [p for p in _UNION_SPLIT.split(raw.strip()) if p]
    words = [_word(p) for p in parts]
    if len(parts) > 1 and all(words):
        kinds: list[tuple[str, str | None]] = []
        for w in words:
            if w is not None and (w[0], w[1]) not in kinds:
                kinds.append((w[0], w[1]))
        if len(kinds) == 1:
            _set(schema, *kinds[0])
        else:
            del schema["type"]
            schema["anyOf"] = [{"type": k, **({"format": f} if f else {})} for k, f in kinds]
        return "type-union", f"type {raw!r} is a union: anyOf {[k for k, _ in kinds]}"
    if raw.startswith("^") or raw.endswith("$"):
        schema["type"] = "string"
        if "pattern" not in schema and _compiles(raw):
            schema["pattern"] = raw
        return "type-pattern", f"type {raw!r} is a regular expression: a string with that pattern"
    prefix = _TYPE_PREFIX.match(raw)
    if prefix:
        schema["type"] = prefix.group(1)
        return (
            "type-free-text",
            f"type {_short(raw)!r} is text starting with a type: {prefix.group(1)}",
        )
    del schema["type"]
    return "type-unknown", f"type {_short(raw)!r} is not a type: typed as Any"


def _missing(schema: dict[str, Any]) -> tuple[str, str]:
    kind = enum_type(schema.get("enum"))
    if kind is None and isinstance(schema.get("properties"), dict):
        kind = "object"
    if kind is None and "items" in schema:
        kind = "array"
    if kind is None:
        return "type-missing", "no type: typed as Any"
    schema["type"] = kind
    return (
        "type-missing",
        (
            f"no type: {kind} (from its"
            f" {'enum' if 'enum' in schema else 'properties' if kind == 'object' else 'items'})"
        ),
    )


def _set(schema: dict[str, Any], kind: str, fmt: str | None) -> None:
    schema["type"] = kind
    if fmt and "format" not in schema:
        schema["format"] = fmt


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
