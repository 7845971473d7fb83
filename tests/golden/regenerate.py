"""`make golden`: rewrite every golden case's expected tree from its inputs (review the diff!).

The runtime modules (`templates/package/runtime/*.py`, copied verbatim into every package) are left out
of the trees: they have their own tests, and a reviewer reads only what the inputs decide."""

from __future__ import annotations

import os
import sys

from generator.config import load_config
from generator.pipeline import generate
from generator.write import write_tree

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
RUNTIME = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "templates", "package", "runtime")
RUNTIME_NAMES = frozenset(name for name in os.listdir(RUNTIME) if name.endswith(".py"))


def is_runtime_copy(path: str) -> bool:
    """A package module copied from the runtime (`<package>/_core.py`), not decided by the case's inputs."""
    folder, _, name = path.rpartition("/")
    return "/" not in folder and name in RUNTIME_NAMES


def generate_case(case_root: str, out: str | None = None) -> list[tuple[str, str]]:
    """The (path, text) files a case generates, runtime copies left out; written to `out` when given."""
    config = load_config(case_root)
    target = config.targets[0]
    gen = generate(target, config, case_root, config.templates)
    files = [f for f in gen.files if not is_runtime_copy(f.path)]
    if out is not None:
        write_tree(out, files)
    return [(f.path, f.text) for f in files]


def main() -> int:
    for case in sorted(os.listdir(CASES)):
        root = os.path.join(CASES, case)
        generate_case(root, os.path.join(root, "expected"))
        print(f"rewrote tests/golden/cases/{case}/expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
