"""`lowcodegen`: a thin click shell over the pipeline. Exit 0 success, 1 a check failed, 2 bad
input."""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import sys

import click

from . import runcache
from .cli_base import (
    _fail_on_bad_input,
    _generate_all,
    _Job,
    _jobs,
    _say_blackened,
    _targets,
    main,
    operations_phrase,
    with_target_options,
)
from .diagnostics import Diagnostic, GeneratorError, grouped, nesting_bounded
from .write import compare, write_tree


@main.command("generate")
@with_target_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Targets generated at once, each in its own process (a catalogue of providers).",
)
@_fail_on_bad_input
def generate_command(
    root: str, target: str | None, spec: str | None, package: str | None, out: str | None, jobs: int
) -> None:
    """Regenerate every target (or one); print what changed."""
    root = os.path.abspath(root)
    pending = []
    for job in _jobs(root, spec, package, out, target):
        count = runcache.up_to_date(job.cache_dir, job.key, job.target.out) if job.key else None
        if count is not None:
            click.echo(
                f"{os.path.relpath(job.target.out)}: up to date ({count} files; nothing that"
                " decides the output changed)"
            )
        else:
            pending.append(job)
    # Every target is generated even when one has bad input (its located errors are printed in its
    # place, exit 2 at the end): one broken provider does not hold back a catalogue. With --jobs,
    # each worker writes its target and hands back what it printed, shown in target order.
    failed = False
    if jobs == 1 or len(pending) < 2:
        for job in pending:  # printed as it goes (progress on a terminal included)
            try:
                _generate_job(job, root)
            except GeneratorError as exc:
                failed |= _report(("", "", list(exc.diagnostics)))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(pending))) as pool:
            for outcome in pool.map(_generate_job_captured, pending, [root] * len(pending)):
                failed |= _report(outcome)
    if failed:
        sys.exit(2)


def _report(outcome: tuple[str, str, list[Diagnostic]]) -> bool:
    """Print what a target's run printed, then its bad-input problems; True when it had any."""
    stdout, stderr, problems = outcome
    click.echo(stdout, nl=False)
    click.echo(stderr, nl=False, err=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    return bool(problems)


def _generate_job_captured(job: _Job, root: str) -> tuple[str, str, list[Diagnostic]]:
    """`_generate_job` in a worker process: (its stdout, its stderr, its bad-input problems)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            _generate_job(job, root)
        except GeneratorError as exc:
            return out.getvalue(), err.getvalue(), list(exc.diagnostics)
    return out.getvalue(), err.getvalue(), []


def _generate_job(job: _Job, root: str) -> None:
    """Generate and write one target whose run cache missed; print what changed."""
    gen = job.run(root)
    result = write_tree(gen.target.out, gen.files)
    job.remember(gen)
    where = os.path.relpath(gen.target.out)
    for line in grouped([d for d in gen.merged.report.repairs if d.level == "warning"]):
        click.echo(line, err=True)
    for w in gen.api.warnings:
        click.echo(f"warning: {w}", err=True)
    for e in gen.merged.report.unresolved():
        click.echo(f"warning: unacknowledged merge conflict: {e.operation}: {e.message}", err=True)
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


# The spec and URL commands register themselves on `main` (imported for that, and for the tests).
from . import cli_specs  # noqa: E402
from .cli_specs import _load_urls_module  # noqa: E402

__all__ = ["_generate_all", "_load_urls_module", "cli_specs", "main"]
