"""--output-format text|json|sarif|github, through the installed console script."""

import json
import textwrap

import pytest
from conftest import REPO
from terminal import run_in_terminal, without_ansi

from corptls_lint import output
from corptls_lint.ftypes import Applicability, Diagnostic, Fix
from corptls_lint.rules import ALL_RULES

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


def test_json_has_a_version_and_one_object_per_finding(run_cli, project):
    result = run_cli("--output-format", "json", "app.py", cwd=project)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert (document["version"], document["tool"]["name"]) == (1, "corptls-lint")
    assert document["findings"] == [
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
    document = json.loads(run_cli("--output-format", "json", "app.py", cwd=tmp_path).stdout)
    finding = document["findings"][1]
    assert (finding["fixable"], finding["fix"], finding["fix_needs"]) == (False, None, "ca-bundle")


def test_json_carries_the_fix_replacement_text():
    fix = Fix("ca-bundle", Applicability.UNSAFE, replacement="CA_BUNDLE", line=3, col=24,
              end_line=3, end_col=29, import_statement="from corp_tls import CA_BUNDLE")
    diagnostic = Diagnostic("a.py", 3, 17, "TLS101", "m", 3, 29, name="verify-disabled", fix=fix)
    assert output.finding_json(diagnostic)["fix"] == {
        "description": "ca-bundle", "applicability": "unsafe", "replacement": "CA_BUNDLE",
        "location": {"line": 3, "column": 24, "end_line": 3, "end_column": 29},
        "import": "from corp_tls import CA_BUNDLE"}


def test_empty_json_has_no_findings(run_cli, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run_cli("--output-format", "json", tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)["findings"] == []


def test_github_annotations_carry_the_end_and_a_title(run_cli, project):
    result = run_cli("--output-format", "github", "app.py", cwd=project)
    assert result.stdout.splitlines() == [
        "::warning file=app.py,line=2,endLine=2,col=1,endColumn=27,"
        "title=corptls-lint (TLS201)::TLS201 InsecureRequestWarning suppressed; "
        "fix the unverified requests instead",
        "::warning file=app.py,line=3,endLine=3,col=17,endColumn=29,"
        "title=corptls-lint (TLS101)::TLS101 TLS verification disabled with a "
        "falsy verify=; pass the CA bundle instead",
    ]


def git_repository(root):
    import subprocess

    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "src").mkdir()
    (root / "src" / "api.py").write_text(SOURCE)
    return root


def test_github_paths_are_repository_relative_without_dot_slash(run_cli, tmp_path):
    root = git_repository(tmp_path / "repo")
    from_root = run_cli("--output-format", "github", "--select", "TLS101", ".", cwd=root)
    from_src = run_cli("--output-format", "github", "--select", "TLS101", ".",
                       cwd=root / "src")
    expected = ("::warning file=src/api.py,line=3,endLine=3,col=17,endColumn=29,"
                "title=corptls-lint (TLS101)::TLS101 TLS verification disabled")
    assert from_root.stdout.startswith(expected)
    assert from_src.stdout.startswith(expected)


def test_github_escapes_workflow_command_syntax():
    diagnostic = Diagnostic("dir,x/a:b.py", 1, 1, "TLS001", "cannot parse: 100% bad\nline")
    assert output.github_line(diagnostic) == (
        "::error file=dir%2Cx/a%3Ab.py,line=1,col=1,title=corptls-lint (TLS001)::"
        "TLS001 cannot parse: 100%25 bad%0Aline")


def test_sarif_of_the_demo_validates_against_the_schema(run_cli):
    result = run_cli("--output-format", "sarif", "fixtures/demo", cwd=REPO)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["informationUri"] == "https://github.com/corptls/corptls-lint"
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [r.code for r in ALL_RULES] + ["TLS001", "TLS000"]
    verify_disabled = rules[0]
    assert verify_disabled["name"] == "verify-disabled"
    assert verify_disabled["help"]["markdown"] == ALL_RULES[0].documentation()
    assert verify_disabled["fullDescription"]["text"].startswith("Finds a falsy `verify=`")
    assert verify_disabled["helpUri"] == (
        "https://github.com/corptls/corptls-lint/blob/main/docs/rules/TLS101.md")
    assert verify_disabled["properties"]["security-severity"] == "7.4"
    assert verify_disabled["properties"]["tags"] == ["security", "external/cwe/cwe-295"]
    for rule in rules:  # every rule's page exists in the docs the helpUri points at
        assert (REPO / "docs" / "rules" / f"{rule['id']}.md").is_file()
        weak_protocol = rule["id"].startswith("TLS5")  # CWE-326/327, not improper validation
        cwe = "external/cwe/cwe-327" if weak_protocol else "external/cwe/cwe-295"
        assert cwe in rule["properties"]["tags"] or rule["id"] < "TLS100"
    assert len(run["results"]) == 14
    first = run["results"][1]
    assert first["ruleId"] == "TLS101" and rules[first["ruleIndex"]]["id"] == "TLS101"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "fixtures/demo/api_client.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 28, "startColumn": 13, "endLine": 28, "endColumn": 25}}
    fingerprints = [r["partialFingerprints"]["corptlsStatementHash/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(run["results"])
    # Without a configured bundle, only the removals carry a fix: the warning filter
    # (TLS201) and the environment switch (TLS104, unsafe).
    assert [r["ruleId"] for r in run["results"] if "fixes" in r] == ["TLS201", "TLS104"]
    assert run["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"startLine": 14, "startColumn": 1, "endLine": 14, "endColumn": 68}}]


def test_sarif_of_the_migration_with_its_fixes_validates(run_cli):
    result = run_cli("--output-format", "sarif", "--no-cache", ".",
                     cwd=REPO / "fixtures" / "migration")
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    inserted = [r["fixes"][0]["artifactChanges"][0]["replacements"][0]
                .get("insertedContent", {}).get("text") for r in results if "fixes" in r]
    assert "CA_BUNDLE" in inserted and "ssl_context()" in inserted
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    # relative to the git top level (the checkout), or to the folder itself in an unpacked sdist
    assert uris & {"fixtures/migration/inventory/client.py", "inventory/client.py"}


def test_sarif_uris_are_relative_to_the_repository_root_from_a_subfolder(run_cli, tmp_path):
    root = git_repository(tmp_path / "repo")
    for cwd in (root, root / "src"):
        document = json.loads(run_cli("--output-format", "sarif", ".", cwd=cwd).stdout)
        assert_valid_sarif(document)
        run = document["runs"][0]
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}
        assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in run["results"]} == {"src/api.py"}


def test_sarif_outside_a_repository_is_relative_to_the_current_folder(run_cli, project):
    document = json.loads(run_cli("--output-format", "sarif", ".", cwd=project).stdout)
    run = document["runs"][0]
    if run["originalUriBaseIds"]["%SRCROOT%"]["uri"] != project.resolve().as_uri() + "/":
        pytest.skip("the temporary folder is inside a git repository")
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "app.py", "uriBaseId": "%SRCROOT%"}


def test_fingerprints_follow_the_statement_not_its_line(run_cli, project):
    def fingerprints():
        document = json.loads(run_cli("--output-format", "sarif", "app.py", cwd=project).stdout)
        return [r["partialFingerprints"]["corptlsStatementHash/v1"]
                for r in document["runs"][0]["results"]]

    before = fingerprints()
    (project / "app.py").write_text("# a new first line\n\n" + SOURCE)
    assert fingerprints() == before
    (project / "app.py").write_text(SOURCE.replace("u, verify", "url, verify"))
    after = fingerprints()
    assert after[0] == before[0] and after[1] != before[1]


def test_sarif_fix_with_replacement_text_validates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
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


# -- paths -------------------------------------------------------------------------------------

def test_every_format_prints_paths_relative_to_the_current_folder(run_cli, project):
    (project / "pkg").mkdir()
    (project / "pkg" / "mod.py").write_text(SOURCE)
    for args in (["./pkg/mod.py"], [str(project / "pkg" / "mod.py")], ["./pkg//"]):
        text = run_cli("--select", "TLS101", *args, cwd=project).stdout
        assert text.startswith("pkg/mod.py:3:17: TLS101 "), (args, text)
        document = json.loads(run_cli("--output-format", "json", *args, cwd=project).stdout)
        assert {f["path"] for f in document["findings"]} == {"pkg/mod.py"}
    inside = run_cli("--select", "TLS101", ".", cwd=project / "pkg").stdout
    assert inside.startswith("mod.py:3:17: ")


@pytest.mark.parametrize("name, shown", [
    ("a:1:1: TLS999 fake.py", "a\\x3a1\\x3a1\\x3a TLS999 fake.py"),
    ("two\nlines.py", "two\\x0alines.py"),
    ("esc\x1b[31m.py", "esc\\x1b[31m.py"),
])
def test_text_output_cannot_be_spoofed_by_a_file_name(run_cli, tmp_path, name, shown):
    (tmp_path / name).write_text(SOURCE)
    for output_format in ("text", "concise"):
        result = run_cli("--select", "TLS101", "--output-format", output_format, ".",
                         cwd=tmp_path)
        lines = result.stdout.splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(f"{shown}:3:17: TLS101 ")
        assert lines[0].count(": TLS") == 1


# -- concise, full, gitlab, junit --------------------------------------------------------------

def test_concise_marks_what_fix_would_fix(run_cli, project):
    result = run_cli("--output-format", "concise", "app.py", cwd=project)
    assert result.stdout.splitlines() == [
        "app.py:2:1: TLS201 [*] InsecureRequestWarning suppressed; fix the unverified "
        "requests instead",
        "app.py:3:17: TLS101 [*] TLS verification disabled with a falsy verify=; pass the CA "
        "bundle instead"]


def test_full_shows_the_source_and_the_fix(run_cli, project):
    result = run_cli("--output-format", "full", "--select", "TLS101", "app.py", cwd=project)
    assert result.stdout == textwrap.dedent("""\
        app.py:3:17: TLS101 [*] TLS verification disabled with a falsy verify=; pass the CA bundle instead
          |
        2 | urllib3.disable_warnings()
        3 | requests.get(u, verify=False)
          |                 ^^^^^^^^^^^^ TLS101
          |
          = fix (safe): ca-bundle
            +from corp_tls import CA_BUNDLE
            -requests.get(u, verify=False)
            +requests.get(u, verify=CA_BUNDLE)

        """)


def test_gitlab_code_quality_report(run_cli, tmp_path):
    root = git_repository(tmp_path / "repo")
    result = run_cli("--output-format", "gitlab", ".", cwd=root / "src")
    report = json.loads(result.stdout)
    assert [(issue["check_name"], issue["location"], issue["severity"], issue["categories"])
            for issue in report] == [
        ("TLS201", {"path": "src/api.py", "lines": {"begin": 2, "end": 2}}, "minor",
         ["Security"]),
        ("TLS101", {"path": "src/api.py", "lines": {"begin": 3, "end": 3}}, "major",
         ["Security"])]
    assert all(len(issue["fingerprint"]) == 64 for issue in report)
    assert len({issue["fingerprint"] for issue in report}) == 2
    assert report[1]["description"].startswith("TLS101 TLS verification disabled")


def test_junit_has_a_failing_case_per_finding(run_cli, project, tmp_path):
    from xml.etree import ElementTree as ET

    suites = ET.fromstring(run_cli("--output-format", "junit", "app.py", cwd=project).stdout)
    assert (suites.tag, suites.get("tests"), suites.get("failures")) == ("testsuites", "2", "2")
    cases = suites.findall("testsuite/testcase")
    assert [(c.get("name"), c.get("classname"), c.get("line")) for c in cases] == [
        ("corptls-lint.TLS201", "app.py", "2"), ("corptls-lint.TLS101", "app.py", "3")]
    assert cases[1].find("failure").text == (
        "line 3, col 17, TLS verification disabled with a falsy verify=; pass the CA bundle "
        "instead")
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "ok.py").write_text("x = 1\n")
    clean = ET.fromstring(run_cli("--output-format", "junit", "ok.py",
                                  cwd=tmp_path / "clean").stdout)
    assert (clean.get("failures"), len(clean.findall("testsuite/testcase"))) == ("0", 1)


