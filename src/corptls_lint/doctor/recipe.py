"""The lasting fix for a private or inspecting CA: a combined bundle of the public roots plus
that CA, which requests and httpx are pointed at; never an edit of certifi's or the system's
bundle (the next `pip install --upgrade certifi` or OS update replaces it)."""

from __future__ import annotations

import os
import shlex
import ssl
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from corptls_lint.doctor import certinfo, store
from corptls_lint.doctor.ftypes import Check, Status
from corptls_lint.source.writer import WriteError, write_output

# Where the advice suggests the combined bundle: absolute (it must work from any folder).
COMBINED = os.path.join("~", "corp-ca-bundle.pem")


def combined() -> str:
    return os.path.abspath(os.path.expanduser(COMBINED))


def public_roots(certifi: Optional[str]) -> Optional[str]:
    """The bundle of public roots to start from: certifi's, else the system's CA file."""
    if certifi and os.path.isfile(certifi):
        return certifi
    system = ssl.get_default_verify_paths().cafile
    return system if system and os.path.isfile(system) else None


def _quote(path: str) -> str:
    return shlex.quote(path)


# The variable that points each program at a bundle file.
PROGRAM_VARIABLES = {"pip": "PIP_CERT", "botocore": "AWS_CA_BUNDLE", "git": "GIT_SSL_CAINFO",
                     "conda": "CONDA_SSL_VERIFY"}
PYTHON_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")  # requests; httpx and ssl


def recipe(host: str, public: Optional[str], out: Optional[str] = None,
           variables: Sequence[str] = PYTHON_VARIABLES) -> str:
    """One line of commands, with this machine's absolute paths."""
    out = os.path.abspath(os.path.expanduser(out)) if out else combined()
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


def make_it_stick(path: str) -> str:
    """How to keep the bundle in use beyond this shell, where the user runs things."""
    quoted = shlex.quote(path)
    return (f"make it stick: a shell: add export REQUESTS_CA_BUNDLE={quoted} "
            f"SSL_CERT_FILE={quoted} to ~/.bashrc or ~/.zshrc (~/.profile for login shells); "
            f"Windows: setx REQUESTS_CA_BUNDLE {quoted} and setx SSL_CERT_FILE {quoted} (new "
            f"windows see them); a systemd service: Environment=REQUESTS_CA_BUNDLE={quoted} "
            f"SSL_CERT_FILE={quoted} in its unit (systemctl edit UNIT); pip: pip config set "
            f"global.cert {quoted}; git: git config --global http.sslCAInfo {quoted}; conda: "
            f"conda config --set ssl_verify {quoted}; AWS: aws configure set ca_bundle {quoted}; "
            f"curl: export CURL_CA_BUNDLE={quoted}")


# Past this many certificates kept from one source, the report counts them (the file lists all).
LISTED_KEPT = 10


def _entry(cert: x509.Certificate) -> bytes:
    """A certificate as written: its subject (escaped) and SHA-256 as comments, then PEM."""
    return (f"# {certinfo.name_text(cert.subject)}\n# SHA-256 {certinfo.fingerprint(cert)}\n"
            .encode("utf-8") + cert.public_bytes(serialization.Encoding.PEM))


def write_bundle(path: str, public: Optional[str], chain: Sequence[x509.Certificate],
                 known: Sequence[Tuple[str, Sequence[x509.Certificate]]] = (),
                 current: Sequence[Tuple[str, Sequence[x509.Certificate]]] = ()
                 ) -> Tuple[List[Check], List[x509.Certificate]]:
    """Write a superset of what the clients trust now (`current`: label, certificates; as
    repaired by store.any_certificates), the public roots, and what `chain` is missing: its CA
    certificates (CA:TRUE only, never the leaf) and the issuers above them that the `known`
    bundles hold. Every certificate is written from its parsed form (line endings,
    indentation, DER repaired), under a comment with its escaped subject and its SHA-256. The
    checks say what was kept and added, or why nothing was written: an issuer found nowhere
    must come from IT or the OS store. Returns the checks and every certificate written."""
    absolute = os.path.abspath(os.path.expanduser(path))
    public_certs: List[x509.Certificate] = []
    if public:
        with open(public, "rb") as handle:
            public_certs = store.pem_certificates(handle.read())
    kept: List[Tuple[x509.Certificate, str]] = []
    seen = {certinfo.fingerprint(cert) for cert in public_certs}
    for label, certs in current:
        for cert in certs:
            digest = certinfo.fingerprint(cert)
            if digest not in seen:
                seen.add(digest)
                kept.append((cert, label))
    trusted = public_certs + [cert for cert, _ in kept]
    sources = [(cert, "sent through the route") for cert in ca_certificates([chain], trusted)]
    above, unanchored = _anchor(chain, trusted, known) if chain else ([], None)
    digests = {certinfo.fingerprint(cert) for cert, _ in sources} | seen
    sources += [(cert, label) for cert, label in above if certinfo.fingerprint(cert) not in digests]
    if unanchored is not None:
        missing = certinfo.name_text(unanchored.issuer)
        sent = "only its own certificate" if not sources else "no root above its CA certificates"
        return [Check("write-bundle", Status.FAIL,
                      f"{absolute} not written: the host (or the proxy) sent {sent}, and "
                      f"'{missing}' is in no bundle at hand",
                      os_store_export(missing, public, absolute))], []
    written = public_certs + [cert for cert, _ in kept] + [cert for cert, _ in sources]
    header = (f"# Written by corptls-lint doctor --write-bundle: {len(written)} certificates, "
              f"each under its subject and SHA-256.\n").encode("utf-8")
    try:  # a trust bundle is public (0o644): services must read it
        write_output(os.path.expanduser(path), header + b"".join(_entry(cert) for cert in written),
                     mode=0o644)
    except WriteError as error:
        return [Check("write-bundle", Status.FAIL, f"not written: {error}")], []
    parts = [f"the {len(public_certs)} public roots of {public}"] if public else []
    if kept:
        parts.append(f"{len(kept)} certificate{'s' * (len(kept) != 1)} the clients trust now")
    parts.append(f"{len(sources)} added for the host" if sources else
                 "nothing added (the host needed nothing more)")
    checks = [Check("write-bundle", Status.OK, f"wrote {absolute}: {', '.join(parts)}")]
    by_label: Dict[str, List[x509.Certificate]] = {}
    for cert, label in kept:
        by_label.setdefault(label, []).append(cert)
    for label, certs in by_label.items():
        if len(certs) > LISTED_KEPT:  # a system bundle: its SHA-256s are in the file
            checks.append(Check("kept", Status.OK, f"{len(certs)} certificates trusted now "
                                                   f"({label}); each SHA-256 is in the file"))
            continue
        for cert in certs:
            checks.append(Check("kept", Status.OK,
                                f"'{certinfo.name_text(cert.subject)}' SHA-256 "
                                f"{certinfo.fingerprint(cert)} (trusted now, {label})"))
    for cert, label in sources:
        checks.append(Check("added", Status.OK,
                            f"'{certinfo.name_text(cert.subject)}' SHA-256 "
                            f"{certinfo.fingerprint(cert)} ({label})"))
    return checks, written
