import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def console_script() -> str:
    """The installed `corptls-lint` next to this interpreter (the real entry point)."""
    candidate = Path(sys.executable).parent / "corptls-lint"
    found = str(candidate) if candidate.exists() else shutil.which("corptls-lint")
    if not found:
        pytest.fail("the corptls-lint console script is not installed in this environment")
    return found


@pytest.fixture(scope="session", autouse=True)
def cache_home(tmp_path_factory):
    """The user's cache key (the cache's HMAC secret) lives in $XDG_CACHE_HOME: the suite's
    runs, in this process and the console scripts it starts, keep theirs out of the home
    folder of whoever runs the tests."""
    folder = tmp_path_factory.mktemp("cache-home")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture
def run_cli():
    def run(*args, cwd=None, input=None, env=None):
        full_env = dict(os.environ)
        full_env.pop("CI", None) if env is None else None
        full_env.update(env or {})
        return subprocess.run([console_script(), *map(str, args)], cwd=cwd, input=input,
                              capture_output=True, text=True, env=full_env, timeout=120)
    return run
