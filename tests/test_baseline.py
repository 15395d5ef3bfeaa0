"""Baselines (`--write-baseline`, `--baseline`, `baseline = ...`, `--show-stale-baseline`) through
the installed console script, and the statement fingerprints they are keyed by."""

import json
import textwrap

from corptls_lint.adoption.fingerprint import Fingerprinter, statement_fingerprint

APP = textwrap.dedent("""\
    import requests


    def fetch(url):
        return requests.get(url,
                            verify=False)


    def other(url):
        return requests.get(url, verify=False)
    """)
FINDING_LINE = "        return requests.get(url, verify=False)\n"


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lines_of(result):
    return [line.split(" ")[0] + " " + line.split(" ")[1] for line in result.stdout.splitlines()]


def test_baseline_survives_edits_above_and_counts_copies(run_cli, tmp_path):
    app = write(tmp_path, "app.py", APP)
    written = run_cli("--no-cache", "--write-baseline", "baseline.json", ".", cwd=tmp_path)
    assert (written.returncode, written.stdout) == (0, "")
    assert written.stderr == "Wrote 2 findings to the baseline baseline.json.\n"
    assert run_cli("--no-cache", "--baseline", "baseline.json", ".", cwd=tmp_path).returncode == 0

    # ten unrelated lines above the findings (and a reformatted comment) bring nothing back
    unrelated = "".join(f"CONSTANT_{n} = {n}  # unrelated\n" for n in range(10))
    app.write_text(APP.replace("import requests\n", "import requests\n" + unrelated))
    moved = run_cli("--no-cache", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert (moved.returncode, moved.stdout) == (0, "")

    # a pasted copy of a baselined finding in the same file is reported, once
    app.write_text(app.read_text() + "\n\ndef pasted(url):\n" + FINDING_LINE)
    pasted = run_cli("--no-cache", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert pasted.returncode == 1
    assert lines_of(pasted) == ["app.py:24:34: TLS101"]


def test_fixed_findings_are_listed_as_stale_and_dropped_by_rewriting(run_cli, tmp_path):
    app = write(tmp_path, "app.py", APP)
    run_cli("--no-cache", "--write-baseline", "baseline.json", ".", cwd=tmp_path)
    app.write_text(APP.replace("return requests.get(url, verify=False)",
                               "return requests.get(url, verify=CA_BUNDLE)"))
    quiet = run_cli("--no-cache", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout) == (0, "") and "stale" not in quiet.stderr
    stale = run_cli("--no-cache", "--baseline", "baseline.json", "--show-stale-baseline", ".",
                    cwd=tmp_path)
    assert stale.returncode == 0
    # both findings are the same statement, `return requests.get(url, verify=False)`: one
    # entry counted twice, of which one is fixed
    [entry] = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert (entry["count"], entry["fingerprint"]) == (2, statement_fingerprint(APP, 10))
    assert stale.stderr.splitlines()[0] == (
        f"baseline.json: stale entry app.py TLS101 {entry['fingerprint']} "
        "(1 fixed; --write-baseline drops it)")
    run_cli("--no-cache", "--write-baseline", "baseline.json", ".", cwd=tmp_path)
    [entry] = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert entry["count"] == 1
    again = run_cli("--no-cache", "--show-stale-baseline", "--baseline", "baseline.json", ".",
                    cwd=tmp_path)
    assert "stale" not in again.stderr


def test_baseline_file_is_sorted_stable_json(run_cli, tmp_path):
    write(tmp_path, "b.py", "import requests\nrequests.get(u, verify=False)\n")
    write(tmp_path, "a.py", "import urllib3\nurllib3.disable_warnings()\n"
                            "import requests\nrequests.get(u, verify=False)\n")
    run_cli("--no-cache", "--write-baseline", "bl.json", "b.py", "a.py", cwd=tmp_path)
    first = (tmp_path / "bl.json").read_bytes()
    run_cli("--no-cache", "--write-baseline", "bl.json", "a.py", "b.py", cwd=tmp_path)
    assert (tmp_path / "bl.json").read_bytes() == first
    document = json.loads(first)
    assert document["format"] == "corptls-lint-baseline" and document["version"] == 2
    assert document["root"] == "."
    keys = [(e["path"], e["code"], e["fingerprint"]) for e in document["findings"]]
    assert keys == sorted(keys) and [k[:2] for k in keys] == [
        ("a.py", "TLS101"), ("a.py", "TLS201"), ("b.py", "TLS101")]
    assert first.decode().startswith('{\n  "findings": [\n    {\n')


# -- baselines that travel (issue 26) ----------------------------------------------------------

def test_write_baseline_creates_its_folders_and_matches_in_a_copy_of_the_tree(run_cli, tmp_path):
    """Written on one checkout, read on another (every CI runner's): paths are relative to the
    project root, and the file says where that root is relative to itself."""
    first = tmp_path / "first"
    write(first, "src/app.py", APP)
    written = run_cli("--no-cache", "--write-baseline", "ci/tls/baseline.json", "src", cwd=first)
    assert (written.returncode, written.stderr) == (
        0, "Wrote 2 findings to the baseline ci/tls/baseline.json.\n")
    document = json.loads((first / "ci/tls/baseline.json").read_text())
    assert (document["version"], document["root"]) == (2, "../..")
    assert [entry["path"] for entry in document["findings"]] == ["src/app.py"]
    assert str(tmp_path) not in (first / "ci/tls/baseline.json").read_text()

    import shutil

    second = tmp_path / "elsewhere" / "second"
    shutil.copytree(first, second)
    shutil.rmtree(first)
    for cwd, args in ((second, ("--baseline", "ci/tls/baseline.json", "src")),
                      (second / "src", ("--baseline", "../ci/tls/baseline.json", ".")),
                      (tmp_path, ("--baseline", second / "ci/tls/baseline.json", second))):
        result = run_cli("--no-cache", "--show-stale-baseline", *args, cwd=cwd)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "All checks passed!\n")
    # a new finding in the copy is still reported, relative to where the run is
    write(second, "src/new.py", "import requests\nrequests.get(u, verify=False)\n")
    new = run_cli("--no-cache", "--baseline", "../ci/tls/baseline.json", ".", cwd=second / "src")
    assert (new.returncode, lines_of(new)) == (1, ["new.py:2:17: TLS101"])


def test_baseline_paths_are_relative_to_the_configuration_folder_else_the_repository(
        run_cli, tmp_path):
    # a project with its own configuration, inside a repository: the configuration's folder
    write(tmp_path, "repo/.git/HEAD", "ref: refs/heads/main\n")
    write(tmp_path, "repo/service/pyproject.toml", '[tool.corptls-lint]\nselect = ["TLS1"]\n')
    write(tmp_path, "repo/service/app.py", APP)
    run_cli("--no-cache", "--write-baseline", "service/ci/b.json", "service", cwd=tmp_path / "repo")
    document = json.loads((tmp_path / "repo/service/ci/b.json").read_text())
    assert (document["root"], document["findings"][0]["path"]) == ("..", "app.py")
    # no configuration file: the repository's top, wherever the run starts
    write(tmp_path, "repo/lib/app.py", APP)
    run_cli("--no-cache", "--write-baseline", "../ci/b.json", ".", cwd=tmp_path / "repo/lib")
    document = json.loads((tmp_path / "repo/ci/b.json").read_text())
    assert (document["root"], document["findings"][0]["path"]) == ("..", "lib/app.py")


OLD_ENTRY = {"code": "TLS101", "count": 2, "fingerprint": statement_fingerprint(APP, 10)}


def test_a_version_1_baseline_is_still_read(run_cli, tmp_path):
    """Version 1 paths are relative to the baseline's folder, or absolute for files outside
    it: the relative ones match anywhere; the absolute ones only in the checkout that wrote
    them, which one warning line says, with the command that makes the file portable."""
    write(tmp_path, "src/app.py", APP)
    old = {"format": "corptls-lint-baseline", "version": 1,
           "findings": [dict(OLD_ENTRY, path="src/app.py")]}
    write(tmp_path, "b.json", json.dumps(old))
    relative = run_cli("--no-cache", "--baseline", "../b.json", ".", cwd=tmp_path / "src")
    assert (relative.returncode, relative.stdout, relative.stderr) == (
        0, "", "All checks passed!\n")

    old["findings"] = [dict(OLD_ENTRY, path=(tmp_path / "src/app.py").as_posix())]
    write(tmp_path, "ci/b.json", json.dumps(old))
    here = run_cli("--no-cache", "--baseline", "ci/b.json", "src", cwd=tmp_path)
    warning = ("corptls-lint: warning: ci/b.json: 1 entry has an absolute path (an older "
               "corptls-lint wrote them) that match only in that checkout; run --write-baseline "
               "ci/b.json once to record them relative to the project")
    assert (here.returncode, here.stdout, here.stderr.splitlines()) == (
        0, "", [warning, "All checks passed!"])
    rewritten = run_cli("--no-cache", "--write-baseline", "ci/b.json", "src", cwd=tmp_path)
    assert rewritten.returncode == 0
    again = run_cli("--no-cache", "--baseline", "ci/b.json", "src", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "All checks passed!\n")


def test_a_baseline_of_an_unknown_version_is_refused_in_one_line(run_cli, tmp_path):
    write(tmp_path, "app.py", APP)
    write(tmp_path, "b.json", json.dumps({"format": "corptls-lint-baseline", "version": 3,
                                          "findings": []}))
    result = run_cli("--no-cache", "--baseline", "b.json", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "corptls-lint: error: baseline b.json: version 3 is not one this corptls-lint "
               "reads (1, 2); write it again with --write-baseline\n")


def test_baseline_from_config_is_relative_to_the_config_file(run_cli, tmp_path):
    write(tmp_path, "repo/pyproject.toml", '[tool.corptls-lint]\nbaseline = "ci/baseline.json"\n')
    write(tmp_path, "repo/app.py", APP)
    (tmp_path / "repo" / "ci").mkdir()
    run_cli("--no-cache", "--write-baseline", "repo/ci/baseline.json", "repo", cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("--no-cache", tmp_path / "repo", cwd=elsewhere)
    assert (result.returncode, result.stdout) == (0, "")
    missing = run_cli("--no-cache", "--baseline", "nope.json", tmp_path / "repo", cwd=elsewhere)
    assert missing.returncode == 2
    assert missing.stderr.startswith("corptls-lint: error: baseline nope.json: cannot read")


def test_write_baseline_refuses_fix_and_stdin(run_cli, tmp_path):
    write(tmp_path, "app.py", APP)
    fix = run_cli("--fix", "--write-baseline", "b.json", "app.py", cwd=tmp_path)
    assert (fix.returncode, fix.stderr) == (
        2, "corptls-lint: error: --write-baseline cannot be combined with --fix or --diff\n")
    stdin = run_cli("--write-baseline", "b.json", "-", cwd=tmp_path, input=APP)
    assert (stdin.returncode, stdin.stderr) == (
        2, "corptls-lint: error: --write-baseline needs files, not standard input\n")


# -- fingerprints ----------------------------------------------------------------------------

def test_fingerprint_ignores_layout_and_comments_but_not_tokens():
    one_line = "x = 1\nrequests.get(url, verify=False)\n"
    reflowed = "x = 1\nrequests.get(\n    url,  # the target\n    verify=False,\n)\n"
    changed = "x = 1\nrequests.get(other, verify=False)\n"
    base = statement_fingerprint(one_line, 2)
    assert statement_fingerprint(reflowed, 4) == statement_fingerprint(reflowed, 2)
    assert statement_fingerprint(reflowed.replace(",\n)", "\n)"), 4) == base
    assert statement_fingerprint(reflowed, 2) != base  # the trailing comma is a token
    assert statement_fingerprint("y = 2\n\n\n" + one_line, 5) == base
    assert statement_fingerprint(changed, 2) != base


def test_fingerprint_of_a_compound_statement_is_its_header():
    source = "with requests.Session() as s:\n    s.get(url)\n"
    printer = Fingerprinter(source)
    assert printer.statement_lines(1) == (1, 1)
    assert printer.statement_lines(2) == (2, 2)
    edited_body = "with requests.Session() as s:\n    s.get(other)\n    s.close()\n"
    assert statement_fingerprint(edited_body, 1) == printer.fingerprint(1)
