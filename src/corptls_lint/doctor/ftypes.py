"""The doctor's types, in one place so its modules import each other without cycles."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional, Tuple, Union

# The doctor's exit codes: every check verified, a check failed, a usage error.
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class Status(str, enum.Enum):
    """How a check came out. Only FAIL makes the doctor exit 1."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """One diagnosis: a stable `id` for scripts, a message, and the fix when something is wrong."""

    id: str
    status: Status
    message: str
    fix: str = ""


@dataclass(frozen=True)
class CertInfo:
    """What the doctor shows of one certificate. `index` is 1-based in its bundle or chain."""

    index: int
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    is_ca: Optional[bool]  # None when the certificate has no basicConstraints extension
    self_signed: bool
    sha256: str
    names: Tuple[str, ...] = ()  # subjectAltName entries, "DNS:host" / "IP:addr"


@dataclass(frozen=True)
class TrustLocation:
    """A CA file or folder some client uses, and which clients use it."""

    path: str
    kind: str  # "file" (cafile) | "dir" (capath)
    used_by: Tuple[str, ...] = ()
    # False for OpenSSL's compiled-in defaults, which OpenSSL skips silently when missing.
    required: bool = True


@dataclass(frozen=True)
class Variable:
    name: str
    value: Optional[str]  # None when not in this process's environment
    note: str = ""


@dataclass(frozen=True)
class ClientTrust:
    """Where one HTTP client (or the ssl module) takes its CA certificates from, by default."""

    client: str
    version: Optional[str]  # None when the package is not importable
    source: str  # the variable or default that wins, e.g. "REQUESTS_CA_BUNDLE"
    cafile: Optional[str] = None
    capath: Optional[str] = None
    note: str = ""


@dataclass
class EnvironmentReport:
    variables: List[Variable]
    certifi: Optional[str]  # certifi.where(), None when certifi is not importable
    openssl_defaults: Dict[str, str]  # ssl.get_default_verify_paths(): cafile, capath, ...
    clients: List[ClientTrust]
    checks: List[Check] = field(default_factory=list)


@dataclass
class BundleReport:
    location: TrustLocation
    checks: List[Check] = field(default_factory=list)
    certificates: List[CertInfo] = field(default_factory=list)


@dataclass
class HostReport:
    host: str
    port: int
    trust: str  # what the connection trusted: a path, or "ssl default"
    clients: Tuple[str, ...] = ()  # the clients that use this trust
    verified: bool = False
    error_code: Optional[int] = None
    error_message: str = ""
    chain: List[CertInfo] = field(default_factory=list)
    # False when only the server's own certificate could be read (Python 3.9 and a server that
    # will not speak TLS 1.2): `chain` then holds that certificate alone.
    chain_complete: bool = True
    checks: List[Check] = field(default_factory=list)


@dataclass
class RouteReport:
    """How the host is reached (`route`, as printed: "via proxy ..." or "direct (...)"), the
    proxy's answer, and what a direct connection showed."""

    target: str
    route: str
    proxy: Optional[str] = None  # the proxy URL without its password
    checks: List[Check] = field(default_factory=list)


@dataclass
class Section:
    """Checks under a title of their own (--write-bundle, other programs' trust)."""

    title: str
    checks: List[Check] = field(default_factory=list)


@dataclass(frozen=True)
class ClientVerdict:
    """One client's answer to "can it reach the host?": asked where installed (`ok` is what
    it did), or, without --host, whether the trust it uses can be loaded. `next_step` is the
    one thing to do when it fails; `route` the proxy it went through (None: direct)."""

    name: str  # requests, httpx, ssl, pip, git, botocore, curl
    installed: bool
    version: Optional[str] = None
    ok: Optional[bool] = None  # None when not installed
    reason: str = ""
    next_step: str = ""
    route: Optional[str] = None
    stage: str = ""  # answered, tls, proxy, config, connect; "" without --host
    cause: str = ""  # the doctor's diagnosis of the failure, when it has one (in `reason` too)


@dataclass
class DoctorReport:
    # the host asked about ("" without --host) and each client's verdict on it
    target: str = ""
    clients: List[ClientVerdict] = field(default_factory=list)
    environment: Optional[EnvironmentReport] = None
    bundles: List[BundleReport] = field(default_factory=list)
    route: Optional[RouteReport] = None
    hosts: List[HostReport] = field(default_factory=list)
    sections: List[Section] = field(default_factory=list)

    def all_checks(self) -> List[Check]:
        checks = list(self.environment.checks) if self.environment else []
        if self.route is not None:
            checks.extend(self.route.checks)
        parts: List[Union[BundleReport, HostReport, Section]] = [
            *self.bundles, *self.hosts, *self.sections]
        for part in parts:
            checks.extend(part.checks)
        return checks

    @property
    def ok(self) -> bool:
        """With a host: every installed client works (warnings never fail the run) and the
        bundle asked for (--write-bundle) was written and works for every client; without
        one: no check failed."""
        if self.target and self.clients:
            written = not any(check.id in ("write-bundle", "recheck", "use-it")
                              and check.status is Status.FAIL
                              for section in self.sections for check in section.checks)
            return written and not any(client.installed and client.ok is False
                                       for client in self.clients)
        return not any(check.status is Status.FAIL for check in self.all_checks())
