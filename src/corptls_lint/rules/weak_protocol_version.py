from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients, dead_branches, test_data, travel, values
from corptls_lint.analysis.scopes import Scope, absolute
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import PROTOCOL, ClientUse, FileContext, Invalid, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import (VARIABLE, AnyNameStore, Argument, AttributeStore, CallTo,
                                         KeyedStore, KeywordArg, LookedUpIn, NamePassed, NameStore,
                                         NameUse, one_of)

_NAMES = tuple(sorted({name.rsplit(".", 1)[1] for name in clients.WEAK_PROTOCOLS}))
# The bounds of an ssl context: a floor below TLS 1.2 admits the weak versions, a ceiling
# below it admits nothing else.
_BOUNDS = ("maximum_version", "minimum_version")
# module -> the weak constants' names in it, as a table of names spells them for getattr
# (`{"tls1": "PROTOCOL_TLSv1"}` ... `getattr(ssl, name)`: httpie, oslo)
_NAMED = {module: frozenset(name.rsplit(".", 1)[1] for name in clients.WEAK_PROTOCOLS
                            if name.rsplit(".", 1)[0] == module)
          for module in {name.rsplit(".", 1)[0] for name in clients.WEAK_PROTOCOLS}}
# Twisted's own bounds (`CertificateOptions(insecurelyLowerMinimumTo=TLSVersion.TLSv1_0)`):
# a floor, or a ceiling, below TLS 1.2.
_TWISTED_KEYWORDS = ("insecurelyLowerMinimumTo", "lowerMaximumSecurityTo")
_TWISTED_WEAK = frozenset(f"twisted.internet.{module}.TLSVersion.{version}"
                          for module in ("ssl", "_sslverify")
                          for version in ("SSLv3", "TLSv1_0", "TLSv1_1"))
# The last names of the weak bounds (`ssl.TLSVersion.TLSv1`).
_VERSION_NAMES = tuple(sorted({name.rsplit(".", 1)[1] for name in clients.WEAK_MINIMUM_VERSIONS}))
# The weak versions themselves, as a table of choices offers them (`{"TLSv1.0":
# ssl.TLSVersion.TLSv1}`, scrapy's option map); not MINIMUM_SUPPORTED, a "no floor" default.
_WEAK_VERSIONS = frozenset(name for name in clients.WEAK_MINIMUM_VERSIONS
                           if not name.endswith(".MINIMUM_SUPPORTED"))
