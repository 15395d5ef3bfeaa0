"""Test data: insecure values that a test only compares, reads back, or hands to code it
expects to fail. They configure no connection, so no rule reports them (issue 27: the
`expected-value`, `rejected-config`, `property` and `mock` traps of the coverage proof).

The engine asks `quiet_reports` once a file's rules have run, and only over the functions
(or top-level statements) that hold a report; a clean file never gets here.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from corptls_lint.analysis import travel
from corptls_lint.analysis.cst_walk import children
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import identifier

# The page text of every rule that `quiet_in_test_data` (Rule.documentation appends it).
DOC = """\
Test data is not reported: a value that only appears as the expected side of an assertion
(`assert settings == {"ssl_cert_reqs": "none"}`, the arguments of `self.assertEqual(...)`
and the other `unittest` assertion methods, or of a mock's `assert_called_with(...)`),
unless it sits inside a call there (`assert requests.get(url, verify=False).ok` makes the
request); a value without calls bound to a local name, or a setting stored on a local
object, when the function then reads that name only in such assertions (a setter test:
`ctx.check_hostname = False` then `self.assertFalse(ctx.check_hostname)`); a mock's expected
`call(url, verify=False)`, a `dict(...)` and a URL parsed from a string (`yarl.URL(...)`,
`urlparse(...)`, SQLAlchemy's `make_url(...)`) there are data too; so are the cases
`@pytest.mark.parametrize` gives a parameter that the test reads only in such assertions
(`expected_uri`); the attributes of a
`unittest.mock` object (`m = MagicMock(); m.verify_mode = CERT_NONE`: a mocked context's own
settings); and what a test expects to be rejected before any connection: the last statement
of a `with pytest.raises(...)` or `with self.assertRaises(...)` block that expects a
configuration error (`ValueError`, `TypeError`, `KeyError`, `OSError` and its file errors,
or an error named `Invalid...`, `...Config...`, `Improperly...`, but not a login's error
such as `InvalidPasswordError`, which the server answers; the statements before it
are set-up that runs and stay reported, but for the options given to an object built right
before the block only to be handed to its last statement (`opts = Options(tlsCAFile=
"missing")`; what the call itself does stays reported), and an expected `SSLError` or
`ConnectionError` means a connection was made), and the arguments of the callable form
`pytest.raises(ValueError, func, ...)`."""

# The page text of the rules that also `quiet_in_refused_connections` (TLS501).
DOC_REFUSED = """\
A connection a test expects to fail is not reported either: the last statement of a
`with pytest.raises(ssl.SSLError)` block (any expected error), the arguments of its callable
form, and those of a test helper named as an assertion of failure
(`self._assert_connection_failure(server, ssl_version=ssl.PROTOCOL_SSLv3)`): a server
refusing a weak version is what such a test checks. The rules about certificate checks
still report there: a connection that fails for another reason says nothing of them."""

# unittest.TestCase's assertion methods that compare or check values (not assertWarns:
# the block runs to its end)
_UNITTEST_ASSERTIONS = frozenset({
    "assertEqual", "assertEquals", "assertNotEqual", "assertNotEquals", "assertTrue",
    "assertFalse", "assertIs", "assertIsNot", "assertIsNone", "assertIsNotNone", "assertIn",
    "assertNotIn", "assertIsInstance", "assertNotIsInstance", "assertDictEqual",
    "assertListEqual", "assertTupleEqual", "assertSetEqual", "assertSequenceEqual",
    "assertCountEqual", "assertDictContainsSubset", "assertGreater", "assertGreaterEqual",
    "assertLess", "assertLessEqual", "assertAlmostEqual", "assertRegex", "failUnlessEqual"})
# a mock's assertions on how it was called
_MOCK_ASSERTIONS = frozenset({"assert_called_with", "assert_called_once_with", "assert_any_call",
                              "assert_has_calls", "assert_awaited_with",
                              "assert_awaited_once_with", "assert_any_await"})
# what a test expects to raise: as a block, or with the call and its arguments
_RAISES = frozenset({"pytest.raises"})
_ASSERT_RAISES = frozenset({"assertRaises", "assertRaisesRegex", "assertRaisesRegexp",
                            "failUnlessRaises"})
# The errors a configuration is rejected with before any connection: a bad value or type, a
# file that is not there (a CA path), or a library's own error named for it (pymongo's
# InvalidURI, ConfigurationError). An SSLError or ConnectionError says a connection was
# made, with whatever settings the block has: those stay reported.
_CONFIG_ERRORS = frozenset({"ValueError", "TypeError", "KeyError", "OSError", "IOError",
                            "FileNotFoundError", "IsADirectoryError", "NotADirectoryError"})
_CONFIG_ERROR_WORDS = ("Invalid", "Config", "Improperly")
# ... but a server's answer to a login (asyncpg's InvalidAuthorizationSpecificationError and
# InvalidPasswordError, pywinrm's InvalidCredentialsError) comes after the connection.
_LOGIN_ERROR_WORDS = ("Authorization", "Authentication", "Password", "Credential")
# The settings of a mocked TLS context: a mock performs no handshake that could read them.
_CONTEXT_SETTINGS = frozenset({"verify_mode", "check_hostname", "minimum_version",
                               "maximum_version", "verify_flags"})
# the words of a test helper that asserts a failure (`_assert_connection_failure`)
_FAILURE_WORDS = frozenset({"fail", "fails", "failure", "failed", "raises", "rejected",
                            "rejects", "refused"})
# unittest.mock's (and the mock backport's) mock objects
_MOCKS = frozenset(f"{module}.{name}" for module in ("unittest.mock", "mock")
                   for name in ("Mock", "MagicMock", "AsyncMock", "NonCallableMock",
                                "NonCallableMagicMock", "create_autospec"))

# (index of a node's top-level statement, the functions and classes around it): the engine's
Owner = Tuple[Union[int, "cst.CSTNode"], ...]  # (a string: libcst may load late)


def _receiver_is_self(func: cst.Attribute) -> bool:
    return isinstance(func.value, cst.Name) and identifier(func.value.value) in ("self", "cls")


def _config_error(expr: Optional[cst.BaseExpression]) -> bool:
    """An expected exception (or a tuple of them) that rejects a configuration."""
    if isinstance(expr, cst.Tuple):
        return bool(expr.elements) and all(_config_error(e.value) for e in expr.elements)
    if isinstance(expr, cst.Attribute):
        name = identifier(expr.attr.value)
    elif isinstance(expr, cst.Name):
        name = identifier(expr.value)
    else:
        return False
    return name in _CONFIG_ERRORS or (any(word in name for word in _CONFIG_ERROR_WORDS)
                                      and not any(word in name for word in _LOGIN_ERROR_WORDS))


def _raises(call: cst.Call, scope: Scope) -> Optional[str]:
    """`pytest.raises(...)`, `self.assertRaises(...)` (as a block or with the callable):
    "rejected" when the expected error rejects a configuration (`ValueError`, `InvalidURI`),
    "refused" for any other (a connection that fails); None for other calls."""
    func = call.func
    if scope.qualify(func) not in _RAISES and not (
            isinstance(func, cst.Attribute) and _receiver_is_self(func)
            and identifier(func.attr.value) in _ASSERT_RAISES):
        return None
    if call.args and call.args[0].keyword is None and _config_error(call.args[0].value):
        return "rejected"
    return "refused"


def _asserting_call(call: cst.Call, scope: Scope) -> Optional[str]:
    """What a call's arguments are: "expected" for an assertion (the unittest methods on
    self, a mock's assert_called_with...), "rejected" or "refused" for the callable form of
    a raises check, "refused" for a helper that asserts a failure, else None."""
    raises = _raises(call, scope)
    if raises is not None:
        return raises
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    name = identifier(func.attr.value)
    if name in _MOCK_ASSERTIONS:
        return "expected"
    if not _receiver_is_self(func):
        return None
    if name in _UNITTEST_ASSERTIONS:
        return "expected"
    words = name.lstrip("_").split("_")
    if words[0] == "assert" and _FAILURE_WORDS.intersection(words[1:]):
        return "refused"
    return None


def _raises_block(node: cst.With, scope: Scope) -> Optional[str]:
    kinds = {_raises(item.item, scope) for item in node.items if isinstance(item.item, cst.Call)}
    return "rejected" if "rejected" in kinds else "refused" if "refused" in kinds else None


# Calls that only build data: a mock's expected `call(...)`, the builtin containers.
_DATA_CALLS = frozenset({"unittest.mock.call", "mock.call",
                         # a URL object parsed from a string: `assert url == URL("amqps://...")`
                         "yarl.URL", "urllib.parse.urlparse", "urllib.parse.urlsplit",
                         "sqlalchemy.engine.url.make_url", "sqlalchemy.engine.make_url",
                         "sqlalchemy.make_url"})
_CONTAINERS = frozenset({"dict", "list", "tuple", "set", "frozenset"})


def _builds_data(call: cst.Call, scope: Scope) -> bool:
    if isinstance(call.func, cst.Name) and identifier(call.func.value) in _CONTAINERS:
        return scope.lookup(identifier(call.func.value)) is None
    return scope.qualify(call.func) in _DATA_CALLS


def _data(node: cst.CSTNode, scope: Scope) -> Iterator[cst.CSTNode]:
    """A node and what it holds, short of the calls in it (a call there is an action),
    but for the calls that only build data (`call(url, verify=False)`, `dict(...)`)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, cst.Call) or _builds_data(node, scope):
            stack.extend(children(node))


def _subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


class _Region:
    """One function (or top-level statement): its test-data nodes, the statement around each
    node, and where its local names are read."""

    def __init__(self, root: cst.CSTNode, scope: Scope) -> None:
        self.scope = scope
        self.quiet: Set[int] = set()  # ids of nodes that are test data
        self.refused: Set[int] = set()  # ids of nodes in connections expected to fail
        self.statement: Dict[int, cst.CSTNode] = {}  # id(node) -> its small statement
        # local name -> the Name nodes that read it (not a binding, nor `name.attr = ...`)
        self.reads: Dict[str, List[cst.Name]] = {}
        self.bound: Dict[str, List[cst.BaseExpression]] = {}  # local name -> values bound
        self._walk(root)
        if isinstance(root, cst.FunctionDef):
            self._quiet_expected_cases(root)

    def _quiet_expected_cases(self, function: cst.FunctionDef) -> None:
        """A parametrized case's value for a parameter the test reads only in assertions
        (`@pytest.mark.parametrize("params, expected_uri", ...)` then `assert uri ==
        expected_uri`) is an expected value."""
        declared = {id(param.name) for group in (
            function.params.posonly_params, function.params.params,
            function.params.kwonly_params) for param in group}
        for name, value in travel.parametrized_cases(function, self.scope):
            reads = [read for read in self.reads.get(name, []) if id(read) not in declared]
            if reads and all(id(read) in self.quiet for read in reads):
                self.quiet.update(id(node) for node in _data(value, self.scope))

    def _walk(self, root: cst.CSTNode) -> None:
        stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode]]] = [(root, None)]
        skip: Set[int] = set()  # ids of the Names that bind or are stored into
        while stack:
            node, statement = stack.pop()
            if isinstance(node, cst.BaseSmallStatement):
                statement = node
            if statement is not None:
                self.statement[id(node)] = statement
            if isinstance(node, cst.Assert):
                self.quiet.update(id(n) for n in _data(node.test, self.scope))
            elif isinstance(node, cst.Call):
                kind = _asserting_call(node, self.scope)
                if kind is not None:
                    into = self.refused if kind == "refused" else self.quiet
                    for arg in node.args:
                        into.add(id(arg))  # `verify_ssl=flag`: a rule may report the keyword
                        into.update(id(n) for n in (_data(arg.value, self.scope)
                                                    if kind == "expected" else _subtree(arg.value)))
            elif isinstance(node, cst.With):
                kind = _raises_block(node, self.scope)
                body = node.body.body
                if kind is not None and body:
                    into = self.refused if kind == "refused" else self.quiet
                    into.update(id(n) for n in _subtree(body[-1]))
            elif isinstance(node, cst.IndentedBlock):
                self._note_rejected_setup(node.body)
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    self._note_target(target.target, node.value, skip)
            elif isinstance(node, cst.Name) and id(node) not in skip:
                self.reads.setdefault(identifier(node.value), []).append(node)
            stack.extend((child, statement) for child in children(node))

    def _note_rejected_setup(self, body: Sequence[cst.BaseStatement]) -> None:
        """`opts = Options(tlsCAFile="missing")` right before `with raises(FileNotFoundError):`
        whose last statement hands `opts` to the client: the object is built only to be
        rejected, so it is part of that configuration (pymongo's kms_tls_options test)."""
        for setup, block in zip(body, body[1:]):
            if not (isinstance(block, cst.With) and isinstance(setup, cst.SimpleStatementLine)
                    and len(setup.body) == 1 and isinstance(setup.body[0], cst.Assign)):
                continue
            assign = setup.body[0]
            inner = block.body.body
            if (len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name)
                    or not inner or _raises_block(block, self.scope) != "rejected"):
                continue
            name = identifier(assign.targets[0].target.value)
            if any(isinstance(n, cst.Name) and identifier(n.value) == name
                   for n in _subtree(inner[-1])):
                # the options given, short of calls: what the call does stays reported
                value = assign.value
                for part in value.args if isinstance(value, cst.Call) else ():
                    self.quiet.add(id(part))
                    self.quiet.update(id(n) for n in _data(part.value, self.scope))

    def _note_target(self, target: cst.BaseExpression, value: cst.BaseExpression,
                     skip: Set[int]) -> None:
        if isinstance(target, cst.Name):
            skip.add(id(target))
            self.bound.setdefault(identifier(target.value), []).append(value)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            skip.add(id(target.value))  # `ctx.check_hostname = ...` stores, it does not read

    def is_quiet(self, node: cst.CSTNode, names: bool, refused: bool) -> bool:
        """Whether a reported node is test data; with `names`, also through the local name
        its statement binds or stores into (in a function only: a module's names are read
        from elsewhere); with `refused`, also in a connection expected to fail."""
        if id(node) in self.quiet or (refused and id(node) in self.refused):
            return True
        if not names:
            return False
        statement = self.statement.get(id(node))
        if not isinstance(statement, cst.Assign) or len(statement.targets) != 1 or any(
                isinstance(part, cst.Call) for part in _subtree(statement.value)):
            return False  # a call makes something: not data
        target = statement.targets[0].target
        name = target if isinstance(target, cst.Name) else (
            target.value if isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name) else None)
        if name is None:
            return False
        local = identifier(name.value)
        bound = self.bound.get(local, [])
        if (isinstance(target, cst.Attribute) and identifier(target.attr.value) in
                _CONTEXT_SETTINGS and node in (statement, target, statement.value) and bound
                and all(isinstance(value, cst.Call) and self.scope.qualify(value.func) in _MOCKS
                        for value in bound)):
            return True  # a mocked context's own setting
        reads = self.reads.get(local, [])
        # a value only read back in assertions (a setter test, an expected dict)
        return bool(bound) and bool(reads) and all(id(read) in self.quiet for read in reads)


