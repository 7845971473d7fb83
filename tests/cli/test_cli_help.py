"""`--help` of the root and of two nested commands, compared byte for byte with tests/cli/golden/.

The subprocess gets COLUMNS=100 (click wraps help to the terminal width). After a deliberate change,
rewrite the files with `UPDATE_GOLDEN=1 python -m pytest tests/cli/test_cli_help.py` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clikit import Run

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = {
    "root.txt": ["--help"],
    "organizations_workspaces_members_update.txt": ["organizations", "workspaces", "members", "update", "--help"],
    "messages_create.txt": ["messages", "create", "--help"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_help_matches_golden(run_cli: Run, name: str) -> None:
    done = run_cli(*CASES[name])
    assert done.returncode == 0, done.stderr.decode()
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(done.stdout)
    assert golden.exists(), f"no golden file {golden}: run with UPDATE_GOLDEN=1"
    assert done.stdout == golden.read_bytes(), f"--help differs from {golden.name} (UPDATE_GOLDEN=1 rewrites it)"
