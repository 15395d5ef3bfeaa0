"""Ask one installed Python client to reach a URL with its own settings, its own trust and its own
route, and say what happened: run as a script (`python client_probe.py CLIENT URL TIMEOUT`) in
the environment under diagnosis, so the client reads that environment as it would in the
user's program. It prints one json object: installed, version, ok, stage, detail, route.

`ok` is true when the client finished a verified TLS handshake with the host, whatever HTTP
said next (the doctor judges TLS, not the service): the handshakes are watched by wrapping
`ssl.SSLSocket.do_handshake` and `ssl.SSLObject.do_handshake` (TLS inside a TLS proxy), and
one whose server name is the host counts. Nothing here imports the doctor.
"""

from __future__ import annotations

import importlib
import json
import os
import ssl
import sys
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

HANDSHAKES: Set[str] = set()  # the server names of the handshakes that succeeded


def _watch(cls: Any) -> None:
    original = cls.do_handshake

    def do_handshake(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        name = getattr(self, "server_hostname", None)
        if name:
            HANDSHAKES.add(str(name).lower().strip("[]"))
        return result

    cls.do_handshake = do_handshake


def _chain(error: Optional[BaseException]) -> List[BaseException]:
    found: List[BaseException] = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__
        for arg in getattr(found[-1], "args", ()):  # urllib3 keeps the reason in args
            if isinstance(arg, BaseException) and arg not in found and error is None:
                error = arg
        reason = getattr(found[-1], "reason", None)
        if isinstance(reason, BaseException) and reason not in found and error is None:
            error = reason
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())[:400]


def classify(error: BaseException) -> Tuple[str, str]:
    """(stage, detail): "tls" (the handshake or the certificate), "proxy", "config" (a setting
    the client cannot use) or "connect"."""
    errors = _chain(error)
    for item in errors:
        if isinstance(item, ssl.SSLCertVerificationError):
            return "tls", _one_line(f"certificate verify failed: {item.verify_message}")
    text = "; ".join(f"{type(item).__name__}: {item}" for item in errors)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        message = text.split("certificate verify failed:", 1)[-1].split("(_ssl", 1)[0]
        return "tls", _one_line(f"certificate verify failed: {message.strip(' :')}")
    names = [type(item).__name__ for item in errors]
    deepest = errors[-1]
    cause = _one_line(f"{type(deepest).__name__}: {deepest}")
    for item in errors:
        if isinstance(item, (IsADirectoryError, FileNotFoundError, NotADirectoryError)):
            return "config", _one_line(f"{type(item).__name__}: {item}")
        if isinstance(item, ssl.SSLError):
            return "tls", _one_line(f"TLS handshake failed: {item}")
    if any("Proxy" in name for name in names) or "Tunnel connection failed" in text:
        return "proxy", cause
    if any(name in ("InvalidURL", "InvalidProxyURL", "LocationParseError", "ValueError",
                    "ProxySchemeUnknown", "UnsupportedProtocol", "InvalidSchema")
           for name in names):
        return "config", cause
    return "connect", cause


def _requests(url: str, timeout: float) -> Tuple[str, Optional[str]]:
    requests: Any = importlib.import_module("requests")
    session = requests.Session()
    proxies = session.merge_environment_settings(url, {}, None, None, None)["proxies"]
    route = requests.utils.select_proxy(url, proxies)
    _ROUTE[0] = route
    session.get(url, timeout=timeout, allow_redirects=False)
    return requests.__version__, route


def _httpx_route(httpx: Any, client: Any, url: str) -> Optional[str]:
    try:  # private, and only to print the route: never needed for the verdict
        pool = client._transport_for_url(httpx.URL(url))._pool
        proxy = getattr(pool, "_proxy_url", None)
        if proxy is None:
            return None
        return f"{proxy.scheme.decode()}://{proxy.host.decode()}:{proxy.port}"
    except Exception:  # noqa: BLE001 (any change of httpx's insides)
        return None


