"""`concise`: ruff's one-line shape, `path:LINE:COL: CODE [*] message`, `[*]` marking a
finding `--fix` can fix (with the current `--unsafe-fixes`)."""

from __future__ import annotations

from typing import Sequence, TextIO

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import EmitContext, escape_message, escape_path, fix_applies


def line(d: Diagnostic, unsafe_fixes: bool = False) -> str:
    marker = " [*]" if fix_applies(d, unsafe_fixes) else ""
    return (f"{escape_path(d.path)}:{d.line}:{d.col}: {d.code}{marker} "
            f"{escape_message(d.message)}")


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    for d in diagnostics:
        stream.write(line(d, context.unsafe_fixes) + "\n")
