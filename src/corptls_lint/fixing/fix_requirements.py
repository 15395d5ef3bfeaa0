"""Which configured target a fix needs, so a finding is fixable only when that key is set."""

from __future__ import annotations

from typing import Optional, Tuple

from corptls_lint.ftypes import FixTargets
from corptls_lint.rules.base import FixRequest

_KEY_ATTRS = {"ca-bundle": "ca_bundle", "ssl-context": "ssl_context",
              "session-factory": "session_factory"}
# Value kinds that need no target.
_NO_TARGET = ("remove-statement", "remove-argument", "secure-literal")
# An SSL context: the configured one, else one made from the configured bundle (httpx).
CONTEXT_OR_BUNDLE = "ssl-context-or-ca-bundle"


def configured(kind: str, targets: FixTargets) -> bool:
    """Whether a value of this kind can be written with `targets`."""
    if kind in _NO_TARGET:
        return True
    if kind == CONTEXT_OR_BUNDLE:
        return targets.ssl_context is not None or targets.ca_bundle is not None
    return getattr(targets, _KEY_ATTRS[kind]) is not None


def chosen(request: FixRequest, targets: FixTargets) -> Tuple[str, Optional[str]]:
    """(the value kind the fix writes, its keyword) with these targets. A "replace-keyword"
    request may name a second (kind, keyword) pair, used when the first kind's key is not
    configured and the second's is (urllib3: `ssl_context=<ssl-context>`, else
    `ca_certs=<ca-bundle>`)."""
    extra = request.extra
    if request.kind == "replace-keyword":
        if len(extra) >= 4 and not configured(extra[0], targets) and configured(extra[2], targets):
            return extra[2], extra[3]
        return extra[0], extra[1]
    return request.value_kind, None


def missing_key(request: FixRequest, targets: FixTargets) -> Optional[str]:
    """None when the fix can be made with `targets`, else the config key that would enable it."""
    kind, _ = chosen(request, targets)
    if configured(kind, targets):
        return None
    return "ca-bundle" if kind == CONTEXT_OR_BUNDLE else kind
