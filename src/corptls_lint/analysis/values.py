"""What a small expression evaluates to, following names bound exactly once (SPEC §1)."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple, cast

import libcst as cst

from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import identifier

# Evaluation follows names through at most this many bindings (`A = B`, `B = "x"`).
_MAX_DEPTH = 8


class _Unknown:
    """A value that is not a literal (a call, a parameter without default, ...)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()

_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}


def origin(expr: cst.BaseExpression, scope: Scope) -> Tuple[cst.BaseExpression, Scope]:
    """The expression a name stands for when bound once (else the expression itself)."""
    for _ in range(_MAX_DEPTH):
        if not isinstance(expr, cst.Name) or identifier(expr.value) in _NAMED_CONSTANTS:
            break
        binding = scope.lookup(expr.value)
        if binding is None or binding.single_value is None or binding.qualified is not None:
            break
        expr, scope = binding.single_value, binding.scope
    return expr, scope


def literal(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> object:
    """The Python value of a literal expression, or UNKNOWN.

    Handles True/False/None, integers, strings (plain, implicit concatenation, `+`, f-strings
    whose parts are themselves literals), names bound once to any of these, and of those
    `not x`, `bool(x)` (the builtin) and a walrus `(v := x)`.
    """
    if depth > _MAX_DEPTH:
        return UNKNOWN
    expr, scope = origin(expr, scope)
    if isinstance(expr, cst.Name):  # `Ｆalse` too: Python reads it as False
        return _NAMED_CONSTANTS.get(identifier(expr.value), UNKNOWN)
    if isinstance(expr, cst.Integer):
        try:
            return int(expr.value.replace("_", ""), 0)
        except ValueError:
            return UNKNOWN
    if isinstance(expr, cst.SimpleString):
        if "b" in expr.prefix.lower():
            return UNKNOWN
        try:
            return expr.evaluated_value
        except Exception:  # an escape libcst cannot evaluate
            return UNKNOWN
    if isinstance(expr, cst.ConcatenatedString):
        return _join(literal(expr.left, scope, depth + 1), literal(expr.right, scope, depth + 1))
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _join(literal(expr.left, scope, depth + 1), literal(expr.right, scope, depth + 1))
    if isinstance(expr, cst.NamedExpr):  # `(v := False)` has the value it binds
        return literal(expr.value, scope, depth + 1)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        return _truth(literal(expr.expression, scope, depth + 1), negate=True)
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name)
            and identifier(expr.func.value) == "bool" and scope.lookup("bool") is None
            and len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star):
        return _truth(literal(expr.args[0].value, scope, depth + 1))
    if isinstance(expr, cst.FormattedString):
        parts = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            # libcst's only other kind of part
            part = cast(cst.FormattedStringExpression, part)
            if part.format_spec or part.conversion:
                return UNKNOWN
            value = literal(part.expression, scope, depth + 1)
            if value is UNKNOWN:
                return UNKNOWN
            parts.append(str(value))
        return "".join(parts)
    return UNKNOWN


def _truth(value: object, negate: bool = False) -> object:
    """`bool(value)` (or `not value`) of a known literal, else UNKNOWN."""
    if value is UNKNOWN:
        return UNKNOWN
    return bool(value) != negate


def falsy_branches(expr: cst.BaseExpression, scope: Scope) -> Iterator[cst.BaseExpression]:
    """The falsy values a conditional expression may take (`False if DEBUG else True`: the
    `False`), through nested conditionals and a walrus; none when it is not conditional."""
    if isinstance(expr, cst.NamedExpr):
        expr = expr.value
    if not isinstance(expr, cst.IfExp):
        return
    for branch in (expr.body, expr.orelse):
        if isinstance(branch, (cst.IfExp, cst.NamedExpr)):
            yield from falsy_branches(branch, scope)
        elif is_falsy(branch, scope):
            yield branch


def _join(left: object, right: object) -> object:
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return UNKNOWN


def is_falsy(expr: cst.BaseExpression, scope: Scope) -> bool:
    """`False`, `0`, `""`, or a name bound once to one of them (not None: that is a default)."""
    value = literal(expr, scope)
    return value is False or (type(value) is int and value == 0) or value == ""


def is_hardcoded_path(expr: cst.BaseExpression, scope: Scope) -> bool:
    """A non-empty string built only from literals."""
    value = literal(expr, scope)
    return isinstance(value, str) and value != ""


def string_value(expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
    value = literal(expr, scope)
    return value if isinstance(value, str) else None


def dict_literal(expr: cst.BaseExpression, scope: Scope) -> Optional[cst.Dict]:
    """The dict display an expression is, or a name bound once to one."""
    expr, _ = origin(expr, scope)
    return expr if isinstance(expr, cst.Dict) else None


def from_parameter_default(expr: cst.BaseExpression, scope: Scope) -> bool:
    """True when a name's value comes from a parameter default (its fix needs judgement)."""
    if not isinstance(expr, cst.Name):
        return False
    binding = scope.lookup(expr.value)
    return (binding is not None and binding.scope.kind == "function"
            and binding.single_value is not None
            and _is_param_default(binding.scope.node, binding.single_value))


def _is_param_default(function: cst.CSTNode, value: cst.BaseExpression) -> bool:
    params = getattr(function, "params", None)
    if params is None:
        return False
    for group in (params.posonly_params, params.params, params.kwonly_params):
        if any(param.default is value for param in group):
            return True
    return False
