from __future__ import annotations

from typing import Optional, Set

import libcst as cst

from corptls_lint.analysis import clients
from corptls_lint.analysis.scopes import Scope, dotted_name
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import OFF, ClientUse, FileContext, Invalid, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import (TRUTHY, Argument, AttributeStore, CallTo, ConstantFunction,
                                         KeywordArg)

# Protocols whose contexts start with verify_mode = CERT_REQUIRED and check_hostname on (the
# client one) or that only ever serve (the server one).
_SELF_VERIFYING = frozenset({"ssl.PROTOCOL_TLS_CLIENT", clients.SERVER_PROTOCOL})
_PYOPENSSL_NONE = "OpenSSL.SSL.VERIFY_NONE"
# Settings after which the context is not left on its CERT_NONE default: verify_mode is
# assigned (a CERT_NONE there is TLS103's), or check_hostname = True turns CERT_REQUIRED on.
_SETTINGS = ("verify_mode", "check_hostname")


class ContextNeverVerifies(Rule):
    """
    ## What it does
    Finds client SSL contexts that never verify the server:

    - `ssl.SSLContext()`, `ssl.SSLContext(ssl.PROTOCOL_TLS)` or `PROTOCOL_SSLv23` (any protocol
      but `PROTOCOL_TLS_CLIENT` and `PROTOCOL_TLS_SERVER`, also held in a name bound once,
      `proto = ssl.PROTOCOL_TLS` ... `ssl.SSLContext(proto)`) whose `verify_mode` and
      `check_hostname` are never assigned in the same function (for `self.ctx`, the same
      class). Such a context starts with `verify_mode = CERT_NONE`, and loading a CA into it
      (`load_verify_locations`, `load_default_certs`) does not change that;
    - pyOpenSSL: `ctx.set_verify(SSL.VERIFY_NONE, ...)`, and `set_verify(...)` with a
      callback that always returns true (a `lambda *args: True`, or a function of the module
      or class whose body is `return True`).

    Server contexts are never reported: a context that is given its own certificate
    (`load_cert_chain`, pyOpenSSL `use_privatekey_file`), handed to a server
    (`HTTPServer(ssl_options=ctx)`, `app.listen(..., ssl_options=ctx)`), or in a body that
    wraps with `server_side=True`.

    ## Why is this bad?
    `ssl.SSLContext(ssl.PROTOCOL_TLS)` looks like a configured context but checks nothing:
    it accepts any certificate for any host unless `verify_mode = ssl.CERT_REQUIRED` and
    `check_hostname = True` are set. `ssl.create_default_context()` (or
    `PROTOCOL_TLS_CLIENT`) starts from the safe settings instead.

    ## Example
    ```python
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
    ctx.load_verify_locations(CA_BUNDLE)
    ```

    ## Use instead
    ```python
    import ssl

    ctx = ssl.create_default_context(cafile=CA_BUNDLE)
    ```

    ## Fix
    None: which CA the context should trust is a decision; `ssl.create_default_context()`
    (or the configured `ssl-context`) starts from a verifying context.

    ## Options
    None.

    ## References
    - Python: ssl.SSLContext, https://docs.python.org/3/library/ssl.html#ssl.SSLContext
    - pyOpenSSL: Context.set_verify, https://www.pyopenssl.org/en/latest/api/ssl.html#OpenSSL.SSL.Context.set_verify
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS107"
    name = "context-never-verifies"
    message = ("SSL context that never verifies (it starts with CERT_NONE); use "
               "ssl.create_default_context() or PROTOCOL_TLS_CLIENT")
    triggers = ((b"SSLContext", b"set_verify"),)
    # only a call (or an alias to call) is a candidate, never `isinstance(x, ssl.SSLContext)`
    trigger_patterns = {word: byte_patterns.called(word.decode()) for word in triggers[0]}
    # an SSLContext made with PROTOCOL_TLS_CLIENT (or for a server) verifies: never a candidate
    candidates = (clients.calls_to({clients.SSL_CONTEXT}, argument=Argument(
                      0, ("protocol",), prefix="PROTOCOL_",
                      excluded=tuple(sorted(name.rsplit(".", 1)[1] for name in _SELF_VERIFYING)))),
                  CallTo(("set_verify",)))
    # What decides a finding elsewhere in the body: the settings, the signs of a server,
    # and verify callbacks that accept everything.
    context_shapes = (AttributeStore(_SETTINGS), KeywordArg(("server_side",)),
                      CallTo(tuple(sorted(clients.SERVER_METHODS | clients.CERTIFICATE_METHODS
                                         | clients.SERVER_CALL_NAMES))),
                      ConstantFunction(TRUTHY))

    client_uses = (
        ClientUse('ssl (stdlib)',
                  '`ssl.SSLContext()` / `SSLContext(PROTOCOL_TLS)` whose `verify_mode` is never set',
                  OFF, 'none'),
        ClientUse('pyOpenSSL',
                  '`ctx.set_verify(SSL.VERIFY_NONE, ...)`, a verify callback that always returns true',
                  OFF, 'none'),
    )

    VALID = [
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\nctx.verify_mode = ssl.CERT_REQUIRED\n",
        "import ssl\nctx = ssl.SSLContext()\nctx.check_hostname = True\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n",
        "import ssl\ndef serve(sock):\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
        "    ctx.load_cert_chain(CERT, KEY)\n    return ctx.wrap_socket(sock, server_side=True)\n",
        "from OpenSSL import SSL\nctx.set_verify(SSL.VERIFY_PEER, verify_cb)\n",
        "import ssl\nclass C:\n    def __init__(self):\n        self.ctx = ssl.SSLContext()\n"
        "    def secure(self):\n        self.ctx.verify_mode = ssl.CERT_REQUIRED\n",
        "import ssl\nproto = ssl.PROTOCOL_TLS_CLIENT\nctx = ssl.SSLContext(proto)\n",
        # bound twice: which protocol reaches the context is unknown
        "import ssl\nproto = ssl.PROTOCOL_TLS\nif strict:\n    proto = ssl.PROTOCOL_TLS_CLIENT\n"
        "ctx = ssl.SSLContext(proto)\n",
    ]
    INVALID = [
        Invalid(
            "import ssl\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
            "ctx.load_verify_locations(CA_BUNDLE)\n",
            [(2, 7)]),
        Invalid(
            "from ssl import SSLContext, PROTOCOL_SSLv23\n"
            "import urllib.request\n"
            "def fetch(url):\n"
            "    return urllib.request.urlopen(url, context=SSLContext(PROTOCOL_SSLv23))\n",
            [(4, 48)]),
        Invalid(
            "import ssl\n"
            "class Client:\n"
            "    def __init__(self):\n"
            "        self._ctx = ssl.SSLContext()\n",
            [(4, 21)]),
        Invalid(
            "from OpenSSL import SSL\n"
            "ctx = SSL.Context(SSL.TLS_METHOD)\n"
            "ctx.set_verify(SSL.VERIFY_NONE)\n"
            "other.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: True)\n",
            [(3, 1), (4, 1)]),
        Invalid(
            "from OpenSSL import SSL\n"
            "def accept_all(conn, cert, errno, depth, ok):\n"
            "    '''Trust everything.'''\n"
            "    return True\n"
            "ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, accept_all)\n",
            [(5, 1)]),
        Invalid(
            "import ssl\n"
            "proto = ssl.PROTOCOL_SSLv23\n"
            "def connect(sock):\n"
            "    ctx = ssl.SSLContext(proto)\n"
            "    return ctx.wrap_socket(sock)\n",
            [(4, 11)]),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._bound: Set[int] = set()  # the SSLContext calls already judged as assigned values

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._is_unverified_context(node.value):
            return
        self._bound.add(id(node.value))
        for target in node.targets:
            name = dotted_name(target.target)
            if name is None:
                continue
            uses = clients.body_uses(self.scope, name)
            if any(attr in uses.stores.get(name, {}) for attr in _SETTINGS):
                continue
            if not uses.is_server(name, self.scope):
                self.report(node.value)
                return

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) not in self._bound and self._is_unverified_context(node):
            uses = clients.body_uses(self.scope, "")
            if not uses.server_side:
                self.report(node)
            return
        if clients.callee_name(node) == "set_verify" and isinstance(node.func, cst.Attribute):
            self._set_verify(node, node.func)

    def _is_unverified_context(self, value: cst.BaseExpression) -> bool:
        if not isinstance(value, cst.Call) or self.scope.qualify(
                value.func, aliases=True) != clients.SSL_CONTEXT:
            return False
        if clients.has_double_star(value):
            return False
        protocol = clients.argument(value, 0, "protocol")
        if protocol is None:
            return True
        # a name bound once to a protocol resolves to it (`proto = ssl.PROTOCOL_TLS`)
        qualified = self.scope.qualify(protocol.value, aliases=True) or ""
        return qualified.startswith("ssl.PROTOCOL_") and qualified not in _SELF_VERIFYING

    def _set_verify(self, node: cst.Call, method: cst.Attribute) -> None:
        owner = dotted_name(method.value)
        if owner is not None and clients.body_uses(self.scope, owner).is_server(owner,
                                                                                  self.scope):
            return
        mode = clients.argument(node, 0, "mode")
        if mode is not None and self._is_verify_none(mode.value):
            self.report(node, "pyOpenSSL context set to VERIFY_NONE; verify the peer instead")
            return
        callback = clients.argument(node, 1, "callback")
        if callback is not None and self._always_true(callback.value):
            self.report(node, "pyOpenSSL verify callback that accepts every certificate; "
                              "return the `ok` argument instead")

    def _is_verify_none(self, value: cst.BaseExpression) -> bool:
        qualified = self.qualify(value)
        if qualified is not None:
            return qualified == _PYOPENSSL_NONE
        return isinstance(value, cst.Attribute) and identifier(value.attr.value) == "VERIFY_NONE"

    def _always_true(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.Lambda):
            return _is_true(value.body)
        name = identifier(value.attr.value) if isinstance(value, cst.Attribute) else (
            identifier(value.value) if isinstance(value, cst.Name) else None)
        if name is None:
            return False
        function = self._function_named(name)
        if function is None or not isinstance(function.body, cst.IndentedBlock):
            return False
        statements = [s for s in function.body.body if not _is_docstring_or_pass(s)]
        return (len(statements) == 1 and isinstance(statements[0], cst.SimpleStatementLine)
                and len(statements[0].body) == 1 and isinstance(statements[0].body[0], cst.Return)
                and statements[0].body[0].value is not None
                and _is_true(statements[0].body[0].value))

    def _function_named(self, name: str) -> Optional[cst.FunctionDef]:
        scope: Optional[Scope] = self.scope
        while scope is not None:
            if scope.kind in ("module", "class"):
                body = scope.node.body
                statements = body.body if isinstance(body, cst.IndentedBlock) else body
                for statement in statements if isinstance(statements, (list, tuple)) else ():
                    if (isinstance(statement, cst.FunctionDef)
                            and identifier(statement.name.value) == name):
                        return statement
            scope = scope.parent
        return None


def _is_true(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return identifier(expr.value) == "True"
    return isinstance(expr, cst.Integer) and expr.value not in ("0",)


def _is_docstring_or_pass(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Pass) or (isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)))
