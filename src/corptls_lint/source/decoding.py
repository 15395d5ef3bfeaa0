"""Bytes to text the way Python reads a source file: BOM, then a PEP 263 coding line, else UTF-8."""

from __future__ import annotations

import io
import re
import tokenize
from typing import List, Optional, Tuple

LINE_BREAK = re.compile(r"\r\n|\r|\n")


class DecodeError(Exception):
    """The file's bytes are not text in the encoding it declares."""


def detect_encoding(data: bytes) -> str:
    """The codec name Python would use to read `data` ("utf-8-sig" when a BOM leads)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # undecodable first lines, unknown codec, BOM against cookie
        _decode(data, "utf-8")  # the precise reason when the bytes are simply not UTF-8
        raise DecodeError(_bom_conflict(data) or str(error).splitlines()[0]) from None
    return encoding


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _bom_conflict(data: bytes) -> Optional[str]:
    """CPython's words for a UTF-8 BOM with another coding line (tokenize says only
    "encoding problem: utf-8"): "encoding problem: iso-8859-1 with BOM"."""
    if not data.startswith(b"\xef\xbb\xbf"):
        return None
    for line in data[3:].splitlines()[:2]:
        match = _COOKIE.match(line)
        if match:
            try:  # tokenize names the declared codec as CPython does ("latin-1": iso-8859-1)
                name, _ = tokenize.detect_encoding(io.BytesIO(data[3:]).readline)
            except SyntaxError:  # a codec Python does not know: CPython names it as written
                name = match.group(1).decode("ascii", "replace")
            return f"encoding problem: {name} with BOM"
    return None


def first_two_lines(data: bytes) -> bytes:
    """The lines a PEP 263 coding declaration may stand on (as tokenize reads them: up to the
    second b"\\n")."""
    end = data.find(b"\n")
    if end >= 0:
        end = data.find(b"\n", end + 1)
    return data if end < 0 else data[:end]


def decode_source(data: bytes) -> str:
    text, _ = decode_with_encoding(data)
    return text


def decode_with_encoding(data: bytes) -> Tuple[str, str]:
    encoding = detect_encoding(data)
    return _decode(data, encoding), encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DecodeError(
            f"not valid {error.encoding} (byte 0x{data[error.start]:02x} on line {line}); "
            "add a coding line or fix the file's encoding"
        ) from None
    except LookupError as error:
        raise DecodeError(str(error)) from None


def split_lines(text: str) -> List[str]:
    """Physical lines as Python's tokenizer counts them (not str.splitlines, which splits on \\f)."""
    return LINE_BREAK.split(text)