# -- json schema -------------------------------------------------------------------------------

def json_schema_validator():
    import jsonschema

    from corptls_lint.output import json_format

    schema = json_format.schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_json_of_the_demo_and_the_migration_validates_against_the_shipped_schema(run_cli):
    validator = json_schema_validator()
    for folder in ("fixtures/demo", "fixtures/migration"):
        document = json.loads(run_cli("--output-format", "json", folder, cwd=REPO).stdout)
        assert [e.message for e in validator.iter_errors(document)] == []
        assert document["findings"]
    fixable = json.loads(run_cli("--output-format", "json", "--no-cache", ".",
                                 cwd=REPO / "fixtures" / "migration").stdout)
    assert any(f["fix"] and "location" in f["fix"] for f in fixable["findings"])
    broken = {"version": 1, "tool": {"name": "corptls-lint", "version": "0"},
              "findings": [{"path": "a.py"}]}
    assert list(validator.iter_errors(broken))  # the schema can fail


def test_the_schema_in_the_docs_is_the_shipped_one_and_the_docs_table_comes_from_it():
    from corptls_lint.output import json_format

    docs_copy = REPO / "docs" / "integrations" / "findings.schema.json"
    assert docs_copy.read_text() == json_format.SCHEMA_FILE.read_text()
    page = (REPO / "docs" / "integrations" / "ci-output.md").read_text()
    assert json_format.schema_markdown() in page, (
        "regenerate the table in docs/integrations/ci-output.md with "
        "python -c 'from corptls_lint.output import json_format; "
        "print(json_format.schema_markdown())'")


# -- warm and cold runs ------------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["fixtures/demo", "fixtures/migration"])
def test_every_format_is_byte_identical_cold_and_warm(run_cli, tmp_path, folder):
    different = []
    for output_format in output.FORMATS:
        cache = tmp_path / output_format  # a cold cache for each format
        runs = [run_cli("--output-format", output_format, "--cache-dir", cache, "-j", "1",
                        folder, cwd=REPO) for _ in range(2)]
        cold, warm = (r.stdout for r in runs)
        assert runs[0].returncode == runs[1].returncode == 1
        if cold != warm:
            different.append(output_format)
    assert different == []
