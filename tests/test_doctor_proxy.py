"""The doctor behind a TLS-inspecting proxy, against a real one: mitmproxy's `mitmdump` in
explicit (HTTPS_PROXY) and reverse (transparent) mode in front of a TLS server with the test
PKI, and a small CONNECT proxy that refuses. Every scenario runs the doctor AND requests (and
httpx) with the same bundle and environment, and requires the same verdict. Loopback only.
"""

import io
import json
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.request

import pytest

pytest.importorskip("cryptography")
requests = pytest.importorskip("requests")

from conftest import console_script  # noqa: E402
from doctor_pki import Pki, TLSServer  # noqa: E402
from doctor_proxies import ConnectProxy, Mitmdump, find_mitmdump  # noqa: E402

from corptls_lint.doctor import environment  # noqa: E402
from corptls_lint.doctor import route as routes  # noqa: E402
from corptls_lint.doctor import run_doctor
from corptls_lint.doctor.target import Target, parse_host  # noqa: E402

try:
    import httpx
except ImportError:  # httpx is in the test extra; without it only requests is compared
    httpx = None

MITM_CA = "O=mitmproxy,CN=mitmproxy"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD")
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
                "PIP_CERT", "PIP_CONFIG_FILE", "AWS_CA_BUNDLE", "AWS_CONFIG_FILE",
                "CONDA_SSL_VERIFY", "CONDARC", "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY")
TIMINGS = {}


# --- the route, against requests' own functions (no network) --------------------------------

ROUTE_CASES = [
    ({}, "https://localhost:8443/"),
    ({"HTTPS_PROXY": "http://proxy.corp.example:8080"}, "https://api.example.com/"),
    ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}, "https://a.example/"),
    ({"https_proxy": "", "HTTPS_PROXY": "http://upper:2"}, "https://a.example/"),
    ({"ALL_PROXY": "socks5://all:1080"}, "https://a.example/"),
    ({"HTTP_PROXY": "http://only-http:3128"}, "https://a.example/"),
    ({"HTTPS_PROXY": "127.0.0.1:3128"}, "https://a.example/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "localhost"}, "https://localhost:9441/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".corp.example"}, "https://git.corp.example/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "corp.example"}, "https://git.corp.example/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "corp.example"}, "https://notcorp.example/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "a.example:8443"}, "https://a.example:8443/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "a.example:8443"}, "https://a.example:443/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8, 127.0.0.0/8"},
     "https://127.0.0.1:9441/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "127.0.0.1"}, "https://127.0.0.2/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https://anything.example/"),
    ({"HTTPS_PROXY": "http://p:1", "no_proxy": "x.example", "NO_PROXY": "a.example"},
     "https://a.example/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "::1"}, "https://[::1]:8443/"),
    ({"HTTPS_PROXY": "http://user:p%40ss@p:1"}, "https://a.example/"),
]


@pytest.mark.parametrize("environ, url", ROUTE_CASES)
def test_route_is_the_one_requests_takes(monkeypatch, environ, url):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # requests' own decision: Session.merge_environment_settings -> get_environ_proxies, then
    # HTTPAdapter.send -> select_proxy, then prepend_scheme_if_needed(proxy, "http")
    selected = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    expected = requests.utils.prepend_scheme_if_needed(selected, "http") if selected else None
    target = parse_host(url)
    route = routes.requests_route(target, dict(os.environ), requests.__version__)
    assert route.proxy == expected
    assert (routes.bypass_reason(target.url, dict(os.environ),
                                 requests_version=requests.__version__) is not None) == \
        requests.utils.should_bypass_proxies(target.url, None)
    assert routes.environ_proxies(dict(os.environ)) == urllib.request.getproxies_environment()


def test_proxy_without_scheme_that_requests_misreads(environ, pki):
    environ.setenv("HTTPS_PROXY", "localhost:3128")
    with pytest.raises(requests.exceptions.InvalidProxyURL):
        requests.get("https://localhost:1/", verify=pki.path("root.pem"), timeout=5)
    code, doc = doctor(pki.path("root.pem"), "localhost:1", "proxy without scheme")
    [refused] = failed(doc)
    assert code == 1 and refused["message"] == (
        "proxy localhost:3128: requests reads 'localhost' as the URL's scheme and finds no host "
        "(InvalidProxyURL: \"Please check proxy URL\"); write http://localhost:3128")


def test_no_proxy_suffix_rule_follows_the_requests_release():
    environ = {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "corp.example"}
    url = "https://notcorp.example/"
    assert routes.bypass_reason(url, environ, requests_version="2.32.5") == "corp.example"
    assert routes.bypass_reason(url, environ, requests_version="2.34.0") is None
    assert routes.bypass_reason("https://git.corp.example/", environ,
                                requests_version="2.34.2") == "corp.example"


def test_route_is_printed_with_its_reason():
    target = Target("git.corp.example", 443)
    assert routes.requests_route(target, {"HTTPS_PROXY": "http://u:secret@p:8080"}).describe() \
        == "via proxy http://***@p:8080 (from HTTPS_PROXY)"
    assert routes.requests_route(target, {"https_proxy": "http://p:8080",
                                          "NO_PROXY": ".corp.example"}).describe() == \
        "direct (NO_PROXY matches .corp.example)"
    assert routes.requests_route(target, {}).describe() == \
        "direct (no HTTPS_PROXY, https_proxy or ALL_PROXY set)"
    assert routes.decide(target, {"HTTPS_PROXY": "http://p:1"}, direct=True).describe() == \
        "direct (--direct)"
    assert routes.decide(target, {}, proxy="10.0.0.1:3128").describe() == \
        "via proxy http://10.0.0.1:3128 (--proxy)"


def test_connect_request_carries_basic_credentials_percent_decoded():
    request = routes.connect_request(Target("::1", 8443),
                                     routes.ProxyURL.parse("http://alice:p%40ss@proxy:8080"))
    assert request == (b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"
                       b"Proxy-Authorization: Basic YWxpY2U6cEBzcw==\r\n\r\n")


# --- real servers and proxies -------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def print_timings():
    """The doctor's run time per scenario, printed after the module (seen with -s); measured,
    never asserted."""
    yield
    for label, seconds in TIMINGS.items():
        print(f"{seconds:6.2f} s  {label}")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki):
    """An HTTPS server for localhost with the internal PKI (leaf + intermediate)."""
    with TLSServer(pki.path("server-full.pem"), pki.path("server.key"), http=True) as running:
        yield running


