"""The intermediate representation: what the templates see, and all they see.

Frozen dataclasses; every name in here is final (computed once by `normalize`). This module imports
no stage, so every stage can import it and imports run one way down the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .code import Code
from .expr import ANY, NONE, Call, Expr, Lambda, Name, Subscript, Type, flat, type_text, union

UrlFormat = Literal["direct", "new", "old"]
ResponseKind = Literal["json", "binary", "jsonl", "sse", "empty"]
BodyKind = Literal["json", "multipart", "form"]
ParamLocation = Literal["path", "query", "header", "body"]


@dataclass(frozen=True)
class Route:
    """One operation's three wire forms: Anthropic direct, LowCodeAPI new format, LowCodeAPI old
    format.

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
    # (location, wire name, style, explode) of each parameter whose style is not its location's
    # default
    styles: tuple[tuple[str, str, str, bool], ...] = ()
    reserved: tuple[str, ...] = ()  # query parameters whose values keep reserved characters


@dataclass(frozen=True)
class TypeRef:
    """A schema as Python sees it: the type for responses, for requests, and the runtime converter.

    `convert` is an expression over the generated types module (`None` when values pass unchanged).
    """

    py_type: Type
    param_type: Type
    convert: Expr | None
    nullable: bool = False
    enum_values: tuple[str, ...] = ()
    is_structured: bool = False  # objects and arrays: the CLI takes them as JSON
    is_binary: bool = False
    python_kind: str = (
        "any"  # str | int | float | bool | strs (a list of strings) | any: how the CLI parses it
    )
    refs: frozenset[str] = frozenset()  # keys of the models this type mentions
    # builtin names `annotation` uses (a method so named shadows them)
    builtins: frozenset[str] = frozenset()
    param_builtins: frozenset[str] = frozenset()  # the same for `param_annotation`
    parses_model: bool = False  # `convert` is a model class's `parse`: it returns `py_type` itself

    @property
    def annotation(self) -> Code:
        return type_text(self.py_type)

    @property
    def param_annotation(self) -> Code:
        return type_text(self.param_type)

    @property
    def converter(self) -> Code | None:
        return None if self.convert is None else flat(self.convert)

    @property
    def needs_cast(self) -> bool:
        """A converted value mypy cannot see as `py_type` (a model's parse returns its own
        class)."""
        return self.py_type != ANY and not self.parses_model

    @property
    def cli_kind(self) -> str:
        """How the CLI takes the value: files | file | strs | json | str | int | float | bool |
        any."""
        if self.is_binary:
            return "files" if self.is_structured else "file"
        if self.python_kind == "strs":
            return "strs"
        if self.is_structured:
            return "json"
        if self.enum_values:
            return "str"
        return self.python_kind if self.python_kind in ("int", "float", "bool", "str") else "any"


@dataclass(frozen=True)
class Field:
    """A property of an object schema."""

    wire_name: str
    py_name: Code
    type: TypeRef
    required: bool
    description: str

    @property
    def attribute_type(self) -> Type:
        """The model attribute's type: `None` too when the key may be missing."""
        t = self.type.py_type
        return t if self.required or self.type.nullable or t == ANY else union(t, NONE)

    @property
    def key_type(self) -> Type:
        """The TypedDict key's type: `Required[...]` when the key must be given."""
        return (
            Subscript(Code("Required"), (self.type.param_type,))
            if self.required
            else self.type.param_type
        )

    @property
    def key_annotation(self) -> Code:
        return type_text(self.key_type)


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
    decoded_by_shape: bool = (
        False  # a union member: the runtime may pick it by required keys and values
    )


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
    decoder: Expr | None = None  # the converter expression the alias's `_parse_` function wraps

    @property
    def alias_annotation(self) -> Code:
        """The members joined as written (a repeated one is kept: it is a member of its own)."""
        return Code(" | ".join(m.annotation for m in self.members))

    @property
    def param_alias_annotation(self) -> Code:
        return Code(" | ".join(m.param_annotation for m in self.members))

    @property
    def lazy_decoder(self) -> Expr:
        """`_m.Lazy(lambda: decoder)`: the converter bound once every class exists."""
        return Call(Name(Code("_m.Lazy")), (Lambda(self.decoder or Name(Code("_m.identity"))),))


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
    cli_aliases: tuple[
        str, ...
    ] = ()  # more option names: `--role` for `workspace_role` under `workspaces`
    enum_aliases: tuple[
        tuple[str, str], ...
    ] = ()  # x-enum-aliases: (accepted value, the value sent)
    style: str = (
        ""  # OpenAPI serialization of path, query and header values (simple, form, deepObject, ...)
    )
    explode: bool = False

    @property
    def signature_type(self) -> Type:
        """The parameter's type in a method signature: an optional one also takes NOT_GIVEN, and a
        query parameter `None` (sent as no value)."""
        if self.required:
            return self.type.param_type
        none = (NONE,) if self.location == "query" and not self.type.nullable else ()
        return union(self.type.param_type, *none, Name(Code("NotGiven")))


@dataclass(frozen=True)
class Body:
    """The request body: flattened into keyword parameters when it is an object with properties."""

    kind: BodyKind
    media_type: str
    fields: tuple[Param, ...]
    whole: Param | None  # a body that is not an object with properties is one `body` parameter
    required: bool
    # (field wire name, style ("" if not given), explode, content type) per `encoding` entry
    encoding: tuple[tuple[str, str, bool, str], ...] = ()
    declared_media: str = ""  # the Content-Type to send where it is not the kind's usual one


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
    declared_accept: str = ""  # the Accept to send where the kind's usual one would not name it


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
        """Everything but path parameters, required first: the keyword-only part of the
        signature."""
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

    def stream_returns(self, aw: bool) -> Type:
        """What a `stream=True` call of a stream-or-json method returns."""
        return Subscript(
            Code("AsyncStream" if aw else "Stream"),
            (_of(self.response.stream_event), _of(self.response.type)),
        )

    def returns(self, aw: bool, stream: str = "impl") -> Type:
        """The method's return type (`aw`: of the async client's method); for a stream-or-json
        method, of its overload `stream` ("false", "true", "bool" or the implementation "impl")."""
        of, kind, prefix = _of, self.kind, "Async" if aw else ""
        if kind == "stream-or-json":
            both = {"false": of(self.response.type), "true": self.stream_returns(aw)}
            return both.get(stream) or union(of(self.response.type), self.stream_returns(aw))
        returns: dict[str, Type] = {
            "page": Subscript(
                Code("AsyncPaginator" if aw else "SyncPage"),
                (of(self.pagination.item if self.pagination else None),),
            ),
            "json": of(self.response.type),
            "sse": Subscript(Code(prefix + "Stream"), (of(self.response.type), ANY)),
            "jsonl": Subscript(Code(prefix + "JSONLines"), (of(self.response.type),)),
            "binary": Name(Code("bytes")),
            "empty": NONE,
        }
        return returns[kind]


def _of(t: TypeRef | None) -> Type:
    return ANY if t is None else t.py_type


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
    direct_unconfigured: str = (
        ""  # why the direct target cannot be built (no direct auth configured)
    )


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
