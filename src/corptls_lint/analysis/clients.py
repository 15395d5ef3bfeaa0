"""What the HTTP and TLS libraries look like: the catalogue of SPEC §1, as canonical names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import (Callable, Collection, Container, Dict, FrozenSet, Iterable, Iterator, List,
                    Optional, Set, Tuple, TypeVar)
from urllib.parse import parse_qsl

import libcst as cst

from corptls_lint.analysis import values
from corptls_lint.analysis.scopes import Scope, import_roots
from corptls_lint.ftypes import identifier
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import CERT_NONE as CERT_NONE_CLASS
from corptls_lint.screens.shapes import (FALSE_WORD, FALSE_WORDS, FALSY, NONE_OR_CERT_NONE, PATH,
                                         TRUTHY, Argument, CallTo, one_of, one_of_words)

# Tests whether a value is insecure: alone, or in the scope it is used in. (Strings: libcst
# may load late, see running/startup.py.)
ValueTest = Callable[["cst.BaseExpression"], bool]
ScopedValueTest = Callable[["cst.BaseExpression", Scope], bool]

VERBS = frozenset("get post put patch delete head options request send stream".split())
# Methods that hand requests' own `verify=` on, beside the verbs: requests-oauthlib's and
# authlib's token calls, a requests adapter's connection hook (exchangelib overrides it).
VERIFY_METHODS = VERBS | frozenset({"fetch_token", "fetch_request_token", "fetch_access_token",
                                    "refresh_token", "get_connection_with_tls_context"})

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


def _names(modules: str, names: str) -> FrozenSet[str]:
    return frozenset(f"{module}.{name}" for module in modules.split() for name in names.split())


# Libraries whose `verify=` is requests' own (falsy: off; a string: a CA bundle's path), their
# module functions and the sessions whose constructor takes it (requests.Session's does not).
# requests_futures' FuturesSession and cloudscraper's scrapers take no `verify=` of their own:
# their requests are verb methods of an unresolved receiver, which TLS101 reads already.
REQUESTS_COMPATIBLE = (
    _names("curl_cffi curl_cffi.requests",
           "get post put patch delete head options trace query request Session AsyncSession")
    | _names("curl_cffi.requests.session", "Session AsyncSession")
    | _names("niquests niquests.api niquests.async_api",
             "get post put patch delete head options query request")
    | _names("niquests", "aget apost aput apatch adelete ahead aoptions aquery arequest "
                         "Session AsyncSession")
    | _names("niquests.sessions", "Session") | _names("niquests.async_session", "AsyncSession")
    | _names("grequests", "get post put patch delete head options request")
    | _names("requests_html", "HTMLSession AsyncHTMLSession BaseSession")
)
# Clients built on requests that hand their `verify=` to its session as it is: pyArango's
# connection, Airflow's Vault client (hvac).
REQUESTS_WRAPPERS = frozenset({"pyArango.connection.Connection",
                               "airflow.providers.hashicorp._internal_client.vault_client"
                               "._VaultClient"})
# Known functions and constructors that take `verify=`.
VERIFY_TAKERS = MODULE_VERBS | HTTPX_CONSTRUCTORS | REQUESTS_COMPATIBLE | REQUESTS_WRAPPERS

SESSION_CONSTRUCTORS = frozenset(
    {"requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient"}
)
REQUESTS_SESSION_CONSTRUCTORS = frozenset({"requests.Session", "requests.session"})

URLLIB3_POOLS = frozenset(
    {"urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPSConnectionPool",
     "urllib3.connection_from_url", "urllib3.proxy_from_url"}
)
# What a variable holding a pool class may also hold (`pool_class = urllib3.HTTPConnectionPool`
# before `if https: pool_class = urllib3.HTTPSConnectionPool`).
POOL_CLASSES = URLLIB3_POOLS | {"urllib3.HTTPConnectionPool"}
SSL_WRAP_SOCKET = "ssl.wrap_socket"
CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})

AIOHTTP_SSL_TAKERS = frozenset({"aiohttp.TCPConnector", "aiohttp.request"})
# aiohttp ClientSession methods that take `ssl=` beyond the HTTP verbs.
AIOHTTP_METHODS = VERBS | {"ws_connect"}


# What TLS101, TLS102 and TLS301 need of `verify`, and TLS103 of `ssl` (`ssl=False`,
# `verify_ssl=False`; its other shapes have words of their own, such as CERT_NONE).
VERIFY_ASSIGNED = byte_patterns.assigned("verify", quoted=True, insecure_if_true=False)
SSL_ASSIGNED = byte_patterns.assigned("ssl", insecure_if_true=False)


def calls_to(qualified_names: Collection[str], unless_keyword: Optional[str] = None,
             argument: Optional[Argument] = None) -> CallTo:
    """The syntax-screen shape of a call to any of these canonical names."""
    names = sorted({name.rsplit(".", 1)[-1] for name in qualified_names})
    roots = sorted({root for name in qualified_names for root in import_roots(name)})
    return CallTo(tuple(names), tuple(roots), unless_keyword, argument=argument)


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    """The `name=` argument of a call, if present."""
    for arg in call.args:
        if arg.keyword is not None and identifier(arg.keyword.value) == name:
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


def instance_method(call: cst.Call, scope: Scope) -> Optional[str]:
    """`Class.method` for `x.method(...)` where `x` is a name bound once to `Class(...)` (an
    imported class): a client's method called on its instance (`fgt = FortiOSAPI()` ...
    `fgt.login(...)`), else None."""
    func = call.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    made, made_scope = values.origin(func.value, scope)
    if not isinstance(made, cst.Call) or made is call:
        return None
    owner = made_scope.qualify(made.func, aliases=True)
    return f"{owner}.{identifier(func.attr.value)}" if owner is not None else None


def is_unresolved_method(call: cst.Call, qualified: Optional[str],
                         methods: Container[str] = VERBS) -> bool:
    """`x.get(...)` on a receiver that no import explains (`self.session.get`)."""
    return (qualified is None and isinstance(call.func, cst.Attribute)
            and identifier(call.func.attr.value) in methods)


def takes_verify(call: cst.Call, qualified: Optional[str]) -> bool:
    """Calls where `verify=` means TLS verification (not `jwt.decode(verify=...)`)."""
    if qualified is not None:
        return qualified in VERIFY_TAKERS
    return is_unresolved_method(call, qualified, VERIFY_METHODS)


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


# -- values every TLS rule compares against ---------------------------------------------------
def is_cert_none(value: cst.BaseExpression, scope: Scope) -> bool:
    """`ssl.CERT_NONE` under any import path, or the string form urllib3 accepts."""
    if scope.qualify(value) in CERT_NONE:
        return True
    return values.string_value(value, scope) in ("CERT_NONE", "NONE")


def option_entries(
    expr: cst.BaseExpression, scope: Scope
) -> Iterator[Tuple[cst.CSTNode, str, cst.BaseExpression]]:
    """(where to report, key, value) of an options dict: a display (or a name bound once to
    one) or a `dict(key=value)` call of the builtin."""
    display = values.dict_literal(expr, scope)
    if display is not None:
        for element in display.elements:
            if isinstance(element, cst.DictElement):
                key = values.string_value(element.key, scope)
                if key is not None:
                    yield element, key, element.value
        return
    expr, scope = values.origin(expr, scope)
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name)
            and identifier(expr.func.value) == "dict" and scope.lookup("dict") is None):
        for arg in expr.args:
            if arg.keyword is not None:
                yield arg, identifier(arg.keyword.value), arg.value


def callee_name(call: cst.Call) -> Optional[str]:
    """The last name of the callee (`x.y.fetch(...)`: fetch)."""
    if isinstance(call.func, cst.Attribute):
        return identifier(call.func.attr.value)
    if isinstance(call.func, cst.Name):
        return identifier(call.func.value)
    return None


# -- server contexts: never reported ------------------------------------------------------------
SSL_CONTEXT = "ssl.SSLContext"
CREATE_DEFAULT_CONTEXT = "ssl.create_default_context"
SERVER_PROTOCOL = "ssl.PROTOCOL_TLS_SERVER"
CLIENT_AUTH = frozenset({"ssl.Purpose.CLIENT_AUTH"})
# Calls whose SSL options configure a listening socket (tornado's HTTPServer, app.listen, ...).
SERVER_CALL_NAMES = frozenset({"listen", "bind_sockets", "start_server", "serve", "run_app"})


def is_server_callee(call: cst.Call) -> bool:
    name = callee_name(call) or ""
    return name in SERVER_CALL_NAMES or name.endswith(("Server", "server"))


_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


# Words that make a name about the client side of a server (`connect_to_server`).
_CLIENT_WORDS = frozenset({"client", "connect", "connection", "to", "for"})


def names_a_server(call: cst.Call) -> bool:
    """A callee whose last name has the word server in it (`TSSLServerSocket`,
    `self._server_socket(...)`, `make_server`) and no word of a client's (`connect_to_server`,
    `client_for_server`): the listening side's constructors and the test helpers that build
    one. Wider than `is_server_callee`, which the context rules use for what a context is
    handed to."""
    words = {word.lower() for word in _WORDS.findall(callee_name(call) or "")}
    return "server" in words and not words & _CLIENT_WORDS


def is_server_context_call(call: cst.BaseExpression, scope: Scope) -> bool:
    """`SSLContext(PROTOCOL_TLS_SERVER)` or `create_default_context(Purpose.CLIENT_AUTH)`."""
    if not isinstance(call, cst.Call):
        return False
    qualified = scope.qualify(call.func)
    if qualified == SSL_CONTEXT:
        protocol = argument(call, 0, "protocol")
        return protocol is not None and scope.qualify(protocol.value) == SERVER_PROTOCOL
    if qualified == CREATE_DEFAULT_CONTEXT:
        purpose = argument(call, 0, "purpose")
        return purpose is not None and scope.qualify(purpose.value) in CLIENT_AUTH
    return False


# Methods only a listening side calls.
SERVER_METHODS = frozenset({"set_accept_state", "set_session_id", "accept"})
# Methods that give a context its own certificate: a server, or a client with a client
# certificate; a sign of a server only when nothing says client.
CERTIFICATE_METHODS = frozenset({"load_cert_chain", "use_privatekey_file", "use_privatekey",
                                 "use_certificate_file", "use_certificate",
                                 "use_certificate_chain_file"})


def is_client_context_call(call: cst.BaseExpression, scope: Scope) -> bool:
    """`create_default_context()` for servers' certificates, `SSLContext(PROTOCOL_TLS_CLIENT)`."""
    if not isinstance(call, cst.Call):
        return False
    qualified = scope.qualify(call.func)
    if qualified == CREATE_DEFAULT_CONTEXT:
        return not is_server_context_call(call, scope)
    if qualified == SSL_CONTEXT:
        protocol = argument(call, 0, "protocol")
        return protocol is not None and scope.qualify(protocol.value) == "ssl.PROTOCOL_TLS_CLIENT"
    return False


