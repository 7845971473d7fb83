"""One request, built: URL, query, headers and body (JSON, form, multipart files, raw bytes) for
an attempt; and the response body decoded, LowCodeAPI's envelope unwrapped."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ._errors import loads_json
from ._provider import (
    DIRECT_AUTH_HEADER,
    DIRECT_AUTH_PREFIX,
    DIRECT_AUTH_QUERY,
    DIRECT_HEADERS,
    USER_AGENT,
)
from ._redact import checked_headers
from ._settings import checked_timeout
from ._styles import (
    DEFAULT_STYLES,
    form_fields,
    multipart_fields,
    reserved_text,
    serialize_param,
)
from ._types import FileContent, FileTypes, NotGiven, RequestOptions, TimeoutTypes

if TYPE_CHECKING:
    from typing import TypeAlias, TypeGuard

    from ._settings import ClientSettings
    from ._urls import Route

FormFile: TypeAlias = "tuple[str, tuple[str | None, bytes, str | None]]"
"""A multipart part: (field name, (filename, content, media type)); a part that is not a file has
no filename, and a text part no media type."""

__all__ = [
    "FormFile",
    "RequestSpec",
    "BETA_HEADER",
    "build_request_spec",
    "decode_body",
    "encode_headers",
    "encode_query",
    "envelope_headers",
    "join_betas",
    "normalize_file",
    "prepare_files",
    "unwrap_envelope",
]

BETA_HEADER = "anthropic-beta"

# ------------------------------------------------------------------------------------- building
# requests


@dataclass
class RequestSpec:
    """Everything ``httpx.Client.build_request`` needs for one attempt."""

    method: str
    url: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    json: Any
    data: dict[str, list[str]] | None
    files: list[FormFile] | None
    content: bytes | None  # a raw (binary) body
    timeout: TimeoutTypes


def join_betas(defaults: Sequence[str], given: str | None) -> str:
    """One ``anthropic-beta`` value: the operation's betas, then the caller's, each named once."""
    names = [*defaults, *(name.strip() for name in (given or "").split(","))]
    return ",".join(dict.fromkeys(name for name in names if name))


def encode_query(
    query: Mapping[str, object] | None, route: Route | None = None
) -> list[tuple[str, str]]:
    """Query pairs in each parameter's style (the route's, else form/explode: lists repeated);
    NOT_GIVEN and None dropped, bools as ``true``/``false``."""
    pairs: list[tuple[str, str]] = []
    for key, value in (query or {}).items():
        style, explode = route.style_of("query", key) if route else DEFAULT_STYLES["query"]
        found = serialize_param(key, value, style, explode)
        if route and key in route.reserved:
            found = [(name, reserved_text(text)) for name, text in found]
        pairs += found
    return pairs


def encode_headers(
    headers: Mapping[str, object] | None, route: Route | None = None
) -> dict[str, str]:
    """Header parameters in their style (simple: lists as ``a,b``); NOT_GIVEN and None not sent."""
    out: dict[str, str] = {}
    for key, value in (headers or {}).items():
        style, explode = route.style_of("header", key) if route else DEFAULT_STYLES["header"]
        out.update(serialize_param(key, value, style, explode))
    return out


def _read_content(content: FileContent) -> tuple[str | None, bytes]:
    """(a filename if the content knows one, the bytes)."""
    if isinstance(content, (bytes, bytearray)):
        return None, bytes(content)
    if isinstance(content, os.PathLike):
        path = os.fspath(content)
        with open(path, "rb") as handle:
            return os.path.basename(path), handle.read()
    name = getattr(content, "name", None)
    data = content.read()
    return (os.path.basename(name) if isinstance(name, str) else None), data


def normalize_file(value: FileTypes) -> tuple[str, bytes, str]:
    """``(filename, bytes, media_type)`` for any accepted file input (read once, so retries can
    resend it)."""
    filename: str | None = None
    media_type: str | None = None
    if isinstance(value, tuple):
        if len(value) == 3:
            filename, content, media_type = value
        else:
            filename, content = value
    else:
        content = value
    known_name, data = _read_content(content)
    name = filename or known_name or "upload"
    media = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, data, media


def _is_one_file(value: object) -> TypeGuard[FileTypes]:
    """Whether ``value`` is one file (content or a (name, content[, type]) tuple), not a list of
    files."""
    if not isinstance(value, (list, tuple)):
        return True
    if not isinstance(value, tuple) or len(value) not in (2, 3):
        return False
    name, content = value[0], value[1]
    readable = isinstance(content, (bytes, bytearray, os.PathLike)) or hasattr(content, "read")
    return (name is None or isinstance(name, str)) and readable


def prepare_files(files: Mapping[str, object] | None) -> list[FormFile] | None:
    """Read every file of a call once, so that each retry sends the same bytes.

    A list under one field name sends one part per file; a NOT_GIVEN field sends none.
    """
    if files is None:
        return None
    parts: list[FormFile] = []
    for field, value in files.items():
        if isinstance(value, NotGiven):
            continue
        items = [value] if _is_one_file(value) else cast("Sequence[FileTypes]", value)
        parts.extend((field, normalize_file(item)) for item in items)
    return parts


def build_request_spec(
    settings: ClientSettings,
    route: Route,
    fmt: str,
    *,
    path_params: Mapping[str, object] | None,
    query: Mapping[str, object] | None,
    body: object,
    files: list[FormFile] | None,
    options: RequestOptions,
    headers: Mapping[str, object] | None,
    accept: str,
    stream: bool = False,
) -> RequestSpec:
    """The method, URL, query, headers and body of one attempt at ``route`` in URL format
    ``fmt``."""
    method, path, route_query = route.build(fmt, path_params or {})
    callers = encode_query(query, route) + encode_query(options.extra_query)
    if settings.target == "lowcodeapi" and settings.url_format != "new":
        route.check_query("old", callers)  # "auto" may fall back to the old format: check up front
    params = list(route_query) + callers
    all_headers: dict[str, str] = {"accept": accept, "user-agent": USER_AGENT}
    if settings.target == "direct":
        all_headers.update({k.lower(): v for k, v in DIRECT_HEADERS.items()})
        if DIRECT_AUTH_HEADER:
            all_headers[DIRECT_AUTH_HEADER.lower()] = DIRECT_AUTH_PREFIX + (settings.api_key or "")
        if DIRECT_AUTH_QUERY:
            params.append((DIRECT_AUTH_QUERY, settings.api_key or ""))
    else:
        params.append(("api_token", settings.api_token or ""))
    for extra in (
        settings.default_headers,
        checked_headers(encode_headers(headers, route), "headers"),
        checked_headers(options.extra_headers, "extra_headers"),
    ):
        for key, value in extra.items():
            if value is None:
                all_headers.pop(key.lower(), None)
            else:
                all_headers[key.lower()] = value
    if route.betas:  # a beta-only family: its beta always goes, the caller's extend it
        all_headers[BETA_HEADER] = join_betas(route.betas, all_headers.get(BETA_HEADER))
    whole = (
        None if body is None or isinstance(body, (Mapping, NotGiven)) else body
    )  # an array or scalar body
    fields: dict[str, object] = {
        k: v
        for k, v in (body if isinstance(body, Mapping) else {}).items()
        if not isinstance(v, NotGiven)
    }
    fields.update(options.extra_body or {})
    if accept.startswith("text/event-stream"):
        fields["stream"] = (
            True  # Anthropic's switch to server-sent events; other streamed reads send no body
        )
    # The proxy expects a JSON body on every write; reads send one only when there is something in
    # it.
    payload: object = fields if fields or method in ("POST", "PUT", "PATCH") else None
    data: dict[str, list[str]] | None = None
    if files is not None or route.body == "multipart":
        # every part goes as a file entry, so httpx sends multipart even with no file in it
        files = multipart_fields(fields, route.encoding) + list(files or [])
        payload = None
    elif route.body == "form":
        data = form_fields(fields, route.encoding) if fields else None
        payload = None
    content: bytes | None = None
    media = route.media
    if isinstance(whole, (bytes, bytearray)):
        payload, data, content = None, None, bytes(whole)  # a binary body, sent as it is
        media = media if media and "json" not in media else "application/octet-stream"
    elif isinstance(whole, str) and media and "json" not in media:
        payload, data, content = None, None, whole.encode("utf-8")  # text/plain and the like
    elif whole is not None:
        payload, data = whole, None  # sent as the JSON document it is
    if media and (content is not None or ("json" in media and payload is not None)):
        all_headers.setdefault("content-type", media)  # declared: a vendor JSON, text/x-markdown
    timeout = (
        settings.timeout
        if isinstance(options.timeout, NotGiven)
        else checked_timeout(options.timeout)
    )
    return RequestSpec(
        method=method,
        url=settings.base_url + path,
        params=params,
        headers=all_headers,
        json=payload,
        data=data,
        files=files,
        content=content,
        timeout=timeout,
    )


# ------------------------------------------------------------------------------------ reading
# responses

_DATA_ENVELOPE_KEYS = frozenset({"data", "message", "provider", "response_headers", "status"})
_RESULT_ENVELOPE_KEYS = frozenset(
    {"result", "message", "provider", "response_headers", "status", "success"}
)


def decode_body(content: bytes, content_type: str) -> Any:
    """The body as JSON when it is JSON, else as text (``None`` when empty)."""
    if not content:
        return None
    looks_json = "json" in content_type.lower() or content[:1] in (b"{", b"[")
    if looks_json:
        try:
            return loads_json(content)
        except ValueError:
            pass
    return content.decode("utf-8", "replace")


def unwrap_envelope(value: Any) -> Any:
    """The provider's response inside a LowCodeAPI success envelope; anything else unchanged.

    Only a dict whose keys all belong to an envelope is unwrapped, so an Anthropic list
    (``{"data": [...], "has_more": ..., "first_id": ...}``) sent bare is kept whole.
    """
    if not isinstance(value, dict):
        return value
    keys = value.keys()
    if "result" in value and keys <= _RESULT_ENVELOPE_KEYS:
        return value["result"]
    if "data" in value and keys <= _DATA_ENVELOPE_KEYS:
        return value["data"]
    return value


def envelope_headers(body: Any) -> Mapping[str, Any] | None:
    """The upstream headers that a LowCodeAPI error envelope carries in its body, if any."""
    if isinstance(body, dict):
        headers = body.get("headers")
        if isinstance(headers, Mapping):
            return headers
    return None
