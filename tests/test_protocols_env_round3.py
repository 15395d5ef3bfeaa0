"""Issue 27, coverage round 3: weak protocols in data (TLS501), environment writes (TLS104,
TLS302), blanket warning filters (TLS201), and the server-side and host-name-checked false
alarms of TLS301, TLS502 and TLS103. Exact (line, col, code) of each finding."""

import pytest
from helpers import findings

from corptls_lint.checking import byte_screen
from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings
from corptls_lint.rules import ALL_RULES


def only(source, *codes):
    return [f for f in findings(source) if f[2] in codes]


def sliced(source, *codes):
    result = lint_source(source, "example.py", Settings(enabled=codes), sliced=True)
    return [(d.line, d.col, d.code) for d in result.diagnostics]


# -- TLS501: weak protocols in data ----------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    # a table of choices: each weak value, not the strong ones, not the keys
    ("import ssl\n"
     "VERSIONS = {'sslv3': ssl.PROTOCOL_SSLv3, 'tlsv1': ssl.PROTOCOL_TLSv1,\n"
     "            'tls': ssl.PROTOCOL_TLS_CLIENT}\n",
     [(2, 22), (2, 51)]),
    ("from ssl import PROTOCOL_TLSv1_1, PROTOCOL_TLSv1_2\n"
     "ALLOWED = [PROTOCOL_TLSv1_1, PROTOCOL_TLSv1_2]\n",
     [(2, 12)]),
    ("from OpenSSL import SSL\n"
     "METHODS = {SSL.TLSv1_METHOD, SSL.TLS_METHOD}\n",
     [(2, 12)]),
    # keys are names for display, a tuple in a comparison is a deny list
    ("import ssl\nNAMES = {ssl.PROTOCOL_TLSv1: 'TLSv1', ssl.PROTOCOL_TLSv1_2: 'TLSv1.2'}\n", []),
    ("import ssl\nif ctx.protocol not in (ssl.PROTOCOL_SSLv3, ssl.PROTOCOL_TLSv1):\n    pass\n", []),
    ("import ssl\nok = [p for p in protos if p != ssl.PROTOCOL_TLSv1]\n", []),
])
def test_weak_protocols_in_tables(source, expected):
    assert only(source, "TLS501") == [(line, col, "TLS501") for line, col in expected]


@pytest.mark.parametrize("source, expected", [
    # a table of names looked up in the ssl module (httpie's --ssl choices)
    ("import ssl\n"
     "NAMES = {'ssl3': 'PROTOCOL_SSLv3', 'tls1.2': 'PROTOCOL_TLSv1_2'}\n"
     "AVAILABLE = {k: getattr(ssl, v) for k, v in NAMES.items() if hasattr(ssl, v)}\n",
     [(2, 18)]),
    # ... not looked up there: labels
    ("import ssl\nNAMES = {'ssl3': 'PROTOCOL_SSLv3'}\nx = getattr(config, 'ssl3')\n", []),
    # an object configured through its attribute
    ("import ftplib, ssl\nclass F(ftplib.FTP_TLS):\n    ssl_version = ssl.PROTOCOL_TLSv1\n",
     [(3, 19)]),
    ("import ftplib, ssl\nftp = ftplib.FTP_TLS()\nftp.ssl_version = ssl.PROTOCOL_SSLv3\n",
     [(3, 19)]),
    # Twisted's bounds
    ("from twisted.internet import ssl\n"
     "opts = ssl.CertificateOptions(lowerMaximumSecurityTo=ssl.TLSVersion.TLSv1_1)\n",
     [(2, 54)]),
    ("from twisted.internet import ssl\n"
     "opts = ssl.CertificateOptions(insecurelyLowerMinimumTo=ssl.TLSVersion.TLSv1_2)\n", []),
])
def test_weak_protocols_named_stored_or_bounded(source, expected):
    assert only(source, "TLS501") == [(line, col, "TLS501") for line, col in expected]


