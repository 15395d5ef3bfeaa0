from __future__ import annotations

import libcst as cst

from corptls_lint.analysis import clients
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import PROTOCOL, ClientUse, Invalid, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import AttributeStore, NameUse

_NAMES = tuple(sorted({name.rsplit(".", 1)[1] for name in clients.WEAK_PROTOCOLS}))


class WeakProtocolVersion(Rule):
    """
    ## What it does
    Finds SSL and TLS protocol versions older than TLS 1.2 (a superset of bandit's B502 and
    B503 and ruff's S502 and S503):

    - `ssl.PROTOCOL_SSLv2`, `PROTOCOL_SSLv3`, `PROTOCOL_TLSv1`, `PROTOCOL_TLSv1_1` and
      pyOpenSSL's `SSLv2_METHOD`, `SSLv3_METHOD`, `SSLv23_METHOD`, `TLSv1_METHOD`,
      `TLSv1_1_METHOD`, under any import alias, passed to any call (`ssl_version=`,
      `SSLContext(...)`, `SSL.Context(...)`) or as a parameter default;
    - `<ctx>.minimum_version = ssl.TLSVersion.TLSv1` (also `SSLv3`, `TLSv1_1`,
      `MINIMUM_SUPPORTED`).

    A comparison or a table of versions is not reported: only what configures a connection.

    ## Why is this bad?
    SSLv2, SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated (RFC 8996): POODLE, BEAST and
    downgrade attacks recover plaintext, and current servers and proxies refuse them, so the
    code fails as soon as the other side is upgraded. pyOpenSSL's `SSLv23_METHOD` is reported
    as bandit and ruff do; `TLS_METHOD` is its modern name.

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
    name = "weak-protocol-version"
    message = "SSL/TLS protocol older than TLS 1.2; let create_default_context() negotiate"
    triggers = (tuple(sorted({name.encode() for name in _NAMES} | {b"minimum_version"})),)
    # minimum_version counts only where it is stored: docker-py has a decorator of that name
    # (47 uses in 12 files, each otherwise parsed for nothing)
    trigger_patterns = {b"minimum_version": byte_patterns.stored("minimum_version")}
    candidates = (NameUse(_NAMES), AttributeStore(("minimum_version",)))

    client_uses = (
        ClientUse('ssl (stdlib)',
                  '`ssl.PROTOCOL_SSLv2/SSLv3/TLSv1/TLSv1_1`, `ctx.minimum_version = ssl.TLSVersion.TLSv1`',
                  PROTOCOL, 'none'),
        ClientUse('pyOpenSSL',
                  '`SSL.SSLv2_METHOD`, `SSLv3_METHOD`, `SSLv23_METHOD`, `TLSv1_METHOD`, `TLSv1_1_METHOD`',
                  PROTOCOL, 'none'),
    )

    VALID = [
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n",
        "import ssl\nif version == ssl.PROTOCOL_TLSv1:\n    warn()\n",
        "import ssl\nVERSIONS = {'tlsv1': ssl.PROTOCOL_TLSv1}\n",
        "import ssl\nctx.minimum_version = ssl.TLSVersion.TLSv1_2\n",
        "from OpenSSL import SSL\nctx = SSL.Context(SSL.TLS_METHOD)\n",
    ]
    INVALID = [
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
    ]

    def visit_Arg(self, node: cst.Arg) -> None:
        if self.qualify(node.value) in clients.WEAK_PROTOCOLS:
            self.report(node.value)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None and self.qualify(node.default) in clients.WEAK_PROTOCOLS:
            self.report(node.default)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.qualify(node.value) not in clients.WEAK_MINIMUM_VERSIONS:
            return
        for target in node.targets:
            if (isinstance(target.target, cst.Attribute)
                    and identifier(target.target.attr.value) == "minimum_version"):
                self.report(target.target)