def _region_root(module: cst.Module, owner: Owner) -> Tuple[cst.CSTNode, bool]:
    """The innermost function or class around a node, else its top-level statement; and
    whether that is a function (whose local names the region may follow)."""
    innermost = owner[-1]
    if len(owner) > 1 and isinstance(innermost, (cst.FunctionDef, cst.ClassDef)):
        return innermost, isinstance(innermost, cst.FunctionDef)
    index = owner[0]
    assert isinstance(index, int)
    return module.body[index], False


def quiet_reports(module: cst.Module, nodes: Sequence[Tuple[cst.CSTNode, bool]],
                  owners: Dict[int, Optional[Owner]], scope: Scope) -> Set[int]:
    """The ids of the reported nodes that are test data; each node comes with whether its
    rule is also quiet in a connection expected to fail. `owners`: the engine's map of each
    node to the top-level statement and the functions and classes it lies in."""
    regions: Dict[int, _Region] = {}
    quiet: Set[int] = set()
    for node, refused in nodes:
        owner = owners.get(id(node))
        if owner is None:
            continue
        root, function = _region_root(module, owner)
        region = regions.get(id(root))
        if region is None:
            region = regions[id(root)] = _Region(root, scope)
        if region.is_quiet(node, function, refused):
            quiet.add(id(node))
    return quiet