def _is_branch(node: cst.CSTNode) -> bool:
    # names looked up on use: libcst loads lazily, and a clean file never needs it
    return isinstance(node, (cst.If, cst.Try, cst.TryStar, cst.For, cst.While, cst.Match))


class BodyUses:
    """What a function (or module, or class) body does with the names it binds: every value
    bound to a name or attribute (`ctx`, `self._verify`), the attributes stored on it, the
    items stored into it (`kw["cert_reqs"] = ...`), its `.update(...)` and `.setdefault(...)`
    calls, the methods
    called on it, and whether it serves. Built on demand, only for bodies that hold a
    candidate finding; the TLS context rules and the values that travel read it."""

    def __init__(self, region: cst.CSTNode) -> None:
        # name -> {attr: [value, ...]}
        self.stores: Dict[str, Dict[str, List[cst.BaseExpression]]] = {}
        self.methods: Dict[str, Set[str]] = {}  # name -> {method, ...}
        self.bound: Dict[str, List[cst.BaseExpression]] = {}  # name -> [value, ...]
        self.serving: Set[str] = set()  # names passed to a server or accepting connections
        self.certified: Set[str] = set()  # names given a certificate of their own
        # name -> [(key expression, value, the subscript target), ...]
        self.items: Dict[str, List[Tuple[cst.BaseExpression, cst.BaseExpression,
                                         cst.Subscript]]] = {}
        # name -> [the `name.update(...)` or `name.setdefault(...)` call, ...]
        self.updates: Dict[str, List[cst.Call]] = {}
        self.server_side = False  # a `server_side=True` somewhere in the body
        self.conditional: Set[int] = set()  # ids of values bound under an if/try/loop/match
        self._walk(region)

    def _walk(self, region: cst.CSTNode) -> None:
        from corptls_lint.analysis.cst_walk import children

        stack: List[Tuple[cst.CSTNode, bool]] = [(region, False)]
        while stack:
            node, conditional = stack.pop()
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    self._store(target.target, node.value)
                if conditional:
                    self.conditional.add(id(node.value))
            elif isinstance(node, cst.Call):
                self._call(node)
            conditional = conditional or _is_branch(node)
            stack.extend((child, conditional) for child in children(node))

    def _store(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        from corptls_lint.analysis.scopes import dotted_name

        if isinstance(target, cst.Attribute):
            owner = dotted_name(target.value)
            if owner is not None:
                self.stores.setdefault(owner, {}).setdefault(identifier(target.attr.value),
                                                             []).append(value)
        elif isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(
                target.slice[0].slice, cst.Index):
            owner = dotted_name(target.value)
            if owner is not None:
                self.items.setdefault(owner, []).append((target.slice[0].slice.value, value,
                                                         target))
        name = dotted_name(target)
        if name is not None:
            self.bound.setdefault(name, []).append(value)

    def _call(self, call: cst.Call) -> None:
        from corptls_lint.analysis.scopes import dotted_name

        server_side = keyword(call, "server_side")
        if server_side is not None and isinstance(server_side.value, cst.Name) and (
                identifier(server_side.value.value) == "True"):
            self.server_side = True
        if isinstance(call.func, cst.Attribute):
            owner = dotted_name(call.func.value)
            if owner is not None:
                method = identifier(call.func.attr.value)
                self.methods.setdefault(owner, set()).add(method)
                if method in ("update", "setdefault"):
                    self.updates.setdefault(owner, []).append(call)
                if method in SERVER_METHODS:
                    self.serving.add(owner)
                elif method in CERTIFICATE_METHODS:
                    self.certified.add(owner)
        if is_server_callee(call):
            for arg in call.args:
                name = dotted_name(arg.value)
                if name is not None:
                    self.serving.add(name)

    def is_server(self, name: str, scope: Scope) -> bool:
        """Whether the context called `name` here is a server one (never reported).

        Its constructor decides first; then serving (handed to a server, accepting, a
        `server_side=True` in the body); a `check_hostname` store says client (only clients
        check host names); a certificate of its own says server when nothing else spoke.
        """
        bound = self.bound.get(name, ())
        if any(is_server_context_call(value, scope) for value in bound):
            return True
        if any(is_client_context_call(value, scope) for value in bound):
            return False
        if name in self.serving or self.server_side:
            return True
        if "check_hostname" in self.stores.get(name, {}):
            return False
        return name in self.certified


_USES_CACHE: Dict[int, Tuple[cst.CSTNode, BodyUses]] = {}


def body_uses(scope: Scope, name: str) -> BodyUses:
    """The uses of the body a context named `name` lives in: the class for `self.x`, else the
    current function or module."""
    region = scope
    if name.split(".", 1)[0] in ("self", "cls"):
        region = scope.enclosing("class") or scope
    node = region.node
    cached = _USES_CACHE.get(id(node))
    if cached is None or cached[0] is not node:
        if len(_USES_CACHE) > 64:
            _USES_CACHE.clear()
        cached = _USES_CACHE[id(node)] = (node, BodyUses(node))
    return cached[1]


# -- TLS105: other clients' own options ---------------------------------------------------------
@dataclass(frozen=True)
class ClientOption:
    """An option of a client library that turns certificate verification off.

    `keyword` given a value of class `value` (a value class of screens.shapes) on a
    call to one of `callees` (canonical names; a name ending in "." is a package prefix) or,
    with `methods`, on a method of that name whose receiver no import explains. `position` is
    the keyword's index when it may be passed positionally. `secure` and `bundle_keyword`: the
    client's own secure form, the keyword's value `secure` and the CA bundle given beside it
    as `bundle_keyword` (its fix), unless the call passes one of `fix_blockers` (or `**`).
    """

    client: str
    keyword: str
    value: str
    callees: FrozenSet[str] = frozenset()
    methods: FrozenSet[str] = frozenset()
    position: Optional[int] = None
    secure: Optional[str] = None
    bundle_keyword: Optional[str] = None
    fix_blockers: FrozenSet[str] = frozenset()

    def applies_to(self, call: cst.Call, qualified: Optional[str]) -> bool:
        if qualified is not None:
            return qualified in self.callees or any(
                prefix.endswith(".") and qualified.startswith(prefix) for prefix in self.callees)
        return is_unresolved_method(call, qualified, self.methods)


_Option = TypeVar("_Option", bound=ClientOption)
# (table, qualified callee, unresolved method) -> the table's options for such a call: the
# tables grew to dozens of rows, and asking every row of every call was measurable
_APPLICABLE: Dict[Tuple[int, Optional[str], Optional[str]], Tuple[ClientOption, ...]] = {}


def applicable(table: Tuple[_Option, ...], call: cst.Call,
               qualified: Optional[str]) -> Tuple[_Option, ...]:
    """The rows of an options table (a module constant) that apply to this call."""
    method = None
    if qualified is None:
        if not isinstance(call.func, cst.Attribute):
            return ()
        method = identifier(call.func.attr.value)
    key = (id(table), qualified, method)
    found = _APPLICABLE.get(key)
    if found is None:
        if len(_APPLICABLE) > 4096:  # a long-lived language server sees many names
            _APPLICABLE.clear()
        found = _APPLICABLE[key] = tuple(option for option in table
                                         if option.applies_to(call, qualified))
    return found  # type: ignore[return-value]  # built from `table`, so of its row type


SEARCH_CLIENTS = frozenset({"elasticsearch.", "opensearchpy.", "elastic_transport."})
BOTO3_CALLS = frozenset({"boto3.client", "boto3.resource", "boto3.session.Session.client",
                         "boto3.session.Session.resource"})
BOTO3_METHODS = frozenset({"client", "resource", "create_client"})
PYMISP_CLIENTS = frozenset({"pymisp.PyMISP", "pymisp.ExpandedPyMISP"})
GITHUB_CLIENTS = frozenset({"github.Github", "github.GithubIntegration", "github.Auth.",
                            "github.Requester.Requester"})
KEYSTONE_SESSIONS = frozenset({"keystoneauth1.session.Session", "keystoneclient.session.Session"})
# Auth plugins whose hook returns parameters the session merges into every request (`verify`,
# `cert`): the base classes' package prefix -> the hook's name.
CONNECTION_PARAMS_PLUGINS = {"keystoneauth1.": "get_connection_params",
                             "keystoneclient.auth.": "get_connection_params"}
HVAC_CLIENTS = frozenset({"hvac.Client", "hvac.v1.Client"})
# botocore's and aiobotocore's HTTP sessions take botocore's `verify` (False or a bundle path)
BOTOCORE_SESSIONS = frozenset({"botocore.httpsession.URLLib3Session",
                               "aiobotocore.httpsession.AIOHTTPSession",
                               "aiobotocore.httpxsession.HttpxSession"})
CLICKHOUSE_DRIVER = frozenset({"clickhouse_driver.Client", "clickhouse_driver.client.Client",
                               "clickhouse_driver.connect", "clickhouse_driver.dbapi.connect"})
# ldap3's Tls validates nothing unless given `validate=` (its default is ssl.CERT_NONE), and a
# Server with `use_ssl=True` (or an ldaps:// host) and no `tls=` makes such a Tls.
LDAP3_TLS = frozenset({"ldap3.Tls", "ldap3.core.tls.Tls"})
LDAP3_SERVERS = frozenset({"ldap3.Server", "ldap3.core.server.Server"})
CLIENT_OPTIONS: Tuple[ClientOption, ...] = (
    ClientOption("boto3", "verify", "falsy", BOTO3_CALLS, BOTO3_METHODS),
    ClientOption("PyGithub", "verify", "falsy", GITHUB_CLIENTS),
    # PyMISP's `ssl` is its requests `verify` (a bundle path or False), its third parameter
    ClientOption("PyMISP", "ssl", "falsy", PYMISP_CLIENTS, position=2),
    ClientOption("keystoneauth", "verify", "falsy", KEYSTONE_SESSIONS),
    ClientOption("hvac", "verify", "falsy", HVAC_CLIENTS),
    ClientOption("botocore", "verify", "falsy", BOTOCORE_SESSIONS),
    # clickhouse-driver's native protocol client (`secure=True, verify=False`)
    ClientOption("clickhouse-driver", "verify", "falsy", CLICKHOUSE_DRIVER),
    ClientOption("ldap3", "validate", "cert-none", LDAP3_TLS, position=2),
    ClientOption("httplib2", "disable_ssl_certificate_validation", TRUTHY,
                 frozenset({"httplib2.Http"})),
    ClientOption("Elasticsearch/OpenSearch", "ssl_assert_hostname", "falsy", SEARCH_CLIENTS),
    ClientOption("tornado", "validate_cert", "falsy", frozenset({"tornado."}),
                 frozenset({"fetch"})),
    ClientOption("paho-mqtt", "cert_reqs", "cert-none", frozenset({"paho."}),
                 frozenset({"tls_set"}), position=3),
    ClientOption("paho-mqtt", "value", TRUTHY, frozenset({"paho."}),
                 frozenset({"tls_insecure_set"}), position=0),
    ClientOption("http.client", "check_hostname", "falsy",
                 frozenset({"http.client.HTTPSConnection"})),
    # stripe's client and its HTTP clients (requests, httpx, urllib, pycurl underneath)
    ClientOption("stripe", "verify_ssl_certs", "falsy", frozenset({"stripe."})),
    # fortiosapi's session: `fgt = FortiOSAPI()` ... `fgt.login(host, user, pw, verify=False)`
    ClientOption("fortiosapi", "verify", "falsy", frozenset(
        {f"{module}.FortiOSAPI.{method}" for module in ("fortiosapi", "fortiosapi.fortiosapi")
         for method in ("login", "tokenlogin")})),
)

# -- TLS105 / TLS301: database, queue and directory clients -------------------------------------
# Their constructors and connect functions, as canonical names (a name ending in "." is a
# package prefix: every redis call takes the connection keywords, through to SSLConnection).
REDIS = frozenset({"redis.", "aioredis."})
MONGO = frozenset({"pymongo.MongoClient", "pymongo.mongo_client.MongoClient",
                   "pymongo.AsyncMongoClient", "pymongo.asynchronous.mongo_client.AsyncMongoClient",
                   "motor.motor_asyncio.AsyncIOMotorClient", "motor.motor_tornado.MotorClient",
                   "motor.MotorClient",
                   "mongoengine.connect", "mongoengine.connection.connect",
                   "mongoengine.register_connection",
                   "mongoengine.connection.register_connection"})
KAFKA_PYTHON = frozenset({"kafka."})
CONFLUENT_KAFKA = frozenset({"confluent_kafka."})
POSTGRES = frozenset({"psycopg2.connect", "psycopg2.pool.", "psycopg.connect",
                      "psycopg.Connection.connect", "psycopg.AsyncConnection.connect",
                      "psycopg_pool."})
ASYNCPG = frozenset({"asyncpg.connect", "asyncpg.create_pool", "asyncpg.connection.connect",
                     "asyncpg.pool.create_pool", "asyncpg.Pool"})
MYSQL_CONNECTOR = frozenset({"mysql.connector."})
PYMYSQL = frozenset({"pymysql."})  # aiomysql takes an SSLContext (TLS103)
MYSQLDB = frozenset({"MySQLdb."})
SQLALCHEMY_ENGINES = frozenset({"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine",
                                "sqlalchemy.ext.asyncio.create_async_engine"})
CELERY = frozenset({"celery.Celery"})
AIRFLOW_CONNECTIONS = frozenset({"airflow.models.Connection",
                                 "airflow.models.connection.Connection", "airflow.sdk.Connection"})
AIRFLOW_HTTP = frozenset({"airflow.providers.http.hooks.http.HttpHook",
                          "airflow.providers.http.hooks.http.HttpAsyncHook",
                          "airflow.providers.http.operators.http.HttpOperator"})
OPENSTACK_CLOUD_REGIONS = frozenset({"openstack.config.cloud_region.CloudRegion"})
TELEGRAM_HTTPX = frozenset({"telegram.request.HTTPXRequest",
                            "telegram.request._httpxrequest.HTTPXRequest"})
KOMBU = frozenset({"kombu.Connection", "kombu.connection.Connection", "kombu.BrokerConnection"})
PIKA = frozenset({"pika.ConnectionParameters", "pika.connection.ConnectionParameters"})

THRIFT_SOCKETS = frozenset({"thrift.transport.TSSLSocket.TSSLSocket"})

# libpq's sslmode values that do not check the server's name (asyncpg reads the same words);
# "disable" is no TLS at all, not a verification switch, and is left alone.
SSLMODE_UNVERIFIED = one_of("allow", "prefer", "require", "verify-ca")
MYSQL_SSL_MODE_UNVERIFIED = one_of("PREFERRED", "REQUIRED", "VERIFY_CA")

DB_CLIENT_OPTIONS: Tuple[ClientOption, ...] = (
    ClientOption("redis-py", "ssl_cert_reqs", NONE_OR_CERT_NONE, REDIS, secure='"required"',
                 bundle_keyword="ssl_ca_certs",
                 fix_blockers=frozenset({"ssl_ca_certs", "ssl_ca_path", "ssl_ca_data"})),
    ClientOption("redis-py", "ssl_check_hostname", FALSY, REDIS),
    ClientOption("pymongo", "tlsAllowInvalidCertificates", TRUTHY, MONGO, secure="False",
                 bundle_keyword="tlsCAFile",
                 fix_blockers=frozenset({"tlsCAFile", "tlsInsecure", "tlsAllowInvalidHostnames"})),
    ClientOption("pymongo", "tlsInsecure", TRUTHY, MONGO),
    ClientOption("pymongo", "tlsAllowInvalidHostnames", TRUTHY, MONGO),
    # the revocation check of the server's certificate (OCSP), also in kms_tls_options
    ClientOption("pymongo", "tlsDisableOCSPEndpointCheck", TRUTHY, MONGO),
    # pymongo 3's names
    ClientOption("pymongo", "ssl_cert_reqs", CERT_NONE_CLASS, MONGO),
    ClientOption("pymongo", "ssl_match_hostname", FALSY, MONGO),
    ClientOption("kafka-python", "ssl_check_hostname", FALSY, KAFKA_PYTHON, secure="True",
                 bundle_keyword="ssl_cafile",
                 fix_blockers=frozenset({"ssl_cafile", "ssl_context"})),
    ClientOption("psycopg", "sslmode", SSLMODE_UNVERIFIED, POSTGRES),
    ClientOption("asyncpg", "ssl", SSLMODE_UNVERIFIED, ASYNCPG),
    ClientOption("MySQL Connector/Python", "ssl_verify_cert", FALSY, MYSQL_CONNECTOR),
    ClientOption("MySQL Connector/Python", "ssl_verify_identity", FALSY, MYSQL_CONNECTOR),
    ClientOption("PyMySQL", "ssl_verify_cert", FALSY, PYMYSQL),
    ClientOption("PyMySQL", "ssl_verify_identity", FALSY, PYMYSQL),
    ClientOption("mysqlclient", "ssl_mode", MYSQL_SSL_MODE_UNVERIFIED, MYSQLDB),
    # pydruid (Druid's DB-API and SQLAlchemy driver) reads the MySQL Connector word
    ClientOption("pydruid", "ssl_verify_cert", FALSY, frozenset({"pydruid."})),
    # Apache Thrift's client socket (TSSLServerSocket's cert_reqs is about its clients)
    ClientOption("thrift", "cert_reqs", CERT_NONE_CLASS, THRIFT_SOCKETS),
)
CLIENT_OPTIONS = CLIENT_OPTIONS + DB_CLIENT_OPTIONS

# Option keys no other library uses: reported in any dict display or item store
# (`CACHES = {... "CONNECTION_POOL_KWARGS": {"ssl_cert_reqs": None}}`, Django's DATABASES
# OPTIONS, a confluent-kafka config, celery's redis_backend_use_ssl) and in `dict(...)`.
# key -> (client, value class)
DICT_KEY_OPTIONS: Dict[str, Tuple[str, str]] = {
    "ssl_cert_reqs": ("redis-py", NONE_OR_CERT_NONE),
    "ssl_check_hostname": ("redis-py/kafka-python", FALSY),
    "tlsAllowInvalidCertificates": ("pymongo", TRUTHY),
    "tlsInsecure": ("pymongo", TRUTHY),
    "tlsAllowInvalidHostnames": ("pymongo", TRUTHY),
    "tlsDisableOCSPEndpointCheck": ("pymongo", TRUTHY),
    "ssl_match_hostname": ("pymongo", FALSY),
    "enable.ssl.certificate.verification": ("confluent-kafka", FALSE_WORD),
    "ssl.endpoint.identification.algorithm": ("confluent-kafka", one_of("none")),
    "sslmode": ("psycopg", SSLMODE_UNVERIFIED),
    "ssl_mode": ("mysqlclient", MYSQL_SSL_MODE_UNVERIFIED),
    "ssl_verify_cert": ("MySQL Connector/Python", FALSY),
    "ssl_verify_identity": ("MySQL Connector/Python", FALSY),
}
# A client's settings that turn verification off, read under their own names from the
# project's settings (Scrapy: a settings module's `DOWNLOAD_VERIFY_CERTIFICATES = False`, a
# spider's `custom_settings`, a settings dict or item): name -> (client, value class).
SETTING_OPTIONS: Dict[str, Tuple[str, str]] = {
    "DOWNLOAD_VERIFY_CERTIFICATES": ("Scrapy", FALSY),
}
# Keywords that a wrapper or test helper hands on to one client (`self.connect(host=h,
# ssl="prefer")`, `self._assert_connection_success(server, cert_reqs=ssl.CERT_NONE)`),
# reported on a method call no import explains in a file that imports the client: keyword ->
# (client, value class, the top-level modules one of which the file imports). `ssl=` means
# many things; a libpq word under it, only asyncpg's. Not on a helper that makes a listening
# side (a callee named like a server): its cert_reqs is about its clients.
HANDED_ON_OPTIONS: Dict[str, Tuple[str, str, FrozenSet[str]]] = {
    "ssl": ("asyncpg", SSLMODE_UNVERIFIED, frozenset({"asyncpg"})),
    "cert_reqs": ("the ssl module", CERT_NONE_CLASS, frozenset({"ssl"})),
    # `self.created_client(secure=True, verify=False)` (a verb method's verify is TLS101's)
    "verify": ("clickhouse-driver", FALSY, frozenset({"clickhouse_driver"})),
}


def hands_on_to_client(call: cst.Call) -> bool:
    """Whether a call no import explains may hand its keywords to a client: a method of an
    unexplained receiver (`self.connect(...)`; a function of the module is followed to its
    sink by the rules that travel), not a server's maker, nor a verb method (TLS101 reads
    their `verify=`)."""
    return (isinstance(call.func, cst.Attribute)
            and "server" not in (callee_name(call) or "").lower()
            and not is_unresolved_method(call, None, VERIFY_METHODS))


# The same for TLS301: keys whose value is a CA bundle path.
DICT_KEY_CA_PATHS: Dict[str, str] = {
    "ssl.ca.location": "confluent-kafka", "sslrootcert": "psycopg", "tlsCAFile": "pymongo",
    "ssl_ca_certs": "redis-py", "ssl_cafile": "kafka-python",
    # MySQL Connector/Python's keyword, as its connection args and Airflow's MySQL extras
    # spell it in a dict
    "ssl_ca": "MySQL Connector/Python",
}
# Options of a connection URL's query that take the CA bundle's path (True: a folder), read in
# any case: libpq's (psycopg, asyncpg, SQLAlchemy), pymongo's, redis-py's, MySQL's (in a
# SQLAlchemy URL), aiormq's (aio-pika's amqps:// URL).
URL_CA_OPTIONS = {"sslrootcert": False, "tlsCAFile": False, "ssl_ca_certs": False,
                  "ssl_ca_path": True, "ssl_ca": False, "cafile": False, "capath": True}
# The drivers whose options a SQLAlchemy URL's query may carry; redis-py's (a key of
# DICT_KEY_OPTIONS names the clients that read it).
SQL_DRIVERS = ("psycopg", "mysqlclient", "MySQL Connector/Python")
REDIS_READS = ("redis-py", "redis-py/kafka-python")


@dataclass(frozen=True)
class ConnectionString:
    """A client call whose URL or DSN argument (at `position`, or as `keyword`) may carry the
    options DICT_KEY_OPTIONS has for the clients `reads` (default: `client`'s own):
    `rediss://h?ssl_cert_reqs=none`, `"host=h sslmode=require"`."""

    client: str
    callees: FrozenSet[str]
    position: Optional[int]
    keyword: str
    reads: Tuple[str, ...] = ()

    @property
    def option_clients(self) -> Tuple[str, ...]:
        return self.reads or (self.client,)


CONNECTION_STRINGS: Tuple[ConnectionString, ...] = (
    ConnectionString("redis-py", frozenset(
        {"redis.from_url", "redis.Redis.from_url", "redis.StrictRedis.from_url",
         "redis.client.Redis.from_url", "redis.asyncio.from_url", "redis.asyncio.Redis.from_url",
         "redis.asyncio.client.Redis.from_url", "redis.ConnectionPool.from_url",
         "redis.connection.ConnectionPool.from_url", "redis.asyncio.ConnectionPool.from_url",
         "redis.RedisCluster.from_url", "redis.cluster.RedisCluster.from_url",
         "redis.asyncio.RedisCluster.from_url", "aioredis.from_url"}), 0, "url", REDIS_READS),
    # pymongo 3 read ssl_cert_reqs=CERT_NONE in a URI as redis-py does
    ConnectionString("pymongo", MONGO - {"mongoengine.connect", "mongoengine.connection.connect",
                                         "mongoengine.register_connection",
                                         "mongoengine.connection.register_connection"},
                     0, "host", ("pymongo", "redis-py")),
    ConnectionString("pymongo",
                     frozenset({"mongoengine.connect", "mongoengine.connection.connect"}),
                     None, "host", ("pymongo", "redis-py")),
    ConnectionString("pymongo", frozenset({"flask_pymongo.PyMongo"}), 1, "uri",
                     ("pymongo", "redis-py")),
    ConnectionString("psycopg", frozenset({"psycopg2.connect"}), 0, "dsn"),
    ConnectionString("psycopg", frozenset({"psycopg.connect", "psycopg.Connection.connect",
                                           "psycopg.AsyncConnection.connect", "psycopg_pool."}),
                     0, "conninfo"),
    # asyncpg reads libpq's sslmode in its DSN; SQLAlchemy hands a URL's query to the driver
    ConnectionString("asyncpg", frozenset({"asyncpg.connect", "asyncpg.connection.connect",
                                           "asyncpg.create_pool", "asyncpg.pool.create_pool"}),
                     0, "dsn", ("psycopg",)),
    ConnectionString("SQLAlchemy", SQLALCHEMY_ENGINES, 0, "url", SQL_DRIVERS),
    # Celery and kombu hand a rediss:// URL's ssl_cert_reqs to redis-py
    ConnectionString("Celery/kombu", CELERY, None, "broker", REDIS_READS),
    ConnectionString("Celery/kombu", CELERY, None, "backend", REDIS_READS),
    ConnectionString("Celery/kombu", KOMBU, 0, "hostname", REDIS_READS),
)
# A URL whose scheme is redis-py's TLS one (`rediss://`, `rediss+sentinel://`) carries
# redis-py's options: read on the URL argument of a `from_url` constructor that no import
# explains (a local subclass of ConnectionPool) or that a redis wrapper package defines
# (prefect-redis's `redis_from_url(url)`); another library's from_url is its own business.
REDIS_TLS_SCHEMES = ("rediss://", "rediss+")
REDIS_URL_CALLEES = frozenset({"from_url", "redis_from_url"})


def is_tls_redis_url(text: str) -> bool:
    return text.lower().startswith(REDIS_TLS_SCHEMES)


def may_take_redis_url(qualified: Optional[str]) -> bool:
    """Unexplained, or from a package named after redis (`prefect_redis`, `django_redis`)."""
    return qualified is None or "redis" in qualified.split(".", 1)[0]


# Settings that hold a connection string, stored as a name, attribute, item, dict entry or
# keyword (`CELERY_BROKER_URL = "rediss://h?ssl_cert_reqs=CERT_NONE"`,
# `app.config["SQLALCHEMY_DATABASE_URI"] = ...`): name -> (client, the clients it reads for)
STRING_SETTINGS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    **{name: ("Celery/kombu", REDIS_READS) for name in (
        "broker_url", "BROKER_URL", "CELERY_BROKER_URL", "result_backend",
        "CELERY_RESULT_BACKEND")},
    "SQLALCHEMY_DATABASE_URI": ("SQLAlchemy", SQL_DRIVERS),
    # the names applications and tests give a connection string (a Neon or Heroku URL)
    **{name: ("libpq", ("psycopg",)) for name in (
        "dsn", "DSN", "conninfo", "DATABASE_URL", "database_url", "POSTGRES_URL",
        "postgres_url")},
    **{name: ("redis-py", REDIS_READS) for name in ("REDIS_URL", "redis_url")},
    **{name: ("pymongo", ("pymongo", "redis-py")) for name in (
        "MONGO_URI", "MONGODB_URI", "mongo_uri", "mongodb_uri")},
}

