"""A --fix run killed at any moment leaves every file old or new, byte for byte, and no
temporary file behind (issue 6)."""

import os
import shutil
import signal
import subprocess
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
    return {path.name: path.read_bytes() for path in sorted(root.iterdir())}


def run_fix(root, **kwargs):
    return subprocess.Popen([console_script(), "--fix", "."], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, **kwargs)


@pytest.mark.slow
def test_killed_fix_leaves_old_or_new_files_and_no_temporaries(tmp_path):
    original = tmp_path / "original"
    make_tree(original)
    before = snapshot(original)
    finished = tmp_path / "finished"
    shutil.copytree(original, finished)
    started = time.monotonic()
    assert run_fix(finished).wait(timeout=600) == 0
    duration = time.monotonic() - started
    after = snapshot(finished)
    assert sum(after[name] != before[name] for name in before) == FILES

    mixed_runs = 0
    for index, (fraction, signum) in enumerate([(0.3, signal.SIGKILL), (0.5, signal.SIGKILL),
                                                (0.7, signal.SIGKILL), (0.5, signal.SIGTERM)]):
        tree = tmp_path / f"killed_{index}"
        shutil.copytree(original, tree)
        process = run_fix(tree)
        time.sleep(duration * fraction)
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
        process.wait(timeout=60)
        time.sleep(0.2)  # let any straggler of the group exit
        state = snapshot(tree)
        assert set(state) == set(before), f"files appeared or vanished: {set(state) ^ set(before)}"
        for name, data in state.items():
            assert data in (before[name], after[name]), f"{name} is half-written"
        changed = sum(state[name] != before[name] for name in before)
        mixed_runs += 0 < changed < FILES
    assert mixed_runs >= 1, "no kill landed in the middle of the run; the test proved nothing"
