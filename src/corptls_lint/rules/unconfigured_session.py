from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from corptls_lint.analysis import clients
from corptls_lint.analysis.scopes import Scope, dotted_name
from corptls_lint.ftypes import Applicability, identifier
from corptls_lint.rules.base import OFF, ClientUse, FileContext, FixRequest, Invalid, Rule
from corptls_lint.screens.shapes import AttributeStore, CallTo, KeywordArg

# Who holds a session: ("name", scope binding it, name) or ("self", class scope, attribute).
Holder = Tuple[str, int, str]


class UnconfiguredSession(Rule):
    """
    ## What it does
    Finds `requests.Session()`, `requests.session()`, `httpx.Client()` and
    `httpx.AsyncClient()` created without `verify=` (and without `**kwargs`) when nothing
    assigns the object's `verify`: for `s = Session()`, in the scope that binds `s`; for
    `self.s = Session()`, anywhere in the class. A `with Session() as s:` block counts as
    binding `s`.

    A policy rule: it is on by default only when `session-factory` is configured (the project
    has a policy for sessions to follow); otherwise select it with `--extend-select TLS401`.

    With `session-factory` configured, the policy is "every requests session comes from the
    factory": a `requests.Session()` or `requests.session()` is reported even when its trust
    is set afterwards, by `s.verify = ...`, `setattr`, or `verify=` on each of its requests
    (`self.session.get(url, verify=self.verify)`). An httpx client is not a requests session,
    so the factory does not stand in for it: it is held to having a trust of its own, as below.
    The sessions of the requests-compatible clients (curl_cffi's `Session` and
    `AsyncSession`, niquests', requests-html's) are not reported at all: the factory's
    `requests.Session` has neither curl_cffi's impersonation nor niquests' or their async
    API, so replacing their constructor with it would be wrong. Their `verify=False` is
    TLS101's, a fixed path TLS301's.

    Without a session factory, not reported, because the session gets its trust by another
    route: a session whose `verify` is assigned (above); one whose requests all pass
    `verify=` (or `**kwargs`); one configured by `setattr(session, name, value)` with a
    computed name (or `"verify"`); one whose `verify` is assigned in a tuple
    (`s.cert, s.verify = cert, verify`). In either case not reported: the injection idiom,
    where the caller passes the session and this is only the default:
    `session or requests.Session()`, `if not session: session = requests.Session()`, a
    parameter default `session=requests.Session()`. A session bound through
    `kwargs.pop("session", requests.Session())` counts as bound to its target. Nothing is
    reported in the trust module, the module that `ca-bundle`, `session-factory` or
    `ssl-context` names: the factory itself makes the session there.

    ## Why is this bad?
    A session with no trust setting of its own uses the default bundle (certifi's copy of
    Mozilla's roots for requests and httpx, unless the environment says otherwise), which
    holds no corporate root. It fails behind an internal CA or a TLS-inspecting proxy on some
    machines and works on others, and the "fix" that usually follows is `verify=False`.
    Creating sessions through the team's factory gives every one of them the company bundle.

    ## Example
    ```python
    import requests

    session = requests.Session()
    ```

    ## Use instead
    ```python
    from corp_tls import make_session

    session = make_session()
    ```

    ## Fix
    Offered for requests sessions when `session-factory` is configured: the constructor call
    becomes a call of the factory, with no arguments (the factory is called with none), and
    its import is added. Safe when the constructor call had no arguments either, which is the
    only form requests accepts; a call with arguments would lose them: unsafe. A `verify`
    the code sets afterwards stays, and still wins over the factory's.

    An httpx client gets `verify=` appended to its arguments: the configured SSL context, or,
    with only `ca-bundle` configured, `ssl.create_default_context(cafile=<ca-bundle>)` (httpx
    0.28 deprecated a path for `verify=`). Safe, unless it is given `transport=` or `mounts=`,
    whose transports keep their own trust (unsafe: a person checks them). The session factory
    is never used for it: the factory is declared to return a `requests.Session`, which has
    neither httpx's API nor an async form.

    ## Options
    - `session-factory`
    - `ssl-context`, else `ca-bundle` (httpx clients)

    ## References
    - requests: Session Objects, https://requests.readthedocs.io/en/latest/user/advanced/#session-objects
    - httpx: SSL, https://www.python-httpx.org/advanced/ssl/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS401"
    name = "unconfigured-session"
    message = "session created without a CA bundle; use the session factory or set verify"
    triggers = ((b"requests", b"httpx"), (b"Session", b"session", b"Client"))
    candidates = (clients.calls_to(clients.SESSION_CONSTRUCTORS, unless_keyword="verify"),)
    # A session configured elsewhere in its scope: `.verify = `, its requests (which may pass
    # verify= or **kwargs), setattr.
    context_shapes = (AttributeStore(("verify",)), KeywordArg(("verify",)),
                      CallTo(tuple(sorted(clients.VERBS))), CallTo(("setattr",)))
    has_fix = True
    fix_keys = ("session-factory", "ssl-context", "ca-bundle")
    default_enabled = False
    default_when_configured = "session-factory"
    exempt_in_trust_module = True

    client_uses = (
        ClientUse('requests',
                  '`requests.Session()` without the configured trust (policy, off by default)',
                  OFF, '`<session-factory>()`'),
        ClientUse('httpx',
                  '`httpx.Client()` / `AsyncClient()` without `verify=` (policy, off by default)',
                  OFF, '`verify=<ssl-context>`'),
    )

    VALID = [
        "import httpx\nclient = httpx.Client(verify=CA_BUNDLE)\n",
        "import requests\ns = requests.Session()\ns.verify = CA_BUNDLE\n",
        "import requests\ndef f():\n    s = requests.Session()\n    s.verify = CA\n    return s\n",
        "import requests\nclass A:\n    def __init__(self):\n        self.s = requests.Session()\n"
        "    def setup(self):\n        self.s.verify = CA\n",
        "import requests\nwith requests.Session() as s:\n    s.verify = CA\n",
        "import httpx\nclient = httpx.Client(**options)\n",
        "from corp_tls import make_session\ns = make_session()\n",
        # Without session-factory (the examples are checked with no target configured):
        # every request on the session passes verify= (or **kwargs that may carry it)
        "import requests\nclass A:\n    def __init__(self, verify):\n"
        "        self.session = requests.Session()\n        self.verify = verify\n"
        "    def get(self, url):\n        return self.session.get(url, verify=self.verify)\n"
        "    def post(self, url, **kw):\n        return self.session.post(url, **kw)\n",
        "import requests\ns = requests.Session()\nfor name, value in options.items():\n"
        "    setattr(s, name, value)\n",
        "import requests\ns = requests.Session()\ns.cert, s.verify = CERT, CA\n",
        "import requests\nclass A:\n    def __init__(self, **kwargs):\n"
        "        self._session = kwargs.pop('session', requests.Session())\n"
        "        self._session.verify = kwargs.get('verify', CA)\n",
        # injection: the caller configures the session it passes
        "import requests\ndef f(session=None):\n    session = session or requests.Session()\n"
        "    return session\n",
        "import requests\ndef f(session=None):\n    if not session:\n"
        "        session = requests.Session()\n    return session\n",
        "import requests\nclass A:\n    def __init__(self, session=None):\n"
        "        if self.session is None:\n            self.session = requests.Session()\n",
        "import requests\ndef f(url, session=requests.Session()):\n    return session.get(url)\n",
        "import requests\ns = requests.Session().get(url, verify=CA)\n",
    ]
    INVALID = [
        Invalid(
            "import requests\n"
            "s = requests.Session()\n",
            [(2, 5)],
            "from corp_tls import make_session\n"
            "\n"
            "s = make_session()\n"),
        Invalid(
            "from requests import Session\n"
            "class A:\n"
            "    def __init__(self):\n"
            "        self.s = Session()\n",
            [(4, 18)],
            "from corp_tls import make_session\n"
            "\n"
            "\n"
            "class A:\n"
            "    def __init__(self):\n"
            "        self.s = make_session()\n"),
        Invalid(
            "import httpx as h\n"
            "async def f():\n"
            "    async with h.AsyncClient() as c:\n"
            "        pass\n",
            [(3, 16)],
            "import httpx as h\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "async def f():\n"
            "    async with h.AsyncClient(verify=ssl_context()) as c:\n"
            "        pass\n"),
        Invalid(
            "import httpx\n"
            "client = httpx.Client(\n"
            "    base_url=URL,  # the API\n"
            "    transport=transport,\n"
            ")\n",
            [(2, 10)],
            "import httpx\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "client = httpx.Client(\n"
            "    base_url=URL,  # the API\n"
            "    transport=transport,\n"
            "    verify=ssl_context(),\n"
            ")\n"),
        Invalid(
            "import requests\n"
            "def f():\n"
            "    s = requests.session()\n"
            "    return s\n"
            "def g():\n"
            "    s = object()\n"
            "    s.verify = CA\n",
            [(3, 9)],
            "from corp_tls import make_session\n"
            "\n"
            "\n"
            "def f():\n"
            "    s = make_session()\n"
            "    return s\n"
            "def g():\n"
            "    s = object()\n"
            "    s.verify = CA\n"),
        Invalid(
            "import requests\n"
            "requests.Session().get(url)\n",
            [(2, 1)],
            "from corp_tls import make_session\n"
            "\n"
            "make_session().get(url)\n"),
        Invalid(
            "import requests\n"
            "\n"
            "class Api:\n"
            "    def __init__(self):\n"
            "        self.session = requests.Session()  # shared\n"
            "        self.session.headers['X'] = '1'\n"
            "\n"
            "    def get(self):\n"
            "        return requests.get(url, timeout=3)\n",
            [(5, 24)],
            "import requests\n"
            "\n"
            "from corp_tls import make_session\n"
            "\n"
            "class Api:\n"
            "    def __init__(self):\n"
            "        self.session = make_session()  # shared\n"
            "        self.session.headers['X'] = '1'\n"
            "\n"
            "    def get(self):\n"
            "        return requests.get(url, timeout=3)\n"),
        Invalid(
            "from corp_tls import make_session as corp_session\n"
            "import requests\n"
            "with requests.Session() as s:\n"
            "    s.get(url)\n",
            [(3, 6)],
            "from corp_tls import make_session as corp_session\n"
            "with corp_session() as s:\n"
            "    s.get(url)\n"),
        # one request without verify= is enough
        Invalid(
            "import requests\n"
            "class A:\n"
            "    def __init__(self):\n"
            "        self.session = requests.Session()\n"
            "    def get(self, url):\n"
            "        return self.session.get(url, verify=CA)\n"
            "    def post(self, url):\n"
            "        return self.session.post(url)\n",
            [(4, 24)],
            "from corp_tls import make_session\n"
            "\n"
            "\n"
            "class A:\n"
            "    def __init__(self):\n"
            "        self.session = make_session()\n"
            "    def get(self, url):\n"
            "        return self.session.get(url, verify=CA)\n"
            "    def post(self, url):\n"
            "        return self.session.post(url)\n"),
        # a literal attribute name other than verify configures nothing
        Invalid(
            "import requests\n"
            "s = requests.Session()\n"
            "setattr(s, 'trust_env', False)\n",
            [(2, 5)],
            "from corp_tls import make_session\n"
            "\n"
            "s = make_session()\n"
            "setattr(s, 'trust_env', False)\n"),
        # the idiom guards another name: not injection
        Invalid(
            "import requests\n"
            "def f(session=None, other=None):\n"
            "    if not other:\n"
            "        session = requests.Session()\n"
            "    return session\n",
            [(4, 19)],
            "from corp_tls import make_session\n"
            "\n"
            "\n"
            "def f(session=None, other=None):\n"
            "    if not other:\n"
            "        session = make_session()\n"
            "    return session\n"),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._holders: Dict[int, Holder] = {}  # id(constructor call) -> who holds it
        self._candidates: List[Tuple[cst.Call, Optional[Holder], str]] = []
        self._configured: Set[Holder] = set()
        # Requests made on a holder: how many, and how many pass verify= (or **kwargs).
        self._requests: Dict[Holder, int] = {}
        self._verified_requests: Dict[Holder, int] = {}
        self._injected: Set[int] = set()  # id(constructor call) that is only a default
        self._verified_calls: Set[int] = set()  # id(constructor call) of `Session().get(verify=)`
        self._guards: List[Optional[str]] = []  # `if not X:` / `if X is None:` being visited

    # A holder is known before its call is visited: Assign and WithItem are visited first.
    def visit_Assign(self, node: cst.Assign) -> None:
        for assign_target in node.targets:
            target = assign_target.target
            constructor = _bound_call(node.value)
            if constructor is not None:
                holder = self._holder(target)
                if holder is not None:
                    self._holders[id(constructor)] = holder
                text = _target_text(target)
                if node.value is constructor and text is not None and text in self._guards:
                    self._injected.add(id(constructor))
            elements = (target.elements if isinstance(target, (cst.Tuple, cst.List))
                        else ())
            for stored in [target, *(element.value for element in elements)]:
                if isinstance(stored, cst.Attribute) and identifier(stored.attr.value) == "verify":
                    holder = self._holder(stored.value)
                    if holder is not None:
                        self._configured.add(holder)

    # -- the injection idiom: the session is only the default for one the caller passes --
    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if isinstance(node.operator, cst.Or) and isinstance(node.right, cst.Call):
            self._injected.add(id(node.right))

    def visit_IfExp(self, node: cst.IfExp) -> None:
        """`session if session else Session()`: the other branch is what the caller passed."""
        for branch, other in ((node.body, node.orelse), (node.orelse, node.body)):
            if isinstance(branch, cst.Call) and _target_text(other) not in (None, "None"):
                self._injected.add(id(branch))

    def visit_Param(self, node: cst.Param) -> None:
        if isinstance(node.default, cst.Call):
            self._injected.add(id(node.default))

    def visit_If(self, node: cst.If) -> None:
        self._guards.append(_guarded(node.test))

    def leave_If(self, original_node: cst.If) -> None:
        self._guards.pop()

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.item, cst.Call):
            holder = self._holder(node.asname.name)
            if holder is not None:
                self._holders[id(node.item)] = holder

    def visit_Call(self, node: cst.Call) -> None:
        self._note_request_or_setattr(node)
        qualified = self.qualify(node.func)
        if qualified not in clients.SESSION_CONSTRUCTORS:
            return
        if clients.keyword(node, "verify") is not None or clients.has_double_star(node):
            return
        if id(node) in self._injected:
            return
        self._candidates.append((node, self._holders.get(id(node)), qualified))

    def _note_request_or_setattr(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and identifier(func.attr.value) in clients.VERBS:
            verified = (clients.keyword(node, "verify") is not None
                        or clients.has_double_star(node))
            if isinstance(func.value, cst.Call):  # Session().get(url, verify=CA)
                if verified:
                    self._verified_calls.add(id(func.value))
                return
            holder = self._holder(func.value)
            if holder is not None:
                self._requests[holder] = self._requests.get(holder, 0) + 1
                if verified:
                    self._verified_requests[holder] = self._verified_requests.get(holder, 0) + 1
        elif (isinstance(func, cst.Name) and identifier(func.value) == "setattr"
              and len(node.args) >= 2 and self.scope.lookup("setattr") is None):
            name = node.args[1].value
            literal = name.evaluated_value if isinstance(name, cst.SimpleString) else None
            if literal is None or literal == "verify":
                holder = self._holder(node.args[0].value)
                if holder is not None:
                    self._configured.add(holder)

    def leave_Module(self, node: cst.Module) -> None:
        # With a session factory configured, the policy is that every requests session comes
        # from it: one whose trust is set afterwards (`.verify =`, `verify=` on each request)
        # is reported too. An httpx client is held to having a trust of its own (the factory
        # makes requests sessions).
        policy = self.context.targets.session_factory is not None
        for call, holder, qualified in self._candidates:
            if policy and qualified in clients.REQUESTS_SESSION_CONSTRUCTORS:
                self.report(call, fix=_fix(call, qualified))
                continue
            if holder is not None and (holder in self._configured or self._all_verified(holder)):
                continue
            if holder is None and id(call) in self._verified_calls:
                continue
            self.report(call, fix=_fix(call, qualified))

    def _all_verified(self, holder: Holder) -> bool:
        made = self._requests.get(holder, 0)
        return made > 0 and self._verified_requests.get(holder, 0) == made

    def _holder(self, target: cst.BaseExpression) -> Optional[Holder]:
        scope = self.scope
        if isinstance(target, cst.Name):
            binding = scope.lookup(target.value)
            owner: Scope = binding.scope if binding is not None else scope
            return ("name", id(owner), identifier(target.value))
        if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                and identifier(target.value.value) in ("self", "cls")):
            owner_class = scope.enclosing("class")
            if owner_class is not None:
                return ("self", id(owner_class), identifier(target.attr.value))
        return None


_DEFAULTING_METHODS = ("pop", "get", "setdefault")


def _fix(call: cst.Call, qualified: str) -> FixRequest:
    """requests: the factory replaces the constructor, safe where the call passes nothing the
    factory would drop (it is called with no arguments); httpx: the client gets `verify=`."""
    if qualified in clients.REQUESTS_SESSION_CONSTRUCTORS:
        return FixRequest("session-factory",
                          Applicability.UNSAFE if call.args else Applicability.SAFE, node=call)
    own_transport = any(clients.keyword(call, name) is not None
                         for name in ("transport", "mounts"))
    return FixRequest("add-verify",
                      Applicability.UNSAFE if own_transport else Applicability.SAFE,
                      node=call, extra=(clients.verify_fix_kind(qualified),))


def _bound_call(value: cst.BaseExpression) -> Optional[cst.Call]:
    """The call an assignment binds its target to: the value itself, or the default of
    `kwargs.pop("session", Session())` / `.get` / `.setdefault`."""
    if not isinstance(value, cst.Call):
        return None
    func = value.func
    if (isinstance(func, cst.Attribute) and identifier(func.attr.value) in _DEFAULTING_METHODS
            and len(value.args) == 2 and isinstance(value.args[1].value, cst.Call)):
        return value.args[1].value
    return value


def _target_text(target: cst.BaseExpression) -> Optional[str]:
    """`name` or `self.name`, as text, to compare with an `if not ...:` guard."""
    if isinstance(target, cst.Name) or (
            isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)):
        return dotted_name(target)
    return None


def _guarded(test: cst.BaseExpression) -> Optional[str]:
    """X in `if not X:` or `if X is None:` (the caller did not pass X)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _target_text(test.expression)
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Is)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and identifier(test.comparisons[0].comparator.value) == "None"):
        return _target_text(test.left)
    return None
