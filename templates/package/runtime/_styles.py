"""How a parameter's value is written on the wire: OpenAPI's `style` and `explode`, in one function.

Every path, query and header parameter goes through `serialize_param`; the route
(`url_formats.ROUTES`) says which style each parameter of an operation has when it is not its
location's default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from ._types import NotGiven

__all__ = [
    "DEFAULT_STYLES",
    "EncodedText",
    "FieldEncoding",
    "deep_pairs",
    "form_fields",
    "multipart_fields",
    "reserved_text",
    "serialize_param",
    "value_text",
]


class EncodedText(str):
    """A query value already percent-encoded piece by piece, its delimiters left as they are: form
    style's `a=x%2Cy,z` is two values, `x,y` and `z`, which one encoding of the joined text would
    merge."""


_TRIPLET = re.compile(r"(%[0-9A-Fa-f]{2})")


def reserved_text(text: str) -> EncodedText:
    """A query value under `allowReserved`: RFC 3986's reserved characters and percent-encoded
    triplets pass unchanged; the rest is encoded, as are the reserved characters that would end
    the value or the query (`&`, `+`, `#`, `[`, `]`)."""
    return EncodedText(
        "".join(
            piece if _TRIPLET.fullmatch(piece) else quote(piece, safe=":/?@!$'()*,;=")
            for piece in _TRIPLET.split(text)
        )
    )


FieldEncoding = tuple[str, str, bool, str]
"""A body field's OpenAPI `encoding`: (field, style ("" if not given), explode, content type)."""

# OpenAPI's defaults per location: (style, explode).
DEFAULT_STYLES: dict[str, tuple[str, bool]] = {
    "path": ("simple", False),
    "query": ("form", True),
    "header": ("simple", False),
}
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def _omitted(value: object) -> bool:
    return value is None or isinstance(value, NotGiven)


def value_text(value: object) -> str:
    """One primitive as text: booleans as ``true``/``false``, bytes as UTF-8; a nested structure as
    compact JSON."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def deep_pairs(name: str, value: object) -> list[tuple[str, str]]:
    """``name[key][0]=value`` pairs, nested the way Stripe and form APIs read them (deepObject)."""
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = list(enumerate(value))
    else:
        return [] if _omitted(value) else [(name, value_text(value))]
    pairs: list[tuple[str, str]] = []
    for key, item in items:
        pairs += deep_pairs(f"{name}[{key}]", item)
    return pairs


def serialize_param(
    name: str, value: object, style: str, explode: bool, *, percent_encode: bool = False
) -> list[tuple[str, str]]:
    """The ``(name, text)`` pairs of one parameter. Query styles (form, spaceDelimited,
    pipeDelimited, deepObject) give one pair per wire parameter; simple, label and matrix (path,
    header) give one pair whose text is the whole value. ``percent_encode`` (path values) quotes
    each piece, never a delimiter.
    """
    if _omitted(value):
        return []
    if style == "json":  # a parameter declared with `content: application/json`: one JSON text
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        return [(name, quote(text, safe="") if percent_encode else text)]
    if style == "deepObject":
        return deep_pairs(name, value)
    piece = (lambda v: quote(value_text(v), safe="")) if percent_encode else value_text
    if isinstance(value, Mapping):
        entries = [(str(k), v) for k, v in value.items() if not _omitted(v)]
        if not entries:
            return []
        flat = [piece(x) for k, v in entries for x in (k, v)]
        pairs = [(piece(k), piece(v)) for k, v in entries]
    elif isinstance(value, (list, tuple)):
        flat = [piece(v) for v in value if not _omitted(v)]
        pairs = []
    else:
        flat = [piece(value)]
        pairs = []
    is_list = isinstance(value, (list, tuple))
    if style in _DELIMITERS:  # query
        if explode and pairs:
            return pairs  # an exploded object: its keys become the parameters
        if explode and is_list:
            return [(name, v) for v in flat]
        if style == "form" and len(flat) > 1 and not percent_encode:  # a literal `,` between values
            encoded = serialize_param(name, value, style, explode, percent_encode=True)
            return [(name, EncodedText(encoded[0][1]))]
        return [(name, _DELIMITERS[style].join(flat))] if flat or not is_list else []
    if style == "label":
        joiner = "." if explode else ","
        exploded = [f"{k}={v}" for k, v in pairs] if explode and pairs else flat
        return [(name, "." + joiner.join(exploded))]
    if style == "matrix":
        key = quote(name, safe="") if percent_encode else name
        if explode and pairs:
            return [(name, "".join(f";{k}={v}" for k, v in pairs))]
        if explode and is_list:
            return [(name, "".join(f";{key}={v}" for v in flat))]
        return [(name, f";{key}=" + ",".join(flat) if flat else f";{key}")]
    exploded = [f"{k}={v}" for k, v in pairs] if explode and pairs else flat  # simple
    return [(name, ",".join(exploded))]


def _nested(value: object) -> bool:
    """Whether a value holds objects or lists (which form style leaves undefined)."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, (list, tuple)) and any(
        isinstance(v, (Mapping, list, tuple)) for v in value
    )


def _styled(
    name: str, value: object, encoding: Mapping[str, FieldEncoding]
) -> list[tuple[str, str]] | None:
    """The pairs of a field whose `encoding` gives a style; None for one that gives none."""
    found = encoding.get(name)
    if found is None or not found[1]:
        return None
    return serialize_param(name, value, found[1], found[2])


def form_fields(
    fields: Mapping[str, object], encoding: Sequence[FieldEncoding] = ()
) -> dict[str, list[str]]:
    """`application/x-www-form-urlencoded` fields: each in its `encoding` style, else OpenAPI's
    default (form, exploded: a list repeats its name) and, for objects, the ``a[b][0]=c`` brackets
    that form APIs read."""
    by_name = {enc[0]: enc for enc in encoding}
    out: dict[str, list[str]] = {}
    for name, value in fields.items():
        pairs = _styled(name, value, by_name)
        if pairs is None:
            style = "deepObject" if _nested(value) else "form"
            pairs = serialize_param(name, value, style, True)
        for key, text in pairs:
            out.setdefault(key, []).append(text)
    return out


def multipart_fields(
    fields: Mapping[str, object], encoding: Sequence[FieldEncoding] = ()
) -> list[tuple[str, tuple[None, bytes, str | None]]]:
    """`multipart/form-data` parts that are not files, as (name, (no filename, bytes, content
    type)). A field in an `encoding` style gives one part per pair; otherwise, as OpenAPI says, a
    list of primitives repeats the part, an object (or a list holding objects) is one
    `application/json` part, and `encoding.contentType` sets a part's type."""
    by_name = {enc[0]: enc for enc in encoding}
    parts: list[tuple[str, tuple[None, bytes, str | None]]] = []
    for name, value in fields.items():
        if _omitted(value):
            continue
        pairs = _styled(name, value, by_name)
        content_type = (by_name[name][3] if name in by_name else "") or None
        if pairs is not None:
            parts += [(key, (None, text.encode("utf-8"), None)) for key, text in pairs]
        elif _nested(value):
            data = json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")
            parts.append((name, (None, data, content_type or "application/json")))
        elif isinstance(value, (list, tuple)):
            parts += [
                (name, (None, value_text(v).encode("utf-8"), content_type))
                for v in value
                if not _omitted(v)
            ]
        else:
            parts.append((name, (None, value_text(value).encode("utf-8"), content_type)))
    return parts
