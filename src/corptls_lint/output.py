"""How findings are printed (`--output-format`).

`text` is flake8's default shape, byte for byte, when piped, and rich colour with a summary
table in a terminal; `json` is one object per finding; `sarif` is SARIF 2.1.0 for code
scanning; `github` is GitHub Actions workflow commands, shown as annotations on the diff.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import PurePath
from typing import Dict, List, Optional, Sequence, TextIO
from urllib.parse import quote

from corptls_lint import __version__
from corptls_lint.ftypes import Diagnostic, Fix

FORMATS = ("text", "json", "sarif", "github")
TOOL_NAME = "corptls-lint"
# Findings about the run itself, not the code: an unparsable file, a rule that crashed.
_RUN_PROBLEMS = {"TLS001": ("parse-error", "the file cannot be read, decoded or parsed"),
                 "TLS000": ("internal-error", "a rule failed on this file (a bug in corptls-lint)")}
REMOVE_STATEMENT = "remove-statement"


def write_findings(output_format: str, diagnostics: Sequence[Diagnostic], stream: TextIO,
                   color: bool = False) -> None:
    if output_format == "json":
        write_json(diagnostics, stream)
    elif output_format == "sarif":
        write_sarif(diagnostics, stream)
    elif output_format == "github":
        write_github(diagnostics, stream)
    else:
        write_text(diagnostics, stream, color=color)


def write_text(diagnostics: Sequence[Diagnostic], stream: TextIO, color: bool) -> None:
    if not color:
        for diagnostic in diagnostics:
            stream.write(diagnostic.format_text() + "\n")
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for d in diagnostics:
        console.print(f"[bold]{escape(d.path)}[/bold][cyan]:[/cyan]{d.line}[cyan]:[/cyan]{d.col}"
                      f"[cyan]:[/cyan] [bold red]{d.code}[/bold red] {escape(d.message)}")
    if diagnostics:
        console.print()
        console.print(summary_table(diagnostics))


def summary_table(diagnostics: Sequence[Diagnostic]):
    """Counts per code for a person at a terminal (never printed into a pipe)."""
    from rich.table import Table

    table = Table(title=None, show_edge=False, header_style="bold")
    for column, justify in (("code", "left"), ("name", "left"), ("count", "right"),
                            ("fixable", "right")):
        table.add_column(column, justify=justify)
    counts = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fix is not None)
    names = {d.code: d.name for d in diagnostics}
    for code in sorted(counts):
        table.add_row(code, names[code], str(counts[code]), str(fixable[code]))
    return table


# -- json --------------------------------------------------------------------------------------

def _fix_json(fix: Optional[Fix]) -> Optional[dict]:
    if fix is None:
        return None
    result = {"description": fix.description, "applicability": fix.applicability.value,
              "replacement": fix.replacement}
    if fix.line:  # the rewritten node, which may differ from the reported one
        result["location"] = {"line": fix.line, "column": fix.col,
                              "end_line": fix.end_line, "end_column": fix.end_col}
    result["import"] = fix.import_statement
    return result


def finding_json(d: Diagnostic) -> dict:
    return {"path": d.path, "line": d.line, "column": d.col,
            "end_line": d.end_line or None, "end_column": d.end_col or None,
            "code": d.code, "name": d.name, "message": d.message,
            "fixable": d.fix is not None, "fix": _fix_json(d.fix), "fix_needs": d.fix_needs}


def write_json(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    json.dump([finding_json(d) for d in diagnostics], stream, indent=2, ensure_ascii=False)
    stream.write("\n")


# -- github ------------------------------------------------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    """`::warning file=a.py,line=3,col=17,title=TLS101::message` (an error for TLS000/TLS001)."""
    level = "error" if d.code in _RUN_PROBLEMS else "warning"
    return (f"::{level} file={_escape_property(d.path)},line={d.line},col={d.col},"
            f"title={_escape_property(d.code)}::{_escape_data(d.message)}")


def write_github(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        stream.write(github_line(diagnostic) + "\n")


# -- sarif -------------------------------------------------------------------------------------

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")


def _sarif_rules() -> List[dict]:
    from corptls_lint.rules import ALL_RULES

    rules = []
    for rule in ALL_RULES:
        docs = rule.documentation()
        rules.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.message},
            "fullDescription": {"text": _section(docs, "What it does") or rule.message},
            "help": {"text": docs, "markdown": docs},
            "defaultConfiguration": {"level": "warning", "enabled": rule.default_enabled},
            "properties": {"fixable": rule.has_fix, "tags": ["security"]},
        })
    for code, (name, description) in _RUN_PROBLEMS.items():
        rules.append({"id": code, "name": name, "shortDescription": {"text": description},
                      "help": {"text": description},
                      "defaultConfiguration": {"level": "error"}})
    return rules


def _section(docs: str, title: str) -> str:
    """The text under `## title` in a rule's documentation, on one line."""
    marker = f"## {title}"
    if marker not in docs:
        return ""
    body = docs.split(marker, 1)[1].split("\n## ", 1)[0]
    return " ".join(body.split())


