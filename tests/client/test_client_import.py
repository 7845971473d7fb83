"""`import PKG` stays light whatever the API's size: the resources, models and URL table load on the
first use of a resource (GitHub's LowCodeAPI package has a 3.8 MB resources module)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lcclient import GENERATED

from generator.cli import main

CATALOGUE = Path(__file__).resolve().parents[2].parent / "shared" / "lowcodeapi" / "providers"
HEAVY = ("resources", "types", "url_formats", "cli")

PROBE = r"""
import importlib, json, sys
package, attr = sys.argv[1:3]
HEAVY = json.loads(sys.argv[3])
lc = importlib.import_module(package)
def loaded():
    return sorted(n.split(".", 1)[1] for n in sys.modules if n.startswith(package + ".") and n.split(".")[1] in HEAVY)
out = {"import": loaded()}
client = lc.Client(api_token="at_t")
out["client"] = loaded()
getattr(client, attr)
out["resource"] = loaded()
print(json.dumps(out))
"""


def probe(path: Path, package: str, attr: str) -> dict[str, list[str]]:
    run = subprocess.run([sys.executable, "-c", PROBE, package, attr, json.dumps(HEAVY)], cwd=path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    result: dict[str, list[str]] = json.loads(run.stdout)
    return result


def test_the_anthropic_package_loads_its_resources_on_first_use() -> None:
    out = probe(GENERATED, "anthropic_lowcodeapi", "messages")
    assert out["import"] == [] and out["client"] == []
    assert {"resources", "types", "url_formats"} <= set(out["resource"]) and "cli" not in out["resource"]


@pytest.mark.parametrize("provider", ["github", "openai"])
def test_a_provider_package_loads_its_resources_on_first_use(tmp_path: Path, provider: str) -> None:
    package = f"{provider}_lowcodeapi"
    result = CliRunner().invoke(main, ["generate", "--spec", str(CATALOGUE / f"{provider}.openapi.json"),
                                       "--package", package, "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    attr = {"github": "repos", "openai": "chat"}[provider]
    out = probe(tmp_path, package, attr)
    assert out["import"] == [] and out["client"] == []
    assert "resources" in out["resource"] and "url_formats" in out["resource"]


def test_submodules_are_attributes_of_the_package_after_a_bare_import() -> None:
    """`import PKG; PKG.url_formats.to_old(...)` works as before (CLIENT.md), loading on that first use."""
    code = ("import anthropic_lowcodeapi as lc, sys; assert 'anthropic_lowcodeapi.url_formats' not in sys.modules; "
            "print(lc.url_formats.to_old('https://api.anthropic.com/v1/models/m1')); print(lc.types.Message.__name__); "
            "print(lc.resources.Messages.__name__)\n"
            "try:\n    lc.no_such_module\nexcept AttributeError as exc:\n    print(exc)")
    run = subprocess.run([sys.executable, "-c", code], cwd=GENERATED, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "https://api.lowcodeapi.com/anthropic/v1/models/modelid?modelid=m1", "Message", "Messages",
        "module 'anthropic_lowcodeapi' has no attribute 'no_such_module'"]
