"""Problems found in the inputs, each with a location a person can jump to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, a JSON pointer inside it, and the line when the format gives
    one."""

    file: str
    pointer: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.pointer}" if self.pointer else where


@dataclass(frozen=True)
class Diagnostic:
    """One finding: an error stops the run, a warning is reported, info records a repair or a
    choice."""

    level: Level
    code: str
    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.level}: {self.message} [{self.code}]"


class GeneratorError(Exception):
    """The one exception the generator raises for bad input; it carries located diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def fail(code: str, message: str, location: Location) -> GeneratorError:
    """A GeneratorError with a single located error, ready to raise."""
    return GeneratorError([Diagnostic("error", code, message, location)])


def pointer_join(base: str, *parts: str | int) -> str:
    """Extend a JSON pointer, escaping '~' and '/' in each part (RFC 6901)."""
    out = base
    for part in parts:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


@contextmanager
def nesting_bounded(file: str) -> Iterator[None]:
    """Python's stack running out in a stage that walks schemas through their `$ref`s (a legal chain
    of hundreds of models, each a property of the one before): a located error, not a traceback.
    Load bounds the nesting of the document itself (source.MAX_DEPTH) and chains of bare `$ref`s
    (refs.MAX_REF_CHAIN); this bounds the rest."""
    try:
        yield
    except RecursionError:
        raise fail(
            "spec.too-deep",
            "schemas nest too deeply through their $refs (hundreds of levels) to generate from",
            Location(file),
        ) from None


def grouped(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], first: int = 3) -> list[str]:
    """Diagnostics as a person reads them: one located line each, grouped by code (sorted); a code
    that occurs more than `first` times shows its first `first` lines (document order) and a count
    of the rest.
    """
    groups: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault(d.code, []).append(d)
    lines: list[str] = []
    for code in sorted(groups):
        found = groups[code]
        lines.extend(str(d) for d in found[:first])
        if len(found) > first:
            lines.append(
                f"{found[0].location.file}: {found[0].level}: ... and {len(found) - first} more "
                f"[{code}] ({len(found)} in all; every one in MERGE_REPORT.md)"
            )
    return lines
