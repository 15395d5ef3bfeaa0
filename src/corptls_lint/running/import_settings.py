"""The project's import-sorting settings, for the fixes that add an import (`--fix`, `--diff`).

Read from the project's own files in its configuration folder: ruff's (`ruff.toml`,
`.ruff.toml`, `[tool.ruff]` of pyproject.toml: `line-length`, `src`, `lint.isort`), else
isort's (`[tool.isort]`, `.isort.cfg`, `setup.cfg`, `tox.ini`, with its profiles); with
neither, ruff's defaults. The first-party modules are what the sorters find themselves: the
top-level packages and modules in the source folders (`src`, default "." and "src").

isort is not a dependency for this: a project that sorts with ruff does not have it, and the
settings a fix honours are a dozen keys (see fixing/import_order.py). Settings of the wrong
type are skipped with a one-line warning, never a failed run: they only place an import.
"""

from __future__ import annotations

import configparser
import functools
import os
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from corptls_lint.ftypes import ConfigError, ImportOrder
from corptls_lint.running.config import read_toml, warn_once

# ImportOrder's field <- the settings' key, as ruff (kebab-case) and isort (snake_case) spell it
_LISTS = ("known_first_party", "known_third_party", "known_local_folder",
          "extra_standard_library")
_FLAGS = ("force_sort_within_sections", "force_single_line", "order_by_type", "case_sensitive",
          "combine_as_imports", "from_first", "split_on_trailing_comma")

# isort's profiles, as far as the keys above and the line length go (isort's profiles.py).
_ISORT_PROFILES: Dict[str, Dict[str, object]] = {
    "black": {"line_length": 88},
    "django": {"line_length": 79, "combine_as_imports": True},
    "pycharm": {"force_sort_within_sections": True},
    "google": {"force_single_line": True, "force_sort_within_sections": True,
               "order_by_type": False, "line_length": 1000},
    "open_stack": {"force_single_line": True, "force_sort_within_sections": True,
                   "order_by_type": False},
    "plone": {"force_single_line": True, "force_sort_within_sections": True,
              "order_by_type": False, "line_length": 200},
    "attrs": {"line_length": 79},
    "hug": {"line_length": 100},
    "wemake": {"line_length": 80},
}


@functools.lru_cache(maxsize=64)
def import_order_for(root: Path) -> ImportOrder:
    """The import order of the project whose configuration folder is `root`."""
    ruff = _ruff_table(root)
    isort = None if ruff is not None and ruff[2] else _isort_table(root)
    if isort is not None:
        source, table = isort
        values = dict(_ISORT_PROFILES.get(str(table.get("profile", "")), {}))
        values.setdefault("line_length", 79)  # isort's default, where ruff's is 88
        values.update(_known_keys(table, source, snake=True))
        src = _strings(table.get("src_paths"), source, "src_paths") or [".", "src"]
    elif ruff is not None:
        source, lint, _ = ruff
        values = _known_keys(lint.get("isort", {}), source, snake=False)
        src = _strings(lint.get("src"), source, "src") or [".", "src"]
        length = lint.get("line-length")
        if isinstance(length, int) and not isinstance(length, bool):
            values["line_length"] = length
    else:
        source, values, src = "", {}, [".", "src"]
    return ImportOrder(src_modules=_modules_in(root, src), source=source,
                       **values)  # type: ignore[arg-type]  # checked by _known_keys


def _ruff_table(root: Path) -> Optional[Tuple[str, Mapping[str, object], bool]]:
    """(file, its ruff table with `isort`, `src` and `line-length` at the top, whether the
    project asks ruff to sort imports)."""
    for name in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
        path = root / name
        if not path.is_file():
            continue
        data: object = _read(path)
        if name == "pyproject.toml":
            tool = data.get("tool") if isinstance(data, dict) else None
            data = tool.get("ruff") if isinstance(tool, dict) else None
        if not isinstance(data, dict):
            continue
        lint = data.get("lint") if isinstance(data.get("lint"), dict) else {}
        assert isinstance(lint, dict)
        isort = lint.get("isort", data.get("isort", {}))
        merged = {"isort": isort if isinstance(isort, dict) else {},
                  "src": data.get("src"), "line-length": data.get("line-length")}
        selected = [code for key in ("select", "extend-select")
                    for table in (lint, data) for code in _strings(table.get(key), "", key) or ()]
        sorts = bool(merged["isort"]) or any(
            code == "ALL" or code == "I" or code.startswith("I0") for code in selected)
        return str(path), merged, sorts
    return None


def _isort_table(root: Path) -> Optional[Tuple[str, Mapping[str, object]]]:
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read(pyproject).get("tool")
        table = tool.get("isort") if isinstance(tool, dict) else None
        if isinstance(table, dict):
            return str(pyproject), table
    for name, sections in ((".isort.cfg", ("settings", "isort")),
                           ("setup.cfg", ("isort", "tool:isort")),
                           ("tox.ini", ("isort", "tool:isort"))):
        path = root / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError) as error:
            warn_once(f"{path}: import settings not read: {str(error).splitlines()[0]}")
            continue
        for section in sections:
            if parser.has_section(section):
                return str(path), dict(parser.items(section))
    return None


def _read(path: Path) -> Dict[str, object]:
    try:
        return read_toml(path)
    except ConfigError as error:
        warn_once(f"import settings not read: {error}")
        return {}


def _known_keys(table: object, source: str, snake: bool) -> Dict[str, object]:
    """The keys ImportOrder knows, converted and checked; INI values are strings."""
    if not isinstance(table, dict):
        return {}
    values: Dict[str, object] = {}
    for field in _LISTS + _FLAGS + ("line_length",):
        key = field if snake else field.replace("_", "-")
        if key not in table:
            continue
        value = table[key]
        if field in _LISTS:
            listed = _strings(value, source, key)
            if listed is not None:
                values[field] = tuple(listed)
        elif field == "line_length":
            number = _integer(value)
            if number is None:
                warn_once(f"{source}: {key}: expected an integer, ignored")
            else:
                values[field] = number
        else:
            flag = _flag(value)
            if flag is None:
                warn_once(f"{source}: {key}: expected true or false, ignored")
            else:
                values[field] = flag
    return values


def _strings(value: object, source: str, key: str) -> Optional[List[str]]:
    """A list of strings: a TOML array, or isort's comma-separated INI text."""
    if value is None:
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    if source:
        warn_once(f"{source}: {key}: expected a list of strings, ignored")
    return None


def _flag(value: object) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return None


def _integer(value: object) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _modules_in(root: Path, folders: Sequence[str]) -> Tuple[str, ...]:
    """The top-level packages and modules in the source folders: what ruff's and isort's
    first-party test finds (`<folder>/<name>/` or `<folder>/<name>.py`)."""
    found = set()
    for folder in folders:
        try:
            entries = list(os.scandir(root / folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name[:-3] if entry.name.endswith(".py") else entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if name.isidentifier() and (is_dir or entry.name.endswith(".py")):
                found.add(name)
    return tuple(sorted(found))
