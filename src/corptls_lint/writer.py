"""Read a source file as text and write it back the way it was stored.

The encoding (a PEP 263 coding line or a UTF-8 BOM) is kept; line endings are kept by libcst,
which writes new lines with the file's own newline. Writes are atomic: a temporary file in the
same folder, the original mode copied, then a rename; a file that changed since it was read is
not overwritten.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass

from corptls_lint.decoding import decode_with_encoding


@dataclass(frozen=True)
class SourceFile:
    """A file's text and what is needed to write it back unchanged in form."""

    path: str
    data: bytes
    text: str
    encoding: str  # a codec name; "utf-8-sig" when the file starts with a BOM


class WriteError(Exception):
    """The fixed text could not be written; the message says why, the file is unchanged."""


def read_source(path: str) -> SourceFile:
    """Raises OSError (unreadable) or decoding.DecodeError (undecodable)."""
    with open(path, "rb") as handle:
        data = handle.read()
    return from_bytes(path, data)


def from_bytes(path: str, data: bytes) -> SourceFile:
    text, encoding = decode_with_encoding(data)
    return SourceFile(path, data, text, encoding)


def encode(source: SourceFile, text: str) -> bytes:
    try:
        return text.encode(source.encoding)
    except UnicodeEncodeError as error:
        raise WriteError(f"the fixed text cannot be encoded as {source.encoding}: "
                         f"{error.object[error.start:error.end]!r}") from None


def write_source(source: SourceFile, text: str) -> None:
    """Replace the file's content by `text`, atomically, unless it changed since it was read."""
    data = encode(source, text)
    target = os.path.realpath(source.path)  # a symlink keeps pointing at the fixed file
    folder = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    temporary = None
    try:
        temporary = _write_temporary(folder, data, mode)
        if _current_bytes(target) != source.data:
            raise WriteError("the file changed on disk since it was read; not overwritten")
        os.replace(temporary, target)
    except OSError as error:
        _remove_quietly(temporary)
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    except BaseException:
        _remove_quietly(temporary)
        raise


def _write_temporary(folder: str, data: bytes, mode: int) -> str:
    """A complete copy of `data` under a temporary name in `folder`, ready to be renamed.

    On Linux the bytes are written to an unnamed file (O_TMPFILE) that gets a name only once it
    is complete and synced, so a run killed while writing leaves nothing behind; the named
    window is the few microseconds between the link and the rename.
    """
    flag = getattr(os, "O_TMPFILE", 0)
    if flag:
        try:
            descriptor = os.open(folder, flag | os.O_WRONLY, mode)
        except OSError:  # a file system without O_TMPFILE support
            descriptor = -1
        if descriptor >= 0:
            try:
                _write_all(descriptor, data)
                os.fchmod(descriptor, mode)
                temporary = os.path.join(folder, f".corptls-{os.getpid()}-{id(data)}.tmp")
                _link_open_file(descriptor, temporary)
                return temporary
            finally:
                os.close(descriptor)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".corptls-", suffix=".tmp")
    try:
        _write_all(descriptor, data)
        os.fchmod(descriptor, mode)
    except BaseException:
        os.close(descriptor)
        _remove_quietly(temporary)
        raise
    os.close(descriptor)
    return temporary


def _link_open_file(descriptor: int, name: str) -> None:
    """Give an O_TMPFILE file a name: linkat(AT_SYMLINK_FOLLOW) on its /proc entry. os.link
    calls plain link(), which does not follow that symlink, unless a directory fd is passed."""
    folder = os.open(os.path.dirname(name), os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{descriptor}", name, src_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
    os.fsync(descriptor)


def _current_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _remove_quietly(path) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass
