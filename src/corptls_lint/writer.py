"""Read a source file as text and write it back the way it was stored.

The encoding (a PEP 263 coding line or a UTF-8 BOM) is kept; line endings are kept by libcst,
which writes new lines with the file's own newline. Writes are atomic: a temporary file in the
same folder, the original mode copied, then a rename; a file that changed since it was read is
not overwritten.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from dataclasses import dataclass
from typing import Optional

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
    """Replace the file's content by `text`, atomically, unless it changed since it was read.

    The new bytes are written and synced first, under no name where the platform allows
    (Linux's O_TMPFILE); only then is the file compared with what was read, and the new bytes
    take its name by a link and a rename with SIGINT/SIGTERM held back, so a run killed at any
    moment leaves the old file or the new one, and at most, for a SIGKILL landing between
    those two system calls, one `.corptls-*.tmp` file beside it.
    """
    data = encode(source, text)
    target = os.path.realpath(source.path)  # a symlink keeps pointing at the fixed file
    folder = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    prepared = None
    try:
        prepared = _Prepared(folder, data, mode)
        if _current_bytes(target) != source.data:
            raise WriteError("the file changed on disk since it was read; not overwritten")
        prepared.install(target)
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    finally:
        if prepared is not None:
            prepared.discard()


class _Prepared:
    """The new content, complete and synced, waiting to take the target's name."""

    def __init__(self, folder: str, data: bytes, mode: int) -> None:
        self.folder = folder
        self.descriptor = -1
        self.name: Optional[str] = None  # the fallback's named temporary file
        flag = getattr(os, "O_TMPFILE", 0)
        if flag:
            try:
                self.descriptor = os.open(folder, flag | os.O_WRONLY, mode)
            except OSError:  # a file system without O_TMPFILE support
                self.descriptor = -1
        if self.descriptor < 0:
            self.descriptor, self.name = tempfile.mkstemp(dir=folder, prefix=".corptls-",
                                                          suffix=".tmp")
        _write_all(self.descriptor, data)
        if hasattr(os, "fchmod"):
            os.fchmod(self.descriptor, mode)
        else:  # Windows: the named fallback
            os.chmod(self.name, mode)

    def install(self, target: str) -> None:
        masking = hasattr(signal, "pthread_sigmask")  # not on Windows
        if masking:
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            if self.name is None:
                self.name = os.path.join(self.folder, f".corptls-{os.getpid()}-{id(self)}.tmp")
                _link_open_file(self.descriptor, self.name)
            os.replace(self.name, target)
            self.name = None
        finally:
            if masking:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def discard(self) -> None:
        if self.descriptor >= 0:
            os.close(self.descriptor)
            self.descriptor = -1
        _remove_quietly(self.name)
        self.name = None


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
