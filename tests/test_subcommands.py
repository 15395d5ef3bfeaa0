"""`corptls-lint check` and `corptls-lint doctor`, and the forms without a command name that
the pre-commit hooks, editors and docs use: through the installed console script."""

import os
import re
import subprocess
import sys

import pytest
from conftest import console_script
from helpers import write

FINDING = 'import requests\nrequests.get("https://x", verify=False)\n'
TLS101 = ":2:27: TLS101 TLS verification disabled with a falsy verify=; pass the CA bundle instead"
CONFIG = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'
DOCTOR_ONLY = {"--bundle", "--host", "--proxy", "--direct", "--write-bundle", "--client"}
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


def options_in(help_text):
    """Every --option the help names, in the usage line, the option list or a help text."""
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", help_text))


def outcome(result):
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("arguments, stdin", [
    (("--no-cache", "app.py"), None),
    (("--no-cache", "--output-format", "json", "--select", "TLS101", "."), None),
    (("--no-cache", "--statistics", "--show-fixes", "."), None),
    (("-", "--stdin-filename", "app.py"), FINDING),
], ids=["path", "json", "statistics", "stdin"])
def test_check_is_what_the_bare_form_runs(run_cli, tmp_path, arguments, stdin):
    write(tmp_path, "app.py", FINDING)
    bare = run_cli(*arguments, cwd=tmp_path, input=stdin)
    assert bare.returncode == 1
    # the finding's line, its json, or (--statistics) its code's count
    assert ("app.py" in bare.stdout) != ("--statistics" in arguments)
    assert "TLS101" in bare.stdout
    assert outcome(run_cli("check", *arguments, cwd=tmp_path, input=stdin)) == outcome(bare)


@pytest.mark.parametrize("arguments", [("--list-rules",), ("--explain", "TLS101")])
def test_check_answers_rule_questions_as_the_bare_form_does(run_cli, arguments):
    bare = run_cli(*arguments)
    assert bare.returncode == 0
    assert "TLS101" in bare.stdout
    assert outcome(run_cli("check", *arguments)) == outcome(bare)


def test_check_fix_rewrites_as_the_bare_fix_does(run_cli, tmp_path):
    for name in ("bare", "command"):
        write(tmp_path / name, "pyproject.toml", CONFIG)
        write(tmp_path / name, "app.py", FINDING)
    bare = run_cli("--fix", "app.py", cwd=tmp_path / "bare")
    command = run_cli("check", "--fix", "app.py", cwd=tmp_path / "command")
    assert outcome(command) == outcome(bare)
    assert bare.returncode == 0, bare.stderr
    fixed = (tmp_path / "bare" / "app.py").read_bytes()
    assert fixed == (b'import requests\nfrom corp_tls import CA_BUNDLE\n\n'
                     b'requests.get("https://x", verify=CA_BUNDLE)\n')
    assert (tmp_path / "command" / "app.py").read_bytes() == fixed


