"""Run inside a subprocess with a generated provider package on PYTHONPATH: make the calls a test asks for.

stdin: {"package", "base", "calls": [{"tag", "mode", "route": <routes-file entry>, "values": [...]}]}
stdout: one JSON list, per call {"tag", "operation", "error"}: the operation (dotted method path in
`PKG.url_formats.ROUTES`) it called, and the exception it raised, if any ("" when it returned).
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from typing import Any


def find_operation(routes: dict[str, Any], entry: dict[str, Any]) -> str | None:
    """The ROUTES key that stands for the routes-file entry: same method, and its old or new form is the
    document's key (the alias) or the form the proxy mounts."""
    for name, route in routes.items():
        if route.method != entry["method"]:
            continue
        forms = {route.old, route.new}
        if entry["openapi_path"] in forms or (entry["new"] and entry["new"] in forms) or (
            entry["old"] and entry["old"] in forms
        ):
            return str(name)
    return None


def dummy(annotation: object) -> object:
    """A value of the annotated type for a required keyword argument."""
    text = str(annotation)
    scalars: tuple[tuple[str, object], ...] = (("bytes", b"x"), ("File", b"x"), ("bool", True), ("int", 1), ("float", 1.0))
    for marker, value in scalars:
        if marker in text:
            return value
    containers: tuple[tuple[str, object], ...] = (("list", []), ("Sequence", []), ("dict", {}), ("Mapping", {}))
    for marker, value in containers:
        if text.startswith(marker):
            return value
    return "x"


def call(client: Any, operation: str, values: list[str]) -> None:
    method = client
    for part in operation.split("."):
        method = getattr(method, part)
    positional: list[str] = []
    keywords: dict[str, object] = {}
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            if len(positional) >= len(values):
                raise AssertionError(f"{operation} takes more positional path values than the route's {values}")
            positional.append(values[len(positional)])
        elif parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            keywords[parameter.name] = dummy(parameter.annotation)
    if len(positional) != len(values):
        raise AssertionError(f"{operation} takes {len(positional)} positional path values, the route has {len(values)}")
    method(*positional, **keywords)


def main() -> None:
    request = json.load(sys.stdin)
    package = importlib.import_module(request["package"])
    routes = importlib.import_module(request["package"] + ".url_formats").ROUTES
    results = []
    for job in request["calls"]:
        operation = find_operation(routes, job["route"])
        error = ""
        if operation is None:
            error = "NoOperation: no ROUTES entry has this route's method and forms"
        else:
            base = f"{request['base']}/_t/{job['tag']}/{request['provider']}"
            client = package.Client(api_token="at_test", base_url=base, url_format=job["mode"], max_retries=0)
            try:
                call(client, operation, job["values"])
            except Exception as exc:  # reported to the test, which decides
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
            finally:
                client.close()
        results.append({"tag": job["tag"], "operation": operation, "error": error})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
