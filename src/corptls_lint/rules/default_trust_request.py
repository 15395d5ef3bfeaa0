from __future__ import annotations

import libcst as cst

from corptls_lint import clients
from corptls_lint.rule import FixRequest, Invalid, Rule


class DefaultTrustRequest(Rule):
    """
    ## What it does
    Finds module-level `requests.<verb>()` and `httpx.<verb>()` calls (`requests.get`,
    `httpx.post`, ...) made without `verify=`. Off by default: enable it with
    `extend-select = ["TLS402"]` once a codebase is migrated, so new calls keep using the
    company bundle.

    ## Why is this bad?
    Without `verify=`, the call trusts certifi's public bundle (or the environment's
    `REQUESTS_CA_BUNDLE`), which does not hold a corporate root: the call fails behind a
    TLS-inspecting proxy on some machines and works on others.

    ## Example
    ```python
    import requests

    requests.get("https://intranet.example.com")
    ```

    ## Use instead
    ```python
    import requests
    from corp_tls import CA_BUNDLE

    requests.get("https://intranet.example.com", verify=CA_BUNDLE)
    ```

    ## Fix
    Adds `verify=<ca-bundle>` (for httpx, the `ssl-context` when configured). Safe.

    ## Options
    `ca-bundle`, `ssl-context`.

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS402"
    name = "default-trust-request"
    message = "request made with the default trust store; pass verify= with the CA bundle"
    default_enabled = False
    triggers = ((b"requests", b"httpx"),)
    candidates = (clients.calls_to(clients.MODULE_VERBS, unless_keyword="verify"),)
    has_fix = True
    fix_keys = ("ca-bundle", "ssl-context")

    VALID = [
        "import requests\nrequests.get(url, verify=CA_BUNDLE)\n",
        "import requests\nrequests.get(url, **kwargs)\n",
        "import requests\ns = requests.Session()\ns.get(url)\n",
        "get(url)\n",
    ]
    INVALID = [
        Invalid("import requests\nrequests.get(url)\n", [(2, 1)],
                "import requests\nfrom corp_tls import CA_BUNDLE\n\nrequests.get(url, verify=CA_BUNDLE)\n"),
        Invalid("from httpx import post as send\nsend(url, json=body)\n", [(2, 1)]),
        Invalid("import requests.api\ndef f():\n    return requests.api.request(\n        'GET', url)\n",
                [(3, 12)]),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified not in clients.MODULE_VERBS:
            return
        if clients.keyword(node, "verify") is not None or clients.has_double_star(node):
            return
        self.report(node, fix=FixRequest("add-verify", node=node,
                                         extra=(clients.verify_fix_kind(qualified),)))
