"""`lowcodegen`: a thin click shell over the pipeline. Exit 0 success, 1 a check failed, 2 bad
input."""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import runcache
from .config import Config, Target, load_config, package_name_problem
from .diagnostics import GeneratorError, Location, fail, grouped, nesting_bounded
from .write import MANIFEST, compare, manifest_file, write_tree

if TYPE_CHECKING:
    from .pipeline import Generation

F = TypeVar("F", bound=Callable[..., Any])


def _fail_on_bad_input(func: F) -> F:
    """Bad input: one located line per problem on stderr, exit 2, nothing written."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GeneratorError as exc:
            for d in exc.diagnostics:
                click.echo(str(d), err=True)
            sys.exit(2)

    wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
    return wrapper  # type: ignore[return-value]


def _targets(
    root: str, spec: str | None, package: str | None, out: str | None, target: str | None
) -> tuple[Config | None, list[Target]]:
    if package is not None and (problem := package_name_problem(package)) is not None:
        raise fail("usage.package", problem, Location("--package"))
    if spec is not None:
        if not package or not out:
            raise click.UsageError("--spec needs --package and --out")
        from .pipeline import plain_target

        return None, [plain_target(spec, package, out)]
    config = load_config(root)
    chosen = [config.target(target)] if target else list(config.targets)
    if package or out:
        if len(chosen) != 1:
            raise click.UsageError("--package/--out need a single --target")
        t = chosen[0]
        chosen = [
            Target(
                t.name,
                t.provider,
                package or t.package,
                t.documented,
                t.snapshot,
                os.path.abspath(out) if out else t.out,
            )
        ]
    return config, chosen


@dataclass(frozen=True)
class _Job:
    """One target to generate, with where its caches live and its run fingerprint."""

    target: Target
    config: Config | None
    templates: str
    cache_dir: str
    key: str

    def run(self, root: str) -> Generation:
        from .pipeline import generate  # the full pipeline: imported only when the run cache misses

        # Plain mode names its spec relative to the spec's own folder: the same bytes from any
        # working folder.
        base = root if self.config is not None else os.path.dirname(self.target.spec)
        return generate(self.target, self.config, base, self.templates, _progress())

    def remember(self, gen: Generation) -> None:
        runcache.remember(
            self.cache_dir,
            self.key,
            {f.path: f.text for f in gen.files} | {MANIFEST: manifest_file(gen.files).text},
        )


def _jobs(
    root: str, spec: str | None, package: str | None, out: str | None, target: str | None
) -> list[_Job]:
    config, targets = _targets(root, spec, package, out, target)
    templates = config.templates if config else os.path.join(_project_root(), "templates")
    cache_dir = os.path.join(root if config else os.getcwd(), ".lowcodegen-cache")
    jobs = []
    for t in targets:
        try:
            key = runcache.fingerprint(t, config, root, templates)
        except OSError:
            key = ""  # an unreadable input: the full pipeline reports it with its location
        jobs.append(_Job(t, config, templates, cache_dir, key))
    return jobs


def _generate_all(
    root: str, spec: str | None, package: str | None, out: str | None, target: str | None
) -> list[Generation]:
    return [job.run(root) for job in _jobs(root, spec, package, out, target)]


def _say_blackened(gen: Generation) -> None:
    """The files that needed black: the templates print a shape of theirs unlike black (worth a
    fix)."""
    if gen.blackened:
        shown = ", ".join(gen.blackened[:5]) + (
            f" and {len(gen.blackened) - 5} more" if len(gen.blackened) > 5 else ""
        )
        click.echo(
            f"{os.path.relpath(gen.target.out)}: formatted {len(gen.blackened)} file(s) with black:"
            f" {shown}"
        )


def operations_phrase(operations: int, direct_variants: int = 0) -> str:
    """The operation count in the same words everywhere (generate, validate, the merge report)."""
    extra = (
        f" (the merged document also lists {direct_variants} direct-method variants of them)"
        if direct_variants
        else ""
    )
    return f"{operations} operations{extra}"


def _progress() -> Callable[[str], None] | None:
    """Stage by stage on stderr when a person watches it; silent in CI and pipes."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    return lambda message: click.echo(click.style(f"... {message}", dim=True), err=True)


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Options that several commands share, written once.
ROOT_OPTION = click.option(
    "--root",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Project root (holds pyproject.toml).",
)

target_options = [
    ROOT_OPTION,
    click.option(
        "--target", "target", default=None, help="Only this [[tool.lowcodegen.targets]] entry."
    ),
    click.option(
        "--spec",
        default=None,
        help="Plain OpenAPI mode: generate from this one spec (needs --package and --out).",
    ),
    click.option(
        "--package", default=None, help="Package name of the client (e.g. for vendoring)."
    ),
    click.option("--out", default=None, help="Output folder."),
]


def with_target_options(func: F) -> F:
    for option in reversed(target_options):
        func = option(func)
    return func


@click.group()
@click.version_option(package_name="lowcodegen")
def main() -> None:
    """Generate a typed Python client, CLI and URL tables from OpenAPI specs (LowCodeAPI-aware)."""


