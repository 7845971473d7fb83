"""One operation count everywhere: `validate` said 57 (it counted the merged document's direct-method
variants as operations), `generate` and the merge report 54."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gentest_util import ROOT, run_cli


def test_validate_generate_and_the_merge_report_give_one_count(tmp_path: Path) -> None:
    validate = run_cli(["validate", "--root", str(ROOT)], cwd=ROOT)
    generate = run_cli(["generate", "--root", str(ROOT), "--target", "anthropic", "--out", str(tmp_path / "out")], cwd=ROOT)
    assert validate.returncode == 0 and generate.returncode == 0, (validate.stderr, generate.stderr)
    validated = re.search(r": (\d+) operations", validate.stdout)
    generated = re.search(r"\((\d+) operations\)", generate.stdout)
    assert validated and generated, (validate.stdout, generate.stdout)
    summary = json.loads((tmp_path / "out" / "merge_report.json").read_text(encoding="utf-8"))["summary"]
    table = re.search(r"^\| operations \| (\d+) \|$", (tmp_path / "out" / "MERGE_REPORT.md").read_text(encoding="utf-8"), re.M)
    assert table
    counts = {int(validated[1]), int(generated[1]), summary["operations"], int(table[1])}
    assert len(counts) == 1, (validate.stdout, generate.stdout, summary)
    merged = json.loads((tmp_path / "out" / "openapi.merged.json").read_text(encoding="utf-8"))
    listed = sum(1 for item in merged["paths"].values() for m in item if m in ("get", "put", "post", "patch", "delete"))
    assert listed == counts.pop() + summary["direct_method_variants"] and summary["direct_method_variants"] > 0
    assert f"{summary['direct_method_variants']} direct-method variants" in validate.stdout, "the difference is explained"
