"""httpx, imported on first use.

httpx takes longer to import than the whole rest of the package, so ``import PKG`` leaves it to the
first thing that needs it (building a client, mostly). The runtime modules do
``if TYPE_CHECKING: import httpx`` / ``else: from ._lazy import httpx``: type checkers see the real
module, and at run time the first attribute lookup imports it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["httpx"]


class LazyModule(ModuleType):
    """A stand-in for a module that imports it on the first attribute lookup and then copies its
    namespace onto itself, so every later lookup is a plain attribute hit (``__getattr__`` runs only
    for names the instance lacks)."""

    def __getattr__(self, name: str) -> Any:
        real = importlib.import_module(self.__name__)
        self.__dict__.update(vars(real))
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(self.__name__))


httpx = LazyModule("httpx")
