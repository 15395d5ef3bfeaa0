from __future__ import annotations

from typing import Set

import libcst as cst

from corptls_lint.analysis import clients, dead_branches, values
from corptls_lint.rules.base import OFF, ClientUse, FileContext, Invalid, Rule


class SSLWrapSocket(Rule):
    """
    ## What it does
    Finds calls of `ssl.wrap_socket(...)`, under any import alias, with or without
    `ssl_version=` (a superset of bandit's B504 and ruff's S504). A server's socket is not
    reported: `server_side=True` (a true literal, or a name bound once to one) wraps the
    listening side, where no host name is checked and the CA, if any, is for the clients'
    certificates, so the call says nothing about client trust (its removal in Python 3.12
    is a portability matter, not this linter's). A `server_side=` whose value is unknown
    (a parameter) is still reported: the same call serves the client side too. Nor is a
    call in the fallback branch of a feature or version check that every supported Python
    decides the other way (`if use_ssl_context: ... else: ssl.wrap_socket(...)` after `from
    ssl import create_default_context` succeeded, `if self._has_ssl_context:` with
    `_has_ssl_context = sys.hexversion >= 0x020709F0`, `if sys.version_info < (3, 6):`):
    only a Python 2 would run it.

    ## Why is this bad?
    `ssl.wrap_socket` was deprecated in Python 3.7 and removed in 3.12: the code stops
    working on a current interpreter. While it existed it sent no server name (SNI), never
    checked the host name, and verified nothing unless `cert_reqs=` and `ca_certs=` were
    given, so most calls of it were unverified connections.

    ## Example
    ```python
    import socket, ssl

    sock = ssl.wrap_socket(socket.create_connection((host, 443)))
    ```

    ## Use instead
    ```python
    import socket, ssl

    context = ssl.create_default_context()
    sock = context.wrap_socket(socket.create_connection((host, 443)), server_hostname=host)
    ```

    ## Fix
    None: the replacement needs the host name, which only the caller knows.

    ## Options
    None.

    ## References
    - Python: ssl.wrap_socket (removed in 3.12), https://docs.python.org/3.11/library/ssl.html#ssl.wrap_socket
    - bandit: B504, https://bandit.readthedocs.io/en/latest/plugins/b504_ssl_with_no_version.html
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS502"
    name = "ssl-wrap-socket"
    message = ("ssl.wrap_socket() was removed in Python 3.12 and checks no host name; use "
               "SSLContext.wrap_socket(..., server_hostname=...)")
    triggers = ((b"wrap_socket",),)
    candidates = (clients.calls_to({clients.SSL_WRAP_SOCKET}),)

    client_uses = (
        ClientUse('ssl (stdlib)',
                  '`ssl.wrap_socket(...)` (removed in Python 3.12; no host name check)',
                  OFF, 'none'),
    )

    VALID = [
        "import ssl\nctx = ssl.create_default_context()\nctx.wrap_socket(sock, server_hostname=h)\n",
        "def wrap_socket(sock):\n    return sock\nwrap_socket(s)\n",
        "from tornado.netutil import ssl_wrap_socket\nssl_wrap_socket(sock, opts)\n",
        "import ssl\nconn = ssl.wrap_socket(sock, server_side=True, certfile='server.pem')\n",
        # the fallback only a Python 2 runs: every supported ssl has create_default_context
        "import ssl\n"
        "try:\n"
        "    from ssl import create_default_context\n"
        "    use_context = True\n"
        "except ImportError:\n"
        "    use_context = False\n"
        "def wrap(sock, host):\n"
        "    if use_context:\n"
        "        return create_default_context().wrap_socket(sock, server_hostname=host)\n"
        "    else:\n"
        "        return ssl.wrap_socket(sock)\n",
        "import ssl, sys\n"
        "class Wrapper:\n"
        "    has_context = sys.hexversion >= 0x020709F0\n"
        "    def wrap(self, sock):\n"
        "        if not self.has_context:\n"
        "            return ssl.wrap_socket(sock)\n"
        "        return self.context.wrap_socket(sock)\n",
    ]
    INVALID = [
        Invalid(
            "import ssl\n"
            "sock = ssl.wrap_socket(raw)\n",
            [(2, 8)]),
        Invalid(
            "from ssl import wrap_socket as wrap\n"
            "sock = wrap(raw, ssl_version=PROTOCOL)\n",
            [(2, 8)]),
        Invalid(
            "import ssl\n"
            "def connect(raw):\n"
            "    return ssl.wrap_socket(\n"
            "        raw, ca_certs=CA, cert_reqs=ssl.CERT_REQUIRED)\n",
            [(3, 12)]),
        # a check that a supported Python can fail: 3.11 still runs the fallback, and
        # match_hostname is gone from 3.12's ssl
        Invalid(
            "import ssl, sys\n"
            "try:\n"
            "    from ssl import match_hostname\n"
            "    checks = True\n"
            "except ImportError:\n"
            "    checks = False\n"
            "if sys.version_info < (3, 12) or not checks:\n"
            "    sock = ssl.wrap_socket(raw)\n"
            "if not checks:\n"
            "    sock = ssl.wrap_socket(raw)\n",
            [(8, 12), (10, 12)]),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._dead: Set[int] = set()  # ids of the nodes in branches no supported Python runs

    def visit_If(self, node: cst.If) -> None:
        dead = dead_branches.dead_branch(node, self.scope)
        if dead is not None:
            self._dead.update(dead_branches.subtree_ids(dead))

    def visit_Call(self, node: cst.Call) -> None:
        if (self.qualify(node.func) == clients.SSL_WRAP_SOCKET and not self._serves(node)
                and id(node) not in self._dead):
            self.report(node)

    def _serves(self, node: cst.Call) -> bool:
        # server_side is wrap_socket's fourth parameter
        server_side = clients.argument(node, 3, "server_side")
        return server_side is not None and values.literal(server_side.value, self.scope) is True
