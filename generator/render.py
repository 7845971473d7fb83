"""Stage 4, render: the IR becomes file texts through Jinja templates, one per generated file kind.

One environment, StrictUndefined. Its `finalize` lets through only `Code` (text made safe by the
functions of `code.py`, exposed here as filters), numbers and booleans: a spec string that skipped
the escaping path stops the run instead of reaching a generated file.

A module imports the names its code prints, and render knows them without reading its output: the
printer's entry points add the names of every tree they print (`expr.names`), and a template
declares the names its own text writes with `{% do uses("Mapping", ...) %}` beside that text.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import jinja2

from . import code, layout
from .code import Code
from .expr import Call, Dict, Item, Keyword, Lambda, Literal, Name, Subscript, Tuple, Union, names
from .ir import Api, Model, ObjectModel, Operation, Resource, UnionModel
from .merge_report import MergeReport
from .output import RenderedFile

_TREES = (Name, Literal, Subscript, Union, Call, Tuple, Keyword, Dict, Lambda, Item)


class _Everything(frozenset[str]):
    """`used` for the first pass: every name counts as used."""

    def __contains__(self, name: object) -> bool:
        return True


def _record(context: jinja2.runtime.Context, values: Any) -> None:
    """Add the names of the trees among `values` to the module's printed names (`printed`, a set
    in the render context; templates rendered without one record nothing)."""
    printed = context.get("printed")
    if isinstance(printed, set):
        for value in values:
            if isinstance(value, _TREES):
                printed |= names(value)


def _printing(printer: Callable[..., Code]) -> Callable[..., Code]:
    """`printer` as templates call it: it also records the names of the trees it prints."""

    @jinja2.pass_context
    def printed(context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> Code:
        _record(context, (*args, *kwargs.values()))
        return printer(*args, **kwargs)

    return printed


@jinja2.pass_context
def _uses(context: jinja2.runtime.Context, *values: Any) -> Code:
    """`{% do uses(...) %}`: the names a template's own text writes (identifiers), or the trees it
    prints as a string annotation (`X: TypeAlias = "A | B"`), recorded like the printer's."""
    for value in values:
        if not isinstance(value, _TREES):
            code.ident(value)
    _record(context, (v if isinstance(v, _TREES) else Name(Code(v)) for v in values))
    return Code("")


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
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        extensions=["jinja2.ext.do"],
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
        lay_out=_printing(layout.lay_out),
        annotation=_printing(layout.annotation),
        assigned=layout.assigned,
    )
    env.globals.update(
        walk=walk_resources,
        Code=Code,
        Name=Name,
        ref=lambda name: Name(code.dotted(name)),
        uses=_uses,
        call=layout.call,
        class_head=_printing(layout.class_head),
        def_head=_printing(layout.def_head),
        item=layout.item,
        keyword=layout.keyword,
        tuple_of=layout.tuple_of,
        dict_of=layout.dict_of,
        pad=lambda n: Code(" " * n),
        isinstance=isinstance,
        ObjectModel=ObjectModel,
        UnionModel=UnionModel,
    )
    if cache_dir is not None:
        with contextlib.suppress(OSError):
            os.makedirs(cache_dir, exist_ok=True)
            pattern = f"__jinja2_%s.{_compiled_form(env)}.cache"
            env.bytecode_cache = _TemplateCache(cache_dir, pattern)
    return env


def _compiled_form(env: jinja2.Environment) -> str:
    """What a compiled template depends on besides its source, which is all that Jinja's cache
    checks: the syntax options, the extensions, and which filters and tests take the context
    (the compiler passes it or not). A generator that changes any of them compiles afresh."""
    filters = sorted((n, str(getattr(f, "jinja_pass_arg", None))) for n, f in env.filters.items())
    tests = sorted((n, str(getattr(f, "jinja_pass_arg", None))) for n, f in env.tests.items())
    syntax = (
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
        env.newline_sequence, env.keep_trailing_newline, env.optimized, env.autoescape,
        str(getattr(env.finalize, "jinja_pass_arg", None)),
    )
    form = repr((jinja2.__version__, sorted(env.extensions), syntax, filters, tests))
    return hashlib.sha256(form.encode()).hexdigest()[:16]


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
        # The draft imports every candidate and records the names its code prints; then the imports
        # block alone is rendered again with those names, and put in place of the draft's (the rest
        # does not read `used`).
        everything, printed = _Everything(), set[str]()
        text = compiled.render(context, used=everything, printed=printed)
        if "imports" in compiled.blocks:
            used = frozenset(printed)
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


__all__ = ["RenderedFile", "render", "environment", "url_table", "Model", "Operation"]
