"""The installed console script, run for real in a subprocess."""

import re

from conftest import FIXTURES
from helpers import write

LINE_SHAPE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>TLS\d{3}) \S.*$")

DEMO_EXPECTED = [
    "fixtures/demo/api_client.py:14:1: TLS201",
    "fixtures/demo/api_client.py:28:13: TLS101",
    "fixtures/demo/api_client.py:37:71: TLS301",
    "fixtures/demo/api_client.py:42:5: TLS102",
    "fixtures/demo/notifier.py:11:68: TLS105",
    "fixtures/demo/notifier.py:16:10: TLS106",
    "fixtures/demo/notifier.py:21:11: TLS107",
    "fixtures/demo/notifier.py:21:26: TLS501",
    "fixtures/demo/notifier.py:27:12: TLS502",
    "fixtures/demo/scripts/fetch_report.py:9:1: TLS103",
    # check_hostname = False and verify_mode = CERT_NONE on one context: one finding
    "fixtures/demo/scripts/fetch_report.py:14:5: TLS103",
    "fixtures/demo/settings.py:10:1: TLS302",
    "fixtures/demo/settings.py:13:1: TLS104",
    "fixtures/demo/settings.py:17:38: TLS301",
]


def codes_of(stdout):
    return [line.split(": ")[0] + ": " + line.split(": ")[1].split()[0]
            for line in stdout.splitlines()]


def test_demo_prints_one_line_per_planted_problem(run_cli):
    result = run_cli("fixtures/demo", cwd=FIXTURES.parent)
    assert result.returncode == 1
    assert codes_of(result.stdout) == DEMO_EXPECTED
    assert all(LINE_SHAPE.match(line) for line in result.stdout.splitlines())
    assert result.stderr.splitlines()[0] == "Found 14 problems (1 fixable with --fix)."


def test_every_default_rule_is_planted_in_the_demo(run_cli):
    from corptls_lint.rules import DEFAULT_CODES

    result = run_cli("fixtures/demo", cwd=FIXTURES.parent)
    assert {line.split()[1] for line in result.stdout.splitlines()} == set(DEFAULT_CODES)


def test_clean_tree_exits_zero(run_cli, tmp_path):
    write(tmp_path, "ok.py", "import requests\nrequests.get('https://x', verify=True)\n")
    result = run_cli(tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert "All checks passed!" in result.stderr


def test_exit_zero(run_cli, tmp_path):
    write(tmp_path, "a.py", "import requests\nrequests.get(u, verify=False)\n")
    assert run_cli("--exit-zero", tmp_path).returncode == 0


def test_noqa_follows_flake8(run_cli, tmp_path):
    write(tmp_path, "a.py", """\
        import requests
        requests.get(u, verify=False)  # noqa
        requests.get(u, verify=False)  # noqa: E501
        requests.get(u, verify=False)  # noqa: TLS101
        requests.get(u, verify=False)  # NOQA:TLS1
        requests.get(u, verify=False)  # noqa: E501,TLS101
        requests.get(u, verify=False)  # noqa: TLS201
        """)
    result = run_cli(tmp_path / "a.py")
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        f"{tmp_path}/a.py:3:17", f"{tmp_path}/a.py:7:17"]


def test_broken_file_is_reported_and_the_run_goes_on(run_cli, tmp_path):
    write(tmp_path, "a_broken.py", "import requests\ndef f(:\n    requests.get(u, verify=False)\n")
    write(tmp_path, "b_good.py", "import requests\nrequests.get(u, verify=False)\n")
    (tmp_path / "c_latin1.py").write_bytes(b"import requests\nx = '\xe9'\n"
                                            b"requests.get(u, verify=False)\n")
    result = run_cli(tmp_path)
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert lines[0].startswith(f"{tmp_path}/a_broken.py:2:7: TLS001 cannot parse:")
    assert lines[1] == (f"{tmp_path}/b_good.py:2:17: TLS101 TLS verification disabled with a "
                        "falsy verify=; pass the CA bundle instead")
    assert lines[2].startswith(f"{tmp_path}/c_latin1.py:1:1: TLS001 cannot parse: not valid utf-8")
    assert "Traceback" not in result.stderr


def test_select_ignore_and_extend_select(run_cli, tmp_path):
    write(tmp_path, "a.py", """\
        import requests, urllib3
        urllib3.disable_warnings()
        requests.get(u, verify=False)
        requests.get(u)
        """)
    def codes(*args):
        return [line.split()[1] for line in run_cli(*args, tmp_path).stdout.splitlines()]
    assert codes() == ["TLS201", "TLS101"]
    assert codes("--select", "TLS2") == ["TLS201"]
    assert codes("--ignore", "TLS1") == ["TLS201"]
    assert codes("--extend-select", "TLS402") == ["TLS201", "TLS101", "TLS402"]
    assert codes("--select", "TLS") == ["TLS201", "TLS101"]


def test_unknown_code_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("--select", "XYZ1", tmp_path)
    assert result.returncode == 2
    assert "unknown rule code or prefix 'XYZ1'" in result.stderr


