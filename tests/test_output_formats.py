"""--output-format text|json|sarif|github, through the installed console script."""

import json
import textwrap

import pytest

from conftest import REPO
from corptls_lint import output
from corptls_lint.ftypes import Applicability, Diagnostic, Fix
from corptls_lint.rules import ALL_RULES
from terminal import run_in_terminal, without_ansi

SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
SOURCE = textwrap.dedent("""\
    import requests, urllib3
    urllib3.disable_warnings()
    requests.get(u, verify=False)
    """)
PYPROJECT = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "app.py").write_text(SOURCE)
    return tmp_path


def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (the shared/ "
                    "folder next to this checkout); it is not copied into the repository")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def assert_valid_sarif(document):
    errors = [f"{list(error.path)}: {error.message}"
              for error in sarif_validator().iter_errors(document)]
    assert errors == []


def test_json_has_one_object_per_finding(run_cli, project):
    result = run_cli("--output-format", "json", "app.py", cwd=project)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {"path": "app.py", "line": 2, "column": 1, "end_line": 2, "end_column": 27,
         "code": "TLS201", "name": "insecure-warning-suppressed",
         "message": "InsecureRequestWarning suppressed; fix the unverified requests instead",
         "fixable": True,
         "fix": {"description": "remove-statement", "applicability": "safe",
                 "replacement": None,
                 "location": {"line": 2, "column": 1, "end_line": 2, "end_column": 27},
                 "import": None},
         "fix_needs": None},
        {"path": "app.py", "line": 3, "column": 17, "end_line": 3, "end_column": 29,
         "code": "TLS101", "name": "verify-disabled",
         "message": "TLS verification disabled with a falsy verify=; pass the CA bundle instead",
         "fixable": True,
         "fix": {"description": "ca-bundle", "applicability": "safe",
                 "replacement": "CA_BUNDLE",
                 "location": {"line": 3, "column": 24, "end_line": 3, "end_column": 29},
                 "import": "from corp_tls import CA_BUNDLE"},
         "fix_needs": None},
    ]
    assert result.stderr.splitlines()[0] == "Found 2 problems (2 fixable with --fix)."


def test_json_says_which_key_would_make_a_finding_fixable(run_cli, tmp_path):
    (tmp_path / "app.py").write_text(SOURCE)
    finding = json.loads(run_cli("--output-format", "json", "app.py", cwd=tmp_path).stdout)[1]
    assert (finding["fixable"], finding["fix"], finding["fix_needs"]) == (False, None, "ca-bundle")


def test_json_carries_the_fix_replacement_text():
    fix = Fix("ca-bundle", Applicability.UNSAFE, replacement="CA_BUNDLE", line=3, col=24,
              end_line=3, end_col=29, import_statement="from corp_tls import CA_BUNDLE")
    diagnostic = Diagnostic("a.py", 3, 17, "TLS101", "m", 3, 29, name="verify-disabled", fix=fix)
    assert output.finding_json(diagnostic)["fix"] == {
        "description": "ca-bundle", "applicability": "unsafe", "replacement": "CA_BUNDLE",
        "location": {"line": 3, "column": 24, "end_line": 3, "end_column": 29},
        "import": "from corp_tls import CA_BUNDLE"}


