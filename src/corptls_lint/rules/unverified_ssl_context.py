from __future__ import annotations

import libcst as cst

from corptls_lint import clients, values
from corptls_lint.candidates import CERT_NONE, FALSY, AttributeStore, KeywordArg
from corptls_lint.rule import FixRequest, Invalid, Rule

_UNVERIFIED = "ssl._create_unverified_context"
_DEFAULT_HTTPS_CONTEXT = "ssl._create_default_https_context"


class UnverifiedSSLContext(Rule):
    """
    ## What it does
    Finds SSL contexts and connections that skip certificate verification:

    - a call of `ssl._create_unverified_context()`, under any alias;
    - `ssl._create_default_https_context = ssl._create_unverified_context`;
    - `<ctx>.check_hostname = False` (or another falsy value);
    - `<ctx>.verify_mode = ssl.CERT_NONE` (also `ssl.VerifyMode.CERT_NONE`);
    - `cert_reqs=` set to `ssl.CERT_NONE`, `"CERT_NONE"` or `"NONE"` for `urllib3.PoolManager`,
      `ProxyManager`, `HTTPSConnectionPool`, `connection_from_url`, `proxy_from_url` (also
      through `requests.packages.urllib3`) and `ssl.wrap_socket`;
    - aiohttp's `ssl=False` or `verify_ssl=False` on `aiohttp.TCPConnector`, `aiohttp.request`,
      or a verb method (`session.get(...)`, `session.ws_connect(...)`) of an unresolved receiver.

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
    Offered when `ssl-context` is configured: a `ssl._create_unverified_context()` call and
    aiohttp's `ssl=False` become the configured context expression, and its import is added.
    Safe. A call with arguments (`certfile=`, `keyfile=`, `cafile=`, `purpose=`) gets no fix:
    replacing it would silently drop a client certificate or a trust setting. The other patterns have no automatic fix: delete them and give the context or pool
    the CA instead (`ctx.load_verify_locations(CA_BUNDLE)`, `urllib3.PoolManager(ca_certs=...)`
    or `ssl_context=...`, aiohttp `ssl=ssl_context()`).

    ## Options
    - `ssl-context`

    ## References
    - Python: ssl, Security considerations, https://docs.python.org/3/library/ssl.html#ssl-security
    - aiohttp: SSL control for TCP sockets, https://docs.aiohttp.org/en/stable/client_advanced.html#ssl-control-for-tcp-sockets
    - urllib3: Certificate verification, https://urllib3.readthedocs.io/en/stable/user-guide.html#certificate-verification
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS103"
    name = "unverified-ssl-context"
    message = "SSL context or connection without certificate verification"
    # cert_reqs / verify_mode: their string form ("NONE") names no other trigger word.
    triggers = ((b"_create_unverified_context", b"check_hostname", b"CERT_NONE", b"cert_reqs",
                 b"verify_mode", b"ssl"),)
    trigger_patterns = {b"ssl": clients.SSL_ASSIGNED}
    candidates = (
        clients.calls_to({_UNVERIFIED}),
        AttributeStore(("check_hostname",), FALSY),
        AttributeStore(("verify_mode",), CERT_NONE),
        AttributeStore((_DEFAULT_HTTPS_CONTEXT.rsplit(".", 1)[1],)),
        KeywordArg(("cert_reqs",), CERT_NONE),
        KeywordArg(("ssl", "verify_ssl"), FALSY),
    )
    has_fix = True
    fix_keys = ("ssl-context",)

    VALID = [
        "import ssl\nctx = ssl.create_default_context()\n",
        "ctx.check_hostname = True\n",
        "import ssl\nctx.verify_mode = ssl.CERT_REQUIRED\n",
        "import urllib3\nurllib3.PoolManager(cert_reqs='CERT_REQUIRED')\n",
        "import aiohttp\naiohttp.TCPConnector(ssl=ctx)\n",
        "import redis\nredis.Redis(ssl=False)\n",
        "CERT_NONE = 0\nctx.verify_mode = CERT_NONE\n",
    ]
    INVALID = [
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
            [(2, 28)]),
        Invalid(
            "import ssl, requests\n"
            "requests.packages.urllib3.PoolManager(\n"
            "    cert_reqs=ssl.CERT_NONE)\n",
            [(3, 5)]),
        Invalid(
            "import ssl\n"
            "ssl.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)\n",
            [(2, 23)]),
        Invalid(
            "import aiohttp\n"
            "conn = aiohttp.TCPConnector(ssl=False)\n",
            [(2, 29)],
            "import aiohttp\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "conn = aiohttp.TCPConnector(ssl=ssl_context())\n"),
        Invalid(
            "async def f(session):\n"
            "    async with session.get(url, verify_ssl=False) as r:\n"
            "        pass\n",
            [(2, 33)]),
        Invalid(
            "import ssl\n"
            "import urllib.request\n"
            "\n"
            "def fetch(url):\n"
            "    ctx = ssl._create_unverified_context()\n"
            "    return urllib.request.urlopen(url, context=ctx)\n",
            [(5, 11)],
            "import urllib.request\n"
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
            "from corp_tls import ssl_context\n"
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
            [(2, 21)]),
        Invalid(  # the client certificate would be lost: reported, not fixed
            "import ssl\n"
            "ctx = ssl._create_unverified_context(certfile='me.pem', keyfile='me.key')\n",
            [(2, 7)], fixed=None),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified == _UNVERIFIED:
            # Arguments (a client certificate, cafile=, purpose=) would be dropped by the
            # fix, and whether the configured context takes them is unknown: no fix then.
            fix = None if node.args else FixRequest("ssl-context", node=node)
            self.report(node, fix=fix)
            return
        if qualified in clients.URLLIB3_POOLS or qualified == clients.SSL_WRAP_SOCKET:
            arg = clients.keyword(node, "cert_reqs")
            if arg is not None and self._is_cert_none(arg.value):
                self.report(arg)
            return
        if qualified in clients.AIOHTTP_SSL_TAKERS or clients.is_unresolved_method(
                node, qualified, clients.AIOHTTP_METHODS):
            ssl_arg = clients.keyword(node, "ssl")
            if ssl_arg is not None and self.is_falsy(ssl_arg.value):
                self.report(ssl_arg, fix=FixRequest("ssl-context", node=ssl_arg.value))
            verify_ssl = clients.keyword(node, "verify_ssl")
            if verify_ssl is not None and self.is_falsy(verify_ssl.value):
                self.report(verify_ssl)

    def visit_Assign(self, node: cst.Assign) -> None:
        for assign_target in node.targets:
            target = assign_target.target
            if not isinstance(target, cst.Attribute):
                continue
            attr = target.attr.value
            if attr == "check_hostname" and self.is_falsy(node.value):
                self.report(target)
            elif attr == "verify_mode" and self._is_cert_none(node.value):
                self.report(target)
            elif (self.qualify(target) == _DEFAULT_HTTPS_CONTEXT
                  and self.qualify(node.value) == _UNVERIFIED):
                self.report(target)

    def _is_cert_none(self, value: cst.BaseExpression) -> bool:
        if self.qualify(value) in clients.CERT_NONE:
            return True
        return values.string_value(value, self.scope) in ("CERT_NONE", "NONE")
