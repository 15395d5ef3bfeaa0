"""Which files a run lints: *.py and *.pyi under the given paths, less excludes, virtualenvs,
.gitignore, .git/info/exclude and the global git excludes file."""

from __future__ import annotations

import fnmatch
import operator
import os
from pathlib import Path
from typing import (TYPE_CHECKING, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence,
                    Tuple, Union)

from corptls_lint.running.config import Config, ConfigResolver, _relative, glob_matches
from corptls_lint.source.paths import is_repository_root, real_path
from corptls_lint.source.writer import read_regular

if TYPE_CHECKING:
    import pathspec

SUFFIXES = (".py", ".pyi")


def _gitignore(directory: str) -> Optional["pathspec.GitIgnoreSpec"]:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            import pathspec  # only when a .gitignore exists: it costs a tenth of a second

            return pathspec.GitIgnoreSpec.from_lines(f)
    except OSError:
        return None


def _ignored(path: str, is_dir: bool,
             specs: Sequence[Tuple[str, "pathspec.GitIgnoreSpec"]]) -> bool:
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


ConfigFor = Callable[..., Config]  # a folder (and the names it holds) -> its configuration


def _config_for(configs: Union[Config, ConfigResolver]) -> ConfigFor:
    if isinstance(configs, Config):
        return lambda directory, listing=None: configs
    return configs.for_dir


class _ExcludesFor:
    """The `_Excludes` of each folder's configuration, built once per configuration."""

    def __init__(self, config_for: ConfigFor) -> None:
        self.config_for = config_for
        self.built: Dict[int, _Excludes] = {}

    def __call__(self, directory: str, listing: Optional[FrozenSet[str]] = None) -> "_Excludes":
        config = self.config_for(directory, listing)
        excludes = self.built.get(id(config))
        if excludes is None or excludes.config is not config:
            excludes = self.built[id(config)] = _Excludes(config)
        return excludes


class SkippedFolders:
    """The folders a walk skipped and why, for `--verbose`: a planted file that makes a
    package look like an environment, or a glob that excludes more than meant, must show."""

    ENVIRONMENT, EXCLUDED, IGNORED, SYMLINK = ("environment", "excluded", "ignored", "symlink")
    _LABELS = ((ENVIRONMENT, "virtual environment", "virtual environments"),
               (EXCLUDED, "excluded", "excluded"),
               (IGNORED, "ignored by git", "ignored by git"),
               (SYMLINK, "symlink", "symlinks"))
    NAMES_SHOWN = 10

    def __init__(self) -> None:
        self.folders: List[Tuple[str, str]] = []  # (path, reason), in walk order

    def add(self, path: str, reason: str) -> None:
        self.folders.append((path, reason))

    def describe(self, display: Callable[[str], str] = str) -> Optional[str]:
        """One line: "skipped 3 folders: 2 virtual environments (.venv, env), 1 excluded
        (build)", or None when nothing was skipped. An excluded folder (`.venv`, `venv`) that
        is an environment is counted as one."""
        if not self.folders:
            return None
        by_reason: Dict[str, List[str]] = {}
        for path, reason in self.folders:
            if reason == self.EXCLUDED and is_environment(path):
                reason = self.ENVIRONMENT
            by_reason.setdefault(reason, []).append(display(path))
        parts = []
        for reason, one, many in self._LABELS:
            names = by_reason.get(reason)
            if names:
                shown = ", ".join(names[:self.NAMES_SHOWN])
                if len(names) > self.NAMES_SHOWN:
                    shown += f", ... {len(names) - self.NAMES_SHOWN} more"
                parts.append(f"{len(names)} {one if len(names) == 1 else many} ({shown})")
        count = len(self.folders)
        return f"skipped {count} folder{'' if count == 1 else 's'}: " + ", ".join(parts)


def _walk(root: str, configs: Union[Config, ConfigResolver],
          skipped: Optional[SkippedFolders] = None) -> Iterator[str]:
    """Files under `root`, sorted, without following symlinks (folders or files). A folder
    with its own configuration file is walked with that configuration's excludes. The
    folders left out are told to `skipped`."""
    specs: List[Tuple[str, "pathspec.GitIgnoreSpec"]] = []
    # .gitignore files of the folders above the root apply too, up to the repository's top,
    # and so do the repository's .git/info/exclude and the user's global excludes file.
    parent = real_path(root)
    for above in (parent, *parent.parents):
        spec = _gitignore(str(above))
        if spec is not None:
            specs.append((str(above), spec))
        if is_repository_root(str(above)):
            specs.extend((str(above), spec) for spec in git_excludes(above))
            break
    yield from _walk_dir(root, _ExcludesFor(_config_for(configs)), specs, skipped)


