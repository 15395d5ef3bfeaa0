"""Baselines: adopt the linter on a codebase with many findings by recording them once and
reporting only new ones.

An entry is keyed by the file's path, the code and the fingerprint of the statement the
finding is in (fingerprint.py), not by line: code added above a finding does not bring it back.
Entries carry a count and matching is counted, so a pasted copy of a baselined finding in the
same file is reported. The file is sorted, indented JSON that diffs well in review.

Paths are relative to the project root the caller names (version 2), and the file records where
that root is relative to itself (`"root": "../.."` for ci/tls/baseline.json), so a baseline
matches wherever the tree is checked out and whatever the current folder is. Version 1 files
(paths relative to the baseline's own folder, or absolute for files outside it) are still read;
their absolute entries match only in the checkout that wrote them, which `read` says once.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from corptls_lint.ftypes import ConfigError, Diagnostic
from corptls_lint.source.paths import real_path

if TYPE_CHECKING:
    from corptls_lint.adoption.fingerprint import Fingerprinter

FORMAT = "corptls-lint-baseline"
VERSION = 2
READABLE_VERSIONS = (1, 2)
# A file that cannot be read or parsed, or an internal error, is never accepted into a baseline.
UNBASELINED_CODES = ("TLS000", "TLS001")

Key = Tuple[str, str, str]  # (path, code, fingerprint)


@dataclass(frozen=True)
class StaleEntry:
    baseline: Path
    path: str
    code: str
    fingerprint: str
    gone: int  # how many of the entry's count no longer occur

    def describe(self) -> str:
        return (f"{self.baseline}: stale entry {self.path} {self.code} {self.fingerprint} "
                f"({self.gone} fixed; --write-baseline drops it)")


def write(path: Path, diagnostics: Sequence[Diagnostic], root: Path) -> int:
    """Record the findings in `path`, their paths relative to the project `root`; returns how
    many were recorded. Missing folders above `path` are created (writer.write_output)."""
    folder = real_path(path).parent
    real_root = real_path(root)
    counts = _keys(real_root, diagnostics)
    entries = [{"path": p, "code": c, "fingerprint": f, "count": n}
               for (p, c, f), n in sorted(counts.items())]
    document = {"format": FORMAT, "version": VERSION, "root": _portable(real_root, folder),
                "findings": entries}
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    from corptls_lint.source.writer import WriteError, write_output

    try:
        write_output(str(path), text.encode("utf-8"))
    except WriteError as error:
        raise ConfigError(f"--write-baseline: {error}") from None
    return sum(counts.values())


@dataclass
class Baseline:
    """A baseline file read: its entries, keyed by path as written, and the folder they are
    relative to (absolute, symlinks resolved)."""

    path: Path
    base: Path
    counts: Counter[Key]
    absolute_entries: int = 0  # version 1 entries with an absolute path

    def where(self, entry_path: str) -> str:
        """The absolute path an entry names (as `_absolute` gives a finding's path)."""
        return os.path.normpath(os.path.join(self.base, entry_path))


def read(path: Path) -> Baseline:
    """The entries of a baseline file; a missing or malformed file is a ConfigError."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"baseline {path}: cannot read: {error.strerror or error}") from None
    except ValueError as error:
        raise ConfigError(f"baseline {path}: not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigError(f"baseline {path}: not a corptls-lint baseline "
                          "(write one with --write-baseline)")
    version = document.get("version", 1)
    if version not in READABLE_VERSIONS:
        raise ConfigError(f"baseline {path}: version {version!r} is not one this corptls-lint "
                          f"reads ({', '.join(map(str, READABLE_VERSIONS))}); write it again "
                          "with --write-baseline")
    folder = real_path(path).parent
    root = document.get("root", ".") if version >= 2 else "."
    if not isinstance(root, str):
        raise ConfigError(f"baseline {path}: 'root' must be a path, not {root!r}")
    baseline = Baseline(path, Path(os.path.normpath(folder / root)), Counter())
    findings = document.get("findings", [])
    if not isinstance(findings, list):
        raise ConfigError(f"baseline {path}: 'findings' must be a list")
    for entry in findings:
        try:
            key = (str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]))
            baseline.counts[key] += int(entry.get("count", 1))
        except (AttributeError, TypeError, KeyError, ValueError):
            raise ConfigError(f"baseline {path}: malformed entry {entry!r}") from None
        if version == 1 and os.path.isabs(key[0]):
            baseline.absolute_entries += 1
    return baseline


def old_format_warning(baseline: Baseline) -> Optional[str]:
    """One line for a version 1 baseline with absolute paths: they match only in the checkout
    that wrote them (a CI runner's differs), and writing the file again makes it portable."""
    if not baseline.absolute_entries:
        return None
    count = baseline.absolute_entries
    entries = ("1 entry has an absolute path" if count == 1
               else f"{count} entries have absolute paths")
    return (f"{baseline.path}: {entries} (an older corptls-lint wrote them) that match only in "
            f"that checkout; run --write-baseline {baseline.path} once to record them relative "
            "to the project")


def filter_findings(diagnostics: Sequence[Diagnostic],
                    baseline_of: Callable[[str], Optional[Path]],
                    checked: Iterable[str],
                    warn: Callable[[str], None] = lambda message: None,
                    ) -> Tuple[List[Diagnostic], List[StaleEntry]]:
    """The findings not covered by their file's baseline, and the stale entries: those of the
    checked files (or of files that no longer exist) whose findings are gone. `warn` hears
    once about each old baseline whose entries cannot match here."""
    groups: Dict[Path, List[Diagnostic]] = {}
    kept: List[Diagnostic] = []
    for diagnostic in diagnostics:
        path = baseline_of(diagnostic.path)
        if path is None or diagnostic.code in UNBASELINED_CODES:
            kept.append(diagnostic)
        else:
            groups.setdefault(path, []).append(diagnostic)
    stale: List[StaleEntry] = []
    baselines = {path for path in (baseline_of(p) for p in checked) if path is not None}
    absolute: Dict[str, str] = {}  # a finding's path -> its absolute path (a stat per folder)
    for path in sorted(baselines | set(groups)):
        baseline = read(path)
        warning = old_format_warning(baseline)
        if warning is not None:
            warn(warning)
        # entries by the absolute path they name: found wherever the tree is checked out
        remaining: Counter[Key] = Counter()
        written_as: Dict[Key, Key] = {}
        for (file, code, print_), count in baseline.counts.items():
            key = (baseline.where(file), code, print_)
            remaining[key] += count
            written_as.setdefault(key, (file, code, print_))
        fingerprints = _Fingerprints()
        for diagnostic in groups.get(path, []):
            key = (_absolute(diagnostic.path, absolute), diagnostic.code,
                   fingerprints.of(diagnostic.path, diagnostic.line))
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                kept.append(diagnostic)
        checked_here = {_absolute(p, absolute) for p in checked if baseline_of(p) == path}
        for key, left in sorted(remaining.items()):
            if left > 0 and (key[0] in checked_here or not os.path.exists(key[0])):
                file, code, print_ = written_as[key]
                stale.append(StaleEntry(path, file, code, print_, left))
    kept.sort()
    return kept, stale


def _keys(root: Path, diagnostics: Sequence[Diagnostic]) -> Counter[Key]:
    fingerprints = _Fingerprints()
    absolute: Dict[str, str] = {}
    return Counter((_portable(Path(_absolute(d.path, absolute)), root), d.code,
                    fingerprints.of(d.path, d.line))
                   for d in diagnostics if d.code not in UNBASELINED_CODES)


def _absolute(path: str, known: Dict[str, str]) -> str:
    """The absolute path of a finding's file, its folders' symlinks resolved and its own name
    kept (a baseline names the file that was linted, not what a symlink leads to)."""
    found = known.get(path)
    if found is None:
        folder, name = os.path.split(os.path.abspath(path))
        found = known[path] = os.path.join(os.path.realpath(folder), name)
    return found


def _portable(path: Path, start: Path) -> str:
    """`path` relative to `start` in `/` form (`..` where it is outside); absolute only when
    no relative path exists (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path, start)).as_posix()
    except ValueError:
        return path.as_posix()


class _Fingerprints:
    """Each file with findings is read once."""

    def __init__(self) -> None:
        from corptls_lint.adoption.fingerprint import Fingerprinter

        self._make = Fingerprinter
        self._files: Dict[str, Optional[Fingerprinter]] = {}

    def of(self, path: str, line: int) -> str:
        if path not in self._files:
            self._files[path] = self._read(path)
        printer = self._files[path]
        return printer.fingerprint(line) if printer is not None else f"line-{line}"

    def _read(self, path: str) -> Optional[Fingerprinter]:
        from corptls_lint.source.decoding import DecodeError, decode_source
        from corptls_lint.source.writer import read_regular

        try:
            return self._make(decode_source(read_regular(path)))
        except (OSError, DecodeError):
            return None
