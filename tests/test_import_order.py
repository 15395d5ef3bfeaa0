"""Where a fix puts the import it adds: the project's import sorter's section and order, as
exact before/after text, each result also judged by the real ruff (`I` rules) where it is
installed; and the settings read from ruff's and isort's configuration files."""

import json
import subprocess
import textwrap

import libcst as cst
import pytest
from helpers import ruff_executable

from corptls_lint.fixing import imports
from corptls_lint.fixing.import_order import (FIRST_PARTY, LOCAL_FOLDER, STANDARD_LIBRARY,
                                              THIRD_PARTY, section_of)
from corptls_lint.fixing.imports import NeededImport
from corptls_lint.ftypes import ImportOrder
from corptls_lint.running.import_settings import import_order_for

OURS = ImportOrder(src_modules=("app", "corp_tls", "zeta"))
BUNDLE = NeededImport("corp_tls", "CA_BUNDLE")
FACTORY = NeededImport("corp_tls", "make_session")

# (name, order, needed, before, after); every `before` is as ruff sorts it
CASES = [
    ("a first-party section of its own after the third-party one", OURS, [BUNDLE],
     "import os\n\nimport requests\n\nx = 1\n",
     "import os\n\nimport requests\n\nfrom corp_tls import CA_BUNDLE\n\nx = 1\n"),
    ("in the first-party section, in sorted place", OURS, [BUNDLE],
     "import requests\n\nfrom app import a\nfrom zeta import z\n\nx = 1\n",
     "import requests\n\nfrom app import a\nfrom corp_tls import CA_BUNDLE\nfrom zeta import z\n"
     "\nx = 1\n"),
    ("first of its section: it takes the section's blank line", OURS, [BUNDLE],
     "import requests\n\nfrom zeta import z\n\nx = 1\n",
     "import requests\n\nfrom corp_tls import CA_BUNDLE\nfrom zeta import z\n\nx = 1\n"),
    ("a comment above the section's first line stays with that line", OURS, [BUNDLE],
     "import requests\n\n# ours\nfrom zeta import z\n\nx = 1\n",
     "import requests\n\nfrom corp_tls import CA_BUNDLE\n\n# ours\nfrom zeta import z\n\nx = 1\n"),
    ("before the local-folder section", OURS, [BUNDLE],
     "import requests\n\nfrom . import views\n\nx = 1\n",
     "import requests\n\nfrom corp_tls import CA_BUNDLE\n\nfrom . import views\n\nx = 1\n"),
    ("`import x` lines before `from x import y` lines", OURS, [BUNDLE],
     "import app\nimport zeta\n\nx = 1\n",
     "import app\nimport zeta\nfrom corp_tls import CA_BUNDLE\n\nx = 1\n"),
    ("force-sort-within-sections: by module, whatever the form",
     ImportOrder(src_modules=OURS.src_modules, force_sort_within_sections=True), [BUNDLE],
     "import app\nimport zeta\n\nx = 1\n",
     "import app\nfrom corp_tls import CA_BUNDLE\nimport zeta\n\nx = 1\n"),
    ("a third-party target goes first, before the first-party section",
     ImportOrder(src_modules=("app",)), [NeededImport("corp_certs", "CA_BUNDLE")],
     "from app import a\n\nx = 1\n",
     "from corp_certs import CA_BUNDLE\n\nfrom app import a\n\nx = 1\n"),
    ("merged into the existing import, in sorted order", OURS, [BUNDLE],
     "from corp_tls import make_session\n\nx = 1\n",
     "from corp_tls import CA_BUNDLE, make_session\n\nx = 1\n"),
    ("a merged line that grows too long is wrapped as ruff wraps it",
     ImportOrder(src_modules=OURS.src_modules, line_length=50), [BUNDLE],
     "from corp_tls import make_session, ssl_context\n\nx = 1\n",
     "from corp_tls import (\n    CA_BUNDLE,\n    make_session,\n    ssl_context,\n)\n\nx = 1\n"),
    ("a wrapped import keeps its layout, the name in sorted place", OURS, [FACTORY],
     "from corp_tls import (\n    CA_BUNDLE,\n    ssl_context,\n)\n\nx = 1\n",
     "from corp_tls import (\n    CA_BUNDLE,\n    make_session,\n    ssl_context,\n)\n\nx = 1\n"),
    ("an aliased name gets a line of its own (combine-as-imports is off)", OURS,
     [NeededImport("corp_tls", "CA_BUNDLE", "corp_tls_CA_BUNDLE")],
     "from corp_tls import make_session\n\nx = 1\n",
     "from corp_tls import CA_BUNDLE as corp_tls_CA_BUNDLE\nfrom corp_tls import make_session\n"
     "\nx = 1\n"),
    ("force-single-line: a line per name",
     ImportOrder(src_modules=OURS.src_modules, force_single_line=True), [BUNDLE],
     "from corp_tls import make_session\n\nx = 1\n",
     "from corp_tls import CA_BUNDLE\nfrom corp_tls import make_session\n\nx = 1\n"),
    ("no imports yet: two blank lines before a class", OURS, [BUNDLE],
     "class Api:\n    verify = CA_BUNDLE\n",
     "from corp_tls import CA_BUNDLE\n\n\nclass Api:\n    verify = CA_BUNDLE\n"),
    ("no imports yet: after the docstring, one blank line before code", OURS, [BUNDLE],
     '"""Doc."""\nx = CA_BUNDLE\n',
     '"""Doc."""\nfrom corp_tls import CA_BUNDLE\n\nx = CA_BUNDLE\n'),
    ("a section order that leaves out local-folder: relative imports are third party",
     ImportOrder(src_modules=OURS.src_modules, section_order=(
         "future", "standard-library", "third-party", "first-party")), [BUNDLE],
     "import requests\nfrom . import views\n\nx = 1\n",
     "import requests\nfrom . import views\n\nfrom corp_tls import CA_BUNDLE\n\nx = 1\n"),
    ("a section of the user's own, ahead of the standard library",
     ImportOrder(src_modules=("app",), user_sections=(("corp", ("corp_tls",)),),
                 section_order=("future", "corp", "standard-library", "third-party",
                                "first-party", "local-folder")), [BUNDLE],
     "import os\n\nfrom app import a\n\nx = 1\n",
     "from corp_tls import CA_BUNDLE\n\nimport os\n\nfrom app import a\n\nx = 1\n"),
    ("CRLF line endings are kept", OURS, [BUNDLE],
     "import requests\r\n\r\nx = 1\r\n",
     "import requests\r\n\r\nfrom corp_tls import CA_BUNDLE\r\n\r\nx = 1\r\n"),
]


