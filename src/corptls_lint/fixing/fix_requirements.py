"""Which configured target a fix needs, so a finding is fixable only when that key is set."""

from __future__ import annotations

from typing import Optional

from corptls_lint.ftypes import FixTargets
from corptls_lint.rules.base import FixRequest

_KEY_ATTRS = {"ca-bundle": "ca_bundle", "ssl-context": "ssl_context",
              "session-factory": "session_factory"}


def missing_key(request: FixRequest, targets: FixTargets) -> Optional[str]:
    """None when the fix can be made with `targets`, else the config key that would enable it."""
    kind = request.value_kind
    if kind in ("remove-statement", "remove-argument", "secure-literal"):
        return None
    if kind == "ssl-context-or-ca-bundle":
        if targets.ssl_context is not None or targets.ca_bundle is not None:
            return None
        return "ca-bundle"
    return None if getattr(targets, _KEY_ATTRS[kind]) is not None else kind
