"""How findings are printed. `text` is flake8's default shape, byte for byte, when piped."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Sequence, TextIO

from corptls_lint.ftypes import Diagnostic


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


def write_statistics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    """`--statistics`: a count per code, as ruff prints it."""
    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    for code, count in sorted(counts.items()):
        stream.write(f"{count:>5}\t{code}\t{names[code]}\n")


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
