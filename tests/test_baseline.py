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
    assert document["format"] == "corptls-lint-baseline" and document["version"] == 1
    keys = [(e["path"], e["code"], e["fingerprint"]) for e in document["findings"]]
    assert keys == sorted(keys) and [k[:2] for k in keys] == [
        ("a.py", "TLS101"), ("a.py", "TLS201"), ("b.py", "TLS101")]
    assert first.decode().startswith('{\n  "findings": [\n    {\n')


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
