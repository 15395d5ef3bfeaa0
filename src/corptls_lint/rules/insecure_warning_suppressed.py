from __future__ import annotations

from typing import Optional

import libcst as cst

from corptls_lint.analysis import clients, values
from corptls_lint.rules.base import WARNING, ClientUse, FileContext, FixRequest, Invalid, Rule

_DISABLE_WARNINGS = "urllib3.disable_warnings"
_WARNING_FILTERS = {
    # function: (index of `category`, index of `message` or None), after `action` at 0
    "warnings.filterwarnings": (2, 1),
    "warnings.simplefilter": (1, None),
}
_MESSAGE = "Unverified HTTPS request"


class InsecureWarningSuppressed(Rule):
    """
    ## What it does
    Finds code that hides urllib3's `InsecureRequestWarning`:

    - a call of `urllib3.disable_warnings(...)`, whatever its argument, through any import
      path (`requests.packages.urllib3`, `requests.urllib3`, `from urllib3 import
      disable_warnings`);
    - `warnings.filterwarnings` or `warnings.simplefilter` with the action `"ignore"` and the
      category `InsecureRequestWarning` (imported from `urllib3` or `requests`, under any
      alias), or `filterwarnings` with a message that contains `"Unverified HTTPS request"`.

    ## Why is this bad?
    The warning is the only run-time sign that a request went out unverified. Silencing it
    hides every `verify=False` in the process, including ones that a library or a colleague
    adds later.

    ## Example
    ```python
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    ```

    ## Use instead
    Delete the call and fix the requests that raise the warning: give them the CA bundle.

    ## Fix
    Removes the statement, leaving `pass` where it was the only statement of its block. Safe,
    and needs no configuration. A call that is only part of a statement
    (`quiet = urllib3.disable_warnings()`, or two statements on one line) is reported without a
    fix.

    ## Options
    None.

    ## References
    - urllib3: TLS Warnings, https://urllib3.readthedocs.io/en/stable/advanced-usage.html#tls-warnings
    - Python: The Warnings Filter, https://docs.python.org/3/library/warnings.html#the-warnings-filter
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS201"
    name = "insecure-warning-suppressed"
    message = "InsecureRequestWarning suppressed; fix the unverified requests instead"
    triggers = ((b"disable_warnings", b"InsecureRequestWarning", b"Unverified HTTPS"),)
    candidates = (clients.calls_to({_DISABLE_WARNINGS}), clients.calls_to(_WARNING_FILTERS))
    has_fix = True

    client_uses = (
        ClientUse('urllib3',
                  '`urllib3.disable_warnings(...)`, `warnings.filterwarnings("ignore", category=InsecureRequestWarning)`',
                  WARNING, 'the call is removed'),
    )

    VALID = [
        "import warnings\nwarnings.filterwarnings('ignore', category=DeprecationWarning)\n",
        "import warnings\nfrom urllib3.exceptions import InsecureRequestWarning\n"
        "warnings.simplefilter('error', InsecureRequestWarning)\n",
        "logging.disable_warnings()\n",
        "import warnings\nwarnings.filterwarnings('ignore', message='Unverified certificate')\n",
    ]
    INVALID = [
        Invalid(
            "import urllib3\n"
            "urllib3.disable_warnings()\n",
            [(2, 1)],
            ""),
        Invalid(
            "import requests\n"
            "requests.packages.urllib3.disable_warnings(\n"
            "    requests.packages.urllib3.exceptions.InsecureRequestWarning\n"
            ")\n",
            [(2, 1)],
            ""),
        Invalid(
            "from urllib3 import disable_warnings\n"
            "if True:\n"
            "    disable_warnings()\n",
            [(3, 5)],
            "if True:\n"
            "    pass\n"),
        Invalid(
            "import requests\n"
            "requests.urllib3.disable_warnings()\n",
            [(2, 1)],
            ""),
        Invalid(
            "import warnings\n"
            "from urllib3.exceptions import InsecureRequestWarning as IRW\n"
            "warnings.filterwarnings('ignore', category=IRW)\n",
            [(3, 1)],
            ""),
        Invalid(
            "import warnings\n"
            "import requests\n"
            "warnings.simplefilter('ignore', requests.packages.urllib3.exceptions.InsecureRequestWarning)\n",
            [(3, 1)],
            ""),
        Invalid(
            "from warnings import filterwarnings\n"
            "filterwarnings(action='ignore', message='Unverified HTTPS request')\n",
            [(2, 1)],
            ""),
        Invalid(
            "import logging\n"
            "import urllib3\n"
            "\n"
            "# silence the proxy noise\n"
            "urllib3.disable_warnings()\n"
            "log = logging.getLogger(__name__)\n",
            [(5, 1)],
            "import logging\n"
            "\n"
            "# silence the proxy noise\n"
            "log = logging.getLogger(__name__)\n"),
        Invalid(
            "import urllib3\n"
            "class Client:\n"
            "    def __init__(self):\n"
            "        urllib3.disable_warnings()  # TODO\n"
            "    def get(self):\n"
            "        pass\n",
            [(4, 9)],
            "class Client:\n"
            "    def __init__(self):\n"
            "        # TODO\n"
            "        pass\n"
            "    def get(self):\n"
            "        pass\n"),
        Invalid(
            "import urllib3\n"
            "try:\n"
            "    urllib3.disable_warnings()\n"
            "except AttributeError:\n"
            "    pass\n"
            "urllib3.PoolManager()\n",
            [(3, 5)],
            "import urllib3\n"
            "try:\n"
            "    pass\n"
            "except AttributeError:\n"
            "    pass\n"
            "urllib3.PoolManager()\n"),
    ]

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._statement: Optional[cst.SimpleStatementLine] = None

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified == _DISABLE_WARNINGS or (
                qualified in _WARNING_FILTERS and self._ignores_insecure(node, qualified)):
            self.report(node, fix=self._removal(node))

    def _ignores_insecure(self, node: cst.Call, qualified: str) -> bool:
        action = clients.argument(node, 0, "action")
        if action is None or values.string_value(action.value, self.scope) != "ignore":
            return False
        category_index, message_index = _WARNING_FILTERS[qualified]
        category = clients.argument(node, category_index, "category")
        if category is not None:
            name = self.qualify(category.value) or ""
            if name.endswith(".InsecureRequestWarning") and name.split(".")[0] in (
                    "urllib3", "requests"):
                return True
        if message_index is not None:
            message = clients.argument(node, message_index, "message")
            text = values.string_value(message.value, self.scope) if message else None
            return text is not None and _MESSAGE in text
        return False

    def _removal(self, node: cst.Call) -> Optional[FixRequest]:
        """Remove the statement when the call is all of it (`x = disable_warnings()` is kept)."""
        statement = self._statement
        if statement is None or len(statement.body) != 1:
            return None
        expr = statement.body[0]
        if isinstance(expr, cst.Expr) and expr.value is node:
            return FixRequest("remove-statement", node=statement)
        return None
