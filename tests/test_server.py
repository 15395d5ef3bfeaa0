"""`corptls-lint server`, driven as an editor drives it: the installed console script over
stdio (tests/lsp_client.py), from open to diagnostics, code action, applied edit and the
diagnostics after; configuration changes, several files, a file that does not parse,
shutdown and exit. Every wait is for a message; nothing sleeps."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, console_script
from lsp_client import CAPABILITIES, LspClient, apply_text_edits, edits_of, uri_of

pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")

TLS101_MESSAGE = "TLS verification disabled with a falsy verify=; pass the CA bundle instead"
TLS101_HREF = "https://github.com/corptls/corptls-lint/blob/main/docs/rules/TLS101.md"
CONFIG = '[tool.corptls-lint]\nca-bundle = "corp_tls:CA_BUNDLE"\n'
APP = textwrap.dedent("""\
    import requests


    def fetch(url):
        return requests.get(url, verify=False)
    """)
FIXED_APP = textwrap.dedent("""\
    import requests
    from corp_tls import CA_BUNDLE


    def fetch(url):
        return requests.get(url, verify=CA_BUNDLE)
    """)


def project(root: Path, files: dict) -> Path:
    """A project at `root` (a git work tree's top: no configuration above it is read)."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def start(root: Path, capabilities=None) -> LspClient:
    client = LspClient([console_script(), "server"], cwd=root, env=_env())
    client.initialize(root, capabilities)
    return client


def _env():
    env = dict(os.environ)
    env.pop("CI", None)
    return env


@pytest.fixture
def session(tmp_path):
    """Start a server in a project made of the files given; killed at the end if still up."""
    clients = []

    def begin(files, capabilities=None):
        root = project(tmp_path / "project", files)
        client = start(root, capabilities)
        clients.append(client)
        return client, root

    yield begin
    for client in clients:
        client.kill()


def diagnostic(line, start, end, code="TLS101", message=TLS101_MESSAGE, severity=2):
    return {"range": {"start": {"line": line, "character": start},
                      "end": {"line": line, "character": end}},
            "message": message, "severity": severity, "code": code,
            "codeDescription": {"href": TLS101_HREF.replace("TLS101", code)},
            "source": "corptls-lint"}


def edit(start, end, text):
    return {"range": {"start": {"line": start[0], "character": start[1]},
                      "end": {"line": end[0], "character": end[1]}}, "newText": text}


# -- the "done when" -------------------------------------------------------------------

def test_verify_false_fixed_by_its_quick_fix_then_no_diagnostic(session):
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    uri = client.open(root / "app.py")
    found = client.diagnostics(uri, version=1)
    assert found == [diagnostic(4, 29, 41)]

    actions = client.code_actions(uri, (4, 35), (4, 35))
    assert [(a["title"], a["kind"], a.get("isPreferred")) for a in actions] == [
        ("Fix TLS101: use the configured CA bundle", "quickfix", True),
        ("Add noqa for TLS101", "quickfix", None),
        ("Fix all corptls-lint problems", "source.fixAll.corptls-lint", None)]
    fix = actions[0]
    assert fix["diagnostics"] == found
    # a versioned edit of the open document: the import, and `False` -> `CA_BUNDLE`
    assert fix["edit"]["documentChanges"][0]["textDocument"] == {"uri": uri, "version": 1}
    assert edits_of(fix, uri) == [edit((1, 0), (1, 0), "from corp_tls import CA_BUNDLE\n"),
                                  edit((4, 36), (4, 41), "CA_BUNDLE")]

    fixed = apply_text_edits(APP, edits_of(fix, uri))
    assert fixed == FIXED_APP
    client.change(uri, fixed, version=2)
    assert client.diagnostics(uri, version=2) == []
    assert (root / "app.py").read_text() == APP  # the file on disk is never touched
    assert client.shutdown_and_exit() == 0


def test_the_edits_are_of_the_buffer_not_the_file_on_disk(session):
    """The buffer has a line more than the file: the edit's lines are the buffer's."""
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    buffer = "# a new first line, unsaved\n" + APP
    uri = client.open(root / "app.py", text=buffer)
    assert client.diagnostics(uri, version=1) == [diagnostic(5, 29, 41)]
    fix = client.code_actions(uri, (5, 29), (5, 29), only=["quickfix"])[0]
    assert edits_of(fix, uri) == [edit((2, 0), (2, 0), "from corp_tls import CA_BUNDLE\n"),
                                  edit((5, 36), (5, 41), "CA_BUNDLE")]


def test_without_versioned_edits_the_client_gets_changes(session):
    capabilities = {"textDocument": {"publishDiagnostics": {}}}
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP}, capabilities)
    uri = client.open(root / "app.py")
    client.diagnostics(uri, version=1)
    fix = client.code_actions(uri, (4, 29), (4, 41), only=["quickfix"])[0]
    assert fix["edit"] == {"changes": {uri: [
        edit((1, 0), (1, 0), "from corp_tls import CA_BUNDLE\n"),
        edit((4, 36), (4, 41), "CA_BUNDLE")]}}
    assert client.server_requests == []  # no dynamic registration it cannot take


