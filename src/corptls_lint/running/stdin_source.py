"""Linting standard input: `corptls-lint - --stdin-filename app/api.py` (editors, pipes).

`--fix -` prints the fixed source on stdout (editors replace the buffer with it) and the
remaining findings and the summary on stderr; `--diff -` prints the diff, as ruff does.

The source is reported under the given name, and the config and per-file-ignores that apply
to that path apply to it, as ruff and flake8 do for an unsaved buffer.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Optional, Tuple

from corptls_lint.ftypes import ConfigError, FileOutcome, FileTask

if TYPE_CHECKING:
    from corptls_lint.running.config import Config

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


def force_excluded(args: argparse.Namespace, name: str, config: Config) -> bool:
    """Whether --force-exclude (or the configuration's force-exclude) excludes the name the
    source is linted under: then, as ruff does, nothing is reported and `--fix -` prints the
    source unchanged (an editor linting every buffer keeps its excluded files quiet)."""
    if not args.stdin_filename or not (args.force_exclude or config.force_exclude):
        return False
    from corptls_lint.running.files import is_force_excluded

    return is_force_excluded(name, config)


def read_source(stream: Optional[BinaryIO] = None) -> bytes:
    return (stream or sys.stdin.buffer).read()


def text_of(data: Optional[bytes]) -> str:
    """Standard input as text for the formats that show source lines."""
    from corptls_lint.source.decoding import DecodeError, decode_source

    try:
        return decode_source(data or b"")
    except DecodeError:
        return (data or b"").decode("utf-8", "replace")


def fix(task: FileTask) -> Tuple[bytes, FileOutcome]:
    """`--fix -`: the fixed source, encoded as it came (the input bytes themselves when nothing
    changed), and what is left to report. Editors replace the buffer with these bytes."""
    from corptls_lint.running.fixer import fix_text
    from corptls_lint.running.runner import process_file
    from corptls_lint.source import writer
    from corptls_lint.source.decoding import DecodeError

    data = task.source or b""
    try:
        source = writer.from_bytes(task.path, data)
    except DecodeError:  # reported as TLS001 by a check, the source passes through unchanged
        return data, process_file(replace(task, mode="check"))
    fixed = fix_text(source.text, task.path, task.settings, task.unsafe_fixes)
    outcome = FileOutcome(task.path, fixed.diagnostics, fixed.fixed,
                          fixed_unsafe=fixed.fixed_unsafe)
    if fixed.text == source.text:
        return data, outcome
    try:
        return writer.encode(source, fixed.text), outcome
    except writer.WriteError as error:
        from corptls_lint.running.fixer import _not_fixed

        unfixed = process_file(replace(task, mode="check")).diagnostics
        return data, FileOutcome(task.path, _not_fixed(unfixed, str(error)))
