"""The lasting fix for a private or inspecting CA: a combined bundle of the public roots plus
that CA, which requests and httpx are pointed at; never an edit of certifi's or the system's
bundle (the next `pip install --upgrade certifi` or OS update replaces it)."""

from __future__ import annotations

import os
import shlex
import ssl
from typing import Iterable, List, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from corptls_lint.doctor import certinfo, store
from corptls_lint.doctor.ftypes import Check, Status
from corptls_lint.source.writer import WriteError, write_output

COMBINED = "~/corp-ca-bundle.pem"


def public_roots(certifi: Optional[str]) -> Optional[str]:
    """The bundle of public roots to start from: certifi's, else the system's CA file."""
    if certifi and os.path.isfile(certifi):
        return certifi
    system = ssl.get_default_verify_paths().cafile
    return system if system and os.path.isfile(system) else None


def _quote(path: str) -> str:
    return path if path.startswith("~/") else shlex.quote(path)


# The variable that points each program at a bundle file.
PROGRAM_VARIABLES = {"pip": "PIP_CERT", "botocore": "AWS_CA_BUNDLE", "git": "GIT_SSL_CAINFO",
                     "conda": "CONDA_SSL_VERIFY"}
PYTHON_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")  # requests; httpx and ssl


def recipe(host: str, public: Optional[str], out: str = COMBINED,
           variables: Sequence[str] = PYTHON_VARIABLES) -> str:
    """One line of commands, with this machine's paths."""
    source = _quote(public) if public else "PUBLIC-ROOTS.pem"
    never = f"never edit {public}, the next upgrade replaces it; " if public else ""
    exports = " ".join(f"{variable}={_quote(out)}" for variable in variables)
    truststore = ("; or, where IT put the CA in the OS store: pip install truststore and call "
                  "truststore.inject_into_ssl() at startup") \
        if set(variables) & set(PYTHON_VARIABLES) else ""
    return (f"{never}build a combined bundle: corptls-lint doctor --host {host} "
            f"--write-bundle {_quote(out)} (or: cat {source} corp-ca.pem > {_quote(out)}), then "
            f"export {exports}{truststore}")


def os_store_export(issuer: str, public: Optional[str], out: str) -> str:
    """How to get a CA certificate that was not sent out of the OS store."""
    cn = next((part[3:] for part in issuer.split(",") if part.startswith("CN=")), issuer)
    source = _quote(public) if public else "PUBLIC-ROOTS.pem"
    return (f"get the certificate of '{issuer}' from IT, or export it from the OS store: "
            f"macOS: security find-certificate -a -p -c {shlex.quote(cn)} "
            f"/Library/Keychains/System.keychain > corp-ca.pem; Windows (PowerShell): "
            f"Get-ChildItem Cert:\\LocalMachine\\Root | Where-Object Subject -like "
            f"'*{cn}*' | ForEach-Object {{ '-----BEGIN CERTIFICATE-----'; "
            f"[Convert]::ToBase64String($_.RawData, 'InsertLineBreaks'); "
            f"'-----END CERTIFICATE-----' }} | Out-File -Encoding ascii corp-ca.pem; "
            f"Debian/Ubuntu: /usr/local/share/ca-certificates/; RHEL/Fedora: "
            f"/etc/pki/ca-trust/source/anchors/; then: cat {source} corp-ca.pem > {_quote(out)}")


def ca_certificates(chains: Iterable[Sequence[x509.Certificate]],
                    already: Iterable[x509.Certificate] = ()) -> List[x509.Certificate]:
    """The CA:TRUE certificates of the chains, once each, without those already trusted."""
    seen = {certinfo.fingerprint(cert) for cert in already}
    found = []
    for chain in chains:
        for cert in chain:
            digest = certinfo.fingerprint(cert)
            if certinfo.ca_flag(cert) is True and digest not in seen:
                seen.add(digest)
                found.append(cert)
    return found


