"""The rule base class: a small libcst visitor that carries its own examples and docs.

A rule defines `visit_<Node>` / `leave_<Node>` methods; the engine runs every enabled rule in
one batched pass over the tree and keeps `self.scope` current (module, class or function).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from corptls_lint.analysis import opt_outs, test_data, values
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import Applicability, FixTargets, Settings

if TYPE_CHECKING:
    from corptls_lint.screens.byte_patterns import WordPattern
    from corptls_lint.screens.shapes import Candidate


@dataclass(frozen=True)
class Invalid:
    """An example the rule must report, at these (line, 1-based column) positions.

    `fixed` is the source after `--fix` with the example configuration (None: no fix expected).
    """

    code: str
    positions: Sequence[Tuple[int, int]]
    fixed: Optional[str] = None


_KINDS_WITH_VALUE_IN_EXTRA = ("add-verify", "replace-keyword", "secure-and-add", "secure-dict")


@dataclass(frozen=True)
class FixRequest:
    """What a rule wants done to a reported node; the fixer turns it into an edit.

    kind: "ca-bundle" (replace the node with the configured bundle expression),
    "ssl-context", "session-factory" (replace a constructor call by the factory call),
    "add-verify" (append `verify=<ca-bundle>` to a call; `extra` = (value kind, keyword) to
    append another keyword, such as `context=<ssl-context>`), "replace-keyword" (the reported
    keyword argument becomes `extra` = (value kind, keyword): `cert_reqs="CERT_NONE"` ->
    `ssl_context=<ssl-context>`), "remove-argument" (a keyword argument goes),
    "secure-literal" (a literal becomes the expression `extra[0]`: `False` -> `True`,
    `ssl.CERT_NONE` -> `ssl.CERT_REQUIRED`),
    "secure-and-add" (a keyword argument's literal becomes `extra[1]` and the keyword
    `extra[2]` follows it with the value of kind `extra[0]`: `validate_cert=False` ->
    `validate_cert=True, ca_certs=<ca-bundle>`), "secure-dict" (an options dict display
    loses the entries keyed `extra[2:]` and gains the key `extra[1]` with the value of kind
    `extra[0]`: `{"cert_reqs": ssl.CERT_NONE}` -> `{"ca_certs": <ca-bundle>}`),
    "remove-statement".
    """

    kind: str
    applicability: Applicability = Applicability.SAFE
    # The node to rewrite when it is not the reported node (e.g. a parameter default).
    node: Optional[cst.CSTNode] = None
    extra: Tuple[str, ...] = field(default=())
    # Statements removed by the same edit (the settings that disabled a replaced context).
    also_remove: Tuple[cst.CSTNode, ...] = field(default=())

    @property
    def value_kind(self) -> str:
        """The kind of value the fix writes (the configured target it needs)."""
        return self.extra[0] if self.kind in _KINDS_WITH_VALUE_IN_EXTRA else self.kind


# What a client's parameter does when a rule reports it (the column of docs/clients.md).
OFF = "turns verification off"
BUNDLE = "points at a fixed CA bundle"
PROTOCOL = "allows a weak protocol"
WARNING = "hides the insecure-request warning"


@dataclass(frozen=True)
class ClientUse:
    """One row of docs/clients.md: a client's parameter (or shape) that a rule reports.

    `client` is the library as its users name it ("redis-py"); `parameters` the parameters or
    shape in Markdown (`ssl_cert_reqs=None`); `effect` one of OFF, BUNDLE, PROTOCOL, WARNING; `fix` what
    `--fix` writes, in a few words ("none" when there is no fix).
    """

    client: str
    parameters: str
    effect: str
    fix: str


@dataclass
class FileContext:
    """What rules see of the file being linted: the engine keeps `scope` current and collects
    the rules' reports."""

    path: str
    scope: Scope = None  # type: ignore[assignment]  # the engine sets it before rules run
    reports: List[Report] = field(default_factory=list)
    insecure_keywords: Tuple[str, ...] = ()  # configured wrapper flags (TLS105)
    # The configured fix targets: a policy rule reads its policy from them (TLS401: with a
    # session factory, every requests session comes from it).
    targets: FixTargets = field(default_factory=FixTargets)


@dataclass
class Report:
    rule: "Rule"
    node: cst.CSTNode
    message: str
    fix: Optional[FixRequest] = None
    # (lines after the node's first line, column there) of a place inside the node: a key
    # inside a multi-line string literal (its column counts from the node's own on its
    # first line, from the line's start on the others)
    inside: Optional[Tuple[int, int]] = None


