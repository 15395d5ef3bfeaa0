"""Which files a run lints: *.py and *.pyi under the given paths, less excludes and .gitignore."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, List, Optional, Sequence, Tuple

from corptls_lint.config import Config, _relative, glob_matches

if TYPE_CHECKING:
    import pathspec

SUFFIXES = (".py", ".pyi")


def _gitignore(directory: str) -> Optional["pathspec.PathSpec"]:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            import pathspec  # only when a .gitignore exists: it costs a tenth of a second

            return pathspec.PathSpec.from_lines("gitwildmatch", f)
    except OSError:
        return None


def _ignored(path: str, is_dir: bool, specs: Sequence[Tuple[str, "pathspec.PathSpec"]]) -> bool:
    for base, spec in specs:
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        if spec.match_file(relative + "/" if is_dir else relative):
            return True
    return False


class _Excludes:
    """`is_excluded` for the entries of a walk, cheaply: the folders above an entry were
    checked on the way down, so a glob without a slash only needs the entry's own name."""

    def __init__(self, config: Config) -> None:
        self.config = config
        globs = [glob.rstrip("/") for glob in config.all_excludes]
        names = [glob for glob in globs if "/" not in glob]
        self.literal_names = {glob for glob in names if not any(c in glob for c in "*?[")}
        self.name_globs = [glob for glob in names if glob not in self.literal_names]
        self.path_globs = [glob for glob in globs if "/" in glob]

    def __call__(self, path: str, name: str) -> bool:
        if name in self.literal_names or any(fnmatch.fnmatchcase(name, glob)
                                             for glob in self.name_globs):
            return True
        if not self.path_globs:
            return False
        relative = _relative(Path(path), self.config.root)
        return any(glob_matches(glob, relative) for glob in self.path_globs)


def _walk(root: str, config: Config) -> Iterator[str]:
    """Files under `root`, sorted, without following symlinks (folders or files)."""
    specs: List[Tuple[str, "pathspec.PathSpec"]] = []
    # .gitignore files of the folders above the root apply too, up to the repository's top.
    parent = Path(root).resolve()
    for above in (parent, *parent.parents):
        spec = _gitignore(str(above))
        if spec is not None:
            specs.append((str(above), spec))
        try:
            if (above / ".git").exists():
                break
        except OSError:  # a folder above that this user cannot search
            break
    yield from _walk_dir(root, _Excludes(config), specs, is_root=True)


def _walk_dir(directory: str, excluded: _Excludes, specs: List[Tuple[str, "pathspec.PathSpec"]],
              is_root: bool = False) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        yield directory  # linting it reports why it cannot be read (TLS001), never a skip
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
        if excluded(path, entry.name) or (specs and _ignored(os.path.abspath(path), is_dir, specs)):
            continue
        if is_dir:
            yield from _walk_dir(path, excluded, specs)
        elif entry.name.endswith(SUFFIXES) and entry.is_file(follow_symlinks=False):
            yield path


def discover(paths: Sequence[str], config: Config) -> List[str]:
    """Every file to lint, in a stable order. A file named on the command line is always linted
    (symlink or not); folders are walked with the excludes and .gitignore applied. A file
    reached by several names (`a.py ./a.py $PWD/a.py`, a symlink) is linted once, under the
    first name given."""
    found: List[str] = []
    seen = set()
    for given in paths:
        if os.path.isdir(given):
            candidates = list(_walk(given, config))
        else:
            candidates = [given]
        for path in candidates:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found


def unmatched_per_file_globs(config: Config) -> List[str]:
    """per-file-ignores globs that match no file of the project (a stale or mistyped glob).

    The project is the configuration's folder, walked as a run would walk it; the walk stops
    as soon as every glob has matched a file.
    """
    from pathlib import PurePosixPath

    pending = list(config.per_file_ignores)
    if not pending or config.path is None:
        return []
    for path in _walk(str(config.root), config):
        relative = PurePosixPath(Path(path).relative_to(config.root).as_posix())
        pending = [glob for glob in pending if not glob_matches(glob, relative)]
        if not pending:
            break
    return pending
