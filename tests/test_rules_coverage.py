"""What the issue-12 rules say and where: messages that name both halves of a pair and the
sink a value travels to, server contexts, and the quality bar's false alarms."""

import textwrap

import pytest
from helpers import ALL_CODES

from corptls_lint.checking.engine import lint_source
from corptls_lint.ftypes import Settings


def diagnostics(source, codes=ALL_CODES, sliced=False):
    result = lint_source(textwrap.dedent(source), "example.py", Settings(enabled=tuple(codes)),
                         sliced=sliced)
    return [(d.line, d.col, d.code, d.message) for d in result.diagnostics]


def tls105_settings(tmp_path, insecure_keywords):
    """TLS105's settings with `insecure-keywords` configured in a pyproject.toml."""
    from corptls_lint.ftypes import FixTargets
    from corptls_lint.running.config import load_config, settings_for

    (tmp_path / "pyproject.toml").write_text(
        f"[tool.corptls-lint]\ninsecure-keywords = {insecure_keywords}\n")
    config = load_config(tmp_path / "pyproject.toml")
    return settings_for(tmp_path / "a.py", config, ("TLS105",), FixTargets())


def test_a_check_hostname_and_verify_mode_pair_is_one_finding_naming_both():
    found = diagnostics("""
        import ssl
        ctx = ssl.create_default_context()
        ctx.verify_mode = ssl.CERT_NONE
        ctx.check_hostname = False
        """)
    assert found == [(4, 1, "TLS103", "SSL context without certificate verification: "
                      "check_hostname = False and verify_mode = CERT_NONE on the same context")]


def test_pairs_on_two_contexts_are_two_findings():
    found = diagnostics("""
        import ssl
        a = ssl.create_default_context()
        b = ssl.create_default_context()
        a.check_hostname = False
        b.check_hostname = False
        a.verify_mode = ssl.CERT_NONE
        b.verify_mode = ssl.CERT_NONE
        """)
    assert [f[:3] for f in found] == [(5, 1, "TLS103"), (6, 1, "TLS103")]


def test_a_travelling_value_is_reported_once_at_its_origin_naming_the_sink():
    found = diagnostics("""
        import os, requests
        class Api:
            def __init__(self):
                self._verify = True
                if os.environ.get("API_INSECURE"):  # (a parameter would be the caller's)
                    self._verify = False
            def get(self, url):
                return requests.get(url, verify=self._verify)
            def post(self, url):
                return requests.post(url, verify=self._verify)
        """)
    assert found == [(7, 28, "TLS101", "verify=False written here reaches requests.get(); "
                      "pass the CA bundle instead")]


@pytest.mark.parametrize("source", [
    # server contexts, however they are made
    """
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    """,
    """
    import ssl
    from tornado.httpserver import HTTPServer
    def serve(app):
        ctx = ssl.SSLContext()
        ctx.load_cert_chain('cert.pem', 'key.pem')
        ctx.verify_mode = ssl.CERT_NONE
        return HTTPServer(app, ssl_options=ctx)
    """,
    # guards, jwt, SSH host keys, API payload fields, salt's file hashes
    """
    import ssl
    if ctx.verify_mode == ssl.CERT_NONE or not ctx.check_hostname:
        warn()
    """,
    "import jwt\njwt.decode(token, key, verify=False)\n",
    "from ncclient import manager\nmanager.connect(host=h, hostkey_verify=False)\n",
    "session.post(url, json={'name': 'hook', 'verify': False})\n",
    "__salt__['cp.get_url'](url, dest, skip_verify=True)\n",
    # a rebinding in sequence does not travel
    "import requests\nV = False\nV = True\nrequests.get(url, verify=V)\n",
])
def test_quality_bar_sources_are_quiet(source):
    assert diagnostics(source) == []


def test_client_certificates_do_not_make_a_client_context_a_server():
    found = diagnostics("""
        import ssl
        def connect(cert, key):
            ctx = ssl.create_default_context()
            ctx.load_cert_chain(cert, key)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
        """)
    assert [f[:3] for f in found] == [(6, 5, "TLS103")]


