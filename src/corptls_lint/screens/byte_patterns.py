"""The byte screen's patterns: the shapes in which a trigger word counts (`Rule.trigger_patterns`).

Each is a superset of what its rule can report, tested on the raw bytes of every file that
holds the word. They search with `bytes.find` for the word itself and look around each
occurrence, because a regular expression that starts with a look-behind or a character class
is tried at every offset of the file (three times slower on the benchmark corpus).
"""

from __future__ import annotations

import functools
import re
from typing import Optional

# What may stand between a keyword and its `=`: whitespace, a comment, a line continuation.
# A comment runs to the end of its line (the lookahead): the three can then split a gap one
# way only, and a match never backtracks through a long comment (a line of `verify #` repeated
# took minutes).
_GAP = rb"(?:\s|#[^\r\n]*(?![^\r\n])|\\\r?\n)*"
_ASSIGNED_AFTER = re.compile(_GAP + rb"=(?!=)")
# ... but not to True or None (the lookahead holds the gap, so no shorter gap can dodge it),
# unless a conditional follows (`verify=True if secure else False`)
_ASSIGNED_NOT_TRUE_AFTER = re.compile(_GAP + rb"=(?!=)(?!" + _GAP
                                      + rb"(?:True|None)\b(?!" + _GAP + rb"if\b))")
# ... or annotated first (`ctx.minimum_version: TLSVersion = ...`)
_STORED_AFTER = re.compile(_GAP + rb"(?:=(?!=)|:)")
# `("ignore")`, `("ignore", category=Warning)`, `("ignore", urllib3.exceptions.HTTPWarning)`:
# an ignore filter with no category but Warning or urllib3's bases of its warnings
_IGNORES_ALL_AFTER = re.compile(
    rb"\s*\(\s*(?:action\s*=\s*)?[rRuU]?['\"]ignore['\"]\s*(?:\)|,\s*(?:(?:append|lineno)\s*="
    rb"|(?:category\s*=\s*)?(?:\w+\s*\.\s*)*(?:Warning|HTTPWarning|SecurityWarning)\b))")
_CALLED_AFTER = re.compile(rb"(?:\s|\\\r?\n)*\(|\s+as\s")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class WordPattern:
    """`word` as a whole identifier, followed by what `after` matches; or, with `quoted`,
    the word between quotes of either kind. With `dotted`, only an attribute's name counts
    (a `.` before it, across spaces). `search` answers like `re.Pattern.search`: something
    true, or None."""

    __slots__ = ("word", "after", "quoted", "whole", "dotted")

    def __init__(self, word: bytes, after: "re.Pattern[bytes]", quoted: bool = False,
                 whole: bool = True, dotted: bool = False) -> None:
        self.word = word
        self.after = after
        self.quoted = quoted
        self.whole = whole  # the byte before the word must not be part of an identifier
        self.dotted = dotted

    def search(self, data: bytes) -> Optional[bool]:
        word, find, match = self.word, data.find, self.after.match
        line = _LineState(data)
        at = find(word)
        while at >= 0:
            end = at + len(word)
            if (not self.whole or at == 0 or data[at - 1] not in _WORD_BYTES) and (
                    not self.dotted or _after_dot(data, at)):
                # what follows is looked at within a window: a gap that fills it counts (the
                # screen keeps what it cannot rule out), and no occurrence costs more than it.
                # The gap pattern matches the empty string too: its match is never None.
                window = end + _WINDOW
                if (match(data, end, window) or (
                        window < len(data) and _GAP_RE.match(  # type: ignore[union-attr]
                            data, end, window).end() == window)
                        ) and not line.in_comment(at):
                    return True
            at = find(word, at + 1)
        if self.quoted and (b'"' + word + b'"' in data or b"'" + word + b"'" in data):
            return True
        return None

    def __repr__(self) -> str:
        return f"WordPattern({self.word!r}, quoted={self.quoted})"


def _after_dot(data: bytes, at: int) -> bool:
    """A `.` ends the text before `at`, but for spaces, tabs and line continuations."""
    before = data[max(0, at - _WINDOW):at].rstrip(b" \t\\\r\n")
    return before.endswith(b".")


# How far past an occurrence its pattern looks (bytes): more than any gap in real code
# between a keyword and its `=`, and small enough that a line of thousands of occurrences
# in a long comment costs little.
_WINDOW = 256
_GAP_RE = re.compile(_GAP)


class _LineState:
    """Whether an occurrence is in a comment: the line before it holds a `#` and no quote
    (outside a string, that `#` starts one; inside one, no quote on the line closes it). A `#`
    after a quote may be inside a string (`"https://h/#top"`), so such an occurrence counts.
    Asked at increasing offsets, it looks at each byte of the file at most twice, however many
    occurrences share a line."""

    __slots__ = ("data", "scanned", "hashed", "quoted")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scanned = 0  # the line's bytes before this offset are accounted for
        self.hashed = self.quoted = False

    def in_comment(self, at: int) -> bool:
        data, start = self.data, self.scanned
        if at > start:
            line_break = max(data.rfind(b"\n", start, at), data.rfind(b"\r", start, at))
            if line_break >= 0:  # a new line began since the last occurrence
                start = line_break + 1
                self.hashed = self.quoted = False
            self.hashed = self.hashed or data.find(b"#", start, at) >= 0
            self.quoted = (self.quoted or data.find(b'"', start, at) >= 0
                           or data.find(b"'", start, at) >= 0)
            self.scanned = at
        return self.hashed and not self.quoted


@functools.lru_cache(maxsize=None)
def assigned(word: str, quoted: bool = False, insecure_if_true: bool = True) -> WordPattern:
    """`word` as a whole identifier followed by `=` but not `==` (a keyword or an attribute
    store, also across whitespace, comments and line continuations), or with `quoted`, the word
    in quotes (a `**{"verify": ...}` key). `hostkey_verify=` is another keyword, so it does not
    count for `verify`. Without `insecure_if_true` (a switch whose insecure values are falsy,
    a path or CERT_NONE), `word=True` and `word=None` do not count either. One object per
    word, so the screen searches it once per file."""
    after = _ASSIGNED_AFTER if insecure_if_true else _ASSIGNED_NOT_TRUE_AFTER
    return WordPattern(word.encode(), after, quoted)


@functools.lru_cache(maxsize=None)
def stored(word: str, quoted: bool = False, dotted: bool = False) -> WordPattern:
    """`word` as a whole identifier followed by `=` (not `==`) or by an annotation's `:`: a
    store to an attribute or name of that name, or a keyword; with `quoted`, also the word in
    quotes (`setattr(ctx, "word", ...)`); with `dotted`, only a store to an attribute. A read
    (`x.word`, a decorator `@utils.word('1.25')`, a call) does not count."""
    return WordPattern(word.encode(), _STORED_AFTER, quoted, dotted=dotted)


@functools.lru_cache(maxsize=None)
def called(word: str) -> WordPattern:
    """A callee: `word` followed by `(` (across whitespace and line continuations), or
    imported under another name (`word as alias`)."""
    return WordPattern(word.encode(), _CALLED_AFTER, whole=False)


@functools.lru_cache(maxsize=None)
def ignores_all(word: str) -> WordPattern:
    """A warnings filter call, `word(...)`, whose action is "ignore" and whose category, if
    any, is `Warning` or urllib3's `HTTPWarning` / `SecurityWarning`: a filter that hides
    every warning, InsecureRequestWarning included. A filter of another category does not
    count."""
    return WordPattern(word.encode(), _IGNORES_ALL_AFTER)
