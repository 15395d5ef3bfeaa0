"""The live host check: connect as a client would, then read the chain the server sent.

Two connections: one that verifies (OpenSSL's own verdict and exact error), one that does not
(to read the chain even when verification fails, as `openssl s_client -showcerts` prints it).
Python 3.9 reads only the server's own certificate; a third connection reads the chain from a
TLS 1.2 handshake (tls12.py), and when the server will not speak TLS 1.2 the chain is unknown.
"""

from __future__ import annotations

import dataclasses
import os
import ssl
from dataclasses import dataclass
from typing import Callable, List, NamedTuple, NoReturn, Optional, Tuple

from cryptography import x509

from corptls_lint.doctor import certinfo, interception, store, tls12
from corptls_lint.doctor.ftypes import Check, HostReport, Status
from corptls_lint.doctor.route import Opener, ProxyError
from corptls_lint.doctor.target import Target

TIMEOUT = 10.0


class Trust(NamedTuple):
    """What a connection trusts. `lenient` loads the file and the folder as OpenSSL loads its
    defaults for `ssl.create_default_context()`: one it cannot read is skipped, not an error."""

    label: str
    cafile: Optional[str] = None
    capath: Optional[str] = None
    lenient: bool = False
    # certifi's or the system's bundle: a fix never edits it (the next upgrade undoes that)
    managed: bool = False
    # the variables that point the clients using this trust at a bundle, for the recipe
    variables: Tuple[str, ...] = ()
    # the OS store as well as the file (pip 24.2+ through truststore)
    os_store: bool = False
    # the clients that use this trust (requests, httpx, ssl, pip, git, ...)
    clients: Tuple[str, ...] = ()


def context_of(trust: Trust) -> ssl.SSLContext:
    if trust.os_store:
        # truststore on Linux: OpenSSL's default paths (SSL_CERT_FILE/SSL_CERT_DIR honoured)
        # plus the file given; on macOS and Windows it asks the OS, approximated by its store
        context = ssl.create_default_context()
        if trust.cafile:
            context.load_verify_locations(cafile=trust.cafile)
        return context
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


def _unverified_chain(host: str, connect: Opener, timeout: float) -> Tuple[List[bytes], bool]:
    """The DER certificates the server sent, and False when only its own could be read."""
    # Only to read what the server sends; nothing received here is trusted or sent on.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # noqa: TLS103
    context.verify_mode = ssl.CERT_NONE  # noqa: TLS103
    with connect(timeout) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            public = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
            if public is not None:
                return list(public()), True
            # 3.10 to 3.12 have it only on the private _sslobj (the public method is 3.13's);
            # its certificates' default encoding is PEM, turned to DER with the public helper.
            private = getattr(tls._sslobj,  # type: ignore[attr-defined]  # private: no stub
                              "get_unverified_chain", None)
            if private is not None:
                chain = private() or ()
                return [ssl.PEM_cert_to_DER_cert(cert.public_bytes()) for cert in chain], True
            leaf = tls.getpeercert(binary_form=True)  # Python 3.9: the leaf only
    if not leaf:
        return [], True
    try:
        chain = tls12.read_chain(host, 0, timeout, connect=connect)
    except (OSError, ssl.SSLError):
        chain = None
    # The same leaf, or the server chose another certificate for TLS 1.2: trust only the leaf.
    if chain and chain[0] == leaf:
        return chain, True
    return [leaf], False


@dataclass(frozen=True)
class Path:
    """How the connections reach the host, and what is known beyond it."""

    connect: Opener
    proxied: bool = False
    # the chain read with a direct connection when the route goes through a proxy
    direct: Optional[List[x509.Certificate]] = None
    # the lasting fix for TLS inspection (recipe.py), and how to make it for other variables
    recipe: str = ""
    recipe_for: Optional[Callable[[Tuple[str, ...]], str]] = None
    # the opener for a given trust (an https:// proxy is verified with the client's trust)
    connect_for: Optional[Callable[[Optional[ssl.SSLContext]], Opener]] = None

    @property
    def inspection_likely(self) -> bool:
        """A proxy in the route, and no direct connection that showed the same certificate."""
        return self.proxied and not self.direct


