"""Whole-run cache: when nothing that decides the output changed, skip every stage.

The key hashes all that decides the output: the input specs, every template, the generator's own
source, black's version, the target's options. The value is the sha256 of each file that run
produced. An unchanged `generate` or `check` then only hashes the files on disk, so it still notices
a hand edit to any generated file; anything else runs the full pipeline.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from dataclasses import asdict

from .config import Config, Target
from .write import MANIFEST, read_manifest

_GENERATOR = os.path.dirname(os.path.abspath(__file__))


def _tree_digest(folder: str, suffixes: tuple[str, ...]) -> bytes:
    """The templates' or the generator's own digest, read once per process however many targets
    run (again only when a file's size or mtime changed)."""
    signature = tuple(
        (path, (st := os.stat(path)).st_size, st.st_mtime_ns) for path in _files(folder, suffixes)
    )
    return _digest_of(folder, suffixes, signature)


@functools.lru_cache(maxsize=8)
def _digest_of(folder: str, suffixes: tuple[str, ...], signature: tuple[object, ...]) -> bytes:
    digest = hashlib.sha256()
    _hash_tree(digest, folder, suffixes)
    return digest.digest()


def _files(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    found = []
    for base, dirs, names in sorted(os.walk(folder)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [os.path.join(base, n) for n in sorted(names) if n.endswith(suffixes)]
    return found


def _hash_tree(digest: hashlib._Hash, folder: str, suffixes: tuple[str, ...]) -> None:
    for path in _files(folder, suffixes):
        digest.update(os.path.relpath(path, folder).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(handle.read() + b"\0")


@functools.cache
def _module_text(name: str) -> str:
    """The source of a module that states its package's version, found without importing it
    (importlib.metadata alone costs an unchanged run 20 ms)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return ""
    with open(spec.origin, encoding="utf-8") as handle:
        return handle.read()


def fingerprint(target: Target, config: Config | None, root: str, templates: str) -> str:
    """A key that changes whenever the output could."""
    digest = hashlib.sha256()
    digest.update(
        json.dumps(
            {
                "target": asdict(target),
                "root": root,
                "black": _module_text("_black_version"),  # `version = "26.10.1"`
                "jinja2": _module_text("jinja2"),  # holds `__version__`
                "provider": repr(config.providers.get(target.provider)) if config else None,
            },
            sort_keys=True,
        ).encode()
    )
    for spec in (target.documented, target.snapshot):
        if spec:
            with open(spec, "rb") as handle:
                digest.update(handle.read() + b"\0")
    digest.update(_tree_digest(templates, (".jinja", ".py")))
    digest.update(_tree_digest(_GENERATOR, (".py",)))
    return digest.hexdigest()


def _path(cache_dir: str, key: str) -> str:
    return os.path.join(cache_dir, "runs", key + ".json")


def remember(cache_dir: str | None, key: str, files: dict[str, str]) -> None:
    """Record the sha256 of every file a run produced (manifest included)."""
    if cache_dir is None:
        return
    target = _path(cache_dir, key)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        temp = f"{target}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    path: hashlib.sha256(text.encode("utf-8")).hexdigest()
                    for path, text in files.items()
                },
                handle,
            )
        os.replace(temp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time


def up_to_date(cache_dir: str | None, key: str, out: str) -> int | None:
    """The number of files when `out` is exactly what the cached run produced; None otherwise."""
    if cache_dir is None:
        return None
    try:
        with open(_path(cache_dir, key), encoding="utf-8") as handle:
            expected: dict[str, str] = json.load(handle)
    except (OSError, ValueError):
        return None
    if set(read_manifest(out)) != set(expected) - {MANIFEST}:
        return None
    for path, sha in expected.items():
        try:
            with open(os.path.join(out, path), "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != sha:
                    return None
        except OSError:
            return None
    return len(expected) - 1
