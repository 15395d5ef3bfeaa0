"""-o/--output-file, -q, --show-fixes, --exit-non-zero-on-fix, --color and --help, through the
installed console script."""

import json
import os
import textwrap

import pytest

SOURCE = textwrap.dedent("""\
    import requests, urllib3
    urllib3.disable_warnings()
    requests.get(u, verify=False)
    """)
PYPROJECT = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'
TLS101_LINE = ("app.py:3:17: TLS101 TLS verification disabled with a falsy verify=; pass the CA "
               "bundle instead\n")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "app.py").write_text(SOURCE)
    return tmp_path


def test_output_file_takes_the_findings_and_stdout_stays_empty(run_cli, project):
    result = run_cli("--output-format", "json", "-o", "reports/tls.json", "app.py", cwd=project)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("Found 2 problems")
    document = json.loads((project / "reports" / "tls.json").read_text())
    assert [f["code"] for f in document["findings"]] == ["TLS201", "TLS101"]
    text = run_cli("--output-file", "out.txt", "--select", "TLS101", "app.py", cwd=project)
    assert (project / "out.txt").read_text() == TLS101_LINE and text.stdout == ""


def test_output_file_that_cannot_be_written_is_a_one_line_error(run_cli, project):
    (project / "taken").write_text("")
    result = run_cli("-o", "taken/x.json", "app.py", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("corptls-lint: error: --output-file: taken/x.json: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout here")
def test_output_file_may_name_the_standard_streams_as_ruff_allows(project):
    import subprocess

    from conftest import console_script

    command = [console_script(), "--no-cache", "--select", "TLS101", "-o", "/dev/stdout",
               "app.py"]
    piped = subprocess.run(command, capture_output=True, text=True, cwd=project)
    assert (piped.returncode, piped.stdout) == (1, TLS101_LINE)
    # a redirected stdout: the report goes after what is already there, and what the shell
    # writes next goes after the report
    with open(project / "out.txt", "w") as out:
        out.write("before\n")
        out.flush()
        subprocess.run(command, stdout=out, stderr=subprocess.DEVNULL, cwd=project)
        out.write("after\n")
    assert (project / "out.txt").read_text() == "before\n" + TLS101_LINE + "after\n"
    quiet = subprocess.run(command[:-2] + ["/dev/null", "app.py"], capture_output=True,
                           text=True, cwd=project)
    assert (quiet.returncode, quiet.stdout) == (1, "")


def test_quiet_prints_the_findings_only(run_cli, project):
    result = run_cli("-q", "--select", "TLS101", "app.py", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (1, TLS101_LINE, "")
    fixed = run_cli("--quiet", "--fix", "app.py", cwd=project)
    assert (fixed.returncode, fixed.stdout, fixed.stderr) == (0, "", "")


def test_exit_non_zero_on_fix(run_cli, project):
    first = run_cli("--fix", "--exit-non-zero-on-fix", "app.py", cwd=project)
    assert first.returncode == 1 and first.stderr == (
        "Fixed 2 problems (0 remaining).\ncode    fixed  remaining  why remaining\n"
        "TLS101      1          0\nTLS201      1          0\n")
    again = run_cli("--fix", "--exit-non-zero-on-fix", "app.py", cwd=project)
    assert again.returncode == 0  # nothing left to fix, nothing fixed


def test_show_fixes_lists_fixable_then_fixed_problems_per_file(run_cli, project):
    (project / "other.py").write_text("import requests\nrequests.get(u, verify=False)\n"
                                      "requests.get(v, verify=0)\n")
    check = run_cli("--show-fixes", "--no-cache", ".", cwd=project)
    assert check.stderr.splitlines()[1:] == [
        "Fixable with --fix:", "- app.py:", "    1 x TLS101 (verify-disabled)",
        "    1 x TLS201 (insecure-warning-suppressed)", "- other.py:",
        "    2 x TLS101 (verify-disabled)",
        "TLS401 (sessions without the company trust settings) is off: configure "
        "'session-factory' in [tool.corptls-lint] or pass --extend-select TLS401."]
    fix = run_cli("--show-fixes", "--fix", ".", cwd=project)
    assert fix.stderr.splitlines() == [
        "Fixed 4 problems (0 remaining).", "Fixed:", "- app.py:",
        "    1 x TLS101 (verify-disabled)", "    1 x TLS201 (insecure-warning-suppressed)",
        "- other.py:", "    2 x TLS101 (verify-disabled)",
        "code    fixed  remaining  why remaining", "TLS101      3          0",
        "TLS201      1          0"]


@pytest.mark.parametrize("args, env, coloured", [
    (["--color", "always"], {}, True),
    (["--color", "always"], {"NO_COLOR": "1"}, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"NO_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "0"}, False),
    ([], {}, False),
])
def test_color_into_a_pipe(run_cli, project, args, env, coloured):
    base = {"NO_COLOR": "", "FORCE_COLOR": ""}
    result = run_cli(*args, "--select", "TLS101", "app.py", cwd=project, env={**base, **env})
    assert ("\x1b[" in result.stdout) is coloured
    if coloured:  # the same line, coloured, and no table (that is for terminals)
        import re

        assert re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) == TLS101_LINE
    else:
        assert result.stdout == TLS101_LINE


def test_help_is_grouped_and_ends_with_exit_codes_and_the_docs(run_cli):
    result = run_cli("check", "--help")
    assert result.returncode == 0
    text = result.stdout
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")
                and line.endswith(":")]
    assert headings[-5:] == ["checking:", "fixing:", "output:", "adoption:", "exit codes:"]
    for group, option in (("checking:", "--select"), ("fixing:", "--unsafe-fixes"),
                          ("output:", "--output-format"), ("adoption:", "--baseline")):
        section = text.split("\n" + group, 1)[1].split("\n\n", 1)[0]
        assert option in section
    assert text.rstrip().endswith(
        "documentation: https://github.com/corptls/corptls-lint/tree/main/docs")
    assert "  2  usage, configuration or internal error" in text


# -- --statistics: the counts instead of the findings, as ruff prints them (issue 26) ----------

STATS_SOURCE = textwrap.dedent("""\
    import requests, urllib3
    urllib3.disable_warnings()
    requests.get(u, verify=False)
    requests.get(u, verify=0)
    requests.get(u, **{"verify": False})
    """) + "".join(f"requests.get(u{n}, verify=False)\n" for n in range(8))


@pytest.mark.parametrize("output_format", ["text", "concise", "full"])
def test_statistics_prints_only_the_counts_table(run_cli, project, output_format):
    (project / "app.py").write_text(STATS_SOURCE)
    result = run_cli("--no-cache", "--statistics", "--output-format", output_format, "app.py",
                     cwd=project)
    # the most frequent first; [*] all fixable, [-] some (the **{} one is unsafe), [ ] none
    assert (result.returncode, result.stdout) == (1, "11\tTLS101\t[-] verify-disabled\n"
                                                     " 1\tTLS201\t[*] insecure-warning-suppressed\n")
    assert result.stderr.splitlines()[0] == "Found 12 problems (11 fixable with --fix)."
    unsafe = run_cli("--no-cache", "--statistics", "--unsafe-fixes", "app.py", cwd=project)
    assert unsafe.stdout.splitlines()[0] == "11\tTLS101\t[*] verify-disabled"


def test_statistics_without_fixable_findings_has_no_marker_column(run_cli, tmp_path):
    (tmp_path / "app.py").write_text(SOURCE)
    (tmp_path / "b.py").write_text("import requests\nrequests.Session()\n")
    result = run_cli("--no-cache", "--statistics", "--select", "TLS101", "--extend-select",
                     "TLS401", "app.py", "b.py", cwd=tmp_path)  # no ca-bundle: not fixable
    assert result.stdout == "1\tTLS101\tverify-disabled\n1\tTLS401\tunconfigured-session\n"


def test_statistics_in_json_and_into_a_file(run_cli, project):
    (project / "app.py").write_text(STATS_SOURCE)
    result = run_cli("--no-cache", "--statistics", "--output-format", "json", "app.py",
                     cwd=project)
    assert json.loads(result.stdout) == [
        {"code": "TLS101", "name": "verify-disabled", "count": 11, "fixable": False,
         "fixable_count": 10},
        {"code": "TLS201", "name": "insecure-warning-suppressed", "count": 1, "fixable": True,
         "fixable_count": 1}]
    into = run_cli("--no-cache", "--statistics", "-o", "out/stats.txt", "app.py", cwd=project)
    assert (into.returncode, into.stdout) == (1, "")
    assert (project / "out/stats.txt").read_text() == (
        "11\tTLS101\t[-] verify-disabled\n 1\tTLS201\t[*] insecure-warning-suppressed\n")
    (project / "app.py").write_text("x = 1\n")
    clean = run_cli("--no-cache", "--statistics", "--output-format", "json", "app.py",
                    cwd=project)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "[]\n", "All checks passed!\n")
    table = run_cli("--no-cache", "--statistics", "app.py", cwd=project)
    assert (table.returncode, table.stdout, table.stderr) == (0, "", "All checks passed!\n")


def test_statistics_with_a_report_format_keeps_the_report(run_cli, project):
    """sarif, github, gitlab, junit and html are reports for a machine: they are written as
    asked, and the counts go to stderr."""
    result = run_cli("--no-cache", "--statistics", "--output-format", "github", "app.py",
                     cwd=project)
    assert result.stdout.startswith("::warning file=app.py,line=2,")
    assert result.stderr.splitlines()[:2] == ["1\tTLS101\t[*] verify-disabled",
                                              "1\tTLS201\t[*] insecure-warning-suppressed"]
