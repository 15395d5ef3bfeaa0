"""Putting the doctor together: which bundles to check, which trust to probe a host with."""

from __future__ import annotations

import os
import warnings
from typing import Dict, List, Mapping, Optional, TextIO, Tuple

from cryptography.utils import CryptographyDeprecationWarning

from corptls_lint.doctor import bundle as bundle_checks
from corptls_lint.doctor import environment, probe, render
from corptls_lint.doctor.ftypes import DoctorReport, EnvironmentReport, TrustLocation

FORMATS = ("text", "json")


def _explicit_location(path: str) -> TrustLocation:
    kind = "dir" if os.path.isdir(path) else "file"
    return TrustLocation(path, kind)


def _explicit_trust(location: TrustLocation) -> probe.Trust:
    if location.kind == "dir":
        return probe.Trust(location.path, capath=location.path)
    return probe.Trust(location.path, cafile=location.path)


def environment_trusts(env: EnvironmentReport) -> List[probe.Trust]:
    """One connection per distinct trust the clients use: requests' and httpx's file or folder,
    and the ssl module's default file and folder (loaded leniently, as OpenSSL does)."""
    users: Dict[Tuple[Optional[str], Optional[str], bool], List[str]] = {}
    for client in env.clients:
        if client.cafile or client.capath:  # not when certifi is missing: nothing to trust
            key = (client.cafile, client.capath, client.client == "ssl")
            users.setdefault(key, []).append(client.client)
    trusts = []
    for (cafile, capath, lenient), names in users.items():
        where = " + ".join(path for path in (cafile, capath) if path)
        trusts.append(probe.Trust(f"{where} ({', '.join(names)})", cafile, capath, lenient))
    return trusts


def build_report(bundle: Optional[str], host: Optional[Tuple[str, int]],
                 environ: Mapping[str, str]) -> DoctorReport:
    report = DoctorReport()
    if bundle is not None:
        location = _explicit_location(bundle)
        locations, trusts = [location], [_explicit_trust(location)]
    else:
        report.environment = environment.discover(environ)
        locations = environment.locations(report.environment)
        trusts = environment_trusts(report.environment)
    report.bundles = [bundle_checks.check_location(location) for location in locations]
    if host is not None:
        report.hosts = [probe.probe(host[0], host[1], trust) for trust in trusts]
    return report


def run(bundle: Optional[str], host_text: Optional[str], output_format: str,
        environ: Optional[Mapping[str, str]], stdout: TextIO, stderr: TextIO) -> int:
    from corptls_lint.doctor import EXIT_ERROR, EXIT_FAILED, EXIT_OK

    if output_format not in FORMATS:
        stderr.write(f"corptls-lint: error: --doctor prints text or json, not "
                     f"{output_format!r}\n")
        return EXIT_ERROR
    host = None
    if host_text is not None:
        try:
            host = probe.parse_host(host_text)
        except ValueError as error:
            stderr.write(f"corptls-lint: error: --host: {error}\n")
            return EXIT_ERROR
    with warnings.catch_warnings():
        # Old public roots break RFC 5280 in small ways; cryptography's warnings about them
        # would bury the report.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        report = build_report(bundle, host, os.environ if environ is None else environ)
    if output_format == "json":
        stdout.write(render.to_json(report))
    else:
        from corptls_lint.output import is_terminal

        render.write_text(report, stdout, color=is_terminal(stdout))
    return EXIT_OK if report.ok else EXIT_FAILED
