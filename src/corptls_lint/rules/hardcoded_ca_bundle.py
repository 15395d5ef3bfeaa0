from __future__ import annotations

import json
import re
from typing import Iterator, Mapping, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients, fixed_paths, travel, values
from corptls_lint.analysis.scopes import dotted_name, import_roots
from corptls_lint.ftypes import Applicability, identifier
from corptls_lint.rules.base import BUNDLE, ClientUse, FileContext, FixRequest, Invalid, Rule
from corptls_lint.rules.verify_disabled_attribute import verify_targets
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import (PATH, Argument, AttributeStore, CallTo, JsonHolding,
                                         KeyedStore, KeywordArg, UrlHolding)

_CREATE_DEFAULT_CONTEXT = "ssl.create_default_context"
_LOAD_VERIFY_LOCATIONS = "load_verify_locations"
# Other clients' bundle parameters, from the tables (analysis/clients.py): the keywords that
# take a path, and the calls that take one by position or read it from a file.
_CLIENT_KEYWORDS = tuple(sorted({option.keyword for option in clients.CA_BUNDLE_OPTIONS
                                 if option.value == PATH} | set(clients.OPTION_DICT_BUNDLES)))
_CLIENT_CALLS = tuple(
    CallTo(tuple(sorted(option.methods | {name.rsplit(".", 1)[-1] for name in option.callees
                                         if not name.endswith(".")})),
           tuple(sorted({root for name in option.callees
                         for root in import_roots(name.rstrip("."))})),
           # a path given by position or keyword (a call without it is kept too)
           argument=(Argument(option.position, (option.keyword,), PATH)
                     if option.value == PATH and option.position is not None else None))
    for option in clients.CA_BUNDLE_OPTIONS
    if option.position is not None or option.value != PATH)
_CURL_ROOTS = tuple(sorted({owner.split(".", 1)[0] for owner in clients.CURL_OPTION_OWNERS}))
_BASE_WORDS = frozenset({"verify", "cafile", "capath", "ca_certs", "ca_cert_dir",
                         _LOAD_VERIFY_LOCATIONS})


def _shadows(keyword: str) -> bool:
    return keyword not in _BASE_WORDS and any(keyword in word for word in _BASE_WORDS)


# Callee names too common to stand for a shadowed keyword: their module's name stands.
_COMMON_NAMES = frozenset({"client", "Client", "connect"})


def _standing_for(name: str) -> Tuple[str, ...]:
    last = name.rsplit(".", 1)[-1]
    return import_roots(name) if last in _COMMON_NAMES else (last,)


# The byte screen's words for the tables: each keyword, except one that a base word holds
# (docker's `ca_cert`, in `ca_certs`: the screen would search it on its own in every file),
# for which the call's name stands (`TLSConfig`, under the word `TLS`; etcd3's module for its
# `client`); each positional call's name, or its module's when the name is too short to be
# rare (ldap3's `Tls`).
_TABLE_WORDS = frozenset(
    {keyword for keyword in _CLIENT_KEYWORDS if not _shadows(keyword)}
    | {word for option in clients.CA_BUNDLE_OPTIONS
       if option.value == PATH and _shadows(option.keyword) for name in option.callees
       for word in _standing_for(name)}
    | {word for shape in _CLIENT_CALLS
       for word in (shape.names if all(len(name) > 3 for name in shape.names)
                    else shape.roots)})


# Every keyword the rule reads a path from (also as a key of a `**` dict).
_KEYWORDS = tuple(sorted({"verify", "cafile", "capath", "ca_certs", "ca_cert_dir",
                          *_CLIENT_KEYWORDS}))
# The keys reported in any dict (a confluent-kafka config, Django's DATABASES OPTIONS).
_DICT_KEYS = tuple(sorted(clients.DICT_KEY_CA_PATHS))


def _looks_like_a_file(text: Optional[str]) -> bool:
    """A path written as one: a certificate file's suffix (`root.crt`), a folder in it (and no
    white space: "MySQL Connector/Python" is a name), or one that starts at a root (`/`, `~`,
    `./`, `C:\\`), which may hold spaces."""
    if not text:
        return False
    if text.lower().endswith(fixed_paths.CERTIFICATE_SUFFIXES):
        return True
    if text.startswith(("/", "~", "./", "../")) or re.match(r"[A-Za-z]:[\\/]", text):
        return True
    return ("/" in text or "\\" in text) and not any(char.isspace() for char in text)


_URL_CA_OPTIONS = frozenset(name.lower() for name in clients.URL_CA_OPTIONS)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*\Z")


def _is_url(text: str) -> bool:
    """One URL: a scheme, `://`, and no white space (not a sentence or a docstring)."""
    return _URL.match(text) is not None


def _starts_as_url(node: cst.BaseExpression) -> bool:
    """A cheap look at the first literal part (every string of a file passes here)."""
    while isinstance(node, cst.ConcatenatedString):
        node = node.left
    if isinstance(node, cst.SimpleString):
        return "://" in node.value
    return (isinstance(node, cst.FormattedString) and bool(node.parts)
            and isinstance(node.parts[0], cst.FormattedStringText)
            and "://" in node.parts[0].value)


def _json_entries(data: object) -> Iterator[Tuple[str, object]]:
    """(key, value) of every object in parsed JSON, nested ones too (`{"ssl": {...}}`)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                yield str(key), value
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _wraps_nothing(call: cst.Call) -> bool:
    """`ssl_wrap_socket(None, ca_certs=...)`: no socket to wrap, so no connection ever
    trusts the path; only the call's error path runs (a test of a bad path)."""
    sock = clients.argument(call, 0, "sock")
    return sock is not None and isinstance(sock.value, cst.Name) and identifier(
        sock.value.value) == "None"


def _shown(option: clients.BundleOption) -> str:
    """docs/clients.md's parameters column for a row of the bundle table."""
    where = ", ".join(f"`{name}*`" if name.endswith(".") else f"`{name}`"
                      for name in sorted(option.callees))
    methods = ", ".join(f"`.{method}()`" for method in sorted(option.methods))
    return f'`{option.keyword}="/path"` on {where}' + (f" or {methods}" if methods else "")


