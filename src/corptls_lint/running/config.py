"""`[tool.corptls-lint]` in the nearest pyproject.toml (or a corptls-lint.toml): found for each
file, validated, merged with the files it `extend`s, and turned into Settings."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat as stat_module
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import (TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, List, Optional,
                    Sequence, Set, Tuple, Type, Union)

from corptls_lint.ftypes import ConfigError, FixTargets, Settings, Target
from corptls_lint.source.paths import is_repository_root, real_path, trust_problem

if TYPE_CHECKING:
    from corptls_lint.rules.base import Rule

# A TOML table as tomllib reads it: any TOML value under a string key, checked by the parsers.
TomlTable = Dict[str, Any]


TABLE = "corptls-lint"
_CODE_PREFIX = re.compile(r"^TLS[0-9]{0,3}$")

# ruff's default excludes, plus our cache and __pycache__. Python environments are skipped
# whatever their name (files.is_environment: a pyvenv.cfg with home = and an interpreter).
DEFAULT_EXCLUDES = (".bzr", ".corptls_cache", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg",
                    ".ipynb_checkpoints", ".mypy_cache", ".nox", ".pants.d", ".pyenv",
                    ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", ".vscode",
                    "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist",
                    "node_modules", "site-packages", "venv")
# Files named like this hold the table at the top level, as ruff.toml does; in a folder
# they win over its pyproject.toml.
STANDALONE_NAMES = ("corptls-lint.toml", ".corptls-lint.toml")
_CONFIG_NAMES = frozenset((*STANDALONE_NAMES, "pyproject.toml"))
DEFAULT_TEST_PATHS = ("tests/**", "test/**", "**/test_*.py", "**/*_test.py", "**/conftest.py")

_STRING_KEYS = ("ca-bundle", "session-factory", "ssl-context")
_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude",
              "insecure-keywords")
KNOWN_KEYS: Tuple[str, ...] = _STRING_KEYS + _LIST_KEYS + ("per-file-ignores",)
# The keys of issue 13 (rolling out to many repositories), parsed by _parse_rollout_key.
_ROLLOUT_KEYS = ("extend", "force-exclude", "baseline", "test-paths", "test-ignore")
KNOWN_KEYS = KNOWN_KEYS + _ROLLOUT_KEYS


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
    force_exclude: bool = False
    baseline: Optional[Path] = None  # absolute: resolved against the file that names it
    test_paths: List[str] = field(default_factory=lambda: list(DEFAULT_TEST_PATHS))
    test_ignore: List[str] = field(default_factory=list)
    insecure_keywords: List[str] = field(default_factory=list)  # TLS105's wrapper flags

    @property
    def targets(self) -> FixTargets:
        return FixTargets(self.ca_bundle, self.session_factory, self.ssl_context)

    @property
    def all_excludes(self) -> List[str]:
        return self.exclude + self.extend_exclude


# -- finding and reading ---------------------------------------------------------------------

def find_config_file(start: Path) -> Optional[Path]:
    """The nearest configuration file from `start` upwards, up to the repository's top."""
    directory = real_path(start)
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        found = config_file_in(candidate_dir)
        if found is not None or is_repository_root(str(candidate_dir)):
            return found
    return None


def config_file_in(directory: Path) -> Optional[Path]:
    """The configuration file of this folder itself, if it has one: a corptls-lint.toml or
    .corptls-lint.toml, else a pyproject.toml with a [tool.corptls-lint] table. A file that
    another user may have written (see `_untrusted`) is ignored, with a warning."""
    folder = str(directory)
    for name in (*STANDALONE_NAMES, "pyproject.toml"):
        candidate = directory / name
        # os.stat, not Path.is_file: a walk asks this of every folder, and Path.is_file
        # raises PermissionError in a folder this user cannot search
        try:
            info = os.stat(os.path.join(folder, name))
        except (OSError, ValueError):
            continue
        if not stat_module.S_ISREG(info.st_mode) or _untrusted(candidate, info):
            continue
        if name != "pyproject.toml" or TABLE in tool_section(read_toml(candidate), candidate):
            return candidate
    return None


