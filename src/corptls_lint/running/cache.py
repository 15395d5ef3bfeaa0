"""The result cache: check-mode findings of a file, keyed by its content and the settings.

One small JSON file per entry under `<dir>/v1/<key[:2]>/<key>.json`. The key hashes the file's
bytes, the tool's version (and a fingerprint of its installed source, so an edited checkout
never reads stale results) and the file's effective settings; the path is not part of it, so a
moved file still hits. Entries are written to a temporary file and renamed into place, so runs
in parallel never see half an entry; an entry that does not load is treated as a miss and
rewritten. Nothing here ever fails a run: an unwritable cache folder just means no cache.

A repository is not trusted with the cache. Every entry and the stat index carry an HMAC
(SHA-256) made with a secret key of the running user's, kept outside any repository in the
user's cache home (`$XDG_CACHE_HOME/corptls-lint/key`, else `~/.cache/corptls-lint/key`): a
cache that this user's own runs did not write is never trusted, whatever git says or cannot
say. An entry whose MAC does not verify is a miss, and is rewritten. When the key cannot be
kept, the run goes on uncached with one warning.

On top of that, `open_cache` refuses (with one warning, and the run goes on uncached) a folder
that is a symlink, is not the running user's, is writable by others, holds files but no
CACHEDIR.TAG of ours, is tracked by git (committed, so anyone could have written it: when git
cannot answer, missing or refusing the repository, it cannot vouch either way and the MACs
decide), or contains a folder being linted (its `.gitignore` of `*` would hide it). Every file
inside is opened without following symlinks, and the stat index also records the inode and
ctime, which nobody can set, so an index entry never stands for a file by its stat alone: when
the stat differs (a restored cache in a fresh checkout), an entry answers only for the exact
bytes it was recorded for (their hash).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import os
import stat as stat_module
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from corptls_lint import __version__
from corptls_lint.ftypes import Applicability, Diagnostic, Fix, Settings
from corptls_lint.source.paths import is_inside
from corptls_lint.source.writer import read_regular

DEFAULT_DIR = ".corptls_cache"
_FORMAT = "v2"  # v2: every file carries its HMAC (v1 files are never read)
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# corptls-lint's cache; see https://bford.info/cachedir/\n"

_fingerprint: Optional[str] = None


@functools.lru_cache(maxsize=64)
def _settings_digest(settings: Settings) -> str:
    """Asked for every file of a run, whose files mostly have equal settings."""
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]


def _code_fingerprint() -> str:
    """The version, the Python that runs it, and the bytes of the package's own modules.

    Contents, not file times: a CI runner that installs the same version afresh (every module
    with a new mtime) keeps using its restored cache, while an edited checkout never reads
    stale results. Reading and hashing the package's modules costs about 2 ms. The Python
    version is part of it because parse errors (TLS001's message and column) differ by version.
    """
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parents[1]  # corptls_lint/, above running/
        digest = hashlib.sha256(f"{__version__}\0{sys.implementation.name}"
                                f"\0{sys.version_info[:3]}\0".encode())
        for path in sorted(package.rglob("*.py")):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            name = path.relative_to(package).as_posix()
            digest.update(f"{name}\0{len(data)}\0".encode())
            digest.update(data)
        _fingerprint = digest.hexdigest()
    return _fingerprint


# Every field of a Diagnostic and of its Fix is stored: a warm run must print exactly what a
# cold one does, fix locations and imports included.
_FIX_FIELDS = tuple(f.name for f in dataclasses.fields(Fix))


def _to_json(diagnostic: Diagnostic) -> Dict[str, Any]:
    fix = diagnostic.fix
    stored = None
    if fix is not None:
        stored = {name: getattr(fix, name) for name in _FIX_FIELDS}
        stored["applicability"] = fix.applicability.value
    return {
        "line": diagnostic.line, "col": diagnostic.col, "code": diagnostic.code,
        "message": diagnostic.message, "end_line": diagnostic.end_line,
        "end_col": diagnostic.end_col, "name": diagnostic.name, "fix_needs": diagnostic.fix_needs,
        "fix": stored,
    }


def _from_json(path: str, entry: Dict[str, Any]) -> Diagnostic:  # as json reads it back
    fix = entry["fix"]
    if fix is not None:
        values = {name: fix[name] for name in _FIX_FIELDS}
        values["applicability"] = Applicability(fix["applicability"])
        fix = Fix(**values)
    return Diagnostic(
        path, int(entry["line"]), int(entry["col"]), str(entry["code"]), str(entry["message"]),
        int(entry["end_line"]), int(entry["end_col"]), name=str(entry["name"]),
        fix=fix, fix_needs=entry["fix_needs"],
    )


# An index entry: (size, mtime_ns, inode, ctime_ns, settings digest, content key or CLEAN,
# the sha256 of a CLEAN file's bytes or "" when it was not recorded).
IndexEntry = Tuple[int, int, int, int, str, str, str]
CLEAN = ""  # the file holds no trigger word of its enabled rules: nothing to look up


class CacheKeyError(Exception):
    """The user's cache key cannot be read or created; the message says where and why."""


KEY_SIZE = 32


def key_folder() -> Path:
    """Where the user's cache key lives: $XDG_CACHE_HOME/corptls-lint (an absolute one, as
    the XDG spec requires), else ~/.cache/corptls-lint. Never in a repository."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise CacheKeyError("no home folder to keep the cache key in")
        base = os.path.join(home, ".cache")
    return Path(base) / "corptls-lint"


def user_key() -> bytes:
    """The running user's secret cache key, created on first use: its folder 0700, the file
    0600, written in full under a temporary name (O_EXCL) and then linked to its name, which
    fails when it exists: runs starting together all end up with the one key that won."""
    folder = key_folder()
    path = folder / "key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise CacheKeyError(f"{path}: {error.strerror or error}") from None
    try:
        os.makedirs(folder.parent, mode=0o700, exist_ok=True)
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        info = os.lstat(folder)
        if not stat_module.S_ISDIR(info.st_mode):
            raise CacheKeyError(f"{folder}: not a folder")
        if (hasattr(os, "geteuid") and info.st_uid != os.geteuid()) or info.st_mode & 0o022:
            raise CacheKeyError(f"{folder}: another user can write to it")
        _create_key(folder, path)
        return _read_key(path)
    except OSError as error:
        raise CacheKeyError(f"{path}: {error.strerror or error}") from None


def _create_key(folder: Path, path: Path) -> None:
    import tempfile

    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".key-")  # O_EXCL, 0600
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(os.urandom(KEY_SIZE))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # fails when another run's key took the name first
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def _read_key(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat_module.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if (hasattr(os, "geteuid") and info.st_uid != os.geteuid()) or info.st_mode & 0o077:
            raise OSError(0, "another user can read or write it (it must be 0600, the user's)")
        key = handle.read(KEY_SIZE + 1)
    if len(key) != KEY_SIZE:
        raise OSError(0, f"not a key of {KEY_SIZE} bytes")
    return key


class ResultCache:
    def __init__(self, directory: Path, secret: Optional[bytes] = None) -> None:
        """`secret`: the key the entries are authenticated with (default: the user's)."""
        self.directory = Path(directory)
        self._mac = hmac.new(secret if secret is not None else user_key(),
                             digestmod=hashlib.sha256)
        self.hits = 0
        self.misses = 0
        # What --verbose reports, so a restored cache can be seen to re-lint nothing:
        self.unchanged = 0  # files the stat index answered, neither read nor hashed
        self.hashed = 0  # files whose content was hashed to find their entry
        self.stored = 0  # files linted, their findings stored
        self._ready = False
        self._index: Optional[Dict[str, IndexEntry]] = None
        self._index_changed = False
        # os.path.abspath asks the OS for the current folder on every call; a run never
        # changes it, and the index is asked twice per file
        try:
            self._cwd = os.getcwd()
        except OSError:  # the current folder was removed: relative paths stay relative
            self._cwd = ""

    # -- the stat index: a warm run neither reads nor hashes an unchanged file ---------
    # Like ruff's cache, it trusts (size, mtime_ns): a file rewritten within one mtime tick
    # with the same size keeps its old entry until it changes again.
    def _index_path(self) -> Path:
        return self.directory / _FORMAT / f"index-{_code_fingerprint()[:16]}.json"

    def _load_index(self) -> Dict[str, IndexEntry]:
        if self._index is None:
            path = self._index_path()
            try:
                raw = json.loads(self._verified(path.name, _read_no_follow(path)))
                self._index = {str(path): (int(e[0]), int(e[1]), int(e[2]), int(e[3]),
                                           str(e[4]), str(e[5]), str(e[6]))
                               for path, e in raw.items()}
            except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
                self._index = {}  # missing, damaged or forged: rebuilt by this run
        return self._index

    # -- authentication: "<hex HMAC>\n<json>", the MAC over the file's name and the json ----
    def _signature(self, name: str, body: bytes) -> bytes:
        mac = self._mac.copy()
        mac.update(name.encode())
        mac.update(b"\0")
        mac.update(body)
        return mac.hexdigest().encode()

    def _verified(self, name: str, data: bytes) -> bytes:
        """The json of a cache file this user's runs wrote; ValueError for any other."""
        signature, newline, body = data.partition(b"\n")
        if not newline or not hmac.compare_digest(signature, self._signature(name, body)):
            raise ValueError("not written by this user's runs")
        return body

    def _signed(self, name: str, value: object) -> bytes:
        # dumps, not dump: dump streams through the pure-Python encoder (the index of 10,000
        # files took a third of a restored-cache run)
        body = json.dumps(value, separators=(",", ":")).encode("utf-8")
        return self._signature(name, body) + b"\n" + body

    def _absolute(self, path: str) -> str:
        return os.path.normpath(os.path.join(self._cwd, path))

    @staticmethod
    def settings_digest(settings: Settings) -> str:
        return _settings_digest(settings)

    def known(self, path: str, stat: os.stat_result, settings: Settings) -> Optional[str]:
        """The content key (or CLEAN) recorded for this path when the file is unchanged: the
        same stat (the file is not read), or, when a fresh checkout gave it a new inode and
        mtime, the same bytes (read and hashed; never screened or parsed). Else None."""
        entry = self._load_index().get(self._absolute(path))
        if entry is None:
            return None
        settings_digest = self.settings_digest(settings)
        if entry[:5] == (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns,
                         settings_digest):
            self.unchanged += 1
            return entry[5]
        if (entry[0] != stat.st_size or entry[4] != settings_digest
                or not self._same_content(path, entry, settings)):
            return None
        self.remember(path, stat, settings, entry[5], content=entry[6])
        return entry[5]

    def _same_content(self, path: str, entry: IndexEntry, settings: Settings) -> bool:
        """Whether the file still holds the bytes its entry was recorded for: its content key
        (which hashes them), or the recorded hash of a CLEAN file's bytes."""
        if entry[5] == CLEAN and not entry[6]:
            return False  # recorded without its bytes' hash: only the screen can tell
        try:
            data = read_regular(path)
        except OSError:
            return False
        if entry[5] == CLEAN:
            self.hashed += 1
            return content_digest(data) == entry[6]
        return self.key(data, settings) == entry[5]

    def remember(self, path: str, stat: os.stat_result, settings: Settings, key: str,
                 data: Optional[bytes] = None, content: str = "") -> None:
        """Record what `path` gave at this stat. For a CLEAN file, its bytes (`data`) let a
        later run with a touched copy of the file skip the screen."""
        if key == CLEAN and data is not None:
            content = content_digest(data)
        entry = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns,
                 self.settings_digest(settings), key, content if key == CLEAN else "")
        index = self._load_index()
        absolute = self._absolute(path)
        if index.get(absolute) != entry:
            index[absolute] = entry
            self._index_changed = True

    def save_index(self) -> None:
        """Write the index (merged with what a concurrent run wrote meanwhile), atomically."""
        if not self._index_changed:
            return
        mine = self._index or {}
        self._index = None
        merged = self._load_index()
        merged.update(mine)
        self._write(self._index_path(), {path: list(entry) for path, entry in merged.items()})
        self._index_changed = False

    def key(self, data: bytes, settings: Settings) -> str:
        self.hashed += 1
        return content_key(data, settings)

    def hashed_elsewhere(self, count: int = 1) -> None:
        """Count files whose key a worker computed (content_key) for --verbose's figures."""
        self.hashed += count

    def describe_counts(self) -> str:
        return (f"cache: {self.unchanged} files unchanged (stat index), {self.hashed} looked up "
                f"by content hash, {self.hits} answered from the cache, {self.stored} linted "
                "and stored")

    def _entry(self, key: str) -> Path:
        return self.directory / _FORMAT / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> Optional[List[Diagnostic]]:
        """The cached findings for `path`, or None (a miss, or an entry that does not load)."""
        entry = self._entry(key)
        try:
            entries = json.loads(self._verified(entry.name, _read_no_follow(entry)))
            diagnostics = [_from_json(path, entry) for entry in entries]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return diagnostics

    def put(self, key: str, diagnostics: List[Diagnostic]) -> None:
        self.stored += 1
        self._write(self._entry(key), [_to_json(d) for d in diagnostics])

    def _write(self, target: Path, value: object) -> None:
        """Write signed JSON to a temporary file beside `target`, then rename it into place."""
        import tempfile  # only runs that write pay for importing it

        try:
            self._prepare()
            _make_private_dirs(self.directory, target.parent)
            # mkstemp creates with O_EXCL: a planted symlink of that name fails, never followed
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(self._signed(target.name, value))
                os.replace(temporary, target)  # replaces a symlink itself, never its target
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a read-only or full disk costs the cache, never the run

    def _prepare(self) -> None:
        """Mark the folder as a cache (backup tools and git skip it), once."""
        if self._ready:
            return
        self._ready = True
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        _make_private_dirs(self.directory.parent, self.directory)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
            try:  # O_EXCL: an existing name, symlink or not, is left alone
                descriptor = os.open(self.directory / name,
                                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o644)
            except FileExistsError:
                continue
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(text)


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_key(data: bytes, settings: Settings) -> str:
    """The cache key of a file's findings: its bytes, its settings and this code's version.
    A function of its own, so a worker that screens a file can compute it."""
    digest = hashlib.sha256()
    digest.update(_code_fingerprint().encode())
    digest.update(repr(settings).encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def _read_no_follow(path: Path) -> bytes:
    """A cache file's bytes; a symlink in its place is an error (ELOOP), never followed."""
    descriptor = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


def _make_private_dirs(top: Path, folder: Path) -> None:
    """Create `folder` and the folders between `top` and it; each must be a real folder (not
    a symlink) once it exists."""
    parts = folder.relative_to(top).parts if folder != top else ()
    current = top
    for part in parts:
        current = current / part
        try:
            os.mkdir(current, 0o755)
        except FileExistsError:
            pass
        if not stat_module.S_ISDIR(os.lstat(current).st_mode):
            raise OSError(f"{current} is not a folder")


def open_cache(directory: Path, linted: Sequence[str]) -> Tuple[Optional[ResultCache],
                                                                 Optional[str]]:
    """The cache in `directory`, or (None, why it is not used) when it cannot be trusted."""
    problem = untrusted_reason(directory, linted)
    if problem is not None:
        return None, f"cache not used: {directory}: {problem}"
    try:
        secret = user_key()
    except CacheKeyError as error:
        return None, f"cache not used: no key to authenticate it: {error}"
    return ResultCache(directory, secret), None


def untrusted_reason(directory: Path, linted: Sequence[str]) -> Optional[str]:
    folder = os.path.abspath(directory)
    try:
        info: Optional[os.stat_result] = os.lstat(folder)
    except FileNotFoundError:
        info = None  # created on first write, without following symlinks
    except OSError as error:
        return error.strerror or str(error)
    if info is not None and stat_module.S_ISLNK(info.st_mode):
        return "it is a symlink"
    real = os.path.realpath(folder)
    for path in linted:
        if is_inside(os.path.realpath(path), real):
            return "it holds files being linted (its .gitignore would hide them)"
    if info is None:
        return None
    if not stat_module.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return "it belongs to another user"
    if info.st_mode & (stat_module.S_IWGRP | stat_module.S_IWOTH):
        return "others can write to it"
    try:
        names = os.listdir(folder)
    except OSError as error:
        return error.strerror or str(error)
    if names and "CACHEDIR.TAG" not in names:
        return "it holds files but is not a corptls-lint cache (no CACHEDIR.TAG)"
    if names and _tracked_by_git(folder):
        return "it is committed to git"
    return None


def _tracked_by_git(folder: str) -> Optional[bool]:
    """True when git tracks a file inside `folder` (a committed cache anyone could forge),
    False when git says it tracks none, None when git cannot vouch either way: git missing
    (slim CI images), refusing the repository ("dubious ownership"), not a repository, any
    failure. Never read as "not tracked": the entries' MACs decide then."""
    import subprocess

    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=folder,
                                capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    return bool(listed.stdout)
