"""Issue 27, coverage round 4 (clients, env, baseline): the shapes real packages' code has that
the tables missed. Exact (line, col, code) of each finding, and the look-alikes that are not."""

import textwrap

import pytest
from helpers import findings

FOUND = {
    "a generic session called with its type arguments (curl_cffi)": ("""
        from curl_cffi import AsyncSession, Session
        def test_close(server):
            with Session[Response](verify=False) as session:
                session.ws_connect(server.url)
        async def test_async(server):
            async with AsyncSession[Response](max_clients=2, verify=False) as session:
                await session.ws_connect(server.url)
        """, [(4, 28, "TLS101"), (7, 54, "TLS101")]),
    "a module bound by pytest.importorskip or importlib.import_module": ("""
        import importlib
        import pytest
        urllib3 = pytest.importorskip("urllib3")
        ssl_mod = importlib.import_module("ssl")
        def pool_mgr():
            return urllib3.PoolManager(cert_reqs="CERT_NONE")
        ctx = ssl_mod._create_unverified_context()
        """, [(7, 32, "TLS103"), (8, 7, "TLS103")]),
    "asyncpg's ssl words handed on by test helpers": ("""
        import asyncpg
        class TestSSL:
            async def test_prefer(self, port):
                await self.connect(host="127.0.0.1", port=port,
                                   user="ssl_user", ssl="prefer")
                await self._test_works(expected_ssl=True, dsn=dsn,
                                       ssl="require", direct_tls=False)
                await self._test_pool(host="localhost", ssl="allow", expected_ssl=False)
        """, [(6, 45, "TLS105"), (8, 32, "TLS105"), (9, 49, "TLS105")]),
    "thrift's TSSLSocket, and cert_reqs handed on to it by a test helper": ("""
        import ssl
        from thrift.transport.TSSLSocket import TSSLSocket
        c1 = TSSLSocket("localhost", 0, cert_reqs=ssl.CERT_NONE)
        class TestSSL:
            def test_server_cert(self):
                server = self._server_socket(keyfile=KEY, certfile=CERT)
                self._assert_connection_success(server, cert_reqs=ssl.CERT_NONE)
                self._assert_connection_failure(
                    server, cert_reqs=ssl.CERT_NONE, certfile=CERT, keyfile=KEY)
        """, [(4, 33, "TLS105"), (8, 49, "TLS105"), (10, 21, "TLS105")]),
    "nameko's AMQP_SSL setting, stored or in a config dict": ("""
        import ssl
        def rabbit_ssl_config(rabbit_ssl_config, use_client_cert):
            if use_client_cert is False:
                rabbit_ssl_config['AMQP_SSL'] = {
                    "cert_reqs": ssl.CERT_NONE
                }
            return rabbit_ssl_config
        CONFIG = {"AMQP_URI": uri, "AMQP_SSL": {"cert_reqs": ssl.CERT_NONE}}
        """, [(6, 13, "TLS105"), (9, 41, "TLS105")]),
    "pymongo's OCSP endpoint check off, as a keyword and in kms_tls_options": ("""
        from pymongo import MongoClient
        client = MongoClient(host, tls=True, tlsDisableOCSPEndpointCheck=True)
        options = {"aws": {"tlsDisableOCSPEndpointCheck": True}}
        """, [(3, 38, "TLS105"), (4, 20, "TLS105")]),
    "os.environ replaced by mock.patch, with the dicts pytest's parametrize gives": ("""
        import pytest
        from unittest import mock
        with mock.patch("os.environ", {"SSL_CERT_FILE": "/etc/ssl/corp.pem"}):
            pass
        class TestEnv:
            @pytest.mark.parametrize(
                "env, expected",
                (
                    ({}, True),
                    ({"REQUESTS_CA_BUNDLE": "/some/path"}, "/some/path"),
                    ({"CURL_CA_BUNDLE": ""}, True),
                    pytest.param({"SSL_CERT_FILE": "/ca.pem"}, "/ca.pem", id="ssl"),
                ),
            )
            def test_env_cert_bundles(self, env, expected):
                with mock.patch("os.environ", env):
                    assert bundle() == expected
        """, [(4, 32, "TLS302"), (11, 15, "TLS302"), (12, 15, "TLS104"), (13, 27, "TLS302")]),
    "botocore's and aiobotocore's HTTP sessions, clickhouse-driver, and its test helper": ("""
        from aiobotocore.httpsession import AIOHTTPSession
        from aiobotocore.httpxsession import HttpxSession
        from clickhouse_driver.client import Client
        async def test_sessions():
            async with HttpxSession(verify=False):
                pass
            async with AIOHTTPSession(verify=False) as http:
                pass
        class TestSecure:
            def test_verify_off(self):
                with self.created_client(port=self.secure_port,
                                         secure=True, verify=False) as client:
                    client.execute("SELECT 1")
                self.get(url, verify=False)
        c = Client("db", secure=True, verify=False)
        """, [(6, 29, "TLS105"), (8, 31, "TLS105"), (13, 47, "TLS105"), (15, 23, "TLS101"),
              (16, 31, "TLS105")]),
    "a check_hostname default reported where it is written, once": ("""
        import ssl
        def create_tcp_connection(host, use_ssl=False, verify_certs=True,
                                  check_hostname=False):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = check_hostname
            context.verify_mode = ssl.CERT_REQUIRED if verify_certs else ssl.CERT_NONE
            return context
        class Client:
            def __init__(self, hosts, check_hostname=False):
                self.check_hostname = check_hostname
        """, [(4, 42, "TLS103"), (10, 46, "TLS103")]),
    "a setting whose option lookup falls back to no verification": ("""
        import ssl
        CERT_MAP = {"none": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED}
        def connect(opts, ssl_cert):
            rv = ssl.SSLContext(protocol=ssl.PROTOCOL_TLS_CLIENT)
            rv.check_hostname = bool(opts.get("check_hostname", False))
            ctx = ssl.create_default_context()
            ctx.verify_mode = CERT_MAP.get(ssl_cert, ssl.CERT_NONE)
            conn.cert_reqs = kwargs.get("cert_reqs", "CERT_NONE")
        """, [(6, 5, "TLS103"), (8, 5, "TLS103"), (9, 5, "TLS103")]),
    "a rediss URL given to any from_url": ("""
        import aioredis
        from prefect_redis.connection import redis_from_url
        def test_cert_reqs_options():
            class DummyConnectionPool(aioredis.ConnectionPool):
                pass
            pool = DummyConnectionPool.from_url("rediss://?ssl_cert_reqs=none")
            pool = DummyConnectionPool.from_url("rediss://?ssl_cert_reqs=required")
            client = redis_from_url(
                "rediss+sentinel://s1:26379/mymaster"
                "?ssl_ca_certs=/etc/ca.pem&ssl_check_hostname=false",
                asynchronous=True,
            )
        """, [(7, 41, "TLS105"), (10, 9, "TLS105"), (10, 9, "TLS301")]),
    "websocket-client's sslopt through assertRaises and pytest.raises, and stored": ("""
        import ssl
        import pytest
        import websocket as ws
        class TestApp:
            def test_ping(self):
                app = ws.WebSocketApp("wss://api.example/ws", on_ping=on_ping)
                self.assertRaises(
                    ws.WebSocketException,
                    app.run_forever,
                    ping_interval=1,
                    sslopt={"cert_reqs": ssl.CERT_NONE},
                )
                pytest.raises(ssl.SSLError, ws.create_connection, url,
                              sslopt={"check_hostname": False})
                # a configuration the test expects refused is test data (analysis/test_data)
                pytest.raises(ValueError, ws.create_connection, url,
                              sslopt={"check_hostname": False})
        class OptsList:
            def __init__(self):
                self.sockopt = []
                self.sslopt = {"cert_reqs": ssl.CERT_NONE}
        """, [(12, 21, "TLS105"), (15, 31, "TLS105"), (22, 24, "TLS105")]),
    "an option key's value from a parameter default, reported once at the default": ("""
        from aioredis.connection import ConnectionPool, SSLConnection
        class Redis:
            def __init__(self, host="localhost", ssl=False, ssl_cert_reqs="required",
                         ssl_check_hostname: bool = False):
                kwargs = {"host": host}
                if ssl:
                    kwargs.update({"connection_class": SSLConnection,
                                   "ssl_cert_reqs": ssl_cert_reqs,
                                   "ssl_check_hostname": ssl_check_hostname})
                self.pool = ConnectionPool(**kwargs)
                self.options = {"ssl_check_hostname": ssl_check_hostname}
        """, [(5, 45, "TLS105")]),
    "a context setting kept on the instance, reported where its value is written": ("""
        import ssl
        class Tls:
            def __init__(self, local_private_key_file=None, validate=ssl.CERT_NONE,
                         check_hostname=False):
                if validate in [ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED]:
                    self.validate = validate
                self.check = check_hostname
            def wrap_socket(self, sock):
                ssl_context = ssl.create_default_context()
                ssl_context.check_hostname = self.check
                ssl_context.verify_mode = self.validate
                return ssl_context.wrap_socket(sock)
        """, [(4, 62, "TLS103"), (5, 33, "TLS103")]),
    "parametrized cases that reach a client through the test's parameter": ("""
        import pytest
        import requests
        from hvac import Client
        from parameterized import param, parameterized
        class TestAdapterVerify:
            @parameterized.expand([
                param("Testing verify true", verify=True, use_session=False),
                param("Testing verify false", verify=False, use_session=False),
                ("positional", False, True),
            ])
            def test_session_verify_stickiness(self, label, verify, use_session):
                c = Client(verify=verify)
        @pytest.mark.parametrize("verify", [True, False, "/ca.pem"])
        def test_get(verify):
            requests.get(URL, verify=verify)
        """, [(9, 46, "TLS105"), (10, 24, "TLS105"), (14, 43, "TLS101")]),
}

