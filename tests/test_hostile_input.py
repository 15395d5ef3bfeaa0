"""Hostile trees: the run finishes, prints no traceback, reports TLS001 with a reason for what it
cannot read, decode or parse, and still reports every finding everywhere else."""

import os
import random
import subprocess
import sys
import tempfile

import pytest

from corptls_lint import cli
from corptls_lint.checking.engine import lint_module
from corptls_lint.ftypes import Settings
from corptls_lint.rules import DEFAULT_CODES
from corptls_lint.rules.base import Rule

FINDING = "requests.get(u, verify=False)\n"


def build_hostile_tree(root):
    """Every hostile case of issue 6, plus the line each finding is expected on."""
    files = {
        "syntax_error.py": b"import requests\ndef f(:\n    " + FINDING.encode(),
        "python2.py": b"import requests\nprint 'hello'\n" + FINDING.encode(),
        "bad_utf8.py": b"import requests\nx = '\xff\xfe'\n" + FINDING.encode(),
        "latin1.py": b"# -*- coding: latin-1 -*-\nimport requests\nname = '\xe9t\xe9'\n"
                     + FINDING.encode(),
        "bom_crlf.py": b"\xef\xbb\xbfimport requests\r\nx = 1\r\n"
                       + FINDING.encode().replace(b"\n", b"\r\n"),
        "binary.py": random.Random(7).randbytes(4096),
        "nul_bytes.py": b"import requests\nx = 1\x00\n" + FINDING.encode(),
        "empty.py": b"",
        "deep_nesting.py": b"import requests\nx = " + b"(" * 150 + b"1" + b")" * 150 + b"\n"
                           + b"requests.get(" + b"[" * 150 + b"u" + b"]" * 150
                           + b", verify=False)\n",
        "big_module.py": b"import requests\n" + b"".join(
            b"def f%d(a, b):\n    return a + b * %d\n" % (i, i) for i in range(30000))
            + FINDING.encode(),
        "modern_syntax.py": b"import requests\ntype Alias[T] = list[T]\n"
                            b"def g[T](x: T) -> T:\n    return x\n"
                            b"try:\n    pass\nexcept* ValueError:\n    pass\n"
                            b"greeting = f\"{'nested' + f'{1}'}\"\n" + FINDING.encode(),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    os.symlink(root / "does-not-exist.py", root / "dangling.py")
    (root / "loop").mkdir()
    os.symlink(root, root / "loop" / "back_to_parent")
    assert len((root / "big_module.py").read_bytes()) > 1_000_000


EXPECTED_FINDINGS = {
    "latin1.py": "4:17: TLS101",
    "bom_crlf.py": "3:17: TLS101",
    "deep_nesting.py": "3:317: TLS101",
    "big_module.py": "60002:17: TLS101",
    "modern_syntax.py": "10:17: TLS101",
}
EXPECTED_PARSE_ERRORS = {
    # CPython's messages; the column of the print one moved between versions
    "syntax_error.py": "2:7: TLS001 cannot parse: invalid syntax",
    "python2.py": ("2:1: " if sys.version_info >= (3, 10) else "2:7: ")
    + "TLS001 cannot parse: Missing parentheses in call to 'print'",
    "bad_utf8.py": "1:1: TLS001 cannot parse: not valid utf-8 (byte 0xff on line 2)",
    "binary.py": "1:1: TLS001 cannot parse: source contains NUL bytes",
    "nul_bytes.py": "1:1: TLS001 cannot parse: source contains NUL bytes",
}


def test_hostile_tree(run_cli, tmp_path):
    build_hostile_tree(tmp_path)
    result = run_cli(tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    by_file = {}
    for line in result.stdout.splitlines():
        path, rest = line.split(":", 1)
        by_file.setdefault(os.path.basename(path), []).append(rest)
    for name, finding in EXPECTED_FINDINGS.items():
        entries = by_file.pop(name)
        assert len(entries) == 1 and entries[0].startswith(finding + " "), (name, entries)
    for name, error in EXPECTED_PARSE_ERRORS.items():
        entries = by_file.pop(name)
        assert len(entries) == 1 and entries[0].startswith(error), (name, entries)
    assert by_file == {}  # empty file, symlinks: nothing


def test_symlinked_file_named_on_the_command_line_is_followed(run_cli, tmp_path):
    (tmp_path / "real.py").write_text("import requests\n" + FINDING)
    os.symlink(tmp_path / "real.py", tmp_path / "link.py")
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    result = run_cli(tmp_path / "link.py", tmp_path / "dangling.py")
    assert result.stdout.splitlines() == [
        f"{tmp_path}/link.py:2:17: TLS101 TLS verification disabled with a falsy verify=; "
        "pass the CA bundle instead",
        f"{tmp_path}/dangling.py:1:1: TLS001 cannot parse: cannot read: No such file or directory",
    ]


def test_unreadable_file_is_tls001(tmp_path):
    """Run as an unprivileged user when we are root (root reads any file)."""
    root = tempfile.mkdtemp(prefix="corptls-unreadable-")
    try:
        os.chmod(root, 0o755)
        path = os.path.join(root, "secret.py")
        with open(path, "w") as handle:
            handle.write("import requests\n" + FINDING)
        os.chmod(path, 0)
        command = [sys.executable, "-m", "corptls_lint", "--no-cache", path]

        def as_nobody():  # root reads any file: run as nobody, who cannot read this one
            os.setgid(65534)
            os.setuid(65534)

        preexec = as_nobody if os.geteuid() == 0 else None
        if preexec is not None:
            try:
                probe = subprocess.run([sys.executable, "-c", "import corptls_lint"],
                                       preexec_fn=preexec, capture_output=True)
            except OSError:
                probe = None
            if probe is None or probe.returncode != 0:
                pytest.skip("the unprivileged user cannot run this venv's Python here")
        result = subprocess.run(command, preexec_fn=preexec, capture_output=True, text=True,
                                cwd=root)
        # shown relative to the current folder, as every finding is (run from `root`)
        assert result.stdout == "secret.py:1:1: TLS001 cannot parse: cannot read: Permission denied\n"
        assert result.returncode == 1
    finally:
        os.chmod(os.path.join(root, "secret.py"), 0o644)
        for name in os.listdir(root):
            os.unlink(os.path.join(root, name))
        os.rmdir(root)


def test_read_error_is_tls001_in_process(monkeypatch, tmp_path):
    """The same path as above, forced: root can read a mode-000 file, so make open() refuse."""
    from corptls_lint.checking.engine import lint_path

    path = tmp_path / "secret.py"
    path.write_text("import requests\n" + FINDING)
    real_open = os.open

    def refusing_open(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    result = lint_path(str(path), Settings(enabled=DEFAULT_CODES))
    assert [d.format_text() for d in result.diagnostics] == [
        f"{path}:1:1: TLS001 cannot parse: cannot read: Permission denied"]


class ExplodingRule(Rule):
    """A rule with a bug."""

    code = "TLS999"
    name = "exploding"
    message = "never"
    triggers = ((b"requests",),)

    def visit_Call(self, node):
        raise ZeroDivisionError("boom")


def test_internal_error_is_contained_to_one_rule_and_file():
    import libcst as cst

    from corptls_lint.rules import VerifyDisabled

    source = "import requests\n" + FINDING
    result = lint_module(cst.parse_module(source), "app.py", [ExplodingRule, VerifyDisabled])
    assert [(d.line, d.col, d.code) for d in result.diagnostics] == [
        (1, 1, "TLS000"), (2, 17, "TLS101")]
    assert result.diagnostics[0].message == (
        "internal error in TLS999 (exploding): ZeroDivisionError: boom")
    assert "Traceback" in result.internal_errors[0]


def test_internal_error_exits_2_with_traceback_under_verbose(monkeypatch, tmp_path, capsys):
    import corptls_lint.checking.engine as engine
    import corptls_lint.rules as rules

    monkeypatch.setattr(engine, "ALL_RULES", (*rules.ALL_RULES, ExplodingRule))
    monkeypatch.setattr(rules, "ALL_RULES", (*rules.ALL_RULES, ExplodingRule))
    monkeypatch.setattr(rules, "RULES_BY_CODE", {**rules.RULES_BY_CODE, "TLS999": ExplodingRule})
    (tmp_path / "a.py").write_text("import requests\n" + FINDING)
    (tmp_path / "b.py").write_text("import requests\nrequests.get(u)\n")
    assert cli.main([str(tmp_path), "--extend-select", "TLS999"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path}/a.py:1:1: TLS000 internal error in TLS999 (exploding): ZeroDivisionError: boom",
        f"{tmp_path}/a.py:2:17: TLS101 TLS verification disabled with a falsy verify=; "
        "pass the CA bundle instead",
        f"{tmp_path}/b.py:1:1: TLS000 internal error in TLS999 (exploding): ZeroDivisionError: boom",
    ]
    assert cli.main([str(tmp_path / "a.py"), "--extend-select", "TLS999", "--verbose"]) == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().out


def test_fifo_named_py_does_not_hang(run_cli, tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "ok.py").write_text("x = 1\n")
    assert run_cli(tmp_path).returncode == 0
    result = run_cli(tmp_path / "pipe.py")
    assert result.stdout == f"{tmp_path}/pipe.py:1:1: TLS001 cannot parse: cannot read: not a regular file\n"


@pytest.mark.slow
def test_site_packages_never_crash():
    """Lint this venv's site-packages: no TLS000, no traceback."""
    import sysconfig

    site_packages = sysconfig.get_paths()["purelib"]
    result = subprocess.run([sys.executable, "-m", "corptls_lint", "--exit-zero", site_packages],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert " TLS000 " not in result.stdout
