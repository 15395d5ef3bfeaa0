"""Loading certificates: PEM/DER parsing of one file, and the system store OpenSSL falls back on.

PEM files are split into blocks here, not with cryptography's `load_pem_x509_certificates`,
because the doctor reports on each block (its label, its line, whether it parses, whether its
END marker is missing) and keeps the good ones: in certifi's bundle of 117 certificates with
one corrupted block, `load_pem_x509_certificates` raises ValueError and returns nothing, while
`pem_certificates` returns the other 116 and `pem_blocks` says at which line the bad one is.
Each block is still parsed by cryptography.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
import warnings
from typing import Callable, List, NamedTuple, Optional, TypeVar

from cryptography import x509

PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 #]+)-----.*?-----END \1-----", re.S)
HASHED_NAME = re.compile(r"^[0-9a-f]{8}\.r?[0-9]+$")
# A folder such as /etc/ssl/certs holds a few hundred files; more than this is not a CA folder.
MAX_FOLDER_FILES = 5000
T = TypeVar("T")


class PemBlock(NamedTuple):
    label: str
    data: bytes
    line: int  # 1-based line of the BEGIN marker


BEGIN_LINE = re.compile(rb"-----BEGIN ([A-Z0-9 #]+)-----")


def unterminated_blocks(data: bytes) -> List[int]:
    """The 1-based lines of BEGIN markers that no END marker closes (a file cut off)."""
    closed = [(m.start(), m.end()) for m in PEM_BLOCK.finditer(data)]
    return [data.count(b"\n", 0, m.start()) + 1 for m in BEGIN_LINE.finditer(data)
            if not any(start <= m.start() < end for start, end in closed)]


def pem_blocks(data: bytes) -> List[PemBlock]:
    return [PemBlock(m.group(1).decode("ascii"), m.group(0), data.count(b"\n", 0, m.start()) + 1)
            for m in PEM_BLOCK.finditer(data)]


def quietly(load: Callable[[bytes], T], data: bytes) -> Optional[T]:
    """`load(data)`, None when it cannot be parsed. cryptography warns about certificates that
    break RFC 5280 in small ways (negative serial numbers, common in old roots): not our topic."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return load(data)
        except ValueError:
            return None


def load_der(data: bytes) -> Optional[x509.Certificate]:
    return quietly(x509.load_der_x509_certificate, data)


def load_pem(data: bytes) -> Optional[x509.Certificate]:
    return quietly(x509.load_pem_x509_certificate, data)


def load_der_pkcs7(data: bytes) -> Optional[List[x509.Certificate]]:
    from cryptography.hazmat.primitives.serialization import pkcs7

    try:
        return pkcs7.load_der_pkcs7_certificates(data)
    except (ValueError, TypeError):
        return None


# OpenSSL's "trusted" form (openssl x509 -trustout; in distributions' bundles): the certificate
# followed by its trust settings, which OpenSSL loads as a CA certificate too.
CERTIFICATE_LABELS = ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE")


def _first_der(data: bytes) -> Optional[bytes]:
    """The first DER element of `data` (a TRUSTED CERTIFICATE is a certificate followed by
    its trust settings): its tag, its length, its contents."""
    if len(data) < 2 or data[0] != 0x30:
        return None
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or len(data) < 2 + count:
            return None
        length, offset = int.from_bytes(data[2:2 + count], "big"), 2 + count
    end = offset + length
    return data[:end] if end <= len(data) else None


def load_block(block: PemBlock) -> Optional[x509.Certificate]:
    """The certificate of a CERTIFICATE or TRUSTED CERTIFICATE block, None when damaged."""
    if block.label == "CERTIFICATE":
        return load_pem(block.data)
    import base64
    import binascii

    body = b"".join(line for line in block.data.splitlines()[1:-1] if b":" not in line)
    try:
        der = _first_der(base64.b64decode(body))
    except (binascii.Error, ValueError):
        return None
    return load_der(der) if der else None


def pem_certificates(data: bytes) -> List[x509.Certificate]:
    """Every parsable certificate block of a PEM file; the others are skipped."""
    certs = []
    for block in pem_blocks(data):
        cert = load_block(block) if block.label in CERTIFICATE_LABELS else None
        if cert is not None:
            certs.append(cert)
    return certs


def repaired(data: bytes) -> bytes:
    """`data` as OpenSSL reads PEM: CRLF and CR-only line endings made LF, each line's
    indentation and trailing white space removed (what a mail client or an editor did)."""
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return b"\n".join(line.strip() for line in lines)


def any_certificates(data: bytes) -> List[x509.Certificate]:
    """Every certificate of a file in any shape the doctor can repair: PEM (with any line
    endings and indentation, CERTIFICATE or TRUSTED CERTIFICATE), DER, or PKCS#7 in DER."""
    certs = pem_certificates(repaired(data))
    if certs:
        return certs
    cert = load_der(data)
    if cert is not None:
        return [cert]
    return load_der_pkcs7(data) or []


def folder_certificates(path: str) -> List[x509.Certificate]:
    """The certificates of a CA folder's hashed names (as OpenSSL finds them)."""
    try:
        names = sorted(os.listdir(path))[:MAX_FOLDER_FILES]
    except OSError:
        return []
    certs: List[x509.Certificate] = []
    for name in names:
        if HASHED_NAME.match(name):
            certs.extend(_read_certificates(os.path.join(path, name)))
    return certs


def _read_certificates(path: str) -> List[x509.Certificate]:
    try:
        with open(path, "rb") as handle:
            return pem_certificates(handle.read())
    except OSError:
        return []


@functools.lru_cache(maxsize=None)
def system_store() -> List[x509.Certificate]:
    """What `ssl.create_default_context()` trusts: its CA file, then every file in its CA folder."""
    context = ssl.create_default_context()
    loaded = [load_der(der) for der in context.get_ca_certs(binary_form=True)]
    certs = [cert for cert in loaded if cert is not None]
    capath = ssl.get_default_verify_paths().capath
    if capath and os.path.isdir(capath):
        try:
            names = sorted(os.listdir(capath))[:MAX_FOLDER_FILES]
        except OSError:
            names = []
        for name in names:
            if HASHED_NAME.match(name):
                certs.extend(_read_certificates(os.path.join(capath, name)))
    return certs
