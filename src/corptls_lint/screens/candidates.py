"""The syntax screen: does a file hold a node that some enabled rule could report?

Each rule declares, in `Rule.candidates`, the shapes its findings can have (a call with a
keyword, a call to a name, an attribute store, an item store). This module checks those shapes
on the stdlib `ast` tree, which parses about ten times faster than libcst, so libcst only parses
files that can produce a finding. The test is deliberately loose (a superset of what the rules
report): it never decides a finding, libcst and the rules do. A file `ast` cannot parse goes to
libcst unscreened. Only the standard library is imported here (and the screens' own modules:
the shapes in `shapes`, the slicing that the located candidates drive in `slicing`).
"""

from __future__ import annotations

import ast
import re
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple,
                    Type, TypeVar, Union)

from corptls_lint.screens import lookalikes
from corptls_lint.screens.shapes import (ANY, BUILT_STRINGS, CERT_NONE, CONSTANT_NAMES, HOLDING,
                                         NONE_OR_CERT_NONE, OR_DEFAULT, QUERY, VARIABLE,
                                         AnyNameStore, Appended, Argument, AttributeStore,
                                         CallerArgument, CallInto, CallTo, Candidate,
                                         ConstantFunction, FunctionNamed, ItemStore, JsonHolding,
                                         KeyedStore, KeywordArg, LookedUpIn, NamePassed, NameStore,
                                         NameUse, OptionsPassed, ParamDefault, ScreenedRule,
                                         TableBound, Travel, UrlHolding, key_may_be,
                                         literal_matches, option_default, string_fragments)
from corptls_lint.screens.slicing import Location, first_line, holds_line, lines_holding
from corptls_lint.source import parse_guard

# The last names of the calls that import a module by its name (scopes.IMPORTING_CALLS).
_IMPORTING_NAMES = frozenset({"importorskip", "import_module"})
# A string that starts as a URL: a scheme, then `://` (UrlHolding).
_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# The last names of the decorators that parametrize a test (pytest's, parameterized's).
_PARAMETRIZING = frozenset({"parametrize", "expand"})
# A rule class, kept as the caller's type (the engine's `Type[Rule]`).
RuleClass = TypeVar("RuleClass", bound=Type[ScreenedRule])


