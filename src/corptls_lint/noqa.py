"""`# noqa` comments, read exactly as flake8 reads them (flake8/defaults.py and violation.py)."""

from __future__ import annotations

import re

# flake8's NOQA_INLINE_REGEXP: `# noqa`, `# noqa: E1,W2`, `# NOQA:E1`; codes are letters+digits.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,\s]")


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
