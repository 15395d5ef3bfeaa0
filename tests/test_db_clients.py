"""The database, queue and directory clients (issue 27): exact findings through aliases,
from-imports, multi-line calls, dicts built over several statements, `**{...}`, connection
strings; the look-alikes that are not findings; and each fix, compiled."""

import textwrap

import pytest
from helpers import ALL_CODES, findings

from corptls_lint.ftypes import FixTargets, Settings, Target
from corptls_lint.running.fixer import fix_text

CODES = ("TLS105", "TLS301")

FOUND = {
    'redis module alias': ("""
        import redis as r
        client = r.StrictRedis(host="cache", ssl=True, ssl_cert_reqs="none")
        """, [(3, 48, 'TLS105')]),
    'redis from-import alias, asyncio': ("""
        from redis.asyncio import Redis as AsyncRedis
        client = AsyncRedis.from_url(url, ssl_cert_reqs=None, ssl_check_hostname=False)
        """, [(3, 35, 'TLS105'), (3, 55, 'TLS105')]),
    'redis cluster and sentinel, CERT_NONE under an alias': ("""
        from ssl import CERT_NONE as NO_CHECK
        from redis.cluster import RedisCluster
        from redis.sentinel import Sentinel
        rc = RedisCluster(host=h, ssl=True, ssl_cert_reqs=NO_CHECK)
        s = Sentinel([(h, 26379)], ssl=True, ssl_cert_reqs=NO_CHECK,
                     sentinel_kwargs={"ssl": True, "ssl_cert_reqs": NO_CHECK})
        """, [(5, 37, 'TLS105'), (6, 38, 'TLS105'), (7, 44, 'TLS105')]),
    'redis URL bound to a name, f-string and str.format URLs': ("""
        import redis
        URL = "rediss://:secret@cache:6380/0?ssl_cert_reqs=none"
        a = redis.from_url(URL)
        b = redis.Redis.from_url(f"rediss://{host}:6380/0?ssl_cert_reqs=none")
        c = redis.from_url("rediss://cache/0?ssl_cert_reqs=none&ssl_min_version={}".format(v))
        """, [(3, 7, 'TLS105'), (5, 26, 'TLS105'), (6, 20, 'TLS105')]),
    'redis double-star dict display': ("""
        import redis
        pool = redis.ConnectionPool(connection_class=redis.SSLConnection,
                                    **{"ssl_cert_reqs": None})
        """, [(4, 32, 'TLS105')]),
    'django-redis settings': ("""
        CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "rediss://cache:6380/1",
                "OPTIONS": {
                    "CONNECTION_POOL_KWARGS": {"ssl_cert_reqs": None},
                },
            }
        }
        """, [(7, 40, 'TLS105')]),
    'pymongo alias, multi-line call': ("""
        import pymongo as pm
        client = pm.MongoClient(
            host,
            tls=True,
            tlsAllowInvalidHostnames=True,
            tlsCAFile="/etc/ssl/mongo-ca.pem",
        )
        """, [(6, 5, 'TLS105'), (7, 5, 'TLS301')]),
    'pymongo 3 legacy names': ("""
        import ssl
        from pymongo import MongoClient
        c = MongoClient(host, ssl=True, ssl_cert_reqs=ssl.CERT_NONE, ssl_match_hostname=False)
        """, [(4, 33, 'TLS105'), (4, 62, 'TLS105')]),
    "a module-level options dict passed in a function, kombu and pydruid": ("""
        import ssl, pymysql, kombu
        from pydruid.db import connect
        SSL = {"ca": CA, "check_hostname": False}
        def test_connect():
            con = pymysql.connect(host=h, ssl=SSL)
            kombu.Connection("rediss://localhost:12345?ssl_check_hostname=false").connect()
            return connect(host=h, scheme="https", ssl_verify_cert=False)
        """, [(4, 18, "TLS105"), (7, 22, "TLS105"), (8, 44, "TLS105")]),
    "a module-level broker_use_ssl dict passed in a function": ("""
        import ssl
        from celery import Celery
        OPTS = {"cert_reqs": ssl.CERT_NONE}
        def make():
            return Celery("t", broker_use_ssl=OPTS)
        """, [(4, 9, "TLS105")]),
    "a wrapper or test helper's keyword": ("""
        def make(**kw):
            return kw
        make(ssl_check_hostname=False, sslmode="require")
        class TestSSL:
            def test_invalid(self):
                self.simple_client(uri, tlsAllowInvalidCertificates=True, ssl_cert_reqs="none")
        """, [(4, 6, "TLS105"), (4, 32, "TLS105"), (7, 33, "TLS105"), (7, 67, "TLS105")]),
    "connection strings under the names applications give them": ("""
        import os
        DATABASE_URL = "postgresql://owner@ep-x.neon.tech/neondb?sslmode=require"
        REDIS_URL = os.getenv("REDIS_URL", "rediss://cache:6380/0?ssl_cert_reqs=none")
        def make(helper):
            return helper(dsn="postgresql://db/app?sslmode=prefer")
        config = {"dsn": "host=db sslmode=verify-full", "MONGO_URI": "mongodb://db/?tls=true"}
        """, [(3, 16, "TLS105"), (4, 13, "TLS105"), (6, 19, "TLS105")]),
    'mongoengine host URI, Flask-PyMongo': ("""
        import mongoengine
        from flask_pymongo import PyMongo
        mongoengine.connect("app", host="mongodb://db:27017/app?tls=true&tlsInsecure=true")
        mongo = PyMongo(app, "mongodb+srv://{}@db/app?ssl_cert_reqs=CERT_NONE".format(user))
        """, [(4, 28, 'TLS105'), (5, 22, 'TLS105')]),
    "a URL name rebound with the option": ("""
        import os
        from celery import Celery
        REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
        if REDIS_URL.startswith("rediss://"):
            REDIS_URL = f"{REDIS_URL}?ssl_cert_reqs=CERT_NONE"
        app = Celery("tasks", broker=REDIS_URL, backend=REDIS_URL)
        """, [(6, 17, "TLS105")]),
    "a query appended to a URL": ("""
        import os
        def broker_url():
            url = os.environ["REDIS_URL"]
            if url.startswith("rediss://") and "ssl_cert_reqs" not in url:
                url += "?ssl_cert_reqs=CERT_NONE"
            return url
        """, [(6, 9, "TLS105")]),
    'kafka-python from-import alias': ("""
        from kafka import KafkaConsumer as Consumer, KafkaAdminClient
        c = Consumer("topic", security_protocol="SSL", ssl_check_hostname=False)
        a = KafkaAdminClient(**{"ssl_check_hostname": False})
        """, [(3, 48, 'TLS105'), (4, 25, 'TLS105')]),
    'confluent dict built over several statements': ("""
        from confluent_kafka import Consumer
        def make(servers):
            config = {"bootstrap.servers": servers, "security.protocol": "SSL"}
            config["enable.ssl.certificate.verification"] = False
            config.update({"ssl.endpoint.identification.algorithm": "none"})
            return Consumer(config)
        """, [(5, 5, 'TLS105'), (6, 20, 'TLS105')]),
    'psycopg DSN, URL and pool': ("""
        import psycopg
        from psycopg_pool import ConnectionPool
        async def main():
            conn = await psycopg.AsyncConnection.connect(
                "postgresql://app@db:5432/app?sslmode=require&application_name=x"
            )
            pool = ConnectionPool("host=db dbname=app", kwargs={"sslmode": "prefer"})
        """, [(6, 9, 'TLS105'), (8, 57, 'TLS105')]),
    'psycopg2 keyword and dict()': ("""
        import psycopg2 as pg
        conn = pg.connect(host="db", sslmode="verify-ca")
        params = dict(host="db", sslmode="allow")
        """, [(3, 30, 'TLS105'), (4, 26, 'TLS105')]),
    'SQLAlchemy engine': ("""
        import sqlalchemy as sa
        engine = sa.create_engine("postgresql+psycopg2://db/app?sslmode=require")
        other = sa.create_engine(url, connect_args={"sslmode": "require"})
        """, [(3, 27, 'TLS105'), (4, 45, 'TLS105')]),
    'asyncpg': ("""
        import asyncpg
        async def main(dsn):
            conn = await asyncpg.connect(dsn, ssl="verify-ca")
            pool = await asyncpg.create_pool("postgres://db/app?sslmode=require")
        """, [(4, 39, 'TLS105'), (5, 38, 'TLS105')]),
    'MySQL drivers': ("""
        from mysql import connector
        import pymysql.connections
        import MySQLdb as mysql
        a = connector.connect(host=h, ssl_ca="certs/ca.pem", ssl_verify_identity=False)
        b = pymysql.connections.Connection(host=h, ssl_verify_cert=False)
        c = mysql.connect(host=h, ssl_mode="VERIFY_CA")
        """, [(5, 31, 'TLS301'), (5, 54, 'TLS105'), (6, 44, 'TLS105'), (7, 27, 'TLS105')]),
    "a wrapper's default reaches the call": ("""
        import psycopg2
        def connect(host, sslmode="prefer"):
            return psycopg2.connect(host=host, sslmode=sslmode)
        """, [(3, 27, 'TLS105')]),
    'Django DATABASES OPTIONS': ("""
        DATABASES = {
            "default": {"ENGINE": "django.db.backends.postgresql",
                        "OPTIONS": {"sslmode": "require", "sslrootcert": "/etc/pg/root.crt"}},
            "mysql": {"ENGINE": "django.db.backends.mysql",
                      "OPTIONS": {"ssl_mode": "REQUIRED"}},
        }
        """, [(4, 29, 'TLS105'), (4, 51, 'TLS301'), (6, 27, 'TLS105')]),
    'celery settings module and conf': ("""
        import ssl
        from celery import Celery
        BROKER_USE_SSL = {"cert_reqs": ssl.CERT_NONE}
        broker_ssl = {"cert_reqs": ssl.CERT_NONE, "ca_certs": None}
        app = Celery("tasks", broker_use_ssl=broker_ssl)
        app.conf.update(redis_backend_use_ssl={"ssl_cert_reqs": "none"})
        """, [(4, 19, 'TLS105'), (5, 15, 'TLS105'), (7, 40, 'TLS105')]),
    "Celery and kombu URLs, settings holding a connection string": ("""
        import os
        from celery import Celery
        from flask import Flask
        from kombu import Connection
        REDIS_URL = os.environ["REDIS_URL"]
        app = Celery("tasks", broker="rediss://h:6379/0?ssl_cert_reqs=none",
                     backend=f"{REDIS_URL}?ssl_cert_reqs=CERT_NONE")
        CELERY_BROKER_URL = "rediss://cache:6380/0?ssl_cert_reqs=CERT_NONE"
        app.conf.result_backend = "rediss://cache:6380/1?ssl_cert_reqs=none"
        app.conf.update(broker_url="rediss://cache:6380/0?ssl_cert_reqs=CERT_NONE")
        web = Flask(__name__)
        web.config["SQLALCHEMY_DATABASE_URI"] = os.getenv(
            "DATABASE_URL", "postgresql+psycopg://db/app?sslmode=require")
        conn = Connection("rediss://cache:6380/0?ssl_cert_reqs=none")
        """, [(7, 23, "TLS105"), (8, 14, "TLS105"), (9, 21, "TLS105"), (10, 27, "TLS105"),
              (11, 17, "TLS105"), (13, 41, "TLS105"), (15, 19, "TLS105")]),
}

