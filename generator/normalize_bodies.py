"""Request bodies and responses of normalize: media types, body kinds and fields, the success
response's kind and type, list pagination.
"""

from __future__ import annotations

import re
from typing import Any

from .diagnostics import pointer_join
from .ir import (
    Body,
    BodyKind,
    Pagination,
    Param,
    Response,
)
from .naming import (
    Namer,
)
from .normalize_params import build_param
from .refs import DocumentView
from .schema_unions import ANY
from .schemas import TypeBuilder

_JSON = re.compile(r"^application/(.+\+)?json(;.*)?$|^\*/\*$")


_JSONL = re.compile(r"^application/(x-)?(jsonl|ndjson|x-ndjson|json-seq)")


_SUCCESS = ("200", "201", "202", "203", "204", "206", "2XX", "2xx")
_BODY_KINDS: tuple[tuple[BodyKind, re.Pattern[str]], ...] = (
    ("json", _JSON),
    ("multipart", re.compile(r"^multipart/")),
    ("form", re.compile(r"^application/x-www-form-urlencoded")),
)


def _media(content: dict[str, Any], pattern: re.Pattern[str]) -> tuple[str, Any] | None:
    for media, value in content.items():
        if pattern.match(media.lower()):
            return media, (value or {}).get("schema")
    return None


def _body_media(content: dict[str, Any]) -> tuple[BodyKind, str, Any]:
    """The body's kind, media type and schema: JSON first, then multipart, then form; else the
    first, as JSON."""
    for kind, pattern in _BODY_KINDS:
        found = _media(content, pattern)
        if found:
            return kind, found[0], found[1]
    media = next(iter(content))
    return "json", media, (content[media] or {}).get("schema")


def _encoding(media: Any) -> tuple[tuple[str, str, bool, str], ...]:
    """(field, style, explode, content type) per entry of a media type's `encoding` map. Style and
    explode follow OpenAPI's defaults (form; explode true for form) when either is given."""
    found = (media or {}).get("encoding") if isinstance(media, dict) else None
    out: list[tuple[str, str, bool, str]] = []
    for name, enc in sorted((found or {}).items()) if isinstance(found, dict) else ():
        if not isinstance(enc, dict):
            continue
        styled = "style" in enc or "explode" in enc
        style = str(enc.get("style") or "form") if styled else ""
        explode = bool(enc.get("explode", style == "form"))
        content_type = enc.get("contentType")
        if styled or isinstance(content_type, str):
            part_type = content_type if isinstance(content_type, str) else ""
            out.append((str(name), style, explode, part_type))
    return tuple(out)


def _declared_media(kind: BodyKind, media: str) -> str:
    """The media type a body is sent as when it is not its kind's usual one, else ""."""
    usual = {"json": ("application/json", "*/*"), "multipart": ("multipart/form-data",),
             "form": ("application/x-www-form-urlencoded",)}
    return "" if media.lower() in usual[kind] else media


def _binary_accept(media: tuple[str, ...]) -> str:
    """A download's Accept: its declared types (`text/html`, `application/sdp`); "" (any) where one
    is a wildcard or application/octet-stream, whatever type the file has."""
    if not media or any("*" in m or m.lower() == "application/octet-stream" for m in media):
        return ""
    return ", ".join(media)


def build_body(
    op: dict[str, Any],
    pointer: str,
    context: str,
    document: DocumentView,
    types: TypeBuilder,
    namer: Namer,
) -> Body | None:
    body = document.deref(op.get("requestBody"))
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("content"), dict)
        or not body["content"]
    ):
        return None
    content = body["content"]
    kind, media, schema = _body_media(content)
    b_ptr = pointer_join(pointer, "requestBody", "content", media, "schema")
    resolved = (
        types._merge_all_of(document.deref(schema))
        if isinstance(document.deref(schema), dict)
        else {}
    )
    props = resolved.get("properties") if isinstance(resolved, dict) else None
    required = bool(body.get("required"))
    encoding = _encoding(content[media])
    if isinstance(props, dict) and props:
        req = set(resolved.get("required") or [])
        fields = []
        for wire, prop in props.items():
            raw = {
                "name": wire,
                "in": "body",
                "schema": prop,
                "required": wire in req,
                "description": (
                    (document.deref(prop) or {}).get("description")
                    if isinstance(prop, dict)
                    else ""
                ),
            }
            fields.append(
                build_param(raw, pointer_join(b_ptr, "properties", wire), context, types, namer)
            )
        declared = _declared_media(kind, media)
        return Body(kind, media, tuple(fields), None, required, encoding, declared)
    whole = build_param(
        {"name": "body", "in": "body", "schema": schema, "required": required},
        b_ptr,
        context + "Body",
        types,
        namer,
    )
    return Body(kind, media, (), whole, required, encoding, _declared_media(kind, media))


def build_response(
    op: dict[str, Any], pointer: str, context: str, document: DocumentView, types: TypeBuilder
) -> Response:
    responses = op.get("responses") or {}
    code = next((c for c in _SUCCESS if c in responses), None)
    if code is None:
        code = next((c for c in sorted(responses) if str(c).startswith("2")), None)
    if code is None:
        return Response("json", ANY, declared=False)
    resp = document.deref(responses[code])
    content = resp.get("content") if isinstance(resp, dict) else None
    if not content:
        return Response("empty", None)
    r_ptr = pointer_join(pointer, "responses", str(code), "content")
    sse = content.get("text/event-stream")
    event = (
        types.type_of(
            (sse or {}).get("schema"),
            pointer_join(r_ptr, "text/event-stream", "schema"),
            context + "Event",
        )
        if sse is not None
        else None
    )
    found = _media(content, _JSON)
    if found:
        media, schema = found
        return Response(
            "json",
            types.type_of(schema, pointer_join(r_ptr, media, "schema"), context + "Response"),
            event if op.get("x-streaming") == "sse" else None,
            declared_accept="" if media.lower() in ("application/json", "*/*") else media,
        )
    if event is not None:
        return Response("sse", event)
    found = _media(content, _JSONL)
    if found:
        media, schema = found
        return Response(
            "jsonl", types.type_of(schema, pointer_join(r_ptr, media, "schema"), context + "Line")
        )
    return Response("binary", None, declared_accept=_binary_accept(tuple(content)))


def build_pagination(
    op: dict[str, Any], query: tuple[Param, ...], response: Response, types: TypeBuilder
) -> Pagination | None:
    """List pages: declared (`x-pagination: cursor | page`) or recognised (an `after_id` query
    parameter); the item type is that of the page's `data`."""
    if response.kind != "json" or response.type is None:
        return None
    declared = op.get("x-pagination")
    cursor = next((p.wire_name for p in query if p.wire_name == "after_id"), None)
    if declared not in ("cursor", "page") and cursor is None:
        return None
    item = types.item_type(response.type, "data")
    if item is None:
        return None
    return Pagination(item, "page" if declared == "page" else cursor or "after_id")
