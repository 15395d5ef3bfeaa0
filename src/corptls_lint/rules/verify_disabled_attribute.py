from __future__ import annotations

from typing import Iterator, Set

import libcst as cst

from corptls_lint.analysis import clients, opt_outs, values
from corptls_lint.ftypes import identifier
from corptls_lint.rules import origin_fixes
from corptls_lint.rules.base import OFF, ClientUse, FileContext, FixRequest, Invalid, Rule
from corptls_lint.screens.shapes import FALSY, AttributeStore


def default_text(value: cst.BaseExpression) -> str:
    """A default as written (`False`, `0`), for the message."""
    return cst.Module([]).code_for_node(value)


def verify_targets(node: cst.Assign) -> Iterator[cst.Attribute]:
    """The `<target>.verify` targets of an assignment."""
    for target in node.targets:
        if (isinstance(target.target, cst.Attribute)
                and identifier(target.target.attr.value) == "verify"):
            yield target.target


class VerifyDisabledAttribute(Rule):
    """
    ## What it does
    Finds a falsy value (`False`, `0`, `""`, or a name bound once to one of them) assigned to a
    `verify` attribute: `session.verify = False`, `self.http.verify = 0`, also as one target of
    a chained assignment (`a = s.verify = False`). The object can be anything; in practice it
    is a `requests.Session`. When the value is a parameter whose default is falsy
    (`def __init__(self, host, verify=False): self.verify = verify`), the finding is the
    default, reported once where it is written: every caller that passes nothing gets it.

    ## Why is this bad?
    `Session.verify = False` switches certificate verification off for every request the
    session sends afterwards, so a man-in-the-middle can read and alter all of them, from one
    line far from any call site. It is also unreliable as a switch: with `trust_env` on (the
    default), requests lets `REQUESTS_CA_BUNDLE` or `CURL_CA_BUNDLE` from the environment take
    precedence over `Session.verify`, so the same code verifies on one machine and not on
    another.

    ## Example
    ```python
    import requests

    session = requests.Session()
    session.verify = False
    ```

    ## Use instead
    ```python
    import requests
    from corp_tls import CA_BUNDLE

    session = requests.Session()
    session.verify = CA_BUNDLE
    ```

    ## Fix
    Offered when `ca-bundle` is configured: the assigned value becomes the configured bundle
    expression and its import is added. Safe. A falsy parameter default written as `False`
    or `0` becomes the bundle expression; unsafe, since the function may read the parameter
    elsewhere too.

    ## Options
    - `ca-bundle`

    ## References
    - requests: Session Objects, https://requests.readthedocs.io/en/latest/user/advanced/#session-objects
    - requests: SSL Cert Verification, https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS102"
    caller_opt_outs = True
    name = "verify-disabled-attribute"
    message = "TLS verification disabled by assigning a falsy .verify; assign the CA bundle instead"
    triggers = ((b"verify",),)
    trigger_patterns = {b"verify": clients.VERIFY_ASSIGNED}
    candidates = (AttributeStore(("verify",), FALSY),)
    # a program's own command-line options (analysis/opt_outs.py)
    context_shapes = (opt_outs.COMMAND_LINE_SHAPE,)
    has_fix = True
    fix_keys = ("ca-bundle",)

    client_uses = (
        ClientUse('requests',
                  '`session.verify = False`',
                  OFF, '`session.verify = <ca-bundle>`'),
    )

    VALID = [
        "session.verify = True\n",
        "session.verify = CA_BUNDLE\n",
        "verify = False\n",
        "session.verify == False\n",
        # a library carrying out its caller's choice: the caller's insecure=True is reported
        "import requests\n"
        "def session(endpoint, **kwargs):\n"
        "    s = requests.Session()\n"
        "    if kwargs.get('insecure', False) is True:\n"
        "        s.verify = False\n"
        "    return s\n",
        # an option object a library is handed (no argparse option of that name here)
        "import argparse, requests\n"
        "def connect(options):\n"
        "    session = requests.Session()\n"
        "    if options.no_verify:\n"
        "        session.verify = False\n"
        "    return session\n",
    ]
    INVALID = [
        # the program's own command-line option: its user turns verification off here
        Invalid(
            "import argparse, requests\n"
            "def parse_arguments():\n"
            "    parser = argparse.ArgumentParser()\n"
            "    parser.add_argument('--no-verify', action='store_true')\n"
            "    return parser.parse_args()\n"
            "def main(args):\n"
            "    session = requests.Session()\n"
            "    if args.no_verify:\n"
            "        session.verify = False\n",
            [(9, 9)],
            "import argparse, requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "def parse_arguments():\n"
            "    parser = argparse.ArgumentParser()\n"
            "    parser.add_argument('--no-verify', action='store_true')\n"
            "    return parser.parse_args()\n"
            "def main(args):\n"
            "    session = requests.Session()\n"
            "    if args.no_verify:\n"
            "        session.verify = CA_BUNDLE\n"),
        Invalid(
            "import requests\n"
            "s = requests.Session()\n"
            "s.verify = False\n",
            [(3, 1)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "s = requests.Session()\n"
            "s.verify = CA_BUNDLE\n"),
        Invalid(
            "class C:\n"
            "    def __init__(self):\n"
            "        self.session.verify = 0\n",
            [(3, 9)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class C:\n"
            "    def __init__(self):\n"
            "        self.session.verify = CA_BUNDLE\n"),
        Invalid(
            "OFF = False\n"
            "client.verify = OFF\n",
            [(2, 1)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "OFF = False\n"
            "client.verify = CA_BUNDLE\n"),
        Invalid(
            "a = s.verify = False\n",
            [(1, 5)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "a = s.verify = CA_BUNDLE\n"),
        Invalid(
            "import requests, corp_tls\n"
            "s = requests.Session()\n"
            "s.verify = False  # proxy\n",
            [(3, 1)],
            "import requests, corp_tls\n"
            "s = requests.Session()\n"
            "s.verify = corp_tls.CA_BUNDLE  # proxy\n"),
        Invalid(
            "import requests\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "with requests.Session() as session:\n"
            "    session.verify = False  # self-signed staging cert\n"
            "    session.get(url)\n",
            [(5, 5)],
            "import requests\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "with requests.Session() as session:\n"
            "    session.verify = CA_BUNDLE  # self-signed staging cert\n"
            "    session.get(url)\n"),
        Invalid(
            "class FortiGate:\n"
            "    def __init__(self, host, timeout=10, verify=False):\n"
            "        self.verify = verify\n"
            "        self.session.verify = verify\n",
            [(2, 49)],
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "\n"
            "class FortiGate:\n"
            "    def __init__(self, host, timeout=10, verify=CA_BUNDLE):\n"
            "        self.verify = verify\n"
            "        self.session.verify = verify\n"),
        Invalid(
            "import requests\n"
            "NO_VERIFY = True\n"
            "def session():\n"
            "    s = requests.Session()\n"
            "    if NO_VERIFY:\n"
            "        s.verify = False\n"
            "    return s\n",
            [(6, 9)],
            "import requests\n"
            "\n"
            "from corp_tls import CA_BUNDLE\n"
            "\n"
            "NO_VERIFY = True\n"
            "def session():\n"
            "    s = requests.Session()\n"
            "    if NO_VERIFY:\n"
            "        s.verify = CA_BUNDLE\n"
            "    return s\n"),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._defaults_reported: Set[int] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.is_falsy(node.value):
            return
        targets = list(verify_targets(node))
        if targets and values.from_parameter_default(node.value, self.scope):
            # `self.verify = verify` with `verify=False` in the signature: the insecure value
            # is written at the default, and every caller that passes nothing gets it
            binding = self.scope.lookup(node.value.value)  # type: ignore[attr-defined]
            default = binding.single_value if binding is not None else None
            if default is not None and id(default) not in self._defaults_reported:
                self._defaults_reported.add(id(default))
                self.report(default, "TLS verification off by default: the parameter "
                                     f"{identifier(node.value.value)}={default_text(default)} "  # type: ignore[attr-defined]
                                     "is assigned to .verify; default to the CA bundle instead",
                            origin_fixes.target_at_origin(default, "ca-bundle"))
            return
        for target in targets:
            self.report(target, fix=FixRequest("ca-bundle", node=node.value))
