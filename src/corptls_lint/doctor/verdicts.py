"""One verdict per client, for the first lines of the report: what each client did with the host
(clients.py asked it), why in one line, and the one next step, taken from the doctor's own
diagnosis of the trust that client uses when there is one (probe.py), else from the client's
error. Without --host: whether the trust each client uses can be loaded at all."""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Sequence

from corptls_lint.doctor.clients import NAMES, Attempt
from corptls_lint.doctor.ftypes import (BundleReport, Check, ClientVerdict, HostReport, RouteReport,
                                        Status)
from corptls_lint.doctor.recipe import combined

# How each client is pointed at a CA bundle, lastingly (the next step names it).
POINT_AT = {
    "requests": "export REQUESTS_CA_BUNDLE={path}",
    "httpx": "export SSL_CERT_FILE={path}",
    "ssl": "export SSL_CERT_FILE={path}",
    "pip": "pip config set global.cert {path}",
    "git": "git config --global http.sslCAInfo {path}",
    "botocore": "export AWS_CA_BUNDLE={path} (or ca_bundle = {path} in ~/.aws/config)",
    "curl": "export CURL_CA_BUNDLE={path}",
}
LABELS = {"ssl": "ssl (urllib)", "botocore": "botocore / AWS CLI"}
PAC = ("if a PAC or WPAD file decides the proxy here (a browser set to 'automatic proxy "
       "configuration' reaches the host), note that requests, pip, httpx and curl do not read "
       "PAC: find the proxy for this host in the PAC file (its URL is in the OS's proxy "
       "settings; pypac's PACSession reads it for requests) and set HTTPS_PROXY to it")


def label(name: str) -> str:
    return LABELS.get(name, name)


def _first_failure(checks: Sequence[Check]) -> Optional[Check]:
    return next((check for check in checks if check.status is Status.FAIL), None)


def _diagnosis(checks: Sequence[Check]) -> Optional[Check]:
    """The failed check that says why, rather than OpenSSL's verdict the client gave already."""
    failed = [check for check in checks if check.status is Status.FAIL]
    return next((check for check in failed if check.id not in ("verify", "handshake")),
                None)


def _host_for(name: str, hosts: Sequence[HostReport]) -> Optional[HostReport]:
    return next((host for host in hosts if name in host.clients), None)


def _write_bundle_step(name: str, target: str) -> str:
    path = combined()
    return (f"write a bundle that holds the CA: corptls-lint doctor --host {target} "
            f"--write-bundle {path}, then {POINT_AT[name].format(path=path)}")


def _route_words(attempt: Attempt) -> str:
    return f"via proxy {attempt.route}" if attempt.route else "direct"


def _config_step(name: str, detail: str) -> str:
    if "IsADirectoryError" in detail or "Is a directory" in detail:
        return (f"{name} needs a bundle file, not a CA folder: "
                f"cat FOLDER/*.pem > {combined()} and point {name} at "
                f"that file")
    if "InvalidProxyURL" in detail or "InvalidURL" in detail or "proxy" in detail.lower():
        return "fix the proxy URL (http://HOST:PORT, credentials percent-encoded)"
    return f"fix the setting {name} cannot use (see its error)"


