"""A generated file, as render makes it, format rewrites it and write puts it on disk."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedFile:
    """A generated file: its path below the output folder, its text, and whether black formats it."""

    path: str
    text: str
    python: bool
