"""The merge report: every operation with the inputs it came from, and the repairs made on the way
(MERGE_REPORT.md and the manifest are written from it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .diagnostics import Diagnostic
from .ir import InputFile

Source = Literal["both", "documented", "snapshot", "spec"]


@dataclass(frozen=True)
class ReportEntry:
    """One line of the merge report."""

    level: Literal["error", "warning", "info"]
    kind: str  # matched | alias | documented-only | snapshot-only | conflict | note | repair
    operation: str  # "POST /v1/messages"
    message: str
    acknowledged: str | None = None


@dataclass(frozen=True)
class MergeReport:
    """What the merge decided and found, for people (Markdown) and tools (JSON)."""

    inputs: tuple[InputFile, ...]
    entries: tuple[ReportEntry, ...]
    repairs: tuple[Diagnostic, ...]
    operations: int = (
        0  # client operations: the one figure every output gives (see operation_counts)
    )
    direct_variants: int = 0

    def unresolved(self) -> tuple[ReportEntry, ...]:
        """Conflicts the documented spec does not acknowledge: errors under `validate --strict`."""
        return tuple(e for e in self.entries if e.kind == "conflict" and e.acknowledged is None)

    def count(self, kind: str) -> int:
        return sum(1 for e in self.entries if e.kind == kind)

    def to_json(self) -> dict[str, Any]:
        """A stable, documented JSON form."""
        return {
            "schema": "lowcodegen-merge-report/1",
            "inputs": [{"path": i.path, "sha256": i.sha256} for i in self.inputs],
            "summary": (
                {
                    k: self.count(k)
                    for k in ("matched", "documented-only", "snapshot-only", "alias", "conflict")
                }
                | {
                    "unresolved_conflicts": len(self.unresolved()),
                    "repairs": len(self.repairs),
                    "operations": self.operations,
                    "direct_method_variants": self.direct_variants,
                }
            ),
            "entries": [
                {
                    "level": e.level,
                    "kind": e.kind,
                    "operation": e.operation,
                    "message": e.message,
                    "acknowledged": e.acknowledged,
                }
                for e in self.entries
            ],
            "repairs": [
                {"code": d.code, "pointer": d.location.pointer, "message": d.message}
                for d in self.repairs
            ],
        }
