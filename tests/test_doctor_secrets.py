"""No form of a proxy's credentials is ever printed by the doctor: not in text, json, an error
or a `--verbose` traceback, whatever shape the proxy URL has (no scheme, a token as the user
name, a password holding '/', '#' or '?', a leading space, percent-encoding)."""

import base64
import io
import os
import subprocess
from urllib.parse import unquote

import pytest

pytest.importorskip("cryptography")

from conftest import console_script  # noqa: E402
from doctor_pki import Pki, TLSServer  # noqa: E402
from doctor_proxies import ConnectProxy  # noqa: E402

from corptls_lint.doctor import masking, run_doctor  # noqa: E402

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy")

# (the proxy URL with {port}, the secret parts that must never be printed)
FORMS = [
    pytest.param("alice:NoScheme5ecret@127.0.0.1:{port}", ["NoScheme5ecret"], id="no-scheme"),
    pytest.param("http://T0kenAsUserXyz987@127.0.0.1:{port}", ["T0kenAsUserXyz987"],
                 id="token-as-user"),
    pytest.param("http://alice:Sla/sh#Ha?shPw@127.0.0.1:{port}", ["Sla/sh#Ha?shPw", "Sla", "shPw"],
                 id="slash-hash-question"),
    pytest.param(" http://alice:LeadingSpacePw@127.0.0.1:{port}", ["LeadingSpacePw"],
                 id="leading-space"),
    pytest.param("http://alice:Pct%40Encoded%2FPw@127.0.0.1:{port}",
                 ["Pct%40Encoded%2FPw", "Pct@Encoded/Pw"], id="percent-encoded"),
    pytest.param("https://alice:HttpsProxyPw@127.0.0.1:{port}", ["HttpsProxyPw"],
                 id="https-proxy"),
]


def forbidden(url, parts):
    """Every printable form: the parts, their percent-decoding, the Basic token."""
    userinfo = url.strip().split("://")[-1].rsplit("@", 1)[0]
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    return {*parts, *(unquote(part) for part in parts), token}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki):
    with TLSServer(pki.path("server-full.pem"), pki.path("server.key"), http=True) as running:
        yield running


@pytest.fixture(scope="module")
def proxy():
    # credentials none of the forms carries: every form is refused with 407
    with ConnectProxy(credentials="Basic bm9ib2R5Om5vdGhpbmc=") as running:
        yield running


def run_cli(environ, *args):
    return subprocess.run([console_script(), "doctor", *args], capture_output=True, text=True,
                          env=environ, timeout=120)


def clean_environ(tmp_path, **extra):
    environ = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    environ.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1", **extra)
    return environ


@pytest.mark.parametrize("form, parts", FORMS)
def test_no_form_of_the_password_is_printed(form, parts, pki, server, proxy, tmp_path):
    url = form.format(port=proxy.port)
    never = forbidden(url, parts)
    host = f"localhost:{server.port}"
    environ = clean_environ(tmp_path, HTTPS_PROXY=url, https_proxy=url)
    some = ["--client", "requests", "--client", "httpx", "--client", "curl"]  # the quicker
    runs = [run_cli(environ, "--host", host),  # every client, and the environment's details
            run_cli(environ, "--host", host, "--output-format", "json", *some),
            run_cli(environ, "--bundle", pki.path("root.pem"), "--host", host, *some),
            run_cli(clean_environ(tmp_path), "--bundle", pki.path("root.pem"), "--host", host,
                    "--proxy", url, "--output-format", "json", *some)]
    for result in runs:
        printed = result.stdout + result.stderr
        assert result.returncode == 1, printed
        assert "***@127.0.0.1" in printed or "*** " in printed  # the URL is shown, masked
        for secret in never:
            assert secret not in printed, (secret, printed)


@pytest.mark.parametrize("form, parts", FORMS)
def test_no_form_of_the_password_is_in_a_verbose_traceback(form, parts, pki, monkeypatch):
    from corptls_lint.doctor import main

    url = form.format(port=9)

    def fail(*args, **kwargs):
        raise RuntimeError(f"internal failure while reading {url} and {unquote(url)}")

    monkeypatch.setattr(main, "build_report", fail)
    for verbose in (True, False):
        out, err = io.StringIO(), io.StringIO()
        code = run_doctor(pki.path("root.pem"), "localhost:1", "text", environ={"HTTPS_PROXY": url},
                          stdout=out, stderr=err, verbose=verbose)
        assert code == 2 and out.getvalue() == ""
        printed = err.getvalue()
        assert ("Traceback (most recent call last)" in printed) is verbose
        assert "internal failure while reading" in printed
        for secret in forbidden(url, parts):
            assert secret not in printed, (secret, printed)


def test_a_host_url_with_credentials_is_masked_in_the_usage_error():
    out, err = io.StringIO(), io.StringIO()
    code = run_doctor(None, "http://bob:HostUrlPw@example.test/", "json", environ={},
                      stdout=out, stderr=err)
    assert code == 2
    assert err.getvalue() == ("corptls-lint: error: --host: 'http://***@example.test/' is not an "
                              "https:// URL; the doctor checks TLS (expected HOST, HOST:PORT, "
                              "[IPv6]:PORT or https://HOST[:PORT]/...)\n")


@pytest.mark.parametrize("url, shown", [
    ("alice:pw@proxy:8080", "***@proxy:8080"),
    ("http://TOKEN@proxy", "http://***@proxy"),
    ("http://alice:a/b#c?d@proxy:8080", "http://***@proxy:8080"),
    ("http://alice:p@ss@proxy:8080", "http://***@proxy:8080"),
    ("  http://alice:pw@proxy:8080", "  http://***@proxy:8080"),
    ("http://proxy:8080", "http://proxy:8080"),
    ("socks5h://u:p@proxy:1080", "socks5h://***@proxy:1080"),
])
def test_redacted_masks_the_whole_userinfo(url, shown):
    assert masking.redacted(url) == shown
