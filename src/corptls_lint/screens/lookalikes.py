"""Names spelled with look-alike characters: Python reads an identifier NFKC-normalised
(PEP 3131), so `requests.ｇet(u, ｖerify=False)` runs as `requests.get(u, verify=False)`.

The screens search text for words (the byte screen's trigger words, the names the slicing
follows, a fix's names), and a file that spells a word otherwise does not hold it as written.
`ftypes.identifier` normalises one name; this module tells which texts need it at all.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Dict, Optional

from corptls_lint.source.decoding import DecodeError, decode_source

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_RESPELLS: Dict[str, bool] = {}  # character -> whether its NFKC form holds an ASCII word character


def spelled_otherwise(text: str) -> bool:
    """Whether a word of `text` may be read by Python other than as written: the text is not
    NFKC-normalised already (ASCII, and most accented or CJK text, is)."""
    return not text.isascii() and not unicodedata.is_normalized("NFKC", text)


def respelled(data: bytes) -> Optional[bytes]:
    """The file's text NFKC-normalised (UTF-8) when Python may read an ASCII word in it that
    its bytes do not hold: it has a character whose NFKC form holds an ASCII letter, digit or
    underscore (`ｖ`, `ﬁ`, `²`). None otherwise: ASCII at the cost of one `isascii`, and text
    whose other characters (accents, CJK, quotes, emoji) never spell a trigger word.
    Undecodable bytes: None (they are TLS001)."""
    if data.isascii():
        return None
    return _respelled(data)


@functools.lru_cache(maxsize=4)  # the runner's screen asks twice per file (words, forced rules)
def _respelled(data: bytes) -> Optional[bytes]:
    try:
        text = decode_source(data)
    except DecodeError:
        return None
    # text NFKC-normalised already is cheap to tell (506 files of the TLS corpus are not
    # ASCII, 69 of them not NFKC, 29 with a look-alike); then per character, since NFKC never
    # composes non-ASCII characters into an ASCII one
    if not spelled_otherwise(text) or not any(
            map(_respells, set("".join(_NON_ASCII.findall(text))))):
        return None
    return unicodedata.normalize("NFKC", text).encode("utf-8", "surrogatepass")


def _respells(char: str) -> bool:
    known = _RESPELLS.get(char)
    if known is None:
        known = _RESPELLS[char] = any(part.isascii() and (part.isalnum() or part == "_")
                                      for part in unicodedata.normalize("NFKC", char))
    return known