def _httpx(url: str, timeout: float) -> Tuple[str, Optional[str]]:
    httpx: Any = importlib.import_module("httpx")
    with httpx.Client(timeout=timeout) as client:
        route = _httpx_route(httpx, client, url)
        version = httpx.__version__
        _ROUTE[0] = route
        client.get(url)
    return version, route


def _ssl(url: str, timeout: float) -> Tuple[str, Optional[str]]:
    import urllib.request

    proxies = urllib.request.getproxies()
    host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    route = None if urllib.request.proxy_bypass(host) else proxies.get("https")
    _ROUTE[0] = route
    urllib.request.urlopen(url, timeout=timeout).close()
    return ssl.OPENSSL_VERSION, route


def _pip(url: str, timeout: float) -> Tuple[str, Optional[str]]:
    commands: Any = importlib.import_module("pip._internal.commands")
    pip: Any = importlib.import_module("pip")
    command = commands.create_command("install")  # its [install] section, as `pip install`
    options, _ = command.parse_args([])
    session = command._build_session(options, retries=0, timeout=timeout)
    requests: Any = importlib.import_module("pip._vendor.requests")
    proxies = session.merge_environment_settings(url, session.proxies or {}, None, None,
                                                 None)["proxies"]
    route = requests.utils.select_proxy(url, proxies)
    _ROUTE[0] = route
    session.get(url, timeout=timeout, allow_redirects=False)
    return pip.__version__, route


def _botocore(url: str, timeout: float) -> Tuple[str, Optional[str]]:
    botocore: Any = importlib.import_module("botocore")
    session_module: Any = importlib.import_module("botocore.session")
    httpsession: Any = importlib.import_module("botocore.httpsession")
    awsrequest: Any = importlib.import_module("botocore.awsrequest")
    utils: Any = importlib.import_module("botocore.utils")
    session = session_module.get_session()
    verify = session.get_config_variable("ca_bundle") or True
    proxies = utils.get_environ_proxies(url)
    _ROUTE[0] = proxies.get("https")
    http = httpsession.URLLib3Session(verify=verify, proxies=proxies, timeout=timeout)
    http.send(awsrequest.AWSRequest(method="GET", url=url).prepare())
    return botocore.__version__, _ROUTE[0]


_ROUTE: List[Optional[str]] = [None]
CLIENTS: Dict[str, Tuple[str, Callable[[str, float], Tuple[str, Optional[str]]]]] = {
    "requests": ("requests", _requests), "httpx": ("httpx", _httpx), "ssl": ("ssl", _ssl),
    "pip": ("pip", _pip), "botocore": ("botocore", _botocore)}


def main(argv: List[str]) -> Dict[str, Any]:
    name, url, timeout = argv[0], argv[1], float(argv[2])
    host = url.split("://", 1)[1].split("/", 1)[0]
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    package, run = CLIENTS[name]
    import importlib.util

    if importlib.util.find_spec(package) is None:
        return {"installed": False}
    _watch(ssl.SSLSocket)
    _watch(ssl.SSLObject)
    try:
        version, route = run(url, timeout)
    except Exception as error:  # noqa: BLE001 (whatever the client raises is its verdict)
        handshake = host.lower() in HANDSHAKES
        stage, detail = ("answered", _one_line(f"{type(error).__name__}: {error}")) \
            if handshake else classify(error)
        module = sys.modules.get(package)
        found = getattr(module, "__version__", None) if name != "ssl" else ssl.OPENSSL_VERSION
        return {"installed": True, "version": found, "ok": handshake, "stage": stage,
                "detail": detail, "route": _ROUTE[0]}
    return {"installed": True, "version": version, "ok": True, "stage": "answered",
            "detail": "", "route": route}


if __name__ == "__main__":
    os.environ.pop("PYTHONWARNINGS", None)
    print(json.dumps(main(sys.argv[1:])))
