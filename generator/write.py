"""Stage 6, write: the whole tree is built beside the target and swapped in; a failed run changes
nothing.

A manifest (`.lowcodegen-manifest.json`) lists the files the generator wrote; the next run removes
those it no longer generates and never touches any other file in the folder. Files are written in
sorted order with LF newlines and UTF-8, so two runs give byte-identical trees.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
from dataclasses import dataclass

from .diagnostics import Location, fail
from .output import RenderedFile

MANIFEST = ".lowcodegen-manifest.json"


@dataclass(frozen=True)
class WriteResult:
    """What a write changed, by path relative to the output folder."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


def read_manifest(out: str) -> tuple[str, ...]:
    """The files a previous run generated (empty when there was none)."""
    try:
        with open(os.path.join(out, MANIFEST), encoding="utf-8") as handle:
            data = json.load(handle)
        return tuple(str(p) for p in data.get("files", []))
    except (OSError, ValueError):
        return ()


def manifest_file(files: list[RenderedFile]) -> RenderedFile:
    """The manifest as one more generated file."""
    text = (
        json.dumps({"generator": "lowcodegen", "files": sorted(f.path for f in files)}, indent=2)
        + "\n"
    )
    return RenderedFile(MANIFEST, text, False)


def compare(out: str, files: list[RenderedFile]) -> WriteResult:
    """How the files on disk differ from `files` (the generated set, manifest excluded)."""
    wanted = {f.path: f.text for f in files}
    previous = set(read_manifest(out))
    added, changed = [], []
    for path, text in sorted(wanted.items()):
        try:
            with open(os.path.join(out, path), encoding="utf-8", newline="") as handle:
                if handle.read() != text:
                    changed.append(path)
        except FileNotFoundError:
            added.append(path)
        except (OSError, UnicodeDecodeError):
            changed.append(path)
    removed = sorted(
        p for p in previous if p not in wanted and os.path.exists(os.path.join(out, p))
    )
    return WriteResult(tuple(added), tuple(changed), tuple(removed))


def write_tree(out: str, files: list[RenderedFile]) -> WriteResult:
    """Write the generated tree into `out` atomically; keep every file the generator did not
    make."""
    shown = out
    # an output folder behind a symlink: the link stays, its target is replaced
    out = os.path.realpath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise fail(
            "write.not-a-folder", "the output path exists and is not a folder", Location(shown)
        )
    result = compare(out, files)
    if result.unchanged and os.path.exists(os.path.join(out, MANIFEST)):
        return result
    parent = os.path.dirname(out) or "."
    try:
        os.makedirs(parent, exist_ok=True)
        _remove_abandoned_staging(parent, os.path.basename(out))
        staging = tempfile.mkdtemp(
            prefix=f".{os.path.basename(out)}.new-{os.getpid()}-", dir=parent
        )
        os.chmod(staging, _folder_mode(out))
    except OSError as exc:
        raise fail(
            "write.unwritable",
            f"cannot write beside the output folder: {exc.strerror}",
            Location(shown),
        ) from None
    try:
        previous = set(read_manifest(out)) | {MANIFEST}
        if os.path.isdir(out):
            _copy_foreign(out, staging, previous)
        for f in sorted(files + [manifest_file(files)], key=lambda f: f.path):
            target = os.path.join(staging, f.path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(f.text)
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise fail(
            "write.failed", f"could not write the output: {exc.strerror or exc}", Location(shown)
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _remove_abandoned_staging(parent: str, name: str) -> None:
    """Staging folders of runs that were killed (their process is gone) are removed."""
    prefix = f".{name}.new-"
    for entry in os.listdir(parent):
        if not entry.startswith(prefix):
            continue
        pid = entry[len(prefix) :].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
        except OSError:
            pass  # alive, or not ours to signal: leave it


def _folder_mode(out: str) -> int:
    """The mode the output folder has, or what the umask gives a new folder (mkdtemp's 0700 is not
    it)."""
    try:
        return os.stat(out).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o777 & ~umask


def _copy_foreign(out: str, staging: str, generated: set[str]) -> None:
    """What the generator did not write travels into the new tree untouched: files, empty folders
    and symlinks (as symlinks, broken ones included)."""
    for folder, dirs, names in os.walk(out):
        rel_folder = os.path.relpath(folder, out)
        for name in list(dirs):
            source = os.path.join(folder, name)
            if os.path.islink(source):
                dirs.remove(name)  # a link to a folder is copied as the link, not walked
                names.append(name)
            elif not os.listdir(source):
                os.makedirs(os.path.join(staging, rel_folder, name), exist_ok=True)
        for name in names:
            source = os.path.join(folder, name)
            rel = os.path.normpath(os.path.join(rel_folder, name)).replace(os.sep, "/")
            if rel in generated:
                continue
            target = os.path.join(staging, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
            else:
                shutil.copy2(source, target)


def _swap(staging: str, out: str) -> None:
    """Put `staging` where `out` is: one atomic exchange on Linux, two renames elsewhere."""
    if not os.path.exists(out):
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old tree
        return
    old = staging + ".old"
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: str, b: str) -> bool:
    """renameat2(RENAME_EXCHANGE): both paths swap in one step, so a kill leaves old or new, never
    neither."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EXDEV):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
