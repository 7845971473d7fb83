"""Byte-identical output whatever the environment; `lowcodegen check`; an interrupted write leaves old or new."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from gentest_util import CORPUS, LOWCODEGEN, PYTHON, ROOT, file_bytes, run_cli, snapshot, spec_file

from generator import write
from generator.render import RenderedFile
from generator.write import MANIFEST, write_tree

ENVIRONMENTS = [
    {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C", "LANG": "C"},
    {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Chatham", "LC_ALL": "C.UTF-8", "LANG": "tr_TR.UTF-8"},
]


def env_with(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED", "TZ", "LC_ALL", "LANG", "LC_CTYPE")}
    return env | extra


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the project's inputs (config, specs, templates): other people's edits of the working
    tree during the run cannot change what these tests compare, and the caches stay out of the project."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    for folder in ("specs", "templates"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    black_cache = ROOT / ".lowcodegen-cache" / "black"  # keyed by content: a copy only saves time
    if black_cache.is_dir():
        with contextlib.suppress(OSError, shutil.Error):  # others may be writing it right now
            shutil.copytree(black_cache, root / ".lowcodegen-cache" / "black", ignore=shutil.ignore_patterns("*.tmp"))
    return root


def generate_into(project: Path, out: Path, cwd: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    result = run_cli(["generate", "--root", str(project), "--out", str(out)], cwd=cwd, env=env_with(extra))
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def fresh(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's target generated into a fresh folder (kept pristine; tests copy it)."""
    base = tmp_path_factory.mktemp("fresh")
    generate_into(project, base / "out", base / "cwd-a", ENVIRONMENTS[0])
    return base / "out"


def test_two_runs_in_different_environments_are_byte_identical(project: Path, fresh: Path, tmp_path: Path) -> None:
    other = tmp_path / "deeper" / "out"
    generate_into(project, other, tmp_path / "somewhere" / "else", ENVIRONMENTS[1])
    a, b = file_bytes(fresh), file_bytes(other)
    assert sorted(a) == sorted(b)
    different = [p for p in a if a[p] != b[p]]
    assert not different, f"differ: {different}"
    assert MANIFEST in a and any(p.endswith("/resources.py") for p in a)
    for path, data in a.items():
        assert b"\r\n" not in data, path
        data.decode("utf-8")


@pytest.mark.slow
def test_plain_mode_runs_are_byte_identical_across_working_folders(tmp_path: Path) -> None:
    spec = CORPUS / "petstore-expanded-oai-v3.0.yaml"
    trees = []
    for i, extra in enumerate(ENVIRONMENTS):
        cwd = tmp_path / f"cwd{i}" / "x"
        cwd.mkdir(parents=True)
        out = tmp_path / f"out{i}"
        result = run_cli(["generate", "--spec", str(spec), "--package", "pets", "--out", str(out)], cwd=cwd, env=env_with(extra))
        assert result.returncode == 0, result.stderr
        trees.append(file_bytes(out))
    assert trees[0] == trees[1]


