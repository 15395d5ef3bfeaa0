"""The progress bar: rich, on stderr, only at a terminal with more than MIN_FILES files."""

import io

import pytest
from terminal import run_in_terminal, without_ansi

from corptls_lint.running import progress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("count, stream, environ, expected", [
    (progress.MIN_FILES + 1, FakeTerminal(), {}, True),
    (progress.MIN_FILES, FakeTerminal(), {}, False),
    (progress.MIN_FILES + 1, io.StringIO(), {}, False),
    (progress.MIN_FILES + 1, FakeTerminal(), {"CI": "true"}, False),
    (progress.MIN_FILES + 1, FakeTerminal(), {"CI": "1"}, False),
    (progress.MIN_FILES + 1, FakeTerminal(), {"CI": "false"}, True),
    (progress.MIN_FILES + 1, FakeTerminal(), {"PRE_COMMIT": "1"}, False),
])
def test_when_the_bar_is_shown(count, stream, environ, expected):
    assert progress.should_show(count, stream, environ) is expected


def big_tree(root, count):
    for i in range(count):
        folder = root / f"pkg{i // 50:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"mod{i:04d}.py").write_text("import requests\nrequests.get(u, verify=True)\n")
    (root / "pkg00" / "bad.py").write_text("import requests\nrequests.get(u, verify=False)\n")


def test_bar_on_a_terminal_and_not_in_ci(tmp_path):
    big_tree(tmp_path, progress.MIN_FILES + 20)
    code, shown, stdout = run_in_terminal(["."], cwd=tmp_path, terminal="stderr")
    assert code == 1
    assert stdout.splitlines() == ["pkg00/bad.py:2:17: TLS101 TLS verification disabled "
                                   "with a falsy verify=; pass the CA bundle instead"]
    plain = without_ansi(shown)
    assert "Checking" in plain and f"/{progress.MIN_FILES + 21} files" in plain
    assert plain.rstrip().endswith("Found 1 problem.\nConfigure 'ca-bundle' in "
                                   "[tool.corptls-lint] to make more findings fixable.\n"
                                   "TLS401 (sessions without the company trust settings) is off: "
                                   "configure 'session-factory' in [tool.corptls-lint] or pass "
                                   "--extend-select TLS401.")
    _, shown_in_ci, stdout_in_ci = run_in_terminal(["."], cwd=tmp_path, terminal="stderr",
                                                   env_extra={"CI": "true"})
    assert "Checking" not in shown_in_ci and stdout_in_ci == stdout
    _, shown_in_hook, _ = run_in_terminal(["."], cwd=tmp_path, terminal="stderr",
                                          env_extra={"PRE_COMMIT": "1"})
    assert "Checking" not in shown_in_hook


def test_no_bar_for_a_small_tree(tmp_path):
    big_tree(tmp_path, 10)
    _, shown, _ = run_in_terminal(["."], cwd=tmp_path, terminal="stderr")
    assert "Checking" not in shown and "Found 1 problem." in shown
