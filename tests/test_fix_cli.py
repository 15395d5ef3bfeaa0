"""`--fix`, `--diff` and `--unsafe-fixes` through the installed console script, and safe writes."""

import py_compile
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import FIXTURES

from corptls_lint.fixing import edits
from corptls_lint.ftypes import FileTask, FixTargets, Settings, Target
from corptls_lint.running.runner import process_file
from corptls_lint.source import writer

CONFIG = """\
[tool.corptls-lint]
ca-bundle = "corp_tls:CA_BUNDLE"
session-factory = "corp_tls:make_session"
"""
APP = """\
import requests


def fetch(url, verify=False):
    return requests.get(url, verify=verify)


def main():
    session = requests.Session()
    session.head("https://x")  # a request without verify=: the session's own trust is used
    return session.get("https://x", verify=False)
"""
TARGET_ARGS = ("--ca-bundle", "corp_tls:CA_BUNDLE", "--session-factory", "corp_tls:make_session",
               "--ssl-context", "corp_tls:ssl_context()")


def project(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if isinstance(text, str) else text)
    return tmp_path


def test_fix_rewrites_and_reports_what_remains(run_cli, tmp_path):
    project(tmp_path, {"pyproject.toml": CONFIG, "app.py": APP})
    result = run_cli("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ("app.py:5:23: TLS101 verify=False by default here reaches "
                             "requests.get(); pass the CA bundle instead\n")
    assert result.stderr == (
        "Fixed 2 problems (1 remaining).\n1 more fixable with --unsafe-fixes.\n"
        "code    fixed  remaining  why remaining\n"
        "TLS101      1          1  1 unsafe fix (--unsafe-fixes, then review)\n"
        "TLS401      1          0\n")
    assert (tmp_path / "app.py").read_text() == APP.replace(
        "import requests\n", "import requests\nfrom corp_tls import CA_BUNDLE, make_session\n"
    ).replace("requests.Session()", "make_session()").replace('"https://x", verify=False',
                                                               '"https://x", verify=CA_BUNDLE')


