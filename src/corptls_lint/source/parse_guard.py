"""What libcst is never given: input CPython refuses for its size, or nesting deep enough to
make libcst's parser slow (superlinear in a long operator chain) or overflow its native stack.

CPython's own parser answers first. An ordinary syntax error is not final: on an interpreter
older than the code (a `match` statement read by Python 3.9) libcst still decides, once a
bracket count shows the nesting stays within what CPython accepts.
"""

from __future__ import annotations

import ast
import warnings
from typing import Dict, List, Optional, Protocol, Tuple, Type, cast

# Deeper than this (in `ast` levels) libcst's parse time grows faster than the input: a
# 1,000-term `1+1+...` parses in a second, 3,000 terms in 17 s. Real code stays far below.
MAX_DEPTH = 1000
# CPython's tokenizer refuses more than 200 nested brackets ("too many nested parentheses").
MAX_BRACKETS = 200


def parse(data: bytes) -> Tuple[Optional[ast.Module], Optional[str]]:
    """(the stdlib tree or None, why CPython refused the file for its size or None). The
    depth of an accepted tree is `too_deep`'s question."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like are not our business
            tree = ast.parse(data)
    except SyntaxError as error:
        if "too many nested" in str(error.msg) or "too complex" in str(error.msg):
            return None, str(error.msg)
        depth = bracket_depth(data)
        if depth > MAX_BRACKETS:
            return None, f"{depth} nested brackets"
        return None, None
    except (MemoryError, RecursionError):
        return None, "CPython's parser ran out of stack"
    except (ValueError, UnicodeError):
        return None, None
    return tree, None


def too_deep(tree: ast.AST) -> Optional[str]:
    """Why libcst must not parse this tree's source, or None. Asked only of files that go on
    to libcst (after the candidate screen)."""
    if tree_depth(tree, MAX_DEPTH) > MAX_DEPTH:
        return f"expressions nested more than {MAX_DEPTH} levels deep"
    return None


def deep_statements(tree: ast.Module) -> List[ast.stmt]:
    """The top-level statements nested more than MAX_DEPTH levels (the module counts one)."""
    return [statement for statement in tree.body
            if tree_depth(statement, MAX_DEPTH - 1) > MAX_DEPTH - 1]


def refusal(data: bytes) -> Optional[str]:
    """Both checks at once: why libcst must not see `data`, or None."""
    tree, reason = parse(data)
    if reason is None and tree is not None:
        reason = too_deep(tree)
    return reason


def tree_depth(tree: ast.AST, limit: int) -> int:
    """The depth of `tree` as libcst would nest it, counting no further than `limit` + 1.

    Cheap: every level of nesting takes at least one character of source, so a node that sits
    on one line and is shorter than the depth still allowed cannot go too deep, and is not
    walked. In most files only the multi-line statements are visited, and not their lines.
    """
    deepest = 0
    stack = [(tree, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        end_line = getattr(node, "end_lineno", None)
        if end_line is not None:
            positioned = cast(_Positioned, node)  # it has an end line, so all four positions
            if (end_line == positioned.lineno and depth + positioned.end_col_offset
                    - positioned.col_offset + _SLACK <= limit):
                continue  # one short line: its subtree stays within the limit
        # libcst nests `a and b and c` (ast keeps one flat BoolOp): count it as libcst does
        step = len(node.values) if type(node) is ast.BoolOp else 1
        for name in _fields(type(node)):
            value = getattr(node, name)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, depth + step))
            elif isinstance(value, ast.AST):
                push((value, depth + step))
    return deepest


# Levels a node can add without a character of its own (an expression statement, a keyword
# argument, an f-string's replacement field, the context and operator leaves).
_SLACK = 8
_LEAVES = frozenset(("ctx", "op", "ops", "type_comment"))
_FIELDS: Dict[Type[ast.AST], Tuple[str, ...]] = {}


class _Positioned(Protocol):
    """What `tree_depth` reads of a node that has positions (ast.expr, ast.stmt, ...)."""

    lineno: int
    col_offset: int
    end_col_offset: int


def _fields(kind: Type[ast.AST]) -> Tuple[str, ...]:
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = tuple(f for f in kind._fields if f not in _LEAVES)
    return fields


def bracket_depth(data: bytes) -> int:
    """The deepest bracket nesting in the raw bytes (brackets in strings and comments count
    too: an over-estimate, and only for files CPython already refused)."""
    depth = deepest = 0
    for byte in data.translate(None, _NOT_BRACKETS):
        if byte in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth:
            depth -= 1
    return deepest


_OPENING = frozenset(b"([{")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]{}")
