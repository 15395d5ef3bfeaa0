"""The syntax screen and the slicing never change what is reported, only what libcst parses."""

import ast

import libcst as cst
import pytest
from conftest import FIXTURES

from corptls_lint.checking import byte_screen, engine
from corptls_lint.ftypes import Settings
from corptls_lint.rules import ALL_RULES, RULES_BY_CODE, client_options
from corptls_lint.screens import candidates, shapes, slicing

ALL_CODES = tuple(rule.code for rule in ALL_RULES)
EXAMPLES = [pytest.param(example.code, id=f"{rule.code}-invalid-{i}")
            for rule in ALL_RULES for i, example in enumerate(rule.INVALID)]
EXAMPLES += [pytest.param(source, id=f"{rule.code}-valid-{i}")
             for rule in ALL_RULES for i, source in enumerate(rule.VALID)]
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))


def unscreened(source: str):
    """Every rule on the whole file: no byte screen, no syntax screen, no slicing."""
    result = engine.lint_module(cst.parse_module(source), "example.py", ALL_RULES)
    return [(d.line, d.col, d.code) for d in result.diagnostics]


def screened(source: str, sliced: bool):
    result = engine.lint_source(source, "example.py", Settings(enabled=ALL_CODES), sliced=sliced)
    return [(d.line, d.col, d.code) for d in result.diagnostics]


@pytest.mark.parametrize("rule, example", [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
    for rule in ALL_RULES for i, example in enumerate(rule.INVALID)])
def test_every_invalid_example_passes_both_screens(rule, example):
    data = example.code.encode()
    assert rule in candidates.screen(data, byte_screen.screen(data, ALL_RULES))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_every_rule_reporting_in_a_fixture_passes_both_screens(path):
    data = path.read_bytes()
    kept = {rule.code for rule in candidates.screen(data, byte_screen.screen(data, ALL_RULES))}
    reported = {code for _, _, code in unscreened(path.read_text())}
    assert reported <= kept


@pytest.mark.parametrize("source", EXAMPLES)
def test_screens_and_slicing_report_exactly_what_the_whole_file_does(source):
    expected = unscreened(source)
    assert screened(source, sliced=False) == expected
    assert screened(source, sliced=True) == expected


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_sliced_fixtures_report_exactly_what_the_whole_file_does(path):
    source = path.read_text()
    assert screened(source, sliced=True) == unscreened(source)


def test_files_without_a_real_candidate_are_screened_out():
    quiet = [
        "import requests\nrequests.get(url, verify=True)\n",
        "import requests\nrequests.get(url, verify=settings.CA_BUNDLE)\n",
        "import requests\ns = requests.Session(verify=CA)\n",
        "import jwt\n# verify=False\nx = 'verify=False'\n",
        "# requests itself\nfrom .sessions import Session\ns = Session()\n",
        "import os\nbundle = os.environ.get('CURL_CA_BUNDLE')\n",
        # the calls pass what decides them (django.core.mail.backends.smtp)
        "import smtplib, ssl\nctx = ssl.SSLContext(protocol=ssl.PROTOCOL_TLS_CLIENT)\n"
        "conn = smtplib.SMTP(host)\nconn.starttls(context=ctx)\n",
        "import smtplib\nsmtplib.SMTP_SSL(host, context=CTX)\n",
        "import smtplib\nsmtplib.SMTP_SSL(host, **options)\n",
        "from ssl import PROTOCOL_TLS_SERVER as SERVER, SSLContext\nctx = SSLContext(SERVER)\n",
        # a protocol in a variable is followed (TLS107 reports PROTOCOL_TLS there), this one verifies
        "import ssl\nP = ssl.PROTOCOL_TLS_CLIENT\nctx = ssl.SSLContext(P)\n",
    ]
    for source in quiet:
        data = source.encode()
        assert byte_screen.screen(data, ALL_RULES), source  # the byte screen alone keeps them
        assert candidates.screen(data, ALL_RULES) == [], source


