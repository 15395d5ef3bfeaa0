"""Paths a repository may have planted: where a path really is (a symlink loop included),
where the repository ends, and whether a file may hold what another user wrote."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path
from typing import FrozenSet, Optional, Union


def real_path(path: Union[str, "os.PathLike[str]"]) -> Path:
    """The absolute path with every symlink resolved, as far as they resolve.

    `Path.resolve()` raises RuntimeError on a symlink loop before Python 3.13; a committed
    `a.py -> b.py -> a.py` must not crash a run. os.path.realpath stops at the loop instead
    (the path then names it as given), as Path.resolve does from 3.13 on."""
    return Path(os.path.realpath(path))


def is_repository_root(folder: str, names: Optional[FrozenSet[str]] = None) -> bool:
    """Whether `folder` is the top of a git repository: it holds `.git`, a folder or a file
    (a worktree, a submodule), as black decides. `names`: what it holds, when listed."""
    if names is not None:
        return ".git" in names
    return os.path.lexists(os.path.join(folder, ".git"))


def repository_root(start: Union[str, "os.PathLike[str]"]) -> Optional[Path]:
    """The nearest folder at or above `start` (a folder) that is a repository's top."""
    folder = real_path(start)
    for candidate in (folder, *folder.parents):
        if is_repository_root(str(candidate)):
            return candidate
    return None


def trust_problem(info: os.stat_result) -> Optional[str]:
    """Why a file or folder of this `os.stat` may hold what someone else wrote, else None, as
    git's safe.directory reasons: it belongs to another user (not this one, not root), or
    others, or a group that is more than this user, can write to it."""
    if hasattr(os, "geteuid") and info.st_uid not in (0, os.geteuid()):
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & stat.S_IWOTH:
        return "others can write to it"
    if info.st_mode & stat.S_IWGRP and not _private_group(info.st_gid):
        return f"its group (gid {info.st_gid}) can write to it"
    return None


def _private_group(gid: int) -> bool:
    """The group of this user alone (a user private group, as umask 002 systems create):
    its name is the user's and it lists no other member."""
    try:
        import grp
        import pwd

        group = grp.getgrgid(gid)
        return (gid == os.getegid() and not group.gr_mem
                and group.gr_name == pwd.getpwuid(os.geteuid()).pw_name)
    except (ImportError, KeyError):
        return False


def project_root() -> Path:
    """The project a run works in: the repository around the current folder, else the
    current folder itself. Files the run writes stay inside it (see writer.write_output)."""
    return _project_root_of(os.getcwd())


@functools.lru_cache(maxsize=8)
def _project_root_of(cwd: str) -> Path:
    here = real_path(cwd)
    return repository_root(here) or here


def is_inside(path: Union[str, "os.PathLike[str]"], folder: Union[str, "os.PathLike[str]"]
              ) -> bool:
    """Whether `path` is `folder` or below it (both absolute, compared as given)."""
    path, folder = os.fspath(path), os.fspath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def leaves_project(given: str, real: str) -> Optional[str]:
    """Why writing `real` (where the path the user gave, `given`, really leads) would write
    outside the project, else None. A path the user gave as an absolute one outside the
    project is theirs to choose; any other must lead, symlinks resolved, inside it: a
    symlink committed in the repository never takes a write elsewhere."""
    root = project_root()
    if os.path.isabs(given) and not is_inside(os.path.normpath(given), root):
        return None
    if is_inside(real, root):
        return None
    return f"it leads outside the project ({real} is not under {root})"
