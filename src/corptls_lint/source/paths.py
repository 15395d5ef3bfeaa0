"""Where a path really is, for paths a repository may have planted (a symlink loop included)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union


def real_path(path: Union[str, "os.PathLike[str]"]) -> Path:
    """The absolute path with every symlink resolved, as far as they resolve.

    `Path.resolve()` raises RuntimeError on a symlink loop before Python 3.13; a committed
    `a.py -> b.py -> a.py` must not crash a run. os.path.realpath stops at the loop instead
    (the path then names it as given), as Path.resolve does from 3.13 on."""
    return Path(os.path.realpath(path))