@pytest.mark.parametrize("source", [
    "import ssl\nctx = ssl.SSLContext()\n",
    "import ssl\nctx = ssl.SSLContext(*args)\n",  # a `*` may carry the protocol
    "import ssl as s\nctx = s.SSLContext(protocol=s.PROTOCOL_TLS)\n",
    "from ssl import PROTOCOL_TLS as CLIENT, SSLContext\nctx = SSLContext(CLIENT)\n",
    "import smtplib\ns = smtplib.SMTP(h)\ns.starttls(*a)\n",
    "import smtplib\ns = smtplib.SMTP(h)\ns.starttls(ssl_context=None)\n",
    "import poplib\np = poplib.POP3(h)\np.stls(ssl_context=CTX)\n",  # stls takes context=
    "import imaplib\nimaplib.IMAP4_SSL(h, context=CTX)\n",  # IMAP4_SSL takes ssl_context=
    "import smtplib\nsmtplib.SMTP_SSL(h, 465, None, None, None, 30, None)\n",
])
def test_a_call_that_may_lack_what_decides_it_is_a_candidate_and_is_reported(source):
    data = source.encode()
    kept = candidates.screen(data, ALL_RULES)
    assert kept and screened(source, sliced=True) == unscreened(source) != []


def test_a_name_counts_only_when_something_binds_it_to_a_matching_literal():
    data = b"import requests\nrequests.get(url, verify=verify)\n"
    assert candidates.screen(data, ALL_RULES) == []
    data = b"import requests\ndef f(verify=False):\n    requests.get(url, verify=verify)\n"
    # TLS105 takes `verify=` of boto3 and PyGithub calls
    assert [r.code for r in candidates.screen(data, ALL_RULES)] == ["TLS101", "TLS105"]


def test_a_file_ast_cannot_parse_goes_to_libcst(monkeypatch):
    def refuse(data, *args, **kwargs):
        raise SyntaxError("newer syntax than this Python")

    monkeypatch.setattr(candidates.ast, "parse", refuse)
    source = "import requests\nrequests.get(url, verify=False)\n"
    assert candidates.screen(source.encode(), ALL_RULES) == list(ALL_RULES)
    assert screened(source, sliced=True) == [(2, 19, "TLS101")]


def test_a_syntax_error_with_trigger_words_is_still_reported():
    result = engine.lint_source("import requests\nrequests.get(url, verify=False\n", "bad.py",
                                Settings(enabled=ALL_CODES), sliced=True)
    assert [(d.line, d.code) for d in result.diagnostics] == [(2, "TLS001")]


def test_stubs_keep_lines_names_and_kept_code():
    source = (
        "import requests\n"
        "@decorator(\n"
        "    1)\n"
        "def helper(x):\n"
        "    return x\n"
        "\n"
        "class Client:\n"
        "    def fetch(self):\n"
        "        return requests.get(u, verify=False)  # noqa: E501\n"
        "    async def close(self):\n"
        "        '''doc'''\n"
        "        return None\n"
        "    def one(self): return 1\n"
    )
    tree = ast.parse(source)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.keywords)
    assert slicing.stub_definitions(source, tree, [call]) == (
        "import requests\n"
        'def helper(): """\n'
        "\n"
        "\n"
        '"""\n'
        "\n"
        "class Client:\n"
        "    def fetch(self):\n"
        "        return requests.get(u, verify=False)  # noqa: E501\n"
        '    def close(): """\n'
        "\n"
        '"""\n'
        "    def one(): pass\n"
    )


def test_every_rule_declares_candidates_from_its_own_data():
    for rule in ALL_RULES:
        assert rule.candidates, rule.code
    names = shapes.names_in(shapes.all_shapes(ALL_RULES))
    assert {"verify", "Session", "AsyncClient", "disable_warnings", "filterwarnings",
            "_create_unverified_context", "check_hostname", "verify_mode", "environ",
            "putenv", "cert_reqs", "load_verify_locations"} <= names


def test_positions_from_single_statements_match_the_whole_module():
    source = (
        "# header comment\n"
        "import requests; import ssl\n"
        "\n"
        "# leading comment\n"
        "@decorator\n"
        "\n"
        "# between decorators\n"
        "@client.get(\n"
        "    verify=False)\n"
        "class Api:\n"
        "    def go(self):\n"
        "        self.s.get(u, verify=False); ssl._create_unverified_context()\n"
        "if True:\n"
        "    requests.get(u,\n"
        "                 verify='')\n"
        "s = requests.Session()\n"
    )
    expected = unscreened(source)
    assert expected == [(9, 5, "TLS101"), (12, 23, "TLS101"), (12, 38, "TLS103"),
                        (15, 18, "TLS101"), (16, 5, "TLS401")]
    assert screened(source, sliced=True) == expected
    assert screened(source, sliced=False) == expected


