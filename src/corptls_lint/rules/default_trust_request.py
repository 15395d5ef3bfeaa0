from __future__ import annotations

import libcst as cst

from corptls_lint import clients
from corptls_lint.rule import FixRequest, Invalid, Rule


class DefaultTrustRequest(Rule):
    """
    ## What it does
    Finds calls of the `requests` and `httpx` module functions (`requests.get`,
    `requests.api.request`, `httpx.post`, `httpx.stream`, ...) made without `verify=` and
    without `**kwargs`, wherever they are. Off by default: enable it with
    `extend-select = ["TLS402"]` once a codebase is migrated, so that new calls keep using the
    company bundle.

    ## Why is this bad?
    Without `verify=` the call trusts the default bundle (certifi's, or what
    `REQUESTS_CA_BUNDLE` for requests or `SSL_CERT_FILE` for httpx says), which holds no
    corporate root: it fails behind a TLS-inspecting proxy on some machines and works on
    others.

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
    Offered when `ca-bundle` is configured: appends `verify=<ca-bundle>` to the call and adds
    the import (for httpx, the `ssl-context` when that is configured). Safe.

    ## Options
    - `ca-bundle`
    - `ssl-context` (httpx calls)
    - `extend-select` to enable the rule

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - httpx: SSL, https://www.python-httpx.org/advanced/ssl/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS402"
    name = "default-trust-request"
    message = "request made with the default trust store; pass verify= with the CA bundle"
    default_enabled = False
    triggers = ((b"requests", b"httpx"),)
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
