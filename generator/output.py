"""A generated file, as render makes it, format rewrites it and write puts it on disk."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedFile:
    """A generated file: its path below the output folder, its text, and whether it is Python
    (black's style: printed so by the templates, formatted by black only when format.suspect says
    so).
    """

    path: str
    text: str
    python: bool
