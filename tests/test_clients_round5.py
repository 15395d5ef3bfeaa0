"""Issue 27, coverage round 5 (clients): a connection string filled in from a call site, a
whole libpq conninfo under any name, the library's own sslmode for a caller's `ssl=True`, and
a login error expected by a test. Exact (line, col, code) of each finding, and the traps."""

import textwrap

import pytest
from helpers import findings

FOUND = {
    "an f-string URI's parameter part, filled in by the call sites (pymongo's OCSP tests)": ("""
        import pymongo
        def _connect(options):
            uri = f"mongodb://localhost:27017/?tlsCAFile={CA_FILE}&{options}"
            client = pymongo.MongoClient(uri)
        class TestOCSP:
            def test_tls_insecure(self):
                options = "tls=true&tlsInsecure=true"
                _connect(options)
            def test_allow_invalid_certificates(self):
                _connect("tls=true&tlsAllowInvalidCertificates=true")
        """, [(8, 19, "TLS105"), (11, 18, "TLS105")]),
    "a whole libpq conninfo under any name (pgcli's command line)": ("""
        from psycopg.conninfo import conninfo_to_dict
        def test_list_databases(tmpdir):
            kv = "host=somehost port=6000 dbname=somedb sslmode=verify-ca"
            url = "postgresql://u@somehost/db?sslmode=require"
            run_cli([kv, url, "-l"], tmpdir)
        """, [(4, 10, "TLS105"), (5, 11, "TLS105")]),
    "sslmode=require picked for a caller's ssl=True (tortoise-orm)": ("""
        import psycopg
        from ssl import SSLContext
        class Client:
            async def create_connection(self):
                ssl = self.extra.pop("ssl", None)
                if ssl:
                    if isinstance(ssl, SSLContext) and ssl.check_hostname:
                        self.server_settings["sslmode"] = "verify-full"
                    else:
                        self.server_settings["sslmode"] = "require"
                return psycopg.conninfo.make_conninfo(**self.server_settings)
        """, [(11, 17, "TLS105")]),
    "a login refused after the handshake is no rejected configuration (asyncpg)": ("""
        import asyncpg
        class TestSSL:
            async def test_declined(self, port):
                with self.assertRaises(
                    asyncpg.InvalidAuthorizationSpecificationError
                ):
                    await self.connect(host="127.0.0.1", port=port, ssl="prefer")
        """, [(8, 61, "TLS105")]),
    "ssl.wrap_socket's cert_reqs on the unbound SSLContext.wrap_socket, without a CA file": ("""
        import ssl
        class HttpsConnection:
            def connect(self, sock):
                if self.ca_file:
                    self.sock = ssl.SSLContext.wrap_socket(sock, ca_certs=self.ca_file,
                                                           cert_reqs=ssl.CERT_REQUIRED)
                else:
                    self.sock = ssl.SSLContext.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)
        """, [(9, 58, "TLS103")]),
    "no CA bundle given is no opt-out (`if not cafile:`, `if ca_certs is None:`)": ("""
        import ssl
        class Client:
            def make(self, sock):
                ctx = ssl.create_default_context(cafile=self.cafile)
                if not self.cafile:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                if self.ca_certs is None:
                    return ssl.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)
        """, [(7, 13, "TLS103"), (10, 20, "TLS502"), (10, 42, "TLS103")]),
    "... reported at the parameter's default that takes the branch": ("""
        import ssl
        def make(cafile=None):
            ctx = ssl.create_default_context(cafile=cafile)
            if not cafile:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
        """, [(3, 17, "TLS103")]),
}

QUIET = {
    "the caller's own switch, and a server's side": """
        import ssl
        def connect(sock, verify_cert=True, ca_file=None):
            if not verify_cert:
                return ssl.SSLContext.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)
            if ca_file:
                return ssl.SSLContext.wrap_socket(sock, server_side=True,
                                                  cert_reqs=ssl.CERT_NONE)
        """,
    "the call sites' strings verify": """
        import pymongo
        def _connect(options):
            return pymongo.MongoClient(f"mongodb://localhost:27017/?{options}")
        def test_tls():
            options = "tls=true&tlsAllowInvalidCertificates=false"
            _connect(options)
        """,
    "text that is no whole conninfo, and a verifying one": """
        import psycopg
        HELP = "use sslmode=require for host=h"
        kv = "host=h dbname=d sslmode=verify-full"
        def test_parse():
            assert conninfo_to_dict(dsn)["sslmode"] == "verify-ca"
        """,
    "the else of an `and` whose parts all read the caller's option": """
        import psycopg
        def connect(settings, verify_ssl=True, verify_host=True):
            if verify_ssl and verify_host:
                settings["sslmode"] = "verify-full"
            else:
                settings["sslmode"] = "require"
            return psycopg.connect(**settings)
        """,
    "a bad URI still rejected before any connection": """
        import pymongo
        class T:
            def test_conflict(self):
                with self.assertRaises(InvalidURI):
                    pymongo.MongoClient("mongodb://h/?tlsInsecure=true")
        """,
}


@pytest.mark.parametrize("source, expected", FOUND.values(), ids=list(FOUND))
def test_found_exactly(source, expected):
    assert findings(textwrap.dedent(source)) == expected


@pytest.mark.parametrize("source", QUIET.values(), ids=list(QUIET))
def test_traps_are_not_findings(source):
    assert findings(textwrap.dedent(source)) == []
