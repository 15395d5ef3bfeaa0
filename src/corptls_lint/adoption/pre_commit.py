"""The corptls-lint hook in a project's `.pre-commit-config.yaml` (for `corptls-lint init`).

Text, not a YAML library: the one change is a new entry at the end of the top-level `repos:`
list, so lines are appended there and every other byte of the file stays as it was. A YAML
round trip would either drop the user's comments and quoting (PyYAML) or add a dependency
(ruamel.yaml) to do what appending does. The file is left alone, with the reason, where
appending cannot be trusted: a flow-style `repos: [...]`, more than one document, tabs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

CONFIG_NAME = ".pre-commit-config.yaml"
HOOK_ID = "corptls-lint"

# `id: corptls-lint` or `id: corptls-lint-fix`, block or flow style, quoted or not
_OUR_HOOK = re.compile(r"""(?m)\bid:\s*["']?corptls-lint(?:-fix)?["']?\s*(?:$|[,}#])""")
_REPOS_KEY = re.compile(r"""^["']?repos["']?\s*:(?P<rest>.*)$""")
_TOP_LEVEL = re.compile(r"^[^\s#-]")  # a line that starts a key of the top-level mapping
_ITEM = re.compile(r"^(?P<indent>[ ]*)- ")


@dataclass(frozen=True)
class HookEdit:
    """The file's new text (None: leave the file as it is) and why it is left."""

    text: Optional[str]
    reason: str = ""


def entry_lines(repository: str, rev: str, indent: str = "  ") -> List[str]:
    """The repos entry for corptls-lint's check hook, its dash at `indent`."""
    return [f"{indent}- repo: {repository}",
            f"{indent}  rev: {rev}",
            f"{indent}  hooks:",
            f"{indent}    - id: {HOOK_ID}"]


def new_config(repository: str, rev: str) -> str:
    """A whole `.pre-commit-config.yaml` with the hook, for a project that has none."""
    return "\n".join(["# pre-commit (https://pre-commit.com): `pre-commit install` runs these "
                      "hooks on each commit.",
                      "repos:", *entry_lines(repository, rev)]) + "\n"


def add_hook(text: str, repository: str, rev: str) -> HookEdit:
    """`text` with the entry appended to its `repos:` list (or a `repos:` key appended when it
    has none); HookEdit(None, why) when it has a corptls-lint hook already, or cannot be
    edited by appending."""
    if _OUR_HOOK.search(text):
        return HookEdit(None, "it has a corptls-lint hook")
    if "\t" in text:
        return HookEdit(None, "it holds tabs")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    if any(line.startswith(("---", "...")) for line in lines[1:]):
        return HookEdit(None, "it holds more than one YAML document")
    keys = [(index, match) for index, match in enumerate(map(_REPOS_KEY.match, lines))
            if match is not None]
    if not keys:
        added = ["repos:", *entry_lines(repository, rev)]
        return HookEdit(_insert(text, len(lines), added, newline))
    key_line, key = keys[0]
    if key.group("rest").split("#", 1)[0].strip():
        return HookEdit(None, "its 'repos' is not a block list (repos: [...])")
    end = _end_of_block(lines, key_line)
    items = [_ITEM.match(line) for line in lines[key_line + 1:end]]
    indent = next((match.group("indent") for match in items if match), "  ")
    return HookEdit(_insert(text, end, entry_lines(repository, rev, indent), newline))


def _end_of_block(lines: List[str], key_line: int) -> int:
    """The index after the last line of the `repos:` value: before the next top-level key,
    and before the blank lines and unindented comments that lead up to it (an indented
    comment stays with the entry it is in)."""
    end = len(lines)
    for index in range(key_line + 1, len(lines)):
        if _TOP_LEVEL.match(lines[index]):
            end = index
            break
    while end > key_line + 1 and (not lines[end - 1].strip() or lines[end - 1][0] == "#"):
        end -= 1
    return end


def _insert(text: str, at: int, added: List[str], newline: str) -> str:
    """`text` with `added` lines before line `at`, every existing byte kept (a final line
    without its line break gets one)."""
    kept = text.splitlines(keepends=True)
    if kept and not kept[-1].endswith(("\n", "\r")):
        kept[-1] += newline
    block = "".join(line + newline for line in added)
    return "".join(kept[:at]) + block + "".join(kept[at:])
