"""The syntax screen: does a file hold a node that some enabled rule could report?

Each rule declares, in `Rule.candidates`, the shapes its findings can have (a call with a
keyword, a call to a name, an attribute store, an item store). This module checks those shapes
on the stdlib `ast` tree, which parses about ten times faster than libcst, so libcst only parses
files that can produce a finding. The test is deliberately loose (a superset of what the rules
report): it never decides a finding, libcst and the rules do. A file `ast` cannot parse goes to
libcst unscreened. Only the standard library is imported here.
"""

from __future__ import annotations

import ast
import bisect
import keyword
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from corptls_lint.source import parse_guard

# -- value classes: which expressions a rule's value test could accept ---------------------
# They mirror values.py: a literal, or a name that may be bound (once) to such a literal.
ANY = "any"
FALSY = "falsy"  # values.is_falsy: False, 0, "" (also through names, f-strings, `+`)
PATH = "path"  # values.is_hardcoded_path: a non-empty literal string
CERT_NONE = "cert-none"  # ssl.CERT_NONE under any import path, or the string "CERT_NONE"/"NONE"
TRUTHY = "truthy"  # True or a non-zero integer (`insecure=True`)
NONE = "none"  # the literal None (`context=None`)

_BUILT_STRINGS = (ast.JoinedStr, ast.BinOp)  # f-strings and `+` may evaluate to any string


def _literal_matches(value: ast.AST, kind: str) -> bool:
    """Whether a non-name expression may have a value of this class."""
    if kind == ANY:
        return True
    if isinstance(value, _BUILT_STRINGS):
        return True
    if kind == FALSY:
        return (isinstance(value, ast.Constant) and value.value is not None
                and not isinstance(value.value, bytes) and not value.value)
    if kind == TRUTHY:
        return (isinstance(value, ast.Constant) and type(value.value) in (bool, int)
                and bool(value.value))
    if kind == PATH:
        return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value != ""
    if kind == NONE:
        return isinstance(value, ast.Constant) and value.value is None
    if kind == CERT_NONE:
        if isinstance(value, ast.Attribute):
            return value.attr == "CERT_NONE"
        return isinstance(value, ast.Constant) and value.value in ("CERT_NONE", "NONE")
    raise ValueError(f"unknown value class {kind!r}")


# -- candidate shapes a rule declares ------------------------------------------------------
@dataclass(frozen=True)
class KeywordArg:
    """A call passing one of `names` as a keyword (or as a string key of a `**{...}` display,
    or of any dict display, since `**NAME` may stand for it) with a value of class `value`.
    With `roots`, the file must also import one of these top-level modules."""

    names: Tuple[str, ...]
    value: str = ANY
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Argument:
    """The argument that decides whether a call can be a finding: the one at `position`, or
    passed as one of `keywords`. A call without it can; one passing it, only with a value of
    class `value` (None: no class), or with a name or attribute that ends in a constant starting
    with `prefix` other than the `excluded` ones (an imported alias counts under its imported
    name). A `*` argument may be it, so such a call can; a call with `**` cannot."""

    position: int
    keywords: Tuple[str, ...]
    value: Optional[str] = None
    prefix: str = ""
    excluded: Tuple[str, ...] = ()


@dataclass(frozen=True)
class CallTo:
    """A call whose callee ends in one of `names` (`x.y.name(...)`, `name(...)`, or an alias
    imported as `from m import name as alias`). With `roots`, the file must also import one of
    these top-level modules (names resolve only through absolute imports). With
    `unless_keyword`, calls passing that keyword or any `**` are not candidates. With
    `receivers`, the callee must be a method of something whose name ends in one of them
    (`os.environ.update(...)`, `environ.update(...)` with environ imported under any name).
    With `argument`, the call must also pass (or lack) it as `Argument` says."""

    names: Tuple[str, ...]
    roots: Tuple[str, ...] = ()
    unless_keyword: Optional[str] = None
    receivers: Tuple[str, ...] = ()
    argument: Optional[Argument] = None