def test_tls403_is_off_by_default():
    from corptls_lint.rules import DEFAULT_CODES

    source = "session.trust_env = False\n"
    assert diagnostics(source, DEFAULT_CODES) == []
    assert [f[2] for f in diagnostics(source)] == ["TLS403"]


def test_weak_protocols_cover_bandit_b502_to_b504_names():
    found = diagnostics("""
        import ssl
        from OpenSSL import SSL
        ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv2)
        SSL.Context(SSL.TLSv1_1_METHOD)
        def f(version=ssl.PROTOCOL_SSLv3):
            pass
        ssl.wrap_socket(sock)
        """)
    assert [f[:3] for f in found] == [(4, 1, "TLS502"), (4, 35, "TLS501"), (5, 13, "TLS501"),
                                      (6, 15, "TLS501"), (8, 1, "TLS502")]


def test_insecure_keywords_from_the_configuration_replace_the_defaults(tmp_path):
    settings = tls105_settings(tmp_path, '["no_tls_check=true", "tls_on"]')
    source = ("client.call(no_tls_check=True)\nclient.call(tls_on=0)\n"
              "client.call(verify_ssl=False)\n")
    for sliced in (False, True):
        result = lint_source(source, "a.py", settings, sliced=sliced)
        assert [(d.line, d.col, d.code) for d in result.diagnostics] == [
            (1, 13, "TLS105"), (2, 13, "TLS105")]


def test_a_bad_insecure_keyword_is_a_config_error(tmp_path):
    from corptls_lint.ftypes import ConfigError
    from corptls_lint.running.config import load_config

    (tmp_path / "pyproject.toml").write_text(
        '[tool.corptls-lint]\ninsecure-keywords = ["verify ssl"]\n')
    with pytest.raises(ConfigError, match="'verify ssl' is not NAME or NAME=true"):
        load_config(tmp_path / "pyproject.toml")


@pytest.mark.parametrize("source", [
    # Django's staticfiles handler: `insecure` serves static files without DEBUG
    """
    from urllib.request import url2pathname
    from django.contrib.staticfiles.views import serve
    class StaticFilesHandlerMixin:
        def serve(self, request):
            return serve(request, self.file_path(request.path), insecure=True)
    """,
    # ... also where the module imports an HTTP client: the callee decides
    """
    import requests
    from django.contrib.staticfiles import views
    views.serve(request, path, insecure=True)
    """,
    # salt's tracing defaults: an OpenTelemetry exporter's `insecure` is plaintext gRPC
    """
    import salt.utils.network
    DEFAULT_MASTER_OPTS = {
        "tracing": {
            "exporter": "otlp-http",
            "insecure": True,
        },
    }
    """,
    """
    import urllib.request
    def overrides(endpoint):
        return {"tracing": {"endpoint": endpoint, "insecure": True}}
    """,
    """
    import requests
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True)
    """,
])
def test_the_default_insecure_flag_is_quiet_outside_tls_code(source):
    assert diagnostics(source) == []


def test_the_default_insecure_flag_is_reported_where_a_tls_client_is_imported():
    found = diagnostics("""
        from keystoneauth1 import loading
        class SessionTest:
            def test_insecure_timeout(self):
                self.config(insecure=True, timeout=5)
        import requests
        SETTINGS = {"insecure": True}
        def connect(url, insecure=True):
            import novaclient.client
            return novaclient.client.Client("2", url, insecure=insecure)
        def local():
            from openstack import connection
            connection.Connection(cloud="c", insecure=True)
        """)
    assert [f[:3] for f in found] == [(5, 21, "TLS105"), (7, 13, "TLS105"),
                                      (8, 27, "TLS105"), (13, 38, "TLS105")]
    # a function that imports the client counts for its own body only
    assert [f[:3] for f in diagnostics("""
        def local():
            from openstack import connection
            connection.Connection(cloud="c", insecure=True)
        def other(serve):
            serve(path, insecure=True)
        """)] == [(4, 38, "TLS105")]


