"""Golden trees: each case's inputs must generate its `expected/` tree byte for byte (`make golden` rewrites)."""

from __future__ import annotations

import os

import pytest

from generator.write import MANIFEST

from .regenerate import CASES, generate_case

CASE_NAMES = sorted(os.listdir(CASES))


def _tree(folder: str) -> dict[str, bytes]:
    out = {}
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            path = os.path.join(base, name)
            out[os.path.relpath(path, folder).replace(os.sep, "/")] = open(path, "rb").read()
    return out


@pytest.mark.parametrize("case", CASE_NAMES)
def test_case_matches_its_golden_tree(case: str) -> None:
    root = os.path.join(CASES, case)
    expected = _tree(os.path.join(root, "expected"))
    generated = {path: text.encode("utf-8") for path, text in generate_case(root)}
    assert sorted(expected) == sorted(generated) + [MANIFEST] or sorted(expected) == sorted([*generated, MANIFEST])
    for path, data in generated.items():
        assert expected[path] == data, f"{case}/expected/{path} differs from what the inputs give: run `make golden` and review"


def test_cases_cover_the_three_kinds() -> None:
    assert {"newformat", "oldformat", "conflicts"} <= set(CASE_NAMES)