# -- code actions --------------------------------------------------------------------------

MANY = textwrap.dedent("""\
    import requests
    import urllib3

    urllib3.disable_warnings()


    def fetch(url):
        return requests.get(url, verify=False)


    def legacy(url, verify=False):
        return requests.get(url, verify=verify)
    """)


def test_fix_all_applies_every_safe_fix_as_one_edit_set(session):
    client, root = session({"pyproject.toml": CONFIG, "many.py": MANY})
    uri = client.open(root / "many.py")
    found = client.diagnostics(uri, version=1)
    assert [(d["code"], d["range"]["start"]["line"]) for d in found] == [
        ("TLS201", 3), ("TLS101", 7), ("TLS101", 10)]
    actions = client.code_actions(uri, (0, 0), (0, 0), only=["source.fixAll"])
    assert [a["title"] for a in actions] == ["Fix all corptls-lint problems"]
    # urllib3's import goes with the only statement that used it; the bundle's comes in
    assert edits_of(actions[0], uri) == [
        edit((1, 0), (3, 26), "from corp_tls import CA_BUNDLE"),
        edit((7, 36), (7, 41), "CA_BUNDLE")]
    fixed = apply_text_edits(MANY, edits_of(actions[0], uri))
    client.change(uri, fixed, version=2)
    # the unsafe fix (a parameter's default, reported where it is written) is left for its
    # own quick fix
    assert client.diagnostics(uri, version=2) == [diagnostic(
        8, 23, 28, message="verify=False by default here reaches requests.get(); pass the CA "
                           "bundle instead")]


def test_an_unsafe_fix_is_titled_so_and_edits_where_the_value_is_written(session):
    client, root = session({"pyproject.toml": CONFIG, "many.py": MANY})
    uri = client.open(root / "many.py")
    client.diagnostics(uri, version=1)
    actions = client.code_actions(uri, (10, 23), (10, 23), only=["quickfix"])
    assert [(a["title"], a.get("isPreferred")) for a in actions] == [
        ("Fix TLS101 (unsafe): use the configured CA bundle", False),
        ("Add noqa for TLS101", None)]
    assert edits_of(actions[0], uri) == [
        edit((2, 0), (2, 0), "from corp_tls import CA_BUNDLE\n"),
        edit((10, 23), (10, 28), "CA_BUNDLE")]


def test_a_quick_fix_fixes_its_own_finding_only(session):
    client, root = session({"pyproject.toml": CONFIG, "many.py": MANY})
    uri = client.open(root / "many.py")
    client.diagnostics(uri, version=1)
    actions = client.code_actions(uri, (3, 0), (3, 0), only=["quickfix"])
    assert [a["title"] for a in actions] == ["Fix TLS201: remove the statement",
                                             "Add noqa for TLS201"]
    assert edits_of(actions[0], uri) == [edit((1, 0), (4, 0), "")]  # its import too
    client.change(uri, apply_text_edits(MANY, edits_of(actions[0], uri)), version=2)
    assert [(d["code"], d["range"]["start"]["line"]) for d in
            client.diagnostics(uri, version=2)] == [("TLS101", 4), ("TLS101", 7)]


