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
    """The dict display an expression is, or a name bound once to one; a copy of one
    (`{k: d[k] for k in d}`, `{k: v for k, v in d.items()}`, `dict(d)`, `d.copy()`,
    `copy.copy(d)`) stands for it: it holds the same entries."""
    for _ in range(_MAX_DEPTH):
        expr, scope = origin(expr, scope)
        if isinstance(expr, cst.Dict):
            return expr
        copied = _copied_from(expr, scope)
        if copied is None:
            return None
        expr = copied
    return None


_COPIES = frozenset({"copy.copy", "copy.deepcopy"})


def _copied_from(expr: cst.BaseExpression, scope: Scope) -> Optional[cst.BaseExpression]:
    """The mapping a whole-dict copy copies, else None."""
    if isinstance(expr, cst.DictComp):
        return _comprehension_source(expr)
    if not isinstance(expr, cst.Call) or any(arg.keyword or arg.star for arg in expr.args):
        return None
    if len(expr.args) == 1 and (scope.qualify(expr.func) in _COPIES or (
            isinstance(expr.func, cst.Name) and identifier(expr.func.value) == "dict"
            and scope.lookup("dict") is None)):
        return expr.args[0].value
    if not expr.args and isinstance(expr.func, cst.Attribute) and identifier(
            expr.func.attr.value) == "copy":
        return expr.func.value
    return None


def _comprehension_source(comp: cst.DictComp) -> Optional[cst.BaseExpression]:
    """`d` of `{k: d[k] for k in d}` (or `d.keys()`) and of `{k: v for k, v in d.items()}`:
    every key with its own value, no filter."""
    loop = comp.for_in
    if loop.inner_for_in is not None or loop.ifs or not isinstance(comp.key, cst.Name):
        return None
    key = identifier(comp.key.value)
    source, method = loop.iter, None
    if isinstance(loop.iter, cst.Call) and isinstance(loop.iter.func, cst.Attribute) and not (
            loop.iter.args):
        source, method = loop.iter.func.value, identifier(loop.iter.func.attr.value)
    if not isinstance(source, cst.Name):
        return None
    if method in (None, "keys") and isinstance(loop.target, cst.Name) and identifier(
            loop.target.value) == key:
        value = comp.value
        if (isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name)
                and identifier(value.value.value) == identifier(source.value)
                and len(value.slice) == 1 and isinstance(value.slice[0].slice, cst.Index)
                and isinstance(value.slice[0].slice.value, cst.Name)
                and identifier(value.slice[0].slice.value.value) == key):
            return source
        return None
    if method == "items" and isinstance(loop.target, cst.Tuple) and len(
            loop.target.elements) == 2:
        names = [element.value for element in loop.target.elements]
        if (all(isinstance(name, cst.Name) for name in names)
                and identifier(cast(cst.Name, names[0]).value) == key
                and isinstance(comp.value, cst.Name)
                and identifier(comp.value.value) == identifier(cast(cst.Name, names[1]).value)):
            return source
    return None


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
