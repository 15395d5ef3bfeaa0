"""Putting the doctor together: which bundles to check, the route to the host, which trust to
probe it with, and the combined bundle to write."""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import shlex
import ssl
import traceback
import warnings
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Mapping, Optional, TextIO, Tuple

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from corptls_lint.doctor import bundle as bundle_checks
from corptls_lint.doctor import (clients, environment, interception, masking, probe, programs,
                                 recipe, render)
from corptls_lint.doctor import route as routes
from corptls_lint.doctor import verdicts
from corptls_lint.doctor.ftypes import (Check, DoctorReport, EnvironmentReport, RouteReport,
                                        Section, Status, TrustLocation)
from corptls_lint.doctor.target import Target, parse_host

FORMATS = ("text", "json")
# A direct connection is only tried to compare issuers; behind a firewall it may hang.
DIRECT_TIMEOUT = 3.0


@dataclass(frozen=True)
class Options:
    bundle: Optional[str] = None
    host: Optional[str] = None
    proxy: Optional[str] = None
    direct: bool = False
    write_bundle: Optional[str] = None
    verbose: bool = False
    clients: Tuple[str, ...] = clients.NAMES  # the clients to ask about the host (--client)


def _explicit_location(path: str) -> TrustLocation:
    kind = "dir" if os.path.isdir(path) else "file"
    return TrustLocation(path, kind)


# The system bundles the distributions generate (update-ca-certificates, update-ca-trust): an
# edit is lost at their next run.
SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem",
                  "/etc/ssl/ca-bundle.pem")


def _managed(path: Optional[str], certifi: Optional[str]) -> bool:
    """certifi's bundle or the system's CA file or folder: owned by a package, not the user."""
    if not path:
        return False
    defaults = ssl.get_default_verify_paths()
    # the compiled-in paths only: `cafile`/`capath` follow SSL_CERT_FILE/SSL_CERT_DIR, which
    # may name the user's own bundle
    owned = {os.path.realpath(p) for p in (certifi, defaults.openssl_cafile,
                                           defaults.openssl_capath, *SYSTEM_BUNDLES) if p}
    return os.path.realpath(path) in owned


def _explicit_trust(location: TrustLocation, certifi: Optional[str]) -> probe.Trust:
    managed = _managed(location.path, certifi)
    if location.kind == "dir":
        return probe.Trust(location.path, capath=location.path, managed=managed,
                           clients=clients.NAMES)
    return probe.Trust(location.path, cafile=location.path, managed=managed,
                       clients=clients.NAMES)


def environment_trusts(env: EnvironmentReport) -> List[probe.Trust]:
    """One connection per distinct trust the clients use: requests' and httpx's file or folder,
    and the ssl module's default file and folder (loaded leniently, as OpenSSL does)."""
    users: Dict[Tuple[Optional[str], Optional[str], bool], List[str]] = {}
    managed: Dict[Tuple[Optional[str], Optional[str], bool], bool] = {}
    for client in env.clients:
        if client.cafile or client.capath:  # not when certifi is missing: nothing to trust
            key = (client.cafile, client.capath, client.client == "ssl")
            users.setdefault(key, []).append(client.client)
            managed[key] = _managed(client.cafile or client.capath, env.certifi) or (
                client.client == "ssl" and "SSL_CERT" not in client.source)
    trusts = []
    for (cafile, capath, lenient), names in users.items():
        where = " + ".join(path for path in (cafile, capath) if path)
        trusts.append(probe.Trust(f"{where} ({', '.join(names)})", cafile, capath, lenient,
                                  managed[(cafile, capath, lenient)], clients=tuple(names)))
    return trusts


def _with_programs(locations: List[TrustLocation],
                   others: List[programs.ProgramTrust]) -> List[TrustLocation]:
    """The bundle files other programs name join the checked ones (once each)."""
    merged = list(locations)
    for other in others:
        if not other.cafile:
            continue
        name = other.program.split()[0]
        for index, location in enumerate(merged):
            if location.path == other.cafile and location.kind == "file":
                if name not in location.used_by:
                    merged[index] = TrustLocation(location.path, location.kind,
                                                  location.used_by + (name,), True)
                break
        else:
            merged.append(TrustLocation(other.cafile, "file", (name,)))
    return merged