def test_empty_json_is_an_empty_list(run_cli, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run_cli("--output-format", "json", tmp_path)
    assert (result.returncode, result.stdout) == (0, "[]\n")


def test_github_annotations(run_cli, project):
    result = run_cli("--output-format", "github", "app.py", cwd=project)
    assert result.stdout.splitlines() == [
        "::warning file=app.py,line=2,col=1,title=TLS201::InsecureRequestWarning suppressed; "
        "fix the unverified requests instead",
        "::warning file=app.py,line=3,col=17,title=TLS101::TLS verification disabled with a "
        "falsy verify=; pass the CA bundle instead",
    ]


def test_github_escapes_workflow_command_syntax():
    diagnostic = Diagnostic("dir,x/a:b.py", 1, 1, "TLS001", "cannot parse: 100% bad\nline")
    assert output.github_line(diagnostic) == (
        "::error file=dir%2Cx/a%3Ab.py,line=1,col=1,title=TLS001::cannot parse: 100%25 bad%0Aline")


def test_sarif_of_the_demo_validates_against_the_schema(run_cli):
    result = run_cli("--output-format", "sarif", "fixtures/demo", cwd=REPO)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [r.code for r in ALL_RULES] + ["TLS001", "TLS000"]
    verify_disabled = rules[0]
    assert verify_disabled["name"] == "verify-disabled"
    assert verify_disabled["help"]["markdown"] == ALL_RULES[0].documentation()
    assert verify_disabled["fullDescription"]["text"].startswith("Finds a falsy `verify=`")
    assert len(run["results"]) == 16
    first = run["results"][2]
    assert first["ruleId"] == "TLS101" and rules[first["ruleIndex"]]["id"] == "TLS101"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "fixtures/demo/api_client.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 28, "startColumn": 13, "endLine": 28, "endColumn": 25}}
    # Without a configured bundle, only the warning removal (TLS201) carries a fix.
    assert [r["ruleId"] for r in run["results"] if "fixes" in r] == ["TLS201"]
    assert run["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"startLine": 14, "startColumn": 1, "endLine": 14, "endColumn": 68}}]


def test_sarif_fix_with_replacement_text_validates():
    fix = Fix("ca-bundle", replacement="verify=CA_BUNDLE")
    diagnostics = [
        Diagnostic("src/a b.py", 3, 17, "TLS101", "m", 3, 29, name="verify-disabled", fix=fix),
        Diagnostic("/abs/c.py", 1, 1, "TLS001", "cannot parse: x", name="parse-error"),
    ]
    document = output.sarif_document(diagnostics)
    assert_valid_sarif(document)
    first, second = document["runs"][0]["results"]
    assert first["fixes"] == [{
        "description": {"text": "ca-bundle (safe)"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "src/a%20b.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [{
                "deletedRegion": {"startLine": 3, "startColumn": 17, "endLine": 3,
                                  "endColumn": 29},
                "insertedContent": {"text": "verify=CA_BUNDLE"}}]}]}]
    assert second["level"] == "error" and "fixes" not in second
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "file:///abs/c.py"},
        "region": {"startLine": 1, "startColumn": 1}}


def test_fix_without_known_replacement_is_not_emitted_as_a_sarif_fix():
    diagnostic = Diagnostic("a.py", 3, 17, "TLS101", "m", 3, 29, fix=Fix("ca-bundle"))
    result = output.sarif_document([diagnostic])["runs"][0]["results"][0]
    assert "fixes" not in result and result["properties"] == {"fixable": True}


def test_text_piped_is_plain_flake8_format(run_cli, project):
    result = run_cli("app.py", cwd=project)
    assert result.stdout == (
        "app.py:2:1: TLS201 InsecureRequestWarning suppressed; fix the unverified requests "
        "instead\n"
        "app.py:3:17: TLS101 TLS verification disabled with a falsy verify=; pass the CA "
        "bundle instead\n")


def test_text_in_a_terminal_has_colour_and_a_summary_table(project):
    code, shown, _ = run_in_terminal(["app.py"], cwd=project)
    assert code == 1
    assert "\x1b[" in shown
    plain = without_ansi(shown)
    assert "app.py:3:17: TLS101 TLS verification disabled" in plain
    table_rows = [[cell for cell in line.split() if cell not in ("│", "┃")]
                  for line in plain.splitlines()
                  if line.strip().startswith(("code", "TLS201", "TLS101"))]
    assert table_rows[-3:] == [["code", "name", "count", "fixable"],
                               ["TLS101", "verify-disabled", "1", "1"],
                               ["TLS201", "insecure-warning-suppressed", "1", "1"]]
