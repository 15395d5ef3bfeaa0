"""Issue 27, coverage round 3 (protocols): TLS501 on the choices that pick a weak version
(a comparison with an option's value, a subclass's attribute a base compares), the name of
one handed to requests-toolbelt's SSLAdapter, curl_cffi's version tables; and not on a
server's protocol or a dead fallback branch. Exact (line, col, code) of each finding, whole
and sliced (the check mode parses only what the shapes keep)."""

import pytest
from helpers import findings

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings


def only(source):
    return [f for f in findings(source) if f[2] == "TLS501"]


def sliced(source, path="example.py"):
    result = lint_source(source, path, Settings(enabled=("TLS501",)), sliced=True)
    return [(d.line, d.col, d.code) for d in result.diagnostics]


CASES = [
    # paho-mqtt's examples: the option value that picks the weak constant, and the constant
    ("import ssl\n"
     "if args.tls_version == 'tlsv1.2':\n"
     "    version = ssl.PROTOCOL_TLSv1_2\n"
     "elif args.tls_version == 'tlsv1':\n"
     "    version = ssl.PROTOCOL_TLSv1\n"
     "client.tls_set(tls_version=version)\n",
     [(4, 6), (5, 15)]),
    # urllib3's test base: the comparison, the return, and the subclasses' choices
    ("import ssl\n"
     "class Base:\n"
     "    tls_protocol_name = None\n"
     "    def ssl_version(self):\n"
     "        if self.tls_protocol_name == 'TLSv1.1' and ssl.HAS_TLSv1_1:\n"
     "            return ssl.PROTOCOL_TLSv1_1\n"
     "        return ssl.PROTOCOL_TLS_CLIENT\n"
     "class TestOld(Base):\n"
     "    tls_protocol_name = 'TLSv1.1'\n"
     "class TestNew(Base):\n"
     "    tls_protocol_name = 'TLSv1.2'\n",
     [(5, 12), (6, 20), (9, 25)]),
    # a choice that picks a strong version, or a weak one nothing uses: nothing
    ("import ssl\n"
     "if name == 'tlsv1.2':\n"
     "    version = ssl.PROTOCOL_TLSv1_2\n"
     "client.tls_set(tls_version=version)\n", []),
    # requests-toolbelt's adapter takes the name (urllib3 resolves it)
    ("from requests_toolbelt import SSLAdapter\n"
     "a = SSLAdapter('SSLv3')\n"
     "b = SSLAdapter(ssl_version='PROTOCOL_TLSv1')\n"
     "c = SSLAdapter('TLSv1_2')\n",
     [(2, 16), (3, 28)]),
    # scrapy's version settings: a settings module, a settings dict, an item store
    ("DOWNLOAD_TLS_MIN_VERSION = 'TLSv1.0'\n"
     "DOWNLOAD_TLS_MAX_VERSION = 'TLSv1.3'\n"
     "crawler = get_crawler(settings_dict={'DOWNLOADER_CLIENT_TLS_METHOD': 'TLSv1.1'})\n"
     "settings['DOWNLOAD_TLS_MAX_VERSION'] = 'TLSv1.1'\n"
     "OTHER_VERSION = 'TLSv1.0'\n",
     [(1, 28), (3, 70), (4, 40)]),
    # curl_cffi's own table
    ("from curl_cffi.const import CurlSslVersion\n"
     "lookup = {'1.0': CurlSslVersion.TLSv1_0, '1.1': CurlSslVersion.TLSv1_1,\n"
     "          '1.2': CurlSslVersion.TLSv1_2}\n",
     [(2, 18), (2, 49)]),
    # a server's protocol: thrift's server socket, a test helper, a dict of server settings
    ("import ssl\n"
     "from thrift.transport.TSSLSocket import TSSLServerSocket\n"
     "server = TSSLServerSocket(port=0, ssl_version=ssl.PROTOCOL_SSLv3)\n"
     "other = self._server_socket(keyfile=KEY, ssl_version=ssl.PROTOCOL_TLSv1_1)\n"
     "PARAMS = [{'ssl_version': ssl.PROTOCOL_TLS_SERVER,\n"
     "           'ssl_maximum_version': ssl.TLSVersion.TLSv1}]\n"
     "client = connect(ssl_version=ssl.PROTOCOL_TLSv1_1)\n"
     "other = connect_to_server(ssl_version=ssl.PROTOCOL_TLSv1_1)\n",
     [(7, 30), (8, 39)]),
    # the fallback of a feature test for what every supported Python has: dead code
    ("import ssl\n"
     "if hasattr(ssl, 'PROTOCOL_TLS_SERVER'):\n"
     "    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
     "else:\n"
     "    context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n"
     "if not hasattr(ssl, 'SSLContext'):\n"
     "    sock = ssl.wrap_socket(raw, ssl_version=ssl.PROTOCOL_SSLv3)\n"
     "if hasattr(ssl, 'PROTOCOL_TLSv1_3'):\n"
     "    pass\n"
     "else:\n"
     "    context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
     [(11, 30)]),
]


@pytest.mark.parametrize("source, expected", CASES)
def test_protocol_choices(source, expected):
    assert only(source) == [(line, col, "TLS501") for line, col in expected]
    assert sliced(source) == [(line, col, "TLS501") for line, col in expected]


def test_a_relative_import_inside_curl_cffi():
    source = ("from ..const import CurlSslVersion\n"
              "def normalize(version):\n"
              "    lookup = {'tlsv1': CurlSslVersion.TLSv1, 'tlsv1_2': CurlSslVersion.TLSv1_2}\n"
              "    return lookup[version]\n")
    assert sliced(source, "curl_cffi/requests/utils.py") == [(3, 24, "TLS501")]
    # the same relative name in another package is not curl_cffi's
    assert sliced(source, "other/requests/utils.py") == []


def test_the_choice_has_its_own_message():
    result = lint_source("import ssl\ndef p(n):\n    if n == 'tlsv1':\n"
                         "        return ssl.PROTOCOL_TLSv1\n", "example.py",
                         Settings(enabled=("TLS501",)))
    assert [d.message for d in result.diagnostics] == [
        "this choice selects an SSL/TLS protocol older than TLS 1.2",
        "SSL/TLS protocol older than TLS 1.2; let create_default_context() negotiate"]
