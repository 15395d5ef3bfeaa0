"""Which files a run lints: *.py and *.pyi under the given paths, less excludes and .gitignore."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

import pathspec

from corptls_lint.config import Config, is_excluded

SUFFIXES = (".py", ".pyi")


def _gitignore(directory: str) -> Optional[pathspec.PathSpec]:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            return pathspec.PathSpec.from_lines("gitwildmatch", f)
    except OSError:
        return None


def _ignored(path: str, is_dir: bool, specs: Sequence[Tuple[str, pathspec.PathSpec]]) -> bool:
    for base, spec in specs:
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        if spec.match_file(relative + "/" if is_dir else relative):
            return True
    return False


def _walk(root: str, config: Config) -> Iterator[str]:
    """Files under `root`, sorted, without following symlinks (folders or files)."""
    specs: List[Tuple[str, pathspec.PathSpec]] = []
    # .gitignore files of the folders above the root apply too, up to the repository's top.
    parent = Path(root).resolve()
    for above in (parent, *parent.parents):
        spec = _gitignore(str(above))
        if spec is not None:
            specs.append((str(above), spec))
        if (above / ".git").exists():
            break
    yield from _walk_dir(root, config, specs, is_root=True)


def _walk_dir(directory: str, config: Config, specs: List[Tuple[str, pathspec.PathSpec]],
              is_root: bool = False) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return
    local = None if is_root else _gitignore(directory)
    if local is not None:
        specs = specs + [(os.path.abspath(directory), local)]
    for entry in entries:
        if entry.is_symlink():
            continue
        path = entry.path
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_excluded(Path(path), config) or _ignored(os.path.abspath(path), is_dir, specs):
            continue
        if is_dir:
            yield from _walk_dir(path, config, specs)
        elif entry.name.endswith(SUFFIXES) and entry.is_file(follow_symlinks=False):
            yield path


def discover(paths: Sequence[str], config: Config) -> List[str]:
    """Every file to lint, in a stable order. A file named on the command line is always linted
    (symlink or not); folders are walked with the excludes and .gitignore applied."""
    found: List[str] = []
    seen = set()
    for given in paths:
        if os.path.isdir(given):
            candidates = list(_walk(given, config))
        else:
            candidates = [given]
        for path in candidates:
            if path not in seen:
                seen.add(path)
                found.append(path)
    return found


def unmatched_per_file_globs(config: Config) -> List[str]:
    """per-file-ignores globs that match no file of the project (a stale or mistyped glob).

    The project is the configuration's folder, walked as a run would walk it; the walk stops
    as soon as every glob has matched a file.
    """
    from pathlib import PurePosixPath

    from corptls_lint.config import glob_matches

    pending = list(config.per_file_ignores)
    if not pending or config.path is None:
        return []
    for path in _walk(str(config.root), config):
        relative = PurePosixPath(Path(path).relative_to(config.root).as_posix())
        pending = [glob for glob in pending if not glob_matches(glob, relative)]
        if not pending:
            break
    return pending
