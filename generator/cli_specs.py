"""`lowcodegen translate`, `diff`, `audit` and `fetch`: the commands about specs and URLs."""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

import click

from .cli_base import ROOT_OPTION, _fail_on_bad_input, _project_root, _target_apis, main
from .config import load_config
from .diagnostics import Location, fail


def _load_urls_module() -> ModuleType:
    """The runtime's translator, loaded from the templates the generated package is made from (as a
    package: `_urls` imports its sibling runtime modules)."""
    if "_lowcodegen_runtime" not in sys.modules:
        package = ModuleType("_lowcodegen_runtime")
        package.__path__ = [os.path.join(_project_root(), "templates", "package", "runtime")]
        sys.modules["_lowcodegen_runtime"] = package
    return importlib.import_module("_lowcodegen_runtime._urls")


@main.command("translate")
@click.argument("url")
@click.option(
    "--to",
    "to",
    type=click.Choice(["old", "new", "direct"]),
    required=True,
    help="The URL format to write.",
)
@click.option("--method", default=None, help="HTTP method, when the path alone is ambiguous.")
@ROOT_OPTION
@click.option("--target", "target", default=None)
@_fail_on_bad_input
def translate_command(url: str, to: str, method: str | None, root: str, target: str | None) -> None:
    """Rewrite a concrete URL in another format (old, new or direct); other query parameters are
    kept."""
    root = os.path.abspath(root)
    urls = _load_urls_module()
    api = _target_apis(root, target)[0]
    routes = [
        urls.Route(
            op.route.name,
            op.route.method,
            op.route.direct_method,
            op.route.direct,
            op.route.new,
            op.route.old,
            op.route.old_query,
        )
        for op in api.operations
    ]
    translator = urls.Translator(
        routes, api.provider.lowcodeapi_base_url, api.provider.direct_base_url
    )
    try:
        translator.check_base(url, method)  # the command translates the target's own URLs only
        click.echo(translator.translate(url, to, method))
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@main.command("diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--git",
    "git_ref",
    metavar="REF",
    default=None,
    help="Compare the specs at git revision REF (old side) with the current specs (new side).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format (json: schema lowcodegen-diff/1).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "possibly", "any"]),
    default=None,
    help="Exit 1 when a change of this severity or worse exists.",
)
@click.option(
    "--rules", "list_rules", is_flag=True, help="List every rule id with its severity, then exit."
)
@ROOT_OPTION
@click.option(
    "--target", "target", default=None, help="Only this [[tool.lowcodegen.targets]] entry."
)
@click.option(
    "--specs-dir",
    default=None,
    type=click.Path(file_okay=False),
    help="The current specs folder, laid out like specs/ (default: the target's).",
)
@_fail_on_bad_input
def diff_command(
    old: str | None,
    new: str | None,
    git_ref: str | None,
    form: str,
    fail_on: str | None,
    list_rules: bool,
    root: str,
    target: str | None,
    specs_dir: str | None,
) -> None:
    """What changed between two spec versions (folders or files), in the client's terms; breaking
    first."""
    from .diffreport import fails, render, rules_table
    from .specsets import diff_sides

    if list_rules:
        click.echo(rules_table(), nl=False)
        return
    if git_ref is not None and (old or new):
        raise click.UsageError(
            "--git REF compares REF's specs with the current ones: give no OLD/NEW"
        )
    if git_ref is None and not (old and new):
        raise click.UsageError(
            "give OLD and NEW (each a specs folder or a spec file), or --git REF"
        )
    changes, old_label, new_label = diff_sides(
        old, new, git_ref, os.path.abspath(root), target, specs_dir
    )
    click.echo(render(changes, old_label, new_label, form), nl=False)
    if fails(changes, fail_on):
        sys.exit(1)


@main.command("audit")
@click.argument("published", type=click.Path(dir_okay=True))
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format (json: schema lowcodegen-audit/1).",
)
@ROOT_OPTION
@click.option(
    "--target",
    "target",
    default=None,
    help="The [[tool.lowcodegen.targets]] entry to audit (default: the first).",
)
@_fail_on_bad_input
def audit_command(published: str, form: str, root: str, target: str | None) -> None:
    """What PUBLISHED (a provider's OpenAPI document) has that the merged spec lacks; exit 1 on
    undeclared gaps."""
    from .audit import audit, read_published, render
    from .pipeline import merge_target

    root = os.path.abspath(root)
    document = read_published(published)
    config = load_config(root)
    chosen = config.target(target)
    merged, _ = merge_target(chosen, config, root)
    report = audit(document, merged.document)
    click.echo(render(report, form), nl=False)
    if report.undeclared:
        sys.exit(1)


@main.command("fetch")
@click.option(
    "--base-url",
    default="https://backend.lowcodeapi.com",
    show_default=True,
    envvar="LOWCODEGEN_BACKEND_URL",
    help="LowCodeAPI's backend (serves /<provider>/openapi and /<provider>/definition).",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds for the whole fetch, wall clock: both documents, redirects and retries.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Accept a snapshot with fewer than half the operations of the current one.",
)
@click.option(
    "--retries",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Retries on connection errors, timeouts, 429 and 5xx.",
)
@ROOT_OPTION
@click.option(
    "--target",
    "target",
    default=None,
    help="The [[tool.lowcodegen.targets]] entry whose snapshot to refresh.",
)
@click.option(
    "--specs-dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Refresh the snapshot in this specs folder (laid out like specs/) instead.",
)
@click.option(
    "--provider",
    default=None,
    help=(
        "Any LowCodeAPI provider: write specs/lowcodeapi/NAME.openapi.json (or refresh its target's"
        " snapshot)."
    ),
)
@_fail_on_bad_input
def fetch_command(
    base_url: str,
    timeout: float,
    force: bool,
    retries: int,
    root: str,
    target: str | None,
    specs_dir: str | None,
    provider: str | None,
) -> None:
    """Refresh the LowCodeAPI snapshot from the live backend and print what changed; offline or bad
    answer: exit 2, nothing touched."""
    from .diff import diff_apis
    from .diffreport import render
    from .fetch import fetch_snapshot
    from .specsets import relocate

    root = os.path.abspath(root)
    if provider is not None:
        from .fetch import provider_target

        if target is not None:
            raise fail(
                "fetch.options",
                "--provider and --target name the snapshot twice: give one",
                Location(root),
            )
        config = load_config(root) if os.path.isfile(os.path.join(root, "pyproject.toml")) else None
        chosen = provider_target(provider, config, root)
    else:
        config = load_config(root)
        chosen = config.target(target)
    if specs_dir:
        chosen = relocate(chosen, os.path.abspath(specs_dir))
    result = fetch_snapshot(chosen, config, root, base_url, timeout, retries, force=force)
    where = os.path.relpath(result.snapshot)
    click.echo(f"fetched {result.url}: {result.routes} routes, sha256 {result.sha256[:12]}")
    click.echo(
        f"{where}: {'replaced' if result.replaced else 'unchanged'};"
        f" {os.path.relpath(result.provenance)} updated"
    )
    if result.old_api is None:
        click.echo("no readable snapshot before: nothing to compare")
    else:
        click.echo(
            render(
                diff_apis(result.old_api, result.new_api),
                "the old snapshot",
                "the fetched snapshot",
                "text",
            ),
            nl=False,
        )


if __name__ == "__main__":
    main()
