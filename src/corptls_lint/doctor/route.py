"""The route requests takes to a host: which proxy, or direct and why; and the CONNECT tunnel.

The rules are requests' own, restated on a mapping so the doctor can be handed any environment
(the tests compare them with requests' functions, so the two cannot drift):
- `requests.utils.get_environ_proxies(url)`: nothing when `should_bypass_proxies` says so, else
  `urllib.request.getproxies()`, i.e. every `*_proxy` variable, lowercase names winning;
- `requests.utils.should_bypass_proxies(url, no_proxy)`: `no_proxy` then `NO_PROXY`; an IPv4
  host matches an address or a CIDR entry; a name matches an entry or ends with `.entry`, with
  or without `:port` (requests 2.34+; before, any name that merely ends with the entry text,
  so `corp.example` also matched `notcorp.example`); then `urllib.request.proxy_bypass`;
- `requests.utils.select_proxy(url, proxies)`: `https://host`, `https`, `all://host`, `all`;
- `requests.utils.prepend_scheme_if_needed(proxy, "http")` and `get_auth_from_url` for the
  proxy URL (credentials percent-decoded, sent as `Proxy-Authorization: Basic`).
"""

from __future__ import annotations

import base64
import ipaddress
import os
import re
import socket
import ssl
import sys
import urllib.request
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, urlsplit

from corptls_lint.doctor import masking
from corptls_lint.doctor.target import Target

Opener = Callable[[float], socket.socket]
MAX_RESPONSE = 64 * 1024


def environ_proxies(environ: Mapping[str, str]) -> Dict[str, str]:
    """`urllib.request.getproxies_environment()` on `environ`: `X_proxy` in any case, with the
    lowercase name winning, an empty lowercase value removing it; `HTTP_PROXY` is ignored
    under CGI (`REQUEST_METHOD` set)."""
    proxies: Dict[str, str] = {}
    for name, value in environ.items():
        name = name.lower()
        if value and name[-6:] == "_proxy":
            proxies[name[:-6]] = value
    if "REQUEST_METHOD" in environ:
        proxies.pop("http", None)
    for name, value in environ.items():
        if name[-6:] == "_proxy":
            name = name.lower()
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    return proxies


def _system_proxies(environ: Mapping[str, str]) -> Dict[str, str]:
    """urllib.request.getproxies(): the variables, and on macOS and Windows, when there are
    none, the system's proxy settings (only for this process's own environment)."""
    found = environ_proxies(environ)
    if found or sys.platform not in ("darwin", "win32") or environ is not os.environ:
        return found
    return dict(urllib.request.getproxies())


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _in_cidr(address: str, entry: str) -> bool:
    """requests.utils.is_valid_cidr + address_in_network: `a.b.c.d/n` with 1 <= n <= 32."""
    if entry.count("/") != 1:
        return False
    network, _, bits = entry.partition("/")
    if not bits.isdigit() or not 1 <= int(bits) <= 32 or not _ipv4(network):
        return False
    return ipaddress.IPv4Address(address) in ipaddress.IPv4Network(entry, strict=False)


# The first requests release whose NO_PROXY names match on a label boundary.
DOT_BOUNDARY_SINCE = (2, 34)


def _version_tuple(version: Optional[str]) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version or "")[:2])


def bypass_reason(url: str, environ: Mapping[str, str], no_proxy: Optional[str] = None,
                  requests_version: Optional[str] = None) -> Optional[str]:
    """requests.utils.should_bypass_proxies of `requests_version` (the newest rule when None),
    giving the NO_PROXY entry that matched (None when the proxy is used)."""
    legacy = requests_version is not None and \
        _version_tuple(requests_version) < DOT_BOUNDARY_SINCE
    if no_proxy is None:
        no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY")
    parsed = urlsplit(url)
    hostname = parsed.hostname
    if hostname is None:
        return "the URL has no host"
    if no_proxy:
        entries = [entry for entry in no_proxy.replace(" ", "").split(",") if entry]
        if _ipv4(hostname):
            for entry in entries:
                if "/" in entry:
                    if _in_cidr(hostname, entry):
                        return entry
                elif hostname == entry:
                    return entry
        else:
            host_with_port = hostname + (f":{parsed.port}" if parsed.port else "")
            for entry in entries:
                if legacy:
                    if hostname.endswith(entry) or host_with_port.endswith(entry):
                        return entry
                    continue
                bare = entry.lstrip(".")
                if hostname == bare or host_with_port == bare:
                    return entry
                if hostname.endswith("." + bare) or host_with_port.endswith("." + bare):
                    return entry
    # urllib.request.proxy_bypass(hostname) with no_proxy as given: its own list (`*` included)
    proxies = environ_proxies(environ)
    if no_proxy is not None:
        proxies["no"] = no_proxy
    try:
        # undocumented (urllib.request has it on every Python we support), so not in the stubs
        if urllib.request.proxy_bypass_environment(  # type: ignore[attr-defined]
                hostname, proxies):
            return proxies.get("no", "")
    except (TypeError, socket.gaierror):
        pass
    return None


