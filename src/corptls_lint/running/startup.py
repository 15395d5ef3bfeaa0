"""Start-up: keep a command-line run from importing what it may not need.

libcst takes about 0.1 s to import, while most files of a run are settled by the byte and
syntax screens without it, and pool workers import it for themselves. `defer_libcst` puts a
lazy module in its place, loaded on first use; modules keep their plain `import libcst as cst`.
Only the CLI process calls it (a library user's imports are left alone).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute is first read, then becomes a copy of it."""

    def __getattr__(self, name: str) -> Any:  # any attribute of the real module
        real = _load(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, name)


def _load(name: str) -> types.ModuleType:
    del sys.modules[name]  # let the real import run (and register the real module)
    return importlib.import_module(name)


def defer_libcst() -> None:
    """(importlib's LazyLoader does not do: `import libcst as cst` reads `__spec__`, which
    makes it load at once.)"""
    if "libcst" in sys.modules or importlib.util.find_spec("libcst") is None:
        return  # already there, or not installed: the real import reports it
    sys.modules["libcst"] = _Deferred("libcst")
