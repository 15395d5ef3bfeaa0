from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from corptls_lint.analysis import clients, values
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import WARNING, ClientUse, FileContext, FixRequest, Invalid, Rule
from corptls_lint.screens import byte_patterns
from corptls_lint.screens.shapes import CallInto

_DISABLE_WARNINGS = "urllib3.disable_warnings"
_WARNING_FILTERS = {
    # function: (index of `category`, index of `message` or None), after `action` at 0
    "warnings.filterwarnings": (2, 1),
    "warnings.simplefilter": (1, None),
}
_MESSAGE = "Unverified HTTPS request"
# InsecureRequestWarning and the urllib3 classes it derives from: ignoring any of them hides it.
_INSECURE_CATEGORIES = ("InsecureRequestWarning", "SecurityWarning", "HTTPWarning")
# The HTTPS clients whose unverified requests raise it: urllib3, and requests through it
# (httpx and aiohttp have no such warning, so a blanket filter hides nothing of theirs).
_CLIENT_ROOTS = ("requests", "urllib3")
_CATCH_WARNINGS = "warnings.catch_warnings"
_BLANKET_MESSAGE = ("warnings filter that ignores every warning, InsecureRequestWarning "
                    "included, in a module that makes HTTPS requests; ignore only the "
                    "categories you mean")


