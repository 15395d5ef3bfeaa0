"""Read a source file as text and write it back the way it was stored.

The encoding (a PEP 263 coding line or a UTF-8 BOM) is kept, and only when the new text
round-trips through it; line endings are kept by libcst, which writes new lines with the file's
own newline. Writes are atomic: a temporary file in the same folder, the original mode, owner
and group set on it, then a rename; a file that changed since it was read is not overwritten.
A read-only file is not written, and neither is one whose owner or group this user cannot give
the new file. A hard-linked file is rewritten in place (after the new bytes are safe on disk),
so every name of it sees the fix: a rename would silently split the link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
from dataclasses import dataclass
from typing import Iterator, List, Optional, Set

from corptls_lint.source.decoding import DecodeError, decode_with_encoding
from corptls_lint.source.paths import leaves_project


@dataclass(frozen=True)
class SourceFile:
    """A file's text and what is needed to write it back unchanged in form."""

    path: str
    data: bytes
    text: str
    encoding: str  # a codec name; "utf-8-sig" when the file starts with a BOM


class WriteError(Exception):
    """The fixed text could not be written; the message says why, the file is unchanged."""


NOT_REGULAR = "not a regular file"
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


def read_regular(path: str, info: Optional[os.stat_result] = None) -> bytes:
    """The bytes of the regular file at `path` (`info`: its os.stat, when the caller has it).

    Anything else is an OSError and is never read: a folder (IsADirectoryError), a FIFO, a
    device or a socket ("not a regular file": reading one would block or never end), a symlink
    loop (ELOOP). The file is opened without blocking (a FIFO put in its place since the stat
    cannot hold the open) and checked again on the open descriptor before it is read.
    """
    if info is None:
        info = os.stat(path)
    _require_regular(info, path)
    descriptor = os.open(path, _READ_FLAGS)
    with open(descriptor, "rb", closefd=True) as handle:
        _require_regular(os.fstat(descriptor), path)
        return handle.read()


