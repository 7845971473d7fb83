"""Every rule that turns a spec string into a Python or CLI name lives here, and only here."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

from .code import Code, ident

# Names a generated field or parameter must not take: they would shadow what annotations use.
SHADOWED = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "object", "Any", "Literal", "Union",
                      "Mapping", "Sequence", "Required", "TypedDict", "TypeAlias", "FileTypes", "NotGiven", "NOT_GIVEN"})
BUILTINS = frozenset(dir(builtins))
# Module-level names that the generated resources.py, _client.py and types.py bind themselves (imports, the
# clients, the runtime's classes): a model class, a TypedDict or a resource class never takes one of them.
# tests/generator/test_naming.py checks this list against the modules a generation actually writes.
RESERVED_NAMES = frozenset({
    "annotations", "os", "httpx", "Any", "Literal", "Required", "TypedDict", "TypeAlias", "Union", "Mapping",
    "Sequence", "TYPE_CHECKING", "cast", "overload", "cached_property", "FileTypes", "BaseModel", "SyncResource",
    "AsyncResource", "RequestOptions", "NotGiven", "NOT_GIVEN", "Stream", "AsyncStream", "SyncPage", "AsyncPaginator",
    "JSONLines", "AsyncJSONLines", "ROUTES", "Route", "SyncAPIClient", "AsyncAPIClient", "Client", "AsyncClient",
    "enum_value",
})
# Attributes of the runtime's clients (and the constructor's options): a top-level resource named so gets a
# trailing underscore (`client.copy_`), so that it shadows no method. Tied to the runtime by the same test.
CLIENT_ATTRS = frozenset({"close", "aclose", "copy", "with_options", "base_url", "timeout", "max_retries", "url_format",
                          "target", "api_token", "api_key", "default_headers", "http_client"})
# Module names that resources.py's annotations use: a method or child resource named so would shadow them
# inside its class (mypy resolves annotations in the class body first).
ANNOTATION_MODULES = frozenset({"httpx", "os"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """The words of a name in any style: camelCase, PascalCase, snake_case, kebab-case, prose."""
    return _WORD.findall(_ascii(text))


def snake(text: str, fallback: str = "value") -> str:
    """snake_case ASCII, never empty, never starting with a digit."""
    out = "_".join(w.lower() for w in words(text)) or fallback
    return f"n{out}" if out[0].isdigit() else out


def pascal(text: str, fallback: str = "Model") -> str:
    """PascalCase ASCII, never empty, never starting with a digit."""
    out = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    out = f"N{out}" if out[0].isdigit() else out
    return out + "_" if keyword.iskeyword(out) else out  # `False`, `None`, `True`


def kebab(text: str) -> str:
    """kebab-case for CLI commands and options."""
    return snake(text).replace("_", "-")


def safe(name: str, reserved: frozenset[str] | set[str] = frozenset()) -> str:
    """A name that is not a keyword, a soft keyword, or reserved in its scope: suffixed with `_`."""
    while keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in reserved or name in SHADOWED:
        name += "_"
    return name


class Namer:
    """Hands out unique names in one scope, deterministically: `name`, `name_2`, `name_3`..."""

    def __init__(self, reserved: frozenset[str] | set[str] = frozenset(), joiner: str = "_") -> None:
        self._taken = set(reserved)
        self._joiner = joiner

    def take(self, name: str) -> Code:
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{name}{self._joiner}{n}"
        self._taken.add(candidate)
        return ident(candidate)

    def __contains__(self, name: str) -> bool:
        return name in self._taken


_VERSION = re.compile(r"(v\d+(\.\d+)*|api)\Z", re.I)
_VERBS = {"get": "list", "post": "create", "put": "update", "patch": "update", "delete": "delete",
          "head": "head", "options": "options", "trace": "trace"}


def derive_client_name(method: str, path: str, operation_id: str | None, tags: list[str],
                       collections: frozenset[str] = frozenset()) -> list[str]:
    """A dotted client name for an operation without `x-client-name`: resource path + method.

    `repos/get-content` style operationIds are used as they are; otherwise the REST shape of the path
    decides (`GET /v1/things/{id}` is `things.retrieve`, `POST /things/{id}/cancel` is `things.cancel`,
    but `POST /things/{id}/items` is `things.items.create` when `collections` holds that path, i.e. some
    other path continues below it).
    """
    if operation_id and re.search(r"[/.]", operation_id):
        parts = [snake(p) for p in re.split(r"[/.]", operation_id) if p]
        if len(parts) >= 2:
            return parts
    segments = [s for s in path.split("?")[0].split("/") if s]
    literal = [s for s in segments if not s.startswith("{") and not _VERSION.match(s)]
    ends_with_param = bool(segments) and segments[-1].startswith("{")
    base = path.split("?")[0].rstrip("/")
    is_action = base not in collections  # `/things/{id}/cancel` is an action; `/things/{id}/items` a collection
    if method == "post" and len(segments) >= 2 and not ends_with_param and segments[-2].startswith("{") and literal and is_action:
        resource, verb = literal[:-1], snake(literal[-1])
    else:
        resource = literal
        verb = "retrieve" if method == "get" and ends_with_param else _VERBS.get(method, method)
    names = [snake(s) for s in resource] or [snake(tags[0]) if tags else "default"]
    return names + [verb]
