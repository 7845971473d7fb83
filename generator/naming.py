"""Every rule that turns a spec string into a Python or CLI name lives here, and only here."""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import unicodedata

from .code import Code, ident

# Names a generated field or parameter must not take: they would shadow what annotations use.
SHADOWED = frozenset(
    {
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "list",
        "dict",
        "object",
        "Any",
        "Literal",
        "Union",
        "Mapping",
        "Sequence",
        "Required",
        "TypedDict",
        "TypeAlias",
        "FileTypes",
        "NotGiven",
        "NOT_GIVEN",
    }
)
BUILTINS = frozenset(dir(builtins))
# Builtins that every generated method's signature names (extra_headers: Mapping[str, str], timeout:
# float, max_retries: int, extra_query: Mapping[str, object], stream: bool, downloads -> bytes).
# mypy reads a method's annotations in its class's scope, so a method or child resource named so
# would shadow them.
SIGNATURE_BUILTINS = frozenset({"str", "int", "float", "object", "bool", "bytes"})
# Options that the generated CLI's commands add themselves (`--body`, `--max-items`,
# `-o/--output-file`, click's `--help`): an API field yields. tests/generator/test_naming.py ties it
# to the options the CLI runtime defines.
CLI_RESERVED = frozenset({"body", "help", "max-items", "output-file"})
# Module-level names that the generated resources.py, _client.py and types.py bind themselves
# (imports, the clients, the runtime's classes): a model class, a TypedDict or a resource class
# never takes one of them. tests/generator/test_naming.py checks this list against the modules a
# generation actually writes.
RESERVED_NAMES = frozenset(
    {
        "annotations",
        "os",
        "httpx",
        "Any",
        "Literal",
        "Required",
        "TypedDict",
        "TypeAlias",
        "Union",
        "Mapping",
        "Sequence",
        "TYPE_CHECKING",
        "cast",
        "overload",
        "cached_property",
        "FileTypes",
        "BaseModel",
        "SyncResource",
        "AsyncResource",
        "RequestOptions",
        "NotGiven",
        "NOT_GIVEN",
        "Stream",
        "AsyncStream",
        "SyncPage",
        "AsyncPaginator",
        "JSONLines",
        "AsyncJSONLines",
        "ROUTES",
        "Route",
        "SyncAPIClient",
        "AsyncAPIClient",
        "Client",
        "AsyncClient",
        "enum_value",
    }
)
# Attributes of the runtime's clients (and the constructor's options): a top-level resource named so
# gets a trailing underscore (`client.copy_`), so that it shadows no method. Tied to the runtime by
# the same test.
CLIENT_ATTRS = frozenset(
    {
        "close",
        "aclose",
        "copy",
        "with_options",
        "base_url",
        "timeout",
        "max_retries",
        "url_format",
        "target",
        "api_token",
        "api_key",
        "default_headers",
        "http_client",
    }
)
# Module names that resources.py's annotations use: a method or child resource named so would shadow
# them inside its class (mypy resolves annotations in the class body first).
ANNOTATION_MODULES = frozenset({"httpx", "os"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> tuple[str, ...]:
    """The words of a name in any style: camelCase, PascalCase, snake_case, kebab-case, prose."""
    return _words(text)


@functools.lru_cache(maxsize=65536)  # the same schema and field names are named again and again
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_ascii(text)))


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
    while (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name in reserved
        or name in SHADOWED
    ):
        name += "_"
    return name


