"""Values that travel inside a module to a sink argument: where an insecure value was written
(a branch's binding, `self.x` set in the class, a `.get()` default, a `**kwargs` dict built
over several statements, taken from the displays a `for` loops over, or kept on the
instance, a call site's argument to a parameter that reaches the sink, through a local and
one more function, the parameter's default, or the cases a test's parametrization gives the
parameter), so the rules report it at its origin and name the sink. Also what a call reaches
on its way: a `functools.partial` of a sink, and a session's verb method kept under another
name in a monkeypatch.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple, cast

import libcst as cst

from corptls_lint.analysis import clients, values
from corptls_lint.analysis.clients import (ScopedValueTest, ValueTest, body_uses, keyword,
                                           option_entries, positional)
from corptls_lint.analysis.scopes import Binding, Scope
from corptls_lint.ftypes import identifier

# `functools.partial(requests.get, verify=False)`: the keywords it binds reach the callable.
_PARTIALS = frozenset({"functools.partial", "functools.partialmethod"})
# Classes whose verb methods take `verify=`, reached as plain functions in a monkeypatch
# (`original = requests.Session.request` ... `original(self, method, url, **kwargs)`).
_VERIFY_METHOD_OWNERS = clients.SESSION_CONSTRUCTORS | {"requests.adapters.HTTPAdapter",
                                                        "requests.HTTPAdapter"}


def partial_target(call: cst.Call, scope: Scope) -> Optional[cst.BaseExpression]:
    """The callable a `functools.partial(f, ...)` call wraps (under any import of it)."""
    if scope.qualify(call.func, aliases=True) not in _PARTIALS:
        return None
    first = positional(call, 0)
    return first.value if first is not None else None


def callee(call: cst.Call, scope: Scope) -> Tuple[cst.BaseExpression, Optional[str]]:
    """What a call calls, and its canonical name, also through a name bound once to the
    callable (`original = requests.Session.request`) or to a `functools.partial(f, ...)`
    (`get = partial(requests.get, timeout=5)` ... `get(url)`), or of a generic class
    subscripted with its type arguments."""
    func, func_scope = values.origin(call.func, scope)
    if isinstance(func, cst.Call) and func is not call.func:
        wrapped = partial_target(func, func_scope)
        if wrapped is not None:
            return wrapped, func_scope.qualify(wrapped, aliases=True)
    func = call.func
    if isinstance(func, cst.Subscript):  # `Session[Response](...)`: the generic class's call
        func = func.value
    return func, scope.qualify(func, aliases=True)


def takes_verify(func: cst.BaseExpression, qualified: Optional[str]) -> bool:
    """Whether `verify=` on a call of `func` means TLS verification: the catalogue's
    takers, a verb method of an unexplained receiver, and a session's or adapter's verb
    method called as a function."""
    if qualified is None:
        return (isinstance(func, cst.Attribute)
                and identifier(func.attr.value) in clients.VERIFY_METHODS)
    if qualified in clients.VERIFY_TAKERS:
        return True
    owner, _, method = qualified.rpartition(".")
    if method == "__init__":  # `original_init = httpx.Client.__init__` in a monkeypatch
        return owner in clients.VERIFY_TAKERS
    return owner in _VERIFY_METHOD_OWNERS and method in clients.VERBS


def travelled_origins(value: cst.BaseExpression, scope: Scope, insecure: ValueTest,
                      scoped: Optional[ScopedValueTest] = None) -> Iterator[cst.BaseExpression]:
    """Where an insecure value that reaches a sink argument was written, when the argument is
    not itself the literal: a name bound several times in the function (one branch binds the
    insecure value), `self.x` set anywhere in the class (or a class attribute default), or
    the default of `options.get("key", default)`. `insecure(expr)` tests a value. With
    `scoped` (the same test in a given scope), also the default of a method's parameter that
    `self.x` is set to (`def __init__(self, verify=False): self.verify = verify`)."""
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
        if owner is not None and scoped is not None:
            yield from _stored_parameter_defaults(owner, name, scoped)
    written.append(values.origin(value, scope)[0])
    # a test's parameter: the values its parametrization gives it
    written.extend(parametrized_values(value, scope))
    for expr in written:
        if expr is not value and insecure(expr):  # the argument itself is the direct case
            yield expr
            continue
        default = _get_default(expr)
        if default is not None and insecure(default):
            yield default


def _stored_parameter_defaults(owner: Scope, name: str, insecure: ScopedValueTest
                               ) -> Iterator[cst.BaseExpression]:
    """The insecure defaults of the parameters that a method of the class stores as `name`
    (`self.verify = verify`): each method's scope answers for its own parameters."""
    from corptls_lint.analysis.scopes import function_scope

    if not isinstance(owner.node, cst.ClassDef) or not isinstance(owner.node.body,
                                                                   cst.IndentedBlock):
        return
    for method in owner.node.body.body:
        params = method.params if isinstance(method, cst.FunctionDef) else None
        if params is None or not any(  # no default, nothing to report: skip the body
                param.default is not None
                for param in (*params.posonly_params, *params.params, *params.kwonly_params)):
            continue
        method_scope = function_scope(cast(cst.FunctionDef, method), owner)
        for stored in clients.body_uses(method_scope, "").bound.get(name, ()):
            if (isinstance(stored, cst.Name) and values.from_parameter_default(stored, method_scope)
                    and insecure(stored, method_scope)):
                yield values.origin(stored, method_scope)[0]