# Look-alikes and verifying settings: nothing at all is reported.
QUIET = {
    'redis without TLS options': """
        import redis
        r = redis.Redis(host="cache", port=6379, db=0)
        s = redis.Redis(host="cache", ssl=True, ssl_cert_reqs="required")
        t = redis.from_url("rediss://cache:6380/0?ssl_cert_reqs=required")
        """,
    'verify-full and disable': """
        import psycopg2
        a = psycopg2.connect("host=db sslmode=verify-full sslrootcert=root.crt")
        b = psycopg2.connect(host="db", sslmode="disable")
        """,
    'a parameter named sslmode compared in code': """
        import psycopg2
        def connect(host, sslmode=None):
            if sslmode == "require":
                log.info("sslmode=require without a CA")
            return psycopg2.connect(host=host, sslmode=sslmode)
        """,
    "a query appended that sets no TLS option": """
        url = base
        url += "?timeout=5&db=1"
        help_text = "append ?ssl_cert_reqs=none"
        help_text += " to the URL"
        """,
    'a connection string that no client reads': """
        import redis
        HELP = "set ?ssl_cert_reqs=none for a self-signed server"
        DSN_EXAMPLE = "host=db sslmode=require"
        print(HELP, DSN_EXAMPLE)
        """,
    "another library's from_url and connect": """
        from mylib import cache
        import sqlite3
        cache.from_url("rediss://cache?ssl_cert_reqs=none")
        sqlite3.connect("db?sslmode=require")
        """,
    "a wrapper's None, which may mean not given": """
        def make(**kw):
            return kw
        make(ssl_cert_reqs=None, ssl_ca_certs=None)
        """,
    "settings holding verifying connection strings": """
        from celery import Celery
        app = Celery("t", broker="rediss://h:6379/0?ssl_cert_reqs=required")
        class Config:
            SQLALCHEMY_DATABASE_URI = "postgresql://db/app?sslmode=verify-full"
        CELERY_RESULT_BACKEND = "redis://cache:6379/1"
        """,
    'pymongo verifying': """
        from pymongo import MongoClient
        MongoClient("mongodb://db/?tls=true&tlsAllowInvalidCertificates=false",
                    tlsAllowInvalidHostnames=False)
        """,
    'celery verifying': """
        import ssl
        from celery import Celery
        app = Celery("t", broker_use_ssl={"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": CA})
        broker_use_ssl = True
        """,
}


