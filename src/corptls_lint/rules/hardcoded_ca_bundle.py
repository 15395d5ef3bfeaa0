from __future__ import annotations

from typing import Optional

import libcst as cst

from corptls_lint import clients
from corptls_lint.candidates import PATH, AttributeStore, CallTo, KeywordArg
from corptls_lint.rule import FixRequest, Invalid, Rule
from corptls_lint.rules.verify_disabled_attribute import verify_targets

_CREATE_DEFAULT_CONTEXT = "ssl.create_default_context"
_LOAD_VERIFY_LOCATIONS = "load_verify_locations"


class HardcodedCABundle(Rule):
    """
    ## What it does
    Finds a hardcoded CA bundle path (a string literal, a name bound once to one, or an
    f-string or concatenation of literals): as `verify=` for requests and httpx,
    `<target>.verify = ...`, `cafile=` / `capath=` of `ssl.create_default_context`, the first
    argument or `cafile=` / `capath=` of `load_verify_locations`, and `ca_certs=` /
    `ca_cert_dir=` of urllib3 pools.

    ## Why is this bad?
    The path only exists on some machines. Where it does not, the code fails with
    `CERTIFICATE_VERIFY_FAILED` (or a `FileNotFoundError` deep in a library), and teams then
    "fix" it with `verify=False`. One configured bundle, resolved at run time, works everywhere.

    ## Example
    ```python
    import requests

    requests.get("https://intranet.example.com", verify="/etc/ssl/corp.pem")
    ```

    ## Use instead
    ```python
    import requests
    from corp_tls import CA_BUNDLE

    requests.get("https://intranet.example.com", verify=CA_BUNDLE)
    ```

    ## Fix
    Replaces the path with the configured `ca-bundle`. Safe.

    ## Options
    `ca-bundle`.

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - Python: SSLContext.load_verify_locations, https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_verify_locations
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS301"
    name = "hardcoded-ca-bundle"
    message = "hardcoded CA bundle path; use the configured CA bundle"
    triggers = ((b"verify", b"cafile", b"capath", b"ca_certs", b"ca_cert_dir",
                 _LOAD_VERIFY_LOCATIONS.encode()),)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED}
    candidates = (
        KeywordArg(("verify", "cafile", "capath", "ca_certs", "ca_cert_dir"), PATH),
        AttributeStore(("verify",), PATH),
        CallTo((_LOAD_VERIFY_LOCATIONS,)),
    )
    has_fix = True
    fix_keys = ("ca-bundle",)

    VALID = [
        "import requests\nrequests.get(url, verify=CA_BUNDLE)\n",
        "import requests, os\nrequests.get(url, verify=os.environ['REQUESTS_CA_BUNDLE'])\n",
        "import requests\nrequests.get(url, verify=f'{base}/ca.pem')\n",
        "import ssl\nssl.create_default_context(cafile=certifi.where())\n",
        "import jwt\njwt.decode(token, verify='yes')\n",
        "ctx.load_verify_locations(cadata=pem_text)\n",
    ]
    INVALID = [
        Invalid("import requests\nrequests.get(url, verify='/etc/ssl/corp.pem')\n", [(2, 19)],
                "import requests\nfrom corp_tls import CA_BUNDLE\n\nrequests.get(url, verify=CA_BUNDLE)\n"),
        Invalid("import requests\nCA = '/etc/ssl/' 'corp.pem'\ns = requests.Session()\ns.verify = CA\n",
                [(4, 1)]),
        Invalid("import ssl\nctx = ssl.create_default_context(cafile='/etc/ssl/corp.pem')\n", [(2, 34)]),
        Invalid("ctx.load_verify_locations('/etc/ssl/corp.pem')\n", [(1, 27)]),
        Invalid("ctx.load_verify_locations(capath='/etc/ssl/certs')\n", [(1, 27)]),
        Invalid("import urllib3\nurllib3.PoolManager(\n    ca_certs='/etc/ssl/corp.pem',\n)\n", [(3, 5)]),
        Invalid("import httpx\nDIR = '/etc/ssl'\nhttpx.get(url, verify=f'{DIR}/corp.pem')\n", [(3, 16)]),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if clients.takes_verify(node, qualified):
            self._check(clients.keyword(node, "verify"), clients.verify_fix_kind(qualified))
        elif qualified == _CREATE_DEFAULT_CONTEXT:
            self._check(clients.keyword(node, "cafile"))
            self._check(clients.keyword(node, "capath"))
        elif qualified in clients.URLLIB3_POOLS:
            self._check(clients.keyword(node, "ca_certs"))
            self._check(clients.keyword(node, "ca_cert_dir"))
        elif (qualified is None and isinstance(node.func, cst.Attribute)
              and node.func.attr.value == _LOAD_VERIFY_LOCATIONS):
            self._check(clients.argument(node, 0, "cafile"))
            self._check(clients.argument(node, 1, "capath"))

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.is_hardcoded_path(node.value):
            for target in verify_targets(node):
                self.report(target, fix=FixRequest("ca-bundle", node=node.value))

    def _check(self, arg: Optional[cst.Arg], fix_kind: str = "ca-bundle") -> None:
        if arg is not None and self.is_hardcoded_path(arg.value):
            self.report(arg, fix=FixRequest(fix_kind, node=arg.value))
