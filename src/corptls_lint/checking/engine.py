"""The engine: screen by bytes, parse once with libcst, run every enabled rule in one pass.

The CLI, the flake8 plugin and the fixer all call `lint_source`.
"""

from __future__ import annotations

import ast
import os
import sys
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Set,
                    Tuple, Type, Union, cast)

import libcst as cst

from corptls_lint.analysis import scopes, test_data
from corptls_lint.analysis.cst_walk import child_fields, is_node
from corptls_lint.checking import noqa
from corptls_lint.checking.byte_screen import forced_rules, screen
from corptls_lint.checking.positions import (Owner, StatementSpans, node_positions, nodes_of,
                                             owner_positions)
from corptls_lint.fixing.fix_requirements import missing_key
from corptls_lint.ftypes import Diagnostic, FixTargets, Settings
from corptls_lint.rules import ALL_RULES
from corptls_lint.rules.base import FileContext, Report, Rule
from corptls_lint.screens import candidates, slicing
from corptls_lint.source import parse_guard, writer
from corptls_lint.source.decoding import DecodeError, decode_source, first_two_lines, split_lines

if TYPE_CHECKING:
    from libcst.metadata import CodeRange

    from corptls_lint.fixing.edits import Names

PARSE_ERROR = "TLS001"
INTERNAL_ERROR = "TLS000"


@dataclass
class LintResult:
    """The diagnostics of one file, plus what the fixer needs to act on them."""

    path: str
    diagnostics: List[Diagnostic]
    module: Optional[cst.Module] = None
    reports: List[Tuple[Report, Diagnostic]] = field(default_factory=list)
    internal_errors: List[str] = field(default_factory=list)
    # node -> CodeRange of the nodes the reports lie in (the fixer reuses them; no second pass)
    positions: Optional[Mapping[cst.CSTNode, CodeRange]] = None
    names: Optional[Names] = None  # the module's name table, when a fix built it
    # why the whole file is too complex for libcst, when a check stubbed the deep part out
    too_complex: Optional[str] = None
    tree: Optional[ast.Module] = None  # the stdlib tree of the file's text (the fixer's too)
    rules: Optional[List[Type[Rule]]] = None  # the rules both screens kept for the file
    parsed: Optional[str] = None  # the text `module` was parsed from (sliced: with stubs)


def rules_for(enabled: Sequence[str]) -> List[Type[Rule]]:
    wanted = set(enabled)
    return [rule for rule in ALL_RULES if rule.code in wanted]


# A rule and one of its visit_/leave_ methods, which takes the node class it is filed under.
_Handler = Tuple[Rule, Callable[[Any], object]]


class _Dispatcher:
    """One traversal that keeps the scope stack and calls each rule's visit_/leave_ methods.

    It walks the tree's fields directly instead of libcst's `CSTNode.visit`, which rebuilds
    (and re-validates) every node it passes and cost over twice the parse itself. Whitespace
    and token fields, which no rule looks at, are not descended into.
    """

    def __init__(self, rules: List[Rule], context: FileContext,
                 on_error: Callable[[Rule, BaseException], None]) -> None:
        self.context = context
        self.on_error = on_error
        self.visits: Dict[type, List[_Handler]] = defaultdict(list)
        self.leaves: Dict[type, List[_Handler]] = defaultdict(list)
        for rule in rules:
            for attr in dir(type(rule)):
                prefix, _, node_name = attr.partition("_")
                if prefix in ("visit", "leave") and node_name and hasattr(cst, node_name):
                    table = self.visits if prefix == "visit" else self.leaves
                    table[getattr(cst, node_name)].append((rule, getattr(rule, attr)))
        self.failed: Set[Rule] = set()
        # (index of the top-level statement, the functions and classes entered within it)
        self.owner: Optional[Owner] = None
        self.owners: Dict[int, Optional[Owner]] = {}  # id(node) -> its owner (positions)

    def walk_module(self, module: cst.Module) -> None:
        """`walk(module)`, noting which top-level statement and which functions and classes
        within it hold each node (positions)."""
        handlers = self.visits.get(cst.Module)
        if handlers:
            self._call(handlers, module)
        for index, statement in enumerate(module.body):
            self.owner = (index,)
            self.walk(statement)
        self.owner = None
        handlers = self.leaves.get(cst.Module)
        if handlers:
            self._call(handlers, module)

    def _call(self, handlers: List[_Handler], node: cst.CSTNode) -> None:
        for rule, handler in handlers:
            if rule in self.failed:
                continue
            try:
                handler(node)
            except Exception as error:  # contain one rule's bug to that rule and file
                self.failed.add(rule)
                self.on_error(rule, error)

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        owner = self.owner
        self.owners[id(node)] = owner
        scoped = kind is cst.FunctionDef or kind is cst.Lambda or kind is cst.ClassDef
        if scoped:
            # casts: `kind` is the node's class, which the checker does not connect to it
            if kind is cst.ClassDef:
                self.context.scope = scopes.class_scope(cast(cst.ClassDef, node),
                                                        self.context.scope)
            else:
                self.context.scope = scopes.function_scope(
                    cast(Union[cst.FunctionDef, cst.Lambda], node), self.context.scope)
            if kind is not cst.Lambda and owner is not None:
                self.owner = owner + (node,)
        handlers = self.visits.get(kind)
        if handlers:
            self._call(handlers, node)
        for name in child_fields(kind):
            value = getattr(node, name)
            if type(value) is tuple or type(value) is list:
                for item in value:
                    if is_node(type(item)):
                        self.walk(item)
            elif is_node(type(value)):
                self.walk(value)
        handlers = self.leaves.get(kind)
        if handlers:
            self._call(handlers, node)
        if scoped:
            # a class's or a function's scope always has the one around it
            self.context.scope = cast(scopes.Scope, self.context.scope.parent)
            self.owner = owner