class Namer:
    """Hands out unique names in one scope, deterministically: `name`, `name_2`, `name_3`..."""

    def __init__(
        self, reserved: frozenset[str] | set[str] = frozenset(), joiner: str = "_"
    ) -> None:
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
_VERBS = {
    "put": "update",
    "patch": "update",
    "delete": "delete",
    "head": "head",
    "options": "options",
    "trace": "trace",
}
# A dotted segment that names a method (Slack's `/conversations.archive`), not a file (`ips.json`).
_DOTTED_METHOD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+\Z")
_FILE_SUFFIXES = frozenset(
    {
        "json",
        "xml",
        "csv",
        "txt",
        "html",
        "yaml",
        "yml",
        "zip",
        "pdf",
        "png",
        "jpg",
        "atom",
        "rss",
        "js",
    }
)
# Segments that are actions on what precedes them (`POST /charges/{id}/capture`), not resources: the
# method name.
ACTION_WORDS = frozenset(
    {
        "accept",
        "activate",
        "apply",
        "approve",
        "archive",
        "attach",
        "authorize",
        "cancel",
        "capture",
        "clone",
        "close",
        "confirm",
        "copy",
        "deactivate",
        "decline",
        "deny",
        "detach",
        "disable",
        "dismiss",
        "download",
        "enable",
        "expire",
        "export",
        "finalize",
        "fork",
        "generate",
        "import",
        "invalidate",
        "lock",
        "mark",
        "merge",
        "move",
        "pause",
        "pay",
        "ping",
        "preview",
        "publish",
        "purge",
        "push",
        "query",
        "reactivate",
        "redeliver",
        "refresh",
        "reject",
        "release",
        "reopen",
        "rerun",
        "resend",
        "reset",
        "restore",
        "resume",
        "retry",
        "revoke",
        "rotate",
        "run",
        "schedule",
        "search",
        "send",
        "start",
        "stop",
        "submit",
        "subscribe",
        "suspend",
        "sync",
        "test",
        "transfer",
        "trigger",
        "unarchive",
        "unlock",
        "unpublish",
        "unsubscribe",
        "upload",
        "upsert",
        "validate",
        "verify",
        "void",
    }
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _plural(segment: str) -> bool:
    """A segment whose last word reads as a plural noun (`labels`, `line_items`), not `access`,
    `status`."""
    ws = [w.lower() for w in words(segment)]
    return bool(ws) and ws[-1].endswith("s") and not ws[-1].endswith(("ss", "us", "is"))


# A GET may be an action too (`GET /topics/search`); the other action words of a GET name resources.
_GET_ACTIONS = frozenset(
    {"search", "query", "list", "export", "download", "preview", "test", "ping"}
)


def _is_action(segment: str, method: str) -> bool:
    ws = words(segment)
    return bool(ws) and ws[0].lower() in (_GET_ACTIONS if method == "get" else ACTION_WORDS)


def derive_client_name(
    method: str,
    path: str,
    operation_id: str | None,
    tags: list[str],
    collections: frozenset[str] = frozenset(),
    id_names: frozenset[str] = frozenset(),
    returns_array: bool = False,
) -> list[str]:
    """A dotted client name for an operation without `x-client-name`: resource path + verb.

    `repos/get-content` style operationIds are used as they are; otherwise the REST shape of the
    path decides. An id position is a `{param}` or, in LowCodeAPI's old format
    (`/v1/files/file_id`), a literal segment spelled like one of `id_names` (the operation's
    parameters). GET is `retrieve` on an item or a singleton, `list` only on a collection (a plural
    last segment, or an array response); POST on a collection is `create`, POST/PUT/PATCH on an item
    `update`, DELETE `delete`; an action segment (`/cancel`, `/archive`, a POST right after an id
    that is no collection) is the method name itself, and so is the last part of a dotted method
    segment (`/conversations.archive`). `collections` holds the paths that some other path continues
    below (`/things/{id}/items`).
    """
    if operation_id and re.search(r"[/.]", operation_id):
        parts = [snake(p) for p in re.split(r"[/.]", operation_id) if p]
        if len(parts) >= 2:
            return parts
    ids = {_key(n) for n in id_names if _key(n)}
    segments = [s for s in path.split("?")[0].split("/") if s and not _VERSION.match(s)]
    shape: list[tuple[str, bool]] = []  # (segment, is an id position)
    for i, seg in enumerate(segments):
        is_id = seg.startswith("{") or (i > 0 and _key(seg) in ids)
        shape.append((seg, is_id))
    if (
        shape
        and not shape[-1][1]
        and _DOTTED_METHOD.match(shape[-1][0])
        and shape[-1][0].rsplit(".", 1)[1].lower() not in _FILE_SUFFIXES
    ):
        dotted = shape[-1][0].split(".")
        resource = [s for s, is_id in shape[:-1] if not is_id] + dotted[:-1]
        return [snake(s) for s in resource] + [snake(dotted[-1])]
    literal = [s for s, is_id in shape if not is_id]
    ends_with_id = bool(shape) and shape[-1][1]
    after_id = len(shape) >= 2 and shape[-2][1] and not ends_with_id
    last = literal[-1] if literal else ""
    base = path.split("?")[0].rstrip("/")
    is_collection = base in collections or _plural(last)
    action = (
        not ends_with_id
        and len(literal) >= 2
        and (_is_action(last, method) or (method == "post" and after_id and not is_collection))
    )
    if action:
        resource, verb = literal[:-1], snake(last)
    elif method == "get":
        resource = literal
        verb = (
            "retrieve"
            if ends_with_id
            or not (returns_array or _plural(last) or base in collections or not literal)
            else "list"
        )
    elif method == "post":
        resource, verb = literal, "update" if ends_with_id else "create"
    else:
        resource, verb = literal, _VERBS.get(method, method)
    names = [snake(s) for s in resource] or [snake(tags[0]) if tags else "default"]
    return names + [verb]
