"""Stage 1, load: a spec file in, a repaired, validated, reference-checked OpenAPI document out.

Errors stop the run with their locations; repairs and warnings travel on with the document.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, GeneratorError
from .dialect import is_lowcodeapi_dialect, repair_lowcodeapi
from .load_checks import check_operations, check_shape, validate_openapi
from .openapi_paths import METHODS
from .refs import check_refs
from .source import SpecText, read_spec

_MAX_ERRORS = 20


@dataclass(frozen=True)
class LoadedSpec:
    """A valid OpenAPI document (3.0 or 3.1) with where it came from and what was done to it."""

    source: SpecText
    document: dict[str, Any]
    dialect: str  # "openapi" | "lowcodeapi"
    diagnostics: tuple[Diagnostic, ...]

    @property
    def version(self) -> str:
        return str(self.document.get("openapi", ""))


def load_spec(
    path: str,
    display: str | None = None,
    *,
    validate: bool = True,
    defer_validation: bool = False,
    stamp_keys: bool = False,
    source: SpecText | None = None,
) -> LoadedSpec:
    """Read, repair (LowCodeAPI dialect), validate and check references; raise on any error.

    With `defer_validation`, the OpenAPI validation is left to a `PendingValidation` that the caller
    starts (it runs beside the later stages) and must finish before it uses the result."""
    source = source or read_spec(path, display)  # a caller that already read it passes it
    data = source.data
    dialect = "openapi"
    repairs: tuple[Diagnostic, ...] = ()
    if is_lowcodeapi_dialect(data):
        dialect = "lowcodeapi"
        if stamp_keys:
            from .provider_merge import stamp

            data = stamp(data, METHODS)
        data, repairs = repair_lowcodeapi(data, source.path, source.location)
    errors = list(check_shape(data, source))
    if not errors:
        data, info_repairs = _repair_info(data, source)
        repairs += info_repairs
        found = list(check_refs(data, source))
        repairs += tuple(d for d in found if d.level != "error")
        errors += [d for d in found if d.level == "error"]
    if not errors and validate and not defer_validation:
        errors += validate_openapi(data, source)
    if not errors:
        try:
            found = list(check_operations(data, source))
        except Exception:
            if validate and defer_validation and (invalid := validate_openapi(data, source)):
                raise GeneratorError(
                    invalid[:_MAX_ERRORS]
                ) from None  # the checks assume a valid document
            raise
        errors += [d for d in found if d.level == "error"]
        repairs += tuple(d for d in found if d.level != "error")
        if errors and validate and defer_validation:
            # as without deferring: validation first
            errors = validate_openapi(data, source) or errors
    if errors:
        raise GeneratorError(errors[:_MAX_ERRORS])
    return LoadedSpec(source, data, dialect, repairs)


def _repair_info(
    data: dict[str, Any], source: SpecText
) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """A missing info.title or info.version costs a client nothing: filled in, with a warning."""
    info = data.get("info")
    if isinstance(info, dict) and info.get("title") and info.get("version") is not None:
        return data, ()
    if not isinstance(info, dict):
        return data, ()  # no info at all, or a wrong type: an error the validator reports
    fixed = dict(info)
    found = []
    if not fixed.get("title"):
        fixed["title"] = os.path.splitext(os.path.basename(source.path))[0]
        found.append(
            Diagnostic(
                "warning",
                "repair.info-title",
                f"info.title missing: using {fixed['title']!r}",
                source.location("/info"),
            )
        )
    if fixed.get("version") is None:
        fixed["version"] = "0"
        found.append(
            Diagnostic(
                "warning",
                "repair.info-version",
                "info.version missing: using '0'",
                source.location("/info"),
            )
        )
    return {**data, "info": fixed}, tuple(found)


class PendingValidation:
    """The OpenAPI validation of loaded specs (openapi-pydantic: its import and its checks are the
    slowest part of loading), run in a forked process while the caller goes on with the later stages
    on a second core. `finish()` raises its errors; call it before using any result, and also when a
    later stage fails, since an invalid document explains that failure first. Without fork or a
    second core, `finish()` validates in this process."""

    def __init__(self, specs: list[LoadedSpec]) -> None:
        self.specs = specs
        self._process: Any = None
        self._reader: Any = None
        if (os.cpu_count() or 1) < 2 or not specs:
            return
        try:
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._reader, writer = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_validate_in_child, args=(specs, writer), daemon=True
            )
            self._process.start()
            writer.close()
        # no fork here, or a daemon process: finish() validates
        except (
            OSError,
            ValueError,
            AssertionError,
        ):
            self._process = None

    def finish(self) -> None:
        errors: list[Diagnostic] | None = None
        if self._process is not None:
            try:
                errors = self._reader.recv()
            except (EOFError, OSError):
                errors = None  # the child died: validate here instead
            self._process.join()
            self._reader.close()
            self._process = None
        if errors is None:
            errors = [
                d for spec in self.specs for d in validate_openapi(spec.document, spec.source)
            ]
        self.specs = []
        if errors:
            raise GeneratorError(errors[:_MAX_ERRORS])


def _validate_in_child(specs: list[LoadedSpec], writer: Any) -> None:
    writer.send([d for spec in specs for d in validate_openapi(spec.document, spec.source)])
    writer.close()
