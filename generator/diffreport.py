"""The change list in three forms: text for terminals, Markdown for pull requests, JSON for tools.

The JSON form is a contract (`schema: "lowcodegen-diff/1"`): keys are only ever added, under a new
schema version when their meaning changes.

    {"schema": "lowcodegen-diff/1", "old": str, "new": str,
     "summary": {"breaking": int, "possibly-breaking": int, "compatible": int, "total": int},
     "changes": [{"rule": str, "severity": "breaking" | "possibly-breaking" | "compatible",
                  "operation": str, "operations": [str], "where": str, "message": str,
                  "old": str | null, "new": str | null}]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .code import md, md_code
from .diff_rules import RULES, SEVERITIES, Change, Severity

SCHEMA = "lowcodegen-diff/1"
_TITLES: dict[Severity, str] = {
    "breaking": "breaking",
    "possibly-breaking": "possibly breaking",
    "compatible": "compatible",
}


def counts(changes: Sequence[Change]) -> dict[Severity, int]:
    """How many changes of each severity."""
    return {s: sum(1 for c in changes if c.severity == s) for s in SEVERITIES}


def headline(changes: Sequence[Change]) -> str:
    """`2 breaking, 0 possibly breaking, 3 compatible`, or `no API changes`."""
    if not changes:
        return "no API changes"
    return ", ".join(f"{n} {_TITLES[s]}" for s, n in counts(changes).items())


def _who(change: Change) -> str:
    extra = len(change.operations) - 1
    return change.operation + (f" (+{extra} more)" if extra > 0 else "")


def change_line(change: Change) -> str:
    """One change on one line: `method: what changed [rule-id]`."""
    return f"{_who(change)}: {change.message} [{change.rule}]"


def to_text(changes: Sequence[Change], old: str, new: str) -> str:
    """Grouped by severity, breaking first."""
    lines = [f"API changes from {old} to {new}: {headline(changes)}"]
    for severity in SEVERITIES:
        group = [c for c in changes if c.severity == severity]
        if group:
            lines.append(f"{_TITLES[severity]} ({len(group)}):")
            lines += [f"  {change_line(c)}" for c in group]
    return "\n".join(lines) + "\n"


def to_markdown(changes: Sequence[Change], old: str, new: str) -> str:
    """A pull-request comment: one table per severity."""
    lines = [
        f"## API changes: {md_code(old)} → {md_code(new)}",
        "",
        headline(changes).capitalize() + ".",
    ]
    for severity in SEVERITIES:
        group = [c for c in changes if c.severity == severity]
        if not group:
            continue
        lines += [
            "",
            f"### {_TITLES[severity].capitalize()} ({len(group)})",
            "",
            "| method | change | rule |",
            "|---|---|---|",
        ]
        for c in group:
            who = ", ".join(md_code(o) for o in c.operations[:3]) + (
                f" +{len(c.operations) - 3}" if len(c.operations) > 3 else ""
            )
            lines.append(f"| {who} | {md(c.message)} | {md_code(c.rule)} |")
    return "\n".join(lines) + "\n"


def to_json(changes: Sequence[Change], old: str, new: str) -> dict[str, Any]:
    """The stable JSON form (see the module docstring)."""
    summary: dict[str, int] = {str(k): n for k, n in counts(changes).items()}
    summary["total"] = len(changes)
    return {
        "schema": SCHEMA,
        "old": old,
        "new": new,
        "summary": summary,
        "changes": [
            {
                "rule": c.rule,
                "severity": c.severity,
                "operation": c.operation,
                "operations": list(c.operations),
                "where": c.where,
                "message": c.message,
                "old": c.old,
                "new": c.new,
            }
            for c in changes
        ],
    }


def render(changes: Sequence[Change], old: str, new: str, form: str) -> str:
    """The change list in `form`: text, markdown or json."""
    if form == "json":
        return json.dumps(to_json(changes, old, new), indent=2, ensure_ascii=False) + "\n"
    if form == "markdown":
        return to_markdown(changes, old, new)
    return to_text(changes, old, new)


def rules_table() -> str:
    """Every rule id with its severity and meaning, for `lowcodegen diff --rules`."""
    order = sorted(RULES.items(), key=lambda item: (SEVERITIES.index(item[1][0]), item[0]))
    return (
        "\n".join(f"{rule:34} {severity:18} {meaning}" for rule, (severity, meaning) in order)
        + "\n"
    )


def summary_lines(changes: Sequence[Change], since: str, limit: int = 8) -> list[str]:
    """A few lines for the end of `lowcodegen generate`: the headline, then the worst changes."""
    lines = [f"API changes since {since}: {headline(changes)}"]
    lines += [f"  {c.severity}: {change_line(c)}" for c in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"  ... {len(changes) - limit} more: see `lowcodegen diff`")
    return lines


FAIL_ON: dict[str, tuple[Severity, ...]] = {
    "breaking": ("breaking",),
    "possibly": ("breaking", "possibly-breaking"),
    "any": SEVERITIES,
}


def fails(changes: Sequence[Change], fail_on: str | None) -> bool:
    """True when a change at `fail_on`'s level (breaking | possibly | any) or worse exists."""
    return fail_on is not None and any(c.severity in FAIL_ON[fail_on] for c in changes)
