"""Stage 5, format: black, in process, one top-level statement group at a time, cached by content.

Black's only rule that reaches across top-level `class`/`def` statements is the two blank lines it
puts between them, so a file is cut before each of them, every piece is formatted on its own and the
pieces are joined by two blank lines: the same bytes as black on the whole file (tested on every
golden tree and corpus spec). Cutting pays twice. Black formats a text a second time whenever its
first pass changed anything, so one long line made the whole file cost two passes; now it costs two
passes of its own piece. And the cache maps sha256(black version, mode, piece) to black's output, so
after a spec change only the pieces that changed are formatted again. The runtime modules are kept
black-formatted in the repo and not formatted again.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

from .output import RenderedFile

LINE_LENGTH = 100
_PARALLEL_MIN_BYTES = 60_000  # below this, starting a worker costs more than it saves
_SEPARATOR = "\n\n\n"  # black's two blank lines between top-level definitions


@cache
def _black_version() -> str:
    return version("black")  # pinned in pyproject.toml: it decides the golden bytes


def _key(piece: Piece) -> str:
    return hashlib.sha256(f"black {_black_version()} ll={LINE_LENGTH - piece.indent} py311\0{piece.text}".encode()).hexdigest()


class FormatCache:
    """A folder of packs, one per generated file: black's output for each piece of that file, named
    by the hash of the piece's input; None disables caching. One pack a file, not one file a piece:
    a run writes a few files instead of hundreds."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder

    def _pack(self, name: str) -> str:
        return os.path.join(self.folder or "", hashlib.sha256(name.encode()).hexdigest()[:32] + ".json")

    def load(self, name: str) -> dict[str, str]:
        if self.folder is None:
            return {}
        try:
            with open(self._pack(name), encoding="utf-8") as handle:
                pack = json.load(handle)
        except (OSError, ValueError):
            return {}
        return pack if isinstance(pack, dict) else {}

    def save(self, name: str, pack: dict[str, str]) -> None:
        if self.folder is None:
            return
        target = self._pack(name)
        try:
            os.makedirs(self.folder, exist_ok=True)
            temp = f"{target}.{os.getpid()}.tmp"
            with open(temp, "w", encoding="utf-8", newline="\n") as handle:
                json.dump(pack, handle, ensure_ascii=False, sort_keys=True)
            os.replace(temp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time


@dataclass(frozen=True)
class Piece:
    """Source that black formats on its own: a run of top-level statements (indent 0) or one method
    of a large class, dedented (indent 4: formatted 4 columns narrower, then indented back)."""

    text: str
    indent: int


@dataclass(frozen=True)
class Section:
    """Pieces joined by one blank line (a class cut before its methods, or a single piece), and the
    blank lines black puts between this section and the one before it."""

    pieces: tuple[Piece, ...]
    gap: int


_DEFINITION = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_PLAIN = (ast.Assign, ast.AnnAssign, ast.Expr)  # statements black separates by the blank lines it is given
_PIECE_MIN_CHARS = 2000  # plain statements are grouped up to this size: black has a cost per call


def split_file(text: str) -> list[Section]:
    """The file cut where black's blank lines do not depend on what is on either side: before and
    after every top-level class/def (two blank lines; decorators and comment lines just above go with
    it), between runs of plain top-level statements (the blank lines found there, at most two), and
    a large class also before each of its methods (one blank line)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise RuntimeError(f"generated code is not valid Python: line {exc.lineno}: {exc.msg}") from None
    lines = text.splitlines(keepends=True)
    starts = [_first_line(node, lines) for node in tree.body]
    cuts: dict[int, int] = {0: 0}  # line index -> blank lines before it
    size = 0
    for index, node in enumerate(tree.body[1:], start=1):
        before, first = tree.body[index - 1], starts[index]
        size += sum(map(len, lines[starts[index - 1] : first]))
        if isinstance(node, _DEFINITION) or isinstance(before, _DEFINITION):
            cuts[first] = 2
        elif (isinstance(node, _PLAIN) and isinstance(before, _PLAIN) and index > 1 and size >= _PIECE_MIN_CHARS
              and _is_blank(lines, before.end_lineno or 0, first)):
            cuts[first] = min(first - (before.end_lineno or 0), 2)
        else:
            continue
        size = 0
    classes = {starts[i]: node for i, node in enumerate(tree.body) if isinstance(node, ast.ClassDef)}
    bounds = sorted(cuts) + [len(lines)]
    sections: list[Section] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        cls = classes.get(a)
        method_cuts = _method_cuts(cls, lines) if cls is not None and b - a > _CLASS_CUT_MIN_LINES else []
        edges = [a, *method_cuts, b]
        pieces = [Piece(_strip(lines[edges[0] : edges[1]]), 0)]
        pieces += [Piece(_strip([_dedent(line) for line in lines[x:y]]), 4) for x, y in zip(edges[1:], edges[2:], strict=False)]
        if pieces[0].text:
            sections.append(Section(tuple(pieces), cuts[a]))
    return sections


def _is_blank(lines: list[str], start: int, end: int) -> bool:
    """Whether lines[start:end] are all blank (no comment between two statements)."""
    return all(not line.strip() for line in lines[start:end])


_CLASS_CUT_MIN_LINES = 60  # smaller classes are formatted whole: cutting them saves nothing


def _first_line(node: ast.stmt, lines: list[str]) -> int:
    """Index of a statement's first line: its first decorator, or a comment right above it (black
    keeps such a comment attached)."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    first = min([node.lineno, *(d.lineno for d in decorators)]) - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first