def test_a_configured_insecure_flag_is_not_narrowed(tmp_path):
    settings = tls105_settings(tmp_path, '["insecure=true"]')
    source = ("from django.contrib.staticfiles.views import serve\n"
              "serve(request, path, insecure=True)\n"
              "OPTS = {'insecure': True}\n")
    for sliced in (False, True):
        result = lint_source(source, "a.py", settings, sliced=sliced)
        assert [(d.line, d.col, d.code) for d in result.diagnostics] == [
            (2, 22, "TLS105"), (3, 9, "TLS105")]


CALL_SITES = """
    import requests
    def fetch(url, verify=True, *, timeout=5):
        return requests.get(url, verify=verify, timeout=timeout)
    def fetch_all(urls, verify=True):
        for url in urls:
            requests.get(url, verify=verify)
            requests.head(url, verify=verify)
    class Api:
        def call(self, path, verify=True):
            return requests.get(self.base + path, verify=verify)
        def health(self):
            return self.call("/health", False)
        def status(self):
            return self.call("/status", verify=0)
    def main():
        fetch("https://a", verify=False)
        fetch("https://b", False)
        fetch_all(URLS, False)
        fetch("https://c", True)
        fetch("https://d", verify=None)
        fetch("https://e", *rest)
    """


@pytest.mark.parametrize("sliced", [False, True])
def test_a_call_site_passing_false_to_a_parameter_that_reaches_verify(sliced):
    def through(function, line, col):
        return (line, col, "TLS101", f"verify=False passed here reaches requests.get() through "
                                     f"{function}(); pass the CA bundle instead")

    # fetch_all has two sinks: one finding at the origin, naming the first
    assert diagnostics(CALL_SITES, sliced=sliced) == [
        through("call", 13, 37), through("call", 15, 37), through("fetch", 17, 24),
        through("fetch", 18, 24), through("fetch_all", 19, 21)]


@pytest.mark.parametrize("source", [
    # the parameter is rebound before the call: the caller's value does not reach it
    """
    import requests
    def fetch(url, verify=True):
        verify = CA_BUNDLE
        return requests.get(url, verify=verify)
    fetch(url, False)
    """,
    # the name at the call site is another function (a parameter shadows it)
    """
    import requests
    def fetch(url, verify=True):
        return requests.get(url, verify=verify)
    def run(fetch):
        fetch(url, False)
    """,
    # the function name is bound twice: which one a call reaches is unknown
    """
    import requests
    def fetch(url, verify=True):
        return requests.get(url, verify=verify)
    if PY2:
        def fetch(url, verify=True):
            return None
    fetch(url, False)
    """,
    # a method of another class, a keyword-only parameter passed by position, a call that
    # is not a TLS sink (jwt.decode), a static method called through self (no self shift)
    """
    import requests, jwt
    class A:
        def get(self, url, verify=True):
            return requests.get(url, verify=verify)
    class B:
        def get(self, url, verify=True):
            return url
        def run(self):
            self.get(url, False)
    def fetch(url, *, verify=True):
        return requests.get(url, verify=verify)
    fetch(url, False)
    def decode(token, verify=True):
        return jwt.decode(token, verify=verify)
    decode(token, False)
    class C:
        @staticmethod
        def get(url, verify=True):
            return requests.get(url, verify=verify)
        def run(self):
            self.get(False, True)
    """,
])
def test_call_sites_that_do_not_reach_verify_are_quiet(source):
    assert diagnostics(source) == []


def test_a_call_site_passing_cert_none_to_a_pool_parameter():
    found = diagnostics("""
        import ssl
        import urllib3
        def make_pool(host, cert_reqs="CERT_REQUIRED", assert_hostname=None):
            return urllib3.HTTPSConnectionPool(host, cert_reqs=cert_reqs,
                                               assert_hostname=assert_hostname)
        pool = make_pool("a", ssl.CERT_NONE)
        pool2 = make_pool("b", cert_reqs="CERT_NONE", assert_hostname=False)
        pool3 = make_pool("c", ssl.CERT_REQUIRED)
        """)
    message = ("an insecure {} passed here reaches urllib3.HTTPSConnectionPool() "
               "through make_pool()")
    assert found == [(7, 23, "TLS103", message.format("cert_reqs")),
                     (8, 24, "TLS103", message.format("cert_reqs")),
                     (8, 47, "TLS103", message.format("assert_hostname"))]
