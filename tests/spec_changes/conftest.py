"""Fixtures of the spec-change tests (tests/spec_changes/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import spec_changes_util`
