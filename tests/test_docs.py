"""Rule pages, --explain and the docs tree: generated from the docstrings, never stale."""

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from conftest import REPO, console_script

from corptls_lint import docs_gen
from corptls_lint.rules import ALL_RULES

RULES_DIR = REPO / "docs" / "rules"
SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix",
            "## Options", "## References"]
ALL_CODES = ["TLS000", "TLS001"] + [rule.code for rule in ALL_RULES]


def test_rule_pages_match_the_docstrings():
    assert docs_gen.stale_pages(RULES_DIR) == []


def test_documented_codes_are_the_rules_plus_parse_and_internal_errors():
    assert [doc.code for doc in docs_gen.rule_docs()] == ALL_CODES
    assert sorted(path.name for path in RULES_DIR.glob("*.md")) == sorted(
        [f"{code}.md" for code in ALL_CODES] + ["index.md"])


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_doc_has_ruffs_sections_in_order(code):
    body = docs_gen.find_doc(code).body
    positions = [body.find(section + "\n") for section in SECTIONS]
    assert -1 not in positions, (code, positions)
    assert positions == sorted(positions)
    assert body.startswith("## What it does\n")


def test_check_reports_missing_stale_and_orphan_pages(tmp_path):
    rules_dir = tmp_path / "rules"
    written = docs_gen.write_pages(rules_dir)
    assert len(written) == len(ALL_CODES) + 2  # the rule pages, the index, clients.md beside
    assert (tmp_path / "clients.md").read_text() == docs_gen.render_clients()
    assert docs_gen.stale_pages(rules_dir) == []
    (rules_dir / "TLS101.md").unlink()
    (rules_dir / "TLS201.md").write_text("# old text\n")
    (rules_dir / "TLS999.md").write_text("# a rule that was removed\n")
    problems = [
        f"{rules_dir}/TLS101.md: missing",
        f"{rules_dir}/TLS201.md: stale",
        f"{rules_dir}/TLS999.md: no such rule",
    ]
    assert docs_gen.stale_pages(rules_dir) == problems
    check = subprocess.run([sys.executable, "-m", "corptls_lint.docs_gen", "--check",
                            "--rules-dir", str(rules_dir)], capture_output=True, text=True)
    assert check.returncode == 1
    assert check.stdout.splitlines() == problems
    assert check.stderr == "run `python -m corptls_lint.docs_gen` to regenerate\n"
    regenerate = subprocess.run([sys.executable, "-m", "corptls_lint.docs_gen",
                                 "--rules-dir", str(rules_dir)], capture_output=True, text=True)
    assert regenerate.returncode == 0
    assert regenerate.stdout.splitlines() == [
        f"wrote {rules_dir}/TLS101.md",
        f"wrote {rules_dir}/TLS201.md",
        f"removed {rules_dir}/TLS999.md",
    ]
    assert docs_gen.stale_pages(rules_dir) == []


def test_page_is_the_explain_text_with_linked_references():
    doc = docs_gen.find_doc("TLS201")
    page = (RULES_DIR / "TLS201.md").read_text()
    assert page.startswith(docs_gen.GENERATED_NOTE + "\n\n# TLS201: insecure-warning-suppressed\n")
    assert "- Default: on\n- Fixable: yes\n" in page
    assert ("- [urllib3: TLS Warnings]"
            "(https://urllib3.readthedocs.io/en/stable/advanced-usage.html#tls-warnings)\n") in page
    assert "- urllib3: TLS Warnings, https://" in docs_gen.render_explain(doc)
    assert "[The enterprise CA guide](../enterprise-ca.md)" in page


def test_metadata_lines():
    assert "- Default: off (enable with `extend-select`)\n" in docs_gen.render_explain(
        docs_gen.find_doc("TLS402"))
    assert "- Fixable: yes, using the configured `ca-bundle` / `ssl-context` (see Fix)\n" in (
        docs_gen.render_explain(docs_gen.find_doc("TLS101")))
    parse_error = docs_gen.render_explain(docs_gen.find_doc("TLS001"))
    assert parse_error.startswith("# TLS001: parse-error\n\n- Code: `TLS001`\n- Name: "
                                  "`parse-error`\n- Default: always on\n- Fixable: no\n\n")


def test_every_listed_code_has_a_page_and_an_explain_text_with_an_example(run_cli):
    listing = run_cli("--list-rules").stdout.splitlines()[1:]
    listed = [line.split()[0] for line in listing]
    assert listed == [rule.code for rule in ALL_RULES]
    for code in ["TLS000", "TLS001", *listed]:
        assert (RULES_DIR / f"{code}.md").is_file(), code
        result = run_cli("--explain", code.lower())
        assert (result.returncode, result.stderr) == (0, ""), code
        assert result.stdout == docs_gen.render_explain(docs_gen.find_doc(code))
        assert "\x1b[" not in result.stdout
        example = result.stdout.split("## Example\n", 1)[1].split("\n## ", 1)[0]
        assert "```" in example, code


def test_explain_accepts_a_rule_name(run_cli):
    result = run_cli("--explain", "unconfigured-session")
    assert result.returncode == 0
    assert result.stdout.startswith("# TLS401: unconfigured-session\n")


def test_explain_unknown_code_is_a_usage_error(run_cli):
    result = run_cli("--explain", "TLS999")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("corptls-lint: error: unknown rule code 'TLS999' "
                             "(see corptls-lint --list-rules)\n")