@dataclass(frozen=True)
class AttributeStore:
    """`<target>.<attr> = value` for one of `attrs`, with a value of class `value`."""

    attrs: Tuple[str, ...]
    value: str = ANY


@dataclass(frozen=True)
class ItemStore:
    """`<container>[key] = value` where the container ends in one of `containers` (or an alias of
    it), in a file that imports one of `roots`."""

    containers: Tuple[str, ...]
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class NameUse:
    """A reference to one of `names`: `x.NAME`, `NAME`, or an alias imported as
    `from m import NAME as alias` (TLS501's protocol constants, which any call may take)."""

    names: Tuple[str, ...]


@dataclass(frozen=True)
class ConstantFunction:
    """A function whose body (less a docstring) is one `return <value>` of class `value`
    (a pyOpenSSL verify callback that accepts everything)."""

    value: str = ANY


@dataclass(frozen=True)
class Travel:
    """A value that may travel to a keyword inside the module: a call passes one of `names`
    a value that is not a literal (a name, `self.x`, a call) or passes `**` something, and the
    file writes a value of class `value` somewhere it could come from (an assignment, an
    item store under one of `names`, the default of a two-argument `.get` or `getattr`).
    A `**` sink counts only in a file that stores or displays one of `names` as a string key.
    With `roots`, the file must also import one of these top-level modules."""

    names: Tuple[str, ...]
    value: str = ANY
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class CallerArgument:
    """A value that travels into a function of the module from a call site: a call passes one
    of `names` a plain name (`requests.get(u, verify=verify)`) that is a parameter of a
    function defined in the file, and a call to a function of that name (`fetch(...)`,
    `self.fetch(...)`) passes an argument of class `value`. Both calls are locations."""

    names: Tuple[str, ...]
    value: str = ANY


@dataclass(frozen=True)
class ParamDefault:
    """A parameter named one of `names` with a default of class `value` (`def f(verify_ssl=False)`)."""

    names: Tuple[str, ...]
    value: str = ANY


Candidate = object  # one of the dataclasses above