@pytest.mark.parametrize("name, order, needed, before, after", CASES,
                         ids=[case[0] for case in CASES])
def test_an_added_import_goes_where_the_sorter_puts_it(name, order, needed, before, after):
    module = cst.parse_module(before)
    assert imports.add_imports(module, needed, order).code == after


def _ruff_config(order):
    lines = ["[tool.ruff]", f"line-length = {order.line_length}", "[tool.ruff.lint]",
             'select = ["I"]', "[tool.ruff.lint.isort]",
             f"known-first-party = {json.dumps(list(order.src_modules))}",
             f"force-sort-within-sections = {str(order.force_sort_within_sections).lower()}",
             f"force-single-line = {str(order.force_single_line).lower()}"]
    if order.section_order:
        lines.append(f"section-order = {json.dumps(list(order.section_order))}")
    if order.user_sections:
        lines.append("[tool.ruff.lint.isort.sections]")
        lines += [f"{name} = {json.dumps(list(modules))}" for name, modules in order.user_sections]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name, order, needed, before, after", CASES,
                         ids=[case[0] for case in CASES])
def test_ruff_finds_the_before_and_the_after_sorted(tmp_path, name, order, needed, before,
                                                   after):
    ruff = ruff_executable()
    (tmp_path / "pyproject.toml").write_text(_ruff_config(order))
    for label, text in (("before", before), ("after", after)):
        (tmp_path / f"{label}.py").write_bytes(text.encode())
    result = subprocess.run([ruff, "check", "--no-cache", "--output-format", "json", "."],
                            cwd=tmp_path, capture_output=True, text=True)
    assert [(d["filename"], d["code"]) for d in json.loads(result.stdout)] == []


def test_sections_follow_the_known_settings_then_the_standard_library_then_the_source():
    order = ImportOrder(known_first_party=("corp.*",), known_third_party=("app",),
                        src_modules=("app", "mine"))
    assert section_of("corp.trust", 0, order) == FIRST_PARTY
    assert section_of("app.views", 0, order) == THIRD_PARTY  # known beats the source folder
    assert section_of("mine", 0, order) == FIRST_PARTY
    assert section_of("ssl", 0, order) == STANDARD_LIBRARY
    assert section_of("urllib.request", 0, order) == STANDARD_LIBRARY
    assert section_of("requests", 0, order) == THIRD_PARTY
    assert section_of("views", 1, order) == LOCAL_FOLDER


def test_the_files_own_package_is_first_party_without_a_source_folder():
    # ruff's detect-same-package: `src = ["stubs"]` does not hide the package the file is in
    order = ImportOrder(src_modules=("stubs",), package="earthaccess")
    assert section_of("earthaccess.auth", 0, order) == FIRST_PARTY
    assert section_of("earthaccess", 0, ImportOrder(package="earthaccess",
                                                     detect_same_package=False)) == THIRD_PARTY


