"""`html`: the migration report, one self-contained page (`-o report.html`) for the people who
plan the work: totals by code and by folder, a bar chart per code, findings in tests versus the
rest, the files with the most findings, and every finding with its source lines and its fix as
a diff. No network: inline styles only, and a Content-Security-Policy that forbids the rest.
"""

from __future__ import annotations

import os
import typing
from collections import Counter
from html import escape
from typing import List, Sequence, TextIO, TypedDict

from corptls_lint import __version__
from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import (TOOL_NAME, EmitContext, by_file, fix_diff, help_uri,
                                        is_test_path, root_relative)

TOP_FILES = 10
SOURCE_CONTEXT = 1

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}
.meta{color:#59636e}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;text-align:left;
border-bottom:1px solid #eaeef2}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#cf222e;height:.9rem;border-radius:2px;min-width:2px}
.chart td.b{width:28rem}
.finding{border:1px solid #d0d7de;border-radius:6px;margin:.8rem 0;overflow:hidden}
.finding h3{font-size:.95rem;margin:0;padding:.4rem .7rem;background:#f6f8fa;
font-family:ui-monospace,monospace;font-weight:600}
pre{margin:0;padding:.4rem .7rem;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;
overflow-x:auto}.src .hit{background:#fff8c5}.ln{color:#8c959f;user-select:none}
.diff .del{background:#ffebe9}.diff .add{background:#dafbe1}
.tag{font-size:.75rem;border-radius:1rem;padding:0 .5rem;margin-left:.4rem;
border:1px solid #d0d7de}.fixnote{padding:.3rem .7rem;color:#59636e}
"""


def folder_of(path: str) -> str:
    folder = os.path.dirname(path)
    return folder.replace(os.sep, "/") if folder else "."


def in_tests(d: Diagnostic, context: EmitContext) -> bool:
    """Test code or not, by the path from the repository root (`tests/` is a test folder
    even when the run starts inside it)."""
    return is_test_path(root_relative(d.path, context.root, context.cwd) or d.path)


# What the report counts (functional syntax: "non-tests" is no identifier; typing.Counter:
# evaluated at import, on Python 3.9 too).
Totals = TypedDict("Totals", {
    "findings": int, "files": int, "fixable": int, "tests": int, "non-tests": int,
    "by_code": typing.Counter[str], "by_folder": typing.Counter[str],
    "by_file": typing.Counter[str]})


def totals(diagnostics: Sequence[Diagnostic], context: EmitContext) -> Totals:
    """What the report counts, in one place (the test reads the same numbers on the page)."""
    tests = sum(1 for d in diagnostics if in_tests(d, context))
    return {
        "findings": len(diagnostics),
        "files": len({d.path for d in diagnostics}),
        "fixable": sum(1 for d in diagnostics if d.fix is not None),
        "tests": tests,
        "non-tests": len(diagnostics) - tests,
        "by_code": Counter(d.code for d in diagnostics),
        "by_folder": Counter(folder_of(d.path) for d in diagnostics),
        "by_file": Counter(d.path for d in diagnostics),
    }


def _card(key: str, label: str, value: int) -> str:
    return f'<div class="card"><b data-total="{key}">{value}</b>{escape(label)}</div>'


def _code_chart(diagnostics: Sequence[Diagnostic], by_code: Counter[str],
                context: EmitContext) -> List[str]:
    names = {d.code: d.name for d in diagnostics}
    fixable = Counter(d.code for d in diagnostics if d.fix is not None)
    tests = Counter(d.code for d in diagnostics if in_tests(d, context))
    most = max(by_code.values(), default=1)
    rows = ['<table class="chart"><tr><th>code</th><th>name</th><th>findings</th>'
            '<th>fixable</th><th>in tests</th><th></th></tr>']
    for code, count in sorted(by_code.items(), key=lambda item: (-item[1], item[0])):
        width = 100 * count / most
        rows.append(
            f'<tr data-code="{escape(code)}"><td><a href="{escape(help_uri(code))}">'
            f'{escape(code)}</a></td><td>{escape(names[code])}</td>'
            f'<td class="n" data-count="{escape(code)}">{count}</td>'
            f'<td class="n">{fixable[code]}</td><td class="n">{tests[code]}</td>'
            f'<td class="b"><div class="bar" style="width:{width:.1f}%" '
            f'title="{escape(code)}: {count}"></div></td></tr>')
    rows.append("</table>")
    return rows


def _count_table(title: str, key: str, counts: Counter[str], limit: int = 0) -> List[str]:
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if limit:
        items = items[:limit]
    rows = [f'<table data-table="{key}"><tr><th>{escape(title)}</th><th>findings</th></tr>']
    rows += [f'<tr><td>{escape(name)}</td><td class="n" data-{key}="{escape(name)}">{count}'
             "</td></tr>" for name, count in items]
    rows.append("</table>")
    return rows


def _source(d: Diagnostic, lines: List[str]) -> str:
    first = max(1, d.line - SOURCE_CONTEXT)
    last = min(len(lines), max(d.end_line, d.line) + SOURCE_CONTEXT)
    width = len(str(last))
    out = []
    for number in range(first, last + 1):
        hit = d.line <= number <= max(d.end_line, d.line)
        text = escape(lines[number - 1])
        line = f'<span class="ln">{number:>{width}} </span>{text}'
        out.append(f'<span class="hit">{line}</span>' if hit else line)
    return '<pre class="src">' + "\n".join(out) + "</pre>"


def _diff(d: Diagnostic, lines: List[str]) -> str:
    changes = ([f"+{line}" for line in d.fix.import_statement.splitlines()]
               if d.fix and d.fix.import_statement else [])
    changes += fix_diff(d, lines)
    if not changes:
        return ""
    rendered = [f'<span class="{"add" if c.startswith("+") else "del"}">{escape(c)}</span>'
                for c in changes]
    return '<pre class="diff">' + "\n".join(rendered) + "</pre>"


def _finding(d: Diagnostic, context: EmitContext) -> str:
    lines = context.lines(d.path) or []
    parts = [f'<div class="finding" data-finding="{escape(d.code)}">',
             f"<h3>{escape(d.path)}:{d.line}:{d.col} {escape(d.code)} {escape(d.message)}"]
    if in_tests(d, context):
        parts.append('<span class="tag">test</span>')
    parts.append("</h3>")
    if lines and 1 <= d.line <= len(lines):
        parts.append(_source(d, lines))
    if d.fix is not None:
        parts.append(f'<div class="fixnote">fix ({escape(d.fix.applicability.value)}): '
                     f"{escape(d.fix.description)}</div>")
        parts.append(_diff(d, lines))
    elif d.fix_needs:
        parts.append(f'<div class="fixnote">fixable once <code>{escape(d.fix_needs)}</code> '
                     "is configured</div>")
    parts.append("</div>")
    return "".join(parts)


def page(diagnostics: Sequence[Diagnostic], context: EmitContext) -> str:
    counted = totals(diagnostics, context)
    body: List[str] = [
        f"<h1>{TOOL_NAME} migration report</h1>",
        f'<p class="meta">{TOOL_NAME} {escape(__version__)} · run in '
        f"<code>{escape(os.path.basename(context.cwd) or context.cwd)}</code></p>",
        '<div class="cards">',
        _card("findings", "findings", counted["findings"]),
        _card("files", "files with findings", counted["files"]),
        _card("fixable", "fixable with the current config", counted["fixable"]),
        _card("non-tests", "in application code", counted["non-tests"]),
        _card("tests", "in tests", counted["tests"]),
        "</div>",
        "<h2>By code</h2>", *_code_chart(diagnostics, counted["by_code"], context),
        "<h2>By folder</h2>", *_count_table("folder", "folder", counted["by_folder"]),
        f"<h2>Top {TOP_FILES} files</h2>",
        *_count_table("file", "file", counted["by_file"], TOP_FILES),
        "<h2>Findings</h2>",
    ]
    for path, findings in by_file(diagnostics):
        body.extend(_finding(d, context) for d in findings)
    if not diagnostics:
        body.append("<p>No findings.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{TOOL_NAME} migration report</title><style>{_STYLE}</style></head>"
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, context: EmitContext) -> None:
    stream.write(page(diagnostics, context))
