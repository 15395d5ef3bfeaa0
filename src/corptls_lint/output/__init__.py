"""How findings are printed (`--output-format`): one module per format, each an `emit`
function with the same signature (`emit(diagnostics, stream, context)`), over what
`common.py` shares (paths, fingerprints, rule metadata, source lines, fix diffs).

`text` is flake8's shape byte for byte; `concise` and `full` are ruff's; `json` follows a
versioned JSON Schema; `sarif` is SARIF 2.1.0 for code scanning; `github` is workflow
commands; `gitlab` a Code Quality report; `junit` JUnit XML; `html` the migration report.

May import: `rules` (their metadata), `source`, `ftypes`.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, TextIO

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import (REMOVE_STATEMENT, TOOL_NAME, EmitContext, Emitter,
                                        JSONObject, display_path)

if TYPE_CHECKING:
    from corptls_lint.output.json_format import FindingJSON

# format name -> the module under corptls_lint.output that emits it
_MODULES: Dict[str, str] = {
    "text": "text", "concise": "concise", "full": "full", "json": "json_format",
    "sarif": "sarif", "github": "github", "gitlab": "gitlab", "junit": "junit",
    "html": "html_report",
}
FORMATS = tuple(_MODULES)


def emitter(output_format: str) -> Emitter:
    """The `emit` function of a format (imported on demand: a check loads one format)."""
    emit: Emitter = importlib.import_module(f"corptls_lint.output.{_MODULES[output_format]}").emit
    return emit


def relative_paths(diagnostics: Sequence[Diagnostic], cwd: Optional[str] = None
                   ) -> List[Diagnostic]:
    """The findings with their paths relative to the current folder, without `./`."""
    cwd = cwd or os.getcwd()
    shown: Dict[str, str] = {}
    result = []
    for d in diagnostics:
        if d.path not in shown:
            shown[d.path] = display_path(d.path, cwd)
        result.append(d if shown[d.path] == d.path else replace(d, path=shown[d.path]))
    return result


def write_findings(output_format: str, diagnostics: Sequence[Diagnostic], stream: TextIO,
                   color: bool = False, context: Optional[EmitContext] = None) -> None:
    context = context or EmitContext(color=color)
    if context.sources:
        context.sources = {display_path(path, context.cwd): text
                           for path, text in context.sources.items()}
    emitter(output_format)(relative_paths(diagnostics, context.cwd), stream, context)


# -- compatibility: the names the rest of the code and the tests use ----------------------------

def finding_json(d: Diagnostic) -> FindingJSON:
    from corptls_lint.output.json_format import finding_json as to_json

    return to_json(d)


def github_line(d: Diagnostic) -> str:
    from corptls_lint.output.github import github_line as line

    return line(d)


def sarif_document(diagnostics: Sequence[Diagnostic],
                   context: Optional[EmitContext] = None) -> JSONObject:
    from corptls_lint.output.sarif import sarif_document as document

    return document(relative_paths(diagnostics), context)


def write_statistics(diagnostics: Sequence[Diagnostic], stream: TextIO,
                     output_format: str = "text", unsafe_fixes: bool = False) -> None:
    """`--statistics`: a count per code, as ruff prints it (output/statistics.py)."""
    from corptls_lint.output import statistics

    table_format = output_format if output_format in statistics.FORMATS else "text"
    statistics.emit(diagnostics, stream, table_format, unsafe_fixes)


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


def wants_color(choice: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """`--color always|never` decides; `auto` colours a terminal, unless NO_COLOR is set, and
    anything when FORCE_COLOR is set (to anything but empty or 0), as those conventions say."""
    if choice in ("always", "never"):
        return choice == "always"
    force = environ.get("FORCE_COLOR", "")
    if force and force.lower() not in ("0", "false"):
        return True
    if environ.get("NO_COLOR", ""):
        return False
    return is_terminal(stream)


__all__ = ["FORMATS", "REMOVE_STATEMENT", "TOOL_NAME", "EmitContext", "emitter",
           "finding_json", "github_line", "is_terminal", "relative_paths", "sarif_document",
           "summary", "unsafe_fix_count", "wants_color", "write_findings", "write_statistics"]
