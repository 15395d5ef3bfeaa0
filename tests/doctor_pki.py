"""A throwaway PKI and TLS servers on 127.0.0.1 for the doctor's tests.

root -> intermediate -> server certificate for localhost, plus an expired root with its own
server certificate, a server certificate for another host name, and the bundle files the tests
point the doctor at. EC keys keep generation fast.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime.now(timezone.utc)


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


def issue(common_name: str, issuer: Optional[Issued], ca: bool, names: Sequence[str] = (),
          not_before: datetime = NOW - timedelta(days=1),
          not_after: datetime = NOW + timedelta(days=365), aia: Optional[str] = None) -> Issued:
    """`aia`: the caIssuers URL (where the issuer's certificate is published)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Doctor Test")])
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before)
               .not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False)
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=True, crl_sign=True, encipher_only=False,
                          decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(name) for name in names]),
            critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if aia is not None:
        builder = builder.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                                   x509.UniformResourceIdentifier(aia))]), critical=False)
    cert = builder.sign((issuer or Issued(None, key)).key, hashes.SHA256())
    return Issued(cert, key)


def _general_name(name: str) -> x509.GeneralName:
    """An address as an IP: entry, anything else as a DNS: entry."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


class Pki:
    """Every certificate and file the tests use, written under `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = issue("Doctor Test Root CA", None, ca=True)
        self.intermediate = issue("Doctor Test Intermediate CA", self.root, ca=True)
        self.server = issue("localhost", self.intermediate, ca=False, names=["localhost"])
        self.other = issue("other.test", self.intermediate, ca=False, names=["other.test"])
        self.expired_server = issue("localhost", self.intermediate, ca=False,
                                    names=["localhost"], not_before=NOW - timedelta(days=400),
                                    not_after=NOW - timedelta(days=30))
        self.expired_root = issue("Doctor Expired Root CA", None, ca=True,
                                  not_before=NOW - timedelta(days=800),
                                  not_after=NOW - timedelta(days=400))
        self.expired_root_server = issue("localhost", self.expired_root, ca=False,
                                         names=["localhost"])
        self.ip_server = issue("127.0.0.1", self.intermediate, ca=False, names=["127.0.0.1"])
        self.aia_server = issue("localhost", self.intermediate, ca=False, names=["localhost"],
                                aia="http://pki.doctor.test/intermediate.crt")
        self.expiring_root = issue("Doctor Expiring Root CA", None, ca=True,
                                   not_after=NOW + timedelta(days=10))
        files = {
            "root.pem": self.root.pem(),
            "root.der": self.root.der(),
            "root-and-intermediate.pem": self.root.pem() + self.intermediate.pem(),
            "intermediate-only.pem": self.intermediate.pem(),
            "leaf-only.pem": self.server.pem(),
            "expired-root.pem": self.expired_root.pem(),
            "expiring-root.pem": self.expiring_root.pem(),
            "duplicate.pem": self.root.pem() + self.root.pem(),
            "with-key.pem": self.root.pem() + self.server.key_pem(),
            "not-a-cert.txt": b"https://ca.example.invalid/bundle\n",
            "empty.pem": b"",
            "server-full.pem": self.server.pem() + self.intermediate.pem(),
            "server-leaf.pem": self.server.pem(),
            "server.key": self.server.key_pem(),
            "other-full.pem": self.other.pem() + self.intermediate.pem(),
            "other.key": self.other.key_pem(),
            "ip-server-full.pem": self.ip_server.pem() + self.intermediate.pem(),
            "ip-server.key": self.ip_server.key_pem(),
            "aia-server-leaf.pem": self.aia_server.pem(),
            "aia-server.key": self.aia_server.key_pem(),
            "expired-server-full.pem": self.expired_server.pem() + self.intermediate.pem(),
            "expired-server.key": self.expired_server.key_pem(),
            "expired-root-server.pem": self.expired_root_server.pem(),
            "expired-root-server.key": self.expired_root_server.key_pem(),
        }
        for name, data in files.items():
            (folder / name).write_bytes(data)
            (folder / name).chmod(0o644)

    def path(self, name: str) -> str:
        return str(self.folder / name)


class LoopbackServer:
    """A listening socket on 127.0.0.1 served by a thread between `with` entry and exit;
    subclasses write `_serve`, which loops until `stopping` is set."""

    def __init__(self, port: int = 0, backlog: int = 8) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(backlog)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.listener.close()


class TLSServer(LoopbackServer):
    """Accepts TLS handshakes on 127.0.0.1 in a thread until stopped; sends `certfile`'s chain.
    With `http`, it also answers one HTTP request per connection with `200 ok`, so requests and
    httpx (directly or through a proxy) get a response."""

    def __init__(self, certfile: str, keyfile: str, port: int = 0, tls13_only: bool = False,
                 http: bool = False):
        self.http = http
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certfile, keyfile)
        if tls13_only:  # what Python 3.9's doctor cannot read the chain from
            self.context.minimum_version = ssl.TLSVersion.TLSv1_3
        super().__init__(port)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            # each connection in its own thread: the doctor asks every client at once
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        try:
            with self.context.wrap_socket(connection, server_side=True) as tls:
                if self.http:
                    _answer_http(tls)
        except (ssl.SSLError, OSError):
            pass  # the client refused our certificate: what half the tests want
        finally:
            connection.close()


def _answer_http(tls: ssl.SSLSocket) -> None:
    """Read one request head; answer `200 ok` and close. A client that only shook hands (the
    doctor) closes first: nothing to answer."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = tls.recv(4096)
        if not chunk:
            return
        head += chunk
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                b"Connection: close\r\n\r\nok")
