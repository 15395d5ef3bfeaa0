from __future__ import annotations

import libcst as cst

from corptls_lint.analysis import clients
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import OFF, ClientUse, Invalid, Rule
from corptls_lint.screens.shapes import FALSY, AttributeStore, KeywordArg

_HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})


class TrustEnvDisabled(Rule):
    """
    ## What it does
    Finds HTTP clients told to ignore the environment: `<session>.trust_env = False` (a
    requests `Session`, any object in practice) and `trust_env=False` on `httpx.Client` or
    `httpx.AsyncClient`. Off by default: enable it with `extend-select = ["TLS403"]`.

    ## Why is this bad?
    With `trust_env` off, the client ignores `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE` and
    `SSL_CERT_DIR` (the way a company hands its CA to every program) and the `HTTPS_PROXY`
    / `NO_PROXY` settings its network relies on. Behind a TLS-inspecting proxy the calls then
    fail with `CERTIFICATE_VERIFY_FAILED`, or bypass the proxy, and the usual next step is
    `verify=False`. Some code turns it off on purpose (to keep a `verify=` from being
    overridden by `CURL_CA_BUNDLE`); then give that client its CA explicitly.

    ## Example
    ```python
    import requests

    session = requests.Session()
    session.trust_env = False
    ```

    ## Use instead
    ```python
    from corp_tls import make_session

    session = make_session()
    ```

    ## Fix
    None: whether the environment may configure this client is a decision.

    ## Options
    None.

    ## References
    - requests: Session.trust_env, https://requests.readthedocs.io/en/latest/api/#requests.Session.trust_env
    - httpx: Environment variables, https://www.python-httpx.org/environment_variables/
    """

    code = "TLS403"
    name = "trust-env-disabled"
    message = ("client ignores REQUESTS_CA_BUNDLE/SSL_CERT_FILE and the proxy settings "
               "(trust_env off); configure its CA and proxy explicitly")
    default_enabled = False
    triggers = ((b"trust_env",),)
    candidates = (AttributeStore(("trust_env",), FALSY), KeywordArg(("trust_env",), FALSY))

    client_uses = (
        ClientUse('requests, httpx',
                  '`session.trust_env = False`, `httpx.Client(trust_env=False)` (off by default)',
                  OFF, 'none'),
    )

    VALID = [
        "session.trust_env = True\n",
        "import aiohttp\naiohttp.ClientSession(trust_env=False)\n",
        "if session.trust_env == False:\n    pass\n",
    ]
    INVALID = [
        Invalid(
            "import requests\n"
            "session = requests.Session()\n"
            "session.trust_env = False\n",
            [(3, 1)]),
        Invalid(
            "import httpx\n"
            "client = httpx.AsyncClient(trust_env=False, timeout=5)\n",
            [(2, 28)]),
        Invalid(
            "class Api:\n"
            "    def __init__(self, session):\n"
            "        self.session = session\n"
            "        self.session.trust_env = 0\n",
            [(4, 9)]),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.is_falsy(node.value):
            return
        for target in node.targets:
            if (isinstance(target.target, cst.Attribute)
                    and identifier(target.target.attr.value) == "trust_env"):
                self.report(target.target)

    def visit_Call(self, node: cst.Call) -> None:
        if self.qualify(node.func) in _HTTPX_CLIENTS:
            arg = clients.keyword(node, "trust_env")
            if arg is not None and self.is_falsy(arg.value):
                self.report(arg)