class InsecureWarningSuppressed(Rule):
    """
    ## What it does
    Finds code that hides urllib3's `InsecureRequestWarning`:

    - a call of `urllib3.disable_warnings(...)`, whatever its argument, through any import
      path (`requests.packages.urllib3`, `requests.urllib3`, `from urllib3 import
      disable_warnings`);
    - `warnings.filterwarnings` or `warnings.simplefilter` with the action `"ignore"` and the
      category `InsecureRequestWarning` or one of the urllib3 classes it derives from
      (`SecurityWarning`, `HTTPWarning`; imported from `urllib3` or `requests`, under any
      alias), or `filterwarnings` with a message that contains `"Unverified HTTPS request"`;
    - a blanket filter, `warnings.filterwarnings("ignore")` or `warnings.simplefilter("ignore")`
      with no category (or `category=Warning`), no message and no module, in a module that
      imports requests or urllib3 and calls them: it hides InsecureRequestWarning with
      everything else. Not reported in a module that makes no such call, nor inside a
      `with warnings.catch_warnings():` block that holds no such call (the filter ends with
      the block), nor with another category (`category=DeprecationWarning`). httpx and
      aiohttp raise no InsecureRequestWarning (an unverified request there warns of
      nothing), so a module that calls only them is not reported either.

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
    and needs no configuration. A blanket filter gets no fix: removing it brings back every
    other warning it hid too, so what to ignore instead is for a person. A call that is only
    part of a statement
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
    # ... and a file that names the clients (their warnings and disable_warnings are theirs;
    # a blanket filter counts only beside their calls), or filters urllib3's message
    triggers = ((b"disable_warnings", b"InsecureRequestWarning", b"Unverified HTTPS",
                 b"SecurityWarning", b"HTTPWarning", b"filterwarnings", b"simplefilter"),
                (b"requests", b"urllib3", b"Unverified HTTPS"))
    # filters are common (tests, scripts): only an "ignore" of every category counts here
    trigger_patterns = {word: byte_patterns.ignores_all(word.decode())
                        for word in (b"filterwarnings", b"simplefilter")}
    candidates = (clients.calls_to({_DISABLE_WARNINGS}), clients.calls_to(_WARNING_FILTERS))
    # A blanket filter is a finding only beside a call of an HTTPS client, wherever it is.
    context_shapes = (CallInto(_CLIENT_ROOTS, beside=tuple(sorted(
        qualified.rsplit(".", 1)[1] for qualified in _WARNING_FILTERS))),
        clients.calls_to({_CATCH_WARNINGS}))
    has_fix = True

    client_uses = (
        ClientUse('urllib3',
                  '`urllib3.disable_warnings(...)`, `warnings.filterwarnings("ignore", category=InsecureRequestWarning)` (or `SecurityWarning`, `HTTPWarning`)',
                  WARNING, 'the call is removed'),
        ClientUse('requests, urllib3',
                  '`warnings.filterwarnings("ignore")` / `simplefilter("ignore")` with no category (or `Warning`) in a module that calls them',
                  WARNING, 'none'),
    )

    VALID = [
        "import warnings\nwarnings.filterwarnings('ignore', category=DeprecationWarning)\n",
        "import warnings\nfrom urllib3.exceptions import InsecureRequestWarning\n"
        "warnings.simplefilter('error', InsecureRequestWarning)\n",
        "logging.disable_warnings()\n",
        "import warnings\nwarnings.filterwarnings('ignore', message='Unverified certificate')\n",
        # a blanket filter in a module with no HTTPS client call
        "import warnings\nimport requests\nwarnings.simplefilter('ignore')\n"
        "Error = requests.RequestException\n",
        "import warnings\nwarnings.filterwarnings('ignore')\nimport json\njson.loads(text)\n",
        # inside a catch_warnings block that makes no request, the filter ends with the block
        "import warnings, requests\ndef parse(text):\n    with warnings.catch_warnings():\n"
        "        warnings.simplefilter('ignore')\n        return legacy_parse(text)\n"
        "def fetch(url):\n    return requests.get(url)\n",
        "import warnings, requests\nwarnings.filterwarnings('ignore', category=DeprecationWarning)\n"
        "requests.get(url)\n",
    ]
    INVALID = [
        Invalid(
            "import warnings\n"
            "import requests\n"
            "warnings.filterwarnings('ignore')\n"
            "def fetch(url):\n"
            "    return requests.get(url, verify=False)\n",
            [(3, 1)]),
        Invalid(
            "import warnings\n"
            "from requests import Session\n"
            "def fetch(url):\n"
            "    with warnings.catch_warnings():\n"
            "        warnings.simplefilter('ignore', category=Warning)\n"
            "        with Session() as session:\n"
            "            return session.get(url, verify=False)\n",
            [(5, 9)]),
        Invalid(
            "import warnings, urllib3\n"
            "warnings.simplefilter('ignore', urllib3.exceptions.HTTPWarning)\n",
            [(2, 1)],
            ""),
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
        self._client_calls = 0  # calls of an HTTPS client seen so far
        # blanket filters outside any catch_warnings block: findings if the module calls a client
        self._blanket: List[cst.Call] = []
        # the open `with warnings.catch_warnings():` blocks: (the with, client calls before
        # it, its blanket filters)
        self._blocks: List[Tuple[cst.With, int, List[cst.Call]]] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified is not None and qualified.split(".", 1)[0] in _CLIENT_ROOTS:
            self._client_calls += 1
        if qualified == _DISABLE_WARNINGS or (
                qualified in _WARNING_FILTERS and self._ignores_insecure(node, qualified)):
            self.report(node, fix=self._removal(node))
        elif qualified in _WARNING_FILTERS and self._ignores_all(node, qualified):
            (self._blocks[-1][2] if self._blocks else self._blanket).append(node)

    def visit_With(self, node: cst.With) -> None:
        if any(isinstance(item.item, cst.Call) and self.qualify(item.item.func) == _CATCH_WARNINGS
               for item in node.items):
            self._blocks.append((node, self._client_calls, []))

    def leave_With(self, original_node: cst.With) -> None:
        if self._blocks and self._blocks[-1][0] is original_node:
            _, before, filters = self._blocks.pop()
            if self._client_calls > before:  # the block itself makes a request
                for call in filters:
                    self.report(call, _BLANKET_MESSAGE)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._client_calls:
            for call in self._blanket:
                self.report(call, _BLANKET_MESSAGE)

    def _ignores_all(self, node: cst.Call, qualified: str) -> bool:
        """An "ignore" filter of every category (or of `Warning`), message and module."""
        action = clients.argument(node, 0, "action")
        if action is None or values.string_value(action.value, self.scope) != "ignore":
            return False
        category_index, message_index = _WARNING_FILTERS[qualified]
        if message_index is not None and clients.argument(node, message_index, "message"):
            return False
        if clients.keyword(node, "module") is not None or clients.has_double_star(node):
            return False
        category = clients.argument(node, category_index, "category")
        return category is None or (
            isinstance(category.value, cst.Name) and identifier(category.value.value) == "Warning"
            and self.scope.lookup("Warning") is None)

    def _ignores_insecure(self, node: cst.Call, qualified: str) -> bool:
        action = clients.argument(node, 0, "action")
        if action is None or values.string_value(action.value, self.scope) != "ignore":
            return False
        category_index, message_index = _WARNING_FILTERS[qualified]
        category = clients.argument(node, category_index, "category")
        if category is not None:
            name = self.qualify(category.value) or ""
            if name.rsplit(".", 1)[-1] in _INSECURE_CATEGORIES and name.split(".")[0] in (
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
