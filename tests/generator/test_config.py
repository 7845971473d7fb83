"""Provider defaults: one source (config.default_provider) for a configured target and a LowCodeAPI
document alone; environment variable names a shell can set, whatever the provider's name."""

from __future__ import annotations

from pathlib import Path

from gentest_util import SHARED

from generator.config import default_provider, load_config
from generator.provider_merge import lowcodeapi_provider
from generator.source import read_spec


def test_a_hyphenated_provider_gets_environment_names_a_shell_can_set(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lowcodegen]\n\n[[tool.lowcodegen.targets]]\nname = "r2"\nprovider = "cloudflare-r2"\n'
        'package = "r2_lowcodeapi"\nsnapshot = "r2.json"\nout = "out"\n', encoding="utf-8")
    provider = load_config(str(tmp_path)).providers["cloudflare-r2"]
    assert (provider.api_key_env, provider.direct_base_url_env) == ("CLOUDFLARE_R2_API_KEY", "CLOUDFLARE_R2_BASE_URL")


def test_a_provider_document_starts_from_the_same_defaults() -> None:
    document = read_spec(str(SHARED / "lowcodeapi" / "providers" / "cloudflare-r2.openapi.json")).data
    found = lowcodeapi_provider("cloudflare-r2", document, None)
    defaults = default_provider("cloudflare-r2")
    assert (found.api_key_env, found.direct_base_url_env, found.token_env, found.base_url_env) == (
        defaults.api_key_env, defaults.direct_base_url_env, defaults.token_env, defaults.base_url_env)
    assert found.lowcodeapi_base_url == "https://api.lowcodeapi.com/cloudflare-r2"