def probe(target: Target, trust: Trust, path: Path, timeout: float = TIMEOUT) -> HostReport:
    host = target.host
    report = HostReport(host, target.port, trust.label, trust.clients)
    try:
        context = context_of(trust)
    except (ssl.SSLError, OSError) as error:
        context = None
        report.checks.append(Check("bundle-unusable", Status.FAIL,
                                   f"Python cannot load {trust.label}: {error}",
                                   "fix the bundle first (see its checks)"))
    if path.connect_for is not None:
        path = dataclasses.replace(path, connect=path.connect_for(context))
    if context is not None and not _verify(report, context, path.connect, timeout):
        return report
    try:
        ders, report.chain_complete = _unverified_chain(host, path.connect, timeout)
    except (OSError, ssl.SSLError, ProxyError) as error:
        report.checks.append(Check("chain-unreadable", Status.FAIL,
                                   f"cannot read the chain of {target}: {error}"))
        return report
    chain = [cert for cert in map(store.load_der, ders) if cert is not None]
    report.chain = [certinfo.describe(cert, index) for index, cert in enumerate(chain)]
    if trust.variables and path.recipe_for is not None:
        path = dataclasses.replace(path, recipe=path.recipe_for(trust.variables))
    anchors = None  # nothing was trusted: the chain cannot be judged against it
    if context is not None:
        anchors = [cert for cert in map(store.load_der, context.get_ca_certs(binary_form=True))
                   if cert is not None]
    report.checks.extend(diagnose(host, chain, anchors, report.verified,
                                  report.chain_complete, report.error_code, path,
                                  trust.managed))
    # the first failed check names the interception, before OpenSSL's verdict
    report.checks.sort(key=lambda check: check.id != "tls-inspection")
    return report


def read_chain(target: Target, connect: Opener,
               timeout: float = TIMEOUT) -> List[x509.Certificate]:
    """The certificates `target` sends, unverified (for comparing and for --write-bundle)."""
    ders, _ = _unverified_chain(target.host, connect, timeout)
    return [cert for cert in map(store.load_der, ders) if cert is not None]


def _verify(report: HostReport, context: ssl.SSLContext, connect: Opener,
            timeout: float) -> bool:
    """Connect with verification; False when the host cannot be reached at all."""
    where = f"{report.host}:{report.port}"
    try:
        with connect(timeout) as raw:
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
    except ProxyError as error:
        report.error_message = str(error)
        report.checks.append(Check("proxy", Status.FAIL, str(error)))
        return False
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
             complete: bool = True, error_code: Optional[int] = None,
             path: Optional[Path] = None, managed: bool = False) -> List[Check]:
    """Name what is wrong with the chain a server sent, against the certificates trusted
    (`anchors`; None when the bundle could not be loaded, so only the chain itself is judged).
    When the chain is not `complete` (only the server's own certificate could be read), only
    what that certificate and OpenSSL's `error_code` show is diagnosed. TLS inspection, proven
    by a known product's name or by the direct chain (`path.direct`), comes first; `managed`
    trust (certifi, the system bundle) is never to be edited: its fixes are `path.recipe`."""
    if not chain:
        return [Check("no-certificate", Status.FAIL, "the server sent no certificate")]
    path = path or Path(connect=_no_connection)
    fixes = _Fixes(path, managed)
    inspection = interception.detect(chain, path.direct)
    checks = []
    if inspection is not None:
        checks.append(_inspection_check(inspection, verified, path))
    leaf = chain[0]
    if not certinfo.matches_host(leaf, host):
        names = ", ".join(certinfo.alt_names(leaf)) or "no subjectAltName"
        kind = "IP" if certinfo.is_address(host) else "DNS"
        also = " (an address is matched only by an IP: entry, never by DNS: or the common " \
               "name)" if kind == "IP" else ""
        checks.append(Check("hostname-mismatch", Status.FAIL,
                            f"hostname mismatch: the server's certificate is for {names}, "
                            f"not '{host}'{also}",
                            f"connect with a name the certificate lists, or reissue it with "
                            f"{kind}:{host} in its subjectAltName"))
    complete = complete or certinfo.self_signed(leaf)  # nothing above a self-signed one
    checks.extend(_expiry(chain, anchors or [], complete))
    for index in range(1, len(chain)):
        if not certinfo.issued_by(chain[index - 1], chain[index]):
            checks.append(Check("chain-order", Status.WARN,
                                f"certificate #{index} did not issue #{index - 1}: the server "
                                f"sends its chain out of order or with an unrelated certificate",
                                "send the leaf first, then each issuer in turn"))
            break
    if inspection is not None:
        return checks  # the chain is the inspecting device's: nothing for the server to fix
    if not complete:
        checks.extend(_unknown_chain(leaf, anchors, verified, error_code, fixes))
    elif anchors is not None:
        checks.extend(_completeness(chain, anchors, verified, fixes))
    return checks