@pytest.mark.parametrize("source, expected", FOUND.values(), ids=list(FOUND))
def test_found_exactly(source, expected):
    assert findings(textwrap.dedent(source), CODES) == expected


@pytest.mark.parametrize("source", QUIET.values(), ids=list(QUIET))
def test_look_alikes_are_not_findings(source):
    assert findings(textwrap.dedent(source)) == []


# -- fixes: exact text, then the fixed module must still compile (no driver is installed) ---
BUNDLE = FixTargets(ca_bundle=Target.parse("corp_tls:CA_BUNDLE"))


def fixed(source):
    settings = Settings(enabled=ALL_CODES, targets=BUNDLE)
    return fix_text(textwrap.dedent(source), "example.py", settings, False).text


FIXES = {
    "redis-py ssl_cert_reqs": ("""
        import ssl
        from redis import Redis
        a = Redis(host="cache", ssl=True, ssl_cert_reqs=ssl.CERT_NONE)
        b = Redis(ssl_cert_reqs="none", ssl_check_hostname=False)
        """, """
        from redis import Redis

        from corp_tls import CA_BUNDLE

        a = Redis(host="cache", ssl=True, ssl_cert_reqs="required", ssl_ca_certs=CA_BUNDLE)
        b = Redis(ssl_cert_reqs="required", ssl_ca_certs=CA_BUNDLE, ssl_check_hostname=False)
        """, [(7, 61, "TLS105")]),
    "pymongo tlsAllowInvalidCertificates": ("""
        import pymongo
        client = pymongo.MongoClient(
            uri,
            tlsAllowInvalidCertificates=True,  # staging has a private CA
        )
        """, """
        import pymongo

        from corp_tls import CA_BUNDLE

        client = pymongo.MongoClient(
            uri,
            tlsAllowInvalidCertificates=False, tlsCAFile=CA_BUNDLE,  # staging has a private CA
        )
        """, []),
    "kafka-python ssl_check_hostname": ("""
        from kafka import KafkaConsumer
        consumer = KafkaConsumer("events", ssl_check_hostname=False)
        """, """
        from kafka import KafkaConsumer

        from corp_tls import CA_BUNDLE

        consumer = KafkaConsumer("events", ssl_check_hostname=True, ssl_cafile=CA_BUNDLE)
        """, []),
    "TLS301 paths of the clients": ("""
        import redis
        from confluent_kafka import Producer
        r = redis.Redis(ssl=True, ssl_ca_certs="/etc/ssl/redis-ca.pem")
        p = Producer({"bootstrap.servers": servers, "ssl.ca.location": "certs/kafka-ca.pem"})
        """, """
        import redis
        from confluent_kafka import Producer

        from corp_tls import CA_BUNDLE

        r = redis.Redis(ssl=True, ssl_ca_certs=CA_BUNDLE)
        p = Producer({"bootstrap.servers": servers, "ssl.ca.location": CA_BUNDLE})
        """, []),
}


