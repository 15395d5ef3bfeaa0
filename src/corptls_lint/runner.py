"""Runs a list of file tasks and returns their outcomes, in the order given.

Check-mode files are read once here: a file without any enabled rule's trigger words is done
on the spot, a file whose findings are cached is answered from the cache, and only the rest is
linted, in a process pool when there are enough of them to pay for one.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import List, Optional, Sequence, Tuple

from corptls_lint.engine import INTERNAL_ERROR, lint_path, lint_source, rules_for, screen
from corptls_lint.cache import CLEAN
from corptls_lint.ftypes import FileOutcome, FileTask

# Fewer files than this to lint (after screening and the cache) run in this process: a pool's
# start-up would cost more than it saves, and pre-commit and editors lint a handful of files.
POOL_THRESHOLD = 8


def process_file(task: FileTask) -> FileOutcome:
    """Lint one file (from disk, or from `task.source` for standard input)."""
    if task.source is not None:
        result = lint_source(task.source, task.path, task.settings, verbose=task.verbose,
                             sliced=task.mode == "check")
    else:
        result = lint_path(task.path, task.settings, verbose=task.verbose)
    return FileOutcome(task.path, result.diagnostics)


def default_jobs() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def run_tasks(tasks: Sequence[FileTask], jobs: Optional[int] = None,
              cache=None) -> List[FileOutcome]:
    """Outcomes in the order of `tasks`. `cache` is a cache.ResultCache or None."""
    _tune_gc()
    outcomes: List[Optional[FileOutcome]] = [None] * len(tasks)
    pending: List[Tuple[int, FileTask, Optional[str]]] = []  # (index, task, cache key)
    for index, task in enumerate(tasks):
        if task.mode != "check" or task.source is not None:
            pending.append((index, task, None))  # fixes and standard input are never cached
            continue
        stat = None
        if cache is not None:
            try:
                stat = os.stat(task.path)
            except OSError:
                pass
            known = cache.known(task.path, stat, task.settings) if stat is not None else None
            if known == CLEAN:
                outcomes[index] = FileOutcome(task.path, [])
                continue
            cached = cache.get(known, task.path) if known else None
            if cached is not None:
                outcomes[index] = FileOutcome(task.path, cached)
                continue
        try:
            with open(task.path, "rb") as handle:
                data = handle.read()
        except OSError:
            pending.append((index, task, None))  # lint_path reports it as TLS001
            continue
        if not screen(data, rules_for(task.settings.enabled)):
            outcomes[index] = FileOutcome(task.path, [])
            if stat is not None:
                cache.remember(task.path, stat, task.settings, CLEAN)
            continue
        key = cache.key(data, task.settings) if cache is not None else None
        cached = cache.get(key, task.path) if key is not None else None
        if stat is not None and key is not None:
            cache.remember(task.path, stat, task.settings, key)
        if cached is not None:
            outcomes[index] = FileOutcome(task.path, cached)
            continue
        pending.append((index, replace(task, source=data), key))

    todo = [task for _, task, _ in pending]
    for (index, task, key), outcome in zip(pending, _run(todo, jobs or default_jobs())):
        outcomes[index] = outcome
        if key is not None and not any(d.code == INTERNAL_ERROR for d in outcome.diagnostics):
            cache.put(key, outcome.diagnostics)
    if cache is not None:
        cache.save_index()
    return outcomes  # type: ignore[return-value]


def _tune_gc() -> None:
    """Parsing allocates millions of short-lived, acyclic nodes; the cycle collector's default
    thresholds make it scan them over and over (a quarter of the run). Collect rarely instead,
    and freeze what is loaded so forked workers do not touch (and copy) it."""
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def _run(tasks: List[FileTask], jobs: int) -> List[FileOutcome]:
    if jobs <= 1 or len(tasks) < POOL_THRESHOLD:
        return [process_file(task) for task in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork starts workers with everything already imported; elsewhere use the platform default.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    # Biggest files first, so one huge module does not finish last on an otherwise idle pool.
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].source or b""))
    results: List[Optional[FileOutcome]] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(process_file, tasks[i]): i for i in order}
        try:
            for future, i in futures.items():
                results[i] = future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results  # type: ignore[return-value]
