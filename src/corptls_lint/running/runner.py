"""Runs a list of file tasks and returns their outcomes, in the order given.

A file without any enabled rule's trigger words is done after the byte screen (in every mode),
a check whose findings are cached is answered from the cache, and only the rest is linted or
fixed. A small run (pre-commit, an editor) reads and screens its files here and lints in a
process pool once enough of them are waiting; a large one hands the workers batches of files
to read, screen and lint, so the screen of thousands of files runs on every CPU.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from stat import S_ISREG
from typing import (TYPE_CHECKING, Callable, Dict, Iterator, List, Literal, NamedTuple, Optional,
                    Sequence, Tuple, Type)

from corptls_lint.checking.byte_screen import forced_rules, screen
from corptls_lint.checking.engine import (INTERNAL_ERROR, lint_path, lint_source, rules_for,
                                          text_problem)
from corptls_lint.ftypes import Diagnostic, FileOutcome, FileTask
from corptls_lint.running.cache import CLEAN, ResultCache, content_digest, content_key
from corptls_lint.source.writer import read_regular

if TYPE_CHECKING:  # the pool's modules load only when a run starts one
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from corptls_lint.rules.base import Rule

# Fewer files than this to lint (after screening and the cache) run in this process: a pool's
# start-up would cost more than it saves, and pre-commit and editors lint a handful of files.
POOL_THRESHOLD = 8
# Once this many files wait to be read and screened, the workers screen them too: in this
# process the byte screen of a large tree (1.35 s of CPU for the TLS corpus's 7,217 files, of
# which 333 pass it) bounds the run once the workers are more than a few (docs/performance.md).
# Few enough that a batch's files are not kept from the other workers at the end of the run;
# enough that handing one over costs little.
BATCH = 32


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
    stats: Dict[int, os.stat_result] = {}  # task index -> the stat a cache entry records

    def finish(index: int, outcome: FileOutcome, entry: Optional[_Entry]) -> None:
        outcomes[index] = outcome
        if cache is not None and entry is not None:
            _record(cache, tasks[index], stats[index], entry, outcome)

    executor = _Executor(effective_jobs(jobs, len(tasks)), cache, finish)
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
            if cache is not None and task.mode == "check":  # fixes are never cached
                known = cache.known(task.path, stat, task.settings)
                if known == CLEAN:
                    outcomes[index] = FileOutcome(task.path, [])
                    continue
                cached = cache.get(known, task.path) if known else None
                if cached is not None:
                    outcomes[index] = FileOutcome(task.path, cached)
                    continue
            stats[index] = stat
            executor.screen(index, task, stat)
        executor.finish_all()
    finally:
        executor.close()
    if cache is not None:
        cache.save_index()
    return outcomes.items  # type: ignore[return-value]  # every slot is filled by now


class _Entry(NamedTuple):
    """What a screened file leaves in the cache: its content key (CLEAN when no rule's
    trigger word is in it, with the hash of its bytes), and whether its findings are new."""

    key: str
    content: str = ""
    store: bool = False


class _Screened(NamedTuple):
    """A file read and screened: `outcome` when that decided it, else the task to lint (with
    the bytes read and the rules screened in); its cache entry when the run has a cache."""

    task: FileTask
    outcome: Optional[FileOutcome]
    entry: Optional[_Entry]


def _screen_file(task: FileTask, stat: os.stat_result, keyed: bool) -> _Screened:
    """Read and screen one file of a check. `keyed`: the run has a cache (compute the entry)."""
    try:
        data = read_regular(task.path, stat)
    except OSError:
        return _Screened(task, None, None)  # lint_path reports it as TLS001
    triggered = _triggered(data, task)
    if not triggered:
        if text_problem(data) is not None:  # not text at all: lint_source says why
            return _Screened(replace(task, source=data), None, None)
        entry = _Entry(CLEAN, content_digest(data)) if keyed else None
        return _Screened(task, FileOutcome(task.path, []), entry)
    entry = _Entry(content_key(data, task.settings), store=True) if keyed else None
    return _Screened(replace(task, source=data, screened=tuple(rule.code for rule in triggered)),
                     None, entry)


def _screen_batch(batch: Sequence[Tuple[int, FileTask, os.stat_result]],
                  keyed: bool) -> List[Tuple[int, FileOutcome, Optional[_Entry]]]:
    """A worker's share of a large run: read, screen and lint (or fix) each file. A file
    whose key the cache already holds under another path is linted again (the cache is the
    main process's)."""
    done: List[Tuple[int, FileOutcome, Optional[_Entry]]] = []
    for index, task, stat in batch:
        if task.mode != "check":
            done.append((index, FileOutcome(task.path, []) if _nothing_to_fix(task)
                         else process_file(task), None))
            continue
        screened = _screen_file(task, stat, keyed)
        outcome = screened.outcome if screened.outcome is not None else process_file(screened.task)
        done.append((index, outcome, screened.entry))
    return done


def _record(cache: ResultCache, task: FileTask, stat: os.stat_result, entry: _Entry,
            outcome: FileOutcome) -> None:
    """Put a screened file's entry in the cache's index, and its new findings in the cache
    (never an internal error's: the next run tries again)."""
    if entry.key != CLEAN:
        cache.hashed_elsewhere()
    cache.remember(task.path, stat, task.settings, entry.key, content=entry.content)
    if entry.store and not any(d.code == INTERNAL_ERROR for d in outcome.diagnostics):
        cache.put(entry.key, outcome.diagnostics)


def _triggered(data: bytes, task: FileTask) -> List[Type[Rule]]:
    """The rules the byte screen keeps for `data`, with those only the configuration's words
    (insecure-keywords) can trigger."""
    enabled = rules_for(task.settings.enabled)
    triggered = screen(data, enabled)
    forced = forced_rules(data, enabled, task.settings)
    return triggered + [rule for rule in forced if rule not in triggered]


def _nothing_to_fix(task: FileTask) -> bool:
    """True for a --fix/--diff file that is text and holds no rule's trigger word: it is
    neither linted nor parsed (most files of a tree). Its folder's leftovers of a
    killed --fix are removed as fix_file would."""
    if task.mode == "fix":
        from corptls_lint.source.writer import remove_stale_temporaries

        remove_stale_temporaries(os.path.dirname(os.path.realpath(task.path)) or ".")
    try:
        data = read_regular(task.path)
    except OSError:
        return False  # fix_file reports it as TLS001
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


Finish = Callable[[int, FileOutcome, Optional[_Entry]], None]
_Pending = List[Tuple[int, FileTask, Optional[_Entry]]]  # what a future's tasks were


class _Executor:
    """Screens and runs tasks in this process, or in a pool once enough of them are waiting:
    files to lint (the pool then lints while the caller is still reading and screening the
    rest), or files to read and screen (then the workers do all of it, batch by batch).
    Each finished task goes to `finish`."""

    def __init__(self, jobs: int, cache: Optional[ResultCache], finish: Finish) -> None:
        self.jobs = jobs
        self.cache = cache
        self.finish = finish
        self.waiting: _Pending = []  # to lint, while there is no pool
        self.batch: List[Tuple[int, FileTask, os.stat_result]] = []  # to read and screen
        self.pool: Optional[ProcessPoolExecutor] = None
        self.futures: List[Tuple[Future[List[Tuple[int, FileOutcome, Optional[_Entry]]]],
                                 _Pending]] = []

    def add(self, index: int, task: FileTask, entry: Optional[_Entry] = None) -> None:
        """Lint or fix `task`; `entry`: what the cache records with its outcome."""
        if self.pool is not None:
            self.futures.append((self.pool.submit(_process_one, index, task, entry),
                                 [(index, task, entry)]))
            return
        self.waiting.append((index, task, entry))
        if self.jobs > 1 and len(self.waiting) >= POOL_THRESHOLD:
            self._start_pool(preload=True)

    def screen(self, index: int, task: FileTask, stat: os.stat_result) -> None:
        """Read and screen the file of `task`, then lint (or fix) it if a rule can fire."""
        if self.jobs == 1:
            self._screen_here(index, task, stat)
            return
        self.batch.append((index, task, stat))
        if len(self.batch) >= BATCH:
            if self.pool is None:
                # not preloaded: the workers import libcst only if a file of theirs needs it
                self._start_pool(preload=False)
            self._submit_batch()

    def _submit_batch(self) -> None:
        assert self.pool is not None
        batch, self.batch = self.batch, []
        future = self.pool.submit(_screen_batch, batch, self.cache is not None)
        self.futures.append((future, [(index, task, None) for index, task, _ in batch]))

    def _screen_here(self, index: int, task: FileTask, stat: os.stat_result) -> None:
        if task.mode != "check":
            if _nothing_to_fix(task):
                self.finish(index, FileOutcome(task.path, []), None)
            else:
                self.add(index, task)
            return
        screened = _screen_file(task, stat, self.cache is not None)
        if screened.outcome is not None:
            self.finish(index, screened.outcome, screened.entry)
            return
        entry = screened.entry
        if self.cache is not None and entry is not None:
            cached = self.cache.get(entry.key, task.path)
            if cached is not None:
                self.finish(index, FileOutcome(task.path, cached), entry._replace(store=False))
                return
        self.add(index, screened.task, entry)

    def _start_pool(self, preload: bool) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork starts workers with everything already imported; elsewhere the default method.
        method: Optional[Literal["fork"]] = "fork" if sys.platform.startswith("linux") else None
        if method == "fork" and preload:
            _load_libcst()
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_signals,
                                        mp_context=multiprocessing.get_context(method))
        waiting, self.waiting = self.waiting, []
        for index, task, entry in waiting:
            self.add(index, task, entry)

    def finish_all(self) -> None:
        """Run what is left, and hand every outcome to `finish`, the pool's in task order."""
        batch, self.batch = self.batch, []
        if self.pool is not None and batch:
            self.batch = batch
            self._submit_batch()
        else:
            for index, task, stat in batch:
                self._screen_here(index, task, stat)
        for index, task, entry in self.waiting:
            self.finish(index, process_file(task), entry)
        self.waiting = []
        if not self.futures:
            return
        from concurrent.futures.process import BrokenProcessPool

        orphans: _Pending = []
        for future, pending in self.futures:
            try:
                done = future.result()
            except BrokenProcessPool:  # a worker died: every unfinished file is an orphan
                orphans.extend(pending)
                continue
            for index, outcome, entry in done:
                self.finish(index, outcome, entry)
        if orphans:
            # the broken pool's threads end first: _isolated forks, and a fork while another
            # thread may hold a lock can deadlock the child (Python 3.12+ warns of it)
            self.close()
            entries = {index: entry for index, _, entry in orphans}
            for index, outcome in _isolated([(index, task) for index, task, _ in orphans],
                                            self.jobs):
                self.finish(index, outcome, entries[index])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _process_one(index: int, task: FileTask,
                 entry: Optional[_Entry]) -> List[Tuple[int, FileOutcome, Optional[_Entry]]]:
    return [(index, process_file(task), entry)]


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
