from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients, travel, values
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import PROTOCOL, ClientUse, FileContext, Invalid, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import (Argument, AttributeStore, CallTo, KeywordArg, LookedUpIn,
                                         NamePassed, NameUse, one_of)

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
    used. The keys of a table (`{ssl.PROTOCOL_TLSv1: "TLSv1"}`, names for display or a map to
    `OP_NO_*` options) and a weak constant re-exported under a name that nothing passes on
    (`PROTOCOL_TLSv1 = ssl.PROTOCOL_TLSv1` in a compatibility module) are not reported either.

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
                  NameUse(tuple(sorted({name.rsplit(".", 1)[1]
                                        for name in _WEAK_VERSIONS | _TWISTED_WEAK}))))
    # Where a weak value kept in a variable is used (the origin is the finding), and where
    # a weak minimum_version is written before it reaches the store.
    context_shapes = (NamePassed(_NAMES), NameUse(_VERSION_NAMES))

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
    ]
    INVALID = [
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
            [(5, 17)]),
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
            [(4, 16)]),
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

    def _report_once(self, node: cst.CSTNode) -> None:
        if id(node) not in self._reported:
            self._reported.add(id(node))
            self.report(node)

    def _weak_protocol(self, expr: cst.BaseExpression) -> bool:
        return self.qualify(expr) in clients.WEAK_PROTOCOLS

    def _weak_bound(self, expr: cst.BaseExpression) -> bool:
        return self.qualify(expr) in clients.WEAK_MINIMUM_VERSIONS

    def _written(self, value: cst.BaseExpression, weak: clients.ValueTest) -> None:
        """A value passed or returned: the weak constant itself, or where a variable holding
        one was written."""
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

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._table_item(node.value)

    def visit_Element(self, node: cst.Element) -> None:
        # an item of a list, tuple or set display; a tuple in a comparison is a deny list
        self._table_item(node.value)

    def _table_item(self, value: cst.BaseExpression) -> None:
        if self._comparisons:
            return
        if self._weak_protocol(value) or self.qualify(value) in _WEAK_VERSIONS | _TWISTED_WEAK:
            self._report_once(value)
            return
        name = values.string_value(value, self.scope) if isinstance(
            value, (cst.SimpleString, cst.ConcatenatedString)) else None
        if name is not None and any(name in names for names in _NAMED.values()):
            self._named.append((value, name))  # a finding if the module looks it up

    def visit_Assign(self, node: cst.Assign) -> None:
        self._note_binding(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name) and self.scope.kind == "class":
                # a class attribute: the class's own setting (`ssl_version` of an FTP_TLS
                # subclass), read by the library through `self`
                if self._weak_protocol(node.value):
                    self._report_once(node.value)
                continue
            if not isinstance(target.target, cst.Attribute):
                continue
            if identifier(target.target.attr.value) in _BOUNDS:
                self._bound(target.target, node.value)
            elif self._weak_protocol(node.value):
                # an object configured with it (`ftp.ssl_version = ssl.PROTOCOL_TLSv1`)
                self._report_once(node.value)

    def visit_Call(self, node: cst.Call) -> None:
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

    def leave_Module(self, original_node: cst.Module) -> None:
        for value, scope, weak in self._deferred if self._binds_weak else ():
            for origin in travel.travelled_origins(value, scope, weak):
                self._report_once(origin)
        for value, name in self._named:
            if any(name in _NAMED[module] for module in self._looked_up):
                self._report_once(value)

    def _bound(self, anchor: cst.CSTNode, value: cst.BaseExpression) -> None:
        if self._weak_bound(value):
            self._report_once(anchor)
            return
        for origin in travel.travelled_origins(value, self.scope, self._weak_bound):
            self._report_once(origin)
