"""A library carrying out its caller's TLS opt-out (analysis/opt_outs.py): not reported where
it does so, reported once at an insecure default that chooses it, and still reported when
the choice is not the caller's. Exact (line, column, code)."""

import textwrap

import libcst as cst
import pytest
from helpers import findings

from corptls_lint.analysis import opt_outs


def found(source):
    return findings(textwrap.dedent(source))


# -- the caller's option decides: not reported --------------------------------------------------

@pytest.mark.parametrize("source", [
    # httpx: `elif verify is False:` on a parameter whose default is True
    """
    import ssl
    def create_ssl_context(verify=True):
        if verify is True:
            return ssl.create_default_context()
        elif verify is False:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
    """,
    # aiobotocore: the else of `if self._verify:`
    """
    import ssl
    class Session:
        def context(self):
            ctx = ssl.create_default_context()
            if self._verify:
                ctx.check_hostname = True
            else:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            return ctx
    """,
    # influxdb: an attribute of a parameter, a branch binding that travels to the pool
    """
    import ssl, urllib3
    def pool(configuration):
        if configuration.verify_ssl:
            cert_reqs = ssl.CERT_REQUIRED
        else:
            cert_reqs = ssl.CERT_NONE
        return urllib3.PoolManager(cert_reqs=cert_reqs)
    """,
    # clickhouse: a local converted from the parameter
    """
    import ssl
    def context(verify):
        ctx = ssl.create_default_context()
        ssl_verify = verify if isinstance(verify, bool) else coerce_bool(verify)
        if not ssl_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx
    """,
    # confluent: an annotated local read from the options mapping
    """
    import ssl
    def context(conf):
        conf_copy = conf.copy()
        ca: object = conf_copy.pop('ssl.ca.location', None)
        if ca is False:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
    """,
    # prefect-email: a conditional expression on `self.verify`
    """
    import smtplib, ssl
    class Credentials:
        def connect(self):
            context = (ssl.create_default_context() if self.verify
                       else ssl._create_unverified_context())
            return smtplib.SMTP_SSL(self.host, context=context)
    """,
    # vertica: a method of self that answers the instance's own setting
    """
    import ssl
    class TLSMode:
        def context(self):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if self.verify_certificate():
                ctx.verify_mode = ssl.CERT_REQUIRED
            else:
                ctx.verify_mode = ssl.CERT_NONE
            return ctx
    """,
    # stripe: kwargs["verify"] = False, reported after the walk, in the else of self's flag
    """
    import requests
    class Client:
        def request(self, url):
            kwargs = {}
            if self._verify_ssl_certs:
                kwargs["verify"] = CA
            else:
                kwargs["verify"] = False
            return requests.request("get", url, **kwargs)
    """,
    # a nested function reading the outer function's parameter (no default)
    """
    import ssl
    def handler(verify):
        def connect(host):
            if not verify:
                return ssl._create_unverified_context()
            return ssl.create_default_context()
        return connect
    """,
])
def test_a_library_carrying_out_its_callers_choice_is_not_reported(source):
    assert found(source) == []


# -- the default chooses it: reported once, at the default ---------------------------------------

def test_a_branch_its_default_takes_is_reported_at_the_default_once():
    assert found("""
        import ssl
        def context(verify=False):
            ctx = ssl.create_default_context()
            if not verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            return ctx
        """) == [(3, 20, "TLS103")]


def test_a_default_of_none_taking_the_branch_is_reported_there():
    # aioredis: `if cert_reqs is None: self.cert_reqs = ssl.CERT_NONE`
    assert found("""
        import ssl
        class Context:
            def __init__(self, cert_reqs=None):
                if cert_reqs is None:
                    self.cert_reqs = ssl.CERT_NONE
        """) == [(4, 34, "TLS103")]


