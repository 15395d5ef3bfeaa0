from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from corptls_lint import clients
from corptls_lint.candidates import AttributeStore
from corptls_lint.rule import FixRequest, Invalid, Rule
from corptls_lint.scopes import Scope

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
    becomes a call of the factory, with no arguments, and its import is added. Safe. An httpx
    client is reported without a fix: give it `verify=` with the SSL context.

    ## Options
    - `session-factory`

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
    context = (AttributeStore(("verify",)),)  # a session configured elsewhere in its scope
    has_fix = True
    fix_keys = ("session-factory",)

    VALID = [
        "import httpx\nclient = httpx.Client(verify=CA_BUNDLE)\n",
        "import requests\ns = requests.Session()\ns.verify = CA_BUNDLE\n",
        "import requests\ndef f():\n    s = requests.Session()\n    s.verify = CA\n    return s\n",
        "import requests\nclass A:\n    def __init__(self):\n        self.s = requests.Session()\n"
        "    def setup(self):\n        self.s.verify = CA\n",
        "import requests\nwith requests.Session() as s:\n    s.verify = CA\n",
        "import httpx\nclient = httpx.Client(**options)\n",
        "from corp_tls import make_session\ns = make_session()\n",
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
            "class A:\n"
            "    def __init__(self):\n"
            "        self.s = make_session()\n"),
        Invalid(
            "import httpx as h\n"
            "async def f():\n"
            "    async with h.AsyncClient() as c:\n"
            "        pass\n",
            [(3, 16)]),
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
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self._holders: Dict[int, Holder] = {}  # id(constructor call) -> who holds it
        self._candidates: List[Tuple[cst.Call, Optional[Holder], bool]] = []
        self._configured: Set[Holder] = set()

    # A holder is known before its call is visited: Assign and WithItem are visited first.
    def visit_Assign(self, node: cst.Assign) -> None:
        for assign_target in node.targets:
            target = assign_target.target
            if isinstance(node.value, cst.Call):
                holder = self._holder(target)
                if holder is not None:
                    self._holders[id(node.value)] = holder
            if isinstance(target, cst.Attribute) and target.attr.value == "verify":
                holder = self._holder(target.value)
                if holder is not None:
                    self._configured.add(holder)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.item, cst.Call):
            holder = self._holder(node.asname.name)
            if holder is not None:
                self._holders[id(node.item)] = holder

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified not in clients.SESSION_CONSTRUCTORS:
            return
        if clients.keyword(node, "verify") is not None or clients.has_double_star(node):
            return
        requests_session = qualified in clients.REQUESTS_SESSION_CONSTRUCTORS
        self._candidates.append((node, self._holders.get(id(node)), requests_session))

    def leave_Module(self, node: cst.Module) -> None:
        for call, holder, requests_session in self._candidates:
            if holder is not None and holder in self._configured:
                continue
            fix = FixRequest("session-factory", node=call) if requests_session else None
            self.report(call, fix=fix)

    def _holder(self, target: cst.BaseExpression) -> Optional[Holder]:
        scope = self.scope
        if isinstance(target, cst.Name):
            binding = scope.lookup(target.value)
            owner: Scope = binding.scope if binding is not None else scope
            return ("name", id(owner), target.value)
        if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                and target.value.value in ("self", "cls")):
            owner_class = scope.enclosing("class")
            if owner_class is not None:
                return ("self", id(owner_class), target.attr.value)
        return None
