"""Reading spec files: bytes to Python data, with syntax errors and pointers located by line."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from .diagnostics import Location, fail, pointer_join

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C loader where built


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe YAML that keeps dates as the strings they are in JSON (OpenAPI has no date type)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class SpecText:
    """A spec file as read: its name for messages, its text, its parsed data and its sha256."""

    path: str
    text: str
    data: Any
    sha256: str
    is_json: bool
    _lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def location(self, pointer: str = "") -> Location:
        """A location for a JSON pointer in this file, with its line when the text gives one."""
        return Location(self.path, pointer, self.line_of(pointer))

    def line_of(self, pointer: str) -> int | None:
        """The 1-based line where the node at `pointer` starts, found by composing the YAML tree."""
        node = self._tree
        if node is None:
            return None
        parts = (
            [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
            if pointer
            else []
        )
        line = node.start_mark.line + 1
        for part in parts:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        line, node = key_node.start_mark.line + 1, value_node
                        break
                else:
                    return line
            elif (
                isinstance(node, yaml.SequenceNode)
                and part.isdigit()
                and int(part) < len(node.value)
            ):
                node = node.value[int(part)]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    @cached_property
    def _tree(self) -> yaml.Node | None:
        text = self.text
        # JSON's escaped surrogate pairs are not YAML: same length, no newline, no meaning
        if self.is_json:
            text = re.sub(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", r"\\u0041", text)
        try:
            # JSON is (nearly) YAML: one line finder for both
            return yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError:
            return None


def read_spec(path: str, display: str | None = None) -> SpecText:
    """Read and parse a YAML or JSON spec; every failure is a located GeneratorError."""
    name = display or path
    try:
        name.encode("utf-8")
    # undecodable bytes in the file name: it is written into every generated header
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", "replace")
        raise fail(
            "read.name-encoding", "the file name is not UTF-8: rename the file", Location(shown)
        ) from None
    if os.path.isdir(path):
        raise fail(
            "read.is-directory",
            "a directory was given where a spec file is expected",
            Location(name),
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise fail("read.missing", "file not found", Location(name)) from None
    except OSError as exc:
        raise fail("read.unreadable", f"cannot read: {exc.strerror}", Location(name)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail("read.encoding", f"not UTF-8 (byte {exc.start})", Location(name)) from None
    if not text.strip():
        raise fail("read.empty", "the file is empty", Location(name))
    sha = hashlib.sha256(raw).hexdigest()
    is_json = path.endswith(".json") or (
        not path.endswith((".yaml", ".yml")) and text.lstrip().startswith("{")
    )
    try:
        data = json.loads(text) if is_json else yaml.load(text, Loader=_Loader)
    except json.JSONDecodeError as exc:
        raise fail(
            "read.syntax", f"invalid JSON: {exc.msg}", Location(name, "", exc.lineno)
        ) from None
    except RecursionError:  # the parser's own stack ran out: far deeper than any bound below
        raise fail(
            "read.too-deep",
            f"nested more than {MAX_DEPTH} levels deep",
            Location(name, "", _deep_line(text)),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise fail("read.syntax", f"invalid YAML: {problem}", Location(name, "", line)) from None
    if not isinstance(data, dict):
        raise fail(
            "read.not-a-mapping",
            f"the top level is a {type(data).__name__}, not a mapping",
            Location(name, "", 1),
        )
    spec = SpecText(name, text, data, sha, is_json)
    check_bounds(spec)
    return spec


# What a spec may be, so that every later walk over it (repair, deref, merge, normalize, the
# validator, the JSON dumps) ends in bounded time and memory: real specs nest under 30 levels
# (Stripe: 26) and have well under a million nodes (Stripe: about 250,000). YAML aliases can make a
# document a graph: a cycle (`x: &s [*s]`) never ends a walk, and nested aliases ("billion laughs")
# expand exponentially.
MAX_DEPTH = 64
MAX_NODES = 2_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_bounds(spec: SpecText) -> None:
    """Refuse, located, a document that is cyclic, too deep, too big once aliases are expanded, or
    holds a lone surrogate (no UTF-8 file can hold it: every later encode would fail).

    One iterative walk; a node shared through an alias is walked once (its size and height are
    kept), so the check itself is linear in the parsed document, not in its expansion."""
    sizes: dict[int, tuple[int, int]] = {}  # id -> (expanded node count, height)
    on_path: set[int] = set()
    # (node, path, depth, leaving); a path is (parent path, key): the pointer is only spelt out for
    # an error
    stack: list[tuple[Any, Any, int, bool]] = [(spec.data, None, 0, False)]
    while stack:
        node, path, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            size, height = 1, 0
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, (dict, list)):
                    child_size, child_height = sizes[id(child)]
                    size, height = size + child_size, max(height, child_height + 1)
                else:
                    size += 1
            sizes[id(node)] = (size, height)
            if size > MAX_NODES:
                raise fail(
                    "read.too-large",
                    f"more than {MAX_NODES:,} nodes once YAML aliases are expanded",
                    spec.location(_pointer(path)),
                )
            continue
        key = id(node)
        if key in on_path:
            raise fail(
                "read.recursive-alias",
                "a YAML alias that contains itself: the document would be infinite",
                spec.location(_pointer(path)),
            )
        if key in sizes:
            if depth + sizes[key][1] > MAX_DEPTH:
                raise fail(
                    "read.too-deep",
                    f"nested more than {MAX_DEPTH} levels deep (through a YAML alias)",
                    spec.location(_pointer(path)),
                )
            continue
        if depth > MAX_DEPTH:
            raise fail(
                "read.too-deep",
                f"nested more than {MAX_DEPTH} levels deep",
                spec.location(_pointer(path)),
            )
        on_path.add(key)
        stack.append((node, path, depth, True))
        for k, child in node.items() if isinstance(node, dict) else enumerate(node):
            for text in (k, child):
                if isinstance(text, str) and not text.isascii() and _SURROGATE.search(text):
                    raise fail(
                        "read.surrogate",
                        "a lone UTF-16 surrogate (\\ud800-\\udfff) in a string: not Unicode text",
                        spec.location(_pointer((path, k))),
                    )
            if isinstance(child, (dict, list)):
                stack.append((child, (path, k), depth + 1, False))


def _pointer(path: Any) -> str:
    parts = []
    while path is not None:
        path, key = path
        parts.append(key)
    return pointer_join("", *reversed(parts))


def _deep_line(text: str) -> int | None:
    """The line where a JSON text first opens its MAX_DEPTH+1-th level (strings skipped)."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth -= 1
    return None