@main.command("generate")
@with_target_options
@_fail_on_bad_input
def generate_command(
    root: str, target: str | None, spec: str | None, package: str | None, out: str | None
) -> None:
    """Regenerate every target (or one); print what changed."""
    root = os.path.abspath(root)
    for job in _jobs(root, spec, package, out, target):
        count = runcache.up_to_date(job.cache_dir, job.key, job.target.out) if job.key else None
        if count is not None:
            click.echo(
                f"{os.path.relpath(job.target.out)}: up to date ({count} files; nothing that"
                " decides the output changed)"
            )
            continue
        gen = job.run(root)
        result = write_tree(gen.target.out, gen.files)
        job.remember(gen)
        where = os.path.relpath(gen.target.out)
        for line in grouped([d for d in gen.merged.report.repairs if d.level == "warning"]):
            click.echo(line, err=True)
        for w in gen.api.warnings:
            click.echo(f"warning: {w}", err=True)
        for e in gen.merged.report.unresolved():
            click.echo(
                f"warning: unacknowledged merge conflict: {e.operation}: {e.message}", err=True
            )
        if result.unchanged:
            click.echo(
                f"{where}: up to date ({len(gen.files)} files,"
                f" {operations_phrase(gen.merged.report.operations)})"
            )
        else:
            click.echo(
                f"{where}: {len(result.added)} added, {len(result.changed)} changed,"
                f" {len(result.removed)} removed"
                f" ({operations_phrase(gen.merged.report.operations)})"
            )
            for kind, paths in (("+", result.added), ("~", result.changed), ("-", result.removed)):
                for path in paths:
                    click.echo(f"  {kind} {path}")
        _say_blackened(gen)
        from .specsets import print_api_changes

        print_api_changes(gen, result)  # API changes against the committed generation


@main.command("check")
@with_target_options
@_fail_on_bad_input
def check_command(
    root: str, target: str | None, spec: str | None, package: str | None, out: str | None
) -> None:
    """Exit 1, with a short diff, when the output is not what the specs and templates give."""
    root = os.path.abspath(root)
    stale = False
    for job in _jobs(root, spec, package, out, target):
        if job.key and runcache.up_to_date(job.cache_dir, job.key, job.target.out) is not None:
            click.echo(f"{os.path.relpath(job.target.out)}: up to date")
            continue
        gen = job.run(root)
        result = compare(gen.target.out, gen.files)
        where = os.path.relpath(gen.target.out)
        _say_blackened(gen)
        if result.unchanged:
            job.remember(gen)
            click.echo(f"{where}: up to date")
            continue
        stale = True
        click.echo(
            f"{where} is stale: {len(result.added)} missing, {len(result.changed)} changed,"
            f" {len(result.removed)} no longer generated",
            err=True,
        )
        wanted = {f.path: f.text for f in gen.files}
        for path in result.changed[:5]:
            with open(
                os.path.join(gen.target.out, path), encoding="utf-8", errors="replace", newline=""
            ) as handle:
                current = handle.read()
            diff = list(
                difflib.unified_diff(
                    current.splitlines(),
                    wanted[path].splitlines(),
                    f"{where}/{path} (on disk)",
                    f"{where}/{path} (generated)",
                    lineterm="",
                    n=1,
                )
            )
            for line in diff[:24]:
                click.echo(line, err=True)
            if len(diff) > 24:
                click.echo(f"... ({len(diff) - 24} more diff lines)", err=True)
        for path in result.added + result.removed:
            click.echo(
                f"  {'missing' if path in result.added else 'stale'}: {where}/{path}", err=True
            )
        click.echo(
            "Run `lowcodegen generate` (or `make generate`) and commit the result.", err=True
        )
    if stale:
        sys.exit(1)


@main.command("validate")
@with_target_options
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail on warnings (snapshot-only operations, types degraded to Any).",
)
@_fail_on_bad_input
def validate_command(
    root: str,
    target: str | None,
    spec: str | None,
    package: str | None,
    out: str | None,
    strict: bool,
) -> None:
    """Load and merge; print the merge report; exit 1 on unresolved conflicts."""
    root = os.path.abspath(root)
    config, targets = _targets(root, spec, package, out, target)
    failed = False
    from .pipeline import merge_target

    for t in targets:
        with nesting_bounded(t.spec if config is None else os.path.relpath(t.spec, root)):
            merged, _ = merge_target(t, config, root)
        report = merged.report
        click.echo(
            f"{t.name}: {operations_phrase(report.operations, report.direct_variants)};"
            f" {report.count('matched')} matched, {report.count('documented-only')} documented"
            f" only, {report.count('snapshot-only')} snapshot only, {report.count('alias')}"
            f" aliases, {len(report.repairs)} dialect repairs"
            + (
                f"; URL forms derived for {report.count('derived')} from the provider's document"
                if report.count("derived")
                else ""
            )
        )
        for e in report.entries:
            if e.level != "info" or e.kind == "conflict":
                state = f" (acknowledged: {e.acknowledged})" if e.acknowledged else ""
                click.echo(f"  {e.level}: {e.kind}: {e.operation}: {e.message}{state}")
        unresolved = report.unresolved()
        warnings = [e for e in report.entries if e.level == "warning" and e.kind != "conflict"]
        if unresolved:
            click.echo(
                f"{len(unresolved)} unresolved merge conflict(s): acknowledge them with x-merge-ack"
                " or fix them",
                err=True,
            )
            failed = True
        if strict and warnings:
            click.echo(f"--strict: {len(warnings)} warning(s)", err=True)
            failed = True
    if failed:
        sys.exit(1)


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
    gen = _generate_all(root, None, None, None, target)[0]
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
        for op in gen.api.operations
    ]
    translator = urls.Translator(
        routes, gen.api.provider.lowcodeapi_base_url, gen.api.provider.direct_base_url
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
