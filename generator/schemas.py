"""JSON Schema to Python types: one `TypeRef` per schema use, one model per named or inline object.

Response side: model classes (attribute access, lazy conversion). Request side: TypedDicts. Unions
(schema_unions.py) are decoded by their discriminator. What cannot be typed degrades to `Any` with a
warning; nothing is dropped.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any

from .code import Code, py_literal
from .diagnostics import pointer_join
from .expr import NONE, Call, Literal, Name, subscript
from .ir import Field, Model, ObjectModel, TypeRef, UnionModel
from .naming import RESERVED_NAMES, SHADOWED, Namer, pascal, safe, snake
from .refs import DocumentView
from .schema_unions import ANY, PendingModel, as_nullable, combine, union_of

MODEL_ATTRS = frozenset({"parse", "to_dict", "to_json", "get"})

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_STR = Name(Code("str"))
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


class TypeBuilder:
    """Builds TypeRefs for schema uses and collects the models they need."""

    def __init__(self, document: DocumentView, warn: Callable[[str, str], None]) -> None:
        self.doc = document
        self.warn = warn
        self.namer = Namer(RESERVED_NAMES, joiner="")
        self.pending: dict[str, PendingModel] = {}
        self.shaped: set[str] = set()  # keys of the models that are members of a union
        self._inlining: set[str] = set()

    def type_of(self, schema: Any, pointer: str, context: str) -> TypeRef:
        """The type of a schema found at `pointer`; `context` names inline models
        (`MessageUsage`)."""
        if schema is True or schema is None or not isinstance(schema, dict) or not schema:
            return ANY
        if isinstance(schema.get("$ref"), str):
            return self._ref(schema["$ref"], context)
        nullable = schema.get("nullable") is True
        kind = schema.get("type")
        if isinstance(kind, list):
            nullable = nullable or "null" in kind
            kinds = [k for k in kind if k != "null"]
            if len(kinds) > 1:
                members = [self.type_of({**schema, "type": k}, pointer, context) for k in kinds]
                return as_nullable(union_of(members, None, ()), nullable)
            kind = kinds[0] if kinds else "null"
        # legal, but no Literal can say it
        if "const" in schema and isinstance(schema["const"], (dict, list)):
            self.warn(pointer, "const is an object or array: typed as Any")
            return ANY
        if "const" in schema:
            return as_nullable(self._literal([schema["const"]]), nullable)
        if isinstance(schema.get("enum"), list):
            values = [v for v in schema["enum"] if v is not None]
            nullable = nullable or None in schema["enum"]
            if values and all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in values
            ):
                return as_nullable(self._literal(values), nullable)
        for combiner in ("oneOf", "anyOf"):
            if isinstance(schema.get(combiner), list) and schema[combiner]:
                return as_nullable(
                    combine(
                        self.type_of, self.pending, self.shaped, schema, combiner, pointer, context
                    ).type,
                    nullable,
                )
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            if len(schema["allOf"]) == 1 and not schema.get("properties"):
                return as_nullable(
                    self.type_of(schema["allOf"][0], pointer_join(pointer, "allOf", 0), context),
                    nullable,
                )
            return as_nullable(self._named(pointer, context, schema), nullable)
        if kind == "object" or (kind is None and isinstance(schema.get("properties"), dict)):
            if schema.get("properties"):
                return as_nullable(self._named(pointer, context, schema), nullable)
            extra = schema.get("additionalProperties")
            inner = (
                self.type_of(
                    extra, pointer_join(pointer, "additionalProperties"), context + "Value"
                )
                if isinstance(extra, dict)
                else ANY
            )
            conv = Call(Name(Code("_m.dict_of")), (inner.convert,)) if inner.convert else None
            return as_nullable(
                TypeRef(
                    subscript("dict", _STR, inner.py_type),
                    subscript("Mapping", _STR, inner.param_type),
                    conv,
                    is_structured=True,
                    refs=inner.refs,
                    builtins=inner.builtins | {"dict", "str"},
                    param_builtins=inner.param_builtins | {"str"},
                ),
                nullable,
            )
        if kind == "array" or (kind is None and "items" in schema):
            inner = self.type_of(
                schema.get("items"), pointer_join(pointer, "items"), context + "Item"
            )
            conv = Call(Name(Code("_m.list_of")), (inner.convert,)) if inner.convert else None
            param = subscript(
                "Sequence", Name(Code("FileTypes")) if inner.is_binary else inner.param_type
            )
            # A list of plain strings is a repeatable CLI option (`--beta a --beta b`) besides JSON.
            strs = inner.python_kind == "str" and not (inner.is_structured or inner.is_binary)
            return as_nullable(
                TypeRef(
                    subscript("list", inner.py_type),
                    param,
                    conv,
                    is_structured=True,
                    is_binary=inner.is_binary,
                    refs=inner.refs,
                    python_kind="strs" if strs else "any",
                    builtins=inner.builtins | {"list"},
                    param_builtins=inner.param_builtins,
                ),
                nullable,
            )
        if kind == "string" and schema.get("format") == "binary":
            return as_nullable(
                TypeRef(
                    Name(Code("bytes")),
                    Name(Code("FileTypes")),
                    None,
                    is_binary=True,
                    builtins=frozenset({"bytes"}),
                ),
                nullable,
            )
        if isinstance(kind, str) and kind in _SCALARS:
            name = Code(_SCALARS[kind])
            used = frozenset({str(name)})
            return as_nullable(
                TypeRef(
                    Name(name),
                    Name(name),
                    None,
                    python_kind=name,
                    builtins=used,
                    param_builtins=used,
                ),
                nullable,
            )
        if kind == "null":
            return TypeRef(NONE, NONE, None, nullable=True)
        if kind is not None:
            self.warn(pointer, f"unknown schema type {kind!r}: typed as Any")
        return ANY

    def models(
        self, request_roots: list[TypeRef], response_roots: list[TypeRef]
    ) -> tuple[Model, ...]:
        """Every model, flagged by whether requests and/or responses reach it, sorted by class
        name."""
        req, res = self._reach(request_roots), self._reach(response_roots)
        out: list[Model] = []
        for p in sorted(self.pending.values(), key=lambda p: p.class_name):
            in_req, in_res = p.key in req, p.key in res
            if not (in_req or in_res):
                continue
            param = p.param_name if in_req else None
            if p.union is None:
                plain = all(
                    _IDENT.match(f.wire_name)
                    and not keyword.iskeyword(f.wire_name)
                    and f.wire_name not in SHADOWED
                    for f in p.fields
                )
                out.append(
                    ObjectModel(
                        p.schema_name,
                        p.class_name,
                        param,
                        p.description,
                        p.fields,
                        in_res,
                        in_req,
                        plain,
                        decoded_by_shape=p.key in self.shaped,
                    )
                )
            else:
                u = p.union
                decoder = u.type.convert if u.type.convert and not u.type.nullable else None
                out.append(
                    UnionModel(
                        p.schema_name,
                        p.class_name,
                        param,
                        p.description,
                        u.members,
                        u.discriminator,
                        u.variants,
                        in_res,
                        in_req,
                        decoder,
                    )
                )
        return tuple(out)

    def namer_taken(self) -> tuple[str, ...]:
        """Every class name the models took (resource classes must not take them)."""
        return tuple(sorted(n for p in self.pending.values() for n in (p.class_name, p.param_name)))

    def item_type(self, page: TypeRef, field_name: str) -> TypeRef | None:
        """The item type of a page model's array field (`data`), or None when `page` is no such
        model."""
        if len(page.refs) != 1:
            return None
        key = next(iter(page.refs))
        try:
            schema = self._merge_all_of(
                self.doc.at(key if key.startswith("#") else "#" + key)
            )
        except KeyError:
            return None
        prop = (schema.get("properties") or {}).get(field_name)
        prop = (
            self.doc.at(prop["$ref"])
            if isinstance(prop, dict) and isinstance(prop.get("$ref"), str)
            else prop
        )
        if not isinstance(prop, dict) or "items" not in prop:
            return None
        p = self.pending.get(key)
        return self.type_of(
            prop["items"],
            pointer_join(key, "properties", field_name, "items"),
            (p.class_name if p else "Page") + "Item",
        )

    def _reach(self, roots: list[TypeRef]) -> set[str]:
        seen: set[str] = set()
        stack = [k for r in roots for k in r.refs]
        while stack:
            key = stack.pop()
            if key not in seen and key in self.pending:
                seen.add(key)
                stack.extend(self.pending[key].refs)
        return seen

    def _literal(self, values: list[Any]) -> TypeRef:
        body = Literal(tuple(py_literal(v) for v in values))
        first = values[0]
        kind = (
            "bool"
            if isinstance(first, bool)
            else "int"
            if isinstance(first, int)
            else "str"
            if isinstance(first, str)
            else "any"
        )
        # a partial list would mislead
        strings = tuple(values) if all(isinstance(v, str) for v in values) else ()
        return TypeRef(body, body, None, enum_values=strings, python_kind=kind)

    def _ref(self, ref: str, context: str) -> TypeRef:
        try:
            target = self.doc.at(ref)
        except KeyError:
            self.warn(ref, "unresolvable $ref: typed as Any")
            return ANY
        name = ref.rsplit("/", 1)[-1]
        if (
            ref.startswith("#/components/schemas/")
            and isinstance(target, dict)
            and self._is_model(target)
        ):
            return self._named(ref, name, target)
        if ref in self._inlining:
            return ANY  # a recursive alias has no finite inline type
        self._inlining.add(ref)
        try:
            return self.type_of(target, ref, pascal(name))
        finally:
            self._inlining.discard(ref)

    @staticmethod
    def _is_model(schema: dict[str, Any]) -> bool:
        if schema.get("properties") or (
            isinstance(schema.get("allOf"), list) and len(schema["allOf"]) > 1
        ):
            return True
        members = schema.get("oneOf") or schema.get("anyOf")
        return isinstance(members, list) and len([m for m in members if m != {"type": "null"}]) > 1

    def _names(self, name: str) -> tuple[Code, Code]:
        base = pascal(name)
        if base.endswith(("Param", "Params")):
            return self.namer.take(base + "Model"), self.namer.take(base)
        class_name = self.namer.take(base)
        return class_name, self.namer.take(class_name + "Param")

    def _named(self, key: str, name: str, schema: dict[str, Any]) -> TypeRef:
        p = self.pending.get(key)
        if p is None:
            class_name, param_name = self._names(name)
            members = schema.get("oneOf") or schema.get("anyOf")
            is_union = isinstance(members, list) and not schema.get("properties")
            p = PendingModel(
                key,
                name,
                class_name,
                param_name,
                "union" if is_union else "object",
                str(schema.get("description") or ""),
            )
            self.pending[key] = p  # registered before its children: recursion ends here
            if is_union:
                p.union = combine(
                    self.type_of,
                    self.pending,
                    self.shaped,
                    schema,
                    "oneOf" if "oneOf" in schema else "anyOf",
                    key,
                    class_name,
                )
                p.refs = p.union.type.refs
            else:
                p.fields = self._fields(self._merge_all_of(schema), key, class_name)
                p.refs = frozenset().union(*(f.type.refs for f in p.fields))
        conv = f"{p.class_name}.parse" if p.kind == "object" else f"_parse_{p.class_name}"
        return TypeRef(
            Name(p.class_name),
            Name(p.param_name),
            Name(Code(conv)),
            is_structured=True,
            refs=frozenset({key}),
            parses_model=p.kind == "object",
        )

    def _merge_all_of(
        self, schema: dict[str, Any], seen: frozenset[int] = frozenset()
    ) -> dict[str, Any]:
        """allOf parts folded into one object: properties and required lists united, in order.

        A part already being merged (an allOf cycle) is skipped: it adds nothing new."""
        if not isinstance(schema.get("allOf"), list) or id(schema) in seen:
            return schema if id(schema) not in seen else {}
        seen = seen | {id(schema)}
        props: dict[str, Any] = {}
        required: list[str] = []
        description = schema.get("description")
        for part in schema["allOf"] + [{k: v for k, v in schema.items() if k != "allOf"}]:
            for _ in range(20):
                if not (isinstance(part, dict) and isinstance(part.get("$ref"), str)):
                    break
                try:
                    part = self.doc.at(part["$ref"])
                except KeyError:
                    part = {}
            if not isinstance(part, dict):
                continue
            part = self._merge_all_of(part, seen)
            props.update(part.get("properties") or {})
            required += [r for r in part.get("required") or [] if r not in required]
            description = description or part.get("description")
        return {
            "type": "object",
            "properties": props,
            "required": required,
            "description": description or "",
        }

    def _fields(self, schema: dict[str, Any], pointer: str, class_name: str) -> tuple[Field, ...]:
        required = set(schema.get("required") or [])
        namer = Namer(MODEL_ATTRS)
        out = []
        for wire, prop in (schema.get("properties") or {}).items():
            t = self.type_of(
                prop, pointer_join(pointer, "properties", wire), class_name + pascal(str(wire))
            )
            desc = str(prop.get("description") or "") if isinstance(prop, dict) else ""
            out.append(
                Field(
                    str(wire),
                    namer.take(safe(snake(str(wire)), MODEL_ATTRS)),
                    t,
                    wire in required,
                    desc,
                )
            )
        return tuple(out)
