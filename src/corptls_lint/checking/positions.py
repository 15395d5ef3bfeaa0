"""Where the reported nodes are: their ranges from libcst's own codegen (what PositionProvider
computes, without MetadataWrapper's extra pass), run over the whole module or, when the
reports lie in a few functions or classes, over each of those alone, started at the line the
stdlib `ast` tree gives it.
"""

from __future__ import annotations

import ast
import sys
from typing import (TYPE_CHECKING, Dict, Iterator, List, Mapping, Optional, Protocol, Sequence, Set,
                    Tuple, Union, cast)

import libcst as cst

from corptls_lint.analysis.cst_walk import Statement
from corptls_lint.rules.base import Report
from corptls_lint.screens import slicing

if TYPE_CHECKING:
    from libcst.metadata import CodeRange


class StatementSpans(Sequence[Tuple[int, int]]):
    """The (first, last) lines of each top-level statement, computed as `bisect` asks for
    them: a 150,000-statement module needs a few dozen, not a list of all."""

    def __init__(self, body: Sequence[ast.stmt]) -> None:
        self.body = body

    def __len__(self) -> int:
        return len(self.body)

    # An int only: bisect never slices (Sequence's signature takes slices too).
    def __getitem__(self, index: int) -> Tuple[int, int]:  # type: ignore[override]
        node = self.body[index]
        return slicing.first_line(node), node.end_lineno or node.lineno


# Where a node sits: (index of its top-level statement, the functions and classes around it).
# (Strings: libcst may load late, see running/startup.py.)
Owner = Tuple[Union[int, "cst.CSTNode"], ...]


def nodes_of(report: Report) -> Iterator[cst.CSTNode]:
    """The reported node and the nodes its fix rewrites."""
    yield report.node
    if report.fix is not None and report.fix.node is not None:
        yield report.fix.node
        yield from report.fix.also_remove


class _PositionTable:
    """Stands in for a metadata provider: the codegen state writes each node's range here."""

    def __init__(self) -> None:
        self._computed: Dict[cst.CSTNode, CodeRange] = {}


def node_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Every node's range, as PositionProvider computes it, without MetadataWrapper's extra
    pass over the tree (a third of the cost)."""
    try:
        from libcst.metadata.position_provider import PositionProvidingCodegenState

        table = _PositionTable()
        state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                              default_newline=module.default_newline,
                                              provider=table)  # type: ignore[arg-type]  # stand-in
        module._codegen(state)
        return table._computed
    except (ImportError, TypeError, AttributeError):  # libcst's internals moved
        from libcst.metadata import MetadataWrapper, PositionProvider

        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def owner_positions(module: cst.Module, tree: ast.Module,
                     owners: Set[Owner]) -> Optional[Mapping[cst.CSTNode, CodeRange]]:
    """The ranges of the nodes inside the given owners, by a codegen pass over the innermost
    function or class of each alone, started at the line `ast` gives it and with the
    indentation of the blocks around it. None when the statements of libcst and `ast` do not
    line up (then the caller runs the whole-module pass).

    The nodes on the way down to each of those (the top-level statement, the blocks and
    definitions between) get a range that holds everything: the fixer's rewrite descends
    only into nodes whose range holds a fix, and these do."""
    try:
        from libcst.metadata import CodePosition, CodeRange
        from libcst.metadata.position_provider import PositionProvidingCodegenState
    except ImportError:
        return None
    table = _PositionTable()
    done: Set[int] = set()
    on_the_way: List[cst.CSTNode] = []
    for owner in owners:
        located = _locate(module, tree, owner, on_the_way)
        if located is None:
            return None
        statement, first_line, indents = located
        if id(statement) in done:
            continue
        done.add(id(statement))
        decorators = getattr(statement, "decorators", ())
        before = len(statement.leading_lines) + (len(decorators[0].leading_lines)
                                                 if decorators else 0)
        state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                              default_newline=module.default_newline,
                                              provider=table)  # type: ignore[arg-type]  # stand-in
        state.line = first_line - before
        state.indent_tokens = list(indents)
        statement._codegen(state)
        # Check the start against ast's before trusting the statement's ranges.
        anchor = (decorators[0].decorator if decorators else
                  statement.body[0] if isinstance(statement, cst.SimpleStatementLine)
                  else statement)
        if table._computed[anchor].start.line != first_line:
            return None
    everywhere = CodeRange(CodePosition(1, 0), CodePosition(sys.maxsize, 0))
    for node in on_the_way:
        table._computed.setdefault(node, everywhere)
    return table._computed


def _locate(module: cst.Module, tree: ast.Module, owner: Owner, on_the_way: List[cst.CSTNode]
            ) -> Optional[Tuple[Statement, int, Tuple[str, ...]]]:
    """(the innermost statement of `owner` that is an element of its parent's block, its
    first line by `ast`, the indentation of the blocks around it), descending from the
    top-level statement through each function or class that sits directly in the block of
    the one before; None when the two trees' statements do not line up. The nodes passed on
    the way down are added to `on_the_way`."""
    body = module.body
    indents: Tuple[str, ...] = ()
    top = owner[0]  # an index at the top, then the function or class nodes themselves
    if not isinstance(top, int) or top >= len(body):
        return None
    ast_statement = _ast_element(body, tree.body, top)
    if ast_statement is None:
        return None
    statement: Statement = body[top]
    for target in owner[1:]:
        if target is statement:  # the top-level statement is this function or class
            continue
        block = getattr(statement, "body", None)  # a match statement has cases
        if not isinstance(block, cst.IndentedBlock):
            break
        index = next((i for i, element in enumerate(block.body) if element is target), None)
        if index is None:  # inside an if, a with, ...: the enclosing element will do
            break
        # the statement has a block, so its `ast` twin has a body
        inner = _ast_element(block.body, cast(_Compound, ast_statement).body, index)
        if inner is None:
            return None
        indents += (block.indent if block.indent is not None else module.default_indent,)
        on_the_way.extend((statement, block))
        # `target` itself, as a statement (see cst_walk.Statement)
        statement, ast_statement = cast(Statement, block.body[index]), inner
    return statement, slicing.first_line(ast_statement), indents


class _Compound(Protocol):
    """An `ast` statement with a block of its own."""

    body: List[ast.stmt]


def _ast_element(elements: Sequence[cst.CSTNode], ast_body: Sequence[ast.stmt],
                 index: int) -> Optional[ast.stmt]:
    """The `ast` statement that starts libcst's `elements[index]` (a simple statement line
    holds as many `ast` statements as it has small statements); None when the counts differ."""
    consumed = 0
    found = None
    for position, element in enumerate(elements):
        if position == index:
            found = consumed
        consumed += len(element.body) if isinstance(element, cst.SimpleStatementLine) else 1
    if consumed != len(ast_body) or found is None:
        return None
    return ast_body[found]
