"""Text as an editor addresses it: lines split where the Language Server Protocol splits them
(`\\n`, `\\r\\n`, `\\r`, nothing else: not `str.splitlines`' form feed or U+2028), columns in
the client's units, and the smallest edits that turn one text into another.

A fix is computed as a whole new text (the fixer's); `minimal_edits` turns the before and
after texts into the edits an editor applies: a line diff (difflib), each changed run of lines
trimmed to the characters that differ, so a quick fix for `verify=False` is one edit of
`False`, and the cursor, folds and marks elsewhere in the buffer stay where they were.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import List, Optional

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

# The position encodings of LSP 3.17 (`PositionEncodingKind`); UTF-16 is the protocol's default.
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


@dataclass(frozen=True)
class Position:
    """0-based line and column; the column in code points (as Python indexes a str)."""

    line: int
    col: int


@dataclass(frozen=True)
class TextEdit:
    """Replace the text from `start` to `end` (exclusive) with `new_text`."""

    start: Position
    end: Position
    new_text: str


def split_lines(text: str) -> List[str]:
    """The lines of `text`, each with its line break, as an editor numbers them."""
    return _LINE.findall(text)


def line_contents(text: str) -> List[str]:
    """The lines of `text` without their line breaks; a text ending in a line break has an
    empty last line, where an editor puts the cursor after it."""
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    if not lines or text.endswith(("\n", "\r")):
        lines.append("")
    return lines


def client_column(line: str, col: int, encoding: str = UTF16) -> int:
    """Code-point column `col` of `line` in the client's units."""
    prefix = line[:col]
    if encoding == UTF32 or prefix.isascii():
        return len(prefix)
    if encoding == UTF8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def server_column(line: str, units: int, encoding: str = UTF16) -> int:
    """The code-point column of a column in the client's units (clamped to the line)."""
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        counted += (len(char.encode("utf-8", "surrogatepass")) if encoding == UTF8
                    else 2 if ord(char) > 0xFFFF else 1)
    return len(line)


def minimal_edits(before: str, after: str) -> List[TextEdit]:
    """The edits, in document order and not overlapping, that turn `before` into `after`."""
    old, new = split_lines(before), split_lines(after)
    starts = _line_starts(old)
    edits: List[TextEdit] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits += _replaced(old, new, starts, i1, i2, j1, j2)
    merged: List[TextEdit] = []
    for edit in edits:  # edits that touch are one (two insertions at one place, say)
        if merged and merged[-1].end == edit.start:
            merged[-1] = TextEdit(merged[-1].start, edit.end, merged[-1].new_text + edit.new_text)
        else:
            merged.append(edit)
    return merged


# A changed line is edited within itself when it is at least this similar to its new text
# (difflib.Differ's cutoff); a block of more line pairs than MAX_PAIRS is one edit.
_SIMILAR = 0.75
_MAX_PAIRS = 400


def _replaced(old: List[str], new: List[str], starts: List[int],
              i1: int, i2: int, j1: int, j2: int) -> List[TextEdit]:
    """Lines old[i1:i2] became new[j1:j2]: as Differ does, the most similar pair of lines
    is edited within itself (an import added above `verify=False` -> `verify=CA_BUNDLE` is
    two edits, not one of both lines), the lines before and after it in turn."""
    pair, best = None, _SIMILAR
    if 0 < (i2 - i1) * (j2 - j1) <= _MAX_PAIRS:
        for j in range(j1, j2):
            for i in range(i1, i2):
                matcher = difflib.SequenceMatcher(None, old[i], new[j], autojunk=False)
                if (matcher.real_quick_ratio() > best and matcher.quick_ratio() > best
                        and matcher.ratio() > best):
                    pair, best = (i, j), matcher.ratio()
    if pair is None:
        edit = _chunk(old, new, starts, i1, i2, j1, j2)
        return [edit] if edit is not None else []
    i, j = pair
    edits = _replaced(old, new, starts, i1, i, j1, j)
    edit = _chunk(old, new, starts, i, i + 1, j, j + 1)
    if edit is not None:
        edits.append(edit)
    return edits + _replaced(old, new, starts, i + 1, i2, j + 1, j2)


def _chunk(old: List[str], new: List[str], starts: List[int],
           i1: int, i2: int, j1: int, j2: int) -> Optional[TextEdit]:
    """One edit for old[i1:i2] -> new[j1:j2], trimmed to the characters that differ."""
    removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
    if removed == added:
        return None
    head = _common_prefix(removed, added)
    tail = _common_suffix(removed[head:], added[head:])
    start = starts[i1] + head
    end = starts[i1] + len(removed) - tail
    return TextEdit(_position(old, starts, start), _position(old, starts, end),
                    added[head:len(added) - tail])


def apply_edits(text: str, edits: List[TextEdit]) -> str:
    """`text` with `edits` (in document order, not overlapping) applied: what an editor does,
    for the tests and as a check of `minimal_edits`."""
    lines = split_lines(text)
    starts = _line_starts(lines)
    pieces, done = [], 0
    for edit in edits:
        start, end = _offset(lines, starts, edit.start), _offset(lines, starts, edit.end)
        pieces += [text[done:start], edit.new_text]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _line_starts(lines: List[str]) -> List[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    starts.append(offset)  # the end of the text: where a line added after the last one goes
    return starts


def _position(lines: List[str], starts: List[int], offset: int) -> Position:
    """The position of character `offset`; past a last line that ends in a line break, the
    empty line after it."""
    import bisect

    line = bisect.bisect_right(starts, offset) - 1
    if line >= len(lines):  # the end of the text
        if lines and not lines[-1].endswith(("\n", "\r")):
            return Position(len(lines) - 1, len(lines[-1]))
        return Position(len(lines), 0)
    col = offset - starts[line]
    content = lines[line].rstrip("\r\n")
    if col > len(content):  # inside a `\r\n`: an editor has no position there
        return Position(line + 1, 0)
    return Position(line, col)


def _offset(lines: List[str], starts: List[int], position: Position) -> int:
    if position.line >= len(lines):
        return starts[-1]
    content = lines[position.line].rstrip("\r\n")
    return starts[position.line] + min(position.col, len(content))


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    # never split a `\r\n`: an editor cannot address the place between its two characters
    if 0 < count < len(a) and a[count - 1] == "\r" and a[count] == "\n":
        count -= 1
    return count


def _common_suffix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        count += 1
    if 0 < count < len(a) and a[len(a) - count] == "\n" and a[len(a) - count - 1] == "\r":
        count -= 1
    return count

