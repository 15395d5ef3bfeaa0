"""`github`: GitHub Actions workflow commands, shown as annotations on the pull request's diff.

`file=` must be relative to the checkout without `./` (annotations with a `./` prefix do not
attach to the diff), so it is the repository-relative path when the file is in the repository.
"""

from __future__ import annotations

from typing import Sequence, TextIO

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import TOOL_NAME, EmitContext, is_run_problem, root_relative


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic, path: str = "") -> str:
    """`::warning file=a.py,line=3,endLine=3,col=17,endColumn=29,title=corptls-lint (TLS101)::
    message` (an error for TLS000/TLS001)."""
    level = "error" if is_run_problem(d) else "warning"
    where = f"line={d.line},"
    if d.end_line:
        where += f"endLine={d.end_line},"
    where += f"col={d.col},"
    if d.end_line:
        where += f"endColumn={d.end_col},"
    title = f"{TOOL_NAME} ({d.code})"
    return (f"::{level} file={_escape_property(path or d.path)},{where}"
            f"title={_escape_property(title)}::{_escape_data(d.code + ' ' + d.message)}")


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    for d in diagnostics:
        path = root_relative(d.path, context.root, context.cwd) or d.path
        stream.write(github_line(d, path) + "\n")
