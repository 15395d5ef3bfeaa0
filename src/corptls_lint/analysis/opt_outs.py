"""A library carrying out the opt-out its caller chose: where an insecure value is decided by
an option of the caller, so the rules report the caller's choice (a falsy default, a call
passing False) and not the library's implementation of it.

An insecure value or write (a reported node) is the caller's choice when, inside the function
that holds it:

- a branch holds it (`if not verify:`, `else:` of `if self.verify_ssl:`, either side of
  `x if cond else y`) whose test reads a caller option; or
- it is assigned or passed as `x if cond else y` with such a test, or looked up in a table
  keyed by one (`CERT_REQS[cert_reqs]`, `table.get(ssl_version)`; an insecure fallback,
  `table.get(option, ssl.CERT_NONE)`, is the library's own default and stays reported).

A caller option is a parameter of the function or of one around it (`self` and `cls` too, so
`self.verify` and `configuration.verify_ssl`), a local bound from one (`ssl_verify =
coerce_bool(verify)`), or an options mapping read (`options.get("verify")`,
`conf["insecure"]`, `getattr(conf, "verify")`). Not options: a name bound at module level
(`VERIFY = False` ... `if not VERIFY:`), a class attribute or a `self.x` the function sets to
a literal, and the environment (`os.environ.get("INSECURE")`, `os.getenv(...)`), which is a
switch of its own that whoever runs the process sets: a value under such a test alone stays
reported.

Then the caller's choice is where to report, if anywhere (`placement`):
- a parameter passed straight on (`ssl_check_hostname=ssl_check_hostname`, `self.x = x`)
  whose default is the insecure value: the default;
- a branch that the parameters' defaults take (`def f(verify=False): if not verify: ...`):
  the default of the parameter its test reads;
- otherwise nothing: the caller that passes the insecure value is reported where it does
  (the travel rules follow call sites; TLS105 reports wrapper flags at any caller).
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterator, List, Optional, Set, Tuple, Union

import libcst as cst

from corptls_lint.analysis import clients, scopes, values
from corptls_lint.analysis.cst_walk import children
from corptls_lint.analysis.scopes import Binding, Scope, target_names
from corptls_lint.ftypes import identifier
from corptls_lint.screens.shapes import CallTo

# The rule pages' paragraph on what is not reported (Rule.documentation appends it to "What
# it does" for the rules with `caller_opt_outs`).
DOCUMENTATION = """\
A library carrying out the opt-out its caller chose is not reported where it does so: a
value or statement on the branch of the innermost `if` (or `x if cond else y`) whose test
reads the caller's TLS option, or looked up in a table keyed by it (`CERT_REQS[cert_reqs]`).
The caller's option is a parameter of the function or one attribute of it (`verify`,
`conf.verify_ssl`), `self.verify_ssl`, a local bound from one (`ssl_verify =
coerce_bool(verify)`) or an options mapping read (`options.get("insecure")`), where a name
on the way says TLS trust (a word such as verify, valid, insecure, cert, trust, hostname,
ca, sslmode; not `ssl` or `tls` alone: `if ssl:` switches TLS on, and a library that then
skips verification chose that itself). The caller that passes the insecure value is
reported where it does. When the parameter's own default takes that branch (`def
connect(verify=False): if not verify: ...`), or a parameter is passed straight on
(`ctx.check_hostname = check_hostname`, `{"ssl_check_hostname": ssl_check_hostname}`)
with an insecure default, the finding is reported once, at that default (a wrapper flag's
default, such as `verify_ssl=False`, is TLS105's finding). A reported default is the default
of the module's outer APIs too: a function or method that passes its own parameter straight
on as that one, with the same default (`def __init__(self, verify=False): self.handler =
handler(verify=verify)`), is reported at its default as well.

Still reported: a test of a module constant or of a class attribute bound to a literal
(`VERIFY = False` ... `if not VERIFY:`); a test of the environment (`if
os.environ.get("INSECURE"):`: whoever runs the process can flip that switch, so the code
that reads it is where verification goes off); a test that reads no TLS option (`if host ==
"localhost":`), or an `or` one of whose alternatives reads none; the `else:` of an `and`
that checks the option's type (`if isinstance(ssl, SSLContext) and ssl.check_hostname:` is
false for `ssl=True` too, where the library picks the value); the branch taken when the
caller gave no CA bundle (`if self.ca_file: ... else: cert_reqs=ssl.CERT_NONE`): a caller
who gave none chose the system's trust store, not no verification (a parameter's default
that takes the branch, `def fetch(url, ca=None)`, is reported instead); a fallback that sets the
option itself (`if not ssl_options: ssl_options = {"cert_reqs": CERT_NONE}`) or a table
lookup's insecure fallback (`CERT_MAP.get(ssl_cert, ssl.CERT_NONE)`); a client certificate's
switch (`if not use_client_cert:`), which is the client's identity, not its trust; and an
insecure value written in another function than the test (a travelled origin). And a
command-line option of the module's own argparse parser read from the parsed arguments
(`parser.add_argument("--no-verify", ...)` ... `def main(args): if args.no_verify:`): the
program's user turns verification off there, and no caller is left to report."""
# How many locals bound from locals a test is followed through to a caller option.
_MAX_LOCALS = 3
# `mapping.get("key")` and friends: an options mapping read (or copied) by the library.
_MAPPING_READS = frozenset({"get", "pop", "copy"})
# Builtins that probe an object's API rather than read its setting.
_PROBES = frozenset({"hasattr", "callable"})
# The words of a name that says it is about TLS trust (`tls_named`). Not `ssl` or `tls`
# alone: `if ssl:` and `self.ssl_context is None` switch TLS on or pick a context, and a
# library that then skips verification chose that itself (rq's `ssl=True` tests, tortoise's
# `ssl=True` that maps to sslmode=require, pan-python's unverified context without one).
_TLS_STEMS = ("verif", "valid", "insecure", "secure", "unsafe", "cert", "trust", "hostname")
_TLS_WORDS = frozenset({"ca", "cafile", "capath", "cacert", "sslmode", "tlsmode"})
# The environment: a switch of its own, never a caller's option.
_ENVIRONMENT = frozenset({"os.environ", "os.getenv", "os.environ.get", "os.environb",
                          "os.getenvb"})


class Chosen:
    """The caller's choice: not reported where it was found."""

    __slots__ = ("default", "parameter")

    def __init__(self, default: Optional[cst.BaseExpression] = None,
                 parameter: str = "") -> None:
        self.default = default  # the insecure default to report instead, if any
        self.parameter = parameter


# A branch around the node: its test, and whether the node is on its true side.
_Branch = Tuple["cst.BaseExpression", bool]  # (a string: libcst may load late)


def placement(node: cst.CSTNode, scope: Scope) -> Optional[Chosen]:
    """None when `node` (reported in `scope`) is no opt-out implementation and stays where it
    is; else the caller's choice, with the default to report instead when there is one."""
    located = _locate(node, scope)
    if located is None:
        return None
    path, scope = located
    value = _assigned_value(path)
    if value is not None:
        passed = _passed_parameter(value, scope)
        if passed is not None:
            return passed
    if isinstance(value, cst.IfExp):
        chosen = _conditional_value(value, scope)
        if chosen is not None:
            return chosen
    if any(_keyed_lookup(ancestor, child, scope) for ancestor, child in zip(path, path[1:])):
        return Chosen()
    if value is not None and _keyed_lookup_value(value, scope):
        return Chosen()
    # the innermost branch is what picks the insecure value; the ones around it only gate
    # it (`elif ssl_option:` ... `if ssl_option == "noverify":` reads no TLS option)
    branches = _branches(path)[:1]
    written = _written_names(path)
    deciding = [(test, side) for test, side in branches
                if _decides(test, side, scope) and not _reads_any(test, written)]
    if not deciding:
        return None
    default, parameter = _taken_by_default(deciding, scope)
    if default is None and all(_without_bundle(test, side) for test, side in deciding):
        return None  # no CA bundle given, and no default of the caller's to report instead
    return Chosen(default, parameter)


def forwarded_defaults(chosen: Chosen, scope: Scope
                       ) -> Iterator[Tuple[cst.BaseExpression, str, str]]:
    """(default, parameter, the function's name) of each parameter of another function of
    the module that is passed straight on, as the chosen parameter, to the function whose
    insecure default was chosen, with the same default: `def __init__(self, verify=False): self.handler =
    handler(verify=verify)` makes the outer API's default as insecure as `handler`'s."""
    binding = scope.lookup(chosen.parameter) if chosen.parameter else None
    if binding is None or chosen.default is None or not binding.is_parameter():
        return
    function, parent = binding.scope.node, binding.scope.parent
    module = scope.enclosing("module")
    if not isinstance(function, cst.FunctionDef) or parent is None or module is None:
        return
    name = identifier(function.name.value)
    defined = parent.names.get(name)
    position = _position(function.params, chosen.parameter)
    value = values.literal(chosen.default, binding.scope)
    if defined is None or defined.count != 1 or value is values.UNKNOWN:
        return
    # the functions and methods of the module (one class deep), with the scope around each
    outers: List[Tuple[cst.FunctionDef, Scope]] = []
    for statement in getattr(module.node, "body", ()):
        if isinstance(statement, cst.FunctionDef):
            outers.append((statement, module))
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body,
                                                                cst.IndentedBlock):
            owner: Optional[Scope] = None
            for method in statement.body.body:
                if isinstance(method, cst.FunctionDef):
                    owner = owner or scopes.class_scope(statement, module)
                    outers.append((method, owner))
    for outer, around in outers:
        if outer is function or not _calls_by_name(outer, name):
            continue
        outer_scope = scopes.function_scope(outer, around)
        if outer_scope.lookup(name) is not defined:
            continue  # the name means another function there
        for call in _calls_by_name(outer, name):
            arg = clients.keyword(call, chosen.parameter)
            if arg is None and position is not None:
                arg = clients.positional(call, position)
            if arg is None or not isinstance(arg.value, cst.Name):
                continue
            passed = _parameter(arg.value, outer_scope)
            if (passed is not None and passed.value is not None and passed.scope is outer_scope
                    and values.literal(passed.value, outer_scope) == value):
                yield passed.value, identifier(arg.value.value), name


def _position(params: cst.Parameters, name: str) -> Optional[int]:
    """The index a parameter takes when passed by position, else None."""
    for index, param in enumerate((*params.posonly_params, *params.params)):
        if identifier(param.name.value) == name:
            return index
    return None


def _calls_by_name(function: cst.FunctionDef, name: str) -> List[cst.Call]:
    """The calls `name(...)` in a function's body."""
    found: List[cst.Call] = []
    stack: List[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
                and identifier(node.func.value) == name):
            found.append(node)
        stack.extend(children(node))
    return found


def reads_option(test: cst.BaseExpression, scope: Scope, depth: int = 0,
                 named: bool = False) -> bool:
    """Whether an expression reads a caller's TLS option (see the module's docstring): a
    parameter or one attribute of one (`verify`, `conf.verify_ssl`, `self.verify`), a local
    bound from one, a mapping read or copy of one (`opts.get("insecure")`, `conf["ca"]`,
    `getattr(conf, "verify")`), and tests and conversions of these (`not`, comparisons,
    `coerce_bool(verify)`, `SSLMode.parse(mode)`, `self.verify_certificate()`), where one of
    the names on the way names TLS trust (`tls_named`: `verify_certs`, `ssl_verify`, `ca`,
    `sslmode`, `insecure`; not `unix_socket`, `host`). Not the object a method is called on
    with arguments (`parser.parse_args(argv)`, `self.client(...)`): what such a call returns
    is the callee's, not the caller's; nor `hasattr(...)`, which probes an API."""
    if isinstance(test, cst.Name):
        return _name_is_option(test, scope, depth, named)
    if isinstance(test, cst.Attribute):
        named = named or tls_named(identifier(test.attr.value))
        if isinstance(test.value, cst.Name) and identifier(test.value.value) in ("self", "cls"):
            return named and _self_attribute_option(test, scope)
        # `conf.verify`: one attribute of a parameter; deeper chains are other objects' state.
        # Not one of the module's own command-line options (`args.no_verify` of its
        # `parser.add_argument("--no-verify")`): the program's user chose it, no caller.
        return (isinstance(test.value, cst.Name)
                and reads_option(test.value, scope, depth, named)
                and identifier(test.attr.value) not in command_line_options(scope))
    if isinstance(test, (cst.Call, cst.Subscript)):
        return _read_of_option(test, scope, depth, named)
    if isinstance(test, cst.UnaryOperation):
        return reads_option(test.expression, scope, depth, named)
    if isinstance(test, cst.BooleanOperation):
        return (reads_option(test.left, scope, depth, named)
                or reads_option(test.right, scope, depth, named))
    if isinstance(test, cst.Comparison):
        return reads_option(test.left, scope, depth, named) or any(
            reads_option(target.comparator, scope, depth, named) for target in test.comparisons)
    if isinstance(test, cst.IfExp):
        return any(reads_option(part, scope, depth, named)
                   for part in (test.test, test.body, test.orelse))
    if isinstance(test, cst.NamedExpr):
        return reads_option(test.value, scope, depth, named)
    return False


def tls_named(name: str) -> bool:
    """Whether an identifier or a key names TLS trust: one of its words (snake_case,
    camelCase, dotted) is one of _TLS_WORDS or starts with one of _TLS_STEMS."""
    words = [word for word in re.split(r"[^a-z0-9]+", re.sub(
        r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if word]
    # a client certificate (`use_client_cert`) is the client's own identity, not its trust
    # of the server: a fixture that turns verification off without one chose that itself
    return any((word in _TLS_WORDS or word.startswith(_TLS_STEMS))
               and not (word.startswith("cert") and words[index - 1:index] == ["client"])
               for index, word in enumerate(words))


# -- the path from the function to the node ---------------------------------------------------

def _locate(node: cst.CSTNode, scope: Scope) -> Optional[Tuple[List[cst.CSTNode], Scope]]:
    """The path from the innermost function (not a lambda) around `node` down to it, and that
    function's scope; None at module or class level. A report made after the walk (at the
    module's end) is found from the module, and the scopes on its way are built again."""
    function = scope.enclosing("function")
    while function is not None and isinstance(function.node, cst.Lambda):
        function = function.parent.enclosing("function") if function.parent else None
    if function is not None:
        path = _path(function.node, node)
        if path is not None:
            return path, function
    module = scope.enclosing("module")
    if module is None:
        return None
    path = _path(module.node, node)
    if path is None:
        return None
    inner: Optional[Tuple[int, Scope]] = None
    current = module
    for index, step in enumerate(path):
        if isinstance(step, cst.ClassDef):
            current = scopes.class_scope(step, current)
        elif isinstance(step, (cst.FunctionDef, cst.Lambda)):
            current = scopes.function_scope(step, current)
            if isinstance(step, cst.FunctionDef):
                inner = (index, current)
    if inner is None:
        return None
    return path[inner[0] + 1:], inner[1]


def _path(root: cst.CSTNode, node: cst.CSTNode) -> Optional[List[cst.CSTNode]]:
    """The nodes below `root` down to `node` (included), or None when `node` is not inside
    it: a walk that stops where it finds the node (only for reported nodes)."""
    stack = [iter(children(root))]
    path: List[cst.CSTNode] = []
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if path:
                path.pop()
            continue
        if child is node:
            path.append(child)
            return path
        path.append(child)
        stack.append(iter(children(child)))
    return None


def _branches(path: List[cst.CSTNode]) -> List[_Branch]:
    """The tests of the `if`s and conditional expressions whose branches hold the node,
    innermost first (`elif`: the node is on the false side of the `if` above it too)."""
    found: List[_Branch] = []
    for parent, child in zip(path, path[1:]):
        if isinstance(parent, (cst.If, cst.IfExp)) and child is not parent.test:
            found.append((parent.test, child is parent.body))
    found.reverse()
    return found


def _decides(test: cst.BaseExpression, side: bool, scope: Scope) -> bool:
    """Whether the caller's option decides that this side of the test is taken: the test
    reads one, and on the true side of an `or` every alternative does (`if disable or host
    in LOCAL:`: for a local host the library turns verification off by itself). On the false
    side of an `and` that also checks the option's type (`if isinstance(ssl, SSLContext) and
    ssl.check_hostname: ... else:`), the library decides for a caller who passed another
    kind of value (`ssl=True`)."""
    if side and isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _decides(test.left, side, scope) and _decides(test.right, side, scope)
    if not side and any(_checks_type(part, scope) for part in _conjuncts(test)):
        return False
    return reads_option(test, scope)


_BUNDLE_WORDS = frozenset({"ca", "cafile", "capath", "cacert", "cacerts"})


def _without_bundle(test: cst.BaseExpression, side: bool) -> bool:
    """Whether this side of the test is taken when the caller gave no CA bundle (`if
    self.ca_file: ... else:`, `if not cafile:`, `if ca_certs is None:`): a caller who gave
    none chose the system's trust store, not no verification; the library chose that."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _without_bundle(test.expression, not side)
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == "None"):
        operator = test.comparisons[0].operator
        if isinstance(operator, cst.Is):
            return _without_bundle(test.left, not side)
        if isinstance(operator, cst.IsNot):
            return _without_bundle(test.left, side)
        return False
    name = (identifier(test.attr.value) if isinstance(test, cst.Attribute)
            else identifier(test.value) if isinstance(test, cst.Name) else None)
    if name is None or side:
        return False
    words = [word for word in re.split(r"[^a-z0-9]+", re.sub(
        r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if word]
    return bool(_BUNDLE_WORDS.intersection(words))


def _conjuncts(test: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return [*_conjuncts(test.left), *_conjuncts(test.right)]
    return [test]


def _checks_type(test: cst.BaseExpression, scope: Scope) -> bool:
    """`isinstance(x, T)` in an `and`, reading no TLS option (a type dispatch)."""
    return (isinstance(test, cst.Call) and isinstance(test.func, cst.Name)
            and identifier(test.func.value) == "isinstance"
            and scope.lookup("isinstance") is None and not reads_option(test, scope))


def _written_names(path: List[cst.CSTNode]) -> Set[str]:
    """The plain names the assignment around the node binds (`ssl = {"cert_reqs": NONE}`)."""
    for node in reversed(path):
        if isinstance(node, cst.Assign):
            return {name for target in node.targets for name in target_names(target.target)}
        if isinstance(node, cst.BaseStatement):
            break
    return set()


def _reads_any(test: cst.BaseExpression, names: Set[str]) -> bool:
    """Whether the test reads one of these names: `if not ssl: ssl = {...CERT_NONE}` is the
    library's own fallback for a caller who chose nothing, not the caller's choice."""
    if not names:
        return False
    stack: List[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and identifier(node.value) in names:
            return True
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        stack.extend(children(node))
    return False


def _assigned_value(path: List[cst.CSTNode]) -> Optional[cst.BaseExpression]:
    """The value the node stands for: an argument's or a dict entry's value, what an
    assignment target is given, or the node itself when it is an expression."""
    node = path[-1]
    if isinstance(node, (cst.Arg, cst.DictElement)):
        return node.value
    if len(path) >= 3 and isinstance(path[-2], cst.AssignTarget) and isinstance(
            path[-3], cst.Assign):
        return path[-3].value
    return node if isinstance(node, cst.BaseExpression) else None


# -- passthrough, conditional values, tables -------------------------------------------------

def _parameter(name: cst.Name, scope: Scope) -> Optional[Binding]:
    """The binding of a parameter never rebound in its function, else None."""
    binding = scope.lookup(name.value)
    if (binding is None or binding.count != 1 or binding.qualified is not None
            or not binding.is_parameter()):
        return None
    return binding


def _passed_parameter(value: cst.BaseExpression, scope: Scope) -> Optional[Chosen]:
    """A parameter passed straight on whose default the rule found insecure: reported at the
    default (a parameter without one takes no insecure value of its own)."""
    if not isinstance(value, cst.Name):
        return None
    binding = _parameter(value, scope)
    if binding is None or binding.value is None:
        return None
    return Chosen(binding.value, identifier(value.value))


def _conditional_value(value: cst.IfExp, scope: Scope) -> Optional[Chosen]:
    """`CERT_REQUIRED if verify else CERT_NONE` decided by a caller option: at the default
    when the defaults pick an insecure side (falsy, CERT_NONE), else not reported."""
    if not reads_option(value.test, scope):
        return None
    taken = _truth(value.test, scope)
    if taken is None:
        return Chosen()
    side = value.body if taken else value.orelse
    if values.is_falsy(side, scope) or clients.is_cert_none(side, scope):
        default, name = _first_default(value.test, scope)
        return Chosen(default, name)
    return Chosen()


def _keyed_lookup(parent: cst.CSTNode, child: cst.CSTNode, scope: Scope) -> bool:
    """The node is the fallback of `table.get(option, fallback)`: never the caller's choice.
    The fallback is what the library does when the caller chose nothing it knows (PyHive's
    `CERT_MAP.get(ssl_cert, ssl.CERT_NONE)` with `ssl_cert=None` by default): its own
    default, reported where it is written."""
    return False


def _keyed_lookup_value(value: cst.BaseExpression, scope: Scope) -> bool:
    """`TABLE[option]` or `TABLE.get(option, ...)`: a table keyed by the caller's option."""
    if isinstance(value, cst.Subscript) and len(value.slice) == 1 and isinstance(
            value.slice[0].slice, cst.Index):
        return reads_option(value.slice[0].slice.value, scope)
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and identifier(value.func.attr.value) == "get" and value.args
            and value.args[0].keyword is None):
        fallback = value.args[1].value if len(value.args) > 1 else None
        if fallback is not None and (values.is_falsy(fallback, scope)
                                     or clients.is_cert_none(fallback, scope)):
            return False  # the library's own default when the caller chose nothing it knows
        key = value.args[0].value
        return not isinstance(key, (cst.SimpleString, cst.ConcatenatedString)) and (
            reads_option(key, scope))
    return False


# -- what a caller option is ------------------------------------------------------------------

# The parser's calls, kept for libcst by the rules that place opt-outs (their context shape).
COMMAND_LINE_SHAPE = CallTo(("add_argument",), roots=("argparse",))
# The last module asked about and its command-line options (the rules ask once per finding).
_COMMAND_LINE: List[Tuple[cst.Module, FrozenSet[str]]] = []


def command_line_options(scope: Scope) -> FrozenSet[str]:
    """The attribute names (dest) of the options the module's argparse parsers define:
    `add_argument("--no-verify", ...)` gives `no_verify`, `dest="insecure"` gives that."""
    module = scope.enclosing("module")
    if module is None or not isinstance(module.node, cst.Module) or not clients.imports_module(
            module, ("argparse",)):
        return frozenset()
    if _COMMAND_LINE and _COMMAND_LINE[0][0] is module.node:
        return _COMMAND_LINE[0][1]
    found: Set[str] = set()
    stack: List[cst.CSTNode] = [module.node]
    while stack:
        node = stack.pop()
        stack.extend(children(node))
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and identifier(node.func.attr.value) == "add_argument"):
            continue
        dest = clients.keyword(node, "dest")
        names = [values.string_value(arg.value, scope) for arg in node.args
                 if arg.keyword is None and not arg.star]
        # dest=, else the first long option, else a positional argument's name
        text = values.string_value(dest.value, scope) if dest is not None else next(
            (name for name in names if name is not None and name.startswith("--")), next(
                (name for name in names[:1] if name is not None and name[:1] != "-"), None))
        if text is not None:
            found.add(text.lstrip("-").replace("-", "_"))
    _COMMAND_LINE[:] = [(module.node, frozenset(found))]
    return _COMMAND_LINE[0][1]


def _name_is_option(name: cst.Name, scope: Scope, depth: int, named: bool) -> bool:
    binding = scope.lookup(name.value)
    if binding is None or binding.qualified is not None or binding.scope.kind != "function":
        return False  # a builtin, an import, a module or class constant
    local = identifier(name.value)
    named = named or tls_named(local)
    if binding.is_parameter():
        # `self` itself is no option: its attributes are (`_self_attribute_option`)
        return named and local not in ("self", "cls")
    if depth >= _MAX_LOCALS:
        return False
    bound = list(clients.body_uses(binding.scope, local).bound.get(local, ()))
    if not bound and binding.single_value is not None:
        bound.append(binding.single_value)  # `ca: str = conf.pop(...)` (annotated)
    return any(reads_option(value, binding.scope, depth + 1, named) for value in bound)


def _self_attribute_option(node: cst.Attribute, scope: Scope) -> bool:
    """`self.verify` (or `cls.`) of a method: an option, unless the class binds the attribute
    to a literal in its body or the function sets it to one."""
    assert isinstance(node.value, cst.Name)  # the caller's test
    binding = scope.lookup(node.value.value)
    if binding is None or not binding.is_parameter():
        return False
    attribute = identifier(node.attr.value)
    owner = scope.enclosing("class")
    if owner is not None:
        constant = owner.names.get(attribute)
        if constant is not None and constant.single_value is not None and values.literal(
                constant.single_value, owner) is not values.UNKNOWN:
            return False
    stored = clients.body_uses(binding.scope, "").bound.get(
        f"{identifier(node.value.value)}.{attribute}", ())
    return not stored or any(values.literal(value, binding.scope) is values.UNKNOWN
                             for value in stored)


def _read_of_option(node: Union[cst.Call, cst.Subscript], scope: Scope, depth: int,
                    named: bool) -> bool:
    """A mapping read of an option (`opts.get("verify")`, `conf["ca"]`, `conf.copy()`,
    `getattr(conf, "verify")`), a conversion of one (`bool(v)`, `isinstance(v, T)`,
    `SSLMode.parse(v)`: at most two positional arguments, the first the option, no keyword),
    or a method of `self` called without arguments (`self.verify_certificate()`). Never the
    environment (`os.environ.get(...)`, `os.getenv(...)`): a switch of its own."""
    if isinstance(node, cst.Subscript):
        key = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(key, cst.Index):
            text = values.string_value(key.value, scope)
            named = named or (text is not None and tls_named(text))
        return scope.qualify(node.value) not in _ENVIRONMENT and reads_option(
            node.value, scope, depth, named)
    func = node.func
    if scope.qualify(func) in _ENVIRONMENT:
        return False
    first = node.args[0].value if node.args and node.args[0].keyword is None and not (
        node.args[0].star) else None
    if isinstance(func, cst.Attribute) and identifier(func.attr.value) in _MAPPING_READS:
        text = values.string_value(first, scope) if first is not None else None
        return scope.qualify(func.value) not in _ENVIRONMENT and reads_option(
            func.value, scope, depth, named or (text is not None and tls_named(text)))
    if isinstance(func, cst.Name) and identifier(func.value) == "getattr" and len(
            node.args) >= 2 and scope.lookup("getattr") is None:
        if len(node.args) == 3 and values.literal(node.args[2].value, scope) is None:
            return False  # `getattr(ctx, "check_hostname", None)`: probes an API, as hasattr
        text = values.string_value(node.args[1].value, scope)
        return first is not None and scope.qualify(first) is None and reads_option(
            first, scope, depth, named or (text is not None and tls_named(text)))
    if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            and identifier(func.value.value) in ("self", "cls")):
        # `self.verify_certificate()`: the instance's own setting
        return not node.args and (named or tls_named(identifier(func.attr.value)))
    conversion = (first is not None and len(node.args) <= 2
                  and all(arg.keyword is None and not arg.star for arg in node.args))
    if not conversion or (isinstance(func, cst.Name) and identifier(func.value) in _PROBES):
        return False
    root = func
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name):
        return False
    binding = scope.lookup(root.value)
    if binding is not None and binding.qualified is None and binding.scope.kind != "module":
        return False  # a method of a local object (`parser.parse_args(argv)`)
    assert first is not None  # `conversion`
    return reads_option(first, scope, depth, named)


# -- the defaults -------------------------------------------------------------------------------

def _taken_by_default(deciding: List[_Branch], scope: Scope
                      ) -> Tuple[Optional[cst.BaseExpression], str]:
    """The default to report when the parameters' defaults take every deciding branch to the
    node (the innermost test's first parameter with a default), else (None, "")."""
    for test, side in deciding:
        if _truth(test, scope) is not side:
            return None, ""
    return _first_default(deciding[0][0], scope)


def _first_default(test: cst.BaseExpression, scope: Scope
                   ) -> Tuple[Optional[cst.BaseExpression], str]:
    """The default of the first parameter the test reads. (Not one a method stores as
    `self.x`: the other methods may be stubbed out of what libcst sees, and a finding must
    not depend on that.)"""
    stack: List[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            binding = _parameter(node, scope)
            if binding is not None and binding.value is not None:
                return binding.value, identifier(node.value)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        stack.extend(reversed(list(children(node))))
    return None, ""


def _truth(test: cst.BaseExpression, scope: Scope) -> Optional[bool]:
    """Whether a test holds with the parameters at their defaults and the names bound once at
    their values: None when that is not known (a call, a parameter without default)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _truth(test.expression, scope)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation):
        left, right = _truth(test.left, scope), _truth(test.right, scope)
        if isinstance(test.operator, cst.And):
            if left is False or right is False:
                return False
            return True if left and right else None
        if left or right:
            return True
        return False if left is False and right is False else None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _compare(test.left, test.comparisons[0], scope)
    value = values.literal(test, scope)
    return None if value is values.UNKNOWN else bool(value)


def _compare(left: cst.BaseExpression, target: cst.ComparisonTarget, scope: Scope
             ) -> Optional[bool]:
    operator = target.operator
    if not isinstance(operator, (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual)):
        return None
    first, second = values.literal(left, scope), values.literal(target.comparator, scope)
    if first is values.UNKNOWN and second is values.UNKNOWN:
        # the same module constant on both sides (`cert_reqs=ssl.CERT_NONE` then
        # `cert_reqs == ssl.CERT_NONE`): equal; two different ones are not known apart
        names = {scope.qualify(values.origin(side, scope)[0]) for side in (left,
                                                                          target.comparator)}
        if len(names) != 1 or None in names:
            return None
        equal = True
    elif first is values.UNKNOWN or second is values.UNKNOWN:
        # None against a module's constant (`cert_reqs == ssl.CERT_NONE`): never equal
        known = first if second is values.UNKNOWN else second
        other = target.comparator if second is values.UNKNOWN else left
        if known is not None or first is second or scope.qualify(other) is None:
            return None
        equal = False
    elif isinstance(operator, (cst.Is, cst.IsNot)):
        equal = first is second
    else:
        equal = first == second
    return equal if isinstance(operator, (cst.Is, cst.Equal)) else not equal