def test_a_weak_protocol_in_a_variable_is_reported_once_at_its_origin():
    source = (
        "import ssl\n"
        "class Client:\n"
        "    def __init__(self, legacy):\n"
        "        self.proto = ssl.PROTOCOL_TLS_CLIENT\n"
        "        if legacy:\n"
        "            self.proto = ssl.PROTOCOL_TLSv1\n"
        "    def a(self):\n"
        "        return ssl.SSLContext(self.proto)\n"
        "    def b(self, sock):\n"
        "        return ssl.wrap_socket(sock, ssl_version=self.proto)\n"
    )
    assert only(source, "TLS501") == [(6, 26, "TLS501")]
    assert sliced(source, "TLS501") == [(6, 26, "TLS501")]


def test_a_weak_protocol_kept_in_a_name_nothing_uses_is_not_reported():
    assert only("import ssl\nLEGACY = ssl.PROTOCOL_TLSv1\n", "TLS501") == []


def test_a_name_passed_in_a_function_without_candidates_keeps_its_origin_when_sliced():
    source = (
        "import ssl\n"
        "PROTO = ssl.PROTOCOL_SSLv3\n"
        "def unrelated():\n"
        "    return 1\n"
        "def connect(sock):\n"
        "    return ssl.wrap_socket(sock, ssl_version=PROTO)\n"
    )
    assert sliced(source, "TLS501") == [(2, 9, "TLS501")]


@pytest.mark.parametrize("source, expected", [
    ("import ssl\n"
     "def make(minimum=ssl.TLSVersion.TLSv1):\n"
     "    ctx = ssl.create_default_context()\n"
     "    ctx.minimum_version = minimum\n"
     "    return ctx\n",
     [(2, 18)]),
    ("import ssl\n"
     "def make(old):\n"
     "    ctx = ssl.create_default_context()\n"
     "    version = ssl.TLSVersion.TLSv1_2\n"
     "    if old:\n"
     "        version = ssl.TLSVersion.TLSv1\n"
     "    ctx.minimum_version = version\n",
     [(6, 19)]),
    ("import ssl\n"
     "class Server:\n"
     "    floor = ssl.TLSVersion.SSLv3\n"
     "    def context(self):\n"
     "        ctx = ssl.create_default_context()\n"
     "        ctx.minimum_version = self.floor\n",
     [(3, 13)]),
    ("from ssl import TLSVersion\n"
     "setattr(ctx, 'minimum_version', TLSVersion.TLSv1_1)\n",
     [(2, 1)]),
    # guards that refuse, and a strong floor
    ("import ssl\n"
     "if ctx.minimum_version < ssl.TLSVersion.TLSv1_2:\n"
     "    ctx.minimum_version = ssl.TLSVersion.TLSv1_2\n", []),
    ("import ssl\nsetattr(ctx, 'minimum_version', ssl.TLSVersion.TLSv1_3)\n", []),
    # a ceiling below TLS 1.2 leaves only weak versions
    ("import ssl\nsetattr(ctx, 'maximum_version', ssl.TLSVersion.TLSv1)\n", [(2, 1)]),
    ("import ssl\nCEILING = ssl.TLSVersion.SSLv3\nctx.maximum_version = CEILING\n", [(2, 11)]),
    ("import ssl\nctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED\n", []),
])
def test_minimum_version_through_a_variable_or_setattr(source, expected):
    assert only(source, "TLS501") == [(line, col, "TLS501") for line, col in expected]


def test_a_minimum_version_written_in_another_method_survives_slicing():
    source = (
        "import ssl\n"
        "class Client:\n"
        "    def __init__(self):\n"
        "        self.floor = ssl.TLSVersion.TLSv1\n"
        "    def context(self):\n"
        "        ctx = ssl.create_default_context()\n"
        "        ctx.minimum_version = self.floor\n"
        "        return ctx\n"
    )
    assert only(source, "TLS501") == [(4, 22, "TLS501")]
    assert sliced(source, "TLS501") == [(4, 22, "TLS501")]


