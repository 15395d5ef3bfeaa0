"""`text`: flake8's default shape, `path:LINE:COL: CODE message`, byte for byte when plain; in
colour, the same lines, and in a terminal a table of counts per code after them."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Sequence, TextIO, Tuple

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import EmitContext, escape_message, escape_path

if TYPE_CHECKING:  # rich loads only where colour is asked for
    from rich.console import Console, JustifyMethod
    from rich.table import Table


def line(d: Diagnostic) -> str:
    """One finding; a path or message cannot forge another line (see escape_path)."""
    return f"{escape_path(d.path)}:{d.line}:{d.col}: {d.code} {escape_message(d.message)}"


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    if not context.color:
        for d in diagnostics:
            stream.write(line(d) + "\n")
        return
    from rich.markup import escape

    console = rich_console(stream, context)
    for d in diagnostics:
        console.print(f"[bold]{escape(escape_path(d.path))}[/bold][cyan]:[/cyan]{d.line}"
                      f"[cyan]:[/cyan]{d.col}[cyan]:[/cyan] [bold red]{d.code}[/bold red] "
                      f"{escape(escape_message(d.message))}")
    if diagnostics and context.terminal:  # never into a pipe, even with --color always
        console.print()
        console.print(summary_table(diagnostics))


def rich_console(stream: TextIO, context: EmitContext) -> Console:
    """A rich console that colours exactly when asked (NO_COLOR was weighed by the caller)."""
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True,
                   no_color=False, color_system="auto" if context.terminal else "standard")


def summary_table(diagnostics: Sequence[Diagnostic]) -> Table:
    """Counts per code for a person at a terminal."""
    from rich.table import Table

    table = Table(title=None, show_edge=False, header_style="bold")
    columns: Tuple[Tuple[str, JustifyMethod], ...] = (
        ("code", "left"), ("name", "left"), ("count", "right"), ("fixable", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    counts = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fix is not None)
    names = {d.code: d.name for d in diagnostics}
    for code in sorted(counts):
        table.add_row(code, names[code], str(counts[code]), str(fixable[code]))
    return table
