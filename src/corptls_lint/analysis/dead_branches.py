"""Dead branches: the fallback of a feature or version check that every Python this tool
supports decides the same way (`if hasattr(ssl, "SSLContext")`, `if sys.version_info <
(3, 6)`, `sys.hexversion >= 0x020709F0`, or a flag bound to one of these, or bound True
after `from ssl import create_default_context` succeeds), so that the other branch is code
only an old interpreter would run. A rule leaves what such a branch does unreported: the
`ssl.wrap_socket` and `PROTOCOL_TLSv1` fallbacks of libraries that still carry Python 2.7
support (issue 27, the `dead-branch` traps of the coverage proof).
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

import libcst as cst

from corptls_lint.analysis import values
from corptls_lint.analysis.cst_walk import children
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import identifier

# The oldest Python this tool supports (pyproject's requires-python): a check against an
# older version is decided.
OLDEST = (3, 9)
# What every supported Python's ssl module has: the other branch of `if hasattr(ssl,
# "PROTOCOL_TLS_SERVER")` is dead code (a fallback for Python < 3.6)
ALWAYS_IN_SSL = frozenset({"PROTOCOL_TLS", "PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER",
                           "SSLContext", "create_default_context", "Purpose", "TLSVersion",
                           "HAS_SNI", "OP_NO_SSLv2", "OP_NO_SSLv3", "OP_NO_TLSv1",
                           "OP_NO_TLSv1_1"})
_VERSION_INFO = "sys.version_info"
_HEXVERSION = "sys.hexversion"
# How deep a flag may stand for another flag (`A = B`, `B = sys.version_info >= ...`).
_MAX_DEPTH = 4


def decided(test: cst.BaseExpression, scope: Scope, depth: int = 0) -> Optional[bool]:
    """The truth every supported Python gives an if test, else None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = decided(test.expression, scope, depth + 1)
        return None if inner is None else not inner
    if isinstance(test, cst.Call):
        return True if _has_always(test, scope) else None
    if isinstance(test, cst.Comparison):
        return _version_check(test, scope)
    if isinstance(test, cst.Name):
        return _flag(test, scope, depth)
    if (isinstance(test, cst.Attribute) and isinstance(test.value, cst.Name)
            and identifier(test.value.value) in ("self", "cls")):
        # a class attribute bound once in the class around the method (`_has_ssl_context =
        # sys.hexversion >= 0x020709F0` read as `self._has_ssl_context`)
        owner = scope.enclosing("class")
        binding = owner.names.get(identifier(test.attr.value)) if owner is not None else None
        if binding is not None and binding.single_value is not None:
            return decided(binding.single_value, binding.scope, depth + 1)
    return None


def dead_branch(node: cst.If, scope: Scope) -> Optional[cst.CSTNode]:
    """The branch of an if statement that no supported Python runs, else None."""
    truth = decided(node.test, scope)
    if truth is None:
        return None
    return node.orelse if truth else node.body


def subtree_ids(node: cst.CSTNode) -> Iterator[int]:
    stack = [node]
    while stack:
        node = stack.pop()
        yield id(node)
        stack.extend(children(node))


def _has_always(call: cst.Call, scope: Scope) -> bool:
    """`hasattr(ssl, "PROTOCOL_TLS_CLIENT")` (the builtin) of a name every ssl module has."""
    if not (isinstance(call.func, cst.Name) and identifier(call.func.value) == "hasattr"
            and len(call.args) == 2 and scope.lookup("hasattr") is None
            and scope.qualify(call.args[0].value) == "ssl"):
        return False
    return values.string_value(call.args[1].value, scope) in ALWAYS_IN_SSL


def _version_check(test: cst.Comparison, scope: Scope) -> Optional[bool]:
    """`sys.version_info < (3, 6)`, `sys.version_info[0] == 2`, `sys.hexversion >=
    0x020709F0`: decided when the version it compares with is older than OLDEST."""
    if len(test.comparisons) != 1:
        return None
    operator, right = test.comparisons[0].operator, test.comparisons[0].comparator
    left = test.left
    if scope.qualify(left) == _HEXVERSION and isinstance(right, cst.Integer):
        bound = _integer(right)
        if bound is None or bound >= (OLDEST[0] << 24 | OLDEST[1] << 16):
            return None
        return _older(operator)
    if scope.qualify(left) == _VERSION_INFO and isinstance(right, cst.Tuple):
        version = _version_tuple(right)
        if version is None or version >= OLDEST:
            return None
        return _older(operator)
    if (isinstance(left, cst.Subscript) and scope.qualify(left.value) == _VERSION_INFO
            and len(left.slice) == 1 and isinstance(left.slice[0].slice, cst.Index)
            and _integer(left.slice[0].slice.value) == 0 and isinstance(right, cst.Integer)):
        major = _integer(right)  # sys.version_info[0] == 2 (or < 3, >= 3)
        if major is None or major >= OLDEST[0]:
            return None
        if isinstance(operator, cst.Equal):
            return False
        if isinstance(operator, cst.NotEqual):
            return True
        return _older(operator)
    return None


