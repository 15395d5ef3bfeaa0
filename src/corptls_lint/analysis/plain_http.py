"""Whether a client bound to a name only ever talks plain HTTP: every use of the name in its
body is a request whose URL is an `http://` one (`with PoolManager(ca_certs=...) as http:
http.request("GET", f"http://{host}/")`). Such a client never makes a TLS connection, so the
TLS options it was given are never used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

from corptls_lint.analysis import clients
from corptls_lint.ftypes import identifier

if TYPE_CHECKING:
    import libcst as cst

    from corptls_lint.analysis.scopes import Scope

# urllib3's request methods and the position of their URL (also `url=`).
_REQUESTS = {"request": 1, "urlopen": 1, "request_encode_url": 1, "request_encode_body": 1}
_PLAIN = "http://"


def only_plain_http(name: str, body: "cst.CSTNode", scope: "Scope") -> bool:
    """True when `name` is used in `body`, and only as the receiver of requests to literal
    `http://` URLs (an f-string's unknown parts do not change its scheme)."""
    import libcst as cst

    from corptls_lint.analysis.cst_walk import children

    requests = 0
    stack: List[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(
                node.func.value, cst.Name) and identifier(node.func.value.value) == name:
            position = _REQUESTS.get(identifier(node.func.attr.value))
            url = None if position is None else clients.argument(node, position, "url")
            if url is None or not _is_plain(url.value, scope):
                return False
            requests += 1
            stack.extend(arg.value for arg in node.args)
            continue
        if isinstance(node, cst.Name) and identifier(node.value) == name:
            return False  # handed on, rebound or used some other way
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False  # another scope may see the name: not followed
        stack.extend(children(node))
    return requests > 0


def _is_plain(url: "cst.BaseExpression", scope: "Scope") -> bool:
    text: Optional[str] = clients.template_text(url, scope)
    return text is not None and text.lower().startswith(_PLAIN)