def _parse_error(path: str, error: Exception, text: Optional[str] = None) -> Diagnostic:
    line, col = 1, 1
    if isinstance(error, cst.ParserSyntaxError):
        line, col = max(error.raw_line, 1), error.raw_column + 1
        reason = error.message.strip().splitlines()[0] if error.message else "syntax error"
        reason = reason.replace("parser error: ", "")
        if text is not None:  # CPython's messages and positions are clearer, where it agrees
            line, col, reason = _python_syntax_error(text) or (line, col, reason)
    elif isinstance(error, DecodeError):
        reason = str(error)
    elif isinstance(error, RecursionError):
        return too_complex_error(path, "nested deeper than the parser's stack")
    else:
        reason = f"{type(error).__name__}: {error}"
    return Diagnostic(path, line, col, PARSE_ERROR, f"cannot parse: {reason}", name="parse-error")


def too_complex_error(path: str, reason: str) -> Diagnostic:
    return Diagnostic(path, 1, 1, PARSE_ERROR, f"too complex to analyse ({reason})",
                      name="parse-error")


def _python_syntax_error(text: str) -> Optional[Tuple[int, int, str]]:
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a SyntaxWarning is not what the user asked about
            ast.parse(text)
    except SyntaxError as error:
        return max(error.lineno or 1, 1), max(error.offset or 1, 1), error.msg
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


# libcst's parser and visitors recurse once per nesting level; CPython accepts 200 nested
# brackets, which needs more than the default limit of 1000 frames. Raised once, at import.
_RECURSION_LIMIT = 8000
if sys.getrecursionlimit() < _RECURSION_LIMIT:
    sys.setrecursionlimit(_RECURSION_LIMIT)


def text_problem(source: Union[str, bytes]) -> Optional[DecodeError]:
    """Why a file is not Python source text at all (undecodable, NUL bytes), else None.
    Cheap for the common case: ASCII bytes without NUL need no decoding."""
    if isinstance(source, str):
        return DecodeError("source contains NUL bytes") if "\0" in source else None
    if b"\0" in source:
        return DecodeError("source contains NUL bytes")
    if source.isascii() and b"coding" not in first_two_lines(source):
        return None  # ASCII is valid in every encoding but those a coding line may declare
    try:
        decode_source(source)
    except DecodeError as error:
        return error
    return None