def test_explain_renders_markdown_on_a_terminal():
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="100", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([console_script(), "--explain", "TLS101"], stdout=slave,
                               stderr=slave, env=env)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0
    screen = b"".join(chunks).decode()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", screen)
    assert "\x1b[" in screen  # styled
    assert "TLS101: verify-disabled" in plain
    assert "What it does" in plain and "## What it does" not in plain  # rendered headings
    assert "```" not in plain  # rendered code blocks
    assert 'requests.get("https://intranet.example.com", verify=CA_BUNDLE)' in plain


def test_rule_pages_are_in_the_mkdocs_nav():
    config = (REPO / "mkdocs.yml").read_text()
    for code in ALL_CODES:
        assert f"rules/{code}.md" in config, code
    assert "rules/index.md" in config


_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?:#[^)]*)?\)")


def test_relative_links_between_pages_resolve():
    pages = sorted((REPO / "docs").rglob("*.md")) + [REPO / "README.md"]
    broken = []
    for page in pages:
        for match in _LINK.finditer(page.read_text()):
            target = match["target"]
            if "://" not in target and not (page.parent / target).is_file():
                broken.append(f"{page.relative_to(REPO)} -> {target}")
    assert broken == []


def test_readme_links_the_guide_and_the_rule_pages():
    # absolute, so they work on the package index too (tests/test_packaging.py checks them all)
    readme = (REPO / "README.md").read_text()
    repository = "https://github.com/corptls/corptls-lint/blob/main/"
    assert f"]({repository}docs/enterprise-ca.md)" in readme
    assert f"]({repository}docs/rules/index.md)" in readme


def _blocks(page, language):
    return re.findall(rf"```{language}\n(.*?)```", (REPO / "docs" / page).read_text(), re.S)


def test_configuration_page_lists_every_key_and_the_default_excludes():
    from corptls_lint.running.config import DEFAULT_EXCLUDES, KNOWN_KEYS

    page = (REPO / "docs" / "configuration.md").read_text()
    table_keys = re.findall(r"^\| \[`([a-z-]+)`\]\(#", page, re.M)
    assert sorted(table_keys) == sorted(KNOWN_KEYS)
    for key in KNOWN_KEYS:
        assert f"\n### `{key}`\n" in page, key
    documented = re.search(r"\*List of globs; default:\*\n`\[(.*?)\]`", page, re.S)[1]
    assert re.findall(r'"([^"]+)"', documented) == list(DEFAULT_EXCLUDES)


def test_configuration_examples_are_valid_configuration(tmp_path):
    from corptls_lint.running.config import parse_table

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    examples = _blocks("configuration.md", "toml") + _blocks("migration.md", "toml") + \
        _blocks("enterprise-ca.md", "toml")
    assert len(examples) >= 10
    for example in examples:
        table = tomllib.loads(example).get("tool", {}).get("corptls-lint")
        if table is None:  # a fragment of the table: read it as the table itself
            table = tomllib.loads(example)
        parse_table(table, tmp_path / "pyproject.toml")


def test_the_guides_corp_tls_module_is_clean():
    from helpers import findings

    module = next(block for block in _blocks("enterprise-ca.md", "python")
                  if "def make_session" in block)
    assert findings(module) == []


# -- the README's usage is the command line's --help (issue 26) --------------------------------

_OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def _readme_usage():
    """The README's usage block, by command: {name: (group titles, options)}."""
    readme = (REPO / "README.md").read_text()
    block = readme.split("## Usage\n\n```\n", 1)[1].split("```\n", 1)[0]
    sections = {}
    from corptls_lint.cli import COMMANDS

    names = "|".join(command.NAME for command in COMMANDS)
    for part in re.split(rf"(?m)^(?=corptls-lint (?:{names})\b)", block)[1:]:
        name = part.split()[1]
        groups = re.findall(r"(?m)^  ([a-z]+):$", part)
        sections[name] = (groups, set(_OPTION.findall(part)))
    return sections


def _help(name):
    from corptls_lint.cli import build_parsers

    _, parsers = build_parsers()
    text = parsers[name].format_help()
    body = text.split("\n\n", 1)[1]  # past the usage lines
    body = body.split("\nexit codes:", 1)[0]
    groups = [title for title in re.findall(r"(?m)^([a-z][a-z ]*):$", body)
              # "optional arguments" is the default group's title before Python 3.10
              if title not in ("options", "optional arguments", "positional arguments")]
    options = set()
    for line in body.splitlines():
        found = re.match(r"^  (-[^ ].*?)(?:  |$)", line)
        if found:
            options.update(_OPTION.findall(found.group(1)))
    return groups, options - {"-h", "--help"}


def test_readme_usage_lists_every_command_group_and_option_as_help_shows_them():
    from corptls_lint.cli import COMMANDS

    usage = _readme_usage()
    assert sorted(usage) == sorted(command.NAME for command in COMMANDS)
    for command in COMMANDS:
        groups, options = _help(command.NAME)
        assert usage[command.NAME][0] == groups, command.NAME
        assert usage[command.NAME][1] == options, command.NAME
    assert _help("check")[0] == ["checking", "fixing", "output", "adoption"]
    assert {"--config", "-o", "--output-file", "-q", "--quiet", "-j", "--jobs"} <= usage["check"][1]


def test_client_inventory_lists_every_rule_that_names_a_client():
    page = (REPO / "docs" / "clients.md").read_text()
    assert page == docs_gen.render_clients()
    rows = [line.split(" | ") for line in page.splitlines() if line.startswith("| ")][1:]
    assert {row[3].split("]")[0].lstrip("[") for row in rows} == {
        rule.code for rule in ALL_RULES if rule.client_uses}
    assert all(row[2] in {"turns verification off", "points at a fixed CA bundle",
                          "allows a weak protocol", "hides the insecure-request warning"}
               for row in rows)