@pytest.mark.parametrize("before, after, remaining", FIXES.values(), ids=list(FIXES))
def test_fix_text_and_it_compiles(before, after, remaining):
    """`remaining`: what the fixed text still reports (a flag without a fix)."""
    text = fixed(before)
    assert text == textwrap.dedent(after)
    compile(text, "fixed.py", "exec")
    assert findings(text, CODES) == remaining


# The fix needs the call to give no CA of its own, nor a setting that changes what the pair
# means, nor `**` (it could hold the keyword twice): then the finding stays without a fix.
NO_FIX = {
    "redis with a CA folder": """
        import redis
        r = redis.Redis(ssl=True, ssl_cert_reqs=None, ssl_ca_path=CA_DIR)
        """,
    "pymongo with tlsInsecure beside": """
        import pymongo
        c = pymongo.MongoClient(uri, tlsAllowInvalidCertificates=True, tlsInsecure=False)
        """,
    "kafka-python with a context": """
        import kafka
        p = kafka.KafkaProducer(ssl_check_hostname=False, ssl_context=ctx)
        """,
    "double star": """
        import redis
        r = redis.Redis(ssl_cert_reqs=None, **options)
        """,
    "a name, not a literal": """
        import redis
        NO = None
        r = redis.Redis(ssl_cert_reqs=NO)
        """,
}


