"""Golden trees: each case's inputs must generate its `expected/` tree byte for byte (`make golden` rewrites)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.render import RenderedFile
from generator.write import MANIFEST, manifest_file

from .regenerate import CASES, generate_case

CASE_NAMES = sorted(os.listdir(CASES))


def _tree(folder: str) -> dict[str, bytes]:
    out = {}
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            path = os.path.join(base, name)
            out[os.path.relpath(path, folder).replace(os.sep, "/")] = Path(path).read_bytes()
    return out


@pytest.mark.parametrize("case", CASE_NAMES)
def test_case_matches_its_golden_tree(case: str) -> None:
    root = os.path.join(CASES, case)
    expected = _tree(os.path.join(root, "expected"))
    pairs = generate_case(root)
    generated = {path: text.encode("utf-8") for path, text in pairs}
    manifest = manifest_file([RenderedFile(path, text, path.endswith(".py")) for path, text in pairs])
    generated[MANIFEST] = manifest.text.encode("utf-8")
    assert set(expected) == set(generated), (f"{case}/expected: missing {sorted(set(generated) - set(expected))[:5]}, "
                                             f"extra {sorted(set(expected) - set(generated))[:5]}: run `make golden` and review")
    differ = sorted(path for path in generated if expected[path] != generated[path])
    assert not differ, f"{case}/expected differs from what the inputs give in {differ[:5]}: run `make golden` and review"


def test_cases_cover_the_three_kinds() -> None:
    assert {"newformat", "oldformat", "conflicts"} <= set(CASE_NAMES)