def test_a_path_named_like_a_command_is_checked_with_dot_slash(run_cli, tmp_path):
    for name in ("check/app.py", "doctor/app.py", "top.py"):
        write(tmp_path, name, FINDING)

    def found(*arguments):
        result = run_cli(*arguments, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        return [line.split(":")[0] for line in result.stdout.splitlines()]

    assert found("./check") == ["check/app.py"]
    assert found("./doctor") == ["doctor/app.py"]
    assert found("check", "check") == ["check/app.py"]
    assert found("--", "check") == ["check/app.py"]
    # a command name only counts first: here `check` is a PATH
    assert found("check") == ["check/app.py", "doctor/app.py", "top.py"]
    assert run_cli("--no-cache", "check", cwd=tmp_path).stdout == f"check/app.py{TLS101}\n"


def test_top_level_help_lists_the_commands_and_the_bare_form(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("usage: corptls-lint [-h] [--version] COMMAND ...\n"
                           "       corptls-lint [PATH ...] [OPTION ...]   "
                           "(the same as: corptls-lint check ...)\n")
    commands = text.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    listed = [line.split()[0] for line in commands.splitlines()
              if line.startswith("    ") and not line.startswith("     ")]
    assert listed == ["check", "doctor", "init", "server"]
    assert "`corptls-lint src/` is\n`corptls-lint check src/`" in text
    assert options_in(text) == {"--help", "--version", "--doctor"}  # --doctor: the old spelling


def test_check_help_shows_only_the_linters_options(run_cli):
    result = run_cli("check", "--help")
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("usage: corptls-lint check [-h] [--select CODES]")
    headings = [line for line in text.splitlines() if line.endswith(":") and line[0] != " "]
    assert headings[0] == "positional arguments:"  # then "options:" ("optional arguments:")
    assert headings[2:] == ["checking:", "fixing:", "output:", "adoption:", "exit codes:"]
    assert {"--fix", "--select", "--output-format", "--baseline", "--stdin-filename"} <= \
        options_in(text)
    assert not options_in(text) & (DOCTOR_ONLY | {"--doctor", "--version"})


def test_doctor_help_shows_only_the_doctors_options(run_cli):
    result = run_cli("doctor", "--help")
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("usage: corptls-lint doctor [-h] [--bundle PATH]")
    assert options_in(text) == DOCTOR_ONLY | {"--help", "--output-format", "--verbose"}
    assert "[--output-format {text,json}]" in text
    assert "--doctor" not in text  # the options need no `with --doctor:` any more


def test_doctor_output_format_is_text_or_json(run_cli):
    result = run_cli("doctor", "--output-format", "sarif")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("usage: corptls-lint doctor ")
    assert ("corptls-lint doctor: error: argument --output-format: invalid choice: 'sarif'"
            in result.stderr)


@pytest.mark.parametrize("arguments, message", [
    (("doctor", "src"), "corptls-lint doctor: error: unrecognized arguments: src"),
    (("check", "--bundle", "x.pem"), "corptls-lint check: error: unrecognized arguments: --bundle"),
    (("--doctor", "--fix"), "corptls-lint: error: unrecognized arguments: --fix"),
])
def test_each_command_refuses_the_others_options(run_cli, arguments, message):
    result = run_cli(*arguments)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == message


def test_version_is_printed_by_the_top_level_and_the_bare_forms(run_cli):
    from corptls_lint import __version__

    for arguments in (("--version",), ("--fix", "--version"), ("--doctor", "--version")):
        result = run_cli(*arguments)
        assert outcome(result) == (0, f"corptls-lint {__version__}\n", ""), arguments
    refused = run_cli("check", "--version")  # not one of the linter's options
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1] == (
        "corptls-lint check: error: unrecognized arguments: --version")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    pytest.importorskip("cryptography")
    from doctor_pki import Pki

    return Pki(tmp_path_factory.mktemp("pki")).path("root.pem")


def run_doctor(*arguments):
    """The console script with no CA variable set, so the report depends on the bundle only."""
    env = {name: value for name, value in os.environ.items() if name not in CA_VARIABLES}
    return subprocess.run([console_script(), *arguments], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("flag_first", [True, False], ids=["flag-first", "flag-last"])
def test_the_doctor_flag_still_runs_the_doctor(bundle, flag_first):
    command = run_doctor("doctor", "--bundle", bundle)
    assert command.returncode == 0, command.stderr
    lines = command.stdout.splitlines()
    assert (lines[0], lines[-1]) == (
        "corptls-lint doctor: the trust of this machine's clients (--host HOST asks each of them "
        "about a host)", "All checks passed.")
    assert f"CA bundle {bundle}" in lines
    legacy = ["--doctor", "--bundle", bundle] if flag_first else ["--bundle", bundle, "--doctor"]
    assert outcome(run_doctor(*legacy)) == outcome(command)


def test_doctor_json_is_the_same_either_way(bundle):
    command = run_doctor("doctor", "--bundle", bundle, "--output-format", "json")
    assert command.returncode == 0, command.stderr
    assert command.stdout.startswith("{")
    legacy = run_doctor("--output-format", "json", "--doctor", "--bundle", bundle)
    assert outcome(legacy) == outcome(command)


def test_doctor_help_and_linting_need_no_cryptography(tmp_path):
    write(tmp_path, "app.py", FINDING)
    code = ("import sys; sys.modules['cryptography'] = None; "
            "from corptls_lint.cli import main; sys.exit(main(sys.argv[1:]))")

    def run(*arguments):
        return subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True,
                              text=True, cwd=tmp_path, timeout=60)

    assert run("doctor", "--help").returncode == 0
    assert outcome(run("check", "--no-cache", "app.py"))[:2] == (1, f"app.py{TLS101}\n")
    missing = run("doctor")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == ("corptls-lint: error: the doctor needs the cryptography package: "
                              "pip install 'corptls-lint[doctor]'\n")


def test_python_dash_m_has_the_commands(tmp_path):
    result = subprocess.run([sys.executable, "-m", "corptls_lint", "doctor", "--help"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    assert result.stdout == run_doctor("doctor", "--help").stdout
