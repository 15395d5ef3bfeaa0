"""`corptls-lint - --stdin-filename NAME`: standard input, reported and configured as NAME."""

import textwrap

SOURCE = textwrap.dedent("""\
    import requests, urllib3
    urllib3.disable_warnings()
    requests.get(u, verify=False)
    """)
TLS101 = "TLS101 TLS verification disabled with a falsy verify=; pass the CA bundle instead"
TLS201 = "TLS201 InsecureRequestWarning suppressed; fix the unverified requests instead"


def test_stdin_is_reported_under_the_given_name(run_cli, tmp_path):
    result = run_cli("-", "--stdin-filename", "app/api.py", cwd=tmp_path, input=SOURCE)
    assert result.returncode == 1
    assert result.stdout == f"app/api.py:2:1: {TLS201}\napp/api.py:3:17: {TLS101}\n"


def test_stdin_without_a_name_is_reported_as_flake8_does(run_cli, tmp_path):
    result = run_cli("-", cwd=tmp_path, input=SOURCE)
    assert result.stdout.splitlines()[0] == f"stdin:2:1: {TLS201}"


def test_stdin_filename_alone_reads_stdin_as_ruff_does(run_cli, tmp_path):
    result = run_cli("--stdin-filename", "x.py", cwd=tmp_path, input=SOURCE)
    assert result.stdout.splitlines()[1] == f"x.py:3:17: {TLS101}"


def test_config_and_per_file_ignores_follow_the_name(run_cli, tmp_path):
    project = tmp_path / "service"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.corptls-lint]\nper-file-ignores = { "tests/**" = ["TLS101"] }\n'
        'ignore = ["TLS2"]\n')
    def run(name):
        return run_cli("-", "--stdin-filename", name, cwd=tmp_path, input=SOURCE).stdout
    # The nearest pyproject.toml is looked up from the named file's folder, not the cwd.
    assert run("service/app.py") == f"service/app.py:3:17: {TLS101}\n"
    assert run("service/tests/test_app.py") == ""
    assert run("elsewhere/app.py").splitlines() == [f"elsewhere/app.py:2:1: {TLS201}",
                                                    f"elsewhere/app.py:3:17: {TLS101}"]


def test_unparsable_stdin_is_tls001_not_a_crash(run_cli, tmp_path):
    result = run_cli("-", "--stdin-filename", "a.py", cwd=tmp_path,
                     input="import requests\ndef f(:\n    requests.get(u, verify=False)\n")
    assert result.returncode == 1
    assert result.stdout.startswith("a.py:2:7: TLS001 cannot parse:")
    assert "Traceback" not in result.stderr


def test_stdin_bytes_are_decoded_like_a_file(run_cli, tmp_path):
    import subprocess

    from conftest import console_script

    source = b"# -*- coding: latin-1 -*-\nimport requests\nx = '\xe9'\nrequests.get(u, verify=0)\n"
    result = subprocess.run([console_script(), "-"], input=source, capture_output=True,
                            cwd=tmp_path)
    assert result.stdout == b"stdin:4:17: " + TLS101.encode() + b"\n"


def test_stdin_cannot_be_mixed_with_paths(run_cli, tmp_path):
    for args in (["-", "other.py"], ["--stdin-filename", "x.py", "other.py"]):
        result = run_cli(*args, cwd=tmp_path, input=SOURCE)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith("corptls-lint: error: ")
        assert len(result.stderr.splitlines()) == 1


PYPROJECT = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'
FIXED = textwrap.dedent("""\
    import requests

    from corp_tls import CA_BUNDLE

    requests.get(u, verify=CA_BUNDLE)
    """)


