"""Issue 27, coverage round 3 (protocols, server, baseline precision): dead fallback branches
(TLS502, TLS501), a test's parametrize cases it only asserts on (TLS501), upgrades that are
not the standard library's (TLS106), a context class of its own (TLS103), the program's own
command-line options (TLS102, TLS103). Exact (line, col, code) of each finding, whole-file
and sliced."""

import pytest
from helpers import findings

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings


def only(source, *codes):
    return [f for f in findings(source) if f[2] in codes]


def sliced(source, *codes):
    result = lint_source(source, "example.py", Settings(enabled=codes), sliced=True)
    return [(d.line, d.col, d.code) for d in result.diagnostics]


def both(source, code):
    """The findings of one rule, checked to be the same when libcst sees only the slices."""
    whole = only(source, code)
    assert sliced(source, code) == whole
    return whole


# -- dead branches: TLS502 -------------------------------------------------------------------
IMPORT_FLAG = ("import ssl\n"
               "try:\n"
               "    from ssl import create_default_context, Purpose\n"
               "    use_ssl_context = True\n"
               "except ImportError:\n"
               "    use_ssl_context = False\n")


@pytest.mark.parametrize("source, expected", [
    # ldap3: a module flag, True once `from ssl import create_default_context` succeeded
    (IMPORT_FLAG
     + "class Tls:\n"
       "    def wrap(self, sock):\n"
       "        if use_ssl_context:\n"
       "            return create_default_context().wrap_socket(sock)\n"
       "        else:\n"
       "            return ssl.wrap_socket(sock, ssl_version=self.version)\n", []),
    # ... the branch that every supported Python runs stays reported
    (IMPORT_FLAG
     + "def wrap(sock):\n"
       "    if use_ssl_context:\n"
       "        return ssl.wrap_socket(sock)\n", [(9, 16)]),
    # a flag whose try imports what 3.12 removed: a supported Python takes either branch
    ("import ssl\n"
     "try:\n"
     "    from ssl import match_hostname\n"
     "    has_match = True\n"
     "except ImportError:\n"
     "    has_match = False\n"
     "def wrap(sock):\n"
     "    if not has_match:\n"
     "        return ssl.wrap_socket(sock)\n", [(9, 16)]),
    # ... or one the handler leaves True too, or a handler for another error
    ("import ssl\n"
     "try:\n"
     "    from ssl import SSLContext\n"
     "    modern = True\n"
     "except AttributeError:\n"
     "    modern = False\n"
     "if not modern:\n"
     "    ssl.wrap_socket(sock)\n", [(8, 5)]),
    # thrift: a class attribute compared with a Python 2 hexversion, read through self
    ("import ssl, sys\n"
     "class TSSLBase:\n"
     "    _has_ssl_context = sys.hexversion >= 0x020709F0\n"
     "    def _wrap_socket(self, sock):\n"
     "        if self._has_ssl_context:\n"
     "            return self.ssl_context.wrap_socket(sock)\n"
     "        else:\n"
     "            return ssl.wrap_socket(sock, **self.opts)\n", []),
    # version checks: below 3.9 decided, a supported version not
    ("import ssl, sys\n"
     "if sys.version_info < (3, 6):\n"
     "    ssl.wrap_socket(a)\n"
     "if sys.version_info[0] == 2:\n"
     "    ssl.wrap_socket(b)\n"
     "if sys.version_info >= (2, 7, 9):\n"
     "    pass\n"
     "else:\n"
     "    ssl.wrap_socket(c)\n"
     "if sys.version_info < (3, 12):\n"
     "    ssl.wrap_socket(d)\n"
     "if sys.hexversion < 0x030C0000:\n"
     "    ssl.wrap_socket(e)\n", [(11, 5), (13, 5)]),
    # a parameter's default is not what every caller passes
    ("import ssl, sys\n"
     "def wrap(sock, modern=sys.version_info >= (3,)):\n"
     "    if not modern:\n"
     "        return ssl.wrap_socket(sock)\n", [(4, 16)]),
])
def test_wrap_socket_in_dead_branches(source, expected):
    assert both(source, "TLS502") == [(line, col, "TLS502") for line, col in expected]


