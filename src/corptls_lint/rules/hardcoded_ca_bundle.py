from __future__ import annotations

from typing import Optional

import libcst as cst

from corptls_lint.analysis import clients, values
from corptls_lint.analysis.scopes import dotted_name
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import BUNDLE, ClientUse, FixRequest, Invalid, Rule
from corptls_lint.rules.verify_disabled_attribute import verify_targets
from corptls_lint.screens.shapes import PATH, AttributeStore, CallTo, KeywordArg

_CREATE_DEFAULT_CONTEXT = "ssl.create_default_context"
_LOAD_VERIFY_LOCATIONS = "load_verify_locations"
# The database and queue clients' CA keywords and the keys reported in any dict.
_CLIENT_WORDS = tuple(sorted({option.keyword for option in (*clients.CA_PATH_OPTIONS,
                                                             *clients.CA_FOLDER_OPTIONS)}
                             | set(clients.DICT_KEY_CA_PATHS)))


_CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".cert", ".der", ".bundle", ".p7b")


def _looks_like_a_file(text: Optional[str]) -> bool:
    """A path written as one: a folder in it, or a certificate file's suffix (`root.crt`)."""
    if not text:
        return False
    return "/" in text or "\\" in text or text.lower().endswith(_CERTIFICATE_SUFFIXES)


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
    - the CA keywords of the database and queue clients: redis-py `ssl_ca_certs=` (and the
      folder `ssl_ca_path=`), pymongo / motor / mongoengine `tlsCAFile=` (pymongo 3:
      `ssl_ca_certs=`), kafka-python `ssl_cafile=`, psycopg / psycopg2 `sslrootcert=`,
      MySQL Connector/Python and PyMySQL `ssl_ca=`;
    - the value of one of these keys in any dict (a confluent-kafka config, Django's
      `DATABASES` `OPTIONS`, a celery `broker_use_ssl`): `"ssl.ca.location"` (confluent-kafka),
      `"sslrootcert"`, `"tlsCAFile"`, `"ssl_ca_certs"`, `"ssl_cafile"`, when the value looks
      like a file (a folder in it, or a certificate suffix such as `.pem` or `.crt`): a table
      of option names (`{"sslrootcert": "sslrootcert"}`) is not a path.

    A relative path (`ssl_cafile="certs/ca.pem"`) counts too: it depends on the working
    directory as well as the machine.

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
    `load_verify_locations`) is reported without a fix: it expects a folder of hashed
    certificates, so the bundle file belongs in `cafile=` / `ca_certs=` instead, a change of
    keyword that is left to you.

    ## Options
    - `ca-bundle`
    - `ssl-context` (httpx calls)

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - Python: SSLContext.load_verify_locations, https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_verify_locations
    - PostgreSQL: libpq SSL support, sslrootcert, https://www.postgresql.org/docs/current/libpq-ssl.html
    - librdkafka: configuration properties, ssl.ca.location, https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS301"
    name = "hardcoded-ca-bundle"
    message = "hardcoded CA bundle path; use the configured CA bundle"
    triggers = ((b"verify", b"cafile", b"capath", b"ca_certs", b"ca_cert_dir",
                 _LOAD_VERIFY_LOCATIONS.encode(), *(word.encode() for word in _CLIENT_WORDS)),)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED}
    candidates = (
        KeywordArg(("verify", "cafile", "capath", "ca_certs", "ca_cert_dir"), PATH),
        AttributeStore(("verify",), PATH),
        CallTo((_LOAD_VERIFY_LOCATIONS,)),
        KeywordArg(_CLIENT_WORDS, PATH),
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
        *(ClientUse(option.client, f'`{option.keyword}="/path"` on '
                    + ", ".join(f"`{name}*`" if name.endswith(".") else f"`{name}`"
                                for name in sorted(option.callees)),
                    BUNDLE, '`<ca-bundle>`' if option in clients.CA_PATH_OPTIONS else "none")
          for option in (*clients.CA_PATH_OPTIONS, *clients.CA_FOLDER_OPTIONS)),
        *(ClientUse(client, f'`"{key}": "/path"` in any dict', BUNDLE, '`<ca-bundle>`')
          for key, client in clients.DICT_KEY_CA_PATHS.items()),
    )

    VALID = [
        "import requests\nrequests.get(url, verify=CA_BUNDLE)\n",
        "import requests, os\nrequests.get(url, verify=os.environ['REQUESTS_CA_BUNDLE'])\n",
        "import requests\nrequests.get(url, verify=f'{base}/ca.pem')\n",
        "import ssl\nssl.create_default_context(cafile=certifi.where())\n",
        "import jwt\njwt.decode(token, verify='yes')\n",
        "ctx.load_verify_locations(cadata=pem_text)\n",
        "import redis\nr = redis.Redis(host, ssl=True, ssl_ca_certs=CA_BUNDLE)\n",
        "import certifi, pymongo\npymongo.MongoClient(uri, tlsCAFile=certifi.where())\n",
        "settings = {'ssl.ca.location': os.environ['KAFKA_CA']}\n",
        # a server checking its clients' certificates against a fixed CA
        "import ssl\nctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
        "ctx.load_cert_chain('server.pem', 'server.key')\n"
        "ctx.load_verify_locations('/etc/ssl/clients-ca.pem')\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
        "ctx.load_verify_locations(cafile='/etc/ssl/clients-ca.pem')\n",
        "import ssl\nctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile='/etc/ssl/clients-ca.pem')\n",
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
            "import redis.asyncio as aioredis\n"
            "conn = psycopg2.connect(dsn, sslmode='verify-full', sslrootcert='/etc/pg/root.crt')\n"
            "r = aioredis.Redis(ssl=True, ssl_ca_path='/etc/ssl/certs')\n",
            [(3, 53), (4, 30)],
            "import psycopg2\n"
            "import redis.asyncio as aioredis\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "conn = psycopg2.connect(dsn, sslmode='verify-full', sslrootcert=CA_BUNDLE)\n"
            "r = aioredis.Redis(ssl=True, ssl_ca_path='/etc/ssl/certs')\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if clients.takes_verify(node, qualified):
            self._check(clients.keyword(node, "verify"), clients.verify_fix_kind(qualified))
        elif qualified == _CREATE_DEFAULT_CONTEXT:
            if clients.is_server_context_call(node, self.scope):
                return  # a server's CA for its clients' certificates: not client trust
            self._check(clients.keyword(node, "cafile"))
            self._check(clients.keyword(node, "capath"), fix_kind=None)
        elif qualified in clients.URLLIB3_POOLS:
            self._check(clients.keyword(node, "ca_certs"))
            self._check(clients.keyword(node, "ca_cert_dir"), fix_kind=None)
        elif (qualified is None and isinstance(node.func, cst.Attribute)
              and identifier(node.func.attr.value) == _LOAD_VERIFY_LOCATIONS):
            owner = dotted_name(node.func.value)
            if owner is not None and clients.body_uses(self.scope, owner).is_server(owner,
                                                                                     self.scope):
                return
            self._check(clients.argument(node, 0, "cafile"))
            self._check(clients.argument(node, 1, "capath"), fix_kind=None)
        for option in clients.CA_PATH_OPTIONS:
            if option.applies_to(node, qualified):
                self._check(clients.keyword(node, option.keyword))
        for option in clients.CA_FOLDER_OPTIONS:
            if option.applies_to(node, qualified):
                self._check(clients.keyword(node, option.keyword), fix_kind=None)

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

    def _check(self, arg: Optional[cst.Arg], fix_kind: Optional[str] = "ca-bundle") -> None:
        """Report a hardcoded path; `fix_kind` None for a folder, which a bundle cannot replace."""
        if arg is not None and self.is_hardcoded_path(arg.value):
            fix = FixRequest(fix_kind, node=arg.value) if fix_kind else None
            self.report(arg, fix=fix)
