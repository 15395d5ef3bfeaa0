"""The trust module (the module a fix target names) is exempt from TLS301 and TLS401: the
bundle's path and the bare session belong there. Any other module, even one of the same name
elsewhere in the project, is reported as usual."""

import os
import subprocess
import sys

import pytest
from helpers import write

CONFIG = """\
[tool.corptls-lint]
ca-bundle = "app.corp_tls:CA_BUNDLE"
session-factory = "app.corp_tls:make_session"
"""
# TLS401 on line 7 and TLS301 on line 11, wherever they are reported
HARDCODED = """\
import requests

CA_BUNDLE = "/etc/ssl/corp.pem"


def make_session():
    return requests.Session()


def fetch(url):
    return requests.get(url, verify="/etc/ssl/corp.pem")
"""
FINDINGS = [(7, 12, "TLS401"), (11, 30, "TLS301")]


def found(result):
    """(path, line, col, code) of each finding in the text output."""
    rows = []
    for line in result.stdout.splitlines():
        path, row, col, rest = line.split(":", 3)
        rows.append((path, int(row), int(col), rest.split()[0]))
    return rows


def expected(*paths):
    return sorted((path, line, col, code) for path in paths for line, col, code in FINDINGS)


@pytest.fixture
def project(tmp_path):
    write(tmp_path, "pyproject.toml", CONFIG)
    write(tmp_path, "src/app/__init__.py", "")
    for name in ("src/app/corp_tls.py", "src/app/client.py", "scripts/corp_tls.py",
                 "src/app/vendored/corp_tls.py"):
        write(tmp_path, name, HARDCODED)
    return tmp_path


def test_the_trust_module_is_not_reported_other_modules_are(run_cli, project):
    result = run_cli("check", "--no-cache", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    assert found(result) == expected("scripts/corp_tls.py", "src/app/client.py",
                                     "src/app/vendored/corp_tls.py")


def test_flat_layout_and_a_target_set_on_the_command_line(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nselect = ["TLS"]\n')
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "app/corp_tls.py", HARDCODED)
    write(tmp_path, "app/other.py", HARDCODED)
    bare = run_cli("check", "--no-cache", "--extend-select", "TLS401", ".", cwd=tmp_path)
    assert found(bare) == expected("app/corp_tls.py", "app/other.py")  # no target: no exemption
    result = run_cli("check", "--no-cache", "--session-factory", "app.corp_tls:make_session",
                     ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert found(result) == expected("app/other.py")


def test_a_package_trust_module_is_its_init(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", CONFIG)
    write(tmp_path, "src/app/__init__.py", "")
    write(tmp_path, "src/app/corp_tls/__init__.py", HARDCODED)
    write(tmp_path, "src/app/corp_tls/helpers.py", HARDCODED)
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert found(result) == expected("src/app/corp_tls/helpers.py")


def test_fix_and_standard_input_leave_the_trust_module_alone(run_cli, project):
    module = project / "src/app/corp_tls.py"
    stdin = run_cli("check", "--no-cache", "-", "--stdin-filename", "src/app/corp_tls.py",
                    cwd=project, input=HARDCODED)
    assert (stdin.returncode, stdin.stdout) == (0, "")
    fixed = run_cli("check", "--fix", "src", cwd=project)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert module.read_text() == HARDCODED
    client = (project / "src/app/client.py").read_text()
    # aliased names get a line each, as ruff's and isort's default (combine-as-imports off) has it
    assert ("from app.corp_tls import CA_BUNDLE as app_corp_tls_CA_BUNDLE\n"
            "from app.corp_tls import make_session as app_corp_tls_make_session\n") in client
    assert 'verify=app_corp_tls_CA_BUNDLE' in client


def test_the_cache_keeps_the_exemption_per_file(run_cli, project):
    """Two files with the same bytes and different settings: the cache must not mix them."""
    for _ in range(2):  # a cold run, then a warm one
        result = run_cli("check", "src", cwd=project)
        assert found(result) == expected("src/app/client.py", "src/app/vendored/corp_tls.py")


def test_flake8_exempts_the_trust_module_too(project):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", "src"],
                            cwd=project, capture_output=True, text=True, env=env, timeout=300)
    assert result.stderr == ""
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == [
        "src/app/client.py", "src/app/client.py",
        "src/app/vendored/corp_tls.py", "src/app/vendored/corp_tls.py"]
