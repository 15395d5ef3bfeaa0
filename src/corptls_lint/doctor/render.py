"""Printing a DoctorReport: rich tables with ✓/!/✗ for people, json for scripts."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Optional, TextIO, Tuple

from corptls_lint.doctor.ftypes import (BundleReport, CertInfo, Check, DoctorReport,
                                        EnvironmentReport, HostReport, Status)

if TYPE_CHECKING:  # rich loads only when the report is printed as text
    from rich.console import Console
    from rich.table import Table

SYMBOLS = {Status.OK: "[green]✓[/green]", Status.WARN: "[yellow]![/yellow]",
           Status.FAIL: "[bold red]✗[/bold red]"}
# Past this many certificates (a system bundle) the text output lists only those with a problem.
MAX_LISTED = 25
TEXT_WIDTH = 110  # when not writing to a terminal, so piped output wraps the same everywhere


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def to_json(report: DoctorReport) -> str:
    document = {
        "ok": report.ok,
        "host": report.target or None,
        "clients": [_plain(asdict(client)) for client in report.clients if client.installed],
        "not_installed": [client.name for client in report.clients if not client.installed],
        "next_step": next_step(report),
        "environment": _plain(asdict(report.environment)) if report.environment else None,
        "bundles": [{**_plain(asdict(bundle.location)), "checks": _plain(_checks(bundle.checks)),
                     "certificates": _plain([asdict(c) for c in bundle.certificates])}
                    for bundle in report.bundles],
        "route": _plain(asdict(report.route)) if report.route else None,
        "hosts": [_plain(asdict(host)) for host in report.hosts],
        "sections": [_plain(asdict(section)) for section in report.sections],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def next_step(report: DoctorReport) -> str:
    """The one thing to do first: the first failing client's next step."""
    return next((client.next_step for client in report.clients
                 if client.installed and client.ok is False and client.next_step), "")


def _checks(checks: List[Check]) -> List[Dict[str, Any]]:
    return [asdict(check) for check in checks]


def write_text(report: DoctorReport, stream: TextIO, color: bool) -> None:
    from rich.console import Console

    console = Console(file=stream, highlight=False, force_terminal=color,
                      no_color=not color, width=None if color else TEXT_WIDTH)
    _verdicts(console, report)
    console.print()
    console.print("[bold]Details[/bold]")
    if report.environment is not None:
        _environment(console, report.environment)
    for bundle in report.bundles:
        _bundle(console, bundle)
    if report.route is not None:
        console.print()
        console.print(f"[bold]Route to {_escape(report.route.target)}[/bold] (as requests "
                      f"takes it): {_escape(report.route.route)}")
        console.print(_check_table(report.route.checks))
    seen: Dict[Tuple[str, str], str] = {}  # each problem once: later hosts refer to the first
    for host in report.hosts:
        _host(console, host, seen)
    for section in report.sections:
        console.print()
        console.print(f"[bold]{_escape(section.title)}[/bold]")
        console.print(_check_table(section.checks))
    console.print()
    console.print(summary(report))


CLIENT_SYMBOLS = {True: "[green]✓[/green]", False: "[bold red]✗[/bold red]", None: "-"}


def _verdicts(console: Console, report: DoctorReport) -> None:
    """The answer first: one line per client (never wrapped), then the one next step."""
    from corptls_lint.doctor.verdicts import label

    if report.target:
        console.print(f"[bold]corptls-lint doctor: can this machine's clients reach "
                      f"{_escape(report.target)}?[/bold]")
    else:
        console.print("[bold]corptls-lint doctor: the trust of this machine's clients[/bold] "
                      "(--host HOST asks each of them about a host)")
    for client in report.clients:
        name = label(client.name) + (f" {client.version}" if client.version else "")
        if not client.installed:
            console.print(f"{CLIENT_SYMBOLS[None]} {_escape(name)}: not installed",
                          soft_wrap=True)
            continue
        verdict = "fails" if client.ok is False else "ok"
        console.print(f"{CLIENT_SYMBOLS[client.ok is not False]} {_escape(name)}: "
                      f"{'' if client.ok is not False else verdict + ': '}"
                      f"{_escape(client.reason)}", soft_wrap=True)
    step = next_step(report)
    if step:
        console.print(f"[cyan]Next step:[/cyan] {_escape(step)}", soft_wrap=True)


def _distinct(checks: List[Check], status: Status) -> int:
    return len({(check.id, check.message) for check in checks if check.status is status})


