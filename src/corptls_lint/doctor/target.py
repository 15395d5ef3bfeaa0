"""What `--host` names: `host`, `host:port`, `[v6]:port` or a pasted `https://` URL."""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

DEFAULT_PORT = 443
EXPECTED = "expected HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/..."
# A DNS name as resolvers take it (underscores occur in internal names), or an IPv4 address.
HOST_NAME = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?:\.(?!-)[A-Za-z0-9_-]{1,63})*\.?$")


class Target(NamedTuple):
    host: str  # without brackets
    port: int

    @property
    def url(self) -> str:
        """The URL a client would be given, for the proxy rules that match on it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}/"

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"bad port {text!r} in {whole!r}")
    return int(text)


def _from_url(text: str) -> Target:
    parts = urlsplit(text)
    if parts.scheme.lower() != "https":
        raise ValueError(f"{text!r} is not an https:// URL; the doctor checks TLS ({EXPECTED})")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"bad port in {text!r}") from None
    host = parts.hostname
    if not host:
        raise ValueError(f"no host name in {text!r}")
    return Target(_checked_host(host, text), port or DEFAULT_PORT)


def _checked_host(host: str, whole: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not HOST_NAME.match(host):
        raise ValueError(f"{host!r} is not a host name in {whole!r}: {EXPECTED}")
    return host


def parse_host(text: str) -> Target:
    """ValueError with a readable reason when `text` is none of the accepted forms."""
    whole = text
    text = text.strip()
    if "://" in text:
        return _from_url(text)
    port = str(DEFAULT_PORT)
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"missing ']' in {whole!r}")
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"expected [ADDRESS]:PORT, got {whole!r}")
            port = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{host!r} in brackets is not an IPv6 address") from None
        return Target(host, _port(port, whole))
    if text.count(":") > 1:
        raise ValueError(f"write an IPv6 address in brackets, as [{text}]:443")
    host = text
    if ":" in text:
        host, port = text.split(":")
    if not host:
        raise ValueError(f"no host name in {whole!r}")
    return Target(_checked_host(host, whole), _port(port, whole))
