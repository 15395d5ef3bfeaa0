"""The migration of issue 26 end to end, on the sample service in fixtures/service (a src
layout that runs ruff's isort rules): `init`, then `--fix src`, through the installed console
script. Nothing may be left, the project's own ruff must pass, the fixed modules must import
against the installed clients with DeprecationWarning as an error, and a second run must
change nothing."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from helpers import ruff_executable

SERVICE = FIXTURES / "service"
MODULES = {"billing.client": "requests", "billing.ledger": "httpx", "billing.events": "aiohttp",
           "billing.reports": None}


def _tree(root):
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file() and ".git" not in path.parts}


@pytest.fixture
def service(tmp_path):
    root = tmp_path / "service"
    shutil.copytree(SERVICE, root, ignore=shutil.ignore_patterns(".corptls_cache", "__pycache__",
                                                                  ".ruff_cache"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_init_then_fix_leaves_nothing_and_passes_the_projects_ruff(service, run_cli):
    ruff = ruff_executable()
    assert subprocess.run([ruff, "check", "--no-cache", "."], cwd=service).returncode == 0
    assert run_cli("src", cwd=service).returncode == 1  # the planted problems

    init = run_cli("init", cwd=service)
    assert init.returncode == 0, init.stderr
    fixed = run_cli("--fix", "src", cwd=service)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert run_cli("src", cwd=service).returncode == 0

    lint = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=service, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout

    before = _tree(service)
    again = run_cli("--fix", "src", cwd=service)
    assert again.returncode == 0
    assert _tree(service) == before  # idempotent


def test_the_fixed_service_imports_its_added_names_in_ruffs_order(service, run_cli):
    run_cli("init", cwd=service)
    run_cli("--fix", "src", cwd=service)
    client = (service / "src/billing/client.py").read_text()
    # requests' only use was the session: its import went, the factory came
    assert ("import logging\n\nfrom billing.corp_tls import CA_BUNDLE, make_session\n"
            "from billing.settings import API_URL\n") in client
    assert "self.session = make_session()" in client
    reports = (service / "src/billing/reports.py").read_text()
    assert ("import urllib.request\n\nfrom billing.corp_tls import ssl_context\n"
            "from billing.settings import API_URL\n") in reports


def test_the_fixed_modules_import_without_deprecation_warnings(service, run_cli):
    run_cli("init", cwd=service)
    run_cli("--fix", "src", cwd=service)
    names = [name for name, client in MODULES.items()
             if client is None or importlib.util.find_spec(client) is not None]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code,
                             *names], cwd=service, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(service, "src"))})
    assert result.returncode == 0, result.stderr