def _walk_dir(root: str, excludes_for: _ExcludesFor,
              specs: List[Tuple[str, "pathspec.GitIgnoreSpec"]],
              skipped: Optional[SkippedFolders]) -> Iterator[str]:
    """Depth first, each folder's entries sorted by name. One generator with a stack of the
    folders being listed: nested `yield from` costs every file a step per level above it."""
    stack = [iter(_entries(root, excludes_for, specs, skipped, is_root=True))]
    while stack:
        for path, is_dir, inner_specs in stack[-1]:
            if is_dir:
                stack.append(iter(_entries(path, excludes_for, inner_specs, skipped)))
                break
            yield path
        else:
            stack.pop()


def _entries(directory: str, excludes_for: _ExcludesFor,
             specs: List[Tuple[str, "pathspec.GitIgnoreSpec"]],
             skipped: Optional[SkippedFolders], is_root: bool = False
             ) -> List[Tuple[str, bool, List[Tuple[str, "pathspec.GitIgnoreSpec"]]]]:
    """(path, is a folder, the .gitignore specs that apply inside) of the entries of one
    folder that a walk keeps: files to lint and folders to descend into."""
    try:
        entries = sorted(os.scandir(directory), key=_name)
    except OSError:
        # linting it reports why it cannot be read (TLS001), never a skip
        return [(directory, False, specs)]
    # the names the folder holds answer "is there a configuration file, a .gitignore, a
    # pyvenv.cfg?" without a stat each (a walk asks it of every folder)
    listing = frozenset(entry.name for entry in entries)
    if not is_root and is_environment(directory, listing):
        if skipped is not None:
            skipped.add(directory, SkippedFolders.ENVIRONMENT)
        return []
    excluded = excludes_for(directory, listing)
    local = None if is_root or ".gitignore" not in listing else _gitignore(directory)
    if local is not None:
        specs = specs + [(os.path.abspath(directory), local)]
    kept = []
    for entry in entries:
        if entry.is_symlink():
            if skipped is not None and _is_folder(entry):
                skipped.add(entry.path, SkippedFolders.SYMLINK)
            continue
        path = entry.path
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if excluded(path, entry.name):
            if is_dir and skipped is not None:
                skipped.add(path, SkippedFolders.EXCLUDED)
            continue
        if specs and _ignored(os.path.abspath(path), is_dir, specs):
            if is_dir and skipped is not None:
                skipped.add(path, SkippedFolders.IGNORED)
            continue
        if is_dir:
            kept.append((path, True, specs))
        elif entry.name.endswith(SUFFIXES) and entry.is_file(follow_symlinks=False):
            kept.append((path, False, specs))
    return kept


_name = operator.attrgetter("name")


def _is_folder(entry: "os.DirEntry[str]") -> bool:
    try:
        return entry.is_dir()  # follows the symlink: only asked of symlinks, for --verbose
    except OSError:
        return False


def discover(paths: Sequence[str], configs: Union[Config, ConfigResolver],
             force_exclude: bool = False,
             skipped: Optional[SkippedFolders] = None) -> List[str]:
    """Every file to lint, in a stable order. A file named on the command line is linted
    (symlink or not) unless `force_exclude` (or its configuration's `force-exclude`) applies
    the excludes to it too; folders are walked with the excludes and .gitignore applied. A
    file reached by several names (`a.py ./a.py $PWD/a.py`, a symlink) is linted once, under
    the first name given."""
    config_for = _config_for(configs)
    found: List[str] = []
    seen = set()
    for given in paths:
        if os.path.isdir(given):
            # a walk follows no symlink: a file's real path is its root's plus the rest
            real_root = os.path.realpath(given)
            keyed = [(real_root + path[len(given):], path)
                     for path in _walk(given, configs, skipped)]
        else:
            config = config_for(os.path.dirname(given) or ".")
            forced = force_exclude or config.force_exclude
            keyed = ([] if forced and is_force_excluded(given, config)
                     else [(os.path.realpath(given), given)])
        for key, path in keyed:
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


