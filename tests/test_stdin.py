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