@pytest.mark.parametrize("source", NO_FIX.values(), ids=list(NO_FIX))
def test_no_fix_where_it_would_change_meaning(source):
    assert findings(textwrap.dedent(source), CODES)
    assert fixed(source) == textwrap.dedent(source)


def test_the_inventory_names_the_clients_as_users_know_them():
    from corptls_lint.rules.client_options import ClientOptionDisabled
    from corptls_lint.rules.hardcoded_ca_bundle import HardcodedCABundle

    named = {row.client for row in (*ClientOptionDisabled.client_uses,
                                    *HardcodedCABundle.client_uses)}
    assert {"redis-py", "pymongo", "kafka-python", "confluent-kafka", "psycopg", "asyncpg",
            "MySQL Connector/Python", "PyMySQL", "mysqlclient", "Celery/kombu",
            "pika"} <= named


def test_calls_whose_strings_set_no_option_are_screened_out():
    """The syntax screen keeps a client call for its connection string only when a literal
    there may set one of the options (`connect(dsn)` with a verifying sslmode elsewhere is not
    parsed for TLS105)."""
    from corptls_lint.checking import byte_screen
    from corptls_lint.rules import ALL_RULES
    from corptls_lint.screens import candidates

    rule = next(rule for rule in ALL_RULES if rule.code == "TLS105")
    quiet = b"import psycopg2\nconn = psycopg2.connect(dsn, sslmode='verify-full')\n"
    loud = b"import psycopg2\nDSN = 'host=db sslmode=require'\nconn = psycopg2.connect(DSN)\n"
    assert byte_screen.screen(quiet, [rule]) == [rule]  # the word alone lets it through
    assert candidates.screen(quiet, [rule]) == []
    assert candidates.screen(loud, [rule]) == [rule]
    # a path appended to a URL is no query; a query that sets an option is
    path = b"import redis\nredis.Redis(ssl_cert_reqs='required')\nurl += f'/search:{term}'\n"
    appended = b"url = base\nurl += '?ssl_cert_reqs=CERT_NONE'\n"
    assert candidates.screen(path, [rule]) == []
    assert candidates.screen(appended, [rule]) == [rule]


def test_a_table_of_option_names_is_not_a_path():
    """salt's pgjsonb returner maps option names to option names: no file there."""
    source = """
        attrs = {"host": "host", "sslmode": "sslmode", "sslrootcert": "sslrootcert"}
        settings = {"sslrootcert": "root.crt", "ssl.ca.location": "certs/kafka-ca.pem"}
        """
    assert findings(textwrap.dedent(source), CODES) == [(3, 13, "TLS301"), (3, 40, "TLS301")]


def test_sliced_and_whole_file_agree():
    """Every case reports the same with the slicing (definitions without a candidate stubbed
    out) as on the whole file: a module-level options dict keeps the function that passes it."""
    import libcst as cst

    from corptls_lint.checking import engine
    from corptls_lint.rules import ALL_RULES

    for source, _ in FOUND.values():
        text = textwrap.dedent(source)
        whole = engine.lint_module(cst.parse_module(text), "example.py", ALL_RULES)
        sliced = engine.lint_source(text, "example.py", Settings(enabled=ALL_CODES), sliced=True)
        assert ([(d.line, d.col, d.code) for d in sliced.diagnostics]
                == [(d.line, d.col, d.code) for d in whole.diagnostics]), source
