"""Fixes at the origin of an insecure value that travels to a sink: the finding is reported
where the value is written (`verify = False` on a branch, `self.cert_reqs = ssl.CERT_NONE`, a
call site's argument), and so is its fix.

Always unsafe: the same value may be read elsewhere too (`if not verify: warn()`), so what
else the change affects is for a person to check.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from corptls_lint.analysis.scopes import dotted_name
from corptls_lint.ftypes import Applicability, identifier
from corptls_lint.rules.base import FixRequest

_REQUIRED_SPELLING = {"CERT_NONE": "CERT_REQUIRED", "NONE": "REQUIRED"}


def is_false_literal(value: cst.BaseExpression) -> bool:
    """The literal `False` or `0` (what verify= and the wrapper flags are switched off with)."""
    return (isinstance(value, cst.Name) and identifier(value.value) == "False") or (
        isinstance(value, cst.Integer) and value.value == "0")


def target_at_origin(value: cst.BaseExpression, kind: str) -> Optional[FixRequest]:
    """A false literal written for verify= becomes the configured value of `kind`."""
    if not is_false_literal(value):
        return None
    return FixRequest(kind, Applicability.UNSAFE, node=value)


def required_at_origin(value: cst.CSTNode) -> Optional[FixRequest]:
    """`ssl.CERT_NONE` (any dotted spelling), `"CERT_NONE"` or `"NONE"` becomes the same
    spelling of CERT_REQUIRED. None for a bare imported name (it would need an import), and
    where the origin is not an expression (an argument, a dict entry)."""
    if isinstance(value, cst.Attribute) and identifier(value.attr.value) == "CERT_NONE":
        name = dotted_name(value)
        if name is None:
            return None
        secure = name[:-len("CERT_NONE")] + "CERT_REQUIRED"
    elif isinstance(value, cst.SimpleString) and value.evaluated_value in _REQUIRED_SPELLING:
        quote = value.quote
        prefix = value.prefix
        secure = f"{prefix}{quote}{_REQUIRED_SPELLING[value.evaluated_value]}{quote}"
    else:
        return None
    return FixRequest("secure-literal", Applicability.UNSAFE, node=value, extra=(secure,))


def hostname_checked_at_origin(value: cst.CSTNode) -> Optional[FixRequest]:
    """`assert_hostname=False` written elsewhere: the literal becomes None, urllib3's default
    (the host name is checked). None where the origin is not an expression."""
    if not (isinstance(value, cst.Name) and identifier(value.value) == "False"):
        return None
    return FixRequest("secure-literal", Applicability.UNSAFE, node=value, extra=("None",))
