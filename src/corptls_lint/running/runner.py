"""Runs a list of file tasks and returns their outcomes, in the order given.

Files are read and screened here first: a file without any enabled rule's trigger words is
done on the spot (in every mode), a check whose findings are cached is answered from the cache,
and only the rest is linted or fixed, in a process pool when there are enough of them to pay
for one.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from stat import S_ISREG
from typing import (TYPE_CHECKING, Callable, Dict, Iterator, List, Literal, Optional, Sequence,
                    Tuple, Type)

from corptls_lint.checking.byte_screen import forced_rules, screen
from corptls_lint.checking.engine import (INTERNAL_ERROR, lint_path, lint_source, rules_for,
                                          text_problem)
from corptls_lint.ftypes import Diagnostic, FileOutcome, FileTask
from corptls_lint.running.cache import CLEAN, ResultCache
from corptls_lint.source.writer import read_regular

if TYPE_CHECKING:  # the pool's modules load only when a run starts one
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from corptls_lint.rules.base import Rule

# Fewer files than this to lint (after screening and the cache) run in this process: a pool's
# start-up would cost more than it saves, and pre-commit and editors lint a handful of files.
POOL_THRESHOLD = 8


def process_file(task: FileTask) -> FileOutcome:
    """Lint one file (from disk, or from `task.source` for standard input); fix or diff it."""
    if task.mode in ("fix", "diff"):
        from corptls_lint.running.fixer import fix_file  # only fixing runs need the fixer's imports

        return fix_file(task)
    if task.source is not None:
        result = lint_source(task.source, task.path, task.settings, verbose=task.verbose,
                             sliced=task.mode == "check", screened=task.screened)
    else:
        result = lint_path(task.path, task.settings, verbose=task.verbose)
    return FileOutcome(task.path, result.diagnostics)


def default_jobs() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


# Linting is CPU-bound: workers beyond a few per CPU only cost memory and start-up.
JOBS_PER_CPU = 2


def effective_jobs(requested: Optional[int], files: int) -> int:
    """The processes to use: as asked (default: the CPUs), at most one per file and
    JOBS_PER_CPU per CPU."""
    cpus = default_jobs()
    return max(1, min(requested or cpus, files, cpus * JOBS_PER_CPU))


def run_tasks(tasks: Sequence[FileTask], jobs: Optional[int] = None,
              cache: Optional[ResultCache] = None,
              on_done: Optional[Callable[[int], None]] = None) -> List[FileOutcome]:
    """Outcomes in the order of `tasks`. `on_done` is told how many more files are finished
    (a progress bar)."""
    _tune_gc()
    outcomes = _Outcomes(len(tasks), on_done)
    keys: Dict[int, str] = {}  # task index -> cache key of what is being linted
    executor = _Executor(effective_jobs(jobs, len(tasks)))
    try:
        for index, task in enumerate(tasks):
            if task.source is not None:
                executor.add(index, task)  # standard input is never cached
                continue
            try:
                stat = os.stat(task.path)
            except OSError:
                stat = None
            if stat is None or not S_ISREG(stat.st_mode):  # a FIFO would block: lint_path says so
                executor.add(index, task)
                continue
            if task.mode != "check":  # fixes are never cached; a file that cannot fire is done
                if _nothing_to_fix(task):
                    outcomes[index] = FileOutcome(task.path, [])
                else:
                    executor.add(index, task)
                continue
            if cache is not None:
                known = cache.known(task.path, stat, task.settings)
                if known == CLEAN:
                    outcomes[index] = FileOutcome(task.path, [])
                    continue
                cached = cache.get(known, task.path) if known else None
                if cached is not None:
                    outcomes[index] = FileOutcome(task.path, cached)
                    continue
            try:
                data = read_regular(task.path, stat)
            except OSError:
                executor.add(index, task)  # lint_path reports it as TLS001
                continue
            triggered = _triggered(data, task)
            if not triggered:
                if text_problem(data) is not None:  # not text at all: lint_source says why
                    executor.add(index, replace(task, source=data))
                    continue
                outcomes[index] = FileOutcome(task.path, [])
                if cache is not None:
                    cache.remember(task.path, stat, task.settings, CLEAN, data)
                continue
            if cache is not None:
                key = cache.key(data, task.settings)
                cache.remember(task.path, stat, task.settings, key)
                cached = cache.get(key, task.path)
                if cached is not None:
                    outcomes[index] = FileOutcome(task.path, cached)
                    continue
                keys[index] = key
            executor.add(index, replace(task, source=data,
                                        screened=tuple(rule.code for rule in triggered)))
        for index, outcome in executor.results():
            outcomes[index] = outcome
            cache_key = keys.get(index)  # (only a run with a cache has keys)
            if (cache is not None and cache_key is not None
                    and not any(d.code == INTERNAL_ERROR for d in outcome.diagnostics)):
                cache.put(cache_key, outcome.diagnostics)
    finally:
        executor.close()
    if cache is not None:
        cache.save_index()
    return outcomes.items  # type: ignore[return-value]  # every slot is filled by now


def _triggered(data: bytes, task: FileTask) -> List[Type[Rule]]:
    """The rules the byte screen keeps for `data`, with those only the configuration's words
    (insecure-keywords) can trigger."""
    enabled = rules_for(task.settings.enabled)
    triggered = screen(data, enabled)
    forced = forced_rules(data, enabled, task.settings)
    return triggered + [rule for rule in forced if rule not in triggered]


def _nothing_to_fix(task: FileTask) -> bool:
    """True for a --fix/--diff file that is text and holds no rule's trigger word: it is
    neither sent to a worker nor parsed (most files of a tree). Its folder's leftovers of a
    killed --fix are removed as the worker would."""
    if task.mode == "fix":
        from corptls_lint.source.writer import remove_stale_temporaries

        remove_stale_temporaries(os.path.dirname(os.path.realpath(task.path)) or ".")
    try:
        data = read_regular(task.path)
    except OSError:
        return False  # the worker reports it as TLS001
    return not _triggered(data, task) and text_problem(data) is None


class _Outcomes:
    """The outcome list, which reports each finished file to `on_done`."""

    def __init__(self, count: int, on_done: Optional[Callable[[int], None]]) -> None:
        self.items: List[Optional[FileOutcome]] = [None] * count
        self.on_done = on_done

    def __setitem__(self, index: int, outcome: FileOutcome) -> None:
        self.items[index] = outcome
        if self.on_done is not None:
            self.on_done(1)


def _tune_gc() -> None:
    """Parsing allocates millions of short-lived, acyclic nodes; the cycle collector's default
    thresholds make it scan them over and over (a quarter of the run). Collect rarely instead,
    and freeze what is loaded so forked workers do not touch (and copy) it."""
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the main process and die at once on SIGTERM. An exception raised
    in a worker by a signal can leave a pool queue's lock held and hang every other process;
    a write in progress is safe either way (writer.py holds signals back around the rename)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _Executor:
    """Runs tasks in this process, or in a pool once enough of them are waiting; the pool then
    lints while the caller is still reading and screening the remaining files."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.waiting: List[Tuple[int, FileTask]] = []
        self.pool: Optional[ProcessPoolExecutor] = None
        self.futures: List[Tuple[int, Future[FileOutcome]]] = []
        self.submitted: List[FileTask] = []

    def add(self, index: int, task: FileTask) -> None:
        if self.pool is not None:
            self.futures.append((index, self.pool.submit(process_file, task)))
            self.submitted.append(task)
            return
        self.waiting.append((index, task))
        if self.jobs > 1 and len(self.waiting) >= POOL_THRESHOLD:
            self._start_pool()

    def _start_pool(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork starts workers with everything already imported; elsewhere the default method.
        method: Optional[Literal["fork"]] = "fork" if sys.platform.startswith("linux") else None
        if method == "fork":
            _load_libcst()
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_signals,
                                        mp_context=multiprocessing.get_context(method))
        waiting, self.waiting = self.waiting, []
        for index, task in waiting:
            self.add(index, task)

    def results(self) -> Iterator[Tuple[int, FileOutcome]]:
        for index, task in self.waiting:
            yield index, process_file(task)
        if not self.futures:
            return
        from concurrent.futures.process import BrokenProcessPool

        orphans: List[Tuple[int, FileTask]] = []
        for (index, future), task in zip(self.futures, self.submitted):
            try:
                outcome = future.result()
            except BrokenProcessPool:  # a worker died: every unfinished file is an orphan
                orphans.append((index, task))
                continue
            yield index, outcome
        if orphans:
            # the broken pool's threads end first: _isolated forks, and a fork while another
            # thread may hold a lock can deadlock the child (Python 3.12+ warns of it)
            self.close()
            yield from _isolated(orphans, self.jobs)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _load_libcst() -> None:
    """Import libcst here, once, before the workers fork: each would import it for itself
    (0.3-0.4 s of CPU apiece) as soon as one of its files passes the syntax screen. A run
    whose pooled files all fall to that screen pays the import once where it paid nothing."""
    import gc

    import libcst

    libcst.Module  # a deferred import (startup.py) loads on its first attribute
    gc.freeze()  # what was loaded stays out of the workers' collections (and their memory)


