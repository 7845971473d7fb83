"""Response models: attribute access, lazy conversion, unknown fields and variants kept.

A model wraps the JSON object it came from. Reading an attribute converts that field on first use
(nested models, lists, discriminated unions) and caches it; fields the client does not know stay
reachable by attribute and in `to_dict()`, so a newer API never breaks an older client.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

Converter = Callable[[Any], Any]
M = TypeVar("M", bound="BaseModel")


class BaseModel:
    """A response object from the API."""

    __slots__ = ("_data", "_cache")
    _fields_: ClassVar[Mapping[str, tuple[str, Converter | None]]] = {}
    # Set on models that a union without a telling discriminator may have to pick by shape:
    _required_: ClassVar[tuple[str, ...]] = ()  # wire names the object must have
    _values_: ClassVar[Mapping[str, tuple[Any, ...]]] = {}  # wire name -> the only values allowed

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def parse(cls: type[M], raw: Any) -> M:
        """The model for a decoded JSON value; a value of another shape is returned as it is."""
        if isinstance(raw, cls):
            return raw
        if isinstance(raw, Mapping):
            return cls(raw)
        return raw  # type: ignore[no-any-return]  # tolerate a changed shape rather than fail

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        data: dict[str, Any] = object.__getattribute__(self, "_data")
        spec = type(self)._fields_.get(name)
        if spec is None:
            if name in data:
                return data[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        cache: dict[str, Any] = object.__getattribute__(self, "_cache")
        if name in cache:
            return cache[name]
        wire, convert = spec
        value = data.get(wire)
        if convert is not None and value is not None:
            with contextlib.suppress(Exception):  # a new shape must not make a field unreadable
                value = convert(value)
        cache[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__name__} is read-only; use to_dict() for a mutable copy"
        )

    def __getitem__(self, key: str) -> Any:
        return object.__getattribute__(self, "_data")[key]

    def __contains__(self, key: object) -> bool:
        return key in object.__getattribute__(self, "_data")

    def get(self, key: str, default: Any = None) -> Any:
        """The raw JSON value of a field by its wire name."""
        return object.__getattribute__(self, "_data").get(key, default)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, unknown fields included, as a fresh copy."""
        return copy.deepcopy(object.__getattribute__(self, "_data"))

    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON text of `to_dict()`."""
        return json.dumps(object.__getattribute__(self, "_data"), indent=indent, ensure_ascii=False)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(
            object.__getattribute__(other, "_data") == object.__getattribute__(self, "_data")
        )

    __hash__ = None  # type: ignore[assignment]  # models compare by value and are not hashable

    def __repr__(self) -> str:
        data = object.__getattribute__(self, "_data")
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in data.items())})"

    def __dir__(self) -> list[str]:
        return sorted(
            set(super().__dir__())
            | set(type(self)._fields_)
            | set(object.__getattribute__(self, "_data"))
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (object.__getattribute__(self, "_data"),))

    @classmethod
    def _fit(cls, value: Mapping[str, Any]) -> int:
        """How well a JSON object fits this model: -1 if a required key is missing or a key holds a
        value the model does not allow, else how many of the object's keys the model knows."""
        if any(key not in value for key in cls._required_):
            return -1
        if any(key in value and value[key] not in allowed for key, allowed in cls._values_.items()):
            return -1
        known = {wire for wire, _ in cls._fields_.values()}
        return sum(1 for key in value if key in known)


class UnknownModel(BaseModel):
    """A union variant this client does not know yet: kept whole, readable by attribute."""

    __slots__ = ()


class ListOf:
    """Converts each element of a list."""

    __slots__ = ("item",)

    def __init__(self, item: Converter) -> None:
        self.item = item

    def __call__(self, value: Any) -> Any:
        return [self.item(v) for v in value] if isinstance(value, list) else value


class DictOf:
    """Converts each value of a JSON object."""

    __slots__ = ("item",)

    def __init__(self, item: Converter) -> None:
        self.item = item

    def __call__(self, value: Any) -> Any:
        return {k: self.item(v) for k, v in value.items()} if isinstance(value, dict) else value


class UnionOf:
    """Decodes a oneOf/anyOf: by its discriminator when it tells one variant, else by shape (the
    variant whose required keys and allowed values the object has, knowing most of its keys)."""

    __slots__ = ("discriminator", "variants", "members")

    def __init__(
        self,
        discriminator: str | None,
        variants: Mapping[str, Converter | tuple[Converter, ...]],
        members: tuple[Converter, ...],
    ) -> None:
        self.discriminator = discriminator
        self.variants = variants
        self.members = members

    def __call__(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            options = self._options(value)
            if not options:
                return UnknownModel(value)
            best = max(options, key=lambda member: fit(member, value))  # the first of equals
            return best(value)
        if isinstance(value, list):
            for member in self.members:
                if isinstance(member, ListOf):
                    return member(value)
        return value

    def _options(self, value: Mapping[str, Any]) -> tuple[Converter, ...]:
        """The members that may decode a JSON object; empty for a variant this client does not
        know."""
        if self.discriminator is not None:
            tag = value.get(self.discriminator)
            found = self.variants.get(tag) if isinstance(tag, str) else None
            if found is not None:
                return found if isinstance(found, tuple) else (found,)
            nested = tuple(m for m in self.members if isinstance(m, (UnionOf, Lazy)))
            if self.variants and not nested:
                return ()
        objects = tuple(m for m in self.members if _takes_objects(m))
        return objects or (identity,)

    def fit(self, value: Mapping[str, Any]) -> int:
        """The best fit of the members that may decode `value` (see `BaseModel._fit`)."""
        return max((fit(member, value) for member in self._options(value)), default=-1)


def fit(member: Converter, value: Mapping[str, Any]) -> int:
    """How well a union member fits a JSON object: models and unions judge; others fit loosely."""
    owner = getattr(member, "__self__", None)
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        return owner._fit(value)
    if isinstance(member, Lazy):
        return fit(member.built(), value)
    if isinstance(member, UnionOf):
        return member.fit(value)
    return 0


def _takes_objects(member: Converter) -> bool:
    owner = getattr(member, "__self__", None)
    return isinstance(owner, type) or isinstance(member, (UnionOf, Lazy, DictOf))


class Lazy:
    """A converter built on first use, so that module-level converters may refer to later ones."""

    __slots__ = ("_build", "_built")

    def __init__(self, build: Callable[[], Converter]) -> None:
        self._build = build
        self._built: Converter | None = None

    def __call__(self, value: Any) -> Any:
        return self.built()(value)

    def built(self) -> Converter:
        """The converter, built on first use."""
        if self._built is None:
            self._built = self._build()
        return self._built


def list_of(item: Converter) -> Converter:
    """A converter for a list of `item`."""
    return ListOf(item)


def dict_of(item: Converter) -> Converter:
    """A converter for a JSON object whose values are `item`."""
    return DictOf(item)


def union_of(
    discriminator: str | None,
    variants: Mapping[str, Converter | tuple[Converter, ...]],
    members: tuple[Converter, ...],
) -> Converter:
    """A converter for a union."""
    return UnionOf(discriminator, variants, members)


def identity(value: Any) -> Any:
    """Values that need no conversion (scalars, free-form JSON)."""
    return value


def ignore(value: Any) -> None:
    """Responses without a body."""
    return None


def undeclared(value: Any) -> Any:
    """Responses of operations that declare no success answer: whatever came (JSON, text or
    None)."""
    return value