def test_fix_stdin_prints_the_fixed_source_as_ruff_does(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    result = run_cli("--fix", "-", "--stdin-filename", "a.py", cwd=tmp_path, input=SOURCE)
    assert (result.returncode, result.stdout) == (0, FIXED)
    assert result.stderr == "Fixed 2 problems (0 remaining).\n"


def test_fix_stdin_reports_what_remains_on_stderr_and_exits_1(run_cli, tmp_path):
    # no ca-bundle configured: only the warning removal applies
    result = run_cli("--fix", "-", "--stdin-filename", "a.py", cwd=tmp_path, input=SOURCE)
    assert result.returncode == 1
    assert result.stdout == "import requests\nrequests.get(u, verify=False)\n"
    assert result.stderr.splitlines()[:2] == [f"a.py:2:17: {TLS101}",
                                              "Fixed 1 problem (1 remaining)."]
    nonzero = run_cli("--fix", "-", "--exit-non-zero-on-fix", "--stdin-filename", "a.py",
                      "--select", "TLS201", cwd=tmp_path, input=SOURCE)
    assert nonzero.returncode == 1 and "disable_warnings" not in nonzero.stdout


def test_fix_stdin_passes_clean_and_undecodable_source_through_byte_for_byte(tmp_path):
    import subprocess

    from conftest import console_script

    for data, code in ((b"x = 1\r\n# \xc3\xa9\r\n", 0),
                       (b"x = '\xff'\nrequests.get(u, verify=False)\n", 1)):
        result = subprocess.run([console_script(), "--fix", "-"], input=data,
                                capture_output=True, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (code, data)


def test_fix_stdin_keeps_the_declared_encoding(tmp_path):
    import subprocess

    from conftest import console_script

    source = (b"# -*- coding: latin-1 -*-\nimport urllib3\nx = '\xe9'\n"
              b"urllib3.disable_warnings()\n")
    result = subprocess.run([console_script(), "--fix", "-"], input=source,
                            capture_output=True, cwd=tmp_path)
    # the suppression goes, and with it the import nothing else uses
    assert result.stdout == b"# -*- coding: latin-1 -*-\nx = '\xe9'\n"
    assert result.returncode == 0


def test_diff_stdin_reports_its_finding(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    result = run_cli("--diff", "-", "--stdin-filename", "a.py", cwd=tmp_path, input=SOURCE)
    assert result.returncode == 1
    assert result.stdout == textwrap.dedent("""\
        --- a.py
        +++ a.py
        @@ -1,3 +1,5 @@
        -import requests, urllib3
        -urllib3.disable_warnings()
        -requests.get(u, verify=False)
        +import requests
        +
        +from corp_tls import CA_BUNDLE
        +
        +requests.get(u, verify=CA_BUNDLE)
        """)
    assert result.stderr == "Would fix 2 problems (0 remaining).\n"
    clean = run_cli("--diff", "-", cwd=tmp_path, input="x = 1\n")
    assert (clean.returncode, clean.stdout) == (0, "")


def test_force_exclude_applies_to_the_stdin_name_as_ruff_does(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.corptls-lint]\nexclude = ["vendor/"]\n')
    name = ["--stdin-filename", "vendor/lib.py", "-"]
    # without --force-exclude a name given explicitly is linted, as a named file is
    assert run_cli(*name, cwd=tmp_path, input=SOURCE).returncode == 1
    check = run_cli("--force-exclude", *name, cwd=tmp_path, input=SOURCE)
    assert (check.returncode, check.stdout) == (0, "")
    fixed = run_cli("--force-exclude", "--fix", *name, cwd=tmp_path, input=SOURCE)
    assert (fixed.returncode, fixed.stdout) == (0, SOURCE)  # passed through unchanged
    diff = run_cli("--force-exclude", "--diff", *name, cwd=tmp_path, input=SOURCE)
    assert (diff.returncode, diff.stdout) == (0, "")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corptls-lint]\nexclude = ["vendor/"]\nforce-exclude = true\n')
    assert run_cli(*name, cwd=tmp_path, input=SOURCE).stdout == ""
    kept = run_cli("--force-exclude", "--stdin-filename", "app/lib.py", "-", cwd=tmp_path,
                   input=SOURCE)
    assert kept.stdout.splitlines() == [f"app/lib.py:2:1: {TLS201}", f"app/lib.py:3:17: {TLS101}"]
