"""The trust module `init` writes, against a real TLS server on 127.0.0.1 behind a test CA
(tests/doctor_pki.py). Each case imports the written module fresh in a new interpreter with
the environment it asks for: the module decides its trust when it is imported."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cryptography")
pytest.importorskip("requests")

from doctor_pki import Pki, TLSServer  # noqa: E402

TEMPLATE = (Path(__file__).resolve().parent.parent / "src/corptls_lint/adoption/trust_module.py")
# what the module reads, and what requests and OpenSSL read besides
TRUST_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "SSL_CERT_DIR")
try:
    import truststore  # noqa: F401
    HAS_TRUSTSTORE = True
except ImportError:  # not installed, or Python 3.9
    HAS_TRUSTSTORE = False
VERIFY_FAILED = "CERTIFICATE_VERIFY_FAILED"

# Imports the module as `corp_tls` from argv[1] and defines how to fetch argv[2] with
# make_session() and with urllib through ssl_context(); argv[3:]: modules to hide, as if they
# were not installed. REPORT then prints what happened as JSON.
PROBE = r"""
import json, sys, urllib.request
folder, url, hidden = sys.argv[1], sys.argv[2], sys.argv[3:]
for name in hidden:
    sys.modules[name] = None
sys.path.insert(0, folder)
import corp_tls

def attempt(fetch):
    try:
        return "ok: " + fetch()
    except Exception as error:
        return f"{type(error).__name__}: {error}"

def with_requests():
    return corp_tls.make_session().get(url, timeout=10).text

def with_urllib():
    with urllib.request.urlopen(url, context=corp_tls.ssl_context(), timeout=10) as answer:
        return answer.read().decode()
"""
REPORT = r"""
try:
    context = corp_tls.ssl_context()
except OSError as error:
    context = error
session = None if "requests" in hidden else corp_tls.make_session()
adapter_context = None if session is None else (
    session.get_adapter(url).poolmanager.connection_pool_kw.get("ssl_context"))
print(json.dumps({
    "source": corp_tls.TRUST_SOURCE, "bundle": corp_tls.CA_BUNDLE,
    "context": type(context).__module__.split(".")[0] + "." + type(context).__name__,
    "checks": None if isinstance(context, OSError) else [
        context.check_hostname, int(context.verify_mode), context.minimum_version.name],
    "adapter_context": adapter_context and type(adapter_context).__module__.split(".")[0],
    "session_verify": None if session is None else session.verify,
    "requests": "hidden" if session is None else attempt(with_requests),
    "urllib": attempt(with_urllib),
}))
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def url(pki):
    with TLSServer(pki.path("server-full.pem"), pki.path("server.key"), http=True) as server:
        yield f"https://localhost:{server.port}/"


@pytest.fixture(scope="module")
def module_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trust")
    shutil.copy(TEMPLATE, folder / "corp_tls.py")
    return folder


