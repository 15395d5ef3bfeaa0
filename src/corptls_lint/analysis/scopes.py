"""A light scope model: who binds which name, how often, to what, and through which import.

Built per scope from its *statements* only (a cheap walk that does not descend into
expressions or nested functions), so resolving `r.get` to `requests.get` or `VERIFY` to its one
`False` costs a dictionary lookup, and a module-level import below a function still counts.
Known gaps, documented in docs/design.md: bindings made by `global` from inside a function,
walrus targets, and `from x import *` of modules other than the client ones (STAR_MODULES). Names are kept and looked up as Python reads them
(`ftypes.identifier`: `ｖerify` is `verify`), while libcst's nodes keep the source's spelling.

Why not libcst's `ScopeProvider`: it resolves every scope and every access of the whole file
before the first question, and the engine needs the bindings of the few scopes that hold a
candidate. On 352 real modules (requests, urllib3, libcst; 121,722 lines) building *every*
module, class and function scope here takes 5.0 s against ScopeProvider's 20.7 s (4.1x), and
the engine builds a function's scope only when a rule asks in it
(`benchmarks/library_alternatives.py`).
"""

from __future__ import annotations

import builtins
from pathlib import PurePath
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union, cast

import libcst as cst

from corptls_lint.ftypes import identifier

_BUILTINS = frozenset(dir(builtins))

# Import paths that are the same object as a shorter, canonical one.
_CANONICAL_PREFIXES = (
    ("requests.packages.urllib3", "urllib3"),
    ("requests.urllib3", "urllib3"),
    ("requests.api", "requests"),
    ("requests.sessions", "requests"),
    ("urllib3.poolmanager", "urllib3"),
    ("urllib3.connectionpool", "urllib3"),
    ("httpx._api", "httpx"),
    ("httpx._client", "httpx"),
    ("httpx._transports.default", "httpx"),
    ("aiohttp.client", "aiohttp"),
    ("aiohttp.connector", "aiohttp"),
)


# `from requests import *`: a name no scope binds comes from one of these client modules when
# that is the module's last star import. After another module's star import the name is
# unknown: what that module exports is not in the catalogue.
STAR_MODULES = frozenset({"requests", "httpx", "ssl", "urllib3"})
# Evaluation follows a name bound to another name or attribute through at most this many
# assignments (`s = ssl`, `unverified = s._create_unverified_context`).
_MAX_ALIASES = 4
# Calls that import the module their literal argument names and return it: a test's
# `urllib3 = pytest.importorskip("urllib3")` binds `urllib3` as `import urllib3` does.
IMPORTING_CALLS = frozenset({"pytest.importorskip", "importlib.import_module"})


def canonical(qualified: str) -> str:
    """Map an import path onto the canonical name of the same object."""
    for prefix, replacement in _CANONICAL_PREFIXES:
        if qualified == prefix or qualified.startswith(prefix + "."):
            return replacement + qualified[len(prefix):]
    return qualified


def import_roots(qualified: str) -> Tuple[str, ...]:
    """The top-level modules through which a canonical name can be imported
    (`urllib3.PoolManager`: urllib3, and requests through `requests.packages.urllib3`)."""
    roots = [qualified.split(".", 1)[0]]
    for prefix, replacement in _CANONICAL_PREFIXES:
        root = prefix.split(".", 1)[0]
        if (qualified == replacement or qualified.startswith(replacement + ".")) and root not in roots:
            roots.append(root)
    return tuple(roots)


def absolute(qualified: str, path: str) -> str:
    """A name from a relative import made absolute by the file's folders (`..const.X` in
    `curl_cffi/requests/utils.py`: `curl_cffi.const.X`). The package is named by its folder
    alone, so only a top-level package comes out whole: for names of a library's own
    top-level modules (TLS501's curl_cffi constants), not for general resolution."""
    level = len(qualified) - len(qualified.lstrip("."))
    folders = PurePath(path.replace("\\", "/")).parent.parts
    if not level or len(folders) < level:
        return qualified
    rest = qualified[level:]
    package = folders[len(folders) - level]
    return f"{package}.{rest}" if rest else package


