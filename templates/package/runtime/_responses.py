"""Success answers checked against what the operation declares: JSON of the declared shape, or an
error.

An HTML page, truncated JSON, an empty body or ``{"data": "text"}`` where a model is expected would
otherwise come back as a string or None where the caller's code expects an object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import APIError, APIResponseValidationError, loads_json
from ._http import unwrap_envelope
from ._models import BaseModel, DictOf, Lazy, ListOf, UnionOf
from ._pagination import PageInfo, parse_page
from ._redact import display_url, redact

if TYPE_CHECKING:
    import httpx

__all__ = ["invalid_answer", "json_answer", "page_answer", "shape_problem"]

_SHOWN = 200  # characters of the body quoted in the message (the whole body is on the error)

Shape = tuple[type, ...]


def _shape(cast: Callable[[Any], Any]) -> Shape | None:
    """The JSON types that ``cast`` turns into what it declares; None when any value will do."""
    owner = getattr(cast, "__self__", None)
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        return (Mapping,)
    if isinstance(cast, ListOf):
        return (list,)
    if isinstance(cast, DictOf):
        return (dict,)
    if isinstance(cast, Lazy):
        return _shape(cast.built())
    if isinstance(cast, UnionOf):
        shapes = [_shape(member) for member in cast.members]
        if not shapes or any(shape is None for shape in shapes):
            return None
        return tuple(kind for shape in shapes if shape is not None for kind in shape)
    return None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "an object"


def shape_problem(cast: Callable[[Any], Any], value: object) -> str | None:
    """Why ``value`` cannot be what ``cast`` declares (``"a string where an object is
    expected"``)."""
    shape = _shape(cast)
    if shape is None or isinstance(value, shape):
        return None
    wanted = " or ".join(sorted({"a list" if k is list else "an object" for k in shape}))
    return f"{_kind(value)} where {wanted} is expected"


def invalid_answer(response: httpx.Response, problem: str, text: str | None = None) -> APIError:
    """The error for a 2xx ``response`` that is not what was declared; ``text`` defaults to its
    body."""
    if text is None:
        text = response.content.decode("utf-8", "replace")
    body = redact(text)
    url = display_url(response.request.url)
    shown = f": {body[:_SHOWN]!r}" if body.strip() else ""
    return APIResponseValidationError(
        f"Invalid response from {url} (HTTP {response.status_code}): {problem}{shown}",
        status_code=response.status_code,
        body=body,
        url=url,
    )


def json_answer(response: httpx.Response, cast: Callable[[Any], Any], *, unwrap: bool) -> Any:
    """The JSON value of a read ``response`` (unwrapped from the LowCodeAPI envelope when
    ``unwrap``), checked to be of the shape that ``cast`` declares."""
    content = response.content
    if not content.strip():
        raise invalid_answer(response, "an empty body where JSON is expected")
    try:
        value = loads_json(content)
    except ValueError:  # UnicodeDecodeError included
        media = response.headers.get("content-type", "") or "no content type"
        raise invalid_answer(response, f"not valid JSON ({media})") from None
    if unwrap:
        value = unwrap_envelope(value)
    problem = shape_problem(cast, value)
    if problem is not None:
        raise invalid_answer(response, problem)
    return value


def page_answer(
    response: httpx.Response, item_cast: Callable[[Any], Any], *, unwrap: bool
) -> PageInfo:
    """A list answer's page: a JSON list, or an object whose ``data`` is a list of items of the
    shape that ``item_cast`` declares."""
    raw = json_answer(response, lambda value: value, unwrap=unwrap)
    try:
        info = parse_page(raw)
    except APIError:
        raise invalid_answer(response, f"{_kind(raw)} that is not a list page") from None
    for item in info.items:
        problem = shape_problem(item_cast, item)
        if problem is not None:
            raise invalid_answer(response, f"a list item that is {problem}")
    return info