def test_unsafe_fixes_then_exit_zero_and_idempotent(run_cli, tmp_path):
    project(tmp_path, {"pyproject.toml": CONFIG, "app.py": APP})
    result = run_cli("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == ("Fixed 3 problems (0 remaining).\n"
                             "code    fixed  remaining  why remaining\n"
                             "TLS101      2          0\n"
                             "TLS401      1          0\n")
    assert "def fetch(url, verify=CA_BUNDLE):" in (tmp_path / "app.py").read_text()
    again = run_cli("--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "All checks passed!\n")


def test_check_summary_separates_unsafe_fixes(run_cli, tmp_path):
    project(tmp_path, {"pyproject.toml": CONFIG, "app.py": APP})
    result = run_cli(".", cwd=tmp_path)
    assert result.stderr == ("Found 3 problems (2 fixable with --fix).\n"
                             "1 more fixable with --unsafe-fixes.\n")


def test_diff_shows_every_fix_and_writes_nothing(run_cli, tmp_path):
    project(tmp_path, {"pyproject.toml": CONFIG, "app.py": APP})
    result = run_cli("--diff", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "--- app.py",
        "+++ app.py",
        "@@ -1,11 +1,12 @@",
        " import requests",
        "+from corp_tls import CA_BUNDLE, make_session",
        " ",
        " ",
        "-def fetch(url, verify=False):",
        "+def fetch(url, verify=CA_BUNDLE):",
        "     return requests.get(url, verify=verify)",
        " ",
        " ",
        " def main():",
        "-    session = requests.Session()",
        "+    session = make_session()",
        '     session.head("https://x")  # a request without verify=: the session\'s own trust is used',
        '-    return session.get("https://x", verify=False)',
        '+    return session.get("https://x", verify=CA_BUNDLE)',
    ]
    assert result.stderr == ("Would fix 3 problems (0 remaining).\n"
                             "1 of these fixes is unsafe: --fix applies them only with "
                             "--unsafe-fixes.\n")
    assert (tmp_path / "app.py").read_text() == APP


def test_diff_exits_zero_when_nothing_would_change(run_cli, tmp_path):
    project(tmp_path, {"app.py": "import os\nos.environ.update(PYTHONHTTPSVERIFY='0', HOME=h)\n"})
    result = run_cli("--diff", "app.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "Would fix 0 problems (1 remaining).\n"


def test_fix_without_configuration_names_the_missing_keys(run_cli, tmp_path):
    project(tmp_path, {"app.py": "import requests, urllib3\nurllib3.disable_warnings()\n"
                                 "s = requests.Session()\n"})
    result = run_cli("--fix", "--extend-select", "TLS401", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ("Fixed 1 problem (1 remaining).\n"
                             "code    fixed  remaining  why remaining\n"
                             "TLS201      1          0\n"
                             "TLS401      0          1  1 no target configured (session-factory)\n"
                             "Configure 'session-factory' in "
                             "[tool.corptls-lint] to make more findings fixable.\n")
    assert (tmp_path / "app.py").read_text() == "import requests\ns = requests.Session()\n"


def test_exit_zero_with_fix(run_cli, tmp_path):
    project(tmp_path, {"app.py": "import os\nos.environ['PYTHONHTTPSVERIFY'] = '0'\n"})
    assert run_cli("--fix", "--exit-zero", "app.py", cwd=tmp_path).returncode == 0


# -- encodings, line endings, modes ----------------------------------------------------------

def test_latin1_file_stays_latin1(run_cli, tmp_path):
    source = ("# -*- coding: latin-1 -*-\nimport requests\n"
              "requests.get('https://caf\xe9', verify=False)  # \xe9t\xe9\n")
    (tmp_path / "a.py").write_bytes(source.encode("latin-1"))
    result = run_cli("--fix", *TARGET_ARGS, "a.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.py").read_bytes() == (
        "# -*- coding: latin-1 -*-\nimport requests\nfrom corp_tls import CA_BUNDLE\n\n"
        "requests.get('https://caf\xe9', verify=CA_BUNDLE)  # \xe9t\xe9\n").encode("latin-1")


def test_bom_and_crlf_are_kept(run_cli, tmp_path):
    source = ("import requests\r\n\r\ns = requests.Session()\r\nr = s.get(u, verify=False)\r\n"
              "s.head(u)\r\n")
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbf" + source.encode())
    result = run_cli("--fix", *TARGET_ARGS, "a.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.py").read_bytes() == b"\xef\xbb\xbf" + (
        "from corp_tls import CA_BUNDLE, make_session\r\n\r\n"
        "s = make_session()\r\nr = s.get(u, verify=CA_BUNDLE)\r\ns.head(u)\r\n").encode()


def test_mode_is_kept_and_symlinks_stay_links(run_cli, tmp_path):
    real = tmp_path / "real.py"
    real.write_text("import requests\nrequests.get(u, verify=False)\n")
    real.chmod(0o751)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    result = run_cli("--fix", *TARGET_ARGS, "link.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and "verify=CA_BUNDLE" in real.read_text()
    assert oct(real.stat().st_mode & 0o777) == oct(0o751)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_file_changed_since_read_is_not_overwritten(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    source = writer.read_source(str(path))
    path.write_text("x = 2\n")
    with pytest.raises(writer.WriteError, match="changed on disk since it was read"):
        writer.write_source(source, "x = 3\n")
    assert path.read_text() == "x = 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_text_that_cannot_be_encoded_is_not_written(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"# coding: latin-1\nx = 1\n")
    source = writer.read_source(str(path))
    with pytest.raises(writer.WriteError, match="cannot be encoded as iso-8859-1"):
        writer.write_source(source, "# coding: latin-1\nx = '\u20ac'\n")
    assert path.read_bytes() == b"# coding: latin-1\nx = 1\n"


def test_broken_fix_leaves_the_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    original = "import requests\nrequests.get(u, verify=False)\n"
    path.write_text(original)
    monkeypatch.setattr(edits.FixPlanner, "expression",
                        lambda self, request: edits.cst.parse_expression("(yield)"))
    settings = Settings(enabled=("TLS101",),
                        targets=FixTargets(ca_bundle=Target.parse("corp_tls:CA_BUNDLE")))
    outcome = process_file(FileTask(str(path), settings, mode="fix"))
    assert path.read_text() == original
    assert outcome.fixed == 0
    assert [d.message for d in outcome.diagnostics] == [
        "TLS verification disabled with a falsy verify=; pass the CA bundle instead (not fixed: "
        "the result would not parse: 'yield' outside function (line 2); file left unchanged)"]


# -- the fixtures ----------------------------------------------------------------------------

MIGRATION_REPORT = """\
Fixed 13 problems (2 remaining).
2 more fixable with --unsafe-fixes.
code    fixed  remaining  why remaining
TLS101      3          1  1 unsafe fix (--unsafe-fixes, then review)
TLS102      1          0
TLS103      3          0
TLS104      0          1  1 unsafe fix (--unsafe-fixes, then review)
TLS201      1          0
TLS301      1          0
TLS401      3          0
TLS402      1          0
"""

MIGRATION_REMAINING = [  # both have an unsafe fix
    "inventory/client.py:41:23: TLS101",
    "scripts/nightly_report.py:11:1: TLS104",
]


def codes_of(stdout):
    return [line.split(": ")[0] + ": " + line.split(": ")[1].split()[0]
            for line in stdout.splitlines()]


def test_migration_fixture(run_cli, tmp_path):
    root = tmp_path / "migration"
    shutil.copytree(FIXTURES / "migration", root)
    diff = run_cli("--diff", ".", cwd=root)
    assert diff.stdout == (FIXTURES / "migration.diff").read_text()
    result = run_cli("--fix", ".", cwd=root)
    assert result.returncode == 1
    assert codes_of(result.stdout) == MIGRATION_REMAINING
    assert result.stderr == MIGRATION_REPORT
    guide = (FIXTURES.parent / "docs" / "migration.md").read_text()
    assert "```text\n" + MIGRATION_REPORT + "```\n" in guide  # the guide shows this run
    for path in root.rglob("*.py"):
        py_compile.compile(str(path), cfile=str(tmp_path / "compiled.pyc"), doraise=True)
    flakes = subprocess.run([sys.executable, "-m", "pyflakes", "."], cwd=root,
                            capture_output=True, text=True)
    assert flakes.stdout == "" and flakes.returncode == 0, flakes.stdout


@pytest.mark.parametrize("fixture", ["demo", "migration"])
def test_second_fix_changes_nothing(run_cli, tmp_path, fixture):
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    run_cli("--fix", "--unsafe-fixes", *TARGET_ARGS, ".", cwd=root)
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    again = run_cli("--fix", "--unsafe-fixes", *TARGET_ARGS, ".", cwd=root)
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == before
    # the migration fixture is fully fixed with --unsafe-fixes: nothing is left to report
    assert again.stderr.startswith("Fixed 0 problems (") or again.stderr == "All checks passed!\n"
    assert run_cli("--diff", *TARGET_ARGS, ".", cwd=root).stdout == ""


def test_atomic_write_without_named_temporaries_on_linux(tmp_path, monkeypatch):
    """On Linux the fixed bytes go to an unnamed O_TMPFILE file first: mkstemp is not needed."""
    import os
    import tempfile

    from corptls_lint.source import writer

    if not hasattr(os, "O_TMPFILE"):
        pytest.skip("no O_TMPFILE on this platform")
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\n")
    os.chmod(path, 0o640)

    def no_mkstemp(*args, **kwargs):
        raise AssertionError("the named temporary-file fallback was used")

    monkeypatch.setattr(tempfile, "mkstemp", no_mkstemp)
    writer.write_source(writer.read_source(str(path)), "x = 2\n")
    assert path.read_bytes() == b"x = 2\n"
    assert oct(os.stat(path).st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_fix_table_counts_per_code_and_says_why_each_finding_remains():
    from corptls_lint.ftypes import Applicability, Diagnostic, FileOutcome, Fix
    from corptls_lint.running.fixer import fix_table

    unsafe = Fix("add-verify", Applicability.UNSAFE, "x")
    outcomes = [
        FileOutcome("a.py", [Diagnostic("a.py", 1, 1, "TLS105", "m", fix=unsafe),
                             Diagnostic("a.py", 2, 1, "TLS105", "m"),
                             Diagnostic("a.py", 3, 1, "TLS105", "m")], 2,
                    fixed_codes={"TLS101": 2}),
        FileOutcome("b.py", [Diagnostic("b.py", 1, 1, "TLS401", "m", fix_needs="session-factory"),
                             Diagnostic("b.py", 2, 1, "TLS101", "m (not fixed: the result "
                                        "would not parse: x; file left unchanged)",
                                        fix=Fix("ca-bundle"))]),
    ]
    assert fix_table(outcomes, unsafe_fixes=False) == [
        "code    fixed  remaining  why remaining",
        "TLS101      2          1  1 fix not applied (see the message)",
        "TLS105      0          3  2 needs a person's decision (no automatic fix); "
        "1 unsafe fix (--unsafe-fixes, then review)",
        "TLS401      0          1  1 no target configured (session-factory)"]
    assert fix_table([FileOutcome("c.py")], unsafe_fixes=False) == []