def test_a_client_that_resolves_gets_the_edit_of_the_action_it_picks(session):
    capabilities = {**CAPABILITIES, "textDocument": {**CAPABILITIES["textDocument"],
                    "codeAction": {"resolveSupport": {"properties": ["edit"]}}}}
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP}, capabilities)
    uri = client.open(root / "app.py")
    client.diagnostics(uri, version=1)
    listed = client.code_actions(uri, (4, 35), (4, 35))
    assert [(a["title"], "edit" in a) for a in listed] == [
        ("Fix TLS101: use the configured CA bundle", False),
        ("Add noqa for TLS101", False),
        ("Fix all corptls-lint problems", False)]
    resolved = client.request("codeAction/resolve", listed[0])
    assert edits_of(resolved, uri) == [edit((1, 0), (1, 0), "from corp_tls import CA_BUNDLE\n"),
                                       edit((4, 36), (4, 41), "CA_BUNDLE")]
    resolved = client.request("codeAction/resolve", listed[2])
    assert apply_text_edits(APP, edits_of(resolved, uri)) == FIXED_APP
    # listed for version 1: once the text has changed, the action edits nothing
    client.change(uri, "\n" + APP, version=2)
    client.diagnostics(uri, version=2)
    assert "edit" not in client.request("codeAction/resolve", listed[0])


def test_add_noqa_silences_the_finding(session):
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    uri = client.open(root / "app.py")
    client.diagnostics(uri, version=1)
    noqa = [a for a in client.code_actions(uri, (4, 29), (4, 29))
            if a["title"] == "Add noqa for TLS101"][0]
    assert edits_of(noqa, uri) == [edit((4, 42), (4, 42), "  # noqa: TLS101")]
    client.change(uri, apply_text_edits(APP, edits_of(noqa, uri)), version=2)
    assert client.diagnostics(uri, version=2) == []


def test_no_action_away_from_a_finding_and_none_for_an_unknown_document(session):
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    uri = client.open(root / "app.py")
    client.diagnostics(uri, version=1)
    assert client.code_actions(uri, (0, 0), (0, 3), only=["quickfix"]) == []
    assert client.code_actions(uri_of(root / "other.py"), (0, 0), (0, 0)) == []


def test_a_finding_without_a_configured_target_gets_noqa_only(session):
    client, root = session({"pyproject.toml": "[tool.corptls-lint]\n", "app.py": APP})
    uri = client.open(root / "app.py")
    assert client.diagnostics(uri, version=1) == [diagnostic(4, 29, 41)]
    assert [a["title"] for a in client.code_actions(uri, (4, 30), (4, 30))] == [
        "Add noqa for TLS101"]


def test_columns_are_utf16_code_units(session):
    text = 'import requests\nx = "\U0001F512\u00e9"; requests.get("u", verify=False)\n'
    client, root = session({"pyproject.toml": CONFIG, "app.py": text})
    uri = client.open(root / "app.py")
    # the padlock is two UTF-16 units, the é one: `verify=False` starts at character 29
    assert client.diagnostics(uri, version=1) == [diagnostic(1, 29, 41)]
    fix = client.code_actions(uri, (1, 30), (1, 30), only=["quickfix"])[0]
    assert edits_of(fix, uri)[-1] == edit((1, 36), (1, 41), "CA_BUNDLE")
    client.change(uri, apply_text_edits(text, edits_of(fix, uri)), version=2)
    assert client.diagnostics(uri, version=2) == []


# -- typing --------------------------------------------------------------------------------

def test_changes_are_linted_and_the_latest_text_wins(session):
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    uri = client.open(root / "app.py")
    assert client.diagnostics(uri, version=1) == [diagnostic(4, 29, 41)]
    clean = APP.replace("verify=False", "verify=True")
    client.change(uri, clean, version=2)
    client.change(uri, "\n" + clean, version=3)
    client.change(uri, "\n\n" + APP, version=4)
    assert client.diagnostics(uri, version=4) == [diagnostic(6, 29, 41)]
    client.save(uri)
    assert client.diagnostics(uri, version=4) == [diagnostic(6, 29, 41)]
    client.close(uri)
    assert client.diagnostics(uri) == []