# curl_cffi's CURL_SSLVERSION members below TLS 1.2 (its TLSv1 is "1.0 or later"), as its
# own table of version names offers them
_CURL_WEAK = frozenset(f"curl_cffi.{module}CurlSslVersion.{version}"
                       for module in ("", "const.")
                       for version in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_0", "TLSv1_1"))
# requests-toolbelt's SSLAdapter hands its ssl_version to urllib3, which also takes the
# constant's name (`SSLAdapter("SSLv3")`: urllib3's resolve_ssl_version reads it so)
_ADAPTERS = frozenset({"requests_toolbelt.SSLAdapter", "requests_toolbelt.adapters.SSLAdapter",
                       "requests_toolbelt.adapters.ssl.SSLAdapter"})
_WEAK_SPELLED = frozenset(spelling for name in clients.WEAK_PROTOCOLS if name.startswith("ssl.")
                          for spelling in (name[len("ssl."):], name[len("ssl.PROTOCOL_"):]))
# A weak version's names as a class attribute spells the choice (`tls_protocol_name =
# "TLSv1"` in a subclass of a test base that compares it)
_VERSION_SPELLINGS = frozenset(spelling for version in ("SSLv2", "SSLv3", "TLSv1", "TLSv1.0",
                                                        "TLSv1.1", "TLSv1_0", "TLSv1_1")
                               for spelling in (version, version.lower()))
# scrapy's settings that bound the version (DOWNLOAD_TLS_MIN_VERSION, ..._MAX_VERSION) or
# pick the method (the deprecated DOWNLOADER_CLIENT_TLS_METHOD), given a weak version's name:
# a settings module's names, a settings dict's keys (custom_settings), an item store
_SCRAPY_SETTINGS = ("DOWNLOADER_CLIENT_TLS_METHOD", "DOWNLOAD_TLS_MAX_VERSION",
                    "DOWNLOAD_TLS_MIN_VERSION")
_SCRAPY_WEAK = ("TLSv1.0", "TLSv1.1")
_CHOICE_MESSAGE = "this choice selects an SSL/TLS protocol older than TLS 1.2"


def _string_choice(test: cst.BaseExpression) -> Optional[cst.Comparison]:
    """`option == "tlsv1"` in an if test (also one side of an `and`): the comparison that
    picks the branch by a name."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _string_choice(test.left) or _string_choice(test.right)
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)
            and isinstance(test.left, cst.SimpleString)
            != isinstance(test.comparisons[0].comparator, cst.SimpleString)):
        return test
    return None


class WeakProtocolVersion(Rule):
    """
    ## What it does
    Finds SSL and TLS protocol versions older than TLS 1.2 (bandit's B502 and B503 and ruff's
    S502 and S503, and more, except pyOpenSSL's negotiating `SSLv23_METHOD`: see below):

    - `ssl.PROTOCOL_SSLv2`, `PROTOCOL_SSLv3`, `PROTOCOL_TLSv1`, `PROTOCOL_TLSv1_1` and
      pyOpenSSL's `SSLv2_METHOD`, `SSLv3_METHOD`, `TLSv1_METHOD`,
      `TLSv1_1_METHOD`, under any import alias, passed to any call (`ssl_version=`,
      `SSLContext(...)`, `SSL.Context(...)`), returned, or as a parameter default;
    - the same constants, and the weak `ssl.TLSVersion` members (`TLSv1`, `TLSv1_1`,
      `SSLv3`), as the values of a table or the items of a list, tuple or set
      (`{"tlsv1": ssl.PROTOCOL_TLSv1}`, `{"TLSv1.0": ssl.TLSVersion.TLSv1}`, Twisted's
      `TLSVersion.TLSv1_0` in the same place,
      `choices=[ssl.PROTOCOL_TLSv1, ...]`): a table of
      protocols to pick from offers the weak one to whoever configures it;
    - a table of their names that the module looks up with `getattr(ssl, name)`
      (`{"tls1": "PROTOCOL_TLSv1"}`, as httpie and oslo build their option choices);
    - one of them stored into an attribute or a class attribute (`ftp.ssl_version =
      ssl.PROTOCOL_TLSv1` configures that object, `ssl_version = ...` in an `FTP_TLS`
      subclass that class), or kept in a variable that is then passed or returned
      (`proto = ssl.PROTOCOL_TLSv1` ... `SSLContext(proto)`, `self.ssl_version` set in the
      class), reported once, where it is written;
    - the name of one of them handed to requests-toolbelt's `SSLAdapter("SSLv3")` (its
      urllib3 takes `"SSLv3"`, `"PROTOCOL_SSLv3"`, `"TLSv1"`... for the constant);
    - curl_cffi's `CurlSslVersion.SSLv3`, `TLSv1`, `TLSv1_0`, `TLSv1_1` as the values of a
      table of choices, also in curl_cffi itself (`from ..const import CurlSslVersion`);
    - scrapy's `DOWNLOAD_TLS_MIN_VERSION`, `DOWNLOAD_TLS_MAX_VERSION` and (deprecated)
      `DOWNLOADER_CLIENT_TLS_METHOD` set to `"TLSv1.0"` or `"TLSv1.1"`: in a settings
      module, a settings dict (`custom_settings`, `settings_dict`), an item store
      (`settings["DOWNLOAD_TLS_MIN_VERSION"] = "TLSv1.0"`) or a keyword;
    - Twisted's `insecurelyLowerMinimumTo=` or `lowerMaximumSecurityTo=` given
      `TLSVersion.SSLv3`, `TLSv1_0` or `TLSv1_1` (`twisted.internet.ssl`);
    - `<ctx>.minimum_version = ssl.TLSVersion.TLSv1` (also `SSLv3`, `TLSv1_1`,
      `MINIMUM_SUPPORTED`), and the same value as `maximum_version` (a ceiling below TLS 1.2
      leaves only weak versions), also through `setattr(ctx, "minimum_version", ...)`, and
      such a value that reaches one of these stores through a variable or a parameter
      default (`def secure(ctx, minimum=ssl.TLSVersion.TLSv1)`), reported where it is
      written.

    A comparison is never reported, nor a tuple inside one: `if ctx.minimum_version <
    ssl.TLSVersion.TLSv1_2: raise ...` and `if proto in (ssl.PROTOCOL_SSLv3,
    ssl.PROTOCOL_TLSv1): raise ...` refuse a weak version rather than configure one (as
    servers such as gunicorn and hypercorn do); a branch that does pick it (`if version ==
    "TLSv1": proto = ssl.PROTOCOL_TLSv1`) is reported at that assignment when `proto` is
    used, and at the comparison with a string that picks the branch (the option value that
    selects the weak version, as paho-mqtt's and urllib3's examples and tests choose one);
    when that comparison reads `self.name`, a class attribute `name = "TLSv1"` (a weak
    version's name) in the module is that choice made, and reported too. The keys of a table
    (`{ssl.PROTOCOL_TLSv1: "TLSv1"}`, names for display or a map to `OP_NO_*` options) and a
    weak constant re-exported under a name that nothing passes on (`PROTOCOL_TLSv1 =
    ssl.PROTOCOL_TLSv1` in a compatibility module) are not reported either. Nor is a
    server's protocol, as TLS103 and TLS301 leave server contexts alone: a weak constant
    passed to a callee named for a server (`TSSLServerSocket(ssl_version=...)`, a test's
    `self._server_socket(...)`; not `connect_to_server(...)`, a client's) or in a dict of a
    server's settings (one holding `ssl.PROTOCOL_TLS_SERVER`); nor the fallback branch of
    `if hasattr(ssl, "PROTOCOL_TLS_SERVER")` (or `PROTOCOL_TLS_CLIENT`, `SSLContext`,
    `TLSVersion`...), `if sys.version_info < (3, 6)`, `sys.hexversion >= 0x020709F0` (also
    through a flag bound to one of these), which only a Python older than any this tool
    supports would run. Nor are the cases of a test's `@pytest.mark.parametrize` (a display,
    or a list kept under a name and the `.extend(...)`/`.append(...)` that add to it) when
    the test reads its parameters only in `assert` statements (`assert
    resolve_ssl_version(candidate) == version`): values checked, not a table of choices.

    ## Why is this bad?
    SSLv2, SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated (RFC 8996): POODLE, BEAST and
    downgrade attacks recover plaintext, and current servers and proxies refuse them, so the
    code fails as soon as the other side is upgraded. pyOpenSSL's `SSLv23_METHOD` is not reported,
    unlike bandit's B502/B503 and ruff's S502/S503: it is OpenSSL's negotiating method (what
    `TLS_METHOD` now names, and what `ssl.PROTOCOL_TLS` is for the standard library), which
    picks the highest version both sides speak; scrapy and urllib3 pick it as "negotiate" in
    their tables, and reporting it there was the largest source of false alarms on real code
    (issue 27).

    ## Example
    ```python
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    ```

    ## Use instead
    ```python
    import ssl

    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ```

    ## Fix
    None: the right protocol depends on the peer; `ssl.create_default_context()` negotiates
    the best one both sides support.

    ## Options
    None.

    ## References
    - RFC 8996: Deprecating TLS 1.0 and TLS 1.1, https://www.rfc-editor.org/rfc/rfc8996
    - Python: ssl.TLSVersion, https://docs.python.org/3/library/ssl.html#ssl.TLSVersion
    - bandit: B502, B503, https://bandit.readthedocs.io/en/latest/plugins/b502_ssl_with_bad_version.html
    - CWE-327: Use of a Broken or Risky Cryptographic Algorithm, https://cwe.mitre.org/data/definitions/327.html
    """

    code = "TLS501"
    quiet_in_refused_connections = True  # a server refusing the weak version is the test
    name = "weak-protocol-version"
    message = "SSL/TLS protocol older than TLS 1.2; let create_default_context() negotiate"
    triggers = (tuple(sorted({name.encode()
                              for name in (*_NAMES, *_TWISTED_KEYWORDS, *_BOUNDS)}
                             | {b"TLSv1", b"SSLv3"})),)  # the weak TLSVersion members
    # the bounds count only where they are stored (or named in quotes, for setattr):
    # docker-py has a decorator named minimum_version (47 uses in 12 files, each otherwise
    # parsed for nothing)
    # (an attribute's store: a variable of that name counts where it is stored to one)
    trigger_patterns = {bound.encode(): byte_patterns.stored(bound, quoted=True, dotted=True)
                        for bound in _BOUNDS}
    # getattr: a table of the constants' names, looked up in the module (`getattr(ssl, name)`)
    candidates = (NameUse(_NAMES), AttributeStore(_BOUNDS),
                  LookedUpIn(tuple(sorted({module.split(".", 1)[0] for module in _NAMED}))),
                  CallTo(("setattr",), argument=Argument(1, (), one_of(*_BOUNDS))),
                  KeywordArg(_TWISTED_KEYWORDS),
                  # (not SSLv2: no trigger word holds it, and a curl table of it has TLSv1)
                  NameUse(tuple(sorted({name.rsplit(".", 1)[1]
                                        for name in _WEAK_VERSIONS | _TWISTED_WEAK
                                        | _CURL_WEAK} - {"SSLv2"}))),
                  # a weak protocol's name handed to requests-toolbelt's adapter
                  CallTo(("SSLAdapter",), roots=("requests_toolbelt",)),
                  # scrapy's version settings given a weak version's name
                  NameStore(_SCRAPY_SETTINGS, one_of(*_SCRAPY_WEAK)),
                  KeywordArg(_SCRAPY_SETTINGS, one_of(*_SCRAPY_WEAK)),
                  KeyedStore(_SCRAPY_SETTINGS, one_of(*_SCRAPY_WEAK)))
    # Where a weak value kept in a variable is used (the origin is the finding), and where
    # a weak minimum_version is written before it reaches the store.
    # A class attribute that spells a weak version, for the comparisons that pick by it.
    # A test's parametrization by a table kept under a name (a display of cases holds the
    # weak name itself): its cases are data when the test only asserts on them.
    context_shapes = (NamePassed(_NAMES), NameUse(_VERSION_NAMES),
                      AnyNameStore(one_of(*sorted(_VERSION_SPELLINGS))),
                      CallTo(("parametrize",), roots=("pytest",),
                             argument=Argument(1, ("argvalues",), VARIABLE)))

    client_uses = (
        ClientUse('ssl (stdlib)',
                  '`ssl.PROTOCOL_SSLv2/SSLv3/TLSv1/TLSv1_1` (passed, returned, in a table of choices, through a variable), `ctx.minimum_version = ssl.TLSVersion.TLSv1` or `maximum_version` (also by `setattr` or through a variable)',
                  PROTOCOL, 'none'),
        ClientUse('pyOpenSSL',
                  '`SSL.SSLv2_METHOD`, `SSLv3_METHOD`, `TLSv1_METHOD`, `TLSv1_1_METHOD`',
                  PROTOCOL, 'none'),
        ClientUse('Twisted',
                  '`CertificateOptions(insecurelyLowerMinimumTo=TLSVersion.TLSv1_0)`, `lowerMaximumSecurityTo=` below `TLSv1_2`',
                  PROTOCOL, 'none'),
    )

    VALID = [
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n",
        "import ssl\nif version == ssl.PROTOCOL_TLSv1:\n    warn()\n",
        "import ssl\nNAMES = {ssl.PROTOCOL_TLSv1: 'TLSv1'}\n",
        "import ssl\nFLOOR = {'any': ssl.TLSVersion.MINIMUM_SUPPORTED, 'modern': ssl.TLSVersion.TLSv1_2}\n",
        "import ssl\nctx.minimum_version = ssl.TLSVersion.TLSv1_2\n",
        "from OpenSSL import SSL\nctx = SSL.Context(SSL.TLS_METHOD)\n",
        # a guard that refuses a weak version configures nothing
        "import ssl\nif ctx.minimum_version < ssl.TLSVersion.TLSv1_2:\n"
        "    raise ValueError('TLS 1.2 or later')\n",
        "import ssl\nif proto in (ssl.PROTOCOL_SSLv3, ssl.PROTOCOL_TLSv1):\n    raise ValueError(proto)\n",
        # a compatibility re-export that nothing passes on
        "import ssl\ntry:\n    PROTOCOL_TLSv1 = ssl.PROTOCOL_TLSv1\nexcept AttributeError:\n"
        "    PROTOCOL_TLSv1 = None\n",
        "import ssl\nMIN = ssl.TLSVersion.TLSv1_2\nctx.minimum_version = MIN\n",
        "import ssl\nsetattr(ctx, 'maximum_version', ssl.TLSVersion.TLSv1_3)\n",
        # names in a table that nothing looks up in the ssl module
        "import ssl\nLABELS = {'tls1': 'PROTOCOL_TLSv1'}\n",
        # a server's protocol: not a client's trust
        "import ssl\nfrom thrift.transport.TSSLSocket import TSSLServerSocket\n"
        "server = TSSLServerSocket(port=0, ssl_version=ssl.PROTOCOL_TLSv1)\n",
        "import ssl\nSERVER = {'ssl_version': ssl.PROTOCOL_TLS_SERVER,\n"
        "          'ssl_maximum_version': ssl.TLSVersion.TLSv1}\n",
        # a fallback for a Python without PROTOCOL_TLS_CLIENT: dead code
        "import ssl\nif hasattr(ssl, 'PROTOCOL_TLS_CLIENT'):\n"
        "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nelse:\n"
        "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
        # a choice of a strong version; a version's name nothing compares
        "import ssl\ndef pick(name):\n    if name == 'tlsv1.2':\n"
        "        return ssl.PROTOCOL_TLSv1_2\n",
        "class Old(Base):\n    name = 'TLSv1'\n",
        "from requests_toolbelt import SSLAdapter\nadapter = SSLAdapter('TLSv1_2')\n",
        "DOWNLOAD_TLS_MIN_VERSION = 'TLSv1.2'\nsettings['DOWNLOAD_TLS_MAX_VERSION'] = 'TLSv1.3'\n",
        # a test's cases that it only asserts on: a resolver's input and expected value
        "import ssl, pytest\n"
        "class TestResolve:\n"
        "    cases = [('TLS', ssl.PROTOCOL_TLS_CLIENT)]\n"
        "    if hasattr(ssl, 'PROTOCOL_TLSv1'):\n"
        "        cases.extend([(ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLSv1)])\n"
        "    @pytest.mark.parametrize('candidate, version', cases)\n"
        "    def test_resolve(self, candidate, version):\n"
        "        assert resolve_ssl_version(candidate) == version\n",
        "import ssl, pytest\n"
        "@pytest.mark.parametrize('version', [ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLS_CLIENT])\n"
        "def test_name(version):\n"
        "    assert protocol_name(version)\n",
    ]
    INVALID = [
        # a test's cases that it connects with (the parameter is used outside an assert)
        Invalid(
            "import ssl, pytest\n"
            "CASES = [ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLS_CLIENT]\n"
            "@pytest.mark.parametrize('version', CASES)\n"
            "def test_connect(version):\n"
            "    ctx = ssl.SSLContext(version)\n"
            "    assert connect(ctx)\n",
            [(2, 10)]),
        Invalid(
            "import ssl\n"
            "from twisted.internet.ssl import TLSVersion\n"
            "STDLIB = {'TLSv1.0': ssl.TLSVersion.TLSv1, 'TLSv1.2': ssl.TLSVersion.TLSv1_2}\n"
            "TWISTED = {'TLSv1.1': TLSVersion.TLSv1_1, 'TLSv1.3': TLSVersion.TLSv1_3}\n",
            [(3, 22), (4, 23)]),
        Invalid(
            "import ssl\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
            [(2, 22)]),
        Invalid(
            "from ssl import PROTOCOL_SSLv3 as OLD\n"
            "import urllib3\n"
            "pool = urllib3.PoolManager(ssl_version=OLD)\n",
            [(3, 40)]),
        Invalid(
            "from OpenSSL import SSL\n"
            "ctx = SSL.Context(method=SSL.SSLv3_METHOD)\n",
            [(2, 26)]),
        Invalid(
            "import ssl\n"
            "def connect(sock, version=ssl.PROTOCOL_TLSv1_1):\n"
            "    return ssl.SSLContext(version).wrap_socket(sock)\n",
            [(2, 27)]),
        Invalid(
            "import ssl\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.minimum_version = ssl.TLSVersion.TLSv1\n",
            [(3, 1)]),
        Invalid(
            "import ssl\n"
            "PROTOCOLS = {\n"
            "    'tlsv1': ssl.PROTOCOL_TLSv1,\n"
            "    'tlsv1.2': ssl.PROTOCOL_TLSv1_2,\n"
            "}\n",
            [(3, 14)]),
        Invalid(
            "import argparse, ssl\n"
            "parser = argparse.ArgumentParser()\n"
            "parser.add_argument('--ssl-version', choices=(ssl.PROTOCOL_TLSv1, ssl.PROTOCOL_TLS))\n",
            [(3, 47)]),
        Invalid(
            "import ssl\n"
            "def context(version):\n"
            "    proto = ssl.PROTOCOL_TLS_CLIENT\n"
            "    if version == 'TLSv1':\n"
            "        proto = ssl.PROTOCOL_TLSv1\n"
            "    return ssl.SSLContext(proto)\n",
            [(4, 8), (5, 17)]),
        Invalid(
            "import ssl\n"
            "PROTO = ssl.PROTOCOL_TLSv1\n"
            "def a():\n"
            "    return ssl.SSLContext(PROTO)\n"
            "def b(sock):\n"
            "    return ssl.wrap_socket(sock, ssl_version=PROTO)\n",
            [(2, 9)]),
        Invalid(
            "import ssl\n"
            "class Adapter:\n"
            "    ssl_version = ssl.PROTOCOL_TLSv1\n"
            "    def connect(self, sock):\n"
            "        return ssl.wrap_socket(sock, ssl_version=self.ssl_version)\n",
            [(3, 19)]),
        Invalid(
            "import ssl\n"
            "def protocol(name):\n"
            "    if name == 'tlsv1':\n"
            "        return ssl.PROTOCOL_TLSv1\n"
            "    return ssl.PROTOCOL_TLS_CLIENT\n",
            [(3, 8), (4, 16)]),
        Invalid(
            "import ssl\n"
            "class Base:\n"
            "    name = None\n"
            "    def version(self):\n"
            "        if self.name == 'TLSv1' and ssl.HAS_TLSv1:\n"
            "            return ssl.PROTOCOL_TLSv1\n"
            "        return ssl.PROTOCOL_TLS_CLIENT\n"
            "class Old(Base):\n"
            "    name = 'TLSv1'\n",
            [(5, 12), (6, 20), (9, 12)]),
        Invalid(
            "import requests\n"
            "from requests_toolbelt import SSLAdapter\n"
            "session = requests.Session()\n"
            "session.mount('https://', SSLAdapter('SSLv3'))\n",
            [(4, 38)]),
        Invalid(
            "DOWNLOAD_TLS_MIN_VERSION = 'TLSv1.0'\n"
            "class Spider:\n"
            "    custom_settings = {'DOWNLOAD_TLS_MAX_VERSION': 'TLSv1.1'}\n",
            [(1, 28), (3, 52)]),
        Invalid(
            "from curl_cffi import CurlSslVersion\n"
            "VERSIONS = {'1.0': CurlSslVersion.TLSv1_0, '1.2': CurlSslVersion.TLSv1_2}\n",
            [(2, 20)]),
        Invalid(
            "import ssl\n"
            "NAMES = {'tls1': 'PROTOCOL_TLSv1', 'tls1.2': 'PROTOCOL_TLSv1_2'}\n"
            "VERSIONS = {arg: getattr(ssl, name) for arg, name in NAMES.items()\n"
            "            if hasattr(ssl, name)}\n",
            [(2, 18)]),
        Invalid(
            "from twisted.internet import ssl\n"
            "options = ssl.CertificateOptions(\n"
            "    insecurelyLowerMinimumTo=ssl.TLSVersion.TLSv1_0)\n",
            [(3, 30)]),
        Invalid(
            "import ftplib, ssl\n"
            "ftp = ftplib.FTP_TLS()\n"
            "ftp.ssl_version = ssl.PROTOCOL_TLSv1\n",
            [(3, 19)]),
        Invalid(
            "import ssl\n"
            "LOWEST = ssl.TLSVersion.TLSv1\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.minimum_version = LOWEST\n",
            [(2, 10)]),
        Invalid(
            "import ssl\n"
            "def harden(ctx, minimum=ssl.TLSVersion.TLSv1_1):\n"
            "    ctx.minimum_version = minimum\n",
            [(2, 25)]),
        Invalid(
            "import ssl\n"
            "ctx = ssl.create_default_context()\n"
            "setattr(ctx, 'minimum_version', ssl.TLSVersion.MINIMUM_SUPPORTED)\n",
            [(3, 1)]),
        Invalid(
            "import ssl\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            "ctx.maximum_version = ssl.TLSVersion.TLSv1_1\n",
            [(3, 1)]),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._reported: Set[int] = set()  # ids of the nodes reported: an origin is one finding
        self._comparisons = 0  # how deep in comparisons the walk is
        # strings of tables that name a weak constant, and the modules getattr looks names up in
        self._named: List[Tuple[cst.BaseExpression, str]] = []
        self._looked_up: Set[str] = set()
        # Names passed or returned, followed to where they were written only once the walk has
        # seen a weak constant bound somewhere (following every argument of every call in
        # the file was most of this rule's cost on the benchmark corpus)
        self._deferred: List[Tuple[cst.BaseExpression, Scope, clients.ValueTest]] = []
        self._binds_weak = False
        # ids of nodes never reported: a server's arguments, dead fallback branches
        self._quiet: Set[int] = set()
        # id of a weak value an if branch picks -> the comparison that picks it
        self._choices: Dict[int, cst.Comparison] = {}
        # (attribute, string) pairs that pick a weak value (`self.name == "TLSv1"`), and the
        # strings class bodies bind (`name = "TLSv1"` in a subclass: that choice made)
        self._selected: Set[Tuple[str, str]] = set()
        self._class_strings: List[Tuple[str, str, cst.BaseExpression]] = []
        # the weak items of tables, reported at the end unless they are the cases of a test's
        # parametrization that the test only asserts on (ids in _cases)
        self._items: List[cst.BaseExpression] = []
        self._cases: Set[int] = set()

    def _report_once(self, node: cst.CSTNode, message: Optional[str] = None) -> None:
        if id(node) not in self._reported and id(node) not in self._quiet:
            self._reported.add(id(node))
            self.report(node, message)
            choice = self._choices.get(id(node))
            if choice is not None:  # the option value that picks it, a finding of its own
                self._report_once(choice, _CHOICE_MESSAGE)
                self._note_selected(choice)

    def _note_selected(self, choice: cst.Comparison) -> None:
        left, right = choice.left, choice.comparisons[0].comparator
        attribute, text = (left, right) if isinstance(right, cst.SimpleString) else (right, left)
        name = values.string_value(text, self.scope)
        if (isinstance(attribute, cst.Attribute) and isinstance(attribute.value, cst.Name)
                and identifier(attribute.value.value) == "self" and name is not None):
            self._selected.add((identifier(attribute.attr.value), name))

    def visit_If(self, node: cst.If) -> None:
        dead = dead_branches.dead_branch(node, self.scope)
        if dead is not None:
            self._quiet.update(dead_branches.subtree_ids(dead))
        choice = _string_choice(node.test)
        if choice is None or not isinstance(node.body, cst.IndentedBlock):
            return
        for statement in node.body.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                value = small.value if isinstance(small, (cst.Assign, cst.Return)) else None
                if value is not None and self._weak_protocol(value):
                    self._choices[id(value)] = choice

    def _weak_protocol(self, expr: cst.BaseExpression) -> bool:
        return self.qualify(expr) in clients.WEAK_PROTOCOLS

    def _weak_bound(self, expr: cst.BaseExpression) -> bool:
        return self.qualify(expr) in clients.WEAK_MINIMUM_VERSIONS

    def _written(self, value: cst.BaseExpression, weak: clients.ValueTest) -> None:
        """A value passed or returned: the weak constant itself, or where a variable holding
        one was written."""
        if id(value) in self._quiet:
            return
        if weak(value):
            self._report_once(value)
        elif isinstance(value, (cst.Name, cst.Attribute)):
            self._deferred.append((value, self.scope, weak))

    def _note_binding(self, value: Optional[cst.BaseExpression]) -> None:
        """Whether a bound value is (or a branch of it is) a weak constant."""
        branches = [value] if not isinstance(value, cst.IfExp) else [value.body, value.orelse]
        if any(branch is not None and (self._weak_protocol(branch) or self._weak_twisted(branch))
               for branch in branches):
            self._binds_weak = True

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._note_binding(node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._note_binding(node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._scrapy_setting(node.keyword, node.value)
        self._written(node.value, self._weak_protocol)
        if node.keyword is not None and identifier(node.keyword.value) in _TWISTED_KEYWORDS:
            self._written(node.value, self._weak_twisted)

    def _weak_twisted(self, expr: cst.BaseExpression) -> bool:
        return self.qualify(expr) in _TWISTED_WEAK

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self._written(node.value, self._weak_protocol)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None and self._weak_protocol(node.default):
            self._report_once(node.default)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._comparisons += 1

    def leave_Comparison(self, original_node: cst.Comparison) -> None:
        self._comparisons -= 1

    def visit_Dict(self, node: cst.Dict) -> None:
        # a dict of a server's settings (`{"ssl_version": ssl.PROTOCOL_TLS_SERVER, ...}`)
        if any(isinstance(element, cst.DictElement)
               and self.qualify(element.value) == clients.SERVER_PROTOCOL
               for element in node.elements):
            self._quiet.update(id(element.value) for element in node.elements)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._scrapy_setting(node.key, node.value)
        self._table_item(node.value)

    def _scrapy_setting(self, name: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """A scrapy version setting (a name, or a key's string) given a weak version."""
        setting = identifier(name.value) if isinstance(name, cst.Name) else (
            values.string_value(name, self.scope) if isinstance(name, cst.SimpleString)
            else None)
        if setting in _SCRAPY_SETTINGS and isinstance(value, cst.SimpleString) and (
                values.string_value(value, self.scope) in _SCRAPY_WEAK):
            self._report_once(value)

    def visit_Element(self, node: cst.Element) -> None:
        # an item of a list, tuple or set display; a tuple in a comparison is a deny list
        self._table_item(node.value)

    def _table_item(self, value: cst.BaseExpression) -> None:
        if self._comparisons:
            return
        if self._weak_protocol(value) or self.qualify(value) in _WEAK_VERSIONS | _TWISTED_WEAK:
            self._items.append(value)
            return
        qualified = self.qualify(value)
        if qualified is not None and absolute(qualified, self.context.path) in _CURL_WEAK:
            self._items.append(value)  # also in curl_cffi itself, through `from ..const`
            return
        name = values.string_value(value, self.scope) if isinstance(
            value, (cst.SimpleString, cst.ConcatenatedString)) else None
        if name is not None and any(name in names for names in _NAMED.values()):
            self._named.append((value, name))  # a finding if the module looks it up

    def visit_Assign(self, node: cst.Assign) -> None:
        self._note_binding(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._scrapy_setting(target.target, node.value)  # a settings module's
            elif (isinstance(target.target, cst.Subscript) and len(target.target.slice) == 1
                  and isinstance(target.target.slice[0].slice, cst.Index)):
                self._scrapy_setting(target.target.slice[0].slice.value, node.value)
            if isinstance(target.target, cst.Name) and self.scope.kind == "class":
                # a class attribute: the class's own setting (`ssl_version` of an FTP_TLS
                # subclass), read by the library through `self`
                if self._weak_protocol(node.value):
                    self._report_once(node.value)
                text = values.string_value(node.value, self.scope) if isinstance(
                    node.value, cst.SimpleString) else None
                if text in _VERSION_SPELLINGS:
                    self._class_strings.append((identifier(target.target.value), text,
                                                node.value))
                continue
            if not isinstance(target.target, cst.Attribute):
                continue
            if identifier(target.target.attr.value) in _BOUNDS:
                self._bound(target.target, node.value)
            elif self._weak_protocol(node.value):
                # an object configured with it (`ftp.ssl_version = ssl.PROTOCOL_TLSv1`)
                self._report_once(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if clients.names_a_server(node):
            # a server's protocol (`TSSLServerSocket(ssl_version=...)`): not a client's trust
            self._quiet.update(id(arg.value) for arg in node.args)
        if self.qualify(node.func) in _ADAPTERS:
            version = clients.argument(node, 0, "ssl_version")
            if version is not None and values.string_value(
                    version.value, self.scope) in _WEAK_SPELLED:
                self._report_once(version.value)
        if (isinstance(node.func, cst.Name) and identifier(node.func.value) == "getattr"
                and self.scope.lookup("getattr") is None and len(node.args) >= 2):
            # getattr(ssl, name): the names of a table are constants of that module
            module = self.qualify(node.args[0].value)
            if module in _NAMED:
                self._looked_up.add(module)
        # setattr(ctx, "minimum_version", value), the builtin (or maximum_version)
        if (isinstance(node.func, cst.Name) and identifier(node.func.value) == "setattr"
                and self.scope.lookup("setattr") is None and len(node.args) == 3
                and not any(arg.keyword or arg.star for arg in node.args)
                and values.string_value(node.args[1].value, self.scope) in _BOUNDS):
            self._bound(node, node.args[2].value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.decorators and self.scope.parent is not None:
            for table in test_data.asserted_cases(node, self.scope.parent):
                self._cases.update(dead_branches.subtree_ids(table))

    def leave_Module(self, original_node: cst.Module) -> None:
        for item in self._items:
            if id(item) not in self._cases:
                self._report_once(item)
        for value, scope, weak in self._deferred if self._binds_weak else ():
            for origin in travel.travelled_origins(value, scope, weak):
                self._report_once(origin)
        for value, name in self._named:
            if any(name in _NAMED[module] for module in self._looked_up):
                self._report_once(value)
        for attribute, text, value in self._class_strings:
            if (attribute, text) in self._selected:
                self._report_once(value, _CHOICE_MESSAGE)

    def _bound(self, anchor: cst.CSTNode, value: cst.BaseExpression) -> None:
        if self._weak_bound(value):
            self._report_once(anchor)
            return
        for origin in travel.travelled_origins(value, self.scope, self._weak_bound):
            self._report_once(origin)