def run_python(code, arguments, variables):
    """`code` in a new interpreter whose environment has only `variables` of the trust
    variables, and no proxy; what it printed, as JSON."""
    env = {name: value for name, value in os.environ.items()
           if name not in TRUST_VARIABLES and not name.lower().endswith("_proxy")}
    env.update(variables, NO_PROXY="*")
    result = subprocess.run([sys.executable, "-c", code, *map(str, arguments)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def probe(module_folder, url):
    def run(variables, hidden=()):
        return run_python(PROBE + REPORT, [module_folder, url, *hidden], variables)
    return run


def refused(outcome):
    return VERIFY_FAILED in outcome


def test_requests_ca_bundle_is_trusted(probe, pki):
    seen = probe({"REQUESTS_CA_BUNDLE": pki.path("root.pem")})
    assert (seen["source"], seen["bundle"]) == ("REQUESTS_CA_BUNDLE", pki.path("root.pem"))
    assert seen["session_verify"] == pki.path("root.pem")
    assert (seen["requests"], seen["urllib"]) == ("ok: ok", "ok: ok")
    assert seen["context"] == "ssl.SSLContext"
    assert seen["checks"] == [True, 2, "TLSv1_2"]  # CERT_REQUIRED


def test_ssl_cert_file_is_trusted_when_requests_ca_bundle_is_unset(probe, pki):
    seen = probe({"SSL_CERT_FILE": pki.path("root.pem")})
    assert seen["source"] == "SSL_CERT_FILE"
    assert (seen["requests"], seen["urllib"]) == ("ok: ok", "ok: ok")


def test_requests_ca_bundle_comes_first(probe, pki):
    seen = probe({"REQUESTS_CA_BUNDLE": pki.path("expired-root.pem"),
                  "SSL_CERT_FILE": pki.path("root.pem")})
    assert seen["bundle"] == pki.path("expired-root.pem")
    assert refused(seen["requests"]) and refused(seen["urllib"]), seen


def test_a_missing_bundle_file_fails_and_names_it(probe, tmp_path):
    missing = str(tmp_path / "no-such.pem")
    seen = probe({"REQUESTS_CA_BUNDLE": missing})
    assert seen["bundle"] == missing
    assert missing in seen["requests"]
    assert seen["urllib"] == (f"FileNotFoundError: [Errno 2] no CA bundle file "
                              f"(REQUESTS_CA_BUNDLE): '{missing}'")


@pytest.mark.skipif(not HAS_TRUSTSTORE, reason="truststore is not installed")
def test_without_a_variable_the_os_store_refuses_the_test_ca(probe):
    seen = probe({})
    assert seen["source"] == "truststore"
    assert seen["context"] == "truststore.SSLContext"
    assert seen["adapter_context"] == "truststore"  # requests gets it through the adapter
    assert seen["session_verify"] is True
    assert seen["checks"] == [True, 2, "TLSv1_2"]
    assert os.path.isfile(seen["bundle"])
    assert refused(seen["requests"]) and refused(seen["urllib"]), seen


@pytest.mark.skipif(not HAS_TRUSTSTORE or not shutil.which("openssl"),
                    reason="needs truststore and the openssl command (to hash a CA folder)")
def test_the_os_store_trusts_what_the_system_trusts(probe, pki, tmp_path):
    """OpenSSL's store (truststore's on Linux) with the test CA added through SSL_CERT_DIR,
    which the module does not read: the OS store's decision, through the adapter too."""
    if sys.platform != "linux":
        pytest.skip("SSL_CERT_DIR is OpenSSL's; truststore asks the OS elsewhere")
    seen = probe({"SSL_CERT_DIR": _hashed_folder(pki.path("root.pem"), tmp_path)})
    assert seen["source"] == "truststore"
    assert (seen["requests"], seen["urllib"]) == ("ok: ok", "ok: ok")


def test_without_truststore_certifi_refuses_the_test_ca(probe):
    import certifi

    seen = probe({}, hidden=["truststore"])
    assert (seen["source"], seen["bundle"]) == ("certifi", certifi.where())
    assert seen["session_verify"] == certifi.where()
    assert seen["adapter_context"] is None  # requests' own adapter, given the bundle's path
    assert refused(seen["requests"]) and refused(seen["urllib"]), seen


def test_with_none_of_them_the_module_imports_and_uses_the_ssl_defaults(probe, pki, tmp_path):
    hidden = ["requests", "certifi", "truststore"]
    seen = probe({}, hidden=hidden)
    assert seen["source"] == "ssl"
    assert seen["checks"] == [True, 2, "TLSv1_2"]
    assert refused(seen["urllib"]), seen
    if shutil.which("openssl") and sys.platform == "linux":  # OpenSSL's own folder variable
        trusted = probe({"SSL_CERT_DIR": _hashed_folder(pki.path("root.pem"), tmp_path)},
                        hidden=hidden)
        assert trusted["urllib"] == "ok: ok"


def test_the_environment_is_read_at_import(module_folder, pki, url):
    """Setting the variable after the import changes nothing until the module is reloaded."""
    code = PROBE + (
        "import importlib, os\n"
        "before = attempt(with_urllib)\n"
        "os.environ['REQUESTS_CA_BUNDLE'] = sys.argv[3]\n"
        "still = (corp_tls.TRUST_SOURCE, attempt(with_urllib))\n"
        "importlib.reload(corp_tls)\n"
        "print(json.dumps([before, still, corp_tls.TRUST_SOURCE, attempt(with_urllib)]))\n")
    code = code.replace("hidden = sys.argv[1], sys.argv[2], sys.argv[3:]",
                        "hidden = sys.argv[1], sys.argv[2], ['truststore']")
    before, (source, still), reloaded_source, after = run_python(
        code, [module_folder, url, pki.path("root.pem")], {})
    assert refused(before) and refused(still) and source == "certifi"
    assert (reloaded_source, after) == ("REQUESTS_CA_BUNDLE", "ok: ok")


def test_the_module_has_no_finding_with_every_rule(run_cli, module_folder):
    """Checked as any module is (not as the configured trust module): nothing to report."""
    result = run_cli("check", "--no-cache", "--extend-select", "TLS401,TLS402",
                     "--ca-bundle", "elsewhere:CA_BUNDLE", str(module_folder / "corp_tls.py"))
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


@pytest.mark.slow
def test_the_module_passes_mypy_strict_and_ruff(module_folder):
    """Where the type checker and ruff are installed (not in the test extra)."""
    pytest.importorskip("mypy")
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    module = str(module_folder / "corp_tls.py")
    typed = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                            module], capture_output=True, text=True, timeout=300)
    assert typed.returncode == 0, typed.stdout
    if not os.path.exists(ruff):
        pytest.skip("ruff is not installed")
    linted = subprocess.run([ruff, "check", "--isolated", "--extend-select", "I", module],
                            capture_output=True, text=True, timeout=60)
    assert linted.returncode == 0, linted.stdout


def _hashed_folder(pem: str, tmp_path: Path) -> str:
    """A CA folder as OpenSSL reads it: the certificate under its subject hash."""
    folder = tmp_path / "ca-folder"
    folder.mkdir(exist_ok=True)
    digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", pem],
                            capture_output=True, text=True, check=True).stdout.strip()
    shutil.copy(pem, folder / f"{digest}.0")
    return str(folder)
