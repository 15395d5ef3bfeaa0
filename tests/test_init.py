"""`corptls-lint init` through the installed console script, on real projects built in
tmp_path: what it writes, what it keeps byte for byte, what a second run does (nothing), how
it refuses, and the fixes that follow it."""

import difflib
import os
import sys
from pathlib import Path

import pytest
from helpers import write

from corptls_lint import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPOSITORY = "https://github.com/corptls/corptls-lint"
TEMPLATE = (Path(__file__).resolve().parent.parent / "src/corptls_lint/adoption/trust_module.py")
PYPROJECT = """\
# The inventory service: build settings first.
[project]
name = "inventory"   # the distribution's name
version = "1.4.0"

# black is wider here
[tool.black]
line-length = 100  # matches flake8

[build-system]
requires = ["setuptools>=77"]  # SPDX licenses
build-backend = "setuptools.build_meta"
"""
PRE_COMMIT = """\
# our hooks; keep sorted
default_install_hook_types: [pre-commit]
repos:
- repo: https://github.com/pre-commit/pre-commit-hooks
  rev: v4.6.0   # pinned
  hooks:
  - id: trailing-whitespace
  # - id: end-of-file-fixer

# CI settings
ci:
  autofix_prs: false
"""
INSECURE = "import requests\n\n\ndef fetch(u):\n    return requests.get(u, verify=False)\n"


def targets(module):
    return {"ca-bundle": f"{module}:CA_BUNDLE", "session-factory": f"{module}:make_session",
            "ssl-context": f"{module}:ssl_context()"}


def snapshot(root):
    """Every file under root: its bytes and mode."""
    return {path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mode)
            for path in sorted(root.rglob("*")) if path.is_file()}