QUIET = {
    "parametrized cases that all verify": """
        import pytest
        import requests
        from parameterized import param, parameterized
        @pytest.mark.parametrize("verify, expected", [(True, 200), ("/ca.pem", 200)])
        def test_get(verify, expected):
            assert requests.get(URL, verify=verify).status_code == expected
        class T:
            @parameterized.expand([param("a", verify=True), param("b", verify=CA)])
            def test_b(self, label, verify):
                requests.get(URL, verify=verify)
        """,
    "a setting kept on a server context's instance": """
        import ssl
        class Server:
            def __init__(self, validate=ssl.CERT_NONE):
                self.validate = validate
            def wrap(self, sock):
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.verify_mode = self.validate
                return ctx.wrap_socket(sock, server_side=True)
        """,
    "an assertion's callable that is no client, and a verifying sslopt": """
        import ssl
        import websocket
        class T:
            def test(self):
                self.assertRaises(ValueError, parse, sslopt={"cert_reqs": ssl.CERT_NONE})
                self.assertRaises(ValueError)
                self.sslopt = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": CA}
        """,
    "a plain redis URL, and another scheme's query, given to from_url": """
        pool = Pool.from_url("redis://cache?ssl_cert_reqs=none")
        engine = Engine.from_url("postgres://db?ssl_check_hostname=false")
        """,
    "option lookups that fall back to verification": """
        import ssl
        def connect(opts):
            rv = ssl.SSLContext(protocol=ssl.PROTOCOL_TLS_CLIENT)
            rv.check_hostname = bool(opts.get("check_hostname", True))
            rv.verify_mode = opts.get("cert_reqs", ssl.CERT_REQUIRED)
            conn.cert_reqs = getattr(settings, "cert_reqs", "CERT_NONE")
        """,
    "a check_hostname default that checks, and a server context's": """
        import ssl
        def client_context(check_hostname=True):
            ctx = ssl.create_default_context()
            ctx.check_hostname = check_hostname
            return ctx
        def server_context(check_hostname=False):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.check_hostname = check_hostname
            return ctx
        """,
    "a parametrized dict not patched in as os.environ, and a parameter that is not": """
        import pytest
        from unittest import mock
        @pytest.mark.parametrize("env", [{"REQUESTS_CA_BUNDLE": "/some/path"}])
        def test_env(env, other):
            with mock.patch("os.environ", other):
                pass
            with mock.patch("app.settings", env):
                pass
        """,
    "nameko's AMQP_SSL verifying, and another setting's cert_reqs": """
        import ssl
        config["AMQP_SSL"] = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": CA}
        config["OTHER"] = {"cert_reqs": "required"}
        """,
    "pymongo's OCSP check on": """
        from pymongo import MongoClient
        client = MongoClient(host, tls=True, tlsDisableOCSPEndpointCheck=False)
        """,
    "importorskip of a module that is not the client": """
        import pytest
        pools = pytest.importorskip("mypools")
        pools.PoolManager(cert_reqs="CERT_NONE")
        """,
    "a subscript call that is not a generic class": """
        import requests
        handlers["get"](url, verify=CA)
        sessions[0](verify=False)
        """,
    "asyncpg's words in a file that imports no asyncpg, and its secure words": """
        import asyncpg
        def f(self):
            self.connect(host=h, ssl="verify-full")
            self.connect(host=h, ssl=True)
            self.connect(host=h, ssl=ctx)
        """,
    "asyncpg's words without asyncpg": """
        def f(self):
            self.connect(host=h, ssl="prefer")
        """,
    "a server's cert_reqs, TSSLServerSocket, and a secure cert_reqs": """
        import ssl
        from thrift.transport.TSSLSocket import TSSLServerSocket
        server = TSSLServerSocket(port=0, cert_reqs=ssl.CERT_NONE)
        def test(self):
            self._server_socket(cert_reqs=ssl.CERT_NONE, keyfile=KEY)
            make_server(cert_reqs=ssl.CERT_NONE)
            self._assert_connection_success(server, cert_reqs=ssl.CERT_REQUIRED, ca_certs=CA)
        """,
}


