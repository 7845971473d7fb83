"""`pip install generated/` left an untracked generated/build/ (and *.egg-info): setuptools builds in the
source tree. The generated distribution now builds with flit_core, straight into the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from gentest_util import ROOT, snapshot


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args, "--no-deps", "--no-build-isolation", "--no-index",
                           "--disable-pip-version-check", "--quiet"], capture_output=True, text=True, timeout=300)


def test_building_and_installing_the_generated_package_leaves_its_tree_as_it_was(tmp_path: Path) -> None:
    pytest.importorskip("flit_core", reason="the generated package's build backend (a dev dependency)")
    source = tmp_path / "generated"
    shutil.copytree(ROOT / "generated", source, ignore=shutil.ignore_patterns("__pycache__"))
    before = snapshot(source)

    built = _pip("wheel", "-w", str(tmp_path / "wheels"), str(source))
    installed = _pip("install", "--target", str(tmp_path / "site"), str(source))

    assert built.returncode == 0, built.stdout + built.stderr
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert snapshot(source) == before, sorted(set(snapshot(source)) ^ set(before))
    (wheel,) = (tmp_path / "wheels").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "anthropic_lowcodeapi/py.typed" in names and "anthropic_lowcodeapi/_urls.py" in names
    assert not any("__pycache__" in n or n.startswith(("generated/", "build/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "anthropic-lowcodeapi=anthropic_lowcodeapi.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode().replace(" ", "")
    assert (tmp_path / "site" / "anthropic_lowcodeapi" / "resources.py").is_file()
