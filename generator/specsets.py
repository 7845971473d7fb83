"""The sides of a diff: a specs folder, one spec file, the specs at a git revision, or a committed
generation.

Each side is loaded through the real pipeline up to the IR (`merge_target` + `normalize`), so a diff
sees exactly what the generator would make of it.
"""

from __future__ import annotations

import glob
import os
import subprocess
import tempfile
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import click

from .config import Config, Target, load_config
from .diagnostics import GeneratorError, Location, fail, nesting_bounded
from .diff import diff_apis
from .diff_rules import Change
from .diffreport import summary_lines
from .ir import Api

if TYPE_CHECKING:
    from .pipeline import Generation
    from .write import WriteResult


@dataclass(frozen=True)
class SpecSet:
    """One side of a diff: its documented spec, its optional LowCodeAPI snapshot, and a label for
    people."""

    label: str
    documented: str
    snapshot: str | None
    names: tuple[tuple[str, str], ...] = ()  # (file on disk, name to show): files read out of git


def project(root: str, target_name: str | None) -> tuple[Config | None, Target | None]:
    """The project's configuration and target, or (None, None) outside a lowcodegen project."""
    try:
        config = load_config(root)
    except GeneratorError as exc:
        if target_name is None and all(
            d.code in ("config.missing", "config.section") for d in exc.diagnostics
        ):
            return None, None
        raise
    return config, config.target(target_name)


def relocate(target: Target, specs_dir: str) -> Target:
    """The target with its specs read from another folder laid out like the project's `specs/`."""
    base = os.path.dirname(target.spec)
    snapshot = (
        os.path.join(specs_dir, os.path.relpath(target.snapshot, base)) if target.snapshot else None
    )
    return replace(
        target, documented=os.path.join(specs_dir, os.path.basename(target.spec)), snapshot=snapshot
    )


def _one(found: list[str], folder: str, what: str) -> str | None:
    if len(found) > 1:
        names = ", ".join(os.path.basename(f) for f in found)
        raise fail(
            "diff.ambiguous",
            f"several {what} here ({names}): give the file itself",
            Location(folder),
        )
    return found[0] if found else None


def _documented_in(folder: str, target: Target | None) -> str:
    if target is not None and os.path.isfile(os.path.join(folder, os.path.basename(target.spec))):
        return os.path.join(folder, os.path.basename(target.spec))
    found = _one(
        sorted(
            p
            for ext in ("yaml", "yml", "json")
            for p in glob.glob(os.path.join(glob.escape(folder), f"*.documented.{ext}"))
        ),
        folder,
        "documented specs",
    )
    if found is None:
        found = _one(
            sorted(
                p
                for ext in ("yaml", "yml", "json")
                for p in glob.glob(os.path.join(glob.escape(folder), f"*.{ext}"))
            ),
            folder,
            "spec files",
        )
    if found is None:
        raise fail(
            "diff.no-spec",
            "no spec here (expected NAME.documented.yaml, optionally with"
            " lowcodeapi/NAME.openapi.json)",
            Location(folder),
        )
    return found


def _snapshot_in(folder: str, target: Target | None) -> str | None:
    if target is not None and target.snapshot:
        candidate = os.path.join(
            folder, os.path.relpath(target.snapshot, os.path.dirname(target.spec))
        )
        if os.path.isfile(candidate):
            return candidate
    return _one(
        sorted(glob.glob(os.path.join(glob.escape(folder), "lowcodeapi", "*.openapi.json"))),
        folder,
        "LowCodeAPI snapshots",
    )


def spec_set(path: str, target: Target | None) -> SpecSet:
    """A folder (documented spec + optional snapshot) or one file; a lone snapshot pairs with the
    project's documented spec."""
    if os.path.isdir(path):
        return SpecSet(path, _documented_in(path, target), _snapshot_in(path, target))
    if not os.path.exists(path):
        raise fail("diff.missing", "no such file or folder", Location(path))
    from .dialect import is_lowcodeapi_dialect
    from .source import read_spec

    if target is not None and is_lowcodeapi_dialect(read_spec(path).data):
        return SpecSet(path, target.spec, path)
    return SpecSet(path, path, None)


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise fail("diff.git", f"cannot run git: {exc}", Location(cwd)) from None


def _toplevel(folder: str) -> str | None:
    done = _git(folder, "rev-parse", "--show-toplevel")
    return os.path.realpath(done.stdout.decode().strip()) if done.returncode == 0 else None


def _git_file(top: str, ref: str, path: str, into: str) -> tuple[str, str] | str:
    """(file written, display name), or git's one-line reason when REF has no such file."""
    rel = os.path.relpath(os.path.realpath(path), top).replace(os.sep, "/")
    done = _git(top, "show", f"{ref}:{rel}")
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return lines[0].removeprefix("fatal: ") if lines else f"git show failed ({done.returncode})"
    local = os.path.join(into, rel)
    os.makedirs(os.path.dirname(local), exist_ok=True)
    with open(local, "wb") as handle:
        handle.write(done.stdout)
    return local, f"{ref}:{rel}"