def select_proxy(url: str, proxies: Mapping[str, str]) -> Optional[str]:
    """requests.utils.select_proxy."""
    parts = urlsplit(url)
    if parts.hostname is None:
        return proxies.get(parts.scheme, proxies.get("all"))
    for key in (f"{parts.scheme}://{parts.hostname}", parts.scheme,
                f"all://{parts.hostname}", "all"):
        if key in proxies:
            return proxies[key]
    return None


@dataclass(frozen=True)
class Route:
    """How a client reaches the host: through `proxy` (a URL), or directly (`proxy` None),
    and `reason`, the words printed after the route."""

    proxy: Optional[str]
    reason: str

    def describe(self) -> str:
        if self.proxy is None:
            return f"direct ({self.reason})" if self.reason else "direct"
        return f"via proxy {redacted(self.proxy)}" + (f" ({self.reason})" if self.reason else "")


def requests_route(target: Target, environ: Mapping[str, str],
                   requests_version: Optional[str] = None) -> Route:
    """The proxy requests (trust_env=True, no proxies= argument) of `requests_version` (by
    default the one installed here) uses for `target`."""
    if requests_version is None:
        from corptls_lint.doctor.environment import installed_version

        requests_version = installed_version("requests")
    url = target.url
    reason = bypass_reason(url, environ, requests_version=requests_version)
    if reason is not None:
        return Route(None, f"NO_PROXY matches {reason}" if reason else "NO_PROXY matches")
    proxies = _system_proxies(environ)
    proxy = select_proxy(url, proxies)
    if proxy is None:
        return Route(None, "no HTTPS_PROXY, https_proxy or ALL_PROXY set")
    name = next((key for key in ("https", "all") if proxies.get(key) == proxy), "https")
    variables = [variable for variable in (f"{name}_proxy", f"{name.upper()}_PROXY")
                 if environ.get(variable) == proxy]
    return Route(with_scheme(proxy), f"from {variables[0]}" if variables else "")


def decide(target: Target, environ: Mapping[str, str], proxy: Optional[str] = None,
           direct: bool = False) -> Route:
    if direct:
        return Route(None, "--direct")
    if proxy is not None:
        return Route(with_scheme(proxy), "--proxy")
    return requests_route(target, environ)


# urllib3.util.url's SCHEME_RE, which requests.utils.prepend_scheme_if_needed relies on: in
# "localhost:3128" it reads "localhost:" as a scheme.
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+-]*:")


def with_scheme(proxy: str) -> str:
    """requests.utils.prepend_scheme_if_needed(proxy, "http"): http:// unless the text starts
    with what urllib3 takes for a scheme."""
    return proxy if SCHEME.match(proxy) else "http://" + proxy


def redacted(proxy: str) -> str:
    """The proxy URL without its userinfo (user and password), for printing (masking.py)."""
    return masking.redacted(proxy)


class ProxyError(Exception):
    """The proxy could not be reached, or refused the tunnel; the message says which."""


@dataclass(frozen=True)
class ProxyURL:
    scheme: str
    host: str
    port: int
    username: Optional[str]
    password: Optional[str]

    @classmethod
    def parse(cls, url: str) -> "ProxyURL":
        if url != url.strip():
            raise ProxyError(f"proxy {redacted(url.strip())}: the value starts or ends with "
                             f"white space, which requests does not strip (InvalidURL); remove it")
        if "://" not in url and SCHEME.match(url):
            shown = redacted(url)
            word = "the user name" if shown != url else repr(url.split(":")[0])
            raise ProxyError(f"proxy {shown}: requests reads {word} as "
                             f"the URL's scheme and finds no host (InvalidProxyURL: \"Please "
                             f"check proxy URL\"); write {redacted('http://' + url)}")
        _, userinfo, _ = masking.split_userinfo(with_scheme(url))
        if userinfo and re.search(r"[/?#]", userinfo):
            raise ProxyError(f"proxy {redacted(with_scheme(url))}: its user name or password "
                             f"holds '/', '?' or '#', where requests ends the host part "
                             f"(InvalidURL); percent-encode them as %2F, %3F, %23")
        parts = urlsplit(with_scheme(url))
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise ProxyError(f"proxy {redacted(url)}: the {scheme}:// scheme is not an HTTP proxy "
                             f"(requests needs requests[socks] for it; the doctor does not "
                             f"speak it)")
        try:
            port = parts.port
        except ValueError:
            raise ProxyError(f"proxy {redacted(url)}: bad port") from None
        if not parts.hostname:
            raise ProxyError(f"proxy {redacted(url)}: no host name")
        # requests.utils.get_auth_from_url: percent-decoded user and password
        username = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password) if parts.password is not None else None
        return cls(scheme, parts.hostname, port or (443 if scheme == "https" else 80),
                   username, password)


