"""The stages in order: load, merge, normalize, render, format. Pure but for reading the inputs."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .config import Config, Target, default_provider
from .diagnostics import nesting_bounded
from .format import format_files
from .ir import Api, Provider
from .load import LoadedSpec, PendingValidation, load_spec
from .merge import MergedSpec, merge_specs
from .normalize import normalize
from .output import RenderedFile
from .provider_merge import lowcodeapi_provider, merge_provider
from .provider_routes import server_provider
from .render import render, template_cache
from .source import read_spec


@dataclass(frozen=True)
class Generation:
    """Everything one target produces, in memory."""

    target: Target
    api: Api
    merged: MergedSpec
    files: list[RenderedFile]
    blackened: tuple[
        str, ...
    ] = ()  # the files black formatted: shapes the templates do not print as black does


def display_path(path: str, root: str) -> str:
    """Paths as generated files name them: relative to the project root, with forward slashes."""
    return (os.path.relpath(os.path.abspath(path), root) if root else path).replace(os.sep, "/")


def plain_target(spec: str, package: str, out: str) -> Target:
    """A target for plain OpenAPI mode: one spec, no LowCodeAPI snapshot."""
    return Target(
        name=package,
        provider=package,
        package=package,
        documented=os.path.abspath(spec),
        snapshot=None,
        out=os.path.abspath(out),
    )


def _provider_for(target: Target, config: Config | None, document: dict[str, Any]) -> Provider:
    provider = (config.providers.get(target.provider) if config else None) or default_provider(
        target.provider
    )
    if not provider.direct_base_url:
        servers = document.get("servers") or []
        url = servers[0].get("url", "") if servers and isinstance(servers[0], dict) else ""
        provider = replace(provider, direct_base_url=str(url).rstrip("/"))
    if config is None and not (provider.direct_auth_header or provider.direct_auth_query):
        auth = spec_auth(document)
        provider = replace(
            provider,
            direct_auth_header=auth.get("direct_auth_header", ""),
            direct_auth_prefix=auth.get("direct_auth_prefix", ""),
            direct_auth_query=auth.get("direct_auth_query", ""),
        )
    return provider


def spec_auth(document: dict[str, Any]) -> dict[str, str]:
    """How a plain-mode client sends its api_key: the spec's first usable security scheme, else a
    header parameter that is plainly a credential (`x-api-key`, `authorization`)."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    order = [
        name for req in document.get("security") or [] if isinstance(req, dict) for name in req
    ]
    for name in order + [n for n in schemes if n not in order]:
        scheme = schemes.get(name)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") == "header" and scheme.get("name"):
            return {"direct_auth_header": str(scheme["name"])}
        if kind == "apiKey" and scheme.get("in") == "query" and scheme.get("name"):
            return {"direct_auth_query": str(scheme["name"])}
        if (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in (
            "oauth2",
            "openIdConnect",
        ):
            return {"direct_auth_header": "Authorization", "direct_auth_prefix": "Bearer "}
    for item in (document.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else ():
            for p in (op.get("parameters") or []) if isinstance(op, dict) else ():
                if (
                    isinstance(p, dict)
                    and p.get("in") == "header"
                    and str(p.get("name", "")).lower() in ("x-api-key", "api-key")
                ):
                    return {"direct_auth_header": str(p["name"])}
    return {}


def merge_target(
    target: Target,
    config: Config | None,
    root: str,
    pending: Callable[[list[LoadedSpec]], None] | None = None,
) -> tuple[MergedSpec, Provider]:
    """Load and merge a target's inputs. With `pending`, the OpenAPI validation of the inputs is
    handed to it (see load.PendingValidation) instead of done before the merge."""
    defer = pending is not None
    source = None
    if target.documented is None or (config is None and target.snapshot is None):
        path = target.documented or target.snapshot or ""
        source = read_spec(path, display_path(path, root))  # read once, whichever way it goes
    if source is not None and (target.documented is None or server_provider(source.data)):
        # a LowCodeAPI document alone: plain mode on a provider's /openapi, or a snapshot-only
        # target
        alone = load_spec(source.path, defer_validation=defer, stamp_keys=True, source=source)
        if pending is not None:
            pending([alone])
        name = server_provider(alone.source.data) or target.provider
        configured = config.providers.get(name) if config else None
        provider = lowcodeapi_provider(name, alone.source.data, configured)
        return merge_provider(alone, provider), provider
    assert target.documented is not None  # a target without one returned above
    documented = load_spec(
        target.documented, display_path(target.spec, root), defer_validation=defer, source=source
    )
    snapshot = (
        load_spec(target.snapshot, display_path(target.snapshot, root), defer_validation=defer)
        if target.snapshot
        else None
    )
    if pending is not None:
        pending([documented] + ([snapshot] if snapshot else []))
    provider = _provider_for(target, config, documented.document)
    return merge_specs(documented, snapshot, provider), provider


Progress = Callable[[str], None]


def target_ir(merged: MergedSpec, provider: Provider, target: Target, root: str) -> Api:
    """The IR of a target's merged document: the one place that hands merge's routes on."""
    return normalize(
        merged.document,
        provider,
        target.package,
        merged.report.inputs,
        display_path(target.spec, root),
        routes=merged.routes,
    )


def target_api(target: Target, config: Config | None, root: str) -> Api:
    """Load, merge and normalize only: the IR, for commands that need no files (translate)."""
    with nesting_bounded(display_path(target.spec, root)):
        merged, provider = merge_target(target, config, root)
        return target_ir(merged, provider, target, root)


def generate(
    target: Target,
    config: Config | None,
    root: str,
    templates: str,
    progress: Progress | None = None,
    cache_dir: str | None = None,
) -> Generation:
    """All stages but the write: the files a target should have, formatted."""
    say = progress or (lambda _: None)
    say(f"loading {display_path(target.spec, root)}")
    validations: list[PendingValidation] = []
    try:
        with nesting_bounded(display_path(target.spec, root)):
            merged, provider = merge_target(
                target, config, root, lambda specs: validations.append(PendingValidation(specs))
            )
            say(f"normalizing {merged.report.operations} operations")
            api = target_ir(merged, provider, target, root)
            say(f"rendering {len(api.operations)} operations, {len(api.models)} models")
            files = render(
                api,
                merged.document,
                merged.report,
                templates,
                root,
                template_cache(templates, cache_dir),
            )
    except Exception:
        for validation in validations:
            # an invalid input explains the failure better than the failure does
            validation.finish()
        raise
    for validation in validations:
        validation.finish()
    formatted, blackened = format_files(files)
    return Generation(target, api, merged, formatted, tuple(blackened))