# -- the facts about one file that the shapes are checked against --------------------------
class _Facts:
    """One pass over the ast tree that records every fact a candidate shape can ask about.

    A hand-rolled walk: `ast.NodeVisitor` costs as much again as the parse itself.
    """

    def __init__(self, tree: ast.AST) -> None:
        self.calls: List[ast.Call] = []
        # (key, value, the display) of dict displays; key "" for a computed key
        self.dict_keys: List[Tuple[str, ast.AST, ast.AST]] = []
        # (the key's name, or "" for a key built from parts; value; the display)
        self.computed_keys: List[Tuple[str, ast.AST, ast.AST]] = []
        self.attribute_stores: List[Tuple[str, ast.AST, ast.AST]] = []  # (attr, value, stmt)
        self.item_stores: List[Tuple[ast.AST, ast.AST]] = []  # (container, stmt)
        self.keyed_stores: List[Tuple[str, ast.AST, ast.AST]] = []  # (str key, value, stmt)
        self.roots: Set[str] = set()
        self.aliases: Dict[str, str] = {}  # local name -> imported name
        self.bound_names: List[Tuple[str, ast.AST]] = []  # NAME = value, parameter defaults
        self.returned: List[Tuple[ast.AST, ast.AST]] = []  # (one-return function, its value)
        self.param_defaults: List[Tuple[str, ast.AST]] = []  # (parameter, its default)
        self.functions: List[ast.AST] = []  # every def and async def
        self.tree = tree
        handlers = {
            ast.FunctionDef: self._function, ast.AsyncFunctionDef: self.functions.append,
            ast.Call: self.calls.append, ast.Dict: self._dict, ast.Assign: self._assign,
            ast.AnnAssign: self._ann_assign, ast.arguments: self._arguments,
            ast.Import: self._import, ast.ImportFrom: self._import_from,
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
            self.roots.add(alias.name.split(".", 1)[0])

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self.roots.add(node.module.split(".", 1)[0])
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name

    def _assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._store(target, node.value, node)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._store(node.target, node.value, node)

    def _store(self, target: ast.AST, value: ast.AST, statement: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.bound_names.append((target.id, value))
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
        for arg, default in zip(node.kwonlyargs, node.kw_defaults):
            if default is not None:
                self.bound_names.append((arg.arg, default))
                self.param_defaults.append((arg.arg, default))

    def _dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.dict_keys.append((key.value, value, node))
            elif isinstance(key, ast.Name):  # a constant holding the key (`{KEY: False}`)
                self.computed_keys.append((key.id, value, node))
            elif isinstance(key, _BUILT_STRINGS):  # an f-string or `+` may spell any key
                self.computed_keys.append(("", value, node))


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


def _follow_chains(names: Set[str], bound: Sequence[Tuple[str, ast.AST]],
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


def _get_default_matches(node: ast.AST, kind: str) -> bool:
    """`mapping.get("key", default)` or `getattr(obj, "name", default)` with such a default."""
    return (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords
            and _last_name(node.func) in ("get", "getattr")
            and _literal_matches(node.args[1], kind))


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
        self._matched: Dict[Candidate, List[ast.AST]] = {}  # the screen's, for the slicing
        self._keywords: Optional[Dict[str, List[Tuple[ast.Call, ast.AST]]]] = None
        self._callees: Optional[Dict[Optional[str], List[ast.Call]]] = None

    def _names_of_class(self, kind: str) -> Set[str]:
        """Names bound somewhere in the file (any scope) to a value of this class, or to a
        name that is (a chain the evaluator may follow). CERT_NONE also comes in by import,
        under its own name or an alias (`from ssl import CERT_NONE as NONE`)."""
        found = self._name_cache.get(kind)
        if found is None:
            found = {name for name, value in self.facts.bound_names
                     if not isinstance(value, ast.Name) and _literal_matches(value, kind)}
            if kind == CERT_NONE:
                found.add("CERT_NONE")
                found.update(alias for alias, name in self.facts.aliases.items()
                             if name == "CERT_NONE")
            found = _follow_chains(found, self.facts.bound_names)
            self._name_cache[kind] = found
        return found

    def _names_holding_key(self, keys: Tuple[str, ...]) -> Set[str]:
        """Names bound somewhere to one of these strings (or to such a name)."""
        found = {name for name, value in self.facts.bound_names
                 if isinstance(value, ast.Constant) and value.value in keys}
        return _follow_chains(found, self.facts.bound_names)

    def value_matches(self, value: ast.AST, kind: str) -> bool:
        if kind == ANY:
            return True
        if isinstance(value, ast.Name):
            return value.id in self._names_of_class(kind)
        return _literal_matches(value, kind)

    def callee(self, call: ast.Call) -> Optional[str]:
        name = _last_name(call.func)
        if isinstance(call.func, ast.Name):
            name = self.facts.aliases.get(name, name)
        return name

    def imports_any(self, roots: Sequence[str]) -> bool:
        return not roots or any(root in self.facts.roots for root in roots)

    # the shapes ------------------------------------------------------------------------
    def holds(self, candidate: Candidate) -> bool:
        return bool(self.matches(candidate))

    def matches(self, candidate: Candidate) -> List[ast.AST]:
        """The nodes of this file that have the candidate's shape (computed once)."""
        found = self._matched.get(candidate)
        if found is None:
            found = self._matched[candidate] = list(self._matches(candidate))
        return found

    def _matches(self, candidate: Candidate) -> Iterator[ast.AST]:
        if isinstance(candidate, KeywordArg):
            yield from self._keyword(candidate)
        elif isinstance(candidate, CallTo):
            yield from self._call_to(candidate)
        elif isinstance(candidate, AttributeStore):
            for attr, value, node in self.facts.attribute_stores:
                if attr in candidate.attrs and self.value_matches(value, candidate.value):
                    yield node
        elif isinstance(candidate, NameUse):
            yield from self._name_uses(candidate.names)
        elif isinstance(candidate, ConstantFunction):
            for function, value in self.facts.returned:
                if self.value_matches(value, candidate.value):
                    yield function
        elif isinstance(candidate, ParamDefault):
            for name, default in self.facts.param_defaults:
                if name in candidate.names and self.value_matches(default, candidate.value):
                    yield default
        elif isinstance(candidate, Travel):
            yield from self._travel(candidate)
        elif isinstance(candidate, CallerArgument):
            yield from self._caller_argument(candidate)
        elif isinstance(candidate, ItemStore):
            if self.imports_any(candidate.roots):
                for container, node in self.facts.item_stores:
                    if self._container_matches(container, candidate.containers):
                        yield node
        else:
            raise TypeError(f"unknown candidate shape {candidate!r}")

    def screen(self, rules: Iterable[type]) -> List[type]:
        return [rule for rule in rules
                if not rule.candidates or any(self.holds(c) for c in rule.candidates)]

    def locations(self, rules: Iterable[type]) -> List[ast.AST]:
        """Every node a finding of these rules can come from or depend on (`Rule.context`)."""
        found: List[ast.AST] = []
        for rule in rules:
            for shape in (*rule.candidates, *rule.context):
                found.extend(self.matches(shape))
        return found

    def _calls_by_keyword(self) -> Dict[str, List[Tuple[ast.Call, ast.AST]]]:
        """keyword -> (call, value) of every call passing it; "" for the calls with `**`."""
        if self._keywords is None:
            self._keywords = {}
            for call in self.facts.calls:
                for argument in call.keywords:
                    self._keywords.setdefault(argument.arg or "", []).append((call, argument.value))
        return self._keywords

    def _keyword(self, candidate: KeywordArg) -> Iterator[ast.AST]:
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
            displays.extend(node for key, value, node in self.facts.computed_keys
                            if (key == "" or key in holding)
                            and self.value_matches(value, candidate.value))
        if displays:
            yield from displays
            # `**NAME` may stand for one of these displays: every call that unpacks is a candidate.
            yield from (call for call, _ in by_keyword.get("", ()))

    def _travel(self, candidate: Travel) -> Iterator[ast.AST]:
        """Sinks (a keyword given a value that is not a literal, or `**`) and the writes of an
        insecure value that can reach them: through the names the sinks pass (followed through
        names bound to names), the attributes they pass (`self.x`, a class attribute default),
        the default of a `.get`/`getattr`, or, for `**`, an item store, `update` or display
        under one of the keys. Only writes connected to a sink count."""
        names, kind = candidate.names, candidate.value
        if not self.imports_any(candidate.roots):
            return
        facts = self.facts
        keyed = any(key in names for key, _, _ in facts.keyed_stores) or any(
            key in names for key, _, _ in facts.dict_keys) or any(
            keyword.arg in names for call in facts.calls for keyword in call.keywords
            if _last_name(call.func) == "update")
        sinks: List[ast.AST] = []
        passed_names: Set[str] = set()
        passed_attrs: Set[str] = set()
        origins: List[ast.AST] = []
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
            entries = [(key, value, where) for key, value, where in
                       (*facts.keyed_stores, *facts.dict_keys) if key in names]
            entries.extend((keyword.arg, keyword.value, call) for call in facts.calls
                           if _last_name(call.func) == "update"
                           for keyword in call.keywords if keyword.arg in names)
            for _, value, where in entries:
                if isinstance(value, ast.Name):
                    passed_names.add(value.id)
                elif _literal_matches(value, kind):
                    origins.append(where)
        for attr, value, statement in facts.attribute_stores:
            if attr in passed_attrs:
                if isinstance(value, ast.Name):
                    passed_names.add(value.id)
                elif _literal_matches(value, kind) or _get_default_matches(value, kind):
                    origins.append(statement)
        passed_names |= passed_attrs  # a class attribute default is a name bound in the class
        passed_names = _follow_chains(passed_names, facts.bound_names, backwards=True)
        origins.extend(value for name, value in facts.bound_names
                       if name in passed_names and not isinstance(value, ast.Name)
                       and (_literal_matches(value, kind) or _get_default_matches(value, kind)))
        if origins:
            yield from sinks
            yield from origins

    def _caller_argument(self, candidate: CallerArgument) -> Iterator[ast.AST]:
        sinks = [call for call in self.facts.calls
                 if any(keyword.arg in candidate.names and isinstance(keyword.value, ast.Name)
                        for keyword in call.keywords)]
        if not sinks:
            return
        passed = {keyword.value.id for call in sinks for keyword in call.keywords
                  if keyword.arg in candidate.names and isinstance(keyword.value, ast.Name)}
        functions = {function.name for function in self.facts.functions
                     if any(arg.arg in passed for arg in (*function.args.posonlyargs,
                                                          *function.args.args,
                                                          *function.args.kwonlyargs))}
        callers = [call for call in self.facts.calls if _last_name(call.func) in functions
                   and any(self.value_matches(value, candidate.value) for value in (
                       *call.args, *(keyword.value for keyword in call.keywords)))]
        if callers:
            yield from sinks
            yield from callers

    def _name_uses(self, names: Tuple[str, ...]) -> Iterator[ast.AST]:
        """A walk of its own, only asked for files whose bytes hold one of the names; with the
        bytes, only of the top-level statements on whose lines a name occurs."""
        wanted = set(names) | {alias for alias, name in self.facts.aliases.items()
                               if name in names}
        tree = self.facts.tree
        statements = getattr(tree, "body", None)
        # a non-ASCII name may be spelled otherwise in the file's encoding: walk everything
        if (self.data is not None and statements is not None
                and all(word.isascii() for word in wanted)):
            lines = _lines_holding(self.data, wanted)
            statements = [node for node in statements
                          if _holds_line(lines, first_line(node), node.end_lineno or node.lineno)]
        else:
            statements = [tree]
        for statement in statements:
            for node in ast.walk(statement):
                if (isinstance(node, ast.Attribute) and node.attr in wanted) or (
                        isinstance(node, ast.Name) and node.id in wanted):
                    yield node

    def _call_to(self, candidate: CallTo) -> Iterator[ast.AST]:
        if not self.imports_any(candidate.roots):
            return
        if self._callees is None:
            self._callees = {}
            for call in self.facts.calls:
                self._callees.setdefault(self.callee(call), []).append(call)
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
        name = _last_name(value)
        if isinstance(value, ast.Name):
            name = self.facts.aliases.get(name, name)
        return name.startswith(argument.prefix) and name not in argument.excluded

    def _container_matches(self, container: ast.AST, names: Tuple[str, ...]) -> bool:
        name = _last_name(container)
        if isinstance(container, ast.Name):
            name = self.facts.aliases.get(name, name)
        return name in names


def parse(data: bytes) -> Optional[ast.AST]:
    """The stdlib tree of a file, or None when this Python cannot parse it (libcst decides,
    unless parse_guard says it must not)."""
    return parse_guard.parse(data)[0]


def screen(data: bytes, rules: Iterable[type]) -> List[type]:
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


# -- slicing: what libcst does not need to see ---------------------------------------------
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_INDENT = re.compile(r"[ \t\f]*")
# Nodes whose children may hold definitions (ast.match_case exists from Python 3.10 on).
_BLOCKS = tuple(getattr(ast, name) for name in ("stmt", "excepthandler", "match_case")
                if hasattr(ast, name))


def stub_definitions(text: str, tree: ast.AST, locations: Sequence[ast.AST],
                     must_stub: Sequence[ast.stmt] = (), mark: bool = False) -> Optional[str]:
    """`text` with what holds no location stubbed out, so libcst parses less.

    Every function and class that holds no location becomes a stub of the same lines:
    `def name(): pass`, or for a definition of several lines `def name():` and a triple-quoted
    string over the lines in between (one token, which libcst parses far faster than as many
    blank lines). In a module of many top-level statements, each run of statements that holds
    no location and names nothing the kept statements name becomes one such string too, so
    a 150,000-line module costs libcst its few relevant lines.

    Line numbers and the text of every kept line are unchanged, so positions and `# noqa` stay
    right, and every name a kept statement uses is bound the same number of times.

    `must_stub`: top-level statements libcst must not see (nested too deep); None when one of
    them cannot be stubbed (it holds a location, or a kept statement names what it names).
    `mark`: each stub holds the string STUB_MARK + "FIRST-LAST" (its lines), so the fixer can
    put the original lines back around what it rewrote (see `unstub`).
    """
    lines = sorted({node.lineno for node in locations})
    spans: List[Tuple[int, int, str]] = []  # (first line, last line, stub)
    in_runs: Set[int] = set()  # ids of the top-level statements inside a stubbed run
    if len(tree.body) >= _RUNS_FROM or must_stub:
        for first, last, statements in _unrelated_runs(tree.body, lines, text,
                                                       one_line=bool(must_stub)):
            spans.append((first, last, ""))
            in_runs.update(map(id, statements))
    for statement in must_stub:
        if id(statement) in in_runs:
            continue
        if not isinstance(statement, _DEFINITIONS) or _holds_line(
                lines, first_line(statement), statement.end_lineno or statement.lineno):
            return None  # a definition holding no location is stubbed below

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if id(child) in in_runs:
                continue
            if isinstance(child, _DEFINITIONS):
                first = first_line(child)
                last = child.end_lineno or child.lineno
                index = bisect.bisect_left(lines, first)
                if index < len(lines) and lines[index] <= last:
                    visit(child)
                else:
                    head = f"class {child.name}:" if isinstance(child, ast.ClassDef) else (
                        f"def {child.name}():")
                    spans.append((first, last, head))
            elif isinstance(child, _BLOCKS):
                visit(child)

    visit(tree)
    if not spans:
        return text
    pieces = _LINE_BREAK.split(text)  # line, break, line, break, ..., last line
    for first, last, head in spans:
        at = 2 * (first - 1)
        indent = _INDENT.match(pieces[at]).group()
        label = f"{STUB_MARK}{first}-{last}" if mark else ""
        if first == last:
            body = f'"{label}"' if mark else "pass"
            pieces[at] = f"{indent}{head} {body}" if head else body
            continue
        pieces[at] = f'{indent}{head} """{label}' if head else f'"""{label}'
        for line in range(first + 1, last):
            pieces[2 * (line - 1)] = ""
        pieces[2 * (last - 1)] = '"""'
    return "".join(pieces)


STUB_MARK = "corptls-stub-"
_STUB_LABEL = re.compile(re.escape(STUB_MARK) + r"(\d+)-(\d+)")


def stub_spans(sliced: str) -> List[Tuple[int, int]]:
    """The (first, last) lines of each stub that `stub_definitions(..., mark=True)` wrote."""
    return [(int(match.group(1)), int(match.group(2)))
            for match in _STUB_LABEL.finditer(sliced)]


def stubbed_text(sliced: str, original: str) -> Optional[str]:
    """The lines of `original` that the marked `sliced` text stubbed out, joined; None when
    the two do not have the same lines."""
    lines = _split_lines(original)
    if len(lines) != len(_split_lines(sliced)):
        return None
    return "".join(line for first, last in stub_spans(sliced) for line in lines[first - 1:last])


def unstub(rewritten: str, sliced: str, original: str) -> Optional[str]:
    """`rewritten` (a rewrite of the marked `sliced` text of `original`) with each stub's lines
    replaced by the original lines it stands for. None when a stub is missing, out of order or
    changed: the rewrite then has to be done on the whole text."""
    old_lines = _split_lines(sliced)
    new_lines = _split_lines(rewritten)
    source_lines = _split_lines(original)
    if len(old_lines) != len(source_lines):
        return None
    starts = [0]  # the offset in `rewritten` where each of its lines starts
    for line in new_lines:
        starts.append(starts[-1] + len(line))
    out: List[str] = []
    cursor = 0  # the first line of `rewritten` not yet copied
    labels = _STUB_LABEL.finditer(rewritten)
    for first, last in stub_spans(sliced):
        match = next(labels, None)
        if match is None or (int(match.group(1)), int(match.group(2))) != (first, last):
            return None
        at_line = bisect.bisect_right(starts, match.start()) - 1  # the line holding the label
        count = last - first + 1
        if at_line < cursor or new_lines[at_line:at_line + count] != old_lines[first - 1:last]:
            return None
        out.extend(new_lines[cursor:at_line])
        out.extend(source_lines[first - 1:last])
        cursor = at_line + count
    if next(labels, None) is not None:
        return None
    out.extend(new_lines[cursor:])
    return "".join(out)


def _split_lines(text: str) -> List[str]:
    """Lines with their breaks (CR LF, CR or LF, as `_LINE_BREAK` counts them)."""
    pieces = _LINE_BREAK.split(text)
    lines = [pieces[i] + pieces[i + 1] for i in range(0, len(pieces) - 1, 2)]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


# Below this many top-level statements, stubbing definitions is all the slicing there is.
_RUNS_FROM = 200


def first_line(node: ast.AST) -> int:
    decorators = getattr(node, "decorator_list", None)
    if not decorators:
        return node.lineno
    return min(min(d.lineno for d in decorators), node.lineno)


def _unrelated_runs(body: Sequence[ast.stmt], location_lines: Sequence[int], text: str,
                    one_line: bool = False) -> Iterator[Tuple[int, int, List[ast.stmt]]]:
    """Runs of top-level statements that hold no location, import nothing and name nothing
    that a kept statement names (followed to a fixpoint): (first line, last line, statements).
    A run sharing a line with a kept statement (`a = 1; b = 2`) is not stubbed, nor (unless
    `one_line`) a run of one line, which costs libcst little."""
    spans = [(first_line(node), node.end_lineno or node.lineno) for node in body]
    pieces = _LINE_BREAK.split(text)
    source_lines = pieces[::2]
    kept = [isinstance(node, (ast.Import, ast.ImportFrom))
            or _holds_line(location_lines, *span) for node, span in zip(body, spans)]
    if not _keep_naming_statements(kept, spans, source_lines, pieces, text):
        _keep_naming_statements_indexed(kept, spans, source_lines)
    index = 0
    while index < len(body):
        if kept[index]:
            index += 1
            continue
        start = index
        while index < len(body) and not kept[index]:
            index += 1
        first, last = spans[start][0], spans[index - 1][1]
        before = spans[start - 1][1] if start else 0
        after = spans[index][0] if index < len(body) else last + 1
        if before < first and last < after and (last > first or one_line):
            yield first, last, list(body[start:index])


def _keep_naming_statements_indexed(kept: List[bool], spans: Sequence[Tuple[int, int]],
                                    source_lines: Sequence[str]) -> None:
    """Keep every statement that names something a kept statement names, to a fixpoint, from
    an index of every statement's words."""
    mentions = [_words(source_lines[first - 1:last]) for first, last in spans]
    by_name: Dict[str, List[int]] = {}
    for index, names in enumerate(mentions):
        for name in names:
            by_name.setdefault(name, []).append(index)
    pending = [name for index, names in enumerate(mentions) if kept[index] for name in names]
    seen: Set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for index in by_name.get(name, ()):
            if not kept[index]:
                kept[index] = True
                pending.extend(mentions[index])


# Rounds of text searches `_keep_naming_statements` tries before building the full index.
_SEARCH_ROUNDS = 8


def _keep_naming_statements(kept: List[bool], spans: Sequence[Tuple[int, int]],
                            source_lines: Sequence[str], pieces: Sequence[str],
                            text: str) -> bool:
    """The same fixpoint as `_keep_naming_statements_indexed`, without the words of every
    statement: each round searches the text for the names new to it and reads the words of
    only the statements where one occurs (a superset of those that name it, as the search
    asks for no boundary before the name). False, with `kept` unchanged, when the fixpoint
    needs more than _SEARCH_ROUNDS rounds (long chains of names): then the index is cheaper."""
    line_starts = [0]  # the offset in `text` where each line starts
    for index in range(0, len(pieces) - 1, 2):
        line_starts.append(line_starts[-1] + len(pieces[index]) + len(pieces[index + 1]))
    first_lines = [first for first, _ in spans]
    result = list(kept)
    seen: Set[str] = set()
    new: Set[str] = set()
    for index, is_kept in enumerate(result):
        if is_kept:
            new |= _words(source_lines[spans[index][0] - 1:spans[index][1]])
    for _ in range(_SEARCH_ROUNDS):
        new -= seen
        if not new:
            kept[:] = result
            return True
        seen |= new
        pattern = re.compile("(?:%s)(?!\\w)" % "|".join(
            map(re.escape, sorted(new, key=len, reverse=True))))
        found: Set[str] = set()
        checked: Set[int] = set()
        for match in pattern.finditer(text):
            line = bisect.bisect_right(line_starts, match.start())
            index = bisect.bisect_right(first_lines, line) - 1
            # every statement on that line (`a = 1; b = 2` are two)
            while index >= 0 and spans[index][1] >= line:
                if not result[index] and index not in checked:
                    checked.add(index)
                    words = _words(source_lines[spans[index][0] - 1:spans[index][1]])
                    if words & seen:
                        result[index] = True
                        found |= words
                index -= 1
        new = found
    return False


def _lines_holding(data: bytes, words: Iterable[str]) -> List[int]:
    """The sorted line numbers (as Python counts them: \\n, \\r\\n and \\r end a line) on which
    any of the words occurs in `data`."""
    offsets = sorted(match.start() for word in words
                     for match in re.finditer(re.escape(word.encode()), data))
    if not offsets:
        return []
    breaks = [match.end() for match in _BYTE_LINE_BREAK.finditer(data, 0, offsets[-1])]
    return sorted({bisect.bisect_right(breaks, offset) + 1 for offset in offsets})


_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def _holds_line(lines: Sequence[int], first: int, last: int) -> bool:
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= last


def _words(lines: Sequence[str]) -> Set[str]:
    """The identifiers in a statement's lines, keywords aside. Words in strings, comments and
    attribute names count too: more statements are kept, never fewer."""
    found = set(_IDENTIFIER.findall("\n".join(lines)))
    found.difference_update(_KEYWORDS)
    return found


_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(getattr(keyword, "softkwlist", ()))


def all_shapes(rules: Iterable[type]) -> Iterator[Candidate]:
    for rule in rules:
        yield from rule.candidates


def names_in(shapes: Iterable[Candidate]) -> FrozenSet[str]:
    """Every identifier the shapes mention (documentation and tests)."""
    out: Set[str] = set()
    for shape in shapes:
        for attr in ("names", "attrs", "containers"):  # NameUse: names
            out.update(getattr(shape, attr, ()))
    return frozenset(out)