def _program_trusts(trusts: List[probe.Trust], others: List[programs.ProgramTrust],
                    certifi: Optional[str]) -> List[probe.Trust]:
    """The host is also probed with each bundle another program uses (pip's, git's): why
    `pip install` fails where requests works."""
    probed = {(trust.cafile, False): index for index, trust in enumerate(trusts)
              if not trust.lenient}
    users: Dict[Tuple[str, bool], List[str]] = {}
    for other in others:
        key = (other.cafile or "", other.os_store)
        name = other.program.split()[0]
        if other.cafile and key in probed:  # the same trust: its verdict is this one's
            index = probed[key]
            trusts[index] = trusts[index]._replace(clients=trusts[index].clients + (name,))
        elif other.cafile:
            users.setdefault(key, []).append(name)
    return [probe.Trust(f"{path}{' + the OS store' if os_store else ''} ({', '.join(names)})",
                        cafile=path, managed=_managed(path, certifi),
                        variables=tuple(recipe.PROGRAM_VARIABLES[name] for name in names),
                        os_store=os_store, clients=tuple(names))
            for (path, os_store), names in users.items()]


def _route_report(target: Target, route: routes.Route,
                  proxy_trust: Optional[ssl.SSLContext] = None) -> Tuple[RouteReport, bool]:
    """The route, checked: False when the proxy refuses, and nothing more can be learnt."""
    report = RouteReport(str(target), route.describe(),
                         routes.redacted(route.proxy) if route.proxy else None)
    if route.proxy is None:
        report.checks.append(Check("route", Status.OK, route.describe()))
        return report, True
    try:
        routes.open_tunnel(target, route.proxy, probe.TIMEOUT, proxy_trust).close()
    except routes.ProxyError as error:
        report.checks.append(Check("proxy", Status.FAIL, str(error),
                                   "fix the proxy setting, or try --direct (or NO_PROXY) if "
                                   "the host is reachable without it"))
        return report, False
    report.checks.append(Check("route", Status.OK,
                               f"{route.describe()}: CONNECT {target} accepted"))
    return report, True


def _direct_chain(target: Target, report: RouteReport) -> Optional[List[x509.Certificate]]:
    """The chain read without the proxy, to compare issuers; None when unreachable."""
    direct = routes.opener(target, routes.Route(None, ""))
    try:
        chain = probe.read_chain(target, direct, DIRECT_TIMEOUT)
    except (OSError, ssl.SSLError) as error:
        report.checks.append(Check("direct", Status.OK,
                                   interception.summary(None, str(error) or type(error).__name__)))
        return None
    report.checks.append(Check("direct", Status.OK, interception.summary(chain, "")))
    return chain


def _known_bundles(locations: List[TrustLocation]
                   ) -> List[Tuple[str, List[x509.Certificate]]]:
    """Where a CA the host did not send may be found: the bundles checked, then the OS store."""
    from corptls_lint.doctor import store

    known: List[Tuple[str, List[x509.Certificate]]] = []
    for location in locations:
        if location.kind == "file" and os.path.isfile(location.path):
            try:
                with open(location.path, "rb") as handle:
                    known.append((f"from {location.path}", store.pem_certificates(handle.read())))
            except OSError:
                pass
    known.append(("from the OS store", store.system_store()))
    return known