def summary(report: DoctorReport) -> str:
    """Each problem counted once, however many connections met it."""
    checks = report.all_checks()
    failed, warned = _distinct(checks, Status.FAIL), _distinct(checks, Status.WARN)
    warnings = f", {warned} warning{'s' * (warned != 1)}" if warned else ""
    if report.target and report.clients:
        installed = [client for client in report.clients if client.installed]
        failing = [client.name for client in installed if client.ok is False]
        if not failing:
            return f"All {len(installed)} clients installed here work{warnings}."
        return (f"{len(failing)} of {len(installed)} clients fail ({', '.join(failing)}); "
                f"{failed} problem{'s' * (failed != 1)} found{warnings}.")
    if not failed:
        return f"All checks passed{warnings}."
    return f"{failed} check{'s' * (failed != 1)} failed{warnings}."


def _table(*columns: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _environment(console: Console, env: EnvironmentReport) -> None:
    console.print()
    console.print("[bold]Environment of this process[/bold]")
    table = _table("variable", "value", "")
    for variable in env.variables:
        value = "" if variable.value is None else variable.value
        table.add_row(variable.name, _escape(value), variable.note)
    table.add_row("certifi", _escape(env.certifi or ""), "" if env.certifi else "not importable")
    console.print(table)
    if any(variable.value is None for variable in env.variables):
        console.print("A variable set in your shell without `export` does not reach Python.")
    console.print()
    console.print("[bold]Where each client takes its CA certificates from[/bold]")
    table = _table("client", "wins", "CA file / folder")
    for client in env.clients:
        name = f"{client.client} {client.version}" if client.version else \
            f"{client.client} (not importable here)"
        where = ", ".join(path for path in (client.cafile, client.capath) if path) or "(none)"
        table.add_row(_escape(name), client.source, _escape(where))
    console.print(table)
    for client in env.clients:
        console.print(f"  {client.client}: {_escape(client.note)}")
    if env.checks:
        console.print(_check_table(env.checks))


def _check_table(checks: List[Check], seen: Optional[Dict[Tuple[str, str], str]] = None,
                 here: str = "") -> Table:
    """The checks; with `seen`, a problem already printed for another trust is referred to."""
    table = _table("", "check", "result")
    for check in checks:
        key = (check.id, check.message)
        if seen is not None and check.status is not Status.OK and key in seen:
            table.add_row(SYMBOLS[check.status], check.id,
                          f"the same as with {_escape(seen[key])} above")
            continue
        if seen is not None and check.status is not Status.OK:
            seen[key] = here
        result = _escape(check.message)
        if check.fix:
            result += f"\n[cyan]fix:[/cyan] {_escape(check.fix)}"
        table.add_row(SYMBOLS[check.status], check.id, result)
    return table


def _certificate_table(certs: List[CertInfo], title: str) -> Table:
    table = _table("#", "subject", "issuer", "valid from", "valid until", "CA")
    for cert in certs:
        ca = {True: "yes", False: "no", None: "?"}[cert.is_ca]
        table.add_row(str(cert.index), _escape(cert.subject), _escape(cert.issuer),
                      f"{cert.not_before:%Y-%m-%d}", f"{cert.not_after:%Y-%m-%d}", ca)
    table.title = title
    table.title_justify = "left"
    return table


def _bundle(console: Console, bundle: BundleReport) -> None:
    location = bundle.location
    kind = "CA folder" if location.kind == "dir" else "CA bundle"
    users = f" (used by {', '.join(location.used_by)})" if location.used_by else ""
    console.print()
    console.print(f"[bold]{kind} {_escape(location.path)}[/bold]{_escape(users)}")
    console.print(_check_table(bundle.checks))
    certs = bundle.certificates
    if not certs:
        return
    if len(certs) > MAX_LISTED:
        flagged = {int(word[1:]) for check in bundle.checks if check.status is not Status.OK
                   for word in check.message.split() if word[:1] == "#" and word[1:].isdigit()}
        certs = [cert for cert in certs if cert.index in flagged]
        title = (f"{len(bundle.certificates)} certificates; those with a problem are listed "
                 f"(--output-format json lists all)")
    else:
        title = "Certificates"
    if certs:
        console.print(_certificate_table(certs, title))
    else:
        console.print(title)


def _host(console: Console, host: HostReport, seen: Dict[Tuple[str, str], str]) -> None:
    console.print()
    console.print(f"[bold]Host {_escape(host.host)}:{host.port}[/bold] "
                  f"trusting {_escape(host.trust)}")
    if host.chain:
        if host.chain_complete:
            console.print("Chain sent by the server (as openssl s_client -showcerts prints it):")
        else:
            console.print("The server's own certificate (the rest of the chain it sent cannot "
                          "be read here):")
        for cert in host.chain:
            console.print(f" {cert.index} s:{_escape(cert.subject)}")
            console.print(f"   i:{_escape(cert.issuer)}")
            console.print(f"   valid {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}"
                          f"{'; ' + ', '.join(cert.names) if cert.names else ''}")
    console.print(_check_table(host.checks, seen, host.trust))