def test_config_is_read_from_nearest_pyproject(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", """\
        [tool.corptls-lint]
        ignore = ["TLS201"]
        extend-exclude = ["generated"]
        per-file-ignores = { "tests/**" = ["TLS101"] }
        """)
    body = "import requests, urllib3\nurllib3.disable_warnings()\nrequests.get(u, verify=False)\n"
    write(tmp_path, "src/app.py", body)
    write(tmp_path, "tests/test_app.py", body)
    write(tmp_path, "generated/client.py", body)
    result = run_cli(".", cwd=tmp_path)
    assert codes_of(result.stdout) == ["src/app.py:3:17: TLS101"]


def test_config_errors_name_the_key_and_file(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nca-bundel = "x:y"\n')
    write(tmp_path, "a.py", "x = 1\n")
    result = run_cli(tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"corptls-lint: error: {tmp_path}/pyproject.toml: [tool.corptls-lint]: unknown key "
        "'ca-bundel' (did you mean 'ca-bundle'?)")
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nselect = "TLS1"\n')
    result = run_cli(tmp_path)
    assert result.returncode == 2 and "'select' must be a list of strings" in result.stderr
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nca-bundle = "no colon"\n')
    result = run_cli(tmp_path)
    assert result.returncode == 2 and "'ca-bundle': expected MODULE:NAME[.ATTR...] (identifiers only)" in result.stderr
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint\n')
    result = run_cli(tmp_path)
    assert result.returncode == 2 and "invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_excludes_and_gitignore(run_cli, tmp_path):
    body = "import requests\nrequests.get(u, verify=False)\n"
    write(tmp_path, ".gitignore", "ignored_dir/\n*_gen.py\n")
    write(tmp_path, "keep.py", body)
    write(tmp_path, "thing_gen.py", body)
    write(tmp_path, "ignored_dir/x.py", body)
    write(tmp_path, ".venv/lib/x.py", body)
    write(tmp_path, "build/x.py", body)
    write(tmp_path, "stubs/x.pyi", body)
    write(tmp_path, "notes.txt", body)
    result = run_cli(".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "keep.py", "stubs/x.pyi"]
    result = run_cli(".", "--extend-exclude", "stubs", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["keep.py"]


def test_statistics_list_rules_version_explain(run_cli, tmp_path):
    write(tmp_path, "a.py", "import requests\nrequests.get(u, verify=False)\nrequests.get(u, verify=0)\n")
    result = run_cli("--statistics", tmp_path)
    assert (result.returncode, result.stdout) == (1, "2\tTLS101\tverify-disabled\n")
    listing = run_cli("--list-rules").stdout.splitlines()
    assert listing[1].split() == ["TLS101", "verify-disabled", "on", "yes"]
    assert ["TLS402", "default-trust-request", "off", "yes"] in [row.split() for row in listing]
    assert run_cli("--version").stdout.startswith("corptls-lint ")
    explained = run_cli("--explain", "TLS101")
    assert explained.returncode == 0 and "## Why is this bad?" in explained.stdout
    assert run_cli("--explain", "TLS999").returncode == 2


def test_python_module_entry_point(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "corptls_lint", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("corptls-lint ")


def test_excludes_apply_below_the_given_folder_only(run_cli, tmp_path):
    body = "import requests\nrequests.get(u, verify=False)\n"
    write(tmp_path, "venv/lib/site-packages/pkg/mod.py", body)
    write(tmp_path, "venv/lib/site-packages/pkg/build/skipped.py", body)
    result = run_cli(tmp_path / "venv" / "lib" / "site-packages")
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        f"{tmp_path}/venv/lib/site-packages/pkg/mod.py"]


def test_per_file_ignores_glob_that_matches_nothing_is_a_warning(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", """\
        [tool.corptls-lint]
        per-file-ignores = { "tests/**" = ["TLS101"], "tset/**" = ["TLS201"] }
        """)
    write(tmp_path, "tests/test_a.py", "x = 1\n")
    write(tmp_path, "src/a.py", "x = 1\n")
    result = run_cli("src", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        f"corptls-lint: warning: {tmp_path}/pyproject.toml: 'per-file-ignores' "
        f"glob \"tset/**\" matches no file under {tmp_path}")
    write(tmp_path, "pyproject.toml", """\
        [tool.corptls-lint]
        per-file-ignores = { "tests/**" = ["TLS101"] }
        """)
    assert run_cli("src", cwd=tmp_path).returncode == 0


def test_the_project_lints_its_own_code_clean(run_cli):
    from conftest import REPO

    result = run_cli("src", "benchmarks", cwd=REPO)
    assert (result.returncode, result.stdout) == (0, "")


def test_a_configured_insecure_keyword_alone_is_found_in_every_mode(tmp_path, run_cli):
    # A file whose only trigger is a word the configuration adds must pass the runner's byte
    # screen too (it once printed "All checks passed!" for it), whether checked or fixed.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corptls-lint]\ninsecure-keywords = ["skip_tls"]\n')
    (tmp_path / "wrapper.py").write_text("client.call(skip_tls=False)\n")
    check = run_cli("--no-cache", "--select", "TLS105", "--output-format", "concise", ".",
                    cwd=tmp_path)
    assert check.stdout.splitlines() == [
        "wrapper.py:1:13: TLS105 TLS verification disabled by the wrapper flag skip_tls; "
        "pass the CA bundle instead"]
    diff = run_cli("--select", "TLS105", "--diff", ".", cwd=tmp_path)
    assert "-client.call(skip_tls=False)\n+client.call(skip_tls=True)\n" in diff.stdout
