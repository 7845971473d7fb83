"""runcache.py: the whole-run cache key changes whenever the output could."""

from __future__ import annotations

from pathlib import Path

import black
import jinja2
import pytest
from gentest_util import MINIMAL, TEMPLATES, spec_file

from generator import runcache
from generator.pipeline import plain_target


def test_the_key_holds_the_versions_of_black_and_jinja2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """black decides the golden bytes and jinja2 compiles the templates: another version of either is
    another key. The versions are read from their modules' source, without importing them."""
    assert f'"{black.__version__}"' in runcache._module_text("_black_version")
    assert f'"{jinja2.__version__}"' in runcache._module_text("jinja2")
    target = plain_target(str(spec_file(tmp_path, "api.yaml", MINIMAL)), "mini", str(tmp_path / "out"))
    key = runcache.fingerprint(target, None, str(tmp_path), TEMPLATES)
    assert runcache.fingerprint(target, None, str(tmp_path), TEMPLATES) == key
    original = runcache._module_text
    for module in ("_black_version", "jinja2"):
        with monkeypatch.context() as other:
            other.setattr(runcache, "_module_text", lambda name, m=module: "another" if name == m else original(name))
            assert runcache.fingerprint(target, None, str(tmp_path), TEMPLATES) != key, module
