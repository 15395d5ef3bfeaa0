"""A large run hands the workers batches of files to read, screen and lint (runner.BATCH):
the outcomes, the cache's records and a dying worker's cost must be those of a run that
screens every file in the main process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from corptls_lint.ftypes import FileOutcome, FileTask, Settings
from corptls_lint.rules import DEFAULT_CODES
from corptls_lint.running import runner
from corptls_lint.running.cache import ResultCache

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the pool forks on Linux only")

FINDING = 'import requests\nrequests.get("u", verify=False)\n'
TRIGGERED_CLEAN = 'import requests\nrequests.get("u", verify=flag)\n'  # passes the byte screen
CLEAN = "import os\nprint(os.sep)\n"
SETTINGS = Settings(enabled=DEFAULT_CODES)


def _tree(folder: Path, count: int) -> List[str]:
    """`count` files: every 7th has a finding, every 5th passes the byte screen without one,
    one is not text (TLS001) and one is unreadable as source (a syntax error after a finding)."""
    paths = []
    for i in range(count):
        path = folder / f"m{i:03}.py"
        if i == 11:
            path.write_bytes(b"verify = 1\x00\x00\n")
        elif i == 13:
            path.write_text(FINDING + "def (:\n")
        elif i % 7 == 0:
            path.write_text(FINDING)
        elif i % 5 == 0:
            path.write_text(TRIGGERED_CLEAN)
        else:
            path.write_text(CLEAN)
        paths.append(str(path))
    return paths


def _found(outcomes: List[FileOutcome]) -> List[Tuple[str, List[Tuple[int, int, str]]]]:
    return [(os.path.basename(o.path), [(d.line, d.col, d.code) for d in o.diagnostics])
            for o in outcomes]


def test_batches_give_the_outcomes_of_a_run_in_one_process(tmp_path):
    paths = _tree(tmp_path, 3 * runner.BATCH + 5)
    tasks = [FileTask(p, SETTINGS) for p in paths]
    batched = runner.run_tasks(tasks, jobs=2)
    assert _found(batched) == _found(runner.run_tasks(tasks, jobs=1))
    by_name: Dict[str, List[Tuple[int, int, str]]] = dict(_found(batched))
    assert by_name["m007.py"] == [(2, 19, "TLS101")]
    assert by_name["m005.py"] == [] and by_name["m001.py"] == []
    assert [code for _, _, code in by_name["m011.py"]] == ["TLS001"]
    assert [code for _, _, code in by_name["m013.py"]] == ["TLS001"]
    assert sum(1 for _, found in by_name.items() if found == [(2, 19, "TLS101")]) == len(
        [i for i in range(3 * runner.BATCH + 5) if i % 7 == 0 and i not in (11, 13)])


def test_batches_fill_the_cache_a_warm_run_reads_without_opening_a_file(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    paths = _tree(folder, 2 * runner.BATCH + 3)
    tasks = [FileTask(p, SETTINGS) for p in paths]
    cold_cache = ResultCache(tmp_path / "cache")
    cold = runner.run_tasks(tasks, jobs=2, cache=cold_cache)
    # the file that is not text holds a trigger word: its TLS001 is cached like a finding
    triggered = [p for p in paths if Path(p).read_bytes() != CLEAN.encode()]
    assert cold_cache.hashed == len(triggered)
    assert cold_cache.stored == len(triggered)
    warm_cache = ResultCache(tmp_path / "cache")
    warm = runner.run_tasks(tasks, jobs=2, cache=warm_cache)
    assert _found(warm) == _found(cold)
    assert warm_cache.unchanged == len(paths)
    assert warm_cache.hashed == 0 and warm_cache.stored == 0


def _crash_on_victim(task: FileTask) -> FileOutcome:
    if task.path.endswith("victim.py"):
        import faulthandler

        faulthandler.disable()  # pytest's handler would print a "fatal error" into the log
        os.kill(os.getpid(), signal.SIGSEGV)
    return _real_process_file(task)


_real_process_file = runner.process_file


def test_a_worker_dying_in_a_batch_costs_only_its_file(tmp_path, monkeypatch):
    paths = _tree(tmp_path, 2 * runner.BATCH)
    victim = tmp_path / "victim.py"
    victim.write_text(FINDING)
    paths.insert(runner.BATCH + 3, str(victim))  # in the second batch, with 31 others
    monkeypatch.setattr(runner, "process_file", _crash_on_victim)
    tasks = [FileTask(p, SETTINGS) for p in paths]
    outcomes = runner.run_tasks(tasks, jobs=2)
    expected = _found(runner.run_tasks([t for t in tasks if t.path != str(victim)], jobs=1))
    victim_at = runner.BATCH + 3
    assert _found(outcomes[:victim_at] + outcomes[victim_at + 1:]) == expected
    assert [d.code for d in outcomes[victim_at].diagnostics] == ["TLS000"]


FIXABLE = "import urllib3\n\nurllib3.disable_warnings()\nprint(1)\n"
FIXED = "\nprint(1)\n"


def test_diff_and_fix_runs_in_batches_touch_only_the_files_with_fixes(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    paths = _tree(folder, 2 * runner.BATCH + 1)
    fixable = [p for i, p in enumerate(paths) if i % 9 == 4]
    for path in fixable:
        Path(path).write_text(FIXABLE)
    before = {p: Path(p).read_bytes() for p in paths}
    exe = Path(sys.executable).with_name("corptls-lint")
    command = [str(exe), "--no-cache", "--jobs", "2"]
    diff = subprocess.run(command + ["--diff", str(folder)], capture_output=True, text=True)
    changed = sorted(line[4:] for line in diff.stdout.splitlines() if line.startswith("+++ "))
    assert changed == sorted(fixable)
    assert {p: Path(p).read_bytes() for p in paths} == before  # --diff writes nothing
    subprocess.run(command + ["--fix", "--exit-zero", str(folder)], capture_output=True)
    after = {p: Path(p).read_bytes() for p in paths}
    assert sorted(p for p in paths if after[p] != before[p]) == sorted(fixable)
    assert {after[p] for p in fixable} == {FIXED.encode()}
