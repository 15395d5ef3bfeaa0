"""Linting standard input: `corptls-lint - --stdin-filename app/api.py` (editors, pipes).

The source is reported under the given name, and the config and per-file-ignores that apply
to that path apply to it, as ruff and flake8 do for an unsaved buffer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO, Optional

from corptls_lint.ftypes import ConfigError

STDIN = "-"
# flake8's display name for standard input when no name is given.
DEFAULT_NAME = "stdin"


def reads_stdin(args: argparse.Namespace) -> bool:
    """True for `-` as the only path, or `--stdin-filename` with no path at all (as ruff)."""
    paths = args.paths or []
    if STDIN in paths:
        if len(paths) > 1:
            raise ConfigError("- (standard input) cannot be combined with other paths")
        return True
    if args.stdin_filename is not None:
        if paths:
            raise ConfigError("--stdin-filename needs - as the path (or no path)")
        return True
    return False


def display_name(args: argparse.Namespace) -> str:
    return args.stdin_filename or DEFAULT_NAME


def config_start(args: argparse.Namespace) -> Path:
    """Where the nearest pyproject.toml is looked for: the named file's folder, else cwd."""
    if args.stdin_filename:
        return Path(args.stdin_filename).parent
    return Path.cwd()


def read_source(stream: Optional[BinaryIO] = None) -> bytes:
    return (stream or sys.stdin.buffer).read()
