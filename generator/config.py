"""`[tool.lowcodegen]` in pyproject.toml: targets, providers and paths, read once into frozen
data."""

from __future__ import annotations

import keyword
import os
import sys
import tomllib
from dataclasses import dataclass
from typing import Any

from .diagnostics import Location, fail
from .ir import Provider
from .urlformats import RULES


@dataclass(frozen=True)
class Target:
    """One generated package: its inputs, its provider and where it goes."""

    name: str
    provider: str
    package: str
    documented: str | None  # None: the LowCodeAPI snapshot is the only input
    snapshot: str | None
    out: str

    @property
    def spec(self) -> str:
        """The target's main input, for messages and relative paths: the documented spec, else the
        snapshot."""
        return self.documented or self.snapshot or ""


@dataclass(frozen=True)
class Config:
    """The whole configuration, with paths made absolute against the project root."""

    root: str
    templates: str
    targets: tuple[Target, ...]
    providers: dict[str, Provider]

    def target(self, name: str | None = None) -> Target:
        """The named target, or the only/first one."""
        if name is None:
            return self.targets[0]
        for target in self.targets:
            if target.name == name:
                return target
        raise fail(
            "config.target",
            f"no target named {name!r}",
            Location(os.path.join(self.root, "pyproject.toml")),
        )


def default_provider(name: str) -> Provider:
    """A provider's defaults: the proxy's URL for it, no direct base or auth, environment variables
    named after it (`cloudflare-r2`: `CLOUDFLARE_R2_API_KEY`, a name a shell can set)."""
    env = "".join(c if c.isalnum() else "_" for c in name.upper())
    return Provider(
        name=name,
        lowcodeapi_base_url=f"https://api.lowcodeapi.com/{name}",
        direct_base_url="",
        token_env="LOWCODEAPI_API_TOKEN",
        api_key_env=f"{env}_API_KEY",
        base_url_env="LOWCODEAPI_BASE_URL",
        direct_base_url_env=f"{env}_BASE_URL",
        direct_auth_header="",
        direct_headers=(),
        old_format_rule="keep",
    )


def load_config(root: str) -> Config:
    """Read `[tool.lowcodegen]` from `root/pyproject.toml`."""
    path = os.path.join(root, "pyproject.toml")
    where = Location(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise fail(
            "config.missing",
            "no pyproject.toml here (run from the project root or pass --root)",
            where,
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise fail("config.syntax", f"invalid TOML: {exc}", where) from None
    tool: dict[str, Any] = data.get("tool", {}).get("lowcodegen", {})
    if not tool:
        raise fail("config.section", "no [tool.lowcodegen] section", where)
    providers = {
        name: _provider(name, raw, where) for name, raw in sorted(tool.get("providers", {}).items())
    }
    targets = []
    for raw in tool.get("targets", []):
        try:
            provider = raw.get("provider", raw["name"])
            if provider not in providers:
                providers[provider] = default_provider(provider)
            if (problem := package_name_problem(str(raw["package"]))) is not None:
                raise fail("config.package", f"target {raw['name']!r}: {problem}", where)
            targets.append(
                Target(
                    name=raw["name"],
                    provider=provider,
                    package=raw["package"],
                    documented=(
                        os.path.join(root, raw["documented"]) if raw.get("documented") else None
                    ),
                    snapshot=os.path.join(root, raw["snapshot"]) if raw.get("snapshot") else None,
                    out=os.path.join(root, raw.get("out", "generated")),
                )
            )
            if not raw.get("documented") and not raw.get("snapshot"):
                raise fail(
                    "config.target",
                    f"target {raw['name']!r} needs a documented spec, a snapshot or both",
                    where,
                )
        except KeyError as exc:
            raise fail(
                "config.target", f"a [[tool.lowcodegen.targets]] entry lacks {exc.args[0]!r}", where
            ) from None
    if not targets:
        raise fail("config.target", "no [[tool.lowcodegen.targets]]", where)
    templates = os.path.join(root, tool.get("templates", "templates"))
    return Config(root=root, templates=templates, targets=tuple(targets), providers=providers)


def _provider(name: str, raw: dict[str, Any], where: Location) -> Provider:
    base = default_provider(name)
    rule = raw.get("old_format_rule", base.old_format_rule)
    if rule not in RULES:
        raise fail(
            "config.rule",
            f"provider {name!r}: unknown old_format_rule {rule!r} (known: {', '.join(RULES)})",
            where,
        )
    return Provider(
        name=name,
        lowcodeapi_base_url=raw.get("lowcodeapi_base_url", base.lowcodeapi_base_url),
        direct_base_url=raw.get("direct_base_url", base.direct_base_url),
        token_env=raw.get("token_env", base.token_env),
        api_key_env=raw.get("api_key_env", base.api_key_env),
        base_url_env=raw.get("base_url_env", base.base_url_env),
        direct_base_url_env=raw.get("direct_base_url_env", base.direct_base_url_env),
        direct_auth_header=raw.get("direct_auth_header", base.direct_auth_header),
        direct_headers=tuple(sorted(raw.get("direct_headers", {}).items())),
        old_format_rule=rule,
        direct_auth_prefix=raw.get("direct_auth_prefix", ""),
        direct_auth_query=raw.get("direct_auth_query", ""),
    )


# Top-level names a generated package must not take: the package imports them (its runtime
# dependencies, theirs, the standard library) or its build does (setuptools, pip). `import json`
# inside a package named `json` would find the package, or the package would never be found at all.
_TAKEN = frozenset(
    {
        "httpx",
        "httpcore",
        "anyio",
        "sniffio",
        "h11",
        "h2",
        "idna",
        "certifi",
        "click",
        "typing_extensions",
        "exceptiongroup",
        "setuptools",
        "pkg_resources",
        "_distutils_hack",
        "pip",
        "wheel",
    }
)


def package_name_problem(name: str) -> str | None:
    """Why `name` cannot be a generated package's name, or None when it can."""
    if not name.isascii() or not name.isidentifier() or keyword.iskeyword(name):
        return (
            f"{name!r} is not a Python package name (ASCII letters, digits, underscores; not a"
            " keyword; no dots)"
        )
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return (
            f"{name!r} is a standard-library module: the generated package could not import it, nor"
            " be imported"
        )
    if name.lower() in _TAKEN or name.startswith("__"):
        return (
            f"{name!r} is a module the generated package or its build imports: choose another name"
        )
    return None
