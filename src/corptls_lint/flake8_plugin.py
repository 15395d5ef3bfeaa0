"""The flake8 plugin: a thin shim over the engine, so `flake8 --select TLS` and the CLI agree.

flake8 hands the plugin the file's `lines` (the editor's buffer, not the file on disk) and does
`# noqa` itself, and skips a file with `# flake8: noqa` before any plugin sees it; the plugin
reads `# corptls-lint: noqa` (file level, checking/noqa.py), which flake8 does not know, unless
flake8's `--disable-noqa` is given. `[tool.corptls-lint]` is read from the pyproject.toml nearest the file, once per
process per folder, so a flake8 run over a whole tree does not re-read it for every file.
"""

from __future__ import annotations

import argparse
import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, List, Optional, Sequence, Tuple, Type

from flake8.exceptions import ExecutionError

if TYPE_CHECKING:
    from flake8.options.manager import OptionManager

from corptls_lint import __version__
from corptls_lint.checking import noqa
from corptls_lint.checking.engine import lint_source, text_problem
from corptls_lint.ftypes import ConfigError, FixTargets, Settings, Target
from corptls_lint.rules import ALL_RULES
from corptls_lint.running import config as config_module
from corptls_lint.source.paths import real_path
from corptls_lint.source.writer import read_regular

_OFF_BY_DEFAULT = tuple(rule.code for rule in ALL_RULES if not rule.default_enabled)
# flake8 option name -> FixTargets attribute it overrides.
_TARGET_OPTIONS = {"corptls_ca_bundle": "ca_bundle",
                   "corptls_session_factory": "session_factory"}


class PluginConfigError(ExecutionError):
    """A bad `[tool.corptls-lint]` table or `--corptls-*` option. flake8 prints an
    ExecutionError in one line and exits 1, as the CLI exits 2 on a bad config."""


@functools.lru_cache(maxsize=None)
def _config_file_for(directory: str) -> Optional[Path]:
    return config_module.find_config_file(Path(directory))


@functools.lru_cache(maxsize=None)
def _project(config_file: Optional[Path]) -> Tuple[config_module.Config, Tuple[str, ...]]:
    """The loaded table and the codes it enables, once per pyproject.toml per process."""
    config = config_module.load_config(config_file)
    enabled = config_module.select_codes(config.select, config.extend_select, config.ignore,
                                         configured=config_module.configured_keys(config))
    return config, enabled


def settings_for_file(filename: str, overrides: FixTargets,
                      flake8_selected: Sequence[str] = ()) -> Settings:
    """The settings the CLI would use for `filename`, plus off-by-default rules that flake8's
    own `--select`/`--extend-select` name in full (TLS402), as the CLI's `--extend-select` would."""
    path = Path(filename)
    try:
        config, enabled = _project(_config_file_for(str(real_path(path.parent))))
    except ConfigError as error:
        raise PluginConfigError(f"corptls-lint: {error}") from None
    targets = replace(config.targets, **{attr: value for attr, value in
                                         vars(overrides).items() if value is not None})
    # a policy rule (TLS401) is on when its key is configured, here or by a --corptls option
    policy_on = config_module.select_codes(None, (), config.ignore,
                                           configured=config_module.configured_keys(config,
                                                                                    targets))
    extra = tuple(code for code in _OFF_BY_DEFAULT
                  if (code in flake8_selected or (code in policy_on and config.select is None))
                  and code not in enabled and not code.startswith(tuple(config.ignore)))
    return config_module.file_settings(path, config, enabled + extra, targets)


def parse_target(option: str, value: Optional[str]) -> Optional[Target]:
    if value is None or value == "":
        return None
    try:
        return Target.parse(value, option.replace("corptls_", "").replace("_", "-"))
    except ValueError as error:
        raise PluginConfigError(f"--{option.replace('_', '-')}: {error}") from None


class CorpTLSChecker:
    """flake8's `TLS` entry point. flake8 requires a `tree` argument of a tree plugin; the
    engine parses `lines` with libcst instead, so what flake8 sees is what the CLI sees."""

    name = "corptls-lint"
    version = __version__

    overrides: FixTargets = FixTargets()
    flake8_selected: Tuple[str, ...] = ()
    disable_noqa = False

    def __init__(self, tree: object, filename: str, lines: List[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: OptionManager) -> None:
        parser.add_option("--corptls-ca-bundle", metavar="MODULE:EXPR", default=None,
                          parse_from_config=True,
                          help="corptls-lint: the CA bundle expression (overrides ca-bundle)")
        parser.add_option("--corptls-session-factory", metavar="MODULE:EXPR", default=None,
                          parse_from_config=True,
                          help="corptls-lint: the session factory (overrides session-factory)")

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        targets = {attr: parse_target(option, getattr(options, option, None))
                   for option, attr in _TARGET_OPTIONS.items()}
        cls.overrides = FixTargets(**targets)
        selected: List[str] = []
        for option in ("select", "extend_select"):
            selected.extend(getattr(options, option, None) or ())
        cls.flake8_selected = tuple(selected)
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
        # A bad configuration fails here, in the main process, before flake8 starts its pool:
        # raised in a worker, it made flake8 terminate the pool, which can hang for good
        # (multiprocessing.Pool.terminate while workers still hold its queue).
        for given in getattr(options, "filenames", None) or ["."]:
            directory = given if os.path.isdir(given) else os.path.dirname(given) or "."
            try:
                _project(_config_file_for(str(real_path(directory))))
            except ConfigError as error:
                raise PluginConfigError(f"corptls-lint: {error}") from None

    def run(self) -> Iterator[Tuple[int, int, str, Type["CorpTLSChecker"]]]:
        settings = settings_for_file(self.filename, self.overrides, self.flake8_selected)
        if not settings.enabled:
            return
        text = "".join(self.lines)
        if not self.disable_noqa:  # flake8 has read `# flake8: noqa` already
            exemption = noqa.file_exemption(text, flake8=False)
            if exemption is not None:
                if exemption.whole_file:
                    return
                settings = replace(settings, enabled=tuple(
                    code for code in settings.enabled if not exemption.covers(code)))
        undecodable = _undecodable_file(self.filename, text)
        # an undecodable file is TLS001, as the CLI reports it; never flake8's latin-1 reading
        result = lint_source(undecodable if undecodable is not None else text, self.filename,
                             settings, apply_noqa=False)
        for diagnostic in result.diagnostics:
            # flake8 columns are 0-based and printed +1; ours are 1-based already.
            yield (diagnostic.line, diagnostic.col - 1, f"{diagnostic.code} {diagnostic.message}",
                   type(self))


def _undecodable_file(filename: str, text: str) -> Optional[bytes]:
    """The bytes of `filename` when flake8 read them as latin-1 because they do not decode as
    the file declares (CPython refuses to run such a file; the CLI reports it as TLS001), else
    None. Asked only of text that can be such a reading: characters below 256, and non-ASCII
    or a coding line; standard input (a buffer under a display name) never matches the disk."""
    if text.isascii() and "coding" not in "\n".join(text.split("\n", 2)[:2]):
        return None
    try:
        candidate = text.encode("latin-1")
    except UnicodeEncodeError:  # characters beyond latin-1: flake8 decoded the file
        return None
    if text_problem(candidate) is None:
        return None
    try:
        on_disk = read_regular(filename)
    except OSError:
        return None
    # flake8 read it in text mode: universal newlines
    if on_disk.replace(b"\r\n", b"\n").replace(b"\r", b"\n") != candidate:
        return None
    return on_disk