def test_positions_from_the_innermost_definition_match_the_whole_module():
    source = (
        "import requests, ssl\n"
        "class Api:\n"
        "\tdef one(self):\n"
        "\t\tpass\n"
        "\n"
        "\t# a comment before a decorated method\n"
        "\t@property\n"
        "\tdef two(self):\n"
        "\t\tdef inner():\n"
        "\t\t\treturn requests.get(u, verify=False)\n"
        "\t\treturn inner\n"
        "\tif DEBUG:\n"
        "\t\tdef three(self): requests.get(u, verify=0)\n"
        "\tasync def four(self):\n"
        "\t\tmatch x:\n"
        "\t\t\tcase 1:\n"
        "\t\t\t\tctx = ssl._create_unverified_context()\n"
        "def five(): a = 1; requests.get(u,\n"
        "    verify='')\n"
    )
    expected = unscreened(source)
    assert expected == [(10, 27, "TLS101"), (13, 36, "TLS101"), (17, 11, "TLS103"),
                        (19, 5, "TLS101")]
    assert screened(source, sliced=True) == expected
    assert screened(source, sliced=False) == expected


@pytest.mark.parametrize("source, found, code", [
    # a falsy write that reaches no sink does not make `verify=name` a candidate
    ("import requests\ncount = 0\nrequests.get(u, verify=verify)\n", False, "TLS101"),
    ("import requests\nv = False\nw = v\nrequests.get(u, verify=w)\n", True, "TLS101"),
    ("import requests\nclass A:\n    _v = False\n    def f(self):\n"
     "        requests.get(u, verify=self._v)\n", True, "TLS101"),
    ("import requests\ndef f(o):\n    v = o.get('verify', False)\n"
     "    requests.get(u, verify=v)\n", True, "TLS101"),
    ("import requests\nkw = {}\nkw['verify'] = False\nrequests.get(u, **kw)\n", True, "TLS101"),
    ("import requests\nkw = {}\nkw['timeout'] = 0\nrequests.get(u, **kw)\n", False, "TLS101"),
    # a computed dict key counts only when a name holds the key
    ("import urllib3\nd = {name: value}\nurllib3.PoolManager(**d)\n", False, "TLS103"),
    ("import urllib3\nK = 'cert_reqs'\nd = {K: 'CERT_NONE'}\nurllib3.PoolManager(**d)\n",
     True, "TLS103"),
    ("import ssl\nctx.verify_mode = NONE\n", False, "TLS103"),
    ("from ssl import CERT_NONE as NONE\nctx.verify_mode = NONE\n", True, "TLS103"),
])
def test_only_writes_connected_to_a_sink_make_a_candidate(source, found, code):
    rule = next(rule for rule in ALL_RULES if rule.code == code)
    assert (candidates.screen(source.encode(), [rule]) == [rule]) is found


@pytest.mark.parametrize("text, counts", [
    (b"get(u, verify=False)", True),
    (b"s.verify = 0", True),
    (b"get(u, verify \\\n    = x)", True),
    (b"get(u, verify  # why\n    = False)", True),
    (b"get(u, **{\"verify\": False})", True),
    (b"KEY = 'verify'", True),
    (b"if s.verify == False:", False),
    (b"def verify(self, token):", False),
    (b"# verify the certificate", False),
    (b"connect(host, hostkey_verify=False)", False),
    (b"get(u, verify=True)", False),  # neither True nor None can disable verification
    (b"get(u, verify = \\\n    None)", False),
    (b"get(u, verify=Trueish)", True),
    # in a comment: the line before it holds a `#` and no quote
    (b"x = 1  # get(u, verify=False) would do", False),
    (b"a = 1\r# verify=False, with CR line ends", False),
    (b"get(u,  # a note\n    verify=False)", True),
    (b"url = 'https://h/#top'; get(url, verify=False)", True),  # that `#` may be in a string
    (b'"""doc\n# a """; get(u, verify=False)', True),  # ... and is: the string ends before
    # a comment in the gap runs to the end of its line: an `=` inside it is not the store's
    (b"import salt.utils.verify\n# a = b\nx = 1\n", False),
    (b"get(u, verify  # why = because\n    = False)", True),
    # a gap longer than the screen looks (256 bytes) counts: it cannot be ruled out
    (b"get(u, verify" + b" " * 300 + b"= False)", True),
    (b"get(u, verify" + b" " * 300 + b")", True),
    (b"x = s.verify" + b" " * 100 + b"\n", False),
])
def test_the_word_verify_counts_only_where_it_is_assigned_or_quoted(text, counts):
    from corptls_lint.rules.verify_disabled import VerifyDisabled

    assert (byte_screen.screen(text, [VerifyDisabled]) == [VerifyDisabled]) is counts


