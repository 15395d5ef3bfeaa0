"""`--add-noqa`: silence every current finding with a `# noqa: CODE` comment, as ruff does.

The comment goes on the line flake8 reads for the finding (the last line of a multi-line
string or backslash continuation, where a comment can stand), merges with a `# noqa: E501`
already there, and leaves every other byte alone: encoding, BOM and line endings are kept, and
the write goes through writer.py. A second run finds nothing to add and changes nothing.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from typing import Dict, List, Sequence, Set, Tuple

from corptls_lint.checking.noqa import _NOQA, noqa_line_ranges, silences
from corptls_lint.ftypes import Diagnostic
from corptls_lint.source.decoding import DecodeError

# A finding that is not about a line of code cannot be silenced on one.
_UNSILENCEABLE = ("TLS000", "TLS001")
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|)")


def add_noqa(diagnostics: Sequence[Diagnostic]) -> Tuple[int, int]:
    """Add the comments; returns (comments added or extended, files changed)."""
    by_file: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for diagnostic in diagnostics:
        if diagnostic.code not in _UNSILENCEABLE:
            by_file[diagnostic.path][diagnostic.line].add(diagnostic.code)
    added = files = 0
    for path in sorted(by_file):
        from corptls_lint.source.writer import WriteError

        try:
            count = _add_to_file(path, by_file[path])
        except (OSError, DecodeError, WriteError) as error:
            sys.stderr.write(f"{path}: --add-noqa: cannot rewrite: {error}\n")
            continue
        if count:
            added += count
            files += 1
    return added, files


def _add_to_file(path: str, codes_by_line: Dict[int, Set[str]]) -> int:
    from corptls_lint.source import writer

    source = writer.read_source(path)
    text = add_to_text(source.text, codes_by_line)
    if text == source.text:
        return 0
    writer.write_source(source, text)
    return len(_target_lines(source.text, codes_by_line))


def add_to_text(text: str, codes_by_line: Dict[int, Set[str]]) -> str:
    """`text` with the codes added to the noqa comment of the lines flake8 reads for them."""
    pieces = [(m.group(1), m.group(2)) for m in _LINE.finditer(text)]
    if pieces and pieces[-1] == ("", ""):
        pieces.pop()
    for target, codes in _target_lines(text, codes_by_line).items():
        if target > len(pieces):
            continue
        content, ending = pieces[target - 1]
        missing = sorted(code for code in codes if not silences(content, code))
        if missing:
            pieces[target - 1] = (merge_noqa(content, missing), ending)
    return "".join(content + ending for content, ending in pieces)


def _target_lines(text: str, codes_by_line: Dict[int, Set[str]]) -> Dict[int, Set[str]]:
    ranges = noqa_line_ranges(text)
    targets: Dict[int, Set[str]] = defaultdict(set)
    for line, codes in codes_by_line.items():
        targets[ranges.get(line, (line, line))[1]] |= codes
    return targets


def merge_noqa(line: str, codes: List[str]) -> str:
    """Add `codes` to the line's `# noqa: A1,B2` (kept in its own spacing), or append
    `  # noqa: CODES`. A bare `# noqa` already silences everything."""
    match = _NOQA.search(line)
    if match is not None:
        if match.group("codes") is None:
            return line
        existing = match.group("codes").rstrip(", \t")
        separator = ", " if ", " in existing else ","
        end = match.start("codes") + len(existing)
        return line[:end] + separator + separator.join(codes) + line[end:]
    return line.rstrip(" \t") + "  # noqa: " + ",".join(codes)