def connect_request(target: Target, proxy: ProxyURL) -> bytes:
    """The CONNECT request urllib3 sends for requests (credentials as Basic)."""
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.username is not None:
        token = base64.b64encode(f"{proxy.username}:{proxy.password or ''}".encode("latin-1"))
        lines.append(f"Proxy-Authorization: Basic {token.decode('ascii')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_head(sock: socket.socket) -> Tuple[bytes, bytes]:
    """The proxy's answer head, and what came after it in the same reads (a refusal's body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_RESPONSE:
            raise ProxyError("answered with an overlong header")
        chunk = sock.recv(4096)
        if not chunk:
            raise ProxyError("closed the connection without answering CONNECT")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _headers(head: bytes, name: str) -> List[str]:
    lines = head.decode("latin-1", "replace").split("\r\n")[1:]
    return [line.split(":", 1)[1].strip() for line in lines
            if ":" in line and line.split(":", 1)[0].strip().lower() == name]


PROXY_ANSWERS = {
    403: "the proxy forbids this host or port: ask its administrators to allow it",
    502: "the proxy could not reach the host: check the host name and port, or whether only "
         "the proxy's network can resolve it",
}
# What requests (and pip, httpx, urllib3) can answer a proxy's 407 with: Basic, from the URL.
CONNECTION_AUTH = ("ntlm", "negotiate", "kerberos")


def auth_advice(challenges: List[str], had_credentials: bool) -> str:
    """The advice for a 407, by the schemes the proxy names in Proxy-Authenticate."""
    schemes = list(dict.fromkeys(challenge.split()[0] for challenge in challenges
                                 if challenge.split()))
    named = ", ".join(schemes) if schemes else "no scheme named"
    lowered = [scheme.lower() for scheme in schemes]
    head = f"proxy authentication required (Proxy-Authenticate: {named})"
    if "basic" in lowered and had_credentials:
        return (f"{head}: the proxy refused the user name and password of the proxy URL; check "
                f"them, and percent-encode their special characters (@ as %40, : as %3A, / as "
                f"%2F, # as %23, ? as %3F, % as %25)")
    if "basic" in lowered:
        return (f"{head}: put the credentials in the proxy URL "
                f"(http://USER:PASSWORD@proxy:port; percent-encode special characters)")
    if set(lowered) & set(CONNECTION_AUTH):
        return (f"{head}: requests, pip and httpx cannot answer {named} from a proxy URL at all "
                f"(they send only Basic); run a local authenticating proxy that can (px, or "
                f"cntlm) and point HTTPS_PROXY at it, or, in your own code, an auth package "
                f"(requests-ntlm, requests-negotiate-sspi, requests-kerberos)")
    return (f"{head}: requests sends only Basic credentials from the proxy URL; ask the proxy's "
            f"administrators for Basic, or use a local authenticating proxy (px, cntlm)")


def open_tunnel(target: Target, proxy_url: str, timeout: float,
                proxy_trust: Optional[ssl.SSLContext] = None) -> socket.socket:
    """A socket to `target` through the HTTP proxy, after a successful CONNECT."""
    proxy = ProxyURL.parse(proxy_url)
    where = f"proxy {redacted(with_scheme(proxy_url))}"
    try:
        raw = socket.create_connection((proxy.host, proxy.port), timeout=timeout)
    except OSError as error:
        raise ProxyError(f"{where}: cannot connect: {error}") from None
    sock = raw
    try:
        if proxy.scheme == "https":
            context = proxy_trust or ssl.create_default_context()
            try:
                sock = context.wrap_socket(raw, server_hostname=proxy.host)
            except (ssl.SSLError, OSError) as error:
                plain = "WRONG_VERSION_NUMBER" in str(error) or "wrong version" in str(error)
                hint = " (a plain-HTTP proxy answers an https:// proxy URL this way: use " \
                       "http://)" if plain else ""
                raise ProxyError(f"{where}: TLS to the proxy itself failed: "
                                 f"{error or type(error).__name__}{hint}") from None
        try:
            sock.sendall(connect_request(target, proxy))
            head, rest = _read_head(sock)
        except OSError as error:
            raise ProxyError(f"{where}: no answer to CONNECT {target}: "
                             f"{error or type(error).__name__}") from None
        except ProxyError as error:
            raise ProxyError(f"{where} {error}") from None
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise ProxyError(f"{where}: not an HTTP proxy answer: {status_line[:80]!r}")
        status = int(parts[1])
        if 200 <= status < 300 and rest:  # a proxy must not speak before the tunnel is open
            raise ProxyError(f"{where} sent data after its answer to CONNECT")
        if not 200 <= status < 300:
            advice = PROXY_ANSWERS.get(status, "")
            if status == 407:
                advice = auth_advice(_headers(head, "proxy-authenticate"),
                                     proxy.username is not None)
            raise ProxyError(f"{where} refused CONNECT {target}: {status_line}"
                             + (f"; {advice}" if advice else ""))
    except BaseException:
        sock.close()
        raise
    return sock


def opener(target: Target, route: Route, proxy_trust: Optional[ssl.SSLContext] = None) -> Opener:
    """A function that opens a TCP connection to `target` along `route`; an https:// proxy's
    own certificate is verified with `proxy_trust`, the trust of the client (urllib3 2 checks
    the proxy with the CA certificates it checks the host with)."""
    proxy = route.proxy
    if proxy is None:
        return lambda timeout: socket.create_connection((target.host, target.port),
                                                        timeout=timeout)
    return lambda timeout: open_tunnel(target, proxy, timeout, proxy_trust)
