"""Writes into the process environment: `os.environ[K] = v`, `setdefault`, `update`, `putenv`,
and `mock.patch.dict(os.environ, {K: v})` (a test's environment is still the one its clients
read while it runs)."""

from __future__ import annotations

from typing import ClassVar, Iterator, NamedTuple, Optional, Sequence, Tuple

import libcst as cst

from corptls_lint.analysis import clients, travel, values
from corptls_lint.analysis.scopes import Scope, import_roots
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import Rule
from corptls_lint.screens.shapes import Argument, CallTo, ItemStore, one_of

_ENVIRON = "os.environ"
_CALLS = ("os.environ.setdefault", "os.putenv")
_UPDATE = "os.environ.update"
_PATCH_DICT = frozenset({"unittest.mock.patch.dict", "mock.patch.dict"})
# `mock.patch("os.environ", {...})`: the whole environment replaced for a test
_PATCH = frozenset({"unittest.mock.patch", "mock.patch"})

# The syntax-screen shapes of every write this module finds (candidates.py).
_ENVIRON_METHODS = tuple(sorted(name.rsplit(".", 1)[1] for name in (*_CALLS, _UPDATE)
                                if name.startswith(_ENVIRON + ".")))
CANDIDATES = (
    ItemStore((_ENVIRON.rsplit(".", 1)[1],), import_roots(_ENVIRON)),
    # `os.putenv` may be imported by name; a method of os.environ is called on it (dict.update
    # and setdefault are everywhere)
    clients.calls_to({name for name in _CALLS if not name.startswith(_ENVIRON + ".")}),
    CallTo(_ENVIRON_METHODS, import_roots(_ENVIRON), receivers=(_ENVIRON.rsplit(".", 1)[1],)),
    CallTo(("dict",), tuple(sorted({root for name in _PATCH_DICT for root in import_roots(name)})),
           receivers=("patch",)),
    CallTo(("patch",), tuple(sorted({root for name in _PATCH for root in import_roots(name)})),
           argument=Argument(0, ("target",), one_of(_ENVIRON))),
)


class EnvWrite(NamedTuple):
    anchor: cst.CSTNode  # where a finding about this write points
    key: str
    value: cst.BaseExpression
    # False for a parametrized case's value: the case's expected result goes with it
    fixable: bool = True


def _key(expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
    return values.string_value(expr, scope)


def writes_in_assign(node: cst.Assign, scope: Scope) -> Iterator[EnvWrite]:
    """`os.environ["KEY"] = value` (any alias of os.environ)."""
    for assign_target in node.targets:
        target = assign_target.target
        if not isinstance(target, cst.Subscript) or scope.qualify(target.value) != _ENVIRON:
            continue
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            continue
        key = _key(target.slice[0].slice.value, scope)
        if key is not None:
            yield EnvWrite(target, key, node.value)


def writes_in_call(node: cst.Call, scope: Scope) -> Iterator[EnvWrite]:
    """`os.environ.setdefault(K, v)`, `os.environ.update({K: v}, K=v)`, `os.putenv(K, v)`."""
    qualified = scope.qualify(node.func)
    if qualified in _CALLS:
        key_arg, value_arg = clients.positional(node, 0), clients.positional(node, 1)
        if key_arg is not None and value_arg is not None:
            key = _key(key_arg.value, scope)
            if key is not None:
                yield EnvWrite(node, key, value_arg.value)
    elif qualified in _PATCH_DICT:
        target = clients.argument(node, 0, "in_dict")
        if target is not None and (scope.qualify(target.value) == _ENVIRON
                                   or values.string_value(target.value, scope) == _ENVIRON):
            yield from _dict_writes(node.args[1:] if target is node.args[0] else (), scope)
            yield from _dict_writes([arg for arg in node.args if arg.keyword is not None
                                     and identifier(arg.keyword.value) == "values"], scope)
            yield from (EnvWrite(arg, identifier(arg.keyword.value), arg.value)
                        for arg in node.args if arg.keyword is not None
                        and identifier(arg.keyword.value) not in ("in_dict", "values", "clear"))
    elif qualified in _PATCH:
        target, new = clients.argument(node, 0, "target"), clients.argument(node, 1, "new")
        if target is not None and new is not None and values.string_value(
                target.value, scope) == _ENVIRON:
            # the dict given, or each one pytest's parametrize gives the test's parameter
            yield from _display_writes(new.value, scope)
            for case in travel.parametrized_values(new.value, scope):
                yield from (write._replace(fixable=False)
                            for write in _display_writes(case, scope))
    elif qualified == _UPDATE:
        yield from (EnvWrite(arg, identifier(arg.keyword.value), arg.value)
                    for arg in node.args if arg.keyword is not None)
        yield from _dict_writes([arg for arg in node.args if arg.keyword is None], scope)


def _dict_writes(args: Sequence[cst.Arg], scope: Scope) -> Iterator[EnvWrite]:
    """The entries of the dict displays (or names bound once to one) among positional
    `args`: `os.environ.update({...})`'s, patch.dict's `values`."""
    for arg in args:
        if not arg.star:
            yield from _display_writes(arg.value, scope)


def _display_writes(expr: cst.BaseExpression, scope: Scope) -> Iterator[EnvWrite]:
    """The entries of a dict display (or a name bound once to one)."""
    display = values.dict_literal(expr, scope)
    for element in display.elements if display is not None else ():
        if isinstance(element, cst.DictElement):
            key = _key(element.key, scope)
            if key is not None:
                yield EnvWrite(element, key, element.value)


class EnvironmentWriteRule(Rule):
    """A rule about what code writes into the environment: subclasses judge each write."""

    triggers: ClassVar[Tuple[Tuple[bytes, ...], ...]] = ((b"environ", b"putenv"),)
    candidates = CANDIDATES

    def visit_Assign(self, node: cst.Assign) -> None:
        for write in writes_in_assign(node, self.scope):
            self.check_write(write)

    def visit_Call(self, node: cst.Call) -> None:
        for write in writes_in_call(node, self.scope):
            self.check_write(write)

    def check_write(self, write: EnvWrite) -> None:
        raise NotImplementedError
