"""Whether code checks the peer's host name itself: `ssl.match_hostname(cert, host)` (or a
backport of it, service_identity's verifiers), or the certificate's names read by hand
(`sock.getpeercert()` and its `"subjectAltName"` or `"commonName"` in the same function), in
a function or class or in a function of the module that it calls by name (ldap3's
`check_hostname(sock, host, names)`).

A client that sets `check_hostname = False` and then does one of these still checks the
host name; only the place of the check moved (TLS103).
"""

from __future__ import annotations

from typing import Dict, List, Set, Tuple

import libcst as cst

from corptls_lint.analysis.cst_walk import children
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import identifier

# The last names of the functions that match a certificate against a host name: the standard
# library's (removed in 3.12), its backports (`backports.ssl_match_hostname`, urllib3's
# `util.ssl_match_hostname`) and service_identity's.
CHECKERS = frozenset({"match_hostname", "verify_hostname", "verify_ip_address",
                      "verify_service_identity"})
# The keys of a `getpeercert()` dict that hold the names a manual check compares.
NAME_KEYS = frozenset({"subjectAltName", "commonName"})
PEER_CERT = "getpeercert"


class _Facts:
    """What one function body does that a host name check is made of, and the names it
    calls; the functions defined inside it are bodies of their own (`nested`)."""

    def __init__(self, region: cst.CSTNode, scope: Scope) -> None:
        self.checker = False  # a call of a CHECKERS function, through an import
        self.peer_cert = False  # a `.getpeercert()` call
        self.name_key = False  # a NAME_KEYS string
        self.called: Set[str] = set()  # names called as `name(...)` or `self.name(...)`
        self.nested: List[cst.FunctionDef] = []
        stack: List[cst.CSTNode] = [region]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.FunctionDef) and node is not region:
                self.nested.append(node)
                continue
            if isinstance(node, cst.Call):
                self._call(node, scope)
            elif isinstance(node, cst.SimpleString) and not self.name_key:
                try:
                    self.name_key = node.evaluated_value in NAME_KEYS
                except Exception:  # an escape libcst cannot evaluate
                    pass
            stack.extend(children(node))

    def _call(self, call: cst.Call, scope: Scope) -> None:
        func = call.func
        qualified = scope.qualify(func)
        if qualified is not None and qualified.rsplit(".", 1)[-1] in CHECKERS:
            self.checker = True
        if isinstance(func, cst.Attribute):
            method = identifier(func.attr.value)
            if method == PEER_CERT:
                self.peer_cert = True
            if isinstance(func.value, cst.Name) and identifier(func.value.value) in ("self",
                                                                                     "cls"):
                self.called.add(method)
        elif isinstance(func, cst.Name) and qualified is None:
            self.called.add(identifier(func.value))


_CACHE: Dict[int, Tuple[cst.CSTNode, bool]] = {}


def checks_host_name(region: cst.CSTNode, module: cst.Module, scope: Scope) -> bool:
    """Whether `region` (a function or class, or the module) checks the peer's host name, by
    itself or in a function of `module` that it calls by name (one level deep)."""
    cached = _CACHE.get(id(region))
    if cached is not None and cached[0] is region:
        return cached[1]
    if len(_CACHE) > 64:
        _CACHE.clear()
    facts = _bodies(region, scope)
    called = {name for fact in facts for name in fact.called}
    if called:
        definitions = _functions(module)
        facts.extend(_Facts(function, scope) for name in called
                     for function in definitions.get(name, ()) if function is not region)
    # A manual check reads the certificate and its names in one body: that body is kept when
    # libcst is handed only what matters (it calls getpeercert), and so are its names.
    found = any(fact.checker or (fact.peer_cert and fact.name_key) for fact in facts)
    _CACHE[id(region)] = (region, found)
    return found


def _bodies(region: cst.CSTNode, scope: Scope) -> List[_Facts]:
    """The facts of the region and of every function defined in it, each body apart."""
    found = [_Facts(region, scope)]
    index = 0
    while index < len(found):
        found.extend(_Facts(function, scope) for function in found[index].nested)
        index += 1
    return found


def _functions(module: cst.Module) -> Dict[str, List[cst.FunctionDef]]:
    """The functions and methods of the module by name (those of its top-level classes too)."""
    found: Dict[str, List[cst.FunctionDef]] = {}
    for statement in module.body:
        body: Tuple[cst.CSTNode, ...] = (statement,)
        if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            body = tuple(statement.body.body)
        for node in body:
            if isinstance(node, cst.FunctionDef):
                found.setdefault(identifier(node.name.value), []).append(node)
    return found
