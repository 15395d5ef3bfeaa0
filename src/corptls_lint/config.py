"""`[tool.corptls-lint]` in the nearest pyproject.toml: found, validated, and turned into Settings."""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from corptls_lint.ftypes import ConfigError, FixTargets, Settings, Target

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11
    import tomli as tomllib

TABLE = "corptls-lint"
_CODE_PREFIX = re.compile(r"^TLS[0-9]{0,3}$")

DEFAULT_EXCLUDES = (".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "build", "dist",
                    "__pycache__", "node_modules", ".corptls_cache", ".mypy_cache",
                    ".pytest_cache", ".eggs")

_STRING_KEYS = ("ca-bundle", "session-factory", "ssl-context")
_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude",
              "insecure-keywords")
KNOWN_KEYS = _STRING_KEYS + _LIST_KEYS + ("per-file-ignores",)


@dataclass
class Config:
    """The validated table, and where it came from (per-file-ignores are relative to `root`)."""

    path: Optional[Path] = None
    root: Path = field(default_factory=Path.cwd)
    ca_bundle: Optional[Target] = None
    session_factory: Optional[Target] = None
    ssl_context: Optional[Target] = None
    select: Optional[List[str]] = None
    extend_select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    exclude: List[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    extend_exclude: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    insecure_keywords: List[str] = field(default_factory=list)  # TLS105's wrapper flags

    @property
    def targets(self) -> FixTargets:
        return FixTargets(self.ca_bundle, self.session_factory, self.ssl_context)

    @property
    def all_excludes(self) -> List[str]:
        return self.exclude + self.extend_exclude


# -- finding and reading ---------------------------------------------------------------------

def find_config_file(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.corptls-lint] table, from `start` upwards."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file():
            try:
                data = _read_toml(candidate)
            except ConfigError:
                raise
            if TABLE in data.get("tool", {}):
                return candidate
    return None


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_config(path: Optional[Path]) -> Config:
    """Read and validate the table in `path` (None: the defaults)."""
    if path is None:
        return Config()
    data = _read_toml(path)
    table = data.get("tool", {}).get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return parse_table(table, path)


def parse_table(table: dict, path: Path) -> Config:
    where = f"{path}: [tool.{TABLE}]"
    config = Config(path=path, root=path.parent.resolve())
    for key, value in table.items():
        if key not in KNOWN_KEYS:
            hint = _did_you_mean(key, KNOWN_KEYS)
            raise ConfigError(f"{where}: unknown key '{key}'{hint}")
        attr = key.replace("-", "_")
        if key in _STRING_KEYS:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: '{key}' must be a string like \"corp_tls:NAME\"")
            try:
                setattr(config, attr, Target.parse(value))
            except ValueError as error:
                raise ConfigError(f"{where}: '{key}': {error}") from None
        elif key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ConfigError(f"{where}: '{key}' must be a list of strings")
            if key in ("select", "extend-select", "ignore"):
                validate_codes(value, f"{where}: '{key}'")
            if key == "insecure-keywords":
                validate_insecure_keywords(value, f"{where}: '{key}'")
            setattr(config, attr, list(value))
        else:  # per-file-ignores
            if not isinstance(value, dict) or not all(
                    isinstance(codes, list) and all(isinstance(c, str) for c in codes)
                    for codes in value.values()):
                raise ConfigError(
                    f"{where}: 'per-file-ignores' must map globs to lists of codes")
            for glob, codes in value.items():
                validate_codes(codes, f"{where}: 'per-file-ignores' \"{glob}\"")
            config.per_file_ignores = {glob: list(codes) for glob, codes in value.items()}
    return config


def _did_you_mean(key: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def validate_insecure_keywords(entries: Sequence[str], where: str) -> None:
    """Each entry is a keyword name, or `name=true` when a truthy value is the insecure one."""
    for entry in entries:
        name, equals, value = entry.partition("=")
        if not name.strip().isidentifier() or (equals and value.strip().lower() != "true"):
            raise ConfigError(f"{where}: '{entry}' is not NAME or NAME=true")


def validate_codes(codes: Sequence[str], where: str) -> None:
    from corptls_lint.rules import RULES_BY_CODE

    for code in codes:
        if not _CODE_PREFIX.match(code) or not any(c.startswith(code) for c in RULES_BY_CODE):
            raise ConfigError(f"{where}: unknown rule code or prefix '{code}'")


def parse_code_list(text: str, option: str) -> List[str]:
    codes = [item.strip() for item in text.split(",") if item.strip()]
    validate_codes(codes, option)
    return codes


# -- selection -------------------------------------------------------------------------------

def select_codes(select: Optional[Sequence[str]], extend_select: Sequence[str],
                 ignore: Sequence[str]) -> Tuple[str, ...]:
    """The enabled codes. A prefix selects the default-on rules under it; a rule that is off by
    default (TLS402) is enabled only by its full code, as flake8's off-by-default plugins are."""
    from corptls_lint.rules import ALL_RULES

    def chosen(rule, selectors: Sequence[str]) -> bool:
        return any(rule.code == s or (rule.default_enabled and rule.code.startswith(s))
                   for s in selectors)

    selectors = list(select) if select is not None else ["TLS"]
    return tuple(
        rule.code for rule in ALL_RULES
        if (chosen(rule, selectors) or chosen(rule, extend_select))
        and not rule.code.startswith(tuple(ignore))
    )


# -- paths -----------------------------------------------------------------------------------

def _relative(path: Path, root: Path) -> PurePosixPath:
    resolved = path.resolve() if path.is_absolute() else (Path.cwd() / path).resolve()
    try:
        return PurePosixPath(resolved.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(resolved.as_posix())


def glob_matches(glob: str, path: PurePosixPath) -> bool:
    """ruff-like: a glob with a slash matches the path from the root, one without any component."""
    glob = glob.rstrip("/")
    if "/" in glob:
        text = path.as_posix()
        return fnmatch.fnmatchcase(text, glob) or fnmatch.fnmatchcase(text, glob + "/*")
    return any(fnmatch.fnmatchcase(part, glob) for part in path.parts)


def is_excluded(path: Path, config: Config) -> bool:
    """For a folder walk, one entry at a time: its own name against the component globs (its
    parents were checked on the way down), its path from the config root against the others."""
    names = [glob.rstrip("/") for glob in config.all_excludes]
    if any(fnmatch.fnmatchcase(path.name, glob) for glob in names if "/" not in glob):
        return True
    slash_globs = [glob for glob in names if "/" in glob]
    if not slash_globs:
        return False
    relative = _relative(path, config.root)
    return any(glob_matches(glob, relative) for glob in slash_globs)


def settings_for(path: Path, config: Config, enabled: Tuple[str, ...],
                 targets: FixTargets) -> Settings:
    """The settings of one file: the enabled codes less its per-file-ignores."""
    settings = Settings(enabled=enabled, targets=targets,
                        insecure_keywords=tuple(config.insecure_keywords))
    if not config.per_file_ignores:
        return settings
    relative = _relative(path, config.root)
    ignored: List[str] = []
    for glob, codes in config.per_file_ignores.items():
        if glob_matches(glob, relative):
            ignored.extend(codes)
    if not ignored:
        return settings
    return replace(settings, enabled=tuple(c for c in enabled if not c.startswith(tuple(ignored))))
