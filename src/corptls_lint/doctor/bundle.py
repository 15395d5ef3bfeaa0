"""Checks of one CA bundle file or CA folder: readable, PEM, and each certificate in it."""

from __future__ import annotations

import os
import ssl
import stat
from datetime import datetime, timedelta
from typing import AbstractSet, Callable, Dict, List, Optional, Sequence

from cryptography import x509

from corptls_lint.doctor import certinfo, recipe, store
from corptls_lint.doctor.ftypes import BundleReport, Check, Status, TrustLocation

EXPIRY_WARNING = timedelta(days=30)
# A bundle this large is a collection of public roots (certifi, the system bundle), where an
# expired root is a leftover OpenSSL skips: a warning there, a failure in a small bundle.
PUBLIC_BUNDLE_SIZE = 20
PEM_HINT = "a text file of -----BEGIN CERTIFICATE----- blocks"


# The clients that never look beyond the one file they are given: a bundle of theirs without a
# public root fails every public site.
FILE_ONLY_CLIENTS = ("requests", "httpx", "pip", "botocore", "conda", "git")


def check_location(location: TrustLocation,
                   system: Callable[[], List[x509.Certificate]] = store.system_store,
                   public_roots: Optional[Callable[[], AbstractSet[str]]] = None
                   ) -> BundleReport:
    """`public_roots` gives the SHA-256 fingerprints of the public roots (certifi's); with it,
    a bundle requests or httpx uses that holds none of them is a warning."""
    report = BundleReport(location)
    if os.path.isdir(location.path):
        report.checks.extend(_folder_checks(location))
        return report
    data = _read(location, report.checks)
    if data is None:
        return report
    certs = _parse(location.path, data, report.checks)
    report.certificates = [certinfo.describe(cert, i) for i, cert in enumerate(certs, 1)]
    report.checks.extend(_shape_checks(location.path, data, certs))
    if not any(check.status is Status.FAIL for check in report.checks):
        report.checks.extend(_loader_checks(location.path, data))
    report.checks.extend(certificate_checks(certs, system))
    if public_roots is not None and certs and set(location.used_by) & set(FILE_ONLY_CLIENTS):
        report.checks.extend(_public_root_checks(location, certs, public_roots()))
    return report


REPAIR = ("corptls-lint doctor --bundle {path} --host HOST --write-bundle {path}.fixed.pem "
          "writes it repaired (with the public roots), then point the clients at that file")


def _shape_checks(path: str, data: bytes, certs: Sequence[x509.Certificate]) -> List[Check]:
    """Line endings and indentation OpenSSL does not read, which the doctor can repair."""
    if not certs or b"-----BEGIN" not in data or \
            store.repaired(data) == data.replace(b"\r\n", b"\n"):
        return []
    shapes = []
    if b"\r" in data.replace(b"\r\n", b""):
        shapes.append("CR-only line endings (an old Mac editor's)")
    if any(line[:1] in (b" ", b"\t") and line.strip()
           for line in data.replace(b"\r", b"\n").split(b"\n")):
        shapes.append("indented lines")
    if not shapes:
        return []
    return [Check("needs-repair", Status.WARN,
                  f"{path} has {' and '.join(shapes)}: OpenSSL reads a PEM line only from its "
                  f"first column, between LF line endings",
                  REPAIR.format(path=os.path.abspath(path)))]


def _loader_checks(path: str, data: bytes) -> List[Check]:
    """What Python's own loader says: the doctor must never pass a file it refuses."""
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as error:
        truncated = store.unterminated_blocks(data)
        where, why = path, ""
        if truncated:
            where = f"{path}:{truncated[0]}"
            why = "; the PEM block on this line has a BEGIN line but no END line (cut off)"
        return [Check("python-refuses", Status.FAIL,
                      f"{where}: Python cannot load this bundle: {error}{why}",
                      "copy the bundle again from its source; every -----BEGIN CERTIFICATE----- "
                      "needs its -----END CERTIFICATE-----")]
    return []