def test_a_default_that_does_not_take_the_branch_is_not_reported():
    # paho: `cert_reqs == ssl.CERT_NONE` with the default None never holds
    assert found("""
        import ssl
        def tls_set(cert_reqs=None):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if cert_reqs == ssl.CERT_NONE:
                context.check_hostname = False
            return context
        """) == []


def test_a_parameter_passed_on_is_reported_at_its_default():
    # kazoo: `context.check_hostname = check_hostname` under `if use_ssl:`
    assert found("""
        import ssl
        def connect(sock, use_ssl=False, check_hostname=False):
            if use_ssl:
                context = ssl.create_default_context()
                context.check_hostname = check_hostname
                return context.wrap_socket(sock)
        """) == [(3, 49, "TLS103")]


def test_a_parameter_passed_on_in_a_dict_is_reported_at_its_default():
    # aioredis client.py: {"ssl_check_hostname": ssl_check_hostname} for redis
    assert found("""
        import redis
        def client(host, ssl=False, ssl_check_hostname=False):
            kwargs = {"host": host}
            if ssl:
                kwargs.update({"ssl_check_hostname": ssl_check_hostname})
            return redis.Redis(**kwargs)
        """) == [(3, 48, "TLS105")]


def test_a_wrapper_flags_default_is_tls105s_alone():
    # verify_certs=False is TLS105's wrapper flag: TLS103 does not report it a second time
    assert found("""
        import ssl
        def context(verify_certs=False):
            ctx = ssl.create_default_context()
            if not verify_certs:
                ctx.check_hostname = False
            return ctx
        """) == [(3, 26, "TLS105")]


def test_a_closure_reads_the_outer_default():
    # splunk: handler(verify=False) ... def connect(): if not verify: unverified context
    assert found("""
        import ssl
        def handler(verify=False):
            def connect(host):
                if not verify:
                    return ssl._create_unverified_context()
                return ssl.create_default_context()
            return connect
        """) == [(3, 20, "TLS103")]


# -- not the caller's choice: still reported where it is written -------------------------------

def test_a_module_constant_or_a_class_literal_stays_reported():
    assert found("""
        import ssl
        VERIFY = False
        class Client:
            verify_ssl = False
            def a(self, ctx):
                if not VERIFY:
                    ctx.check_hostname = False
            def b(self, ctx):
                if not self.verify_ssl:
                    ctx.check_hostname = False
        """) == [(8, 13, "TLS103"), (11, 13, "TLS103")]


def test_the_environment_stays_reported():
    assert found("""
        import os, ssl
        def context(ctx, other):
            if os.environ.get("SSL_NO_VERIFY"):
                ctx.check_hostname = False
            if os.getenv("INSECURE"):
                other.verify_mode = ssl.CERT_NONE
        """) == [(5, 9, "TLS103"), (7, 9, "TLS103")]


def test_a_test_that_reads_no_tls_option_stays_reported():
    assert found("""
        import ssl
        def context(ctx, other, host, use_ssl, args, parser):
            if host == "localhost":
                ctx.check_hostname = False
            if use_ssl:
                other.verify_mode = ssl.CERT_NONE
            options = parser.parse_args(args)
            if options.no_ssl_verification:
                return ssl._create_unverified_context()
        """) == [(5, 9, "TLS103"), (7, 9, "TLS103"), (10, 16, "TLS103")]


def test_only_the_innermost_branch_decides():
    # pan-python's CLI: `elif ssl_option:` ... `if ssl_option == "noverify":`
    assert found("""
        import ssl
        def create(cafile, ssl_option):
            if cafile:
                return ssl.create_default_context(cafile=cafile)
            elif ssl_option:
                if ssl_option == "noverify":
                    return ssl._create_unverified_context()
        """) == [(8, 20, "TLS103")]


def test_an_or_with_an_alternative_that_is_no_option_stays_reported():
    assert found("""
        import ssl
        def context(host, context, disable_validation):
            if disable_validation or (not context and host in ("localhost", "::1")):
                return ssl._create_unverified_context()
        """) == [(5, 16, "TLS103")]


