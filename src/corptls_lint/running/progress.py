"""A progress bar for big runs at a terminal, on stderr so stdout stays parseable.

Never shown into a pipe, in CI (`CI` set, as GitHub Actions, GitLab and most CI systems do)
or under pre-commit (`PRE_COMMIT=1`), where it would only be noise in a log.
"""

from __future__ import annotations

import contextlib
import os
from typing import Callable, Iterator, Mapping, Optional, TextIO

# Below this many files a run is over before a bar would be worth reading.
MIN_FILES = 300
_FALSE = ("", "0", "false", "no", "off")


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() not in _FALSE


def should_show(file_count: int, stream: TextIO,
                environ: Optional[Mapping[str, str]] = None) -> bool:
    environ = os.environ if environ is None else environ
    if file_count <= MIN_FILES or _flag(environ, "CI") or _flag(environ, "PRE_COMMIT"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def bar(total: int, stream: TextIO) -> Iterator[Callable[[int], None]]:
    """A transient bar; the runner calls the yielded function as files finish."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("Checking"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                  TimeElapsedColumn(), console=Console(file=stream), transient=True) as progress:
        task = progress.add_task("check", total=total)

        def advance(done: int = 1) -> None:
            progress.advance(task, done)

        yield advance
