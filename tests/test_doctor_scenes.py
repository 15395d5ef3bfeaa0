"""Scenes: a real server (or proxy) on 127.0.0.1, an environment set up the way people set them
up, the doctor run on it, and then every client installed here asked by this test itself, with
the same environment: the doctor's verdict per client must be what that client does.

The clients are asked here without the doctor's code: requests, httpx and urllib in a child
Python, `pip download`, `git ls-remote`, `curl`, and the AWS CLI where it is installed. A client
"works" when it got the HTTPS answer of the test server (which answers every request `200 ok`).
Each scene's doctor run is timed (printed after the module with -s; never asserted).
"""

import io
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

pytest.importorskip("cryptography")

from doctor_pki import Pki, TLSServer  # noqa: E402

from corptls_lint.doctor import run_doctor  # noqa: E402

CLIENTS = ("requests", "httpx", "ssl", "pip", "git", "botocore", "curl")
# The variables this machine may set that would decide the scenes instead of the test.
CLEARED = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
           "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
           "SSL_CERT_DIR", "PIP_CERT", "PIP_CONFIG_FILE", "PIP_PROXY", "PIP_INDEX_URL",
           "PIP_FIND_LINKS", "AWS_CA_BUNDLE", "AWS_CONFIG_FILE", "AWS_PROFILE",
           "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_SSL_NO_VERIFY", "GIT_CONFIG_GLOBAL",
           "CONDA_SSL_VERIFY", "CONDARC", "XDG_CONFIG_HOME")
TIMEOUT = 10
TIMINGS = {}


@pytest.fixture(scope="module", autouse=True)
def print_timings():
    yield
    for label, seconds in sorted(TIMINGS.items(), key=lambda item: -item[1]):
        print(f"{seconds:6.2f} s  {label}")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def full(pki):
    """The internal server: leaf + intermediate, answering 200 ok."""
    with TLSServer(pki.path("server-full.pem"), pki.path("server.key"), http=True) as running:
        yield running


@pytest.fixture(scope="module")
def leaf_only(pki):
    """The server that omits its intermediate (its certificate names its issuer's URL)."""
    with TLSServer(pki.path("aia-server-leaf.pem"), pki.path("aia-server.key"),
                   http=True) as running:
        yield running


@pytest.fixture
def base(tmp_path):
    """A clean environment: no CA or proxy variable of this machine, an empty home."""
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    home = tmp_path / "home"
    home.mkdir()
    environ.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", AWS_CONFIG_FILE=str(home / "aws"),
                   AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
    return environ


# --- each client asked by the test itself -------------------------------------------------

PYTHON_GET = {
    "requests": "import requests, sys; requests.get(sys.argv[1], timeout={t})",
    "httpx": "import httpx, sys; httpx.get(sys.argv[1], timeout={t})",
    "ssl": "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout={t})",
}


def _run(argv, environ, timeout=60):
    return subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _python_client(name, url, environ):
    module = "urllib" if name == "ssl" else name
    present = _run([sys.executable, "-c", f"import {module}"], environ)
    if present.returncode != 0:
        return None
    return _run([sys.executable, "-c", PYTHON_GET[name].format(t=TIMEOUT), url],
                environ).returncode == 0


def _pip(url, environ, folder):
    log = folder / "pip.log"
    result = _run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps",
                   "--retries", "0", "--timeout", str(TIMEOUT), "--index-url", url + "simple/",
                   "--log", str(log), "corptls-probe-nothing"], environ, timeout=120)
    text = result.stdout + result.stderr + (log.read_text() if log.exists() else "")
    if log.exists():
        log.unlink()
    # the index answered (a text/plain page, no such project): TLS worked; pip logs any SSL,
    # proxy or connection error as "Could not fetch URL" of the index
    return "Could not find a version" in text and f"Could not fetch URL {url}" not in text


def _git(url, environ):
    if shutil.which("git", path=environ.get("PATH")) is None:
        return None
    env = dict(environ, GIT_TERMINAL_PROMPT="0")
    return _run(["git", "ls-remote", url], env).returncode == 0


