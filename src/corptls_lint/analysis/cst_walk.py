"""A fast walk over a libcst tree: its expression and statement fields only.

libcst's own `CSTNode.visit` rebuilds (and re-validates) every node it passes, which costs
more than the parse; `children` costs several times more than reading the fields. Whitespace,
comment and token fields, which no rule or name table looks at, are not descended into.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Iterator, Literal, Tuple, Union, cast

import libcst as cst

# A statement as libcst has them: BaseStatement has no other kinds, but does not say so, nor
# that they have leading lines. (Strings: libcst may load late, see running/startup.py.)
Statement = Union["cst.SimpleStatementLine", "cst.BaseCompoundStatement"]

_SKIPPED_FIELDS = frozenset((
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header",
    "footer", "newline", "colon", "equal", "star", "dot", "operator", "asynchronous", "arrow",
    "lbracket", "rbracket", "lbrace", "rbrace", "indent", "default_indent", "default_newline",
    "has_trailing_newline", "encoding"))
_FIELDS_BY_TYPE: Dict[type, Tuple[str, ...]] = {}
_NODE_TYPES: Dict[type, bool] = {}


def child_fields(kind: type) -> Tuple[str, ...]:
    """The fields of a node type that can hold expressions or statements, in declaration order."""
    names = _FIELDS_BY_TYPE.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(kind)
                      if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
                      and not f.name.startswith("trailing_whitespace"))
        _FIELDS_BY_TYPE[kind] = names
    return names


def is_node(kind: type) -> bool:
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            yield from (item for item in value if is_node(type(item)))
        elif is_node(type(value)):
            yield value


_VisitMethod = Union[Callable[[Any], object], Literal[False]]


def visit(node: cst.CSTNode, visitor: object) -> None:
    """Call the visitor's `visit_<NodeType>` methods over the tree, as libcst's visit would
    for these fields (a method returning False keeps its node's children unvisited), without
    rebuilding a node. No `leave_` methods."""
    stack = [node]
    pop, extend = stack.pop, stack.extend
    # node type -> the visitor's method for it (which takes that type), False where it has none
    methods: Dict[type, _VisitMethod] = {}
    while stack:
        node = pop()
        kind = type(node)
        method = methods.get(kind)
        if method is None:
            # cast: getattr types its default as any bool
            method = methods[kind] = cast(_VisitMethod, getattr(
                visitor, "visit_" + kind.__name__, False))
        if method is not False and method(node) is False:
            continue
        extend(reversed(list(children(node))))