def verdict(attempt: Attempt, target: str, hosts: Sequence[HostReport],
            route: Optional[RouteReport], requests_route: Optional[str]) -> ClientVerdict:
    name = attempt.name
    if not attempt.installed:
        return ClientVerdict(name, False, reason="not installed")
    if attempt.ok:
        return ClientVerdict(name, True, attempt.version, True,
                             f"works: verified TLS with {target} ({_route_words(attempt)})",
                             route=attempt.route, stage=attempt.stage)
    host = _host_for(name, hosts)
    diagnosis = _diagnosis(host.checks) if host is not None else None
    detail = attempt.detail or "failed"
    where = _route_words(attempt)
    differs = ""
    if name != "requests" and attempt.route != requests_route:
        differs = (f"; {label(name)} goes {where}, where requests goes "
                   f"{'via proxy ' + requests_route if requests_route else 'direct'}: its "
                   f"proxy rules (NO_PROXY) differ")
    if attempt.stage == "proxy":
        refused = _first_failure(route.checks) if route is not None else None
        reason = refused.message if refused is not None else f"the proxy: {detail}"
        step = refused.fix if refused is not None and refused.fix else \
            "fix the proxy setting, or add the host to NO_PROXY if it is reachable directly"
    elif attempt.stage == "tls" and diagnosis is not None and diagnosis.id != "proxy":
        reason = f"{detail} ({where}): {diagnosis.message}"
        step = diagnosis.fix or _write_bundle_step(name, target)
        return ClientVerdict(name, True, attempt.version, False, reason, step, attempt.route,
                             attempt.stage, diagnosis.message)
    elif attempt.stage == "tls":
        also = ""
        if host is not None and host.verified:
            also = (f"; the doctor's own handshake with the same trust verifies: {label(name)} "
                    f"differs (its TLS library, e.g. git built with GnuTLS, or its route)")
        reason = f"{detail} ({where}){also}{differs}"
        step = _write_bundle_step(name, target)
    elif attempt.stage == "config":
        reason = detail
        step = _config_step(name, detail)
    else:
        reason = f"cannot connect ({where}): {detail}{differs}"
        step = ("check the host name and port, the proxy variables (HTTPS_PROXY, NO_PROXY) and "
                "the firewall")
        if attempt.route is None:
            step += f"; {PAC}"
    return ClientVerdict(name, True, attempt.version, False, reason, step, attempt.route,
                         attempt.stage)


def combine(attempts: Sequence[Attempt], target: str, hosts: Sequence[HostReport],
            route: Optional[RouteReport]) -> List[ClientVerdict]:
    """The verdicts, failing clients first, then working ones, then the ones not installed."""
    by_name = {attempt.name: attempt for attempt in attempts}
    requests = by_name.get("requests")
    requests_route = requests.route if requests is not None else None
    found = sorted((verdict(attempt, target, hosts, route, requests_route)
                    for attempt in attempts),
                   key=lambda item: (not item.installed, item.ok is not False,
                                     NAMES.index(item.name)))
    return _once(found)


def _once(found: List[ClientVerdict]) -> List[ClientVerdict]:
    """Each cause told once: a later client with the same cause refers to the first."""
    first: Dict[str, str] = {}
    for index, item in enumerate(found):
        if not item.cause:
            continue
        if item.cause in first:
            shorter = item.reason[:-len(item.cause)] + f"the same cause as {first[item.cause]}"
            found[index] = dataclasses.replace(item, reason=shorter)
        else:
            first[item.cause] = label(item.name)
    return sorted(found, key=lambda item: (not item.installed, item.ok is not False,
                                           NAMES.index(item.name)))


def without_host(installed: Dict[str, Optional[str]],
                 bundles: Sequence[BundleReport]) -> List[ClientVerdict]:
    """No host to ask: each installed client's verdict is whether the bundles it uses load."""
    verdicts = []
    for name in NAMES:
        if name not in installed:
            verdicts.append(ClientVerdict(name, False, reason="not installed"))
            continue
        used = [bundle for bundle in bundles  # an explicit --bundle: every client's
                if name in bundle.location.used_by or not bundle.location.used_by]
        failure = next((check for bundle in used for check in bundle.checks
                        if check.status is Status.FAIL), None)
        paths = ", ".join(bundle.location.path for bundle in used)
        if failure is not None:
            verdicts.append(ClientVerdict(name, True, installed[name], False, failure.message,
                                          failure.fix, cause=failure.message))
        else:
            trusts = f"its trust ({paths}) loads" if paths else "its default trust"
            verdicts.append(ClientVerdict(name, True, installed[name], True,
                                          f"{trusts}; give --host to ask it about a host"))
    return _once(sorted(verdicts, key=lambda item: (not item.installed, item.ok is not False,
                                                    NAMES.index(item.name))))