@pytest.mark.parametrize("text, counts", [
    # thousands of occurrences on one line, in a comment or a string: each is looked at within
    # a window, and a comment only ends at the end of its line (these took minutes)
    (b"x = 1  " + b"# verify " * 20000 + b"\n", False),
    (b"s = '" + b"verify #" * 20000 + b"'\n", True),  # the quote: the screen cannot rule it out
    (b"#verify=1\n" * 20000, False),
])
def test_the_screen_reads_long_lines_of_occurrences_once(text, counts):
    from corptls_lint.rules.verify_disabled import VerifyDisabled

    assert (byte_screen.screen(text, [VerifyDisabled]) == [VerifyDisabled]) is counts


def test_a_comment_in_a_gap_ends_only_at_the_end_of_its_line():
    from corptls_lint.screens import byte_patterns

    gap = byte_patterns._GAP_RE
    assert gap.match(b"  # a = b\n  = x").end() == len(b"  # a = b\n  ")
    assert gap.match(b" # a\r\n# b\r=").end() == len(b" # a\r\n# b\r")
    assert gap.match(b" \\\n  # c", 0, 6).end() == 6  # a window ends a comment too


def test_a_rule_without_declared_candidates_is_never_screened_or_sliced_away():
    from corptls_lint.rules.verify_disabled import VerifyDisabled

    class Undeclared(VerifyDisabled):
        code = "TLS999"
        candidates = ()

    source = "import requests\ndef f():\n    requests.get(u, verify=False)\n"
    data = source.encode()
    assert candidates.screen(data, [Undeclared]) == [Undeclared]
    result = engine.lint_module(cst.parse_module(source), "x.py", [Undeclared])
    assert [(d.line, d.code) for d in result.diagnostics] == [(3, "TLS999")]
    facts = candidates.FileFacts(ast.parse(source))
    assert facts.screen([Undeclared]) == [Undeclared] and facts.locations([Undeclared]) == []
    import unittest.mock

    with unittest.mock.patch.object(engine, "rules_for", return_value=[Undeclared]):
        sliced = engine.lint_source(source, "x.py", Settings(enabled=("TLS999",)), sliced=True)
    assert [(d.line, d.code) for d in sliced.diagnostics] == [(3, "TLS999")]


@pytest.mark.parametrize("code, text, counts", [
    ("TLS107", b"import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS)", True),
    ("TLS107", b"from ssl import SSLContext as Context", True),
    ("TLS107", b"from ssl import SSLContext\nctx = SSLContext \\\n    ()", True),
    ("TLS107", b"import ssl\nassert isinstance(ctx, ssl.SSLContext)", False),
    ("TLS103", b"import ssl\nctx.check_hostname = False", True),
    ("TLS103", b"import ssl\nif ctx.check_hostname == False: pass", False),
    ("TLS103", b"aiohttp.get(u, verify_ssl=False)", True),
    ("TLS501", b"ctx.minimum_version = ssl.TLSVersion.TLSv1", True),
    ("TLS501", b"ctx.minimum_version \\\n    = TLSVersion.TLSv1", True),
    ("TLS501", b"ctx.minimum_version: ssl.TLSVersion = v", True),
    ("TLS501", b"@utils.minimum_version('1.25')\ndef prune(self): ...", False),
    # a weak TLSVersion member is a trigger word (a table of them is a finding): the bytes
    # keep this comparison, the rule (not the screens) leaves it unreported
    ("TLS501", b"if ctx.minimum_version == ssl.TLSVersion.TLSv1: warn()", True),
    ("TLS501", b"if ctx.minimum_version == ssl.TLSVersion.MAXIMUM_SUPPORTED: warn()", False),
    ("TLS501", b"from ..utils import minimum_version", False),
    ("TLS501", b"import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)", True),
])
def test_trigger_words_count_only_in_the_shapes_their_rule_reports(code, text, counts):
    rule = next(rule for rule in ALL_RULES if rule.code == code)
    assert (byte_screen.screen(text, [rule]) == [rule]) is counts