def check(project: Path, out: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(["check", "--root", str(project), "--out", str(out)], cwd=cwd, env=env_with(ENVIRONMENTS[0]))


def test_check_passes_on_a_fresh_tree(project: Path, fresh: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(fresh, copy)
    result = check(project, copy, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def first_file(tree: Path, suffix: str) -> str:
    for rel in sorted(file_bytes(tree)):
        if rel.endswith(suffix) and rel != MANIFEST:
            return rel
    raise AssertionError(f"no {suffix} file")


@pytest.mark.parametrize("suffix", ["resources.py", ".md", "url_formats.json"])
def test_check_fails_after_a_hand_edit(project: Path, fresh: Path, tmp_path: Path, suffix: str) -> None:
    copy = tmp_path / "out"
    shutil.copytree(fresh, copy)
    rel = first_file(copy, suffix)
    path = copy / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    middle = len(lines) // 2
    lines[middle] = lines[middle] + " HAND-EDITED"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = check(project, copy, tmp_path)
    assert result.returncode == 1
    err = result.stderr
    assert "Traceback" not in err
    assert "is stale" in err and "1 changed" in err
    assert f"{rel} (on disk)" in err and f"{rel} (generated)" in err
    assert any(line.startswith("-") and "HAND-EDITED" in line for line in err.splitlines())
    assert len(err.splitlines()) <= 30, "the diff must stay short"


def test_check_reports_a_deleted_generated_file(project: Path, fresh: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(fresh, copy)
    rel = first_file(copy, "py.typed")
    (copy / rel).unlink()
    result = check(project, copy, tmp_path)
    assert result.returncode == 1
    assert "missing: " in result.stderr and rel in result.stderr


# --- an interrupted write leaves the old tree or the new one ---------------------------------------------


def tree_files(tree: Path) -> list[RenderedFile]:
    return [RenderedFile(p, data.decode("utf-8"), p.endswith(".py")) for p, data in file_bytes(tree).items() if p != MANIFEST]


def changed_files(files: list[RenderedFile]) -> list[RenderedFile]:
    """A 'new generation': every file changed, one dropped, one added."""
    out = [RenderedFile(f.path, f.text + "# regenerated\n", f.python) for f in files[1:]]
    return out + [RenderedFile("pkg_added/extra.py", "X = 1\n", True)]


@pytest.mark.parametrize("after", [0, 1, 5, 10_000])
def test_interrupt_while_staging_or_swapping_leaves_the_old_tree(fresh: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    out = tmp_path / "out"
    shutil.copytree(fresh, out)
    (out / "mine.txt").write_text("user file\n")
    before = snapshot(out)
    new = changed_files(tree_files(fresh))
    real_open, real_swap = open, write._swap
    opened = {"n": 0}

    def counting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode:
            opened["n"] += 1
            if opened["n"] > after:
                raise KeyboardInterrupt  # what Ctrl-C does between two files
        return real_open(file, mode, *args, **kwargs)

    def interrupted_swap(staging: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "open", counting_open, raising=False)
    monkeypatch.setattr(write, "_swap", interrupted_swap if after == 10_000 else real_swap)
    with pytest.raises(KeyboardInterrupt):
        write_tree(str(out), new)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


KILLED_WRITER = textwrap.dedent("""
    import sys
    from generator.render import RenderedFile
    from generator.write import write_tree
    out, tag = sys.argv[1], sys.argv[2]
    files = [RenderedFile(f"pkg/m{i:03}.py", (f"# {tag} {i}\\n" + "X = 1\\n" * 25_000), True) for i in range(40)]
    write_tree(out, files)
""")


def state_of(out: Path) -> str:
    files = file_bytes(out)
    tags = {data.split(b"\n", 1)[0].split(b" ")[1] for p, data in files.items() if p.startswith("pkg/")}
    assert len(tags) == 1, f"a mix of generations: {sorted(tags)}"
    assert files["mine.txt"] == b"user file\n"
    return tags.pop().decode()


def _staged(out: Path) -> list[Path]:
    return [p for p in out.parent.iterdir() if p.name.startswith(".out.new-")]


def _wait_for(condition: Any, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert proc.poll() is None, f"the writer ended before {what}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.0005)


def _staged_files(out: Path) -> int:
    return sum(len(list((p / "pkg").glob("*.py"))) for p in _staged(out) if (p / "pkg").is_dir())


def _first_tag(out: Path) -> str:
    with contextlib.suppress(OSError, IndexError):
        return (out / "pkg" / "m000.py").read_bytes().split(b"\n", 1)[0].split(b" ")[1].decode()
    return ""


# mid-write: killed while the staging folder holds some of the 40 files (must leave the old tree);
# swapped: killed right after the new tree took its place (must leave the new tree); random: either.
KILL_MOMENTS = ["mid-write", "swapped", "random", "mid-write", "random", "swapped"]


def test_killed_writer_leaves_old_or_new(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER)
    out = tmp_path / "target" / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([PYTHON, str(script), str(out), "gen0"], check=True, env=env, timeout=120)
    (out / "mine.txt").write_text("user file\n")
    rng = random.Random(1234)
    current, outcomes = "gen0", []
    for attempt, moment in enumerate(KILL_MOMENTS, 1):
        tag = f"gen{attempt}"
        proc = subprocess.Popen([PYTHON, str(script), str(out), tag], env=env)
        if moment == "mid-write":
            _wait_for(lambda: _staged_files(out) >= 1, proc, "a staged file")
            assert _staged_files(out) < 40 and proc.poll() is None, "not killed mid-write"
        elif moment == "swapped":
            _wait_for(lambda: _first_tag(out) == tag, proc, "the swap")  # noqa: B023 - the loop waits right here
        else:
            _wait_for(lambda: bool(_staged(out)), proc, "the staging folder")
            time.sleep(rng.uniform(0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = state_of(out)  # one generation, never a mix, and the user's file kept
        assert state in (current, tag), f"{moment}: {state} is neither the old {current} nor the new {tag}"
        if moment == "mid-write":
            assert proc.returncode == -signal.SIGKILL and state == current, f"killed mid-write, yet the tree is {state}"
        if moment == "swapped":
            assert state == tag
        outcomes.append("new" if state == tag else "old")
        current = state
        for leftover in out.parent.iterdir():  # a killed run cannot clean up its staging folder
            if leftover.name != "out":
                shutil.rmtree(leftover)
    assert {"old", "new"} <= set(outcomes), outcomes


def complete_generation(tree: dict[str, bytes], spec_name: str) -> list[str]:
    """What keeps `tree` from being one whole generation from `spec_name` (empty when it is one)."""
    problems = []
    listed = set(json.loads(tree.get(MANIFEST, b'{"files": []}'))["files"])
    if set(tree) - {MANIFEST} != listed:
        problems.append(f"files and manifest differ: {sorted(set(tree) ^ listed ^ {MANIFEST})[:5]}")
    for path, data in tree.items():
        if path == MANIFEST:
            continue
        text = data.decode("utf-8")
        if f"Generated by lowcodegen from {spec_name} " not in text.split("\n", 3)[1 if path.endswith(".json") else 0]:
            problems.append(f"{path}: not from {spec_name}")
        if path.endswith(".py"):
            try:
                compile(text, path, "exec")
            except SyntaxError:
                problems.append(f"{path}: truncated or invalid")
        elif path.endswith(".json"):
            json.loads(text)
    return problems


@pytest.mark.slow
def test_killed_generate_on_a_large_spec_leaves_old_or_new(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`lowcodegen generate` on Stripe's spec, killed while it writes: the old tree or a whole new one.

    The new tree is checked for completeness rather than against a reference run, so that edits other
    people make to the templates during this long test cannot make it fail."""
    base = tmp_path_factory.mktemp("kill")
    work = base / "work"  # plain mode keeps its caches in the working folder: shared by every run here
    work.mkdir()
    stripe = CORPUS / "stripe-2023-09.yaml"
    small = spec_file(base, "small.yaml", """
openapi: 3.1.0
info: {title: Small, version: "1"}
paths:
  /v1/charges:
    get:
      responses: {"200": {description: ok}}
""")

    def run(spec: Path, out: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen([LOWCODEGEN, "generate", "--spec", str(spec), "--package", "stripe", "--out", str(out)],
                                cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    old_ref = base / "old" / "out"
    assert run(small, old_ref).wait(timeout=600) == 0
    old = snapshot(old_ref)
    assert run(stripe, base / "warm" / "out").wait(timeout=1800) == 0  # warms the black cache
    outcomes = []
    # old: killed while the new tree is being staged; new: killed once the new tree has taken the old one's place
    # (it may still be removing the old copy); random: anywhere after staging began. Both outcomes must occur.
    for attempt, moment in enumerate(["old", "new", "random"]):
        target = base / f"t{attempt}" / "out"
        shutil.copytree(old_ref, target)
        proc = run(stripe, target)
        while proc.poll() is None and not any(p.name.startswith(".out.new-") for p in target.parent.iterdir()):
            time.sleep(0.002)
        if moment == "new":
            while proc.poll() is None and snapshot(target) == old:
                time.sleep(0.002)
        elif moment == "random":
            time.sleep(random.Random(7).uniform(0, 0.2))
        assert proc.poll() is None or moment != "old", "the run ended before it could be killed mid-write"
        proc.kill()
        proc.wait()
        if snapshot(target) == old:
            outcomes.append("old")
            continue
        problems = complete_generation(file_bytes(target), stripe.name)
        assert not problems, f"neither the old tree nor a whole new one: {problems[:5]}"
        outcomes.append("new")
    assert outcomes[:2] == ["old", "new"], outcomes
