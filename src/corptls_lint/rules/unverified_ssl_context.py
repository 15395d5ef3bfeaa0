"""TLS103: SSL contexts and connections that skip certificate verification.

One module over 600 lines, kept whole: 346 of its lines are the rule's documentation (100) and
its VALID/INVALID examples (246), which stay beside the code they test, as every rule's do; the
logic is about 250 lines, one visitor that follows a context from its creation to its settings.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients, hostname_checks, opt_outs, travel, values
from corptls_lint.analysis.cst_walk import children
from corptls_lint.analysis.scopes import Scope, dotted_name
from corptls_lint.ftypes import Applicability, identifier
from corptls_lint.rules import origin_fixes
from corptls_lint.rules.base import OFF, ClientUse, FileContext, FixRequest, Invalid, Report, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import (CERT_NONE, FALSY, AttributeStore, CallerArgument, CallTo,
                                         ItemStore, KeywordArg, ParamDefault, Travel, or_default)

_UNVERIFIED = "ssl._create_unverified_context"
_DEFAULT_HTTPS_CONTEXT = "ssl._create_default_https_context"
_CREATE_URLLIB3_CONTEXT = frozenset({"urllib3.util.ssl_.create_urllib3_context",
                                     "urllib3.util.create_urllib3_context"})
# requests.adapters.HTTPAdapter methods a subclass overrides to hand urllib3 its pool options.
_ADAPTER_METHODS = frozenset({"init_poolmanager", "proxy_manager_for"})
_PAIR_MESSAGE = ("SSL context without certificate verification: check_hostname = False and "
                 "verify_mode = CERT_NONE on the same context")


class UnverifiedSSLContext(Rule):
    """
    ## What it does
    Finds SSL contexts and connections that skip certificate verification:

    - a call of `ssl._create_unverified_context()`, under any alias, wherever it is passed
      (`xmlrpc.client.ServerProxy(url, context=...)`, a suds transport's opener);
    - `ssl._create_default_https_context = ssl._create_unverified_context`;
    - both through names bound once (`unverified = ssl._create_unverified_context`, the
      module rebound `s = ssl`) and through `getattr(ssl, "_create_unverified_context")`;
      a name bound to it on one branch and to another function on the other (`create =
      getattr(ssl, "_create_unverified_context", None)` ... `create()`) is reported where
      it is bound;
    - `<ctx>.check_hostname = False` (or another falsy value; also an option lookup's
      default, `bool(opts.get("check_hostname", False))`, and a parameter's default stored
      there, reported at the default); a `verify_mode` or `check_hostname` taken from
      `self.x`, where the class sets `self.x` to an insecure value or from a parameter's
      insecure default (ldap3's `Tls(validate=ssl.CERT_NONE)`), reported where that is written;
    - `<ctx>.verify_mode = ssl.CERT_NONE` (also `ssl.VerifyMode.CERT_NONE`);
    - `cert_reqs=` set to `ssl.CERT_NONE`, `"CERT_NONE"` or `"NONE"`, or a falsy
      `assert_hostname=`, for `urllib3.PoolManager`, `ProxyManager`, `HTTPSConnectionPool`,
      `connection_from_url`, `proxy_from_url` (also through `requests.packages.urllib3`),
      `create_urllib3_context` (`cert_reqs=` only) and `ssl.wrap_socket` (client side);
    - `<conn>.cert_reqs = "CERT_NONE"` (or `ssl.CERT_NONE`) on a connection;
    - the same in a requests adapter (an `HTTPAdapter` subclass): passed to
      `init_poolmanager` / `proxy_manager_for`, a falsy `verify` passed on by `cert_verify`,
      or stored into their `**kwargs`
      (`kwargs["cert_reqs"] = "CERT_NONE"`); mounting the adapter is not a second finding;
    - a `cert_reqs` or `assert_hostname` value that travels to one of those calls inside the
      module, reported where it is written and naming the call: a local bound to
      `ssl.CERT_NONE` on one branch, `kw["cert_reqs"] = "CERT_NONE"` or a display entry of a
      dict passed as `**kw`, `self.x` set in the class, or a same-module call site passing
      it to a parameter that reaches the call (`make_pool(host, ssl.CERT_NONE)` where
      `def make_pool(host, cert_reqs=...)` passes `cert_reqs=cert_reqs` on), reported at the
      call-site argument;
    - aiohttp's `ssl=False` or `verify_ssl=False` on `aiohttp.TCPConnector`, `aiohttp.request`,
      or a verb method (`session.get(...)`, `session.ws_connect(...)`) of an unresolved receiver.

    `check_hostname = False` followed by `verify_mode = CERT_NONE` on the same context (in either
    order) is one finding, at the first of the two. Server contexts are never reported:
    `SSLContext(PROTOCOL_TLS_SERVER)`, `create_default_context(Purpose.CLIENT_AUTH)`, a context
    that is given its own certificate (`load_cert_chain`) or handed to a server, and a body
    that wraps with `server_side=True`. A comparison (`if ctx.verify_mode == ssl.CERT_NONE:`)
    is not an assignment and is never reported. Nor is `check_hostname = False` on a context
    whose `verify_mode` is not set to `CERT_NONE` (and not on a branch under a test that
    names `CERT_NONE`, such as paho's `if cert_reqs == ssl.CERT_NONE:`), in a function or
    class that matches the host name itself: a call of `ssl.match_hostname` (or a backport
    of it, or service_identity's `verify_hostname`), or `getpeercert()` with its
    `"subjectAltName"` or `"commonName"` read by hand, there or in a function of the module
    that it calls by name (ldap3 matches the host name against names of its own that way).
    The chain is still verified and the name still checked; whether the hand-made check is
    right is for a reviewer. Nor is `self.check_hostname = False` (or `self.verify_mode =
    ...`) in a class that is an SSL context of its own making, one with its own `wrap_socket`
    and no base class (urllib3's `PyOpenSSLContext` starts from the state
    `SSLContext(PROTOCOL_TLS)` has): its own state, not a client's setting; in a subclass of
    `ssl.SSLContext` it is the real attribute, and reported.

    ## Why is this bad?
    A context that does not verify accepts any certificate, so the connection is encrypted to
    whoever answers, not to the server you meant. `check_hostname = False` alone lets any
    certificate from a trusted CA stand in for any host. Assigning
    `ssl._create_default_https_context` turns verification off for the whole process,
    `urllib.request` and every library built on `http.client` included.

    ## Example
    ```python
    import ssl
    import urllib.request

    ctx = ssl._create_unverified_context()
    urllib.request.urlopen("https://intranet.example.com", context=ctx)
    ```

    ## Use instead
    ```python
    import urllib.request
    from corp_tls import ssl_context

    urllib.request.urlopen("https://intranet.example.com", context=ssl_context())
    ```

    ## Fix
    Offered when `ssl-context` is configured: a `ssl._create_unverified_context()` call (also
    through an alias or `getattr`) and
    aiohttp's `ssl=False` become the configured context expression, and its import is added.
    Safe. A call with arguments (`certfile=`, `keyfile=`, `cafile=`, `purpose=`) gets no fix:
    replacing it would silently drop a client certificate or a trust setting.

    A context created in the same block (`ctx = ssl.create_default_context()` or
    `ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`, no other argument) whose `check_hostname` /
    `verify_mode` are switched off by statements of their own in that block: the creation
    becomes the configured context and those statements go, their comments kept. Safe,
    except when that block is itself an `if`'s branch (`if VERIFY is False:` on a module
    constant; on the caller's option it is not reported at all):
    unsafe there. A setting on a branch of its own (`if insecure:`) below the creation is a
    decision the code takes and gets no fix.

    aiohttp (3.x deprecated `verify_ssl=` for `ssl=`, and refuses the two together):
    `verify_ssl=False` becomes `ssl=<ssl-context>`, on `TCPConnector`, `aiohttp.request` and
    a session's request methods alike. Safe; unsafe with `**kwargs`. Beside a falsy `ssl=`
    (which becomes the context), `verify_ssl=False` is removed; beside any other trust
    argument (an `ssl=` that is not falsy, the deprecated `ssl_context=` or `fingerprint=`) it
    gets no fix, since which one was meant is for a person. A `ClientSession`'s
    `connector_owner=` is left as it is: the fix changes the connector's own `ssl=`, so the
    code that owns the connector still closes it, and a connector shared between sessions
    (`connector_owner=False`) verifies for every one of them.

    urllib3 pools (`PoolManager`, `ProxyManager`, `HTTPSConnectionPool`, `connection_from_url`,
    `proxy_from_url`): `cert_reqs="CERT_NONE"` becomes `ssl_context=<ssl-context>` (urllib3
    2 verifies with a given context), or `ca_certs=<ca-bundle>` when only `ca-bundle` is
    configured; it is removed when the pool names its own `ca_certs=`, which it then verifies
    against (TLS301 points a hardcoded one at the bundle). Safe; unsafe when the call also
    takes `**kwargs`, none when it already gives `ssl_context=`. `assert_hostname=False` is
    removed, so the host name is checked again. Safe.
    `create_urllib3_context(cert_reqs=CERT_NONE)` becomes the configured context.
    `ssl.wrap_socket` gets no fix (it defaults to `CERT_NONE`, and Python 3.12 removed it:
    see TLS502).

    A `cert_reqs` or `assert_hostname` value that travels gets its fix where it is written (a
    branch's binding, `self.x`, a call site's argument): `ssl.CERT_NONE` becomes
    `ssl.CERT_REQUIRED` in the same spelling (`"CERT_NONE"` -> `"CERT_REQUIRED"`, `"NONE"` ->
    `"REQUIRED"`), and `False` for `assert_hostname` becomes `None`, urllib3's default. Unsafe:
    the pool then verifies with its default trust, not the configured one, and the same value
    may be read elsewhere. A bare imported `CERT_NONE` and entries stored into a `**kwargs`
    dict get none.

    The other patterns have no automatic fix: delete them and give the context or pool the CA
    instead (`ctx.load_verify_locations(CA_BUNDLE)`, aiohttp `ssl=ssl_context()`).

    ## Options
    - `ssl-context`
    - `ca-bundle` (urllib3 pools, when `ssl-context` is not configured)

    ## References
    - Python: ssl, Security considerations, https://docs.python.org/3/library/ssl.html#ssl-security
    - aiohttp: SSL control for TCP sockets, https://docs.aiohttp.org/en/stable/client_advanced.html#ssl-control-for-tcp-sockets
    - urllib3: Certificate verification, https://urllib3.readthedocs.io/en/stable/user-guide.html#certificate-verification
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS103"
    caller_opt_outs = True
    name = "unverified-ssl-context"
    message = "SSL context or connection without certificate verification"
    # cert_reqs / verify_mode: their string form ("NONE") names no other trigger word.
    triggers = ((b"_create_unverified_context", b"check_hostname", b"CERT_NONE", b"cert_reqs",
                 b"verify_mode", b"ssl", b"verify_ssl", b"cert_verify", b"assert_hostname"),)
    trigger_patterns = {b"ssl": clients.SSL_ASSIGNED,
                        b"check_hostname": byte_patterns.assigned("check_hostname",
                                                                  insecure_if_true=False),
                        b"verify_ssl": byte_patterns.assigned("verify_ssl",
                                                              insecure_if_true=False),
                        # `kw["assert_hostname"] = False` travels to a pool: quoted counts
                        b"assert_hostname": byte_patterns.assigned(
                            "assert_hostname", quoted=True, insecure_if_true=False)}
    candidates = (
        clients.calls_to({_UNVERIFIED}),
        AttributeStore(("check_hostname",), or_default(FALSY)),
        AttributeStore(("verify_mode", "cert_reqs"), or_default(CERT_NONE)),
        # a setting's insecure default kept on the instance (`def __init__(self,
        # validate=ssl.CERT_NONE)` ... `ctx.verify_mode = self.validate`)
        ParamDefault(("cert_reqs", "validate", "verify_mode"), CERT_NONE),
        ParamDefault(("check_hostname",), FALSY),
        CallTo(("cert_verify",)),
        AttributeStore((_DEFAULT_HTTPS_CONTEXT.rsplit(".", 1)[1],)),
        KeywordArg(("cert_reqs",), CERT_NONE),
        KeywordArg(("assert_hostname",), FALSY),
        Travel(("cert_reqs",), CERT_NONE),
        Travel(("assert_hostname",), FALSY),
        CallerArgument(("cert_reqs",), CERT_NONE),
        CallerArgument(("assert_hostname",), FALSY),
        KeywordArg(("ssl", "verify_ssl"), FALSY),
        ItemStore(("kwargs", "kw", "pool_kwargs", "connection_pool_kw"), ("requests", "urllib3")),
    )
    # A server context is told apart by what its body does elsewhere (clients.BodyUses).
    context_shapes = (KeywordArg(("server_side",)),
                      CallTo(tuple(sorted(clients.SERVER_METHODS | clients.CERTIFICATE_METHODS
                                         | clients.SERVER_CALL_NAMES))),
                      # a host name matched by hand after check_hostname = False
                      CallTo(tuple(sorted(hostname_checks.CHECKERS
                                          | {hostname_checks.PEER_CERT}))),
                      opt_outs.COMMAND_LINE_SHAPE)
    has_fix = True
    fix_keys = ("ssl-context", "ca-bundle")

    client_uses = (
        ClientUse('ssl (stdlib)',
                  '`ssl._create_unverified_context()`, `ssl._create_default_https_context = ...`, `ctx.check_hostname = False`, `ctx.verify_mode = ssl.CERT_NONE`',
                  OFF, '`<ssl-context>` for the unverified context; none for the stores'),
        ClientUse('urllib3',
                  '`cert_reqs=ssl.CERT_NONE` / `"CERT_NONE"`, `assert_hostname=False` on `PoolManager`, `ProxyManager`, `HTTPSConnectionPool`, `connection_from_url`, `proxy_from_url`, `create_urllib3_context`',
                  OFF, '`ssl_context=<ssl-context>` (or `ca_certs=<ca-bundle>`)'),
        ClientUse('aiohttp',
                  "`ssl=False`, `verify_ssl=False` on `TCPConnector`, `aiohttp.request`, a session's verb methods",
                  OFF, '`ssl=<ssl-context>`'),
        ClientUse('xmlrpc.client (stdlib), suds',
                  '`ServerProxy(url, context=ssl._create_unverified_context())`, a custom '
                  'transport building such a context',
                  OFF, '`<ssl-context>`'),
    )

    VALID = [
        # a server's side; the caller's own switch decides
        "import ssl\nssl.SSLContext.wrap_socket(sock, server_side=True, cert_reqs=ssl.CERT_NONE)\n",
        "import ssl\n"
        "def connect(sock, verify_cert=True):\n"
        "    if not verify_cert:\n"
        "        return ssl.SSLContext.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)\n",
        "import ssl\nctx = ssl.create_default_context()\n",
        "import ssl\ndef connect(host, check_hostname=True):\n"
        "    ctx = ssl.create_default_context()\n    ctx.check_hostname = check_hostname\n",
        "import ssl\nctx.verify_mode = MODES.get(name, ssl.CERT_REQUIRED)\n",
        "import ssl\nclass Tls:\n    def __init__(self, validate=ssl.CERT_REQUIRED):\n"
        "        self.validate = validate\n    def wrap(self, ctx):\n"
        "        ctx.verify_mode = self.validate\n",
        # importorskip of another module: its PoolManager is not urllib3's
        "import pytest\npool_lib = pytest.importorskip('mypools')\n"
        "pool = pool_lib.PoolManager(cert_reqs='CERT_NONE')\n",
        "ctx.check_hostname = True\n",
        "import ssl\nctx.verify_mode = ssl.CERT_REQUIRED\n",
        "import urllib3\nurllib3.PoolManager(cert_reqs='CERT_REQUIRED')\n",
        "import aiohttp\naiohttp.TCPConnector(ssl=ctx)\n",
        "import redis\nredis.Redis(ssl=False)\n",
        "CERT_NONE = 0\nctx.verify_mode = CERT_NONE\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nctx.verify_mode = ssl.CERT_NONE\n",
        "import ssl\nctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
        "ctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\n",
        "import ssl\ndef serve(sock):\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
        "    ctx.load_cert_chain('cert.pem', 'key.pem')\n    ctx.verify_mode = ssl.CERT_NONE\n"
        "    return ctx.wrap_socket(sock, server_side=True)\n",
        "import ssl\nif ctx.verify_mode == ssl.CERT_NONE:\n    warn()\n",
        "import ssl\nssl.wrap_socket(sock, server_side=True, cert_reqs=ssl.CERT_NONE)\n",
        "import ssl\ns = ssl\ns._create_default_https_context = s.create_default_context\n",
        "import ssl, xmlrpc.client\n"
        "proxy = xmlrpc.client.ServerProxy(url, verbose=False,\n"
        "                                  context=ssl.create_default_context())\n",
        # the host name is still matched, by hand, on a chain that is still verified
        "import ssl\ndef connect(sock, host):\n    ctx = ssl.create_default_context()\n"
        "    ctx.check_hostname = False\n    tls = ctx.wrap_socket(sock)\n"
        "    ssl.match_hostname(tls.getpeercert(), host)\n    return tls\n",
        # a context class of its own (pyOpenSSL behind the stdlib's interface): its state
        "import ssl\nfrom OpenSSL import SSL\nclass PyOpenSSLContext:\n"
        "    def __init__(self, protocol):\n        self._ctx = SSL.Context(protocol)\n"
        "        self.check_hostname = False\n"
        "    def wrap_socket(self, sock, server_hostname=None):\n"
        "        return SSL.Connection(self._ctx, sock)\n",
        "import ssl\nclass Client:\n    def __init__(self):\n"
        "        self.ctx = ssl.create_default_context()\n        self.ctx.check_hostname = False\n"
        "    def connect(self, sock, host):\n        tls = self.ctx.wrap_socket(sock)\n"
        "        names = [v for k, v in tls.getpeercert()['subjectAltName'] if k == 'DNS']\n"
        "        if host not in names:\n            raise ValueError(host)\n",
        "import ssl\nfrom ssl import match_hostname\ndef check(sock, host):\n"
        "    match_hostname(sock.getpeercert(), host)\ndef connect(sock, host, ctx):\n"
        "    ctx.check_hostname = False\n    ctx.verify_mode = ssl.CERT_REQUIRED\n"
        "    check(ctx.wrap_socket(sock), host)\n",
        # a library carrying out its caller's choice: the caller passing False is reported
        "import ssl\n"
        "def context(verify):\n"
        "    ctx = ssl.create_default_context()\n"
        "    if not verify:\n"
        "        ctx.check_hostname = False\n"
        "        ctx.verify_mode = ssl.CERT_NONE\n"
        "    return ctx\n",
        "import ssl\n"
        "def context(options):\n"
        "    ctx = ssl.create_default_context()\n"
        "    if options.get('insecure'):\n"
        "        ctx.check_hostname = False\n"
        "    return ctx\n",
        "import ssl\n"
        "def context(check_hostname=True):\n"
        "    ctx = ssl.create_default_context()\n"
        "    ctx.check_hostname = check_hostname\n"
        "    return ctx\n",
        # an outer API that hands on a secure default of its own (the caller decides)
        "import ssl\n"
        "def make_context(verify=True):\n"
        "    ctx = ssl.create_default_context()\n"
        "    if not verify:\n"
        "        ctx.verify_mode = ssl.CERT_NONE\n"
        "    return ctx\n"
        "class Client:\n"
        "    def __init__(self, host, verify=True):\n"
        "        self.context = make_context(verify=verify)\n",
        "import smtplib, ssl\n"
        "class Mailer:\n"
        "    def connect(self):\n"
        "        context = (ssl.create_default_context() if self.verify\n"
        "                   else ssl._create_unverified_context())\n"
        "        return smtplib.SMTP_SSL(self.host, context=context)\n",
        "import ssl\n"
        "CERT_REQS = {'none': ssl.CERT_NONE, 'required': ssl.CERT_REQUIRED}\n"
        "def context(cert_reqs):\n"
        "    ctx = ssl.create_default_context()\n"
        "    ctx.verify_mode = CERT_REQS[cert_reqs]\n"
        "    return ctx\n",
        "import ssl\n"
        "import urllib3\n"
        "def pool(verify):\n"
        "    cert_reqs = ssl.CERT_REQUIRED\n"
        "    if not verify:\n"
        "        cert_reqs = ssl.CERT_NONE\n"
        "    return urllib3.PoolManager(cert_reqs=cert_reqs)\n",
        "import ssl\n"
        "def context(verify=True):\n"
        "    if verify:\n"
        "        create = ssl.create_default_context\n"
        "    else:\n"
        "        create = getattr(ssl, '_create_unverified_context', None)\n"
        "    return create()\n",
    ]
    INVALID = [
        # a subclass of the stdlib's context: its check_hostname is the real one
        Invalid(
            "import ssl\n"
            "class LaxContext(ssl.SSLContext):\n"
            "    def __init__(self, protocol):\n"
            "        self.check_hostname = False\n"
            "    def wrap_socket(self, sock, **kwargs):\n"
            "        return super().wrap_socket(sock, **kwargs)\n",
            [(4, 9)]),
        # ssl.wrap_socket's keyword kept on the unbound SSLContext.wrap_socket, on the branch
        # taken without a CA file (pyeapi)
        Invalid(
            "import ssl\n"
            "class Connection:\n"
            "    def connect(self, sock):\n"
            "        if self.ca_file:\n"
            "            return ssl.SSLContext.wrap_socket(sock, ca_certs=self.ca_file,\n"
            "                                              cert_reqs=ssl.CERT_REQUIRED)\n"
            "        return ssl.SSLContext.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)\n",
            [(7, 49)]),
        # a library's own default: reported where it is written, not where it is stored
        Invalid(
            "import ssl\n"
            "def connect(host, verify_certs=True, check_hostname=False):\n"
            "    ctx = ssl.create_default_context()\n"
            "    ctx.check_hostname = check_hostname\n"
            "    return ctx\n",
            [(2, 53)]),
        # a setting kept on the instance, from a parameter's insecure default (ldap3's Tls)
        Invalid(
            "import ssl\n"
            "class Tls:\n"
            "    def __init__(self, validate=ssl.CERT_NONE):\n"
            "        self.validate = validate\n"
            "    def wrap(self, sock):\n"
            "        ctx = ssl.create_default_context()\n"
            "        ctx.verify_mode = self.validate\n"
            "        return ctx.wrap_socket(sock)\n",
            [(3, 33)]),
        # an option lookup that falls back to no verification (a library's default)
        Invalid(
            "import ssl\n"
            "def context(opts):\n"
            "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            "    ctx.check_hostname = bool(opts.get('check_hostname', False))\n"
            "    return ctx\n",
            [(4, 5)]),
        # a test's module bound by pytest.importorskip, as an import binds it
        Invalid(
            "import pytest\n"
            "urllib3 = pytest.importorskip('urllib3')\n"
            "pool = urllib3.PoolManager(cert_reqs='CERT_NONE')\n",
            [(3, 28)],
            "import pytest\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "urllib3 = pytest.importorskip('urllib3')\n"
            "pool = urllib3.PoolManager(ssl_context=ssl_context())\n"),
        Invalid(
            "import ssl\n"
            "ctx = ssl._create_unverified_context()\n",
            [(2, 7)],
            "from corp_tls import ssl_context\n"
            "\n"
            "ctx = ssl_context()\n"),
        Invalid(
            "from ssl import _create_unverified_context as unverified\n"
            "ctx = unverified()\n",
            [(2, 7)],
            "from corp_tls import ssl_context\n"
            "\n"
            "ctx = ssl_context()\n"),
        Invalid(
            "import ssl\n"
            "ssl._create_default_https_context = ssl._create_unverified_context\n",
            [(2, 1)]),
        Invalid(
            "ctx.check_hostname = False\n",
            [(1, 1)]),
        Invalid(
            "import ssl\n"
            "ctx.verify_mode = ssl.CERT_NONE\n",
            [(2, 1)]),
        Invalid(
            "from ssl import CERT_NONE\n"
            "self.ctx.verify_mode = CERT_NONE\n",
            [(2, 1)]),
        Invalid(
            "import urllib3\n"
            "http = urllib3.PoolManager(cert_reqs='CERT_NONE')\n",
            [(2, 28)],
            "import urllib3\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "http = urllib3.PoolManager(ssl_context=ssl_context())\n"),
        Invalid(
            "import ssl, requests\n"
            "requests.packages.urllib3.PoolManager(\n"
            "    cert_reqs=ssl.CERT_NONE)\n",
            [(3, 5)],
            "import requests\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "requests.packages.urllib3.PoolManager(\n"
            "    ssl_context=ssl_context())\n"),
        Invalid(
            "import ssl\n"
            "ssl.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)\n",
            [(2, 23)]),
        Invalid(
            "import aiohttp\n"
            "conn = aiohttp.TCPConnector(ssl=False)\n",
            [(2, 29)],
            "import aiohttp\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "conn = aiohttp.TCPConnector(ssl=ssl_context())\n"),
        Invalid(
            "async def f(session):\n"
            "    async with session.get(url, verify_ssl=False) as r:\n"
            "        pass\n",
            [(2, 33)],
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "async def f(session):\n"
            "    async with session.get(url, ssl=ssl_context()) as r:\n"
            "        pass\n"),
        # aiohttp deprecated verify_ssl= for ssl=, and refuses the two together
        Invalid(
            "import aiohttp\n"
            "conn = aiohttp.TCPConnector(verify_ssl=False, limit=10)\n",
            [(2, 29)],
            "import aiohttp\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "conn = aiohttp.TCPConnector(ssl=ssl_context(), limit=10)\n"),
        Invalid(
            "import aiohttp\n"
            "conn = aiohttp.TCPConnector(ssl=False, verify_ssl=False)\n",
            [(2, 29), (2, 40)],
            "import aiohttp\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "conn = aiohttp.TCPConnector(ssl=ssl_context())\n"),
        Invalid(  # the deprecated ssl_context= beside it: which trust was meant is unclear
            "import aiohttp\n"
            "conn = aiohttp.TCPConnector(verify_ssl=False, ssl_context=ctx)\n",
            [(2, 29)]),
        # the pool names its own CA: without cert_reqs it verifies against it
        Invalid(
            "import urllib3\n"
            "pool = urllib3.HTTPSConnectionPool(host, cert_reqs='CERT_NONE', ca_certs=CA)\n",
            [(2, 42)],
            "import urllib3\n"
            "pool = urllib3.HTTPSConnectionPool(host, ca_certs=CA)\n"),
        Invalid(
            "import ssl\n"
            "import urllib.request\n"
            "\n"
            "def fetch(url):\n"
            "    ctx = ssl._create_unverified_context()\n"
            "    return urllib.request.urlopen(url, context=ctx)\n",
            [(5, 11)],
            "import urllib.request\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "def fetch(url):\n"
            "    ctx = ssl_context()\n"
            "    return urllib.request.urlopen(url, context=ctx)\n"),
        Invalid(
            "import aiohttp\n"
            "async def main():\n"
            "    async with aiohttp.ClientSession() as session:\n"
            "        async with session.get(url, ssl=False) as response:  # self-signed\n"
            "            return await response.text()\n",
            [(4, 37)],
            "import aiohttp\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "async def main():\n"
            "    async with aiohttp.ClientSession() as session:\n"
            "        async with session.get(url, ssl=ssl_context()) as response:  # self-signed\n"
            "            return await response.text()\n"),
        Invalid(
            "import ssl\n"
            "from corp_tls import make_session, ssl_context\n"
            "\n"
            "class Mailer:\n"
            "    def context(self):\n"
            "        return ssl._create_unverified_context(  # legacy relay\n"
            "        )\n",
            [(6, 16)],
            "from corp_tls import make_session, ssl_context\n"
            "\n"
            "class Mailer:\n"
            "    def context(self):\n"
            "        return ssl_context(  # legacy relay\n"
            "        )\n"),
        Invalid(
            "import urllib3\n"
            "urllib3.PoolManager(cert_reqs='NONE')\n",
            [(2, 21)],
            "import urllib3\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "urllib3.PoolManager(ssl_context=ssl_context())\n"),
        Invalid(  # the client certificate would be lost: reported, not fixed
            "import ssl\n"
            "ctx = ssl._create_unverified_context(certfile='me.pem', keyfile='me.key')\n",
            [(2, 7)], fixed=None),
        Invalid(
            "import ssl\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.check_hostname = False\n"
            "ctx.verify_mode = ssl.CERT_NONE\n",
            [(3, 1)],
            "from corp_tls import ssl_context\n"
            "\n"
            "ctx = ssl_context()\n"),
        Invalid(
            "import os, ssl\n"
            "NO_VERIFY = True\n"
            "def context():\n"
            "    ctx = ssl.create_default_context()\n"
            "    if os.environ.get('INSECURE'):\n"
            "        ctx.check_hostname = False\n"
            "    if NO_VERIFY:\n"
            "        ctx.check_hostname = False\n"
            "        ctx.verify_mode = ssl.CERT_NONE\n"
            "    return ctx\n",
            [(6, 9), (8, 9)]),
        Invalid(
            "from requests.adapters import HTTPAdapter\n"
            "from urllib3.poolmanager import PoolManager\n"
            "\n"
            "class InsecureAdapter(HTTPAdapter):\n"
            "    def init_poolmanager(self, connections, maxsize, block=False, **kwargs):\n"
            "        self.poolmanager = PoolManager(num_pools=connections, maxsize=maxsize,\n"
            "                                       cert_reqs='CERT_NONE', assert_hostname=False)\n"
            "\n"
            "session.mount('https://', InsecureAdapter())\n",
            [(7, 40), (7, 63)],
            "from requests.adapters import HTTPAdapter\n"
            "from urllib3.poolmanager import PoolManager\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "class InsecureAdapter(HTTPAdapter):\n"
            "    def init_poolmanager(self, connections, maxsize, block=False, **kwargs):\n"
            "        self.poolmanager = PoolManager(num_pools=connections, maxsize=maxsize,\n"
            "                                       ssl_context=ssl_context())\n"
            "\n"
            "session.mount('https://', InsecureAdapter())\n"),
        Invalid(
            "import requests\n"
            "class NoVerify(requests.adapters.HTTPAdapter):\n"
            "    def init_poolmanager(self, *args, **kwargs):\n"
            "        kwargs['cert_reqs'] = 'CERT_NONE'\n"
            "        return super().init_poolmanager(*args, **kwargs)\n",
            [(4, 9)]),
        Invalid(
            "import ssl\n"
            "import urllib3\n"
            "def pool(verify=False):\n"
            "    cert_reqs = ssl.CERT_REQUIRED\n"
            "    if not verify:\n"
            "        cert_reqs = ssl.CERT_NONE\n"
            "    return urllib3.PoolManager(cert_reqs=cert_reqs)\n",
            [(3, 17)]),
        Invalid(
            "import urllib3\n"
            "def pool():\n"
            "    kw = {'maxsize': 4}\n"
            "    kw['assert_hostname'] = False\n"
            "    return urllib3.PoolManager(**kw)\n",
            [(4, 5)]),
        Invalid(
            "import urllib3\n"
            "class Connection:\n"
            "    def __init__(self, check_certs=False):\n"
            "        pool_class = urllib3.HTTPConnectionPool\n"
            "        kw = {}\n"
            "        if self.use_ssl:\n"
            "            pool_class = urllib3.HTTPSConnectionPool\n"
            "            if not check_certs:\n"
            "                kw.update({'cert_reqs': 'CERT_NONE'})\n"
            "        self.pool = pool_class(self.host, **kw)\n",
            [(3, 36)]),
        Invalid(
            "from pip._vendor.requests.adapters import HTTPAdapter\n"
            "class InsecureHTTPAdapter(HTTPAdapter):\n"
            "    def cert_verify(self, conn, url, verify, cert):\n"
            "        super().cert_verify(conn=conn, url=url, verify=False, cert=cert)\n"
            "def plain(conn):\n"
            "    conn.cert_reqs = 'CERT_NONE'\n",
            [(4, 49), (6, 5)]),
        Invalid(
            "from urllib3.util.ssl_ import create_urllib3_context\n"
            "ctx = create_urllib3_context(cert_reqs='CERT_NONE')\n",
            [(2, 30)],
            "from corp_tls import ssl_context\n"
            "\n"
            "ctx = ssl_context()\n"),
        Invalid(
            "import ssl, urllib3\n"
            "def make_pool(host, cert_reqs='CERT_REQUIRED'):\n"
            "    return urllib3.HTTPSConnectionPool(host, cert_reqs=cert_reqs)\n"
            "pool = make_pool(host, ssl.CERT_NONE)\n",
            [(4, 24)],
            "import ssl, urllib3\n"
            "def make_pool(host, cert_reqs='CERT_REQUIRED'):\n"
            "    return urllib3.HTTPSConnectionPool(host, cert_reqs=cert_reqs)\n"
            "pool = make_pool(host, ssl.CERT_REQUIRED)\n"),
        Invalid(
            "import ssl\n"
            "unverified = ssl._create_unverified_context\n"
            "ssl._create_default_https_context = unverified\n",
            [(3, 1)]),
        Invalid(
            "import ssl as _ssl\n"
            "ssl_mod = _ssl\n"
            "ssl_mod._create_default_https_context = ssl_mod._create_unverified_context\n",
            [(3, 1)]),
        Invalid(
            "import ssl\n"
            "s = ssl\n"
            "s._create_default_https_context = getattr(ssl, '_create_unverified_context')\n",
            [(3, 1)]),
        Invalid(
            "import ssl\n"
            "s = ssl\n"
            "ctx = getattr(s, '_create_unverified_context')()\n",
            [(3, 7)],
            "import ssl\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "s = ssl\n"
            "ctx = ssl_context()\n"),
        Invalid(
            "import ssl\n"
            "def context(verify=False):\n"
            "    if verify:\n"
            "        create = ssl.create_default_context\n"
            "    else:\n"
            "        create = getattr(ssl, '_create_unverified_context', None)\n"
            "    return create()\n",
            [(2, 20)]),
        Invalid(
            "import ssl\n"
            "import xmlrpc.client as xmlrpclib\n"
            "proxy = xmlrpclib.ServerProxy(url, context=ssl._create_unverified_context())\n",
            [(3, 44)],
            "import xmlrpc.client as xmlrpclib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "proxy = xmlrpclib.ServerProxy(url, context=ssl_context())\n"),
        # the caller's opt-out, carried out: reported at the insecure default that picks it
        Invalid(
            "import ssl\n"
            "def context(verify=False):\n"
            "    ctx = ssl.create_default_context()\n"
            "    if not verify:\n"
            "        ctx.check_hostname = False\n"
            "        ctx.verify_mode = ssl.CERT_NONE\n"
            "    return ctx\n",
            [(2, 20)]),
        Invalid(
            "import ssl\n"
            "def context(check_hostname=False):\n"
            "    ctx = ssl.create_default_context()\n"
            "    ctx.check_hostname = check_hostname\n"
            "    return ctx\n",
            [(2, 28)]),
        Invalid(
            "import smtplib, ssl\n"
            "def connect(host, verify=False):\n"
            "    context = (ssl.create_default_context() if verify\n"
            "               else ssl._create_unverified_context())\n"
            "    return smtplib.SMTP_SSL(host, context=context)\n",
            [(2, 26)]),
        # an outer API's default that it hands straight on is the default too
        Invalid(
            "import ssl\n"
            "def make_context(verify=False):\n"
            "    ctx = ssl.create_default_context()\n"
            "    if not verify:\n"
            "        ctx.check_hostname = False\n"
            "        ctx.verify_mode = ssl.CERT_NONE\n"
            "    return ctx\n"
            "class Client:\n"
            "    def __init__(self, host, verify=False):\n"
            "        self.context = make_context(verify=verify)\n",
            [(2, 25), (9, 37)]),
        Invalid(
            "import ssl\n"
            "class Client:\n"
            "    verify_ssl = False\n"
            "    def context(self):\n"
            "        ctx = ssl.create_default_context()\n"
            "        if not self.verify_ssl:\n"
            "            ctx.check_hostname = False\n"
            "            ctx.verify_mode = ssl.CERT_NONE\n"
            "        return ctx\n",
            [(7, 13)]),
        Invalid(
            "import ssl\n"
            "def context(host, disable_verification):\n"
            "    ctx = ssl.create_default_context()\n"
            "    if disable_verification or host == 'localhost':\n"
            "        ctx.check_hostname = False\n"
            "    return ctx\n",
            [(5, 9)]),
        Invalid(
            "import ssl\n"
            "def context(use_ssl):\n"
            "    if use_ssl:\n"
            "        ctx = ssl.create_default_context()\n"
            "        ctx.check_hostname = False\n"
            "        ctx.verify_mode = ssl.CERT_NONE\n"
            "        return ctx\n",
            [(5, 9)],
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "def context(use_ssl):\n"
            "    if use_ssl:\n"
            "        ctx = ssl_context()\n"
            "        return ctx\n"),
        Invalid(
            "import ssl\n"
            "import urllib3\n"
            "def pool(ssl_options):\n"
            "    if not ssl_options:\n"
            "        ssl_options = {'cert_reqs': ssl.CERT_NONE}\n"
            "    return urllib3.PoolManager(**ssl_options)\n",
            [(5, 24)]),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # (scope, context name) -> (the report, the attribute it was for): the pair merge
        self._settings: Dict[Tuple[int, str], Tuple[Report, str]] = {}
        # (scope, context name) -> (the creating call, its block): where a fix lands
        self._creations: Dict[Tuple[int, str],
                              Tuple[cst.Call, Optional[cst.IndentedBlock]]] = {}
        self._statement: Optional[cst.SimpleStatementLine] = None
        self._blocks: List[cst.IndentedBlock] = []
        self._branches: Set[int] = set()  # ids of the blocks that are an `if`'s branches
        # the open `if`s whose test names CERT_NONE (`if cert_reqs == ssl.CERT_NONE:`)
        self._cert_none_tests: List[bool] = []
        # pool keyword -> the call sites that pass it a value through a parameter
        self._callers = {key: travel.CallerArguments() for key in _TRAVELLING}
        self._aliases: Set[int] = set()  # the unverified functions bound on a branch, reported
        self._defaults_reported: Set[int] = set()  # ids of check_hostname defaults reported

    def visit_Call(self, node: cst.Call) -> None:
        for callers in self._callers.values():
            callers.note_call(node, self.scope)
        qualified = self.qualify(node.func)
        if clients.is_unresolved_method(node, qualified, {"cert_verify"}):
            # HTTPAdapter.cert_verify(conn, url, verify, cert): an adapter that never verifies
            verify = clients.argument(node, 2, "verify")
            if verify is not None and self.is_falsy(verify.value):
                self.report(verify)
            return
        if qualified is None and isinstance(node.func, cst.Name):
            self._unverified_on_a_branch(node.func)
        if qualified == _UNVERIFIED or (  # `unverified = ssl._create_unverified_context`
                qualified is None and self.scope.qualify(node.func, aliases=True) == _UNVERIFIED):
            # Arguments (a client certificate, cafile=, purpose=) would be dropped by the
            # fix, and whether the configured context takes them is unknown: no fix then.
            fix = None if node.args else FixRequest("ssl-context", node=node)
            self.report(node, fix=fix)
            return
        if _other_ssl_call(qualified):
            # `ssl.SSLContext.wrap_socket(sock, key, cert, cert_reqs=ssl.CERT_NONE)`: a port
            # of ssl.wrap_socket that keeps its keyword (pyeapi); the ssl module's cert_reqs
            # is always the check of the peer's certificate
            arg = clients.keyword(node, "cert_reqs")
            server_side = clients.keyword(node, "server_side")
            if arg is not None and self._is_cert_none(arg.value) and not (
                    server_side is not None
                    and values.literal(server_side.value, self.scope) is True):
                self.report(arg)
        if (qualified in clients.URLLIB3_POOLS or qualified == clients.SSL_WRAP_SOCKET
                or qualified in _CREATE_URLLIB3_CONTEXT
                or clients.is_unresolved_method(node, qualified, _ADAPTER_METHODS)
                or (qualified is None and clients.has_double_star(node)
                    and clients.names_one_of(node.func, self.scope, clients.POOL_CLASSES))):
            if qualified == clients.SSL_WRAP_SOCKET and self._serves(node):
                return
            arg = clients.keyword(node, "cert_reqs")
            if arg is not None and self._is_cert_none(arg.value):
                self.report(arg, fix=_pool_fix(node, qualified, arg))
            hostname = clients.keyword(node, "assert_hostname")
            pool = qualified not in _CREATE_URLLIB3_CONTEXT and qualified != clients.SSL_WRAP_SOCKET
            if hostname is not None and pool and self.is_falsy(hostname.value):
                # the default (None) matches the host name again
                fix = (FixRequest("remove-argument", node=hostname)
                       if qualified in clients.URLLIB3_POOLS else None)
                self.report(hostname, fix=fix)
            self._travelled(node, qualified, "cert_reqs", self._is_cert_none)
            if pool:
                self._travelled(node, qualified, "assert_hostname", self.is_falsy)
            return
        if qualified in clients.AIOHTTP_SSL_TAKERS or clients.is_unresolved_method(
                node, qualified, clients.AIOHTTP_METHODS):
            ssl_arg = clients.keyword(node, "ssl")
            if ssl_arg is not None and self.is_falsy(ssl_arg.value):
                self.report(ssl_arg, fix=FixRequest("ssl-context", node=ssl_arg.value))
            verify_ssl = clients.keyword(node, "verify_ssl")
            if verify_ssl is not None and self.is_falsy(verify_ssl.value):
                self.report(verify_ssl, fix=self._verify_ssl_fix(node, verify_ssl, ssl_arg))

    def _unverified_on_a_branch(self, func: cst.Name) -> None:
        """`creator = getattr(ssl, "_create_unverified_context", None)` on one branch, another
        function on the other, then `creator()`: reported where the unverified one is bound."""
        name = identifier(func.value)
        binding = self.scope.lookup(name)
        if binding is None or binding.count < 2 or binding.qualified is not None:
            return
        for value in clients.body_uses(binding.scope, name).bound.get(name, ()):
            if id(value) not in self._aliases and binding.scope.qualify(
                    value, aliases=True) == _UNVERIFIED:
                self._aliases.add(id(value))
                self.report(value, f"{_UNVERIFIED} bound here is called by {name}(): a context "
                                   "without certificate verification")

    def _verify_ssl_fix(self, call: cst.Call, verify_ssl: cst.Arg,
                        ssl_arg: Optional[cst.Arg]) -> Optional[FixRequest]:
        """aiohttp deprecated `verify_ssl=` for `ssl=`, and refuses both together: it becomes
        `ssl=<ssl-context>`; it goes where the call's own `ssl=False` gets the context. None
        beside another trust argument (`ssl=` that is not falsy, the deprecated `ssl_context=`
        and `fingerprint=`): which one was meant is for a person. Unsafe with `**kwargs`."""
        if ssl_arg is not None:
            if self.is_falsy(ssl_arg.value):
                return FixRequest("remove-argument", node=verify_ssl)
            return None
        if any(clients.keyword(call, name) is not None for name in ("ssl_context", "fingerprint")):
            return None
        return FixRequest("replace-keyword", Applicability.UNSAFE if clients.has_double_star(call)
                          else Applicability.SAFE, node=verify_ssl, extra=("ssl-context", "ssl"))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._blocks.append(node)

    def visit_If(self, node: cst.If) -> None:
        # the branches of an `if`: a context disabled there is a decision the code made on
        # purpose (`if VERIFY is False:`), so its fix is unsafe
        self._branches.add(id(node.body))
        if isinstance(node.orelse, cst.Else):
            self._branches.add(id(node.orelse.body))
        self._cert_none_tests.append(self._names_cert_none(node.test))

    def leave_If(self, original_node: cst.If) -> None:
        self._cert_none_tests.pop()

    def _names_cert_none(self, test: cst.BaseExpression) -> bool:
        stack: List[cst.CSTNode] = [test]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Name, cst.Attribute)) and self.qualify(node) in (
                    clients.CERT_NONE):
                return True
            stack.extend(children(node))
        return False

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._blocks.pop()

    def _note_creation(self, node: cst.Assign) -> None:
        """`ctx = ssl.create_default_context()` (no arguments) on a line of its own: the
        creation a pair of disabling settings in the same block is fixed at."""
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        key = (id(self.scope.node), identifier(node.targets[0].target.value))
        value = node.value
        if (isinstance(value, cst.Call) and self._statement is not None
                and len(self._statement.body) == 1 and self._statement.body[0] is node
                and _plain_client_context(value, self)):
            self._creations[key] = (value, self._block())
        else:
            self._creations.pop(key, None)  # rebound: the creation no longer holds

    def _block(self) -> Optional[cst.IndentedBlock]:
        return self._blocks[-1] if self._blocks else None

    def visit_Assign(self, node: cst.Assign) -> None:
        self._note_creation(node)
        for assign_target in node.targets:
            target = assign_target.target
            if isinstance(target, cst.Subscript):
                self._adapter_kwargs(target, node.value)
                continue
            if not isinstance(target, cst.Attribute):
                continue
            attr = identifier(target.attr.value)
            # the value, or the default an option lookup falls back to (a library's default:
            # `ctx.verify_mode = MODES.get(name, ssl.CERT_NONE)`); with no fix: the setting
            # serves the option's other values too
            fallback = travel.option_default(node.value, self.scope)
            value = fallback or node.value
            if attr == "check_hostname" and self.is_falsy(value):
                self._context_setting(target, self._default_of(value), fixable=fallback is None)
            elif attr == "verify_mode" and self._is_cert_none(value):
                self._context_setting(target, fixable=fallback is None)
            elif attr in _STORED_SETTINGS and isinstance(node.value, cst.Attribute):
                self._stored_setting(target, node.value)
            elif attr == "cert_reqs" and self._is_cert_none(value):
                self.report(target)  # a connection's own setting (`conn.cert_reqs = "CERT_NONE"`)
            elif (self.scope.qualify(target, aliases=True) == _DEFAULT_HTTPS_CONTEXT
                  and self.scope.qualify(node.value, aliases=True) == _UNVERIFIED):
                self.report(target)

    def _stored_setting(self, target: cst.Attribute, value: cst.Attribute) -> None:
        """`ctx.verify_mode = self.validate` with `self.validate` set in the class to an
        insecure value or from a parameter's insecure default (ldap3's `Tls(validate=
        ssl.CERT_NONE)`): reported once where that value is written."""
        owner = dotted_name(target.value)
        if owner is not None and clients.body_uses(self.scope, owner).is_server(owner,
                                                                                self.scope):
            return
        test, scoped = _STORED_SETTINGS[identifier(target.attr.value)]
        for origin in travel.travelled_origins(value, self.scope,
                                               lambda expr: scoped(expr, self.scope), scoped):
            if id(origin) not in self._defaults_reported:
                self._defaults_reported.add(id(origin))
                self.report(origin, f"an insecure {test} written here reaches "
                                    f"{owner or 'a context'}.{identifier(target.attr.value)}")

    def _default_of(self, value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """The parameter default a stored value is (`def connect(..., check_hostname=False)`
        ... `ctx.check_hostname = check_hostname`): the library's insecure default is
        written there, and a caller who passes True is not at fault."""
        if values.from_parameter_default(value, self.scope):
            return values.origin(value, self.scope)[0]
        return None

    def _context_setting(self, target: cst.Attribute,
                         default: Optional[cst.BaseExpression] = None,
                         fixable: bool = True) -> None:
        """One finding per context for the check_hostname / verify_mode pair; none for a
        server context. `default`: the parameter default the value comes from, reported
        there (once) instead."""
        owner = dotted_name(target.value)
        if default is not None:
            if owner is not None and clients.body_uses(self.scope, owner).is_server(
                    owner, self.scope):
                return
            if id(default) not in self._defaults_reported:
                self._defaults_reported.add(id(default))
                self.report(default, f"check_hostname off by default here reaches "
                                     f"{owner or 'a context'}.check_hostname; the host name "
                                     "of the server is not checked unless callers turn it on")
            return
        if owner is not None:
            if clients.body_uses(self.scope, owner).is_server(owner, self.scope):
                return
            if owner == "self" and _implements_a_context(self.scope):
                return  # a context class's own state, read by its own wrap_socket
            if (identifier(target.attr.value) == "check_hostname"
                    and self._host_name_checked_by_hand(owner)):
                return
            key = (id(self.scope.node), owner)
            first = self._settings.pop(key, None)
            if first is not None and first[1] != identifier(target.attr.value):
                first[0].message = _PAIR_MESSAGE  # the pair's second half: one finding
                first[0].fix = (self._creation_fix(owner, target, first[0].fix)
                                if first[0].fix is not None else None)
                return
        made = self.report(target, fix=(self._creation_fix(owner, target, None)
                                       if owner is not None and fixable else None))
        if owner is not None and made is not None and made.node is target:
            # (not when the caller's choice moved it: its pair goes to the same place)
            self._settings[(id(self.scope.node), owner)] = (made, identifier(target.attr.value))

    def _host_name_checked_by_hand(self, owner: str) -> bool:
        """`check_hostname = False` on a context that still verifies the chain (no
        `verify_mode = CERT_NONE` on it) in a function or class that matches the host name
        itself (`ssl.match_hostname(sock.getpeercert(), host)`: ldap3, eventlet)."""
        if any(self._cert_none_tests):
            return False  # the branch taken when verification is off (paho's `tls_set`)
        uses = clients.body_uses(self.scope, owner)
        if any(self._is_cert_none(value)
               for value in uses.stores.get(owner, {}).get("verify_mode", ())):
            return False
        region = self.scope.enclosing("class") or self.scope.enclosing("function") or self.scope
        module = self.scope.enclosing("module")
        assert module is not None and isinstance(module.node, cst.Module)  # every scope's root
        return hostname_checks.checks_host_name(region.node, module.node, self.scope)

    def _creation_fix(self, owner: str, target: cst.Attribute,
                      earlier: Optional[FixRequest]) -> Optional[FixRequest]:
        """The context's creation becomes <ssl-context> and its disabling settings go, when
        they are statements of their own in the creation's block (None otherwise: a setting
        on a branch is a decision the code made, not a default to replace)."""
        creation = self._creations.get((id(self.scope.node), owner))
        statement = self._statement
        if (creation is None or creation[1] is not self._block() or statement is None
                or len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign)
                or not any(t.target is target for t in statement.body[0].targets)):
            return None  # (a one-line `if x: ctx.check_hostname = False` is no statement here)
        removed = (earlier.also_remove if earlier is not None else ()) + (statement,)
        branch = creation[1] is not None and id(creation[1]) in self._branches
        return FixRequest("ssl-context", node=creation[0], also_remove=removed,
                          applicability=Applicability.UNSAFE if branch else Applicability.SAFE)

    def _adapter_kwargs(self, target: cst.Subscript, value: cst.BaseExpression) -> None:
        """`kwargs["cert_reqs"] = "CERT_NONE"` in an adapter's init_poolmanager/proxy_manager_for."""
        function = self.scope.enclosing("function")
        if function is None or not isinstance(function.node, cst.FunctionDef):
            return  # none, or a lambda
        if identifier(function.node.name.value) not in _ADAPTER_METHODS or not isinstance(
                target.value, cst.Name) or len(target.slice) != 1:
            return
        index = target.slice[0].slice
        key = values.string_value(index.value, self.scope) if isinstance(
            index, cst.Index) else None
        if (key == "cert_reqs" and self._is_cert_none(value)) or (
                key == "assert_hostname" and self.is_falsy(value)):
            self.report(target)

    def _travelled(self, node: cst.Call, qualified: Optional[str], key: str,
                   insecure: clients.ValueTest) -> None:
        """The insecure `key` values that reach this call from elsewhere in the module,
        reported where they are written."""
        arg = clients.keyword(node, key)
        origins = list(travel.splatted_origins(node, key, self.scope, insecure,
                                                single_display=True))
        if arg is not None and not insecure(arg.value):
            origins.extend(travel.travelled_origins(arg.value, self.scope, insecure))
            self._callers[key].note_sink(arg.value, self.scope,
                                         clients.sink_name(node, qualified))
        for origin in origins:
            self.report(origin, f"an insecure {key} written here reaches "
                                f"{clients.sink_name(node, qualified)}()",
                        _ORIGIN_FIXES[key](origin))

    def leave_Module(self, node: cst.Module) -> None:
        for key, insecure in _TRAVELLING.items():
            for arg, value, function, sink in self._callers[key].origins(insecure):
                self.report(arg, f"an insecure {key} passed here reaches {sink}() "
                                 f"through {function}()", _ORIGIN_FIXES[key](value))

    def _serves(self, call: cst.Call) -> bool:
        server_side = clients.keyword(call, "server_side")
        return server_side is not None and not self.is_falsy(server_side.value)

    def _is_cert_none(self, value: cst.BaseExpression) -> bool:
        return clients.is_cert_none(value, self.scope)


# Context settings whose value may be kept on the instance (`ctx.verify_mode = self.validate`):
# attribute -> (what the insecure value is, its test)
def _implements_a_context(scope: Scope) -> bool:
    """Whether the class around is an SSL context of its own making: no base class (not a
    subclass of ssl.SSLContext, whose attributes are the real ones) and its own
    `wrap_socket` (urllib3's PyOpenSSLContext puts pyOpenSSL behind the stdlib's interface,
    starting from `check_hostname = False` as `SSLContext(PROTOCOL_TLS)` does)."""
    owner = scope.enclosing("class")
    if owner is None or not isinstance(owner.node, cst.ClassDef):
        return False
    return "wrap_socket" in owner.names and all(
        isinstance(base.value, cst.Name) and identifier(base.value.value) == "object"
        for base in owner.node.bases)


def _cert_none_through(expr: cst.BaseExpression, scope: Scope) -> bool:
    """ssl.CERT_NONE, also through a name bound once to it (a parameter's default)."""
    return clients.is_cert_none(*values.origin(expr, scope))


_STORED_SETTINGS = {"verify_mode": ("ssl.CERT_NONE", _cert_none_through),
                    "check_hostname": ("check_hostname=False", values.is_falsy)}
# The pool keywords whose values are followed from a function's call sites, and their test.
_TRAVELLING = {"cert_reqs": clients.is_cert_none, "assert_hostname": values.is_falsy}
# ... and the unsafe fix where such a value is written (None: no literal to change there)
_ORIGIN_FIXES = {"cert_reqs": origin_fixes.required_at_origin,
                 "assert_hostname": origin_fixes.hostname_checked_at_origin}


def _plain_client_context(call: cst.Call, rule: Rule) -> bool:
    """`ssl.create_default_context()` or `ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`: a client
    context the configured one can stand in for without losing an argument."""
    qualified = rule.qualify(call.func)
    if qualified == "ssl.create_default_context":
        return not call.args
    if qualified == "ssl.SSLContext" and len(call.args) == 1 and call.args[0].keyword is None:
        return rule.qualify(call.args[0].value) == "ssl.PROTOCOL_TLS_CLIENT"
    return False


def _pool_fix(call: cst.Call, qualified: Optional[str], arg: cst.Arg) -> Optional[FixRequest]:
    """urllib3: `cert_reqs="CERT_NONE"` becomes `ssl_context=<ssl-context>` (a pool verifies
    with a given context), or `ca_certs=<ca-bundle>` when only the bundle is configured;
    it goes when the pool names its own `ca_certs=` (the pool then verifies against it, and
    TLS301 points a hardcoded one at the bundle). `create_urllib3_context(cert_reqs=CERT_NONE)`
    becomes the context. Unsafe when **kwargs may hold an ssl_context of its own; none when
    one is already given (ssl.wrap_socket defaults to CERT_NONE: no keyword swap makes it
    verify)."""
    if qualified in _CREATE_URLLIB3_CONTEXT:
        return FixRequest("ssl-context", node=call) if len(call.args) == 1 else None
    if qualified not in clients.URLLIB3_POOLS or clients.keyword(call, "ssl_context") is not None:
        return None
    applicability = (Applicability.UNSAFE if clients.has_double_star(call)
                     else Applicability.SAFE)
    if clients.keyword(call, "ca_certs") is not None:
        return FixRequest("remove-argument", applicability, node=arg)
    return FixRequest("replace-keyword", applicability, node=arg,
                      extra=("ssl-context", "ssl_context", "ca-bundle", "ca_certs"))


def _other_ssl_call(qualified: Optional[str]) -> bool:
    """A call into the ssl module other than ssl.wrap_socket (whose keywords are read with
    urllib3's below)."""
    return (qualified is not None and qualified.startswith("ssl.")
            and qualified != clients.SSL_WRAP_SOCKET)