def test_bytes_the_runner_screened_are_not_searched_again():
    source = b"import requests\nrequests.get(u, verify=False)\n"
    settings = Settings(enabled=ALL_CODES)
    assert [d.code for d in engine.lint_source(source, "a.py", settings).diagnostics] == ["TLS101"]
    # the runner's screen kept no rule: the worker takes its word for it
    assert engine.lint_source(source, "a.py", settings, screened=()).diagnostics == []
    kept = engine.lint_source(source, "a.py", settings, screened=("TLS101",)).diagnostics
    assert [(d.line, d.col, d.code) for d in kept] == [(2, 17, "TLS101")]


@pytest.mark.parametrize("source, found", [
    ("import os\nsettings.update(REQUESTS_CA_BUNDLE='/etc/corp.pem')\n", False),
    ("import os\nos.environ.update(REQUESTS_CA_BUNDLE='/etc/corp.pem')\n", True),
    ("from os import environ as env\nenv.setdefault('SSL_CERT_FILE', '/etc/corp.pem')\n", True),
    ("from os import putenv\nputenv('SSL_CERT_FILE', '/etc/corp.pem')\n", True),
])
def test_only_methods_of_the_environment_are_environment_writes(source, found):
    rule = next(rule for rule in ALL_RULES if rule.code == "TLS302")
    assert (candidates.screen(source.encode(), [rule]) == [rule]) is found
    assert bool(screened(source, sliced=True)) is found


CHAIN = "+".join(["1"] * 1500)


@pytest.mark.parametrize("source, expected", [
    # the deep statement holds no candidate and binds nothing the finding uses: stubbed out
    (f"import requests\nx = {CHAIN}\nrequests.get(u, verify=False)\n", [(3, 17, "TLS101")]),
    (f"import requests\ndef f():\n    return {CHAIN}\nrequests.get(u, verify=False)\n",
     [(4, 17, "TLS101")]),
    # it binds a name the finding's statement uses, or holds the finding: too complex
    (f"import requests\nV = {CHAIN}\nrequests.get(V, verify=False)\n", [(1, 1, "TLS001")]),
    (f"import requests\nrequests.get({CHAIN}, verify=False)\n", [(1, 1, "TLS001")]),
])
def test_a_statement_nested_too_deep_is_stubbed_when_nothing_depends_on_it(source, expected):
    assert screened(source, sliced=True) == expected
    assert [(d.line, d.col, d.code) for d in engine.lint_source(
        source, "example.py", Settings(enabled=ALL_CODES)).diagnostics] == [(1, 1, "TLS001")]


@pytest.mark.parametrize("source, found", [
    ("TRACING = {'exporter': 'otlp', 'insecure': True}\n", False),
    ("from django.contrib.staticfiles.views import serve\nserve(r, p, insecure=True)\n", False),
    ("import keystoneauth1\nsession(insecure=True)\n", True),
    ("import requests\nwrapper(skip_tls_verify=True)\n", True),
    ("wrapper(skip_tls_verify=True)\n", True),  # an unambiguous flag needs no client import
])
def test_the_ambiguous_insecure_flag_is_a_candidate_only_beside_a_tls_client(source, found):
    rule = next(rule for rule in ALL_RULES if rule.code == "TLS105")
    assert (candidates.screen(source.encode(), [rule]) == [rule]) is found


@pytest.mark.parametrize("text, counts", [
    (b"import tornado\nHTTPRequest(u, validate_cert=True)", False),
    (b"import tornado\nHTTPRequest(u, validate_cert=False)", True),
    (b"import keystoneauth1\nsession(insecure=True)", True),  # True is the insecure value here
    (b"import keystoneauth1\nsession(insecure=None)", True),
])
def test_a_client_option_set_to_true_counts_only_where_true_can_be_insecure(text, counts):
    rule = next(rule for rule in ALL_RULES if rule.code == "TLS105")
    assert (byte_screen.screen(text, [rule]) == [rule]) is counts