# -- TLS302 / TLS104: environment writes -----------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import os\n"
     "os.environ['REQUESTS_CA_BUNDLE'] = os.path.join(os.path.dirname(__file__), 'ca.pem')\n",
     [(2, 1)]),
    ("import os\n"
     "from pathlib import Path\n"
     "CA = Path(__file__).resolve().parent / 'certs' / 'ca.pem'\n"
     "os.environ.setdefault('SSL_CERT_FILE', str(CA))\n",
     [(4, 1)]),
    ("import os\n"
     "os.putenv('CURL_CA_BUNDLE', os.path.expanduser('~/.corp/ca.pem'))\n",
     [(2, 1)]),
    ("import os\n"
     "BASE = os.path.dirname(__file__)\n"
     "os.environ['SSL_CERT_DIR'] = f'{BASE}/certs'\n",
     [(3, 1)]),
    # a part that is configuration: not a fixed path
    ("import os\n"
     "def setup(root):\n"
     "    os.environ['REQUESTS_CA_BUNDLE'] = os.path.join(root, 'ca.pem')\n", []),
    ("import os\n"
     "os.environ['REQUESTS_CA_BUNDLE'] = os.path.join(os.environ['HOME'], 'ca.pem')\n", []),
    ("import os\nfrom pathlib import Path\n"
     "os.environ['SSL_CERT_FILE'] = str(Path() / 'ca.pem')\n", []),
    ("import os\n__file__ = get()\nos.environ['SSL_CERT_FILE'] = __file__ + '.pem'\n", []),
])
def test_a_bundle_path_built_from_fixed_parts(source, expected):
    assert only(source, "TLS302") == [(line, col, "TLS302") for line, col in expected]


@pytest.mark.parametrize("source, expected", [
    ("import os\nos.environ['SSL_CERT_FILE'] = ''\n", [(2, 1)]),
    ("import os\nos.environ.setdefault('SSL_CERT_DIR', '')\n", [(2, 1)]),
    ("import os\nos.environ.update(SSL_CERT_FILE='', REQUESTS_CA_BUNDLE='')\n", [(2, 19), (2, 37)]),
    ("import os\nos.environ.update({'REQUESTS_CA_BUNDLE': ''})\n", [(2, 20)]),
    ("import os\nos.putenv('SSL_CERT_FILE', '')\n", [(2, 1)]),
    # a test's own environment, undone after it
    ("def test_x(monkeypatch):\n    monkeypatch.setenv('SSL_CERT_FILE', '')\n", []),
    ("import os\nos.environ['SSL_CERT_FILE'] = os.environ.get('CORP_CA', '')\n", []),
])
def test_an_empty_trust_variable(source, expected):
    assert only(source, "TLS104", "TLS302") == [(line, col, "TLS104") for line, col in expected]


def test_an_empty_ssl_cert_file_names_its_effect():
    result = lint_source("import os\nos.environ['SSL_CERT_FILE'] = ''\n", "example.py",
                         Settings(enabled=("TLS104",)))
    assert "loads no CA" in result.diagnostics[0].message


# -- TLS201: blanket warning filters ---------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import warnings\nimport requests\nwarnings.simplefilter('ignore')\n"
     "session = requests.Session()\n", [(3, 1)]),
    ("import warnings\nfrom urllib3 import PoolManager\n"
     "warnings.filterwarnings(action='ignore', category=Warning)\n"
     "http = PoolManager(cert_reqs='CERT_NONE')\n",
     [(3, 1)]),
    # httpx and aiohttp raise no InsecureRequestWarning
    ("import warnings\nimport aiohttp\n"
     "warnings.filterwarnings(action='ignore', category=Warning)\n"
     "async def main():\n    async with aiohttp.ClientSession() as s:\n        pass\n",
     []),
    ("import warnings, urllib3\n"
     "with warnings.catch_warnings():\n"
     "    warnings.simplefilter('ignore')\n"
     "    urllib3.PoolManager().request('GET', url)\n", [(3, 5)]),
    # no client call in the module, or in the block
    ("import warnings\nfrom requests.exceptions import HTTPError\n"
     "warnings.simplefilter('ignore')\n", []),
    ("import warnings, requests\n"
     "with warnings.catch_warnings():\n"
     "    warnings.simplefilter('ignore')\n"
     "    import legacy\n"
     "requests.get(url)\n", []),
    # a category, a message or a module narrows the filter
    ("import warnings, requests\nwarnings.simplefilter('ignore', DeprecationWarning)\n"
     "requests.get(url)\n", []),
    ("import warnings, requests\nwarnings.filterwarnings('ignore', 'unclosed')\nrequests.get(url)\n",
     []),
    ("import warnings, requests\nwarnings.filterwarnings('ignore', module='yaml')\n"
     "requests.get(url)\n", []),
    ("import warnings, requests\nwarnings.simplefilter('default')\nrequests.get(url)\n", []),
    # a Warning of the module's own is not the builtin
    ("import warnings, requests\nclass Warning(Exception):\n    pass\n"
     "warnings.simplefilter('ignore', Warning)\nrequests.get(url)\n", []),
])
def test_blanket_warning_filters(source, expected):
    assert only(source, "TLS201") == [(line, col, "TLS201") for line, col in expected]