def test_the_top_package_of_a_folder(tmp_path):
    from corptls_lint.running.import_settings import top_package

    for folder in ("src/billing", "src/billing/api"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    assert top_package(str(tmp_path / "src/billing/api")) == "billing"
    assert top_package(str(tmp_path / "src")) == ""


# -- the settings, from the project's files ---------------------------------------------------

def _project(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    import_order_for.cache_clear()
    return import_order_for(tmp_path)


def test_ruff_settings_in_pyproject_and_the_src_folders(tmp_path):
    order = _project(tmp_path, {
        "pyproject.toml": """
            [tool.ruff]
            line-length = 100
            src = ["src"]
            [tool.ruff.lint]
            select = ["E", "I"]
            [tool.ruff.lint.isort]
            known-first-party = ["corp"]
            force-sort-within-sections = true
        """,
        "src/billing/__init__.py": "", "src/tool.py": "", "top.py": ""})
    assert order == ImportOrder(known_first_party=("corp",), force_sort_within_sections=True,
                                line_length=100, src_modules=("billing", "tool"),
                                source=str(tmp_path / "pyproject.toml"))


def test_ruff_toml_and_the_legacy_isort_table(tmp_path):
    order = _project(tmp_path, {"ruff.toml": """
        line-length = 120
        [isort]
        force-single-line = true
    """, "app/__init__.py": ""})
    assert (order.line_length, order.force_single_line, order.src_modules) == (120, True,
                                                                             ("app",))


def test_isort_settings_with_a_profile_when_ruff_does_not_sort(tmp_path):
    order = _project(tmp_path, {"pyproject.toml": """
        [tool.ruff.lint]
        select = ["E"]
        [tool.isort]
        profile = "google"
        known_first_party = ["corp"]
    """})
    assert (order.force_single_line, order.force_sort_within_sections, order.order_by_type,
            order.line_length, order.known_first_party) == (True, True, False, 1000, ("corp",))


@pytest.mark.parametrize("name, section", [(".isort.cfg", "settings"), ("setup.cfg", "isort"),
                                           ("tox.ini", "tool:isort")])
def test_isort_ini_files(tmp_path, name, section):
    order = _project(tmp_path, {name: f"""
        [{section}]
        profile = black
        known_first_party = corp, billing
        force_sort_within_sections = True
    """})
    assert (order.line_length, order.known_first_party, order.force_sort_within_sections) == (
        88, ("corp", "billing"), True)


def test_no_settings_are_ruffs_defaults(tmp_path):
    order = _project(tmp_path, {"billing/__init__.py": ""})
    assert order == ImportOrder(src_modules=("billing",))


def test_a_setting_of_the_wrong_type_is_skipped_with_one_line(tmp_path, capsys):
    order = _project(tmp_path, {"pyproject.toml": """
        [tool.ruff.lint.isort]
        known-first-party = "corp"
        force-single-line = "yes"
        case-sensitive = 3
    """})
    assert (order.known_first_party, order.force_single_line, order.case_sensitive) == (
        ("corp",), False, False)
    err = capsys.readouterr().err
    assert "force-single-line: expected true or false, ignored" in err
    assert "case-sensitive: expected true or false, ignored" in err


def test_a_pyproject_that_does_not_parse_places_imports_by_the_defaults(tmp_path, capsys):
    order = _project(tmp_path, {"pyproject.toml": "[tool.ruff\n", "app.py": ""})
    assert order == ImportOrder(src_modules=("app",))
    assert "import settings not read" in capsys.readouterr().err


def test_ruff_sections_and_isort_sections(tmp_path):
    order = _project(tmp_path, {"pyproject.toml": """
        [tool.ruff.lint.isort]
        section-order = ["future", "corp", "standard-library", "third-party", "first-party"]
        default-section = "first-party"
        detect-same-package = false
        [tool.ruff.lint.isort.sections]
        corp = ["corp_*"]
    """})
    assert (order.section_order, order.user_sections, order.default_section,
            order.detect_same_package) == (
        ("future", "corp", "standard-library", "third-party", "first-party"),
        (("corp", ("corp_*",)),), "first-party", False)
    order = _project(tmp_path / "isort", {".isort.cfg": """
        [settings]
        sections = FUTURE,STDLIB,CORP,THIRDPARTY,FIRSTPARTY,LOCALFOLDER
        known_corp = corp_tls
        default_section = FIRSTPARTY
    """})
    assert (order.section_order, order.user_sections, order.default_section) == (
        ("future", "standard-library", "corp", "third-party", "first-party", "local-folder"),
        (("corp", ("corp_tls",)),), "first-party")