# the list methods that add cases to a parametrization's table (`cases.extend([...])`)
_LIST_ADDS = frozenset({"append", "extend", "insert"})


def asserted_cases(function: cst.FunctionDef, scope: Scope) -> Iterator[cst.CSTNode]:
    """The case tables of a test's `pytest.mark.parametrize` whose parameters the test reads
    only in `assert` statements (`assert resolve_ssl_version(candidate) == version`): values
    it checks, not settings it connects with. Each is the display given, or the list a name
    of `scope` (the scope around the test) is bound to, and what `name.extend(...)`,
    `.append(...)` add to it there."""
    for decorator in function.decorators:
        call = decorator.decorator
        parametrized = travel.parametrize_cases(call, scope) if isinstance(
            call, cst.Call) else None
        # the parameters handed to a fixture (`indirect=True`) are the fixture's to read
        if parametrized is None or not isinstance(call, cst.Call) or not _read_only_in_asserts(
                function, [name for name in parametrized[0]
                           if not travel.indirect_to(call, name, scope)]):
            continue
        cases = parametrized[1]
        if isinstance(cases, (cst.List, cst.Tuple)):
            yield cases
            continue
        if not isinstance(cases, cst.Name):
            continue
        binding = scope.lookup(cases.value)
        if binding is None or binding.qualified is not None or binding.count != 1 or not (
                isinstance(binding.value, (cst.List, cst.Tuple))):
            continue
        yield binding.value
        yield from _added_to(binding.scope.node, identifier(cases.value))


def _read_only_in_asserts(function: cst.FunctionDef, names: Sequence[str]) -> bool:
    """Whether every read of these names in the function's body is inside an assert."""
    wanted = set(names)
    if not wanted:
        return False
    stack: List[Tuple[cst.CSTNode, bool]] = [(function.body, False)]
    while stack:
        node, asserted = stack.pop()
        if isinstance(node, cst.Name) and identifier(node.value) in wanted and not asserted:
            return False
        asserted = asserted or isinstance(node, cst.Assert)
        stack.extend((child, asserted) for child in children(node))
    return True


def _added_to(owner: cst.CSTNode, name: str) -> Iterator[cst.CSTNode]:
    """The arguments of `name.extend(...)` / `.append(...)` in a module's or class's own
    statements (not in its functions)."""
    body = getattr(owner, "body", None)
    statements = body.body if isinstance(body, cst.IndentedBlock) else body
    stack: List[cst.CSTNode] = list(statements) if isinstance(statements, Sequence) else []
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and isinstance(node.func.value, cst.Name)
                and identifier(node.func.value.value) == name
                and identifier(node.func.attr.value) in _LIST_ADDS):
            yield from (arg.value for arg in node.args)
        stack.extend(children(node))