# Options dicts of the database and queue clients: (client, keyword, the calls it is an
# option of, the methods of unresolved receivers, entry -> value class). Their stores count
# too: `app.conf.broker_use_ssl = {...}`, a settings module's `CELERY_BROKER_USE_SSL = {...}`.
_CELERY_ENTRIES = {"cert_reqs": CERT_NONE_CLASS, "ssl_cert_reqs": NONE_OR_CERT_NONE,
                   "check_hostname": FALSY, "ssl_check_hostname": FALSY}


@dataclass(frozen=True)
class OptionDict:
    client: str
    keyword: str
    callees: FrozenSet[str]
    methods: FrozenSet[str]
    entries: Dict[str, str]
    position: Optional[int] = None  # the keyword's index when it may be passed by position


DB_OPTION_DICTS: Tuple[OptionDict, ...] = (
    OptionDict("Celery/kombu", "broker_use_ssl", CELERY, frozenset({"update"}), _CELERY_ENTRIES),
    OptionDict("Celery/kombu", "redis_backend_use_ssl", CELERY, frozenset({"update"}),
               _CELERY_ENTRIES),
    OptionDict("Celery/kombu", "ssl", KOMBU, frozenset(), _CELERY_ENTRIES),
    OptionDict("pika", "ssl_options", PIKA, frozenset(), {"cert_reqs": CERT_NONE_CLASS}),
    OptionDict("PyMySQL", "ssl", PYMYSQL, frozenset(),
               {"check_hostname": FALSY, "verify_mode": FALSE_WORD}),
    # HTTP wrappers' options dicts whose `verify` entry is requests' (or httpx's) own: an
    # Airflow connection's extras (the HTTP, WebHDFS, Vault hooks read it), the HTTP hook's
    # and operator's per-request options, python-telegram-bot's httpx client arguments
    OptionDict("Airflow", "extra", AIRFLOW_CONNECTIONS, frozenset(), {"verify": FALSY}),
    OptionDict("Airflow HTTP", "extra_options", AIRFLOW_HTTP, frozenset({"run"}),
               {"verify": FALSY}),
    OptionDict("python-telegram-bot", "httpx_kwargs", TELEGRAM_HTTPX, frozenset(),
               {"verify": FALSY}),
    # jira's client options (`JIRA(server, options={"verify": False})`: requests' verify)
    OptionDict("jira", "options", frozenset({"jira.JIRA", "jira.client.JIRA"}), frozenset(),
               {"verify": FALSY}, position=1),
    # openstacksdk's cloud region takes the cloud's config dict (its `verify` is keystoneauth's)
    OptionDict("openstacksdk", "config", OPENSTACK_CLOUD_REGIONS, frozenset(), {"verify": FALSY},
               position=2),
)
# Names a settings module or `app.conf` stores an options dict under (Celery's lower-case
# settings, the old upper-case ones, and Django's CELERY_ namespace).
OPTION_DICT_STORES: Dict[str, OptionDict] = {
    name: option for option in DB_OPTION_DICTS if option.client == "Celery/kombu"
    and option.keyword != "ssl"
    for name in (option.keyword, option.keyword.upper(), "CELERY_" + option.keyword.upper())}