class Rule:
    """Base class. Subclasses set the class attributes and write visit_/leave_ methods.

    The docstring is the rule's documentation (ruff's sections); it generates the doc page and
    `--explain`.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    # A policy rule, off by default, is on by default when this config key is set (TLS401:
    # "session-factory": the project has a policy for sessions to follow).
    default_when_configured: ClassVar[Optional[str]] = None
    # Not reported in the module a fix target names (corp_tls.py): that module is where the
    # bundle path and the bare session belong, and its fix would make it import itself.
    exempt_in_trust_module: ClassVar[bool] = False
    # The byte screen: a file must contain at least one word of *every* group.
    triggers: ClassVar[Tuple[Tuple[bytes, ...], ...]] = ()
    # A trigger word that is common in unrelated code can be narrowed to the shapes the rule
    # reports (byte_patterns; searched only in files that hold the word).
    trigger_patterns: ClassVar[Dict[bytes, "WordPattern"]] = {}
    # The syntax screen (candidates.py): the shapes a finding of this rule can have; a file
    # whose ast holds none of them is not parsed with libcst for this rule. Empty: no screen.
    candidates: ClassVar[Tuple[Candidate, ...]] = ()
    # Shapes that are not findings but that a finding depends on (TLS401: `x.verify = ...`
    # anywhere in the scope), kept when libcst is handed only the functions that matter. Not
    # `context`: that is each instance's FileContext.
    context_shapes: ClassVar[Tuple[Candidate, ...]] = ()
    # Whether a finding in a library's implementation of its caller's opt-out (`if not
    # verify: ctx.check_hostname = False`) goes to the caller's choice: the parameter's
    # insecure default, or nowhere (the caller passing False is reported where it does).
    # analysis/opt_outs.py says which; the rules that report turned-off verification set it.
    caller_opt_outs: ClassVar[bool] = False
    # TLS105: reports a wrapper flag's insecure default (`verify_ssl=False`) itself.
    reports_wrapper_flags: ClassVar[bool] = False
    # Whether the rule offers a fix, and the config keys such a fix can use.
    has_fix: ClassVar[bool] = False
    fix_keys: ClassVar[Tuple[str, ...]] = ()
    VALID: ClassVar[List[str]] = []
    INVALID: ClassVar[List[Invalid]] = []
    # Whether test data (analysis/test_data.py: an assertion's expected value, the statement
    # a test expects to raise) is left unreported; the rule's page says so.
    quiet_in_test_data: ClassVar[bool] = True
    # And in a connection a test expects to fail (TLS501: a server refuses a weak version).
    quiet_in_refused_connections: ClassVar[bool] = False
    # The client inventory (docs/clients.md is generated from every rule's list).
    client_uses: ClassVar[Tuple[ClientUse, ...]] = ()

    def __init__(self, context: "FileContext") -> None:
        self.context = context

    @property
    def scope(self) -> "Scope":
        return self.context.scope

    # -- helpers every rule uses --------------------------------------------------------
    def qualify(self, node: cst.CSTNode) -> Optional[str]:
        return self.context.scope.qualify(node)

    def is_falsy(self, node: cst.BaseExpression) -> bool:
        return values.is_falsy(node, self.context.scope)

    def is_hardcoded_path(self, node: cst.BaseExpression) -> bool:
        return values.is_hardcoded_path(node, self.context.scope)

    def report(self, node: cst.CSTNode, message: Optional[str] = None,
               fix: Optional[FixRequest] = None,
               inside: Optional[Tuple[int, int]] = None) -> Optional[Report]:
        """Add a finding (None when it is a library's implementation of its caller's
        opt-out, with `caller_opt_outs`; then it may be the parameter's default instead)."""
        message = message or self.message
        if self.caller_opt_outs:
            chosen = opt_outs.placement(node, self.context.scope)
            if chosen is not None:
                if chosen.default is None or (not self.reports_wrapper_flags
                                              and self._wrapper_flag_default(chosen)):
                    return None
                # reported once at the default: the engine keeps one finding per position
                self._forwarded(chosen, message)
                node, fix = chosen.default, None
                message = f"the default of {chosen.parameter} chooses this: {message}"
        made = Report(self, node, message, fix, inside if fix is None else None)
        self.context.reports.append(made)
        return made

    def _forwarded(self, chosen: opt_outs.Chosen, message: str) -> None:
        """An outer API of the module whose parameter hands the chosen default straight on
        (`HttpLib(verify=False)` calling `handler(verify=verify)`): its default too."""
        for default, parameter, callee in opt_outs.forwarded_defaults(chosen, self.context.scope):
            if not self.reports_wrapper_flags and self._wrapper_flag_default(
                    opt_outs.Chosen(default, parameter)):
                continue  # TLS105's finding
            self.context.reports.append(Report(
                self, default, f"the default of {parameter}, passed on to {callee}(), chooses "
                               f"this: {message}"))

    def _wrapper_flag_default(self, chosen: opt_outs.Chosen) -> bool:
        """A wrapper flag's insecure default (`verify_certs=False`) is TLS105's finding in any
        module: the rule that moved here stays quiet, so the default is reported once."""
        from corptls_lint.analysis import clients

        flags = clients.insecure_keywords(self.context.insecure_keywords or
                                          clients.DEFAULT_INSECURE_KEYWORDS)
        kind = flags.get(chosen.parameter)
        return (kind is not None and chosen.default is not None
                and clients.value_is(kind, chosen.default, self.context.scope))

    @classmethod
    def configured_words(cls, settings: Settings) -> Tuple[bytes, ...]:
        """Trigger words the configuration adds (TLS105's `insecure-keywords`)."""
        return ()

    # -- metadata -----------------------------------------------------------------------
    @classmethod
    def documentation(cls) -> str:
        text = textwrap.dedent(cls.__doc__ or "").strip()
        why = "\n## Why is this bad?"
        if cls.caller_opt_outs and why in text:
            # one text for every rule that leaves a library's opt-out to its caller
            text = text.replace(why, f"\n{opt_outs.DOCUMENTATION}\n{why}", 1)
        if cls.quiet_in_test_data and why in text:
            refused = f"\n{test_data.DOC_REFUSED}\n" if cls.quiet_in_refused_connections else ""
            text = text.replace(why, f"\n{test_data.DOC}\n{refused}{why}", 1)
        return text