# Shapes whose trigger word sits in the value or key rather than the name: the word that lets
# the file through the byte screen is elsewhere in the same statement.
_WORD_ELSEWHERE = {
    ("TLS103", "_create_default_https_context"),  # = ssl._create_unverified_context
    ("TLS103", "kwargs"), ("TLS103", "kw"), ("TLS103", "pool_kwargs"),
    ("TLS103", "connection_pool_kw"),  # [\"cert_reqs\"] = ...
    ("TLS105", "setopt"),  # (pycurl.SSL_VERIFYPEER, 0)
    ("TLS105", "Tls"), ("TLS105", "Server"), ("TLS105", "Connection"),  # import ldap3
    ("TLS105", "start_tls"), ("TLS105", "validate"),
    ("TLS301", "setopt"),  # (pycurl.CAINFO, path)
    ("TLS301", "Tls"),  # import ldap3
    ("TLS301", "ca_cert"),  # TLSConfig(ca_cert=...)
    ("TLS201", "filterwarnings"), ("TLS201", "simplefilter"),  # InsecureRequestWarning
    # from_url("rediss://h?ssl_cert_reqs=none"): the option word is in the connection string
    *(("TLS105", name) for name in client_options.CONNECTION_STRING_CALLS.names),
    *(("TLS105", name) for name in client_options.clients.REDIS_URL_CALLEES),
    ("TLS103", "validate"),  # =ssl.CERT_NONE (a parameter's default: the value is the word)
    *(("TLS105", name) for name in client_options.clients.STRING_SETTINGS),
    ("TLS501", "setattr"), ("TLS501", "getattr"),  # (ctx, "minimum_version"), (ssl, "PROTOCOL_TLSv1")
    ("TLS501", "SSLAdapter"),  # ("SSLv3"), ("TLSv1")
    *(("TLS501", name) for name in ("DOWNLOADER_CLIENT_TLS_METHOD", "DOWNLOAD_TLS_MAX_VERSION",
                                    "DOWNLOAD_TLS_MIN_VERSION")),  # = "TLSv1.0"
}


@pytest.mark.parametrize("rule", [rule for rule in ALL_RULES if len(rule.triggers) == 1],
                         ids=lambda rule: rule.code)
def test_every_name_a_rule_screens_for_holds_one_of_its_trigger_words(rule):
    words = rule.triggers[0]
    for shape in rule.candidates:
        for name in shapes.names_in([shape]):
            if rule.code == "TLS402" or (rule.code, name) in _WORD_ELSEWHERE:
                continue  # TLS402: the verbs of a module named requests or httpx
            assert any(word in name.encode() for word in words), (rule.code, shape, name)


def test_assert_hostname_alone_reaches_the_rule():
    source = "import urllib3\nurllib3.PoolManager(assert_hostname=False)\n"
    assert screened(source, sliced=True) == [(2, 21, "TLS103")]


def test_the_byte_screen_finds_exactly_the_trigger_words_each_text_holds():
    # the forest (words under the words they contain, rare shared fragments such as `SSL`,
    # in any case or as spelled, searched first) must answer as one search per word would,
    # on texts that hold a word, only its fragment, a word inside another, or words in
    # another case
    from corptls_lint.rules import ALL_RULES

    words = {word for rule in ALL_RULES for group in rule.triggers for word in group}
    forest = byte_screen._word_forest(words)
    assert any(not node.is_trigger for node in forest)  # a fragment stands for several
    assert any(node.lowered for node in forest)  # ... in any case
    texts = [b"", b"SSL TLS cert verif", b"import ssl\nctx = ssl.SSLContext()\n",
             b"smtplib.SMTP_SSL(host)", b"x.verify_mode = CERT_NONE", b"ca_certs=CA",
             b"ftplib.FTP_TLS()", b"validate_certs=False", b"PROTOCOL_TLSv1_1",
             b"TLS_SET TLSINSECURE Verify CERT_reqs StartTLS", b"SSL_verify tls"]
    texts += [word for word in words] + [b"_".join(sorted(words))]
    texts += [word.upper() for word in words] + [word.lower() for word in words]
    for text in texts:
        found = set()
        byte_screen._search(forest, text, found)
        assert found == {word for word in words if word in text}, text


def _kept_statements(text, location_lines, search):
    tree = ast.parse(text)
    spans = [(slicing.first_line(node), node.end_lineno) for node in tree.body]
    pieces = slicing._LINE_BREAK.split(text)
    kept = [isinstance(node, (ast.Import, ast.ImportFrom))
            or slicing.holds_line(location_lines, *span)
            for node, span in zip(tree.body, spans)]
    if search:
        done = slicing._keep_naming_statements(kept, spans, pieces[::2], pieces, text)
    else:
        slicing._keep_naming_statements_indexed(kept, spans, pieces[::2])
        done = True
    return kept, done


