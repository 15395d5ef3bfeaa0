"""The configuration of each file of a run, as ruff finds it: the nearest configuration file
above the file (whatever order the paths come in), or the one `--config` forces, with the
command line's options applied on top of each."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from corptls_lint.ftypes import ConfigError, FixTargets, Settings, Target
from corptls_lint.running import config as config_module
from corptls_lint.running.config import Config, ConfigResolver
from corptls_lint.running.import_settings import import_order_for
from corptls_lint.source.paths import real_path, repository_root

POLICY_CODE = "TLS401"


class Projects:
    """Per-file settings for one run. Options are validated once, before any file is read."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        forced: Optional[Path] = None
        if args.config:
            forced = Path(args.config)
            if not forced.is_file():
                raise ConfigError(f"--config: {args.config}: no such file")
            config_module.check_named_config(forced)
        self.select = (None if args.select is None
                       else config_module.parse_code_list(args.select, "--select"))
        self.extend_select = config_module.parse_code_list(args.extend_select or "",
                                                           "--extend-select")
        self.ignore = config_module.parse_code_list(args.ignore or "", "--ignore")
        self.overrides = _target_overrides(args)
        self.resolver = ConfigResolver(forced, self._adjust)
        self._codes: Dict[int, Tuple[Tuple[str, ...], FixTargets]] = {}

    def _adjust(self, config: Config) -> Config:
        args = self.args
        if args.exclude is not None:
            config.exclude = _split(args.exclude)
        config.extend_exclude += _split(args.extend_exclude)
        if getattr(args, "force_exclude", False):
            config.force_exclude = True
        return config

    def for_dir(self, directory: Path) -> Config:
        return self.resolver.for_dir(directory)

    def config_of(self, path: str) -> Config:
        """The configuration of a file the run lints. Its folder's, without asking whether
        the path is a folder (a stat per file): the walk gives a folder only when it could not
        list it, and then the folder's own configuration file is not seen either."""
        return self.resolver.for_dir(os.path.dirname(path) or ".")

    def codes(self, config: Config) -> Tuple[Tuple[str, ...], FixTargets]:
        """The enabled codes and fix targets of one configuration, with the options applied."""
        known = self._codes.get(id(config))
        if known is None:
            targets = replace(config.targets, **self.overrides)
            select = self.select if self.select is not None else config.select
            enabled = config_module.select_codes(
                select, config.extend_select + self.extend_select, config.ignore + self.ignore,
                configured=config_module.configured_keys(config, targets))
            known = self._codes[id(config)] = (enabled, targets)
        return known

    def settings(self, path: str) -> Settings:
        config = self.config_of(path)
        enabled, targets = self.codes(config)
        if (not config.per_file_ignores and not config.test_ignore  # the same for every file
                and not config_module.may_be_trust_module(path, targets)):
            settings = config_module.shared_settings(enabled, targets,
                                                     tuple(config.insecure_keywords))
        else:
            settings = config_module.file_settings(Path(path), config, enabled, targets)
        if self.fixing:  # where a fix puts the imports it adds (check mode never asks)
            settings = replace(settings, import_order=import_order_for(config.root))
        return settings

    @property
    def fixing(self) -> bool:
        return bool(getattr(self.args, "fix", False) or getattr(self.args, "diff", False))

    def is_test(self, path: str) -> bool:
        return config_module.is_test_path(Path(path), self.config_of(path))

    def project_root(self, path: Path) -> Path:
        """The project root a file at `path` belongs to (a baseline's paths are relative to
        it): the folder of the configuration file found from the file's folder upwards, as a
        Python file there would find it (not `--config`'s, which may live anywhere); else the
        repository's top; else the current folder."""
        folder = real_path(path).parent
        found = config_module.find_config_file(folder)
        if found is not None:
            return real_path(found.parent)
        return repository_root(folder) or real_path(os.getcwd())

    @property
    def loaded(self) -> List[Config]:
        return self.resolver.loaded

    def policy_hint(self) -> Optional[str]:
        """How to turn TLS401 on, when some configuration of the run leaves it off by default
        (not when the user ignored it)."""
        for config in self.loaded:
            enabled, _ = self.codes(config)
            ignored = config.ignore + self.ignore
            if POLICY_CODE not in enabled and not POLICY_CODE.startswith(tuple(ignored)):
                return (f"{POLICY_CODE} (sessions without the company trust settings) is off: "
                        "configure 'session-factory' in [tool.corptls-lint] or pass "
                        f"--extend-select {POLICY_CODE}.")
        return None


def _split(text: Optional[str]) -> List[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _target_overrides(args: argparse.Namespace) -> Dict[str, Target]:
    overrides = {}
    for option in ("ca_bundle", "session_factory", "ssl_context"):
        value = getattr(args, option, None)
        if value is not None:
            try:
                overrides[option] = Target.parse(value, option.replace("_", "-"))
            except ValueError as error:
                raise ConfigError(f"--{option.replace('_', '-')}: {error}") from None
    return overrides
