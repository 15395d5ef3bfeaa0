"""Issue 27, coverage round 5 (protocols): a weak version that reaches scrapy's version
settings through a parameter, reported where it is written: a test's parametrized case handed
to a method of its class (scrapy's own TLS version tests), a call site's literal, a branch.
Not the cases that reach only a server, another class's method of the same name, or nothing.
Exact (line, col, code) of each finding, whole and sliced (check mode parses only what the
shapes keep); TLS101's parametrized `verify=False` through a helper the same way."""

import textwrap

import pytest
from helpers import findings

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.rules import ALL_RULES
from corptls_lint.running.fixer import fix_text
from corptls_lint.screens import candidates

TARGETS = FixTargets(Target.parse("corp_tls:CA_BUNDLE"), Target.parse("corp_tls:make_session"),
                     Target.parse("corp_tls:ssl_context()", "ssl-context"))


def only(source, code="TLS501"):
    return [f for f in findings(source) if f[2] == code]


def sliced(source, code="TLS501"):
    result = lint_source(source, "example.py", Settings(enabled=(code,)), sliced=True)
    return [(d.line, d.col, d.code) for d in result.diagnostics]


def messages(source, code="TLS501"):
    result = lint_source(source, "example.py", Settings(enabled=(code,)))
    return [d.message for d in result.diagnostics]


# scrapy's tests/utils/bases/download_handlers_http.py, in short: the third case element is the
# client's minimum, which test_download hands to self.get_dh, which stores it in the settings
SCRAPY = textwrap.dedent("""\
    import pytest

    class TestHttpsTLSVersionBase:
        async def get_dh(self, client_tls_min, client_tls_max):
            settings = {}
            if client_tls_min is not None:
                settings["DOWNLOAD_TLS_MIN_VERSION"] = client_tls_min
            if client_tls_max is not None:
                settings["DOWNLOAD_TLS_MAX_VERSION"] = client_tls_max
            return get_crawler(DefaultSpider, settings_dict=settings)

        @pytest.mark.parametrize(
            ("server_tls_min", "server_tls_max", "client_tls_min", "client_tls_max", "ok"),
            [
                pytest.param(None, None, None, "TLSv1.2", True, id="client-max-tls1.2"),
                pytest.param(
                    None,
                    None,
                    "TLSv1.0",
                    None,
                    True,
                    id="client-min-tls1.0",
                ),
                pytest.param("TLSv1.0", None, "TLSv1.1", None, True, id="both-min-weak"),
                pytest.param("TLSv1.1", None, "TLSv1.2", None, True, id="server-only"),
            ],
        )
        async def test_download(
            self, server_tls_min, server_tls_max, client_tls_min, client_tls_max, ok
        ):
            with SimpleMockServer(tls_min_version=server_tls_min,
                                  tls_max_version=server_tls_max):
                dh = await self.get_dh(client_tls_min, client_tls_max)
    """)