def _older(operator: cst.BaseCompOp) -> Optional[bool]:
    """The truth of `running <op> older`, the running Python being newer than `older`."""
    if isinstance(operator, (cst.GreaterThan, cst.GreaterThanEqual)):
        return True
    if isinstance(operator, (cst.LessThan, cst.LessThanEqual)):
        return False
    return None


def _integer(node: cst.BaseExpression) -> Optional[int]:
    if not isinstance(node, cst.Integer):
        return None
    try:
        return int(node.value.replace("_", ""), 0)
    except ValueError:
        return None


def _version_tuple(node: cst.Tuple) -> Optional[Tuple[int, ...]]:
    parts = [_integer(element.value) for element in node.elements]
    if not parts or any(part is None for part in parts):
        return None
    return tuple(part for part in parts if part is not None)


def _flag(name: cst.Name, scope: Scope, depth: int) -> Optional[bool]:
    """A name bound once to a decided test, or a module's import flag (True after `from ssl
    import create_default_context` in a try, False in its `except ImportError`)."""
    binding = scope.lookup(name.value)
    if binding is None or binding.qualified is not None or binding.is_parameter():
        return None  # a parameter's default is not what every caller passes
    if binding.single_value is not None:
        return decided(binding.single_value, binding.scope, depth + 1)
    if binding.scope.kind == "module" and isinstance(binding.scope.node, cst.Module):
        flag = identifier(name.value)
        if any(_import_flag(statement, flag) for statement in binding.scope.node.body):
            return True
    return None


def _import_flag(statement: cst.CSTNode, flag: str) -> bool:
    """`try: from ssl import create_default_context; flag = True` / `except ImportError:
    flag = False`, importing only what every supported ssl module has."""
    if not isinstance(statement, cst.Try) or not statement.handlers:
        return False
    imported, set_true = False, False
    for line in statement.body.body:
        for small in line.body if isinstance(line, cst.SimpleStatementLine) else (None,):
            if isinstance(small, cst.ImportFrom) and _imports_always(small):
                imported = True
            elif _assigns(small, flag) is True:
                set_true = True
            elif not isinstance(small, (cst.Expr, cst.Pass)):
                return False  # anything else may fail on a supported Python
    if not (imported and set_true):
        return False
    for handler in statement.handlers:
        kind = handler.type
        if not (isinstance(kind, cst.Name) and identifier(kind.value) in (
                "ImportError", "ModuleNotFoundError")):
            return False
    return all(_binds_only_false(handler.body, flag) for handler in statement.handlers) and (
        statement.orelse is None or not any(
            _assigns(small, flag) is not None for line in statement.orelse.body.body
            if isinstance(line, cst.SimpleStatementLine) for small in line.body))


def _imports_always(node: cst.ImportFrom) -> bool:
    module = node.module
    if not (isinstance(module, cst.Name) and identifier(module.value) == "ssl"
            and not node.relative and not isinstance(node.names, cst.ImportStar)):
        return False
    return all(isinstance(alias.name, cst.Name) and identifier(alias.name.value)
               in ALWAYS_IN_SSL for alias in node.names)


def _assigns(small: Optional[cst.CSTNode], flag: str) -> Optional[bool]:
    """The constant `flag = True/False` binds, None for another statement."""
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and identifier(small.targets[0].target.value) == flag
            and isinstance(small.value, cst.Name)):
        return None
    value = identifier(small.value.value)
    return True if value == "True" else False if value == "False" else None


def _binds_only_false(body: cst.BaseSuite, flag: str) -> bool:
    """A handler's body binds the flag False (and nothing else binds it there)."""
    if not isinstance(body, cst.IndentedBlock):
        return False
    found = [_assigns(small, flag) for line in body.body
             if isinstance(line, cst.SimpleStatementLine) for small in line.body]
    binds = [value for value in found if value is not None]
    return binds == [False]