def _public_root_checks(location: TrustLocation, certs: Sequence[x509.Certificate],
                        public: AbstractSet[str]) -> List[Check]:
    if not public or any(certinfo.fingerprint(cert) in public for cert in certs):
        return []
    users = ", ".join(client for client in location.used_by if client in FILE_ONLY_CLIENTS)
    return [Check("no-public-roots", Status.WARN,
                  f"{location.path} holds no public root: {users} trust only this file, so "
                  f"public sites (pypi.org, github.com) will fail; combine it with certifi",
                  "build a combined bundle (certifi plus this file) and point the variable at "
                  f"it: corptls-lint doctor --host HOST --write-bundle {recipe.combined()}")]


def _missing(location: TrustLocation, what: str) -> Check:
    path = location.path
    if os.path.islink(path):
        message = f"{path} is a symbolic link to {os.readlink(path)}, which does not exist"
    else:
        message = f"{path}: no such {what}"
    if not location.required:
        return Check("missing", Status.WARN, message + " (OpenSSL's default; skipped when absent)")
    return Check("missing", Status.FAIL, message,
                 f"create {path}, or point the setting at an existing {what}")


def _mode_text(st: os.stat_result) -> str:
    return f"{stat.filemode(st.st_mode)} owner uid {st.st_uid} gid {st.st_gid}"


