"""The live host check: connect as a client would, then read the chain the server sent.

Two connections: one that verifies (OpenSSL's own verdict and exact error), one that does not
(to read the chain even when verification fails, as `openssl s_client -showcerts` prints it).
Python 3.9 reads only the server's own certificate; a third connection reads the chain from a
TLS 1.2 handshake (tls12.py), and when the server will not speak TLS 1.2 the chain is unknown.
"""

from __future__ import annotations

import os
import socket
import ssl
from typing import List, NamedTuple, Optional, Tuple

from cryptography import x509

from corptls_lint.doctor import certinfo, store, tls12
from corptls_lint.doctor.ftypes import Check, HostReport, Status

DEFAULT_PORT = 443
TIMEOUT = 10.0


class Trust(NamedTuple):
    """What a connection trusts. `lenient` loads the file and the folder as OpenSSL loads its
    defaults for `ssl.create_default_context()`: one it cannot read is skipped, not an error."""

    label: str
    cafile: Optional[str] = None
    capath: Optional[str] = None
    lenient: bool = False


def parse_host(text: str) -> Tuple[str, int]:
    """`host`, `host:port`, `[v6]:port`; ValueError with a readable reason otherwise."""
    host, port = text.strip(), str(DEFAULT_PORT)
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            raise ValueError(f"missing ']' in {text!r}")
        host, rest = host[1:end], host[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"expected [ADDRESS]:PORT, got {text!r}")
            port = rest[1:]
    elif host.count(":") == 1:
        host, port = host.split(":")
    if not host:
        raise ValueError(f"no host name in {text!r}")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad port {port!r} in {text!r}")
    return host, int(port)


def _context(trust: Trust) -> ssl.SSLContext:
    if not trust.lenient:
        return ssl.create_default_context(cafile=trust.cafile, capath=trust.capath)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies and checks host names
    for location in ({"cafile": trust.cafile}, {"capath": trust.capath}):
        if any(location.values()):
            try:
                context.load_verify_locations(**location)
            except (ssl.SSLError, OSError):
                pass
    if os.name == "nt":
        context.load_default_certs()  # the Windows certificate store
    return context