class HardcodedCABundle(Rule):
    """
    ## What it does
    Finds a hardcoded CA bundle path: a non-empty string literal, a name bound once to one, or
    an f-string or concatenation made only of literals. It is reported where it is used as:

    - `verify=` of the calls TLS101 knows (requests and httpx functions and clients, verb
      methods of unresolved receivers);
    - the value assigned to `<target>.verify`;
    - `cafile=` or `capath=` of `ssl.create_default_context`;
    - the first two arguments or `cafile=` / `capath=` of any `load_verify_locations(...)`;
    - `ca_certs=` or `ca_cert_dir=` of the urllib3 pools;
    - `verify=` of the requests-compatible clients TLS101 knows (curl_cffi, niquests,
      grequests, requests-html), as for requests;
    - other clients' bundle parameters, read from the client tables (`CA_BUNDLE_OPTIONS` in
      `analysis/clients.py`): boto3 `verify=` (`boto3.client`, `boto3.resource`, a session's
      `client` / `resource`), PyGithub `Github(verify=)`, keystoneauth `Session(verify=)`,
      hvac `Client(verify=)`, docker `TLSConfig(ca_cert=)`, Elasticsearch / OpenSearch
      `ca_certs=`, tornado `ca_certs=` (`HTTPRequest`, `fetch`), paho-mqtt
      `tls_set(ca_certs)` (also its first argument), ldap3 `Tls(ca_certs_file=)` and
      `ca_certs_path=`, httplib2 `Http(ca_certs=)`; the `ca_certs` (and websocket-client's
      `ca_cert_path`) entry of websocket-client's `sslopt={...}`, of tornado's client
      `ssl_options={...}` / `defaults={...}` (not a server's) and of paho-mqtt's
      `tls={...}` (`publish.single`, `subscribe.simple`, ...); pycurl's and curl_cffi's
      `setopt(CAINFO, path)` (and `CAPATH`, the proxy pair); grpc's
      `ssl_channel_credentials(root_certificates=...)` when the roots are read from a fixed
      path (`open("/etc/corp.pem", "rb").read()`, `Path(...).read_bytes()`, `f.read()` in
      `with open("/etc/corp.pem", "rb") as f:`, or a name bound once to such a read);
      the database and queue clients: redis-py `ssl_ca_certs=` (and the folder
      `ssl_ca_path=`), pymongo / motor / mongoengine `tlsCAFile=` (pymongo 3:
      `ssl_ca_certs=`), kafka-python `ssl_cafile=`, psycopg / psycopg2 `sslrootcert=`,
      MySQL Connector/Python and PyMySQL `ssl_ca=`;
    - the value of one of these keys in any dict (a confluent-kafka config, Django's
      `DATABASES` `OPTIONS`, a celery `broker_use_ssl`): `"ssl.ca.location"` (confluent-kafka),
      `"sslrootcert"`, `"tlsCAFile"`, `"ssl_ca_certs"`, `"ssl_cafile"`, `"ssl_ca"` (MySQL, as
      in Airflow's MySQL extras), when the value looks like a file (a folder in it, or a
      certificate suffix such as `.pem` or `.crt`): a table of option names
      (`{"sslrootcert": "sslrootcert"}`) is not a path;
    - the `ca_certs` entry of kombu's `Connection(ssl={...})` and Celery's
      `broker_use_ssl={...}`, also stored on the connection or the app (`conn.ssl = {...}`,
      `app.conf.broker_use_ssl = {...}`); aio-pika's `ssl_options={"cafile": ...}` (and
      `capath`); pymongo's `kms_tls_options={"kmip": {"tlsCAFile": ...}}` (the table
      `BUNDLE_DICTS`);
    - a CA path in a connection URL's query, wherever the URL is written
      (`"postgresql://db/app?sslrootcert=/etc/pg/root.crt"`: libpq's `sslrootcert`,
      pymongo's `tlsCAFile`, redis-py's `ssl_ca_certs`, MySQL's `ssl_ca`, aio-pika's
      `cafile`, and the folders `ssl_ca_path` and `capath`) when the value looks like a file
      (libpq's `sslrootcert=system` is the system store), or a URL whose last option is left
      open and completed with a fixed path (`"...?sslrootcert=" + CA`, reported at the path).
      A URL is one string with no white space from its scheme on: a sentence holding one is
      not.

    A relative path (`ssl_cafile="certs/ca.pem"`) counts too: it depends on the working
    directory as well as the machine. So does a path built only from fixed parts, the
    module's own `__file__` and literals joined (`os.path.join(os.path.dirname(__file__),
    "ca.pem")`, `Path(__file__).parent / "ca.pem"`, an f-string of them): given through a
    name, it is reported where it is built, naming the call it reaches. The path may also
    come in a dict passed with `**` (a display in the call, one bound to the name, its item
    stores and `update`s, or the displays of a `for` loop over them:
    `for kw in [{"ca_certs": "/a"}, ...]: HTTPSConnectionPool(host, **kw)`), reported at
    the entry; to the clients in the tables the same way. A whole copy of a dict
    (`{k: d[k] for k in d}`, `{k: v for k, v in d.items()}`, `dict(d)`, `d.copy()`,
    `copy.copy(d)`) holds its entries.

    `ssl_wrap_socket(None, ca_certs=...)` wraps no socket (only its error path runs): it is
    not reported. A pool used only for `http://` URLs is: a redirect to `https://` follows
    with the same pool settings.

    A server's context is not reported: the CA it loads checks its clients' certificates,
    which is not the client trust this rule is about. A context is a server's when its
    constructor says so (`SSLContext(PROTOCOL_TLS_SERVER)`,
    `create_default_context(Purpose.CLIENT_AUTH)`), when it is handed to a server or
    accepts connections, or wraps with `server_side=True`, or has a certificate of its own
    (`load_cert_chain`) and nothing says client (a `check_hostname` setting, a client
    constructor such as `create_default_context()`).

    An f-string with a part that is not a literal (`f"{base}/ca.pem"`) is not reported, and
    neither is anything in the trust module, the module that `ca-bundle`, `session-factory` or
    `ssl-context` names: the bundle's path belongs there.

    ## Why is this bad?
    The path only exists on some machines. Where it does not, the code fails with
    `CERTIFICATE_VERIFY_FAILED` or a `FileNotFoundError` deep in a library, on a laptop, in a
    container or after an OS upgrade, and someone "fixes" it with `verify=False`. Where it
    does exist it can go stale without anyone noticing. One configured bundle, resolved at run
    time, works everywhere.

    ## Example
    ```python
    import requests

    requests.get("https://intranet.example.com", verify="/etc/ssl/corp.pem")
    ```

    ## Use instead
    ```python
    import requests
    from corp_tls import CA_BUNDLE

    requests.get("https://intranet.example.com", verify=CA_BUNDLE)
    ```

    ## Fix
    Offered when `ca-bundle` is configured: the path becomes the configured bundle expression
    and its import is added. Safe. For an httpx `verify=` (httpx 0.28 deprecated a path there)
    the value is an SSL context: the `ssl-context` when that is configured, else
    `ssl.create_default_context(cafile=<ca-bundle>)`. A folder argument (`capath=`, `ca_cert_dir=`, the second argument of
    `load_verify_locations`, ldap3's `ca_certs_path=`, curl's `CAPATH`, websocket-client's
    `ca_cert_path`) is reported without a fix: it expects a folder of hashed
    certificates, so the bundle file belongs in `cafile=` / `ca_certs=` instead, a change of
    keyword that is left to you. For grpc the path inside `open(...)` becomes the bundle
    expression, so the roots are read from the configured bundle.

    ## Options
    - `ca-bundle`
    - `ssl-context` (httpx calls)

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - Python: SSLContext.load_verify_locations, https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_verify_locations
    - boto3: Session.client, verify, https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html
    - gRPC Python: ssl_channel_credentials, https://grpc.github.io/grpc/python/grpc.html#grpc.ssl_channel_credentials
    - ldap3: SSL and TLS, https://ldap3.readthedocs.io/en/latest/ssltls.html
    - paho-mqtt: tls_set, https://eclipse.dev/paho/files/paho.mqtt.python/html/client.html
    - PostgreSQL: libpq SSL support, sslrootcert, https://www.postgresql.org/docs/current/libpq-ssl.html
    - librdkafka: configuration properties, ssl.ca.location, https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS301"
    name = "hardcoded-ca-bundle"
    message = "hardcoded CA bundle path; use the configured CA bundle"
    triggers = (tuple(sorted(
        {word.encode() for word in _BASE_WORDS | _TABLE_WORDS | set(_DICT_KEYS)}
        | {b"setopt"})),)  # setopt(CAINFO, path)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED,
                        b"setopt": byte_patterns.called("setopt"), **{
        name.encode(): byte_patterns.assigned(name, quoted=True, insecure_if_true=False)
        for name in _TABLE_WORDS & set(_CLIENT_KEYWORDS) - _BASE_WORDS}}
    candidates = (
        KeywordArg(_KEYWORDS, PATH),
        KeyedStore(_KEYWORDS, PATH),  # `kw["ca_certs"] = "/path"` ... `Pool(**kw)`
        AttributeStore(("verify",), PATH),
        CallTo((_LOAD_VERIFY_LOCATIONS,)),
        *_CLIENT_CALLS,
        CallTo(("setopt",), _CURL_ROOTS),
        KeywordArg(_DICT_KEYS, PATH),
        UrlHolding(tuple(sorted(clients.URL_CA_OPTIONS))),  # the facts walk keeps URL strings
        JsonHolding(_DICT_KEYS),  # ... and JSON texts
    )
    has_fix = True
    fix_keys = ("ca-bundle", "ssl-context")
    exempt_in_trust_module = True

    client_uses = (
        ClientUse('requests, httpx',
                  '`verify="/path/ca.pem"`, `session.verify = "/path"`',
                  BUNDLE, '`<ca-bundle>`'),
        ClientUse('ssl (stdlib)',
                  '`create_default_context(cafile="/path")`, `load_verify_locations("/path")`',
                  BUNDLE, '`<ca-bundle>` (or `<ssl-context>`)'),
        ClientUse('urllib3',
                  '`ca_certs="/path"`, `ca_cert_dir="/path"` on the pools',
                  BUNDLE, '`<ca-bundle>`'),
        ClientUse('curl_cffi, niquests, grequests, requests-html',
                  '`verify="/path"` on their functions and sessions', BUNDLE, '`<ca-bundle>`'),
        *(ClientUse(option.client, _shown(option), BUNDLE,
                    "none (a folder)" if option.folder else '`<ca-bundle>`')
          for option in clients.CA_BUNDLE_OPTIONS if option.value == PATH),
        ClientUse('grpc', '`ssl_channel_credentials(open("/path", "rb").read())`', BUNDLE,
                  '`open(<ca-bundle>, "rb")`'),
        *(ClientUse(client, f'`{keyword}={{"ca_certs": "/path"}}`', BUNDLE, '`<ca-bundle>`')
          for keyword, (client, _, _) in clients.OPTION_DICTS.items()),
        ClientUse('pycurl, curl_cffi', '`setopt(CAINFO, "/path")`, `setopt(CAPATH, "/path")`',
                  BUNDLE, '`<ca-bundle>` (none for `CAPATH`)'),
        *(ClientUse(client, f'`"{key}": "/path"` in any dict', BUNDLE, '`<ca-bundle>`')
          for key, client in clients.DICT_KEY_CA_PATHS.items()),
        ClientUse('kombu, Celery', '`Connection(ssl={"ca_certs": "/path"})`, '
                  '`broker_use_ssl={"ca_certs": "/path"}`, `conn.ssl = {...}`', BUNDLE,
                  '`<ca-bundle>`'),
        *(ClientUse(option.client, f'`{option.keyword}={{"{key}": "/path"}}`'
                    if not option.nested else
                    f'`{option.keyword}={{"name": {{"{key}": "/path"}}}}`', BUNDLE,
                    "none (a folder)" if folder else '`<ca-bundle>`')
          for option in clients.BUNDLE_DICTS for key, folder in option.entries.items()),
        ClientUse('libpq, pymongo, redis-py, MySQL, aio-pika (connection URLs)',
                  ', '.join(f'`?{name}=/path`' for name in sorted(clients.URL_CA_OPTIONS))
                  + ' in a URL written anywhere', BUNDLE, 'none'),
    )

    VALID = [
        # JSON text naming a store, not a file; and text that is not JSON at all
        "conn.set_extra('{\"sslrootcert\": \"system\", \"ssl_ca_certs\": null}')\n"
        "HELP = '{ssl_ca_certs: /etc/redis/ca.pem}'\n",
        "import requests\nrequests.get(url, verify=CA_BUNDLE)\n",
        "import requests, os\nrequests.get(url, verify=os.environ['REQUESTS_CA_BUNDLE'])\n",
        "import requests\nrequests.get(url, verify=f'{base}/ca.pem')\n",
        "import ssl\nssl.create_default_context(cafile=certifi.where())\n",
        "import jwt\njwt.decode(token, verify='yes')\n",
        "ctx.load_verify_locations(cadata=pem_text)\n",
        "import boto3\ns3 = boto3.client('s3', verify=CA_BUNDLE)\n",
        "import redis\nr = redis.Redis(host, ssl=True, ssl_ca_certs=CA_BUNDLE)\n",
        "import certifi, pymongo\npymongo.MongoClient(uri, tlsCAFile=certifi.where())\n",
        "settings = {'ssl.ca.location': os.environ['KAFKA_CA']}\n",
        "import grpc\ncreds = grpc.ssl_channel_credentials(open(path, 'rb').read())\n",
        "import paho.mqtt.client as mqtt\nclient = mqtt.Client()\nclient.tls_set(ca_certs=None)\n",
        "from tornado.httpserver import HTTPServer\n"
        "HTTPServer(app, ssl_options={'certfile': c, 'ca_certs': '/etc/ssl/clients.pem'})\n",
        # a server checking its clients' certificates against a fixed CA
        "import ssl\nctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
        "ctx.load_cert_chain('server.pem', 'server.key')\n"
        "ctx.load_verify_locations('/etc/ssl/clients-ca.pem')\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
        "ctx.load_verify_locations(cafile='/etc/ssl/clients-ca.pem')\n",
        "import ssl\nctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile='/etc/ssl/clients-ca.pem')\n",
        # a folder that comes from elsewhere (a fixture's), joined with a literal file name
        "import os, ssl\n"
        "ctx = ssl.create_default_context(cafile=os.path.join(tmp_dir, 'ca.pem'))\n",
        # a `**` dict and a loop's dicts without a CA path
        "import urllib3\nfor kw in [{'ca_certs': CA}, {'ssl_context': ctx}]:\n"
        "    urllib3.HTTPSConnectionPool(host, **kw)\n",
        # a test that a missing file is rejected
        "import pytest, ssl\nwith pytest.raises(FileNotFoundError):\n"
        "    ssl.create_default_context(cafile='/nowhere/ca.pem')\n",
        # a wrap of no socket only runs its error path
        "from urllib3.util import ssl_wrap_socket\nssl_wrap_socket(None, ca_certs='/tmp/missing.pem')\n",
        # libpq's system store; a URL inside a sentence is not a connection string
        "import psycopg\nconn = psycopg.connect('postgresql://db/app?sslmode=verify-full&sslrootcert=system')\n"
        "log.info('connect with postgresql://db/app?sslrootcert=/etc/pg/root.crt')\n",
        # expected URLs: a URL object in an assertion, a parametrized case read only there
        "from yarl import URL\nassert make_url(opts) == URL('amqps://h/?cafile=/etc/ca.pem')\n",
        "import pytest\n"
        "@pytest.mark.parametrize('params, expected', [({}, 'mysql://h/db?ssl_ca=/etc/ca.pem')])\n"
        "def test_uri(params, expected):\n    assert get_uri(params) == expected\n",
        # an options dict under a local name, handed to no client the tables know
        "sslopt = {'ca_certs': '/does/not/exist'}\nwrap_sni_socket(sock, sslopt)\n",
    ]
    INVALID = [
        Invalid(
            "import requests\n"
            "requests.get(url, verify='/etc/ssl/corp.pem')\n",
            [(2, 19)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "CA = '/etc/ssl/' 'corp.pem'\n"
            "s = requests.Session()\n"
            "s.verify = CA\n",
            [(4, 1)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "CA = '/etc/ssl/' 'corp.pem'\n"
            "s = requests.Session()\n"
            "s.verify = CA_BUNDLE\n"),
        Invalid(
            "import ssl\n"
            "ctx = ssl.create_default_context(cafile='/etc/ssl/corp.pem')\n",
            [(2, 34)],
            "import ssl\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "ctx = ssl.create_default_context(cafile=CA_BUNDLE)\n"),
        Invalid(
            "ctx.load_verify_locations('/etc/ssl/corp.pem')\n",
            [(1, 27)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "ctx.load_verify_locations(CA_BUNDLE)\n"),
        Invalid(
            "ctx.load_verify_locations(capath='/etc/ssl/certs')\n",
            [(1, 27)]),
        Invalid(
            "import urllib3\n"
            "urllib3.PoolManager(\n"
            "    ca_certs='/etc/ssl/corp.pem',\n"
            ")\n",
            [(3, 5)],
            "import urllib3\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "urllib3.PoolManager(\n"
            "    ca_certs=CA_BUNDLE,\n"
            ")\n"),
        Invalid(
            "import httpx\n"
            "DIR = '/etc/ssl'\n"
            "httpx.get(url, verify=f'{DIR}/corp.pem')\n",
            [(3, 16)],
            "import httpx\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "DIR = '/etc/ssl'\n"
            "httpx.get(url, verify=ssl_context())\n"),
        Invalid(
            "import requests\n"
            "from corp_tls import CA_BUNDLE\n"
            "requests.get(\n"
            "    url,\n"
            "    verify='/etc/ssl/corp.pem',  # moved in 2021\n"
            ")\n",
            [(5, 5)],
            "import requests\n"
            "from corp_tls import CA_BUNDLE\n"
            "requests.get(\n"
            "    url,\n"
            "    verify=CA_BUNDLE,  # moved in 2021\n"
            ")\n"),
        Invalid(
            "import boto3 as aws\n"
            "s3 = aws.client(\n"
            "    's3',\n"
            "    endpoint_url='https://minio.corp',\n"
            "    verify='/etc/pki/corp.pem',\n"
            ")\n",
            [(5, 5)],
            "import boto3 as aws\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "s3 = aws.client(\n"
            "    's3',\n"
            "    endpoint_url='https://minio.corp',\n"
            "    verify=CA_BUNDLE,\n"
            ")\n"),
        Invalid(
            "from curl_cffi import requests\n"
            "requests.Session(verify='/etc/ssl/corp.pem')\n",
            [(2, 18)],
            "from curl_cffi import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.Session(verify=CA_BUNDLE)\n"),
        Invalid(
            "import hvac\n"
            "from github import Github\n"
            "vault = hvac.Client(url=url, verify='/etc/ssl/corp.pem')\n"
            "gh = Github(base_url=api, verify='/etc/ssl/corp.pem')\n",
            [(3, 30), (4, 27)],
            "import hvac\n"
            "from github import Github\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "vault = hvac.Client(url=url, verify=CA_BUNDLE)\n"
            "gh = Github(base_url=api, verify=CA_BUNDLE)\n"),
        Invalid(
            "import grpc\n"
            "creds = grpc.ssl_channel_credentials(open('/etc/ssl/corp.pem', 'rb').read())\n",
            [(2, 38)],
            "import grpc\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "creds = grpc.ssl_channel_credentials(open(CA_BUNDLE, 'rb').read())\n"),
        Invalid(
            "import paho.mqtt.client as mqtt\n"
            "from ldap3 import Tls\n"
            "import ssl\n"
            "client = mqtt.Client()\n"
            "client.tls_set('/etc/ssl/corp.pem')\n"
            "tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file='/etc/ssl/corp.pem')\n",
            [(5, 16), (6, 39)],
            "import paho.mqtt.client as mqtt\n"
            "from ldap3 import Tls\n"
            "import ssl\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "client = mqtt.Client()\n"
            "client.tls_set(CA_BUNDLE)\n"
            "tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=CA_BUNDLE)\n"),
        Invalid(
            "import pycurl, websocket\n"
            "c = pycurl.Curl()\n"
            "c.setopt(pycurl.CAINFO, '/etc/ssl/corp.pem')\n"
            "ws = websocket.create_connection(url, sslopt={'ca_certs': '/etc/ssl/corp.pem'})\n",
            [(3, 25), (4, 47)],
            "import pycurl, websocket\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "c = pycurl.Curl()\n"
            "c.setopt(pycurl.CAINFO, CA_BUNDLE)\n"
            "ws = websocket.create_connection(url, sslopt={'ca_certs': CA_BUNDLE})\n"),
        Invalid(
            "import docker\n"
            "from elasticsearch import Elasticsearch\n"
            "tls = docker.tls.TLSConfig(ca_cert='/etc/docker/ca.pem', verify=True)\n"
            "es = Elasticsearch(hosts, ca_certs='/etc/ssl/corp.pem')\n",
            [(3, 28), (4, 27)],
            "import docker\n"
            "from elasticsearch import Elasticsearch\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "tls = docker.tls.TLSConfig(ca_cert=CA_BUNDLE, verify=True)\n"
            "es = Elasticsearch(hosts, ca_certs=CA_BUNDLE)\n"),
        Invalid(
            "from kafka import KafkaConsumer as Consumer\n"
            "c = Consumer('t', security_protocol='SSL', ssl_cafile='certs/ca.pem')\n",
            [(2, 44)],
            "from kafka import KafkaConsumer as Consumer\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "c = Consumer('t', security_protocol='SSL', ssl_cafile=CA_BUNDLE)\n"),
        Invalid(
            "from confluent_kafka import Producer\n"
            "conf = {\n"
            "    'bootstrap.servers': servers,\n"
            "    'ssl.ca.location': '/etc/ssl/kafka-ca.pem',\n"
            "}\n"
            "p = Producer(conf)\n",
            [(4, 5)],
            "from confluent_kafka import Producer\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "conf = {\n"
            "    'bootstrap.servers': servers,\n"
            "    'ssl.ca.location': CA_BUNDLE,\n"
            "}\n"
            "p = Producer(conf)\n"),
        Invalid(
            "import psycopg2\n"
            "conn = psycopg2.connect(dsn, sslmode='verify-full', sslrootcert='/etc/pg/root.crt')\n",
            [(2, 53)],
            "import psycopg2\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "conn = psycopg2.connect(dsn, sslmode='verify-full', sslrootcert=CA_BUNDLE)\n"),
        # a path built from fixed parts: in the call, or through a name (reported where it is
        # built, an unsafe fix there)
        Invalid(
            "import os, ssl\n"
            "ctx = ssl.create_default_context(cafile=os.path.join(os.path.dirname(__file__),"
            " 'ca.pem'))\n",
            [(2, 34)],
            "import ssl\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "ctx = ssl.create_default_context(cafile=CA_BUNDLE)\n"),
        Invalid(
            "import os, ssl\n"
            "CA = os.path.join(os.path.dirname(__file__), 'certs', 'ca.pem')\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.load_verify_locations(CA)\n",
            [(2, 6)],
            "import ssl\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "CA = CA_BUNDLE\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.load_verify_locations(CA)\n"),
        # the path as an entry of a dict passed with `**`, or of the dicts a loop passes so
        # (unsafe fixes: the dicts may serve other calls)
        Invalid(
            "import urllib3\n"
            "ssl_kw = {'cert_reqs': 'CERT_REQUIRED', 'ca_certs': '/root/ca.pem'}\n"
            "pool = urllib3.PoolManager(5, **ssl_kw)\n"
            "for kw in [{'ca_certs': '/a'}, {'ssl_context': ctx}]:\n"
            "    urllib3.HTTPSConnectionPool(host, **kw)\n",
            [(2, 41), (4, 13)],
            "import urllib3\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "ssl_kw = {'cert_reqs': 'CERT_REQUIRED', 'ca_certs': CA_BUNDLE}\n"
            "pool = urllib3.PoolManager(5, **ssl_kw)\n"
            "for kw in [{'ca_certs': CA_BUNDLE}, {'ssl_context': ctx}]:\n"
            "    urllib3.HTTPSConnectionPool(host, **kw)\n"),
        # a test expecting a TLS error (not a missing file) still pins the path
        Invalid(
            "import urllib3, pytest\n"
            "with pytest.raises(urllib3.exceptions.SSLError):\n"
            "    urllib3.PoolManager(ca_certs='tests/certs/ca.crt')\n",
            [(3, 25)],
            "import urllib3, pytest\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "with pytest.raises(urllib3.exceptions.SSLError):\n"
            "    urllib3.PoolManager(ca_certs=CA_BUNDLE)\n"),
        # a CA folder: reported, no bundle-file fix
        Invalid(
            "import redis.asyncio as aioredis\n"
            "r = aioredis.Redis(ssl=True, ssl_ca_path='/etc/ssl/certs')\n",
            [(2, 30)]),
        # kombu's and Celery's ssl dicts (also a copy of one, and stored on the app or
        # connection)
        Invalid(
            "import ssl\n"
            "from kombu import Connection\n"
            "opts = {'ca_certs': '/etc/pki/ca.crt', 'cert_reqs': ssl.CERT_REQUIRED}\n"
            "conn = Connection('amqps://', ssl={k: opts[k] for k in opts})\n"
            "app.conf.broker_use_ssl = {'ca_certs': 'certs/ca.pem'}\n",
            [(3, 9), (5, 28)],
            "import ssl\n"
            "from kombu import Connection\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "opts = {'ca_certs': CA_BUNDLE, 'cert_reqs': ssl.CERT_REQUIRED}\n"
            "conn = Connection('amqps://', ssl={k: opts[k] for k in opts})\n"
            "app.conf.broker_use_ssl = {'ca_certs': CA_BUNDLE}\n"),
        # aio-pika's ssl_options, pymongo's kms_tls_options, MySQL's ssl_ca in any dict
        Invalid(
            "import aio_pika, json\n"
            "from pymongo.encryption_options import AutoEncryptionOpts\n"
            "conn = aio_pika.connect_robust(url, ssl_options={'cafile': '/etc/rabbitmq/ca.pem'})\n"
            "opts = AutoEncryptionOpts(kms, 'k.d', kms_tls_options={'kmip': {'tlsCAFile': '/etc/kmip/ca.pem'}})\n"
            "extra = json.dumps({'client': 'mysql-connector-python', 'ssl_ca': '/etc/mysql/ca.pem'})\n",
            [(3, 50), (4, 65), (5, 57)],
            "import aio_pika, json\n"
            "from pymongo.encryption_options import AutoEncryptionOpts\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "conn = aio_pika.connect_robust(url, ssl_options={'cafile': CA_BUNDLE})\n"
            "opts = AutoEncryptionOpts(kms, 'k.d', kms_tls_options={'kmip': {'tlsCAFile': CA_BUNDLE}})\n"
            "extra = json.dumps({'client': 'mysql-connector-python', 'ssl_ca': CA_BUNDLE})\n"),
        # JSON text of an options object (an Airflow connection's extra), reported at the
        # key inside the string (no fix: the text is not Python)
        Invalid(
            "from airflow.models import Connection\n"
            "conn = Connection(conn_id='redis', conn_type='redis')\n"
            "conn.set_extra(\"\"\"{\n"
            "    \"ssl\": true,\n"
            "    \"ssl_ca_certs\": \"/etc/redis/ca.pem\"\n"
            "}\"\"\")\n"
            "extra = '{\"ssl\": {\"ssl_ca\": \"/etc/mysql/ca.pem\"}}'\n",
            [(5, 5), (7, 19)]),
        # a CA path in a connection URL's query, or a fixed path completing it (no fix: the
        # URL is one string)
        Invalid(
            "import asyncpg, os, psycopg\n"
            "CA = os.path.join(os.path.dirname(__file__), 'certs', 'ca.pem')\n"
            "conn = psycopg.connect('postgresql://db/app?sslmode=verify-full&sslrootcert=/etc/pg/root.crt')\n"
            "pool = asyncpg.create_pool('postgresql://db/app?sslrootcert=' + CA)\n",
            [(3, 24), (4, 65)]),
        # a pool used only for http:// URLs: a redirect to https:// keeps its settings
        Invalid(
            "import urllib3\n"
            "with urllib3.PoolManager(ca_certs='/etc/ssl/corp.pem') as http:\n"
            "    http.request('GET', 'http://intranet.example.com/')\n",
            [(2, 26)],
            "import urllib3\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "with urllib3.PoolManager(ca_certs=CA_BUNDLE) as http:\n"
            "    http.request('GET', 'http://intranet.example.com/')\n"),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._sink = "a call"  # the call being checked, named at an origin it reaches
        self._concatenated: Set[int] = set()  # ids of the parts of a concatenated string

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        self._sink = clients.sink_name(node, qualified)
        if clients.takes_verify(node, qualified):
            self._check(clients.keyword(node, "verify"), clients.verify_fix_kind(qualified))
            self._splatted(node, "verify", clients.verify_fix_kind(qualified))
        elif qualified == _CREATE_DEFAULT_CONTEXT:
            if clients.is_server_context_call(node, self.scope):
                return  # a server's CA for its clients' certificates: not client trust
            self._check(clients.keyword(node, "cafile"))
            self._check(clients.keyword(node, "capath"), fix_kind=None)
        elif qualified in clients.URLLIB3_POOLS:
            self._check(clients.keyword(node, "ca_certs"))
            self._check(clients.keyword(node, "ca_cert_dir"), fix_kind=None)
            self._splatted(node, "ca_certs")
            self._splatted(node, "ca_cert_dir", fix_kind=None)
        elif (qualified is None and isinstance(node.func, cst.Attribute)
              and identifier(node.func.attr.value) == _LOAD_VERIFY_LOCATIONS):
            owner = dotted_name(node.func.value)
            if owner is not None and clients.body_uses(self.scope, owner).is_server(owner,
                                                                                     self.scope):
                return
            self._check(clients.argument(node, 0, "cafile"))
            self._check(clients.argument(node, 1, "capath"), fix_kind=None)
        else:
            self._other_clients(node, qualified)

    def _other_clients(self, node: cst.Call, qualified: Optional[str]) -> None:
        """The bundle parameters of the clients in the tables: keywords (or positions), the
        entries of their options dicts, curl's CAINFO, grpc's roots read from a file."""
        if qualified in clients.URLLIB3_WRAP_SOCKET and _wraps_nothing(node):
            return
        for option in clients.applicable(clients.CA_BUNDLE_OPTIONS, node, qualified):
            arg = (clients.argument(node, option.position, option.keyword)
                   if option.position is not None else clients.keyword(node, option.keyword))
            message = (f"hardcoded CA bundle path in {option.client}'s {option.keyword}; "
                       "use the configured CA bundle")
            if arg is None:
                if option.value == PATH:
                    self._splatted(node, option.keyword, None if option.folder else "ca-bundle",
                                   message)
                continue
            if option.value == clients.FILE_READ:
                path = clients.file_read(arg.value, self.scope)
                if path is not None and self.is_hardcoded_path(path):
                    self.report(arg, message, FixRequest("ca-bundle", node=path))
            else:
                self._check(arg, None if option.folder else "ca-bundle", message)
        if not clients.is_server_callee(node):
            for keyword, (client, callees, methods) in clients.OPTION_DICTS.items():
                arg = clients.keyword(node, keyword)
                if arg is None or not clients.ClientOption(
                        client, keyword, PATH, callees, methods).applies_to(node, qualified):
                    continue
                self._option_dict(arg.value, client, keyword)
            for db_option in clients.DB_OPTION_DICTS:
                arg = clients.keyword(node, db_option.keyword)
                if (arg is not None and db_option.client in clients.SSL_DICT_BUNDLE_CLIENTS
                        and clients.ClientOption(db_option.client, db_option.keyword, PATH,
                                                 db_option.callees, db_option.methods
                                                 ).applies_to(node, qualified)):
                    self._option_dict(arg.value, db_option.client, db_option.keyword)
            for bundle_dict in clients.BUNDLE_DICTS:
                arg = clients.keyword(node, bundle_dict.keyword)
                if arg is None or qualified not in bundle_dict.callees:
                    continue
                inner = ([entry for _, _, entry in clients.option_entries(arg.value, self.scope)]
                         if bundle_dict.nested else [arg.value])
                for options in inner:
                    self._option_dict(options, bundle_dict.client, bundle_dict.keyword,
                                      bundle_dict.entries)
        if clients.callee_name(node) == "setopt":
            option_arg, given = clients.positional(node, 0), clients.positional(node, 1)
            if option_arg is not None and clients.is_curl_option(
                    option_arg.value, clients.CURL_BUNDLE_OPTIONS, self.scope):
                assert isinstance(option_arg.value, cst.Attribute)
                name = identifier(option_arg.value.attr.value)
                self._check(given, None if clients.CURL_BUNDLE_OPTIONS[name] else "ca-bundle",
                            f"hardcoded CA bundle path in curl's {name}; use the configured "
                            "CA bundle")

    def _option_dict(self, value: cst.BaseExpression, client: str, keyword: str,
                     entries: Mapping[str, bool] = clients.OPTION_DICT_BUNDLES) -> None:
        """The bundle entries (`"ca_certs": "/path"`; True: a folder) of a client's options
        dict."""
        for anchor, key, entry in clients.option_entries(value, self.scope):
            if key in entries and self.is_hardcoded_path(entry):
                fix = None if entries[key] else FixRequest("ca-bundle", node=entry)
                self.report(anchor, f"hardcoded CA bundle path in {client}'s {keyword} "
                                    f"entry {key}; use the configured CA bundle", fix)

    # -- a CA path in a connection URL's query ----------------------------------------------
    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        # the whole, not its parts (`"a" "b" "c"` nests the second in the first)
        self._concatenated.update((id(node.left), id(node.right)))
        if id(node) not in self._concatenated:
            self._url(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) not in self._concatenated:
            self._url(node)
            self._json_text(node)

    def _json_text(self, node: cst.SimpleString) -> None:
        """`'{"ssl_ca_certs": "/etc/ca.pem"}'`: an options object written as JSON text (an
        Airflow connection's extra, `conn.set_extra('{...}')`), reported at the key inside
        the string; no fix (the text is not Python)."""
        if "{" not in node.value[:8]:  # cheap: most strings are not JSON objects
            return
        try:
            text = node.evaluated_value
            data = json.loads(text) if isinstance(text, str) and text.lstrip()[:1] == "{" else None
        except (ValueError, RecursionError):
            return
        for key, value in _json_entries(data):
            if key not in clients.DICT_KEY_CA_PATHS or not (
                    isinstance(value, str) and _looks_like_a_file(value)):
                continue
            at = node.value.find(f'"{key}"')
            if at < 0:  # written with escapes: found, but not placed
                at = 0
            before = node.value[:at]
            lines = before.count("\n")
            column = at - (before.rfind("\n") + 1) if lines else at
            self.report(node, f"hardcoded CA bundle path in JSON text's {key}; use the "
                              "configured CA bundle", inside=(lines, column))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if id(node) not in self._concatenated:
            self._url(node)

    def _url(self, node: cst.BaseExpression) -> None:
        """`"postgresql://h/db?sslrootcert=/etc/pg/root.crt"`: a connection URL written with
        a CA path in its query, wherever it goes (a client, a setting, a test helper). The
        value must look like a file: libpq's `sslrootcert=system` is the system store."""
        if not _starts_as_url(node):
            return
        text = clients.template_text(node, self.scope)
        if text is None or not _is_url(text):
            return
        for name, value in clients.connection_options(text):
            if name.lower() in _URL_CA_OPTIONS and "{}" not in value and (
                    _looks_like_a_file(value)):
                self.report(node, f"hardcoded CA bundle path in a connection URL's {name}; use "
                                  "the configured CA bundle")

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        """`"postgresql://h/db?sslrootcert=" + CA_FILE`: the URL's last option left open for
        a fixed path; reported at the path."""
        if not isinstance(node.operator, cst.Add):
            return
        text = clients.template_text(node.left, self.scope)
        if text is None or not _is_url(text) or not text.endswith("="):
            return
        options = list(clients.connection_options(text))
        if (options and options[-1][1] == "" and options[-1][0].lower() in _URL_CA_OPTIONS
                and (self.is_hardcoded_path(node.right)
                     or fixed_paths.is_fixed_path(node.right, self.scope))):
            self.report(node.right, f"hardcoded CA bundle path in a connection URL's "
                                    f"{options[-1][0]}; use the configured CA bundle")

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """`{"ssl.ca.location": "/path"}` in any dict (a confluent-kafka config, Django's
        DATABASES OPTIONS, celery's broker_use_ssl). With no client call to say what the
        value is, it must look like a file: a table of option names
        (`{"sslrootcert": "sslrootcert"}`) is not a path."""
        if isinstance(node.key, cst.SimpleString) and values.string_value(
                node.key, self.scope) in clients.DICT_KEY_CA_PATHS and _looks_like_a_file(
                values.string_value(node.value, self.scope)):
            self.report(node, fix=FixRequest("ca-bundle", node=node.value))

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.is_hardcoded_path(node.value):
            for target in verify_targets(node):
                self.report(target, fix=FixRequest("ca-bundle", node=node.value))
            return
        for assigned in node.targets:
            # an options dict stored on the client or app that reads it: `conn.ssl = {...}`
            # (kombu's Connection), `app.conf.broker_use_ssl = {...}`; not a local name (a
            # test's `sslopt = {...}` handed to a private helper is not a client's option)
            if not isinstance(assigned.target, cst.Attribute):
                continue
            name = identifier(assigned.target.attr.value)
            stored = clients.OPTION_DICT_STORES.get(name)
            if stored is not None:
                self._option_dict(node.value, stored.client, name)
            elif name == "ssl":
                self._option_dict(node.value, "kombu", "ssl")

    def _check(self, arg: Optional[cst.Arg], fix_kind: Optional[str] = "ca-bundle",
               message: Optional[str] = None) -> None:
        """Report a hardcoded path; `fix_kind` None for a folder, which a bundle cannot replace.
        A path built from fixed parts (`os.path.join(os.path.dirname(__file__), "ca.pem")`)
        counts too: through a name, it is reported where it is built, naming the call."""
        if arg is None:
            return
        if self.is_hardcoded_path(arg.value):
            fix = FixRequest(fix_kind, node=arg.value) if fix_kind else None
            self.report(arg, message, fix)
        elif fixed_paths.is_fixed_path(arg.value, self.scope):
            built, _ = values.origin(arg.value, self.scope)
            if built is arg.value:
                self.report(arg, message, FixRequest(fix_kind, node=built) if fix_kind else None)
            else:  # the name may serve other uses: its fix is unsafe
                self.report(built, f"hardcoded CA bundle path built here reaches {self._sink}(); "
                                   "use the configured CA bundle",
                            FixRequest(fix_kind, Applicability.UNSAFE, node=built)
                            if fix_kind else None)

    def _splatted(self, node: cst.Call, keyword: str, fix_kind: Optional[str] = "ca-bundle",
                  message: Optional[str] = None) -> None:
        """The path as an entry of a dict passed with `**`: written in the call, bound to the
        name (one display or several, item stores, `update`), or one of the displays a loop
        takes the name from (`for kw in [{"ca_certs": "/a"}, ...]: Pool(**kw)`); reported at
        the entry, with an unsafe fix (the dict may serve other calls)."""
        for anchor, value in travel.double_star_values(node, keyword, self.scope):
            if not (isinstance(anchor, cst.Arg) and isinstance(anchor.value, cst.Name)):
                self._splatted_entry(anchor, value, fix_kind, message)  # else a name's: below
        for anchor, value in travel.splatted_values(node, keyword, self.scope,
                                                    self.is_hardcoded_path, single_display=True):
            self._splatted_entry(anchor, value, fix_kind, message)

    def _splatted_entry(self, anchor: cst.CSTNode, value: cst.BaseExpression,
                        fix_kind: Optional[str], message: Optional[str]) -> None:
        if self.is_hardcoded_path(value):
            self.report(anchor, message or f"hardcoded CA bundle path passed in ** to "
                                           f"{self._sink}(); use the configured CA bundle",
                        FixRequest(fix_kind, Applicability.UNSAFE, node=value)
                        if fix_kind else None)