# -- dead branches and parametrized cases: TLS501 --------------------------------------------
def test_weak_protocol_in_a_python2_fallback_is_quiet():
    source = ("import ssl, sys\n"
              "if sys.version_info < (3, 6):\n"
              "    PROTO = ssl.PROTOCOL_TLSv1\n"
              "else:\n"
              "    PROTO = ssl.PROTOCOL_TLS_CLIENT\n"
              "ctx = ssl.SSLContext(PROTO)\n"
              "if sys.version_info < (3, 10):\n"
              "    ctx2 = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n")
    assert both(source, "TLS501") == [(8, 27, "TLS501")]


RESOLVER_CASES = ("import ssl, pytest\n"
                  "class TestUtil:\n"
                  "    cases = [(ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_CLIENT)]\n"
                  "    if hasattr(ssl, 'PROTOCOL_TLSv1'):\n"
                  "        cases.extend([\n"
                  "            (ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLSv1),\n"
                  "            ('TLSv1', ssl.PROTOCOL_TLSv1),\n"
                  "        ])\n"
                  "    @pytest.mark.parametrize('candidate, version', cases)\n")


@pytest.mark.parametrize("source, expected", [
    # urllib3's test_util: a resolver's input and expected value, only asserted on
    (RESOLVER_CASES
     + "    def test_resolve(self, candidate, version):\n"
       "        assert resolve_ssl_version(candidate) == version\n", []),
    # the same table, but the test connects with the case: a table of choices again
    (RESOLVER_CASES
     + "    def test_connect(self, candidate, version):\n"
       "        ctx = ssl.SSLContext(version)\n"
       "        assert ctx.protocol == version\n", [(6, 14), (6, 34), (7, 23)]),
    # cases given in the decorator itself
    ("import ssl, pytest\n"
     "@pytest.mark.parametrize('version', [ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLS_CLIENT])\n"
     "def test_name(version):\n"
     "    assert name_of(version) in ('TLSv1', 'TLS')\n", []),
    ("import ssl, pytest\n"
     "@pytest.mark.parametrize('version', [ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLS_CLIENT])\n"
     "def test_connect(version):\n"
     "    connect(ssl_version=version)\n", [(2, 38)]),
    # a table that no parametrization takes stays a table of choices
    ("import ssl, pytest\n"
     "CHOICES = [ssl.PROTOCOL_TLSv1]\n"
     "def test_x():\n"
     "    assert CHOICES\n", [(2, 12)]),
])
def test_parametrized_cases_only_asserted_on(source, expected):
    assert both(source, "TLS501") == [(line, col, "TLS501") for line, col in expected]


# -- TLS106: upgrades that are not the standard library's -------------------------------------
@pytest.mark.parametrize("source, expected", [
    # aiosmtplib's starttls takes its context as tls_context= (airflow's smtp hook)
    ("import smtplib, ssl, aiosmtplib\n"
     "async def send(hook):\n"
     "    client = await hook.build()\n"
     "    await client.starttls(tls_context=hook.context())\n"
     "    await client.starttls(validate_certs=False)\n", []),
    # smtplib's own keywords: still smtplib's
    ("import smtplib\n"
     "def send(client):\n"
     "    client.starttls(keyfile=None, certfile=None)\n", [(3, 5)]),
    # yagmail: the class's own async starttls, which makes a default context
    ("import ssl\n"
     "from smtplib import SMTPException\n"
     "class RawAsyncSMTP:\n"
     "    async def connect(self):\n"
     "        await self.starttls()\n"
     "    async def starttls(self, ssl_context=None):\n"
     "        ssl_context = ssl_context or ssl.create_default_context()\n", []),
    # self of a class that only inherits smtplib's starttls
    ("import smtplib\n"
     "class Mailer(smtplib.SMTP):\n"
     "    def secure(self):\n"
     "        self.starttls()\n", [(4, 9)]),
    # another object's starttls, in a class that has its own
    ("import smtplib\n"
     "class Relay:\n"
     "    def forward(self):\n"
     "        self.smtp.starttls()\n"
     "    def starttls(self):\n"
     "        pass\n", [(4, 9)]),
])
def test_upgrades_that_are_not_the_stdlib(source, expected):
    assert both(source, "TLS106") == [(line, col, "TLS106") for line, col in expected]


