"""A --fix run killed at any moment leaves every file old or new, byte for byte, and no
temporary file behind (issue 6)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import console_script

PYPROJECT = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'
MODULE = '''\
import requests

# module {n}
def fetch_{n}(url):
    return requests.get(url, verify=False, timeout={n})


def upload_{n}(url, body):
    return requests.post(url, data=body, verify="/etc/ssl/corp.pem")
'''
FILES = 300


def make_tree(root):
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    for n in range(FILES):
        (root / f"mod_{n:03}.py").write_text(MODULE.format(n=n))


def snapshot(root):
    return {path.name: path.read_bytes() for path in sorted(root.iterdir())
            if not path.name.startswith(".corptls-")}


def leftovers(root):
    return sorted(path.name for path in root.iterdir() if path.name.startswith(".corptls-"))


def run_fix(root, **kwargs):
    return subprocess.Popen([console_script(), "--fix", "."], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, **kwargs)


def changed_count(root, before):
    count = 0
    for name, data in before.items():
        try:
            count += (root / name).read_bytes() != data
        except OSError:
            pass
    return count


@contextlib.contextmanager
def both_cores_busy():
    """Two spinning processes, so kills also land while the machine is loaded."""
    spin = [sys.executable, "-c", "while True: pass"]
    spinners = [subprocess.Popen(spin) for _ in range(2)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.slow
def test_killed_fix_leaves_old_or_new_files_and_the_next_run_removes_leftovers(tmp_path):
    original = tmp_path / "original"
    make_tree(original)
    before = snapshot(original)
    finished = tmp_path / "finished"
    shutil.copytree(original, finished)
    assert run_fix(finished).wait(timeout=600) == 0
    after = snapshot(finished)
    assert sum(after[name] != before[name] for name in before) == FILES
    assert leftovers(finished) == []

    mixed_runs = 0
    kills = [(0.3, signal.SIGKILL, False), (0.5, signal.SIGKILL, True),
             (0.7, signal.SIGKILL, True), (0.5, signal.SIGTERM, False)]
    for index, (fraction, signum, loaded) in enumerate(kills):
        tree = tmp_path / f"killed_{index}"
        shutil.copytree(original, tree)
        with (both_cores_busy() if loaded else contextlib.nullcontext()):
            process = run_fix(tree)
            # Kill once a share of the files is fixed: progress, not a clock, decides.
            while process.poll() is None and changed_count(tree, before) < FILES * fraction:
                time.sleep(0.005)
            try:
                os.killpg(process.pid, signum)
            except ProcessLookupError:
                pass
            process.wait(timeout=60)
            if _group_alive(process.pid):  # a worker that outlived the main process
                os.killpg(process.pid, signal.SIGKILL)
        state = snapshot(tree)
        assert set(state) == set(before), f"files appeared or vanished: {set(state) ^ set(before)}"
        for name, data in state.items():
            assert data in (before[name], after[name]), f"{name} is half-written"
        changed = sum(state[name] != before[name] for name in before)
        mixed_runs += 0 < changed < FILES
        # A SIGKILL between the link and the rename may leave one temporary; the next run
        # removes it (its process is gone) and finishes the job.
        for name in leftovers(tree):
            assert signum == signal.SIGKILL and (tree / name).read_bytes() in after.values()
        assert run_fix(tree).wait(timeout=600) == 0
        assert leftovers(tree) == []
        assert snapshot(tree) == after
    assert mixed_runs >= 1, "no kill landed in the middle of the run; the test proved nothing"


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def test_leftover_of_a_dead_process_is_removed_and_a_live_one_kept(tmp_path):
    from corptls_lint.source import writer

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".corptls-{dead.pid}-1-7.tmp"
    stale.write_text("x = 1\n")
    live_start = writer._process_start(os.getpid())
    live = tmp_path / f".corptls-{os.getpid()}-{live_start}-8.tmp"
    live.write_text("x = 2\n")
    unrelated = tmp_path / ".corptls-notes.tmp"
    unrelated.write_text("mine\n")
    assert writer.remove_stale_temporaries(str(tmp_path)) == [str(stale)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, unrelated.name])
