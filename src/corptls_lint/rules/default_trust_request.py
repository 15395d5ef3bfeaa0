from __future__ import annotations

import libcst as cst

from corptls_lint.analysis import clients
from corptls_lint.rules.base import OFF, ClientUse, FixRequest, Invalid, Rule


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
    the import. Safe. For httpx, whose 0.28 release deprecated a path for `verify=`, the value
    is an SSL context: the `ssl-context` when that is configured, else
    `ssl.create_default_context(cafile=<ca-bundle>)`, as httpx's deprecation asks.

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
    candidates = (clients.calls_to(clients.MODULE_VERBS, unless_keyword="verify"),)
    has_fix = True
    fix_keys = ("ca-bundle", "ssl-context")

    client_uses = (
        ClientUse('requests, httpx',
                  'module functions called without `verify=` (policy, off by default)',
                  OFF, '`verify=<ca-bundle>` (httpx: `<ssl-context>`)'),
    )

    VALID = [
        "import requests\nrequests.get(url, verify=CA_BUNDLE)\n",
        "import requests\nrequests.get(url, **kwargs)\n",
        "import requests\ns = requests.Session()\ns.get(url)\n",
        "get(url)\n",
    ]
    INVALID = [
        Invalid(
            "import requests\n"
            "requests.get(url)\n",
            [(2, 1)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "requests.get(url, verify=CA_BUNDLE)\n"),
        Invalid(
            "from httpx import post as send\n"
            "send(url, json=body)\n",
            [(2, 1)],
            "from httpx import post as send\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "send(url, json=body, verify=ssl_context())\n"),
        Invalid(
            "import requests.api\n"
            "def f():\n"
            "    return requests.api.request(\n"
            "        'GET', url)\n",
            [(3, 12)],
            "import requests.api\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def f():\n"
            "    return requests.api.request(\n"
            "        'GET', url, verify=CA_BUNDLE)\n"),
        Invalid(
            "import requests\n"
            "from corp_tls import make_session\n"
            "\n"
            "r = requests.post(\n"
            "    url,\n"
            "    json=body,  # payload\n"
            ")\n",
            [(4, 5)],
            "import requests\n"
            "from corp_tls import CA_BUNDLE, make_session\n"
            "\n"
            "r = requests.post(\n"
            "    url,\n"
            "    json=body,  # payload\n"
            "    verify=CA_BUNDLE,\n"
            ")\n"),
        Invalid(
            "import httpx\n"
            "from corp_tls import ssl_context\n"
            "with open(path) as f:\n"
            "    httpx.post(url, content=f.read())  # upload\n",
            [(4, 5)],
            "import httpx\n"
            "from corp_tls import ssl_context\n"
            "with open(path) as f:\n"
            "    httpx.post(url, content=f.read(), verify=ssl_context())  # upload\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified not in clients.MODULE_VERBS:
            return
        if clients.keyword(node, "verify") is not None or clients.has_double_star(node):
            return
        self.report(node, fix=FixRequest("add-verify", node=node,
                                         extra=(clients.verify_fix_kind(qualified),)))