def lint_source(source: Union[str, bytes], path: str, settings: Settings,
                apply_noqa: bool = True, verbose: bool = False,
                sliced: bool = False, screened: Optional[Sequence[str]] = None,
                mark_stubs: bool = False) -> LintResult:
    """Lint one file's source. Never raises for bad input: it becomes TLS001 or TLS000.

    Text that is not Python source at all (undecodable, NUL bytes) is TLS001 even when no rule
    could fire; a syntax error is found only in files that pass the screens and are parsed.
    `sliced`: libcst parses the file with the functions and classes that hold no candidate
    stubbed out (same findings, less to parse); the result's `module` is then not the file's
    tree, so only check mode asks for it. `screened`: the codes the caller's byte screen
    kept for these very bytes (the runner reads and screens every file once). `mark_stubs`:
    each stub names the lines it stands for (the fixer rewrites the sliced text, then puts
    them back).
    """
    codes = settings.enabled
    if apply_noqa:  # `# flake8: noqa` skips a file before anything is read of it, as in flake8
        exemption = noqa.file_exemption(source)
        if exemption is not None:
            if exemption.whole_file:
                return LintResult(path, [])
            codes = tuple(code for code in codes if not exemption.covers(code))
    problem = text_problem(source)
    if problem is not None:
        return LintResult(path, [_parse_error(path, problem)])
    data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    enabled = rules_for(codes)
    if screened is None:
        rule_classes = screen(data, enabled)
    else:  # the caller searched these bytes already
        rule_classes = [rule for rule in enabled if rule.code in screened]
    forced = forced_rules(data, enabled, settings)
    if not rule_classes and not forced:
        return LintResult(path, [])
    tree, too_complex = parse_guard.parse(data)
    if too_complex is not None:  # never handed to libcst
        return LintResult(path, [too_complex_error(path, too_complex)])
    facts = None
    if tree is not None:
        facts = candidates.FileFacts(tree, data)
        rule_classes = facts.screen(rule_classes)
        if not rule_classes and not forced:
            return LintResult(path, [])
        too_complex = parse_guard.too_deep(tree)
    rule_classes = [rule for rule in enabled if rule in rule_classes or rule in forced]
    sliced = sliced and not forced
    # A rule without declared candidates could report anywhere: then nothing is stubbed.
    sliced = sliced and facts is not None and all(rule.candidates for rule in rule_classes)
    deep: List[ast.stmt] = []
    if too_complex is not None:
        # libcst must not see the statements nested too deep: a check stubs them out when
        # they hold no candidate and bind nothing the rest uses; otherwise the file is TLS001
        deep = parse_guard.deep_statements(tree) if sliced and tree is not None else []
        if not deep:
            return LintResult(path, [too_complex_error(path, too_complex)])
    try:  # text_problem decoded these bytes; kept as a guard: one file never ends a run
        text = decode_source(source) if isinstance(source, bytes) else source
    except DecodeError as error:
        return LintResult(path, [_parse_error(path, error)])
    try:
        parsed = text
        if sliced:
            assert tree is not None and facts is not None  # `sliced` asked for the facts
            stubbed = slicing.stub_definitions(text, tree, facts.locations(rule_classes),
                                               must_stub=deep, mark=mark_stubs)
            if stubbed is None:
                # only a statement nested too deep can fail to be stubbed
                assert too_complex is not None
                return LintResult(path, [too_complex_error(path, too_complex)])
            parsed = stubbed
        module = cst.parse_module(parsed)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as error:
        return LintResult(path, [_parse_error(path, error, text)])
    # ast numbered the same lines libcst parsed (slicing keeps every line where it was)
    result = lint_module(module, path, rule_classes, settings.targets, apply_noqa=apply_noqa,
                         insecure_keywords=settings.insecure_keywords,
                         verbose=verbose, ast_tree=tree, source_text=text)
    result.too_complex = too_complex
    result.tree = tree
    result.rules = rule_classes
    result.parsed = parsed
    return result


