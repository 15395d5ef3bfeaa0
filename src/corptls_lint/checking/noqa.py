"""`# noqa` comments, read exactly as flake8 reads them (flake8/defaults.py and violation.py),
and the file-level directives that skip a file (`# flake8: noqa`, `# corptls-lint: noqa`).

The pattern is flake8's own, restated rather than imported: flake8 documents no public API for
it (`flake8.defaults` is internal), and importing that module costs 13 ms (its package sets up
logging) in every process that checks a file with a finding, against a one-file check of about
0.2 s. tests/test_noqa.py compares this pattern with the installed flake8's, so a change in
flake8's grammar fails the suite instead of drifting.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

from corptls_lint.source.decoding import LINE_BREAK, DecodeError, decode_source

# flake8's NOQA_INLINE_REGEXP: `# noqa`, `# noqa: E1,W2`, `# NOQA:E1`; codes are letters+digits.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,\s]")
# flake8's NOQA_FILE, matched at the start of each physical line (processor.should_ignore_file):
# a line that is only `# flake8: noqa` or `# flake8=noqa`, anything after it included (flake8
# skips the file for `# flake8: noqa: E501` too); on a line with code it is not a directive.
_FLAKE8_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.I)
# Ours, on a line of its own: `# corptls-lint: noqa` skips the file; `# corptls-lint: noqa:
# TLS101,TLS2` leaves those codes (or prefixes) out of it, as ruff's `# ruff: noqa: F401` does.
# The codes are read as `# noqa: CODES` reads them: without the colon, or with no code flake8's
# grammar accepts, the comment covers everything.
_OWN_FILE = re.compile(r"\s*#\s*corptls-lint\s*[:=]\s*noqa"
                       r"(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.I)
# What a file must contain for either directive to be there, searched in its lower-cased text
# (the directives are case-insensitive): a file without one never pays for decoding or
# splitting its lines. Lower-casing, then two substring tests, costs a tenth of one
# case-insensitive regular expression over the whole file.
_HINT = r"(?:flake8|corptls-lint)\s*[:=]\s*noqa"
_FILE_DIRECTIVE_HINT = re.compile(_HINT)
_FILE_DIRECTIVE_HINT_BYTES = re.compile(_HINT.encode())


@dataclass(frozen=True)
class FileExemption:
    """What a file-level directive leaves out: every code (`codes` empty), or these codes and
    the codes they are prefixes of."""

    codes: Tuple[str, ...] = ()

    @property
    def whole_file(self) -> bool:
        return not self.codes

    def covers(self, code: str) -> bool:
        return self.whole_file or code.startswith(self.codes)


def file_exemption(source: Union[str, bytes], flake8: bool = True) -> Optional[FileExemption]:
    """The file-level directives of a file, if any: `# flake8: noqa` exactly as flake8 reads it
    (`flake8`: False where flake8 itself has read it already: the plugin) and ours. A directive
    for the whole file wins over directives for codes; codes of several directives add up."""
    if not _may_hold_directive(source):
        return None
    text = _directive_text(source)
    codes: List[str] = []
    for line in LINE_BREAK.split(text):
        if flake8 and _FLAKE8_FILE.match(line):
            return FileExemption()
        own = _OWN_FILE.match(line)
        if own is not None:
            listed = own.group("codes")
            if listed is None:
                return FileExemption()
            codes.extend(item for item in _SEPARATORS.split(listed) if item)
    return FileExemption(tuple(dict.fromkeys(codes))) if codes else None


def _may_hold_directive(source: Union[str, bytes]) -> bool:
    if isinstance(source, bytes):
        data = source.lower()
        return (b"noqa" in data and (b"flake8" in data or b"corptls-lint" in data)
                and _FILE_DIRECTIVE_HINT_BYTES.search(data) is not None)
    text = source.lower()
    return ("noqa" in text and ("flake8" in text or "corptls-lint" in text)
            and _FILE_DIRECTIVE_HINT.search(text) is not None)


def _directive_text(source: Union[str, bytes]) -> str:
    """The text flake8 would read the directives in: the file decoded as Python decodes it,
    else (flake8's fallback) as latin-1; without a byte order mark."""
    if isinstance(source, str):
        text = source
    else:
        try:
            text = decode_source(source)
        except DecodeError:
            text = source.decode("latin-1")
            return text[3:] if text.startswith("\xef\xbb\xbf") else text
    return text[1:] if text.startswith("\ufeff") else text


def silences(physical_line: str, code: str) -> bool:
    """True when the line's noqa comment covers `code` (a listed code or a prefix of it)."""
    match = _NOQA.search(physical_line)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = {item.strip() for item in _SEPARATORS.split(codes_text) if item.strip()}
    return code in codes or code.startswith(tuple(codes))


def noqa_line_ranges(text: str) -> Dict[int, Tuple[int, int]]:
    """For each line of a token range that spans several lines (a multi-line string, a
    backslash continuation), the range's first and last line: flake8 looks for `# noqa` in all
    of the range's lines (flake8/processor.py `_noqa_line_mapping`). Lines not listed are
    checked alone. Empty when the text does not tokenize."""
    ranges: Dict[int, Tuple[int, int]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return ranges
    first, last = None, -1
    for token in tokens:
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first = token.start[0] if first is None else min(first, token.start[0])
        last = max(last, token.end[0])
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            if last > first:
                for line in range(first, last + 1):
                    ranges[line] = (first, last)
            first, last = None, -1
    return ranges


class NoqaLines:
    """Whether a finding on a line is silenced, reading the lines flake8 reads for it."""

    def __init__(self, lines: List[str], text: str,
                 statements: Optional[Sequence[Tuple[int, int]]] = None) -> None:
        """`statements`: the (first, last) lines of each top-level statement, in order. A token
        never crosses from one to the next, so then only the statement around a finding is
        tokenized, not the whole file."""
        self.lines = lines
        self.text = text
        self.statements = statements
        self._ranges: Optional[Dict[int, Tuple[int, int]]] = None
        self._tokenized: Dict[int, Dict[int, Tuple[int, int]]] = {}  # statement -> its ranges
        self._has_noqa: Optional[bool] = None

    def silences(self, line: int, code: str) -> bool:
        if line > len(self.lines):
            return False
        if silences(self.lines[line - 1], code):
            return True
        if "\\" not in self.text and '"""' not in self.text and "'''" not in self.text:
            return False  # no token can span lines: the physical line was all there was
        if self._has_noqa is None:  # tokenizing a whole file costs more than linting it
            self._has_noqa = _NOQA.search(self.text) is not None
        if not self._has_noqa:
            return False
        first, last = self._ranges_of(line).get(line, (line, line))
        return first != last and silences("\n".join(self.lines[first - 1:last]), code)

    def _ranges_of(self, line: int) -> Dict[int, Tuple[int, int]]:
        if self.statements is not None:
            index = bisect.bisect_right(self.statements, (line, float("inf"))) - 1
            if index >= 0 and self.statements[index][0] <= line <= self.statements[index][1]:
                ranges = self._tokenized.get(index)
                if ranges is None:
                    first, last = self.statements[index]
                    text = "\n".join(self.lines[first - 1:last]) + "\n"
                    ranges = self._tokenized[index] = {
                        number + first - 1: (start + first - 1, end + first - 1)
                        for number, (start, end) in noqa_line_ranges(text).items()}
                return ranges
        if self._ranges is None:
            self._ranges = noqa_line_ranges(self.text)
        return self._ranges
