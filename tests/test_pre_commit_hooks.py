"""The hooks in .pre-commit-hooks.yaml, run by real `pre-commit try-repo` on a temporary repo.

try-repo installs this repository into a fresh virtualenv (from the package index), so this is
the slowest module of the suite: both hooks run in one try-repo call, and each test reads the
shared result.
"""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

APP = textwrap.dedent("""\
    import requests


    def fetch(url):
        return requests.get(url, verify=False)
    """)
PYPROJECT = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'
FINDING = ("app.py:5:30: TLS101 TLS verification disabled with a falsy verify=; "
           "pass the CA bundle instead")


def _git_env(tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("CI", None)
    env.update(PRE_COMMIT_HOME=str(tmp / "pre-commit-home"), PRE_COMMIT_COLOR="never")
    return env


def _is_git_work_tree(path) -> bool:
    if shutil.which("git") is None:
        return False
    result = subprocess.run(["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
                            capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() == "true"


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory):
    if not _is_git_work_tree(REPO):
        pytest.skip("pre-commit try-repo needs this repository as a git checkout")
    tmp = tmp_path_factory.mktemp("pre-commit")
    project = tmp / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "pyproject.toml").write_text(PYPROJECT)
    env = _git_env(tmp)
    subprocess.run(["git", "init", "-q", "."], cwd=project, env=env, check=True)
    subprocess.run(["git", "add", "app.py", "pyproject.toml"], cwd=project, env=env, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=1200)
    return result, project


def test_check_hook_fails_on_planted_verify_false(try_repo):
    result, _ = try_repo
    output = result.stdout
    assert result.returncode == 1, output + result.stderr
    check_section = output.split("- hook id: corptls-lint\n", 1)[1].split("corptls-lint (fix)")[0]
    assert check_section.startswith("- exit code: 1\n")
    assert FINDING in check_section.splitlines()


def test_hooks_declare_python_and_stub_files_and_run_serially():
    import yaml

    hooks = {hook["id"]: hook for hook in
             yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert sorted(hooks) == ["corptls-lint", "corptls-lint-fix"]
    assert hooks["corptls-lint"]["entry"] == "corptls-lint --force-exclude"
    assert hooks["corptls-lint-fix"]["entry"] == "corptls-lint --fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "pyi"]
        assert hook["require_serial"] is True


def test_fix_hook_rewrites_onto_the_configured_bundle(try_repo):
    result, project = try_repo
    assert "- hook id: corptls-lint-fix\n- files were modified by this hook" in result.stdout
    fixed = (project / "app.py").read_text()
    expected = APP.replace("verify=False", "verify=CA_BUNDLE")
    # Where the import goes (and the blank lines around it) is the fixer's layout choice.
    without_import = [line for line in fixed.splitlines()
                      if line != "from corp_tls import CA_BUNDLE" and line.strip()]
    assert fixed.splitlines().count("from corp_tls import CA_BUNDLE") == 1
    assert without_import == [line for line in expected.splitlines() if line.strip()]
