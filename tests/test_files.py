"""The walk that finds the files to lint (files.discover)."""

import os
import sys

import pytest
from helpers import write

from corptls_lint.running import files
from corptls_lint.running.config import Config


def found(root, *paths):
    return [os.path.relpath(path, root) for path in files.discover(
        [str(root / path) for path in paths or (".",)], Config())]


def test_the_walk_is_depth_first_with_each_folders_entries_sorted(tmp_path):
    for name in ("b.py", "a/z.py", "a/b/c.py", "a/a.py", "c/d.py", "A.py", "a_b.py", "a/b/.py"):
        write(tmp_path, name, "")
    assert found(tmp_path) == ["A.py", "a/a.py", "a/b/.py", "a/b/c.py", "a/z.py", "a_b.py",
                               "b.py", "c/d.py"]


def test_a_nested_gitignore_applies_below_its_folder_only(tmp_path):
    write(tmp_path, "a/.gitignore", "gen_*.py\n")
    for name in ("gen_1.py", "a/gen_2.py", "a/b/gen_3.py", "a/keep.py", "env/bin/python",
                 "env/x.py", "z.py"):
        write(tmp_path, name, "")
    write(tmp_path, "env/pyvenv.cfg", "home = /usr/bin\n")
    assert found(tmp_path) == ["a/keep.py", "gen_1.py", "z.py"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root lists any folder")
def test_a_folder_the_walk_cannot_list_is_given_in_its_place(tmp_path):
    for name in ("a.py", "b/x.py", "c.py"):
        write(tmp_path, name, "")
    os.chmod(tmp_path / "b", 0)
    try:
        assert found(tmp_path) == ["a.py", "b", "c.py"]
    finally:
        os.chmod(tmp_path / "b", 0o755)