def _no_connection(timeout: float) -> NoReturn:
    raise OSError("no connection")


class _Fixes:
    """The fix texts that depend on the route and on whose bundle it is."""

    def __init__(self, path: Path, managed: bool):
        self.path, self.managed = path, managed

    def add(self, text: str) -> str:
        """`text` (add a certificate to the bundle), unless the bundle is certifi's or the
        system's: editing those is undone by the next upgrade, so the recipe instead."""
        return self.path.recipe if self.managed and self.path.recipe else text


def _inspection_check(inspection: interception.Inspection, verified: bool, path: Path) -> Check:
    where = "the proxy" if path.proxied else "a device between this machine and the host"
    if verified:
        return Check("tls-inspection", Status.OK,
                     f"TLS inspection by '{inspection.ca}' ({inspection.evidence}); this bundle "
                     f"trusts its CA")
    return Check("tls-inspection", Status.FAIL,
                 f"TLS inspection by '{inspection.ca}' ({inspection.evidence}): {where} "
                 f"re-signs the host's certificate with its own CA, which this bundle does not "
                 f"hold; nothing is wrong with the server",
                 path.recipe or f"add the certificate of '{inspection.ca}' (from IT) to a copy "
                                f"of the bundle")


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
                   verified: bool, error_code: Optional[int], fixes: _Fixes) -> List[Check]:
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
                            fixes.add(f"add the root CA above '{issuer}' to the bundle, and "
                                      f"make sure the server sends its full chain (leaf, then "
                                      f"intermediates: fullchain.pem)")))
    elif error_code in UNABLE_TO_GET_ISSUER and anchor is not None:  # (None: the branch above)
        checks.append(_anchor_issuer_missing(anchor, "the server's certificate", fixes))
    elif error_code == SELF_SIGNED_IN_CHAIN:
        checks.append(Check("root-not-trusted", Status.FAIL,
                            "the server sent a self-signed root the bundle does not hold "
                            "(which one cannot be read here)",
                            fixes.add("add that root to the bundle if you trust it")))
    return checks


