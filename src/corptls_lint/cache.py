"""The result cache: check-mode findings of a file, keyed by its content and the settings.

One small JSON file per entry under `<dir>/v1/<key[:2]>/<key>.json`. The key hashes the file's
bytes, the tool's version (and a fingerprint of its installed source, so an edited checkout
never reads stale results) and the file's effective settings; the path is not part of it, so a
moved file still hits. Entries are written to a temporary file and renamed into place, so runs
in parallel never see half an entry; an entry that does not load is treated as a miss and
rewritten. Nothing here ever fails a run: an unwritable cache folder just means no cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from corptls_lint import __version__
from corptls_lint.ftypes import Applicability, Diagnostic, Fix, Settings

DEFAULT_DIR = ".corptls_cache"
_FORMAT = "v1"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# corptls-lint's cache; see https://bford.info/cachedir/\n"

_fingerprint: Optional[str] = None


def _code_fingerprint() -> str:
    """The version plus the sizes and times of the package's own modules."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parent
        parts = [__version__]
        for path in sorted(package.rglob("*.py")):
            try:
                stat = path.stat()
            except OSError:
                continue
            parts.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
        _fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return _fingerprint


def _to_json(diagnostic: Diagnostic) -> dict:
    fix = diagnostic.fix
    return {
        "line": diagnostic.line, "col": diagnostic.col, "code": diagnostic.code,
        "message": diagnostic.message, "end_line": diagnostic.end_line,
        "end_col": diagnostic.end_col, "name": diagnostic.name, "fix_needs": diagnostic.fix_needs,
        "fix": None if fix is None else {"description": fix.description,
                                         "applicability": fix.applicability.value,
                                         "replacement": fix.replacement},
    }


def _from_json(path: str, entry: dict) -> Diagnostic:
    fix = entry["fix"]
    return Diagnostic(
        path, int(entry["line"]), int(entry["col"]), str(entry["code"]), str(entry["message"]),
        int(entry["end_line"]), int(entry["end_col"]), name=str(entry["name"]),
        fix=None if fix is None else Fix(str(fix["description"]),
                                         Applicability(fix["applicability"]),
                                         fix["replacement"]),
        fix_needs=entry["fix_needs"],
    )


# An index entry: (size, mtime_ns, settings digest, content key or CLEAN).
IndexEntry = Tuple[int, int, str, str]
CLEAN = ""  # the file holds no trigger word of its enabled rules: nothing to look up


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0
        self._ready = False
        self._index: Optional[Dict[str, IndexEntry]] = None
        self._index_changed = False

    # -- the stat index: a warm run neither reads nor hashes an unchanged file ---------
    # Like ruff's cache, it trusts (size, mtime_ns): a file rewritten within one mtime tick
    # with the same size keeps its old entry until it changes again.
    def _index_path(self) -> Path:
        return self.directory / _FORMAT / f"index-{_code_fingerprint()[:16]}.json"

    def _load_index(self) -> Dict[str, IndexEntry]:
        if self._index is None:
            try:
                with open(self._index_path(), "rb") as handle:
                    raw = json.loads(handle.read())
                self._index = {str(path): (int(e[0]), int(e[1]), str(e[2]), str(e[3]))
                               for path, e in raw.items()}
            except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
                self._index = {}
        return self._index

    @staticmethod
    def settings_digest(settings: Settings) -> str:
        return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]

    def known(self, path: str, stat: os.stat_result, settings: Settings) -> Optional[str]:
        """The content key (or CLEAN) recorded for this path when it is unchanged, else None."""
        entry = self._load_index().get(os.path.abspath(path))
        if (entry is None or entry[0] != stat.st_size or entry[1] != stat.st_mtime_ns
                or entry[2] != self.settings_digest(settings)):
            return None
        return entry[3]

    def remember(self, path: str, stat: os.stat_result, settings: Settings, key: str) -> None:
        entry = (stat.st_size, stat.st_mtime_ns, self.settings_digest(settings), key)
        index = self._load_index()
        absolute = os.path.abspath(path)
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
        digest = hashlib.sha256()
        digest.update(_code_fingerprint().encode())
        digest.update(repr(settings).encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / _FORMAT / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> Optional[List[Diagnostic]]:
        """The cached findings for `path`, or None (a miss, or an entry that does not load)."""
        try:
            with open(self._entry(key), "rb") as handle:
                entries = json.loads(handle.read())
            diagnostics = [_from_json(path, entry) for entry in entries]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return diagnostics

    def put(self, key: str, diagnostics: List[Diagnostic]) -> None:
        self._write(self._entry(key), [_to_json(d) for d in diagnostics])

    def _write(self, target: Path, value: object) -> None:
        """Write JSON to a temporary file beside `target`, then rename it into place."""
        import tempfile  # only runs that write pay for importing it

        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(value, out, separators=(",", ":"))
                os.replace(temporary, target)
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
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
