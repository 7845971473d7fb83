"""`make golden`: rewrite every golden case's expected tree from its inputs (review the diff!)."""

from __future__ import annotations

import os
import sys

from generator.config import load_config
from generator.pipeline import generate
from generator.write import write_tree

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")


def generate_case(case_root: str, out: str | None = None) -> list[tuple[str, str]]:
    """The (path, text) files a case generates; written to `out` when given."""
    config = load_config(case_root)
    target = config.targets[0]
    gen = generate(target, config, case_root, config.templates, cache_dir=None)
    if out is not None:
        write_tree(out, gen.files)
    return [(f.path, f.text) for f in gen.files]


def main() -> int:
    for case in sorted(os.listdir(CASES)):
        root = os.path.join(CASES, case)
        generate_case(root, os.path.join(root, "expected"))
        print(f"rewrote tests/golden/cases/{case}/expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
