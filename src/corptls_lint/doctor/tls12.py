"""Reading the chain a server sends from the bytes of a TLS 1.2 handshake, for Python 3.9.

Python 3.9's ssl module gives only the server's own certificate (`getpeercert`); the chain
needs 3.10's `get_unverified_chain`. In TLS 1.2 (not 1.3) the server's Certificate message
travels in clear, so: let OpenSSL write the ClientHello (through a MemoryBIO, capped at TLS
1.2), send it, and parse the records the server answers with until that message is complete.
No handshake is finished and nothing is verified; a server that refuses TLS 1.2 gives None.

Hand-written because the kept library that reads a chain on 3.9 is pyOpenSSL
(`Connection.get_peer_cert_chain`), a dependency whose maintainers steer new code to the
standard `ssl` module; it would serve only Python 3.9 (end of life since October 2025), where
these 100 lines read only the record and handshake headers (RFC 5246 sections 6.2 and 7.4).
Python 3.10 and later never come here (probe.py).
"""

from __future__ import annotations

import socket
import ssl
from typing import Callable, List, Optional

HANDSHAKE, CHANGE_CIPHER_SPEC, ALERT = 22, 20, 21
CERTIFICATE = 11
RECORD_HEADER = 5
MAX_BYTES = 1 << 20  # a chain is a few kilobytes; more than this is not a TLS server


def parse_certificates(stream: bytes) -> Optional[List[bytes]]:
    """The DER certificates of the first Certificate message in `stream` (the server's bytes,
    from the start), None while it is incomplete. ValueError when the bytes are not a TLS
    handshake or the server ended it (an alert, or ChangeCipherSpec: a resumed session)."""
    handshake = bytearray()
    offset = 0
    while offset + RECORD_HEADER <= len(stream):
        kind, length = stream[offset], int.from_bytes(stream[offset + 3:offset + 5], "big")
        if stream[offset + 1] != 3:
            raise ValueError("not a TLS record")
        if offset + RECORD_HEADER + length > len(stream):
            break
        if kind in (ALERT, CHANGE_CIPHER_SPEC):
            raise ValueError("the server ended the handshake before sending certificates")
        if kind != HANDSHAKE:
            raise ValueError(f"unexpected TLS record type {kind}")
        handshake += stream[offset + RECORD_HEADER:offset + RECORD_HEADER + length]
        offset += RECORD_HEADER + length
    return _certificate_message(bytes(handshake))


def _certificate_message(handshake: bytes) -> Optional[List[bytes]]:
    offset = 0
    while offset + 4 <= len(handshake):
        kind, length = handshake[offset], int.from_bytes(handshake[offset + 1:offset + 4], "big")
        body = handshake[offset + 4:offset + 4 + length]
        if len(body) < length:
            return None
        if kind == CERTIFICATE:
            return _certificate_list(body)
        offset += 4 + length
    return None


def _certificate_list(body: bytes) -> List[bytes]:
    total = int.from_bytes(body[:3], "big")
    if total != len(body) - 3:
        raise ValueError("malformed Certificate message")
    ders, offset = [], 3
    while offset < len(body):
        length = int.from_bytes(body[offset:offset + 3], "big")
        if offset + 3 + length > len(body):
            raise ValueError("malformed Certificate message")
        ders.append(body[offset + 3:offset + 3 + length])
        offset += 3 + length
    return ders


def read_chain(host: str, port: int, timeout: float,
               connect: Optional[Callable[[float], socket.socket]] = None
               ) -> Optional[List[bytes]]:
    """The chain `host` sends to a TLS 1.2 client; None when it will not speak TLS 1.2.
    `connect` opens the connection (a proxy's tunnel) instead of a direct one to `port`."""
    # Only to read what the server sends; nothing received here is trusted or sent on.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # noqa: TLS103
    context.verify_mode = ssl.CERT_NONE  # noqa: TLS103
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    outgoing = ssl.MemoryBIO()
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname=host)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass  # the ClientHello is written and waits for the server
    received = bytearray()
    def direct(seconds: float) -> socket.socket:
        return socket.create_connection((host, port), timeout=seconds)

    with (connect or direct)(timeout) as raw:
        raw.sendall(outgoing.read())
        while len(received) < MAX_BYTES:
            data = raw.recv(65536)
            if not data:
                return None
            received += data
            try:
                chain = parse_certificates(bytes(received))
            except ValueError:
                return None
            if chain is not None:
                return chain
    return None
