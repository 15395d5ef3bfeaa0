"""`full`: ruff's shape for people reading a CI log: each finding, the source lines around it
with the reported span underlined, and the fix it has as a diff (with the import it adds)."""

from __future__ import annotations

from typing import List, Optional, Sequence, TextIO

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output import concise
from corptls_lint.output.common import EmitContext, escape_source, fix_diff

CONTEXT_LINES = 1


def block(d: Diagnostic, lines: Optional[List[str]], unsafe_fixes: bool = False) -> List[str]:
    out = [concise.line(d, unsafe_fixes)]
    if lines and 1 <= d.line <= len(lines):
        first = max(1, d.line - CONTEXT_LINES)
        last = min(len(lines), max(d.end_line, d.line) + CONTEXT_LINES)
        width = len(str(last))
        gutter = " " * width + " |"
        out.append(gutter)
        for number in range(first, last + 1):
            text = lines[number - 1]
            out.append(f"{number:>{width}} | {escape_source(text)}".rstrip())
            if number == d.line:
                out.append(f"{gutter} {_caret(text, d)} {d.code}")
        out.append(gutter)
    if d.fix is not None:
        out.append(f"  = fix ({d.fix.applicability.value}): {d.fix.description}")
        changes = ([f"+{line}" for line in d.fix.import_statement.splitlines()]
                   if d.fix.import_statement else []) + fix_diff(d, lines)
        out.extend(f"    {escape_source(change)}" for change in changes)
    elif d.fix_needs:
        out.append(f"  = fixable once '{d.fix_needs}' is configured in [tool.corptls-lint]")
    return out


def _caret(text: str, d: Diagnostic) -> str:
    """Spaces up to the column (tabs kept, so the caret lines up), then `^` under the span."""
    start = min(d.col - 1, len(text))
    end = d.end_col - 1 if d.end_line == d.line and d.end_col > d.col else len(text)
    pad = "".join("\t" if char == "\t" else " " for char in text[:start])
    return pad + "^" * max(1, min(end, len(text)) - start)


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    for d in diagnostics:
        stream.write("\n".join(block(d, context.lines(d.path), context.unsafe_fixes)) + "\n\n")
