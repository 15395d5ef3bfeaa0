from __future__ import annotations

import libcst as cst

from corptls_lint import environ, values
from corptls_lint.environ import EnvWrite
from corptls_lint.rule import Invalid, Rule

_EMPTY_DISABLES = ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


class VerificationDisabledByEnvironment(Rule):
    """
    ## What it does
    Finds code that switches verification off through the environment: `PYTHONHTTPSVERIFY="0"`,
    or an empty `CURL_CA_BUNDLE` / `REQUESTS_CA_BUNDLE`, written into `os.environ` (item
    assignment, `setdefault`, `update`) or with `os.putenv`.

    ## Why is this bad?
    `PYTHONHTTPSVERIFY=0` makes some Python builds skip verification for the standard library's
    HTTPS. An empty `CURL_CA_BUNDLE` is a well-known way to make requests (before 2.32) skip
    verification. Both are process-wide and invisible at the call sites.

    ## Example
    ```python
    import os

    os.environ["CURL_CA_BUNDLE"] = ""
    ```

    ## Use instead
    ```python
    import os

    os.environ["REQUESTS_CA_BUNDLE"] = corp_tls.CA_BUNDLE
    ```

    ## Fix
    None: remove the line and configure the CA bundle.

    ## Options
    None.

    ## References
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - PEP 493: HTTPS verification migration tools, https://peps.python.org/pep-0493/
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS104"
    name = "verification-disabled-by-environment"
    message = "TLS verification disabled through the environment"
    triggers = ((b"environ", b"putenv"), (b"PYTHONHTTPSVERIFY", b"CA_BUNDLE"))
    candidates = environ.CANDIDATES

    VALID = [
        "import os\nos.environ['PYTHONHTTPSVERIFY'] = '1'\n",
        "import os\nos.environ['REQUESTS_CA_BUNDLE'] = bundle\n",
        "import os\nx = os.environ['CURL_CA_BUNDLE']\n",
        "import os\nos.environ.pop('CURL_CA_BUNDLE', None)\n",
        "environ = {}\nenviron['CURL_CA_BUNDLE'] = ''\n",
    ]
    INVALID = [
        Invalid("import os\nos.environ['PYTHONHTTPSVERIFY'] = '0'\n", [(2, 1)]),
        Invalid("from os import environ\nenviron['CURL_CA_BUNDLE'] = ''\n", [(2, 1)]),
        Invalid("import os as o\no.environ.setdefault('REQUESTS_CA_BUNDLE', '')\n", [(2, 1)]),
        Invalid("import os\nos.environ.update({'PYTHONHTTPSVERIFY': '0'})\n", [(2, 20)]),
        Invalid("import os\nos.environ.update(CURL_CA_BUNDLE='')\n", [(2, 19)]),
        Invalid("import os\nos.putenv('PYTHONHTTPSVERIFY', '0')\n", [(2, 1)]),
        Invalid("import os\nKEY = 'CURL_CA_BUNDLE'\ndef f():\n    os.environ[KEY] = ''\n", [(4, 5)]),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        for write in environ.writes_in_assign(node, self.scope):
            self._check(write)

    def visit_Call(self, node: cst.Call) -> None:
        for write in environ.writes_in_call(node, self.scope):
            self._check(write)

    def _check(self, write: EnvWrite) -> None:
        value = values.string_value(write.value, self.scope)
        if (write.key == "PYTHONHTTPSVERIFY" and value == "0") or (
                write.key in _EMPTY_DISABLES and value == ""):
            self.report(write.anchor)
