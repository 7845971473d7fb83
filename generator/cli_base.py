"""What the `lowcodegen` commands share: the click group, common options, bad-input handling and the
generation jobs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import runcache
from .config import Config, Target, load_config, package_name_problem
from .diagnostics import GeneratorError, Location, fail
from .write import MANIFEST, manifest_file

if TYPE_CHECKING:
    from .ir import Api
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
        return generate(self.target, self.config, base, self.templates, _progress(), self.cache_dir)

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


def _target_apis(root: str, target: str | None) -> list[Api]:
    """The IR of each configured target (or the one named), without rendering anything."""
    from .pipeline import target_api

    config, targets = _targets(root, None, None, None, target)
    return [target_api(t, config, root) for t in targets]


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
