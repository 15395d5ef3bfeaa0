"""`corptls-lint --doctor`: bundle checks, environment discovery and live hosts on 127.0.0.1.

The PKI is made here (tests/doctor_pki.py); every server listens on 127.0.0.1 only.
"""

import io
import json
import os
import re
import socket
import subprocess
import sys

import pytest

pytest.importorskip("cryptography")

from conftest import console_script  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from doctor_pki import Pki, TLSServer  # noqa: E402

from corptls_lint.doctor import bundle as bundle_module  # noqa: E402
from corptls_lint.doctor import tls12  # noqa: E402
from corptls_lint.doctor import environment, run_doctor  # noqa: E402
from corptls_lint.doctor.target import parse_host  # noqa: E402

ROOT = "O=Doctor Test,CN=Doctor Test Root CA"
INTERMEDIATE = "O=Doctor Test,CN=Doctor Test Intermediate CA"
LEAF = "O=Doctor Test,CN=localhost"
EXPIRED_ROOT = "O=Doctor Test,CN=Doctor Expired Root CA"
# Python 3.9 reads the chain a server sent only from a TLS 1.2 handshake (see tls12.py).
CHAIN_NEEDS_TLS12 = sys.version_info < (3, 10)
# Since Python 3.13, ssl.create_default_context() sets VERIFY_X509_PARTIAL_CHAIN: a bundle's
# intermediate or leaf certificate is trusted as an anchor, so a chain without a root verifies.
PARTIAL_CHAIN = sys.version_info >= (3, 13)
# The clients these tests ask (the scenes in test_doctor_scenes.py ask every one).
PYTHON_CLIENTS = ("requests", "httpx", "ssl")
ALL_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def doctor(bundle=None, host=None, environ=None, output_format="json"):
    """Run the doctor in-process; (exit code, parsed json, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = run_doctor(bundle, host, output_format, environ=environ or {}, stdout=out, stderr=err,
                      clients=PYTHON_CLIENTS)
    document = json.loads(out.getvalue()) if output_format == "json" and out.getvalue() else None
    return code, document, err.getvalue()


def checks_of(part):
    return [(check["id"], check["status"]) for check in part["checks"]]


def check(part, check_id):
    [found] = [c for c in part["checks"] if c["id"] == check_id]
    return found


def serve(pki, certfile, keyfile):
    return TLSServer(pki.path(certfile), pki.path(keyfile))


def probe_host(pki, server_files, bundle):
    """Serve `server_files` (chain, key) on 127.0.0.1 and run the doctor on `bundle` and it;
    (exit code, the host's json, the server's port)."""
    with serve(pki, *server_files) as server:
        code, doc, _ = doctor(pki.path(bundle), f"localhost:{server.port}")
    [host] = doc["hosts"]
    return code, host, server.port


# --- bundle checks -------------------------------------------------------------------------


def test_good_bundle_passes(pki):
    code, doc, _ = doctor(pki.path("root.pem"))
    assert code == 0 and doc["ok"] is True
    [bundle] = doc["bundles"]
    assert (bundle["path"], bundle["kind"], bundle["used_by"]) == (
        pki.path("root.pem"), "file", [])
    assert checks_of(bundle) == [("readable", "ok"), ("format", "ok"), ("certificates", "ok")]
    assert check(bundle, "format")["message"] == "PEM, 1 certificate"
    [cert] = bundle["certificates"]
    assert (cert["index"], cert["subject"], cert["issuer"], cert["is_ca"], cert["self_signed"]) \
        == (1, ROOT, ROOT, True, True)
    assert cert["sha256"] == pki.root.cert.fingerprint(hashes.SHA256()).hex()
    assert doc["environment"] is None and doc["hosts"] == []


def test_der_bundle_gives_the_openssl_command(pki):
    path = pki.path("root.der")
    code, doc, _ = doctor(path)
    assert code == 1 and doc["ok"] is False
    [bundle] = doc["bundles"]
    assert checks_of(bundle) == [("readable", "ok"), ("der", "fail"), ("certificates", "ok")]
    der = check(bundle, "der")
    assert der["message"] == (f"{path} is a DER (binary) certificate; Python's ssl, requests and "
                              f"httpx read only PEM")
    assert der["fix"] == (f"openssl x509 -inform der -in {path} -out {path}.pem, then use "
                          f"{path}.pem (or: corptls-lint doctor --bundle {path} --host HOST "
                          f"--write-bundle {path}.fixed.pem writes it repaired (with the public "
                          f"roots), then point the clients at that file)")
    assert [c["subject"] for c in bundle["certificates"]] == [ROOT]


def test_leaf_certificate_in_a_trust_bundle(pki):
    code, doc, _ = doctor(pki.path("leaf-only.pem"))
    assert code == 0  # no client fails by it alone: a warning (--host says which host fails)
    leaf = check(doc["bundles"][0], "leaf")
    assert leaf["status"] == "warn"
    assert leaf["message"] == (f"#1 '{LEAF}' is a leaf certificate (CA:FALSE), not a CA: a trust "
                               f"bundle needs the CA that issued it; a host fails only if it "
                               f"needs this certificate (--host tells)")
    assert leaf["fix"] == (f"replace it with the certificate of '{INTERMEDIATE}' (and that CA's "
                           f"root)")


def test_expired_root(pki):
    code, doc, _ = doctor(pki.path("expired-root.pem"))
    assert code == 0
    expired = check(doc["bundles"][0], "expired")
    end = pki.expired_root.cert.not_valid_after_utc if hasattr(
        pki.expired_root.cert, "not_valid_after_utc") else pki.expired_root.cert.not_valid_after
    assert (expired["status"], expired["message"]) == (
        "warn", f"#1 '{EXPIRED_ROOT}' expired on {end:%Y-%m-%d}; a host fails only if it needs "
                f"this certificate (--host tells)")
    assert doc["bundles"][0]["certificates"][0]["not_after"].startswith(f"{end:%Y-%m-%d}T")


def test_root_expiring_within_30_days_is_a_warning(pki):
    code, doc, _ = doctor(pki.path("expiring-root.pem"))
    assert code == 0
    expiring = check(doc["bundles"][0], "expiring")
    assert expiring["status"] == "warn"
    assert re.fullmatch(r"#1 'O=Doctor Test,CN=Doctor Expiring Root CA' expires on "
                        r"\d{4}-\d\d-\d\d, in (9|10) days", expiring["message"])


def test_intermediate_without_its_root(pki):
    code, doc, _ = doctor(pki.path("intermediate-only.pem"))
    assert code == 0
    missing = check(doc["bundles"][0], "issuer-missing")
    assert missing["message"] == (f"#1 '{INTERMEDIATE}' is an intermediate whose issuer '{ROOT}' "
                                  f"is in neither the bundle nor the system store; a host fails "
                                  f"only if it needs this certificate (--host tells)")
    assert missing["fix"] == f"add the certificate of '{ROOT}' (the root CA) to the bundle"


def test_intermediate_whose_root_is_only_in_the_system_store(pki):
    from corptls_lint.doctor.ftypes import TrustLocation

    location = TrustLocation(pki.path("intermediate-only.pem"), "file")
    report = bundle_module.check_location(location, system=lambda: [pki.root.cert])
    [only_system] = [c for c in report.checks if c.id == "issuer-in-system-store-only"]
    assert (only_system.status.value, only_system.message) == (
        "warn", f"#1 '{INTERMEDIATE}' is an intermediate whose issuer '{ROOT}' is only in the "
                f"system store: clients that trust only this file cannot finish the chain")


def test_intermediate_with_its_root_passes(pki):
    code, doc, _ = doctor(pki.path("root-and-intermediate.pem"))
    assert code == 0
    assert checks_of(doc["bundles"][0]) == [("readable", "ok"), ("format", "ok"),
                                            ("certificates", "ok")]


def test_duplicate_is_a_warning(pki):
    code, doc, _ = doctor(pki.path("duplicate.pem"))
    assert code == 0
    assert checks_of(doc["bundles"][0]) == [("readable", "ok"), ("format", "ok"),
                                            ("duplicate", "warn")]
    assert check(doc["bundles"][0], "duplicate")["message"] == f"#2 '{ROOT}' is a duplicate of #1"


def test_private_key_in_the_bundle(pki):
    path = pki.path("with-key.pem")
    code, doc, _ = doctor(path)
    assert code == 1
    key_line = pki.root.pem().count(b"\n") + 1
    assert check(doc["bundles"][0], "private-key")["message"] == (
        f"{path}:{key_line}: a PRIVATE KEY block: a trust bundle is public and must hold only "
        f"certificates")


@pytest.mark.parametrize("encoding, fix", [
    ("DER", "openssl pkcs7 -inform der -print_certs -in {path} -out {path}.pem, then use "
            "{path}.pem"),
    ("PEM", "openssl pkcs7 -print_certs -in {path} -out {path}.pem"),
])
def test_pkcs7_file(pki, tmp_path, encoding, fix):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    path = tmp_path / "corp.p7b"
    path.write_bytes(pkcs7.serialize_certificates(
        [pki.root.cert], getattr(serialization.Encoding, encoding)))
    code, doc, _ = doctor(str(path))
    assert code == 1
    [pkcs7_check] = [c for c in doc["bundles"][0]["checks"] if c["id"] == "pkcs7"]
    assert pkcs7_check["fix"] == fix.format(path=path)


def test_damaged_certificate_block(pki, tmp_path):
    path = tmp_path / "damaged.pem"
    lines = pki.root.pem().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3] + lines[4:]))  # one base64 line lost
    code, doc, _ = doctor(str(path))
    assert code == 1
    assert checks_of(doc["bundles"][0]) == [("readable", "ok"), ("unparsable", "fail")]
    assert check(doc["bundles"][0], "unparsable")["message"] == (
        f"{path}:1: this CERTIFICATE block is damaged and cannot be read")


def test_not_a_certificate_at_all(pki):
    path = pki.path("not-a-cert.txt")
    code, doc, _ = doctor(path)
    assert code == 1
    assert checks_of(doc["bundles"][0]) == [("readable", "ok"), ("not-a-certificate", "fail")]
    assert check(doc["bundles"][0], "not-a-certificate")["message"] == (
        f"{path} is not a certificate: text without a -----BEGIN CERTIFICATE----- line "
        f"(starts with 'https://ca.example.invalid/bundle')")


def test_binary_garbage_and_empty_file(pki, tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)))
    _, doc, _ = doctor(str(garbage))
    assert check(doc["bundles"][0], "not-a-certificate")["message"].endswith(
        "binary data that is neither a DER certificate nor PKCS#7")
    code, doc, _ = doctor(pki.path("empty.pem"))
    assert code == 1 and checks_of(doc["bundles"][0]) == [("readable", "ok"), ("empty", "fail")]


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.pem")
    code, doc, _ = doctor(path)
    assert code == 1
    assert doc["bundles"][0]["checks"] == [{
        "id": "missing", "status": "fail", "message": f"{path}: no such file",
        "fix": f"create {path}, or point the setting at an existing file"}]


def test_dangling_symlink(tmp_path):
    link = tmp_path / "bundle.pem"
    link.symlink_to(tmp_path / "gone.pem")
    _, doc, _ = doctor(str(link))
    assert check(doc["bundles"][0], "missing")["message"] == (
        f"{link} is a symbolic link to {tmp_path / 'gone.pem'}, which does not exist")


def test_unreadable_file_shows_its_permission_bits(pki, tmp_path, monkeypatch):
    path = tmp_path / "secret.pem"
    path.write_bytes(pki.root.pem())
    path.chmod(0o600)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(bundle_module, "open", denied, raising=False)
    code, doc, _ = doctor(str(path))
    assert code == 1
    unreadable = check(doc["bundles"][0], "unreadable")
    st = os.stat(path)
    assert unreadable["message"] == (
        f"{path}: permission denied (-rw------- owner uid {st.st_uid} gid {st.st_gid}; this "
        f"process runs as uid {os.getuid()})")
    assert unreadable["fix"] == f"chmod a+r {path}"


def test_bundle_other_users_cannot_read_is_a_warning(pki, tmp_path):
    path = tmp_path / "private.pem"
    path.write_bytes(pki.root.pem())
    path.chmod(0o600)
    code, doc, _ = doctor(str(path))
    assert code == 0
    permissions = check(doc["bundles"][0], "permissions")
    assert permissions["status"] == "warn" and permissions["fix"] == f"chmod 644 {path}"
    assert permissions["message"].startswith(f"{path} is -rw------- owner uid ")


def test_ca_folder_needs_hashed_names(pki, tmp_path):
    folder = tmp_path / "certs"
    folder.mkdir()
    (folder / "corp-root.pem").write_bytes(pki.root.pem())
    code, doc, _ = doctor(str(folder))
    assert code == 1
    [bundle] = doc["bundles"]
    assert bundle["kind"] == "dir"
    assert bundle["checks"] == [{
        "id": "not-hashed", "status": "fail",
        "message": f"{folder} holds 1 files but no hashed names (such as 5ad8a5d6.0); OpenSSL "
                   f"finds certificates in a folder only by those names",
        "fix": f"openssl rehash {folder}"}]
    (folder / "0a1b2c3d.0").symlink_to("corp-root.pem")
    code, doc, _ = doctor(str(folder))
    assert code == 0 and checks_of(doc["bundles"][0]) == [("folder", "ok")]


# --- live host --------------------------------------------------------------------------------


def test_host_with_full_chain_verifies(pki):
    code, host, port = probe_host(pki, ("server-full.pem", "server.key"), "root.pem")
    assert code == 0
    assert (host["host"], host["port"], host["trust"], host["verified"], host["error_code"]) == (
        "localhost", port, pki.path("root.pem"), True, None)
    assert [(c["index"], c["subject"], c["issuer"]) for c in host["chain"]] == [
        (0, LEAF, INTERMEDIATE), (1, INTERMEDIATE, ROOT)]
    assert host["chain_complete"] is True  # on Python 3.9 too: read from a TLS 1.2 handshake
    assert checks_of(host) == [("verify", "ok")]
    assert re.fullmatch(rf"verified \(TLSv1\.[23]\) with {re.escape(pki.path('root.pem'))}",
                        host["checks"][0]["message"])


def test_server_omits_intermediate(pki):
    code, host, port = probe_host(pki, ("server-leaf.pem", "server.key"), "root.pem")
    assert code == 1
    assert (host["verified"], host["error_code"], host["error_message"]) == (
        False, 20, "unable to get local issuer certificate")
    assert ([c["subject"] for c in host["chain"]], host["chain_complete"]) == ([LEAF], True)
    assert checks_of(host) == [("verify", "fail"), ("issuer-unknown", "fail")]
    assert check(host, "verify")["message"] == (
        "certificate verify failed: unable to get local issuer certificate (OpenSSL error 20)")
    # no evidence either way (no issuer URL, no direct connection to compare): both, and how
    # to tell them apart
    assert check(host, "issuer-unknown")["message"] == (
        f"the server's certificate is issued by '{INTERMEDIATE}', which is in neither the chain "
        f"nor the bundle, and names no issuer URL (AIA): either the server omits its "
        f"intermediate, or a TLS-inspecting device re-signs the host's certificate with its CA "
        f"'{INTERMEDIATE}'; to tell them apart, ask IT whether '{INTERMEDIATE}' is the company's "
        f"inspection CA, or compare with the chain seen from another network (openssl s_client "
        f"-connect HOST:PORT -showcerts)")


def test_server_omits_intermediate_named_by_its_issuer_url(pki):
    code, host, port = probe_host(pki, ("aia-server-leaf.pem", "aia-server.key"), "root.pem")
    assert code == 1
    assert checks_of(host) == [("verify", "fail"), ("omits-intermediate", "fail")]
    assert check(host, "omits-intermediate")["message"] == (
        f"server omits its intermediate: it sent only its own certificate, and its issuer "
        f"'{INTERMEDIATE}' is in neither the chain nor the bundle; the certificate names where "
        f"that issuer is published (http://pki.doctor.test/intermediate.crt), as a CA's "
        f"certificates do")


def test_server_omits_intermediate_that_the_bundle_holds(pki):
    code, host, port = probe_host(pki, ("server-leaf.pem", "server.key"), "root-and-intermediate.pem")
    assert code == 0
    assert host["verified"] is True
    assert checks_of(host) == [("verify", "ok"), ("omits-intermediate", "warn")]
    assert check(host, "omits-intermediate")["message"] == (
        f"server omits its intermediate: it sent only its own certificate and verifies only "
        f"because the bundle holds '{INTERMEDIATE}'")


def test_hostname_mismatch(pki):
    code, host, port = probe_host(pki, ("other-full.pem", "other.key"), "root.pem")
    assert code == 1
    assert (host["error_code"], host["chain"][0]["names"]) == (62, ["DNS:other.test"])
    assert checks_of(host) == [("verify", "fail"), ("hostname-mismatch", "fail")]
    mismatch = check(host, "hostname-mismatch")
    assert mismatch["message"] == ("hostname mismatch: the server's certificate is for "
                                   "DNS:other.test, not 'localhost'")
    assert mismatch["fix"] == ("connect with a name the certificate lists, or reissue it with "
                               "DNS:localhost in its subjectAltName")


def test_expired_root_in_the_bundle(pki):
    code, host, port = probe_host(pki, ("expired-root-server.pem", "expired-root-server.key"), "expired-root.pem")
    assert code == 1
    assert (host["error_code"], host["error_message"]) == (10, "certificate has expired")
    assert checks_of(host) == [("verify", "fail"), ("expired", "fail")]
    assert check(host, "expired")["message"].startswith(
        f"the bundle's '{EXPIRED_ROOT}', issuer of the last certificate the server sent, "
        f"expired on ")


def test_server_certificate_expired(pki):
    code, host, port = probe_host(pki, ("expired-server-full.pem", "expired-server.key"), "root.pem")
    assert code == 1
    assert (host["error_code"], host["error_message"]) == (10, "certificate has expired")
    assert checks_of(host) == [("verify", "fail"), ("expired", "fail")]
    end = host["chain"][0]["not_after"][:10]
    assert check(host, "expired")["message"] == (
        f"the server's certificate #0 '{LEAF}' expired on {end}")
    assert check(host, "expired")["fix"] == "renew it and install the new one on the server"


def test_bundle_lacks_the_issuer_of_the_last_certificate_sent(pki):
    code, host, port = probe_host(pki, ("server-full.pem", "server.key"), "leaf-only.pem")
    if PARTIAL_CHAIN:  # the leaf in the bundle is an anchor: the clients verify (issue 25:
        # a bundle's own oddity that fails no client is a warning, never a failed run)
        assert code == 0
        assert checks_of(host) == [("verify", "ok")]
        return
    assert code == 1
    assert checks_of(host) == [("verify", "fail"), ("issuer-missing", "fail")]
    assert check(host, "issuer-missing")["message"] == (
        f"the bundle lacks '{ROOT}', the issuer of the last certificate the server sent "
        f"('{INTERMEDIATE}')")


def test_der_bundle_cannot_be_loaded_but_the_chain_is_shown(pki):
    code, host, port = probe_host(pki, ("server-full.pem", "server.key"), "root.der")
    assert code == 1
    assert checks_of(host) == [("bundle-unusable", "fail")]
    assert check(host, "bundle-unusable")["message"].startswith(
        f"Python cannot load {pki.path('root.der')}: [X509: NO_CERTIFICATE_OR_CRL_FOUND]")
    assert [c["subject"] for c in host["chain"]] == [LEAF, INTERMEDIATE]


def test_nothing_listening(pki):
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    code, doc, _ = doctor(pki.path("root.pem"), f"127.0.0.1:{port}")
    assert code == 1
    [host] = doc["hosts"]
    assert checks_of(host) == [("connect", "fail")] and host["chain"] == []
    assert check(host, "connect")["message"].startswith(f"cannot connect to 127.0.0.1:{port}: ")


# --- the chain a server sends, on every Python version ---------------------------------


def test_tls12_reader_reads_the_chain_sent_and_gives_up_on_tls13_only_servers(pki):
    for files, expected in [(("server-full.pem", "server.key"), [pki.server, pki.intermediate]),
                            (("server-leaf.pem", "server.key"), [pki.server])]:
        with serve(pki, *files) as server:
            assert tls12.read_chain("localhost", server.port, 5) == [c.der() for c in expected]
    with TLSServer(pki.path("server-full.pem"), pki.path("server.key"),
                   tls13_only=True) as server:
        assert tls12.read_chain("localhost", server.port, 5) is None


def tls_records(handshake, sizes):
    """`handshake` split into TLS 1.2 handshake records of `sizes` bytes (the rest last)."""
    records, offset = b"", 0
    for size in [*sizes, len(handshake)]:
        part = handshake[offset:offset + size]
        if part:
            records += bytes([22, 3, 3]) + len(part).to_bytes(2, "big") + part
        offset += len(part)
    return records


def test_certificate_message_split_across_records(pki):
    ders = [pki.server.der(), pki.intermediate.der()]
    entries = b"".join(len(der).to_bytes(3, "big") + der for der in ders)
    body = len(entries).to_bytes(3, "big") + entries
    server_hello = bytes([2]) + (4).to_bytes(3, "big") + b"\x03\x03\x00\x00"
    handshake = server_hello + bytes([11]) + len(body).to_bytes(3, "big") + body
    stream = tls_records(handshake, [3, 100, 1])
    assert tls12.parse_certificates(stream) == ders
    assert tls12.parse_certificates(stream[:-1]) is None  # the last record has not all arrived
    assert tls12.parse_certificates(tls_records(handshake[:-5], [])) is None
    alert = bytes([21, 3, 3, 0, 2, 2, 70])  # protocol_version: the server refuses TLS 1.2
    for refused in (alert, tls_records(server_hello, []) + alert, b"HTTP/1.1 400 Bad"):
        with pytest.raises(ValueError):
            tls12.parse_certificates(refused)
    broken = bytes([11]) + (4).to_bytes(3, "big") + (9).to_bytes(3, "big") + b"x"
    with pytest.raises(ValueError, match="malformed Certificate message"):
        tls12.parse_certificates(tls_records(broken, []))


def probe_tls13_only(pki, server_files, bundle):
    with TLSServer(pki.path(server_files[0]), pki.path(server_files[1]),
                   tls13_only=True) as server:
        code, doc, _ = doctor(pki.path(bundle), f"localhost:{server.port}")
    [host] = doc["hosts"]
    return code, host


CHAIN_UNKNOWN = ("only the server's own certificate could be read: Python 3.9 reads the chain "
                 "only from a TLS 1.2 handshake, which this server refuses (or answers with "
                 "another certificate); whether it sends its intermediates is not known")


def test_tls13_only_server_with_full_chain(pki):
    code, host = probe_tls13_only(pki, ("server-full.pem", "server.key"), "root.pem")
    assert code == 0 and host["verified"] is True
    if CHAIN_NEEDS_TLS12:
        assert ([c["subject"] for c in host["chain"]], host["chain_complete"]) == ([LEAF], False)
        assert checks_of(host) == [("verify", "ok"), ("chain-unknown", "warn")]
        assert check(host, "chain-unknown")["message"] == CHAIN_UNKNOWN
        assert check(host, "chain-unknown")["fix"] == (
            "run the doctor with Python 3.10 or later to see the whole chain")
    else:
        assert ([c["subject"] for c in host["chain"]], host["chain_complete"]) == (
            [LEAF, INTERMEDIATE], True)
        assert checks_of(host) == [("verify", "ok")]


def test_tls13_only_server_that_omits_its_intermediate(pki):
    code, host = probe_tls13_only(pki, ("server-leaf.pem", "server.key"), "root.pem")
    assert code == 1
    assert (host["error_code"], [c["subject"] for c in host["chain"]]) == (20, [LEAF])
    if CHAIN_NEEDS_TLS12:  # the same failure as a bundle without the root: not told apart
        assert host["chain_complete"] is False
        assert checks_of(host) == [("verify", "fail"), ("chain-unknown", "warn"),
                                   ("issuer-missing", "fail")]
        missing = check(host, "issuer-missing")
        assert missing["message"] == (
            f"the bundle lacks an issuer the chain needs: the server's certificate is issued by "
            f"'{INTERMEDIATE}', which the bundle does not hold, and what the server sent after "
            f"it cannot be read here")
        assert missing["fix"] == (
            f"add the root CA above '{INTERMEDIATE}' to the bundle, and make sure the server "
            f"sends its full chain (leaf, then intermediates: fullchain.pem)")
    else:
        assert host["chain_complete"] is True
        assert checks_of(host) == [("verify", "fail"), ("issuer-unknown", "fail")]


def test_tls13_only_server_that_omits_its_intermediate_the_bundle_holds(pki):
    code, host = probe_tls13_only(pki, ("server-leaf.pem", "server.key"),
                                  "root-and-intermediate.pem")
    assert code == 0 and host["verified"] is True
    if CHAIN_NEEDS_TLS12:  # verifies; that other clients will fail cannot be seen
        assert checks_of(host) == [("verify", "ok"), ("chain-unknown", "warn")]
    else:
        assert checks_of(host) == [("verify", "ok"), ("omits-intermediate", "warn")]


def test_tls13_only_server_whose_bundle_holds_the_intermediate_but_not_the_root(pki):
    code, host = probe_tls13_only(pki, ("server-leaf.pem", "server.key"),
                                  "intermediate-only.pem")
    if PARTIAL_CHAIN:  # the intermediate in the bundle is an anchor: the clients verify, and
        # the root-less bundle is a warning (issue 25), not a failed run
        assert (code, host["error_code"]) == (0, None)
        assert checks_of(host) == [("verify", "ok"), ("omits-intermediate", "warn")]
        return
    assert (code, host["error_code"]) == (1, 2)
    if CHAIN_NEEDS_TLS12:
        assert checks_of(host) == [("verify", "fail"), ("chain-unknown", "warn"),
                                   ("issuer-missing", "fail")]
        assert check(host, "issuer-missing")["message"] == (
            f"the bundle holds '{INTERMEDIATE}', the issuer of the server's certificate, but "
            f"lacks '{ROOT}', its issuer")
    else:
        assert checks_of(host) == [("verify", "fail"), ("issuer-missing", "fail")]
        assert check(host, "issuer-missing")["message"] == (
            f"the bundle holds '{INTERMEDIATE}', the issuer of the last certificate the server "
            f"sent, but lacks '{ROOT}', its issuer")
    assert check(host, "issuer-missing")["fix"] == (
        f"add the certificate of '{ROOT}' (PEM) to the bundle")


@pytest.mark.parametrize("server_files, bundle, error_code, check_ids", [
    (("other-full.pem", "other.key"), "root.pem", 62, ["hostname-mismatch"]),
    (("expired-server-full.pem", "expired-server.key"), "root.pem", 10, ["expired"]),
    (("expired-root-server.pem", "expired-root-server.key"), "expired-root.pem", 10,
     ["expired"]),
])
def test_tls13_only_server_diagnoses_what_its_own_certificate_shows(
        pki, server_files, bundle, error_code, check_ids):
    code, host = probe_tls13_only(pki, server_files, bundle)
    assert (code, host["error_code"]) == (1, error_code)
    unknown = ["chain-unknown"] if CHAIN_NEEDS_TLS12 else []
    assert [c["id"] for c in host["checks"]] == ["verify", *check_ids, *unknown]


def test_text_output_says_when_only_the_servers_own_certificate_was_read(pki):
    out = io.StringIO()
    with TLSServer(pki.path("server-full.pem"), pki.path("server.key"),
                   tls13_only=True) as server:
        code = run_doctor(pki.path("root.pem"), f"localhost:{server.port}", "text", environ={},
                          stdout=out, stderr=io.StringIO(), clients=PYTHON_CLIENTS)
    text = lines(out.getvalue())
    heading = ("The server's own certificate (the rest of the chain it sent cannot be read "
               "here):" if CHAIN_NEEDS_TLS12 else
               "Chain sent by the server (as openssl s_client -showcerts prints it):")
    start = text.index(heading)
    shown = [line for line in text[start + 1:] if re.match(r" \d s:", line)]
    assert shown == ([f" 0 s:{LEAF}"] if CHAIN_NEEDS_TLS12 else
                     [f" 0 s:{LEAF}", f" 1 s:{INTERMEDIATE}"])
    assert (code, text[-1]) == (0, "All 3 clients installed here work, 1 warning."
                                if CHAIN_NEEDS_TLS12 else "All 3 clients installed here work.")


def test_tls13_only_server_with_an_expired_root_in_the_bundle(pki):
    _, host = probe_tls13_only(pki, ("expired-root-server.pem", "expired-root-server.key"),
                               "expired-root.pem")
    last = "the server's certificate" if CHAIN_NEEDS_TLS12 else \
        "the last certificate the server sent"
    assert check(host, "expired")["message"].startswith(
        f"the bundle's '{EXPIRED_ROOT}', issuer of {last}, expired on ")


@pytest.mark.parametrize("text, expected", [
    ("example.com", ("example.com", 443)),
    ("example.com:8443", ("example.com", 8443)),
    ("[::1]:8443", ("::1", 8443)),
    ("[::1]", ("::1", 443)),
])
def test_parse_host(text, expected):
    assert tuple(parse_host(text)) == expected


@pytest.mark.parametrize("text, reason", [
    ("localhost:99999", "bad port '99999' in 'localhost:99999'"),
    ("localhost:http", "bad port 'http' in 'localhost:http'"),
    (":443", "no host name in ':443'"),
    ("[::1", "missing ']' in '[::1'"),
])
def test_parse_host_rejects(text, reason):
    with pytest.raises(ValueError) as error:
        parse_host(text)
    assert str(error.value) == reason


# --- environment --------------------------------------------------------------------------


@pytest.fixture
def certifi_at(monkeypatch, pki):
    monkeypatch.setattr(environment, "certifi_where", lambda: pki.path("root-and-intermediate.pem"))
    monkeypatch.setattr(environment, "installed_version",
                        {"requests": "2.32.3", "httpx": "0.28.1"}.get)
    return pki.path("root-and-intermediate.pem")


def clients_of(environ):
    report = environment.discover(environ)
    return {c.client: (c.source, c.cafile, c.capath) for c in report.clients}, report


def test_requests_precedence(pki, certifi_at):
    a, b = pki.path("root.pem"), pki.path("duplicate.pem")
    clients, _ = clients_of({"REQUESTS_CA_BUNDLE": a, "CURL_CA_BUNDLE": b, "SSL_CERT_FILE": b})
    assert clients["requests"] == ("REQUESTS_CA_BUNDLE", a, None)
    clients, _ = clients_of({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": b})
    assert clients["requests"] == ("CURL_CA_BUNDLE", b, None)
    clients, _ = clients_of({"SSL_CERT_FILE": b})
    assert clients["requests"] == ("certifi", certifi_at, None)
    clients, _ = clients_of({"REQUESTS_CA_BUNDLE": str(pki.folder)})
    assert clients["requests"] == ("REQUESTS_CA_BUNDLE", None, str(pki.folder))


def test_httpx_precedence(pki, certifi_at):
    a, folder = pki.path("root.pem"), str(pki.folder)
    clients, _ = clients_of({"SSL_CERT_FILE": a, "SSL_CERT_DIR": folder,
                             "REQUESTS_CA_BUNDLE": pki.path("duplicate.pem")})
    assert clients["httpx"] == ("SSL_CERT_FILE", a, None)
    clients, _ = clients_of({"SSL_CERT_FILE": "", "SSL_CERT_DIR": folder})
    assert clients["httpx"] == ("SSL_CERT_DIR", None, folder)
    clients, _ = clients_of({"REQUESTS_CA_BUNDLE": a})
    assert clients["httpx"] == ("certifi", certifi_at, None)


def test_ssl_module_uses_openssl_defaults_and_the_variables(pki, certifi_at):
    import ssl

    defaults = ssl.get_default_verify_paths()
    clients, _ = clients_of({})
    assert clients["ssl"] == ("OpenSSL default file + OpenSSL default folder",
                              defaults.openssl_cafile, defaults.openssl_capath)
    clients, _ = clients_of({"SSL_CERT_FILE": pki.path("root.pem"), "SSL_CERT_DIR": "/x"})
    assert clients["ssl"] == ("SSL_CERT_FILE + SSL_CERT_DIR", pki.path("root.pem"), "/x")


def test_not_importable_clients_are_reported(monkeypatch, pki):
    monkeypatch.setattr(environment, "certifi_where", lambda: None)
    monkeypatch.setattr(environment, "installed_version", lambda package: None)
    report = environment.discover({})
    requests_trust = report.clients[0]
    assert (requests_trust.version, requests_trust.cafile, requests_trust.source) == (
        None, None, "certifi")
    assert requests_trust.note.endswith("; certifi is not importable here")
    assert report.certifi is None


def test_httpx_other_than_028_is_flagged(monkeypatch, certifi_at):
    monkeypatch.setattr(environment, "installed_version", {"httpx": "0.27.2"}.get)
    httpx = environment.discover({}).clients[1]
    assert httpx.note.endswith("; installed httpx is 0.27.2, which may differ")


def test_empty_variable_and_disagreeing_clients(pki, certifi_at):
    _, report = clients_of({"CURL_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": pki.path("root.pem"),
                            "SSL_CERT_FILE": pki.path("root.der")})
    assert [(c.id, c.status.value) for c in report.checks] == [
        ("empty-variable", "warn"), ("clients-disagree", "warn")]
    assert report.checks[1].message == (f"requests trusts {pki.path('root.pem')} but httpx "
                                        f"trusts {pki.path('root.der')}")
    assert [(v.name, v.note) for v in report.variables] == [
        ("REQUESTS_CA_BUNDLE", "file"), ("CURL_CA_BUNDLE", "set but empty"),
        ("SSL_CERT_FILE", "file"), ("SSL_CERT_DIR", "not set")]


def test_environment_mode_checks_each_bundle_and_probes_each_trust(pki, certifi_at, tmp_path,
                                                                   monkeypatch):
    from corptls_lint.doctor import programs

    monkeypatch.setattr(programs, "discover", lambda environ: [])  # this machine's pip, git
    folder = tmp_path / "empty-certs"
    folder.mkdir()
    environ = {"REQUESTS_CA_BUNDLE": pki.path("root.pem"), "SSL_CERT_FILE": pki.path("root.der"),
               "SSL_CERT_DIR": str(folder)}
    with serve(pki, "server-full.pem", "server.key") as server:
        code, doc, _ = doctor(None, f"localhost:{server.port}", environ)
    assert code == 1
    assert [(b["path"], b["kind"], b["used_by"]) for b in doc["bundles"]] == [
        (pki.path("root.pem"), "file", ["requests"]),
        (pki.path("root.der"), "file", ["httpx", "ssl"]),
        (str(folder), "dir", ["ssl"])]
    assert [checks_of(b) for b in doc["bundles"]] == [
        [("readable", "ok"), ("format", "ok"), ("certificates", "ok")],
        [("readable", "ok"), ("der", "fail"), ("certificates", "ok")],
        [("empty", "fail")]]
    assert [(h["trust"], h["verified"]) for h in doc["hosts"]] == [
        (f"{pki.path('root.pem')} (requests)", True),
        (f"{pki.path('root.der')} (httpx)", False),
        (f"{pki.path('root.der')} + {folder} (ssl)", False)]
    assert checks_of(doc["hosts"][1]) == [("bundle-unusable", "fail")]
    # ssl skips a file it cannot read, as OpenSSL does, and then trusts nothing
    assert checks_of(doc["hosts"][2]) == [("verify", "fail"), ("issuer-missing", "fail")]
    assert doc["environment"]["variables"][3] == {
        "name": "SSL_CERT_DIR", "value": str(folder), "note": "folder"}


def test_other_output_formats_are_refused():
    code, _, err = doctor("x.pem", output_format="sarif")
    assert (code, err) == (2, "corptls-lint: error: the doctor prints text or json, not 'sarif'\n")


# --- the real console script ----------------------------------------------------------------


def cli_env(**variables):
    env = {k: v for k, v in os.environ.items() if k not in ALL_VARIABLES}
    env.update(variables)
    return env


def run(*args, env=None):
    return subprocess.run([console_script(), *args], capture_output=True, text=True,
                          env=env or cli_env(), timeout=60)


def lines(text):
    return [line.rstrip() for line in text.splitlines()]


def requests_version():
    import requests

    return requests.__version__


def test_cli_text_output_for_a_good_bundle(pki):
    result = run("--doctor", "--bundle", pki.path("root.pem"))
    assert result.returncode == 0, result.stderr
    out = lines(result.stdout)
    assert "\x1b" not in result.stdout
    assert out[0] == ("corptls-lint doctor: the trust of this machine's clients (--host HOST asks "
                      "each of them about a host)")
    assert out[1] == (f"✓ requests {requests_version()}: its trust "
                                  f"({pki.path('root.pem')}) loads; give --host to ask it about a "
                                  f"host")
    assert f"CA bundle {pki.path('root.pem')}" in out
    assert any(re.fullmatch(r"✓\s+format\s+PEM, 1 certificate", line) for line in out)
    assert out[-1] == "All checks passed."


def test_cli_text_output_for_a_missing_intermediate(pki):
    with serve(pki, "server-leaf.pem", "server.key") as server:
        result = run("--doctor", "--bundle", pki.path("root.pem"),
                     "--host", f"localhost:{server.port}")
    assert result.returncode == 1
    out = lines(result.stdout)
    # the answer first: the failing client on the second line, the next step soon after
    assert out[0] == ("corptls-lint doctor: can this machine's clients reach "
                      f"localhost:{server.port}?")
    assert out[1].startswith(f"✗ requests {requests_version()}: fails: certificate verify failed: "
                             f"unable to get local issuer certificate (direct): the server's "
                             f"certificate is issued by '{INTERMEDIATE}'")
    start = out.index("Chain sent by the server (as openssl s_client -showcerts prints it):")
    assert out[start + 1:start + 3] == [f" 0 s:{LEAF}", f"   i:{INTERMEDIATE}"]
    assert any(re.fullmatch(r"✗\s+verify\s+certificate verify failed: unable to get local "
                            r"issuer certificate \(OpenSSL error 20\)", line) for line in out)
    assert any(re.fullmatch(r"✗\s+issuer-unknown\s+the server's certificate is issued by.*", line)
               for line in out)
    assert re.fullmatch(r"(\d) of \1 clients fail \(requests, httpx, ssl.*\); 2 problems found\.",
                        out[-1]), out[-1]


def test_cli_json_for_the_environment(pki, tmp_path):
    env = cli_env(REQUESTS_CA_BUNDLE=pki.path("root.pem"), CURL_CA_BUNDLE="",
                  SSL_CERT_FILE=pki.path("root-and-intermediate.pem"), SSL_CERT_DIR=str(tmp_path))
    result = run("--doctor", "--output-format", "json", env=env)
    doc = json.loads(result.stdout)
    assert set(doc) == {"ok", "host", "clients", "not_installed", "next_step", "environment",
                        "bundles", "route", "hosts", "sections"}
    clients = {c["client"]: (c["source"], c["cafile"], c["capath"])
               for c in doc["environment"]["clients"]}
    assert clients["requests"] == ("REQUESTS_CA_BUNDLE", pki.path("root.pem"), None)
    assert clients["httpx"] == ("SSL_CERT_FILE", pki.path("root-and-intermediate.pem"), None)
    assert clients["ssl"] == ("SSL_CERT_FILE + SSL_CERT_DIR",
                              pki.path("root-and-intermediate.pem"), str(tmp_path))
    assert [c["id"] for c in doc["environment"]["checks"]] == ["empty-variable",
                                                              "clients-disagree"]
    # the empty SSL_CERT_DIR folder fails, so the run does
    assert (result.returncode, doc["ok"]) == (1, False)


def test_cli_usage_errors(pki):
    result = run("--bundle", pki.path("root.pem"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "corptls-lint: error: --bundle, --host, --proxy, --direct, --write-bundle and --client "
        "need --doctor")
    result = run("--doctor", "--host", "localhost:99999")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "corptls-lint: error: --host: bad port '99999' in 'localhost:99999'\n"


def test_cli_without_cryptography_says_what_to_install(pki):
    code = ("import sys; sys.modules['cryptography'] = None; "
            "from corptls_lint.cli import main; sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "--doctor", "--bundle",
                             pki.path("root.pem")], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("corptls-lint: error: the doctor needs the cryptography package: "
                             "pip install 'corptls-lint[doctor]'\n")


def test_linting_imports_neither_the_doctor_nor_cryptography(tmp_path):
    (tmp_path / "ok.py").write_text("import requests\nrequests.get('https://x', verify=True)\n")
    code = ("import sys; from corptls_lint.cli import main; status = main([sys.argv[1]]); "
            "loaded = sorted(m for m in sys.modules if m.startswith(('cryptography', "
            "'corptls_lint.doctor'))); print(status, loaded)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                            text=True, timeout=60)
    assert result.stdout == "0 []\n", result.stderr
