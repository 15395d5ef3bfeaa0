"""Telling TLS inspection (a proxy or firewall that re-signs every site with its own CA) from a
server's own mistakes: by the issuer's name, and by comparing with the direct connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from cryptography import x509

from corptls_lint.doctor import certinfo

# Words in the issuer names of the common inspection products' CAs (matched case-insensitively
# in the issuer's whole name).
PRODUCTS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("mitmproxy", ("mitmproxy",)),
    ("Zscaler", ("zscaler",)),
    ("Netskope", ("netskope",)),
    ("Palo Alto Networks", ("palo alto", "paloalto")),
    ("Fortinet FortiGate", ("fortinet", "fortigate")),
    ("Blue Coat / Symantec", ("blue coat", "bluecoat", "symantec ssl visibility",
                              "symantec web security")),
    ("Cisco Umbrella", ("cisco umbrella", "opendns")),
    ("Forcepoint", ("forcepoint", "websense")),
    ("Sophos", ("sophos",)),
    ("Check Point", ("check point", "checkpoint")),
    ("McAfee / Skyhigh", ("mcafee", "skyhigh")),
)


def product(name: str) -> Optional[str]:
    """The inspection product whose CA names look like `name`, None for any other name."""
    lowered = name.lower()
    for label, words in PRODUCTS:
        if any(word in lowered for word in words):
            return label
    return None


@dataclass(frozen=True)
class Inspection:
    """Proof that a device re-signs the host's certificate: `ca` is the name of its CA."""

    ca: str
    evidence: str


def signing_ca(chain: Sequence[x509.Certificate]) -> str:
    """The CA at the top of what was sent: the last certificate when it is self-signed, else
    its issuer."""
    last = chain[-1]
    if len(chain) > 1 and certinfo.self_signed(last):
        return certinfo.name_text(last.subject)
    return certinfo.name_text(last.issuer)


def detect(chain: Sequence[x509.Certificate],
           direct: Optional[Sequence[x509.Certificate]]) -> Optional[Inspection]:
    """Inspection when a certificate of `chain` names a known product, or when the server's
    certificate read directly (`direct`) has another issuer than the one through the route."""
    if not chain:
        return None
    ca = signing_ca(chain)
    # issuers, and the subjects of CA certificates (a leaf's subject is the site itself)
    names = [certinfo.name_text(cert.issuer) for cert in chain]
    names += [certinfo.name_text(cert.subject) for cert in chain[1:]]
    for name in names:
        found = product(name)
        if found is not None:
            return Inspection(ca, f"a known inspection product: {found}")
    if direct:
        seen, real = chain[0], direct[0]
        if certinfo.fingerprint(seen) != certinfo.fingerprint(real) and seen.issuer != real.issuer:
            return Inspection(ca, f"directly, the server's certificate is issued by "
                                  f"'{certinfo.name_text(real.issuer)}'")
    return None


def summary(direct: Optional[List[x509.Certificate]], direct_error: str) -> str:
    if direct:
        return (f"directly: the server's certificate is issued by "
                f"'{certinfo.name_text(direct[0].issuer)}'")
    return f"a direct connection was not possible ({direct_error})"