# websocket-client's options dict kept under its own name (`self.sslopt = {...}` in an
# options object, `sslopt = {...}` before `run_forever(sslopt=sslopt)`)
OPTION_DICT_STORES["sslopt"] = OptionDict("websocket-client", "sslopt", frozenset(),
                                          frozenset(), {"cert_reqs": CERT_NONE_CLASS,
                                                        "check_hostname": FALSY})
# nameko's config key AMQP_SSL: the options dict it hands to kombu's Connection(ssl=...)
OPTION_DICT_STORES["AMQP_SSL"] = OptionDict("nameko/kombu", "AMQP_SSL", frozenset(),
                                            frozenset(), _CELERY_ENTRIES)


def option_name_is(given: str, name: str) -> bool:
    """A connection-string option's name: pymongo reads them in any case."""
    return given == name or given.lower() == name.lower()


def connection_options(text: str) -> Iterator[Tuple[str, str]]:
    """(name, value) of the options of a URL's query (`rediss://h/0?ssl_cert_reqs=none`) or of
    a libpq key/value DSN (`host=h sslmode='require'`)."""
    if "://" in text:
        _, _, query = text.partition("?")
        yield from parse_qsl(query.split("#", 1)[0], keep_blank_values=True)
        return
    for match in _DSN_PAIR.finditer(text):
        value = match.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("\\'", "'")
        yield match.group(1), value


