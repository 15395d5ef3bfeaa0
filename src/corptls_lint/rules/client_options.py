from __future__ import annotations

import functools
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients, ldap3_defaults, opt_outs, travel, values
from corptls_lint.analysis.scopes import Scope, import_roots
from corptls_lint.ftypes import Applicability, Settings, identifier
from corptls_lint.rules import origin_fixes
from corptls_lint.rules.base import OFF, ClientUse, FileContext, FixRequest, Invalid, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import (CERT_NONE, FALSE_WORD, FALSY, NONE, NONE_OR_CERT_NONE,
                                         TRUTHY, AnyNameStore, Appended, Argument, AttributeStore,
                                         CallTo, Candidate, FunctionNamed, KeyedStore, KeywordArg,
                                         NameStore, OptionsPassed, ParamDefault, Travel, holding,
                                         one_of_words, query)

_INSECURE = clients.insecure_keywords()
_FALSY_FLAGS = tuple(sorted(name for name, kind in _INSECURE.items() if kind == FALSY))
_TRUTHY_FLAGS = tuple(sorted(name for name, kind in _INSECURE.items() if kind == TRUTHY))
# Options whose value may be a CA bundle path, so the configured bundle is a fix.
_BUNDLE_CLIENTS = frozenset({"boto3", "PyGithub", "keystoneauth", "hvac", "PyMISP", "botocore"})
_TABLE_KEYWORDS = {(option.keyword, option.value) for option in clients.CLIENT_OPTIONS
                   if option.keyword != "value"}


# The database and queue clients' option words and their value classes: the table's
# keywords, the keys reported in any dict, the entries of their options dicts.
_DB_WORDS: Dict[str, Set[str]] = {}
for _name, _kind in [*((option.keyword, option.value) for option in clients.DB_CLIENT_OPTIONS),
                     *((key, kind) for key, (_, kind) in clients.DICT_KEY_OPTIONS.items()),
                     *((key, kind) for key, (_, kind) in clients.SETTING_OPTIONS.items()),
                     *((key, kind) for option in clients.DB_OPTION_DICTS
                       for key, kind in option.entries.items())]:
    _DB_WORDS.setdefault(_kind, set()).add(_name)

# Clients whose module name is itself a trigger word (their defaults are findings with no
# keyword at all): their keywords need no search of their own.
_IMPORT_WORDS = frozenset({"ldap3"})


def _needs_word(option: clients.ClientOption) -> bool:
    return bool(option.methods) or not all(
        root in _IMPORT_WORDS for name in option.callees for root in import_roots(name))


# Every keyword the rule looks at: the table's, the options dicts' entries, the wrapper flags.
_KEYWORD_WORDS = frozenset({option.keyword for option in clients.CLIENT_OPTIONS
                            if option.keyword != "value" and _needs_word(option)}
                           | set(clients.OPTION_DICT_ENTRIES) | set(_INSECURE)
                           | {name for names in _DB_WORDS.values() for name in names})


# Keywords for which `=True` or `=None` may be the insecure value (wrapper flags such as
# insecure=True, redis-py's ssl_cert_reqs=None); for the others the byte screen skips
# `word=True` and `word=None`.
def _true_or_none_may_be_insecure(kind: str) -> bool:
    return kind in (TRUTHY, NONE_OR_CERT_NONE)


_TRUE_MAY_BE_INSECURE = frozenset(
    {name for name, kind in _TABLE_KEYWORDS if _true_or_none_may_be_insecure(kind)}
    | {name for name, kind in clients.OPTION_DICT_ENTRIES.items()
       if _true_or_none_may_be_insecure(kind)}
    | {name for name, kind in _INSECURE.items() if _true_or_none_may_be_insecure(kind)}
    | {name for kind, names in _DB_WORDS.items() if _true_or_none_may_be_insecure(kind)
       for name in names})


def _db_candidates() -> Tuple[Candidate, ...]:
    """The database and queue clients' shapes: each option word passed as a keyword or held
    by a dict with a value of its class, a key of DICT_KEY_OPTIONS stored into a dict, and the
    calls that take a connection string."""
    shapes: List[Candidate] = [KeywordArg(tuple(sorted(names)), kind)
                               for kind, names in sorted(_DB_WORDS.items())]
    keys: Dict[str, List[str]] = {}
    for key, (_, kind) in clients.DICT_KEY_OPTIONS.items():
        keys.setdefault(kind, []).append(key)
    shapes.extend(KeyedStore(tuple(sorted(names)), kind) for kind, names in sorted(keys.items()))
    shapes.append(CONNECTION_STRING_CALLS)
    # a rediss:// URL given to any from_url (clients.REDIS_URL_CALLEES), imports or not
    shapes.append(CallTo(tuple(sorted(clients.REDIS_URL_CALLEES)),
                         argument=Argument(0, ("url",), _HOLDING)))
    for kind in sorted({kind for _, kind in clients.SETTING_OPTIONS.values()}):
        names = tuple(sorted(name for name, (_, of) in clients.SETTING_OPTIONS.items()
                             if of == kind))
        shapes.extend((NameStore(names, kind), KeyedStore(names, kind)))
    settings = tuple(sorted(clients.STRING_SETTINGS))
    shapes.extend((NameStore(settings, _HOLDING), AttributeStore(settings, _HOLDING),
                   KeyedStore(settings, _HOLDING), KeywordArg(settings, _HOLDING),
                   Appended(query(*clients.DICT_KEY_OPTIONS))))
    return tuple(shapes)


# A connection string that may set one of the options.
_HOLDING = holding(*clients.DICT_KEY_OPTIONS)
# The calls that take a connection string; its option words are inside the string.
_TAKERS = {name for taker in clients.CONNECTION_STRINGS for name in taker.callees}
CONNECTION_STRING_CALLS = CallTo(
    tuple(sorted({name.rsplit(".", 1)[-1] for name in _TAKERS if not name.endswith(".")}
                 | {"ConnectionPool", "AsyncConnectionPool", "NullConnectionPool"})),
    tuple(sorted({root for name in _TAKERS for root in import_roots(name.rstrip("."))})),
    # the string must be one that sets an option (a call without one cannot report)
    argument=Argument(0, tuple(sorted({taker.keyword for taker in clients.CONNECTION_STRINGS})),
                      _HOLDING))


def _keywords_of(kind: str) -> Tuple[str, ...]:
    return tuple(sorted({name for name, value in _TABLE_KEYWORDS if value == kind}
                        | ({*clients.OPTION_DICT_ENTRIES} if kind == FALSY else set())))


def _shown(name: str, kind: str, key: bool = False) -> str:
    """`name=value` (a dict's `"name": value` with `key`) for each insecure value of a class."""
    literals = {FALSY: ("False",), TRUTHY: ("True",), CERT_NONE: ("ssl.CERT_NONE",),
                NONE_OR_CERT_NONE: ("None", '"none"', "ssl.CERT_NONE"),
                FALSE_WORD: ("False", '"false"')}.get(kind)
    if literals is None:
        literals = tuple(f'"{word}"' for word in one_of_words(kind))
    written = f'"{name}": ' if key else f"{name}="
    return " / ".join(f"`{written}{value}`" for value in literals)


def _shown_in_string(name: str, kind: str) -> str:
    """`name=value` as a connection string spells each insecure value."""
    words = {FALSY: ("false",), FALSE_WORD: ("false",), TRUTHY: ("true",),
             CERT_NONE: ("none",), NONE_OR_CERT_NONE: ("none",)}.get(kind) or one_of_words(kind)
    return " / ".join(f"`{name}={word}`" for word in words)


def _inventory() -> Tuple[ClientUse, ...]:
    """docs/clients.md's rows for this rule, from the tables it reads."""
    rows = []
    shown = {FALSY: "False", TRUTHY: "True", CERT_NONE: "ssl.CERT_NONE"}
    for option in clients.CLIENT_OPTIONS:
        where = ", ".join(f"`{name}*`" if name.endswith(".") else f"`{name}`"
                          for name in sorted(option.callees))
        fix = ("`<ca-bundle>`" if option.client in _BUNDLE_CLIENTS
               else "`validate_cert=True, ca_certs=<ca-bundle>`" if option.client == "tornado"
               else "the keyword is removed (unsafe)"
               if option.keyword == "ssl_assert_hostname"
               else f"`{option.keyword}={option.secure}, {option.bundle_keyword}=<ca-bundle>`"
               if option.secure is not None else "none")
        methods = ", ".join(f"`.{method}()`" for method in sorted(option.methods))
        shape = (f"{_shown(option.keyword, option.value)} on {where}"
                 + (f" or {methods}" if methods else "")
                 if option.keyword != "value" else f"{methods} with `{shown[option.value]}`")
        rows.append(ClientUse(option.client, shape, OFF, fix))
    for keyword, (client, _, _) in clients.OPTION_DICTS.items():
        entries = ", ".join(f"`{key}`" for key in sorted(clients.OPTION_DICT_ENTRIES))
        rows.append(ClientUse(client, f"`{keyword}={{...}}` holding {entries}", OFF,
                              "the entries become `\"ca_certs\": <ca-bundle>`"))
    rows.extend(_db_inventory())
    rows.append(ClientUse("zeep", "`AsyncTransport(verify_ssl=False)` (the wrapper flag "
                                  "below); `Transport(session=s)` takes `s.verify` (TLS102)",
                          OFF, "`verify_ssl=True` (unsafe)"))
    rows.append(ClientUse("ldap3", "`Tls(...)` without `validate=` (its default is "
                                   "`ssl.CERT_NONE`); `Server(host, use_ssl=True)` or "
                                   "`Server(\"ldaps://...\")` without `tls=`; "
                                   "`conn.start_tls()` or `auto_bind=AUTO_BIND_TLS_BEFORE_BIND` "
                                   "on a Server without `tls=`", OFF, "none"))
    rows.append(ClientUse("pycurl, curl_cffi", ", ".join(
        f"`setopt({name}, 0)`" for name in sorted(clients.PYCURL_OPTIONS))
        + " (`pycurl.NAME` or curl_cffi's `CurlOpt.NAME`)", OFF, "none"))
    flags = ", ".join(f"`{name}={shown[kind]}`" for name, kind in sorted(_INSECURE.items()))
    rows.append(ClientUse("wrappers (Ansible, kubernetes, OpenStack, ...)", flags, OFF,
                          "the secure literal (unsafe)"))
    return tuple(rows)


def _callees(names: FrozenSet[str]) -> str:
    return ", ".join(f"`{name}*`" if name.endswith(".") else f"`{name}`" for name in sorted(names))


def _db_inventory() -> Iterator[ClientUse]:
    """The rows of the database and queue clients' dicts and connection strings."""
    keys: Dict[str, List[str]] = {}
    for key, (client, kind) in clients.DICT_KEY_OPTIONS.items():
        keys.setdefault(client, []).append(_shown(key, kind, key=True))
    for client, shown in keys.items():
        yield ClientUse(client, f"{', '.join(shown)} in any dict (settings, `**{{...}}`, "
                                "`dict(...)`, `conf[key] = ...`)", OFF, "none")
    for taker in clients.CONNECTION_STRINGS:
        words = sorted({_shown_in_string(key, kind) for key, (client, kind)
                        in clients.DICT_KEY_OPTIONS.items() if client in taker.option_clients})
        yield ClientUse(taker.client, f"a URL or DSN holding {', '.join(words)} passed to "
                                      f"{_callees(taker.callees)}", OFF, "none")
    settings: Dict[Tuple[str, Tuple[str, ...]], List[str]] = {}
    for name, setting in clients.STRING_SETTINGS.items():
        settings.setdefault(setting, []).append(f"`{name}`")
    for (client, reads), names in settings.items():
        words = sorted({_shown_in_string(key, kind) for key, (owner, kind)
                        in clients.DICT_KEY_OPTIONS.items() if owner in reads})
        yield ClientUse(client, f"a URL holding {', '.join(words)} stored as "
                                f"{', '.join(names)}", OFF, "none")
    for option in clients.DB_OPTION_DICTS:
        entries = ", ".join(_shown(key, kind, key=True)
                            for key, kind in sorted(option.entries.items()))
        stores = sorted(name for name, stored in clients.OPTION_DICT_STORES.items()
                        if stored is option)
        also = f", or stored as {', '.join(f'`{name}`' for name in stores)}" if stores else ""
        yield ClientUse(option.client, f"`{option.keyword}={{...}}` holding {entries} on "
                                       f"{_callees(option.callees)}{also}", OFF, "none")
    for name, stored in sorted(clients.OPTION_DICT_STORES.items()):
        if stored not in clients.DB_OPTION_DICTS:  # a stored name only (AMQP_SSL, sslopt)
            entries = ", ".join(_shown(key, kind, key=True)
                                for key, kind in sorted(stored.entries.items()))
            yield ClientUse(stored.client, f"a dict holding {entries} stored as `{name}` (a "
                                           f"name, attribute, item `[\"{name}\"]` or a "
                                           "dict's entry)", OFF, "none")


