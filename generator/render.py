"""Stage 4, render: the IR becomes file texts through Jinja templates, one per generated file kind.

One environment, StrictUndefined. Its `finalize` lets through only `Code` (text made safe by the
functions of `code.py`, exposed here as filters), numbers and booleans: a spec string that skipped
the escaping path stops the run instead of reaching a generated file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any

import jinja2

from . import code, layout
from .code import Code
from .expr import Name
from .ir import Api, Model, ObjectModel, Operation, Resource, UnionModel
from .merge_report import MergeReport
from .names import NameScanError, used_names
from .output import RenderedFile


class _Everything(frozenset[str]):
    """`used` for the first pass: every name counts as used."""

    def __contains__(self, name: object) -> bool:
        return True


def _finalize(value: Any) -> Any:
    if isinstance(value, (Code, int, float)) or value is None:
        return "" if value is None else value
    raise jinja2.TemplateError(
        f"unescaped value reached a template: {type(value).__name__} {str(value)[:60]!r}; "
        "pass it through py_str, doc, comment, md or ident"
    )


def _joined(items: Any, separator: str = ", ") -> Code:
    """Join safe pieces; refuses any piece that is not `Code`."""
    pieces = list(items)
    for piece in pieces:
        _finalize(piece)
    return Code(separator.join(pieces))


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs (keyed by each template's source), so that a run
    compiles a template only after it changed. A cache that cannot be written only costs time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(templates: str, run_cache: str | None) -> str | None:
    """Where compiled templates are kept: beside the templates (`__pycache__/jinja`), as Python
    keeps the generator's compiled modules, so that a run in any folder reuses them; else (bytecode
    writing off, or a templates folder that cannot be written) in the run cache."""
    if not sys.dont_write_bytecode:
        beside = os.path.join(templates, "__pycache__", "jinja")
        with contextlib.suppress(OSError):
            os.makedirs(beside, exist_ok=True)
            if os.access(beside, os.W_OK):
                return beside
    return os.path.join(run_cache, "templates") if run_cache else None


def environment(templates: str, cache_dir: str | None = None) -> jinja2.Environment:
    """The single Jinja environment of the generator; `cache_dir` keeps its compiled templates."""
    bytecode_cache = None
    if cache_dir is not None:
        try:
            os.makedirs(cache_dir, exist_ok=True)
            bytecode_cache = _TemplateCache(cache_dir)
        except OSError:
            bytecode_cache = None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=bytecode_cache,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        py_str=code.py_str,
        doc=code.docstring,
        comment=code.comment,
        md=code.md,
        md_code=code.md_code,
        ident=code.ident,
        dotted=code.dotted,
        literal=code.py_literal,
        toml=code.toml_str,
        json=lambda v: Code(json.dumps(v, ensure_ascii=False)),
        joined=_joined,
        isorted=lambda items: sorted(items, key=isort_key),
        # Only for the output of a macro: every `{{ }}` inside it already passed this finalize.
        block=lambda v: Code(v.rstrip("\n")),
        lay_out=layout.lay_out,
        annotation=layout.annotation,
        assigned=layout.assigned,
    )
    env.globals.update(
        walk=walk_resources,
        Code=Code,
        Name=Name,
        call=layout.call,
        class_head=layout.class_head,
        def_head=layout.def_head,
        item=layout.item,
        keyword=layout.keyword,
        tuple_of=layout.tuple_of,
        dict_of=layout.dict_of,
        pad=lambda n: Code(" " * n),
        isinstance=isinstance,
        ObjectModel=ObjectModel,
        UnionModel=UnionModel,
    )
    return env


def walk_resources(root: Resource) -> list[Resource]:
    """Every resource below the root, children before parents (classes are defined before use)."""
    out: list[Resource] = []

    def visit(node: Resource) -> None:
        for child in node.children:
            visit(child)
        out.append(node)

    visit(root)
    return out


def header(api: Api, root: str, style: str) -> Code:
    """The one header line: generated, from which inputs (sha256), not to be edited."""
    inputs = ", ".join(
        f"{os.path.relpath(i.path, root) if os.path.isabs(i.path) else i.path} (sha256 {i.sha256})"
        for i in api.inputs
    )
    text = code.comment(
        f"Generated by lowcodegen from {inputs}. Do not edit: change the specs or templates and run"
        " `lowcodegen generate`."
    )
    return Code({"hash": f"# {text}", "html": f"<!-- {text} -->", "plain": text}[style])


def render(
    api: Api,
    merged: dict[str, Any],
    report: MergeReport,
    templates: str,
    root: str,
    cache_dir: str | None = None,
) -> list[RenderedFile]:
    """Every file of the output tree, in sorted path order (`cache_dir`: compiled templates)."""
    env = environment(templates, cache_dir)
    pkg = str(api.package)
    model_names = [
        n
        for m in api.models
        for n in (m.class_name, m.param_name, Code(f"_parse_{m.class_name}"))
        if n
    ]
    context = {
        "api": api,
        "report": report,
        "py_header": header(api, root, "hash"),
        "md_header": header(api, root, "html"),
        "resources": walk_resources(api.root),
        "model_names": model_names,
    }
    files: list[RenderedFile] = []

    def emit(template: str, path: str, python: bool = True) -> None:
        compiled = env.get_template(template)
        if not python:
            files.append(RenderedFile(path, compiled.render(context), python))
            return
        # The draft imports every candidate; then the imports block alone is rendered again with the
        # names the draft's code uses, and put in place of the draft's (the rest does not read
        # `used`).
        everything = _Everything()
        text = compiled.render(context, used=everything)
        if "imports" in compiled.blocks:
            try:
                used = used_names(text)
            except NameScanError as exc:
                raise RuntimeError(
                    f"template {template} gives Python that names.py cannot read at line"
                    f" {exc.lineno}: {exc.msg}"
                ) from None
            block = compiled.blocks["imports"]
            loose = "".join(block(compiled.new_context(dict(context, used=everything))))
            tight = "".join(block(compiled.new_context(dict(context, used=used))))
            if text.count(loose) != 1:
                raise RuntimeError(
                    f"template {template}: its imports block must be rendered exactly once"
                )
            text = text.replace(loose, tight, 1)
        files.append(RenderedFile(path, text, python))

    emit("package/__init__.py.jinja", f"{pkg}/__init__.py")
    emit("package/_provider.py.jinja", f"{pkg}/_provider.py")
    emit("package/py.typed.jinja", f"{pkg}/py.typed", python=False)
    emit("package/pyproject.toml.jinja", "pyproject.toml", python=False)
    emit("package/README.md.jinja", "README.md", python=False)
    emit("client/types.py.jinja", f"{pkg}/types.py")
    emit("client/resources.py.jinja", f"{pkg}/resources.py")
    emit("client/_client.py.jinja", f"{pkg}/_client.py")
    emit("tables/url_formats.py.jinja", f"{pkg}/url_formats.py")
    emit("tables/URL_FORMATS.md.jinja", "URL_FORMATS.md", python=False)
    emit("report/MERGE_REPORT.md.jinja", "MERGE_REPORT.md", python=False)
    if os.path.exists(os.path.join(templates, "cli", "cli.py.jinja")):
        emit("cli/cli.py.jinja", f"{pkg}/cli.py")
        emit("cli/__main__.py.jinja", f"{pkg}/__main__.py")
    runtime = os.path.join(templates, "package", "runtime")
    for name in sorted(n for n in os.listdir(runtime) if n.endswith(".py")):
        with open(os.path.join(runtime, name), encoding="utf-8") as handle:
            # kept black-formatted in the repo (a test checks it): copied as it is, not formatted
            # again
            files.append(
                RenderedFile(f"{pkg}/{name}", f"{context['py_header']}\n{handle.read()}", False)
            )
    plain = str(header(api, root, "plain"))
    files.append(
        RenderedFile("openapi.merged.json", _json({"x-generated": plain, **merged}), False)
    )
    files.append(RenderedFile("url_formats.json", _json(url_table(api, plain)), False))
    files.append(
        RenderedFile("merge_report.json", _json({"x-generated": plain, **report.to_json()}), False)
    )
    return sorted(files, key=lambda f: f.path)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def url_table(api: Api, generated: str) -> dict[str, Any]:
    """The route table as data: per operation its method and its direct, new and old routes."""
    return {
        "x-generated": generated,
        "provider": api.provider.name,
        "lowcodeapi_base_url": api.provider.lowcodeapi_base_url,
        "direct_base_url": api.provider.direct_base_url,
        "routes": [
            {
                "operation": op.key,
                "summary": op.summary,
                "method": op.route.method,
                "direct": {"method": op.route.direct_method, "path": op.route.direct},
                "new": {"method": op.route.method, "path": op.route.new},
                "old": {
                    "method": op.route.method,
                    "path": op.route.old,
                    "query": {q: "{" + p + "}" for q, p in op.route.old_query},
                },
            }
            for op in api.operations
        ],
    }


def isort_key(name: str) -> tuple[int, str]:
    """isort's order-by-type within one import: CONSTANTS, Classes, then functions and variables."""
    bare = name.lstrip("_")
    rank = (
        0
        if bare.isupper() and len(bare) > 1
        else 1 if bare[:1].isupper() and not name.startswith("_") else 2
    )
    return rank, name.lower()


__all__ = ["RenderedFile", "render", "environment", "url_table", "used_names", "Model", "Operation"]
