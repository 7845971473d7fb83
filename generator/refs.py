"""`$ref`s: finding them, following them (chains included) and checking that each names something.

Every later stage follows references through `deref`; load reports the dangling ones, the cycles and
the over-long chains first, so the others may treat a bad one as empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, pointer_join
from .source import SpecText

# A $ref to a $ref to ...: every later stage follows such chains (deref, merge, the type of a
# schema), some recursively; a real spec has chains of one or two.
MAX_REF_CHAIN = 32


# Keys whose values are data, not OpenAPI: a `$ref` inside an example is text, not a reference.
_DATA_KEYS = frozenset({"example", "default", "const", "enum", "value"})


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` of a document, with the pointer of the object that holds it; data is skipped."""
    stack: list[tuple[Any, str]] = [(node, pointer)]
    while stack:
        current, ptr = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref, ptr
            for key, value in current.items():
                if (
                    isinstance(value, (dict, list))
                    and key not in _DATA_KEYS
                    and not str(key).startswith("x-")
                ):
                    stack.append((value, pointer_join(ptr, key)))
        elif isinstance(current, list):
            for i, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    stack.append((value, pointer_join(ptr, i)))


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node a local `#/...` reference names; KeyError when there is none."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    node = document
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(ref)
    return node


def deref(node: Any, document: dict[str, Any]) -> Any:
    """Follow local `$ref`s to the node they name; {} for a dangling one (load has reported it)."""
    for _ in range(MAX_REF_CHAIN + 1):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        try:
            node = resolve_pointer(document, node["$ref"])
        except KeyError:
            return {}
    return node


@dataclass(frozen=True)
class DocumentView:
    """A merged document as normalize and schemas read it: the one way they follow `$ref`s (load
    has reported the bad ones, so a dangling one reads as empty)."""

    data: dict[str, Any]

    def at(self, ref: str) -> Any:
        """The node a local `#/...` reference names; KeyError when there is none."""
        return resolve_pointer(self.data, ref)

    def deref(self, node: Any) -> Any:
        """`node` itself, or the node its `$ref` chain leads to ({} for a dangling one)."""
        return deref(node, self.data)

    def get(self, key: str) -> Any:
        """A top-level member (`paths`, `info`, ...), None when absent."""
        return self.data.get(key)


def check_refs(data: dict[str, Any], source: SpecText) -> Iterator[Diagnostic]:
    """External refs (warnings: typed as Any), dangling refs, cycles of bare refs and over-long
    chains (errors)."""
    seen: set[str] = set()
    long_chain_reported = False
    for ref, ptr in sorted(iter_refs(data), key=lambda r: r[1]):
        if not ref.startswith("#"):
            yield Diagnostic(
                "warning",
                "ref.external",
                f"external $ref {ref!r} is not followed: typed as Any",
                source.location(pointer_join(ptr, "$ref")),
            )
            continue
        if ref in seen:
            continue
        seen.add(ref)
        try:
            target = resolve_pointer(data, ref)
        except KeyError:
            yield _ref_error(
                source, "ref.dangling", f"$ref {ref!r} points to nothing", pointer_join(ptr, "$ref")
            )
            continue
        chain = [ref]
        while isinstance(target, dict) and isinstance(target.get("$ref"), str) and len(target) == 1:
            nxt = target["$ref"]
            if nxt in chain:
                yield _ref_error(
                    source,
                    "ref.cycle",
                    f"$ref cycle with no schema in it: {' -> '.join(chain + [nxt])}",
                    pointer_join(ptr, "$ref"),
                )
                break
            if len(chain) >= MAX_REF_CHAIN:
                if not long_chain_reported:  # one chain: one error, not one per link
                    long_chain_reported = True
                    yield _ref_error(
                        source,
                        "ref.chain-too-long",
                        f"$ref {ref!r} leads through more than {MAX_REF_CHAIN} $refs to nothing but"
                        " $refs",
                        pointer_join(ptr, "$ref"),
                    )
                break
            chain.append(nxt)
            try:
                target = resolve_pointer(data, nxt)
            except KeyError:
                break  # reported when the walk reaches that ref itself


def _ref_error(source: SpecText, code: str, message: str, pointer: str) -> Diagnostic:
    return Diagnostic("error", code, message, source.location(pointer))