_DSN_PAIR = re.compile(r"([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")


# libpq's connection keywords that name the server or database: a key/value string holding
# one of them, and nothing but `key=value` pairs, is a whole conninfo.
_LIBPQ_TARGETS = frozenset({"host", "hostaddr", "dbname", "service"})
_LIBPQ_SCHEMES = ("postgres://", "postgresql://")
_DSN_VALUE = r"\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S*)"
_DSN_WORDS = re.compile(rf"\s*[A-Za-z_]+{_DSN_VALUE}(?:\s+[A-Za-z_]+{_DSN_VALUE})*\s*")


def is_libpq_conninfo(text: str) -> bool:
    """A whole libpq connection string, whatever name holds it: a `postgresql://` URL, or
    `key=value` pairs only, one of which names the server or database (pgcli's command line
    takes `"host=h dbname=d sslmode=require"`)."""
    if text.lower().startswith(_LIBPQ_SCHEMES):
        return True
    return _DSN_WORDS.fullmatch(text) is not None and any(
        name in _LIBPQ_TARGETS for name, _ in connection_options(text))


def query_fragment_options(text: str) -> Iterator[Tuple[str, str]]:
    """(name, value) of a query appended to a URL (`"?ssl_cert_reqs=CERT_NONE"`, `"&a=b"`);
    nothing for any other text."""
    if text[:1] in ("?", "&"):
        yield from parse_qsl(text[1:].split("#", 1)[0], keep_blank_values=True)


