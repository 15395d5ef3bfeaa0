"""Small helpers the tests share."""

import os
import shutil
import sys
import textwrap

import pytest

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings
from corptls_lint.rules import ALL_RULES

ALL_CODES = tuple(rule.code for rule in ALL_RULES)


def findings(source: str, codes=ALL_CODES):
    """(line, col, code) of every finding in `source`, with every rule enabled."""
    result = lint_source(source, "example.py", Settings(enabled=tuple(codes)))
    return [(d.line, d.col, d.code) for d in result.diagnostics]


def write(root, name, text):
    """Write dedented `text` to `root/name`, creating folders; the path."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def ruff_executable() -> str:
    """The real ruff (the test extra installs it): CI fails without it, elsewhere the test
    is skipped."""
    found = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is in the test extra: CI must have it")
        pytest.skip("ruff is not installed")
    return found