def _curl(url, environ):
    if shutil.which("curl", path=environ.get("PATH")) is None:
        return None
    return _run(["curl", "-sS", "-o", os.devnull, "--max-time", str(TIMEOUT), url],
                environ).returncode == 0


def _aws(url, environ):
    if shutil.which("aws", path=environ.get("PATH")) is None:
        return None
    env = dict(environ, AWS_MAX_ATTEMPTS="1", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    result = _run(["aws", "s3api", "list-buckets", "--endpoint-url", url, "--no-sign-request"],
                  env, timeout=120)
    if result.returncode == 0:
        return True
    version = _run(["aws", "--version"], env)
    if "aws-cli" not in version.stdout + version.stderr:
        return None  # a shim without an AWS CLI behind it
    # the server's 200 "ok" is no S3 answer: any error but TLS, proxy or connection means TLS
    # worked
    return not any(marker in result.stderr for marker in (
        "SSL validation failed", "Could not connect", "Failed to connect to proxy"))


def clients_own_results(url, environ, folder):
    """{client: True (works), False (fails), None (not installed)}, each asked here."""
    jobs = {"requests": lambda: _python_client("requests", url, environ),
            "httpx": lambda: _python_client("httpx", url, environ),
            "ssl": lambda: _python_client("ssl", url, environ),
            "pip": lambda: _pip(url, environ, folder),
            "git": lambda: _git(url, environ),
            "botocore": lambda: _aws(url, environ),
            "curl": lambda: _curl(url, environ)}
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


# --- the doctor -----------------------------------------------------------------------------


def doctor(environ, host, label, **options):
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = run_doctor(options.pop("bundle", None), host, "json", environ=environ, stdout=out,
                      stderr=err, **options)
    TIMINGS[label] = time.monotonic() - started
    assert err.getvalue() == ""
    return code, json.loads(out.getvalue())


def verdicts(doc):
    found = {client["name"]: client["ok"] for client in doc["clients"]}
    return {name: found.get(name) for name in CLIENTS}


def scene(environ, url, label, tmp_path, **options):
    """Run the doctor, then the clients; both verdicts, and the doctor's exit code, agree."""
    host = url.split("://", 1)[1].rstrip("/")
    code, doc = doctor(environ, host, label, **options)
    own = clients_own_results(url, environ, tmp_path)
    assert verdicts(doc) == own, (own, [(c["name"], c["ok"], c["reason"])
                                        for c in doc["clients"]])
    assert code == (1 if False in own.values() else 0)
    assert doc["ok"] is (code == 0)
    return code, doc


def point_all_at(environ, path):
    """Every client's variable at one bundle, as a user who followed the advice would."""
    return dict(environ, REQUESTS_CA_BUNDLE=path, SSL_CERT_FILE=path, CURL_CA_BUNDLE=path,
                GIT_SSL_CAINFO=path, PIP_CERT=path, AWS_CA_BUNDLE=path)


# --- scenes ---------------------------------------------------------------------------------


def test_internal_ca_everywhere_works(pki, full, base, tmp_path):
    environ = point_all_at(base, pki.path("root.pem"))
    code, doc = scene(environ, f"https://localhost:{full.port}/", "internal CA everywhere",
                      tmp_path)
    assert code == 0 and doc["next_step"] == ""
    for client in doc["clients"]:
        assert client["reason"] == f"works: verified TLS with localhost:{full.port} (direct)"


def test_nothing_configured_fails_for_every_client_and_says_so_first(pki, full, base, tmp_path):
    code, doc = scene(base, f"https://localhost:{full.port}/", "nothing configured", tmp_path)
    assert code == 1
    failing = [client for client in doc["clients"] if client["ok"] is False]
    assert failing and all(client["next_step"] for client in failing)
    assert doc["next_step"] == failing[0]["next_step"]
    # the text names the failing client in its first lines
    out = io.StringIO()
    run_doctor(None, f"localhost:{full.port}", "text", environ=base, stdout=out,
               stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[1].startswith(f"✗ {failing[0]['name']} ")  # within the first five lines
    # one line per client, then the next step, then the details
    assert lines[1 + len(CLIENTS)] == f"Next step: {doc['next_step']}"
    assert lines[3 + len(CLIENTS)] == "Details"


def test_server_omits_its_intermediate(pki, leaf_only, base, tmp_path):
    environ = point_all_at(base, pki.path("root.pem"))
    code, doc = scene(environ, f"https://localhost:{leaf_only.port}/", "omits intermediate",
                      tmp_path)
    assert code == 1
    [requests_verdict] = [c for c in doc["clients"] if c["name"] == "requests"]
    assert requests_verdict["reason"].startswith(
        "certificate verify failed: unable to get local issuer certificate (direct): server "
        "omits its intermediate")
    assert "http://pki.doctor.test/intermediate.crt" in requests_verdict["reason"]


def test_interception_by_a_product_the_doctor_does_not_know(pki, base, tmp_path):
    """A device that re-signs with a CA of no known product's name, and names no issuer URL:
    not headlined as a server that omits its intermediate; both, and how to tell."""
    from doctor_pki import issue

    gateway = issue("Corp Secure Gateway CA", None, ca=True)
    resigned = issue("localhost", gateway, ca=False, names=["localhost"])
    (tmp_path / "resigned.pem").write_bytes(resigned.pem())
    (tmp_path / "resigned.key").write_bytes(resigned.key_pem())
    with TLSServer(str(tmp_path / "resigned.pem"), str(tmp_path / "resigned.key"),
                   http=True) as device:
        code, doc = scene(point_all_at(base, pki.path("root.pem")),
                          f"https://localhost:{device.port}/", "unknown inspecting CA", tmp_path)
    assert code == 1
    requests_verdict = [c for c in doc["clients"] if c["name"] == "requests"][0]
    assert "server omits its intermediate" not in requests_verdict["reason"].split(":")[2]
    assert "either the server omits its intermediate, or a TLS-inspecting device re-signs" \
        in requests_verdict["reason"]
    assert "ask IT whether 'O=Doctor Test,CN=Corp Secure Gateway CA'" in \
        requests_verdict["reason"]


def test_bundle_of_the_intermediate_alone(pki, full, base, tmp_path):
    """OpenSSL in Python needs the root; curl (partial chains) and GnuTLS git may not: each
    client's own verdict, never one client's for all."""
    environ = point_all_at(base, pki.path("intermediate-only.pem"))
    scene(environ, f"https://localhost:{full.port}/", "intermediate-only bundle", tmp_path)


def test_bundle_option_points_every_client_at_the_bundle(pki, full, base, tmp_path):
    code, doc = doctor(base, f"localhost:{full.port}", "--bundle", bundle=pki.path("root.pem"))
    own = clients_own_results(f"https://localhost:{full.port}/",
                              point_all_at(base, pki.path("root.pem")), tmp_path)
    assert verdicts(doc) == own and code == 0


# --- A: verdicts that were wrong --------------------------------------------------------------


def test_expired_not_yet_valid_and_leaf_certificates_no_host_needs_are_warnings(
        pki, full, base, tmp_path):
    from doctor_pki import NOW, issue

    future = issue("Doctor Future Root CA", None, ca=True, not_before=NOW + timedelta(days=30),
                   not_after=NOW + timedelta(days=400))
    bundle = tmp_path / "mixed.pem"
    bundle.write_bytes(pki.expired_root.pem() + pki.other.pem() + future.pem() + pki.root.pem())
    code, doc = scene(point_all_at(base, str(bundle)), f"https://localhost:{full.port}/",
                      "expired, future and leaf certificates beside the root", tmp_path)
    assert code == 0
    [checked] = [b for b in doc["bundles"] if b["path"] == str(bundle)]
    assert {(c["id"], c["status"]) for c in checked["checks"]} >= {
        ("expired", "warn"), ("leaf", "warn"), ("not-yet-valid", "warn")}
    assert not [c for c in checked["checks"] if c["status"] == "fail"]


def test_trusted_certificate_blocks_are_loaded(pki, full, base, tmp_path):
    bundle = tmp_path / "trusted.pem"
    subprocess.run(["openssl", "x509", "-in", pki.path("root.pem"), "-trustout", "-addtrust",
                    "serverAuth", "-out", str(bundle)], check=True, capture_output=True)
    assert bundle.read_bytes().startswith(b"-----BEGIN TRUSTED CERTIFICATE-----")
    code, doc = scene(point_all_at(base, str(bundle)), f"https://localhost:{full.port}/",
                      "BEGIN TRUSTED CERTIFICATE bundle", tmp_path)
    [checked] = [b for b in doc["bundles"] if b["path"] == str(bundle)]
    assert [(c["id"], c["status"], c["message"]) for c in checked["checks"]][1] == (
        "format", "ok", "PEM, 1 certificate")
    assert [c["subject"] for c in checked["certificates"]] == [
        "O=Doctor Test,CN=Doctor Test Root CA"]


def test_ip_host_gets_ip_san_advice(pki, full, base, tmp_path):
    environ = point_all_at(base, pki.path("root.pem"))
    code, doc = scene(environ, f"https://127.0.0.1:{full.port}/", "IP host, DNS-only SAN",
                      tmp_path)
    assert code == 1
    [host] = doc["hosts"][:1]
    [mismatch] = [c for c in host["checks"] if c["id"] == "hostname-mismatch"]
    assert mismatch["fix"] == ("connect with a name the certificate lists, or reissue it with "
                               "IP:127.0.0.1 in its subjectAltName")
    assert "DNS:127.0.0.1" not in json.dumps(doc)


def test_ip_only_san_server_works_by_address(pki, base, tmp_path):
    with TLSServer(pki.path("ip-server-full.pem"), pki.path("ip-server.key"),
                   http=True) as server:
        code, _ = scene(point_all_at(base, pki.path("root.pem")),
                        f"https://127.0.0.1:{server.port}/", "IP-only SAN, by address", tmp_path)
    assert code == 0


def test_git_is_asked_with_its_own_per_url_config(pki, full, base, tmp_path):
    url = f"https://localhost:{full.port}/"
    (tmp_path / "home" / ".gitconfig").write_text(
        f'[http "{url}"]\n\tsslCAInfo = {pki.path("root.pem")}\n')
    code, doc = scene(base, url, "git http.<url>.sslCAInfo only", tmp_path)
    found = {client["name"]: client["ok"] for client in doc["clients"]}
    if "git" in found:
        assert found["git"] is True  # the one client configured for the host


def test_pip_per_command_section(pki, full, base, tmp_path):
    config = tmp_path / "home" / ".config" / "pip"
    config.mkdir(parents=True)
    (config / "pip.conf").write_text(f"[global]\ncert = {tmp_path / 'nowhere.pem'}\n"
                                     f"[install]\ncert = {pki.path('root.pem')}\n")
    code, doc = scene(base, f"https://localhost:{full.port}/", "pip [install] section",
                      tmp_path)
    assert {c["name"]: c["ok"] for c in doc["clients"]}["pip"] is True


def test_pip_config_file_dev_null_turns_the_config_off(pki, full, base, tmp_path):
    config = tmp_path / "home" / ".config" / "pip"
    config.mkdir(parents=True)
    (config / "pip.conf").write_text(f"[global]\ncert = {pki.path('root.pem')}\n")
    environ = dict(base, PIP_CONFIG_FILE=os.devnull)
    code, doc = scene(environ, f"https://localhost:{full.port}/", "PIP_CONFIG_FILE=/dev/null",
                      tmp_path)
    assert {c["name"]: c["ok"] for c in doc["clients"]}["pip"] is False
    [section] = [s for s in doc["sections"] if s["title"] == "Other programs' trust"]
    assert pki.path("root.pem") not in section["checks"][0]["message"]


def test_a_ca_folder_as_pips_cert(pki, full, base, tmp_path):
    """pip 24.2+ loads `cert` into truststore's context as a file ("Is a directory"); older
    pips hand it to requests, which takes a folder: pip's own verdict either way, and the
    next step of a failure says that pip needs a file."""
    folder = tmp_path / "cas"
    folder.mkdir()
    (folder / "root.pem").write_bytes(pki.root.pem())
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    code, doc = scene(dict(base, PIP_CERT=str(folder)), f"https://localhost:{full.port}/",
                      "CA folder as PIP_CERT", tmp_path)
    [pip] = [c for c in doc["clients"] if c["name"] == "pip"]
    if pip["ok"] is False:
        assert pip["next_step"].startswith("pip needs a bundle file, not a CA folder")


def test_the_next_step_for_a_folder_where_a_file_is_needed():
    from corptls_lint.doctor import verdicts
    from corptls_lint.doctor.clients import Attempt

    failed = Attempt("pip", True, "24.2", False, "config",
                     "IsADirectoryError: [Errno 21] Is a directory")
    verdict = verdicts.verdict(failed, "localhost:443", [], None, None)
    assert verdict.next_step == (
        f"pip needs a bundle file, not a CA folder: cat FOLDER/*.pem > "
        f"{os.path.expanduser('~/corp-ca-bundle.pem')} and point pip at that file")


# --- A: proxies ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mitm(tmp_path_factory, pki):
    from doctor_proxies import Mitmdump, find_mitmdump

    found = find_mitmdump()
    if found is None:
        message = "mitmdump not found (set CORPTLS_MITMDUMP or put mitmproxy's mitmdump on PATH)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with Mitmdump(found, tmp_path_factory.mktemp("mitmproxy"), pki.path("root.pem")) as proxy:
        yield proxy


def test_httpx_is_judged_by_its_own_no_proxy_rules(pki, full, base, mitm, tmp_path):
    """NO_PROXY=.localhost: requests goes direct to localhost, httpx through the proxy, whose
    re-signed certificate the internal root does not verify."""
    environ = dict(point_all_at(base, pki.path("root.pem")), HTTPS_PROXY=mitm.url,
                   https_proxy=mitm.url, NO_PROXY=".localhost", no_proxy=".localhost")
    code, doc = scene(environ, f"https://localhost:{full.port}/", "NO_PROXY=.localhost",
                      tmp_path)
    found = {c["name"]: c for c in doc["clients"]}
    assert found["requests"]["ok"] is True and found["requests"]["route"] is None
    if found["httpx"]["installed"]:  # httpx reads .localhost as its subdomains only
        assert (found["httpx"]["ok"], found["httpx"]["route"]) == (False, mitm.url)
        assert found["httpx"]["reason"].endswith(
            f"; httpx goes via proxy {mitm.url}, where requests goes direct: its proxy rules "
            f"(NO_PROXY) differ")


def test_explicit_interception_with_the_proxys_ca(pki, full, base, mitm, tmp_path):
    environ = dict(point_all_at(base, mitm.ca_cert), HTTPS_PROXY=mitm.url,
                   https_proxy=mitm.url)
    scene(environ, f"https://localhost:{full.port}/", "mitmproxy, its CA everywhere", tmp_path)


def test_explicit_interception_with_the_internal_ca(pki, full, base, mitm, tmp_path):
    environ = dict(point_all_at(base, pki.path("root.pem")), HTTPS_PROXY=mitm.url,
                   https_proxy=mitm.url)
    code, doc = scene(environ, f"https://localhost:{full.port}/", "mitmproxy, internal CA",
                      tmp_path)
    assert code == 1
    requests_verdict = [c for c in doc["clients"] if c["name"] == "requests"][0]
    assert "TLS inspection by 'O=mitmproxy,CN=mitmproxy'" in requests_verdict["reason"]


def test_https_proxy_url_is_verified_with_the_clients_trust(pki, full, base, tmp_path):
    """TLS to the proxy itself (an https:// proxy URL), as urllib3 2 does it: the proxy's
    certificate is checked with the CA the client trusts, at once, never after a long wait."""
    import ssl

    from doctor_proxies import ConnectProxy

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.path("ip-server-full.pem"), pki.path("ip-server.key"))
    with ConnectProxy(tls=context) as proxy:
        environ = dict(point_all_at(base, pki.path("root.pem")), HTTPS_PROXY=proxy.url,
                       https_proxy=proxy.url)
        code, doc = scene(environ, f"https://localhost:{full.port}/", "https:// proxy URL",
                          tmp_path)
    assert doc["route"]["checks"][0]["message"] == (
        f"via proxy {proxy.url} (from https_proxy): CONNECT localhost:{full.port} accepted")
    assert {c["name"]: c["ok"] for c in doc["clients"]}["requests"] is True


PROXY_AUTH = "Basic YWxpY2U6cmlnaHQ="  # alice:right


@pytest.mark.parametrize("challenges, userinfo, expected", [
    (['Basic realm="corp"'], "", "proxy authentication required (Proxy-Authenticate: Basic): "
                                 "put the credentials in the proxy URL"),
    (['Basic realm="corp"'], "alice:wrong@", "proxy authentication required (Proxy-"
                                             "Authenticate: Basic): the proxy refused the user "
                                             "name and password of the proxy URL"),
    (["NTLM", "Negotiate"], "alice:right@", "proxy authentication required (Proxy-Authenticate: "
                                            "NTLM, Negotiate): requests, pip and httpx cannot "
                                            "answer NTLM, Negotiate from a proxy URL at all"),
], ids=["basic-none", "basic-wrong", "ntlm-negotiate"])
def test_proxy_asking_for_authentication(pki, full, base, tmp_path, challenges, userinfo,
                                         expected):
    from doctor_proxies import ConnectProxy

    # the 407's body comes in the same write as its head: it is read, never "data after"
    with ConnectProxy(credentials=PROXY_AUTH if challenges[0].startswith("Basic") else "x",
                      challenges=challenges, body=b"<html>authentication required</html>") \
            as proxy:
        url = f"http://{userinfo}127.0.0.1:{proxy.port}"
        environ = dict(point_all_at(base, pki.path("root.pem")), HTTPS_PROXY=url,
                       https_proxy=url)
        code, doc = scene(environ, f"https://localhost:{full.port}/",
                          f"407 {' '.join(challenges)} {userinfo or 'none'}", tmp_path)
    assert code == 1
    [refused] = [c for c in doc["route"]["checks"] if c["status"] == "fail"]
    assert refused["message"].startswith(
        f"proxy http://{'***@' if userinfo else ''}127.0.0.1:{proxy.port} refused CONNECT "
        f"localhost:{full.port}: HTTP/1.1 407 Proxy Authentication Required; {expected}")
    requests_verdict = [c for c in doc["clients"] if c["name"] == "requests"][0]
    assert requests_verdict["reason"] == refused["message"]
    if "NTLM" in challenges:
        assert "px, or cntlm" in refused["message"]


# --- C: fixes that never break what worked ----------------------------------------------------


@pytest.fixture(scope="module")
def second_pki(tmp_path_factory):
    """Another internal CA (host B), whose server sends its whole chain, root included."""
    return Pki(tmp_path_factory.mktemp("second-pki"))


@pytest.fixture(scope="module")
def host_b(second_pki):
    chain = second_pki.folder / "b-chain.pem"
    chain.write_bytes(second_pki.server.pem() + second_pki.intermediate.pem()
                      + second_pki.root.pem())
    with TLSServer(str(chain), second_pki.path("server.key"), http=True) as running:
        yield running


def test_write_bundle_keeps_what_worked_and_adds_what_was_missing(pki, second_pki, full,
                                                                  host_b, base, tmp_path):
    """A user whose clients reach internal host A follows the advice for host B: the new
    bundle must reach both, for every client that reached A before."""
    before = point_all_at(base, pki.path("root.pem"))
    url_a, url_b = f"https://localhost:{full.port}/", f"https://localhost:{host_b.port}/"
    worked_a = clients_own_results(url_a, before, tmp_path)
    assert worked_a["requests"] is True
    out = tmp_path / "new-bundle.pem"
    code, doc = doctor(before, f"localhost:{host_b.port}", "--write-bundle, host B",
                       write_bundle=str(out))
    [section] = [s for s in doc["sections"] if s["title"] == f"Combined bundle {out}"]
    rechecks = [c for c in section["checks"] if c["id"] == "recheck"]
    after = point_all_at(base, str(out))
    works_b = clients_own_results(url_b, after, tmp_path)
    # the doctor's re-check is what each client does with the new bundle
    labels = {"ssl (urllib)": "ssl", "botocore / AWS CLI": "botocore"}
    prefix = f"with {out}, "
    rechecked = {}
    for check in rechecks:
        text = check["message"][len(prefix):]
        label = text.split(" works with ")[0].split(" still fails with ")[0]
        rechecked[labels.get(label, label)] = check["status"] == "ok"
    assert rechecked == {name: ok for name, ok in works_b.items() if ok is not None}
    works_a = clients_own_results(url_a, after, tmp_path)
    for name, ok in worked_a.items():
        if ok:
            assert works_a[name] is True, name  # nothing that worked stops working
    assert works_b["requests"] is True
    # every certificate written is listed, by SHA-256, in the file itself
    from corptls_lint.doctor import certinfo, store

    written = store.pem_certificates(out.read_bytes())
    listed = [line.split()[-1] for line in out.read_text().splitlines()
              if line.startswith("# SHA-256 ")]
    assert listed == [certinfo.fingerprint(cert) for cert in written]


def test_write_bundle_escapes_certificate_text_and_writes_no_smuggled_block(pki, tmp_path):
    """A CA whose subject holds a newline and a PEM block: the block is never written as one,
    and the report prints it escaped."""
    from cryptography import x509 as cx509
    from cryptography.x509.oid import NameOID
    from doctor_pki import Issued, issue

    from corptls_lint.doctor import certinfo, recipe, store

    smuggled = issue("Smuggled Root", None, ca=True)
    text = "Evil CA\n" + smuggled.pem().decode()
    evil = issue("placeholder", None, ca=True)
    name = cx509.Name([cx509.NameAttribute(NameOID.ORGANIZATION_NAME, text)])
    from cryptography.hazmat.primitives import hashes

    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(evil.key.public_key()).serial_number(1)
            .not_valid_before(evil.cert.not_valid_before_utc)
            .not_valid_after(evil.cert.not_valid_after_utc)
            .add_extension(cx509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(evil.key, hashes.SHA256()))
    evil = Issued(cert, evil.key)
    out = tmp_path / "out.pem"
    checks, written = recipe.write_bundle(str(out), None, [pki.server.cert, evil.cert])
    data = out.read_text()
    in_file = {certinfo.fingerprint(c) for c in store.pem_certificates(data.encode())}
    assert certinfo.fingerprint(smuggled.cert) not in in_file
    assert in_file == {certinfo.fingerprint(c) for c in written}
    # a PEM block starts only where a certificate written starts
    assert data.splitlines().count("-----BEGIN CERTIFICATE-----") == len(written)
    assert all("\n" not in check.message for check in checks)
    assert "Evil CA\\x0a-----BEGIN CERTIFICATE-----" in "".join(c.message for c in checks)
    assert "# O=Evil CA\\x0a-----BEGIN CERTIFICATE-----\\x0a" in data


def test_advice_paths_are_absolute_and_say_how_to_make_it_stick(pki, full, base, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, doc = doctor(point_all_at(base, pki.path("root.pem")), f"localhost:{full.port}",
                       "--write-bundle relative", write_bundle="relative.pem",
                       clients=("requests",))
    absolute = str(tmp_path / "relative.pem")
    [section] = [s for s in doc["sections"] if s["title"].startswith("Combined bundle")]
    assert section["title"] == f"Combined bundle {absolute}"
    [use] = [c for c in section["checks"] if c["id"] == "use-it"]
    assert use["message"].endswith(f"use it: export REQUESTS_CA_BUNDLE={absolute} "
                                   f"SSL_CERT_FILE={absolute}")
    for where in ("~/.bashrc", f"setx REQUESTS_CA_BUNDLE {absolute}",
                  f"Environment=REQUESTS_CA_BUNDLE={absolute}",
                  f"pip config set global.cert {absolute}",
                  f"git config --global http.sslCAInfo {absolute}",
                  f"conda config --set ssl_verify {absolute}"):
        assert where in use["fix"], where
    # the recipe for a failing client names absolute paths too
    code, doc = doctor(base, f"localhost:{full.port}", "recipe", clients=("requests",))
    assert "corp-ca-bundle.pem" in doc["next_step"]
    assert f" {os.path.expanduser('~')}" in doc["next_step"] or "~" not in doc["next_step"]


def test_ssl_cert_file_naming_a_folder(pki, full, base, tmp_path):
    folder = tmp_path / "cas"
    folder.mkdir()
    (folder / "root.pem").write_bytes(pki.root.pem())
    code, doc = scene(dict(base, SSL_CERT_FILE=str(folder)), f"https://localhost:{full.port}/",
                      "SSL_CERT_FILE is a folder", tmp_path)
    [check] = [c for c in doc["environment"]["checks"] if c["id"] == "file-is-folder"]
    assert check["fix"].startswith(f"a folder is SSL_CERT_DIR's: openssl rehash {folder} && "
                                   f"export SSL_CERT_DIR={folder} && unset SSL_CERT_FILE")


@pytest.mark.parametrize("shape", ["crlf", "cr-only", "indented", "der"])
def test_broken_bundle_shapes_are_written_repaired(pki, full, base, tmp_path, shape):
    pem = pki.root.pem() + pki.intermediate.pem()
    data = {"crlf": pem.replace(b"\n", b"\r\n"), "cr-only": pem.replace(b"\n", b"\r"),
            "indented": b"".join(b"    " + line + b"\n" for line in pem.splitlines()),
            "der": pki.root.der()}[shape]
    broken = tmp_path / f"broken-{shape}.pem"
    broken.write_bytes(data)
    url = f"https://localhost:{full.port}/"
    code, doc = scene(point_all_at(base, str(broken)), url, f"bundle {shape}", tmp_path)
    if shape in ("cr-only", "indented"):
        [bundle] = [b for b in doc["bundles"] if b["path"] == str(broken)]
        [repair] = [c for c in bundle["checks"] if c["id"] == "needs-repair"]
        assert "--write-bundle" in repair["fix"]
    out = tmp_path / f"repaired-{shape}.pem"
    code, doc = doctor(base, f"localhost:{full.port}", f"--write-bundle of a {shape} bundle",
                       bundle=str(broken), write_bundle=str(out))
    [section] = [s for s in doc["sections"] if s["title"] == f"Combined bundle {out}"]
    checks = {c["id"]: c["status"] for c in section["checks"]}
    assert checks["use-it"] == "ok" and checks["recheck"] == "ok", section
    own = clients_own_results(url, point_all_at(base, str(out)), tmp_path)
    assert False not in own.values(), own


def test_unreachable_host_without_a_proxy_mentions_pac(base, tmp_path):
    """A port bound and never listening (refused at once, ours for the whole test): every
    client fails to connect; with no proxy set, the next step says that PAC is not read."""
    import socket

    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        url = f"https://localhost:{bound.getsockname()[1]}/"
        code, doc = scene(base, url, "refused port, no proxy", tmp_path)
    assert code == 1
    assert "requests, pip, httpx and curl do not read PAC" in doc["next_step"]