def text_is(kind: str, text: str) -> bool:
    """Whether a connection string's option text has a value of class `kind`."""
    lowered = text.lower()
    if kind in (FALSY, FALSE_WORD):
        return lowered in FALSE_WORDS
    if kind == TRUTHY:
        return lowered in ("true", "t", "1", "yes", "y", "on")
    if kind in (CERT_NONE_CLASS, NONE_OR_CERT_NONE):
        return lowered in ("none", "cert_none")
    return text in one_of_words(kind)


ENVIRONMENT_GETS = frozenset({"os.getenv", "os.environ.get"})


def template_text(expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
    """A string's text, with each unknown part of an f-string as "{}" (the options of
    `f"rediss://{host}?ssl_cert_reqs=none"` are in its literal parts)."""
    text = values.string_value(expr, scope)
    if text is not None:
        return text
    expr, scope = values.origin(expr, scope)
    if isinstance(expr, cst.FormattedString):
        return "".join(part.value if isinstance(part, cst.FormattedStringText) else "{}"
                       for part in expr.parts)
    # `"rediss://h?ssl_cert_reqs=none&db={}".format(n)`, `"...%s" % n`: the template's text
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and identifier(
            expr.func.attr.value) == "format":
        return values.string_value(expr.func.value, scope)
    # `os.getenv("DATABASE_URL", "postgresql://...?sslmode=require")`: the default runs
    if isinstance(expr, cst.Call) and scope.qualify(expr.func) in ENVIRONMENT_GETS:
        default = argument(expr, 1, "default")
        return None if default is None else template_text(default.value, scope)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        return values.string_value(expr.left, scope)
    return None

# Options dicts: keyword -> (client, the calls it is an option of). The entries that turn
# verification off inside them are OPTION_DICT_ENTRIES.
OPTION_DICTS = {
    "ssl_options": ("tornado", frozenset({"tornado."}),
                    frozenset({"fetch", "connect", "start_tls", "SSLIOStream", "HTTPRequest"})),
    "defaults": ("tornado", frozenset({"tornado.httpclient.AsyncHTTPClient",
                                       "tornado.httpclient.AsyncHTTPClient.configure",
                                       "tornado.httpclient.HTTPClient"}), frozenset()),
    "sslopt": ("websocket-client", frozenset({"websocket."}),
               frozenset({"run_forever", "connect", "create_connection", "WebSocket",
                          "WebSocketApp"})),
    # paho's helpers take tls_set()'s arguments as a dict (its `insecure` is a wrapper flag)
    "tls": ("paho-mqtt", frozenset({"paho.mqtt.publish.single", "paho.mqtt.publish.multiple",
                                    "paho.mqtt.subscribe.simple",
                                    "paho.mqtt.subscribe.callback"}), frozenset()),
}
OPTION_DICT_ENTRIES = {"cert_reqs": "cert-none", "check_hostname": "falsy",
                       "validate_cert": "falsy"}

# pycurl: `setopt(pycurl.SSL_VERIFYPEER, 0)`; curl_cffi's Curl takes the same options as
# `CurlOpt.SSL_VERIFYPEER`.
PYCURL_OPTIONS = frozenset({"SSL_VERIFYPEER", "SSL_VERIFYHOST", "PROXY_SSL_VERIFYPEER",
                            "PROXY_SSL_VERIFYHOST"})
CURL_OPTION_OWNERS = ("pycurl", "curl_cffi.CurlOpt", "curl_cffi.const.CurlOpt")


def is_curl_option(option: cst.BaseExpression, names: Container[str], scope: Scope) -> bool:
    """`pycurl.NAME`, `CurlOpt.NAME` (curl_cffi) or `c.NAME` (a Curl object's own copy) for
    one of these option names."""
    if not isinstance(option, cst.Attribute) or identifier(option.attr.value) not in names:
        return False
    qualified = scope.qualify(option)
    return qualified is None or qualified.rsplit(".", 1)[0] in CURL_OPTION_OWNERS


# -- TLS301: where other clients take the CA bundle's path -------------------------------------
# The value class of a file's contents read from a hardcoded path (`open("/p").read()`).
FILE_READ = "file-read"


@dataclass(frozen=True)
class BundleOption(ClientOption):
    """A client's parameter that takes the CA bundle's path (`value` is shapes.PATH); with
    `folder`, a folder of hashed certificates, which the bundle file cannot replace."""

    folder: bool = False


URLLIB3_WRAP_SOCKET = frozenset({"urllib3.util.ssl_wrap_socket",
                                 "urllib3.util.ssl_.ssl_wrap_socket"})
FAUST_SSL_CREDENTIALS = frozenset({"faust.SSLCredentials", "faust.auth.SSLCredentials"})


def _bundle(client: str, keyword: str, callees: FrozenSet[str],
            methods: FrozenSet[str] = frozenset(), position: Optional[int] = None,
            folder: bool = False) -> BundleOption:
    return BundleOption(client, keyword, PATH, callees, methods, position, folder=folder)


CA_BUNDLE_OPTIONS: Tuple[BundleOption, ...] = (
    _bundle("boto3", "verify", BOTO3_CALLS, BOTO3_METHODS),
    _bundle("PyGithub", "verify", GITHUB_CLIENTS),
    _bundle("keystoneauth", "verify", KEYSTONE_SESSIONS),
    _bundle("hvac", "verify", HVAC_CLIENTS),
    _bundle("botocore", "verify", BOTOCORE_SESSIONS),
    _bundle("clickhouse-driver", "ca_certs", CLICKHOUSE_DRIVER),
    _bundle("docker", "ca_cert", frozenset({"docker.tls.TLSConfig", "docker.TLSConfig",
                                            # Airflow's Docker hook builds the TLSConfig
                                            "airflow.providers.docker.hooks.docker.DockerHook"
                                            ".construct_tls_config"})),
    _bundle("Elasticsearch/OpenSearch", "ca_certs", SEARCH_CLIENTS),
    _bundle("tornado", "ca_certs", frozenset({"tornado."}), frozenset({"fetch"})),
    # only tls_set: other paho calls' first argument is a topic or a host
    _bundle("paho-mqtt", "ca_certs", frozenset({"paho.mqtt.client.Client.tls_set"}),
            frozenset({"tls_set"}), position=0),
    _bundle("ldap3", "ca_certs_file", LDAP3_TLS, position=5),
    _bundle("ldap3", "ca_certs_path", LDAP3_TLS, position=7, folder=True),
    _bundle("httplib2", "ca_certs", frozenset({"httplib2.Http"})),
    # grpc takes the bundle's bytes: `ssl_channel_credentials(open("/path", "rb").read())`
    BundleOption("grpc", "root_certificates", FILE_READ,
                 frozenset({"grpc.ssl_channel_credentials"}), position=0),
    # the database and queue clients
    _bundle("redis-py", "ssl_ca_certs", REDIS),
    _bundle("redis-py", "ssl_ca_path", REDIS, folder=True),
    _bundle("pymongo", "tlsCAFile", MONGO),
    _bundle("pymongo", "ssl_ca_certs", MONGO),
    _bundle("kafka-python", "ssl_cafile", KAFKA_PYTHON),
    _bundle("psycopg", "sslrootcert", POSTGRES),
    _bundle("MySQL Connector/Python", "ssl_ca", MYSQL_CONNECTOR),
    _bundle("PyMySQL", "ssl_ca", PYMYSQL),
    # prefect-redis hands its keywords to redis-py
    _bundle("prefect-redis", "ssl_ca_certs", frozenset({"prefect_redis."})),
    _bundle("urllib3", "ca_certs", URLLIB3_WRAP_SOCKET),
    _bundle("urllib3", "ca_cert_dir", URLLIB3_WRAP_SOCKET, folder=True),
    _bundle("faust", "cafile", FAUST_SSL_CREDENTIALS),
    _bundle("faust", "capath", FAUST_SSL_CREDENTIALS, folder=True),
    _bundle("etcd3", "ca_cert", frozenset({"etcd3.client", "etcd3.Etcd3Client",
                                           "etcd3.client.Etcd3Client"})),
    _bundle("influxdb-client", "ssl_ca_cert", frozenset({"influxdb_client.InfluxDBClient",
                                                         "influxdb_client.client.influxdb_client"
                                                         ".InfluxDBClient"})),
)
# Entries of the options dicts above (OPTION_DICTS) that hold a bundle (True: a folder).
OPTION_DICT_BUNDLES = {"ca_certs": False, "ca_cert_path": True}
# The options dicts of DB_OPTION_DICTS that hand their entries to the stdlib's wrap_socket,
# `ca_certs` included: kombu's Connection(ssl={...}), Celery's broker_use_ssl.
SSL_DICT_BUNDLE_CLIENTS = frozenset({"Celery/kombu", "nameko/kombu"})


@dataclass(frozen=True)
class BundleDict:
    """A client's options dict whose `entries` take the CA bundle's path (True: a folder)."""

    client: str
    keyword: str
    callees: FrozenSet[str]
    entries: Dict[str, bool]
    nested: bool = False  # the entries are in the dict's values, one dict per name


BUNDLE_DICTS: Tuple[BundleDict, ...] = (
    # aio-pika's SSLOptions: `connect(url, ssl_options={"cafile": ...})`, also make_url's
    BundleDict("aio-pika", "ssl_options", frozenset({
        "aio_pika.connect", "aio_pika.connect_robust", "aio_pika.connection.connect",
        "aio_pika.robust_connection.connect_robust", "aio_pika.connection.make_url",
        "aio_pika.Connection", "aio_pika.RobustConnection", "aio_pika.connection.Connection",
        "aio_pika.robust_connection.RobustConnection"}), {"cafile": False, "capath": True}),
    # pymongo's client-side encryption: each KMS provider's TLS options,
    # `kms_tls_options={"kmip": {"tlsCAFile": "/path"}}`
    BundleDict("pymongo", "kms_tls_options", frozenset({
        "pymongo.encryption_options.AutoEncryptionOpts", "pymongo.encryption.ClientEncryption",
        "pymongo.synchronous.encryption.ClientEncryption",
        "pymongo.asynchronous.encryption.AsyncClientEncryption"}), {"tlsCAFile": False},
        nested=True),
)
# curl options that take the bundle (True: a folder): `setopt(pycurl.CAINFO, "/path")`.
CURL_BUNDLE_OPTIONS = {"CAINFO": False, "PROXY_CAINFO": False, "CAPATH": True,
                       "PROXY_CAPATH": True}
_READERS = frozenset({"read", "read_bytes", "read_text"})
_PATHS = ("pathlib.Path", "pathlib.PurePath")


def file_read(expr: cst.BaseExpression, scope: Scope) -> Optional[cst.BaseExpression]:
    """The path a file's contents are read from: `open(path, ...).read()`,
    `Path(path).read_bytes()`, or `f.read()` inside `with open(path, ...) as f:` (also
    through a name bound once to such a read); else None."""
    expr, scope = values.origin(expr, scope)
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
            and identifier(expr.func.attr.value) in _READERS):
        return None
    source = expr.func.value
    if isinstance(source, cst.Name):
        return _opened_as(identifier(source.value), scope)
    if not isinstance(source, cst.Call):
        return None
    if scope.qualify(source.func) in _PATHS:  # Path(path).read_bytes()
        path = positional(source, 0)
        return path.value if path is not None else None
    return _opened_path(source, scope)