def _isolated(tasks: Sequence[Tuple[int, FileTask]],
              jobs: int) -> Iterator[Tuple[int, FileOutcome]]:
    """Run each task in a process of its own, `jobs` at a time, after a worker died: the file
    that kills its process again is reported as TLS000; the others get their real outcome."""
    import multiprocessing

    method: Optional[Literal["fork"]] = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    pending = list(tasks)
    running: List[Tuple[int, FileTask, BaseProcess, Connection[object, FileOutcome]]] = []
    while pending or running:
        while pending and len(running) < jobs:
            index, task = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process: BaseProcess = context.Process(target=_run_and_send, args=(task, sender))
            process.start()
            sender.close()
            running.append((index, task, process, receiver))
        index, task, process, receiver = running.pop(0)
        try:
            outcome = receiver.recv()
        except (EOFError, OSError):
            outcome = None
        process.join()
        receiver.close()
        if outcome is None:
            outcome = FileOutcome(task.path, [_crashed(task.path, process.exitcode)])
        yield index, outcome


def _run_and_send(task: FileTask, sender: Connection[FileOutcome, object]) -> None:
    _worker_signals()
    sender.send(process_file(task))
    sender.close()


def _crashed(path: str, exitcode: Optional[int]) -> Diagnostic:
    how = (f"signal {-exitcode}" if exitcode is not None and exitcode < 0
           else f"exit status {exitcode}")
    return Diagnostic(path, 1, 1, INTERNAL_ERROR,
                      f"internal error: the process linting this file died ({how})",
                      name="internal-error")