def git_spec_set(ref: str, current: Target, into: str) -> SpecSet:
    """The target's specs as they were at git revision `ref`, copied into the folder `into`."""
    folder = os.path.dirname(current.spec) or "."
    top = _toplevel(folder)
    if top is None:
        raise fail("diff.git", "not inside a git repository", Location(folder))
    documented = _git_file(top, ref, current.spec, into)
    if isinstance(documented, str):
        raise fail(
            "diff.git",
            documented,
            Location(f"{ref}:{os.path.relpath(os.path.realpath(current.spec), top)}"),
        )
    snapshot = _git_file(top, ref, current.snapshot, into) if current.snapshot else None
    names = (documented,) + ((snapshot,) if isinstance(snapshot, tuple) else ())
    return SpecSet(ref, documented[0], snapshot[0] if isinstance(snapshot, tuple) else None, names)


def load_api(side: SpecSet, target: Target | None, config: Config | None, root: str) -> Api:
    """A side through the pipeline up to the IR; errors name files as people know them
    (`REF:path`)."""
    from .pipeline import display_path, merge_target, target_ir

    base = target or Target("spec", "spec", "client", side.documented, None, root)
    t = replace(
        base,
        documented=os.path.abspath(side.documented),
        snapshot=os.path.abspath(side.snapshot) if side.snapshot else None,
    )
    try:
        with nesting_bounded(display_path(t.spec, root)):
            merged, provider = merge_target(t, config if target else None, root)
            return target_ir(merged, provider, t, root)
    except GeneratorError as exc:
        shown = {display_path(local, root): name for local, name in side.names}
        raise GeneratorError(
            [
                replace(
                    d,
                    location=replace(d.location, file=shown.get(d.location.file, d.location.file)),
                )
                for d in exc.diagnostics
            ]
        ) from None


def diff_sides(
    old: str | None,
    new: str | None,
    git_ref: str | None,
    root: str,
    target_name: str | None,
    specs_dir: str | None,
) -> tuple[tuple[Change, ...], str, str]:
    """The changes between two spec sets (or REF's specs and the current ones), with both sides'
    labels."""
    config, target = project(root, target_name)
    if target is not None and specs_dir:
        target = relocate(target, os.path.abspath(specs_dir))
    if git_ref is not None:
        if target is None:
            raise fail(
                "diff.git",
                "--git needs a lowcodegen project (pyproject.toml with [tool.lowcodegen])",
                Location(root),
            )
        with tempfile.TemporaryDirectory(prefix="lowcodegen-diff-") as into:
            before = git_spec_set(git_ref, target, into)
            current = SpecSet(
                os.path.relpath(os.path.dirname(target.spec)) or ".", target.spec, target.snapshot
            )
            changes = diff_apis(
                load_api(before, target, config, root), load_api(current, target, config, root)
            )
            return (
                changes,
                f"{git_ref}:{os.path.basename(os.path.dirname(target.spec))}",
                current.label,
            )
    assert old is not None and new is not None
    sides = spec_set(old, target), spec_set(new, target)
    return (
        diff_apis(
            load_api(sides[0], target, config, root), load_api(sides[1], target, config, root)
        ),
        old,
        new,
    )


def committed_api(out: str, api: Api, ref: str = "HEAD") -> tuple[Api, str] | None:
    """The API of the generation committed at `ref` (its `openapi.merged.json`), or None when there
    is none."""
    from .load import load_spec
    from .normalize import normalize
    from .urlformats import routes_in_document

    top = _toplevel(out) if os.path.isdir(out) else None
    if top is None:
        return None
    with tempfile.TemporaryDirectory(prefix="lowcodegen-prev-") as into:
        found = _git_file(top, ref, os.path.join(out, "openapi.merged.json"), into)
        if isinstance(found, str):
            return None
        local, name = found
        # our own output: already validated when written
        loaded = load_spec(local, name, validate=False)
        # the routes it records: nothing merged them this run
        routes = routes_in_document(loaded.document)
        return (
            normalize(loaded.document, api.provider, str(api.package), (), name, routes=routes),
            name,
        )


def print_api_changes(gen: Generation, result: WriteResult) -> None:
    """The end of `lowcodegen generate`: API changes against the committed generation, breaking
    first."""
    try:
        previous = committed_api(gen.target.out, gen.api)
    except GeneratorError as exc:
        click.echo(f"API changes not summarised: {exc.diagnostics[0]}", err=True)
        return
    if previous is None:
        return
    changes = diff_apis(previous[0], gen.api)
    if changes or not result.unchanged:
        for line in summary_lines(changes, previous[1]):
            click.echo(line)