def _generated_module(rng):
    names = [f"v{i}" for i in range(60)]
    parts = []
    for _ in range(rng.randint(30, 260)):
        kind, a, b = rng.random(), rng.choice(names), rng.choice(names)
        parts.append(
            f"{a} = {b}; {b}x = 9 or {a}" if kind < 0.2 else  # two statements, one line
            f"@{a}\ndef {b}_f():\n    return {a}  # {b}" if kind < 0.3 else
            f"x_{a} = '{b}'" if kind < 0.4 else f"import {a}" if kind < 0.45 else
            f"{a} = (\n  {b} +\n  1)" if kind < 0.55 else f"{a} = {b} + 1")
    newline = rng.choice(["\n", "\r\n", "\r"])
    return newline.join(part.replace("\n", newline) for part in parts) + newline


@pytest.mark.parametrize("alternatives", [0, 1000])
def test_searching_the_text_for_names_keeps_what_the_full_word_index_keeps(alternatives,
                                                                          monkeypatch):
    # both searches: the identifiers read once (any round of more than 0 names) and one
    # regular expression of the names a round (rounds of up to 1000 names)
    import random

    monkeypatch.setattr(slicing, "_ALTERNATIVES", alternatives)

    rng = random.Random(11)
    searched = fell_back = 0
    for _ in range(80):
        text = _generated_module(rng)
        lines = sorted(rng.sample(range(1, len(text.splitlines()) + 1), rng.choice([1, 2, 3])))
        expected, _ = _kept_statements(text, lines, search=False)
        kept, done = _kept_statements(text, lines, search=True)
        if done:
            searched += 1
            assert kept == expected, text
        else:  # a chain longer than the rounds allow: the caller builds the index instead
            fell_back += 1
            tree = ast.parse(text)
            assert kept == [isinstance(node, (ast.Import, ast.ImportFrom)) or
                            slicing.holds_line(lines, slicing.first_line(node),
                                                   node.end_lineno) for node in tree.body]
    assert searched > 60 and fell_back > 0


@pytest.mark.parametrize("code, text, counts", [
    # a bound's store to an attribute (or a name in quotes, for setattr) ...
    ("TLS501", b"ctx.minimum_version = v\n", True),
    ("TLS501", b"ctx . \\\n    maximum_version: TLSVersion = v\n", True),
    ("TLS501", b"setattr(ctx, 'minimum_version', v)\n", True),
    # ... not a variable of that name (salt's `minimum_version = opts.get(...)`)
    ("TLS501", b"minimum_version = opts.get('minimum_auth_version', 0)\n", False),
    # curl's setopt as a call, not a variable named setopt (yum's options)
    ("TLS301", b"c.setopt(pycurl.CAINFO, '/etc/ca.pem')\n", True),
    ("TLS301", b"setopt = kwargs.pop('setopt', None)\n", False),
])
def test_the_byte_screen_keeps_only_the_shapes_of_a_stored_bound_and_a_setopt_call(
        code, text, counts):
    rule = RULES_BY_CODE[code]
    assert (byte_screen.screen(text, [rule]) == [rule]) is counts


def test_a_parameter_a_parametrized_case_gives_keeps_its_functions_in_the_slice():
    # the weak case reaches the setting through the class's own method: both functions kept
    source = ("import pytest\n"
              "class TestVersions:\n"
              "    def handler(self, minimum):\n"
              "        settings = {}\n"
              "        settings['DOWNLOAD_TLS_MIN_VERSION'] = minimum\n"
              "        return build(settings)\n"
              "    def unrelated(self):\n"
              "        return 1\n"
              "    @pytest.mark.parametrize('minimum', ['TLSv1.1'])\n"
              "    def test_download(self, minimum):\n"
              "        self.handler(minimum)\n")
    tree = candidates.parse(source.encode())
    assert tree is not None
    rule = RULES_BY_CODE["TLS501"]
    facts = candidates.FileFacts(tree, source.encode())
    lines = sorted({node.lineno for node in facts.locations([rule])})
    assert lines == [5, 9, 11]
    stubbed = slicing.stub_definitions(source, tree, facts.locations([rule]))
    assert stubbed is not None and "return 1" not in stubbed and "self.handler(minimum)" in stubbed
    assert screened(source, sliced=True) == unscreened(source) == [(9, 42, "TLS501")]
