"""The live host check: connect as a client would, then read the chain the server sent.

Two connections: one that verifies (OpenSSL's own verdict and exact error), one that does not
(to read the chain even when verification fails, as `openssl s_client -showcerts` prints it).
"""

from __future__ import annotations

import os
import socket
import ssl
from typing import List, NamedTuple, Optional, Tuple

from cryptography import x509

from corptls_lint.doctor import certinfo, store
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


def _unverified_chain(host: str, port: int, timeout: float) -> List[bytes]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            public = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
            if public is not None:
                return list(public())
            private = getattr(tls._sslobj, "get_unverified_chain", None)  # 3.10 to 3.12
            if private is not None:
                return [cert.public_bytes(ssl._ssl.ENCODING_DER) for cert in private() or ()]
            leaf = tls.getpeercert(binary_form=True)  # Python 3.9: the leaf only
            return [leaf] if leaf else []


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
        ders = _unverified_chain(host, port, timeout)
    except (OSError, ssl.SSLError) as error:
        report.checks.append(Check("chain-unreadable", Status.FAIL,
                                   f"cannot read the chain of {host}:{port}: {error}"))
        return report
    chain = [cert for cert in map(store.load_der, ders) if cert is not None]
    report.chain = [certinfo.describe(cert, index) for index, cert in enumerate(chain)]
    if context is None:  # nothing was trusted: the chain cannot be judged against it
        report.checks.extend(diagnose(host, chain, None, report.verified))
        return report
    anchors = [cert for cert in map(store.load_der, context.get_ca_certs(binary_form=True))
               if cert is not None]
    report.checks.extend(diagnose(host, chain, anchors, report.verified))
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


def diagnose(host: str, chain: List[x509.Certificate],
             anchors: Optional[List[x509.Certificate]], verified: bool) -> List[Check]:
    """Name what is wrong with the chain a server sent, against the certificates trusted
    (`anchors`; None when the bundle could not be loaded, so only the chain itself is judged)."""
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
    checks.extend(_expiry(chain, anchors or []))
    for index in range(1, len(chain)):
        if not certinfo.issued_by(chain[index - 1], chain[index]):
            checks.append(Check("chain-order", Status.WARN,
                                f"certificate #{index} did not issue #{index - 1}: the server "
                                f"sends its chain out of order or with an unrelated certificate",
                                "send the leaf first, then each issuer in turn"))
            break
    if anchors is not None:
        checks.extend(_completeness(chain, anchors, verified))
    return checks


def _expiry(chain: List[x509.Certificate], anchors: List[x509.Certificate]) -> List[Check]:
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
        checks.append(Check("expired", Status.FAIL,
                            f"the bundle's '{certinfo.name_text(anchor.subject)}', issuer of the "
                            f"last certificate the server sent, expired on "
                            f"{certinfo.not_after(anchor):%Y-%m-%d}",
                            "replace it in the bundle with the CA's current certificate"))
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
    if len(chain) == 1 and not certinfo.self_signed(anchor):
        return [Check("omits-intermediate", Status.WARN,
                      f"server omits its intermediate: it sent only its own certificate and "
                      f"verifies only because the bundle holds '{issuer}'",
                      "configure the server to send its full chain (fullchain.pem); other "
                      "clients will fail")]
    return []
