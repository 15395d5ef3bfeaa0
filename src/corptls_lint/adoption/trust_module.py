"""This project's TLS trust, in one place: the CA bundle, a requests session factory and
an SSL context for every other client (urllib, http.client, httpx, aiohttp, raw
sockets).

`corptls-lint init` wrote this module and pointed the `ca-bundle`, `session-factory` and
`ssl-context` fix targets of `[tool.corptls-lint]` at it, so `corptls-lint check --fix`
rewrites `verify=False`, hardcoded CA paths and bare sessions onto it. The code is
yours: keep it, test it, change it.

Where the trust comes from, the first that applies (`TRUST_SOURCE` names it):

1. `REQUESTS_CA_BUNDLE`, else `SSL_CERT_FILE`: the path of a PEM bundle that the
   deployment provides (a container image, CI, a laptop's profile). A path that names no
   file is still used, so the clients fail naming it rather than quietly trusting
   something else.
2. The operating system's store, through truststore where it is installed (Python 3.10
   and later): the roots that IT installs on managed machines, with no bundle file to
   maintain.
3. certifi's bundle (Mozilla's public roots), where certifi is installed.
4. The ssl module's defaults: OpenSSL's paths, and on Windows the system store.

`CA_BUNDLE` is a path, for the clients that take nothing else (`verify=`, `cafile=`,
`ca_certs=`): the variable's file, or certifi's bundle, or the ssl module's default
bundle. With the OS store no file holds the trust, so it is the ssl module's default
bundle file where one exists (on most Linux systems, the OS store's own file), else
certifi's, else the path OpenSSL looks at (a missing file makes the clients fail, never
trust everything). Prefer `make_session()` and `ssl_context()` there: they use the OS
store itself.

The environment is read once, when this module is first imported: `CA_BUNDLE` is a
constant that fixed code imports by name, and `make_session()` and `ssl_context()`
follow the same decision, so the three never disagree. Set the variables before the
program starts; a test that changes them runs the code in a new process (or reloads this
module).

Nothing here turns verification off. requests, certifi and truststore are optional:
requests is imported when a session is made, the other two are looked for at import.
"""

from __future__ import annotations

import errno
import os
import ssl
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests
    from requests.adapters import HTTPAdapter

__all__ = ["CA_BUNDLE", "TRUST_SOURCE", "make_session", "ssl_context"]

# The variables that name a bundle file, in the order they are honoured.
BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
OS_STORE = "truststore"
SSL_DEFAULTS = "ssl"


def _os_store_available() -> bool:
    try:
        import truststore  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    except ImportError:  # not installed, or a Python it does not support (3.9)
        return False
    return True


def _certifi_bundle() -> str | None:
    try:
        import certifi
    except ImportError:
        return None
    return certifi.where()


def _decide() -> tuple[str, str]:
    """(TRUST_SOURCE, CA_BUNDLE), in the order the module's docstring gives."""
    for variable in BUNDLE_VARIABLES:
        path = os.environ.get(variable)
        if path:
            return variable, path
    defaults = ssl.get_default_verify_paths()  # cafile: None when there is no such file
    if _os_store_available():
        return OS_STORE, defaults.cafile or _certifi_bundle() or defaults.openssl_cafile
    certifi_bundle = _certifi_bundle()
    if certifi_bundle is not None:
        return "certifi", certifi_bundle
    return SSL_DEFAULTS, defaults.cafile or defaults.openssl_cafile


TRUST_SOURCE, CA_BUNDLE = _decide()


def ssl_context() -> ssl.SSLContext:
    """A client context that verifies against the trust above: the certificate and the
    host name checked, TLS 1.2 at least. A new one on each call, so code may add to it
    (a client certificate with `load_cert_chain`) without changing anyone else's: make
    one per client and keep it."""
    if TRUST_SOURCE == OS_STORE:
        import truststore  # type: ignore[import-not-found, unused-ignore]

        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    elif TRUST_SOURCE == SSL_DEFAULTS:
        context = ssl.create_default_context()
    elif not os.path.isfile(CA_BUNDLE):  # OpenSSL's own error would not name the file
        missing = f"no CA bundle file ({TRUST_SOURCE})"
        raise FileNotFoundError(errno.ENOENT, missing, CA_BUNDLE)
    else:
        context = ssl.create_default_context(cafile=CA_BUNDLE)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def make_session() -> requests.Session:
    """A requests session that verifies against the trust above. With the OS store,
    which no file holds for `verify=` to name, its HTTPS adapter carries the context."""
    import requests

    session = requests.Session()
    if TRUST_SOURCE == OS_STORE:
        session.mount("https://", _adapter_with(ssl_context()))
    else:
        session.verify = CA_BUNDLE
    return session


def _adapter_with(context: ssl.SSLContext) -> HTTPAdapter:
    """An adapter whose connections, direct or through a proxy, are made with `context`
    (requests takes a context only through an adapter's pool managers)."""
    from requests.adapters import HTTPAdapter

    class SSLContextAdapter(HTTPAdapter):
        def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                             **pool_kwargs: Any) -> None:
            pool_kwargs["ssl_context"] = context
            super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            proxy_kwargs["ssl_context"] = context
            return super().proxy_manager_for(proxy, **proxy_kwargs)

    return SSLContextAdapter()