# -- TLS103: a context class of its own --------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    # urllib3's PyOpenSSLContext: pyOpenSSL behind the stdlib's interface
    ("import ssl\n"
     "import OpenSSL.SSL\n"
     "class PyOpenSSLContext:\n"
     "    def __init__(self, protocol):\n"
     "        self._ctx = OpenSSL.SSL.Context(protocol)\n"
     "        self.check_hostname = False\n"
     "    def load_verify_locations(self, cafile=None):\n"
     "        self._ctx.load_verify_locations(cafile)\n"
     "    def wrap_socket(self, sock, server_hostname=None):\n"
     "        return OpenSSL.SSL.Connection(self._ctx, sock)\n", []),
    # no wrap_socket of its own: a client holding a setting
    ("import ssl\n"
     "class Client:\n"
     "    def __init__(self):\n"
     "        self.check_hostname = False\n", [(4, 9)]),
    # a subclass (here of an unknown base): the attribute may be the real one
    ("import ssl\n"
     "class Lax(Base):\n"
     "    def __init__(self):\n"
     "        self.check_hostname = False\n"
     "    def wrap_socket(self, sock):\n"
     "        return super().wrap_socket(sock)\n", [(4, 9)]),
    # another object's setting inside such a class
    ("import ssl\n"
     "class Wrapper:\n"
     "    def __init__(self):\n"
     "        self.inner = ssl.create_default_context()\n"
     "        self.inner.check_hostname = False\n"
     "        self.inner.verify_mode = ssl.CERT_NONE\n"
     "    def wrap_socket(self, sock):\n"
     "        return self.inner.wrap_socket(sock)\n", [(5, 9)]),
])
def test_a_context_class_of_its_own(source, expected):
    assert both(source, "TLS103") == [(line, col, "TLS103") for line, col in expected]


# -- opt_outs: the program's own command-line option is no caller's choice ----------------------
PARSER = ("import argparse, requests, ssl\n"
          "def parse_arguments(argv=None):\n"
          "    parser = argparse.ArgumentParser()\n"
          "    parser.add_argument('--no-verify', action='store_true')\n"
          "    parser.add_argument('-k', dest='insecure_tls', action='store_true')\n"
          "    return parser.parse_args(argv)\n")


@pytest.mark.parametrize("source, expected", [
    # zeep's __main__: `--no-verify` read from the parsed arguments a function is handed
    (PARSER
     + "def main(args):\n"
       "    session = requests.Session()\n"
       "    if args.no_verify:\n"
       "        session.verify = False\n", [(10, 9, "TLS102")]),
    # dest= names the attribute; the same for a context's settings
    (PARSER
     + "def context(opts):\n"
       "    ctx = ssl.create_default_context()\n"
       "    if opts.insecure_tls:\n"
       "        ctx.check_hostname = False\n"
       "        ctx.verify_mode = ssl.CERT_NONE\n"
       "    return ctx\n", [(10, 9, "TLS103")]),
    # an option the parser does not define: a caller's option object, quiet
    (PARSER
     + "def main(args):\n"
       "    session = requests.Session()\n"
       "    if args.skip_verify:\n"
       "        session.verify = False\n", []),
    # no argparse in the module: `args.no_verify` is the caller's
    ("import requests\n"
     "def main(args):\n"
     "    session = requests.Session()\n"
     "    if args.no_verify:\n"
     "        session.verify = False\n", []),
])
def test_command_line_options_are_reported(source, expected):
    for code in ("TLS102", "TLS103"):
        assert both(source, code) == [f for f in expected if f[2] == code]
