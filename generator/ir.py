"""The intermediate representation: what the templates see, and all they see.

Frozen dataclasses; every name in here is final (computed once by `normalize`). This module imports no
stage, so every stage can import it and imports run one way down the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .code import Code

UrlFormat = Literal["direct", "new", "old"]
ResponseKind = Literal["json", "binary", "jsonl", "sse", "empty"]
BodyKind = Literal["json", "multipart", "form"]
ParamLocation = Literal["path", "query", "header", "body"]


@dataclass(frozen=True)
class Route:
    """One operation's three wire forms: Anthropic direct, LowCodeAPI new format, LowCodeAPI old format.

    Templates use the operation's own (canonical) parameter names; `old_query` pairs an old-format
    query name with the parameter whose value it carries.
    """

    name: str
    method: str
    direct_method: str
    direct: str
    new: str
    old: str
    old_query: tuple[tuple[str, str], ...]
    betas: tuple[str, ...] = ()  # `anthropic-beta` values always sent (`x-default-betas`)
    lowcodeapi_routed: bool = True  # False: the proxy's snapshot lacks it; a router 404 says so
    # (location, wire name, style, explode) of each parameter whose style is not its location's default
    styles: tuple[tuple[str, str, str, bool], ...] = ()


@dataclass(frozen=True)
class TypeRef:
    """A schema as Python sees it: the annotation for responses, for requests, and the runtime converter.

    `converter` is an expression over the generated types module (`None` when values pass unchanged).
    """

    annotation: Code
    param_annotation: Code
    converter: Code | None
    nullable: bool = False
    enum_values: tuple[str, ...] = ()
    is_structured: bool = False  # objects and arrays: the CLI takes them as JSON
    is_binary: bool = False
    python_kind: str = "any"  # str | int | float | bool | strs (a list of strings) | any: how the CLI parses it
    refs: frozenset[str] = frozenset()  # keys of the models this type mentions
    builtins: frozenset[str] = frozenset()  # builtin names `annotation` uses (a method so named shadows them)
    param_builtins: frozenset[str] = frozenset()  # the same for `param_annotation`


@dataclass(frozen=True)
class Field:
    """A property of an object schema."""

    wire_name: str
    py_name: Code
    type: TypeRef
    required: bool
    description: str


@dataclass(frozen=True)
class ObjectModel:
    """A response model class and, when requests use the schema, its TypedDict twin."""

    schema_name: str
    class_name: Code
    param_name: Code | None
    description: str
    fields: tuple[Field, ...]
    in_responses: bool
    in_requests: bool
    param_class_syntax: bool = True  # every key is a plain identifier: `class X(TypedDict)` works
    decoded_by_shape: bool = False  # a union member: the runtime may pick it by required keys and values


@dataclass(frozen=True)
class UnionModel:
    """A oneOf/anyOf: decoded by a discriminator where there is one; unknown variants are kept."""

    schema_name: str
    class_name: Code
    param_name: Code | None
    description: str
    members: tuple[TypeRef, ...]
    discriminator: str | None
    variants: tuple[tuple[str, Code], ...]  # (discriminator value, class name)
    in_responses: bool
    in_requests: bool
    decoder: Code | None = None  # the converter expression the alias's `_parse_` function wraps


@dataclass(frozen=True)
class AliasModel:
    """A named schema that is a plain type (an enum, a list, a scalar)."""

    schema_name: str
    class_name: Code
    param_name: Code | None
    description: str
    target: TypeRef
    in_responses: bool
    in_requests: bool


Model = ObjectModel | UnionModel | AliasModel


@dataclass(frozen=True)
class Param:
    """A request input as the method signature and the CLI see it."""

    wire_name: str
    py_name: Code
    cli_name: str
    location: ParamLocation
    type: TypeRef
    required: bool
    description: str
    default: Code | None = None
    cli_aliases: tuple[str, ...] = ()  # more option names: `--role` for `workspace_role` under `workspaces`
    enum_aliases: tuple[tuple[str, str], ...] = ()  # x-enum-aliases: (accepted value, the value sent)
    style: str = ""  # OpenAPI serialization of path, query and header values (simple, form, deepObject, ...)
    explode: bool = False


@dataclass(frozen=True)
class Body:
    """The request body: flattened into keyword parameters when it is an object with properties."""

    kind: BodyKind
    media_type: str
    fields: tuple[Param, ...]
    whole: Param | None  # a body that is not an object with properties is one `body` parameter
    required: bool


@dataclass(frozen=True)
class Pagination:
    """Cursor pagination: the page schema and the item type."""

    item: TypeRef
    cursor_param: str  # the query parameter that takes the next cursor (after_id)


@dataclass(frozen=True)
class Response:
    """What a successful call returns."""

    kind: ResponseKind
    type: TypeRef | None
    stream_event: TypeRef | None = None  # for operations with a `stream` switch (x-streaming: sse)
    declared: bool = True  # False: no success answer is declared, so any body (or none) is taken


@dataclass(frozen=True)
class Operation:
    """One API operation, fully named: `client.<resource path>.<method_name>(...)`."""

    key: str  # dotted client name, the key of the route table
    method_name: Code
    cli_name: str
    http_method: str
    path: str  # the merged document's path key
    summary: str
    description: str
    deprecated: bool
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    header_params: tuple[Param, ...]
    body: Body | None
    response: Response
    pagination: Pagination | None
    route: Route
    source: str  # "both" | "documented" | "snapshot" | "spec"
    to_file_name: Code | None = None  # binary downloads also get `<name>_to_file`
    tag: str = ""
    stream_switch: Param | None = None  # the `stream` body field of x-streaming operations

    @property
    def keyword_params(self) -> tuple[Param, ...]:
        """Everything but path parameters, required first: the keyword-only part of the signature."""
        params = self.query_params + self.header_params
        if self.body is not None:
            params += self.body.fields + ((self.body.whole,) if self.body.whole else ())
        return tuple(p for p in params if p.required) + tuple(p for p in params if not p.required)

    @property
    def kind(self) -> str:
        """How the method returns: page | stream-or-json | json | binary | jsonl | sse | empty."""
        if self.pagination is not None:
            return "page"
        if self.stream_switch is not None:
            return "stream-or-json"
        return self.response.kind


@dataclass(frozen=True)
class Resource:
    """A node of the resource tree (`organizations.workspaces.members`)."""

    attr: Code  # attribute name on the parent
    path: tuple[str, ...]
    class_name: Code
    async_class_name: Code
    description: str
    operations: tuple[Operation, ...]
    children: tuple[Resource, ...]
    cli_name: str = ""  # the CLI group (kebab-case); the root's is `Api.cli_command`


@dataclass(frozen=True)
class Provider:
    """Where and how the client talks: the LowCodeAPI proxy and the provider's own API."""

    name: str
    lowcodeapi_base_url: str
    direct_base_url: str
    token_env: str
    api_key_env: str
    base_url_env: str
    direct_base_url_env: str
    direct_auth_header: str
    direct_headers: tuple[tuple[str, str], ...]
    old_format_rule: str
    direct_auth_prefix: str = ""  # "Bearer " for HTTP bearer / OAuth2 schemes
    direct_auth_query: str = ""  # an apiKey scheme that travels in the query
    direct_unconfigured: str = ""  # why the direct target cannot be built (no direct auth configured)


@dataclass(frozen=True)
class InputFile:
    """An input spec as the header line names it."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Api:
    """The whole API: what one target generates."""

    package: Code
    distribution: str
    cli_command: str
    title: str
    description: str
    version: str
    package_version: str  # PEP 440: what the generated pyproject.toml declares
    provider: Provider
    root: Resource
    operations: tuple[Operation, ...]
    models: tuple[Model, ...]
    inputs: tuple[InputFile, ...]
    warnings: tuple[str, ...] = field(default=())