@pytest.fixture(scope="module")
def mitmdump_path():
    found = find_mitmdump()
    if found is None:
        message = ("mitmdump not found (set CORPTLS_MITMDUMP or put mitmproxy's mitmdump on "
                   "PATH; .ci/run installs it in .venv-mitm)")
        if os.environ.get("CI"):
            pytest.fail(message)
        print(f"skipped: {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def confdir(tmp_path_factory):
    return tmp_path_factory.mktemp("mitmproxy")


@pytest.fixture(scope="module")
def mitm(mitmdump_path, confdir, pki):
    """mitmdump as an explicit proxy (HTTPS_PROXY) that re-signs with its own CA."""
    with Mitmdump(mitmdump_path, confdir, pki.path("root.pem")) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def transparent(mitm, mitmdump_path, confdir, pki, server):
    """mitmdump in reverse mode in front of the server: what a transparent interceptor does
    (the client connects to it as if it were the server). Same CA as `mitm`."""
    with Mitmdump(mitmdump_path, confdir, pki.path("root.pem"),
                  mode=f"reverse:https://localhost:{server.port}") as proxy:
        yield proxy


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """A clean environment for requests and httpx; tests set what they need with setenv and
    give the doctor dict(os.environ). Other programs' settings on this machine (a pip.conf in
    /etc, a git config) are out of sight."""
    from corptls_lint.doctor import programs

    for name in PROXY_VARIABLES + CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(programs, "pip_config_files", lambda environ: [])
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return monkeypatch


def doctor(bundle, host, label, **options):
    """The doctor in-process, asking requests and httpx (the clients these tests compare;
    test_doctor_scenes.py asks every client)."""
    options.setdefault("clients", ("requests", "httpx"))
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = run_doctor(bundle, host, "json", environ=dict(os.environ), stdout=out, stderr=err,
                      **options)
    TIMINGS[label] = time.monotonic() - started
    assert err.getvalue() == ""
    return code, json.loads(out.getvalue())


def failed(doc):
    parts = [doc["route"] or {"checks": []}, *doc["bundles"], *doc["hosts"],
             *doc["sections"]]
    return [c for part in parts for c in part["checks"] if c["status"] == "fail"]


def outcome(error_text):
    for marker in ("CERTIFICATE_VERIFY_FAILED", "407", "403", "PEM lib", "Connection refused"):
        if marker in error_text:
            return marker
    return error_text[:200]


def requests_result(url, verify=None):
    """What requests does: "200 ok", or the marker of its error."""
    try:
        response = requests.get(url, verify=True if verify is None else verify, timeout=30)
    except (requests.exceptions.RequestException, OSError) as error:
        return outcome(str(error))
    return f"{response.status_code} {response.text}"


def httpx_result(url, cafile=None):
    """What httpx does (trust_env: proxy variables, SSL_CERT_FILE); None without httpx."""
    if httpx is None:
        return None
    try:
        verify = True if cafile is None else ssl.create_default_context(cafile=cafile)
    except ssl.SSLError as error:
        return outcome(str(error))
    try:
        response = httpx.get(url, verify=verify, timeout=30)
    except (httpx.HTTPError, OSError) as error:
        return outcome(f"{error!r} {error.__cause__!r}")
    return f"{response.status_code} {response.text}"


def agree(result, code):
    """httpx's result (None when it is not installed) or requests' agrees with the exit code."""
    return result is None or (result == "200 ok") == (code == 0)


def test_proxy_with_the_internal_ca_bundle_fails_and_names_the_interception(
        environ, pki, server, mitm):
    environ.setenv("HTTPS_PROXY", mitm.url)
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(pki.path("root.pem"), url, "explicit proxy, internal-CA bundle")
    assert code == 1
    assert doc["route"]["route"] == f"via proxy {mitm.url} (from HTTPS_PROXY)"
    first = failed(doc)[0]
    assert first["id"] == "tls-inspection"
    assert first["message"].startswith(f"TLS inspection by '{MITM_CA}' (a known inspection "
                                       f"product: mitmproxy): the proxy re-signs")
    assert "configure the server" not in first["fix"] and "--write-bundle" in first["fix"]
    direct = [c for c in doc["route"]["checks"] if c["id"] == "direct"]
    assert direct[0]["message"] == ("directly: the server's certificate is issued by "
                                    "'O=Doctor Test,CN=Doctor Test Intermediate CA'")
    assert requests_result(url, pki.path("root.pem")) == "CERTIFICATE_VERIFY_FAILED"
    assert httpx_result(url, pki.path("root.pem")) in (None, "CERTIFICATE_VERIFY_FAILED")


def test_proxy_with_the_proxy_ca_bundle_passes(environ, pki, server, mitm):
    environ.setenv("HTTPS_PROXY", mitm.url)
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(mitm.ca_cert, url, "explicit proxy, proxy-CA bundle")
    assert code == 0, failed(doc)
    [host] = doc["hosts"]
    assert [(c["id"], c["status"]) for c in host["checks"]] == [
        ("tls-inspection", "ok"), ("verify", "ok")]
    assert requests_result(url, mitm.ca_cert) == "200 ok"
    assert agree(httpx_result(url, mitm.ca_cert), code)


def test_transparent_interception_is_named(environ, pki, transparent):
    url = f"https://localhost:{transparent.port}/"
    code, doc = doctor(pki.path("root.pem"), url, "transparent interception")
    assert code == 1
    assert doc["route"]["route"] == "direct (no HTTPS_PROXY, https_proxy or ALL_PROXY set)"
    first = failed(doc)[0]
    assert (first["id"], first["message"].split(" (")[0]) == (
        "tls-inspection", f"TLS inspection by '{MITM_CA}'")
    assert "a device between this machine and the host re-signs" in first["message"]
    assert requests_result(url, pki.path("root.pem")) == "CERTIFICATE_VERIFY_FAILED"
    assert httpx_result(url, pki.path("root.pem")) in (None, "CERTIFICATE_VERIFY_FAILED")
    # the interceptor's CA is the fix, for the doctor and for requests alike
    code, _ = doctor(transparent.ca_cert, url, "transparent interception, proxy-CA bundle")
    assert code == 0 and requests_result(url, transparent.ca_cert) == "200 ok"


def test_no_proxy_host_goes_direct(environ, pki, server, mitm):
    environ.setenv("HTTPS_PROXY", mitm.url)
    environ.setenv("NO_PROXY", "localhost")
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(pki.path("root.pem"), url, "NO_PROXY, direct")
    assert code == 0, failed(doc)
    assert doc["route"]["route"] == "direct (NO_PROXY matches localhost)"
    assert requests_result(url, pki.path("root.pem")) == "200 ok"
    assert agree(httpx_result(url, pki.path("root.pem")), code)
    # --proxy overrides NO_PROXY: through mitmdump, and the internal CA no longer verifies
    code, doc = doctor(pki.path("root.pem"), url, "--proxy", proxy=mitm.url)
    assert code == 1 and doc["route"]["route"] == f"via proxy {mitm.url} (--proxy)"
    assert requests_result(url, pki.path("root.pem")) == "200 ok"  # requests has no --proxy


@pytest.mark.parametrize("answer, expected, marker", [
    ("407 Proxy Authentication Required", "proxy authentication required", "407"),
    ("403 Forbidden", "the proxy forbids this host or port", "403"),
])
def test_proxy_refusal_is_one_failed_check(environ, pki, server, answer, expected, marker):
    with ConnectProxy(answer=answer) as proxy:
        environ.setenv("HTTPS_PROXY", proxy.url)
        url = f"https://localhost:{server.port}/"
        code, doc = doctor(pki.path("root.pem"), url, f"proxy {answer[:3]}")
        assert code == 1 and doc["hosts"] == []
        [refused] = failed(doc)
        assert refused["id"] == "proxy"
        assert refused["message"] == (f"proxy {proxy.url} refused CONNECT localhost:"
                                      f"{server.port}: HTTP/1.1 {answer}; {expected}"
                                      + refused["message"].split(expected, 1)[1])
        assert requests_result(url, pki.path("root.pem")) == marker
        assert httpx_result(url, pki.path("root.pem")) in (None, marker)


def test_proxy_that_refuses_connections(environ, pki, server):
    # A port bound but not listening refuses every connection, and stays ours for the whole
    # test: a port merely closed could be taken by another process meanwhile.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"
        environ.setenv("HTTPS_PROXY", url)
        code, doc = doctor(pki.path("root.pem"), f"localhost:{server.port}", "proxy refused")
        [refused] = failed(doc)
        assert code == 1 and refused["message"].startswith(f"proxy {url}: cannot connect: ")
        assert requests_result(f"https://localhost:{server.port}/", pki.path("root.pem")) == \
            "Connection refused"


def test_proxy_credentials_are_sent_as_requests_sends_them(environ, pki, server):
    token = "Basic YWxpY2U6cEBzcw=="  # alice:p@ss
    with ConnectProxy(credentials=token) as proxy:
        environ.setenv("HTTPS_PROXY", f"http://alice:p%40ss@127.0.0.1:{proxy.port}")
        url = f"https://localhost:{server.port}/"
        code, doc = doctor(pki.path("root.pem"), url, "proxy with credentials")
        assert code == 0, failed(doc)
        assert doc["route"]["route"] == (f"via proxy http://***@127.0.0.1:{proxy.port} "
                                         f"(from HTTPS_PROXY)")
        assert requests_result(url, pki.path("root.pem")) == "200 ok"
        assert agree(httpx_result(url, pki.path("root.pem")), code)
        authorizations = {line for seen in proxy.requests_seen for line in seen.split("\r\n")
                          if line.lower().startswith("proxy-authorization")}
        assert authorizations == {f"Proxy-Authorization: {token}"}


def test_truncated_pem_fails_with_pythons_error(environ, pki, server, tmp_path):
    bundle = tmp_path / "cut.pem"
    whole = pki.root.pem() + pki.intermediate.pem()
    bundle.write_bytes(whole[:len(pki.root.pem()) + 200])  # the second block is cut off
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(str(bundle), url, "truncated PEM")
    assert code == 1
    checks = {c["id"]: c["message"] for c in doc["bundles"][0]["checks"]}
    line = pki.root.pem().count(b"\n") + 1
    python_error = None
    try:
        ssl.create_default_context(cafile=str(bundle))
    except ssl.SSLError as error:
        python_error = str(error)
    assert python_error and checks["python-refuses"] == (
        f"{bundle}:{line}: Python cannot load this bundle: {python_error}; the PEM block on "
        f"this line has a BEGIN line but no END line (cut off)")
    assert [c["id"] for c in doc["bundles"][0]["checks"]] == [
        "readable", "format", "python-refuses", "certificates"]
    assert requests_result(url, str(bundle)) == "PEM lib"
    assert httpx_result(url, str(bundle)) in (None, "PEM lib")


def test_certifi_trust_gets_the_recipe_never_a_certifi_edit(environ, pki, server, mitm):
    certifi = environment.certifi_where()
    if certifi is None:
        pytest.skip("certifi is not importable")
    environ.setenv("HTTPS_PROXY", mitm.url)
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(None, url, "environment: certifi trust")
    assert code == 1
    [requests_host] = [h for h in doc["hosts"] if "(requests" in h["trust"]]
    first = [c for c in requests_host["checks"] if c["status"] == "fail"][0]
    assert first["id"] == "tls-inspection"
    assert first["fix"].startswith(f"never edit {certifi}, the next upgrade replaces it; "
                                   f"build a combined bundle: corptls-lint doctor --host "
                                   f"localhost:{server.port} --write-bundle")
    assert "export REQUESTS_CA_BUNDLE=" in first["fix"] and "SSL_CERT_FILE=" in first["fix"]
    for host in doc["hosts"]:
        for check in host["checks"]:
            assert "to the bundle" not in check["fix"], check
    assert requests_result(url) == "CERTIFICATE_VERIFY_FAILED"
    assert httpx_result(url) in (None, "CERTIFICATE_VERIFY_FAILED")


def test_one_certificate_bundle_warns_that_public_sites_will_fail(environ, pki, server, mitm):
    environ.setenv("HTTPS_PROXY", mitm.url)
    environ.setenv("REQUESTS_CA_BUNDLE", mitm.ca_cert)
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(None, url, "environment: one-certificate bundle")
    [bundle] = [b for b in doc["bundles"] if b["path"] == mitm.ca_cert]
    warning = [c for c in bundle["checks"] if c["id"] == "no-public-roots"]
    assert warning and warning[0]["status"] == "warn"
    assert warning[0]["message"] == (f"{mitm.ca_cert} holds no public root: requests, pip trust "
                                     f"only this file, so public sites (pypi.org, github.com) "
                                     f"will fail; combine it with certifi")
    [requests_host] = [h for h in doc["hosts"] if "(requests" in h["trust"]]
    assert requests_host["verified"] is True
    assert requests_result(url) == "200 ok"


def test_write_bundle_makes_requests_through_the_proxy_succeed(environ, pki, server, mitm,
                                                               tmp_path):
    environ.setenv("HTTPS_PROXY", mitm.url)
    url = f"https://localhost:{server.port}/"
    out = tmp_path / "combined.pem"
    # mitmdump sends only its leaf: the CA comes from the bundle the user was given by IT
    code, doc = doctor(mitm.ca_cert, url, "--write-bundle", write_bundle=str(out))
    assert code == 0, failed(doc)
    [section] = doc["sections"]
    ids = [c["id"] for c in section["checks"]]
    # the CA the user trusts now is kept; each client is asked again with the new bundle
    assert ids == ["write-bundle", "kept", "recheck", "recheck", "use-it"]
    from corptls_lint.doctor import certinfo, store

    written = store.pem_certificates(out.read_bytes())
    [mitm_ca] = store.pem_certificates(open(mitm.ca_cert, "rb").read())
    assert section["checks"][1]["message"] == (
        f"'{MITM_CA}' SHA-256 {certinfo.fingerprint(mitm_ca)} (trusted now, from "
        f"{mitm.ca_cert})")
    assert [c["message"] for c in section["checks"][2:4]] == [
        f"with {out}, requests works with localhost:{server.port}",
        f"with {out}, httpx works with localhost:{server.port}"]
    assert all(certinfo.ca_flag(cert) is not False for cert in written)  # never a leaf
    certifi = environment.certifi_where()
    if certifi:
        assert len(written) == len(store.pem_certificates(open(certifi, "rb").read())) + 1
    assert requests_result(url, pki.path("root.pem")) == "CERTIFICATE_VERIFY_FAILED"
    environ.setenv("REQUESTS_CA_BUNDLE", str(out))
    environ.setenv("SSL_CERT_FILE", str(out))
    assert requests_result(url) == "200 ok"
    assert agree(httpx_result(url), 0)
    code, doc = doctor(None, url, "environment: the written bundle")
    assert code == 0, failed(doc)


def test_write_bundle_when_the_ca_is_nowhere_says_where_to_get_it(environ, pki, server, mitm,
                                                                  tmp_path):
    environ.setenv("HTTPS_PROXY", mitm.url)
    out = tmp_path / "combined.pem"
    code, doc = doctor(pki.path("root.pem"), f"localhost:{server.port}", "--write-bundle, no CA",
                       write_bundle=str(out))
    assert code == 1 and not out.exists()
    [written] = doc["sections"][0]["checks"]
    assert written["message"] == (f"{out} not written: the host (or the proxy) sent only its "
                                  f"own certificate, and '{MITM_CA}' is in no bundle at hand")
    assert "security find-certificate -a -p -c mitmproxy" in written["fix"]
    assert "Cert:\\LocalMachine\\Root" in written["fix"]


def test_write_bundle_of_a_direct_internal_server_adds_the_intermediate_and_root(
        environ, pki, server, tmp_path):
    out = tmp_path / "combined.pem"
    code, doc = doctor(pki.path("root.pem"), f"localhost:{server.port}", "--write-bundle, direct",
                       write_bundle=str(out))
    assert code == 0, failed(doc)
    listed = [(c["id"], c["message"].split("'")[1]) for c in doc["sections"][0]["checks"]
              if c["id"] in ("kept", "added")]
    assert listed == [("kept", "O=Doctor Test,CN=Doctor Test Root CA"),
                      ("added", "O=Doctor Test,CN=Doctor Test Intermediate CA")]
    url = f"https://localhost:{server.port}/"
    assert requests_result(url, str(out)) == "200 ok"


def test_write_bundle_never_goes_through_a_committed_symlink(environ, pki, server, tmp_path):
    """A repository commits combined.pem -> a file outside it; the bundle is refused, not
    written through the link."""
    outside = tmp_path / "victim.pem"
    outside.write_text("precious\n")
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    (repository / "combined.pem").symlink_to(outside)
    environ.chdir(repository)
    code, doc = doctor(pki.path("root.pem"), f"localhost:{server.port}", "--write-bundle, link",
                       write_bundle="combined.pem")
    checks = {c["id"]: c["message"] for c in doc["sections"][0]["checks"]}
    assert checks["write-bundle"] == ("not written: combined.pem: is a symlink; not followed, "
                                      "nothing written")
    assert code != 0 and outside.read_text() == "precious\n"
    assert (repository / "combined.pem").is_symlink()


# --- the console script: pasted URLs, usage errors, the route printed ----------------------


def run_cli(*args):
    env = {k: v for k, v in os.environ.items()}
    return subprocess.run([console_script(), *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_cli_pasted_url_through_the_proxy(environ, pki, server, mitm):
    environ.setenv("HTTPS_PROXY", mitm.url)
    started = time.monotonic()
    result = run_cli("--doctor", "--bundle", pki.path("root.pem"), "--host",
                     f"https://localhost:{server.port}/api/v1?x=1")
    TIMINGS["console script, explicit proxy"] = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert f"Route to localhost:{server.port} (as requests takes it): via proxy {mitm.url} " \
           f"(from HTTPS_PROXY)" in lines
    # the answer first: requests fails, and why, on the second line
    assert lines[1].startswith(f"✗ requests {requests.__version__}: fails: certificate verify "
                               f"failed: unable to get local issuer certificate (via proxy "
                               f"{mitm.url}): TLS inspection by '{MITM_CA}'")
    fails = [line for line in lines if line.startswith("✗  ")]
    assert fails[0].split()[:5] == ["✗", "tls-inspection", "TLS", "inspection", "by"]
    assert re.fullmatch(r"(\d) of \1 clients fail \(requests, .*\); 2 problems found\.",
                        lines[-1]), lines[-1]


@pytest.mark.parametrize("host, message", [
    ("http://localhost/", "'http://localhost/' is not an https:// URL; the doctor checks TLS "
                          "(expected HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/...)"),
    ("api example.com", "'api example.com' is not a host name in 'api example.com': expected "
                        "HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/..."),
    ("::1", "write an IPv6 address in brackets, as [::1]:443"),
])
def test_cli_host_usage_errors(host, message):
    result = run_cli("--doctor", "--host", host)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"corptls-lint: error: --host: {message}\n"


@pytest.mark.parametrize("text, expected", [
    ("https://api.example.com/path", ("api.example.com", 443)),
    ("https://api.example.com:8443/path?q=1#f", ("api.example.com", 8443)),
    ("HTTPS://[::1]:8443/", ("::1", 8443)),
    ("  localhost:9441 ", ("localhost", 9441)),
    ("10.1.2.3", ("10.1.2.3", 443)),
])
def test_pasted_urls_and_addresses(text, expected):
    assert tuple(parse_host(text)) == expected


def pip_download_result(url):
    """What pip itself does with this environment: its TLS verdict on the proxied index."""
    import sys

    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    environ["PIP_CONFIG_FILE"] = os.devnull
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--retries",
                             "0", "--timeout", "20", "--index-url", url + "simple/", "-d",
                             os.devnull, "corptls-probe-nothing"], capture_output=True, text=True,
                            env=environ, timeout=120)
    return outcome(result.stdout + result.stderr)


def test_pips_bundle_is_probed_too_and_agrees_with_pip(environ, pki, server, mitm):
    """pip's own bundle is probed along the route, and the doctor's verdict is pip's."""
    from corptls_lint.doctor import programs

    truststore = programs.pip_uses_truststore(environment.installed_version("pip"))
    environ.setenv("HTTPS_PROXY", mitm.url)
    environ.setenv("PIP_CERT", pki.path("root.pem"))
    url = f"https://localhost:{server.port}/"
    code, doc = doctor(None, url, "environment: pip's own bundle")
    assert code == 1
    label = f"{pki.path('root.pem')}{' + the OS store' if truststore else ''} (pip)"
    pip_host = {h["trust"]: h for h in doc["hosts"]}[label]
    first = [c for c in pip_host["checks"] if c["status"] == "fail"][0]
    assert first["id"] == "tls-inspection"
    assert f"export PIP_CERT={os.path.expanduser('~/corp-ca-bundle.pem')}" in first["fix"]
    assert pip_download_result(url) == "CERTIFICATE_VERIFY_FAILED"
    # the proxy's CA as PIP_CERT: the doctor's pip check passes, and so does pip's handshake
    environ.setenv("PIP_CERT", mitm.ca_cert)
    code, doc = doctor(None, url, "environment: PIP_CERT with the proxy's CA")
    label = f"{mitm.ca_cert}{' + the OS store' if truststore else ''} (pip)"
    assert {h["trust"]: h for h in doc["hosts"]}[label]["verified"] is True
    assert pip_download_result(url) != "CERTIFICATE_VERIFY_FAILED"
    # REQUESTS_CA_BUNDLE wins over PIP_CERT inside pip: the doctor says so, and pip follows it
    environ.setenv("REQUESTS_CA_BUNDLE", pki.path("root.pem"))
    code, doc = doctor(None, url, "environment: REQUESTS_CA_BUNDLE over PIP_CERT")
    section = [s for s in doc["sections"] if s["title"] == "Other programs' trust"][0]
    assert f": REQUESTS_CA_BUNDLE={pki.path('root.pem')} (pip's requests session lets it win, " \
           f"over PIP_CERT={mitm.ca_cert})" in section["checks"][0]["message"]
    assert pip_download_result(url) == "CERTIFICATE_VERIFY_FAILED"


def test_https_proxy_url_to_a_plain_http_proxy(environ, pki, server):
    with ConnectProxy() as proxy:
        environ.setenv("HTTPS_PROXY", f"https://127.0.0.1:{proxy.port}")
        code, doc = doctor(pki.path("root.pem"), f"localhost:{server.port}", "https:// proxy URL")
        [refused] = failed(doc)
        assert code == 1 and refused["message"].startswith(
            f"proxy https://127.0.0.1:{proxy.port}: TLS to the proxy itself failed: ")
        assert refused["message"].endswith("(a plain-HTTP proxy answers an https:// proxy URL "
                                           "this way: use http://)")
        assert requests_result(f"https://localhost:{server.port}/", pki.path("root.pem")) \
            != "200 ok"


def test_proxy_that_cannot_reach_the_host_answers_502(environ, pki):
    with ConnectProxy() as proxy:
        environ.setenv("HTTPS_PROXY", proxy.url)
        with socket.socket() as closed:  # bound, never listening: refused, and ours throughout
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
            code, doc = doctor(pki.path("root.pem"), f"localhost:{port}", "proxy 502")
            [refused] = failed(doc)
            assert code == 1 and refused["message"].startswith(
                f"proxy {proxy.url} refused CONNECT localhost:{port}: HTTP/1.1 502 Bad Gateway; "
                f"the proxy could not reach the host")
            result = requests_result(f"https://localhost:{port}/", pki.path("root.pem"))
            assert "502" in result or "Bad Gateway" in result or result != "200 ok"


def test_missing_issuer_behind_a_proxy_says_both_possibilities_the_likelier_first(pki):
    from corptls_lint.doctor import probe

    behind = probe.Path(connect=None, proxied=True, recipe="RECIPE")
    [check] = probe.diagnose("localhost", [pki.server.cert], [pki.root.cert], False, path=behind)
    assert (check.id, check.message) == (
        "omits-intermediate",
        "the server's certificate is issued by 'O=Doctor Test,CN=Doctor Test Intermediate CA', "
        "which is in neither the chain nor the bundle: likely TLS inspection by the proxy in the "
        "route (its CA 'O=Doctor Test,CN=Doctor Test Intermediate CA'), or else the server omits "
        "its intermediate")
    assert check.fix == ("RECIPE; if the server is yours instead: configure the server to send "
                         "its full chain (fullchain.pem)")
    # a direct connection that showed the same certificate rules the proxy out
    seen = probe.Path(connect=None, proxied=True, direct=[pki.server.cert], recipe="RECIPE")
    [check] = probe.diagnose("localhost", [pki.server.cert], [pki.root.cert], False, path=seen)
    assert check.message.startswith("server omits its intermediate")


@pytest.mark.parametrize("args, message", [
    (["--host", "localhost", "--proxy", "http://p:1", "--direct"],
     "--proxy and --direct exclude each other"),
    (["--write-bundle", "out.pem"], "--proxy, --direct and --write-bundle need --host"),
    (["--direct"], "--proxy, --direct and --write-bundle need --host"),
])
def test_cli_route_option_usage_errors(args, message):
    result = run_cli("--doctor", *args)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", f"corptls-lint: error: {message}\n")
    result = run_cli(*args)
    assert result.returncode == 2 and result.stderr.splitlines()[-1] == (
        "corptls-lint: error: --bundle, --host, --proxy, --direct, --write-bundle and --client "
        "need --doctor")
