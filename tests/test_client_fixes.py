"""Each client's fixes, as exact before/after text, then run against the installed client.

The fixed module is imported in a new interpreter beside the trust module `init` writes (as
`corp_tls`), with `warnings.simplefilter("error", DeprecationWarning)`, and each of its
`case_*` functions is called: the clients and connectors are constructed, nothing touches the
network. aiohttp's requests are stopped by a client middleware before they connect; the
standard library's clients, which connect in their constructors, are replaced by
`unittest.mock.create_autospec` of themselves, which checks every call's arguments against
the installed Python's signatures. A test is skipped only when its client is not installed.
Each client also has a control: the code before the fix (or the fix as it was) fails the
same run, so the run can tell.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import ALL_CODES

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Applicability, FixTargets, Settings, Target
from corptls_lint.running.fixer import fix_text

TEMPLATE = (Path(__file__).resolve().parent.parent / "src/corptls_lint/adoption/trust_module.py")
CA_BUNDLE = Target.parse("corp_tls:CA_BUNDLE")
FACTORY = Target.parse("corp_tls:make_session", "session-factory")
CONTEXT = Target.parse("corp_tls:ssl_context()", "ssl-context")
ALL_THREE = FixTargets(CA_BUNDLE, FACTORY, CONTEXT)
BUNDLE_ONLY = FixTargets(ca_bundle=CA_BUNDLE)
TRUST_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "SSL_CERT_DIR")

# argv: the folder holding the module, its name, then the callables to replace by an autospec
# of themselves ("smtplib.SMTP_SSL"), before the module is imported.
RUNNER = r"""
import asyncio, importlib, inspect, sys, warnings
from unittest import mock

folder, name, specced = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, folder)
for dotted in specced:
    owner, attribute = dotted.rsplit(".", 1)
    holder = importlib.import_module(owner)
    setattr(holder, attribute, mock.create_autospec(getattr(holder, attribute)))
warnings.simplefilter("error", DeprecationWarning)
module = importlib.import_module(name)
cases = sorted(case for case in vars(module) if case.startswith("case_"))
for case in cases:
    result = getattr(module, case)()
    if inspect.iscoroutine(result):
        asyncio.run(result)
