"""Look-alike identifiers: Python reads names NFKC-normalised (PEP 3131), so
`requests.get(u, ｖerify=False)` runs as `requests.get(u, verify=False)`, and is reported the same.
"""

import io
import keyword
import tokenize

import pytest
from helpers import ALL_CODES, findings, write

from corptls_lint.checking.byte_screen import screen
from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings, Target
from corptls_lint.rules import ALL_RULES, RULES_BY_CODE
from corptls_lint.screens import lookalikes

# (the look-alike spelling, the ASCII one): the five, each as an attacker writes it
SPELLINGS = {
    "keyword": ("import requests\nrequests.get(u, ｖerify=False)\n",
                "import requests\nrequests.get(u, verify=False)\n"),
    "function": ("import requests\nrequests.ｇet(u, verify=False)\n",
                 "import requests\nrequests.get(u, verify=False)\n"),
    "attribute store": ("import requests\ns = requests.Session()\ns.ｖerify = False\n",
                        "import requests\ns = requests.Session()\ns.verify = False\n"),
    "warnings": ("import urllib3\nurllib3.ｄisable_warnings()\n",
                 "import urllib3\nurllib3.disable_warnings()\n"),
    "context": ("import ssl\nctx = ssl._create_unverified_ｃontext()\n",
                "import ssl\nctx = ssl._create_unverified_context()\n"),
}
# what the CLI prints for each (path:line:col: code), the same for both spellings
EXPECTED = {
    "keyword": "2:17: TLS101",
    "function": "2:17: TLS101",
    "attribute store": "3:1: TLS102",
    "warnings": "2:1: TLS201",
    "context": "2:7: TLS103",
}


def write_spellings(root):
    """Each spelling as `<n>_lookalike.py` and `<n>_ascii.py`; the expected CLI lines."""
    expected = []
    for index, (name, (lookalike, ascii_)) in enumerate(SPELLINGS.items()):
        for kind, source in (("ascii", ascii_), ("lookalike", lookalike)):
            (root / f"{index}_{kind}.py").write_text(source, encoding="utf-8")
            expected.append(f"{index}_{kind}.py:{EXPECTED[name]}")
    return expected


def test_the_cli_reports_each_lookalike_where_it_reports_the_ascii_spelling(run_cli, tmp_path):
    expected = write_spellings(tmp_path)
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stdout.splitlines() if ".py:" in line]
    assert [" ".join(line.split(" ", 2)[:2]) for line in lines] == expected
    # the messages are the ASCII spelling's too
    assert [line.split(": ", 1)[1] for line in lines[1::2]] == [
        line.split(": ", 1)[1] for line in lines[::2]]