def _unverified_chain(host: str, port: int, timeout: float) -> Tuple[List[bytes], bool]:
    """The DER certificates the server sent, and False when only its own could be read."""
    # Only to read what the server sends; nothing received here is trusted or sent on.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # noqa: TLS103
    context.verify_mode = ssl.CERT_NONE  # noqa: TLS103
    with socket.create_connection((host, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            public = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
            if public is not None:
                return list(public()), True
            private = getattr(tls._sslobj, "get_unverified_chain", None)  # 3.10 to 3.12
            if private is not None:
                return [cert.public_bytes(ssl._ssl.ENCODING_DER) for cert in private() or ()], True
            leaf = tls.getpeercert(binary_form=True)  # Python 3.9: the leaf only
    if not leaf:
        return [], True
    try:
        chain = tls12.read_chain(host, port, timeout)
    except (OSError, ssl.SSLError):
        chain = None
    # The same leaf, or the server chose another certificate for TLS 1.2: trust only the leaf.
    if chain and chain[0] == leaf:
        return chain, True
    return [leaf], False


def probe(host: str, port: int, trust: Trust, timeout: float = TIMEOUT) -> HostReport:
    report = HostReport(host, port, trust.label)
    try:
        context = _context(trust)
    except (ssl.SSLError, OSError) as error:
        context = None
        report.checks.append(Check("bundle-unusable", Status.FAIL,
                                   f"Python cannot load {trust.label}: {error}",
                                   "fix the bundle first (see its checks)"))
    if context is not None and not _verify(report, context, timeout):
        return report
    try:
        ders, report.chain_complete = _unverified_chain(host, port, timeout)
    except (OSError, ssl.SSLError) as error:
        report.checks.append(Check("chain-unreadable", Status.FAIL,
                                   f"cannot read the chain of {host}:{port}: {error}"))
        return report
    chain = [cert for cert in map(store.load_der, ders) if cert is not None]
    report.chain = [certinfo.describe(cert, index) for index, cert in enumerate(chain)]
    anchors = None  # nothing was trusted: the chain cannot be judged against it
    if context is not None:
        anchors = [cert for cert in map(store.load_der, context.get_ca_certs(binary_form=True))
                   if cert is not None]
    report.checks.extend(diagnose(host, chain, anchors, report.verified,
                                  report.chain_complete, report.error_code))
    return report


def _verify(report: HostReport, context: ssl.SSLContext, timeout: float) -> bool:
    """Connect with verification; False when the host cannot be reached at all."""
    where = f"{report.host}:{report.port}"
    try:
        with socket.create_connection((report.host, report.port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=report.host) as tls:
                version = tls.version()
    except ssl.SSLCertVerificationError as error:
        report.error_code, report.error_message = error.verify_code, error.verify_message
        report.checks.append(Check("verify", Status.FAIL,
                                   f"certificate verify failed: {error.verify_message} "
                                   f"(OpenSSL error {error.verify_code})"))
        return True
    except ssl.SSLError as error:
        report.error_message = str(error)
        report.checks.append(Check("handshake", Status.FAIL,
                                   f"TLS handshake with {where} failed: {error}"))
        return True
    except OSError as error:
        report.error_message = str(error)
        report.checks.append(Check("connect", Status.FAIL, f"cannot connect to {where}: {error}",
                                   "check the host name, the port, a proxy or a firewall"))
        return False
    report.verified = True
    report.checks.append(Check("verify", Status.OK, f"verified ({version}) with {report.trust}"))
    return True


# OpenSSL's verify errors that mean "the chain stops before a certificate the bundle holds".
UNABLE_TO_GET_ISSUER = (2, 20)  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)
SELF_SIGNED_IN_CHAIN = 19


def diagnose(host: str, chain: List[x509.Certificate],
             anchors: Optional[List[x509.Certificate]], verified: bool,
             complete: bool = True, error_code: Optional[int] = None) -> List[Check]:
    """Name what is wrong with the chain a server sent, against the certificates trusted
    (`anchors`; None when the bundle could not be loaded, so only the chain itself is judged).
    When the chain is not `complete` (only the server's own certificate could be read), only
    what that certificate and OpenSSL's `error_code` show is diagnosed."""
    if not chain:
        return [Check("no-certificate", Status.FAIL, "the server sent no certificate")]
    checks = []
    leaf = chain[0]
    if not certinfo.matches_host(leaf, host):
        names = ", ".join(certinfo.alt_names(leaf)) or "no subjectAltName"
        checks.append(Check("hostname-mismatch", Status.FAIL,
                            f"hostname mismatch: the server's certificate is for {names}, "
                            f"not '{host}'",
                            f"connect with a name the certificate lists, or reissue it with "
                            f"DNS:{host} in its subjectAltName"))
    complete = complete or certinfo.self_signed(leaf)  # nothing above a self-signed one
    checks.extend(_expiry(chain, anchors or [], complete))
    for index in range(1, len(chain)):
        if not certinfo.issued_by(chain[index - 1], chain[index]):
            checks.append(Check("chain-order", Status.WARN,
                                f"certificate #{index} did not issue #{index - 1}: the server "
                                f"sends its chain out of order or with an unrelated certificate",
                                "send the leaf first, then each issuer in turn"))
            break
    if not complete:
        checks.extend(_unknown_chain(leaf, anchors, verified, error_code))
    elif anchors is not None:
        checks.extend(_completeness(chain, anchors, verified))
    return checks


def _expiry(chain: List[x509.Certificate], anchors: List[x509.Certificate],
            complete: bool) -> List[Check]:
    now = certinfo.now()
    checks = []
    for index, cert in enumerate(chain):
        end = certinfo.not_after(cert)
        if end < now:
            checks.append(Check("expired", Status.FAIL,
                                f"the server's certificate #{index} "
                                f"'{certinfo.name_text(cert.subject)}' expired on {end:%Y-%m-%d}",
                                "renew it and install the new one on the server"))
    anchor = certinfo.find_issuer(chain[-1], anchors)
    if anchor is not None and certinfo.not_after(anchor) < now:
        issued = "the last certificate the server sent" if complete else \
            "the server's certificate"
        checks.append(Check("expired", Status.FAIL,
                            f"the bundle's '{certinfo.name_text(anchor.subject)}', issuer of "
                            f"{issued}, expired on {certinfo.not_after(anchor):%Y-%m-%d}",
                            "replace it in the bundle with the CA's current certificate"))
    return checks


def _unknown_chain(leaf: x509.Certificate, anchors: Optional[List[x509.Certificate]],
                   verified: bool, error_code: Optional[int]) -> List[Check]:
    """Python 3.9 read only the server's own certificate: say so, and name what OpenSSL's
    verdict and that certificate show, never whether the server sends its intermediates."""
    issuer = certinfo.name_text(leaf.issuer)
    checks = [Check("chain-unknown", Status.WARN,
                    "only the server's own certificate could be read: Python 3.9 reads the "
                    "chain only from a TLS 1.2 handshake, which this server refuses (or answers "
                    "with another certificate); whether it sends its intermediates is not known",
                    "run the doctor with Python 3.10 or later to see the whole chain")]
    if verified or anchors is None:
        return checks
    anchor = certinfo.find_issuer(leaf, anchors)
    if error_code in UNABLE_TO_GET_ISSUER and anchor is None:
        checks.append(Check("issuer-missing", Status.FAIL,
                            f"the bundle lacks an issuer the chain needs: the server's "
                            f"certificate is issued by '{issuer}', which the bundle does not "
                            f"hold, and what the server sent after it cannot be read here",
                            f"add the root CA above '{issuer}' to the bundle, and make sure the "
                            f"server sends its full chain (leaf, then intermediates: "
                            f"fullchain.pem)"))
    elif error_code in UNABLE_TO_GET_ISSUER:
        checks.append(_anchor_issuer_missing(anchor, "the server's certificate"))
    elif error_code == SELF_SIGNED_IN_CHAIN:
        checks.append(Check("root-not-trusted", Status.FAIL,
                            "the server sent a self-signed root the bundle does not hold "
                            "(which one cannot be read here)",
                            "add that root to the bundle if you trust it"))
    return checks


def _completeness(chain: List[x509.Certificate], anchors: List[x509.Certificate],
                  verified: bool) -> List[Check]:
    last = chain[-1]
    subject, issuer = certinfo.name_text(last.subject), certinfo.name_text(last.issuer)
    if certinfo.self_signed(last):
        trusted = any(certinfo.fingerprint(a) == certinfo.fingerprint(last) for a in anchors)
        if trusted or verified:
            return []
        what = "a self-signed certificate" if len(chain) == 1 else "the root"
        return [Check("root-not-trusted", Status.FAIL,
                      f"the server sent {what} '{subject}', which the bundle does not hold",
                      f"add '{subject}' to the bundle if you trust it")]
    anchor = certinfo.find_issuer(last, anchors)
    if anchor is None:
        if verified:  # trusted through a CA folder, whose certificates are not listed
            return []
        if len(chain) == 1:
            return [Check("omits-intermediate", Status.FAIL,
                          f"server omits its intermediate: it sent only its own certificate, "
                          f"and its issuer '{issuer}' is in neither the chain nor the bundle",
                          f"configure the server to send its full chain (leaf, then "
                          f"intermediates: fullchain.pem); if '{issuer}' is a root, add it to "
                          f"the bundle instead")]
        return [Check("issuer-missing", Status.FAIL,
                      f"the bundle lacks '{issuer}', the issuer of the last certificate the "
                      f"server sent ('{subject}')",
                      f"add the certificate of '{issuer}' (PEM) to the bundle")]
    if not verified and not certinfo.self_signed(anchor):
        return [_anchor_issuer_missing(anchor, "the last certificate the server sent")]
    if len(chain) == 1 and not certinfo.self_signed(anchor):
        return [Check("omits-intermediate", Status.WARN,
                      f"server omits its intermediate: it sent only its own certificate and "
                      f"verifies only because the bundle holds '{issuer}'",
                      "configure the server to send its full chain (fullchain.pem); other "
                      "clients will fail")]
    return []


def _anchor_issuer_missing(anchor: x509.Certificate, issued: str) -> Check:
    """The bundle holds an intermediate but not the root above it, which OpenSSL needs."""
    name, above = certinfo.name_text(anchor.subject), certinfo.name_text(anchor.issuer)
    return Check("issuer-missing", Status.FAIL,
                 f"the bundle holds '{name}', the issuer of {issued}, but lacks '{above}', "
                 f"its issuer", f"add the certificate of '{above}' (PEM) to the bundle")
