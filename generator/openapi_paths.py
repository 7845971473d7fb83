"""What an OpenAPI document's `paths` hold: operations under HTTP methods, at `{param}` templates.

The one place that knows how to walk a document's operations and read a path template's
placeholders; every stage (load, the dialect repair, merge, normalize, the URL forms) goes through
it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PATH_PARAM = re.compile(r"\{([^{}]+)\}")  # a `{name}` placeholder of a path template


def template_params(path: str) -> list[str]:
    """Names of the `{param}` placeholders of a path template, in order."""
    return PATH_PARAM.findall(path)


def iter_operations(
    document: dict[str, Any], methods: tuple[str, ...] = METHODS
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation object in document order; anything malformed
    (a `paths` or path item that is no object, an operation that is none) is passed over."""
    paths = document.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        for method, op in item.items() if isinstance(item, dict) else ():
            if method in methods and isinstance(op, dict):
                yield method, str(path), op
