"""The imports a fix needs: which local name reaches a configured target, and the import edits.

A small equivalent of libcst's AddImportsVisitor/RemoveImportsVisitor, kept for two measured
reasons (`benchmarks/library_alternatives.py`). It never shadows a different binding of the
same name: it aliases instead, where AddImportsVisitor adds `from corp_tls import CA_BUNDLE`
to a module that binds `CA_BUNDLE = False` and so points the fix at the wrong value. And it
edits the module's top-level statements only: adding one import to each of 352 real modules
(121,722 lines) takes 16 ms here and 72 s with AddImportsVisitor, which gathers and rebuilds
every node of the tree (a `--fix` run does this once per fixed file and pass).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import (Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple,
                    TypeVar, cast)

import libcst as cst

from corptls_lint.analysis import cst_walk
from corptls_lint.analysis.cst_walk import Statement
from corptls_lint.analysis.scopes import dotted_name, target_names
from corptls_lint.fixing.import_order import (ImportNode, Key, alias_pair, from_import_text,
                                              member_key, sorted_names, statement_key)
from corptls_lint.ftypes import ImportOrder, Target, identifier
from corptls_lint.screens import lookalikes


@dataclass(frozen=True)
class NeededImport:
    """`from module import name [as alias]`, to be added to the file."""

    module: str
    name: str
    alias: Optional[str] = None

    @property
    def local(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True)
class Reference:
    """How the fixed code spells a target here, and the import that makes the spelling work."""

    expression: str
    needs: Optional[NeededImport] = None


class NameTable(cst.CSTVisitor):
    """Every name the file binds (anywhere, any scope) and every name it reads, as Python
    reads them: `ＣA_BUNDLE = False` binds `CA_BUNDLE`, which a fix must not shadow."""

    def __init__(self) -> None:
        super().__init__()
        self.bound: Counter[str] = Counter()
        self.imported: Counter[str] = Counter()  # the bindings made by import statements
        self.read: Counter[str] = Counter()
        self.in_strings: Set[str] = set()
        self._string_sources: List[str] = []  # plain string literals, as written
        self._fstring_words: Set[str] = set()

    @classmethod
    def of(cls, module: cst.Module) -> "NameTable":
        table = cls()
        cst_walk.visit(module, table)
        return table

    def occurs(self, name: str) -> bool:
        return name in self.bound or name in self.read or name in self.in_strings

    def named_in_a_string(self, name: str) -> bool:
        """True when a string could use `name` as a variable: one whose text is a Python
        expression reading it (`__all__ = ["name"]`, an annotation `"name.Type"`), or an
        f-string's text holding the word. Prose (a docstring, a message) never does."""
        if name not in self.in_strings:
            return False
        for source in self._string_sources:
            if ((name in source or lookalikes.spelled_otherwise(source))
                    and name in _names_read_by_string(source)):
                return True
        return name in self._fstring_words

    def _bind(self, names: Iterable[str]) -> None:
        for name in names:
            self.bound[identifier(name)] += 1

    # Names that are not variables: attribute names, keywords, imported member names.
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        cst_walk.visit(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        cst_walk.visit(node.value, self)
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        if node.asname is not None:
            names = list(target_names(node.asname.name))
        else:
            root = dotted_name(node.name)
            names = [root.split(".", 1)[0]] if root else []
        self._bind(names)
        self.imported.update(names)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                cst_walk.visit(alias, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.read[identifier(node.value)] += 1

    # Strings can name a variable too: `__all__ = ["x"]`, string annotations.
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.in_strings.update(_words(node.value))
        self._string_sources.append(node.value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        words = _words(node.value)
        self.in_strings.update(words)
        self._fstring_words.update(words)

    # Binding sites.
    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self._bind(target_names(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(target_names(node.target))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(target_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:  # with ... as x, except E as x
        self._bind(target_names(node.name))

    def visit_Param(self, node: cst.Param) -> None:
        self._bind([node.name.value])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind([node.name.value])

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind([node.name.value])

    def visit_Global(self, node: cst.Global) -> None:
        self._bind(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._bind(item.name.value for item in node.names)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind([node.name.value])

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind([node.name.value])

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(target_names(node.target))


class ScreenedNames:
    """A module's NameTable, built only when a name asked about occurs in the module's text:
    a name that is not even a substring of the text is neither bound, read nor in a string
    (most questions are about the targets' names, which few files hold). A text that may
    spell a name otherwise (`ＣA_BUNDLE`) always builds it."""

    def __init__(self, module: cst.Module, text: str) -> None:
        self._module, self._text = module, text
        self._table: Optional[NameTable] = None
        self._screened = not lookalikes.spelled_otherwise(text)
        self.bound = _ScreenedCounts(self, "bound")
        self.read = _ScreenedCounts(self, "read")

    def table_for(self, name: str) -> Optional[NameTable]:
        """The full table, or None when `name` cannot occur in the module."""
        if self._screened and name not in self._text:
            return None
        if self._table is None:
            self._table = NameTable.of(self._module)
        return self._table

    def occurs(self, name: str) -> bool:
        table = self.table_for(name)
        return table is not None and table.occurs(name)

    @property
    def in_strings(self) -> "_ScreenedStrings":
        return _ScreenedStrings(self)


class _ScreenedCounts:
    def __init__(self, names: ScreenedNames, field: str) -> None:
        self._names, self._field = names, field

    def __getitem__(self, name: str) -> int:
        table = self._names.table_for(name)
        return 0 if table is None else getattr(table, self._field)[name]


class _ScreenedStrings:
    def __init__(self, names: ScreenedNames) -> None:
        self._names = names

    def __contains__(self, name: str) -> bool:
        table = self._names.table_for(name)
        return table is not None and name in table.in_strings


def _names_read_by_string(source: str) -> Set[str]:
    """The names read by the expression a string literal holds; none for bytes, prose, or
    anything that is not an expression."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = ast.literal_eval(source)
            if not isinstance(value, str):
                return set()
            tree = ast.parse(value.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, TypeError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _words(text: str) -> List[str]:
    """The words of a string's text, as Python would read them as names."""
    word, words = [], []
    for char in text + " ":
        if char.isalnum() or char == "_":
            word.append(char)
        elif word:
            words.append(identifier("".join(word)))
            word = []
    return words


def import_statements(module: cst.Module) -> Iterator[Tuple[int, cst.SimpleStatementLine]]:
    """Module-level statement lines made only of imports, with their index in the body."""
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and statement.body and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            yield index, statement


def _from_module(node: cst.ImportFrom) -> Optional[str]:
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return None
    return dotted_name(node.module)


def root_name(expr: str) -> str:
    """The leading identifier of a target expression (`ssl_context()` -> `ssl_context`)."""
    end = 0
    while end < len(expr) and (expr[end].isalnum() or expr[end] == "_"):
        end += 1
    return expr[:end]


def reference_for(target: Target, module: cst.Module, names: "NameTable | ScreenedNames",
                  taken: Set[str]) -> Reference:
    """Spell `target` in this file: reuse an existing import of it, else plan a new one.

    `taken` holds local names already planned in this pass (so two targets never collide).
    """
    root = root_name(target.expr)
    rest = target.expr[len(root):]
    for _, statement in import_statements(module):
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and _from_module(small) == target.module:
                # not `import *`: _from_module is None for that
                for alias in small.names:  # type: ignore[union-attr]
                    local = _alias_local(alias)
                    if dotted_name(alias.name) == root and local and names.bound[local] == 1:
                        return Reference(local + rest)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    full = dotted_name(alias.name) or ""
                    local = _alias_local(alias)
                    reaches = full == target.module if alias.asname is not None else (
                        full == target.module or full.startswith(target.module + "."))
                    if reaches and local and names.bound[local] == 1:
                        prefix = local if alias.asname is not None else target.module
                        return Reference(f"{prefix}.{target.expr}")
    local = root
    if names.occurs(local) or local in taken:
        base = f"{target.module.replace('.', '_')}_{root}"
        local, suffix = base, 2
        while names.occurs(local) or local in taken:
            local, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(local)
    alias = None if local == root else local
    return Reference(local + rest, NeededImport(target.module, root, alias))


def _alias_local(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is not None:
        return (identifier(alias.asname.name.value) if isinstance(alias.asname.name, cst.Name)
                else None)
    name = dotted_name(alias.name)
    return name.split(".", 1)[0] if name else None


# -- adding -------------------------------------------------------------------------------------

def _alias_node(needed: NeededImport) -> cst.ImportAlias:
    asname = cst.AsName(cst.Name(needed.alias)) if needed.alias else None
    return cst.ImportAlias(cst.Name(needed.name), asname=asname)


def add_imports(module: cst.Module, needed: Sequence[NeededImport],
                order: ImportOrder = ImportOrder()) -> cst.Module:
    """Add the needed imports where the project's import sorter would put them (`order`):
    each name merged into an existing `from MODULE import ...` in its sorted place, else a
    new statement in its section and sorted place in the import block above the first use."""
    if not needed:
        return module
    body = list(module.body)
    by_module: Dict[str, List[NeededImport]] = {}
    for item in needed:
        by_module.setdefault(item.module, []).append(item)
    for module_name, items in by_module.items():
        items = sorted(set(items), key=lambda item: (item.name, item.local))
        for group in _statement_groups(items, order):
            existing = _find_from_import(body, module_name, bool(group[0].alias), order)
            if existing is not None and existing[0] > _first_use(
                    module, body, [item.local for item in group], existing[0]):
                existing = None  # a merge into an import below the first use: NameError
            if existing is not None:
                index, line, small_index = existing
                body[index] = _merged(line, small_index, group, module, order)
            else:
                names = [(item.name, item.alias) for item in group]
                text = from_import_text(module_name, sorted_names(names, order), order)
                statement = cst.parse_statement(text)  # newlines: None, the module's own
                assert isinstance(statement, cst.SimpleStatementLine)  # an import statement
                _insert_statement(module, body, statement, [item.local for item in group],
                                  order)
    return module.with_changes(body=body)


def _statement_groups(items: Sequence[NeededImport],
                      order: ImportOrder) -> List[List[NeededImport]]:
    """The names of one module, split into statements as the sorter writes them: one a line
    with `force-single-line`, and an aliased name on a line of its own unless
    `combine-as-imports` (ruff's and isort's default)."""
    if order.force_single_line:
        return [[item] for item in items]
    if order.combine_as_imports:
        return [list(items)]
    plain = [item for item in items if item.alias is None]
    groups = [plain] if plain else []
    return groups + [[item] for item in items if item.alias is not None]


def _merged(line: cst.SimpleStatementLine, small_index: int, group: Sequence[NeededImport],
            module: cst.Module, order: ImportOrder) -> cst.SimpleStatementLine:
    """`line` with the group's names merged into its `from` import at small_index, in sorted
    order. A lone import on one line without comments is written anew as the sorter writes it
    (wrapped when the line grows too long); any other keeps its own layout."""
    small = cast(cst.ImportFrom, line.body[small_index])  # what _find_from_import found
    aliases = list(small.names)  # type: ignore[arg-type]  # not `import *` (_from_module)
    opening = _opening_whitespace(small)
    single_line = len(line.body) == 1 and _line_layout(aliases, opening) is None and not (
        _has_comment(small) or line.trailing_whitespace.comment is not None)
    if single_line and not (order.split_on_trailing_comma and isinstance(
            aliases[-1].comma, cst.Comma)):
        names = [alias_pair(alias) for alias in aliases] + [(i.name, i.alias) for i in group]
        text = from_import_text(module.code_for_node(small.module)
                                if small.module is not None else "",
                                sorted_names(names, order), order)
        statement = cst.parse_statement(text)  # newlines: None, the module's own
        return statement.with_changes(leading_lines=line.leading_lines)  # type: ignore[return-value]
    for item in group:
        key = member_key(item.name, item.alias, order)
        index = next((position for position, alias in enumerate(aliases)
                      if member_key(*alias_pair(alias), order) > key), len(aliases))
        aliases = insert_into_comma_list(aliases, index, _alias_node(item), opening)
    parts = list(line.body)
    parts[small_index] = small.with_changes(names=aliases)
    return line.with_changes(body=parts)


def _has_comment(node: cst.CSTNode) -> bool:
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment)

    node.visit(_Find())
    return bool(found)


def _insert_statement(module: cst.Module, body: List[Statement],
                      statement: cst.SimpleStatementLine, local_names: Sequence[str],
                      order: ImportOrder) -> None:
    """Put a new import statement in its sorted place in the import block above the first use
    of its names (the block of import lines that ends there), with the blank lines that
    separate sections where the sorter puts them; with no block, after the docstring."""
    end = _insert_position(module, body, local_names)
    start = end
    while start > 0 and _is_import_line(body[start - 1]):
        start -= 1
    if start == end:  # a block of its own
        following = body[end] if end < len(body) else None
        if following is not None and not _is_import_line(following):
            blank, rest = _blank_prefix(following)
            wanted = _blank_lines_after_imports(following)
            if len(blank) < wanted:
                body[end] = following.with_changes(leading_lines=[cst.EmptyLine()] * wanted + rest)
        body.insert(end, statement)
        return
    key = statement_key(cast(ImportNode, statement.body[0]), order)
    index = next((position for position in range(start, end)
                  if _line_key(body[position], order) > key), end)
    section = key[0]
    before = body[index - 1] if index > start else None
    after = body[index] if index < end else None
    if before is not None and _line_key(before, order)[0] == section:
        pass  # inside its section, or at its end: no blank line of its own
    elif after is not None and _line_key(after, order)[0] == section:
        blank, rest = _blank_prefix(after)  # the section's first line now: its separation
        statement = statement.with_changes(leading_lines=blank)
        body[index] = after.with_changes(leading_lines=rest)
    elif before is not None:  # a section of its own, after another
        statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
        if after is not None and not _blank_prefix(after)[0]:
            body[index] = after.with_changes(
                leading_lines=[cst.EmptyLine()] + list(after.leading_lines))
    elif after is not None:  # a section of its own, first in the block
        blank, rest = _blank_prefix(after)
        statement = statement.with_changes(leading_lines=blank)
        body[index] = after.with_changes(leading_lines=[cst.EmptyLine()] + rest)
    if index < end:  # the sorter keeps a blank line above a comment line in the block
        blank, rest = _blank_prefix(body[index])
        if rest and not blank:
            body[index] = body[index].with_changes(leading_lines=[cst.EmptyLine()] + rest)
    if index == end and end < len(body) and not _blank_prefix(body[end])[0]:
        body[end] = body[end].with_changes(
            leading_lines=[cst.EmptyLine()] * _blank_lines_after_imports(body[end])
            + list(body[end].leading_lines))
    body.insert(index, statement)


def _blank_lines_after_imports(following: Statement) -> int:
    """The blank lines the sorter wants between the imports and the next statement: two
    before a class or a function (decorated or not), else one (ruff's `lines-after-imports`
    default, black's spacing)."""
    return 2 if isinstance(following, (cst.ClassDef, cst.FunctionDef)) else 1


def _line_key(line: cst.CSTNode, order: ImportOrder) -> Key:
    assert isinstance(line, cst.SimpleStatementLine)  # an import line (_is_import_line)
    return statement_key(cast(ImportNode, line.body[0]), order)


def _blank_prefix(line: Statement) -> Tuple[List[cst.EmptyLine], List[cst.EmptyLine]]:
    """A statement's leading blank lines up to its first comment, and the rest."""
    leading = list(line.leading_lines)
    count = 0
    while count < len(leading) and leading[count].comment is None:
        count += 1
    return leading[:count], leading[count:]


def _opening_whitespace(node: cst.ImportFrom) -> Optional[cst.BaseParenthesizableWhitespace]:
    return node.lpar.whitespace_after if node.lpar is not None else None


def _find_from_import(body: Sequence[Statement], module_name: str, aliased: bool,
                      order: ImportOrder) -> Optional[Tuple[int, cst.SimpleStatementLine, int]]:
    """The module-level `from module_name import ...` the new names can join: none with
    `force-single-line`; for an aliased name, none unless `combine-as-imports`; and never one
    holding an aliased name unless `combine-as-imports` (the sorter keeps those apart)."""
    if order.force_single_line or (aliased and not order.combine_as_imports):
        return None
    holder = cst.Module(body=body)
    for index, line in import_statements(holder):
        for small_index, small in enumerate(line.body):
            if isinstance(small, cst.ImportFrom) and _from_module(small) == module_name and (
                    order.combine_as_imports or all(
                        alias.asname is None for alias in small.names)):  # type: ignore[union-attr]
                return index, line, small_index
    return None


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _insert_position(module: cst.Module, body: Sequence[cst.BaseStatement],
                     local_names: Sequence[str]) -> int:
    """After the last module-level import line above the first use of the new names.

    That is the end of the leading import block in most files, and stays below a
    `sys.path.insert(...)` that later imports depend on. Never above the docstring.
    """
    imports_end = max((index + 1 for index, statement in enumerate(body)
                       if _is_import_line(statement)), default=0)
    first_use = _first_use(module, body, local_names, imports_end)
    position = 1 if body and _is_docstring(body[0]) else 0
    for index in range(position, first_use):
        if _is_import_line(body[index]):
            position = index + 1
    return position


def _first_use(module: cst.Module, body: Sequence[cst.BaseStatement],
               local_names: Sequence[str], below: int) -> int:
    """The index of the first module-level statement (not an import) naming one of
    `local_names`, searched among the first `below` statements; `below` when none does (the
    callers only compare it with an import's index: no codegen of the statements after)."""
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, local_names)))
    for index, statement in enumerate(body[:below]):
        if not _is_import_line(statement) and pattern.search(module.code_for_node(statement)):
            return index
    return below


# What a comma list holds: call arguments, imported names, dict entries. (Strings: libcst may
# load late, see running/startup.py.)
_Item = TypeVar("_Item", "cst.Arg", "cst.ImportAlias", "cst.BaseDictElement")


def append_to_comma_list(items: Sequence[_Item], new_items: Sequence[_Item],
                         opening: Optional[cst.BaseParenthesizableWhitespace] = None
                         ) -> List[_Item]:
    """Append to call arguments or import names in the list's own layout.

    One line stays one line (`a, b, new`); one item per line stays one per line, with or without
    a trailing comma; a comment after the last item stays on that item's line.
    """
    if not items:
        return list(new_items)
    items = list(items)
    last = items[-1]
    layout = _line_layout(items, opening)
    trailing = last.comma if isinstance(last.comma, cst.Comma) else None
    if layout is None:  # all on one line
        items[-1] = last.with_changes(comma=_same_line_comma())
        tail = trailing
        between = _same_line_comma()
    else:
        between = cst.Comma(whitespace_after=layout.with_changes(
            first_line=cst.TrailingWhitespace(), empty_lines=[]))
        after = trailing.whitespace_after if trailing is not None else None
        if trailing is not None and isinstance(after, cst.ParenthesizedWhitespace):
            # `last,  # comment\n)`: the comment stays on `last`; the closing line moves on.
            moved = after.with_changes(indent=layout.indent, last_line=layout.last_line)
            items[-1] = last.with_changes(comma=trailing.with_changes(whitespace_after=moved))
            tail = cst.Comma(whitespace_after=after.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=[]))
        else:
            items[-1] = last.with_changes(comma=between)
            tail = trailing
    added = [item.with_changes(comma=between) for item in new_items[:-1]]
    added.append(new_items[-1].with_changes(comma=tail if tail is not None
                                            else cst.MaybeSentinel.DEFAULT))
    return items + added


def insert_into_comma_list(items: Sequence[_Item], index: int, new_item: _Item,
                           opening: Optional[cst.BaseParenthesizableWhitespace] = None
                           ) -> List[_Item]:
    """Insert before items[index] (append when index is past the end), in the list's layout."""
    if index >= len(items):
        return append_to_comma_list(items, [new_item], opening)
    layout = _line_layout(items, opening)
    between = _same_line_comma() if layout is None else cst.Comma(
        whitespace_after=layout.with_changes(first_line=cst.TrailingWhitespace(),
                                             empty_lines=[]))
    return list(items[:index]) + [new_item.with_changes(comma=between)] + list(items[index:])


def _same_line_comma() -> cst.Comma:
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _line_layout(items: Sequence[_Item], opening: Optional[cst.BaseParenthesizableWhitespace]
                 ) -> Optional[cst.ParenthesizedWhitespace]:
    """The line break before each item when items go one per line, None when they share one.

    Decided by the break between the last two items, or after the opening parenthesis when
    there is a single item.
    """
    if len(items) >= 2:
        comma = items[-2].comma
        after = comma.whitespace_after if isinstance(comma, cst.Comma) else None
    else:
        after = opening
    return after if isinstance(after, cst.ParenthesizedWhitespace) else None


# -- removing -----------------------------------------------------------------------------------

class NamedOutsideTheSlice(Exception):
    """A sliced module cannot tell whether an import is still used: the lines stubbed out of
    it name the import. The fixer then rewrites the whole module."""


def remove_unused_imports(module: cst.Module, candidates: Set[str],
                          named_in_stubs: Optional[Callable[[str], bool]] = None) -> cst.Module:
    """Drop the imports of `candidates` that nothing in the file uses any more, at module level
    or in a block (`if`, `try`, a function).

    Only names the fix stopped using are candidates, so an import the file kept unused on purpose
    (a re-export, a side effect) is never touched. Conservative: a name goes only when every
    binding of it anywhere in the file is an import, nothing reads it, and no string could name
    it (`__all__`, string annotations; prose does not count). A block left empty gets `pass`.
    `named_in_stubs`: `module` is sliced, and this tells whether the lines stubbed out name a
    word; an import they name raises NamedOutsideTheSlice instead of being removed.
    """
    if not candidates:
        return module
    names = NameTable.of(module)
    unused = {name for name in candidates if not names.read[name]
              and names.bound[name] == names.imported[name] > 0
              and not names.named_in_a_string(name)}
    if not unused:
        return module
    if named_in_stubs is not None and any(map(named_in_stubs, unused)):
        raise NamedOutsideTheSlice(", ".join(sorted(unused)))
    return module.visit(_DropImports(unused))


class _DropImports(cst.CSTTransformer):
    """Removes the imports of `unused` names from every block; a line left without a statement
    goes (its comment lines pass to the next statement), a block left empty holds `pass`."""

    def __init__(self, unused: Set[str]) -> None:
        super().__init__()
        self.unused = unused

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False  # imports are whole small statements: nothing to find further down

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._body(updated_node.body, keep_one=False))

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self._body(updated_node.body, keep_one=True))

    def _body(self, statements: Sequence[cst.BaseStatement],
              keep_one: bool) -> List[Statement]:
        body = cast("List[Statement]", list(statements))  # see cst_walk.Statement
        removed_lines: List[cst.EmptyLine] = []
        for index in reversed(range(len(body))):
            line = body[index]
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            parts = [kept for kept in (_without(small, self.unused) for small in line.body)
                     if kept is not None]
            if len(parts) == len(line.body) and all(a is b for a, b in zip(parts, line.body)):
                continue
            if parts:
                parts[-1] = parts[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                body[index] = line.with_changes(body=parts)
            else:
                removed_lines = list(line.leading_lines)
                _drop_line(body, index, line)
        if not body and keep_one:
            return [cst.SimpleStatementLine([cst.Pass()], leading_lines=removed_lines)]
        return body


def _drop_line(body: List[Statement], index: int, line: cst.SimpleStatementLine) -> None:
    """Remove a statement line, handing its comment lines to the next statement."""
    del body[index]
    comments = [empty for empty in line.leading_lines if empty.comment is not None]
    if comments and index < len(body):
        body[index] = body[index].with_changes(
            leading_lines=list(line.leading_lines) + list(body[index].leading_lines))
    elif index < len(body) and line.leading_lines and not body[index].leading_lines:
        body[index] = body[index].with_changes(leading_lines=line.leading_lines)


def _without(small: cst.BaseSmallStatement,
             unused: Set[str]) -> Optional[cst.BaseSmallStatement]:
    if (not isinstance(small, (cst.Import, cst.ImportFrom))
            or isinstance(small.names, cst.ImportStar)):
        return small
    kept = [alias for alias in small.names if _alias_local(alias) not in unused]
    if len(kept) == len(small.names):
        return small
    if not kept:
        return None
    last = kept[-1]
    original_last = small.names[-1]
    kept[-1] = last.with_changes(comma=original_last.comma)
    return small.with_changes(names=kept)


def referenced_counts(node: cst.CSTNode) -> Counter[str]:
    """How often a node reads each name (the candidates for import removal once it is gone)."""
    table = NameTable()
    node.visit(table)
    return table.read