def test_a_file_that_does_not_parse_keeps_its_findings_and_one_syntax_error(session, run_cli):
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    uri = client.open(root / "app.py")
    assert client.diagnostics(uri, version=1) == [diagnostic(4, 29, 41)]
    broken = APP + "def half(url:\n"
    client.change(uri, broken, version=2)
    found = client.diagnostics(uri, version=2)
    assert found[0] == diagnostic(4, 29, 41)
    # the syntax error where the CLI puts it (CPython's position: it differs between versions)
    cli = run_cli("-", "--stdin-filename", "app.py", input=broken, cwd=root).stdout
    _, line, col, rest = cli.splitlines()[0].split(":", 3)
    assert rest.startswith(" TLS001 cannot parse: ")
    assert [(d["code"], d["severity"], d["range"]["start"], d["message"]) for d in found[1:]] == [
        ("TLS001", 1, {"line": int(line) - 1, "character": int(col) - 1}, rest[len(" TLS001 "):])]
    client.change(uri, broken + "\n", version=3)  # still broken: still one syntax error
    assert [d["code"] for d in client.diagnostics(uri, version=3)] == ["TLS101", "TLS001"]
    assert client.code_actions(uri, (4, 30), (4, 30)) == []  # no edit of a broken text
    client.change(uri, APP.replace("verify=False", "verify=True"), version=4)
    assert client.diagnostics(uri, version=4) == []


def test_a_file_opened_broken_reports_the_syntax_error_alone(session):
    client, root = session({"pyproject.toml": CONFIG,
                            "bad.py": "import requests\nrequests.get(u, verify=False\n"})
    uri = client.open(root / "bad.py")
    assert [d["code"] for d in client.diagnostics(uri, version=1)] == ["TLS001"]


# -- configuration -------------------------------------------------------------------------

def test_a_changed_ignore_in_pyproject_changes_the_diagnostics(session):
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP})
    assert [r["params"]["registrations"][0]["method"] for r in client.server_requests] == []
    uri = client.open(root / "app.py")
    assert client.diagnostics(uri, version=1) == [diagnostic(4, 29, 41)]
    registration = client.server_requests[0]["params"]["registrations"][0]
    assert registration["method"] == "workspace/didChangeWatchedFiles"
    assert {"globPattern": "**/*.toml"} in registration["registerOptions"]["watchers"]

    (root / "pyproject.toml").write_text(CONFIG + 'ignore = ["TLS101"]\n')
    client.notify("workspace/didChangeWatchedFiles", {"changes": [
        {"uri": uri_of(root / "pyproject.toml"), "type": 2}]})
    assert client.diagnostics(uri, version=1) == []
    (root / "pyproject.toml").write_text(CONFIG)
    client.notify("workspace/didChangeWatchedFiles", {"changes": [
        {"uri": uri_of(root / "pyproject.toml"), "type": 2}]})
    assert client.diagnostics(uri, version=1) == [diagnostic(4, 29, 41)]


def test_a_changed_configuration_is_read_again_without_a_watcher(session):
    """A client that watches no files: the changed file is seen at the next lint, and every
    open document is linted again."""
    client, root = session({"pyproject.toml": CONFIG, "app.py": APP, "other.py": APP},
                           capabilities={})
    uri = client.open(root / "app.py")
    other = client.open(root / "other.py")
    assert client.diagnostics(uri, version=1) == [diagnostic(4, 29, 41)]
    assert client.diagnostics(other, version=1) == [diagnostic(4, 29, 41)]
    (root / "pyproject.toml").write_text(CONFIG + 'ignore = ["TLS1"]  # for now\n')
    client.change(uri, APP + "\n", version=2)
    assert client.diagnostics(uri, version=2) == []
    assert client.diagnostics(other, version=1) == []


def test_several_files_each_with_its_own_configuration(session):
    client, root = session({
        "pyproject.toml": CONFIG + '\n[tool.corptls-lint.per-file-ignores]\n'
                                   '"tests/**" = ["TLS101"]\n',
        "app.py": APP, "tests/test_app.py": APP,
        "sub/pyproject.toml": '[tool.corptls-lint]\nca-bundle = "sub_tls:BUNDLE"\n',
        "sub/mod.py": APP,
        "build/generated.py": APP,  # excluded by default: not linted
    })
    uris = {name: client.open(root / name) for name in
            ("app.py", "tests/test_app.py", "sub/mod.py", "build/generated.py")}
    assert client.diagnostics(uris["app.py"], version=1) == [diagnostic(4, 29, 41)]
    assert client.diagnostics(uris["tests/test_app.py"], version=1) == []
    assert client.diagnostics(uris["sub/mod.py"], version=1) == [diagnostic(4, 29, 41)]
    assert client.diagnostics(uris["build/generated.py"], version=1) == []
    fix = client.code_actions(uris["sub/mod.py"], (4, 30), (4, 30), only=["quickfix"])[0]
    assert edits_of(fix, uris["sub/mod.py"]) == [
        edit((1, 0), (1, 0), "from sub_tls import BUNDLE\n"), edit((4, 36), (4, 41), "BUNDLE")]


