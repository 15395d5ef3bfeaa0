"""Where an added import goes: the section the project's import sorter gives its module, its
place in that section, and its text as the sorter writes it (ruff's `I` rules, isort).

Written here, not handed to isort: a project that sorts with ruff has no isort installed, ruff
has no Python API, and running either over the file would re-sort lines the fix never
touched. What a fix needs is small and follows ruff's documented order, which mirrors isort's
defaults: a module's section (future, standard library, third party, first party, local
folder; the `known-*` settings first), then within a section `import x` lines before
`from x import y` lines unless `force-sort-within-sections`, each by module name compared
case-insensitively in natural order, and the names of a `from` import constants first, then
classes, then the rest (`order-by-type`).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import sys
import sysconfig
from typing import FrozenSet, List, Optional, Sequence, Tuple, Union

import libcst as cst

from corptls_lint.analysis.scopes import dotted_name
from corptls_lint.ftypes import ImportOrder

# the sections' places in the default order
FUTURE, STANDARD_LIBRARY, THIRD_PARTY, FIRST_PARTY, LOCAL_FOLDER = range(5)

# A comparable key: tuples of tuples (None is spelled (0,), a value (1, value), as an
# Option orders in ruff's keys).
Key = Tuple[object, ...]


SECTIONS = ("future", "standard-library", "third-party", "first-party", "local-folder")


def section_of(module: str, level: int, order: ImportOrder) -> int:
    """The section of `from <level dots><module> import ...` (or `import <module>`): its place
    in the section order, as ruff's `categorize` decides it."""
    sections = order.section_order or SECTIONS
    kind = _kind(module, level, order)
    if kind not in sections:  # a section the order leaves out: the default section's
        kind = order.default_section
    return sections.index(kind) if kind in sections else len(sections)


def _kind(module: str, level: int, order: ImportOrder) -> str:
    base = module.split(".", 1)[0]
    if level == 0 and base == "__future__":
        return "future"
    if level > 0:
        return "local-folder"
    known = order.user_sections + (("first-party", order.known_first_party),
                                   ("third-party", order.known_third_party),
                                   ("local-folder", order.known_local_folder),
                                   ("standard-library", order.extra_standard_library))
    for section, patterns in known:  # the user's own sections first, as ruff's
        if _known(module, patterns):
            return section
    if base in standard_library():
        return "standard-library"
    if order.detect_same_package and base == order.package:
        return "first-party"
    if base in order.src_modules:
        return "first-party"
    return order.default_section


def _known(module: str, patterns: Sequence[str]) -> bool:
    """`known-first-party = ["corp", "corp.*"]`: a pattern names the module or a package
    above it (ruff matches every prefix of a dotted name, isort the top name)."""
    parts = module.split(".")
    prefixes = [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
    return any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes for pattern in patterns)


@functools.lru_cache(maxsize=1)
def standard_library() -> FrozenSet[str]:
    """The standard library's top-level names: Python's own list where it has one (3.10+),
    else the names in the running interpreter's standard library folder and its built-ins."""
    names: Optional[FrozenSet[str]] = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return frozenset(names)
    found = set(sys.builtin_module_names)
    for key in ("stdlib", "platstdlib"):
        folder = sysconfig.get_paths()[key]
        for folder_ in (folder, os.path.join(folder, "lib-dynload")):
            try:
                entries = os.listdir(folder_)
            except OSError:
                continue
            for entry in entries:
                name = entry.split(".", 1)[0]
                if name.isidentifier() and entry != "site-packages":
                    found.add(name)
    return frozenset(found)


# -- the order within a section -----------------------------------------------------------

def _natural(text: str) -> Key:
    """Natural order, as ruff's `natord`: a run of digits compares as a number."""
    parts: List[Tuple[int, int]] = []
    index = 0
    while index < len(text):
        if text[index].isdigit():
            end = index
            while end < len(text) and text[end].isdigit():
                end += 1
            parts.append((ord("0"), int(text[index:end])))
            index = end
        else:
            parts.append((ord(text[index]), -1))
            index += 1
    return tuple(parts)


def _option(value: Optional[Key]) -> Key:
    return (0,) if value is None else (1, value)


def _member_type(name: str) -> int:
    if len(name) > 1 and name.isupper():
        return 0  # CONSTANT
    if name[:1].isupper():
        return 1  # Class
    return 2  # variable


def member_key(name: str, asname: Optional[str], order: ImportOrder) -> Key:
    """The order of the names in `from x import a, B, C as d`."""
    return (name != "*",
            _option((_member_type(name),) if order.order_by_type else None),
            _option(None if order.case_sensitive else _natural(name.lower())),
            _natural(name),
            _option(None if asname is None else _natural(asname)))


def _module_key(name: Optional[str], asname: Optional[str], level: int,
                first_alias: Optional[Tuple[str, Optional[str]]], order: ImportOrder) -> Key:
    return (-level,  # relative imports: furthest first (ruff's and isort's default)
            _option(None if name is None or order.case_sensitive else _natural(name.lower())),
            _option(None if name is None else _natural(name)),
            _option(None if first_alias is None else member_key(*first_alias, order)),
            _option(None if asname is None else _natural(asname)))


ImportNode = Union[cst.Import, cst.ImportFrom]


def alias_pair(alias: cst.ImportAlias) -> Tuple[str, Optional[str]]:
    """`a.b as c` -> ("a.b", "c"); no alias -> ("a.b", None)."""
    asname = None
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        asname = alias.asname.name.value
    return dotted_name(alias.name) or "", asname


def statement_key(node: ImportNode, order: ImportOrder) -> Key:
    """Where an import statement sorts among all the imports of its block."""
    if isinstance(node, cst.Import):
        name, asname = alias_pair(node.names[0])
        section = section_of(name, 0, order)
        style = 0
        module = _module_key(name, asname, 0, None, order)
    else:
        name = (dotted_name(node.module) or "") if node.module is not None else ""
        level = len(node.relative)
        section = section_of(name or "", level, order)
        style = 1
        first: Optional[Tuple[str, Optional[str]]] = ("*", None)
        if not isinstance(node.names, cst.ImportStar):
            first = min((alias_pair(alias) for alias in node.names),
                        key=lambda pair: member_key(*pair, order))
        module = _module_key(name or None, None, level, first, order)
    if name == "__future__":
        return (section, 1 - style, module)  # `from __future__` first
    if order.force_sort_within_sections:
        return (section, module, style)
    return (section, style if not order.from_first else 1 - style, module)


# -- the text ---------------------------------------------------------------------------------

def from_import_text(module: str, names: Sequence[Tuple[str, Optional[str]]],
                     order: ImportOrder, wrapped: bool = False) -> str:
    """`from module import a, b as c` as the sorter writes it: one line when it fits in the
    line length (and `wrapped` does not ask to keep it split, a magic trailing comma), else
    one name a line in parentheses with a trailing comma (ruff's and black's layout)."""
    spelled = [name if asname is None else f"{name} as {asname}" for name, asname in names]
    line = f"from {module} import {', '.join(spelled)}"
    if len(line) <= order.line_length and not wrapped:
        return line
    body = "".join(f"    {item},\n" for item in spelled)
    return f"from {module} import (\n{body})"


def sorted_names(names: Sequence[Tuple[str, Optional[str]]],
                 order: ImportOrder) -> List[Tuple[str, Optional[str]]]:
    return sorted(names, key=lambda pair: member_key(*pair, order))