def lint_module(module: cst.Module, path: str, rule_classes: Sequence[Type[Rule]],
                targets: FixTargets = FixTargets(), apply_noqa: bool = True,
                verbose: bool = False,
                ast_tree: Optional[ast.Module] = None,
                source_text: Optional[str] = None,
                insecure_keywords: Tuple[str, ...] = ()) -> LintResult:
    """`ast_tree`: the stdlib tree of the same lines; with it, positions come from the
    innermost function or class around each finding only (codegen of that alone)."""
    context = FileContext(path, insecure_keywords=insecure_keywords, targets=targets)
    result = LintResult(path, [], module=module)

    def on_error(rule: Rule, error: BaseException) -> None:
        detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        result.internal_errors.append(detail)
        message = f"internal error in {rule.code} ({rule.name}): {type(error).__name__}: {error}"
        if verbose:
            message += "\n" + detail
        result.diagnostics.append(Diagnostic(path, 1, 1, INTERNAL_ERROR, message,
                                             name="internal-error"))

    rules = [rule_class(context) for rule_class in rule_classes]
    context.scope = scopes.module_scope(module)
    try:
        dispatcher = _Dispatcher(rules, context, on_error)
        dispatcher.walk_module(module)
    except RecursionError as error:
        return LintResult(path, [_parse_error(path, error)])
    if not context.reports:
        return result
    # test data (an assertion's expected value, the statement a test expects to raise)
    # configures nothing: dropped for the rules it applies to
    asked = [(report.node, report.rule.quiet_in_refused_connections)
             for report in context.reports if report.rule.quiet_in_test_data]
    if asked:
        quiet = test_data.quiet_reports(module, asked, dispatcher.owners, context.scope)
        context.reports = [report for report in context.reports if id(report.node) not in quiet]
        if not context.reports:
            return result
    positions = None
    if ast_tree is not None:
        # the fix's nodes too: the fixer takes their ranges from here
        owners = {dispatcher.owners.get(id(node)) for report in context.reports
                  for node in nodes_of(report)}
        if None not in owners:
            positions = owner_positions(module, ast_tree, cast("Set[Owner]", owners))
    if positions is None:
        positions = node_positions(module)
    result.positions = positions
    # noqa comments are read from the file's own lines (no codegen of the whole module; a
    # sliced module keeps every line where it was, and findings are never in a stub)
    noqa_lines = None
    if apply_noqa:
        noqa_text = source_text if source_text is not None else module.code
        statements = StatementSpans(ast_tree.body) if ast_tree is not None else None
        noqa_lines = noqa.NoqaLines(split_lines(noqa_text), noqa_text, statements)
    seen = set()
    planner = None
    for report in context.reports:
        where = positions[report.node]
        line, col = where.start.line, where.start.column + 1
        if report.inside is not None:  # a place inside the node (a key in a string's text)
            lines, column = report.inside
            line, col = line + lines, (column + 1 if lines else col + column)
        code = report.rule.code
        if (line, col, code) in seen:
            continue
        seen.add((line, col, code))
        if noqa_lines is not None and noqa_lines.silences(line, code):
            continue
        fix, needs = None, None
        if report.fix is not None:
            needs = missing_key(report.fix, targets)
            if needs is None:
                from corptls_lint.fixing.edits import FixPlanner, describe_fix  # findings only

                planner = planner or FixPlanner(module, targets, text=source_text)
                fix = describe_fix(planner, report.fix, positions.get(report.fix.node)
                                   if report.fix.node is not None else None)
        diagnostic = Diagnostic(path, line, col, code, report.message,
                                end_line=where.end.line, end_col=where.end.column + 1,
                                name=report.rule.name, fix=fix, fix_needs=needs)
        result.diagnostics.append(diagnostic)
        result.reports.append((report, diagnostic))
    result.diagnostics.sort()
    result.names = planner.names_if_known() if planner is not None else None
    return result



def _unreadable_folder(path: str) -> Diagnostic:
    try:
        os.listdir(path)
        reason = "it changed while the run listed it"
    except OSError as error:
        reason = error.strerror or type(error).__name__
    return Diagnostic(path, 1, 1, PARSE_ERROR, f"cannot read folder: {reason}", name="parse-error")


def lint_path(path: str, settings: Settings, verbose: bool = False) -> LintResult:
    """Read one file and lint it; an unreadable file or one that is not a file becomes TLS001."""
    try:
        # a FIFO or device would block or never end: refused unread, as "not a regular file"
        data = writer.read_regular(path)
    except IsADirectoryError:  # a folder the walk could not list
        return LintResult(path, [_unreadable_folder(path)])
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return LintResult(path, [Diagnostic(path, 1, 1, PARSE_ERROR, f"cannot parse: cannot read: {reason}",
                                            name="parse-error")])
    return lint_source(data, path, settings, verbose=verbose)
