"""`--statistics`: a count per code instead of the findings, in ruff's shape (itself flake8's).

In `text`, `concise` and `full`, one line per code, the most frequent first (then by code):
the count right-aligned to the widest, a tab, the code padded to the longest, a tab, and when
any finding is fixable a marker (`[*]` every one of the code's findings is fixable with the
options given, `[-]` some are, `[ ]` none), then the rule's name:

    2	TLS101	[*] verify-disabled
    1	TLS401	[ ] unconfigured-session

In `json`, ruff's array: `code`, `name`, `count`, `fixable` (every finding of the code is),
`fixable_count`; `[]` when nothing was found (a parser gets JSON either way), where a table
prints nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Sequence, TextIO

from corptls_lint.ftypes import Diagnostic
from corptls_lint.output.common import fix_applies

TABLE_FORMATS = ("text", "concise", "full")
FORMATS = TABLE_FORMATS + ("json",)


@dataclass(frozen=True)
class CodeCount:
    code: str
    name: str
    count: int
    fixable_count: int


def counts(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool = False) -> List[CodeCount]:
    """One entry per code, the most frequent first, then by code."""
    found = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if fix_applies(d, unsafe_fixes))
    names: Dict[str, str] = {}
    for d in diagnostics:
        names.setdefault(d.code, d.name)
    return [CodeCount(code, names[code], count, fixable[code])
            for code, count in sorted(found.items(), key=lambda item: (-item[1], item[0]))]


def emit(diagnostics: Sequence[Diagnostic], stream: TextIO, output_format: str,
         unsafe_fixes: bool = False) -> None:
    rows = counts(diagnostics, unsafe_fixes)
    if output_format == "json":
        stream.write(json.dumps([{"code": row.code, "name": row.name, "count": row.count,
                                  "fixable": row.fixable_count == row.count,
                                  "fixable_count": row.fixable_count} for row in rows],
                                indent=2) + "\n")
        return
    if not rows:
        return
    count_width = max(len(str(row.count)) for row in rows)
    code_width = max(len(row.code) for row in rows)
    any_fixable = any(row.fixable_count for row in rows)
    for row in rows:
        marker = ""
        if any_fixable:
            marker = ("[*] " if row.fixable_count == row.count
                      else "[-] " if row.fixable_count else "[ ] ")
        stream.write(f"{row.count:>{count_width}}\t{row.code:<{code_width}}\t{marker}{row.name}\n")
