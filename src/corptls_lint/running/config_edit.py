"""Writing keys into `[tool.corptls-lint]` (for `corptls-lint init`), keeping the rest of the
file as the user wrote it.

tomlkit, a round-trip TOML library, does the editing: the standard library's tomllib only
reads, and a rewrite through a plain writer would drop the user's comments, blank lines and
key order. The table is created when absent; a key that holds another value is kept unless
`force`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from corptls_lint.ftypes import ConfigError
from corptls_lint.running.config import STANDALONE_NAMES, TABLE, is_standalone

PYPROJECT = "pyproject.toml"


@dataclass
class TableEdit:
    """The file's new text, and what changed in the table."""

    text: str
    added: List[str] = field(default_factory=list)
    replaced: List[str] = field(default_factory=list)
    kept: List[Tuple[str, str]] = field(default_factory=list)  # (key, the value left there)
    created_table: bool = False


def config_file_for(root: Path) -> Path:
    """The file `init` writes the keys to: the standalone corptls-lint.toml or
    .corptls-lint.toml where the project has one (it wins over pyproject.toml), else
    pyproject.toml, created when absent."""
    for name in STANDALONE_NAMES:
        if (root / name).is_file():
            return root / name
    return root / PYPROJECT


def set_keys(text: str, path: Path, values: Dict[str, str], force: bool,
             extend: Optional[str] = None) -> TableEdit:
    """`text` (the file at `path`, "" for a new one) with `values` set in the table: keys
    absent are added, keys equal are left, keys with another value are replaced only when
    `force`. A table created here starts with `extend = ...` when given: the configuration
    above the project keeps applying (a nearer table would hide it). A file that is not
    TOML, or whose table is not a table, is a ConfigError."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    newline = "\r\n" if "\r\n" in text and "\n" not in text.replace("\r\n", "") else "\n"
    source = text if not text or text.endswith("\n") else text + newline
    try:
        document = tomlkit.parse(source)
    except TOMLKitError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table, created = _table(document, path)
    edit = TableEdit(text, created_table=created)
    if created and extend is not None:
        values = {"extend": extend, **values}
    for key, value in values.items():
        current = table.get(key)
        if current is None:
            table.add(key, value)
            edit.added.append(key)
        elif current != value and force:
            table[key] = value
            edit.replaced.append(key)
        elif current != value:
            edit.kept.append((key, str(current) if isinstance(current, str) else repr(current)))
    if created:
        table.add(tomlkit.nl())  # a blank line before whatever table follows
    new_text = tomlkit.dumps(document)
    if created and new_text.endswith("\n\n") and not source.endswith("\n\n"):
        new_text = new_text[:-1]  # the table came last: no blank line the file did not have
    if newline == "\r\n":  # tomlkit writes its own lines with \n
        new_text = re.sub(r"(?<!\r)\n", "\r\n", new_text)
    edit.text = new_text if edit.added or edit.replaced else text
    return edit


def _table(document: Any, path: Path) -> Tuple[Any, bool]:
    """The corptls-lint table of the parsed document, created when absent; whether it was."""
    import tomlkit

    if is_standalone(path):
        return document, False
    tool = document.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document.append("tool", tool)
    elif not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    table: Optional[Any] = tool.get(TABLE)
    if table is None:
        # item assignment, not append: a [tool] split by another table (`[tool.poetry]`,
        # `[build-system]`, `[tool.ruff]`) comes as tomlkit's out-of-order proxy, which has
        # no append; the table goes after the proxy's first part
        tool[TABLE] = tomlkit.table()
        return tool[TABLE], True
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return table, False
