from __future__ import annotations

import libcst as cst

from corptls_lint import clients
from corptls_lint.candidates import FALSY, AttributeStore
from corptls_lint.rule import FixRequest, Invalid, Rule


def verify_targets(node: cst.Assign):
    """The `<target>.verify` targets of an assignment."""
    for target in node.targets:
        if isinstance(target.target, cst.Attribute) and target.target.attr.value == "verify":
            yield target.target


class VerifyDisabledAttribute(Rule):
    """
    ## What it does
    Finds `<target>.verify = <falsy>`, typically `session.verify = False` on a
    `requests.Session`, which switches off verification for every request the session makes.

    ## Why is this bad?
    Every request through that session accepts any certificate, so a man-in-the-middle can read
    and alter the traffic. Behind a corporate CA, set the session's `verify` to the CA bundle.

    ## Example
    ```python
    session = requests.Session()
    session.verify = False
    ```

    ## Use instead
    ```python
    from corp_tls import CA_BUNDLE

    session = requests.Session()
    session.verify = CA_BUNDLE
    ```

    ## Fix
    Replaces the assigned value with the configured `ca-bundle`. Safe.

    ## Options
    `ca-bundle`.

    ## References
    - requests: Session objects, https://requests.readthedocs.io/en/latest/user/advanced/#session-objects
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS102"
    name = "verify-disabled-attribute"
    message = "TLS verification disabled by assigning a falsy .verify; assign the CA bundle instead"
    triggers = ((b"verify",),)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED}
    candidates = (AttributeStore(("verify",), FALSY),)
    has_fix = True
    fix_keys = ("ca-bundle",)

    VALID = [
        "session.verify = True\n",
        "session.verify = CA_BUNDLE\n",
        "verify = False\n",
        "session.verify == False\n",
    ]
    INVALID = [
        Invalid("import requests\ns = requests.Session()\ns.verify = False\n", [(3, 1)]),
        Invalid("class C:\n    def __init__(self):\n        self.session.verify = 0\n", [(3, 9)]),
        Invalid("OFF = False\nclient.verify = OFF\n", [(2, 1)]),
        Invalid("a = s.verify = False\n", [(1, 5)]),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.is_falsy(node.value):
            return
        for target in verify_targets(node):
            self.report(target, fix=FixRequest("ca-bundle", node=node.value))
