"""Runs a list of file tasks and returns their outcomes, in the order given."""

from __future__ import annotations

from typing import List, Sequence

from corptls_lint.engine import lint_path, lint_source
from corptls_lint.fixer import fix_file
from corptls_lint.ftypes import FileOutcome, FileTask


def process_file(task: FileTask) -> FileOutcome:
    """Lint one file (from disk, or from `task.source` for standard input); fix or diff it."""
    if task.mode in ("fix", "diff"):
        return fix_file(task)
    if task.source is not None:
        result = lint_source(task.source, task.path, task.settings, verbose=task.verbose)
    else:
        result = lint_path(task.path, task.settings, verbose=task.verbose)
    return FileOutcome(task.path, result.diagnostics)


def run_tasks(tasks: Sequence[FileTask]) -> List[FileOutcome]:
    return [process_file(task) for task in tasks]
