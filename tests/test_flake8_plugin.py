"""The flake8 plugin: real `flake8 --select TLS` against the real `corptls-lint`, line for line."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from helpers import findings

from corptls_lint import flake8_plugin
from corptls_lint.flake8_plugin import CorpTLSChecker
from corptls_lint.ftypes import FixTargets
from corptls_lint.rules import ALL_RULES, DEFAULT_CODES
from corptls_lint.running import config as config_module

CONFIG = textwrap.dedent("""\
    [tool.corptls-lint]
    ca-bundle = "corp_tls:CA_BUNDLE"
    extend-select = ["TLS402"]
    ignore = ["TLS104"]
    per-file-ignores = { "tests/**" = ["TLS101"], "legacy.py" = ["TLS2"] }
    """)
MIXED = textwrap.dedent("""\
    import requests, urllib3
    urllib3.disable_warnings()
    requests.get(u, verify=False)
    requests.get(u, verify=False)  # noqa: TLS101
    requests.post(u)
    """)


def flake8(*args, cwd, input=None):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "TLS", *map(str, args)],
                          cwd=cwd, input=input, capture_output=True, text=True, env=env,
                          timeout=300)


def write_examples(root: Path) -> int:
    count = 0
    for rule in ALL_RULES:
        for i, example in enumerate(rule.INVALID):
            (root / f"{rule.code}_invalid_{i:02d}.py").write_text(example.code, encoding="utf-8")
            count += 1
    return count


def assert_agree(cli_result, flake8_result, expected_lines):
    assert flake8_result.stderr == ""
    # flake8 keeps the `./` of a walk from `.`; corptls-lint prints paths as ruff does
    flake8_lines = [line[2:] if line.startswith("./") else line
                    for line in flake8_result.stdout.splitlines()]
    assert cli_result.stdout.splitlines() == flake8_lines
    assert len(cli_result.stdout.splitlines()) == expected_lines


def test_demo_agrees_with_the_cli(run_cli):
    cli = run_cli("fixtures/demo", cwd=REPO)
    assert_agree(cli, flake8("fixtures/demo", cwd=REPO), 14)
    assert cli.stdout.splitlines()[1] == (
        "fixtures/demo/api_client.py:28:13: TLS101 TLS verification disabled with a falsy "
        "verify=; pass the CA bundle instead")


def test_every_invalid_example_agrees_with_the_cli(run_cli, tmp_path):
    write_examples(tmp_path)
    cli = run_cli(".", cwd=tmp_path)
    # Every example's own positions, plus what other rules find in it (engine in-process).
    # (every rule's examples are written, an off-by-default rule's too)
    expected = sum(len(findings(example.code, DEFAULT_CODES))
                   for rule in ALL_RULES for example in rule.INVALID)
    assert expected >= sum(len(example.positions) for rule in ALL_RULES if rule.default_enabled
                           for example in rule.INVALID)
    assert_agree(cli, flake8(".", cwd=tmp_path), expected)


def test_agreement_with_a_pyproject_config(run_cli, tmp_path):
    """ignore, extend-select of an off-by-default rule, per-file-ignores and noqa, with the
    project below the folder both tools run from (the nearest pyproject.toml wins)."""
    project = tmp_path / "proj"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(CONFIG)
    write_examples(project)
    for name in ("app.py", "legacy.py", "tests/test_app.py"):
        (project / name).write_text(MIXED)
    for source in FIXTURES.glob("demo/**/*.py"):
        (project / f"demo_{source.name}").write_text(source.read_text())
    cli = run_cli("proj", cwd=tmp_path)
    result = flake8("proj", cwd=tmp_path)
    assert_agree(cli, result, len(cli.stdout.splitlines()))
    lines = [line.split(" ")[0] + " " + line.split(" ")[1] for line in cli.stdout.splitlines()]
    assert [line for line in lines if not line.startswith("proj/TLS")
            and not line.startswith("proj/demo_")] == [
        "proj/app.py:2:1: TLS201", "proj/app.py:3:17: TLS101", "proj/app.py:5:1: TLS402",
        "proj/legacy.py:3:17: TLS101", "proj/legacy.py:5:1: TLS402",
        "proj/tests/test_app.py:2:1: TLS201", "proj/tests/test_app.py:5:1: TLS402"]
    codes = {line.split()[1] for line in lines}
    assert "TLS402" in codes and "TLS104" not in codes


def test_flake8_extend_select_enables_an_off_by_default_rule(tmp_path):
    (tmp_path / "a.py").write_text("import requests\nrequests.get(u)\n")
    assert flake8("a.py", cwd=tmp_path).stdout == ""
    result = flake8("--extend-select", "TLS402", "a.py", cwd=tmp_path)
    assert result.stdout == ("a.py:2:1: TLS402 request made with the default trust store; "
                             "pass verify= with the CA bundle\n")


def test_stdin_uses_the_display_name_for_config_and_per_file_ignores(tmp_path):
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    for name, expected in (("app.py", ["app.py:2:1: TLS201", "app.py:3:17: TLS101",
                                       "app.py:5:1: TLS402"]),
                           ("tests/test_app.py", ["tests/test_app.py:2:1: TLS201",
                                                  "tests/test_app.py:5:1: TLS402"])):
        result = flake8("--stdin-display-name", name, "-", cwd=tmp_path, input=MIXED)
        assert [" ".join(line.split()[:2]) for line in result.stdout.splitlines()] == expected


def test_unsaved_buffer_lines_are_linted_not_the_file_on_disk(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("x = 1\n")
    flake8_plugin._config_file_for.cache_clear()
    checker = CorpTLSChecker(None, str(path), ["import requests\n",
                                               "requests.get(u, verify=False)  # noqa\n"])
    assert [(line, col, text.split()[0]) for line, col, text, _ in checker.run()] == [
        (2, 16, "TLS101")]  # 0-based column, as flake8 plugins yield; noqa is flake8's job


def test_config_is_loaded_once_per_process(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    calls = []
    real_load = config_module.load_config
    monkeypatch.setattr(config_module, "load_config",
                        lambda path: calls.append(path) or real_load(path))
    flake8_plugin._config_file_for.cache_clear()
    flake8_plugin._project.cache_clear()
    lines = ["import requests\n", "requests.get(u, verify=False)\n"]
    for name in ("a.py", "b.py", "pkg/c.py"):
        assert len(list(CorpTLSChecker(None, str(tmp_path / name), lines).run())) == 1
    assert calls == [tmp_path / "pyproject.toml"]


def test_target_options_are_parsed_and_validated(tmp_path):
    (tmp_path / "a.py").write_text("import requests\nrequests.get(u, verify=False)\n")
    good = flake8("--corptls-ca-bundle", "corp_tls:CA_BUNDLE",
                  "--corptls-session-factory", "corp_tls:make_session", "a.py", cwd=tmp_path)
    assert good.returncode == 1 and good.stdout.startswith("a.py:2:17: TLS101 ")
    bad = flake8("--corptls-ca-bundle", "no-colon", "a.py", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout == ("There was a critical error during execution of Flake8:\n"
                          "--corptls-ca-bundle: expected MODULE:NAME[.ATTR...] (identifiers only), got 'no-colon'\n")
    (tmp_path / "setup.cfg").write_text("[flake8]\ncorptls-session-factory = corp_tls\n")
    from_config = flake8("a.py", cwd=tmp_path)
    assert from_config.stdout.splitlines()[-1] == (
        "--corptls-session-factory: expected MODULE:NAME[.ATTR...][()] (identifiers only), got 'corp_tls'")


def test_options_override_the_configured_targets():
    from corptls_lint.ftypes import FixTargets, Target

    options = type("Options", (), {"corptls_ca_bundle": "corp:BUNDLE",
                                   "corptls_session_factory": None,
                                   "select": None, "extend_select": ["TLS402"]})()
    CorpTLSChecker.parse_options(options)
    try:
        assert CorpTLSChecker.overrides == FixTargets(ca_bundle=Target("corp", "BUNDLE"))
        settings = flake8_plugin.settings_for_file(str(REPO / "x.py"), CorpTLSChecker.overrides,
                                                   CorpTLSChecker.flake8_selected)
        assert settings.targets.ca_bundle == Target("corp", "BUNDLE")
        assert "TLS402" in settings.enabled
    finally:
        CorpTLSChecker.overrides, CorpTLSChecker.flake8_selected = FixTargets(), ()


def test_bad_pyproject_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.corptls-lint]\nca-bundel = "x:y"\n')
    (tmp_path / "a.py").write_text("import requests\nrequests.get(u, verify=False)\n")
    (tmp_path / "b.py").write_text("import requests\nrequests.get(u, verify=False)\n")
    result = flake8("a.py", "b.py", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == (
        f"corptls-lint: {tmp_path / 'pyproject.toml'}: [tool.corptls-lint]: unknown key "
        "'ca-bundel' (did you mean 'ca-bundle'?)")


def test_entry_point_is_registered_for_the_tls_prefix():
    from importlib.metadata import entry_points

    if sys.version_info >= (3, 10):
        group = entry_points(group="flake8.extension")
    else:  # 3.9: a dict of groups
        group = entry_points().get("flake8.extension", [])
    found = [ep for ep in group if ep.name == "TLS"]
    assert [ep.value for ep in found] == ["corptls_lint.flake8_plugin:CorpTLSChecker"]


def test_agreement_on_line_endings_bom_tabs_and_encodings(run_cli, tmp_path):
    files = {
        "bom.py": b"\xef\xbb\xbfimport requests\nrequests.get(u, verify=False)\n",
        "crlf.py": b'import requests\r\nx = "\xc3\xa9\xc3\xa9"; requests.get(u, verify=False)\r\n',
        "latin.py": b'# -*- coding: latin-1 -*-\nimport requests\nx = "\xe9"; '
                    b"requests.get(u, verify=0)\n",
        "no_eol.py": b"import requests\nrequests.get(u, verify=False)",
        "tabs.py": b"import requests\n\x0c\ndef f():\n\trequests.get(u,\n\t\tverify=False)\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    cli = run_cli(".", cwd=tmp_path)
    assert_agree(cli, flake8(".", cwd=tmp_path), 5)
    assert [line.split(": ")[0] for line in cli.stdout.splitlines()] == [
        "bom.py:2:17", "crlf.py:2:27", "latin.py:3:26", "no_eol.py:2:17", "tabs.py:5:3"]


def test_lookalike_identifiers_are_reported_as_the_cli_reports_them(run_cli, tmp_path):
    # `requests.get(u, ｖerify=False)` and the other look-alike spellings (NFKC):
    # flake8 reports each where it reports the ASCII spelling, the column in characters
    from test_lookalikes import write_spellings

    expected = write_spellings(tmp_path)
    cli = run_cli(".", cwd=tmp_path)
    result = flake8(".", cwd=tmp_path)
    assert_agree(cli, result, len(expected))
    assert [" ".join(line[2:].split(" ", 2)[:2]) for line in result.stdout.splitlines()] == (
        expected)


def test_a_bad_pyproject_fails_in_parse_options_before_flake8_starts_its_pool(tmp_path):
    # raised from a worker, the error made flake8 terminate its pool, which once hung CI for
    # five minutes; parse_options runs in the main process, before any worker exists
    import argparse

    from corptls_lint.flake8_plugin import CorpTLSChecker, PluginConfigError

    (tmp_path / "pyproject.toml").write_text('[tool.corptls-lint]\nca-bundel = "x:y"\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    options = argparse.Namespace(filenames=[str(tmp_path / "a.py")], select=None,
                                 extend_select=None)
    try:
        with pytest.raises(PluginConfigError, match="unknown key 'ca-bundel'"):
            CorpTLSChecker.parse_options(options)
    finally:
        CorpTLSChecker.overrides, CorpTLSChecker.flake8_selected = FixTargets(), ()


# -- file-level directives: `# flake8: noqa` and `# corptls-lint: noqa` (issue 26) -------------

DIRECTIVE_FILE = ("import requests, urllib3\n{directive}\nurllib3.disable_warnings()\n"
                  "requests.get(u, verify=False)\n")
TLS201 = "t.py:3:1: TLS201"
TLS101 = "t.py:4:17: TLS101"


@pytest.mark.parametrize("directive, expected", [
    ("# flake8: noqa", []),
    ("# flake8: NOQA", []),
    ("# flake8=noqa", []),
    ("    # flake8: noqa", []),  # indented: still a line of its own
    ("# flake8: noqa: E501", []),  # flake8 skips the whole file for this too
    ("#flake8: noqa", [TLS201, TLS101]),  # flake8 wants `# flake8`
    ("x = 1  # flake8: noqa", [TLS201, TLS101]),  # after code: not a file directive
    ("# corptls-lint: noqa", []),
    ("#corptls-lint:NOQA", []),
    ("# corptls-lint: noqa TLS101", []),  # no colon: every code, as `# noqa TLS101` is
    ("# corptls-lint: noqa: TLS101", [TLS201]),
    ("# corptls-lint: noqa: TLS2,TLS1", []),
    ("# corptls-lint: noqa:TLS201", [TLS101]),
    ("x = 1  # corptls-lint: noqa", [TLS201, TLS101]),
    ("# ruff: noqa", [TLS201, TLS101]),  # ruff's own directive, for ruff's codes
])
def test_file_level_directives_agree_with_flake8(run_cli, tmp_path, directive, expected):
    (tmp_path / "t.py").write_text(DIRECTIVE_FILE.format(directive=directive))
    cli = run_cli("--no-cache", "t.py", cwd=tmp_path)
    assert [" ".join(line.split()[:2]) for line in cli.stdout.splitlines()] == expected
    assert cli.returncode == (1 if expected else 0)
    plugin = flake8("t.py", cwd=tmp_path)
    assert (plugin.stderr, [" ".join(line.split()[:2]) for line in plugin.stdout.splitlines()]) \
        == ("", expected)


def test_flake8_disable_noqa_turns_our_file_directive_off_too(tmp_path):
    (tmp_path / "t.py").write_text(DIRECTIVE_FILE.format(directive="# corptls-lint: noqa"))
    result = flake8("--disable-noqa", "t.py", cwd=tmp_path)
    assert [" ".join(line.split()[:2]) for line in result.stdout.splitlines()] == [TLS201, TLS101]


def test_a_file_directive_skips_the_file_in_fix_and_stdin_too(run_cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.corptls-lint]\nca-bundle = "corp_tls:CA"\n')
    source = DIRECTIVE_FILE.format(directive="# corptls-lint: noqa: TLS101")
    (tmp_path / "t.py").write_text(source)
    fixed = run_cli("--fix", "t.py", cwd=tmp_path)
    assert fixed.returncode == 0
    # TLS201 fixed (and its import with it), TLS101 left alone
    assert (tmp_path / "t.py").read_text() == ("import requests\n# corptls-lint: noqa: TLS101\n"
                                               "requests.get(u, verify=False)\n")
    stdin = run_cli("-", "--stdin-filename", "t.py", cwd=tmp_path,
                    input=DIRECTIVE_FILE.format(directive="# flake8: noqa"))
    assert (stdin.returncode, stdin.stdout, stdin.stderr) == (0, "", "All checks passed!\n")


def test_the_file_directive_pattern_is_the_installed_flake8s():
    import flake8.defaults

    from corptls_lint.checking import noqa

    assert noqa._FLAKE8_FILE.pattern == flake8.defaults.NOQA_FILE.pattern
    assert noqa._FLAKE8_FILE.flags == flake8.defaults.NOQA_FILE.flags


def test_a_file_directive_skips_an_undecodable_file_as_flake8_does(run_cli, tmp_path):
    """flake8 reads a file that does not decode as latin-1 and finds the directive: no TLS001."""
    body = b'x = "\xff"\nimport requests\nrequests.get(u, verify=False)\n'
    (tmp_path / "t.py").write_bytes(body)
    assert run_cli("--no-cache", "t.py", cwd=tmp_path).stdout.startswith("t.py:1:1: TLS001 ")
    (tmp_path / "t.py").write_bytes(b"# flake8: noqa\n" + body)
    skipped = run_cli("--no-cache", "t.py", cwd=tmp_path)
    assert (skipped.returncode, skipped.stdout) == (0, "")
    assert flake8("t.py", cwd=tmp_path).stdout == ""
