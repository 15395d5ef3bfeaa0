"""Which CA file or folder the environment makes requests, httpx and the ssl module use.

Nothing here imports requests or httpx: their rules are restated below and each package is only
looked up, so the doctor reports what is importable without needing any of them.
"""

from __future__ import annotations

import importlib.util
import os
import ssl
from typing import Dict, List, Mapping, Optional, Tuple

from corptls_lint.doctor.ftypes import (Check, ClientTrust, EnvironmentReport, Status,
                                        TrustLocation, Variable)

VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")
HTTPX_DESCRIBED = "0.28"


def installed_version(package: str) -> Optional[str]:
    """The installed version of `package`, None when it cannot be imported here."""
    from importlib import metadata

    if importlib.util.find_spec(package) is None:
        return None
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown version"


def certifi_where() -> Optional[str]:
    try:
        import certifi
    except ImportError:
        return None
    return certifi.where()


def _path_trust(client: str, version: Optional[str], source: str, path: str,
                note: str) -> ClientTrust:
    if os.path.isdir(path):
        return ClientTrust(client, version, source, capath=path, note=note)
    return ClientTrust(client, version, source, cafile=path, note=note)


def _certifi_trust(client: str, version: Optional[str], certifi: Optional[str],
                   note: str) -> ClientTrust:
    if certifi is None:
        return ClientTrust(client, version, "certifi", note=note + "; certifi is not importable "
                           "here")
    return ClientTrust(client, version, "certifi", cafile=certifi, note=note)


def requests_trust(environ: Mapping[str, str], certifi: Optional[str]) -> ClientTrust:
    """requests (Session.merge_environment_settings, trust_env=True, verify=True or None):
    REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE (an empty value is skipped), else certifi.where().
    A folder is used as a CA folder. SSL_CERT_FILE and SSL_CERT_DIR play no part."""
    version = installed_version("requests")
    note = ("with Session.trust_env=True (the default) and no verify= argument; "
            "SSL_CERT_FILE/SSL_CERT_DIR are ignored")
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if environ.get(name):
            return _path_trust("requests", version, name, environ[name], note)
    return _certifi_trust("requests", version, certifi, note)


def httpx_trust(environ: Mapping[str, str], certifi: Optional[str]) -> ClientTrust:
    """httpx 0.28 (`httpx._config.create_ssl_context`, verify=True, trust_env=True):
    ssl.create_default_context(cafile=SSL_CERT_FILE) when it is set and not empty, else
    capath=SSL_CERT_DIR, else cafile=certifi.where(). The system store is not loaded then."""
    version = installed_version("httpx")
    note = ("as httpx 0.28 does with trust_env=True (the default) and verify=True; "
            "REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE are ignored")
    if version is not None and not version.startswith(HTTPX_DESCRIBED + "."):
        note += f"; installed httpx is {version}, which may differ"
    if environ.get("SSL_CERT_FILE"):
        return ClientTrust("httpx", version, "SSL_CERT_FILE", cafile=environ["SSL_CERT_FILE"],
                           note=note)
    if environ.get("SSL_CERT_DIR"):
        return ClientTrust("httpx", version, "SSL_CERT_DIR", capath=environ["SSL_CERT_DIR"],
                           note=note)
    return _certifi_trust("httpx", version, certifi, note)


def ssl_trust(environ: Mapping[str, str], defaults: ssl.DefaultVerifyPaths) -> ClientTrust:
    """`ssl.create_default_context()` loads OpenSSL's default paths: the CA file named by
    SSL_CERT_FILE (else OpenSSL's compiled-in file) and the CA folder named by SSL_CERT_DIR
    (else the compiled-in folder), both at once; the same as ssl.get_default_verify_paths()."""
    cafile = environ.get(defaults.openssl_cafile_env) or defaults.openssl_cafile
    capath = environ.get(defaults.openssl_capath_env) or defaults.openssl_capath
    sources = [defaults.openssl_cafile_env if environ.get(defaults.openssl_cafile_env)
               else "OpenSSL default file",
               defaults.openssl_capath_env if environ.get(defaults.openssl_capath_env)
               else "OpenSSL default folder"]
    note = "ssl.create_default_context() with no cafile/capath: the file and the folder"
    if os.name == "nt":
        note += ", plus the Windows certificate store"
    return ClientTrust("ssl", ssl.OPENSSL_VERSION, " + ".join(sources), cafile=cafile,
                       capath=capath, note=note)


