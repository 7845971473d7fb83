"""Stage 5, format: black, in process, piece by piece, cached by content, on two cores.

Black's rules that reach across statements are about blank lines, so a file is cut where those are
fixed: before and after each top-level class/def (two blank lines), between runs of plain top-level
statements (the blank lines found there), and before each method of a large class (one blank line;
the method is formatted dedented, four columns narrower, then indented back). Joined again, the
pieces are black's bytes for the whole file (tested on the documented spec and corpus specs).
Cutting pays three times. Black formats a text a second time whenever its first pass changed
anything, so a long line used to cost the whole file two passes; now it costs its piece two passes.
The cache keeps black's output per piece (one pack per file), so after a spec change only the pieces
that changed are formatted again. And pieces are work that a forked worker shares while the main
process is still rendering. The runtime modules are kept black-formatted in the repo and copied.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

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


class Formatter:
    """Black over the Python files of one run, fed file by file as render makes them.

    Pieces not in the cache go on a queue. Once they add up to enough work, a forked worker starts
    taking them (black already imported); this process keeps rendering meanwhile and, in `finish`,
    takes its share of what is left. Who formats a piece changes nothing in the output."""

    def __init__(self, cache: FormatCache, progress: Callable[[str], None] | None = None) -> None:
        self.cache, self.progress = cache, progress
        self.layouts: dict[str, list[Section]] = {}
        self.packs: dict[str, dict[str, str]] = {}
        self.keys: dict[str, list[list[str]]] = {}  # per file, per section, each piece's cache key
        self.done: dict[str, str] = {}  # cache key -> black's output
        self.pending: dict[str, Piece] = {}
        self.queued = 0  # characters of the pending pieces
        self._tasks: Any = None
        self._results: Any = None
        self._worker: Any = None
        self._parallel = (os.cpu_count() or 1) > 1

    def __enter__(self) -> Formatter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._worker is not None:  # the run failed before `finish`: nothing of the worker is needed
            self._tasks.cancel_join_thread()  # exit without waiting to feed tasks nobody will take
            self._worker.terminate()
            self._worker.join()

    def add(self, file: RenderedFile) -> None:
        """Cut one Python file into pieces; queue the ones the cache does not have."""
        sections = self.layouts[file.path] = split_file(file.text)
        pack = self.packs[file.path] = self.cache.load(file.path)
        keys = self.keys[file.path] = [[_key(p) for p in section.pieces] for section in sections]
        for key, piece in zip((k for ks in keys for k in ks), (p for s in sections for p in s.pieces), strict=True):
            hit = pack.get(key)
            if isinstance(hit, str):
                self.done[key] = hit
            elif key not in self.done and key not in self.pending:
                self.pending[key] = piece
                self.queued += len(piece.text)
                if self._tasks is not None:
                    self._tasks.put((key, piece.text, LINE_LENGTH - piece.indent))
        if self._parallel and self._worker is None and self.queued >= _PARALLEL_MIN_BYTES:
            try:
                self._start_worker()
            except (OSError, ValueError, AssertionError):  # no fork here, or a daemon process: one core
                self._tasks = self._worker = None
                self._parallel = False

    def _start_worker(self) -> None:
        import multiprocessing

        import black  # noqa: F401  # imported before the fork, so the worker starts with it loaded

        context = multiprocessing.get_context("fork")
        # A Queue: its feeder thread keeps `put` from blocking this process while the worker is busy.
        self._tasks = context.Queue()
        self._results, writer = context.Pipe(duplex=False)
        self._worker = context.Process(target=_work, args=(self._tasks, writer), daemon=True)
        self._worker.start()  # before the first put: no thread of ours exists when it forks
        writer.close()
        for key, piece in sorted(self.pending.items(), key=lambda kv: -len(kv[1].text)):  # big first
            self._tasks.put((key, piece.text, LINE_LENGTH - piece.indent))

    def finish(self, files: list[RenderedFile]) -> list[RenderedFile]:
        """The files with every Python file formatted; the cache packs brought up to date."""
        for file in files:
            if file.python and file.path not in self.layouts:
                self.add(file)
        if self.progress is not None and self.queued > 200_000:
            self.progress(f"formatting {len(self.pending)} pieces ({self.queued // 1000} kB) with black")
        if self._worker is None:
            formatted = {key: format_source(p.text, LINE_LENGTH - p.indent) for key, p in self.pending.items()}
        else:
            self._tasks.put(None)  # one stop mark for the worker, one for this process
            self._tasks.put(None)
            formatted = dict(_drain(self._tasks))
            try:
                theirs, error = self._results.recv()  # all at once: a worker never waits on this process
            except EOFError:
                theirs, error = {}, None  # the worker died: its pieces are formatted here below
            self._worker.join()
            self._worker = None
            if error:
                raise RuntimeError(error)
            formatted |= theirs
            for key in self.pending.keys() - formatted.keys():
                piece = self.pending[key]
                formatted[key] = format_source(piece.text, LINE_LENGTH - piece.indent)
        for key, text in formatted.items():
            self.done[key] = text
        for path in self.layouts:
            pack = {key: self.done[key] for keys in self.keys[path] for key in keys}
            if pack != self.packs[path]:
                self.cache.save(path, pack)
        return [RenderedFile(f.path, _join(self.layouts[f.path], self.keys[f.path], self.done), True) if f.python else f
                for f in files]


def _drain(tasks: Any) -> Iterator[tuple[str, str]]:
    """Format queued pieces until a stop mark: run by the worker and, at the end, by the main process."""
    for key, text, line_length in iter(tasks.get, None):
        yield key, format_source(text, line_length)


def _work(tasks: Any, results: Any) -> None:
    done: dict[str, str] = {}
    error = None
    try:
        done.update(_drain(tasks))
    except RuntimeError as exc:
        error = str(exc)
    results.send((done, error))
    results.close()


def format_files(files: list[RenderedFile], cache: FormatCache, progress: Callable[[str], None] | None = None) -> list[RenderedFile]:
    """Every Python file formatted by black piece by piece (see the module docstring); a piece found
    in the file's cache pack is not formatted again."""
    with Formatter(cache, progress) as formatter:
        return formatter.finish(files)


def _join(sections: list[Section], keys: list[list[str]], done: dict[str, str]) -> str:
    parts = ["\n" * (section.gap + 1) + "\n\n".join(_indent(done[k].strip("\n"), p.indent) for p, k in zip(section.pieces, ks, strict=True))
             for section, ks in zip(sections, keys, strict=True)]
    text = "".join(parts).lstrip("\n")
    return text + "\n" if text else ""  # black leaves an empty file empty


def _indent(text: str, indent: int) -> str:
    if not indent:
        return text
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in text.split("\n"))


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