print("ran", len(cases), "cases")
"""


def fixed(source, targets, unsafe=False):
    settings = Settings(enabled=ALL_CODES, targets=targets)
    return fix_text(textwrap.dedent(source), "example.py", settings, unsafe).text


def run(tmp_path, text, *specced):
    """Import `text` as a module beside the trust module and call its cases; the process."""
    shutil.copyfile(TEMPLATE, tmp_path / "corp_tls.py")
    (tmp_path / "fixed_module.py").write_text(text)
    certifi = pytest.importorskip("certifi")
    env = {key: value for key, value in os.environ.items() if key not in TRUST_VARIABLES}
    env["REQUESTS_CA_BUNDLE"] = certifi.where()  # a bundle file, whatever the machine has
    return subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path), "fixed_module",
                           *specced], capture_output=True, text=True, env=env, timeout=120)


def assert_runs(tmp_path, text, cases, *specced):
    process = run(tmp_path, text, *specced)
    assert (process.returncode, process.stderr) == (0, "")
    assert process.stdout == f"ran {cases} cases\n"


def assert_fails(tmp_path, text, error, *specced):
    process = run(tmp_path, text, *specced)
    assert process.returncode == 1
    assert process.stderr.splitlines()[-1].startswith(error), process.stderr


# -- httpx: verify= takes an SSL context; a path string is deprecated since 0.28 --------------
HTTPX_BEFORE = """\
    import httpx


    def case_clients():
        httpx.Client(verify=False).close()
        httpx.Client(verify="/etc/ssl/corp.pem").close()
        httpx.Client(timeout=3).close()


    async def case_async_client():
        async with httpx.AsyncClient() as client:
            pass


    def case_transport_and_context():
        httpx.HTTPTransport(verify=False).close()
        httpx.create_ssl_context(verify="/etc/ssl/corp.pem")
    """


def test_httpx_gets_the_configured_context(tmp_path):
    pytest.importorskip("httpx")
    after = fixed(HTTPX_BEFORE, ALL_THREE)
    assert after == textwrap.dedent("""\
        import httpx

        from corp_tls import ssl_context


        def case_clients():
            httpx.Client(verify=ssl_context()).close()
            httpx.Client(verify=ssl_context()).close()
            httpx.Client(timeout=3, verify=ssl_context()).close()


        async def case_async_client():
            async with httpx.AsyncClient(verify=ssl_context()) as client:
                pass


        def case_transport_and_context():
            httpx.HTTPTransport(verify=ssl_context()).close()
            httpx.create_ssl_context(verify=ssl_context())
        """)
    assert_runs(tmp_path, after, 3)


def test_httpx_without_a_context_gets_one_made_from_the_bundle(tmp_path):
    pytest.importorskip("httpx")
    after = fixed(HTTPX_BEFORE, BUNDLE_ONLY)
    assert after == textwrap.dedent("""\
        from ssl import create_default_context

        import httpx

        from corp_tls import CA_BUNDLE


        def case_clients():
            httpx.Client(verify=create_default_context(cafile=CA_BUNDLE)).close()
            httpx.Client(verify=create_default_context(cafile=CA_BUNDLE)).close()
            httpx.Client(timeout=3, verify=create_default_context(cafile=CA_BUNDLE)).close()


        async def case_async_client():
            async with httpx.AsyncClient(verify=create_default_context(cafile=CA_BUNDLE)) as client:
                pass


        def case_transport_and_context():
            httpx.HTTPTransport(verify=create_default_context(cafile=CA_BUNDLE)).close()
            httpx.create_ssl_context(verify=create_default_context(cafile=CA_BUNDLE))
        """)
    assert_runs(tmp_path, after, 3)


def test_httpx_reuses_an_imported_ssl_and_the_fix_names_both_imports():
    source = "import httpx\nimport ssl\nhttpx.get(url, verify=False)\n"
    assert fixed(source, BUNDLE_ONLY) == (
        "import httpx\nimport ssl\n\nfrom corp_tls import CA_BUNDLE\n\n"
        "httpx.get(url, verify=ssl.create_default_context(cafile=CA_BUNDLE))\n")
    [finding] = lint_source("import httpx\nhttpx.get(url, verify=False)\n", "example.py",
                            Settings(enabled=("TLS101",), targets=BUNDLE_ONLY)).diagnostics
    assert finding.fix is not None
    assert finding.fix.replacement == "create_default_context(cafile=CA_BUNDLE)"
    assert finding.fix.import_statement == (
        "from ssl import create_default_context\nfrom corp_tls import CA_BUNDLE")


def test_httpx_control_a_path_for_verify_fails_the_run(tmp_path):
    pytest.importorskip("httpx")
    # what the fix wrote before: the configured bundle, a path
    before = ("import httpx\nfrom corp_tls import CA_BUNDLE\n\n"
              "def case_client():\n    httpx.Client(verify=CA_BUNDLE).close()\n")
    assert_fails(tmp_path, before, "DeprecationWarning: `verify=<str>` is deprecated")


# -- aiohttp: ssl= takes the context; verify_ssl= is deprecated -------------------------------
AIOHTTP_BEFORE = """\
    import aiohttp


    class Stop(Exception):
        pass


    async def stop(request, handler):
        raise Stop


    async def case_connector():
        connector = aiohttp.TCPConnector(verify_ssl=False, limit=10)
        await connector.close()


    async def case_shared_connector():
        connector = aiohttp.TCPConnector(ssl=False)
        async with aiohttp.ClientSession(connector=connector, connector_owner=False):
            pass
        await connector.close()


    async def case_requests():
        async with aiohttp.ClientSession(middlewares=(stop,)) as session:
            for flag in (1, 2):
                try:
                    if flag == 1:
                        await session.get("https://example.invalid/", ssl=False)
                    else:
                        await session.get("https://example.invalid/", verify_ssl=False)
                except Stop:
                    pass
    """


def test_aiohttp_connectors_and_requests_get_ssl_context(tmp_path):
    pytest.importorskip("aiohttp")
    after = fixed(AIOHTTP_BEFORE, ALL_THREE)
    assert after == textwrap.dedent("""\
        import aiohttp

        from corp_tls import ssl_context


        class Stop(Exception):
            pass


        async def stop(request, handler):
            raise Stop


        async def case_connector():
            connector = aiohttp.TCPConnector(ssl=ssl_context(), limit=10)
            await connector.close()


        async def case_shared_connector():
            connector = aiohttp.TCPConnector(ssl=ssl_context())
            async with aiohttp.ClientSession(connector=connector, connector_owner=False):
                pass
            await connector.close()


        async def case_requests():
            async with aiohttp.ClientSession(middlewares=(stop,)) as session:
                for flag in (1, 2):
                    try:
                        if flag == 1:
                            await session.get("https://example.invalid/", ssl=ssl_context())
                        else:
                            await session.get("https://example.invalid/", ssl=ssl_context())
                    except Stop:
                        pass
        """)
    assert_runs(tmp_path, after, 3)


def test_aiohttp_control_verify_ssl_fails_the_run(tmp_path):
    pytest.importorskip("aiohttp")
    assert_fails(tmp_path, textwrap.dedent(AIOHTTP_BEFORE),
                 "DeprecationWarning: verify_ssl is deprecated")


def test_aiohttp_verify_ssl_with_kwargs_is_unsafe_and_beside_ssl_false_goes():
    source = "import aiohttp\nconn = aiohttp.TCPConnector(verify_ssl=False, **options)\n"
    assert fixed(source, ALL_THREE) == source
    assert fixed(source, ALL_THREE, unsafe=True) == (
        "import aiohttp\n\nfrom corp_tls import ssl_context\n\n"
        "conn = aiohttp.TCPConnector(ssl=ssl_context(), **options)\n")
    both = "async def f(s):\n    await s.get(url, verify_ssl=False, ssl=0)\n"
    assert fixed(both, ALL_THREE) == (
        "from corp_tls import ssl_context\n\n\n"
        "async def f(s):\n    await s.get(url, ssl=ssl_context())\n")
    # an ssl= that is a context already: which trust was meant is for a person
    mine = "import aiohttp\naiohttp.TCPConnector(verify_ssl=False, ssl=mine)\n"
    assert fixed(mine, ALL_THREE, unsafe=True) == mine


# -- urllib3 pools: ssl_context=, else ca_certs= ---------------------------------------------
URLLIB3_BEFORE = """\
    import ssl
    import urllib3


    def case_pools():
        pool = urllib3.PoolManager(cert_reqs="CERT_NONE")
        connect(pool.connection_from_url("https://example.invalid/"))
        urllib3.PoolManager(cert_reqs=ssl.CERT_NONE, assert_hostname=False)
        urllib3.ProxyManager("http://proxy.example.invalid:3128", cert_reqs="CERT_NONE")
        urllib3.connection_from_url("https://example.invalid/", cert_reqs="CERT_NONE")


    def case_pool_with_its_own_ca():
        connect(urllib3.HTTPSConnectionPool("example.invalid", cert_reqs="CERT_NONE",
                                            ca_certs="/etc/ssl/corp.pem"))


    def connect(pool):
        # the connection the pool would open, made but not connected: it takes the pool's
        # TLS keywords, so one that urllib3 does not know fails here
        urllib3.connection.HTTPSConnection("example.invalid", **pool.conn_kw)
    """


def test_urllib3_pools_get_the_context(tmp_path):
    pytest.importorskip("urllib3")
    after = fixed(URLLIB3_BEFORE, ALL_THREE)
    assert after == textwrap.dedent("""\
        import urllib3

        from corp_tls import CA_BUNDLE, ssl_context


        def case_pools():
            pool = urllib3.PoolManager(ssl_context=ssl_context())
            connect(pool.connection_from_url("https://example.invalid/"))
            urllib3.PoolManager(ssl_context=ssl_context())
            urllib3.ProxyManager("http://proxy.example.invalid:3128", ssl_context=ssl_context())
            urllib3.connection_from_url("https://example.invalid/", ssl_context=ssl_context())


        def case_pool_with_its_own_ca():
            connect(urllib3.HTTPSConnectionPool("example.invalid",
                                                ca_certs=CA_BUNDLE))


        def connect(pool):
            # the connection the pool would open, made but not connected: it takes the pool's
            # TLS keywords, so one that urllib3 does not know fails here
            urllib3.connection.HTTPSConnection("example.invalid", **pool.conn_kw)
        """)
    assert_runs(tmp_path, after, 2)


def test_urllib3_pools_without_a_context_get_the_bundle(tmp_path):
    pytest.importorskip("urllib3")
    after = fixed(URLLIB3_BEFORE, BUNDLE_ONLY)
    assert after == textwrap.dedent("""\
        import urllib3

        from corp_tls import CA_BUNDLE


        def case_pools():
            pool = urllib3.PoolManager(ca_certs=CA_BUNDLE)
            connect(pool.connection_from_url("https://example.invalid/"))
            urllib3.PoolManager(ca_certs=CA_BUNDLE)
            urllib3.ProxyManager("http://proxy.example.invalid:3128", ca_certs=CA_BUNDLE)
            urllib3.connection_from_url("https://example.invalid/", ca_certs=CA_BUNDLE)


        def case_pool_with_its_own_ca():
            connect(urllib3.HTTPSConnectionPool("example.invalid",
                                                ca_certs=CA_BUNDLE))


        def connect(pool):
            # the connection the pool would open, made but not connected: it takes the pool's
            # TLS keywords, so one that urllib3 does not know fails here
            urllib3.connection.HTTPSConnection("example.invalid", **pool.conn_kw)
        """)
    assert_runs(tmp_path, after, 2)


def test_urllib3_control_a_keyword_urllib3_does_not_take_fails_the_run(tmp_path):
    pytest.importorskip("urllib3")
    # a pool keeps keywords it does not know for its connections: aiohttp's `ssl=` on a
    # PoolManager is accepted there, and fails where the connection is made
    after = fixed(URLLIB3_BEFORE, ALL_THREE)
    wrong = after.replace("PoolManager(ssl_context=ssl_context())\n    connect",
                          "PoolManager(ssl=ssl_context())\n    connect")
    assert wrong != after
    assert_fails(tmp_path, wrong, "TypeError")


def test_urllib3_needs_a_target_and_names_the_context_first():
    source = "import urllib3\nurllib3.PoolManager(cert_reqs='CERT_NONE')\n"
    [finding] = lint_source(source, "example.py", Settings(enabled=("TLS103",))).diagnostics
    assert (finding.fix, finding.fix_needs) == (None, "ssl-context")
    context_only = FixTargets(ssl_context=CONTEXT)
    assert fixed(source, context_only) == (
        "import urllib3\n\nfrom corp_tls import ssl_context\n\n"
        "urllib3.PoolManager(ssl_context=ssl_context())\n")


# -- the standard library's clients ---------------------------------------------------------
STDLIB_BEFORE = """\
    import ftplib
    import http.client
    import imaplib
    import poplib
    import smtplib
    import ssl
    import urllib.request


    def case_clients():
        smtplib.SMTP_SSL("smtp.example.invalid")
        imaplib.IMAP4_SSL("imap.example.invalid")
        poplib.POP3_SSL("pop.example.invalid")
        ftplib.FTP_TLS("ftp.example.invalid")


    def case_upgrades():
        relay = smtplib.SMTP("smtp.example.invalid", 587)
        relay.starttls()
        box = imaplib.IMAP4("imap.example.invalid")
        box.starttls()
        mail = poplib.POP3("pop.example.invalid")
        mail.stls()


    def case_contexts():
        http.client.HTTPSConnection("example.invalid", context=ssl._create_unverified_context())
        urllib.request.urlopen("https://example.invalid/", context=ssl._create_unverified_context())
    """
STDLIB_SPECCED = ("smtplib.SMTP_SSL", "smtplib.SMTP", "imaplib.IMAP4_SSL", "imaplib.IMAP4",
                  "poplib.POP3_SSL", "poplib.POP3", "ftplib.FTP_TLS", "urllib.request.urlopen")


def test_stdlib_clients_get_the_context_by_their_own_keyword(tmp_path):
    after = fixed(STDLIB_BEFORE, ALL_THREE)
    assert after == textwrap.dedent("""\
        import ftplib
        import http.client
        import imaplib
        import poplib
        import smtplib
        import urllib.request

        from corp_tls import ssl_context


        def case_clients():
            smtplib.SMTP_SSL("smtp.example.invalid", context=ssl_context())
            imaplib.IMAP4_SSL("imap.example.invalid", ssl_context=ssl_context())
            poplib.POP3_SSL("pop.example.invalid", context=ssl_context())
            ftplib.FTP_TLS("ftp.example.invalid", context=ssl_context())


        def case_upgrades():
            relay = smtplib.SMTP("smtp.example.invalid", 587)
            relay.starttls(context=ssl_context())
            box = imaplib.IMAP4("imap.example.invalid")
            box.starttls(ssl_context=ssl_context())
            mail = poplib.POP3("pop.example.invalid")
            mail.stls(context=ssl_context())


        def case_contexts():
            http.client.HTTPSConnection("example.invalid", context=ssl_context())
            urllib.request.urlopen("https://example.invalid/", context=ssl_context())
        """)
    assert_runs(tmp_path, after, 3, *STDLIB_SPECCED)


def test_stdlib_control_imaplib_starttls_refuses_context(tmp_path):
    # the fix as it was: `context=` for every starttls()
    before = ("import imaplib\nfrom corp_tls import ssl_context\n\n"
              "def case_upgrade():\n    box = imaplib.IMAP4('imap.example.invalid')\n"
              "    box.starttls(context=ssl_context())\n")
    assert_fails(tmp_path, before, "TypeError: got an unexpected keyword argument 'context'",
                 *STDLIB_SPECCED)


# -- requests: every session from the factory -----------------------------------------------
REQUESTS_BEFORE = """\
    import requests


    class Api:
        def __init__(self, verify):
            self.session = requests.Session()
            self.verify = verify

        def get(self, url):
            return self.session.get(url, verify=self.verify)


    def case_session():
        Api(True).session.close()
    """


def test_requests_sessions_come_from_the_factory_even_when_calls_pass_verify(tmp_path):
    pytest.importorskip("requests")
    after = fixed(REQUESTS_BEFORE, ALL_THREE)
    assert after == textwrap.dedent("""\
        from corp_tls import make_session


        class Api:
            def __init__(self, verify):
                self.session = make_session()
                self.verify = verify

            def get(self, url):
                return self.session.get(url, verify=self.verify)


        def case_session():
            Api(True).session.close()
        """)
    assert_runs(tmp_path, after, 1)
    # without a factory there is no policy: the calls' verify= is the session's trust
    assert fixed(REQUESTS_BEFORE, BUNDLE_ONLY) == textwrap.dedent(REQUESTS_BEFORE)
    assert lint_source(textwrap.dedent(REQUESTS_BEFORE), "example.py",
                       Settings(enabled=("TLS401",))).diagnostics == []


@pytest.mark.parametrize("source, line, col", [
    ("import requests\ns = requests.Session()\ns.verify = CA\n", 2, 5),
    ("import requests\nwith requests.Session() as s:\n    s.verify = CA\n", 2, 6),
    ("import requests\ns = requests.Session()\nsetattr(s, 'verify', CA)\n", 2, 5),
    ("import requests\nr = requests.Session().get(url, verify=CA)\n", 2, 5),
])
def test_with_a_factory_a_session_whose_trust_is_set_afterwards_is_reported(source, line, col):
    without = lint_source(source, "example.py", Settings(enabled=("TLS401",))).diagnostics
    with_factory = lint_source(source, "example.py",
                               Settings(enabled=("TLS401",), targets=ALL_THREE)).diagnostics
    assert without == []
    assert [(d.line, d.col, d.code) for d in with_factory] == [(line, col, "TLS401")]
    assert "make_session()" in fixed(source, ALL_THREE)


def test_with_a_factory_the_injection_default_and_httpx_clients_keep_their_rules():
    injected = ("import requests\ndef f(session=None):\n"
                "    session = session or requests.Session()\n    return session\n")
    assert fixed(injected, ALL_THREE) == injected
    # an httpx client is not a requests session: it gets the context, not the factory
    client = "import httpx\nclient = httpx.Client(base_url=URL)\n"
    assert fixed(client, ALL_THREE) == (
        "import httpx\n\nfrom corp_tls import ssl_context\n\n"
        "client = httpx.Client(base_url=URL, verify=ssl_context())\n")
    # ... and keeps its exemptions: every request passes verify=
    verified = "import httpx\nclient = httpx.Client(base_url=URL)\nclient.get('/', verify=CA)\n"
    assert fixed(verified, ALL_THREE) == verified
    configured = "import httpx\nclient = httpx.Client(verify=CA)\n"
    assert fixed(configured, ALL_THREE) == configured


def test_the_factory_replacing_a_call_with_arguments_is_unsafe():
    source = "import requests\ns = requests.Session(adapter)\n"
    [finding] = lint_source(source, "example.py",
                            Settings(enabled=("TLS401",), targets=ALL_THREE)).diagnostics
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert fixed(source, ALL_THREE) == source
    assert fixed(source, ALL_THREE, unsafe=True) == (
        "from corp_tls import make_session\n\ns = make_session()\n")
    [plain] = lint_source("import requests\ns = requests.Session()\n", "example.py",
                          Settings(enabled=("TLS401",), targets=ALL_THREE)).diagnostics
    assert plain.fix is not None and plain.fix.applicability is Applicability.SAFE
