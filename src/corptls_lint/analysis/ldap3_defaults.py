"""ldap3's defaults, which verify nothing: where a call relies on them (TLS105).

ldap3's `Tls` defaults `validate` to `ssl.CERT_NONE`, and its `wrap_socket` sets the context's
`verify_mode` to it. A `Server` using SSL (`use_ssl=True`, an `ldaps://` host) without `tls=`
makes such a `Tls` (as does the Server `Connection("ldaps://...")` makes of its URL), and so
does a connection that starts TLS (`auto_bind=AUTO_BIND_TLS_*`, `conn.start_tls()`) on a
server without `tls=`.
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

import libcst as cst

from corptls_lint.analysis import values
from corptls_lint.analysis.clients import (LDAP3_SERVERS, LDAP3_TLS, argument, callee_name,
                                           has_double_star, value_is)
from corptls_lint.analysis.scopes import Scope
from corptls_lint.screens.shapes import TRUTHY

LDAP3_CONNECTIONS = frozenset({"ldap3.Connection", "ldap3.core.connection.Connection"})
# auto_bind values that start TLS before or after binding (ldap3's constants are these strings)
_STARTING_TLS = frozenset({"TLS_BEFORE_BIND", "TLS_AFTER_BIND"})
_STARTING_TLS_NAMES = frozenset(f"ldap3.AUTO_BIND_{mode}" for mode in _STARTING_TLS)

_TLS = ("ldap3's Tls verifies no certificate without validate= (its default is "
        "ssl.CERT_NONE); pass validate=ssl.CERT_REQUIRED and the CA bundle")
_SERVER = ("ldap3's Server uses SSL without tls=, so it verifies no certificate; pass "
           "tls=Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=<the CA bundle>)")
_STARTTLS = ("ldap3 starts TLS with the server's default Tls, which verifies no certificate; "
             "give the Server tls=Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=<the CA bundle>)")


def findings(call: cst.Call, qualified: Optional[str], scope: Scope
             ) -> Iterator[Tuple[cst.CSTNode, str]]:
    """(where to report, message) for a call that relies on ldap3's defaults."""
    if has_double_star(call) or any(arg.star == "*" for arg in call.args):
        return  # `**options` may carry what decides it
    if qualified in LDAP3_TLS:
        if argument(call, 2, "validate") is None:
            yield call, _TLS
    elif qualified in LDAP3_SERVERS:
        if _server(call, scope) == "ssl":
            yield call, _SERVER
    elif qualified in LDAP3_CONNECTIONS:
        server = _server_of(call, scope)
        auto_bind = argument(call, 3, "auto_bind")
        if auto_bind is not None and _starts_tls(auto_bind.value, scope) and server == "plain":
            yield auto_bind, _STARTTLS
        host = argument(call, 0, "server")
        if server == "ssl" and host is not None and values.string_value(
                host.value, scope) is not None:  # Connection("ldaps://..."): a Server is its own
            yield host, _SERVER
    elif qualified is None and callee_name(call) == "start_tls" and isinstance(
            call.func, cst.Attribute):
        connection, connection_scope = values.origin(call.func.value, scope)
        if (isinstance(connection, cst.Call)
                and connection_scope.qualify(connection.func) in LDAP3_CONNECTIONS
                and _server_of(connection, connection_scope) == "plain"):
            yield call, _STARTTLS


def _server_of(connection: cst.Call, scope: Scope) -> Optional[str]:
    """What the server of `Connection(server, ...)` is, as `_server` says."""
    server = argument(connection, 0, "server")
    if server is None:
        return None
    value, value_scope = values.origin(server.value, scope)
    if isinstance(value, cst.Call):
        if value_scope.qualify(value.func) not in LDAP3_SERVERS or has_double_star(value):
            return None
        return _server(value, value_scope)
    host = values.string_value(value, value_scope)  # Connection("ldap://host") makes a Server
    if host is None:
        return None
    return "ssl" if host.lower().startswith("ldaps://") else "plain"


def _server(call: cst.Call, scope: Scope) -> Optional[str]:
    """A Server without `tls=` (or `tls=None`): "ssl" when it uses SSL from the start,
    "plain" when it does not; None when it has a Tls of its own or cannot be told."""
    tls = argument(call, 5, "tls")
    if tls is not None and values.literal(tls.value, scope) is not None:
        return None
    use_ssl = argument(call, 2, "use_ssl")
    host = argument(call, 0, "host")
    url = values.string_value(host.value, scope) if host is not None else None
    if (url or "").lower().startswith("ldaps://") or (
            use_ssl is not None and value_is(TRUTHY, use_ssl.value, scope)):
        return "ssl"
    if use_ssl is not None and values.literal(use_ssl.value, scope) not in (False, 0, None):
        return None  # a computed use_ssl
    return "plain"


def _starts_tls(value: cst.BaseExpression, scope: Scope) -> bool:
    return (scope.qualify(value) in _STARTING_TLS_NAMES
            or values.string_value(value, scope) in _STARTING_TLS)
