"""`# noqa` over tokens that span lines, read per top-level statement as for the whole file."""

import ast

import pytest

from corptls_lint.checking import engine, noqa
from corptls_lint.ftypes import Settings
from corptls_lint.screens import slicing
from corptls_lint.source.decoding import split_lines

SOURCE = (
    "import requests\n"
    "requests.get(u, verify=False, data='''\n"
    "text  # noqa: TLS101\n"
    "''')\n"
    "requests.get(u, \\\n"
    "    verify=False)  # noqa\n"
    "x = 1  # noqa\n"
    "requests.get(u, verify=False)\n"
    "def f():\n"
    "    return requests.get(u, verify=False, data='''\n"
    "    # NOQA:TLS1\n"
    "    ''')\n"
    "requests.get(u, verify=False, data='''\n"
    "# noqa: TLS201\n"
    "''')\n"
)


def statements(source):
    return [(slicing.first_line(node), node.end_lineno) for node in ast.parse(source).body]


def test_each_statement_alone_gives_the_whole_file_answer():
    lines = split_lines(SOURCE)
    whole = noqa.NoqaLines(lines, SOURCE)
    per_statement = noqa.NoqaLines(lines, SOURCE, statements(SOURCE))
    for line in range(1, len(lines) + 1):
        for code in ("TLS101", "TLS201", "E501"):
            assert per_statement.silences(line, code) == whole.silences(line, code), (line, code)


@pytest.mark.parametrize("sliced", [True, False])
def test_noqa_in_a_string_or_after_a_continuation_silences_the_finding(sliced):
    result = engine.lint_source(SOURCE, "a.py", Settings(enabled=("TLS101",)), sliced=sliced)
    # 2: the string's noqa; 5: the continuation's; 10: the function's string; 13: another code
    assert [(d.line, d.code) for d in result.diagnostics] == [(8, "TLS101"), (13, "TLS101")]


def test_the_noqa_pattern_is_the_installed_flake8s():
    import flake8.defaults

    from corptls_lint.checking import noqa

    assert noqa._NOQA.pattern == flake8.defaults.NOQA_INLINE_REGEXP.pattern
    assert noqa._NOQA.flags == flake8.defaults.NOQA_INLINE_REGEXP.flags


@pytest.mark.parametrize("source, expected", [
    (b"import os\n", None),
    (b"x = 1  # noqa\n", None),
    (b"\xef\xbb\xbf# flake8: noqa\nx = 1\n", noqa.FileExemption()),  # after a BOM
    (b"x = 1\r# FLAKE8: NOQA\r", noqa.FileExemption()),  # old Mac line endings
    (b"# corptls-lint: noqa: TLS101\n# corptls-lint: noqa: TLS2, TLS101\n",
     noqa.FileExemption(("TLS101", "TLS2"))),  # codes add up, once each
    (b"# corptls-lint: noqa: TLS101\n# corptls-lint: noqa\n", noqa.FileExemption()),
    (b"s = '''\n# flake8: noqa\n'''\n", noqa.FileExemption()),  # a physical line, as flake8
    (b"# -*- coding: latin-1 -*-\n\xa0# flake8: noqa\n", noqa.FileExemption()),  # NBSP is \s
])
def test_file_exemption(source, expected):
    assert noqa.file_exemption(source) == expected
    assert noqa.file_exemption(source.decode("latin-1" if b"latin-1" in source else "utf-8-sig")
                               ) == expected


def test_file_exemption_without_flake8s_directive_for_the_plugin():
    assert noqa.file_exemption("# flake8: noqa\n", flake8=False) is None
    assert noqa.file_exemption("# corptls-lint: noqa\n", flake8=False) == noqa.FileExemption()
    exemption = noqa.file_exemption("# corptls-lint: noqa: TLS1\n")
    assert exemption is not None and exemption.covers("TLS101") and not exemption.covers("TLS201")
