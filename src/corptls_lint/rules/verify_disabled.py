from __future__ import annotations

import libcst as cst

from corptls_lint import clients, values
from corptls_lint.candidates import FALSY, KeywordArg
from corptls_lint.ftypes import Applicability
from corptls_lint.rule import FixRequest, Invalid, Rule


class VerifyDisabled(Rule):
    """
    ## What it does
    Finds a falsy `verify=` (`False`, `0`, `""`, or a name bound once to one of them) passed
    to `requests` or `httpx` functions and clients, to their `Session`/`Client` methods, and to
    any HTTP verb method whose receiver no import explains (`self.session.get(...)`), including
    `**{"verify": False}` and a dict bound once to one.

    ## Why is this bad?
    `verify=False` turns off certificate verification: anyone on the network path (a rogue
    Wi-Fi, a compromised proxy) can read and change the traffic, including credentials.
    It is usually added to silence `CERTIFICATE_VERIFY_FAILED` behind a corporate CA or a
    TLS-inspecting proxy; the right fix is to trust that CA (see the enterprise CA guide).

    ## Example
    ```python
    import requests

    requests.get("https://intranet.example.com", verify=False)
    ```

    ## Use instead
    ```python
    import requests
    from corp_tls import CA_BUNDLE

    requests.get("https://intranet.example.com", verify=CA_BUNDLE)
    ```

    ## Fix
    Replaces the value with the configured `ca-bundle` (for httpx, the `ssl-context` when it is
    configured). Safe; unsafe when the value sits in a `**kwargs` dict or a parameter default,
    where other callers may depend on it.

    ## Options
    `ca-bundle`, `ssl-context`.

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - httpx: SSL, https://www.python-httpx.org/advanced/ssl/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS101"
    name = "verify-disabled"
    message = "TLS verification disabled with a falsy verify=; pass the CA bundle instead"
    triggers = ((b"verify",),)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED}
    candidates = (KeywordArg(("verify",), FALSY),)
    has_fix = True
    fix_keys = ("ca-bundle", "ssl-context")

    VALID = [
        "import requests\nrequests.get(url, verify=True)\n",
        "import requests\nrequests.get(url, verify=None)\n",
        "import requests, certifi\nrequests.get(url, verify=certifi.where())\n",
        "import requests\nrequests.get(url, verify=settings.CA_BUNDLE)\n",
        "import jwt\njwt.decode(token, verify=False)\n",
        "form.validate(verify=False)\n",
        "import requests\nV = False\nV = True\nrequests.get(url, verify=V)\n",
        "# requests.get(url, verify=False)\nx = 'requests.get(url, verify=False)'\n",
        "import requests\nrequests.get(url, **{'timeout': 3})\n",
    ]
    INVALID = [
        Invalid("import requests\nrequests.get(url, verify=False)\n", [(2, 19)],
                "import requests\nfrom corp_tls import CA_BUNDLE\n\nrequests.get(url, verify=CA_BUNDLE)\n"),
        Invalid("import requests as r\nr.post(url, data=d, verify=0)\n", [(2, 21)]),
        Invalid("from requests import get as fetch\nfetch(url, verify='')\n", [(2, 12)]),
        Invalid("import requests\nrequests.api.request('GET', url, verify=False)\n", [(2, 34)]),
        Invalid("import httpx\nclient = httpx.Client(\n    timeout=3,\n    verify=False,\n)\n",
                [(4, 5)]),
        Invalid("class Api:\n    def fetch(self):\n        return self.session.get(self.url, verify=False)\n",
                [(3, 43)]),
        Invalid("import requests\nVERIFY = False\ndef f():\n    requests.get(url, verify=VERIFY)\n",
                [(4, 23)]),
        Invalid("import requests\nrequests.get(url, **{'verify': False})\n", [(2, 22)]),
        Invalid("import requests\nOPTS = {'verify': False, 'timeout': 5}\nrequests.get(url, **OPTS)\n",
                [(3, 19)]),
        Invalid("import requests\ndef fetch(url, verify=False):\n    return requests.get(url, verify=verify)\n",
                [(3, 30)]),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if not clients.takes_verify(node, qualified):
            return
        kind = clients.verify_fix_kind(qualified)
        arg = clients.keyword(node, "verify")
        if arg is not None and self.is_falsy(arg.value):
            if values.from_parameter_default(arg.value, self.scope):
                value, _ = values.origin(arg.value, self.scope)
                fix = FixRequest(kind, Applicability.UNSAFE, node=value)
            else:
                fix = FixRequest(kind, node=arg.value)
            self.report(arg, fix=fix)
        for anchor, element in clients.double_star_entries(node, "verify", self.scope):
            if self.is_falsy(element.value):
                self.report(anchor, fix=FixRequest(kind, Applicability.UNSAFE, node=element.value))