CASES = [
    # the two hops: case -> test parameter -> self.get_dh(...) -> settings[...] = parameter;
    # the server's minimum (the first element) stays quiet
    (SCRAPY, [(19, 17), (24, 43)]),
    # one hop: the test stores its own parameter
    ("import pytest\n"
     "@pytest.mark.parametrize('version', ['TLSv1.1', 'TLSv1.3'])\n"
     "def test_spider(version):\n"
     "    run(settings_dict={'DOWNLOAD_TLS_MAX_VERSION': version})\n",
     [(2, 38)]),
    # a call site's literal, by position and by keyword, through a module function
    ("def crawl(url, minimum=None):\n"
     "    settings = {'DOWNLOAD_TLS_MIN_VERSION': minimum}\n"
     "    return run(url, settings)\n"
     "crawl(URL, 'TLSv1.0')\n"
     "crawl(URL, minimum='TLSv1.1')\n"
     "crawl(URL, minimum='TLSv1.2')\n",
     [(4, 12), (5, 20)]),
    # a branch binds the weak version
    ("def settings(legacy):\n"
     "    if legacy:\n"
     "        version = 'TLSv1.0'\n"
     "    else:\n"
     "        version = 'TLSv1.2'\n"
     "    return {'DOWNLOAD_TLS_MIN_VERSION': version}\n",
     [(3, 19)]),
    # another class's method of the same name: `self.handler` is the test class's own
    ("import pytest\n"
     "class Client:\n"
     "    def handler(self, minimum):\n"
     "        return build({'DOWNLOAD_TLS_MIN_VERSION': minimum})\n"
     "class TestServer:\n"
     "    def handler(self, minimum):\n"
     "        return serve(tls_min_version=minimum)\n"
     "    @pytest.mark.parametrize('minimum', ['TLSv1.0'])\n"
     "    def test_serve(self, minimum):\n"
     "        self.handler(minimum)\n",
     []),
    # a weak case the test passes to nothing that sets the version
    ("import pytest\n"
     "class TestVersions:\n"
     "    def handler(self, minimum, label):\n"
     "        return build({'DOWNLOAD_TLS_MIN_VERSION': minimum}, label)\n"
     "    @pytest.mark.parametrize('label', ['TLSv1.0'])\n"
     "    def test_label(self, label):\n"
     "        self.handler('TLSv1.2', label)\n",
     []),
]


@pytest.mark.parametrize("source, expected", CASES)
def test_weak_version_reaching_scrapy_settings(source, expected):
    assert only(source) == [(line, col, "TLS501") for line, col in expected]
    assert sliced(source) == [(line, col, "TLS501") for line, col in expected]


def test_the_finding_names_the_setting_and_the_method():
    assert messages(SCRAPY) == [
        "SSL/TLS protocol older than TLS 1.2 passed here reaches scrapy's "
        "DOWNLOAD_TLS_MIN_VERSION through get_dh()"] * 2
    assert messages(CASES[1][0]) == [
        "SSL/TLS protocol older than TLS 1.2 written here reaches scrapy's "
        "DOWNLOAD_TLS_MAX_VERSION"]


def test_only_a_weak_case_makes_the_file_a_candidate():
    rule = next(rule for rule in ALL_RULES if rule.code == "TLS501")
    assert candidates.screen(SCRAPY.encode(), [rule]) == [rule]
    strong = SCRAPY.replace("TLSv1.0", "TLSv1.2").replace("TLSv1.1", "TLSv1.3")
    assert candidates.screen(strong.encode(), [rule]) == []


# TLS101 the same way: a parametrized verify=False handed to a helper of the test class
VERIFY = textwrap.dedent("""\
    import pytest, requests

    class TestFetch:
        def fetch(self, url, verify):
            return requests.get(url, verify=verify)

        @pytest.mark.parametrize("verify", [True, False, "/etc/ca.pem"])
        def test_fetch(self, verify):
            assert self.fetch(URL, verify).ok
    """)


def test_a_parametrized_verify_false_passed_to_a_helper():
    assert only(VERIFY, "TLS101") == [(7, 47, "TLS101")]
    assert sliced(VERIFY, "TLS101") == [(7, 47, "TLS101")]
    assert messages(VERIFY, "TLS101") == [
        "verify=False written here reaches requests.get() through fetch(); pass the CA bundle "
        "instead"]


def test_the_parametrized_verify_false_is_fixed_where_it_is_written():
    settings = Settings(enabled=("TLS101",), targets=TARGETS)
    assert fix_text(VERIFY, "example.py", settings, True).text == textwrap.dedent("""\
        import pytest, requests

        from corp_tls import CA_BUNDLE

        class TestFetch:
            def fetch(self, url, verify):
                return requests.get(url, verify=verify)

            @pytest.mark.parametrize("verify", [True, CA_BUNDLE, "/etc/ca.pem"])
            def test_fetch(self, verify):
                assert self.fetch(URL, verify).ok
        """)


