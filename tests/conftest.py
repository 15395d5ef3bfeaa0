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


@pytest.fixture
def run_cli():
    def run(*args, cwd=None, input=None, env=None):
        full_env = dict(os.environ)
        full_env.pop("CI", None) if env is None else None
        full_env.update(env or {})
        return subprocess.run([console_script(), *map(str, args)], cwd=cwd, input=input,
                              capture_output=True, text=True, env=full_env, timeout=120)
    return run