# -- virtualenvs and git's own exclude files ------------------------------------------------

def is_environment(folder: str, names: Optional[FrozenSet[str]] = None) -> bool:
    """A folder that is a Python environment, whatever its name, and not merely looks like
    one: a virtualenv (a pyvenv.cfg with a `home =` key, and an interpreter beside it:
    bin/python* or Scripts/python.exe) or a conda environment (conda-meta/ and an
    interpreter). An empty pyvenv.cfg or site-packages/ planted in a package does not hide
    it. `names`: what the folder holds, when the caller listed it (a walk asks every folder)."""
    def holds(name: str) -> bool:
        return name in names if names is not None else os.path.lexists(
            os.path.join(folder, name))

    if holds("pyvenv.cfg"):
        return _declares_home(os.path.join(folder, "pyvenv.cfg")) and _has_interpreter(folder)
    if holds("conda-meta"):
        return os.path.isdir(os.path.join(folder, "conda-meta")) and _has_interpreter(folder)
    return False


def _declares_home(pyvenv_cfg: str) -> bool:
    """Whether the file has the `home = ...` line every venv and virtualenv writes."""
    try:
        data = read_regular(pyvenv_cfg)  # never a FIFO planted under that name
    except OSError:
        return False
    return any(b"=" in line and line.partition(b"=")[0].strip().lower() == b"home"
               for line in data.splitlines())


def _has_interpreter(folder: str) -> bool:
    try:
        if any(name.startswith("python") for name in os.listdir(os.path.join(folder, "bin"))):
            return True
    except OSError:
        pass
    return any(os.path.isfile(os.path.join(folder, *parts))
               for parts in (("Scripts", "python.exe"), ("python.exe",)))


def is_force_excluded(path: str, config: Config) -> bool:
    """Whether a named file, or a folder between its configuration's root and it, is
    excluded (or is a Python environment), as a walk from the root would have skipped it."""
    absolute = Path(os.path.abspath(path))
    try:
        parts = absolute.relative_to(config.root).parts
        base = config.root
    except ValueError:  # outside the project: only its own name and the path globs apply
        parts, base = (absolute.name,), absolute.parent
    excluded = _Excludes(config)
    current = base
    for index, part in enumerate(parts):
        current = current / part
        if excluded(str(current), part):
            return True
        if index < len(parts) - 1 and is_environment(str(current)):
            return True
    return False


def git_excludes(top: Path) -> List["pathspec.GitIgnoreSpec"]:
    """The patterns of the repository's info/exclude and of the user's global excludes file
    (core.excludesFile, else $XDG_CONFIG_HOME/git/ignore), which git applies like .gitignore
    at the repository's top."""
    specs = []
    for path in (_git_dir(top) / "info" / "exclude", _global_excludes_file(str(top))):
        if path is None:
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                import pathspec

                specs.append(pathspec.GitIgnoreSpec.from_lines(handle))
        except OSError:
            continue
    return specs


def _git_dir(top: Path) -> Path:
    """The repository's git folder; in a linked worktree `.git` is a file naming it, and
    info/exclude lives in the common folder of all worktrees."""
    dot_git = top / ".git"
    if not dot_git.is_file():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return dot_git
    if not text.startswith("gitdir:"):
        return dot_git
    git_dir = real_path(top / text[len("gitdir:"):].strip())
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        return real_path(git_dir / common)
    except OSError:
        return git_dir


_GLOBAL_EXCLUDES: Dict[str, Optional[Path]] = {}


def _global_excludes_file(top: str) -> Optional[Path]:
    """core.excludesFile as git reads it (git itself expands `~` and follows includes), else
    git's default location. Asked once per repository per run."""
    if top in _GLOBAL_EXCLUDES:
        return _GLOBAL_EXCLUDES[top]
    import subprocess

    found: Optional[Path] = None
    try:
        completed = subprocess.run(["git", "config", "--path", "--get", "core.excludesFile"],
                                   cwd=top, capture_output=True, text=True, timeout=10)
        if completed.returncode == 0 and completed.stdout.strip():
            found = Path(completed.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    if found is None:
        config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(
            os.path.expanduser("~"), ".config")
        found = Path(config_home) / "git" / "ignore"
    _GLOBAL_EXCLUDES[top] = found
    return found