def _anchor(chain: Sequence[x509.Certificate], public: Sequence[x509.Certificate],
            known: Sequence[Tuple[str, Sequence[x509.Certificate]]]
            ) -> Tuple[List[Tuple[x509.Certificate, str]], Optional[x509.Certificate]]:
    """The issuers above the top of `chain` that were not sent, found in the `known` bundles
    (label, certificates: the OS store, the bundles checked), up to a self-signed root or a
    public root; and the certificate whose issuer was found nowhere (None when anchored)."""
    found: List[Tuple[x509.Certificate, str]] = []
    top = chain[-1]
    while not certinfo.self_signed(top) and certinfo.find_issuer(top, public) is None:
        for label, certs in known:
            issuer = certinfo.find_issuer(top, certs)
            if issuer is not None and certinfo.ca_flag(issuer) is True:
                found.append((issuer, label))
                top = issuer
                break
        else:
            return found, top
        if len(found) > 8:  # a loop of cross-signed certificates
            break
    return found, None


def write_bundle(path: str, public: Optional[str], chain: Sequence[x509.Certificate],
                 known: Sequence[Tuple[str, Sequence[x509.Certificate]]] = ()
                 ) -> Tuple[List[Check], List[x509.Certificate]]:
    """Write the public roots plus the CA certificates of `chain` (CA:TRUE only, never the
    leaf), and the issuers above them that the `known` bundles hold, to `path`. The checks say
    what was added (subject and SHA-256, to compare with what IT publishes) or why nothing was
    written: an issuer found nowhere must come from IT or the OS store."""
    public_data = b""
    public_certs: List[x509.Certificate] = []
    if public:
        with open(public, "rb") as handle:
            public_data = handle.read()
        public_certs = store.pem_certificates(public_data)
    sources = [(cert, "sent through the route") for cert in ca_certificates([chain], public_certs)]
    above, unanchored = _anchor(chain, public_certs, known) if chain else ([], None)
    digests = {certinfo.fingerprint(cert) for cert, _ in sources}
    sources += [(cert, label) for cert, label in above if certinfo.fingerprint(cert) not in digests]
    if unanchored is not None:
        missing = certinfo.name_text(unanchored.issuer)
        sent = "only its own certificate" if not sources else "no root above its CA certificates"
        return [Check("write-bundle", Status.FAIL,
                      f"{path} not written: the host (or the proxy) sent {sent}, and "
                      f"'{missing}' is in no bundle at hand",
                      os_store_export(missing, public, path))], []
    if not sources:
        return [Check("write-bundle", Status.OK,
                      f"{path} not written: the public roots already verify this host")], []
    parts = [public_data.rstrip(b"\n") + b"\n"] if public_data else []
    for cert, _ in sources:
        parts.append(f"\n# {certinfo.name_text(cert.subject)}\n# SHA-256 "
                     f"{certinfo.fingerprint(cert)}\n".encode("utf-8"))
        parts.append(cert.public_bytes(serialization.Encoding.PEM))
    try:  # a trust bundle is public (0o644): services must read it
        write_output(os.path.expanduser(path), b"".join(parts), mode=0o644)
    except WriteError as error:
        return [Check("write-bundle", Status.FAIL, f"not written: {error}")], []
    roots = f"the {len(public_certs)} public roots of {public} plus " if public else ""
    checks = [Check("write-bundle", Status.OK,
                    f"wrote {path}: {roots}{len(sources)} CA certificate"
                    f"{'s' * (len(sources) != 1)}",
                    f"compare each SHA-256 below with what IT publishes, then: export "
                    f"REQUESTS_CA_BUNDLE={_quote(path)} SSL_CERT_FILE={_quote(path)}")]
    for cert, label in sources:
        checks.append(Check("added", Status.OK,
                            f"'{certinfo.name_text(cert.subject)}' SHA-256 "
                            f"{certinfo.fingerprint(cert)} ({label})"))
    return checks, [cert for cert, _ in sources]