def test_a_client_call_in_a_function_without_candidates_survives_slicing():
    source = (
        "import warnings\n"
        "import requests\n"
        "def quiet():\n"
        "    warnings.filterwarnings('ignore')\n"
        "def fetch(url):\n"
        "    return requests.get(url)\n"
    )
    assert sliced(source, "TLS201") == [(4, 5, "TLS201")]


# -- false alarms: server contexts, host names matched by hand -------------------------------
@pytest.mark.parametrize("source, expected", [
    ("import ssl\n"
     "def server_context():\n"
     "    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
     "    ctx.load_cert_chain('server.pem', 'server.key')\n"
     "    ctx.load_verify_locations('/etc/ssl/clients-ca.pem')\n"
     "    return ctx\n", []),
    ("import ssl\n"
     "def serve(sock):\n"
     "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
     "    ctx.load_verify_locations('/etc/ssl/clients-ca.pem')\n"
     "    return ctx.wrap_socket(sock, server_side=True)\n", []),
    # a client with a certificate of its own (mutual TLS) and a fixed CA: still reported
    ("import ssl\n"
     "ctx = ssl.create_default_context()\n"
     "ctx.load_cert_chain('client.pem', 'client.key')\n"
     "ctx.load_verify_locations('/etc/ssl/corp.pem')\n", [(4, 27)]),
    ("import ssl\n"
     "ctx = ssl.create_default_context(cafile='/etc/ssl/corp.pem')\n", [(2, 34)]),
])
def test_a_servers_fixed_ca_is_not_client_trust(source, expected):
    assert only(source, "TLS301") == [(line, col, "TLS301") for line, col in expected]


@pytest.mark.parametrize("source, expected", [
    ("import ssl\nconn = ssl.wrap_socket(sock, server_side=True, certfile=CERT)\n", []),
    ("import ssl\nconn = ssl.wrap_socket(sock, KEY, CERT, True)\n", []),
    ("import ssl\nSERVER = True\nconn = ssl.wrap_socket(sock, server_side=SERVER)\n", []),
    ("import ssl\nconn = ssl.wrap_socket(sock, server_side=False)\n", [(2, 8)]),
    ("import ssl\ndef wrap(sock, server):\n    return ssl.wrap_socket(sock, server_side=server)\n",
     [(3, 12)]),
])
def test_a_servers_wrap_socket(source, expected):
    assert only(source, "TLS502") == [(line, col, "TLS502") for line, col in expected]


