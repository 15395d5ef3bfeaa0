"""A progress bar for big runs at a terminal, on stderr so stdout stays parseable.

Never shown into a pipe, in CI (`CI` set, as GitHub Actions, GitLab and most CI systems do)
or under pre-commit (`PRE_COMMIT=1`), where it would only be noise in a log.
"""

from __future__ import annotations

import os
from typing import Callable, List, Mapping, Optional, Sequence, TextIO

from corptls_lint.ftypes import FileOutcome, FileTask

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


def run_with_progress(tasks: Sequence[FileTask],
                      run_tasks: Callable[[Sequence[FileTask]], List[FileOutcome]],
                      stream: TextIO) -> List[FileOutcome]:
    """Run the tasks in slices through `run_tasks` (the runner stays unaware of the bar)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream)
    step = max(len(tasks) // 100, 16)
    outcomes: List[FileOutcome] = []
    with Progress(TextColumn("Checking"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        bar = progress.add_task("check", total=len(tasks))
        for start in range(0, len(tasks), step):
            chunk = tasks[start:start + step]
            outcomes.extend(run_tasks(chunk))
            progress.advance(bar, len(chunk))
    return outcomes