# -- the facts about one file that the shapes are checked against --------------------------
class _Facts:
    """One pass over the ast tree that records every fact a candidate shape can ask about.

    A hand-rolled walk: `ast.NodeVisitor` costs as much again as the parse itself.
    """

    def __init__(self, tree: ast.AST) -> None:
        self.calls: List[ast.Call] = []
        # (key, value, the display) of dict displays; key "" for a computed key
        self.dict_keys: List[Tuple[str, ast.expr, ast.Dict]] = []
        # (the key's name, or "" for a key built from parts; value; the display; the key)
        self.computed_keys: List[Tuple[str, ast.expr, ast.Dict, ast.expr]] = []
        self.attribute_stores: List[Tuple[str, ast.expr, ast.stmt]] = []  # (attr, value, stmt)
        self.item_stores: List[Tuple[ast.expr, ast.stmt]] = []  # (container, stmt)
        self.keyed_stores: List[Tuple[str, ast.expr, Location]] = []  # (str key, value, stmt)
        self.appended: List[Tuple[ast.expr, ast.stmt]] = []  # (value, stmt) of `x += value`
        self.roots: Set[str] = set()
        self.aliases: Dict[str, str] = {}  # local name -> imported name
        self.imported: Dict[str, str] = {}  # local name -> the top-level module it comes from
        self.returns: List[ast.Return] = []  # `return <value>` statements
        self.bound_names: List[Tuple[str, ast.expr]] = []  # NAME = value, parameter defaults
        # (one-return function, its value)
        self.returned: List[Tuple[ast.FunctionDef, ast.expr]] = []
        self.param_defaults: List[Tuple[str, ast.expr]] = []  # (parameter, its default)
        self.functions: List[Union[ast.FunctionDef, ast.AsyncFunctionDef]] = []  # every def
        # strings that start as a URL (`scheme://`), their literal text lower-cased (an
        # f-string's literal parts joined), and strings that open a JSON object (UrlHolding,
        # JsonHolding: collected here, not in a walk of their own)
        self.url_strings: List[Tuple[ast.expr, str]] = []
        self.json_strings: List[Tuple[ast.expr, str]] = []
        self.tree = tree
        # Each handler takes the node class it is filed under.
        handlers: Dict[type, Callable[[Any], None]] = {
            ast.FunctionDef: self._function, ast.AsyncFunctionDef: self.functions.append,
            ast.Call: self.calls.append, ast.Dict: self._dict, ast.Assign: self._assign,
            ast.AnnAssign: self._ann_assign, ast.arguments: self._arguments,
            ast.AugAssign: self._aug_assign,
            ast.Import: self._import, ast.ImportFrom: self._import_from,
            ast.Return: self._return, ast.Constant: self._constant,
            ast.JoinedStr: self._joined,
        }
        stack = [tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            kind = type(node)
            handler = handlers.get(kind)
            if handler is not None:
                handler(node)
            for name in _child_fields(kind):
                value = getattr(node, name)
                if type(value) is list:
                    extend(value)
                elif value is not None:
                    push(value)

    def _function(self, node: ast.FunctionDef) -> None:
        self.functions.append(node)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            self.returned.append((node, body[0].value))

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            root = alias.name.split(".", 1)[0]
            self.roots.add(root)
            self.imported[alias.asname or root] = root

    def _import_from(self, node: ast.ImportFrom) -> None:
        root = node.module.split(".", 1)[0] if node.level == 0 and node.module else ""
        if root:
            self.roots.add(root)
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            if root:
                self.imported[alias.asname or alias.name] = root

    def _imported_by_call(self, name: str, call: ast.Call) -> None:
        """`urllib3 = pytest.importorskip("urllib3")` imports as `import urllib3` does
        (scopes.IMPORTING_CALLS; loose: any callee of those last names)."""
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if last in _IMPORTING_NAMES and call.args and isinstance(call.args[0], ast.Constant) and (
                isinstance(call.args[0].value, str)):
            root = call.args[0].value.split(".", 1)[0]
            if root:
                self.roots.add(root)
                self.imported[name] = root

    def _constant(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) is str and value:
            if _URL_START.match(value):
                self.url_strings.append((node, value.lower()))
            elif value.lstrip()[:1] == "{":
                self.json_strings.append((node, value))

    def _joined(self, node: ast.JoinedStr) -> None:
        values = node.values
        first = values[0] if values else None
        if type(first) is ast.Constant and type(first.value) is str and _URL_START.match(
                first.value):
            self.url_strings.append((node, "".join(
                part.value for part in values
                if type(part) is ast.Constant and type(part.value) is str).lower()))

    def _return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.returns.append(node)

    def _assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._store(target, node.value, node)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, ast.Add):
            self.appended.append((node.value, node))

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._store(node.target, node.value, node)

    def _store(self, target: ast.expr, value: ast.expr, statement: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self.bound_names.append((target.id, value))
            if isinstance(value, ast.Call):
                self._imported_by_call(target.id, value)
        elif isinstance(target, ast.Attribute):
            self.attribute_stores.append((target.attr, value, statement))
        elif isinstance(target, ast.Subscript):
            self.item_stores.append((target.value, statement))
            key = target.slice  # an expression from Python 3.9 on
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.keyed_stores.append((key.value, value, statement))

    def _arguments(self, node: ast.arguments) -> None:
        positional = [*node.posonlyargs, *node.args]
        for arg, default in zip(positional[len(positional) - len(node.defaults):], node.defaults):
            self.bound_names.append((arg.arg, default))
            self.param_defaults.append((arg.arg, default))
        for arg, kw_default in zip(node.kwonlyargs, node.kw_defaults):
            if kw_default is not None:
                self.bound_names.append((arg.arg, kw_default))
                self.param_defaults.append((arg.arg, kw_default))

    def _dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.dict_keys.append((key.value, value, node))
            elif isinstance(key, ast.Name):  # a constant holding the key (`{KEY: False}`)
                self.computed_keys.append((key.id, value, node, key))
            elif isinstance(key, BUILT_STRINGS):  # an f-string or `+` may spell any key
                self.computed_keys.append(("", value, node, key))


# Fields that never hold a node worth visiting (contexts, operators, names as strings).
_LEAF_FIELDS = frozenset(("ctx", "op", "ops", "type_comment", "id", "attr", "arg", "name",
                          "names", "module", "level", "value_kind", "kind", "is_async",
                          "conversion", "lineno", "col_offset"))
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _child_fields(kind: type) -> Tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        if kind is ast.Constant or kind is ast.Name:
            fields = ()
        else:
            # getattr: lists also hold None (`**` in a dict) and strings (MatchClass.kwd_attrs)
            fields = tuple(f for f in getattr(kind, "_fields", ()) if f not in _LEAF_FIELDS)
        _CHILD_FIELDS[kind] = fields
    return fields


def _follow_chains(names: Set[str], bound: Sequence[Tuple[str, ast.expr]],
                   backwards: bool = False) -> Set[str]:
    """`names` plus every name bound to one of them, to a fixpoint (`A = B` with B in names
    adds A). `backwards`: plus every name one of them is bound to (B, for A in names)."""
    links: Dict[str, List[str]] = {}
    for name, value in bound:
        if isinstance(value, ast.Name):
            if backwards:
                links.setdefault(name, []).append(value.id)
            else:
                links.setdefault(value.id, []).append(name)
    found = set(names)
    pending = list(found)
    while pending:
        for linked in links.get(pending.pop(), ()):
            if linked not in found:
                found.add(linked)
                pending.append(linked)
    return found


def _variable(node: ast.AST) -> Optional[str]:
    """The name a variable is read by: a Name, but not a constant spelled with look-alikes
    (`Ｆalse`, which `ast` leaves a Name)."""
    if isinstance(node, ast.Name) and node.id not in CONSTANT_NAMES:
        return node.id
    return None


def _get_default_matches(node: ast.AST, kind: str) -> bool:
    """`mapping.get("key", default)` or `getattr(obj, "name", default)` with such a default."""
    return (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords
            and _last_name(node.func) in ("get", "getattr")
            and literal_matches(node.args[1], kind))


def _getattr_named(call: ast.Call) -> Optional[ast.Name]:
    """`getattr(obj, "name")` (with or without a default) as the Name it fetches."""
    if (isinstance(call.func, ast.Name) and call.func.id == "getattr"
            and len(call.args) in (2, 3) and isinstance(call.args[1], ast.Constant)
            and isinstance(call.args[1].value, str)):
        return ast.Name(call.args[1].value)
    return None


def _root_name(node: ast.AST) -> Optional[str]:
    """The name an attribute chain starts from (`requests` for `requests.adapters.X`)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_method(function: ast.AST) -> bool:
    """A def whose first parameter is `self` or `cls`: its callers pass one argument less."""
    arguments = getattr(function, "args")
    first = [*arguments.posonlyargs, *arguments.args][:1]
    return bool(first) and first[0].arg in ("self", "cls")


def _argument_for(call: ast.Call, parameter: str, index: Optional[int],
                  method: bool) -> Iterator[ast.expr]:
    """What a call may pass to the parameter: the keyword of its name, or the argument at its
    position (one less for a method called through an attribute); a superset of what
    travel.CallerArguments resolves."""
    for keyword in call.keywords:
        if keyword.arg == parameter:
            yield keyword.value
    if index is not None:
        position = index - 1 if method and isinstance(call.func, ast.Attribute) else index
        if 0 <= position < len(call.args) and not any(
                isinstance(value, ast.Starred) for value in call.args[:position + 1]):
            yield call.args[position]


def _last_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


class FileFacts:
    """The facts of one parsed file, with the value tests that follow names."""

    def __init__(self, tree: ast.AST, data: Optional[bytes] = None) -> None:
        """`data`: the bytes `tree` was parsed from, which tell where a name can occur."""
        self.facts = _Facts(tree)
        self.data = data
        self._name_cache: Dict[str, Set[str]] = {}
        self._matched: Dict[Candidate, List[Location]] = {}  # the screen's, for the slicing
        self._keywords: Optional[Dict[str, List[Tuple[ast.Call, ast.expr]]]] = None
        self._callees: Optional[Dict[Optional[str], List[ast.Call]]] = None

    def _names_of_class(self, kind: str) -> Set[str]:
        """Names bound somewhere in the file (any scope) to a value of this class, or to a
        name that is (a chain the evaluator may follow). CERT_NONE also comes in by import,
        under its own name or an alias (`from ssl import CERT_NONE as NONE`)."""
        found = self._name_cache.get(kind)
        if found is None:
            found = {name for name, value in self.facts.bound_names
                     if _variable(value) is None and literal_matches(value, kind)}
            if kind in (CERT_NONE, NONE_OR_CERT_NONE):
                found.add("CERT_NONE")
                found.update(alias for alias, name in self.facts.aliases.items()
                             if name == "CERT_NONE")
            found = _follow_chains(found, self.facts.bound_names)
            self._name_cache[kind] = found
        return found

    def _names_holding_key(self, keys: Tuple[str, ...]) -> Set[str]:
        """Names bound somewhere to one of these strings (or to such a name); asked once per
        tuple of keys (every keyword shape of a rule asks)."""
        cache_key = "keys:" + "|".join(keys)
        found = self._name_cache.get(cache_key)
        if found is None:
            found = {name for name, value in self.facts.bound_names
                     if isinstance(value, ast.Constant) and value.value in keys}
            found = self._name_cache[cache_key] = _follow_chains(found, self.facts.bound_names)
        return found

    def value_matches(self, value: ast.AST, kind: str) -> bool:
        if kind == ANY:
            return True
        if kind == VARIABLE:
            return isinstance(value, ast.Name)
        if kind.startswith(OR_DEFAULT):
            kind = kind[len(OR_DEFAULT):]
            default = option_default(value)
            return self.value_matches(default if default is not None else value, kind)
        name = _variable(value)
        if name is not None:
            return name in self._names_of_class(kind)
        return literal_matches(value, kind)

    def callee(self, call: ast.Call) -> Optional[str]:
        func = call.func
        if isinstance(func, ast.Call):  # `getattr(ssl, "name")(...)` calls `name`
            func = _getattr_named(func) or func
        if isinstance(func, ast.Name):
            return self.facts.aliases.get(func.id, func.id)
        return _last_name(func)

    def imports_any(self, roots: Sequence[str]) -> bool:
        return not roots or any(root in self.facts.roots for root in roots)

    # the shapes ------------------------------------------------------------------------
    def holds(self, candidate: Candidate) -> bool:
        return bool(self.matches(candidate))

    def matches(self, candidate: Candidate) -> List[Location]:
        """The nodes of this file that have the candidate's shape (computed once)."""
        found = self._matched.get(candidate)
        if found is None:
            found = self._matched[candidate] = list(self._matches(candidate))
        return found

    def _matches(self, candidate: Candidate) -> Iterator[Location]:
        if isinstance(candidate, KeywordArg):
            yield from self._keyword(candidate)
        elif isinstance(candidate, CallTo):
            yield from self._call_to(candidate)
        elif isinstance(candidate, AttributeStore):
            for attr, value, node in self.facts.attribute_stores:
                if attr in candidate.attrs and self.value_matches(value, candidate.value):
                    yield node
        elif isinstance(candidate, Appended):
            for value, statement in self.facts.appended:
                if self._appended_matches(value, candidate.value):
                    yield statement
        elif isinstance(candidate, NameStore):
            for name, value in self.facts.bound_names:
                if name in candidate.names and self.value_matches(value, candidate.value):
                    yield value
        elif isinstance(candidate, AnyNameStore):
            # the literal itself (any name may be bound to a name or an f-string)
            for _, value in self.facts.bound_names:
                if isinstance(value, ast.Constant) and literal_matches(value, candidate.value):
                    yield value
        elif isinstance(candidate, KeyedStore):
            for key, value, where in self.facts.keyed_stores:
                if key in candidate.keys and self.value_matches(value, candidate.value):
                    yield where
        elif isinstance(candidate, NameUse):
            yield from self._name_uses(candidate.names)
        elif isinstance(candidate, ConstantFunction):
            for function, value in self.facts.returned:
                if self.value_matches(value, candidate.value):
                    yield function
        elif isinstance(candidate, FunctionNamed):
            if self.imports_any(candidate.roots):
                yield from (function for function in self.facts.functions
                            if function.name in candidate.names)
        elif isinstance(candidate, ParamDefault):
            for name, default in self.facts.param_defaults:
                if name in candidate.names and self.value_matches(default, candidate.value):
                    yield default
        elif isinstance(candidate, Travel):
            yield from self._travel(candidate)
        elif isinstance(candidate, CallerArgument):
            yield from self._caller_argument(candidate)
        elif isinstance(candidate, NamePassed):
            yield from self._names_passed(candidate.names)
        elif isinstance(candidate, CallInto):
            yield from self._call_into(candidate)
        elif isinstance(candidate, OptionsPassed):
            yield from self._options_passed(candidate)
        elif isinstance(candidate, LookedUpIn):
            for call in self.facts.calls:
                if (isinstance(call.func, ast.Name) and call.func.id == "getattr" and call.args
                        and self.facts.imported.get(_root_name(call.args[0]) or "")
                        in candidate.roots):
                    yield call
        elif isinstance(candidate, TableBound):
            yield from self._table_bound(candidate.names)
        elif isinstance(candidate, UrlHolding):
            for string, text in self.facts.url_strings:
                if any(option.lower() + "=" in text for option in candidate.options):
                    yield string
        elif isinstance(candidate, JsonHolding):
            for string, text in self.facts.json_strings:
                if any(f'"{key}"' in text for key in candidate.keys):
                    yield string
        elif isinstance(candidate, ItemStore):
            if self.imports_any(candidate.roots):
                for container, node in self.facts.item_stores:
                    if self._container_matches(container, candidate.containers):
                        yield node
        else:
            raise TypeError(f"unknown candidate shape {candidate!r}")


    def screen(self, rules: Iterable[RuleClass]) -> List[RuleClass]:
        return [rule for rule in rules
                if not rule.candidates or any(self.holds(c) for c in rule.candidates)]

    def locations(self, rules: Iterable[Type[ScreenedRule]]) -> List[Location]:
        """Every node a finding of these rules can come from or depend on
        (`Rule.context_shapes`)."""
        found: List[Location] = []
        for rule in rules:
            for shape in (*rule.candidates, *rule.context_shapes):
                found.extend(self.matches(shape))
        return found

    def _calls_by_keyword(self) -> Dict[str, List[Tuple[ast.Call, ast.expr]]]:
        """keyword -> (call, value) of every call passing it; "" for the calls with `**`."""
        if self._keywords is None:
            self._keywords = {}
            for call in self.facts.calls:
                for argument in call.keywords:
                    self._keywords.setdefault(argument.arg or "", []).append((call, argument.value))
        return self._keywords

    def _keyword(self, candidate: KeywordArg) -> Iterator[Location]:
        if not self.imports_any(candidate.roots):
            return
        by_keyword = self._calls_by_keyword()
        for name in candidate.names:
            for call, value in by_keyword.get(name, ()):
                if self.value_matches(value, candidate.value):
                    yield call
        displays = [node for key, value, node in self.facts.dict_keys
                    if key in candidate.names and self.value_matches(value, candidate.value)]
        if self.facts.computed_keys:
            holding = self._names_holding_key(candidate.names)
            displays.extend(node for key, value, node, spelled in self.facts.computed_keys
                            if (key in holding if key else key_may_be(spelled, candidate.names))
                            and self.value_matches(value, candidate.value))
        if displays:
            yield from displays
            # `**NAME` may stand for one of these displays: every call that unpacks is a candidate.
            yield from (call for call, _ in by_keyword.get("", ()))

    def _travel(self, candidate: Travel) -> Iterator[Location]:
        """Sinks (a keyword given a value that is not a literal, or `**`) and the writes of an
        insecure value that can reach them: through the names the sinks pass (followed through
        names bound to names), the attributes they pass (`self.x`, a class attribute default),
        the default of a `.get`/`getattr`, or, for `**`, an item store, `update` or display
        under one of the keys. Only writes connected to a sink count."""
        names, kind = candidate.names, candidate.value
        if not self.imports_any(candidate.roots):
            return
        facts = self.facts
        # `kw.setdefault("verify", False)`: (key, value, the call)
        set_defaults: List[Tuple[Optional[str], ast.expr, Location]] = [
            (str(call.args[0].value), call.args[1], call) for call in facts.calls
            if _last_name(call.func) == "setdefault" and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant) and call.args[0].value in names]
        keyed = bool(set_defaults) or any(key in names for key, _, _ in facts.keyed_stores) or any(
            key in names for key, _, _ in facts.dict_keys) or any(
            keyword.arg in names for call in facts.calls for keyword in call.keywords
            if _last_name(call.func) == "update")
        sinks: List[Location] = []
        passed_names: Set[str] = set()
        passed_attrs: Set[str] = set()
        origins: List[Location] = []
        splatted = False
        for call in facts.calls:
            is_sink = False
            for argument in call.keywords:
                if argument.arg is None:
                    if keyed:
                        is_sink = splatted = True
                elif argument.arg in names and not isinstance(argument.value, ast.Constant):
                    is_sink = True
                    value = argument.value
                    if isinstance(value, ast.Name):
                        passed_names.add(value.id)
                    elif isinstance(value, ast.Attribute):
                        passed_attrs.add(value.attr)
                    elif _get_default_matches(value, kind):
                        origins.append(value)
            if is_sink:
                sinks.append(call)
        if not sinks:
            return
        if splatted:
            # what `**name` may carry under one of the keys: item stores, displays, and
            # `kw.update(verify=False)`; a name as the value is followed like a passed name
            entries: List[Tuple[Optional[str], ast.expr, Location]] = [
                (key, value, where) for key, value, where in
                (*facts.keyed_stores, *facts.dict_keys) if key in names]
            entries.extend((keyword.arg, keyword.value, call) for call in facts.calls
                           if _last_name(call.func) == "update"
                           for keyword in call.keywords if keyword.arg in names)
            entries.extend(set_defaults)
            for _, value, where in entries:
                name = _variable(value)
                if name is not None:
                    passed_names.add(name)
                elif literal_matches(value, kind):
                    origins.append(where)
        for attr, value, statement in facts.attribute_stores:
            if attr in passed_attrs:
                name = _variable(value)
                if name is not None:
                    passed_names.add(name)
                elif literal_matches(value, kind) or _get_default_matches(value, kind):
                    origins.append(statement)
        passed_names |= passed_attrs  # a class attribute default is a name bound in the class
        passed_names = _follow_chains(passed_names, facts.bound_names, backwards=True)
        origins.extend(value for name, value in facts.bound_names
                       if name in passed_names and _variable(value) is None
                       and (literal_matches(value, kind) or _get_default_matches(value, kind)))
        if origins:
            yield from sinks
            yield from origins

    def _call_into(self, candidate: CallInto) -> Iterator[Location]:
        facts = self.facts
        if candidate.beside and not any(_last_name(call.func) in candidate.beside
                                        for call in facts.calls):
            return
        # (not through the module itself, line, column): the first call into it, by preference
        # one of `module.name(...)`, whose root the rule resolves to the module whatever else
        found = [(facts.imported.get(root) == root, call.lineno, call.col_offset, call)
                 for call in facts.calls for root in (_root_name(call.func),)
                 if root is not None and facts.imported.get(root) in candidate.roots]
        if found:
            yield min(found, key=lambda entry: (not entry[0], entry[1], entry[2]))[3]

    def _appended_matches(self, value: ast.expr, kind: str) -> bool:
        """`x += value` may append a query of this class: a string whose literal parts name
        one of the options, or that holds a name bound to a literal that does
        (`url += f"?{OPTS}"`); `out += line + "\\n"` and `url += f"?page={n}"` do not."""
        fragments = string_fragments(value)
        if fragments is None or not kind.startswith(QUERY):
            return self.value_matches(value, kind)  # a name, a call, ...
        options = kind[len(QUERY):].split("|")
        if any(option + "=" in fragment.lower() for fragment in fragments
               for option in options):
            return True
        holds = HOLDING + kind[len(QUERY):]
        return any(isinstance(part, ast.Name) and self.value_matches(part, holds)
                   for part in ast.walk(value))

    def _options_passed(self, candidate: OptionsPassed) -> Iterator[Location]:
        facts = self.facts
        by_keyword = self._calls_by_keyword()
        kinds: Dict[str, Set[str]] = {}
        for key, kind in candidate.entries:
            kinds.setdefault(key, set()).add(kind)

        def entry(key: str, value: ast.expr) -> bool:
            return any(self.value_matches(value, kind) for kind in kinds.get(key, ()))

        if (any(entry(key, value) for key, value, _ in facts.dict_keys)
                or any(entry(key, value) for key, value, _ in facts.keyed_stores)
                or any(entry(key, value) for key in kinds for _, value in by_keyword.get(key, ()))
                or self._computed_entry(tuple(kinds), {kind for _, kind in candidate.entries})):
            calls = [call for keyword in candidate.keywords
                     for call, _ in by_keyword.get(keyword, ())]
            yield from calls
            if candidate.built and calls:
                yield from (node for key, value, node in facts.dict_keys if entry(key, value))
                yield from (node for key, value, node in facts.keyed_stores
                            if entry(key, value))
                yield from (function for function in facts.functions
                            if any(isinstance(node, ast.Return)
                                   and isinstance(node.value, ast.Tuple)
                                   for node in ast.walk(function)))

    def _computed_entry(self, keys: Tuple[str, ...], kinds: Set[str]) -> bool:
        """A dict display whose computed key may be one of `keys` (a name bound to it, or a
        key built from parts) holds a value of one of `kinds`."""
        computed = self.facts.computed_keys
        if not computed:
            return False
        holding = self._names_holding_key(keys)
        return any((key in holding if key else key_may_be(spelled, keys))
                   and self.value_matches(value, kind)
                   for key, value, _, spelled in computed for kind in kinds)

    def _caller_argument(self, candidate: CallerArgument) -> Iterator[Location]:
        sinks: List[Location] = [
            call for call in self.facts.calls
            if any(keyword.arg in candidate.names and isinstance(keyword.value, ast.Name)
                   for keyword in call.keywords)]
        passed = {keyword.value.id for call in sinks if isinstance(call, ast.Call)
                  for keyword in call.keywords
                  if keyword.arg in candidate.names and isinstance(keyword.value, ast.Name)}
        if candidate.stored:  # `settings["NAME"] = v`, `{"NAME": v}`
            for key, value, where in (*self.facts.keyed_stores, *self.facts.dict_keys):
                if key in candidate.names and isinstance(value, ast.Name):
                    sinks.append(where)
                    passed.add(value.id)
        if not sinks:
            return
        # through locals (`v = verify` ... `verify=v`)
        passed = _follow_chains(passed, self.facts.bound_names, backwards=True)
        by_callee: Dict[str, List[ast.Call]] = {}
        for call in self.facts.calls:
            name = _last_name(call.func)
            if name is not None:
                by_callee.setdefault(name, []).append(call)
        relays: List[ast.Call] = []
        cases: List[ast.expr] = []
        callers = False
        # the function with the sink, and one that passes its parameter on
        for _ in range(2):
            parameters = list(self._parameters_in(passed))
            arguments = [
                (call, value) for function, parameter, index in parameters
                for call in by_callee.get(function.name, ())
                for value in _argument_for(call, parameter, index, _is_method(function))]
            relays = list({id(call): call for call, _ in arguments}.values())
            callers = callers or any(self.value_matches(value, candidate.value)
                                     for _, value in arguments)
            # a test's parameter: its parametrization's cases may hold the value
            cases.extend(decorator for function, _, _ in parameters
                         for decorator in self._parametrizing(function, candidate.value))
            passed |= {value.id for _, value in arguments if isinstance(value, ast.Name)}
        if callers or cases:
            yield from sinks
            yield from relays
            yield from {id(case): case for case in cases}.values()

    def _parametrizing(self, function: Union[ast.FunctionDef, ast.AsyncFunctionDef],
                       kind: str) -> Iterator[ast.expr]:
        """The `parametrize(...)` / `expand(...)` decorators of the function whose cases hold
        a literal of class `kind` (loose: any of its arguments, also a display a name the
        cases are given by is bound to)."""
        for decorator in function.decorator_list:
            if not (isinstance(decorator, ast.Call)
                    and _last_name(decorator.func) in _PARAMETRIZING):
                continue
            given: List[ast.AST] = [*decorator.args, *(k.value for k in decorator.keywords)]
            names = {arg.id for arg in given if isinstance(arg, ast.Name)}
            given.extend(value for name, value in self.facts.bound_names if name in names)
            if any(isinstance(node, ast.Constant) and literal_matches(node, kind)
                   for arg in given for node in ast.walk(arg)):
                yield decorator

    def _table_bound(self, names: Tuple[str, ...]) -> Iterator[Location]:
        """Names bound to a table that holds one of `names` under a string key."""
        facts = self.facts
        wanted = set(names) | {alias for alias, name in facts.aliases.items() if name in names}

        def refers(value: ast.AST) -> bool:
            if isinstance(value, ast.Call):
                value = _getattr_named(value) or value
            return ((isinstance(value, ast.Attribute) and value.attr in wanted)
                    or (isinstance(value, ast.Name) and value.id in wanted))

        tables = {target.value.id for _, value, statement in facts.keyed_stores
                  if refers(value)
                  for target in (statement.targets if isinstance(statement, ast.Assign)
                                 else [getattr(statement, "target", None)])
                  if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)}
        if tables:
            yield from (value for _, value in facts.bound_names
                        if isinstance(value, ast.Name) and value.id in tables)

    def _parameters_in(self, names: Set[str]
                       ) -> Iterator[Tuple[Union[ast.FunctionDef, ast.AsyncFunctionDef], str,
                                           Optional[int]]]:
        """(function, parameter, its position or None for a keyword-only one) of every
        parameter of a function of the file named one of `names`."""
        for function in self.facts.functions:
            arguments = function.args
            for index, arg in enumerate((*arguments.posonlyargs, *arguments.args)):
                if arg.arg in names:
                    yield function, arg.arg, index
            for arg in arguments.kwonlyargs:
                if arg.arg in names:
                    yield function, arg.arg, None

    def _names_passed(self, names: Tuple[str, ...]) -> Iterator[Location]:
        """Calls and returns that pass a name (or `x.attr`) bound somewhere to one of `names`."""
        facts = self.facts
        wanted = set(names) | {alias for alias, name in facts.aliases.items() if name in names}

        def refers(value: ast.AST) -> bool:
            return ((isinstance(value, ast.Attribute) and value.attr in wanted)
                    or (isinstance(value, ast.Name) and value.id in wanted))

        holders = _follow_chains({name for name, value in facts.bound_names if refers(value)},
                                 facts.bound_names)
        # `self.attr = ...`, and a class attribute default, which bound_names holds
        holders |= {attr for attr, value, _ in facts.attribute_stores if refers(value)}
        if not holders:
            return

        def passed(value: ast.AST) -> bool:
            return ((isinstance(value, ast.Name) and value.id in holders)
                    or (isinstance(value, ast.Attribute) and value.attr in holders))

        for call in facts.calls:
            if any(passed(value) for value in (*call.args,
                                               *(keyword.value for keyword in call.keywords))):
                yield call
        yield from (node for node in facts.returns if node.value is not None
                    and passed(node.value))

    def _name_uses(self, names: Tuple[str, ...]) -> Iterator[Location]:
        """A walk of its own, only asked for files whose bytes hold one of the names; with the
        bytes, only of the top-level statements on whose lines a name occurs."""
        wanted = set(names) | {alias for alias, name in self.facts.aliases.items()
                               if name in names}
        tree = self.facts.tree
        statements = getattr(tree, "body", None)
        # a non-ASCII name may be spelled otherwise in the file's encoding, and an ASCII one
        # with look-alike characters (`PROTOCOL_ＳSLv3`): walk everything
        if (self.data is not None and statements is not None
                and all(word.isascii() for word in wanted)
                and lookalikes.respelled(self.data) is None):
            lines = lines_holding(self.data, wanted)
            statements = [node for node in statements
                          if holds_line(lines, first_line(node), node.end_lineno or node.lineno)]
        else:
            statements = [tree]
        for statement in statements:
            for node in ast.walk(statement):
                if (isinstance(node, ast.Attribute) and node.attr in wanted) or (
                        isinstance(node, ast.Name) and node.id in wanted):
                    yield node

    def _call_to(self, candidate: CallTo) -> Iterator[Location]:
        if not self.imports_any(candidate.roots):
            return
        if self._callees is None:
            self._callees = {}
            # `unverified = ssl._create_unverified_context` ... `unverified()`
            assigned: Dict[str, Set[str]] = {}
            for bound, value in self.facts.bound_names:
                if isinstance(value, ast.Call):  # `getattr(ssl, "name", None)`
                    value = _getattr_named(value) or value
                last = _last_name(value)
                if last is not None and isinstance(value, (ast.Attribute, ast.Name)):
                    assigned.setdefault(bound, set()).add(last)
            for call in self.facts.calls:
                name = self.callee(call)
                self._callees.setdefault(name, []).append(call)
                if isinstance(call.func, ast.Name):
                    for alias in assigned.get(call.func.id, ()):
                        self._callees.setdefault(alias, []).append(call)
        for call in (call for name in candidate.names for call in self._callees.get(name, ())):
            if candidate.receivers and not (
                    isinstance(call.func, ast.Attribute)
                    and self._container_matches(call.func.value, candidate.receivers)):
                continue
            if candidate.unless_keyword is not None and any(
                    keyword.arg is None or keyword.arg == candidate.unless_keyword
                    for keyword in call.keywords):
                continue
            if candidate.argument is not None and not self._argument_allows(call,
                                                                            candidate.argument):
                continue
            yield call

    def _argument_allows(self, call: ast.Call, argument: Argument) -> bool:
        if any(keyword.arg is None for keyword in call.keywords):
            return False
        if any(isinstance(value, ast.Starred) for value in call.args[:argument.position + 1]):
            return True
        given = [keyword.value for keyword in call.keywords if keyword.arg in argument.keywords]
        if len(call.args) > argument.position:
            given.append(call.args[argument.position])
        return not given or any(self._argument_value_matches(value, argument)
                                for value in given)

    def _argument_value_matches(self, value: ast.AST, argument: Argument) -> bool:
        if argument.value is not None and self.value_matches(value, argument.value):
            return True
        if not argument.prefix or not isinstance(value, (ast.Name, ast.Attribute)):
            return False
        if isinstance(value, ast.Name):
            name = self.facts.aliases.get(value.id, value.id)
            if value.id in self._names_bound_to_prefix(argument):
                return True  # `proto = ssl.PROTOCOL_TLS` ... `SSLContext(proto)`
        else:
            name = value.attr
        return name.startswith(argument.prefix) and name not in argument.excluded

    def _names_bound_to_prefix(self, argument: Argument) -> Set[str]:
        """Names bound somewhere to a constant `argument` accepts by its prefix (or to such a
        name)."""
        key = f"prefix:{argument.prefix}:{','.join(argument.excluded)}"
        found = self._name_cache.get(key)
        if found is None:
            found = set()
            for bound, value in self.facts.bound_names:
                name = (value.attr if isinstance(value, ast.Attribute)
                        else self.facts.aliases.get(value.id, value.id)
                        if isinstance(value, ast.Name) else "")
                if name.startswith(argument.prefix) and name not in argument.excluded:
                    found.add(bound)
            found = self._name_cache[key] = _follow_chains(found, self.facts.bound_names)
        return found

    def _container_matches(self, container: ast.AST, names: Tuple[str, ...]) -> bool:
        if isinstance(container, ast.Name):
            return self.facts.aliases.get(container.id, container.id) in names
        return _last_name(container) in names


def parse(data: bytes) -> Optional[ast.Module]:
    """The stdlib tree of a file, or None when this Python cannot parse it (libcst decides,
    unless parse_guard says it must not)."""
    return parse_guard.parse(data)[0]


def screen(data: bytes, rules: Iterable[RuleClass]) -> List[RuleClass]:
    """The rules that have a candidate node in `data`; all of them when `ast` cannot parse it.

    A rule without declared candidates is always kept (it is screened by bytes only).
    """
    rules = list(rules)
    if not rules:
        return rules
    tree = parse(data)
    if tree is None:
        return rules
    return FileFacts(tree).screen(rules)