@pytest.mark.parametrize("source, expected", FOUND.values(), ids=list(FOUND))
def test_found_exactly(source, expected):
    assert findings(textwrap.dedent(source)) == expected


@pytest.mark.parametrize("source", QUIET.values(), ids=list(QUIET))
def test_look_alikes_are_not_findings(source):
    assert findings(textwrap.dedent(source)) == []


# -- fixes: exact text ------------------------------------------------------------------------
def fixed(source):
    from helpers import ALL_CODES

    from corptls_lint.ftypes import FixTargets, Settings, Target
    from corptls_lint.running.fixer import fix_text
    settings = Settings(enabled=ALL_CODES,
                        targets=FixTargets(ca_bundle=Target.parse("corp_tls:CA_BUNDLE")))
    return fix_text(textwrap.dedent(source), "example.py", settings, False).text


def test_patched_environ_dict_takes_the_bundle_but_a_parametrized_case_stays():
    before = """\
        import pytest
        from unittest import mock
        with mock.patch("os.environ", {"SSL_CERT_FILE": "/etc/ssl/corp.pem"}):
            pass
        @pytest.mark.parametrize("env, expected", [({"SSL_CERT_FILE": "/ca.pem"}, "/ca.pem")])
        def test_env(env, expected):
            with mock.patch("os.environ", env):
                pass
        """
    after = """\
        import pytest
        from unittest import mock

        from corp_tls import CA_BUNDLE

        with mock.patch("os.environ", {"SSL_CERT_FILE": CA_BUNDLE}):
            pass
        @pytest.mark.parametrize("env, expected", [({"SSL_CERT_FILE": "/ca.pem"}, "/ca.pem")])
        def test_env(env, expected):
            with mock.patch("os.environ", env):
                pass
        """
    assert fixed(before) == textwrap.dedent(after)