def _opened_path(call: cst.Call, scope: Scope) -> Optional[cst.BaseExpression]:
    """The path of `open(path, ...)`, `io.open(path)` or `Path(path).open(...)`."""
    func = call.func
    if isinstance(func, cst.Attribute) and identifier(func.attr.value) == "open" and (
            isinstance(func.value, cst.Call) and scope.qualify(func.value.func) in _PATHS):
        call = func.value
    elif not ((isinstance(func, cst.Name) and identifier(func.value) == "open"
               and scope.lookup("open") is None) or scope.qualify(func) == "io.open"):
        return None
    path = positional(call, 0)
    return path.value if path is not None else None


def _opened_as(name: str, scope: Scope) -> Optional[cst.BaseExpression]:
    """The path of the file a `with open(path) as name:` of the scope binding `name` opens,
    when that is its only binding."""
    from corptls_lint.analysis.cst_walk import children

    binding = scope.lookup(name)
    if binding is None or binding.count != 1 or binding.value is not None or (
            binding.qualified is not None):
        return None
    stack: List[cst.CSTNode] = [binding.scope.node]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.With):
            for item in node.items:
                if (item.asname is not None and isinstance(item.asname.name, cst.Name)
                        and identifier(item.asname.name.value) == name
                        and isinstance(item.item, cst.Call)):
                    return _opened_path(item.item, binding.scope)
        if node is binding.scope.node or not isinstance(
                node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(children(node))
    return None

# Wrapper flags (`insecure-keywords`): a keyword any wrapper may take. "NAME" is insecure when
# falsy, "NAME=true" when truthy. Not salt's `skip_verify`, which is about file hashes.
DEFAULT_INSECURE_KEYWORDS = ("verify_ssl", "ssl_verify", "validate_certs", "verify_certs",
                             "verify_certificates", "insecure=true", "skip_tls_verify=true")


def parse_insecure_keyword(entry: str) -> Tuple[str, str]:
    """("verify_ssl", "falsy") for "verify_ssl", ("insecure", TRUTHY) for "insecure=true"."""
    name, _, value = entry.partition("=")
    return identifier(name.strip()), TRUTHY if value.strip().lower() == "true" else "falsy"


def insecure_keywords(entries: Iterable[str] = DEFAULT_INSECURE_KEYWORDS) -> Dict[str, str]:
    return dict(parse_insecure_keyword(entry) for entry in entries)


def value_is(kind: str, expr: cst.BaseExpression, scope: Scope) -> bool:
    """Whether `expr` has a value of class `kind` (falsy, truthy, cert-none)."""
    if kind == "falsy":
        return values.is_falsy(expr, scope)
    if kind == TRUTHY:
        value = values.literal(expr, scope)
        return value is True or (type(value) is int and value != 0)
    if kind == "cert-none":
        return is_cert_none(expr, scope)
    if kind == NONE_OR_CERT_NONE:
        return is_cert_none(expr, scope) or values.literal(expr, scope) is None or (
            values.string_value(expr, scope) == "none")
    if kind == FALSE_WORD:
        text = values.string_value(expr, scope)
        return values.is_falsy(expr, scope) or (text is not None
                                                 and text.lower() in FALSE_WORDS)
    if kind == PATH:
        return values.is_hardcoded_path(expr, scope)
    if kind == FILE_READ:
        path = file_read(expr, scope)
        return path is not None and values.is_hardcoded_path(path, scope)
    words = one_of_words(kind)
    if words:
        return values.string_value(expr, scope) in words
    raise ValueError(f"unknown value class {kind!r}")


# -- TLS106: stdlib protocol clients, which do not verify without a context ------------------
# constructor -> (its context keyword, that keyword's position before Python 3.12)
STDLIB_TLS_CLIENTS = {
    "smtplib.SMTP_SSL": ("context", 7),
    "imaplib.IMAP4_SSL": ("ssl_context", 4),
    "poplib.POP3_SSL": ("context", 5),
    "ftplib.FTP_TLS": ("context", 6),
    "nntplib.NNTP_SSL": ("ssl_context", 4),
}
# method -> (the modules whose objects have it, its context keywords)
STDLIB_TLS_UPGRADES = {
    "starttls": (("smtplib", "imaplib"), ("context", "ssl_context")),
    "stls": (("poplib",), ("context",)),
}


def imports_module(scope: Optional[Scope], roots: Collection[str]) -> bool:
    """Whether the module (or an enclosing scope) imports one of these top-level modules."""
    while scope is not None:
        for binding in scope.names.values():
            if binding.qualified is not None and binding.qualified.split(".", 1)[0] in roots:
                return True
        scope = scope.parent
    return False


# Default flags whose word also means other things (Django's static `serve(insecure=True)`
# serves files without DEBUG, an OpenTelemetry exporter's `insecure` means plaintext gRPC):
# reported only in a module that imports a TLS client (below), and never on a call that
# resolves to one of NOT_TLS_INSECURE. A configured `insecure-keywords` list is not narrowed.
AMBIGUOUS_DEFAULT_FLAGS = frozenset({"insecure"})
# Top-level modules of the TLS clients: the catalogue's own, and the OpenStack clients and
# SDKs, whose `insecure=True` is their verification switch.
OPENSTACK_CLIENTS = frozenset({
    "keystoneauth1", "keystoneclient", "openstack", "osc_lib", "novaclient", "cinderclient",
    "glanceclient", "neutronclient", "swiftclient", "heatclient", "ironicclient",
    "manilaclient", "octaviaclient", "designateclient", "magnumclient", "troveclient",
    "barbicanclient", "gnocchiclient", "aodhclient", "zunclient", "senlinclient"})
TLS_CLIENT_ROOTS = frozenset(
    {root for name in (*VERIFY_TAKERS, *SESSION_CONSTRUCTORS, *URLLIB3_POOLS,
                       *AIOHTTP_SSL_TAKERS, *STDLIB_TLS_CLIENTS, SSL_CONTEXT)
     for root in import_roots(name)}
    | {root for option in CLIENT_OPTIONS for name in option.callees
       for root in import_roots(name.rstrip("."))}
    | {root for _, callees, _ in OPTION_DICTS.values() for name in callees
       for root in import_roots(name.rstrip("."))}
    | {"OpenSSL", "pycurl", "botocore"} | OPENSTACK_CLIENTS) - {"http"}  # http.server too
# APIs whose `insecure` is not about certificates (a name ending in "." is a package prefix).
NOT_TLS_INSECURE = ("django.contrib.staticfiles.views.serve", "opentelemetry.exporter.")


def flag_is_tls(name: str, scope: Scope, qualified_callee: Optional[str] = None) -> bool:
    """Whether the default flag `name`, used here (on a call to `qualified_callee`), can be a
    TLS switch: always, unless the word is ambiguous (AMBIGUOUS_DEFAULT_FLAGS)."""
    if name not in AMBIGUOUS_DEFAULT_FLAGS:
        return True
    if qualified_callee is not None and any(
            qualified_callee == api or (api.endswith(".") and qualified_callee.startswith(api))
            for api in NOT_TLS_INSECURE):
        return False
    return imports_module(scope, TLS_CLIENT_ROOTS)


# -- TLS5xx: weak protocol versions (bandit B502-B504, ruff S502-S504) ---------------------------
WEAK_PROTOCOLS = frozenset(
    {f"ssl.PROTOCOL_{v}" for v in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")}
    # not SSLv23_METHOD: OpenSSL's negotiating method, as PROTOCOL_TLS (TLS501's docstring)
    | {f"OpenSSL.SSL.{v}_METHOD" for v in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")})
# `minimum_version` values below TLS 1.2.
WEAK_MINIMUM_VERSIONS = frozenset(
    f"ssl.TLSVersion.{v}" for v in ("MINIMUM_SUPPORTED", "SSLv3", "TLSv1", "TLSv1_1"))


def sink_name(call: cst.Call, qualified: Optional[str]) -> str:
    from corptls_lint.analysis.scopes import dotted_name

    return qualified or dotted_name(call.func) or (callee_name(call) or "a call")


def names_one_of(func: cst.BaseExpression, scope: Scope, names: Collection[str],
                 depth: int = 0) -> bool:
    """Whether a callee is one of these canonical names, also through a variable bound to
    one of them (`pool_class = urllib3.HTTPSConnectionPool` ... `pool_class(**kw)`)."""
    if scope.qualify(func) in names:
        return True
    if depth > 2 or not isinstance(func, cst.Name):
        return False
    binding = scope.lookup(func.value)
    if binding is None or binding.value is None:  # a def, a class, an import, a parameter
        return False
    if binding.count == 1:
        return names_one_of(binding.value, binding.scope, names, depth + 1)
    name = identifier(func.value)
    uses = body_uses(binding.scope, name)
    return any(names_one_of(value, binding.scope, names, depth + 1)
               for value in uses.bound.get(name, ()))