def test_a_fallback_that_sets_the_option_itself_stays_reported():
    # kombu: no ssl options given -> the library picks CERT_NONE
    assert found("""
        import ssl, urllib3
        def pool(ssl_options):
            if not ssl_options:
                ssl_options = {"cert_reqs": ssl.CERT_NONE}
            return urllib3.PoolManager(**ssl_options)
        """) == [(5, 24, "TLS103")]


def test_a_request_is_no_table_lookup():
    # `session.get(url, verify=False)` has the shape of `table.get(key, fallback)` only
    assert found("""
        import requests
        def fetch(session, url):
            return session.get(url, verify=False)
        """) == [(4, 29, "TLS101")]


def test_an_api_probe_is_no_option():
    assert found("""
        import ssl
        def context(ctx, other):
            if getattr(ctx, "check_hostname", None) is not None:
                ctx.check_hostname = False
            if hasattr(other, "verify_mode"):
                other.verify_mode = ssl.CERT_NONE
        """) == [(5, 9, "TLS103"), (7, 9, "TLS103")]


# -- the analysis itself -------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("verify", True), ("ssl_verify_cert", True), ("_verify_ssl_certs", True),
    ("allow_insecure", True), ("trusted_certificates", True), ("ca", True),
    ("sslmode", True), ("disableSslCertValidation", True), ("ssl.ca.location", True),
    ("check_hostname", True), ("ssl", False), ("use_ssl", False), ("ssl_context", False),
    ("tls", False), ("host", False), ("unix_socket", False), ("cacheable", False),
])
def test_tls_named(name, expected):
    assert opt_outs.tls_named(name) is expected


def test_the_documentation_is_on_every_rule_page_that_uses_it():
    from corptls_lint.rules import ALL_RULES

    users = {rule.code for rule in ALL_RULES if rule.caller_opt_outs}
    assert users == {"TLS101", "TLS102", "TLS103", "TLS105"}
    for rule in ALL_RULES:
        text = rule.documentation()
        assert (opt_outs.DOCUMENTATION in text) is (rule.code in users)
        if rule.code in users:
            assert text.index(opt_outs.DOCUMENTATION) < text.index("## Why is this bad?")


def test_placement_outside_a_function_is_none():
    from corptls_lint.analysis.scopes import module_scope

    module = cst.parse_module("import ssl\nif not VERIFY:\n    ctx.check_hostname = False\n")
    statement = module.body[1]
    assert isinstance(statement, cst.If)
    assert opt_outs.placement(statement.body, module_scope(module)) is None


@pytest.mark.parametrize("source, expected", [
    # a client certificate is the client's identity, not its trust of the server: a fixture
    # that turns verification off when there is none chose that itself (nameko's conftest)
    ("""
    import ssl
    def rabbit_ssl_config(config, use_client_cert):
        if use_client_cert is False:
            config["AMQP_SSL"] = {"cert_reqs": ssl.CERT_NONE}
        return config
    """, [(5, 31, "TLS105")]),
    # the fallback of a table lookup is the library's default for a caller who chose nothing
    # it knows (PyHive: `ssl_cert=None` falls back to CERT_NONE)
    ("""
    import ssl
    CERT_MAP = {"none": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED}
    def connect(ssl_cert=None):
        ctx = ssl.create_default_context()
        ctx.verify_mode = CERT_MAP.get(ssl_cert, ssl.CERT_NONE)
        return ctx
    """, [(6, 5, "TLS103")]),
    # ... while the table's own entry for the caller's option is the caller's choice
    ("""
    import ssl
    CERT_MAP = {"none": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED}
    def connect(ssl_cert="required"):
        ctx = ssl.create_default_context()
        ctx.verify_mode = CERT_MAP.get(ssl_cert, ssl.CERT_REQUIRED)
        return ctx
    """, []),
])
def test_what_is_not_the_callers_choice(source, expected):
    assert found(source) == expected
