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
    """The server that omits its intermediate."""
    with TLSServer(pki.path("server-leaf.pem"), pki.path("server.key"), http=True) as running:
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
    result = _run([sys.executable, "-m", "pip", "download", "--no-deps", "--retries", "0",
                   "--timeout", str(TIMEOUT), "--index-url", url + "simple/", "-d", str(folder),
                   "corptls-probe-nothing"], environ, timeout=120)
    text = result.stdout + result.stderr
    # the index answered (no such project): TLS worked; an SSL, proxy or connection error: not
    return "Could not find a version" in text and "SSLError" not in text \
        and "ProxyError" not in text and "Errno" not in text


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
    if "aws-cli" not in _run(["aws", "--version"], env).stdout + \
            _run(["aws", "--version"], env).stderr:
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
    assert verdicts(doc) == own, json.dumps(doc["clients"], indent=1)
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


def test_nothing_configured_fails_for_every_client_and_says_so_first(pki, full, base,
                                                                      tmp_path):
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
