"""Reading certificates with `cryptography`: names, validity, CA flag, who issued whom."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timezone
from typing import Iterable, Optional, Tuple, Type

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes

from corptls_lint.doctor.ftypes import CertInfo


def escaped(text: str) -> str:
    """`text` with every control character (a newline, an escape sequence, a line or
    paragraph separator) written as \\xNN or \\uNNNN: no text read from a certificate may
    start a line, or a PEM block, of what the doctor writes or prints."""
    import unicodedata

    return "".join(
        (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        if unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cf")
        else char for char in text)


def name_text(name: x509.Name) -> str:
    return escaped(name.rfc4514_string()) or "(empty name)"


def _utc(cert: x509.Certificate, attribute: str) -> datetime:
    # cryptography 42 added the *_utc properties; older releases return naive UTC datetimes.
    aware: Optional[datetime] = getattr(cert, attribute + "_utc", None)
    if aware is not None:
        return aware
    naive: datetime = getattr(cert, attribute)
    return naive.replace(tzinfo=timezone.utc)


def not_before(cert: x509.Certificate) -> datetime:
    return _utc(cert, "not_valid_before")


def not_after(cert: x509.Certificate) -> datetime:
    return _utc(cert, "not_valid_after")


def ca_flag(cert: x509.Certificate) -> Optional[bool]:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return None


def _key_id(cert: x509.Certificate, extension: Type[x509.ExtensionType]) -> Optional[bytes]:
    try:
        value = cert.extensions.get_extension_for_class(extension).value
    except x509.ExtensionNotFound:
        return None
    return getattr(value, "key_identifier", None) or getattr(value, "digest", None)


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """True when `parent` issued `child`: the names match, the key identifiers (when both are
    present) match, and the signature verifies. A signature cryptography cannot check (SHA-1 in
    old roots) is left to the names and key identifiers, as OpenSSL builds chains by them."""
    if child.issuer != parent.subject:
        return False
    authority = _key_id(child, x509.AuthorityKeyIdentifier)
    subject = _key_id(parent, x509.SubjectKeyIdentifier)
    if authority and subject and authority != subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except InvalidSignature:
        return False
    except (ValueError, TypeError):  # an algorithm or key type cryptography does not verify
        return True
    return True


def self_signed(cert: x509.Certificate) -> bool:
    return issued_by(cert, cert)


def alt_names(cert: x509.Certificate) -> Tuple[str, ...]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    names = [f"DNS:{name}" for name in san.get_values_for_type(x509.DNSName)]
    names += [f"IP:{address}" for address in san.get_values_for_type(x509.IPAddress)]
    return tuple(names)


def issuer_url(cert: x509.Certificate) -> Optional[str]:
    """Where the certificate says its issuer's certificate is published (AIA caIssuers): a CA's
    certificates carry it; an inspecting device's re-signed ones rarely do."""
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return None
    for description in aia:
        if description.access_method == x509.oid.AuthorityInformationAccessOID.CA_ISSUERS:
            return str(description.access_location.value)
    return None


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def describe(cert: x509.Certificate, index: int) -> CertInfo:
    return CertInfo(index=index, subject=name_text(cert.subject), issuer=name_text(cert.issuer),
                    not_before=not_before(cert), not_after=not_after(cert), is_ca=ca_flag(cert),
                    self_signed=self_signed(cert), sha256=fingerprint(cert),
                    names=alt_names(cert))


def _dns_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def matches_host(cert: x509.Certificate, host: str) -> bool:
    """Hostname check as Python's ssl does it: subjectAltName only, no common-name fallback."""
    names = alt_names(cert)
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return any(_dns_matches(n[4:], host) for n in names if n.startswith("DNS:"))
    return any(n.startswith("IP:") and ipaddress.ip_address(n[3:]) == address for n in names)


def find_issuer(cert: x509.Certificate,
                candidates: Iterable[x509.Certificate]) -> Optional[x509.Certificate]:
    for candidate in candidates:
        if issued_by(cert, candidate):
            return candidate
    return None


def now() -> datetime:
    return datetime.now(timezone.utc)