class ClientOptionDisabled(Rule):
    """
    ## What it does
    Finds verification turned off through another client's own options, under any import
    alias:

    - boto3 / botocore: `verify=False` on `boto3.client(...)`, `boto3.resource(...)`, or the
      `client` / `resource` / `create_client` method of a session;
    - PyGithub: `Github(verify=False)`; PyMISP: `PyMISP(url, key, ssl=False)`, also by
      position (`PyMISP(url, key, False)`; its `ssl` is requests' `verify`); keystoneauth:
      `session.Session(verify=False)`;
    - Elasticsearch / OpenSearch clients and connection classes: `ssl_assert_hostname=False`
      (their `verify_certs=False` is a wrapper flag, below);
    - tornado: `validate_cert=False` on `HTTPRequest`, a `fetch(...)` method or any tornado
      call, and `validate_cert=False` / `cert_reqs=ssl.CERT_NONE` / `check_hostname=False`
      inside `defaults=` of `AsyncHTTPClient` or `ssl_options=` of a client call (`fetch`,
      `SSLIOStream`, `TCPClient.connect`; not a server's `ssl_options`);
    - websocket-client: `sslopt={"cert_reqs": ssl.CERT_NONE}` or `"check_hostname": False` on
      `create_connection`, `WebSocket`, `WebSocketApp`, `run_forever`, `connect` (also through
      a test's `self.assertRaises(E, app.run_forever, sslopt={...})` or `pytest.raises(E, f,
      ...)`, which make that call), or stored as `sslopt` (`self.sslopt = {...}` in an
      options object);
    - paho-mqtt: `tls_set(cert_reqs=ssl.CERT_NONE)` and `tls_insecure_set(True)`, and
      `"cert_reqs": ssl.CERT_NONE` in the `tls={...}` dict of `publish.single`,
      `publish.multiple`, `subscribe.simple`, `subscribe.callback` (its `"insecure": True`
      is the wrapper flag `insecure`);
    - hvac: `hvac.Client(verify=False)`;
    - ldap3: `Tls(validate=ssl.CERT_NONE)`, and `Tls(...)` without `validate=` (by keyword or
      third argument): ldap3's default is `ssl.CERT_NONE`, and its `wrap_socket` sets the
      context's `verify_mode` to it, so such a Tls verifies nothing. Also
      `Server(host, use_ssl=True)` or `Server("ldaps://...")` without `tls=` (or with
      `tls=None`), or `Connection("ldaps://...")`: ldap3 then makes that default `Tls()`.
      `Server(host)` without SSL is not reported (plain LDAP is not a certificate question)
      unless a connection starts TLS on it: `Connection(server,
      auto_bind=AUTO_BIND_TLS_BEFORE_BIND)` (or `_AFTER_BIND`), or `conn.start_tls()` on
      `conn = Connection(server, ...)`, the server a name bound once to such a `Server(...)`
      (or a host string). A call with `**options` is not read;
    - pycurl: `setopt(pycurl.SSL_VERIFYPEER, 0)` and `SSL_VERIFYHOST` (also the proxy pair),
      and the same options of curl_cffi's `Curl` (`c.setopt(CurlOpt.SSL_VERIFYPEER, 0)`);
    - `http.client.HTTPSConnection(check_hostname=False)`;
    - redis-py (also `redis.asyncio`, aioredis): `ssl_cert_reqs=None` (redis-py reads None as
      `CERT_NONE`), `"none"` or `ssl.CERT_NONE`, and `ssl_check_hostname=False`, on any redis
      call (`Redis`, `StrictRedis`, `from_url`, `ConnectionPool`, `SSLConnection`,
      `RedisCluster`, `Sentinel`), and `?ssl_cert_reqs=none` in a URL passed to `from_url`
      (a connection string counts with its literal text: a name bound once to it, reported
      where the string is written, an f-string's fixed parts, a `"...{}".format(...)` or
      `"...%s" % ...` template);
    - pymongo, motor and mongoengine: `tlsAllowInvalidCertificates=True`, `tlsInsecure=True`,
      `tlsAllowInvalidHostnames=True` and pymongo 3's `ssl_cert_reqs=ssl.CERT_NONE` /
      `ssl_match_hostname=False` on `MongoClient`, `AsyncMongoClient`, `AsyncIOMotorClient`,
      `mongoengine.connect`, and the same options in a `mongodb://` URI
      (`?tlsAllowInvalidCertificates=true`, pymongo 3's `?ssl_cert_reqs=CERT_NONE`) given to
      those or to Flask-PyMongo's `PyMongo(app, uri)`;
    - kafka-python: `ssl_check_hostname=False` on `KafkaProducer`, `KafkaConsumer`,
      `KafkaAdminClient`, `KafkaClient`; confluent-kafka: `"enable.ssl.certificate.verification":
      False` (or `"false"`) and `"ssl.endpoint.identification.algorithm": "none"` in a config
      dict;
    - psycopg / psycopg2 / psycopg_pool (libpq): `sslmode=` `"allow"`, `"prefer"`, `"require"`
      or `"verify-ca"` (only `"verify-full"` checks the server's name), as a keyword, in a DSN
      (`"host=db sslmode=require"`, `postgresql://db/app?sslmode=require`) passed to
      `psycopg2.connect`, `psycopg.connect`, `AsyncConnection.connect`, a pool or SQLAlchemy's
      `create_engine`, or as a dict's `"sslmode"` (`connect_args={"sslmode": "require"}`,
      Django's `DATABASES` `OPTIONS`); asyncpg: `ssl="allow"` / `"prefer"` / `"require"` /
      `"verify-ca"` on `asyncpg.connect` and `create_pool`, and `sslmode=` in its DSN, and
      the same words as `ssl=` of a method call no import explains in a file that imports asyncpg
      (a test helper that hands them on: `self.connect(host=h, ssl="prefer")`);
    - MySQL Connector/Python and PyMySQL: `ssl_verify_cert=False`,
      `ssl_verify_identity=False`; PyMySQL's `ssl={"check_hostname": False}` or
      `"verify_mode": False`; mysqlclient (MySQLdb): `ssl_mode="PREFERRED"`, `"REQUIRED"` or
      `"VERIFY_CA"`; pydruid's `ssl_verify_cert=False`;
    - Celery and kombu: `cert_reqs=ssl.CERT_NONE`, `ssl_cert_reqs=...` or `check_hostname=False`
      inside `broker_use_ssl={...}` / `redis_backend_use_ssl={...}` given to `Celery(...)`,
      `app.conf.update(...)`, stored as `app.conf.broker_use_ssl = {...}` or as a settings
      module's `broker_use_ssl`, `BROKER_USE_SSL`, `CELERY_BROKER_USE_SSL` (and the
      `redis_backend_use_ssl` names); kombu `Connection(ssl={"cert_reqs": ssl.CERT_NONE})`;
      nameko's `AMQP_SSL` setting (`config["AMQP_SSL"] = {"cert_reqs": ssl.CERT_NONE}` or a
      config dict's entry), which nameko hands to kombu's `Connection(ssl=...)`;
      a `rediss://` (or `rediss+sentinel://`) URL holding redis-py's options given to a
      `from_url` or `redis_from_url` that no import explains (a local subclass of
      ConnectionPool) or that a package named after redis defines (prefect-redis);
      a `rediss://...?ssl_cert_reqs=CERT_NONE` (or `none`) URL given as `Celery(broker=...,
      backend=...)`, to kombu's `Connection(...)`, or stored as `broker_url`, `BROKER_URL`,
      `CELERY_BROKER_URL`, `result_backend`, `CELERY_RESULT_BACKEND` (a name, attribute, item,
      dict entry or keyword); SQLAlchemy's `SQLALCHEMY_DATABASE_URI` with `?sslmode=require`
      stored the same ways, and a string holding those options stored under a name
      applications give a connection string (`dsn`, `conninfo`, `DATABASE_URL`,
      `POSTGRES_URL`, `REDIS_URL`, `MONGO_URI`, `MONGODB_URI`, in either case) or passed as
      a `dsn=` keyword, reported where the string is written (an `os.getenv(name, default)`
      counts with its default, a name
      bound more than once with each string); and a query appended to any URL that sets one
      of the options below (`url += "?ssl_cert_reqs=CERT_NONE"`);
      pika before 1.0: `ConnectionParameters(ssl_options={"cert_reqs": ssl.CERT_NONE})` (pika's
      `SSLOptions(context)` is the context's, TLS103);
    - keys no other library uses, in any dict, `dict(...)` call or item store
      (`conf["enable.ssl.certificate.verification"] = False`), wherever the dict goes, and as
      a keyword of any call that hands them on (a wrapper, a test helper such as
      `self.simple_client(tlsAllowInvalidCertificates=True)`; there a bare `None` does not
      count, a wrapper may read it as "not given"):
      `ssl_cert_reqs`, `ssl_check_hostname`, `tlsAllowInvalidCertificates`, `tlsInsecure`,
      `tlsAllowInvalidHostnames`, `ssl_match_hostname`, the two confluent-kafka keys,
      `sslmode`, `ssl_mode`, `ssl_verify_cert`, `ssl_verify_identity`, with the values above
      (django-redis' `CONNECTION_POOL_KWARGS`, a config dict built before the call);
    - httplib2: `Http(disable_ssl_certificate_validation=True)`;
    - botocore's and aiobotocore's HTTP sessions: `URLLib3Session(verify=False)`,
      `AIOHTTPSession(verify=False)`, `HttpxSession(verify=False)`;
    - clickhouse-driver: `Client(host, secure=True, verify=False)` (and `connect`), and
      `verify=False` on a method call no import explains in a file that imports clickhouse_driver
      (a test helper: `self.created_client(secure=True, verify=False)`; a verb method's
      `verify=` is TLS101's);
    - Apache Thrift: `TSSLSocket(host, port, cert_reqs=ssl.CERT_NONE)`, and
      `cert_reqs=ssl.CERT_NONE` on a method call no import explains in a file that imports `ssl`
      (a helper that hands it on to the client's socket:
      `self._assert_connection_success(server, cert_reqs=ssl.CERT_NONE)`), unless the callee
      is named like a server (`self._server_socket(...)`: the server's cert_reqs asks for
      client certificates);
    - stripe: `verify_ssl_certs=False` on `StripeClient` and stripe's HTTP clients;
    - fortiosapi: `verify=False` on `FortiOSAPI().login(...)` / `.tokenlogin(...)` (also on an
      instance bound to a name: `fgt = FortiOSAPI()` ... `fgt.login(...)`);
    - HTTP wrappers' options dicts whose `verify` entry is requests' (or httpx's) own, with a
      falsy `verify`: an Airflow `Connection(extra={...})` (also `extra=json.dumps({...})`),
      the Airflow HTTP hook's and operator's `extra_options={...}` (also
      `.run(extra_options=...)`), python-telegram-bot's `HTTPXRequest(httpx_kwargs={...})`,
      openstacksdk's `CloudRegion(name, region, config)` (also by position), jira's
      `JIRA(server, options={...})` (also by position). An options dict
      bound to a name counts with the items stored into it in the same function
      (`config["verify"] = False`), the dicts merged into it (`options.update(cmd)`) and, when
      it is unpacked from a call of a function of the module that returns a tuple
      (`options, auth = get_config()`), that function's element (a few steps deep); one that is a test's parameter counts with the rows of
      its `@pytest.mark.parametrize(...)` (reported in the row), and a fixture's
      `request.param` with the rows of each parametrization that hands them to the fixture
      (`indirect=True` or `indirect=["fixture"]`); one that is a parameter of a function of
      the module (a test helper's `extra`, also in a closure) counts with the dicts its call
      sites pass;
    - a client's settings that turn verification off, under their own names: Scrapy's
      `DOWNLOAD_VERIFY_CERTIFICATES = False` in a settings module, a spider's
      `custom_settings` or any dict display or item store;
    - a keystoneauth (or keystoneclient) auth plugin's connection parameters, which the
      session merges into each request: a falsy `verify` in the dict a subclass's
      `get_connection_params` returns, written there or stored as the `self.x` it returns;
    - wrapper flags, on any call, attribute store (`configuration.verify_ssl = False`, as in
      the kubernetes client), dict display or parameter default
      (`def __init__(self, verify_ssl=False)`): a falsy `verify_ssl`, `ssl_verify`,
      `validate_certs`, `verify_certs`, `verify_certificates` (Scrapy's context factory), or
      a truthy `insecure` or `skip_tls_verify` (OpenStack clients, keystoneauth). Not salt's
      `skip_verify`, which is about file hashes, nor SSH host-key options such as
      `hostkey_verify=False`. aiohttp's `verify_ssl=False` is TLS103.

    Switches that turn TLS off altogether are not reported: libpq `sslmode="disable"`,
    asyncpg `ssl=False` / `"disable"`, MySQL Connector/Python `ssl_disabled=True`, mysqlclient
    `ssl_mode="DISABLED"`. They are not a verification setting (no CA bundle would fix them),
    and a plaintext connection to a local socket or a test database is common and often
    deliberate; requiring TLS is a policy of its own. Neither is `ssl_cert_reqs="optional"`,
    which verifies in a client, nor the absence of an option (asyncpg's and libpq's default
    `prefer`, PyMySQL's `ssl={}` without a CA).

    A parameter whose insecure default reaches one of the options above (`def client(verify=
    False): return boto3.client("s3", verify=verify)`) is reported once, at the default, as
    TLS101 reports a default that reaches `verify=`.

    zeep's `AsyncTransport(verify_ssl=False)` is the wrapper flag `verify_ssl`; its
    `Transport(session=s)` takes the session's own `verify` (TLS102 reports
    `s.verify = False`). suds has no switch of its own: its custom transports build an
    unverified context, which TLS103 reports.

    Not reported: grpc's `("grpc.ssl_target_name_override", name)` channel option. The
    server's chain is still verified against the root certificates; only the name it must
    match changes, to a fixed one, which test suites and gateways in front of the real host
    use. It is not a switch that accepts any certificate.

    `insecure` also means other things (Django's static `serve(request, path, insecure=True)`
    serves files without `DEBUG`; an OpenTelemetry exporter's `insecure` means plaintext gRPC),
    so the default `insecure` flag is reported only in a module (or function) that imports a
    TLS client: requests, httpx, urllib3, aiohttp, `ssl`, pyOpenSSL, pycurl, the stdlib
    protocol clients, the clients above, or an OpenStack client or SDK (keystoneauth1,
    keystoneclient, openstack, novaclient, ...). Never on a call that resolves through the
    imports to `django.contrib.staticfiles.views.serve` or an `opentelemetry.exporter`
    class. A configured `insecure-keywords` list is not narrowed: it reports exactly the
    flags it names.

    ## Why is this bad?
    These options do what `verify=False` does for requests: the client accepts any
    certificate for any host, so whoever sits on the network path can read and change the
    traffic. They are easy to miss in review because each library spells the switch
    differently, one layer below the HTTP call.

    ## Example
    ```python
    import boto3

    s3 = boto3.client("s3", endpoint_url="https://minio.internal", verify=False)
    ```

    ## Use instead
    ```python
    import boto3
    from corp_tls import CA_BUNDLE

    s3 = boto3.client("s3", endpoint_url="https://minio.internal", verify=CA_BUNDLE)
    ```

    ## Fix
    Offered when `ca-bundle` is configured, for the options that accept a CA bundle path
    (boto3, PyGithub, keystoneauth and hvac `verify=`): the value becomes the configured bundle
    expression. Safe; unsafe for an entry of a `**` dict (`kw = dict(verify=False)` ...
    `Github(**kw)`, also reported), which other calls may read. Where the client takes the
    bundle beside the flag, the flag written as a literal in the call (`False`; redis-py's
    `None`, `"none"`, `ssl.CERT_NONE`) becomes the client's own secure form: tornado
    `validate_cert=False` (HTTPRequest, `fetch`) -> `validate_cert=True,
    ca_certs=<ca-bundle>`, Elasticsearch/OpenSearch
    `verify_certs=False` -> `verify_certs=True, ca_certs=<ca-bundle>`, redis-py
    `ssl_cert_reqs=None` (or `"none"`, `ssl.CERT_NONE`) -> `ssl_cert_reqs="required",
    ssl_ca_certs=<ca-bundle>`, pymongo `tlsAllowInvalidCertificates=True` ->
    `tlsAllowInvalidCertificates=False, tlsCAFile=<ca-bundle>`, kafka-python
    `ssl_check_hostname=False` -> `ssl_check_hostname=True, ssl_cafile=<ca-bundle>`. Safe; not
    offered when the call already passes the bundle keyword (or redis-py's `ssl_ca_path` /
    `ssl_ca_data`, pymongo's `tlsInsecure` / `tlsAllowInvalidHostnames`, which pymongo rejects
    beside the pair, kafka-python's `ssl_context`) or has `**kwargs`.
    Any other wrapper flag written as the literal `False` (`True` for `insecure` and
    `skip_tls_verify`), at a call, attribute store, dict entry or parameter default, gets its
    secure value (`verify_ssl=True`); a parameter default that reaches a client's option gets
    the option's fix there (the bundle for boto3's `verify=False`). Unsafe: the wrapper then verifies with its own default
    trust unless it is also given the CA bundle, and the code may switch verification off on
    purpose (a test against a self-signed server). Elasticsearch/OpenSearch
    `ssl_assert_hostname=False` is removed (the default checks the host name); unsafe too.
    An options dict written in the call (websocket-client `sslopt={...}`, tornado
    `ssl_options={...}` and `defaults={...}`) loses its insecure entries (`cert_reqs`,
    `check_hostname`, `validate_cert`) and gets `"ca_certs": <ca-bundle>`, in the dict's own
    layout and quotes: `sslopt={"cert_reqs": ssl.CERT_NONE}` -> `sslopt={"ca_certs":
    CA_BUNDLE}`. Safe; not offered for a dict built elsewhere or with `dict(...)`, with `**`,
    with keys that are not plain strings, or that already holds `ca_certs` or `context`.
    An option value that travels (`verify = False` on a branch, then `boto3.client(...,
    verify=verify)`) gets its fix where it is written: the bundle for the clients that take
    one, the secure literal for the others. Unsafe: the variable may be read elsewhere too.
    The other options have no automatic fix: give the client its CA instead (`ca_certs=`,
    `tls_set(ca_certs=...)`, `pycurl.CAINFO`; `sslmode="verify-full"` with `sslrootcert=`,
    asyncpg `ssl=<ssl-context>`, `"ssl.ca.location"`, `ssl_ca=` with `ssl_verify_identity=True`,
    `ssl_mode="VERIFY_IDENTITY"`). A weaker `sslmode` has no fix because `verify-full` also
    needs the server's name in its certificate, which only the deployment can tell.

    ## Options
    - `ca-bundle`
    - `insecure-keywords`: the wrapper flags, replacing the default list; `"NAME"` is
      insecure when falsy, `"NAME=true"` when truthy (default: `verify_ssl`, `ssl_verify`,
      `validate_certs`, `verify_certs`, `verify_certificates`, `insecure=true`,
      `skip_tls_verify=true`)

    ## References
    - boto3: Configuration, verify, https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html
    - tornado: HTTPRequest validate_cert, https://www.tornadoweb.org/en/stable/httpclient.html
    - websocket-client: sslopt, https://websocket-client.readthedocs.io/en/latest/faq.html
    - redis-py: SSL connections, https://redis.readthedocs.io/en/stable/examples/ssl_connection_examples.html
    - PyMongo: TLS/SSL configuration, https://pymongo.readthedocs.io/en/stable/examples/tls.html
    - kafka-python: KafkaProducer, https://kafka-python.readthedocs.io/en/master/apidoc/KafkaProducer.html
    - librdkafka: configuration properties, https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md
    - PostgreSQL: libpq SSL support, sslmode, https://www.postgresql.org/docs/current/libpq-ssl.html
    - asyncpg: connect, ssl, https://magicstack.github.io/asyncpg/current/api/index.html
    - MySQL Connector/Python: connection arguments, https://dev.mysql.com/doc/connector-python/en/connector-python-connectargs.html
    - Celery: broker_use_ssl, https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-use-ssl
    - ldap3: SSL and TLS, https://ldap3.readthedocs.io/en/latest/ssltls.html
    - hvac: documentation, https://hvac.readthedocs.io/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS105"
    caller_opt_outs = True
    reports_wrapper_flags = True
    name = "client-option-disabled"
    message = "TLS verification disabled by a client option"
    # Each keyword counts only where it is assigned or quoted (`verify_ssl=`, `"insecure":`).
    trigger_patterns = {name.encode(): byte_patterns.assigned(
        name, quoted=True, insecure_if_true=name in _TRUE_MAY_BE_INSECURE)
        for name in _KEYWORD_WORDS}
    # asyncpg's `ssl="require"` is a keyword only: TLS103's pattern, searched once for both
    trigger_patterns[b"ssl"] = clients.SSL_ASSIGNED
    # (PyMISP and CloudRegion: their options by position, with no keyword to search; only
    # where called, or imported under another name: pymisp names its class in every module)
    trigger_patterns.update({word: byte_patterns.called(word.decode())
                             for word in (b"PyMISP", b"CloudRegion")})
    triggers = (tuple(sorted({*trigger_patterns, b"tls_insecure_set", b"SSL_VERIFY",
                              *(word.encode() for word in _IMPORT_WORDS)})),)
    candidates = (
        KeywordArg(_keywords_of(FALSY) + _FALSY_FLAGS, FALSY),
        KeywordArg(_keywords_of(CERT_NONE), CERT_NONE),
        KeywordArg(_keywords_of(TRUTHY), TRUTHY),  # httplib2's disable_ssl_certificate_validation
        KeywordArg(tuple(flag for flag in _TRUTHY_FLAGS
                         if flag not in clients.AMBIGUOUS_DEFAULT_FLAGS), TRUTHY),
        # `insecure` counts only in a file that imports a TLS client (clients.flag_is_tls)
        KeywordArg(tuple(flag for flag in _TRUTHY_FLAGS if flag in clients.AMBIGUOUS_DEFAULT_FLAGS),
                   TRUTHY, tuple(sorted(clients.TLS_CLIENT_ROOTS))),
        AttributeStore(_FALSY_FLAGS, FALSY),
        AttributeStore(_TRUTHY_FLAGS, TRUTHY),
        ParamDefault(_FALSY_FLAGS, FALSY),
        ParamDefault(_TRUTHY_FLAGS, TRUTHY),
        # `verify=` of the clients above, travelling (their modules imported)
        Travel(("verify",), FALSY, tuple(sorted({
            root for option in clients.CLIENT_OPTIONS if option.keyword == "verify"
            for name in option.callees for root in import_roots(name.rstrip("."))}))),
        CallTo(("tls_insecure_set",)),
        # jira's options dict built over functions (`options, auth = get_config()`)
        OptionsPassed(("options",), (("verify", FALSY),), built=True),
        # an options dict by position, built over several statements (openstacksdk's region)
        clients.calls_to(clients.OPENSTACK_CLOUD_REGIONS),
        # PyMISP's flag by position (`PyMISP(url, key, False)`, a name bound to False)
        clients.calls_to(clients.PYMISP_CLIENTS, argument=Argument(2, ("ssl",), FALSY)),
        CallTo(("setopt",), tuple(sorted({owner.split(".", 1)[0]
                                          for owner in clients.CURL_OPTION_OWNERS}))),
        # ldap3's defaults: a Tls without `validate=`, a Server without `tls=`
        clients.calls_to(clients.LDAP3_TLS, argument=Argument(2, ("validate",), CERT_NONE)),
        clients.calls_to(clients.LDAP3_SERVERS, argument=Argument(5, ("tls",), NONE)),
        clients.calls_to(ldap3_defaults.LDAP3_CONNECTIONS),
        CallTo(("start_tls",), ("ldap3",)),
        *_db_candidates(),
        # a libpq connection string literal under any name (clients.is_libpq_conninfo)
        AnyNameStore(holding("sslmode")),
    )
    # An options dict bound once (at module level) and passed by name in a function: the
    # calls that pass an options dict keyword stay in what libcst sees.
    # A string literal setting an option, bound under any name: the call that hands it to a
    # function of the module building a connection string from it (`_connect(options)`).
    # An auth plugin's hook that returns its connection parameters, kept for the class.
    context_shapes = (AnyNameStore(_HOLDING), FunctionNamed(tuple(sorted(set(
        clients.CONNECTION_PARAMS_PLUGINS.values()))), tuple(sorted(
            {prefix.split(".", 1)[0] for prefix in clients.CONNECTION_PARAMS_PLUGINS}))),
                      OptionsPassed(
        tuple(sorted({*clients.OPTION_DICTS,
                      *(option.keyword for option in clients.DB_OPTION_DICTS)})),
        tuple(sorted({*clients.OPTION_DICT_ENTRIES.items(),
                      *(entry for option in clients.DB_OPTION_DICTS
                        for entry in option.entries.items())}))),
                      opt_outs.COMMAND_LINE_SHAPE)
    has_fix = True
    fix_keys = ("ca-bundle",)
    client_uses = _inventory()

    VALID = [
        # the call sites' strings verify; a string that is no whole conninfo
        "import pymongo\n"
        "def _connect(options):\n"
        "    return pymongo.MongoClient(f'mongodb://localhost:27017/?{options}')\n"
        "def test_tls():\n"
        "    options = 'tls=true&tlsInsecure=false'\n"
        "    _connect(options)\n",
        "import psycopg\nhelp_text = 'use sslmode=require for host=h'\n"
        "kv = 'host=h user=u sslmode=verify-full'\n",
        # the caller's option decides: ssl.check_hostname is the caller's own context
        "import psycopg\n"
        "def connect(settings, verify_ssl=True):\n"
        "    if verify_ssl and settings.get('host'):\n"
        "        settings['sslmode'] = 'verify-full'\n"
        "    else:\n"
        "        settings['sslmode'] = 'require'\n"
        "    return psycopg.connect(**settings)\n",
        "import boto3\ns3 = boto3.client('s3', verify=CA_BUNDLE)\n",
        "from openstack.config import cloud_region\nconfig = dict(base)\n"
        "config['verify'] = CA\ncloud_region.CloudRegion('c', 'r', config)\n",
        "import stripe\nclient = stripe.StripeClient(api_key=key, verify_ssl_certs=True)\n",
        # PyMISP's third argument true, or its fourth (debug) false
        "from pymisp import PyMISP\nmisp = PyMISP(url, key, True, False)\n",
        # an HTTP wrapper's options dict that keeps verification; a parametrized secure row
        "from airflow.models import Connection\n"
        "conn = Connection(conn_id='api', extra={'verify': True})\n",
        "import json\nfrom airflow.models import Connection\n"
        "conn = Connection(conn_id='api', extra=json.dumps({'verify': CA}))\n",
        "import pytest\nfrom airflow.providers.http.operators.http import HttpOperator\n"
        "@pytest.mark.parametrize('opts', [{'verify': True}, {'timeout': 5}])\n"
        "def test_run(opts):\n    HttpOperator(task_id='t', extra_options=opts)\n",
        "import jwt\njwt.decode(token, verify=False)\n",
        "from ncclient import manager\nmanager.connect(host=h, hostkey_verify=False)\n",
        "import salt\nsalt.fileclient.get_url(url, skip_verify=True)\n",
        "import websocket\nws = websocket.create_connection(url, sslopt={'ca_certs': CA})\n",
        "import ssl\nfrom tornado.httpserver import HTTPServer\n"
        "HTTPServer(app, ssl_options={'certfile': c, 'cert_reqs': ssl.CERT_NONE})\n",
        "import aiohttp\naiohttp.TCPConnector(verify_ssl=False)\n",
        "client.call(insecure=False, verify_ssl=True)\n",
        "class Config:\n    verify_certificates: bool = True\n",
        "DOWNLOAD_VERIFY_CERTIFICATES = True\n",
        "from jira import JIRA\njira = JIRA(server, options={'verify': CA_BUNDLE})\n",
        # the tuple's other element holds the insecure dict
        "from jira import JIRA\n"
        "def config():\n"
        "    return {'server': URL}, {'verify': False}\n"
        "def main():\n"
        "    options, tls = config()\n"
        "    return JIRA(options=options)\n",
        "from fortiosapi import FortiOSAPI\nfgt = FortiOSAPI()\nfgt.login(h, u, p, verify=CA)\n",
        "from forms import LoginForm\nform = LoginForm()\nform.login(h, u, p, verify=False)\n",
        "settings = {'DOWNLOAD_VERIFY_CERTIFICATES': verify}\n",
        # rows that are not handed to the fixture (no `indirect`), or keep verification
        "import json, pytest\n"
        "from airflow.models import Connection\n"
        "@pytest.fixture\n"
        "def conn(request):\n"
        "    return Connection(conn_id='api', extra=json.dumps(request.param))\n"
        "@pytest.mark.parametrize('conn', [{'verify': False}])\n"
        "def test_hook(conn):\n"
        "    assert conn == {'verify': False}\n"
        "@pytest.mark.parametrize('conn', [{'verify': CA}], indirect=['conn'])\n"
        "def test_hook_ca(conn):\n"
        "    assert conn.extra_dejson\n",
        # a helper's parameter given a dict that keeps verification
        "import json\n"
        "from airflow.models import Connection\n"
        "def connection_with_extra(extra):\n"
        "    return Connection(conn_id='api', extra=json.dumps(extra))\n"
        "def test_options():\n"
        "    conn = connection_with_extra(extra={'timeout': 60, 'verify': CA})\n",
        # an auth plugin that keeps verification; a look-alike hook of another class
        "from keystoneauth1 import plugin\n"
        "class TokenPlugin(plugin.BaseAuthPlugin):\n"
        "    def get_connection_params(self, session, **kwargs):\n"
        "        return {'cert': CERT, 'verify': CA_BUNDLE}\n",
        "from keystoneauth1 import plugin\n"
        "class Probe:\n"
        "    def get_connection_params(self, session):\n"
        "        return {'timeout': 5, 'verify': False}\n",
        "import pycurl\nc.setopt(pycurl.SSL_VERIFYPEER, 1)\n",
        "api.post('/hooks', json={'verify': False})\n",
        "import requests\nfrom django.contrib.staticfiles.views import serve\n"
        "serve(request, path, insecure=True)\n",
        "import salt.utils.network\n"
        "DEFAULTS = {'tracing': {'exporter': 'otlp', 'insecure': True}}\n",
        "import redis\nr = redis.Redis(host, ssl=True, ssl_cert_reqs='required')\n",
        'import redis\nr = redis.Redis(host, port=6379)\n',
        "import psycopg2\nconn = psycopg2.connect(dsn, sslmode='verify-full', sslrootcert=CA)\n",
        "import psycopg2\nconn = psycopg2.connect('host=db sslmode=disable')\n",
        "def connect(sslmode):\n    if sslmode == 'require':\n        return open_tls()\n",
        'import pymongo\nc = pymongo.MongoClient(uri, tls=True, tlsCAFile=CA_BUNDLE)\n',
        'from kafka import KafkaProducer\np = KafkaProducer(ssl_check_hostname=True)\n',
        "from confluent_kafka import Consumer\n"
        "c = Consumer({'enable.ssl.certificate.verification': True})\n",
        "import asyncpg\n"
        "async def f():\n    return await asyncpg.connect(dsn, ssl='verify-full')\n",
        "import ssl\nconfig['AMQP_SSL'] = {'cert_reqs': ssl.CERT_REQUIRED, 'ca_certs': CA}\n",
        "from aiobotocore.httpxsession import HttpxSession\nsession = HttpxSession(verify=CA)\n",
        "def client(host, ssl_check_hostname=True):\n"
        "    return {'host': host, 'ssl_check_hostname': ssl_check_hostname}\n",
        # an assertion's callable that is no client's; an options object that verifies
        "import ssl, websocket\n"
        "self.assertRaises(ValueError, parse, sslopt={'cert_reqs': ssl.CERT_NONE})\n"
        "self.sslopt = {'cert_reqs': ssl.CERT_REQUIRED, 'ca_certs': CA}\n",
        # not redis-py's TLS scheme; a verifying option
        "client = redis_from_url('redis://cache:6379/0?ssl_cert_reqs=none')\n"
        "pool = Pool.from_url('rediss://cache?ssl_cert_reqs=required')\n",
        "from clickhouse_driver import Client\nclient = Client('db', secure=True, verify=True)\n"
        "def f(self):\n    return self.created_client(secure=True, verify=True)\n",
        # `ssl="prefer"` handed on, in a file that imports no asyncpg; a server's cert_reqs
        "def f(self):\n    return self.connect(host=h, ssl='prefer')\n",
        "import ssl\nserver = self._server_socket(cert_reqs=ssl.CERT_NONE, keyfile=KEY)\n",
        "import ssl\nfrom thrift.transport.TSSLSocket import TSSLServerSocket\n"
        "server = TSSLServerSocket(port=0, cert_reqs=ssl.CERT_NONE)\n",
        "import mysql.connector, MySQLdb\nmysql.connector.connect(ssl_disabled=True)\n"
        "MySQLdb.connect(ssl_mode='VERIFY_IDENTITY')\n",
        "import ssl\nfrom celery import Celery\n"
        "app = Celery('t', broker_use_ssl={'cert_reqs': ssl.CERT_REQUIRED, 'ca_certs': CA})\n",
        'import pika\nparams = pika.ConnectionParameters(ssl_options=pika.SSLOptions(ctx))\n',
        "import ssl\nfrom ldap3 import Server, Tls\n"
        "tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=CA)\n"
        "server = Server('ldaps://dc.corp', tls=tls)\nplain = Server('dc.corp')\n",
        "import grpc\nch = grpc.secure_channel(\n"
        "    t, creds, options=[('grpc.ssl_target_name_override', 'x.test')])\n",
        "import hvac\nvault = hvac.Client(url=url, verify=CA_BUNDLE)\n",
        "import httplib2\nh = httplib2.Http(disable_ssl_certificate_validation=False)\n",
        # a library carrying out its caller's choice: the caller's True is reported
        "from keystoneauth1 import session\n"
        "def make(insecure, cacert):\n"
        "    if insecure:\n"
        "        verify = False\n"
        "    else:\n"
        "        verify = cacert or True\n"
        "    return session.Session(verify=verify)\n",
        "import pymongo\n"
        "class Hook:\n"
        "    def conn(self):\n"
        "        options = {}\n"
        "        if self.allow_insecure:\n"
        "            options['tlsAllowInvalidCertificates'] = True\n"
        "        return pymongo.MongoClient(self.uri, **options)\n",
    ]
    INVALID = [
        # a connection string built from a parameter: the call site's string fills it in
        Invalid(
            "import pymongo\n"
            "def _connect(options):\n"
            "    uri = f'mongodb://localhost:27017/?tlsCAFile={CA}&{options}'\n"
            "    return pymongo.MongoClient(uri)\n"
            "def test_tls_insecure():\n"
            "    options = 'tls=true&tlsInsecure=true'\n"
            "    _connect(options)\n",
            [(6, 15)]),
        # a whole libpq connection string under any name (a command line's argument)
        Invalid(
            "import psycopg\n"
            "def test_list_databases(run):\n"
            "    kv = 'host=somehost user=someuser sslmode=verify-ca'\n"
            "    run([kv, '-l'])\n",
            [(3, 10)]),
        # the library picks sslmode=require for a caller's ssl=True (not an SSLContext)
        Invalid(
            "import psycopg\n"
            "from ssl import SSLContext\n"
            "def connect(settings, ssl=None):\n"
            "    if ssl:\n"
            "        if isinstance(ssl, SSLContext) and ssl.check_hostname:\n"
            "            settings['sslmode'] = 'verify-full'\n"
            "        else:\n"
            "            settings['sslmode'] = 'require'\n"
            "    return psycopg.connect(**settings)\n",
            [(8, 13)]),
        # an HTTP wrapper's options dict: an Airflow connection's extras, a parametrized
        # test's rows handed to the operator's per-request options
        Invalid(
            "from airflow.models import Connection\n"
            "conn = Connection(conn_id='api', extra={'use_ssl': 'True', 'verify': False})\n",
            [(2, 60)]),
        Invalid(
            "import json\n"
            "from airflow.models import Connection\n"
            "conn = Connection(conn_id='ch',"
            " extra=json.dumps({'secure': True, 'verify': False}))\n",
            [(3, 67)]),
        Invalid(
            "import pytest\n"
            "from airflow.providers.http.operators.http import HttpOperator\n"
            "@pytest.mark.parametrize(('data', 'opts'), [(1, {'verify': False}),\n"
            "                                            pytest.param(2, {'verify': True})])\n"
            "def test_run(data, opts):\n"
            "    HttpOperator(task_id='t', data=data, extra_options=opts)\n",
            [(3, 50)]),
        Invalid(
            "import boto3\n"
            "s3 = boto3.client('s3', endpoint_url=url, verify=False)\n",
            [(2, 43)],
            "import boto3\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "s3 = boto3.client('s3', endpoint_url=url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import boto3.session\n"
            "session = boto3.session.Session()\n"
            "s3 = session.resource('s3', verify=False)\n",
            [(3, 29)],
            "import boto3.session\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "session = boto3.session.Session()\n"
            "s3 = session.resource('s3', verify=CA_BUNDLE)\n"),
        Invalid(
            "from elasticsearch import Elasticsearch as ES\n"
            "es = ES(hosts, ssl_assert_hostname=False, ssl_show_warn=False)\n",
            [(2, 16)],
            "from elasticsearch import Elasticsearch as ES\n"
            "es = ES(hosts, ssl_show_warn=False)\n"),
        Invalid(
            "from elasticsearch import Elasticsearch as ES\n"
            "es = ES(hosts, verify_certs=False, ssl_show_warn=False)\n",
            [(2, 16)],
            "from elasticsearch import Elasticsearch as ES\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "es = ES(hosts, verify_certs=True, ca_certs=CA_BUNDLE, ssl_show_warn=False)\n"),
        Invalid(
            "from opensearchpy import OpenSearch\n"
            "client = OpenSearch(\n"
            "    hosts=hosts,\n"
            "    verify_certs=False,  # self-signed in staging\n"
            ")\n",
            [(4, 5)],
            "from opensearchpy import OpenSearch\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "client = OpenSearch(\n"
            "    hosts=hosts,\n"
            "    verify_certs=True, ca_certs=CA_BUNDLE,  # self-signed in staging\n"
            ")\n"),
        Invalid(
            "from tornado.httpclient import HTTPRequest\n"
            "req = HTTPRequest(url, validate_cert=False)\n"
            "async def f(client):\n"
            "    await client.fetch(url, validate_cert=False)\n",
            [(2, 24), (4, 29)],
            "from tornado.httpclient import HTTPRequest\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "req = HTTPRequest(url, validate_cert=True, ca_certs=CA_BUNDLE)\n"
            "async def f(client):\n"
            "    await client.fetch(url, validate_cert=True, ca_certs=CA_BUNDLE)\n"),
        Invalid(
            "from tornado.httpclient import AsyncHTTPClient, HTTPRequest\n"
            "AsyncHTTPClient.configure(None, defaults=dict(validate_cert=False))\n"
            "req = HTTPRequest(url, validate_cert=False, ca_certs=OLD)\n",
            [(2, 47), (3, 24)]),
        Invalid(
            "import ssl\n"
            "import websocket\n"
            "ws = websocket.WebSocketApp(url)\n"
            "ws.run_forever(sslopt={'cert_reqs': ssl.CERT_NONE, 'check_hostname': False})\n",
            [(4, 24), (4, 52)],
            "import websocket\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "ws = websocket.WebSocketApp(url)\n"
            "ws.run_forever(sslopt={'ca_certs': CA_BUNDLE})\n"),
        Invalid(
            "import ssl, websocket\n"
            "ws = websocket.create_connection(url, sslopt={\n"
            "    \"timeout\": 3,\n"
            "    \"cert_reqs\": ssl.CERT_NONE,\n"
            "})\n",
            [(4, 5)],
            "import websocket\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "ws = websocket.create_connection(url, sslopt={\n"
            '    "timeout": 3,\n'
            '    "ca_certs": CA_BUNDLE,\n'
            "})\n"),
        Invalid(
            "import ssl, websocket\n"
            "def connect(url, nocert):\n"
            "    opts = {}\n"
            "    if nocert:\n"
            "        opts = {'cert_reqs': ssl.CERT_NONE}\n"
            "    return websocket.create_connection(url, sslopt=opts)\n",
            [(5, 17)]),
        Invalid(
            "import ssl\n"
            "import paho.mqtt.client as mqtt\n"
            "client = mqtt.Client()\n"
            "client.tls_set(ca_certs=None, cert_reqs=ssl.CERT_NONE)\n"
            "client.tls_insecure_set(True)\n",
            [(4, 31), (5, 25)]),
        Invalid(
            "import pycurl\n"
            "c = pycurl.Curl()\n"
            "c.setopt(pycurl.SSL_VERIFYPEER, 0)\n"
            "c.setopt(c.SSL_VERIFYHOST, 0)\n",
            [(3, 1), (4, 1)]),
        Invalid(
            "from novaclient import client as nova\n"
            "from kubernetes import client\n"
            "compute = nova.Client('2.1', session=sess, insecure=True)\n"
            "configuration = client.Configuration()\n"
            "configuration.verify_ssl = False\n",
            [(3, 44), (5, 1)],
            "from novaclient import client as nova\n"
            "from kubernetes import client\n"
            "compute = nova.Client('2.1', session=sess, insecure=False)\n"
            "configuration = client.Configuration()\n"
            "configuration.verify_ssl = True\n"),
        Invalid(
            "from github import Github\n"
            "gh = Github(base_url=url, login_or_token=token, verify=False)\n",
            [(2, 49)],
            "from github import Github\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "gh = Github(base_url=url, login_or_token=token, verify=CA_BUNDLE)\n"),
        Invalid(
            "from keystoneauth1 import session\n"
            "def make(cacert, insecure=True):\n"
            "    if insecure:\n"
            "        verify = False\n"
            "    else:\n"
            "        verify = cacert or True\n"
            "    return session.Session(verify=verify)\n",
            [(2, 27)],
            "from keystoneauth1 import session\n"
            "def make(cacert, insecure=False):\n"
            "    if insecure:\n"
            "        verify = False\n"
            "    else:\n"
            "        verify = cacert or True\n"
            "    return session.Session(verify=verify)\n"),
        Invalid(
            "import redis\n"
            "def client(host, ssl_check_hostname=False):\n"
            "    kwargs = {'host': host}\n"
            "    kwargs.update({'ssl_check_hostname': ssl_check_hostname})\n"
            "    return redis.Redis(**kwargs)\n",
            [(2, 37)]),
        Invalid(
            "import requests\n"
            "class Backend:\n"
            "    def __init__(self, host, verify_ssl=False, *, insecure=True):\n"
            "        self.verify_ssl = verify_ssl\n",
            [(3, 41), (3, 60)],
            "import requests\n"
            "class Backend:\n"
            "    def __init__(self, host, verify_ssl=True, *, insecure=False):\n"
            "        self.verify_ssl = verify_ssl\n"),
        # a fixture's request.param: the rows an indirect parametrization hands it
        Invalid(
            "import json, pytest\n"
            "from airflow.models import Connection\n"
            "@pytest.fixture\n"
            "def conn(request):\n"
            "    extra = request.param if hasattr(request, 'param') else {}\n"
            "    return Connection(conn_id='api', extra=json.dumps(extra))\n"
            "@pytest.mark.parametrize('conn', [{'verify': False}], indirect=True)\n"
            "def test_hook(conn):\n"
            "    assert conn.extra_dejson\n",
            [(7, 36)]),
        # a test helper's parameter that it hands on: the dicts its call sites pass
        Invalid(
            "import json\n"
            "from airflow.models import Connection\n"
            "def connection_with_extra(extra):\n"
            "    def inner(conn_id='http_default'):\n"
            "        return Connection(conn_id=conn_id, extra=json.dumps(extra))\n"
            "    return inner\n"
            "def test_options():\n"
            "    conn = connection_with_extra(extra={'timeout': 60, 'verify': False})()\n",
            [(8, 56)]),
        # keystoneauth's session merges an auth plugin's connection parameters into requests
        Invalid(
            "from keystoneauth1 import plugin\n"
            "class TokenPlugin(plugin.BaseAuthPlugin):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.params = {'cert': CERT, 'verify': False}\n"
            "    def get_connection_params(self, session, **kwargs):\n"
            "        return self.params\n",
            [(5, 38)]),
        Invalid(
            "from keystoneclient.auth import base\n"
            "class TokenPlugin(base.BaseAuthPlugin):\n"
            "    def get_connection_params(self, session, **kwargs):\n"
            "        return dict(cert=CERT, verify=False)\n",
            [(4, 32)]),
        # jira's client options (also by position)
        Invalid(
            "from jira import JIRA\n"
            "jira = JIRA('https://jira.example', {'verify': False, 'rest_api_version': '2'})\n",
            [(2, 38)]),
        # ... built in another function and handed back in a tuple, merged with update()
        Invalid(
            "import argparse\n"
            "from jira import JIRA\n"
            "def command_line():\n"
            "    args = argparse.ArgumentParser().parse_args()\n"
            "    options = {'server': args.server}\n"
            "    if args.no_verify:\n"
            "        options['verify'] = False\n"
            "    return options, args.user\n"
            "def main():\n"
            "    options = {'rest_api_version': '2'}\n"
            "    cmd_options, user = command_line()\n"
            "    options.update(cmd_options)\n"
            "    return JIRA(options=options, basic_auth=(user, ''))\n",
            [(7, 9)]),
        # a client's method called on its instance
        Invalid(
            "from fortiosapi import FortiOSAPI\n"
            "fgt = FortiOSAPI()\n"
            "fgt.login(host, user, password, verify=False, vdom='root')\n",
            [(3, 33)]),
        # Scrapy's setting, in a settings module or a spider's custom_settings
        Invalid(
            "BOT_NAME = 'crawler'\n"
            "DOWNLOAD_VERIFY_CERTIFICATES = False\n",
            [(2, 1)]),
        Invalid(
            "import scrapy\n"
            "class Spider(scrapy.Spider):\n"
            "    custom_settings = {'DOWNLOAD_VERIFY_CERTIFICATES': False}\n",
            [(3, 24)]),
        # Scrapy's context factory: `verify_certificates` is a wrapper flag too
        Invalid(
            "class ContextFactory:\n"
            "    def __init__(self, method=None, *, verify_certificates=False):\n"
            "        self._verify_certificates = verify_certificates\n",
            [(2, 60)],
            "class ContextFactory:\n"
            "    def __init__(self, method=None, *, verify_certificates=True):\n"
            "        self._verify_certificates = verify_certificates\n"),
        Invalid(
            "def run(module):\n"
            "    return open_url(module.params['url'], validate_certs=False)\n",
            [(2, 43)],
            "def run(module):\n"
            "    return open_url(module.params['url'], validate_certs=True)\n"),
        Invalid(
            'import redis as r\n'
            "client = r.Redis(host='cache', ssl=True, ssl_cert_reqs=None)\n",
            [(2, 42)],
            'import redis as r\n'
            '\n'
            'from corp_tls import CA_BUNDLE\n'
            '\n'
            "client = r.Redis(host='cache', ssl=True, ssl_cert_reqs=\"required\", "
            "ssl_ca_certs=CA_BUNDLE)\n"),
        Invalid(
            'from redis.asyncio import from_url, Redis\n'
            "a = from_url('rediss://cache:6380/0?ssl_cert_reqs=none')\n"
            'b = Redis(ssl=True, ssl_check_hostname=False)\n',
            [(2, 14), (3, 21)]),
        Invalid(
            'from pymongo import MongoClient\n'
            'client = MongoClient(\n'
            '    uri,\n'
            '    tlsAllowInvalidCertificates=True,\n'
            ')\n',
            [(4, 5)],
            'from pymongo import MongoClient\n'
            '\n'
            'from corp_tls import CA_BUNDLE\n'
            '\n'
            'client = MongoClient(\n'
            '    uri,\n'
            '    tlsAllowInvalidCertificates=False, tlsCAFile=CA_BUNDLE,\n'
            ')\n'),
        Invalid(
            'from motor.motor_asyncio import AsyncIOMotorClient\n'
            "c = AsyncIOMotorClient('mongodb://db/?tls=true&tlsInsecure=true')\n",
            [(2, 24)]),
        Invalid(
            'from kafka import KafkaProducer\n'
            'p = KafkaProducer(bootstrap_servers=s, ssl_check_hostname=False)\n',
            [(2, 40)],
            'from kafka import KafkaProducer\n'
            '\n'
            'from corp_tls import CA_BUNDLE\n'
            '\n'
            "p = KafkaProducer(bootstrap_servers=s, ssl_check_hostname=True, "
            "ssl_cafile=CA_BUNDLE)\n"),
        Invalid(
            'import confluent_kafka\n'
            "conf = {'bootstrap.servers': servers}\n"
            "conf['enable.ssl.certificate.verification'] = 'false'\n"
            "conf.update({'ssl.endpoint.identification.algorithm': 'none'})\n"
            'producer = confluent_kafka.Producer(conf)\n',
            [(3, 1), (4, 14)]),
        Invalid(
            'import psycopg2\n'
            'from sqlalchemy import create_engine\n'
            "conn = psycopg2.connect('host=db dbname=app sslmode=require')\n"
            "engine = create_engine(url, connect_args={'sslmode': 'verify-ca'})\n",
            [(3, 25), (4, 43)]),
        Invalid(
            'import asyncpg\n'
            'async def main():\n'
            "    return await asyncpg.create_pool(dsn, ssl='require')\n",
            [(3, 43)]),
        Invalid(
            'import mysql.connector as mc\n'
            'import pymysql\n'
            'import MySQLdb\n'
            'a = mc.connect(host=h, ssl_ca=CA, ssl_verify_cert=False)\n'
            "b = pymysql.connect(host=h, ssl={'ca': CA, 'check_hostname': False})\n"
            "c = MySQLdb.connect(host=h, ssl_mode='REQUIRED')\n",
            [(4, 35), (5, 44), (6, 29)]),
        Invalid(
            'import ssl\n'
            'from celery import Celery\n'
            "app = Celery('tasks', broker_use_ssl={'cert_reqs': ssl.CERT_NONE})\n"
            "app.conf.redis_backend_use_ssl = {'ssl_cert_reqs': ssl.CERT_NONE}\n",
            [(3, 39), (4, 35)]),
        Invalid(
            'import ssl\n'
            'from kombu import Connection\n'
            "CELERY_BROKER_USE_SSL = {'cert_reqs': ssl.CERT_NONE}\n"
            "conn = Connection(url, ssl={'cert_reqs': ssl.CERT_NONE})\n",
            [(3, 26), (4, 29)]),
        Invalid(
            'CACHES = {\n'
            "    'default': {\n"
            "        'BACKEND': 'django_redis.cache.RedisCache',\n"
            "        'OPTIONS': {'CONNECTION_POOL_KWARGS': {'ssl_cert_reqs': None}},\n"
            '    },\n'
            '}\n',
            [(4, 48)]),
        Invalid(
            'import ssl, pika\n'
            "params = pika.ConnectionParameters(host, ssl=True,\n"
            "                                   ssl_options={'cert_reqs': ssl.CERT_NONE})\n",
            [(3, 49)]),
        Invalid(
            "import boto3\n"
            "def s3(endpoint, verify=False):\n"
            "    return boto3.client('s3', endpoint_url=endpoint, verify=verify)\n",
            [(2, 25)],
            "import boto3\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def s3(endpoint, verify=CA_BUNDLE):\n"
            "    return boto3.client('s3', endpoint_url=endpoint, verify=verify)\n"),
        Invalid(
            "import ssl\n"
            "from ldap3 import Server, Tls, Connection\n"
            "tls = Tls(validate=ssl.CERT_NONE, version=ssl.PROTOCOL_TLSv1_2)\n"
            "server = Server('dc.corp', use_ssl=True)\n"
            "pool = Server('ldaps://dc2.corp')\n"
            "anon = Tls(ca_certs_file=CA)\n",
            [(3, 11), (4, 10), (5, 8), (6, 8)]),
        Invalid(
            "import ldap3\n"
            "def login(user, password):\n"
            "    server = ldap3.Server('dc.corp', get_info=ldap3.ALL)\n"
            "    conn = ldap3.Connection(server, user, password)\n"
            "    conn.start_tls()\n"
            "    return ldap3.Connection(server, auto_bind=ldap3.AUTO_BIND_TLS_BEFORE_BIND)\n",
            [(5, 5), (6, 37)]),
        Invalid(
            "import httplib2\n"
            "h = httplib2.Http(timeout=10, disable_ssl_certificate_validation=True)\n",
            [(2, 31)]),
        Invalid(
            "import github\n"
            "def make(auth):\n"
            "    kwargs = dict(\n"
            "        auth=auth,\n"
            "        verify=False,\n"
            "    )\n"
            "    return github.GithubIntegration(**kwargs)\n",
            [(5, 9)],
            "import github\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def make(auth):\n"
            "    kwargs = dict(\n"
            "        auth=auth,\n"
            "        verify=CA_BUNDLE,\n"
            "    )\n"
            "    return github.GithubIntegration(**kwargs)\n"),
        Invalid(
            "import hvac\n"
            "vault = hvac.Client(url=url, token=token, verify=False)\n",
            [(2, 43)],
            "import hvac\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "vault = hvac.Client(url=url, token=token, verify=CA_BUNDLE)\n"),
        Invalid(
            "from curl_cffi import Curl, CurlOpt\n"
            "c = Curl()\n"
            "c.setopt(CurlOpt.SSL_VERIFYPEER, 0)\n",
            [(3, 1)]),
        Invalid(
            "import ssl\n"
            "import websocket\n"
            "class TestApp:\n"
            "    def test_ping(self):\n"
            "        app = websocket.WebSocketApp(url)\n"
            "        self.assertRaises(websocket.WebSocketException, app.run_forever,\n"
            "                          sslopt={'cert_reqs': ssl.CERT_NONE})\n",
            [(7, 35)],
            "import websocket\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class TestApp:\n"
            "    def test_ping(self):\n"
            "        app = websocket.WebSocketApp(url)\n"
            "        self.assertRaises(websocket.WebSocketException, app.run_forever,\n"
            "                          sslopt={'ca_certs': CA_BUNDLE})\n"),
        Invalid(
            "import ssl\n"
            "class OptsList:\n"
            "    def __init__(self):\n"
            "        self.sslopt = {'cert_reqs': ssl.CERT_NONE}\n",
            [(4, 24)]),
        # a test's parametrized cases reach the client through the test's parameter
        Invalid(
            "import hvac\n"
            "from parameterized import parameterized, param\n"
            "class TestVerify:\n"
            "    @parameterized.expand([\n"
            "        param('verify true', verify=True),\n"
            "        param('verify false', verify=False),\n"
            "    ])\n"
            "    def test_verify(self, label, verify):\n"
            "        assert hvac.Client(verify=verify)._adapter\n",
            [(6, 38)],
            "import hvac\n"
            "from parameterized import parameterized, param\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class TestVerify:\n"
            "    @parameterized.expand([\n"
            "        param('verify true', verify=True),\n"
            "        param('verify false', verify=CA_BUNDLE),\n"
            "    ])\n"
            "    def test_verify(self, label, verify):\n"
            "        assert hvac.Client(verify=verify)._adapter\n"),
        # a parameter's insecure default that a dict of options hands on: at the default
        Invalid(
            "def client(host, ssl=False, ssl_check_hostname=False):\n"
            "    kwargs = {'host': host}\n"
            "    if ssl:\n"
            "        kwargs.update({'ssl_check_hostname': ssl_check_hostname})\n"
            "    return kwargs\n",
            [(1, 48)]),
        Invalid(
            "from prefect_redis.connection import redis_from_url\n"
            "client = redis_from_url('rediss+sentinel://s1:26379/main?ssl_check_hostname=false')\n",
            [(2, 25)]),
        Invalid(
            "from aiobotocore.httpsession import AIOHTTPSession\n"
            "session = AIOHTTPSession(verify=False)\n",
            [(2, 26)],
            "from aiobotocore.httpsession import AIOHTTPSession\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "session = AIOHTTPSession(verify=CA_BUNDLE)\n"),
        Invalid(
            "from clickhouse_driver import Client\n"
            "client = Client('db', secure=True, verify=False)\n"
            "def test_secure(self):\n"
            "    with self.created_client(port=9440, secure=True, verify=False) as client:\n"
            "        client.execute('SELECT 1')\n",
            [(2, 36), (4, 54)]),
        Invalid(
            "import ssl\n"
            "def rabbit_ssl_config(config):\n"
            "    config['AMQP_SSL'] = {'cert_reqs': ssl.CERT_NONE}\n"
            "    return config\n",
            [(3, 27)]),
        Invalid(
            "import asyncpg\n"
            "class TestSSL:\n"
            "    async def test_prefer(self):\n"
            "        await self.connect(host=h, user='ssl_user', ssl='prefer')\n",
            [(4, 53)]),
        Invalid(
            "import ssl\n"
            "from thrift.transport.TSSLSocket import TSSLSocket\n"
            "client = TSSLSocket('db', 9090, cert_reqs=ssl.CERT_NONE)\n"
            "def test_no_cert(self, server):\n"
            "    self._assert_connection_success(server, cert_reqs=ssl.CERT_NONE)\n",
            [(3, 33), (5, 45)]),
        Invalid(
            "from zeep.transports import AsyncTransport\n"
            "transport = AsyncTransport(verify_ssl=False)\n",
            [(2, 28)],
            "from zeep.transports import AsyncTransport\n"
            "transport = AsyncTransport(verify_ssl=True)\n"),
        Invalid(
            "import stripe\n"
            "client = stripe.StripeClient(api_key=key, verify_ssl_certs=False)\n",
            [(2, 43)]),
        # an options dict by position, built over several statements
        Invalid(
            "from openstack.config import cloud_region\n"
            "config = dict(base)\n"
            "config['verify'] = False\n"
            "region = cloud_region.CloudRegion('cloud', 'region', config)\n",
            [(3, 1)]),
        # by position, and a flag bound on both branches of a `try` (its fix unsafe there:
        # the name may serve other calls)
        Invalid(
            "from pymisp import PyMISP\n"
            "try:\n"
            "    from keys import url, key\n"
            "    verifycert = False\n"
            "except ImportError:\n"
            "    url, key, verifycert = 'https://misp', KEY, True\n"
            "misp = PyMISP(url, key, verifycert, debug=False)\n",
            [(4, 18)],
            "from pymisp import PyMISP\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "try:\n"
            "    from keys import url, key\n"
            "    verifycert = CA_BUNDLE\n"
            "except ImportError:\n"
            "    url, key, verifycert = 'https://misp', KEY, True\n"
            "misp = PyMISP(url, key, verifycert, debug=False)\n"),
        Invalid(
            "from pymisp import PyMISP\n"
            "local = PyMISP('https://localhost', key, False)\n",
            [(2, 42)],
            "from pymisp import PyMISP\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "local = PyMISP('https://localhost', key, CA_BUNDLE)\n"),
        Invalid(
            "from pymisp import PyMISP\n"
            "misp = PyMISP(url, key, ssl=False, debug=False)\n",
            [(2, 25)],
            "from pymisp import PyMISP\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "misp = PyMISP(url, key, ssl=CA_BUNDLE, debug=False)\n"),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        configured = getattr(context, "insecure_keywords", ())
        self.flags = clients.insecure_keywords(configured) if configured else _INSECURE
        # the configured list reports exactly what it names; the default one narrows `insecure`
        self.narrowed = not configured
        self._reported: Set[int] = set()  # ids of reported nodes (_report_once)
        self._defaults: Set[int] = set()  # ids of the parameter defaults reported
        # connection strings built from a parameter (`f"mongodb://h/?{options}"` in `def
        # _connect(options)`): the strings the function's call sites pass in its place
        self._string_callers = travel.CallerArguments()
        self._string_parts: Dict[str, Tuple[cst.FormattedString, int, str, Tuple[str, ...]]] = {}
        # an options dict that is a parameter of a function of the module (a test helper's
        # `extra`): the dicts its call sites pass; sink name -> the options dict it is (the
        # same call sites as the strings', noted once)
        self._callers = self._string_callers
        self._option_sinks: Dict[str, clients.OptionDict] = {}

    @classmethod
    def configured_words(cls, settings: Settings) -> Tuple[bytes, ...]:
        return tuple(clients.parse_insecure_keyword(entry)[0].encode()
                     for entry in settings.insecure_keywords)

    def visit_Call(self, node: cst.Call) -> None:
        self._string_callers.note_call(node, self.scope)
        qualified = self.qualify(node.func)
        known = set()  # the keywords a client's own table judged on this call
        options = clients.applicable(clients.CLIENT_OPTIONS, node, qualified)
        if not options and qualified is None:
            # a client's method on its instance (`fgt = FortiOSAPI()` ... `fgt.login(...)`)
            instance = clients.instance_method(node, self.scope)
            found = (clients.applicable(clients.CLIENT_OPTIONS, node, instance)
                     if instance is not None else ())
            if found:
                options, qualified = found, instance
        for option in options:
            known.add(option.keyword)
            arg = (clients.argument(node, option.position, option.keyword)
                   if option.position is not None else clients.keyword(node, option.keyword))
            if (arg is not None and arg.keyword is not None
                    and values.from_parameter_default(arg.value, self.scope)
                    and clients.value_is(option.value, arg.value, self.scope)):
                self._default(arg.value, option, clients.sink_name(node, qualified))
            elif arg is not None and clients.value_is(option.value, arg.value, self.scope):
                fix = (FixRequest("ca-bundle", node=arg.value)
                       if option.client in _BUNDLE_CLIENTS else None)
                if option.client == "tornado" and arg.keyword is not None:
                    fix = _secure_with_bundle(node, arg, "ca_certs")
                if option.secure is not None and arg.keyword is not None:
                    fix = _secure_with_bundle(node, arg, option.bundle_keyword or "",
                                              option.secure, option.fix_blockers)
                if option.keyword == "ssl_assert_hostname" and arg.keyword is not None:
                    # the default checks the host name again (unsafe, as the flag next to it)
                    fix = FixRequest("remove-argument", Applicability.UNSAFE, node=arg)
                shown = (option.keyword if arg.keyword is not None
                         else f"{clients.callee_name(node)}() argument")
                self.report(arg, f"TLS verification disabled by {option.client}'s {shown}; "
                                 "give the client the CA bundle instead", fix)
            elif arg is not None and (arg.keyword is not None or option.client == "PyMISP"):
                # (PyMISP's flag is often passed by position: `PyMISP(url, key, verifycert)`)
                test = functools.partial(clients.value_is, option.value, scope=self.scope)
                for origin in travel.travelled_origins(arg.value, self.scope, test):
                    fix = (origin_fixes.target_at_origin(origin, "ca-bundle")
                           if option.client in _BUNDLE_CLIENTS else _flip(option.value, origin))
                    self.report(origin, f"an insecure {option.keyword} written here "
                                        f"reaches {clients.sink_name(node, qualified)}()", fix)
            elif arg is None and option.keyword != "value":
                self._splatted(node, option)
        self._option_dicts(node, qualified)
        self._db_option_dicts(node, qualified)
        forwarded = travel.forwarded_call(node, self.scope)
        if forwarded is not None:  # `self.assertRaises(E, app.run_forever, sslopt={...})`
            forwarded_name = self.qualify(forwarded.func)
            self._option_dicts(forwarded, forwarded_name)
            self._db_option_dicts(forwarded, forwarded_name)
        self._connection_strings(node, qualified)
        self._dict_call(node, known)
        if qualified is None:
            self._handed_on(node)
        self._pycurl(node)
        self._ldap3_defaults(node, qualified)
        if clients.is_unresolved_method(node, qualified, clients.AIOHTTP_METHODS) or (
                qualified in clients.AIOHTTP_SSL_TAKERS):
            return  # aiohttp's verify_ssl is TLS103's
        search = _SEARCH_VERIFY_CERTS.applies_to(node, qualified)
        for arg in node.args:
            if arg.keyword is not None:
                # Elasticsearch/OpenSearch take the bundle beside the flag (documented API)
                name = identifier(arg.keyword.value)
                secure = (_secure_with_bundle(node, arg, "ca_certs")
                          if search and name == "verify_certs" else None)
                self._flag(arg, name, arg.value, qualified, secure)

    def _default(self, name: cst.BaseExpression, option: clients.ClientOption,
                 sink: str) -> None:
        """A parameter whose insecure default reaches the option: reported once, at the
        default, as TLS101 does for verify= (a wrapper flag's default is visit_Param's)."""
        default, _ = values.origin(name, self.scope)
        if id(default) in self._defaults or (isinstance(name, cst.Name)
                                             and identifier(name.value) in self.flags):
            return
        self._defaults.add(id(default))
        fix = (origin_fixes.target_at_origin(default, "ca-bundle")
               if option.client in _BUNDLE_CLIENTS else _flip(option.value, default))
        self.report(default, f"an insecure {option.keyword} by default here reaches {sink}(); "
                             "give the client the CA bundle instead", fix)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        # an auth plugin's connection parameters: the session merges them into each request
        for anchor, key, value in travel.plugin_connection_params(node, self.scope):
            if key == "verify" and self.is_falsy(value):
                self._report_once(anchor, "TLS verification disabled by keystoneauth's verify, "
                                          "returned by the auth plugin's get_connection_params; "
                                          "give the client the CA bundle instead")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Attribute):
                self._flag(target.target, identifier(target.target.attr.value), node.value)
            self._stored_options(target.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """`url += "?ssl_cert_reqs=CERT_NONE"`: a query appended to a URL sets an option only
        a database or queue client reads."""
        if not isinstance(node.operator, cst.AddAssign):
            return
        text = clients.template_text(node.value, self.scope)
        for name, given in clients.query_fragment_options(text or ""):
            for key, (client, kind) in clients.DICT_KEY_OPTIONS.items():
                if clients.option_name_is(name, key) and clients.text_is(kind, given):
                    self._report_once(node.target, f"TLS verification disabled by the "
                                                   f"{name}={given} appended to a URL "
                                                   f"({client}); give the client the CA "
                                                   "bundle instead")

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            name = identifier(node.name.value)
            kind = self.flags.get(name)
            if kind is not None and clients.value_is(kind, node.default, self.scope) and (
                    self._is_tls_flag(name)):
                self.report(node.default, f"TLS verification off by default: the wrapper flag "
                                          f"{name} defaults to an insecure value",
                            _flip(kind, node.default))

    def visit_DictElement(self, node: cst.DictElement) -> None:
        # the raw text first: evaluating every dict key (ast.literal_eval) is the costly part
        if isinstance(node.key, cst.SimpleString) and node.key.value.lstrip(
                "rRuUbB").strip("'\"") in self.flags:
            key = node.key.evaluated_value
            if isinstance(key, str):
                self._flag(node, key, node.value)
        option = values.string_value(node.key, self.scope) if isinstance(
            node.key, (cst.SimpleString, cst.ConcatenatedString)) else None
        if option in clients.DICT_KEY_OPTIONS:
            self._dict_key(node, option, node.value)
        elif option in clients.STRING_SETTINGS:
            self._string_options(node, node.value, *clients.STRING_SETTINGS[option])
        elif option in clients.SETTING_OPTIONS:  # `custom_settings = {"DOWNLOAD_...": False}`
            self._setting(node, option, node.value)
        elif option in clients.OPTION_DICT_STORES:  # `{"AMQP_SSL": {...}}`, a config dict
            self._option_entries(clients.OPTION_DICT_STORES[option], option, node.value)

    def _flag(self, where: cst.CSTNode, name: str, value: cst.BaseExpression,
              callee: Optional[str] = None, secure: Optional[FixRequest] = None) -> None:
        """`callee`: the call's qualified name, when the flag is its keyword; `secure`: the
        client's own secure form, when it has one (else the flag flips)."""
        kind = self.flags.get(name)
        if (isinstance(value, cst.Name) and identifier(value.value) in self.flags
                and values.from_parameter_default(value, self.scope)):
            return  # `self.verify_ssl = verify_ssl`: reported once, at the parameter's default
        if kind is not None and clients.value_is(kind, value, self.scope) and (
                self._is_tls_flag(name, callee)):
            self.report(where, f"TLS verification disabled by the wrapper flag {name}; "
                               "pass the CA bundle instead", secure or _flip(kind, value))

    def _is_tls_flag(self, name: str, callee: Optional[str] = None) -> bool:
        return not self.narrowed or clients.flag_is_tls(name, self.scope, callee)

    def _option_dicts(self, node: cst.Call, qualified: Optional[str]) -> None:
        if clients.is_server_callee(node):
            return
        for keyword, (client, callees, methods) in clients.OPTION_DICTS.items():
            arg = clients.keyword(node, keyword)
            if arg is None or not clients.ClientOption(client, keyword, FALSY, callees,
                                                       methods).applies_to(node, qualified):
                continue
            insecure = [(anchor, key) for anchor, key, value in self._entries(arg.value)
                        if key in clients.OPTION_DICT_ENTRIES and clients.value_is(
                            clients.OPTION_DICT_ENTRIES[key], value, self.scope)]
            fix = _secure_options(arg.value, insecure)
            for anchor, key in insecure:
                self.report(anchor, f"TLS verification disabled by {client}'s {keyword} "
                                    f"entry {key}; give the client the CA bundle instead", fix)

    def _entries(self, value: cst.BaseExpression, scope: Optional[Scope] = None, depth: int = 0
                 ) -> Iterator[Tuple[cst.CSTNode, str, cst.BaseExpression]]:
        """The entries of an options dict, also of each display a name is bound to on the
        branches of its function (`opts = {}` ... `if nocert: opts = {"cert_reqs": ...}`), and
        the items stored into it there (`config["verify"] = False`), the dicts merged into it
        (`options.update(cmd_options)`) and the tuple element it is unpacked from
        (`options, auth = get_config()`, `get_config` returning `options, auth`), followed
        _MAX_MERGES steps."""
        scope = scope or self.scope
        yield from clients.option_entries(value, scope)
        dumped = _json_dumped(value, scope)  # an Airflow extra written as JSON
        if dumped is not None:
            yield from clients.option_entries(*dumped)
        for row in travel.parametrized_values(value, scope):  # a test's parametrization
            yield from clients.option_entries(row, scope)
        # a fixture's `request.param`: the rows a parametrization hands it (`indirect=True`)
        for row, row_scope in travel.indirect_values(*(dumped or (value, scope))):
            yield from clients.option_entries(row, row_scope)
        if isinstance(value, cst.Name):
            name = identifier(value.value)
            binding = scope.lookup(name)
            if binding is not None and binding.qualified is None:
                for key, stored, target in clients.body_uses(binding.scope, name).items.get(
                        name, ()):
                    text = values.string_value(key, binding.scope)
                    if text is not None:
                        yield target, text, stored
            if binding is not None and binding.count > 1 and binding.qualified is None:
                uses = clients.body_uses(binding.scope, name)
                for bound in uses.bound.get(name, ()):
                    yield from clients.option_entries(bound, binding.scope)
            if binding is not None and binding.qualified is None and depth < _MAX_MERGES:
                for update in clients.body_uses(binding.scope, name).updates.get(name, ()):
                    merged = clients.positional(update, 0)
                    if clients.callee_name(update) == "update" and merged is not None:
                        yield from self._entries(merged.value, binding.scope, depth + 1)
                for returned, returned_scope in travel.unpacked_returns(value, scope):
                    yield from self._entries(returned, returned_scope, depth + 1)

    # -- database, queue and directory clients -----------------------------------------------
    def _report_once(self, node: cst.CSTNode, message: str,
                     fix: Optional[FixRequest] = None) -> None:
        """An entry may be seen twice (an options dict passed to a call and stored under a
        settings name, or a key reported in any dict): one finding."""
        if id(node) not in self._reported:
            self._reported.add(id(node))
            self.report(node, message, fix)

    def _dict_key(self, where: cst.CSTNode, key: str, value: cst.BaseExpression) -> None:
        client, kind = clients.DICT_KEY_OPTIONS[key]
        if values.from_parameter_default(value, self.scope) and clients.value_is(
                kind, value, self.scope):
            # `{"ssl_check_hostname": ssl_check_hostname}` with the parameter defaulting to
            # False: the library's default, reported where it is written, as _default does
            self._report_once(values.origin(value, self.scope)[0],
                              f"an insecure {key} by default here reaches the {key} option "
                              f"({client}); give the client the CA bundle instead")
        elif clients.value_is(kind, value, self.scope):
            # the key names the switch; other libraries read it too (pydruid's ssl_verify_cert)
            self._report_once(where, f"TLS verification disabled by the {key} option "
                                     f"({client}); give the client the CA bundle instead")

    def _dict_call(self, node: cst.Call, known: Set[str]) -> None:
        """A key of DICT_KEY_OPTIONS as a keyword: of `dict(sslmode="require")`, or of any
        other call whose client table does not judge it (a wrapper or test helper that hands
        it on: `self.simple_client(tlsAllowInvalidCertificates=True)`). There a bare `None`
        does not count: a wrapper may read it as "not given"."""
        builtin = (isinstance(node.func, cst.Name) and identifier(node.func.value) == "dict"
                   and self.scope.lookup("dict") is None)
        for arg in node.args:
            if arg.keyword is None:
                continue
            key = identifier(arg.keyword.value)
            if key not in clients.DICT_KEY_OPTIONS or key in known:
                continue
            if not builtin and values.literal(arg.value, self.scope) is None:
                continue
            self._dict_key(arg, key, arg.value)

    def _handed_on(self, node: cst.Call) -> None:
        """A keyword of HANDED_ON_OPTIONS on a method call no import explains, in a file that
        imports its client (a test helper that hands it on to the client)."""
        for arg in node.args:
            if arg.keyword is None:
                continue
            option = clients.HANDED_ON_OPTIONS.get(identifier(arg.keyword.value))
            if option is None:
                continue
            client, kind, roots = option
            if (clients.value_is(kind, arg.value, self.scope)
                    and clients.imports_module(self.scope, roots)
                    and clients.hands_on_to_client(node)):
                self._report_once(arg, f"TLS verification disabled by {client}'s "
                                       f"{identifier(arg.keyword.value)}, handed on by "
                                       f"{clients.callee_name(node)}(); give the client the CA "
                                       "bundle instead")

    def _stored_options(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`conf["enable.ssl.certificate.verification"] = False` (a dict built over several
        statements), and an options dict stored under its settings name
        (`app.conf.broker_use_ssl = {...}`, `CELERY_BROKER_USE_SSL = {...}`)."""
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(
                target.slice[0].slice, cst.Index):
            key = values.string_value(target.slice[0].slice.value, self.scope)
            if key in clients.DICT_KEY_OPTIONS:
                self._dict_key(target, key, value)
            elif key in clients.STRING_SETTINGS:
                self._string_options(value, value, *clients.STRING_SETTINGS[key])
            elif key in clients.SETTING_OPTIONS:  # `settings["DOWNLOAD_..."] = False`
                self._setting(target, key, value)
            elif key in clients.OPTION_DICT_STORES:  # `config["AMQP_SSL"] = {...}`
                self._option_entries(clients.OPTION_DICT_STORES[key], key, value)
            return
        name = (identifier(target.attr.value) if isinstance(target, cst.Attribute)
                else identifier(target.value) if isinstance(target, cst.Name) else None)
        if name in clients.STRING_SETTINGS:
            self._string_options(value, value, *clients.STRING_SETTINGS[name])
        elif isinstance(target, cst.Name) and self.scope.kind == "function":
            # a whole libpq connection string under any local name (`kv = "host=h
            # sslmode=require"` handed to a command line): a literal only, its text decides.
            # Not a module constant: a help text or an example printed is no connection
            text = values.string_value(value, self.scope) if isinstance(
                value, (cst.SimpleString, cst.ConcatenatedString)) else None
            if text is not None and clients.is_libpq_conninfo(text):
                self._options_in(value, text, "libpq", ("psycopg",))
        if isinstance(target, cst.Name) and name in clients.SETTING_OPTIONS:
            self._setting(target, name, value)  # a settings module's own name
        option = clients.OPTION_DICT_STORES.get(name or "")
        if option is not None:
            self._option_entries(option, name or "", value)

    def _setting(self, where: cst.CSTNode, name: str, value: cst.BaseExpression) -> None:
        client, kind = clients.SETTING_OPTIONS[name]
        if clients.value_is(kind, value, self.scope):
            self._report_once(where, f"TLS verification disabled by {client}'s setting "
                                     f"{name}; give the client the CA bundle instead")

    def _db_option_dicts(self, node: cst.Call, qualified: Optional[str]) -> None:
        for option in clients.DB_OPTION_DICTS:
            arg = (clients.argument(node, option.position, option.keyword)
                   if option.position is not None else clients.keyword(node, option.keyword))
            if arg is not None and clients.ClientOption(
                    option.client, option.keyword, FALSY, option.callees,
                    option.methods).applies_to(node, qualified):
                self._option_entries(option, option.keyword, arg.value)

    def _option_entries(self, option: clients.OptionDict, name: str,
                        value: cst.BaseExpression) -> None:
        for anchor, key, entry in self._entries(value):
            kind = option.entries.get(key)
            if kind is not None and clients.value_is(kind, entry, self.scope):
                self._report_once(anchor, f"TLS verification disabled by {option.client}'s "
                                          f"{name} entry {key}; give the client the CA bundle "
                                          "instead")
        # a parameter of a function of the module (also written as JSON): its call sites'
        sink = f"{option.client}'s {name}"
        self._option_sinks[sink] = option
        self._callers.note_sink(value, self.scope, sink)
        dumped = _json_dumped(value, self.scope)
        if dumped is not None:
            self._callers.note_sink(dumped[0], dumped[1], sink)

    def _passed_option_dicts(self) -> None:
        """The options dicts the call sites pass to a parameter that reaches an options
        dict (`connection_with_extra(extra={"verify": False})`): reported in the dict."""
        for sink, option in self._option_sinks.items():
            scopes: Dict[int, Scope] = {}

            def insecure(expr: cst.BaseExpression, scope: Scope,
                         option: clients.OptionDict = option) -> bool:
                scopes[id(expr)] = scope
                return any(key in option.entries and clients.value_is(
                    option.entries[key], value, scope)
                           for _, key, value in clients.option_entries(expr, scope))

            for arg, value, _, found_sink in self._callers.origins(insecure):
                if found_sink != sink:
                    continue
                scope = scopes.get(id(value), self.scope)
                for anchor, key, entry in clients.option_entries(value, scope):
                    kind = option.entries.get(key)
                    if kind is not None and clients.value_is(kind, entry, scope):
                        self._report_once(anchor, f"TLS verification disabled by {sink} entry "
                                                  f"{key}, passed to a function that hands it "
                                                  "on; give the client the CA bundle instead")

    def _connection_strings(self, node: cst.Call, qualified: Optional[str]) -> None:
        """A URL or DSN literal whose options turn verification off
        (`redis.from_url("rediss://h?ssl_cert_reqs=none")`), and a setting that holds one
        given as a keyword (`app.conf.update(broker_url=...)`)."""
        for arg in node.args:
            if arg.keyword is not None:
                setting = clients.STRING_SETTINGS.get(identifier(arg.keyword.value))
                if setting is not None:
                    self._string_options(arg, arg.value, *setting)
        if clients.callee_name(node) in clients.REDIS_URL_CALLEES and (
                clients.may_take_redis_url(qualified)):
            url = clients.argument(node, 0, "url")
            text = clients.template_text(url.value, self.scope) if url is not None else None
            if url is not None and text is not None and clients.is_tls_redis_url(text):
                self._string_options(url, url.value, "redis-py", clients.REDIS_READS)
        if qualified is None:
            return
        for taker in clients.CONNECTION_STRINGS:
            if not clients.ClientOption(taker.client, taker.keyword, FALSY,
                                        taker.callees).applies_to(node, qualified):
                continue
            found = (clients.argument(node, taker.position, taker.keyword)
                     if taker.position is not None else clients.keyword(node, taker.keyword))
            if found is not None:
                self._string_options(found, found.value, taker.client, taker.option_clients)

    def _string_options(self, where: cst.CSTNode, value: cst.BaseExpression, client: str,
                        reads: Tuple[str, ...]) -> None:
        """Report when the connection string `value` sets an option of the clients `reads` to
        an insecure value: at `where`, or where the string is written when `value` is a name
        bound to it (once, or more than once in its function or module: each string counts,
        `url = f"{url}?ssl_cert_reqs=CERT_NONE"`)."""
        written: List[Tuple[cst.CSTNode, cst.BaseExpression, Scope]] = [(where, value, self.scope)]
        if isinstance(value, cst.Name):
            origin, scope = values.origin(value, self.scope)
            if origin is not value:
                written = [(origin, origin, scope)]
            binding = self.scope.lookup(value.value)
            if binding is not None and binding.count > 1 and binding.qualified is None:
                name = identifier(value.value)
                written.extend((bound, bound, binding.scope) for bound
                               in clients.body_uses(binding.scope, name).bound.get(name, ()))
        for anchor, string, scope in written:
            text = clients.template_text(string, scope)
            if text is not None:
                self._options_in(anchor, text, client, reads)
                self._note_string_parameters(string, scope, client, reads)

    def _note_string_parameters(self, string: cst.BaseExpression, scope: Scope, client: str,
                                reads: Tuple[str, ...]) -> None:
        """The parts of an f-string connection string that are parameters of the function
        around it: leave_Module reads each call site's string in the part's place."""
        template, scope = values.origin(string, scope)
        if not isinstance(template, cst.FormattedString):
            return
        for index, part in enumerate(template.parts):
            if isinstance(part, cst.FormattedStringExpression) and isinstance(
                    part.expression, cst.Name):
                key = str(len(self._string_parts))
                self._string_parts[key] = (template, index, client, reads)
                self._string_callers.note_sink(part.expression, scope, key)

    def leave_Module(self, original_node: cst.Module) -> None:
        """`options = "tls=true&tlsInsecure=true"; _connect(options)` where `_connect` builds
        `f"mongodb://h/?a=b&{options}"`: reported where the string is written."""
        self._passed_option_dicts()
        if not self._string_parts:
            return
        scopes: Dict[int, Scope] = {}

        def passes_string(expr: cst.BaseExpression, scope: Scope) -> bool:
            scopes[id(expr)] = scope
            return clients.template_text(expr, scope) is not None

        for _, value, _, key in self._string_callers.origins(passes_string):
            if key not in self._string_parts:
                continue  # an options dict's sink (_passed_option_dicts)
            template, index, client, reads = self._string_parts[key]
            scope = scopes[id(value)]
            given = clients.template_text(value, scope) or ""
            text = "".join(given if at == index else part.value if isinstance(
                part, cst.FormattedStringText) else "{}" for at, part in enumerate(template.parts))
            self._options_in(values.origin(value, scope)[0], text, client, reads)

    def _options_in(self, where: cst.CSTNode, text: str, client: str,
                    reads: Tuple[str, ...]) -> None:
        for name, given in clients.connection_options(text):
            for key, (owner, kind) in clients.DICT_KEY_OPTIONS.items():
                if owner in reads and clients.option_name_is(name, key) and clients.text_is(
                        kind, given):
                    self._report_once(where, f"TLS verification disabled by the {client} "
                                             f"connection string's {name}={given}; give the "
                                             "client the CA bundle instead")

    def _splatted(self, node: cst.Call, option: clients.ClientOption) -> None:
        """The option as an entry of a `**` dict (`kw = dict(verify=False)`, `Github(**kw)`),
        reported at the entry; its bundle fix is unsafe, as the dict may serve other calls."""
        for arg in node.args:
            if arg.star != "**":
                continue
            for anchor, key, value in clients.option_entries(arg.value, self.scope):
                if key == option.keyword and clients.value_is(option.value, value, self.scope):
                    fix = (FixRequest("ca-bundle", Applicability.UNSAFE, node=value)
                           if option.client in _BUNDLE_CLIENTS else None)
                    self._report_once(anchor, f"TLS verification disabled by {option.client}'s "
                                              f"{option.keyword}, passed in **"
                                              f"{clients.callee_name(node)}() arguments; give "
                                              "the client the CA bundle instead", fix)

    def _pycurl(self, node: cst.Call) -> None:
        if clients.callee_name(node) != "setopt":
            return
        option, value = clients.positional(node, 0), clients.positional(node, 1)
        if option is None or value is None or not clients.is_curl_option(
                option.value, clients.PYCURL_OPTIONS, self.scope):
            return
        assert isinstance(option.value, cst.Attribute)
        name = identifier(option.value.attr.value)
        if self.is_falsy(value.value):
            self.report(node, f"TLS verification disabled by curl's {name}; set "
                              "CAINFO to the CA bundle instead")

    def _ldap3_defaults(self, node: cst.Call, qualified: Optional[str]) -> None:
        for where, message in ldap3_defaults.findings(node, qualified, self.scope):
            self.report(where, message)


_SEARCH_VERIFY_CERTS = clients.ClientOption("Elasticsearch/OpenSearch", "verify_certs", FALSY,
                                            clients.SEARCH_CLIENTS)


# How many merges and unpacked returns an options dict is followed through.
_MAX_MERGES = 3


def _json_dumped(value: cst.BaseExpression, scope: Scope
                 ) -> Optional[Tuple[cst.BaseExpression, Scope]]:
    """The dict `json.dumps({...})` writes (an options dict handed over as JSON text), in the
    scope it is written in."""
    value, scope = values.origin(value, scope)
    if isinstance(value, cst.Call) and scope.qualify(value.func) == "json.dumps":
        dumped = clients.positional(value, 0)
        return (dumped.value, scope) if dumped is not None else None
    return None


def _secure_with_bundle(call: cst.Call, arg: cst.Arg, bundle_keyword: str, secure: str = "True",
                        blockers: FrozenSet[str] = frozenset()) -> Optional[FixRequest]:
    """`flag=False` -> `flag=True, <bundle_keyword>=<ca-bundle>` (`secure` is the flag's secure
    literal): the client verifies against the configured bundle. Safe; offered only for an
    insecure value written as a literal in the call (`False`, `None`, `"none"`,
    `ssl.CERT_NONE`), and when the call gives no bundle yet, none of `blockers` (which would
    change what the pair means) and no `**` (it could hold the keyword twice)."""
    value = arg.value
    if not (isinstance(value, cst.SimpleString) or (
            isinstance(value, cst.Name) and identifier(value.value) in ("False", "True", "None"))
            or (isinstance(value, cst.Attribute)
                and identifier(value.attr.value) == "CERT_NONE")):
        return None
    if any(other.star == "**" or (other.keyword is not None and identifier(
            other.keyword.value) in {bundle_keyword, *blockers}) for other in call.args):
        return None
    return FixRequest("secure-and-add", node=arg, extra=("ca-bundle", secure, bundle_keyword))


def _secure_options(value: cst.BaseExpression, insecure: List[Tuple[cst.CSTNode, str]]
                    ) -> Optional[FixRequest]:
    """An options dict written in the call (`sslopt={"cert_reqs": ssl.CERT_NONE, ...}`) loses
    its insecure entries and gets `"ca_certs": <ca-bundle>`, which websocket-client's sslopt,
    tornado's ssl_options and tornado's request defaults all take. Safe: the client verifies
    against the configured bundle. Only for a display of plain string keys holding every
    insecure entry, without `**`, and with no bundle or context of its own."""
    if not insecure or not isinstance(value, cst.Dict):
        return None
    keys = []
    for element in value.elements:
        if not (isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)):
            return None
        keys.append(element.key.evaluated_value)
    if not all(any(anchor is element for element in value.elements) for anchor, _ in insecure):
        return None
    if {"ca_certs", "context"} & set(keys):
        return None
    return FixRequest("secure-dict", node=value,
                      extra=("ca-bundle", "ca_certs", *sorted({key for _, key in insecure})))


def _flip(kind: str, value: cst.BaseExpression) -> Optional[FixRequest]:
    """A wrapper flag written as the literal `False` (`True` for `insecure`) gets its secure
    value. Unsafe: which trust the wrapper then uses, and whether the caller meant to switch
    it off (a test against a self-signed server), is for a person to check."""
    literal = {FALSY: "False", TRUTHY: "True"}.get(kind)
    if literal is None or not isinstance(value, cst.Name) or identifier(value.value) != literal:
        return None
    secure = "True" if literal == "False" else "False"
    return FixRequest("secure-literal", Applicability.UNSAFE, node=value, extra=(secure,))