def option_default(expr: cst.BaseExpression, scope: Scope) -> Optional[cst.BaseExpression]:
    """The default a setting falls back to when its option is not given:
    `options.get("cert_reqs", ssl.CERT_NONE)`, also under the builtin `bool(...)`
    (`bool(opts.get("check_hostname", False))`)."""
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name)
            and identifier(expr.func.value) == "bool" and scope.lookup("bool") is None
            and len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star):
        expr = expr.args[0].value
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return _get_default(expr)  # not getattr(): an object's attribute is not an option
    return None


def loop_values(name: str, binding: Binding) -> Iterator[cst.BaseExpression]:
    """The elements of the list or tuple display (or a name bound once to one) that a `for`
    of the binding's scope takes `name` from (`for kw in [{...}, {...}]:`)."""
    from corptls_lint.analysis.cst_walk import children

    stack: List[cst.CSTNode] = [binding.scope.node]
    while stack:
        node = stack.pop()
        if (isinstance(node, cst.For) and isinstance(node.target, cst.Name)
                and identifier(node.target.value) == name):
            displayed = values.origin(node.iter, binding.scope)[0]
            if isinstance(displayed, (cst.List, cst.Tuple)):
                yield from (element.value for element in displayed.elements
                            if not isinstance(element, cst.StarredElement))
        if node is binding.scope.node or not isinstance(
                node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(children(node))


def _get_default(expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The default of `mapping.get("key", default)` (also `getattr(obj, "name", default)`)."""
    if not isinstance(expr, cst.Call) or len(expr.args) != 2 or any(
            arg.keyword is not None or arg.star for arg in expr.args):
        return None
    if (isinstance(expr.func, cst.Attribute) and identifier(expr.func.attr.value) == "get") or (
            isinstance(expr.func, cst.Name) and identifier(expr.func.value) == "getattr"):
        return expr.args[1].value
    return None


def double_star_values(call: cst.Call, key: str, scope: Scope
                       ) -> Iterator[Tuple[cst.CSTNode, cst.BaseExpression]]:
    """(where to report, value) of `key` in a dict passed with `**`: a display
    (`**{"verify": False}`) or a call of the builtin `dict(verify=False)`, written in the
    call (reported at the entry) or bound once to a name (at the `**name` argument)."""
    for anchor, element in clients.double_star_entries(call, key, scope):
        yield anchor, element.value
    for arg in call.args:
        if arg.star != "**" or values.dict_literal(arg.value, scope) is not None:
            continue
        for entry, entry_key, value in option_entries(arg.value, scope):
            if entry_key == key:
                yield (entry if isinstance(arg.value, cst.Call) else arg), value


def splatted_origins(call: cst.Call, key: str, scope: Scope, insecure: ValueTest,
                     single_display: bool = False) -> Iterator[cst.CSTNode]:
    """Where `splatted_values` finds the insecure values (the store, entry or argument)."""
    for where, _ in splatted_values(call, key, scope, insecure, single_display):
        yield where


def splatted_values(call: cst.Call, key: str, scope: Scope, insecure: ValueTest,
                    single_display: bool = False
                    ) -> Iterator[Tuple[cst.CSTNode, cst.BaseExpression]]:
    """Where `key` gets an insecure value in a dict built over several statements and passed
    as `**name`: `name["key"] = value`, `name.update({"key": value})` / `update(key=value)`,
    `name.setdefault("key", value)`,
    or one of several dict displays bound to the name (with `single_display`, also the one
    display of a name bound once), or one of the dict displays a `for` takes the name from.
    An entry whose value is a name follows that name
    (`{"cert_reqs": cert_reqs}` after `cert_reqs = ssl.CERT_NONE` on a branch). As (where to
    report, the insecure value written there)."""
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
                yield target, value
        for update in uses.updates.get(name, ()):
            if clients.callee_name(update) == "setdefault":  # `kw.setdefault("verify", False)`
                set_key, set_value = positional(update, 0), positional(update, 1)
                if (set_key is not None and set_value is not None
                        and values.string_value(set_key.value, scope) == key
                        and insecure(set_value.value)):
                    yield set_value, set_value.value
                continue
            for update_arg in update.args:
                if update_arg.keyword is not None:
                    if identifier(update_arg.keyword.value) == key and insecure(update_arg.value):
                        yield update_arg, update_arg.value
                elif not update_arg.star:
                    for anchor, entry_key, value in option_entries(update_arg.value, scope):
                        if entry_key == key and insecure(value):
                            yield anchor, value
        if binding.count > 1 or single_display:  # else double_star_entries' business
            for bound in uses.bound.get(name, ()):
                for anchor, entry_key, value in option_entries(bound, scope):
                    if entry_key != key:
                        continue
                    if insecure(value):
                        yield anchor, value
                    else:
                        for origin in travelled_origins(value, scope, insecure):
                            yield origin, origin
        for looped in loop_values(name, binding):
            for anchor, entry_key, value in option_entries(looped, scope):
                if entry_key == key and insecure(value):
                    yield anchor, value


def attribute_items(call: cst.Call, key: str, scope: Scope, insecure: ScopedValueTest
                    ) -> Iterator[Tuple[cst.CSTNode, cst.BaseExpression, bool]]:
    """`**self.kw` where a method of the class stores an insecure value under `key`
    (`self.kw["verify"] = verify_https`, `self.kw.update(verify=False)`), as (where to report,
    the value written there, whether it is a parameter default): the store, or the default
    the stored name stands for."""
    from corptls_lint.analysis.scopes import dotted_name, function_scope

    owner = scope.enclosing("class")
    splatted = [name for arg in call.args if arg.star == "**"
                for name in (dotted_name(arg.value),)
                if name is not None and name.startswith("self.") and name.count(".") == 1]
    if owner is None or not splatted or not isinstance(owner.node, cst.ClassDef):
        return
    for method in owner.node.body.body:
        if not isinstance(method, cst.FunctionDef):
            continue
        uses = clients.BodyUses(method)
        if not any(name in uses.items or name in uses.updates for name in splatted):
            continue
        method_scope = function_scope(method, owner)
        stored: List[Tuple[Optional[cst.BaseExpression], cst.BaseExpression, cst.CSTNode]] = [
            (index, value, target) for name in splatted
            for index, value, target in uses.items.get(name, ())]
        stored.extend((None, update_arg.value, update_arg) for name in splatted
                      for update in uses.updates.get(name, ())
                      if clients.callee_name(update) == "update" for update_arg in update.args
                      if update_arg.keyword is not None
                      and identifier(update_arg.keyword.value) == key)
        for index, value, target in stored:
            if index is not None and values.string_value(index, method_scope) != key:
                continue
            if not insecure(value, method_scope):
                continue
            if values.from_parameter_default(value, method_scope):
                default = values.origin(value, method_scope)[0]
                yield default, default, True
            else:
                yield target, value, False


class CallerArguments:
    """Values that travel into a function of the module from its call sites:
    `def fetch(u, verify=True): requests.get(u, verify=verify)` ... `fetch(u, verify=False)`
    or `fetch(u, False)`.

    A rule notes every call it visits (`note_call`) and every sink argument that may be a
    parameter of its function (`note_sink`); after the module, `origins(insecure)` gives the
    call-site arguments with an insecure value, resolved through the scopes: a call by name
    that finds the function's one binding, or `self.name(...)` / `cls.name(...)` inside the
    class that defines the method. The parameter may reach the sink through a local bound
    once (`v = verify` ... `verify=v`), and through one more function of the module whose
    own parameter a call site passes it to (`def fetch(u, verify=True): return _get(u,
    verify=verify)`), or a test's parameter that its parametrization gives the value
    (`@pytest.mark.parametrize("v", [False])` ... `self.fetch(u, v)`: the case). A
    parameter rebound in the function is not followed (the caller's value may not reach the
    sink), nor a call that passes it through `*`/`**`.
    """

    def __init__(self) -> None:
        # the callee's last name -> [(call, its scope), ...]
        self._calls: Dict[str, List[Tuple[cst.Call, Scope]]] = {}
        self._sinks: List[_Sink] = []

    def note_call(self, call: cst.Call, scope: Scope) -> None:
        func = call.func
        if isinstance(func, cst.Name):
            self._calls.setdefault(identifier(func.value), []).append((call, scope))
        elif (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
              and identifier(func.value.value) in ("self", "cls")):
            self._calls.setdefault(identifier(func.attr.value), []).append((call, scope))

    def note_sink(self, value: cst.BaseExpression, scope: Scope, sink: str) -> None:
        found = _sink(value, scope, sink, 0)
        if found is not None:
            self._sinks.append(found)

    def origins(self, insecure: ScopedValueTest, defaults: bool = False
                ) -> Iterator[Tuple[cst.CSTNode, cst.BaseExpression, str, str]]:
        """(where, the value, the function's name, the sink's name) for each call-site
        argument that `insecure(expr, scope)` accepts; with `defaults`, also for each such
        default of a parameter that reaches the sink (`def fetch(url, verify=False)`)."""
        pending = list(self._sinks)
        seen = {(id(sink.function), sink.name) for sink in pending}
        while pending:
            sink = pending.pop(0)
            default = _default(sink.function.params, sink.name) if defaults else None
            if default is not None and insecure(default, sink.scope):
                yield default, default, sink.outer, sink.sink
            for arg, scope in self._arguments(sink):
                if insecure(arg.value, scope):
                    yield arg, arg.value, sink.outer, sink.sink
                    continue
                # a test's parameter passed on: the cases its parametrization gives it
                for case, case_scope in _parametrized_cases(arg.value, scope):
                    if insecure(case, case_scope):
                        yield case, case, sink.outer, sink.sink
                if sink.depth < _MAX_NESTING:
                    # a parameter of the caller passed on: its own call sites may pass False
                    outer = _sink(arg.value, scope, sink.sink, sink.depth + 1)
                    if outer is not None and (id(outer.function), outer.name) not in seen:
                        seen.add((id(outer.function), outer.name))
                        pending.append(outer)

    def _arguments(self, sink: "_Sink") -> Iterator[Tuple[cst.Arg, Scope]]:
        """The arguments the function's call sites pass to the parameter."""
        called = identifier(sink.function.name.value)
        for call, scope in self._calls.get(called, ()):
            through_self = isinstance(call.func, cst.Attribute)
            if through_self:
                owner = scope.enclosing("class")
                if owner is None or owner.names.get(called) is not sink.defined:
                    continue
            elif scope.lookup(called) is not sink.defined:
                continue
            arg = None if sink.index < 0 else keyword(call, sink.name)
            if arg is None:
                position = abs(sink.index) - 1 - (1 if through_self and sink.method else 0)
                arg = positional(call, position) if position >= 0 else None
            if arg is not None:
                yield arg, scope


def _parametrized_cases(value: cst.BaseExpression, scope: Scope
                        ) -> Iterator[Tuple[cst.BaseExpression, Scope]]:
    """The values a test's parametrization gives the parameter `value` is, with the scope
    around the test (where the decorator's cases are written)."""
    binding = scope.lookup(value.value) if isinstance(value, cst.Name) else None
    outer = binding.scope.parent if binding is not None else None
    if outer is None:
        return
    for case in parametrized_values(value, scope):
        yield case, outer


# How many functions a parameter's value may cross on its way to the sink, past the first.
_MAX_NESTING = 1


class _Sink:
    """A parameter of a function of the module that reaches a sink argument."""

    __slots__ = ("defined", "function", "name", "index", "method", "sink", "depth", "outer",
                 "scope")

    def __init__(self, defined: Binding, function: cst.FunctionDef, name: str, index: int,
                 method: bool, sink: str, depth: int, scope: Scope) -> None:
        self.defined = defined  # the function's binding in its parent scope
        self.function = function
        self.name = name  # the parameter
        self.index = index  # _parameter_index's answer
        self.method = method  # called through `self.`, which takes the first parameter
        self.sink = sink  # the sink's name, for messages
        self.depth = depth
        self.outer = identifier(function.name.value)
        self.scope = scope  # the function's own


def _sink(value: cst.BaseExpression, scope: Scope, sink: str, depth: int) -> Optional[_Sink]:
    """The parameter `value` is (directly, or through locals bound once to it), when the
    function's name has one binding so its call sites can be found."""
    binding = None
    for _ in range(_MAX_LOCALS + 1):
        if not isinstance(value, cst.Name):
            return None
        binding = scope.lookup(value.value)
        if (binding is None or binding.count != 1 or binding.qualified is not None
                or binding.scope.kind != "function"
                or not isinstance(binding.scope.node, cst.FunctionDef)):
            return None
        if binding.is_parameter():
            break
        if binding.value is None:
            return None
        value, scope = binding.value, binding.scope  # `v = verify`: follow the local
    else:
        return None
    assert binding is not None and isinstance(value, cst.Name)  # the loop's break
    function = binding.scope.node
    assert isinstance(function, cst.FunctionDef)  # checked in the loop
    name = identifier(value.value)
    index = _parameter_index(function.params, name)
    if index is None:
        return None  # `*args` / `**kwargs`
    parent = binding.scope.parent
    assert parent is not None  # a function's scope always has one
    defined = parent.names.get(identifier(function.name.value))
    if (defined is None or defined.count != 1 or defined.value is not None
            or defined.qualified is not None):
        return None  # the name is bound again: which function a call reaches is unknown
    method = parent.kind == "class" and not any(
        isinstance(d.decorator, cst.Name) and identifier(d.decorator.value) == "staticmethod"
        for d in function.decorators)
    return _Sink(defined, function, name, index, method, sink, depth, binding.scope)


# How many locals bound once (`v = verify`) a parameter may pass through to the sink.
_MAX_LOCALS = 3


def _default(params: cst.Parameters, name: str) -> Optional[cst.BaseExpression]:
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if identifier(param.name.value) == name:
            return param.default
    return None


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


# -- a tuple returned by a function of the module, unpacked by its caller ---------------------
def unpacked_returns(name: cst.Name, scope: Scope
                     ) -> Iterator[Tuple[cst.BaseExpression, Scope]]:
    """`options, auth = get_config()` where `get_config` is a function of the module that
    returns tuple displays (`return options, auth`): the element at the name's place in each,
    with the function's scope (the name bound once, by that unpacking)."""
    from corptls_lint.analysis.scopes import function_scope

    binding = scope.lookup(name.value)
    module = scope.enclosing("module")
    if (binding is None or binding.count != 1 or binding.qualified is not None
            or binding.scope.kind != "function" or module is None):
        return
    local = identifier(name.value)
    for assign in _statements(binding.scope.node, cst.Assign):
        assert isinstance(assign, cst.Assign)  # _statements
        call = assign.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name):
            continue
        callee = identifier(call.func.value)
        for target in assign.targets:
            names = [element.value for element in getattr(target.target, "elements", ())]
            index = next((position for position, element in enumerate(names)
                          if isinstance(element, cst.Name)
                          and identifier(element.value) == local), None)
            function = _module_function(module, callee)
            if (index is None or function is None
                    or binding.scope.lookup(callee) is not module.names.get(callee)):
                continue
            returned_scope = function_scope(function, module)
            for returned in _statements(function, cst.Return):
                assert isinstance(returned, cst.Return)  # _statements
                value = returned.value
                if isinstance(value, cst.Tuple) and len(value.elements) == len(names) and not any(
                        isinstance(element, cst.StarredElement) for element in value.elements):
                    yield value.elements[index].value, returned_scope


def _module_function(module: Scope, name: str) -> Optional[cst.FunctionDef]:
    """The function the module defines once under `name` (at its top level), else None."""
    binding = module.names.get(name)
    if binding is None or binding.count != 1 or binding.value is not None:
        return None
    for statement in getattr(module.node, "body", ()):
        if isinstance(statement, cst.FunctionDef) and identifier(statement.name.value) == name:
            return statement
    return None


def _statements(function: cst.CSTNode, kind: type) -> Iterator[cst.CSTNode]:
    """The nodes of a kind in a function's body, outside the functions and classes it
    defines."""
    from corptls_lint.analysis.cst_walk import children

    stack: List[cst.CSTNode] = list(children(getattr(function, "body", function)))
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            yield node
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(children(node))


# -- an auth plugin's connection parameters ------------------------------------------------
def plugin_connection_params(node: cst.ClassDef, scope: Scope
                             ) -> Iterator[Tuple[cst.CSTNode, str, cst.BaseExpression]]:
    """(where to report, key, value) of the dict that an auth plugin of a client (a subclass
    of a class clients.CONNECTION_PARAMS_PLUGINS names: keystoneauth's BaseAuthPlugin) returns
    from its connection-parameters hook, which the client's session merges into each request
    (`verify`, `cert`): a display or `dict(...)` returned, or the one the class stores as
    `self.x` and the hook returns. `scope`: the class's own."""
    from corptls_lint.analysis.cst_walk import children
    from corptls_lint.analysis.scopes import dotted_name, function_scope

    hooks = {hook for base in node.bases
             for prefix, hook in clients.CONNECTION_PARAMS_PLUGINS.items()
             if (scope.qualify(base.value) or "").startswith(prefix)}
    if not hooks or not isinstance(node.body, cst.IndentedBlock):
        return
    for method in node.body.body:
        if not isinstance(method, cst.FunctionDef) or identifier(method.name.value) not in hooks:
            continue
        method_scope = function_scope(method, scope)
        stack: List[cst.CSTNode] = list(children(method.body))
        while stack:
            statement = stack.pop()
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if not isinstance(statement, cst.Return) or statement.value is None:
                stack.extend(children(statement))
                continue
            returned = statement.value
            name = dotted_name(returned)
            if name is not None and name.startswith("self.") and name.count(".") == 1:
                for stored in body_uses(method_scope, name).bound.get(name, ()):
                    yield from option_entries(stored, method_scope)
            else:
                yield from option_entries(returned, method_scope)


# -- pytest's parametrized arguments ----------------------------------------------------------
_PARAMETRIZE = frozenset({"pytest.mark.parametrize", "_pytest.mark.parametrize"})
_PYTEST_PARAM = frozenset({"pytest.param"})
# the parameterized package: `@parameterized.expand([param("label", verify=False), ...])`
_EXPAND = frozenset({"parameterized.parameterized.expand", "parameterized.expand"})
_PARAM = frozenset({"parameterized.param", "parameterized.parameterized.param"})


def parametrized_values(value: cst.BaseExpression, scope: Scope) -> Iterator[cst.BaseExpression]:
    """The values `@pytest.mark.parametrize("env, expected", [({...}, x), ...])` gives a test
    function's parameter (`value` a name bound by that parameter only): each case's element
    at the parameter's place among the argument names (a `pytest.param(...)` case's
    positional arguments)."""
    if not isinstance(value, cst.Name):
        return
    binding = scope.lookup(value.value)
    if binding is None or binding.count != 1 or not binding.is_parameter():
        return
    function = binding.scope.node
    name = identifier(value.value)
    for decorator in getattr(function, "decorators", ()):
        call = decorator.decorator
        if not isinstance(call, cst.Call) or binding.scope.parent is None:
            continue
        if binding.scope.parent.qualify(call.func) in _EXPAND:
            yield from _expanded_values(call, function, name, binding.scope.parent)
            continue
        yield from (case for each, case in _parametrize_cases(call, binding.scope.parent)
                    if each == name)


def parametrized_cases(function: cst.CSTNode,
                       scope: Scope) -> Iterator[Tuple[str, cst.BaseExpression]]:
    """(parameter, value) of every case the `@pytest.mark.parametrize` decorators of a
    function give it; `scope` is the one around the function (where the decorators run)."""
    for decorator in getattr(function, "decorators", ()):
        call = decorator.decorator
        if isinstance(call, cst.Call):
            # not the cases handed to a fixture (`indirect=True`): the test gets its value
            yield from ((name, case) for name, case in _parametrize_cases(call, scope)
                        if not indirect_to(call, name, scope))


def _parametrize_cases(call: cst.Call,
                       scope: Scope) -> Iterator[Tuple[str, cst.BaseExpression]]:
    """(parameter, value) of each case of a `pytest.mark.parametrize(...)` call: each case's
    element at the parameter's place among the argument names (a `pytest.param(...)` case's
    positional arguments); nothing for another call."""
    parametrized = parametrize_cases(call, scope)
    if parametrized is None:
        return
    names, given = parametrized
    cases = values.origin(given, scope)[0]  # also a name bound once
    if not names or not isinstance(cases, (cst.List, cst.Tuple)):
        return
    for element in cases.elements:
        case: cst.BaseExpression = element.value
        if isinstance(case, cst.Call) and scope.qualify(case.func) in _PYTEST_PARAM:
            items = [arg.value for arg in case.args if arg.keyword is None and not arg.star]
        elif len(names) == 1:
            items = [case]
        elif isinstance(case, (cst.List, cst.Tuple)):
            items = [item.value for item in case.elements]
        else:
            continue
        yield from zip(names, items)


def parametrize_cases(call: cst.Call, scope: Scope
                      ) -> Optional[Tuple[List[str], cst.BaseExpression]]:
    """A `@pytest.mark.parametrize(argnames, argvalues)` decorator's argument names and its
    cases as written (a display, or a name), else None. `scope`: the one around the test."""
    if scope.qualify(call.func) not in _PARAMETRIZE:
        return None
    names_arg, cases_arg = clients.argument(call, 0, "argnames"), clients.argument(
        call, 1, "argvalues")
    if names_arg is None or cases_arg is None:
        return None
    return _argnames(names_arg.value, scope), cases_arg.value


_FIXTURES = frozenset({"pytest.fixture", "_pytest.fixtures.fixture"})


def indirect_values(value: cst.BaseExpression, scope: Scope
                    ) -> Iterator[Tuple[cst.BaseExpression, Scope]]:
    """The values a pytest fixture reads as `request.param` (also through a name bound once
    to it, on either side of `x if cond else y`): the rows of each
    `@pytest.mark.parametrize("fixture", [...], indirect=True)` (or `indirect=["fixture"]`)
    in the module that names the fixture, with the scope they are written in."""
    expr, where = values.origin(value, scope)
    sides = [expr.body, expr.orelse] if isinstance(expr, cst.IfExp) else [expr]
    fixture = None
    for side in sides:
        if (isinstance(side, cst.Attribute) and identifier(side.attr.value) == "param"
                and isinstance(side.value, cst.Name)):
            fixture = _fixture_name(side.value, where)
            if fixture is not None:
                break
    module = scope.enclosing("module")
    if fixture is None or module is None:
        return
    from corptls_lint.analysis.cst_walk import children

    stack: List[cst.CSTNode] = [module.node]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            for decorator in node.decorators:
                call = decorator.decorator
                if (isinstance(call, cst.Call) and module.qualify(call.func) in _PARAMETRIZE
                        and indirect_to(call, fixture, module)):
                    yield from ((case, module) for each, case in _parametrize_cases(call, module)
                                if each == fixture)
        if isinstance(node, (cst.Module, cst.ClassDef, cst.IndentedBlock)):
            stack.extend(children(node))


def _fixture_name(request: cst.Name, scope: Scope) -> Optional[str]:
    """The name of the pytest fixture whose `request` parameter this is (its `name=` if
    given), else None."""
    binding = scope.lookup(request.value)
    if binding is None or not binding.is_parameter() or identifier(request.value) != "request":
        return None
    function = binding.scope.node
    parent = binding.scope.parent
    if not isinstance(function, cst.FunctionDef) or parent is None:
        return None
    for decorator in function.decorators:
        marker = decorator.decorator
        call = marker if isinstance(marker, cst.Call) else None
        if parent.qualify(call.func if call is not None else marker) not in _FIXTURES:
            continue
        named = keyword(call, "name") if call is not None else None
        text = values.string_value(named.value, parent) if named is not None else None
        return text if text is not None else identifier(function.name.value)
    return None


def indirect_to(call: cst.Call, fixture: str, scope: Scope) -> bool:
    """Whether a parametrize call hands its rows for `fixture` to the fixture: `indirect=True`
    or a list or tuple of argument names holding it."""
    indirect = keyword(call, "indirect")
    if indirect is None:
        return False
    if isinstance(indirect.value, (cst.List, cst.Tuple)):
        return fixture in [values.string_value(element.value, scope)
                           for element in indirect.value.elements]
    return values.literal(indirect.value, scope) is True


def _expanded_values(call: cst.Call, function: cst.CSTNode, name: str,
                     scope: Scope) -> Iterator[cst.BaseExpression]:
    """The values `parameterized.expand(cases)` gives the parameter `name`: a `param(...)`
    case's keyword of that name or its positional argument at the parameter's place (after
    self), a tuple case's element there."""
    cases = positional(call, 0)
    params = getattr(function, "params", None)
    if cases is None or not isinstance(cases.value, (cst.List, cst.Tuple)) or not isinstance(
            params, cst.Parameters):
        return
    names = [identifier(param.name.value) for param in (*params.posonly_params, *params.params)]
    if names[:1] in (["self"], ["cls"]):
        names = names[1:]
    index = names.index(name) if name in names else None
    for element in cases.value.elements:
        case = element.value
        if isinstance(case, cst.Call) and scope.qualify(case.func) in _PARAM:
            given = keyword(case, name)
            if given is not None:
                yield given.value
                continue
            found = positional(case, index) if index is not None else None
            if found is not None and not found.star:
                yield found.value
        elif isinstance(case, (cst.List, cst.Tuple)) and index is not None and index < len(
                case.elements):
            yield case.elements[index].value


def _argnames(expr: cst.BaseExpression, scope: Scope) -> List[str]:
    """parametrize's argument names: "a, b" or a list or tuple of strings."""
    text = values.string_value(expr, scope)
    if text is not None:
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [item for item in (values.string_value(element.value, scope)
                                  for element in expr.elements) if item is not None]
    return []


# -- calls made on a test's behalf ------------------------------------------------------------
# unittest's assertions that call `callable(*args, **kwargs)` after the exception (and, for the
# Regex ones, the pattern); pytest.raises/warns in their old call form.
_CALLING_ASSERTIONS = {"assertRaises": 1, "assertWarns": 1, "assertRaisesRegex": 2,
                       "assertRaisesRegexp": 2, "assertWarnsRegex": 2}
_CALLING_HELPERS = {"pytest.raises": 1, "pytest.warns": 1}


def forwarded_call(call: cst.Call, scope: Scope) -> Optional[cst.Call]:
    """The call `self.assertRaises(E, app.run_forever, sslopt={...})` makes on the test's
    behalf, `app.run_forever(sslopt={...})` (a new node over the same arguments), or None."""
    index: Optional[int] = None
    if isinstance(call.func, cst.Attribute):
        index = _CALLING_ASSERTIONS.get(identifier(call.func.attr.value))
    if index is None:
        index = _CALLING_HELPERS.get(scope.qualify(call.func) or "")
    if index is None:
        return None
    target = positional(call, index)
    if target is None or target.keyword is not None:
        return None
    rest = [arg for arg in call.args[call.args.index(target) + 1:]]
    return cst.Call(func=target.value, args=rest)


# -- tables read by key -----------------------------------------------------------------------
def table_values(read: cst.BaseExpression, scope: Scope
                 ) -> Iterator[Tuple[str, cst.BaseExpression]]:
    """(table, value) of what `table["key"]` or `self.attr["key"]` reads from the module's
    own tables: the values its top-level statements store under that key (`TABLE["key"] =
    value`; not a display's entries, which TLS501 reports as a table of choices where they
    are written). `self.attr` is each module table that
    the class around, or a class of the module that names it as a base, binds to `attr`
    (a test base's per-subclass settings: `certs = TLSv1_CERTS` in `class TestTLSv1(Base)`)."""
    from corptls_lint.analysis.scopes import dotted_name

    if not (isinstance(read, cst.Subscript) and len(read.slice) == 1
            and isinstance(read.slice[0].slice, cst.Index)):
        return
    key = values.string_value(read.slice[0].slice.value, scope)
    module = scope
    while module.parent is not None:
        module = module.parent
    if key is None or not isinstance(module.node, cst.Module):
        return
    name = dotted_name(read.value)
    tables: List[str] = []
    if isinstance(read.value, cst.Name):
        binding = scope.lookup(read.value.value)
        if binding is not None and binding.scope is module:
            tables.append(identifier(read.value.value))
    elif name is not None and name.startswith("self.") and name.count(".") == 1:
        owner = scope.enclosing("class")
        if owner is not None and isinstance(owner.node, cst.ClassDef):
            tables.extend(_class_tables(module.node, owner.node, name[len("self."):]))
    for table in tables:
        binding = module.names.get(table)
        if binding is None or binding.qualified is not None:
            continue
        for statement in module.node.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and _item_of(
                        small.targets[0].target, table, key, module):
                    yield table, small.value


def _item_of(target: cst.BaseExpression, table: str, key: str, scope: Scope) -> bool:
    """Whether an assignment target is `table["key"]`."""
    return (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
            and identifier(target.value.value) == table and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and values.string_value(target.slice[0].slice.value, scope) == key)


def _class_tables(module: cst.Module, owner: cst.ClassDef, attribute: str) -> Iterator[str]:
    """The names the class, and the module's classes that name it as a base, bind to
    `attribute` in their bodies (`certs = TLSv1_CERTS`)."""
    base = identifier(owner.name.value)
    for statement in module.body:
        if not isinstance(statement, cst.ClassDef) or not (statement is owner or any(
                isinstance(arg.value, cst.Name) and identifier(arg.value.value) == base
                for arg in statement.bases)):
            continue
        body = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
        for line in body:
            for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                target = (small.targets[0].target if isinstance(small, cst.Assign)
                          and len(small.targets) == 1 else small.target
                          if isinstance(small, cst.AnnAssign) else None)
                value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                if (isinstance(target, cst.Name) and identifier(target.value) == attribute
                        and isinstance(value, cst.Name)):
                    yield identifier(value.value)
