"""Hardening, round 2: what a hostile repository (or another user of the machine) could still
do after round 1 (test_hardening.py): forge the cache where git cannot vouch for it, write
through a committed symlink, hide a package behind a planted file, stop the run with one
undecodable file, plant a configuration above the checkout, hang a fix on a FIFO, crash on a
symlink loop. Each case as the attacker would set it up, through the installed console script."""

import json
import os
import socket
import subprocess
import sys

import pytest

FINDING = 'import requests\nrequests.get("u", verify=False)\n'
FINDING_LINE = ("2:19: TLS101 TLS verification disabled with a falsy verify=; "
                "pass the CA bundle instead")
POLICY_HINT = ("TLS401 (sessions without the company trust settings) is off: configure "
               "'session-factory' in [tool.corptls-lint] or pass --extend-select TLS401.")


def lines(text):
    return text.splitlines()


# -- named paths that are not regular files --------------------------------------------------

@pytest.fixture
def not_regular(tmp_path):
    """A FIFO, a unix socket and a device named on the command line, beside a real finding."""
    os.mkfifo(tmp_path / "pipe.py")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.py"))
    (tmp_path / "app.py").write_text(FINDING)
    yield tmp_path, ["pipe.py", "sock.py", "/dev/null", "app.py"]
    server.close()


NOT_REGULAR = [f"{name}:1:1: TLS001 cannot parse: cannot read: not a regular file"
               for name in ("pipe.py", "sock.py", "/dev/null")]  # in the order named


@pytest.mark.parametrize("mode", [[], ["--fix"], ["--output-format", "full"],
                                  ["--output-format", "html", "-o", "report.html"]])
def test_a_fifo_socket_or_device_is_tls001_and_never_read(run_cli, not_regular, mode):
    folder, names = not_regular
    result = run_cli("--no-cache", *mode, *names, cwd=folder)  # a read would hang: timeout
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    if "-o" in mode:
        report = (folder / "report.html").read_text()
        assert report.count("not a regular file") == 3 and "TLS101" in report
    elif mode == ["--output-format", "full"]:
        assert [line for line in lines(result.stdout) if ": TLS" in line] == (
            NOT_REGULAR + ["app.py:" + FINDING_LINE])
    else:
        assert lines(result.stdout) == NOT_REGULAR + ["app.py:" + FINDING_LINE]
    assert (folder / "app.py").read_text() == FINDING


def test_diff_of_a_fifo_reports_it_and_does_not_hang(run_cli, not_regular):
    folder, names = not_regular
    result = run_cli("--diff", "--output-format", "concise", "-o", "findings.txt", *names,
                     cwd=folder)
    assert result.returncode == 0  # no fix pending: app.py's needs a ca-bundle configured
    assert lines((folder / "findings.txt").read_text()) == (
        NOT_REGULAR + ["app.py:" + FINDING_LINE])
    assert lines(result.stderr)[0] == "Would fix 0 problems (4 remaining)."


@pytest.mark.parametrize("mode, summary", [
    (["--add-noqa"], "Added 1 noqa comment to 1 file."),
    (["--write-baseline", "b.json"], "Wrote 1 finding to the baseline b.json."),
])
def test_adoption_modes_skip_a_fifo_without_reading_it(run_cli, not_regular, mode, summary):
    folder, names = not_regular
    result = run_cli("--no-cache", *mode, *names, cwd=folder)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", summary + "\n")
    if "--write-baseline" in mode:
        recorded = json.loads((folder / "b.json").read_text())["findings"]
        assert [(entry["path"], entry["code"]) for entry in recorded] == [("app.py", "TLS101")]
        again = run_cli("--no-cache", "--baseline", "b.json", *names, cwd=folder)
        assert (again.returncode, lines(again.stdout)) == (1, sorted(NOT_REGULAR))


def test_read_regular_refuses_without_opening_for_a_blocking_read(tmp_path):
    from corptls_lint.source.writer import read_regular

    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(str(tmp_path / "pipe.py"))
    with pytest.raises(IsADirectoryError):
        read_regular(str(tmp_path))
