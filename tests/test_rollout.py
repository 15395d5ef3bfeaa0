"""Rolling out to many repositories (issue 13), through the installed console script: config per
file and `extend`, excludes that hold for named files and under pre-commit, warnings for what a
shared template cannot know, environments and git's exclude files, and the TLS401 policy."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import REPO, console_script
from helpers import write

BAD = "import requests\nrequests.get(url, verify=False)\n"
SESSION = "import requests\ns = requests.Session()\ns.get(url)\n"


def findings(result):
    return sorted(line.split(" ")[0] + " " + line.split(" ")[1]
                  for line in result.stdout.splitlines())


# -- config per file -------------------------------------------------------------------------

def test_argument_order_never_changes_the_findings(run_cli, tmp_path):
    write(tmp_path, "a/pyproject.toml", "[tool.corptls-lint]\nignore = []\n")
    write(tmp_path, "b/pyproject.toml", '[tool.corptls-lint]\nignore = ["TLS101"]\n')
    write(tmp_path, "a/x.py", BAD)
    write(tmp_path, "b/y.py", BAD)
    expected = ["a/x.py:2:19: TLS101"]
    for order in (["a/x.py", "b/y.py"], ["b/y.py", "a/x.py"], ["a", "b"], ["b", "a"]):
        result = run_cli("--no-cache", *order, cwd=tmp_path)
        assert (findings(result), result.returncode) == (expected, 1), order
    # --config forces one file for all of them
    forced = run_cli("--no-cache", "--config", "b/pyproject.toml", "a/x.py", "b/y.py",
                     cwd=tmp_path)
    assert (forced.stdout, forced.returncode) == ("", 0)


def test_a_folder_with_its_own_config_is_walked_with_it(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.corptls-lint]\n")
    write(tmp_path, "svc/pyproject.toml", '[tool.corptls-lint]\nextend-exclude = ["gen"]\n')
    write(tmp_path, "gen/kept.py", BAD)
    write(tmp_path, "svc/gen/skipped.py", BAD)
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert findings(result) == ["gen/kept.py:2:19: TLS101"]


def test_corptls_lint_toml_wins_over_pyproject_in_its_folder(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.corptls-lint]\nignore = []\n")
    write(tmp_path, "x.py", BAD)
    write(tmp_path, ".corptls-lint.toml", 'ignore = ["TLS1"]\n')
    assert run_cli("--no-cache", "x.py", cwd=tmp_path).returncode == 0
    write(tmp_path, "corptls-lint.toml", "ignore = []\n")  # the unhidden name comes first
    assert findings(run_cli("--no-cache", "x.py", cwd=tmp_path)) == ["x.py:2:19: TLS101"]


def test_extend_resolves_relative_paths_against_the_file_that_names_them(run_cli, tmp_path):
    write(tmp_path, "org/base.toml", """\
        ignore = ["TLS201"]
        extend-exclude = ["generated"]
        """)
    write(tmp_path, "shared/team.toml", """\
        extend = "../org/base.toml"
        ignore = ["TLS201", "TLS104"]
        """)
    write(tmp_path, "repo/pyproject.toml", """\
        [tool.corptls-lint]
        extend = "../shared/team.toml"
        """)
    write(tmp_path, "repo/app.py", BAD + "import urllib3, os\nurllib3.disable_warnings()\n"
                                         "os.environ['PYTHONHTTPSVERIFY'] = '0'\n")
    write(tmp_path, "repo/generated/g.py", BAD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("--no-cache", tmp_path / "repo", cwd=elsewhere)
    # team.toml's ignore replaces base.toml's; base.toml's extend-exclude is inherited
    assert findings(result) == [f"{tmp_path}/repo/app.py:2:19: TLS101"]


def test_extend_errors_name_the_file(run_cli, tmp_path):
    write(tmp_path, "a.toml", 'extend = "b.toml"\n')
    write(tmp_path, "b.toml", 'extend = "a.toml"\n')
    write(tmp_path, "x.py", "x = 1\n")
    cycle = run_cli("--config", "a.toml", "x.py", cwd=tmp_path)
    assert cycle.returncode == 2
    assert cycle.stderr == f"corptls-lint: error: {tmp_path}/b.toml: 'extend' = \"a.toml\" makes a cycle\n"
    write(tmp_path, "a.toml", 'extend = "missing.toml"\n')
    missing = run_cli("--config", "a.toml", "x.py", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (
        2, f"corptls-lint: error: {tmp_path}/a.toml: 'extend' = \"missing.toml\": no such file\n")
    write(tmp_path, "a.toml", 'extend = "b.toml"\n')
    write(tmp_path, "b.toml", 'ignores = ["TLS101"]\n')
    typo = run_cli("--config", "a.toml", "x.py", cwd=tmp_path)
    assert typo.returncode == 2 and "unknown key 'ignores' (did you mean 'ignore'?)" in typo.stderr


# -- excludes --------------------------------------------------------------------------------

def test_force_exclude_applies_the_excludes_to_named_files(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nextend-exclude = ["legacy"]\n')
    write(tmp_path, "legacy/m.py", BAD)
    write(tmp_path, "app.py", BAD)
    named = run_cli("--no-cache", "legacy/m.py", cwd=tmp_path)
    assert findings(named) == ["legacy/m.py:2:19: TLS101"]
    forced = run_cli("--no-cache", "--force-exclude", "legacy/m.py", "app.py", cwd=tmp_path)
    assert findings(forced) == ["app.py:2:19: TLS101"]
    write(tmp_path, "pyproject.toml",
          '[tool.corptls-lint]\nextend-exclude = ["legacy"]\nforce-exclude = true\n')
    configured = run_cli("--no-cache", "legacy/m.py", cwd=tmp_path)
    assert (configured.returncode, configured.stdout) == (0, "")


def _git(*args, cwd, env):
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _git_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=str(tmp_path / "gitconfig"), GIT_CONFIG_NOSYSTEM="1",
               XDG_CONFIG_HOME=str(tmp_path / "xdg"), PRE_COMMIT_HOME=str(tmp_path / "pc-home"),
               PRE_COMMIT_COLOR="never")
    (tmp_path / "gitconfig").write_text("")
    return env


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@needs_git
def test_force_exclude_holds_under_pre_commit_run(tmp_path):
    """The hooks of .pre-commit-hooks.yaml, run by real `pre-commit run` on a temporary git
    repository as `language: system` hooks of the installed console script (no install)."""
    project = tmp_path / "project"
    write(project, "pyproject.toml", '[tool.corptls-lint]\nextend-exclude = ["legacy"]\n')
    write(project, "legacy/m.py", BAD)
    write(project, "app.py", "import requests\nrequests.get(url)\n")
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    check = next(hook for hook in hooks if hook["id"] == "corptls-lint")
    program, *entry_args = check["entry"].split()
    assert program == "corptls-lint" and "--force-exclude" in entry_args
    local = dict(check, entry=" ".join([console_script(), *entry_args, "--no-cache"]),
                 language="system")
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = _git_env(tmp_path)
    _git("init", "-q", ".", cwd=project, env=env)
    _git("add", ".", cwd=project, env=env)

    def pre_commit_run():
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"],
                              cwd=project, env=env, capture_output=True, text=True, timeout=300)

    passed = pre_commit_run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    # the hook does lint the files it is given: a finding outside legacy/ fails it
    write(project, "app.py", BAD)
    _git("add", "app.py", cwd=project, env=env)
    failed = pre_commit_run()
    assert failed.returncode == 1
    assert "app.py:2:19: TLS101" in failed.stdout and "legacy" not in failed.stdout


def test_template_glob_that_matches_nothing_warns_and_exits_zero(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", """\
        [tool.corptls-lint]
        per-file-ignores = { "tests/**" = ["TLS101", "TLS201"] }
        """)
    write(tmp_path, "src/app.py", "import requests\nrequests.get(url)\n")
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        f"corptls-lint: warning: {tmp_path}/pyproject.toml: 'per-file-ignores' glob "
        f"\"tests/**\" matches no file under {tmp_path}")
    write(tmp_path, "src/bad.py", BAD)
    assert run_cli("--no-cache", ".", cwd=tmp_path).returncode == 1  # the exit code is the findings'


def test_environments_and_build_trees_are_skipped_whatever_their_name(run_cli, tmp_path):
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "myenv/bin/python3.11", "")
    write(tmp_path, "myenv/lib/python3.11/site-packages/pkg/m.py", BAD)
    write(tmp_path, "myenv/bin/tool.py", BAD)
    write(tmp_path, "condaenv/conda-meta/history", "")
    write(tmp_path, "condaenv/bin/python", "")
    write(tmp_path, "condaenv/lib/python3.11/site-packages/pkg/m.py", BAD)
    write(tmp_path, "condaenv/lib/python3.11/ssl_helpers.py", BAD)  # the stdlib copy
    for folder in (".direnv", "__pypackages__", "_build", ".ipynb_checkpoints"):
        write(tmp_path, f"{folder}/m.py", BAD)
    write(tmp_path, "app.py", BAD)
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert findings(result) == ["app.py:2:19: TLS101"]


@needs_git
def test_git_info_exclude_and_the_global_excludes_file_are_honoured(run_cli, tmp_path):
    env = _git_env(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", ".", cwd=project, env=env)
    (project / ".git" / "info").mkdir(exist_ok=True)
    (project / ".git" / "info" / "exclude").write_text("generated/\n")
    write(tmp_path, "xdg/git/ignore", "scratch_*.py\n")
    write(project, "generated/m.py", BAD)
    write(project, "pkg/scratch_1.py", BAD)
    write(project, "pkg/app.py", BAD)
    result = run_cli("--no-cache", ".", cwd=project, env=env)
    assert findings(result) == ["pkg/app.py:2:19: TLS101"]
    # core.excludesFile, when set, replaces the default location
    write(tmp_path, "my-ignore", "app.py\n")
    (tmp_path / "gitconfig").write_text(f"[core]\n\texcludesFile = {tmp_path}/my-ignore\n")
    result = run_cli("--no-cache", "pkg", cwd=project, env=env)
    assert findings(result) == ["pkg/scratch_1.py:2:19: TLS101"]


# -- policy by path --------------------------------------------------------------------------

def test_test_ignore_applies_to_test_paths_and_the_summary_counts_them(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.corptls-lint]\n")
    write(tmp_path, "tests/test_api.py", BAD)
    write(tmp_path, "pkg/conftest.py", BAD)
    write(tmp_path, "pkg/api.py", BAD)
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert len(findings(result)) == 3
    assert "2 in test code (test-paths), 1 in other code." in result.stderr.splitlines()
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\ntest-ignore = ["TLS101"]\n')
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert findings(result) == ["pkg/api.py:2:19: TLS101"]
    assert "in test code" not in result.stderr
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\ntest-ignore = ["TLS101"]\n'
                                      'test-paths = ["pkg/api.py"]\n')
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert findings(result) == ["pkg/conftest.py:2:19: TLS101", "tests/test_api.py:2:19: TLS101"]


# -- TLS401, a policy rule -------------------------------------------------------------------

HINT = ("TLS401 (sessions without the company trust settings) is off: configure "
        "'session-factory' in [tool.corptls-lint] or pass --extend-select TLS401.")


def test_tls401_is_on_by_default_only_with_a_session_factory(run_cli, tmp_path):
    write(tmp_path, "app.py", SESSION)
    off = run_cli("--no-cache", "app.py", cwd=tmp_path)
    # a clean run is one line; the hint comes with --verbose, or once with findings
    assert (off.returncode, off.stdout, off.stderr) == (0, "", "All checks passed!\n")
    verbose = run_cli("--no-cache", "--verbose", "app.py", cwd=tmp_path)
    assert (verbose.returncode, verbose.stdout) == (0, "")
    assert verbose.stderr.splitlines() == ["All checks passed!", HINT]
    write(tmp_path, "other.py", "import requests\nrequests.get(u, verify=False)\n")
    found = run_cli("--no-cache", "app.py", "other.py", cwd=tmp_path)
    assert found.stderr.splitlines() == [
        "Found 1 problem.", "Configure 'ca-bundle' in [tool.corptls-lint] to make more findings "
        "fixable.", HINT]
    (tmp_path / "other.py").unlink()
    selected = run_cli("--no-cache", "--extend-select", "TLS401", "app.py", cwd=tmp_path)
    assert findings(selected) == ["app.py:2:5: TLS401"] and HINT not in selected.stderr
    write(tmp_path, "pyproject.toml",
          '[tool.corptls-lint]\nsession-factory = "corp_tls:make_session"\n')
    on = run_cli("--no-cache", "app.py", cwd=tmp_path)
    assert findings(on) == ["app.py:2:5: TLS401"] and HINT not in on.stderr
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\n'
                                      'session-factory = "corp_tls:make_session"\n'
                                      'ignore = ["TLS401"]\n')
    ignored = run_cli("--no-cache", "app.py", cwd=tmp_path)
    assert (ignored.stdout, ignored.stderr) == ("", "All checks passed!\n")


def test_tls401_sees_requests_in_other_methods_when_the_file_is_parsed_in_slices(run_cli, tmp_path):
    """The check parses only the functions that can matter: the methods making the requests
    must be kept, or the session looks unconfigured (jenkinsapi's Requester)."""
    write(tmp_path, "client.py", """\
        import json
        import requests


        def unrelated():
            return json.dumps({})


        class Requester:
            def __init__(self, verify):
                self.session = requests.Session()
                self.verify = verify

            def get_url(self, url, **kwargs):
                return self.session.get(url, **self.request_dict(kwargs))

            def post_url(self, url, data):
                return self.session.post(url, data=data, verify=self.verify)
        """)
    clean = run_cli("--no-cache", "--extend-select", "TLS401", "client.py", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "")
    source = (tmp_path / "client.py").read_text()
    (tmp_path / "client.py").write_text(source + "\n    def head_url(self, url):\n"
                                                 "        return self.session.head(url)\n")
    found = run_cli("--no-cache", "--extend-select", "TLS401", "client.py", cwd=tmp_path)
    assert findings(found) == ["client.py:11:24: TLS401"]


def test_flake8_plugin_follows_the_tls401_policy_and_test_ignore(tmp_path):
    write(tmp_path, "app.py", SESSION)
    write(tmp_path, "tests/test_app.py", BAD)

    def flake8():
        result = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "."],
                                cwd=tmp_path, capture_output=True, text=True)
        return sorted(line.split(" ")[0] + " " + line.split(" ")[1]
                      for line in result.stdout.splitlines())

    assert flake8() == ["./tests/test_app.py:2:19: TLS101"]
    write(tmp_path, "corptls-lint.toml", 'session-factory = "corp_tls:make_session"\n'
                                         'test-ignore = ["TLS101"]\n')
    assert flake8() == ["./app.py:2:5: TLS401"]


def test_an_inherited_baseline_is_relative_to_the_file_that_names_it(run_cli, tmp_path):
    write(tmp_path, "shared/corptls-lint.toml", 'baseline = "baselines/all.json"\n')
    write(tmp_path, "repo/corptls-lint.toml", 'extend = "../shared/corptls-lint.toml"\n')
    write(tmp_path, "repo/app.py", BAD)
    (tmp_path / "shared" / "baselines").mkdir()
    written = run_cli("--no-cache", "--write-baseline", tmp_path / "shared/baselines/all.json",
                      "app.py", cwd=tmp_path / "repo")
    assert written.returncode == 0
    result = run_cli("--no-cache", "app.py", cwd=tmp_path / "repo")
    assert (result.returncode, result.stdout) == (0, "")
    (tmp_path / "shared/baselines/all.json").unlink()
    missing = run_cli("--no-cache", "app.py", cwd=tmp_path / "repo")
    assert missing.returncode == 2
    assert f"baseline {tmp_path}/shared/baselines/all.json: cannot read" in missing.stderr