def test_cases_kept_under_a_name_count_too():
    source = ("import pytest\n"
              "CASES = [('TLSv1.2',), ('TLSv1.0',)]\n"
              "class TestVersions:\n"
              "    def handler(self, minimum):\n"
              "        return build({'DOWNLOAD_TLS_MIN_VERSION': minimum})\n"
              "    @pytest.mark.parametrize('minimum', CASES)\n"
              "    def test_download(self, minimum):\n"
              "        self.handler(minimum)\n")
    assert only(source) == sliced(source) == []  # a tuple case for one name: not the string
    source = source.replace("[('TLSv1.2',), ('TLSv1.0',)]", "['TLSv1.2', 'TLSv1.0']")
    assert only(source) == sliced(source) == [(2, 21, "TLS501")]


# urllib3's test_https.py, in short: a test base's client takes its subclass's server settings
URLLIB3 = textwrap.dedent("""\
    import ssl

    TLSv1_CERTS = DEFAULT_CERTS.copy()
    TLSv1_CERTS["ssl_version"] = getattr(ssl, "PROTOCOL_TLSv1", None)
    TLSv1_2_CERTS = DEFAULT_CERTS.copy()
    TLSv1_2_CERTS["ssl_version"] = getattr(ssl, "PROTOCOL_TLSv1_2", None)

    class BaseTestHTTPS(HTTPSHypercornDummyServerTestCase):
        def test_set_ssl_version_to_tls_version(self):
            with HTTPSConnectionPool(self.host, self.port, ca_certs=DEFAULT_CA) as https_pool:
                https_pool.ssl_version = ssl_version = self.certs["ssl_version"]
                https_pool.request("GET", "/")

    class TestHTTPS_TLSv1(BaseTestHTTPS):
        certs = TLSv1_CERTS

    class TestHTTPS_TLSv1_2(BaseTestHTTPS):
        certs = TLSv1_2_CERTS
    """)

TABLES = [
    (URLLIB3, [(11, 52)]),
    # only the strong table is bound by a subclass: nothing
    (URLLIB3.replace("    certs = TLSv1_CERTS\n", "    certs = TLSv1_2_CERTS\n"), []),
    # the weak table bound by a class of another base: not this base's settings
    (URLLIB3.replace("class TestHTTPS_TLSv1(BaseTestHTTPS)", "class TestHTTPS_TLSv1(Other)"),
     []),
    # a table read by its own name
    ("import ssl\n"
     "LEGACY = {}\n"
     "LEGACY['ssl_version'] = ssl.PROTOCOL_TLSv1_1\n"
     "LEGACY['label'] = 'old'\n"
     "def connect(pool):\n"
     "    pool.ssl_version = LEGACY['ssl_version']\n",
     [(6, 24)]),
    # another key, or another attribute, takes nothing weak
    ("import ssl\n"
     "LEGACY = {}\n"
     "LEGACY['ssl_version'] = ssl.PROTOCOL_TLSv1_1\n"
     "LEGACY['label'] = 'old'\n"
     "def connect(pool):\n"
     "    pool.ssl_version = LEGACY['label']\n"
     "    pool.name = LEGACY['ssl_version']\n",
     []),
    # a display's weak entry is reported where it is written (a table of choices), once
    ("import ssl\n"
     "LEGACY = {'ssl_version': ssl.PROTOCOL_TLSv1_1}\n"
     "def connect(pool):\n"
     "    pool.ssl_version = LEGACY['ssl_version']\n",
     [(2, 26)]),
]


@pytest.mark.parametrize("source, expected", TABLES)
def test_a_client_protocol_read_from_a_table_of_settings(source, expected):
    assert only(source) == [(line, col, "TLS501") for line, col in expected]
    assert sliced(source) == [(line, col, "TLS501") for line, col in expected]


def test_the_table_finding_names_the_table():
    assert messages(URLLIB3) == [
        "SSL/TLS protocol older than TLS 1.2 (from TLSv1_CERTS) configures this client"]