def _untrusted(path: Path, info: os.stat_result) -> bool:
    """A configuration file found by discovery is applied only when no one but this user
    (or root) can have written it: `ignore = ["TLS"]` in a shared folder above a checkout
    would silence every checkout below it. Warned about once per run."""
    problem = trust_problem(info)
    if problem is not None:
        warn_once(f"{path}: ignored: {problem}")
    return problem is not None


def check_named_config(path: Path) -> None:
    """A file the user named (`--config`) or a configuration names (`extend`) is applied:
    someone chose it. Only a world-writable one is worth a warning."""
    try:
        info = os.stat(path)
    except OSError:
        return
    if info.st_mode & stat_module.S_IWOTH:
        warn_once(f"{path}: others can write to it (applied: it was named explicitly)")


_WARNED: Set[str] = set()


def warn_once(message: str) -> None:
    """A warning on stderr, once per process (a walk meets the same file from many folders)."""
    if message not in _WARNED:
        _WARNED.add(message)
        sys.stderr.write(f"corptls-lint: warning: {message}\n")


def is_standalone(path: Path) -> bool:
    """A file whose top level is the table (anything but a pyproject.toml)."""
    return path.name != "pyproject.toml"


def read_toml(path: Path) -> TomlTable:
    # imported here: a run that meets no TOML file never pays for the parser (about 10 ms)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:  # TOML is UTF-8 (a UTF-16 file starts 0xff 0xfe)
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte 0x{error.object[error.start]:02x}"
                          f" at offset {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def tool_section(data: TomlTable, path: Path) -> TomlTable:
    """The `[tool]` table of a parsed pyproject.toml ({} when absent); `tool = 5` and the like
    are the one-line configuration error."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, not {_toml_type(tool)}")
    return tool


def _toml_type(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float",
             list: "an array"}
    return names.get(type(value), f"a {type(value).__name__}")


def load_config(path: Optional[Path]) -> Config:
    """Read and validate the table in `path` (None: the defaults)."""
    if path is None:
        return Config()
    data = read_toml(path)
    table = data if is_standalone(path) else tool_section(data, path).get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table, not {_toml_type(table)}")
    return parse_table(with_extends(table, path), path)


def parse_table(table: TomlTable, path: Path) -> Config:
    where = f"{path}: [tool.{TABLE}]"
    config = Config(path=path, root=real_path(path.parent))
    for key, value in table.items():
        if key in _ROLLOUT_KEYS:
            _parse_rollout_key(config, key, value, where)
            continue
        if key not in KNOWN_KEYS:
            hint = _did_you_mean(key, KNOWN_KEYS)
            raise ConfigError(f"{where}: unknown key '{key}'{hint}")
        attr = key.replace("-", "_")
        if key in _STRING_KEYS:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: '{key}' must be a string like \"corp_tls:NAME\"")
            try:
                setattr(config, attr, Target.parse(value, key))
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


def _parse_rollout_key(config: Config, key: str, value: object, where: str) -> None:
    if key == "extend":  # merged by with_extends before parsing; only its type is checked here
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: 'extend' must be the path of a configuration file")
    elif key == "force-exclude":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: 'force-exclude' must be true or false")
        config.force_exclude = value
    elif key == "baseline":
        if not isinstance(value, (str, Path)) or not str(value):
            raise ConfigError(f"{where}: 'baseline' must be the path of a baseline file")
        config.baseline = real_path(config.root / value)
    else:  # test-paths, test-ignore
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
        if key == "test-ignore":
            validate_codes(value, f"{where}: 'test-ignore'")
        setattr(config, key.replace("-", "_"), list(value))


_MAX_EXTENDS = 16


def with_extends(table: TomlTable, path: Path) -> TomlTable:
    """`table` merged over the tables it extends (`extend = "../base.toml"`): a key set here
    replaces the base's. `extend` and `baseline` are paths relative to the file that names
    them; globs (exclude, per-file-ignores, test-paths) stay relative to the project, so a
    shared template's `tests/**` means each repository's tests."""
    merged = dict(table)
    chain = [real_path(path)]
    while "extend" in merged:
        named_by = chain[-1]
        value = merged.pop("extend")
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{named_by}: 'extend' must be the path of a configuration file")
        base_path = real_path(named_by.parent / value)
        if base_path in chain:
            raise ConfigError(f"{named_by}: 'extend' = \"{value}\" makes a cycle")
        if len(chain) > _MAX_EXTENDS:
            raise ConfigError(f"{named_by}: more than {_MAX_EXTENDS} levels of 'extend'")
        if not base_path.is_file():
            raise ConfigError(f"{named_by}: 'extend' = \"{value}\": no such file")
        check_named_config(base_path)
        data = read_toml(base_path)
        tool = data.get("tool")
        base = data if is_standalone(base_path) else (
            tool.get(TABLE) if isinstance(tool, dict) else None)
        if not isinstance(base, dict):
            raise ConfigError(f"{base_path}: no [tool.{TABLE}] table (named by 'extend' in "
                              f"{named_by})")
        base = dict(base)
        if isinstance(base.get("baseline"), str):
            base["baseline"] = str(real_path(base_path.parent / base["baseline"]))
        chain.append(base_path)
        merged = {**base, **merged}
    return merged


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
                 ignore: Sequence[str], configured: Iterable[str] = ()) -> Tuple[str, ...]:
    """The enabled codes. A prefix selects the default-on rules under it; a rule that is off by
    default (TLS402) is enabled only by its full code, as flake8's off-by-default plugins are.
    A policy rule (TLS401) is default-on when its key is among the `configured` keys."""
    from corptls_lint.rules import ALL_RULES

    configured = set(configured)

    def default_on(rule: Type[Rule]) -> bool:
        return rule.default_enabled or rule.default_when_configured in configured

    def chosen(rule: Type[Rule], selectors: Sequence[str]) -> bool:
        return any(rule.code == s or (default_on(rule) and rule.code.startswith(s))
                   for s in selectors)

    selectors = list(select) if select is not None else ["TLS"]
    return tuple(
        rule.code for rule in ALL_RULES
        if (chosen(rule, selectors) or chosen(rule, extend_select))
        and not rule.code.startswith(tuple(ignore))
    )


# -- paths -----------------------------------------------------------------------------------

def _relative(path: Path, root: Path) -> PurePosixPath:
    resolved = real_path(path)  # relative: to the current folder
    try:
        return PurePosixPath(resolved.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(resolved.as_posix())


def glob_matches(glob: str, path: PurePosixPath) -> bool:
    """ruff-like: a glob with a slash matches the path from the root, one without any component."""
    glob = glob.rstrip("/")
    if "/" in glob:
        text = path.as_posix()
        if glob.startswith("**/") and glob_matches(glob[3:], path):  # `**/` also matches none
            return True
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


@functools.lru_cache(maxsize=256)
def shared_settings(enabled: Tuple[str, ...], targets: FixTargets,
                     insecure_keywords: Tuple[str, ...]) -> Settings:
    """One Settings object for the many files that have equal settings."""
    return Settings(enabled=enabled, targets=targets, insecure_keywords=insecure_keywords)


def settings_for(path: Path, config: Config, enabled: Tuple[str, ...],
                 targets: FixTargets) -> Settings:
    """The settings of one file: the enabled codes less its per-file-ignores."""
    settings = shared_settings(enabled, targets, tuple(config.insecure_keywords))
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


def configured_keys(config: Config, targets: Optional[FixTargets] = None) -> Tuple[str, ...]:
    """The fix-target keys that are set (in the file or by an option): a policy rule such as
    TLS401 is on by default when the key it needs is configured."""
    targets = targets or config.targets
    return tuple(key for key in _STRING_KEYS if getattr(targets, key.replace("-", "_")))


def is_test_path(path: Path, config: Config) -> bool:
    """Whether `path` is test code by the `test-paths` globs (relative to the config root)."""
    if not config.test_paths:
        return False
    relative = _relative(path, config.root)
    return any(glob_matches(glob, relative) for glob in config.test_paths)


def file_settings(path: Path, config: Config, enabled: Tuple[str, ...],
                  targets: FixTargets) -> Settings:
    """`settings_for`, less the `test-ignore` codes in test code and the rules the trust
    module is exempt from."""
    settings = settings_for(path, config, enabled, targets)
    if config.test_ignore and is_test_path(path, config):
        ignored = tuple(config.test_ignore)
        settings = replace(settings, enabled=tuple(c for c in settings.enabled
                                                   if not c.startswith(ignored)))
    if may_be_trust_module(str(path), targets) and is_trust_module(path, config, targets):
        exempt = trust_module_exempt_codes()
        settings = replace(settings, enabled=tuple(c for c in settings.enabled
                                                   if c not in exempt))
    return settings


def _configured_targets(targets: FixTargets) -> List[Target]:
    return [target for target in (targets.ca_bundle, targets.session_factory,
                                  targets.ssl_context) if target is not None]


def may_be_trust_module(path: str, targets: FixTargets) -> bool:
    """Whether the path ends as a target's module file does: asked of every file, so a
    string test first, before `is_trust_module` resolves the path."""
    return any(target.may_be_module_file(path) for target in _configured_targets(targets))


def is_trust_module(path: Path, config: Config, targets: FixTargets) -> bool:
    """Whether `path` is the module a configured target names (`corp_tls:CA_BUNDLE` names
    corp_tls.py): its file from the project root (the configuration's folder) or from the
    root's src/ folder. Another file of the same name elsewhere is not."""
    relative = _relative(path, config.root).as_posix()
    return any(relative in (tail, f"src/{tail}") for target in _configured_targets(targets)
               for tail in target.module_files())


@functools.lru_cache(maxsize=1)
def trust_module_exempt_codes() -> FrozenSet[str]:
    """The rules not reported in the trust module (TLS301, TLS401): each declares it."""
    from corptls_lint.rules import ALL_RULES

    return frozenset(rule.code for rule in ALL_RULES if rule.exempt_in_trust_module)


class ConfigResolver:
    """The configuration of each folder of a run: the one `--config` forces, else the nearest
    configuration file above the folder. Each file is loaded once, and `adjust` applies the
    command line's overrides to it once."""

    def __init__(self, forced: Optional[Path], adjust: Callable[[Config], Config]) -> None:
        self._forced = forced
        self._adjust = adjust
        self._files: Dict[Optional[Path], Config] = {}
        # absolute folder -> the configuration file that rules it; strings, not Paths: a
        # walk asks for every folder, and Path objects cost half of a warm run's walk
        self._nearest: Dict[str, Optional[Path]] = {}
        self._by_dir: Dict[str, Config] = {}  # a walk asks once per folder and once per file

    def _nearest_file(self, directory: str,
                      listing: Optional[FrozenSet[str]] = None) -> Optional[Path]:
        """`directory`: absolute. `listing`: the names it holds, when the caller listed it."""
        known = self._nearest.get(directory, False)
        if known is not False:
            return known  # type: ignore[return-value]  # not the False sentinel: a Path or None
        found = (None if listing is not None and not _CONFIG_NAMES & listing
                 else config_file_in(Path(directory)))
        parent = os.path.dirname(directory)
        # discovery ends at the repository's top: a folder above it is anyone's
        if found is None and parent != directory and not is_repository_root(directory, listing):
            found = self._nearest_file(parent)
        self._nearest[directory] = found
        return found

    def for_dir(self, directory: Union[str, Path],
                listing: Optional[FrozenSet[str]] = None) -> Config:
        """`listing`: the names the folder holds, when the caller has listed it."""
        key = str(directory)
        config = self._by_dir.get(key)
        if config is not None:
            return config
        path = self._forced if self._forced is not None else self._nearest_file(
            os.path.abspath(key), listing)
        config = self._files.get(path)
        if config is None:
            config = self._files[path] = self._adjust(load_config(path))
        self._by_dir[key] = config
        return config

    @property
    def loaded(self) -> List[Config]:
        """The configurations used so far, in the order they were first needed."""
        return list(self._files.values())