def only_added_to(before, after):
    """Whether `after` is `before` with lines inserted and none changed or removed."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True),
                                      autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def init(run_cli, root, *arguments):
    return run_cli("init", *arguments, cwd=root)


@pytest.fixture
def src_project(tmp_path):
    write(tmp_path, "pyproject.toml", PYPROJECT)
    write(tmp_path, "src/inventory/__init__.py", '"""The inventory service."""\n')
    write(tmp_path, "tests/__init__.py", "")
    return tmp_path


def test_src_layout_gets_the_module_the_targets_and_the_hook(run_cli, src_project):
    result = init(run_cli, src_project)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "created   src/inventory/corp_tls.py",
        "updated   pyproject.toml: ca-bundle, session-factory, ssl-context set to "
        "inventory.corp_tls",
        "created   .pre-commit-config.yaml",
        "Next: corptls-lint check --diff src   (preview the fixes; --fix applies them)"]
    assert (src_project / "src/inventory/corp_tls.py").read_bytes() == TEMPLATE.read_bytes()
    pyproject = (src_project / "pyproject.toml").read_text()
    assert only_added_to(PYPROJECT, pyproject)  # every comment and line as it was
    assert pyproject.count("\n") - PYPROJECT.count("\n") == 5  # header, 3 keys, a blank line
    assert tomllib.loads(pyproject)["tool"]["corptls-lint"] == targets("inventory.corp_tls")
    assert "\n[tool.corptls-lint]\n" in pyproject.split("[tool.black]")[1].split(
        "[build-system]")[0]  # among the tool tables, before [build-system]
    hooks = (src_project / ".pre-commit-config.yaml").read_text()
    assert hooks.endswith(f"repos:\n  - repo: {REPOSITORY}\n    rev: v{__version__}\n"
                          "    hooks:\n      - id: corptls-lint\n")
    yaml = pytest.importorskip("yaml")  # pre-commit's own dependency
    assert yaml.safe_load(hooks) == {"repos": [{"repo": REPOSITORY, "rev": f"v{__version__}",
                                                "hooks": [{"id": "corptls-lint"}]}]}


def test_a_second_run_changes_nothing_and_says_so(run_cli, src_project):
    assert init(run_cli, src_project).returncode == 0
    (src_project / "src/inventory/corp_tls.py").chmod(0o600)  # a mode of the user's own
    before = snapshot(src_project)
    again = init(run_cli, src_project)
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.splitlines() == [
        "unchanged src/inventory/corp_tls.py",
        "unchanged pyproject.toml: the targets name inventory.corp_tls",
        "unchanged .pre-commit-config.yaml: it has a corptls-lint hook",
        "Nothing changed.",
        "Next: corptls-lint check --diff src   (preview the fixes; --fix applies them)"]
    assert snapshot(src_project) == before


def test_flat_layout_skips_tests_and_docs(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "app"\n')
    for package in ("app", "tests", "docs", "_private"):
        write(tmp_path, f"{package}/__init__.py", "")
    result = init(run_cli, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "created   app/corp_tls.py"
    assert result.stdout.splitlines()[-1].startswith("Next: corptls-lint check --diff app ")
    config = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert config["tool"]["corptls-lint"] == targets("app.corp_tls")


def test_two_candidate_packages_need_module(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", PYPROJECT)
    write(tmp_path, "src/billing/__init__.py", "")
    write(tmp_path, "src/inventory/__init__.py", "")
    before = snapshot(tmp_path)
    refused = init(run_cli, tmp_path)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == ("corptls-lint: error: several packages found (src/billing, "
                              "src/inventory): choose one with --module PKG\n")
    assert snapshot(tmp_path) == before
    chosen = init(run_cli, tmp_path, "--module", "billing")
    assert chosen.returncode == 0, chosen.stderr
    assert (tmp_path / "src/billing/corp_tls.py").is_file()
    assert not (tmp_path / "src/inventory/corp_tls.py").exists()


def test_no_package_is_a_usage_error(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", PYPROJECT)
    write(tmp_path, "tests/__init__.py", "")
    result = init(run_cli, tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("corptls-lint: error: no package found (src/PKG/__init__.py or "
                             "PKG/__init__.py): name the one to hold the trust module with "
                             "--module PKG\n")


@pytest.mark.parametrize("arguments, message", [
    (("--module", "no.such"), "--module: no folder src/no/such or no/such for the package "
                              "no.such"),
    (("--module", "my-app"), "--module: 'my-app' is not a dotted package name (as in app or "
                             "app.net)"),
    (("--name", "corp-tls"), "--name: 'corp-tls' is not a name for a module (letters, digits "
                             "and underscores, as in corp_tls)"),
    (("--name", "__init__"), "--name: '__init__' is not a name for a module (letters, digits "
                             "and underscores, as in corp_tls)"),
])
def test_bad_names_are_one_line_usage_errors(run_cli, src_project, arguments, message):
    before = snapshot(src_project)
    result = init(run_cli, src_project, *arguments)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"corptls-lint: error: {message}\n"
    assert snapshot(src_project) == before


def test_module_and_name_choose_where_and_what(run_cli, src_project):
    write(src_project, "src/inventory/net/__init__.py", "")
    result = init(run_cli, src_project, "--module", "inventory.net", "--name", "trust")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "created   src/inventory/net/trust.py"
    config = tomllib.loads((src_project / "pyproject.toml").read_text())
    assert config["tool"]["corptls-lint"] == targets("inventory.net.trust")


def test_an_existing_pre_commit_config_gets_the_entry_in_its_repos(run_cli, src_project):
    write(src_project, ".pre-commit-config.yaml", PRE_COMMIT)
    result = init(run_cli, src_project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == (
        f"updated   .pre-commit-config.yaml: hook corptls-lint added at v{__version__}")
    text = (src_project / ".pre-commit-config.yaml").read_text()
    assert only_added_to(PRE_COMMIT, text)
    assert text == PRE_COMMIT.replace(
        "  # - id: end-of-file-fixer\n",
        f"  # - id: end-of-file-fixer\n- repo: {REPOSITORY}\n  rev: v{__version__}\n"
        "  hooks:\n    - id: corptls-lint\n")
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(text)
    assert [repo["repo"] for repo in data["repos"]] == [
        "https://github.com/pre-commit/pre-commit-hooks", REPOSITORY]
    assert data["ci"] == {"autofix_prs": False}


@pytest.mark.parametrize("existing", [
    f"repos:\n  - repo: {REPOSITORY}\n    rev: v0.0.9\n    hooks:\n      - id: corptls-lint-fix\n",
    "repos:\n- repo: local\n  hooks:\n  - {id: corptls-lint, name: tls, entry: corptls-lint, "
    "language: system}\n",
], ids=["fix-hook", "local-flow"])
def test_a_corptls_lint_hook_already_there_is_left_alone(run_cli, src_project, existing):
    write(src_project, ".pre-commit-config.yaml", existing)
    result = init(run_cli, src_project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == (
        "unchanged .pre-commit-config.yaml: it has a corptls-lint hook")
    assert (src_project / ".pre-commit-config.yaml").read_text() == existing


def test_a_target_naming_something_else_is_kept_unless_force(run_cli, src_project):
    config = PYPROJECT + '\n[tool.corptls-lint]\nca-bundle = "certs:BUNDLE"  # ours\n'
    write(src_project, "pyproject.toml", config)
    kept = init(run_cli, src_project)
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.splitlines()[1] == (
        "updated   pyproject.toml: session-factory, ssl-context set to inventory.corp_tls; "
        "kept ca-bundle = 'certs:BUNDLE' (--force sets it to 'inventory.corp_tls:CA_BUNDLE')")
    text = (src_project / "pyproject.toml").read_text()
    assert only_added_to(config, text)
    assert tomllib.loads(text)["tool"]["corptls-lint"]["ca-bundle"] == "certs:BUNDLE"
    forced = init(run_cli, src_project, "--force")
    assert forced.stdout.splitlines()[1] == (
        "updated   pyproject.toml: ca-bundle set to inventory.corp_tls")
    text = (src_project / "pyproject.toml").read_text()
    assert 'ca-bundle = "inventory.corp_tls:CA_BUNDLE"  # ours\n' in text
    assert tomllib.loads(text)["tool"]["corptls-lint"] == targets("inventory.corp_tls")


def test_an_edited_trust_module_is_replaced_only_with_force(run_cli, src_project):
    module = src_project / "src/inventory/corp_tls.py"
    write(src_project, "src/inventory/corp_tls.py", 'CA_BUNDLE = "/etc/ssl/corp.pem"\n')
    module.chmod(0o640)
    kept = init(run_cli, src_project)
    assert kept.stdout.splitlines()[0] == (
        "unchanged src/inventory/corp_tls.py: it exists and differs; --force replaces it")
    assert module.read_text() == 'CA_BUNDLE = "/etc/ssl/corp.pem"\n'
    forced = init(run_cli, src_project, "--force")
    assert forced.stdout.splitlines()[0] == "updated   src/inventory/corp_tls.py"
    assert module.read_bytes() == TEMPLATE.read_bytes()
    assert module.stat().st_mode & 0o777 == 0o640


def test_a_trust_package_of_that_name_is_left_as_it_is(run_cli, src_project):
    write(src_project, "src/inventory/corp_tls/__init__.py", "CA_BUNDLE = None\n")
    result = init(run_cli, src_project, "--force")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "unchanged src/inventory/corp_tls: a package of that name is there, left as it is")
    assert not (src_project / "src/inventory/corp_tls.py").exists()


def test_a_pyproject_that_does_not_parse_stops_before_any_write(run_cli, src_project):
    write(src_project, "pyproject.toml", PYPROJECT + "[tool.black\n")
    before = snapshot(src_project)
    result = init(run_cli, src_project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("corptls-lint: error: pyproject.toml: invalid TOML: ")
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(src_project) == before


def test_a_standalone_config_file_gets_the_keys(run_cli, src_project):
    write(src_project, "corptls-lint.toml", '# shared\nextend-select = ["TLS402"]\n')
    result = init(run_cli, src_project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("updated   corptls-lint.toml: ")
    assert (src_project / "pyproject.toml").read_text() == PYPROJECT
    text = (src_project / "corptls-lint.toml").read_text()
    assert text.startswith('# shared\nextend-select = ["TLS402"]\n')
    assert tomllib.loads(text) == {"extend-select": ["TLS402"], **targets("inventory.corp_tls")}


def test_in_a_monorepo_the_new_table_extends_the_configuration_above(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nextend-select = ["TLS402"]\n')
    service = tmp_path / "services" / "api"
    write(service, "pyproject.toml", '[project]\nname = "api"\n')
    write(service, "api/__init__.py", "")
    write(service, "api/client.py", "import requests\nrequests.get(URL)\n")
    result = init(run_cli, service)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "updated   pyproject.toml: ca-bundle, session-factory, ssl-context set to api.corp_tls; "
        "extend = '../../pyproject.toml' keeps the configuration above")
    table = tomllib.loads((service / "pyproject.toml").read_text())["tool"]["corptls-lint"]
    assert list(table) == ["extend", *targets("api.corp_tls")]
    check = run_cli("check", "--no-cache", "api", cwd=service)  # TLS402 is still selected
    assert check.stdout.startswith("api/client.py:2:1: TLS402 ")
    assert len(check.stdout.splitlines()) == 1


def test_the_hook_goes_to_the_top_of_the_git_work_tree(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    service = tmp_path / "services" / "api"
    write(service, "api/__init__.py", "")
    result = init(run_cli, service)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == "created   ../../.pre-commit-config.yaml"
    assert (tmp_path / ".pre-commit-config.yaml").is_file()
    assert not (service / ".pre-commit-config.yaml").exists()
    again = init(run_cli, service)
    assert again.stdout.splitlines()[2] == (
        "unchanged ../../.pre-commit-config.yaml: it has a corptls-lint hook")


def test_the_targets_name_what_the_trust_module_defines():
    import ast

    from corptls_lint.commands.init import TARGET_NAMES

    tree = ast.parse(TEMPLATE.read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    defined |= {element.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets
                for element in getattr(target, "elts", [target]) if isinstance(element, ast.Name)}
    assert {expr.rstrip("()") for expr in TARGET_NAMES.values()} <= defined


def test_without_a_pyproject_one_is_created(run_cli, tmp_path):
    write(tmp_path, "app/__init__.py", "")
    result = init(run_cli, tmp_path)
    assert result.stdout.splitlines()[1] == (
        "created   pyproject.toml: ca-bundle, session-factory, ssl-context set to app.corp_tls")
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[tool.corptls-lint]\nca-bundle = "app.corp_tls:CA_BUNDLE"\n'
        'session-factory = "app.corp_tls:make_session"\n'
        'ssl-context = "app.corp_tls:ssl_context()"\n')


def test_fix_after_init_moves_the_code_onto_the_new_module(run_cli, src_project):
    write(src_project, "src/inventory/client.py", INSECURE)
    assert init(run_cli, src_project).returncode == 0
    fixed = run_cli("check", "--fix", "src", cwd=src_project)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (src_project / "src/inventory/client.py").read_text() == (
        "import requests\n\nfrom inventory.corp_tls import CA_BUNDLE\n\n\n"
        "def fetch(u):\n    return requests.get(u, verify=CA_BUNDLE)\n")
    # every rule that is on by default, TLS401 (session-factory is set) and TLS402 too
    clean = run_cli("check", "--no-cache", "--extend-select", "TLS402", ".", cwd=src_project)
    assert (clean.returncode, clean.stdout) == (0, ""), clean.stderr
    assert clean.stderr.startswith("All checks passed!")


def test_help_lists_only_inits_options(run_cli):
    result = run_cli("init", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(
        "usage: corptls-lint init [-h] [--module PKG] [--name NAME] [--force]\n")
    assert "exit codes:" in result.stdout
    assert "init" in run_cli("--help").stdout


@pytest.mark.skipif(not hasattr(os, "umask"), reason="POSIX modes")
def test_new_files_get_the_mode_the_umask_gives(run_cli, src_project):
    result = init(run_cli, src_project)
    assert result.returncode == 0, result.stderr
    umask = os.umask(0o022)
    os.umask(umask)
    for name in ("src/inventory/corp_tls.py", ".pre-commit-config.yaml"):
        assert (src_project / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
    assert not [path for path in src_project.rglob(".corptls-*")]


# -- the two editors, on text ------------------------------------------------------------------

ENTRY = f"- repo: {REPOSITORY}\n  rev: v1.2.3\n  hooks:\n    - id: corptls-lint\n"


def add_hook(text):
    from corptls_lint.adoption import pre_commit

    return pre_commit.add_hook(text, REPOSITORY, "v1.2.3")


def indented(entry, indent):
    return "".join(indent + line for line in entry.splitlines(True))


@pytest.mark.parametrize("before, after", [
    ("", "repos:\n" + indented(ENTRY, "  ")),
    ("# hooks to come\n", "# hooks to come\nrepos:\n" + indented(ENTRY, "  ")),
    ("repos:  # the list\n  - repo: local\n    hooks: []",
     "repos:  # the list\n  - repo: local\n    hooks: []\n" + indented(ENTRY, "  ")),
    ("repos:\r\n- repo: local\r\n  hooks: []\r\n",
     "repos:\r\n- repo: local\r\n  hooks: []\r\n" + ENTRY.replace("\n", "\r\n")),
    ("fail_fast: true\nrepos:\n    -   repo: local\n        hooks: []\n\n# later\nminimum: 3\n",
     "fail_fast: true\nrepos:\n    -   repo: local\n        hooks: []\n" + indented(ENTRY, "    ")
     + "\n# later\nminimum: 3\n"),
], ids=["empty", "comments-only", "no-final-newline", "crlf", "repos-in-the-middle"])
def test_the_hook_is_appended_to_the_repos_list(before, after):
    edit = add_hook(before)
    assert edit.text == after
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(edit.text)["repos"][-1]["hooks"] == [{"id": "corptls-lint"}]


@pytest.mark.parametrize("text, reason", [
    ("repos: []\n", "its 'repos' is not a block list (repos: [...])"),
    ("repos:\n\t- repo: local\n", "it holds tabs"),
    ("repos:\n- repo: local\n  hooks: []\n---\nrepos: []\n", "it holds more than one YAML "
                                                             "document"),
    ("repos:\n- repo: local\n  hooks:\n  - id: 'corptls-lint'  # ours\n",
     "it has a corptls-lint hook"),
])
def test_a_file_appending_cannot_serve_is_left_with_the_reason(text, reason):
    assert (add_hook(text).text, add_hook(text).reason) == (None, reason)


def set_keys(text, name="pyproject.toml", force=False):
    from corptls_lint.running import config_edit

    return config_edit.set_keys(text, Path(name), targets("app.corp_tls"), force)


@pytest.mark.parametrize("before", [
    '[project]\r\nname = "x"\r\n\r\n[tool.black]\r\nx = 1\r\n',
    '[project]\nname = "x"',
    '[tool]\ncorptls-lint.select = ["TLS"]\n',
    '[tool.corptls-lint.per-file-ignores]\n"tests/**" = ["TLS101"]\n',
    'tool = {corptls-lint = {select = ["TLS"]}}\n',
], ids=["crlf", "no-final-newline", "dotted-keys", "only-a-subtable", "inline"])
def test_the_keys_are_added_whatever_the_tables_shape(before):
    edit = set_keys(before)
    assert edit.added == list(targets("app.corp_tls"))
    if not before.startswith("tool = {"):  # an inline table grows on its own line
        assert only_added_to(before if before.endswith("\n") else before + "\n", edit.text)
    assert "\r\n" not in before or "\n" not in edit.text.replace("\r\n", "")
    table = tomllib.loads(edit.text)["tool"]["corptls-lint"]
    assert {key: table[key] for key in targets("app.corp_tls")} == targets("app.corp_tls")


@pytest.mark.parametrize("text, message", [
    ("tool = 5\n", "pyproject.toml: 'tool' must be a table"),
    ("[tool]\ncorptls-lint = []\n", "pyproject.toml: [tool.corptls-lint] must be a table"),
])
def test_a_table_that_is_not_one_is_a_config_error(text, message):
    from corptls_lint.ftypes import ConfigError

    with pytest.raises(ConfigError) as raised:
        set_keys(text)
    assert str(raised.value) == message