def _require_regular(info: os.stat_result, path: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(0, NOT_REGULAR, path)


def read_source(path: str) -> SourceFile:
    """Raises OSError (unreadable, not a regular file) or decoding.DecodeError (undecodable)."""
    return from_bytes(path, read_regular(path))


def from_bytes(path: str, data: bytes) -> SourceFile:
    text, encoding = decode_with_encoding(data)
    return SourceFile(path, data, text, encoding)


def encode(source: SourceFile, text: str) -> bytes:
    """The bytes of `text` in the file's encoding, only when reading them back gives `text`
    (codecs such as unicode_escape do not round-trip source text)."""
    try:
        faithful = source.text.encode(source.encoding) == source.data
    except UnicodeEncodeError:
        faithful = False
    if not faithful:  # unicode_escape and the like: the file would change beyond the fix
        raise WriteError(f"its encoding ({source.encoding}) does not write back the bytes "
                         "it was read from")
    try:
        data = text.encode(source.encoding)
    except UnicodeEncodeError as error:
        raise WriteError(f"the fixed text cannot be encoded as {source.encoding}: "
                         f"{error.object[error.start:error.end]!r}") from None
    try:
        round_trip = decode_with_encoding(data)[0]
    except DecodeError:
        round_trip = None
    if round_trip != text:
        raise WriteError(f"the fixed text does not read back the same through the file's "
                         f"encoding ({source.encoding})")
    return data


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
    outside = leaves_project(source.path, target)  # a committed symlink to a file elsewhere
    if outside is not None:
        raise WriteError(outside)
    try:
        info = os.stat(target)
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteError("read-only")
    remove_stale_temporaries(folder)
    prepared = None
    try:
        prepared = _Prepared(folder, data, mode)
        prepared.keep_owner(info)
        if _current_bytes(target) != source.data:
            raise WriteError("the file changed on disk since it was read; not overwritten")
        if info.st_nlink > 1:
            prepared.copy_into(target)
        else:
            prepared.install(target)
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    finally:
        if prepared is not None:
            prepared.discard()


def write_output(path: str, data: bytes, mode: Optional[int] = None) -> None:
    """Write a file the user asked for (a report, a baseline, a bundle) at `path`, safely:
    the one door for every output file of a run. Raises WriteError (one line).

    The folders are created as needed; their real place, symlinks resolved, must be inside
    the project (`paths.leaves_project`) unless the user gave an absolute path outside it. The
    name itself must not be a symlink (refused, never followed) nor anything but a regular
    file; the new bytes are written and synced beside it and take its name by a rename, so
    a run killed halfway leaves the old file or the new one. `mode`: the new file's
    (default: the old file's, else 0o666 less the umask).
    """
    absolute = os.path.abspath(path)
    folder, name = os.path.split(absolute)
    if not name or path.endswith(("/", os.sep)) or os.path.basename(path) in (".", ".."):
        raise WriteError(f"{path}: is a folder")
    if os.name == "posix" and absolute.startswith(_DEVICES) and _write_device(path, absolute,
                                                                               data):
        return
    _make_folders(path, folder)
    real_folder = os.path.realpath(folder)
    target = os.path.join(real_folder, name)
    problem = leaves_project(path, target)
    if problem is not None:
        raise WriteError(f"{path}: {problem}; nothing written")
    try:
        info: Optional[os.stat_result] = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise WriteError(f"{path}: is a symlink; not followed, nothing written")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise WriteError(f"{path}: not a regular file; nothing written")
    if mode is None:
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    prepared = None
    try:
        prepared = _Prepared(real_folder, data, mode)
        if info is not None:
            prepared.keep_owner(info)
        prepared.install(target)  # a symlink put there meanwhile is replaced, never followed
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None
    finally:
        if prepared is not None:
            prepared.discard()


# The system's device names (`-o /dev/stdout`, as ruff takes them): a repository cannot plant
# a name there, so they are the one place an output name may be a symlink or a device.
_DEVICES = "/dev/"


def _write_device(path: str, absolute: str, data: bytes) -> bool:
    """Write to a device name in place, never created, renamed or truncated: this process's
    standard output or error through its own descriptor (a redirected stdout keeps its
    offset: what the shell writes next goes after the report), any other device opened for
    writing. False for a regular file or a missing name (written as any output file is)."""
    try:
        target = os.stat(absolute)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None
    for stream in (sys.stdout, sys.stderr):
        try:
            descriptor = stream.fileno()
            if os.path.samestat(os.fstat(descriptor), target):
                stream.flush()
                _write_to_device(descriptor, data, path)
                return True
        except (OSError, ValueError, AttributeError):  # no descriptor (captured, closed)
            continue
    if stat.S_ISREG(target.st_mode):
        return False
    try:
        descriptor = os.open(absolute, os.O_WRONLY)
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None
    try:
        _write_to_device(descriptor, data, path)
    finally:
        os.close(descriptor)
    return True


def _write_to_device(descriptor: int, data: bytes, path: str) -> None:
    try:
        _write_all(descriptor, data, sync=False)  # a pipe or terminal cannot be synced
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None


def create_file(path: str, data: bytes) -> None:
    """Write a new file, atomically and never over an existing one (`corptls-lint init`):
    the bytes are written and synced under no name (or a temporary one), then linked to
    `path`, which fails when something has that name. Its mode is what the umask gives."""
    folder, name = os.path.split(os.path.abspath(path))
    outside = leaves_project(path, os.path.join(os.path.realpath(folder), name))
    if outside is not None:  # a committed symlinked folder on the way
        raise WriteError(outside)
    prepared = None
    try:
        prepared = _Prepared(folder, data, 0o666 & ~_umask())
        prepared.create(path)
    except FileExistsError:
        raise WriteError("it exists; not overwritten") from None
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    finally:
        if prepared is not None:
            prepared.discard()


def _make_folders(given: str, folder: str) -> None:
    """Create `folder` and the missing folders above it, once the nearest existing one is
    known to be inside the project (a committed symlink must not take the new ones away)."""
    existing = folder
    while not os.path.isdir(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if existing == folder:
        return
    problem = leaves_project(given, os.path.realpath(existing))
    if problem is not None:
        raise WriteError(f"{given}: {problem}; nothing written")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise WriteError(f"{given}: cannot create its folder: {error.strerror or error}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Temporary names carry the writing process's id and start time, so a later run can tell the
# leftover of a killed run (its process gone) from a write in progress, even when the id has
# been reused since.
_PREFIX = ".corptls-"
_STALE_CHECKED: Set[str] = set()


def _process_start(pid: int) -> Optional[str]:
    """The process's start time in clock ticks since boot (Linux), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


def _temporary_name(folder: str, token: int) -> str:
    start = _process_start(os.getpid()) or "0"
    return os.path.join(folder, f"{_PREFIX}{os.getpid()}-{start}-{token}.tmp")


def remove_stale_temporaries(folder: str) -> List[str]:
    """Remove the `.corptls-<pid>-<start>-<n>.tmp` files a killed run left in `folder` (once
    per folder per process); the names removed. Only where process start times can be read."""
    if folder in _STALE_CHECKED or not os.path.isdir("/proc/self"):
        return []
    _STALE_CHECKED.add(folder)
    removed = []
    try:
        names = [entry.name for entry in os.scandir(folder)
                 if entry.name.startswith(_PREFIX) and entry.name.endswith(".tmp")
                 and entry.is_file(follow_symlinks=False)]
    except OSError:
        return []
    for name in names:
        parts = name[len(_PREFIX):-len(".tmp")].split("-")
        if len(parts) != 3 or not parts[0].isdigit():
            continue
        if _process_start(int(parts[0])) != parts[1]:
            path = os.path.join(folder, name)
            _remove_quietly(path)
            removed.append(path)
    return removed


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
            self.name = _temporary_name(folder, id(self))
            self.descriptor = os.open(self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        _write_all(self.descriptor, data)
        self.data = data
        if hasattr(os, "fchmod"):
            os.fchmod(self.descriptor, mode)
        else:  # Windows: the named fallback
            assert self.name is not None  # no O_TMPFILE there, so the file has a name
            os.chmod(self.name, mode)

    def keep_owner(self, original: os.stat_result) -> None:
        """Give the new file the original's owner and group (before it takes the name), or
        refuse: a fix must not hand someone else's file to the running user."""
        if not hasattr(os, "fchown"):
            return
        mine = os.fstat(self.descriptor)
        if (mine.st_uid, mine.st_gid) == (original.st_uid, original.st_gid):
            return
        try:
            os.fchown(self.descriptor, original.st_uid, original.st_gid)
        except PermissionError:
            raise WriteError(f"cannot keep the file's owner and group "
                             f"({original.st_uid}:{original.st_gid}) as this user") from None
        os.fchmod(self.descriptor, stat.S_IMODE(original.st_mode))  # chown clears set-id bits

    def copy_into(self, target: str) -> None:
        """Rewrite a hard-linked target in place (every name sees the fix). The new bytes get a
        name first; only a SIGKILL inside the write below can leave the target partly
        written, with the complete new content in that temporary until the next run."""
        with _signals_held():
            if self.name is None:
                self.name = _temporary_name(self.folder, id(self))
                _link_open_file(self.descriptor, self.name)
            descriptor = os.open(target, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                _write_all(descriptor, self.data, truncate=True)
            finally:
                os.close(descriptor)

    def install(self, target: str) -> None:
        with _signals_held():
            if self.name is None:
                self.name = _temporary_name(self.folder, id(self))
                _link_open_file(self.descriptor, self.name)
            os.replace(self.name, target)
            self.name = None

    def create(self, target: str) -> None:
        """Give the new bytes the name `target`, which must be free: a link never replaces."""
        with _signals_held():
            if self.name is None:
                _link_open_file(self.descriptor, target)
            else:
                os.link(self.name, target)

    def discard(self) -> None:
        if self.descriptor >= 0:
            os.close(self.descriptor)
            self.descriptor = -1
        _remove_quietly(self.name)
        self.name = None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (not on Windows, which has no masks)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _link_open_file(descriptor: int, name: str) -> None:
    """Give an O_TMPFILE file a name: linkat(AT_SYMLINK_FOLLOW) on its /proc entry. os.link
    calls plain link(), which does not follow that symlink, unless a directory fd is passed."""
    folder = os.open(os.path.dirname(name), os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{descriptor}", name, src_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def _write_all(descriptor: int, data: bytes, truncate: bool = False, sync: bool = True) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
    if truncate:
        os.ftruncate(descriptor, len(data))
    if sync:
        os.fsync(descriptor)


def _current_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _remove_quietly(path: Optional[str]) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass
