"""Values that travel inside a module to a sink argument: where an insecure value was written
(a branch's binding, `self.x` set in the class, a `.get()` default, a `**kwargs` dict built
over several statements, a call site's argument to a parameter that reaches the sink), so the
rules report it at its origin and name the sink.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from corptls_lint.analysis import values
from corptls_lint.analysis.clients import (ScopedValueTest, ValueTest, body_uses, keyword,
                                           option_entries, positional)
from corptls_lint.analysis.scopes import Binding, Scope
from corptls_lint.ftypes import identifier


def travelled_origins(value: cst.BaseExpression, scope: Scope,
                      insecure: ValueTest) -> Iterator[cst.BaseExpression]:
    """Where an insecure value that reaches a sink argument was written, when the argument is
    not itself the literal: a name bound several times in the function (one branch binds the
    insecure value), `self.x` set anywhere in the class (or a class attribute default), or
    the default of `options.get("key", default)`. `insecure(expr)` tests a value."""
    from corptls_lint.analysis.scopes import dotted_name

    name = dotted_name(value)
    written: List[cst.BaseExpression] = []
    if isinstance(value, cst.Name):
        binding = scope.lookup(value.value)
        if binding is not None and binding.count > 1 and binding.qualified is None:
            local = identifier(value.value)
            uses = body_uses(binding.scope, local)
            # a rebinding in sequence (`V = False` then `V = True`) is not a value that travels:
            # only a branch's binding, or the last one
            written = [v for v in uses.bound.get(local, ())
                       if id(v) in uses.conditional or v is binding.value]
    elif name is not None and name.split(".", 1)[0] == "self" and name.count(".") == 1:
        uses = body_uses(scope, name)
        written = list(uses.bound.get(name, ()))
        owner = scope.enclosing("class")
        attribute = name.split(".", 1)[1]
        if owner is not None and attribute in owner.names:
            written.extend(uses.bound.get(attribute, ()))
    written.append(values.origin(value, scope)[0])
    for expr in written:
        if expr is not value and insecure(expr):  # the argument itself is the direct case
            yield expr
            continue
        default = _get_default(expr)
        if default is not None and insecure(default):
            yield default


def _get_default(expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The default of `mapping.get("key", default)` (also `getattr(obj, "name", default)`)."""
    if not isinstance(expr, cst.Call) or len(expr.args) != 2 or any(
            arg.keyword is not None or arg.star for arg in expr.args):
        return None
    if (isinstance(expr.func, cst.Attribute) and identifier(expr.func.attr.value) == "get") or (
            isinstance(expr.func, cst.Name) and identifier(expr.func.value) == "getattr"):
        return expr.args[1].value
    return None


def splatted_origins(call: cst.Call, key: str, scope: Scope, insecure: ValueTest,
                     single_display: bool = False) -> Iterator[cst.CSTNode]:
    """Where `key` gets an insecure value in a dict built over several statements and passed
    as `**name`: `name["key"] = value`, `name.update({"key": value})` / `update(key=value)`,
    or one of several dict displays bound to the name (with `single_display`, also the one
    display of a name bound once). An entry whose value is a name follows that name
    (`{"cert_reqs": cert_reqs}` after `cert_reqs = ssl.CERT_NONE` on a branch)."""
    for arg in call.args:
        if arg.star != "**" or not isinstance(arg.value, cst.Name):
            continue
        name = identifier(arg.value.value)
        binding = scope.lookup(name)
        if binding is None or binding.qualified is not None:
            continue
        uses = body_uses(binding.scope, name)
        for index, value, target in uses.items.get(name, ()):
            if values.string_value(index, scope) == key and insecure(value):
                yield target
        for update in uses.updates.get(name, ()):
            for update_arg in update.args:
                if update_arg.keyword is not None:
                    if identifier(update_arg.keyword.value) == key and insecure(update_arg.value):
                        yield update_arg
                elif not update_arg.star:
                    for anchor, entry_key, value in option_entries(update_arg.value, scope):
                        if entry_key == key and insecure(value):
                            yield anchor
        if binding.count > 1 or single_display:  # else double_star_entries' business
            for bound in uses.bound.get(name, ()):
                for anchor, entry_key, value in option_entries(bound, scope):
                    if entry_key != key:
                        continue
                    if insecure(value):
                        yield anchor
                    else:
                        yield from travelled_origins(value, scope, insecure)


class CallerArguments:
    """Values that travel into a function of the module from its call sites:
    `def fetch(u, verify=True): requests.get(u, verify=verify)` ... `fetch(u, verify=False)`
    or `fetch(u, False)`.

    A rule notes every call it visits (`note_call`) and every sink argument that may be a
    parameter of its function (`note_sink`); after the module, `origins(insecure)` gives the
    call-site arguments with an insecure value, resolved through the scopes: a call by name
    that finds the function's one binding, or `self.name(...)` / `cls.name(...)` inside the
    class that defines the method. A parameter rebound in the function is not followed (the
    caller's value may not reach the sink), nor a call that passes it through `*`/`**`.
    """

    def __init__(self) -> None:
        # the callee's last name -> [(call, its scope), ...]
        self._calls: Dict[str, List[Tuple[cst.Call, Scope]]] = {}
        # (the function's binding, the function, parameter, positional index, is a method,
        # the sink's name)
        self._sinks: List[Tuple[Binding, cst.FunctionDef, str, int, bool, str]] = []

    def note_call(self, call: cst.Call, scope: Scope) -> None:
        func = call.func
        if isinstance(func, cst.Name):
            self._calls.setdefault(identifier(func.value), []).append((call, scope))
        elif (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
              and identifier(func.value.value) in ("self", "cls")):
            self._calls.setdefault(identifier(func.attr.value), []).append((call, scope))

    def note_sink(self, value: cst.BaseExpression, scope: Scope, sink: str) -> None:
        if not isinstance(value, cst.Name):
            return
        binding = scope.lookup(value.value)
        if (binding is None or binding.count != 1 or binding.qualified is not None
                or binding.scope.kind != "function"
                or not isinstance(binding.scope.node, cst.FunctionDef)):
            return
        function = binding.scope.node
        name = identifier(value.value)
        index = _parameter_index(function.params, name)
        if index is None:
            return  # bound in the body, not a parameter
        parent = binding.scope.parent
        assert parent is not None  # a function's scope always has one
        defined = parent.names.get(identifier(function.name.value))
        if (defined is None or defined.count != 1 or defined.value is not None
                or defined.qualified is not None):
            return  # the name is bound again: which function a call reaches is unknown
        method = parent.kind == "class" and not any(
            isinstance(d.decorator, cst.Name) and identifier(d.decorator.value) == "staticmethod"
            for d in function.decorators)
        self._sinks.append((defined, function, name, index, method, sink))

    def origins(self, insecure: ScopedValueTest) -> Iterator[Tuple[cst.Arg, str, str]]:
        """(the call-site argument, the function's name, the sink's name) for each argument
        that `insecure(expr, scope)` accepts."""
        for defined, function, name, index, method, sink in self._sinks:
            called = identifier(function.name.value)
            for call, scope in self._calls.get(called, ()):
                through_self = isinstance(call.func, cst.Attribute)
                if through_self:
                    owner = scope.enclosing("class")
                    if owner is None or owner.names.get(called) is not defined:
                        continue
                elif scope.lookup(called) is not defined:
                    continue
                arg = None if index < 0 else keyword(call, name)
                if arg is None:
                    position = abs(index) - 1 - (1 if through_self and method else 0)
                    arg = positional(call, position) if position >= 0 else None
                if arg is not None and insecure(arg.value, scope):
                    yield arg, called, sink


def _parameter_index(params: cst.Parameters, name: str) -> Optional[int]:
    """How a parameter is passed: 1 + its position when by position or keyword, minus that
    for a positional-only one, 0 for a keyword-only one; None for no such parameter."""
    for position, param in enumerate(params.posonly_params):
        if identifier(param.name.value) == name:
            return -(position + 1)
    for position, param in enumerate(params.params, len(params.posonly_params)):
        if identifier(param.name.value) == name:
            return position + 1
    if any(identifier(param.name.value) == name for param in params.kwonly_params):
        return 0
    return None
