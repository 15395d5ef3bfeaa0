"""What the HTTP and TLS libraries look like: the catalogue of SPEC §1, as canonical names."""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

import libcst as cst

from corptls_lint import values
from corptls_lint.candidates import CallTo
from corptls_lint.scopes import Scope, import_roots

VERBS = frozenset("get post put patch delete head options request send stream".split())

REQUESTS_FUNCTIONS = frozenset(
    f"requests.{verb}" for verb in "get post put patch delete head options request".split()
)
HTTPX_FUNCTIONS = frozenset(
    f"httpx.{verb}" for verb in "get post put patch delete head options request stream".split()
)
MODULE_VERBS = REQUESTS_FUNCTIONS | HTTPX_FUNCTIONS

HTTPX_CONSTRUCTORS = frozenset(
    {"httpx.Client", "httpx.AsyncClient", "httpx.HTTPTransport", "httpx.AsyncHTTPTransport",
     "httpx.create_ssl_context"}
)
# Known functions and constructors that take `verify=`.
VERIFY_TAKERS = MODULE_VERBS | HTTPX_CONSTRUCTORS

SESSION_CONSTRUCTORS = frozenset(
    {"requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient"}
)
REQUESTS_SESSION_CONSTRUCTORS = frozenset({"requests.Session", "requests.session"})

URLLIB3_POOLS = frozenset(
    {"urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPSConnectionPool",
     "urllib3.connection_from_url", "urllib3.proxy_from_url"}
)
SSL_WRAP_SOCKET = "ssl.wrap_socket"
CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})

AIOHTTP_SSL_TAKERS = frozenset({"aiohttp.TCPConnector", "aiohttp.request"})
# aiohttp ClientSession methods that take `ssl=` beyond the HTTP verbs.
AIOHTTP_METHODS = VERBS | {"ws_connect"}


def assigned_pattern(word: str, quoted: bool = False) -> "re.Pattern[bytes]":
    """A byte-screen pattern (a superset): `word` followed by `=` but not `==` (a keyword or an
    attribute store, also across whitespace, comments and line continuations), or with
    `quoted`, the word in quotes (a `**{"verify": ...}` key)."""
    name = re.escape(word.encode())
    pattern = name + rb"(?:\s|#[^\r\n]*|\\\r?\n)*=(?!=)"
    if quoted:
        pattern += rb"|['\"]" + name + rb"['\"]"
    return re.compile(pattern)


# What TLS101, TLS102 and TLS301 need of `verify`, and TLS103 of `ssl` (`ssl=False`,
# `verify_ssl=False`; its other shapes have words of their own, such as CERT_NONE).
VERIFY_ASSIGNED = assigned_pattern("verify", quoted=True)
SSL_ASSIGNED = assigned_pattern("ssl")


def calls_to(qualified_names, unless_keyword: Optional[str] = None) -> CallTo:
    """The syntax-screen shape of a call to any of these canonical names."""
    names = sorted({name.rsplit(".", 1)[-1] for name in qualified_names})
    roots = sorted({root for name in qualified_names for root in import_roots(name)})
    return CallTo(tuple(names), tuple(roots), unless_keyword)


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    """The `name=` argument of a call, if present."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call, index: int) -> Optional[cst.Arg]:
    """The index-th positional argument, when no `*args` comes before it."""
    position = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star == "**":
            break
        if arg.star == "*":
            return None
        if position == index:
            return arg
        position += 1
    return None


def argument(call: cst.Call, index: int, name: str) -> Optional[cst.Arg]:
    """An argument given by position or by keyword."""
    return keyword(call, name) or positional(call, index)


def has_double_star(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def is_unresolved_method(call: cst.Call, qualified: Optional[str], methods=VERBS) -> bool:
    """`x.get(...)` on a receiver that no import explains (`self.session.get`)."""
    return (qualified is None and isinstance(call.func, cst.Attribute)
            and call.func.attr.value in methods)


def takes_verify(call: cst.Call, qualified: Optional[str]) -> bool:
    """Calls where `verify=` means TLS verification (not `jwt.decode(verify=...)`)."""
    if qualified is not None:
        return qualified in VERIFY_TAKERS
    return is_unresolved_method(call, qualified)


def double_star_entries(
    call: cst.Call, key: str, scope: Scope
) -> Iterator[Tuple[cst.CSTNode, cst.DictElement]]:
    """`**{"key": v}` entries of a call, as (where to report, the dict element).

    Reported at the element when the dict is written inline, at the `**name` argument when the
    dict is a name bound once to a dict display.
    """
    for arg in call.args:
        if arg.star != "**":
            continue
        display = values.dict_literal(arg.value, scope)
        if display is None:
            continue
        inline = display is arg.value
        for element in display.elements:
            if (isinstance(element, cst.DictElement)
                    and values.string_value(element.key, scope) == key):
                yield (element if inline else arg), element


def verify_fix_kind(qualified: Optional[str]) -> str:
    """httpx 0.28 deprecated a path for `verify=`: its fixes prefer the configured SSL context."""
    if qualified is not None and qualified.startswith("httpx."):
        return "ssl-context-or-ca-bundle"
    return "ca-bundle"