def _completeness(chain: List[x509.Certificate], anchors: List[x509.Certificate],
                  verified: bool, fixes: _Fixes) -> List[Check]:
    last = chain[-1]
    subject, issuer = certinfo.name_text(last.subject), certinfo.name_text(last.issuer)
    if certinfo.self_signed(last):
        trusted = any(certinfo.fingerprint(a) == certinfo.fingerprint(last) for a in anchors)
        if trusted or verified:
            return []
        what = "a self-signed certificate" if len(chain) == 1 else "the root"
        if fixes.path.inspection_likely and len(chain) > 1:  # a proxy's CA, likelier
            return [Check("root-not-trusted", Status.FAIL,
                          f"the chain ends at '{subject}', which the bundle does not hold: "
                          f"likely TLS inspection by the proxy in the route (its CA), or the "
                          f"server's own private root",
                          fixes.path.recipe or f"add '{subject}' to a copy of the bundle if "
                                               f"you trust it")]
        return [Check("root-not-trusted", Status.FAIL,
                      f"the server sent {what} '{subject}', which the bundle does not hold",
                      fixes.add(f"add '{subject}' to the bundle if you trust it"))]
    anchor = certinfo.find_issuer(last, anchors)
    if anchor is None:
        if verified:  # trusted through a CA folder, whose certificates are not listed
            return []
        if len(chain) == 1 and fixes.path.inspection_likely:  # nothing proves an intermediate
            return [Check("omits-intermediate", Status.FAIL,
                          f"the server's certificate is issued by '{issuer}', which is in "
                          f"neither the chain nor the bundle: likely TLS inspection by the "
                          f"proxy in the route (its CA '{issuer}'), or else the server omits "
                          f"its intermediate",
                          (fixes.path.recipe + "; if the server is yours instead: " if
                           fixes.path.recipe else "") +
                          "configure the server to send its full chain (fullchain.pem)")]
        if len(chain) == 1:
            return [_single_certificate(last, issuer, fixes)]
        return [Check("issuer-missing", Status.FAIL,
                      f"the bundle lacks '{issuer}', the issuer of the last certificate the "
                      f"server sent ('{subject}')",
                      fixes.add(f"add the certificate of '{issuer}' (PEM) to the bundle"))]
    if not verified and not certinfo.self_signed(anchor):
        return [_anchor_issuer_missing(anchor, "the last certificate the server sent", fixes)]
    if len(chain) == 1 and not certinfo.self_signed(anchor):
        return [Check("omits-intermediate", Status.WARN,
                      f"server omits its intermediate: it sent only its own certificate and "
                      f"verifies only because the bundle holds '{issuer}'",
                      "configure the server to send its full chain (fullchain.pem); other "
                      "clients will fail")]
    return []


def _single_certificate(leaf: x509.Certificate, issuer: str, fixes: _Fixes) -> Check:
    """Only the server's certificate, its issuer nowhere: a server that omits its intermediate,
    or an inspecting device whose CA the doctor does not know. The evidence: an issuer URL
    (AIA), which a CA's certificates carry and a re-signing device's rarely do."""
    url = certinfo.issuer_url(leaf)
    full_chain = "configure the server to send its full chain (leaf, then intermediates: " \
                 "fullchain.pem)"
    direct = fixes.path.direct
    if direct and certinfo.fingerprint(direct[0]) == certinfo.fingerprint(leaf):
        evidence = "a direct connection showed the same certificate, so no device re-signs it"
    elif url is not None:
        evidence = f"the certificate names where that issuer is published ({url}), as a CA's " \
                   f"certificates do"
    else:
        evidence = ""
    if evidence:
        return Check("omits-intermediate", Status.FAIL,
                     f"server omits its intermediate: it sent only its own certificate, and its "
                     f"issuer '{issuer}' is in neither the chain nor the bundle; {evidence}",
                     f"{full_chain}; meanwhile, " + fixes.add(
                         f"add the certificate of '{issuer}'{f' (from {url})' if url else ''} "
                         f"and its root to the bundle"))
    return Check("issuer-unknown", Status.FAIL,
                 f"the server's certificate is issued by '{issuer}', which is in neither the "
                 f"chain nor the bundle, and names no issuer URL (AIA): either the server omits "
                 f"its intermediate, or a TLS-inspecting device re-signs the host's certificate "
                 f"with its CA '{issuer}'; to tell them apart, ask IT whether '{issuer}' is the "
                 f"company's inspection CA, or compare with the chain seen from another network "
                 f"(openssl s_client -connect HOST:PORT -showcerts)",
                 f"if '{issuer}' is your company's CA (or its inspecting device's), "
                 + fixes.add("add it, and the root above it, to the bundle")
                 + f"; if the server is yours: {full_chain}")


def _anchor_issuer_missing(anchor: x509.Certificate, issued: str, fixes: _Fixes) -> Check:
    """The bundle holds an intermediate but not the root above it, which OpenSSL needs."""
    name, above = certinfo.name_text(anchor.subject), certinfo.name_text(anchor.issuer)
    return Check("issuer-missing", Status.FAIL,
                 f"the bundle holds '{name}', the issuer of {issued}, but lacks '{above}', "
                 f"its issuer", fixes.add(f"add the certificate of '{above}' (PEM) to the bundle"))