def _current_trust(locations: List[TrustLocation]
                   ) -> List[Tuple[str, List[x509.Certificate]]]:
    """What the clients trust now, certificate by certificate: each bundle file (repaired if
    it must be) and each CA folder they use; a new bundle keeps all of it."""
    from corptls_lint.doctor import store

    current: List[Tuple[str, List[x509.Certificate]]] = []
    for location in locations:
        if os.path.isdir(location.path):
            current.append((f"from {location.path}", store.folder_certificates(location.path)))
        elif os.path.isfile(location.path):
            try:
                with open(location.path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            current.append((f"from {location.path}", store.any_certificates(data)))
    return current


def _write_bundle(destination: str, target: Target, path: probe.Path,
                  public: Optional[str], locations: List[TrustLocation]) -> Section:
    absolute = os.path.abspath(os.path.expanduser(destination))
    section = Section(f"Combined bundle {absolute}")
    try:
        chain = probe.read_chain(target, path.connect)
    except (OSError, ssl.SSLError, routes.ProxyError) as error:
        section.checks.append(Check("write-bundle", Status.FAIL,
                                    f"{absolute} not written: cannot read the chain "
                                    f"of {target}: {error}"))
        return section
    checks, _ = recipe.write_bundle(destination, public, chain, _known_bundles(locations),
                                    _current_trust(locations))
    section.checks.extend(checks)
    return section


def _recheck(section: Section, target: Target, options: Options,
             environ: Mapping[str, str]) -> None:
    """Before the doctor says "use this", every client is asked again, pointed at the new
    bundle; the result is printed, and the advice given only when all of them work."""
    written = next((check for check in section.checks if check.id == "write-bundle"), None)
    if written is None or written.status is Status.FAIL or options.write_bundle is None:
        return
    absolute = os.path.abspath(os.path.expanduser(options.write_bundle))
    env = clients.bundle_environ(clients_environ(options, environ), absolute)
    attempts = [attempt for attempt in clients.ask_all(target, env, options.clients)
                if attempt.installed]
    for attempt in attempts:
        if attempt.ok:
            section.checks.append(Check("recheck", Status.OK,
                                        f"with {absolute}, {verdicts.label(attempt.name)} "
                                        f"works with {target}"))
        else:
            section.checks.append(Check("recheck", Status.FAIL,
                                        f"with {absolute}, {verdicts.label(attempt.name)} "
                                        f"still fails with {target}: {attempt.detail}"))
    if attempts and all(attempt.ok for attempt in attempts):
        quoted = shlex.quote(absolute)
        section.checks.append(Check("use-it", Status.OK,
                                    f"compare each SHA-256 above with what IT publishes, then "
                                    f"use it: export REQUESTS_CA_BUNDLE={quoted} "
                                    f"SSL_CERT_FILE={quoted}", recipe.make_it_stick(absolute)))
    elif attempts:
        section.checks.append(Check("use-it", Status.FAIL,
                                    f"do not use {absolute} yet: not every client works with it "
                                    f"(see above)"))


@functools.lru_cache(maxsize=4)
def _fingerprints(path: Optional[str]) -> FrozenSet[str]:
    from corptls_lint.doctor import certinfo, store

    if not path:
        return frozenset()
    with open(path, "rb") as handle:
        return frozenset(certinfo.fingerprint(cert) for cert in store.pem_certificates(
            handle.read()))


def _recipe_for(host: str, public: Optional[str], variables: Tuple[str, ...]) -> str:
    return recipe.recipe(host, public, variables=variables)


def clients_environ(options: Options, environ: Mapping[str, str]) -> Dict[str, str]:
    """The environment the clients are asked in: the user's, with --bundle pointing every
    client at that bundle, --proxy as every client's proxy, --direct without proxies."""
    env = dict(environ) if options.bundle is None else \
        clients.bundle_environ(environ, options.bundle)
    if options.proxy is not None or options.direct:
        for name in [name for name in env if name.lower() in (
                "https_proxy", "http_proxy", "all_proxy", "no_proxy")]:
            del env[name]
    if options.proxy is not None:
        env.update(HTTPS_PROXY=options.proxy, https_proxy=options.proxy)
    return env


def _installed(environ: Mapping[str, str]) -> Dict[str, Optional[str]]:
    """The clients installed here, with their versions where cheap to know (no --host)."""
    import shutil

    found: Dict[str, Optional[str]] = {}
    for name, package in (("requests", "requests"), ("httpx", "httpx"), ("pip", "pip"),
                          ("botocore", "botocore")):
        version = environment.installed_version(package)
        if version is not None:
            found[name] = version
    found["ssl"] = " ".join(ssl.OPENSSL_VERSION.split()[:2])
    path = environ.get("PATH") or os.environ.get("PATH")
    for name, program in (("git", "git"), ("curl", "curl"), ("botocore", "aws")):
        if name not in found and shutil.which(program, path=path):
            found[name] = None
    return found


def build_report(options: Options, target: Optional[Target],
                 environ: Mapping[str, str]) -> DoctorReport:
    if target is None:
        report = _build_report(options, None, environ)
        report.clients = verdicts.without_host(_installed(environ), report.bundles)
        return report
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # the clients, while the doctor probes
        asked = pool.submit(clients.ask_all, target, clients_environ(options, environ),
                            options.clients)
        report = _build_report(options, target, environ)
        attempts = asked.result()
    if options.write_bundle:
        for section in report.sections:
            if section.title.startswith("Combined bundle "):
                _recheck(section, target, options, environ)
    report.target = str(target)
    report.clients = [verdict for verdict in verdicts.combine(
        attempts, str(target), report.hosts, report.route) if verdict.name in options.clients]
    return report


def _build_report(options: Options, target: Optional[Target],
                  environ: Mapping[str, str]) -> DoctorReport:
    report = DoctorReport()
    certifi = environment.certifi_where()
    if options.bundle is not None:
        location = _explicit_location(options.bundle)
        locations, trusts = [location], [_explicit_trust(location, certifi)]
    else:
        report.environment = environment.discover(environ)
        certifi = report.environment.certifi
        locations = environment.locations(report.environment)
        trusts = environment_trusts(report.environment)
        others = programs.discover(environ)
        report.sections.append(Section("Other programs' trust", programs.checks(others)))
        locations = _with_programs(locations, others)
        trusts += _program_trusts(trusts, others, certifi)
    public_roots = None
    if report.environment is not None:
        public_roots = functools.partial(_fingerprints, recipe.public_roots(certifi))
    report.bundles = [bundle_checks.check_location(location, public_roots=public_roots)
                      for location in locations]
    if target is None:
        return report
    route = routes.decide(target, environ, options.proxy, options.direct)
    try:  # an https:// proxy is checked with the first client's trust (requests')
        first_trust: Optional[ssl.SSLContext] = probe.context_of(trusts[0]) if trusts else None
    except (ssl.SSLError, OSError):
        first_trust = None
    report.route, reachable = _route_report(target, route, first_trust)
    if not reachable:
        return report
    public = recipe.public_roots(certifi)
    path = probe.Path(connect=routes.opener(target, route, first_trust),
                      connect_for=functools.partial(routes.opener, target, route),
                      proxied=route.proxy is not None,
                      recipe=recipe.recipe(str(target), public),
                      recipe_for=functools.partial(_recipe_for, str(target), public))
    if route.proxy is not None:
        path = dataclasses.replace(path, direct=_direct_chain(target, report.route))
    report.hosts = [probe.probe(target, trust, path) for trust in trusts]
    if options.write_bundle:
        report.sections.append(_write_bundle(options.write_bundle, target, path, public,
                                             locations))
    return report


def run(options: Options, output_format: str, environ: Optional[Mapping[str, str]],
        stdout: TextIO, stderr: TextIO) -> int:
    environ = os.environ if environ is None else environ
    secrets = masking.secrets_of([*masking.proxy_urls(environ, options.proxy), options.host])
    try:
        return _run(options, output_format, environ, stdout, stderr, secrets)
    except Exception as error:  # an internal error: one line, a traceback with --verbose
        from corptls_lint.doctor.ftypes import EXIT_ERROR

        text = traceback.format_exc() if options.verbose else (
            f"corptls-lint: error: the doctor failed: {type(error).__name__}: {error} "
            f"(--verbose shows the traceback)\n")
        stderr.write(masking.scrub_text(text, secrets))
        return EXIT_ERROR


def _run(options: Options, output_format: str, environ: Mapping[str, str], stdout: TextIO,
         stderr: TextIO, secrets: FrozenSet[str]) -> int:
    from corptls_lint.doctor.ftypes import EXIT_ERROR, EXIT_FAILED, EXIT_OK

    def error(message: str) -> int:
        stderr.write(masking.scrub_text(f"corptls-lint: error: {message}\n", secrets))
        return EXIT_ERROR

    if output_format not in FORMATS:
        return error(f"the doctor prints text or json, not {output_format!r}")
    target = None
    if options.host is not None:
        try:
            target = parse_host(options.host)
        except ValueError as reason:
            return error(f"--host: {reason}")
    elif options.write_bundle or options.proxy or options.direct:
        return error("--proxy, --direct and --write-bundle need --host")
    if options.proxy is not None and options.direct:
        return error("--proxy and --direct exclude each other")
    with warnings.catch_warnings():
        # Old public roots break RFC 5280 in small ways; cryptography's warnings about them
        # would bury the report.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        report = masking.scrub(build_report(options, target, environ), secrets)
    if output_format == "json":
        text = render.to_json(report)
    else:
        from corptls_lint.output import is_terminal

        buffer = io.StringIO()
        render.write_text(report, buffer, color=is_terminal(stdout))
        text = buffer.getvalue()
    stdout.write(masking.scrub_text(text, secrets))
    return EXIT_OK if report.ok else EXIT_FAILED
