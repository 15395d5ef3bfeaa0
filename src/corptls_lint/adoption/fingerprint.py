"""A finding's fingerprint: a hash of the normalised source of the statement it is in.

Lines move when code is added above a finding, and comments and spacing change under
formatters; the tokens of the statement do not. A baseline keys its entries by this, and SARIF's
partialFingerprints can use it for the same reason. For a compound statement (`with`, `def`,
`if`) the statement is its header only, so editing its body does not change the fingerprint.
"""

from __future__ import annotations

import ast
import hashlib
import io
import textwrap
import tokenize
import warnings
from typing import Dict, List, Optional, Tuple

from corptls_lint.source.decoding import split_lines

_SKIPPED_TOKENS = frozenset((tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                             tokenize.DEDENT, tokenize.ENDMARKER))


class Fingerprinter:
    """Fingerprints of lines of one source text; the text is parsed once, on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        self._ranges: Optional[List[Tuple[int, int]]] = None
        self._cache: Dict[int, str] = {}

    def fingerprint(self, line: int) -> str:
        known = self._cache.get(line)
        if known is None:
            first, last = self.statement_lines(line)
            source = "\n".join(self.lines[first - 1:last])
            known = self._cache[line] = _digest(normalise(source))
        return known

    def statement_lines(self, line: int) -> Tuple[int, int]:
        """The first and last line of the innermost statement (or compound header) holding
        `line`; the line alone when the text does not parse."""
        if self._ranges is None:
            self._ranges = _statement_ranges(self.text)
        best = (line, line)
        for first, last in self._ranges:
            if first <= line <= last and (best == (line, line) or last - first <= best[1] - best[0]):
                best = (first, last)
        return best


def statement_fingerprint(text: str, line: int) -> str:
    """The fingerprint of the statement holding `line` (1-based) in `text`."""
    return Fingerprinter(text).fingerprint(line)


def normalise(source: str) -> str:
    """The statement's tokens joined by single spaces: no comments, indentation or line breaks."""
    dedented = textwrap.dedent(source)
    try:
        tokens = tokenize.generate_tokens(io.StringIO(dedented + "\n").readline)
        return " ".join(token.string for token in tokens if token.type not in _SKIPPED_TOKENS)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return " ".join(dedented.split())


def _digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _statement_ranges(text: str) -> List[Tuple[int, int]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    ranges = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
        last = node.end_lineno or node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:  # a compound statement: its header only
            last = max(first, body[0].lineno - 1)
        ranges.append((first, last))
    return ranges
