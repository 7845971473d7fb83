"""`lowcodegen generate --jobs N`: a catalogue of provider targets in one run, N at a time, with the
same trees, the same report in target order and the same bad-input handling as one at a time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gentest_util import LOWCODEGEN, SHARED, TEMPLATES, file_bytes

CATALOGUE = SHARED / "lowcodeapi" / "providers"
PROVIDERS = ["deepseek", "resend", "runwayml", "perplexityai"]


def project(root: Path, providers: list[str], broken: str | None = None) -> Path:
    """A project whose targets are LowCodeAPI provider documents alone (no documented spec)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[tool.lowcodegen]", f'templates = "{TEMPLATES}"', ""]
    for name in providers:
        snapshot = CATALOGUE / f"{name}.openapi.json"
        if name == broken:
            snapshot = root / "broken.openapi.json"
            snapshot.write_text('{"openapi": "3.1.0", "paths": [}', encoding="utf-8")
        lines += ["[[tool.lowcodegen.targets]]", f'name = "{name}"', f'provider = "{name}"',
                  f'package = "{name}_lowcodeapi"', f'snapshot = "{snapshot}"', f'out = "clients/{name}"', ""]
    (root / "pyproject.toml").write_text("\n".join(lines), encoding="utf-8")
    return root


def generate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([LOWCODEGEN, "generate", "--root", str(root), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_jobs_give_the_trees_and_report_of_one_at_a_time(tmp_path: Path) -> None:
    one, two = project(tmp_path / "one", PROVIDERS), project(tmp_path / "two", PROVIDERS)
    serial, parallel = generate(one), generate(two, "--jobs", "2")
    assert serial.returncode == 0 and parallel.returncode == 0, (serial.stderr, parallel.stderr)
    assert parallel.stdout == serial.stdout and parallel.stderr == serial.stderr
    reported = [line.split(":")[0] for line in parallel.stdout.splitlines() if line.startswith("clients/")]
    assert reported == [f"clients/{name}" for name in PROVIDERS], "targets are reported in their order"
    for name in PROVIDERS:
        assert file_bytes(one / "clients" / name) == file_bytes(two / "clients" / name), name
    again = generate(two, "--jobs", "2")
    assert again.returncode == 0 and again.stdout.count("up to date") == len(PROVIDERS)


def test_a_bad_target_is_reported_in_its_place_and_the_others_still_generate(tmp_path: Path) -> None:
    runs = {}
    for jobs in ("1", "2"):
        root = project(tmp_path / jobs, PROVIDERS, broken="runwayml")
        runs[jobs] = run = generate(root, "--jobs", jobs)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "broken.openapi.json" in run.stderr and "Traceback" not in run.stderr
        assert not (root / "clients" / "runwayml").exists(), "nothing written for the bad target"
        for name in ("deepseek", "resend", "perplexityai"):
            assert (root / "clients" / name / f"{name}_lowcodeapi" / "_client.py").exists(), name
    assert runs["1"].stdout == runs["2"].stdout
    assert runs["1"].stderr.replace("/1/", "/2/") == runs["2"].stderr