def _method_cuts(node: ast.ClassDef, lines: list[str]) -> list[int]:
    """Where a class may be cut before its methods: only after the class's own docstring or first
    statement, and only where one blank line or more separates two methods (black keeps zero between
    stub overloads). Not at all if a line of the methods is indented less than a method's body or is
    blank but for spaces: only inside a string can it be, and indenting it back would change it."""
    cuts: list[int] = []
    for index, member in enumerate(node.body):
        if index == 0 or not isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = _first_line(member, lines)
        if first > 0 and not lines[first - 1].strip():
            cuts.append(first)
    if cuts and not all(line == "\n" or (line.startswith("    ") and line.strip())
                        for line in lines[cuts[0] : node.end_lineno]):
        return []
    return cuts


def _dedent(line: str) -> str:
    return line[4:] if line.startswith("    ") else line


def _strip(lines: list[str]) -> str:
    text = "".join(lines).strip("\n")
    return text + "\n" if text.strip() else ""


def format_files(files: list[RenderedFile], cache: FormatCache, progress: Callable[[str], None] | None = None) -> list[RenderedFile]:
    """Every Python file formatted by black piece by piece (see the module docstring); a piece found
    in the file's cache pack is not formatted again."""
    layouts = {f.path: split_file(f.text) for f in files if f.python}
    packs = {path: cache.load(path) for path in layouts}
    keys = {piece: _key(piece) for sections in layouts.values() for section in sections for piece in section.pieces}
    done: dict[Piece, str] = {}
    pending: dict[str, Piece] = {}
    for path, sections in layouts.items():
        for piece in (p for section in sections for p in section.pieces):
            hit = packs[path].get(keys[piece])
            if isinstance(hit, str):
                done[piece] = hit
            elif piece not in done:
                pending[keys[piece]] = piece
    if pending:
        size = sum(len(p.text) for p in pending.values())
        if progress is not None and size > 200_000:
            progress(f"formatting {len(pending)} pieces ({size // 1000} kB) with black")
        for key, formatted in _format_many(pending).items():
            done[pending[key]] = formatted
    for path, sections in layouts.items():
        pack = {keys[p]: done[p] for section in sections for p in section.pieces}
        if pack != packs[path]:
            cache.save(path, pack)
    return [RenderedFile(f.path, _join(layouts[f.path], done), True) if f.python else f for f in files]


def _join(sections: list[Section], done: dict[Piece, str]) -> str:
    parts = ["\n" * (section.gap + 1) + "\n\n".join(_indent(done[p].strip("\n"), p.indent) for p in section.pieces)
             for section in sections]
    text = "".join(parts).lstrip("\n")
    return text + "\n" if text else ""  # black leaves an empty file empty


def _indent(text: str, indent: int) -> str:
    if not indent:
        return text
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _format_many(pending: dict[str, Piece]) -> dict[str, str]:
    """Black over many pieces, shared with one forked worker when there is enough work to pay for
    it: this process formats its half meanwhile, so two cores give nearly twice the speed."""
    keys = sorted(pending, key=lambda k: (-len(pending[k].text), k))  # big first: the halves balance
    jobs = {k: (pending[k].text, LINE_LENGTH - pending[k].indent) for k in keys}
    if (os.cpu_count() or 1) < 2 or sum(len(p.text) for p in pending.values()) < _PARALLEL_MIN_BYTES:
        return {k: _format_job(job) for k, job in jobs.items()}
    halves: tuple[list[str], list[str]] = ([], [])
    sizes = [0, 0]
    for k in keys:
        smaller = 0 if sizes[0] <= sizes[1] else 1
        halves[smaller].append(k)
        sizes[smaller] += len(jobs[k][0])
    import multiprocessing

    import black  # noqa: F401  # imported before the fork, so the worker starts with it loaded

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        theirs = pool.submit(_format_jobs, [jobs[k] for k in halves[1]])
        ours = _format_jobs([jobs[k] for k in halves[0]])
        results = dict(zip(halves[0], ours, strict=True)) | dict(zip(halves[1], theirs.result(), strict=True))
    return results


def _format_jobs(jobs: list[tuple[str, int]]) -> list[str]:
    return [_format_job(job) for job in jobs]


def _format_job(job: tuple[str, int]) -> str:
    return format_source(job[0], job[1])


def format_source(text: str, line_length: int = LINE_LENGTH) -> str:
    """black.format_str with the project's mode; a template bug surfaces as a clear error."""
    from black import format_str
    from black.mode import Mode, TargetVersion
    from black.parsing import InvalidInput

    mode = Mode(line_length=line_length, target_versions={TargetVersion.PY311})
    try:
        return format_str(text, mode=mode)
    except InvalidInput as exc:
        raise RuntimeError(f"generated code is not valid Python: {exc}") from None