def artifact_uri(path: str) -> Dict[str, str]:
    """A relative path stays relative to the checkout (%SRCROOT%), as code scanning expects."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    posix = pure.as_posix()
    return {"uri": quote(posix), "uriBaseId": "%SRCROOT%"}


def _region(d: Diagnostic) -> dict:
    region = {"startLine": d.line, "startColumn": d.col}
    if d.end_line:
        region.update(endLine=d.end_line, endColumn=d.end_col)
    return region


def _sarif_fixes(d: Diagnostic) -> Optional[List[dict]]:
    """A SARIF fix needs the new text; a fix whose replacement is not known yet is left out
    (the result's `fixable` property still says a fix exists)."""
    fix = d.fix
    if fix is None or not d.end_line:
        return None
    if fix.replacement is None and fix.description != REMOVE_STATEMENT:
        return None
    where = (_region(d) if not fix.line else
             {"startLine": fix.line, "startColumn": fix.col,
              "endLine": fix.end_line, "endColumn": fix.end_col})
    replacement: dict = {"deletedRegion": where}
    if fix.replacement is not None:
        replacement["insertedContent"] = {"text": fix.replacement}
    return [{"description": {"text": f"{fix.description} ({fix.applicability.value})"},
             "artifactChanges": [{"artifactLocation": artifact_uri(d.path),
                                  "replacements": [replacement]}]}]


def sarif_document(diagnostics: Sequence[Diagnostic]) -> dict:
    rules = _sarif_rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        result: dict = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.code in _RUN_PROBLEMS else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_uri(d.path),
                                                "region": _region(d)}}],
            "properties": {"fixable": d.fix is not None},
        }
        if d.fix_needs:
            result["properties"]["fixNeeds"] = d.fix_needs
        fixes = _sarif_fixes(d)
        if fixes:
            result["fixes"] = fixes
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__,
                                "semanticVersion": __version__, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def write_sarif(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    json.dump(sarif_document(diagnostics), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_statistics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    """`--statistics`: a count per code, as ruff prints it."""
    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    for code, count in sorted(counts.items()):
        stream.write(f"{count:>5}\t{code}\t{names[code]}\n")


def unsafe_fix_count(diagnostics: Sequence[Diagnostic]) -> int:
    """Findings whose fix needs --unsafe-fixes."""
    return sum(1 for d in diagnostics
               if d.fix is not None and d.fix.applicability.value == "unsafe")


def summary(found: int, fixable: int) -> str:
    if not found:
        return "All checks passed!"
    noun = "problem" if found == 1 else "problems"
    fix_note = f" ({fixable} fixable with --fix)" if fixable else ""
    return f"Found {found} {noun}{fix_note}."


def is_terminal(stream: TextIO = sys.stdout) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
