"""The runtime modules are copied into every package as they are, so they must already be what black gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.format import format_source

RUNTIME = Path(__file__).resolve().parents[2] / "templates" / "package" / "runtime"


@pytest.mark.parametrize("path", sorted(RUNTIME.glob("*.py")), ids=lambda p: p.name)
def test_runtime_module_is_black_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_source(text) == text, f"run black on {path.name} (line length 100, py311): the generator copies it as it is"