def test_the_trust_module_is_exempt_as_in_the_cli(session):
    trust = 'CA_BUNDLE = "/etc/ssl/corp.pem"\n'
    client, root = session({"pyproject.toml": CONFIG, "corp_tls.py": trust,
                            "elsewhere.py": 'import requests\nrequests.get("u", verify="/x.pem")\n'})
    assert client.diagnostics(client.open(root / "corp_tls.py"), version=1) == []
    found = client.diagnostics(client.open(root / "elsewhere.py"), version=1)
    assert [d["code"] for d in found] == ["TLS301"]


def test_the_baseline_hides_recorded_findings_in_the_buffer(session, run_cli):
    config = CONFIG + 'baseline = "corptls-baseline.json"\n'
    client, root = session({"pyproject.toml": config, "app.py": APP})
    written = run_cli("check", "--no-cache", "--write-baseline", "corptls-baseline.json", ".",
                      cwd=root)
    assert written.returncode == 0, written.stderr
    uri = client.open(root / "app.py", text="# moved down a line\n" + APP)
    assert client.diagnostics(uri, version=1) == []
    client.change(uri, APP + "\n\ndef more(url):\n    return requests.post(url, verify=False)\n",
                  version=2)
    assert client.diagnostics(uri, version=2) == [diagnostic(8, 30, 42)]


def test_a_broken_configuration_is_shown_once_and_reports_nothing(session):
    client, root = session({"pyproject.toml": CONFIG + "colour = 1\n", "app.py": APP})
    uri = client.open(root / "app.py")
    assert client.diagnostics(uri, version=1) == []
    shown = client.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert shown["params"]["type"] == 1
    assert "colour" in shown["params"]["message"]
    client.change(uri, APP + "\n", version=2)
    assert client.diagnostics(uri, version=2) == []
    (root / "pyproject.toml").write_text(CONFIG)
    client.change(uri, APP, version=3)
    assert client.diagnostics(uri, version=3) == [diagnostic(4, 29, 41)]
    assert client.shutdown_and_exit() == 0
    assert not any(m.get("method") == "window/showMessage" for m in client._backlog)


# -- the process ---------------------------------------------------------------------------

def test_exit_without_shutdown_is_exit_code_1(session):
    client, _ = session({"pyproject.toml": CONFIG})
    client.notify("exit")
    assert client.wait() == 1


def test_initialize_announces_full_sync_and_the_code_action_kinds(tmp_path):
    client = LspClient([console_script(), "server", "--stdio"], cwd=project(tmp_path, {}),
                       env=_env())
    try:
        result = client.initialize(tmp_path, CAPABILITIES)
        capabilities = result["capabilities"]
        assert capabilities["textDocumentSync"]["change"] == 1
        assert capabilities["codeActionProvider"]["codeActionKinds"] == [
            "quickfix", "source.fixAll.corptls-lint"]
        assert result["serverInfo"]["name"] == "corptls-lint"
        assert client.shutdown_and_exit() == 0
    finally:
        client.kill()


def test_without_the_server_extra_it_names_the_extra_and_exits_2():
    code = ("import sys; sys.modules['pygls'] = None; from corptls_lint.cli import main; "
            "sys.exit(main(['server']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == ("corptls-lint: error: `corptls-lint server` needs the server extra "
                           "(pygls is missing): pip install 'corptls-lint[server]'\n")


def test_the_latency_benchmark_runs(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "server_latency.py"),
                           "--lines", "120", "--changes", "2",
                           "--command", console_script(), "server"],
                          capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "module: 105 lines, 1 findings"
    assert [line.split()[0] for line in lines[1:]] == ["open", "change", "typing", "code"]
