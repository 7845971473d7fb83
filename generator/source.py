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

from .diagnostics import Location, fail

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
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]] if pointer else []
        line = node.start_mark.line + 1
        for part in parts:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        line, node = key_node.start_mark.line + 1, value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
                node = node.value[int(part)]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    @cached_property
    def _tree(self) -> yaml.Node | None:
        text = self.text
        if self.is_json:  # JSON's escaped surrogate pairs are not YAML: same length, no newline, no meaning
            text = re.sub(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", r"\\u0041", text)
        try:
            return yaml.compose(text, Loader=_Loader)  # JSON is (nearly) YAML: one line finder for both
        except yaml.YAMLError:
            return None


def read_spec(path: str, display: str | None = None) -> SpecText:
    """Read and parse a YAML or JSON spec; every failure is a located GeneratorError."""
    name = display or path
    if os.path.isdir(path):
        raise fail("read.is-directory", "a directory was given where a spec file is expected", Location(name))
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
    is_json = path.endswith(".json") or (not path.endswith((".yaml", ".yml")) and text.lstrip().startswith("{"))
    try:
        data = json.loads(text) if is_json else yaml.load(text, Loader=_Loader)
    except json.JSONDecodeError as exc:
        raise fail("read.syntax", f"invalid JSON: {exc.msg}", Location(name, "", exc.lineno)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise fail("read.syntax", f"invalid YAML: {problem}", Location(name, "", line)) from None
    if not isinstance(data, dict):
        raise fail("read.not-a-mapping", f"the top level is a {type(data).__name__}, not a mapping", Location(name, "", 1))
    return SpecText(name, text, data, sha, is_json)