def _variable(environ: Mapping[str, str], name: str) -> Variable:
    value = environ.get(name)
    if value is None:
        return Variable(name, None, "not set")
    if not value:
        return Variable(name, value, "set but empty")
    kind = "folder" if os.path.isdir(value) else "file" if os.path.exists(value) else "missing"
    return Variable(name, value, kind)


def _environment_checks(environ: Mapping[str, str], clients: List[ClientTrust]) -> List[Check]:
    checks = []
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if name in environ and not environ[name]:
            checks.append(Check("empty-variable", Status.WARN,
                                f"{name} is set but empty: requests skips it today, and older "
                                f"releases turned verification off",
                                f"unset {name}, or set it to the CA bundle's path"))
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if name in environ and not environ[name]:
            checks.append(Check("empty-variable", Status.WARN, f"{name} is set but empty",
                                f"unset {name}, or set it to the CA bundle's path"))
    folder = environ.get("SSL_CERT_FILE")
    if folder and os.path.isdir(folder):
        absolute = os.path.abspath(folder)
        checks.append(Check("file-is-folder", Status.FAIL,
                            f"SSL_CERT_FILE={folder} names a folder, not a bundle file: httpx "
                            f"cannot load it, and OpenSSL skips it",
                            f"a folder is SSL_CERT_DIR's: openssl rehash {absolute} && export "
                            f"SSL_CERT_DIR={absolute} && unset SSL_CERT_FILE; or point "
                            f"SSL_CERT_FILE at a bundle file"))
    files = {client.client: client.cafile for client in clients if client.client != "ssl"}
    if files.get("requests") and files.get("httpx") and files["requests"] != files["httpx"]:
        checks.append(Check("clients-disagree", Status.WARN,
                            f"requests trusts {files['requests']} but httpx trusts "
                            f"{files['httpx']}",
                            "set REQUESTS_CA_BUNDLE and SSL_CERT_FILE to the same bundle"))
    return checks


def discover(environ: Mapping[str, str] = os.environ) -> EnvironmentReport:
    defaults = ssl.get_default_verify_paths()
    certifi = certifi_where()
    clients = [requests_trust(environ, certifi), httpx_trust(environ, certifi),
               ssl_trust(environ, defaults)]
    openssl_defaults = {"cafile": defaults.openssl_cafile, "capath": defaults.openssl_capath,
                        "cafile_env": defaults.openssl_cafile_env,
                        "capath_env": defaults.openssl_capath_env}
    return EnvironmentReport(variables=[_variable(environ, name) for name in VARIABLES],
                             certifi=certifi, openssl_defaults=openssl_defaults,
                             clients=clients, checks=_environment_checks(environ, clients))


def locations(report: EnvironmentReport) -> List[TrustLocation]:
    """Each distinct CA file and folder the clients use, with the clients that use it."""
    found: Dict[Tuple[str, str], List[str]] = {}  # (path, kind) -> the clients using it
    required: Dict[Tuple[str, str], bool] = {}
    for client in report.clients:
        for path, kind in ((client.cafile, "file"), (client.capath, "dir")):
            if not path:
                continue
            key = (path, kind)
            found.setdefault(key, []).append(client.client)
            compiled_in = client.client == "ssl" and path in (
                report.openssl_defaults["cafile"], report.openssl_defaults["capath"])
            required[key] = required.get(key, False) or not compiled_in
    return [TrustLocation(path, kind, tuple(users), required[(path, kind)])
            for (path, kind), users in found.items()]
