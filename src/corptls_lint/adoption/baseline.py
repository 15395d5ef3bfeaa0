"""Baselines: adopt the linter on a codebase with many findings by recording them once and
reporting only new ones.

An entry is keyed by the file's path (relative to the baseline's folder), the code and the
fingerprint of the statement the finding is in (fingerprint.py), not by line: code added above
a finding does not bring it back. Entries carry a count and matching is counted, so a pasted
copy of a baselined finding in the same file is reported. The file is sorted, indented JSON
that diffs well in review.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from corptls_lint.ftypes import ConfigError, Diagnostic
from corptls_lint.source.paths import real_path

if TYPE_CHECKING:
    from corptls_lint.adoption.fingerprint import Fingerprinter

FORMAT = "corptls-lint-baseline"
VERSION = 1
# A file that cannot be read or parsed, or an internal error, is never accepted into a baseline.
UNBASELINED_CODES = ("TLS000", "TLS001")

Key = Tuple[str, str, str]  # (path relative to the baseline's folder, code, fingerprint)


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


def write(path: Path, diagnostics: Sequence[Diagnostic]) -> int:
    """Record the findings in `path`; returns how many were recorded."""
    counts = _keys(real_path(path).parent, diagnostics)
    entries = [{"path": p, "code": c, "fingerprint": f, "count": n}
               for (p, c, f), n in sorted(counts.items())]
    document = {"format": FORMAT, "version": VERSION, "findings": entries}
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    from corptls_lint.source.writer import WriteError, write_output

    try:
        write_output(str(path), text.encode("utf-8"))
    except WriteError as error:
        raise ConfigError(f"--write-baseline: {error}") from None
    return sum(counts.values())


def read(path: Path) -> Counter[Key]:
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
    counts: Counter[Key] = Counter()
    for entry in document.get("findings", []):
        try:
            key = (str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]))
            counts[key] += int(entry.get("count", 1))
        except (TypeError, KeyError, ValueError):
            raise ConfigError(f"baseline {path}: malformed entry {entry!r}") from None
    return counts


def filter_findings(diagnostics: Sequence[Diagnostic],
                    baseline_of: Callable[[str], Optional[Path]],
                    checked: Iterable[str], sources: Optional[Mapping[str, str]] = None,
                    ) -> Tuple[List[Diagnostic], List[StaleEntry]]:
    """The findings not covered by their file's baseline, and the stale entries: those of the
    checked files (or of files that no longer exist) whose findings are gone. `sources`: the
    text of a file whose findings came from text not on disk (an editor's buffer), by path:
    its findings are fingerprinted in that text."""
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
    for path in sorted(baselines | set(groups)):
        folder = real_path(path).parent
        remaining = read(path)
        fingerprints = _Fingerprints(sources)
        for diagnostic in groups.get(path, []):
            key = _key(folder, diagnostic, fingerprints)
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                kept.append(diagnostic)
        checked_here = {_relative(folder, p) for p in checked if baseline_of(p) == path}
        for (file, code, print_), left in sorted(remaining.items()):
            if left > 0 and (file in checked_here or not (folder / file).exists()):
                stale.append(StaleEntry(path, file, code, print_, left))
    kept.sort()
    return kept, stale


def _keys(folder: Path, diagnostics: Sequence[Diagnostic]) -> Counter[Key]:
    fingerprints = _Fingerprints()
    return Counter(_key(folder, d, fingerprints) for d in diagnostics
                   if d.code not in UNBASELINED_CODES)


def _key(folder: Path, diagnostic: Diagnostic, fingerprints: "_Fingerprints") -> Key:
    return (_relative(folder, diagnostic.path), diagnostic.code,
            fingerprints.of(diagnostic.path, diagnostic.line))


def _relative(folder: Path, path: str) -> str:
    absolute = os.path.abspath(path)
    try:
        return Path(absolute).relative_to(folder).as_posix()
    except ValueError:
        return Path(absolute).as_posix()


class _Fingerprints:
    """Each file with findings is read once (a text in `sources` is not read)."""

    def __init__(self, sources: Optional[Mapping[str, str]] = None) -> None:
        from corptls_lint.adoption.fingerprint import Fingerprinter

        self._make = Fingerprinter
        self._files: Dict[str, Optional[Fingerprinter]] = {
            path: Fingerprinter(text) for path, text in (sources or {}).items()}

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