def _chain(node: cst.CSTNode) -> Optional[Tuple[cst.Name, List[str]]]:
    """The root Name of a Name/Attribute chain and its attribute names, last first (each as
    Python reads it); None for anything else."""
    attrs: List[str] = []
    while isinstance(node, cst.Attribute):
        attrs.append(identifier(node.attr.value))
        node = node.value
    return (node, attrs) if isinstance(node, cst.Name) else None


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, None for anything else (each name as Python
    reads it)."""
    chain = _chain(node)
    if chain is None:
        return None
    root, attrs = chain
    attrs.append(identifier(root.value))
    return ".".join(reversed(attrs))


def target_names(node: cst.CSTNode) -> Iterator[str]:
    """The plain names an assignment target binds (`a`, `a, *b`; not `x.y` or `x[0]`)."""
    if isinstance(node, cst.Name):
        yield identifier(node.value)
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from target_names(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from target_names(node.value)


class Binding:
    """Everything a scope knows about one name."""

    __slots__ = ("count", "value", "qualified", "scope")

    def __init__(self, scope: "Scope") -> None:
        self.count = 0
        self.value: Optional[cst.BaseExpression] = None  # the value when bound by `NAME = value`
        self.qualified: Optional[str] = None  # the import path when bound by an import
        self.scope = scope

    def is_parameter(self) -> bool:
        """Whether the name is a parameter of the function whose scope binds it."""
        params = getattr(self.scope.node, "params", None)
        if self.scope.kind != "function" or not isinstance(params, cst.Parameters):
            return False
        return any(identifier(param.name.value) in self.scope.names
                   and self.scope.names[identifier(param.name.value)] is self
                   for param in _all_params(params))

    @property
    def single_value(self) -> Optional[cst.BaseExpression]:
        """The value of a name bound exactly once by an assignment (or a parameter default)."""
        return self.value if self.count == 1 else None


# What makes a scope (strings: libcst may load late).
ScopeNode = Union["cst.Module", "cst.ClassDef", "cst.FunctionDef", "cst.Lambda"]


class Scope:
    """A module, class or function body: its bindings and its parent for lookups."""

    __slots__ = ("kind", "node", "parent", "names", "stars")

    def __init__(self, kind: str, node: ScopeNode, parent: Optional["Scope"]) -> None:
        self.kind = kind  # "module" | "class" | "function"
        self.node = node
        self.parent = parent
        self.names: Dict[str, Binding] = {}
        self.stars: List[str] = []  # the modules this scope imports `*` from, in order

    # -- building -------------------------------------------------------------------------
    def bind(self, name: str, value: Optional[cst.BaseExpression] = None,
             qualified: Optional[str] = None) -> None:
        name = identifier(name)
        binding = self.names.get(name)
        if binding is None:
            binding = self.names[name] = Binding(self)
        binding.count += 1
        binding.value = value
        if qualified is not None:
            binding.qualified = qualified

    def bind_target(self, target: cst.BaseExpression,
                    value: Optional[cst.BaseExpression] = None) -> None:
        """Bind the names of an assignment target; only a plain `NAME = value` keeps the value."""
        if isinstance(target, cst.Name):
            self.bind(target.value, value)
            return
        for name in target_names(target):
            self.bind(name)

    # -- lookups --------------------------------------------------------------------------
    def lookup(self, name: str) -> Optional[Binding]:
        """The binding Python would use for `name` here (class bodies are skipped from inside)."""
        name = identifier(name)
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if first or scope.kind != "class":
                binding = scope.names.get(name)
                if binding is not None:
                    return binding
            first = False
            scope = scope.parent
        return None

    def qualify(self, node: cst.CSTNode, aliases: bool = False, depth: int = 0) -> Optional[str]:
        """The canonical import path of a Name/Attribute chain rooted in an import, else None.

        The root may also be a name a client module's star import brings, and the chain may
        start with `getattr(module, "name")` of the builtin. With `aliases`, the root may be
        a name bound once to such a chain (`s = ssl`, `get = requests.get`): the rules that
        report at the use ask for that; a rule that reports a value where a name is bound to
        it (TLS501's `PROTO = ssl.PROTOCOL_TLSv1`) does not."""
        chain = _chain(node)
        if chain is None:
            return self._qualify_getattr(node, aliases, depth)
        root, attrs = chain
        binding = self.lookup(root.value)
        if binding is None:
            qualified = self._star_module(identifier(root.value))
            if qualified is None:
                return None
        elif binding.qualified is not None:
            qualified = binding.qualified
        else:
            # an alias: a name bound once to a chain that resolves
            value = binding.single_value
            if not aliases or value is None or depth >= _MAX_ALIASES or not isinstance(
                    value, (cst.Name, cst.Attribute, cst.Call)) or binding.is_parameter():
                return None  # a parameter's default is not what every caller passes
            qualified = binding.scope.qualify(value, aliases, depth + 1)
            if qualified is None:
                return None
        attrs.append(qualified)
        return canonical(".".join(reversed(attrs)))

    def _qualify_getattr(self, node: cst.CSTNode, aliases: bool, depth: int) -> Optional[str]:
        """`getattr(ssl, "_create_unverified_context")`: the attribute of a chain that
        resolves, named by a literal string (with or without a default)."""
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
                and identifier(node.func.value) == "getattr" and len(node.args) in (2, 3)
                and all(arg.keyword is None and not arg.star for arg in node.args)
                and isinstance(node.args[1].value, cst.SimpleString)
                and self.lookup("getattr") is None and depth < _MAX_ALIASES):
            return None
        owner = self.qualify(node.args[0].value, aliases, depth + 1)
        name = node.args[1].value.evaluated_value
        if owner is None or not isinstance(name, str) or not name.isidentifier():
            return None
        return canonical(f"{owner}.{identifier(name)}")

    def _star_module(self, name: str) -> Optional[str]:
        """Where a name no scope binds comes from: the client module of the last star import
        (never a builtin's name: that would be unbound only if the module lacked it)."""
        scope: Optional[Scope] = self
        while scope is not None and scope.parent is not None:
            scope = scope.parent
        # `import *` brings no private name (these modules define no __all__ that would)
        if (scope is None or not scope.stars or scope.stars[-1] not in STAR_MODULES
                or name in _BUILTINS or name.startswith("_")):
            return None  # a later `import *` of another module may define the name
        return f"{scope.stars[-1]}.{name}"

    def enclosing(self, kind: str) -> Optional["Scope"]:
        scope: Optional[Scope] = self
        while scope is not None and scope.kind != kind:
            scope = scope.parent
        return scope