def _read(location: TrustLocation, checks: List[Check]) -> Optional[bytes]:
    path = location.path
    if not os.path.exists(path):
        checks.append(_missing(location, "folder" if location.kind == "dir" else "file"))
        return None
    st = os.stat(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except PermissionError:
        checks.append(Check("unreadable", Status.FAIL,
                            f"{path}: permission denied ({_mode_text(st)}; this process runs as "
                            f"uid {_uid()})", f"chmod a+r {path}"))
        return None
    except OSError as error:
        checks.append(Check("unreadable", Status.FAIL, f"{path}: {error.strerror or error}"))
        return None
    if not st.st_mode & stat.S_IROTH:
        checks.append(Check("permissions", Status.WARN,
                            f"{path} is {_mode_text(st)}: other users (a service account, a "
                            f"container user) cannot read it", f"chmod 644 {path}"))
    else:
        checks.append(Check("readable", Status.OK, f"{path} ({stat.filemode(st.st_mode)}, "
                                                   f"{st.st_size} bytes)"))
    return data


def _uid() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else "?"


def _parse(path: str, data: bytes, checks: List[Check]) -> List[x509.Certificate]:
    if not data.strip():
        checks.append(Check("empty", Status.FAIL, f"{path} is empty",
                            f"replace it with the PEM CA bundle ({PEM_HINT})"))
        return []
    blocks = store.pem_blocks(data)
    if not blocks and not store.unterminated_blocks(data):
        return _parse_binary(path, data, checks)
    certs: List[x509.Certificate] = []
    for block in blocks:
        certs.extend(_parse_block(path, block, checks))
    if certs:
        noun = "certificate" if len(certs) == 1 else "certificates"
        checks.append(Check("format", Status.OK, f"PEM, {len(certs)} {noun}"))
    elif not any(check.status is Status.FAIL for check in checks):
        checks.append(Check("no-certificates", Status.FAIL,
                            f"{path} holds no CERTIFICATE block",
                            f"replace it with the PEM CA bundle ({PEM_HINT})"))
    return certs


def _parse_block(path: str, block: store.PemBlock, checks: List[Check]) -> List[x509.Certificate]:
    where = f"{path}:{block.line}"
    if block.label in store.CERTIFICATE_LABELS:
        cert = store.load_block(block)
        if cert is not None:
            return [cert]
        checks.append(Check("unparsable", Status.FAIL,
                            f"{where}: this CERTIFICATE block is damaged and cannot be read",
                            "copy the block again from its source; a PEM block must not be "
                            "edited or re-wrapped"))
    elif block.label.endswith("PRIVATE KEY"):
        checks.append(Check("private-key", Status.FAIL,
                            f"{where}: a {block.label} block: a trust bundle is public and must "
                            f"hold only certificates",
                            "remove the key from the bundle, and replace the key if the file "
                            "was shared"))
    elif block.label == "PKCS7":
        checks.append(Check("pkcs7", Status.FAIL,
                            f"{where}: a PKCS#7 (.p7b) block, which OpenSSL does not read as a "
                            f"CA bundle",
                            f"openssl pkcs7 -print_certs -in {path} -out {path}.pem"))
    elif block.label == "CERTIFICATE REQUEST":
        checks.append(Check("certificate-request", Status.FAIL,
                            f"{where}: a certificate signing request, not a certificate",
                            "ask the CA for the signed certificate of its CA, not the request"))
    else:
        checks.append(Check("other-block", Status.WARN,
                            f"{where}: a {block.label} block, ignored by the checks"))
    return []


def _parse_binary(path: str, data: bytes, checks: List[Check]) -> List[x509.Certificate]:
    cert = store.load_der(data)
    if cert is not None:
        checks.append(Check("der", Status.FAIL,
                            f"{path} is a DER (binary) certificate; Python's ssl, requests and "
                            f"httpx read only PEM",
                            f"openssl x509 -inform der -in {path} -out {path}.pem, then use "
                            f"{path}.pem (or: {REPAIR.format(path=os.path.abspath(path))})"))
        return [cert]
    certs = store.load_der_pkcs7(data)
    if certs:
        checks.append(Check("pkcs7", Status.FAIL,
                            f"{path} is a PKCS#7 (.p7b) file in DER, not a PEM bundle",
                            f"openssl pkcs7 -inform der -print_certs -in {path} -out "
                            f"{path}.pem, then use {path}.pem"))
        return certs
    checks.append(Check("not-a-certificate", Status.FAIL,
                        f"{path} is not a certificate: {_looks_like(data)}",
                        f"use the PEM CA bundle instead ({PEM_HINT})"))
    return []


def _looks_like(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data that is neither a DER certificate nor PKCS#7"
    if "\x00" in text:
        return "binary data that is neither a DER certificate nor PKCS#7"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"text without a -----BEGIN CERTIFICATE----- line (starts with {first[:60]!r})"


def _label(index: int, cert: x509.Certificate) -> str:
    return f"#{index} '{certinfo.name_text(cert.subject)}'"


def certificate_checks(certs: Sequence[x509.Certificate],
                       system: Callable[[], List[x509.Certificate]]) -> List[Check]:
    """Validity, CA flag, duplicates and missing issuers of the certificates of one bundle."""
    checks: List[Check] = []
    seen: Dict[str, int] = {}  # fingerprint -> the first certificate's number
    now = certinfo.now()
    public = len(certs) > PUBLIC_BUNDLE_SIZE
    expired_public: List[int] = []
    for index, cert in enumerate(certs, 1):
        label = _label(index, cert)
        digest = certinfo.fingerprint(cert)
        if digest in seen:
            checks.append(Check("duplicate", Status.WARN,
                                f"{label} is a duplicate of #{seen[digest]}",
                                f"remove the second copy (#{index})"))
            continue
        seen[digest] = index
        if public and certinfo.not_after(cert) < now:
            expired_public.append(index)
            continue
        checks.extend(_validity(label, cert, now))
        checks.extend(_role(label, cert, certs, system))
    if expired_public:
        # leftovers of a package's collection of roots, skipped by OpenSSL: one line, not N
        count = len(expired_public)
        checks.append(Check("expired-public-roots", Status.OK,
                            f"{count} expired root{'s' * (count != 1)} (certificates "
                            f"{', '.join(f'{i}' for i in expired_public)}), which OpenSSL "
                            f"skips; only a server that chains to one of them fails"))
    if certs and not expired_public and not any(check.status is not Status.OK
                                                for check in checks):
        checks.append(Check("certificates", Status.OK,
                            "every certificate is a CA, valid now and for 30 days, with its "
                            "issuer at hand"))
    return checks


# A certificate of the bundle that is expired, not yet valid, a leaf or an intermediate without
# its root makes no client fail by itself: OpenSSL skips it and uses the others. Only a host that
# needs it fails, and the host's own checks say so; here it is a warning.
UNUSED = "; a host fails only if it needs this certificate (--host tells)"


def _validity(label: str, cert: x509.Certificate, now: datetime) -> List[Check]:
    start, end = certinfo.not_before(cert), certinfo.not_after(cert)
    if end < now:
        return [Check("expired", Status.WARN, f"{label} expired on {end:%Y-%m-%d}{UNUSED}",
                      "remove it and add the CA's current certificate")]
    if start > now:
        return [Check("not-yet-valid", Status.WARN,
                      f"{label} is valid only from {start:%Y-%m-%d %H:%M} UTC{UNUSED}",
                      "check this machine's clock, or wait until the certificate is valid")]
    if end < now + EXPIRY_WARNING:
        return [Check("expiring", Status.WARN,
                      f"{label} expires on {end:%Y-%m-%d}, {_days_left(end - now)}",
                      "add the CA's renewed certificate now")]
    return []


def _role(label: str, cert: x509.Certificate, certs: Sequence[x509.Certificate],
          system: Callable[[], List[x509.Certificate]]) -> List[Check]:
    issuer = certinfo.name_text(cert.issuer)
    is_ca = certinfo.ca_flag(cert)
    if certinfo.self_signed(cert):
        if is_ca is False:
            return [Check("leaf", Status.WARN,
                          f"{label} is a self-signed server certificate (CA:FALSE), not a CA",
                          "trust it only for that one server, through a separate file")]
        return []
    if is_ca is not True:
        flag = "CA:FALSE" if is_ca is False else "no basicConstraints"
        return [Check("leaf", Status.WARN,
                      f"{label} is a leaf certificate ({flag}), not a CA: a trust bundle needs "
                      f"the CA that issued it{UNUSED}",
                      f"replace it with the certificate of '{issuer}' (and that CA's root)")]
    if certinfo.find_issuer(cert, certs) is not None:
        return []
    if certinfo.find_issuer(cert, system()) is not None:
        return [Check("issuer-in-system-store-only", Status.WARN,
                      f"{label} is an intermediate whose issuer '{issuer}' is only in the "
                      f"system store: clients that trust only this file cannot finish the chain",
                      f"add the certificate of '{issuer}' to the bundle")]
    return [Check("issuer-missing", Status.WARN,
                  f"{label} is an intermediate whose issuer '{issuer}' is in neither the bundle "
                  f"nor the system store{UNUSED}",
                  f"add the certificate of '{issuer}' (the root CA) to the bundle")]


def _folder_checks(location: TrustLocation) -> List[Check]:
    path = location.path
    try:
        names = os.listdir(path)
    except PermissionError:
        return [Check("unreadable", Status.FAIL,
                      f"{path}: permission denied ({_mode_text(os.stat(path))})",
                      f"chmod a+rx {path}")]
    hashed = [name for name in names if store.HASHED_NAME.match(name)]
    if hashed:
        return [Check("folder", Status.OK,
                      f"{path}: CA folder with {len(hashed)} hashed certificate names")]
    if not names:
        return [Check("empty", Status.FAIL, f"{path} is an empty folder",
                      "put the CA certificates (PEM) in it, then run: openssl rehash " + path)]
    return [Check("not-hashed", Status.FAIL,
                  f"{path} holds {len(names)} files but no hashed names (such as 5ad8a5d6.0); "
                  f"OpenSSL finds certificates in a folder only by those names",
                  f"openssl rehash {path}")]


def _days_left(left: timedelta) -> str:
    return "within a day" if left.days < 1 else f"in {left.days} day{'s' * (left.days != 1)}"