@pytest.mark.parametrize("source, expected", [
    # ldap3's shape: the check lives in a module function the method calls
    ("import ssl\n"
     "from ssl import match_hostname\n"
     "def check_hostname(sock, host):\n"
     "    match_hostname(sock.getpeercert(), host)\n"
     "class Tls:\n"
     "    def wrap(self, sock, host):\n"
     "        ctx = ssl.create_default_context()\n"
     "        ctx.check_hostname = False\n"
     "        ctx.verify_mode = self.validate\n"
     "        wrapped = ctx.wrap_socket(sock)\n"
     "        check_hostname(wrapped, host)\n", []),
    # a manual comparison of the names
    ("import ssl\n"
     "def connect(sock, host):\n"
     "    ctx = ssl.create_default_context()\n"
     "    ctx.check_hostname = False\n"
     "    tls = ctx.wrap_socket(sock)\n"
     "    cert = tls.getpeercert()\n"
     "    if host not in [v for k, v in cert.get('subjectAltName', ()) if k == 'DNS']:\n"
     "        raise ssl.CertificateError(host)\n", []),
    # verification off: the name check matches nothing worth matching
    ("import ssl\n"
     "def connect(sock, host):\n"
     "    ctx = ssl.create_default_context()\n"
     "    ctx.check_hostname = False\n"
     "    ctx.verify_mode = ssl.CERT_NONE\n"
     "    tls = ctx.wrap_socket(sock)\n"
     "    ssl.match_hostname(tls.getpeercert(), host)\n", [(4, 5)]),
    # the branch for no verification (paho's tls_set): the match is skipped there too
    ("import ssl\n"
     "class Client:\n"
     "    def tls_set(self, cert_reqs=None):\n"
     "        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
     "        if cert_reqs == ssl.CERT_NONE:\n"
     "            context.check_hostname = False\n"
     "        context.verify_mode = ssl.CERT_REQUIRED if cert_reqs is None else cert_reqs\n"
     "    def connect(self, sock):\n"
     "        tls = self.context.wrap_socket(sock)\n"
     "        if self.verify_host:\n"
     "            ssl.match_hostname(tls.getpeercert(), self.host)\n", [(6, 13)]),
    # getpeercert alone reads the certificate, it checks no name
    ("import ssl\n"
     "def connect(sock):\n"
     "    ctx = ssl.create_default_context()\n"
     "    ctx.check_hostname = False\n"
     "    log(ctx.wrap_socket(sock).getpeercert())\n", [(4, 5)]),
    # a check in another module's function, which nothing here shows
    ("import ssl\n"
     "def connect(sock, host):\n"
     "    ctx = ssl.create_default_context()\n"
     "    ctx.check_hostname = False\n"
     "    helpers.check(ctx.wrap_socket(sock), host)\n", [(4, 5)]),
])
def test_check_hostname_off_with_a_host_name_check_by_hand(source, expected):
    assert only(source, "TLS103") == [(line, col, "TLS103") for line, col in expected]


def test_a_host_name_check_in_another_method_survives_slicing():
    source = (
        "import ssl\n"
        "class Client:\n"
        "    def __init__(self):\n"
        "        self.ctx = ssl.create_default_context()\n"
        "        self.ctx.check_hostname = False\n"
        "    def verify(self, tls, host):\n"
        "        ssl.match_hostname(tls.getpeercert(), host)\n"
    )
    assert only(source, "TLS103") == []
    assert sliced(source, "TLS103") == []


@pytest.mark.parametrize("text, counts", [
    (b"import requests, warnings\nwarnings.filterwarnings('ignore')\n", True),
    (b"import urllib3, warnings\nwarnings.simplefilter(\n    'ignore', category=Warning)\n", True),
    (b"import warnings\nwarnings.simplefilter('ignore', urllib3.exceptions.HTTPWarning)\n", True),
    (b"import requests, warnings\nwarnings.filterwarnings(action='ignore', append=True)\n",
     True),
    # a filter of one category, or not an ignore, cannot be a blanket one
    (b"import requests, warnings\n"
     b"warnings.filterwarnings('ignore', category=DeprecationWarning)\n", False),
    (b"import requests, warnings\nwarnings.simplefilter('error')\n", False),
    (b"import requests, warnings\nwarnings.filterwarnings('ignore', message='deprecated')\n",
     False),
    # a blanket filter in a file that never names the clients hides none of their warnings
    (b"import warnings\nwarnings.filterwarnings('ignore')\n", False),
    (b"import warnings\nwarnings.filterwarnings('ignore', message='Unverified HTTPS request')\n",
     True),
])
def test_a_warnings_filter_reaches_tls201_only_when_it_can_be_blanket(text, counts):
    rule = next(rule for rule in ALL_RULES if rule.code == "TLS201")
    assert (byte_screen.screen(text, [rule]) == [rule]) is counts


def test_a_manual_name_check_counts_only_within_one_function_sliced_or_whole():
    # the names are read in a helper that never sees the certificate call: the helper holds
    # no shape the slicing keeps, so the check is not taken as one (the same either way)
    source = (
        "import ssl\n"
        "def names(cert):\n"
        "    return [v for k, v in cert['subjectAltName']]\n"
        "def connect(sock, host):\n"
        "    ctx = ssl.create_default_context()\n"
        "    ctx.check_hostname = False\n"
        "    if host not in names(ctx.wrap_socket(sock).getpeercert()):\n"
        "        raise ValueError(host)\n"
    )
    assert only(source, "TLS103") == [(6, 5, "TLS103")]
    assert sliced(source, "TLS103") == [(6, 5, "TLS103")]