# -- the statement walk that fills a scope ---------------------------------------------------

# strings: libcst may load late
Body = Union["cst.BaseSuite", Sequence[Union["cst.BaseStatement", "cst.BaseSmallStatement"]]]


def _statements(body: Body) -> Iterable[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return body.body
    # libcst has no other suites than the two above: this is a list of statements
    return cast("Sequence[Union[cst.BaseStatement, cst.BaseSmallStatement]]", body)


def _module_path(node: Union[cst.Attribute, cst.Name]) -> str:
    return dotted_name(node) or ""


def _bind_import(scope: Scope, node: Union[cst.Import, cst.ImportFrom]) -> None:
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = _module_path(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                scope.bind(alias.asname.name.value, qualified=full)
            else:
                root = full.split(".", 1)[0]
                scope.bind(root, qualified=root)
        return
    if isinstance(node.names, cst.ImportStar):
        module = _module_path(node.module) if node.module is not None else ""
        scope.stars.append("." * len(node.relative) + module)
        return
    module = _module_path(node.module) if node.module is not None else ""
    module = "." * len(node.relative) + module
    for alias in node.names:
        imported = _module_path(alias.name)
        local = imported
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        scope.bind(local, qualified=f"{module}.{imported}" if module else imported)


def _bind_imported(scope: Scope, statement: cst.Assign) -> None:
    """`NAME = pytest.importorskip("module")`: NAME is the module (IMPORTING_CALLS)."""
    value = statement.value
    if (len(statement.targets) != 1 or not isinstance(statement.targets[0].target, cst.Name)
            or not isinstance(value, cst.Call) or not value.args
            or value.args[0].keyword is not None or value.args[0].star
            or not isinstance(value.args[0].value, cst.SimpleString)
            or scope.qualify(value.func) not in IMPORTING_CALLS):
        return
    module = value.args[0].value.evaluated_value
    if isinstance(module, str) and module and all(
            part.isidentifier() for part in module.split(".")):
        scope.names[identifier(statement.targets[0].target.value)].qualified = module


def _bind_pattern(scope: Scope, pattern: cst.CSTNode) -> None:
    if isinstance(pattern, cst.MatchAs):
        if pattern.name is not None:
            scope.bind(pattern.name.value)
        if pattern.pattern is not None:
            _bind_pattern(scope, pattern.pattern)
    elif isinstance(pattern, cst.MatchStar):
        if pattern.name is not None:
            scope.bind(pattern.name.value)
    elif isinstance(pattern, cst.MatchMapping):
        if pattern.rest is not None:
            scope.bind(pattern.rest.value)
        for element in pattern.elements:
            _bind_pattern(scope, element.pattern)
    elif isinstance(pattern, (cst.MatchSequence, cst.MatchList, cst.MatchTuple)):
        for item in pattern.patterns:
            _bind_pattern(scope, item)
    elif isinstance(pattern, cst.MatchClass):
        for positional in pattern.patterns:
            _bind_pattern(scope, positional.value)
        for keyword in pattern.kwds:
            _bind_pattern(scope, keyword.pattern)
    elif isinstance(pattern, cst.MatchOr):
        for alternative in pattern.patterns:
            _bind_pattern(scope, alternative.pattern)
    elif isinstance(pattern, cst.MatchSequenceElement):  # its pattern is `value`
        _bind_pattern(scope, pattern.value)
    elif isinstance(pattern, (cst.MatchKeywordElement, cst.MatchOrElement)):
        _bind_pattern(scope, pattern.pattern)


def _fill(scope: Scope, body: Body) -> None:
    for statement in _statements(body):
        if isinstance(statement, cst.SimpleStatementLine):
            _fill(scope, statement.body)
        elif isinstance(statement, cst.Assign):
            for target in statement.targets:
                scope.bind_target(target.target, statement.value)
            _bind_imported(scope, statement)
        elif isinstance(statement, cst.AnnAssign):
            if statement.value is not None:
                scope.bind_target(statement.target, statement.value)
        elif isinstance(statement, (cst.AugAssign, cst.Del)):
            scope.bind_target(statement.target)
        elif isinstance(statement, (cst.Import, cst.ImportFrom)):
            _bind_import(scope, statement)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            scope.bind(statement.name.value)
        elif isinstance(statement, cst.TypeAlias):
            scope.bind(statement.name.value)
        elif isinstance(statement, (cst.If, cst.While)):
            _fill(scope, statement.body)
            if statement.orelse is not None:
                _fill(scope, [statement.orelse] if isinstance(statement.orelse, cst.If)
                      else statement.orelse.body)
        elif isinstance(statement, cst.For):
            scope.bind_target(statement.target)
            _fill(scope, statement.body)
            if statement.orelse is not None:
                _fill(scope, statement.orelse.body)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    scope.bind_target(item.asname.name)
            _fill(scope, statement.body)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            _fill(scope, statement.body)
            for handler in statement.handlers:
                if handler.name is not None:
                    scope.bind_target(handler.name.name)
                _fill(scope, handler.body)
            if statement.orelse is not None:
                _fill(scope, statement.orelse.body)
            if statement.finalbody is not None:
                _fill(scope, statement.finalbody.body)
        elif isinstance(statement, cst.Match):
            for case in statement.cases:
                _bind_pattern(scope, case.pattern)
                _fill(scope, case.body)
        elif isinstance(statement, cst.Else):
            _fill(scope, statement.body)


def _bind_parameters(scope: Scope, params: cst.Parameters) -> None:
    for param in _all_params(params):
        scope.bind(param.name.value, param.default)


def _all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def module_scope(module: cst.Module) -> Scope:
    scope = Scope("module", module, None)
    _fill(scope, module.body)
    return scope


def function_scope(node: Union[cst.FunctionDef, cst.Lambda], parent: Scope) -> Scope:
    scope = Scope("function", node, parent)
    _bind_parameters(scope, node.params)
    if isinstance(node, cst.FunctionDef):
        _fill(scope, node.body)
    return scope


def class_scope(node: cst.ClassDef, parent: Scope) -> Scope:
    scope = Scope("class", node, parent)
    _fill(scope, node.body)
    return scope