# More spellings through the engine: (source, its findings as (line, col, code)).
CASES = {
    "an import spelled with look-alikes": (
        "import ｒequests\nｒequests.get(u, verify=False)\n", [(2, 17, "TLS101")]),
    "a from-import and its alias": (
        "from ｒequests import ｇet as ｆetch\nfetch(u, verify=False)\n", [(2, 10, "TLS101")]),
    "a warnings function imported by a look-alike name": (
        "from ｕrllib3 import ｄisable_warnings\nｄisable_warnings()\n", [(2, 1, "TLS201")]),
    "False spelled with a look-alike": (
        "import requests\nrequests.get(u, verify=Ｆalse)\n", [(2, 17, "TLS101")]),
    "a constant bound by a look-alike name, read in ASCII": (
        "import requests\nＯFF = False\nrequests.get(u, verify=OFF)\n", [(3, 17, "TLS101")]),
    "a constant shadowed by a look-alike local": (
        "import requests\nOFF = False\ndef f():\n    ＯFF = True\n"
        "    requests.get(u, verify=OFF)\n", []),
    "a session method on a look-alike receiver": (
        "import requests\nｓ = requests.Session()\ns.get(u, ｖerify=0)\n", [(3, 10, "TLS101")]),
    "CERT_NONE spelled with a look-alike": (
        "import ssl\nctx = ssl.create_default_context()\nctx.ｃheck_hostname = False\n"
        "ctx.verify_mode = ssl.ＣERT_NONE\n", [(3, 1, "TLS103")]),
    "a weak protocol spelled with a look-alike": (
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_ＴLSv1)\n",
        [(2, 7, "TLS107"), (2, 22, "TLS501")]),
    "a wrapper flag spelled with a look-alike": (
        "def connect(host, ｖerify_ssl=False):\n    pass\n", [(1, 30, "TLS105")]),
    "a verify= that travels through a look-alike parameter": (
        "import requests\ndef fetch(u, ｖerify=True):\n    return requests.get(u, verify=verify)\n"
        "fetch(u, verify=False)\n", [(4, 10, "TLS101")]),
    # a string is not an identifier: Python passes the key "ｖerify" as written (a TypeError)
    "a dict key is not normalised": (
        "import requests\nrequests.get(u, **{'ｖerify': False})\n", []),
    # ... nor is a name given as a string: the session is left unconfigured (TLS401)
    "an attribute named by a string is not normalised": (
        "import requests\ns = requests.Session()\nsetattr(s, 'ｖerify', CA)\n",
        [(2, 5, "TLS401")]),
    "an attribute set by setattr": (
        "import requests\ns = requests.Session()\nsetattr(s, 'verify', CA)\n", []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lookalike_names_resolve_as_python_reads_them(name):
    source, expected = CASES[name]
    assert findings(source) == expected


def test_the_byte_screen_searches_a_lookalike_file_as_python_reads_it():
    lookalike, ascii_ = SPELLINGS["keyword"]
    assert screen(ascii_.encode(), ALL_RULES) == screen(lookalike.encode(), ALL_RULES)
    assert RULES_BY_CODE["TLS101"] in screen(lookalike.encode(), ALL_RULES)
    # in a file's own encoding too
    latin = "# -*- coding: latin-1 -*-\n# café\nimport requests\nrequests.get(u, verify=0)\n"
    assert lookalikes.respelled(latin.encode("latin-1")) is None
    assert RULES_BY_CODE["TLS101"] in screen(latin.encode("latin-1"), ALL_RULES)


@pytest.mark.parametrize("text, respelled", [
    ("requests.get(u, verify=False)\n", None),
    ("# café, naïve, 東京, “quotes”, …\nx = 1\n", None),  # nothing there spells ASCII
    ("ｖerify = 1\n", "verify = 1\n"),
    ("ﬁle = 1  # ﬁ is f, i\n", "file = 1  # fi is f, i\n"),
    ("x² = 1\n", "x2 = 1\n"),
])
def test_only_characters_that_read_as_ascii_send_a_file_past_the_byte_screen(text, respelled):
    assert lookalikes.respelled(text.encode()) == (
        respelled.encode() if respelled is not None else None)


def test_the_slicing_follows_a_name_spelled_with_lookalikes():
    # from 200 statements on, runs that name nothing a kept statement names are stubbed: the
    # kept call names ＯFF, which Python reads as the OFF bound among the filler
    filler = "".join(f"value_{i} = {i}\n" for i in range(250))
    source = ("import requests\n" + filler + "OFF = False\n" + filler.replace("value_", "more_")
              + "requests.get(u, verify=ＯFF)\n")
    line = source.count("\n")
    settings = Settings(enabled=ALL_CODES)
    whole = lint_source(source, "example.py", settings).diagnostics
    sliced = lint_source(source, "example.py", settings, sliced=True).diagnostics
    assert [(d.line, d.col, d.code) for d in sliced] == [(line, 17, "TLS101")]
    assert sliced == whole


# -- configuration: targets are read as Python reads them ------------------------------------

@pytest.mark.parametrize("text, stored", [
    ("ｃorp_tls:ＣA_BUNDLE", "corp_tls:CA_BUNDLE"),
    ("corp_tls:ｓettings.ＣA_BUNDLE", "corp_tls:settings.CA_BUNDLE"),
    ("corp:ｔrue", "corp:true"),  # `true` is no keyword
])
def test_a_target_is_stored_as_python_reads_it(text, stored):
    assert str(Target.parse(text)) == stored


@pytest.mark.parametrize("text", ["corp:Ｎone", "corp:Ｔrue", "ｉf:x", "corp:x.ｃlass",
                                  "ｆrom.x:y"])
def test_a_target_that_is_a_keyword_once_normalised_is_refused(text):
    with pytest.raises(ValueError, match=r"expected MODULE:NAME\[\.ATTR\.\.\.\] \(identifiers"):
        Target.parse(text)


def test_a_lookalike_keyword_target_is_a_one_line_config_error(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nca-bundle = "corp:Ｎone"\n')
    write(tmp_path, "app.py", "import requests\nrequests.get(u, verify=False)\n")
    result = run_cli("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"corptls-lint: error: {tmp_path / 'pyproject.toml'}: "
                             "[tool.corptls-lint]: 'ca-bundle': expected MODULE:NAME[.ATTR...] "
                             "(identifiers only), got 'corp:Ｎone'\n")
    assert result.stdout == ""
    assert (tmp_path / "app.py").read_text() == "import requests\nrequests.get(u, verify=False)\n"


def test_a_lookalike_target_is_written_in_ascii_by_the_fix(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.corptls-lint]\nca-bundle = "ｃorp_tls:ＣA_BUNDLE"\n')
    write(tmp_path, "app.py", "import requests\nrequests.get(u, verify=False)\n")
    result = run_cli("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "app.py").read_text() == (
        "import requests\nfrom corp_tls import CA_BUNDLE\n\nrequests.get(u, verify=CA_BUNDLE)\n")


# -- every rule's examples, a letter at a time -------------------------------------------------

FULLWIDTH = {chr(c): chr(c - ord("A") + 0xFF21) for c in range(ord("A"), ord("Z") + 1)}
FULLWIDTH.update({chr(c): chr(c - ord("a") + 0xFF41) for c in range(ord("a"), ord("z") + 1)})


def respellings(source):
    """`source` once per identifier token, with that token's last ASCII letter replaced by its
    fullwidth form (U+FF21.. for A-Z, U+FF41.. for a-z). Keywords stay: `ｄef` is a name, not
    `def`; True, False and None too (`Ｆalse` is False, tested above)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    for token in tokens:
        name = token.string
        if (token.type != tokenize.NAME or keyword.iskeyword(name) or keyword.issoftkeyword(name)
                or not any(char in FULLWIDTH for char in name)):
            continue
        at = max(i for i, char in enumerate(name) if char in FULLWIDTH)
        row, col = token.start
        line = lines[row - 1]
        changed = line[:col + at] + FULLWIDTH[name[at]] + line[col + at + 1:]
        yield "".join(lines[:row - 1] + [changed] + lines[row:])


EXAMPLES = [pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
            for rule in ALL_RULES for i, example in enumerate(rule.INVALID)]


@pytest.mark.parametrize("rule, example", EXAMPLES)
def test_a_fullwidth_letter_in_any_identifier_keeps_every_finding(rule, example):
    expected = findings(example.code)
    assert expected
    for source in respellings(example.code):
        assert source != example.code
        assert findings(source) == expected, source
        assert rule in screen(source.encode(), ALL_RULES), source


VALID = [pytest.param(rule, source, id=f"{rule.code}-valid-{i}")
         for rule in ALL_RULES for i, source in enumerate(rule.VALID)]


@pytest.mark.parametrize("rule, source", VALID)
def test_a_fullwidth_letter_in_any_identifier_of_a_valid_example_is_still_valid(rule, source):
    for respelled in respellings(source):
        assert [f for f in findings(respelled) if f[2] == rule.code] == [], respelled


def test_respellings_change_one_letter_of_each_name():
    assert list(respellings("import ssl\nx = ssl.CERT_NONE\n")) == [
        "import ssｌ\nx = ssl.CERT_NONE\n",
        "import ssl\nｘ = ssl.CERT_NONE\n",
        "import ssl\nx = ssｌ.CERT_NONE\n",
        "import ssl\nx = ssl.CERT_NONＥ\n",
    ]
